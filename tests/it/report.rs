//! `report` end to end: arguments checked, empty windows empty, unknown brands listed.

use predicates::{prelude::PredicateBooleanExt, str::contains};

use crate::util::{Sandbox, TestResult};

#[test]
fn an_empty_store_gives_empty_reports_not_errors() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["brand", "add", "acme", "@acme@mastodon.social"])?
        .success();
    let json = sandbox.stdout(&["report", "reach", "--brand", "acme", "--format", "json"])?;
    let value: serde_json::Value = serde_json::from_str(&json)?;
    assert_eq!(
        value,
        serde_json::json!({"brand": "acme", "from": null, "to": null, "rows": []})
    );
    let csv = sandbox.stdout(&["report", "instances", "--brand", "acme", "--format", "csv"])?;
    assert!(
        csv.lines().next().is_some_and(|h| h.contains("host")),
        "a header row: {csv}"
    );
    Ok(())
}

#[test]
fn bad_arguments_are_clear_errors() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["brand", "add", "acme", "@acme@mastodon.social"])?
        .success();
    sandbox
        .run(&["report", "reach", "--brand", "nope"])?
        .failure()
        .code(1)
        .stderr(contains("nope").and(contains("acme")));
    sandbox
        .run(&["report", "reach", "--brand", "acme", "--from", "2026-02-30"])?
        .failure()
        .stderr(contains("2026-02-30"));
    sandbox
        .run(&["report", "views", "--brand", "acme"])?
        .failure()
        .stderr(contains("reach, posts, instances"));
    sandbox
        .run(&["report", "reach", "--brand", "acme", "--format", "xml"])?
        .failure()
        .stderr(contains("xml"));
    Ok(())
}

#[test]
fn out_writes_a_file() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["brand", "add", "acme", "@acme@mastodon.social"])?
        .success();
    let path = sandbox.dir.path().join("reach.json");
    sandbox
        .run(&[
            "report",
            "reach",
            "--brand",
            "acme",
            "--format",
            "json",
            "--out",
            &path.display().to_string(),
        ])?
        .success();
    let written = std::fs::read_to_string(&path)?;
    assert!(written.contains("\"brand\": \"acme\""), "{written}");
    Ok(())
}

#[test]
fn previous_year_compares_with_the_same_days_a_year_before() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["brand", "add", "acme", "@acme@mastodon.example"])?
        .success();
    let august = [
        "report",
        "reach",
        "--brand",
        "acme",
        "--from",
        "2026-08-01",
        "--to",
        "2026-08-31",
        "--previous-year",
    ];
    let json = sandbox.stdout(&[&august[..], &["--format", "json"]].concat())?;
    let value: serde_json::Value = serde_json::from_str(&json)?;
    assert_eq!(value["previous"]["from"], "2025-08-01", "{value}");
    assert_eq!(value["previous"]["to"], "2025-08-31", "{value}");
    let table = sandbox.stdout(&august)?;
    assert!(
        table.contains("Change from the same days a year before"),
        "{table}"
    );
    Ok(())
}

#[test]
fn compare_from_sets_any_period_of_the_same_length_against_the_window() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["brand", "add", "acme", "@acme@mastodon.example"])?
        .success();
    let launch_week = [
        "report",
        "reach",
        "--brand",
        "acme",
        "--from",
        "2026-11-10",
        "--to",
        "2026-11-16",
        "--compare-from",
        "2026-04-07",
    ];
    let json = sandbox.stdout(&[&launch_week[..], &["--format", "json"]].concat())?;
    let value: serde_json::Value = serde_json::from_str(&json)?;
    assert_eq!(value["previous"]["from"], "2026-04-07", "{value}");
    assert_eq!(value["previous"]["to"], "2026-04-13", "{value}");
    let table = sandbox.stdout(&launch_week)?;
    assert!(
        table.contains("Change from the same number of days from 2026-04-07"),
        "{table}"
    );
    // Not a date: refused before anything is read, saying what to give.
    let refused = sandbox
        .run(&[
            "report",
            "reach",
            "--brand",
            "acme",
            "--compare-from",
            "April",
        ])?
        .failure();
    let err = String::from_utf8_lossy(&refused.get_output().stderr).into_owned();
    assert!(err.contains("YYYY-MM-DD"), "{err}");
    Ok(())
}
