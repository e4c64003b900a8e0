//! Scheduled exports: after each scheduled crawl, the reports chosen in `[exports]`
//! written as CSV files, one per brand and kind, named `BRAND-KIND-DATE.csv` (the
//! crawl's day in the schedule's zone), covering `exports.window` up to that day.
//! Files are written under a temporary name and renamed, so a reader never sees half
//! of one; a day's file is replaced by a later crawl of the same day.

use std::path::Path;

use anyhow::Context;
use chrono::Utc;
use chrono_tz::Tz;
use fedireach_analytics::{Format, Granularity, ReportKind, ReportRequest, Window};
use fedireach_web::AppState;

use crate::config::Config;

/// Writes every export; returns how many files.
pub async fn write(config: &Config, web: &AppState) -> anyhow::Result<usize> {
    let exports = &config.exports;
    let zone: Tz = config.schedule.time_zone.0;
    let today = Utc::now().with_timezone(&zone).date_naive();
    let window_days = i64::try_from(exports.window.as_secs() / 86_400).unwrap_or(30);
    let first = today - chrono::Duration::days(window_days.saturating_sub(1).max(0));
    let (from, to) = (first.to_string(), today.to_string());
    let window = Window::parse(Some(&from), Some(&to), Some(zone.name()))?;
    let analytics = web.analytics();
    let brands = analytics.brands();
    let mut jobs = Vec::new();
    for &kind in &exports.reports {
        if kind == ReportKind::Compare {
            jobs.push((format!("all-brands-{kind}-{to}.csv"), kind, brands.clone()));
        } else {
            for brand in &brands {
                jobs.push((
                    format!("{}-{kind}-{to}.csv", file_safe(brand)),
                    kind,
                    vec![brand.clone()],
                ));
            }
        }
    }
    let dir = exports.dir.clone();
    let count = jobs.len();
    // polars and the file system: off the async runtime.
    tokio::task::spawn_blocking(move || -> anyhow::Result<()> {
        std::fs::create_dir_all(&dir)
            .with_context(|| format!("cannot create the exports folder {}", dir.display()))?;
        for (name, kind, brands) in jobs {
            let request = ReportRequest {
                kind,
                brands,
                window,
                granularity: Granularity::Day,
                format: Format::Csv,
                previous: true,
            };
            let mut bytes = Vec::new();
            analytics
                .write_report(&request, &mut bytes)
                .with_context(|| format!("cannot compute {name}"))?;
            write_atomic(&dir.join(&name), &bytes)?;
        }
        Ok(())
    })
    .await
    .context("the export stopped")??;
    Ok(count)
}

/// A brand name as a file name: letters, digits, `-` and `_` kept, the rest `_`.
pub(crate) fn file_safe(name: &str) -> String {
    let safe: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if safe.is_empty() {
        "_".to_owned()
    } else {
        safe
    }
}

fn write_atomic(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    let partial = path.with_extension("csv.partial");
    std::fs::write(&partial, bytes)
        .with_context(|| format!("cannot write {}", partial.display()))?;
    std::fs::rename(&partial, path).with_context(|| format!("cannot write {}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::file_safe;

    #[test]
    fn brand_names_become_safe_file_names() {
        for (name, expected) in [
            ("Acme", "Acme"),
            ("acme_videos-2", "acme_videos-2"),
            ("../etc/passwd", "___etc_passwd"),
            ("Café Noir", "Café_Noir"),
            ("", "_"),
        ] {
            assert_eq!(file_safe(name), expected, "{name:?}");
        }
    }
}
