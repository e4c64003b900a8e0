//! Why a panel of the brand page has nothing to show, said in its place: a brand not
//! crawled yet, a window without posts, posts without engagements, a follower history
//! of one count. An empty chart is not drawn (no bare axes), an empty table says why.

use crate::{BrandFigures, ChartName, TableName};

/// Why a panel over the window's engagements is empty, from the most basic cause up.
fn no_engagements(figures: &BrandFigures, crawled: bool) -> String {
    if !crawled {
        return "Not crawled yet: this fills in after the brand's first crawl (the crawls page \
                can queue one)."
            .to_owned();
    }
    match figures.posts.rows.len() {
        0 => "No post of this brand was published in this window: choose a longer one.".to_owned(),
        1 => "Its one post in this window has no engagements yet.".to_owned(),
        n => format!("None of its {n} posts in this window has engagements yet."),
    }
}

/// Why chart `chart` has nothing to draw, or `None` when it has.
pub(crate) fn chart(figures: &BrandFigures, chart: ChartName, crawled: bool) -> Option<String> {
    let engaged =
        |t: &fedireach_analytics::TimelineReport| t.rows.iter().any(|r| r.kind != "thread_reply");
    match chart {
        ChartName::ReachBySoftware | ChartName::TopInstances => figures
            .reach
            .rows
            .is_empty()
            .then(|| no_engagements(figures, crawled)),
        ChartName::EngagementsOverTime => {
            (!engaged(&figures.timeline)).then(|| no_engagements(figures, crawled))
        }
        ChartName::EngagementTimes => {
            if engaged(&figures.timeline_engaged) {
                None
            } else if engaged(&figures.timeline) {
                Some(format!(
                    "None of the window's engagements has a known time ({} without one): \
                     servers rarely date likes and boosts.",
                    figures.timeline_engaged.undated
                ))
            } else {
                Some(no_engagements(figures, crawled))
            }
        }
        ChartName::BestTime => figures
            .best_time
            .rows
            .is_empty()
            .then(|| no_engagements(figures, crawled)),
        ChartName::FollowerGrowth => followers(figures, crawled),
    }
}

/// Why follower growth cannot be drawn: it needs counts from two crawls.
fn followers(figures: &BrandFigures, crawled: bool) -> Option<String> {
    let known: Vec<(&str, u64)> = figures
        .followers
        .rows
        .iter()
        .filter_map(|r| Some((r.taken.get(..10).unwrap_or(&r.taken), r.followers?)))
        .collect();
    let mut days: Vec<&str> = known.iter().map(|(day, _)| *day).collect();
    days.sort_unstable();
    days.dedup();
    if !crawled {
        return Some(no_engagements(figures, false));
    }
    if figures.followers.rows.is_empty() {
        return Some(
            "No crawl in this window took the follower count: each crawl takes one, from the \
             first on."
                .to_owned(),
        );
    }
    match (days.as_slice(), known.first()) {
        (_, None) => Some("The brand's server does not publish its follower count.".to_owned()),
        ([_], Some((day, n))) => Some(format!(
            "Needs two crawls: one follower count so far ({n} on {day}); growth shows from the \
             next crawl on."
        )),
        _ => None,
    }
}

/// Why table `table` has no rows, or `None` when it has some.
pub(crate) fn table(figures: &BrandFigures, table: TableName, crawled: bool) -> Option<String> {
    let empty = match table {
        TableName::TopPosts => figures.posts.rows.is_empty(),
        TableName::TopInstances => figures.instances.rows.is_empty(),
        TableName::ReachBySoftware => figures.reach.rows.is_empty(),
        TableName::ReachByFamily => figures.family.rows.is_empty(),
        TableName::Hashtags => figures.hashtags.rows.is_empty(),
        TableName::Languages => figures.languages.rows.is_empty(),
        TableName::TopEngagers => figures.engagers.as_ref().is_none_or(|e| e.rows.is_empty()),
        TableName::Consent => figures.consent.rows.is_empty(),
    };
    if !empty {
        return None;
    }
    let posts = figures.posts.rows.len();
    Some(match table {
        TableName::Hashtags if crawled && posts > 0 => {
            format!("No hashtag on the window's {posts} post(s).")
        }
        TableName::Languages if crawled && posts > 0 => format!(
            "No reply or quote on the window's {posts} post(s): likes and boosts have no \
             language."
        ),
        TableName::TopEngagers if figures.engagers.is_none() => {
            "A watched brand: its page shows aggregate figures only, never who engaged. \
             Owned brands (their owner gave a token) list who engaged most."
                .to_owned()
        }
        TableName::TopEngagers
            if figures
                .engagers
                .as_ref()
                .is_some_and(|e| e.anonymised.engagers > 0) =>
        {
            "Nobody who engaged in this window may be named: each opted out or is not \
             indexable (their engagements are in every figure)."
                .to_owned()
        }
        TableName::Consent if crawled => {
            "The crawls in this window left nothing out and anonymised no one.".to_owned()
        }
        _ => no_engagements(figures, crawled),
    })
}
