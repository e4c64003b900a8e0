//! `forget actor | instance` end to end.

use predicates::str::contains;

use crate::util::{Sandbox, TestResult};

#[test]
fn forget_remembers_the_opt_out() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["forget", "actor", "@someone@far.example"])?
        .success()
        .stdout(contains("forgot @someone@far.example"));
    sandbox
        .run(&["forget", "actor", "https://far.example/users/someone"])?
        .success();
    sandbox
        .run(&["forget", "instance", "Far.Example"])?
        .success()
        .stdout(contains("forgot far.example"));
    use sqlx::Connection;
    let runtime = tokio::runtime::Runtime::new()?;
    let rows: i64 = runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&sandbox.db_url()).await?;
        sqlx::query_scalar("SELECT count(*) FROM opt_outs")
            .fetch_one(&mut conn)
            .await
    })?;
    assert_eq!(rows, 3, "each forget is remembered");
    Ok(())
}

#[test]
fn forgetting_a_tracked_actor_or_its_instance_is_refused() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["brand", "add", "acme", "@acme@mastodon.social"])?
        .success();
    sandbox
        .run(&["forget", "actor", "@acme@mastodon.social"])?
        .failure()
        .stderr(contains("tracked by the brand `acme`"));
    sandbox
        .run(&["forget", "instance", "mastodon.social"])?
        .failure()
        .stderr(contains("tracked by the brand `acme`"));
    Ok(())
}

#[test]
fn bad_input_is_refused() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["forget", "actor", "nobody"])?
        .failure()
        .stderr(contains("Accepted forms"));
    sandbox
        .run(&["forget", "instance", "a/b"])?
        .failure()
        .stderr(contains("is not a host name"));
    Ok(())
}
