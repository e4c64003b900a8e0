//! A delivery's mail from the analytics: per brand the key figures against the previous
//! period, the reach and timeline charts as PNG, and the CSV reports, the same bytes as
//! `fedireach report KIND --brand B --from F --to T --tz Z --format csv`.

use anyhow::Context;
use fedireach_analytics::{Analytics, Format, Granularity, ReportKind, ReportRequest, Window};
use fedireach_delivery::{Attachment, BrandSection, FigureLine, InlineChart, Period, ReportMail};
use fedireach_web::{BrandFigures, ChartName, Metric, brand_chart};

use crate::{config::DeliveryConfig, schedule::file_safe};

/// The figures at the top of each brand's section, in order.
const METRICS: [Metric; 6] = [
    Metric::Engagements,
    Metric::UniqueEngagers,
    Metric::Instances,
    Metric::PotentialReach,
    Metric::CrossServerSharePct,
    Metric::FollowerGrowth,
];

/// The charts of each brand's section.
const CHARTS: [(ChartName, &str); 2] = [
    (ChartName::ReachBySoftware, "reach"),
    (ChartName::EngagementsOverTime, "timeline"),
];

/// Composes the mail. CPU-bound (polars, plotters): call it from a blocking task.
pub fn report_mail(
    analytics: &Analytics,
    delivery: &DeliveryConfig,
    period: &Period,
) -> anyhow::Result<ReportMail> {
    let (from, to) = (period.from.to_string(), period.to.to_string());
    let window = Window::parse(Some(&from), Some(&to), Some(delivery.time_zone.name()))?;
    let brands = if delivery.brands.is_empty() {
        analytics.brands()
    } else {
        delivery.brands.clone()
    };
    let mut sections = Vec::new();
    let mut attachments = Vec::new();
    for (b, brand) in brands.iter().enumerate() {
        sections.push(brand_section(analytics, &window, b, brand)?);
        for &kind in &delivery.reports {
            if kind != ReportKind::Compare {
                attachments.push(csv(
                    analytics,
                    kind,
                    std::slice::from_ref(brand),
                    window,
                    brand,
                    period,
                )?);
            }
        }
    }
    for &kind in &delivery.reports {
        if kind == ReportKind::Compare && !brands.is_empty() {
            attachments.push(csv(analytics, kind, &brands, window, "all-brands", period)?);
        }
    }
    Ok(ReportMail {
        name: delivery.name.clone(),
        subject: format!("fedireach: {} — {from} to {to}", delivery.name),
        from,
        to,
        time_zone: delivery.time_zone.to_string(),
        sections,
        attachments,
    })
}

/// One brand's part of the mail: its key figures and charts (the `b`th brand: the
/// charts' content ids are unique in the mail).
fn brand_section(
    analytics: &Analytics,
    window: &Window,
    b: usize,
    brand: &str,
) -> anyhow::Result<BrandSection> {
    let figures = BrandFigures::compute(analytics, brand, window)
        .with_context(|| format!("cannot compute the figures of `{brand}`"))?;
    #[allow(clippy::cast_precision_loss)]
    let mut lines = vec![FigureLine {
        label: "Posts".into(),
        value: Some(figures.key.posts as f64),
        previous: figures.previous.as_ref().map(|p| p.posts as f64),
        change_pct: figures.previous.as_ref().and_then(|p| {
            (p.posts != 0).then(|| {
                let change = (figures.key.posts as f64 - p.posts as f64) / p.posts as f64;
                (change * 10_000.0).round() / 100.0
            })
        }),
    }];
    lines.extend(
        figures
            .key_figures(&METRICS)
            .into_iter()
            .map(|k| FigureLine {
                label: k.label.to_owned(),
                value: k.value,
                previous: k.previous,
                change_pct: k.change_pct,
            }),
    );
    let mut charts = Vec::new();
    for (name, slug) in CHARTS {
        let chart = brand_chart(&figures, name);
        charts.push(InlineChart {
            cid: format!("{slug}-{b}@fedireach"),
            title: chart.title().to_owned(),
            alt: chart.alt_text(),
            png: chart
                .png(chart.size())
                .with_context(|| format!("cannot draw the {slug} chart of `{brand}`"))?,
        });
    }
    Ok(BrandSection {
        brand: brand.to_owned(),
        figures: lines,
        charts,
    })
}

/// One report as `report --format csv` writes it (no previous-period columns, days).
fn csv(
    analytics: &Analytics,
    kind: ReportKind,
    brands: &[String],
    window: Window,
    label: &str,
    period: &Period,
) -> anyhow::Result<Attachment> {
    let request = ReportRequest {
        kind,
        brands: brands.to_vec(),
        window,
        granularity: Granularity::Day,
        format: Format::Csv,
        previous: false,
    };
    let mut bytes = Vec::new();
    analytics
        .write_report(&request, &mut bytes)
        .with_context(|| format!("cannot compute the {kind} report of {label}"))?;
    Ok(Attachment {
        filename: format!(
            "{}-{kind}-{}-{}.csv",
            file_safe(label),
            period.from,
            period.to
        ),
        content_type: "text/csv; charset=utf-8".to_owned(),
        bytes,
    })
}
