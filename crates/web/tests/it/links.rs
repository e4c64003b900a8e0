//! Every link the dashboard shows leads somewhere: from the overview, each page's
//! links to the dashboard itself are followed (breadth first) and each must answer
//! 200. Links out (post URLs) and form targets are not followed.

use std::collections::{BTreeSet, VecDeque};

use axum::http::StatusCode;

use crate::world::{TestResult, world};

/// Pages visited at most: the small world has far fewer, so reaching it means a link
/// loop that keeps making new addresses.
const MAX_VISITS: usize = 2000;

/// The internal links of the page at `path`, as a browser would request them (a
/// `?query` link stays on the page's path).
fn links(path: &str, body: &str) -> Vec<String> {
    let page = path.split('?').next().unwrap_or(path).to_owned();
    body.split("href=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .map(|href| {
            href.replace("&#x2f;", "/")
                .replace("&amp;", "&")
                .replace("&#x3d;", "=")
                .replace("&#x27;", "'")
        })
        .filter_map(|href| {
            if href.starts_with('?') {
                Some(format!("{page}{href}"))
            } else {
                (href.starts_with('/') && !href.starts_with("//")).then_some(href)
            }
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_link_on_every_page_answers_200() -> TestResult {
    let w = world(None).await?;
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut queue: VecDeque<(String, String)> =
        VecDeque::from([("/".to_owned(), "start".to_owned())]);
    let mut broken = Vec::new();
    while let Some((path, from)) = queue.pop_front() {
        if !seen.insert(path.clone()) {
            continue;
        }
        assert!(seen.len() <= MAX_VISITS, "more than {MAX_VISITS} addresses");
        let reply = w.get(&path).await?;
        if reply.status != StatusCode::OK {
            broken.push(format!("{path} ({}), linked from {from}", reply.status));
            continue;
        }
        let html = reply
            .headers
            .get("content-type")
            .and_then(|v| v.to_str().ok())
            .is_some_and(|t| t.starts_with("text/html"));
        if html {
            for link in links(&path, &reply.body) {
                if !seen.contains(&link) {
                    queue.push_back((link, path.clone()));
                }
            }
        }
    }
    assert!(broken.is_empty(), "broken links:\n{}", broken.join("\n"));
    // The walk reached the pages, the downloads and the charts.
    for wanted in [
        "/brands/acme",
        "/glossary",
        "/crawls.csv",
        ".png",
        "/instances/",
        "/conversation?post=",
    ] {
        assert!(
            seen.iter().any(|p| p.contains(wanted)),
            "the walk reached {wanted}"
        );
    }
    eprintln!("{} addresses followed", seen.len());
    Ok(())
}
