//! The analytics against the simulated world's truth without the crawler: the store is
//! loaded from the truth's own lists, and `report reach|posts|instances --format json`
//! must print exactly the truth's reports for every brand of the medium world.

use fedireach_fakeverse::{Scale, Truth, World, WorldOptions};
use fedireach_store::Store;

use crate::util::{Sandbox, TestResult};

/// Writes the truth into the sandbox's store as a crawl would have found it.
async fn load(store: &Store, truth: &Truth) -> TestResult {
    let crawl = store
        .start_crawl_run(fedireach_core::CrawlTrigger::Manual, None, "all")
        .await?;
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

/// A sandbox whose store holds the truth of the world of this scale (its brands added
/// through the binary, its engagements loaded as a crawl would have found them).
pub(crate) fn loaded(
    scale: Scale,
    sandbox: Sandbox,
) -> Result<(Sandbox, Truth), Box<dyn std::error::Error>> {
    loaded_seed(scale, sandbox, 1)
}

/// The same, of the world of another seed.
pub(crate) fn loaded_seed(
    scale: Scale,
    sandbox: Sandbox,
    seed: u64,
) -> Result<(Sandbox, Truth), Box<dyn std::error::Error>> {
    let world = World::generate(&WorldOptions {
        seed,
        scale,
        day: 0,
        plain_http: false,
        tour: false,
    });
    let truth = Truth::of(&world);
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
    Ok((sandbox, truth))
}

#[test]
fn reports_of_the_truths_own_engagements_equal_the_truths_reports() -> TestResult {
    let (sandbox, truth) = loaded(Scale::Medium, Sandbox::new()?)?;
    assert_eq!(truth.reports.len(), 3, "every brand has its reports");
    // Acme's replies come in several declared languages, some undeclared; Initech's
    // posts are on Misskey, whose API declares none, so all of its are undeclared.
    let rows = |brand: &str| {
        truth
            .reports
            .get(brand)
            .map(|r| r.languages.rows.clone())
            .unwrap_or_default()
    };
    let acme = rows("Acme");
    let declared = acme.iter().filter(|r| r.language.is_some()).count();
    let undeclared = |r: &fedireach_core::LanguageRow| r.unknown.as_deref() == Some("not_declared");
    assert!(declared >= 4 && acme.iter().any(undeclared), "{acme:?}");
    let initech = rows("Initech");
    assert!(
        initech.len() == 1 && initech.iter().all(undeclared),
        "{initech:?}"
    );
    for (brand, reports) in &truth.reports {
        for (kind, want) in [
            ("reach", serde_json::to_value(&reports.reach)?),
            ("posts", serde_json::to_value(&reports.posts)?),
            ("instances", serde_json::to_value(&reports.instances)?),
            ("languages", serde_json::to_value(&reports.languages)?),
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

/// One row of `tests/sql/reach.sql`, as the report's JSON row.
fn sql_reach(
    db_url: &str,
    brand: &str,
    (start, end): (i64, i64),
) -> Result<Vec<serde_json::Value>, Box<dyn std::error::Error>> {
    use sqlx::{Connection, Row};
    let runtime = tokio::runtime::Runtime::new()?;
    let rows = runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(db_url).await?;
        sqlx::query(include_str!("../sql/reach.sql"))
            .bind(brand)
            .bind(start)
            .bind(end)
            .fetch_all(&mut conn)
            .await
    })?;
    let mut out = Vec::new();
    for row in rows {
        let mut object = serde_json::Map::new();
        for text in ["software", "family"] {
            object.insert(text.into(), row.try_get::<String, _>(text)?.into());
        }
        for count in [
            "replies",
            "thread_replies",
            "boosts",
            "likes",
            "quotes",
            "engagements",
            "unique_engagers",
            "unique_instances",
            "potential_reach",
        ] {
            let n = u64::try_from(row.try_get::<i64, _>(count)?)?;
            object.insert(count.into(), n.into());
        }
        object.insert(
            "share_pct".into(),
            row.try_get::<f64, _>("share_pct")?.into(),
        );
        let mut unavailable = serde_json::Map::new();
        for kind in ["replies", "boosts", "likes", "quotes"] {
            let n = row.try_get::<i64, _>(format!("unavailable_posts_{kind}").as_str())?;
            unavailable.insert(kind.into(), u64::try_from(n)?.into());
        }
        object.insert("unavailable_posts".into(), unavailable.into());
        out.push(serde_json::Value::Object(object));
    }
    Ok(out)
}

/// Unix seconds of midnight UTC of a `YYYY-MM-DD` date.
fn midnight(date: &str) -> Result<i64, Box<dyn std::error::Error>> {
    Ok(chrono::DateTime::parse_from_rfc3339(&format!("{date}T00:00:00Z"))?.timestamp())
}

/// Reach of every brand, all time and over two weeks, by the polars pipeline (`report
/// reach`) and by one plain SQL query over the same store: the two must agree.
pub(crate) fn sql_and_polars_agree(sandbox: &Sandbox, truth: &Truth) -> TestResult {
    let mid = truth
        .posts
        .get(truth.posts.len() / 2)
        .ok_or("the world has posts")?;
    let from = mid.published.get(..10).ok_or("a date")?.to_owned();
    let to_day = chrono::NaiveDate::parse_from_str(&from, "%Y-%m-%d")? + chrono::Days::new(13);
    let to = to_day.format("%Y-%m-%d").to_string();
    let end = midnight(
        &(to_day + chrono::Days::new(1))
            .format("%Y-%m-%d")
            .to_string(),
    )?;
    let (mut rows, mut unknown) = (0, 0);
    for brand in &truth.brands {
        for (window, bounds) in [
            (vec![], (i64::MIN, i64::MAX)),
            (
                vec!["--from", from.as_str(), "--to", to.as_str()],
                (midnight(&from)?, end),
            ),
        ] {
            let mut args = vec![
                "report",
                "reach",
                "--brand",
                &brand.name,
                "--format",
                "json",
            ];
            args.extend(window.iter().copied());
            let report: serde_json::Value = serde_json::from_str(&sandbox.stdout(&args)?)?;
            let polars = report["rows"].as_array().ok_or("rows")?;
            let sql = sql_reach(&sandbox.db_url(), &brand.name, bounds)?;
            assert_eq!(polars, &sql, "reach of {} over {window:?}", brand.name);
            rows += sql.len();
            unknown += sql
                .iter()
                .filter(|r| r["unavailable_posts"]["quotes"].as_u64() > Some(0))
                .count();
        }
    }
    assert!(rows > 10, "the reports have rows to compare ({rows})");
    // The PeerTube brand's posts have no quotes to count: rows that say so.
    assert!(
        unknown > 0,
        "some rows leave out posts with quotes unavailable"
    );
    Ok(())
}

#[test]
fn a_plain_sql_reach_agrees_with_the_pipeline_on_the_medium_world() -> TestResult {
    let (sandbox, truth) = loaded(Scale::Medium, Sandbox::new()?)?;
    sql_and_polars_agree(&sandbox, &truth)
}
