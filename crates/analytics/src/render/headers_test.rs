//! Every report's CSV headers are its JSON keys: one vocabulary for both.

use std::collections::BTreeSet;

use fedireach_core::CoverageRow;
use serde::Serialize;
use serde_json::Value;

use super::Tabular;
use crate::{
    Granularity, Result,
    testkit::{analytics, august},
};

/// The leaf keys of a report's rows as CSV names them: a nested object's fields
/// as `parent_field` (the coverage as `kind_coverage`, its reasons inside the cell),
/// and a report-wide `unavailable_posts` (repeated on every CSV row) as well.
fn json_columns(report: &impl Serialize) -> Result<BTreeSet<String>> {
    let json = serde_json::to_value(report)?;
    let mut keys = BTreeSet::new();
    let mut add = |key: &str, value: &Value| match value {
        Value::Object(fields) if key == "coverage" => keys.extend(
            fields
                .keys()
                .filter(|f| *f != "unavailable")
                .map(|f| format!("{f}_coverage")),
        ),
        Value::Object(fields) => keys.extend(fields.keys().map(|f| format!("{key}_{f}"))),
        _ => {
            keys.insert(key.to_owned());
        }
    };
    let rows = json
        .get("rows")
        .and_then(Value::as_array)
        .into_iter()
        .flatten();
    for row in rows.filter_map(Value::as_object) {
        for (key, value) in row {
            // A null object (a post crawled before its coverage was recorded) is
            // named by the rows that have one.
            if !(value.is_null() && key == "coverage") {
                add(key, value);
            }
        }
    }
    if let Some(unavailable) = json.get("unavailable_posts") {
        add("unavailable_posts", unavailable);
    }
    Ok(keys)
}

fn check(name: &str, report: &(impl Tabular + Serialize)) -> Result<()> {
    assert!(
        !report.rows().is_empty(),
        "{name}: the test world gives it rows"
    );
    let headers: Vec<String> = report.headers();
    let unique: BTreeSet<String> = headers.iter().cloned().collect();
    assert_eq!(
        unique.len(),
        headers.len(),
        "{name}: a header repeats: {headers:?}"
    );
    assert_eq!(
        unique,
        json_columns(report)?,
        "{name}: CSV headers against JSON keys"
    );
    Ok(())
}

/// `compare`: its JSON `families` rows become one `FAMILY_share_pct` column per family
/// in CSV; every other column is a JSON key.
fn check_compare(report: &crate::CompareReport) -> Result<()> {
    let json = serde_json::to_value(report)?;
    let families: Vec<String> = json
        .get("families")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|f| Some(format!("{}_share_pct", f.get("family")?.as_str()?)))
        .collect();
    assert!(
        !families.is_empty(),
        "the test world's brands have families"
    );
    let headers = report.headers();
    for family in &families {
        assert!(headers.contains(family), "{family} in {headers:?}");
    }
    let own: BTreeSet<String> = headers
        .into_iter()
        .filter(|h| !h.ends_with("_share_pct") || h == "share_of_voice_pct")
        .collect();
    assert_eq!(
        own,
        json_columns(report)?,
        "compare: CSV headers against JSON keys"
    );
    Ok(())
}

#[test]
fn every_reports_csv_headers_are_its_json_keys() -> Result<()> {
    let a = analytics()?;
    let w = august("UTC")?;
    check("reach", &a.reach("acme", &w)?)?;
    check("reach by family", &a.reach_by_family("acme", &w)?)?;
    let mut posts = a.posts("acme", &w)?;
    // The test world's posts predate coverage: give one its columns.
    if let Some(first) = posts.rows.first_mut() {
        first.coverage = Some(CoverageRow {
            replies: "itemised".to_owned(),
            boosts: "itemised".to_owned(),
            likes: "reported".to_owned(),
            quotes: "unavailable".to_owned(),
            unavailable: [("quotes".to_owned(), "not_exposed".to_owned())].into(),
        });
    }
    check("posts", &posts)?;
    check("instances", &a.instances("acme", &w)?)?;
    check("timeline", &a.timeline("acme", &w, Granularity::Day)?)?;
    check("best time", &a.best_time("acme", &w)?)?;
    check("followers", &a.followers("acme", &w)?)?;
    check("hashtags", &a.hashtags("acme", &w)?)?;
    check("languages", &a.languages("acme", &w)?)?;
    check("consent", &a.consent("acme", &w)?)?;
    check_compare(&a.compare(&["acme", "rival"], &w)?)?;
    Ok(())
}
