//! The analytics' columnar copy of the facts (Parquet, beside the database): the same
//! reports as from the store's rows, forgetting with the store, and rebuilt with a
//! warning when any file of it is damaged.

use fedireach_fakeverse::Scale;
use fedireach_store::Store;

use crate::util::{Sandbox, TestResult};

use crate::analytics::*;

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
