//! The columnar copy against real files in a temporary directory.

use fedireach_core::{EngagementKind, ReachReport};

use super::*;
use crate::{
    Window,
    testkit::{AUG_1, HOUR, august, engagement, world},
};

fn tempdir() -> Result<tempfile::TempDir> {
    tempfile::tempdir().map_err(|source| io(Path::new("(tempdir)"), source))
}

fn mastodon(report: &ReachReport) -> Option<(u64, u64, u64)> {
    report
        .rows
        .iter()
        .find(|r| r.software == "mastodon")
        .map(|r| {
            (
                r.counts.engagements,
                r.reach.unique_engagers,
                r.reach.potential_reach,
            )
        })
}

#[test]
fn the_copy_gives_the_same_reports() -> Result<()> {
    let dir = tempdir()?;
    let cache = FactsCache::open(dir.path())?;
    assert!(
        cache.load()?.brands().is_empty(),
        "an empty copy is empty facts"
    );
    cache.replace(&world())?;
    let from_disk = cache.load()?;
    let in_memory = Analytics::from_facts(&world())?;
    let w = august("UTC")?;
    assert_eq!(from_disk.reach("acme", &w)?, in_memory.reach("acme", &w)?);
    assert_eq!(from_disk.posts("acme", &w)?, in_memory.posts("acme", &w)?);
    assert_eq!(
        from_disk.hashtags("acme", &w)?,
        in_memory.hashtags("acme", &w)?
    );
    assert_eq!(
        from_disk.consent("acme", &Window::all())?,
        in_memory.consent("acme", &Window::all())?
    );
    Ok(())
}

#[test]
fn refresh_appends_and_the_latest_version_wins() -> Result<()> {
    let dir = tempdir()?;
    let cache = FactsCache::open(dir.path())?;
    cache.replace(&world())?;
    // August mastodon: 5 engagements, engagers 101, 102, 106, reach 200 + 50.
    assert_eq!(
        mastodon(&cache.load()?.reach("acme", &august("UTC")?)?),
        Some((5, 3, 250))
    );

    // The next crawl: 102's boost (engagement 3) was undone; a new like by 107,
    // and one from a host never seen before. The hosts come in another order:
    // the parts already written must keep their host ids.
    let mut delta = world();
    delta.brand_actors.reverse();
    delta.instances.reverse();
    delta.posts.reverse();
    let mut undone = engagement(
        3,
        1,
        EngagementKind::Boost,
        102,
        "m.example",
        AUG_1 + 13 * HOUR,
    );
    undone.removed_at = Some(AUG_1 + 40 * HOUR);
    delta.engagements = vec![
        undone,
        engagement(
            18,
            2,
            EngagementKind::Like,
            107,
            "m.example",
            AUG_1 + 50 * HOUR,
        ),
        engagement(
            19,
            2,
            EngagementKind::Like,
            108,
            "new.example",
            AUG_1 + 50 * HOUR,
        ),
    ];
    cache.refresh(&delta)?;
    assert_eq!(cache.parts()?.len(), 2);
    let expected = Some((5, 3, 200));
    let report = cache.load()?.reach("acme", &august("UTC")?)?;
    let softwares: Vec<_> = report
        .rows
        .iter()
        .map(|r| (r.software.as_str(), r.counts.engagements))
        .collect();
    assert_eq!(
        softwares,
        [
            ("mastodon", 5),
            ("misskey", 2),
            ("glitch", 1),
            ("sharkey", 1),
            ("unknown", 1)
        ]
    );
    assert_eq!(
        mastodon(&cache.load()?.reach("acme", &august("UTC")?)?),
        expected
    );

    cache.compact()?;
    assert_eq!(cache.parts()?.len(), 1);
    assert_eq!(
        mastodon(&cache.load()?.reach("acme", &august("UTC")?)?),
        expected
    );
    Ok(())
}

#[test]
fn purge_reaches_every_part() -> Result<()> {
    let dir = tempdir()?;
    let cache = FactsCache::open(dir.path())?;
    cache.replace(&world())?;
    let mut delta = world();
    delta.engagements = vec![engagement(
        18,
        2,
        EngagementKind::Like,
        101,
        "m.example",
        AUG_1 + 50 * HOUR,
    )];
    cache.refresh(&delta)?;
    // Forget actor 101 (its like, boosts and the new like) and instance
    // k.example (actor 104's boost and like).
    cache.purge(&Purge {
        actor_ids: vec![101],
        hosts: vec!["k.example".to_owned()],
        ..Purge::default()
    })?;
    let report = cache.load()?.reach("acme", &august("UTC")?)?;
    let got: Vec<_> = report
        .rows
        .iter()
        .map(|r| {
            (
                r.software.as_str(),
                r.counts.engagements,
                r.reach.potential_reach,
            )
        })
        .collect();
    assert_eq!(
        got,
        [("mastodon", 2, 50), ("glitch", 1, 0), ("sharkey", 1, 0)]
    );
    // Forgetting a post takes its engagements and hashtags with it.
    cache.purge(&Purge {
        post_ids: vec![1],
        ..Purge::default()
    })?;
    let analytics = cache.load()?;
    let posts: Vec<_> = analytics
        .posts("acme", &Window::all())?
        .rows
        .into_iter()
        .map(|p| p.uri)
        .collect();
    assert_eq!(
        posts,
        ["https://acme.social/posts/5", "https://acme.social/posts/2"]
    );
    let tags: Vec<_> = analytics
        .hashtags("acme", &Window::all())?
        .rows
        .into_iter()
        .map(|r| (r.hashtag, r.posts))
        .collect();
    assert_eq!(tags, [("coffee".to_owned(), 1), ("launch".to_owned(), 1)]);
    Ok(())
}
