//! Files at their own URLs: every table as CSV (through the analytics' CSV writer, so
//! the same formula-injection guard applies) and every chart as SVG or PNG.

use axum::{
    extract::{Path, RawQuery, State},
    http::header,
    response::{IntoResponse, Response},
};
use fedireach_analytics::{Format, Tabular, render};
use fedireach_charts::Chart;
use serde::Serialize;

use crate::{
    AppState, BrandReport, ChartName, View, WebError, charts,
    pages::{self, FamilyTable},
};

/// A CSV download named after what it holds.
fn csv_response(report: &(impl Tabular + Serialize), name: &str) -> Result<Response, WebError> {
    let mut out = Vec::new();
    render(report, Format::Csv, &mut out)?;
    Ok(csv_bytes(out, name))
}

/// CSV bytes as a download named `name.csv`.
fn csv_bytes(csv: Vec<u8>, name: &str) -> Response {
    (
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{}.csv\"", file_name(name)),
            ),
        ],
        csv,
    )
        .into_response()
}

/// A window's days for a file name: `2026-08-01-to-2026-08-31`, `all-time`...
fn window_label(from: Option<&str>, to: Option<&str>) -> String {
    match (from, to) {
        (Some(f), Some(t)) => format!("{f}-to-{t}"),
        (Some(f), None) => format!("from-{f}"),
        (None, Some(t)) => format!("up-to-{t}"),
        (None, None) => "all-time".to_owned(),
    }
}

/// A file name from any text: ASCII letters, digits, `-` and `.` only.
fn file_name(text: &str) -> String {
    let name: String = text
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' {
                c
            } else {
                '-'
            }
        })
        .collect();
    if name.trim_matches('-').is_empty() {
        "fedireach".to_owned()
    } else {
        name
    }
}

/// The top engagers of an owned brand with their kept names, and one last row for
/// everyone who may not be named; a watched brand has none (aggregates only).
async fn engagers_csv(
    state: &AppState,
    f: &crate::BrandFigures,
    label: &str,
) -> Result<Response, WebError> {
    let Some(report) = f.engagers.as_ref() else {
        return Err(WebError::NotFound(format!(
            "{} is a watched brand: its downloads hold aggregate figures only, never who \
             engaged",
            f.brand
        )));
    };
    let ids: Vec<i64> = report.rows.iter().map(|r| r.actor_id).collect();
    let names = state.store().engager_names(&ids).await?;
    let (named, others) = crate::audience::named_and_others(report, &names);
    let mut rows = Vec::new();
    let counts = |c: &fedireach_analytics::EngagerCounts| c.columns().map(|n| n.to_string());
    for (r, name) in named {
        let mut row = vec![
            name.handle.clone().unwrap_or_default(),
            name.display_name.clone().unwrap_or_default(),
            r.host.clone(),
            r.software.clone(),
        ];
        row.extend(counts(&r.counts));
        rows.push(row);
    }
    if others.engagers > 0 {
        let mut row = vec![
            String::new(),
            format!(
                "{} others, not named (opted out or not indexable)",
                others.engagers
            ),
            String::new(),
            String::new(),
        ];
        row.extend(counts(&others));
        rows.push(row);
    }
    let table = crate::tables::PlainTable {
        title: format!("Top engagers of {}", f.brand),
        headers: ["handle", "display_name", "instance", "software"]
            .into_iter()
            .chain(fedireach_core::KindCounts::FIELDS)
            .map(String::from)
            .collect(),
        rows,
    };
    csv_response(&table, label)
}

/// `/brands/{name}/reports/{kind}.csv`.
pub(crate) async fn brand_csv(
    State(state): State<AppState>,
    Path((name, file)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let Some(kind) = file.strip_suffix(".csv") else {
        return Err(WebError::NotFound(format!(
            "no download `{file}`: ask for KIND.csv"
        )));
    };
    let view = View::parse(query.as_deref())?;
    let f = state.figures(&name, &view).await?;
    // Named for a folder of downloads: brand, report and the window's days.
    let label = format!(
        "{name}-{kind}-{}",
        window_label(f.reach.from.as_deref(), f.reach.to.as_deref())
    );
    if view.previous {
        // The changes against the previous period of the same length, as a table.
        let analytics = state.analytics();
        let report = BrandReport::parse(kind)
            .ok_or_else(|| WebError::NotFound(format!("no report `{kind}` to download")))?;
        let (window, granularity) = (view.window, f.timeline.granularity);
        let bytes = tokio::task::spawn_blocking(move || {
            report.compared(&analytics, &name, &window, granularity, Format::Csv)
        })
        .await??;
        return Ok(csv_bytes(bytes, &format!("{label}-vs-previous")));
    }
    if kind == "top-engagers" {
        return engagers_csv(&state, &f, &label).await;
    }
    let report = BrandReport::parse(kind)
        .ok_or_else(|| WebError::NotFound(format!("no report `{kind}` to download")))?;
    Ok(csv_bytes(report.render(&f, Format::Csv)?, &label))
}

/// `/compare.csv?brand=..` and `/compare/families.csv?brand=..`.
pub(crate) async fn compare_csv(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let view = View::parse(query.as_deref())?;
    let report = pages::compare_report(&state, &view).await?;
    if view.previous {
        let analytics = state.analytics();
        let (brands, window) = (view.brands.clone(), view.window);
        let bytes = tokio::task::spawn_blocking(move || {
            crate::compared::compare(&analytics, &brands, &window, Format::Csv)
        })
        .await??;
        return Ok(csv_bytes(bytes, "compare-vs-previous"));
    }
    csv_response(&report, "compare")
}

pub(crate) async fn compare_families_csv(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let view = View::parse(query.as_deref())?;
    let report = pages::compare_report(&state, &view).await?;
    csv_response(&FamilyTable(&report), "compare-families")
}

/// `/instances/{host}/table.csv`.
pub(crate) async fn instance_csv(
    State(state): State<AppState>,
    Path(host): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let view = View::parse(query.as_deref())?;
    let (host, table, _) = pages::instance_table(&state, &host, &view).await?;
    csv_response(&table, &format!("instance-{host}"))
}

/// `/crawls.csv`.
pub(crate) async fn runs_csv(State(state): State<AppState>) -> Result<Response, WebError> {
    csv_response(&pages::runs_table(&state).await?, "crawls")
}

/// `/crawls/failures.csv`.
pub(crate) async fn failures_csv(State(state): State<AppState>) -> Result<Response, WebError> {
    csv_response(&pages::failures_table(&state).await?, "crawl-failures")
}

/// `/crawls/consent.csv`.
pub(crate) async fn consent_csv(
    State(state): State<AppState>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let view = View::parse(query.as_deref())?;
    match pages::consent_report(&state, &view).await? {
        Some(report) => csv_response(&report, "consent"),
        None => Err(WebError::NotFound(
            "no brands yet, so no crawls to report".into(),
        )),
    }
}

/// Splits `name.svg` / `name.png`.
fn chart_file(file: &str) -> Result<(&str, bool), WebError> {
    if let Some(name) = file.strip_suffix(".svg") {
        Ok((name, false))
    } else if let Some(name) = file.strip_suffix(".png") {
        Ok((name, true))
    } else {
        Err(WebError::NotFound(format!(
            "no chart file `{file}`: ask for NAME.svg or NAME.png"
        )))
    }
}

/// Draws off the async threads (a PNG takes milliseconds of CPU).
async fn chart_response(chart: Chart, png: bool) -> Result<Response, WebError> {
    let alt = chart.alt_text();
    let (bytes, kind) = tokio::task::spawn_blocking(move || {
        if png {
            chart.png(chart.size()).map(|b| (b, "image/png"))
        } else {
            chart
                .svg(chart.size())
                .map(|s| (s.into_bytes(), "image/svg+xml"))
        }
    })
    .await??;
    // The text alternative travels with the file too, for programs that fetch it.
    let alt: String = alt
        .chars()
        .filter(|c| c.is_ascii() && !c.is_ascii_control())
        .collect();
    Ok((
        [
            (header::CONTENT_TYPE, kind.to_owned()),
            (header::HeaderName::from_static("x-alt-text"), alt),
        ],
        bytes,
    )
        .into_response())
}

/// `/brands/{name}/charts/{chart}.svg|png`.
pub(crate) async fn brand_chart(
    State(state): State<AppState>,
    Path((name, file)): Path<(String, String)>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let (chart, png) = chart_file(&file)?;
    let view = View::parse(query.as_deref())?;
    let figures = state.figures(&name, &view).await?;
    let chart = if chart == "sparkline" {
        charts::sparkline(&figures)
    } else {
        let chart_name = ChartName::parse(chart)
            .ok_or_else(|| WebError::NotFound(format!("no chart `{chart}`")))?;
        // Saved on its own, a chart says whose it is and when (the page says it around).
        let window = match (figures.reach.from.as_deref(), figures.reach.to.as_deref()) {
            (Some(f), Some(t)) => format!("{f} to {t}"),
            (Some(f), None) => format!("from {f}"),
            (None, Some(t)) => format!("up to {t}"),
            (None, None) => "all time".to_owned(),
        };
        let tz = view.window.tz();
        let zone = if tz == chrono_tz::UTC {
            String::new()
        } else {
            format!(" ({})", tz.name())
        };
        charts::brand_chart(&figures, chart_name).subtitled(&format!("{name}, {window}{zone}"))
    };
    chart_response(chart, png).await
}

/// `/compare/charts/share-of-voice.svg|png`.
pub(crate) async fn compare_chart(
    State(state): State<AppState>,
    Path(file): Path<String>,
    RawQuery(query): RawQuery,
) -> Result<Response, WebError> {
    let (chart, png) = chart_file(&file)?;
    if chart != "share-of-voice" {
        return Err(WebError::NotFound(format!("no chart `{chart}`")));
    }
    let view = View::parse(query.as_deref())?;
    let report = pages::compare_report(&state, &view).await?;
    chart_response(charts::share_of_voice(&report), png).await
}
