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

/// A sandbox whose store holds the truth of the world of this scale (its brands added
/// through the binary, its engagements loaded as a crawl would have found them).
pub(crate) fn loaded(
    scale: Scale,
    sandbox: Sandbox,
) -> Result<(Sandbox, Truth), Box<dyn std::error::Error>> {
    loaded_seed(scale, sandbox, 1)
}

/// The same, of the world of another seed.
fn loaded_seed(
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
fn sql_and_polars_agree(sandbox: &Sandbox, truth: &Truth) -> TestResult {
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

/// The same on the large world (about a million engagements): too slow to load for
/// `make test`, so `make bench-analytics` runs it in release
/// (`FEDIREACH_BENCH_DIR=DIR`: where to leave the loaded store for the benchmark).
#[test]
#[ignore = "the large world takes minutes to load: run by make bench-analytics"]
fn a_plain_sql_reach_agrees_with_the_pipeline_on_the_large_world() -> TestResult {
    let sandbox = match std::env::var_os("FEDIREACH_BENCH_DIR") {
        Some(dir) => Sandbox::at(std::path::Path::new(&dir))?,
        None => Sandbox::new()?,
    };
    let started = std::time::Instant::now();
    let (sandbox, truth) = loaded(Scale::Large, sandbox)?;
    println!(
        "large world: {} engagements generated and loaded in {:.1}s",
        truth.engagements.len(),
        started.elapsed().as_secs_f64()
    );
    sql_and_polars_agree(&sandbox, &truth)
}

/// The reports, as JSON, computed in this process from the store's rows directly,
/// without the columnar copy.
fn reports_without_the_copy(
    sandbox: &Sandbox,
    brand: &str,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    use fedireach_analytics::{Analytics, Format, Granularity, ReportRequest, Window};
    let runtime = tokio::runtime::Runtime::new()?;
    let facts = runtime.block_on(async {
        let store = Store::open(&sandbox.db_url()).await?;
        let facts = store.export_facts().await;
        store.close().await;
        facts
    })?;
    let analytics = Analytics::from_facts(&facts)?;
    let mut out = Vec::new();
    for kind in KINDS {
        let mut bytes = Vec::new();
        analytics.write_report(
            &ReportRequest {
                kind: kind.parse()?,
                brands: vec![brand.to_owned()],
                window: Window::parse(None, None, Some("Europe/Paris"))?,
                granularity: Granularity::Day,
                format: Format::Json,
                previous: false,
            },
            &mut bytes,
        )?;
        out.push(String::from_utf8(bytes)?);
    }
    Ok(out)
}

/// The report kinds the copy is checked on.
const KINDS: [&str; 7] = [
    "reach",
    "posts",
    "instances",
    "timeline",
    "best-time",
    "hashtags",
    "followers",
];

fn reports_with_the_copy(
    sandbox: &Sandbox,
    brand: &str,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    KINDS
        .iter()
        .map(|kind| {
            sandbox.stdout(&[
                "report",
                kind,
                "--brand",
                brand,
                "--tz",
                "Europe/Paris",
                "--format",
                "json",
            ])
        })
        .collect()
}

/// Every Parquet file of the copy, read as it is on disk.
fn parquet_files(
    dir: &std::path::Path,
) -> Result<Vec<(std::path::PathBuf, polars::prelude::DataFrame)>, Box<dyn std::error::Error>> {
    use polars::prelude::{ParquetReader, SerReader};
    let mut files = Vec::new();
    let mut dirs = vec![dir.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "parquet") {
                let frame = ParquetReader::new(std::fs::File::open(&path)?).finish()?;
                files.push((path, frame));
            }
        }
    }
    files.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(files)
}

/// The values of a column in every file that has it, as text.
fn values(
    files: &[(std::path::PathBuf, polars::prelude::DataFrame)],
    column: &str,
) -> Result<Vec<String>, Box<dyn std::error::Error>> {
    use polars::prelude::DataType;
    let mut out = Vec::new();
    for (_, frame) in files {
        if let Ok(values) = frame.column(column) {
            let text = values.cast(&DataType::String)?;
            out.extend(text.str()?.iter().flatten().map(str::to_owned));
        }
    }
    Ok(out)
}

#[test]
fn the_columnar_copy_gives_the_same_reports_and_forgets_with_the_store() -> TestResult {
    let (sandbox, truth) = loaded(Scale::Medium, Sandbox::new()?)?;
    let brand = truth.brands.first().ok_or("a brand")?.name.clone();
    let copy = sandbox.path().join("fedireach.db.facts");
    assert!(!copy.exists(), "no copy before the first report");
    let first = reports_with_the_copy(&sandbox, &brand)?;
    assert!(
        copy.join("stamp.json").is_file(),
        "the first report made the copy"
    );
    assert_eq!(first, reports_without_the_copy(&sandbox, &brand)?);

    // What to forget: a brand post with engagements (as a crawl's 410 would, through
    // the store alone: the copy learns it at its next update), an engager, and an
    // instance with engagers of its own.
    let homes: Vec<&str> = truth
        .brands
        .iter()
        .flat_map(|b| b.actors.iter().filter_map(|a| a.rsplit('@').next()))
        .collect();
    let of_brand: Vec<_> = truth
        .engagements
        .iter()
        .filter(|e| !e.is_self && !homes.contains(&e.instance.as_str()))
        .filter(|e| {
            truth
                .posts
                .iter()
                .any(|p| p.uri == e.post && p.brand == brand)
        })
        .collect();
    let post = of_brand.first().ok_or("an engaged post")?.post.clone();
    let engager = of_brand
        .iter()
        .find(|e| e.post != post)
        .ok_or("an engager")?;
    let host = of_brand
        .iter()
        .map(|e| e.instance.clone())
        .find(|h| *h != engager.instance)
        .ok_or("another instance")?;
    let runtime = tokio::runtime::Runtime::new()?;
    let actor_id: i64 = runtime.block_on(async {
        let store = Store::open(&sandbox.db_url()).await?;
        store.purge_object(&post, "gone_410").await?;
        let hash = store.hasher().actor(&engager.actor);
        store.close().await;
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&sandbox.db_url()).await?;
        let id = sqlx::query_scalar("SELECT id FROM actors WHERE actor_hash = ?")
            .bind(hash)
            .fetch_one(&mut conn)
            .await?;
        Ok::<_, Box<dyn std::error::Error>>(id)
    })?;
    let before = parquet_files(&copy)?;
    assert!(
        values(&before, "host")?.contains(&host),
        "{host} is in the copy"
    );
    assert!(values(&before, "actor_id")?.contains(&actor_id.to_string()));
    assert!(values(&before, "uri")?.contains(&post));

    sandbox.run(&["forget", "actor", &engager.actor])?.success();
    sandbox.run(&["forget", "instance", &host])?.success();

    // Read the files, not the reports: nothing forgotten is left on disk.
    let after = parquet_files(&copy)?;
    assert!(after.len() >= 9, "every table is in the copy");
    for (column, gone) in [
        ("host", host.as_str()),
        ("actor_id", &actor_id.to_string()),
        ("uri", post.as_str()),
    ] {
        assert!(
            !values(&after, column)?.iter().any(|v| v == gone),
            "{column} {gone} is still in the copy"
        );
    }
    let mut in_copy: Vec<i64> = values(&after, "engagement_id")?
        .iter()
        .map(|v| v.parse())
        .collect::<Result<_, _>>()?;
    in_copy.sort_unstable();
    in_copy.dedup();
    let in_store: Vec<i64> = runtime.block_on(async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&sandbox.db_url()).await?;
        sqlx::query_scalar("SELECT id FROM engagements ORDER BY id")
            .fetch_all(&mut conn)
            .await
    })?;
    assert!(
        in_store.len() < truth.engagements.len(),
        "the purges purged"
    );
    assert_eq!(in_copy, in_store, "the copy holds the store's engagements");

    let forgotten = reports_with_the_copy(&sandbox, &brand)?;
    assert_ne!(forgotten, first, "the forgetting shows in the reports");
    assert_eq!(forgotten, reports_without_the_copy(&sandbox, &brand)?);

    // A copy deleted, or from another database, is rebuilt rather than trusted.
    std::fs::remove_dir_all(&copy)?;
    assert_eq!(reports_with_the_copy(&sandbox, &brand)?, forgotten);
    // A copy that cannot be made costs speed, not the figures.
    let blocked = sandbox.path().join("not-a-directory");
    std::fs::write(&blocked, "")?;
    let out = sandbox
        .cmd()?
        .env("FEDIREACH_FACTS_DIR", &blocked)
        .args([
            "--db",
            &sandbox.db_url(),
            "report",
            "reach",
            "--brand",
            &brand,
        ])
        .args(["--tz", "Europe/Paris", "--format", "json"])
        .output()?;
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(String::from_utf8(out.stdout)?, forgotten[0]);

    let other = Sandbox::new()?;
    other
        .run(&["brand", "add", &brand, "@x@elsewhere.example"])?
        .success();
    std::fs::rename(&copy, other.path().join("fedireach.db.facts"))?;
    assert_eq!(
        reports_with_the_copy(&other, &brand)?,
        reports_without_the_copy(&other, &brand)?
    );
    Ok(())
}

/// Every file of the copy damaged in turn (a part or a table deleted, the host
/// dictionary or a part replaced by another database's, a part added, a table
/// truncated): the next report warns, rebuilds the copy from the store and prints the
/// store's figures, never the damaged copy's.
#[test]
fn a_damaged_copy_is_rebuilt_with_a_warning() -> TestResult {
    let (sandbox, truth) = loaded(Scale::Small, Sandbox::new()?)?;
    let (other, other_truth) = loaded_seed(Scale::Small, Sandbox::new()?, 2)?;
    let brand = truth.brands.first().ok_or("a brand")?.name.clone();
    let expected = reports_without_the_copy(&sandbox, &brand)?;
    assert_eq!(reports_with_the_copy(&sandbox, &brand)?, expected);
    let other_brand = other_truth.brands.first().ok_or("a brand")?.name.clone();
    reports_with_the_copy(&other, &other_brand)?;
    let copy = sandbox.path().join("fedireach.db.facts");
    let foreign = other.path().join("fedireach.db.facts");
    let part = "engagements/part-000001.parquet";
    for file in [part, "hosts.parquet", "posts.parquet"] {
        assert!(copy.join(file).is_file(), "{file} is in the copy");
        assert_ne!(
            std::fs::read(copy.join(file))?,
            std::fs::read(foreign.join(file))?,
            "the other database's {file} differs"
        );
    }
    type Damage = Box<dyn Fn() -> std::io::Result<()>>;
    let at = |file: &str| copy.join(file);
    let from = |file: &str| foreign.join(file);
    let damages: Vec<(&str, Damage)> = vec![
        ("delete the part", {
            let p = at(part);
            Box::new(move || std::fs::remove_file(&p))
        }),
        ("delete posts", {
            let p = at("posts.parquet");
            Box::new(move || std::fs::remove_file(&p))
        }),
        ("delete instances", {
            let p = at("instances.parquet");
            Box::new(move || std::fs::remove_file(&p))
        }),
        ("another database's hosts", {
            let (a, b) = (from("hosts.parquet"), at("hosts.parquet"));
            Box::new(move || std::fs::copy(&a, &b).map(drop))
        }),
        ("another database's part", {
            let (a, b) = (from(part), at(part));
            Box::new(move || std::fs::copy(&a, &b).map(drop))
        }),
        ("another database's part added", {
            let (a, b) = (from(part), at("engagements/part-000002.parquet"));
            Box::new(move || std::fs::copy(&a, &b).map(drop))
        }),
        ("brand actors truncated", {
            let p = at("brand_actors.parquet");
            Box::new(move || std::fs::File::options().write(true).open(&p)?.set_len(0))
        }),
    ];
    for (what, damage) in damages {
        damage()?;
        let args = [
            "report",
            "reach",
            "--brand",
            &brand,
            "--tz",
            "Europe/Paris",
            "--format",
            "json",
        ];
        let output = sandbox.run(&args)?.success().get_output().clone();
        let stderr = String::from_utf8(output.stderr)?;
        assert!(
            stderr.contains("does not match its stamp"),
            "{what}: no warning in {stderr:?}"
        );
        assert_eq!(
            String::from_utf8(output.stdout)?,
            expected[0],
            "{what}: reach differs from the store's"
        );
        assert_eq!(
            reports_with_the_copy(&sandbox, &brand)?,
            expected,
            "{what}: the reports differ from the store's"
        );
    }
    Ok(())
}
