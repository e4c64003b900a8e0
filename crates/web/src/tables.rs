//! Tables as the pages show them: headers, rows of cells (some linked), and the URL
//! of the same table as CSV. Report tables reuse the analytics' own `Tabular` rows so
//! a page and its CSV download agree.

use fedireach_analytics::{Tabular, shown_columns};
use fedireach_core::PostRow;
use serde::Serialize;

use crate::{BrandFigures, TableName, ViewLabels};

/// One cell; `href` only for links the dashboard made itself or `http(s)` post URLs;
/// `title` explains the cell on hover (why a count is "n/a").
#[derive(Debug, Clone, Serialize)]
pub struct Cell {
    pub text: String,
    pub href: Option<String>,
    pub title: Option<String>,
    /// An unknown value ("n/a"), set apart from counts.
    pub unknown: bool,
}

impl Cell {
    pub(crate) fn text(text: impl Into<String>) -> Self {
        Self {
            text: text.into(),
            href: None,
            title: None,
            unknown: false,
        }
    }
}

/// A table of a page.
#[derive(Debug, Clone, Serialize)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Rows not shown (past the panel's limit); the CSV has them all.
    pub more: usize,
    pub csv_url: String,
    /// Sentences under the table: what its counts leave out as unknown.
    pub notes: Vec<String>,
    /// Why the table has no rows, said in its place.
    pub empty: Option<String>,
}

/// A table built here (not a report of the analytics), rendered to CSV through the
/// analytics' renderer so the same formula-injection guard applies.
#[derive(Debug, Clone, Serialize)]
pub struct PlainTable {
    pub title: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

impl Tabular for PlainTable {
    fn title(&self) -> String {
        self.title.clone()
    }
    fn headers(&self) -> Vec<String> {
        self.headers.clone()
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows.clone()
    }
}

/// A path segment, percent-encoded.
pub fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// `path?query`, or `path` when the query is empty.
pub fn with_query(path: &str, query: &str) -> String {
    if query.is_empty() {
        path.to_owned()
    } else {
        format!("{path}?{query}")
    }
}

/// Two query strings joined, either possibly empty.
pub fn join_query(first: &str, second: &str) -> String {
    match (first.is_empty(), second.is_empty()) {
        (true, _) => second.to_owned(),
        (false, true) => first.to_owned(),
        (false, false) => format!("{first}&{second}"),
    }
}

/// A link to a post only when it is an http(s) URL: a `javascript:` uri stays text.
pub(crate) fn safe_href(uri: &str) -> Option<String> {
    url::Url::parse(uri)
        .ok()
        .filter(|u| matches!(u.scheme(), "http" | "https"))
        .map(|u| u.to_string())
}

/// The report kind a table downloads as (`/brands/NAME/reports/KIND.csv`).
pub fn csv_kind(table: TableName) -> &'static str {
    match table {
        TableName::TopPosts => "posts",
        TableName::TopInstances => "instances",
        TableName::ReachBySoftware => "reach",
        TableName::ReachByFamily => "reach-by-family",
        TableName::Hashtags => "hashtags",
        TableName::Languages => "languages",
        TableName::TopEngagers => "top-engagers",
        TableName::Consent => "consent",
    }
}

/// A table of the brand page.
/// What a brand page knows besides its figures, for its tables.
#[derive(Debug, Clone, Copy)]
pub struct PageFacts<'a> {
    /// Whether a crawl has resolved any of the brand's actors.
    pub crawled: bool,
    /// The first words of the top posts, by uri (see `Store::post_texts`).
    pub texts: &'a std::collections::HashMap<String, String>,
    /// The view's zone, for times people read.
    pub tz: chrono_tz::Tz,
    /// The kept names of the top engagers, by actor id (see `Store::engager_names`);
    /// empty for a watched brand.
    pub names: &'a std::collections::HashMap<i64, fedireach_store::EngagerName>,
    /// For an owned brand, its page's path and the view's query: each top post links
    /// its conversation.
    pub conversations: Option<(&'a str, &'a str)>,
    /// Why the key figures are unknown, not 0: the last crawl could read none of the
    /// brand's accounts and no post of the window is stored (see `unread_brand`).
    pub unread: Option<&'static str>,
}

pub fn brand_table(
    figures: &BrandFigures,
    table: TableName,
    limit: usize,
    view: &ViewLabels,
    page: PageFacts<'_>,
) -> Table {
    // A watched brand has no list of engagers to download.
    let csv_url = if table == TableName::TopEngagers && figures.engagers.is_none() {
        String::new()
    } else {
        with_query(
            &format!(
                "/brands/{}/reports/{}.csv",
                segment(&figures.brand),
                csv_kind(table)
            ),
            &view.query,
        )
    };
    // Counts over the window's posts leave out the kinds some posts had unavailable:
    // every table of counts says so under it (the posts table per cell).
    let left_out = figures.unavailable_posts().note();
    let (headers, rows, notes) = match table {
        TableName::TopPosts => {
            let (h, r) = top_posts(&figures.posts.rows, page);
            (h, r, Vec::new())
        }
        TableName::TopInstances => {
            let (h, r) = top_instances(figures, view);
            (h, r, left_out.into_iter().collect())
        }
        TableName::ReachBySoftware => with_notes(&figures.reach, left_out),
        TableName::ReachByFamily => with_notes(&figures.family, left_out),
        TableName::Hashtags => with_notes(&figures.hashtags, None),
        TableName::Languages => {
            let (h, r) = crate::audience::languages(&figures.languages);
            (
                h,
                r,
                fedireach_analytics::Tabular::notes(&figures.languages),
            )
        }
        TableName::TopEngagers => {
            crate::audience::top_engagers(figures.engagers.as_ref(), page.names, view)
        }
        TableName::Consent => with_notes(&figures.consent, None),
    };
    let more = rows.len().saturating_sub(limit);
    Table {
        headers,
        rows: rows.into_iter().take(limit).collect(),
        more,
        csv_url,
        notes,
        empty: crate::empty::table(figures, table, page.crawled),
    }
}

/// A report's table with its notes, or `fallback` when it has none (a report without
/// rows cannot say what its rows leave out).
fn with_notes(
    report: &impl Tabular,
    fallback: Option<String>,
) -> (Vec<String>, Vec<Vec<Cell>>, Vec<String>) {
    let (headers, rows) = plain(report);
    let mut notes = report.notes();
    if notes.is_empty() {
        notes.extend(fallback);
    }
    (headers, rows, notes)
}

/// A report's own table, as text cells; the `unavailable_posts_*` columns become the
/// table's note (see [`Tabular::notes`]).
pub fn plain(report: &impl Tabular) -> (Vec<String>, Vec<Vec<Cell>>) {
    let (headers, rows) = shown_columns(report);
    (
        headers.iter().map(|h| h.replace('_', " ")).collect(),
        rows.into_iter()
            .map(|r| r.into_iter().map(Cell::text).collect())
            .collect(),
    )
}

/// "398 of 412 reported": what the crawler itemised beside what the origin server
/// reported, so a reader sees where each number comes from; "n/a" with the reason where
/// the kind was unavailable (unknown, not 0), and "412 reported" where only the origin's
/// count is known.
fn itemised(post: &PostRow, kind: &str, count: u64, reported: Option<u64>) -> Cell {
    let coverage = post.coverage.as_ref();
    if let Some(why) = coverage.and_then(|c| c.unavailable.get(kind)) {
        let reason = fedireach_core::Unavailable::parse(why).map_or(why.as_str(), |u| u.describe());
        return Cell {
            text: format!("n/a ({reason})"),
            href: None,
            title: Some(format!(
                "The {kind} of this post could not be collected: {reason}. Unknown, not 0."
            )),
            unknown: true,
        };
    }
    let only_reported = coverage.is_some_and(|c| c.describe(kind) == "reported");
    Cell::text(match reported {
        Some(r) if only_reported => format!("{r} reported (not listed)"),
        Some(r) => format!("{count} of {r} reported"),
        None => format!("{count} (none reported)"),
    })
}

/// The posts by engagements, most first (then by uri): the top-posts table's order.
pub fn top_post_rows(rows: &[PostRow]) -> Vec<&PostRow> {
    let mut sorted: Vec<&PostRow> = rows.iter().collect();
    sorted.sort_by(|a, b| {
        b.counts
            .engagements
            .cmp(&a.counts.engagements)
            .then(a.uri.cmp(&b.uri))
    });
    sorted
}

/// The longest first line of a post shown in a table, in characters.
const POST_LINE_CHARS: usize = 120;

/// A post's first line, cut at a word near [`POST_LINE_CHARS`] with an ellipsis.
fn first_line(text: &str) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    if line.chars().count() <= POST_LINE_CHARS {
        return line.to_owned();
    }
    let cut: String = line.chars().take(POST_LINE_CHARS).collect();
    let at_word = cut
        .rfind(' ')
        .filter(|i| *i > POST_LINE_CHARS / 2)
        .unwrap_or(cut.len());
    format!("{}…", cut[..at_word].trim_end())
}

/// How a time reads for people, in the view's zone: "Mon 3 Aug 2026 12:00 CEST".
const PEOPLE_TIME: &str = "%a %-d %b %Y %H:%M %Z";

/// An RFC 3339 time as people read it, in `tz` (as given where it does not parse).
fn local_time(rfc3339: &str, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::parse_from_rfc3339(rfc3339).map_or_else(
        |_| rfc3339.to_owned(),
        |t| t.with_timezone(&tz).format(PEOPLE_TIME).to_string(),
    )
}

/// Unix seconds as people read them, in `tz` (the number itself where out of range).
pub(crate) fn local_time_at(at: i64, tz: chrono_tz::Tz) -> String {
    chrono::DateTime::from_timestamp(at, 0).map_or_else(
        || at.to_string(),
        |t| t.with_timezone(&tz).format(PEOPLE_TIME).to_string(),
    )
}

fn top_posts(rows: &[PostRow], page: PageFacts<'_>) -> (Vec<String>, Vec<Vec<Cell>>) {
    let mut headers = [
        "published",
        "post",
        "replies",
        "boosts",
        "likes",
        "quotes",
        "engagements",
        "engagement rate %",
        "cross-server %",
    ]
    .map(String::from)
    .to_vec();
    if page.conversations.is_some() {
        headers.push("conversation".to_owned());
    }
    let rows = top_post_rows(rows)
        .into_iter()
        .map(|p| {
            // Its first line where its text is stored, else its address; linked to it.
            let text = page.texts.get(&p.uri).map(|t| first_line(t));
            vec![
                Cell {
                    text: local_time(&p.published, page.tz),
                    href: None,
                    title: Some(p.published.clone()),
                    unknown: false,
                },
                Cell {
                    text: text
                        .filter(|t| !t.is_empty())
                        .unwrap_or_else(|| p.uri.clone()),
                    href: safe_href(&p.uri),
                    title: Some(p.uri.clone()),
                    unknown: false,
                },
                itemised(p, "replies", p.counts.replies, p.reported.replies),
                itemised(p, "boosts", p.counts.boosts, p.reported.boosts),
                itemised(p, "likes", p.counts.likes, p.reported.likes),
                itemised(p, "quotes", p.counts.quotes, p.reported.quotes),
                Cell::text(p.counts.engagements.to_string()),
                // A percentage, like its neighbours (the report keeps the ratio).
                Cell::text(
                    p.engagement_rate
                        .map(|r| format!("{}", (r * 10_000.0).round() / 100.0))
                        .unwrap_or_default(),
                ),
                Cell::text(format!("{}", p.cross_server_share_pct)),
            ]
            .into_iter()
            .chain(page.conversations.map(|(base, query)| Cell {
                text: "who replied".to_owned(),
                href: Some(with_query(
                    &format!("{base}/conversation"),
                    &join_query(&format!("post={}", segment(&p.uri)), query),
                )),
                title: Some(
                    "Who replied, from which instance, how deep the thread went".to_owned(),
                ),
                unknown: false,
            }))
            .collect()
        })
        .collect();
    (headers, rows)
}

/// An instance's name, linked to its page in the same view.
pub(crate) fn instance_cell(host: &str, view: &ViewLabels) -> Cell {
    Cell {
        text: host.to_owned(),
        href: Some(with_query(
            &format!("/instances/{}", segment(host)),
            &view.query,
        )),
        title: None,
        unknown: false,
    }
}

fn top_instances(figures: &BrandFigures, view: &ViewLabels) -> (Vec<String>, Vec<Vec<Cell>>) {
    let headers = [
        "instance",
        "software",
        "family",
        "engagements",
        "unique engagers",
        "active users (month)",
        "server penetration %",
    ]
    .map(String::from)
    .to_vec();
    let rows = figures
        .instances
        .rows
        .iter()
        .map(|r| {
            vec![
                instance_cell(&r.host, view),
                Cell::text(r.software.clone()),
                Cell::text(r.family.clone()),
                Cell::text(r.counts.engagements.to_string()),
                Cell::text(r.unique_engagers.to_string()),
                Cell::text(r.active_month.map(|n| n.to_string()).unwrap_or_default()),
                Cell::text(
                    r.penetration_pct
                        .map(|p| format!("{p}"))
                        .unwrap_or_default(),
                ),
            ]
        })
        .collect();
    (headers, rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_urls_become_links() {
        assert_eq!(safe_href("javascript:alert(1)"), None);
        assert_eq!(safe_href("data:text/html,<script>"), None);
        assert!(safe_href("https://brand.example/p/1").is_some());
    }

    #[test]
    fn a_post_shows_its_first_line_cut_at_a_word() {
        assert_eq!(first_line("\n  Launch day!\nMore below"), "Launch day!");
        let long = "word ".repeat(40);
        let line = first_line(&long);
        assert!(line.ends_with("word…"), "{line}");
        assert!(line.chars().count() <= POST_LINE_CHARS + 1, "{line}");
        assert_eq!(first_line(""), "");
    }

    #[test]
    fn segments_are_encoded() {
        assert_eq!(segment("a b/c?d"), "a%20b%2Fc%3Fd");
    }
}
