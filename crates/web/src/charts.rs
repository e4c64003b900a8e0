//! The brand page's charts, built from its cached figures: which report feeds which
//! chart kind. Drawing happens in `fedireach-charts`.

use std::collections::{BTreeMap, BTreeSet};

use fedireach_analytics::{Granularity, TimelineBasis, TimelineReport};
use fedireach_charts::{Bar, Bars, Chart, HBars, HeatMap, Lines, Series, Sparkline, Stacked};

use crate::{BrandFigures, ChartName};

/// Instances in the top-instances chart.
const TOP_INSTANCES: usize = 15;

/// The chart of a brand page.
pub fn brand_chart(figures: &BrandFigures, name: ChartName) -> Chart {
    match name {
        ChartName::ReachBySoftware => Chart::Bars(Bars {
            title: "Engagements by server software".into(),
            value_label: "engagements".into(),
            bars: figures
                .reach
                .rows
                .iter()
                .map(|r| Bar {
                    label: r.software.clone(),
                    #[allow(clippy::cast_precision_loss)]
                    value: r.counts.engagements as f64,
                    family: r.family.clone(),
                })
                .collect(),
        }),
        ChartName::TopInstances => Chart::HBars(HBars {
            title: "Top instances".into(),
            value_label: "engagements".into(),
            bars: figures
                .instances
                .rows
                .iter()
                .take(TOP_INSTANCES)
                .map(|r| Bar {
                    label: r.host.clone(),
                    #[allow(clippy::cast_precision_loss)]
                    value: r.counts.engagements as f64,
                    family: r.family.clone(),
                })
                .collect(),
        }),
        ChartName::EngagementsOverTime => over_time(&figures.timeline),
        ChartName::EngagementTimes => over_time(&figures.timeline_engaged),
        ChartName::BestTime => {
            let mut cells = Box::new([[None; 24]; 7]);
            for row in &figures.best_time.rows {
                let (day, hour) = (usize::from(row.hour_of_week / 24), usize::from(row.hour));
                if let Some(cell) = cells.get_mut(day).and_then(|d| d.get_mut(hour)) {
                    *cell = Some(row.mean_engagements);
                }
            }
            Chart::HeatMap(HeatMap {
                title: format!("Best time to post ({})", figures.best_time.tz),
                value_label: "mean engagements per post".into(),
                cells,
            })
        }
        ChartName::FollowerGrowth => followers(figures),
    }
}

/// Engagements per period, stacked by family (thread replies left out, as in every
/// engagement count), on the report's whole axis: empty periods are drawn as such.
fn over_time(timeline: &TimelineReport) -> Chart {
    let index: BTreeMap<&str, usize> = timeline
        .periods
        .iter()
        .enumerate()
        .map(|(i, p)| (p.as_str(), i))
        .collect();
    let mut by_family: BTreeMap<&str, Vec<Option<f64>>> = BTreeMap::new();
    for row in timeline.rows.iter().filter(|r| r.kind != "thread_reply") {
        let values = by_family
            .entry(row.family.as_str())
            .or_insert_with(|| vec![Some(0.0); timeline.periods.len()]);
        if let Some(slot) = index
            .get(row.period.as_str())
            .and_then(|i| values.get_mut(*i))
        {
            #[allow(clippy::cast_precision_loss)]
            let n = row.engagements as f64;
            *slot = Some(slot.unwrap_or(0.0) + n);
        }
    }
    let mut series: Vec<Series> = by_family
        .into_iter()
        .map(|(family, values)| Series {
            name: family.to_owned(),
            values,
        })
        .collect();
    let total = |s: &Series| s.values.iter().flatten().sum::<f64>();
    series.sort_by(|a, b| total(b).total_cmp(&total(a)).then(a.name.cmp(&b.name)));
    let per = match timeline.granularity {
        Granularity::Day => "day",
        Granularity::Week => "week (from Monday)",
    };
    let title = match timeline.basis {
        TimelineBasis::Published => {
            format!("Engagements per {per} their post was published, by family")
        }
        TimelineBasis::Engaged if timeline.undated > 0 => format!(
            "Engagements per {per} they happened, by family ({} without a known time left out)",
            timeline.undated
        ),
        TimelineBasis::Engaged => format!("Engagements per {per} they happened, by family"),
    };
    Chart::Stacked(Stacked {
        title,
        value_label: "engagements".into(),
        periods: timeline.periods.clone(),
        series,
    })
}

/// Follower counts per tracked actor, one point per day with a snapshot.
fn followers(figures: &BrandFigures) -> Chart {
    let days: BTreeSet<&str> = figures
        .followers
        .rows
        .iter()
        .map(|r| r.taken.get(..10).unwrap_or(&r.taken))
        .collect();
    let index: BTreeMap<&str, usize> = days.iter().enumerate().map(|(i, d)| (*d, i)).collect();
    let mut by_actor: BTreeMap<&str, Vec<Option<f64>>> = BTreeMap::new();
    for row in &figures.followers.rows {
        let values = by_actor
            .entry(row.actor.as_str())
            .or_insert_with(|| vec![None; days.len()]);
        let day = row.taken.get(..10).unwrap_or(&row.taken);
        if let (Some(slot), Some(n)) = (
            index.get(day).and_then(|i| values.get_mut(*i)),
            row.followers,
        ) {
            #[allow(clippy::cast_precision_loss)]
            let n = n as f64;
            *slot = Some(n);
        }
    }
    Chart::Lines(Lines {
        title: "Follower growth".into(),
        value_label: "followers".into(),
        points: days.into_iter().map(str::to_owned).collect(),
        series: by_actor
            .into_iter()
            .map(|(actor, values)| Series {
                name: handle(actor),
                values,
            })
            .collect(),
    })
}

/// An actor's URL as the handle a reader knows (`https://host/users/name` and
/// `https://host/@name` as `@name@host`); any other text as it is.
fn handle(actor: &str) -> String {
    let Ok(url) = url::Url::parse(actor) else {
        return actor.to_owned();
    };
    let (Some(host), Some(last)) = (
        url.host_str(),
        url.path_segments().and_then(|mut s| s.next_back()),
    ) else {
        return actor.to_owned();
    };
    let name = last.trim_start_matches('@');
    if name.is_empty() {
        actor.to_owned()
    } else {
        format!("@{name}@{host}")
    }
}

/// The overview's trend line: engagements per period of publication, empty periods
/// as zeros.
pub fn sparkline(figures: &BrandFigures) -> Chart {
    Chart::Sparkline(Sparkline {
        title: format!(
            "Engagements of {} per {} their post was published",
            figures.brand,
            match figures.timeline.granularity {
                Granularity::Day => "day",
                Granularity::Week => "week",
            }
        ),
        #[allow(clippy::cast_precision_loss)]
        values: figures
            .timeline
            .totals()
            .into_iter()
            .map(|n| n as f64)
            .collect(),
    })
}

/// Share of voice of the compared brands.
pub fn share_of_voice(report: &fedireach_analytics::CompareReport) -> Chart {
    Chart::Bars(Bars {
        title: "Share of voice".into(),
        value_label: "% of engagements".into(),
        bars: report
            .rows
            .iter()
            .enumerate()
            .map(|(i, r)| Bar {
                label: r.brand.clone(),
                value: r.share_of_voice_pct,
                // Brands are not families: each takes its own colour by position.
                family: fedireach_charts::series_key(i),
            })
            .collect(),
    })
}
