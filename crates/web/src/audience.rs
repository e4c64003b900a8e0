//! The tables about the audience itself, beside the brand's figures: the languages its
//! replies and quotes declare and, for an owned brand, who engaged most (named only
//! where the engager allows it).

use crate::{
    ViewLabels,
    tables::{Cell, instance_cell},
};

/// An engager's name as shown: "Display Name (handle)", or whichever is kept.
pub fn engager_label(name: &fedireach_store::EngagerName) -> String {
    let clean = |s: &Option<String>| {
        s.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_owned)
    };
    match (clean(&name.display_name), clean(&name.handle)) {
        (Some(display), Some(handle)) => format!("{display} ({handle})"),
        (Some(one), None) | (None, Some(one)) => one,
        (None, None) => "(no name)".to_owned(),
    }
}

/// The ranked engagers whose names are kept, each with its name, and the sum of
/// everyone else: the report's anonymised engagers and any ranked one whose name is not
/// (no longer kept, or past the names looked up). The page's table and its CSV both
/// split the report this way.
pub(crate) fn named_and_others<'a>(
    report: &'a fedireach_analytics::EngagersReport,
    names: &'a std::collections::HashMap<i64, fedireach_store::EngagerName>,
) -> (
    Vec<(
        &'a fedireach_analytics::EngagerRow,
        &'a fedireach_store::EngagerName,
    )>,
    fedireach_analytics::EngagerCounts,
) {
    let mut others = report.anonymised;
    let mut named = Vec::new();
    for r in &report.rows {
        match names.get(&r.actor_id) {
            Some(name) => named.push((r, name)),
            None => others.add(&r.counts),
        }
    }
    (named, others)
}

/// The top engagers of an owned brand: one row per engager whose name is kept, most
/// engagements first; everyone else in one sentence under the table, never a row.
/// A ranked engager whose name is no longer kept joins that sentence.
pub(crate) fn top_engagers(
    report: Option<&fedireach_analytics::EngagersReport>,
    names: &std::collections::HashMap<i64, fedireach_store::EngagerName>,
    view: &ViewLabels,
) -> (Vec<String>, Vec<Vec<Cell>>, Vec<String>) {
    let headers = [
        "engager",
        "instance",
        "software",
        "replies",
        "thread replies",
        "boosts",
        "likes",
        "quotes",
        "engagements",
    ]
    .map(String::from)
    .to_vec();
    let Some(report) = report else {
        return (headers, Vec::new(), Vec::new());
    };
    let (named, others) = named_and_others(report, names);
    let mut rows = Vec::new();
    for (r, name) in named {
        let c = &r.counts;
        let mut cells = vec![
            Cell::text(engager_label(name)),
            instance_cell(&r.host, view),
            Cell::text(r.software.clone()),
        ];
        cells.extend(c.columns().map(|n| Cell::text(n.to_string())));
        rows.push(cells);
    }
    let notes = (others.engagers > 0)
        .then(|| {
            format!(
                "Besides these, {} engager(s) who opted out, are not indexable or are past \
                 this list made {} engagement(s) and {} thread reply(ies): counted in every \
                 figure, never named here.",
                others.engagers, others.kinds.engagements, others.kinds.thread_replies
            )
        })
        .into_iter()
        .collect();
    (headers, rows, notes)
}

/// The languages table for people: one language column, where the unknowns say what
/// they are in words and why on hover (the CSV keeps `language` and `unknown` apart).
pub(crate) fn languages(report: &fedireach_core::LanguagesReport) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "language",
        "replies",
        "thread replies",
        "quotes",
        "total",
        "share %",
    ]
    .map(String::from)
    .to_vec();
    let rows = report
        .rows
        .iter()
        .map(|r| {
            let language = match (r.language.as_deref(), r.unknown.as_deref()) {
                (Some(code), _) => Cell::text(code),
                (None, Some("not_recorded")) => Cell {
                    text: "not recorded".to_owned(),
                    href: None,
                    title: Some(
                        "Found by a crawl made before fedireach read languages: unknown, not \
                         undeclared."
                            .to_owned(),
                    ),
                    unknown: true,
                },
                (None, _) => Cell {
                    text: "not declared".to_owned(),
                    href: None,
                    title: Some(
                        "The author chose no language, or their server federates none \
                         (Misskey, Pleroma, Akkoma, Pixelfed, PeerTube). Nothing is guessed \
                         from the text."
                            .to_owned(),
                    ),
                    unknown: true,
                },
            };
            let mut cells = vec![language];
            cells.extend(
                [r.replies, r.thread_replies, r.quotes, r.total].map(|n| Cell::text(n.to_string())),
            );
            cells.push(Cell::text(format!("{}", r.share_pct)));
            cells
        })
        .collect();
    (headers, rows)
}
