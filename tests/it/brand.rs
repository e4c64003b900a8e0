//! `brand add | list | remove` end to end.

use predicates::str::contains;

use crate::util::{Sandbox, TestResult};

#[test]
fn add_list_remove() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&[
            "brand",
            "add",
            "acme",
            "@acme@mastodon.social",
            "https://tube.example/video-channels/acme",
        ])?
        .success()
        .stdout(contains("added watched brand acme with 2 actor(s)"));
    sandbox
        .run(&[
            "brand",
            "add",
            "mine",
            "me@Bücher.example",
            "--token-env",
            "MINE_TOKEN",
        ])?
        .success()
        .stdout(contains("added owned brand mine"))
        .stderr(contains("MINE_TOKEN is not set"));
    let list = sandbox.stdout(&["brand", "list"])?;
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(lines[0].starts_with("BRAND"), "{list}");
    assert!(
        lines[1].starts_with("acme ") && lines[1].contains("watched"),
        "{list}"
    );
    assert!(
        lines[1].contains("@acme@mastodon.social https://tube.example/video-channels/acme"),
        "{list}"
    );
    assert!(
        lines[2].contains("owned") && lines[2].contains("$MINE_TOKEN (not set)"),
        "{list}"
    );
    assert!(
        lines[2].contains("@me@xn--bcher-kva.example"),
        "IDNA domains are normalised: {list}"
    );

    sandbox.run(&["brand", "remove", "acme"])?.success();
    let list = sandbox.stdout(&["brand", "list"])?;
    assert!(!list.contains("acme") && list.contains("mine"), "{list}");
    Ok(())
}

#[test]
fn the_token_is_never_stored() -> TestResult {
    let sandbox = Sandbox::new()?;
    let mut cmd = sandbox.cmd()?;
    cmd.args([
        "--db",
        &sandbox.db_url(),
        "brand",
        "add",
        "mine",
        "@me@example.social",
        "--token-env",
        "MINE_TOKEN",
    ])
    .env("MINE_TOKEN", "s3cr3t-token-value")
    .assert()
    .success();
    let list = sandbox.stdout(&["brand", "list"])?;
    assert!(list.contains("$MINE_TOKEN"), "{list}");
    for file in std::fs::read_dir(sandbox.dir.path())? {
        let bytes = std::fs::read(file?.path())?;
        assert!(
            !String::from_utf8_lossy(&bytes).contains("s3cr3t-token-value"),
            "the token reached the disk"
        );
    }
    Ok(())
}

#[test]
fn bad_actors_are_refused_with_the_accepted_forms() -> TestResult {
    let sandbox = Sandbox::new()?;
    for bad in [
        "acme",
        "@acme",
        "http://x.example/users/a",
        "ftp://x.example/a",
        "@a b@x.example",
    ] {
        sandbox
            .run(&["brand", "add", "acme", bad])?
            .failure()
            .code(1)
            .stderr(contains("Accepted forms: @user@domain, user@domain"));
    }
    let list = sandbox.stdout(&["brand", "list"])?;
    assert!(list.contains("no brands yet"), "nothing was added: {list}");
    Ok(())
}

#[test]
fn http_actors_only_where_the_config_allows() -> TestResult {
    let sandbox = Sandbox::new()?;
    std::fs::write(
        sandbox.dir.path().join("fedireach.toml"),
        "[network]\nallow_http = true\n",
    )?;
    sandbox
        .run(&[
            "brand",
            "add",
            "local",
            "http://localhost.example:3000/users/a",
        ])?
        .success();
    Ok(())
}

#[test]
fn duplicate_and_unknown_brands_are_clear_errors() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["brand", "add", "acme", "@acme@mastodon.social"])?
        .success();
    sandbox
        .run(&["brand", "add", "acme", "@other@mastodon.social"])?
        .failure()
        .stderr(contains("a brand named `acme` exists already"));
    sandbox
        .run(&["brand", "remove", "nope"])?
        .failure()
        .stderr(contains("no brand named `nope`; the brands are: acme"));
    sandbox
        .run(&["brand", "add", "<script>", "@x@mastodon.social"])?
        .failure()
        .stderr(contains("cannot be a brand name"));
    sandbox
        .run(&[
            "brand",
            "add",
            "x",
            "@x@mastodon.social",
            "--token-env",
            "NOT-A-VAR",
        ])?
        .failure()
        .stderr(contains("not an environment variable name"));
    Ok(())
}

/// Host names are checked label by label before anything is stored; a percent escape
/// is refused rather than decoded into another name.
#[test]
fn bad_host_names_are_refused() -> TestResult {
    let sandbox = Sandbox::new()?;
    for actor in [
        "@x@a..b",
        "@x@.example",
        "@x@-bad-.example",
        "@x@ex%41mple.com",
        "https://ex%41mple.com/users/x",
        "https://a..b/users/x",
    ] {
        sandbox
            .run(&["brand", "add", "x", actor])?
            .failure()
            .stderr(contains("not an actor"));
    }
    let list = sandbox.stdout(&["brand", "list"])?;
    assert!(!list.contains("example.com"), "{list}");
    assert!(!list.lines().any(|l| l.starts_with("x ")), "{list}");
    Ok(())
}

/// `.` and `..` (and names a browser would treat alike) are refused.
#[test]
fn brand_names_that_are_not_reachable_are_refused() -> TestResult {
    let sandbox = Sandbox::new()?;
    for name in [".", "..", ".hidden", "-"] {
        sandbox
            .run(&["brand", "add", name, "@x@x.example"])?
            .failure()
            .stderr(contains("cannot be a brand name"));
    }
    Ok(())
}

/// While another process holds SQLite's write lock (a crawl writing a post, here a
/// transaction left open), `brand list` and `report` only read: they answer at once
/// instead of failing after the 30 s busy timeout with `database is locked`.
#[test]
fn readers_answer_while_a_writer_holds_the_lock() -> TestResult {
    use std::time::{Duration, Instant};
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["brand", "add", "acme", "@acme@acme.example"])?
        .success();
    // A first report makes the analytics copy, so the next one has its change log to
    // prune (a write it must not wait for).
    sandbox
        .run(&["report", "reach", "--brand", "acme"])?
        .success();
    sandbox
        .run(&["brand", "add", "beta", "@beta@beta.example"])?
        .success();
    let runtime = tokio::runtime::Runtime::new()?;
    let mut writer = runtime.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&sandbox.db_url()).await?;
        sqlx::query("BEGIN IMMEDIATE").execute(&mut conn).await?;
        sqlx::query("UPDATE brands SET created_at = created_at + 1")
            .execute(&mut conn)
            .await?;
        Ok::<_, sqlx::Error>(conn)
    })?;
    for args in [
        &["brand", "list"][..],
        &["report", "reach", "--brand", "acme"][..],
    ] {
        let started = Instant::now();
        sandbox.run(args)?.success();
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "{args:?} took {:?} behind the writer",
            started.elapsed()
        );
    }
    runtime.block_on(async {
        sqlx::query("ROLLBACK").execute(&mut writer).await?;
        Ok::<_, sqlx::Error>(())
    })?;
    Ok(())
}
