//! The analytics against the simulated world's truth without the crawler: the store is
//! loaded from the truth's own lists, and `report reach|posts|instances --format json`
//! must print exactly the truth's reports for every brand of the medium world.

use fedireach_fakeverse::{Scale, Truth, World, WorldOptions};
use fedireach_store::Store;

use crate::util::{Sandbox, TestResult};

/// Writes the truth into the sandbox's store as a crawl would have found it.
async fn load(store: &Store, truth: &Truth) -> TestResult {
    let crawl = store.start_crawl_run("test", None, "all").await?;
    for brand in store.list_brands().await? {
        let known = truth
            .brands
            .iter()
            .find(|b| b.name == brand.name)
            .ok_or("unknown brand")?;
        for (tracked, actor_id) in brand.actors.iter().zip(&known.actor_ids) {
            store.set_tracked_actor_uri(tracked.id, actor_id).await?;
            let followers = truth
                .followers_of(actor_id)
                .map(i64::try_from)
                .transpose()?;
            store
                .record_follower_snapshot(crawl, tracked.id, followers)
                .await?;
        }
    }
    store.write_batch(&truth.to_batch()?).await?;
    Ok(())
}

#[test]
fn reports_of_the_truths_own_engagements_equal_the_truths_reports() -> TestResult {
    let world = World::generate(&WorldOptions {
        seed: 1,
        scale: Scale::Medium,
        day: 0,
        plain_http: false,
    });
    let truth = Truth::of(&world);
    let sandbox = Sandbox::new()?;
    for brand in &truth.brands {
        let mut args = vec!["brand".to_owned(), "add".to_owned(), brand.name.clone()];
        args.extend(brand.actors.iter().cloned());
        if brand.token.is_some() {
            args.extend(["--token-env".to_owned(), "TOKEN".to_owned()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        sandbox.run(&args)?.success();
    }
    let runtime = tokio::runtime::Runtime::new()?;
    runtime.block_on(async {
        let store = Store::open(&sandbox.db_url()).await?;
        load(&store, &truth).await?;
        store.close().await;
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    assert_eq!(truth.reports.len(), 3, "every brand has its reports");
    for (brand, reports) in &truth.reports {
        for (kind, want) in [
            ("reach", serde_json::to_value(&reports.reach)?),
            ("posts", serde_json::to_value(&reports.posts)?),
            ("instances", serde_json::to_value(&reports.instances)?),
        ] {
            let out = sandbox.stdout(&["report", kind, "--brand", brand, "--format", "json"])?;
            let got: serde_json::Value = serde_json::from_str(&out)?;
            assert!(
                got == want,
                "report {kind} of {brand}: got\n{got}\nexpected\n{want}"
            );
        }
    }
    Ok(())
}
