//! The `reach`, `posts` and `instances` reports of every brand over all time, computed
//! from the truth's own engagements with the core's row types and rounding helpers, so
//! they compare equal to what the analytics print.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use fedireach_core::{
    CoverageRow, EngagementKind, InstanceRow, InstancesReport, KindCounts, LanguageCounts,
    LanguagesReport, PostRow, PostsReport, ReachFigures, ReachReport, ReachRow, ReportedCounts,
    UnavailablePosts, pct_2dp, round_half_away,
};

use super::{BrandReports, TruthInstance, followers_known};
use crate::{time::rfc3339, world::SimSoftware, world::World};

pub(crate) fn reported_counts(world: &World, post: u32) -> ReportedCounts {
    let counts = world.visible_counts(post);
    let origin = world
        .posts()
        .get(post as usize)
        .and_then(|p| world.instance_of(p.actor))
        .map(|i| i.software);
    let c = |k| counts.get(k);
    match origin {
        Some(SimSoftware::Peertube) => ReportedCounts {
            replies: Some(c(EngagementKind::Reply) + c(EngagementKind::ThreadReply)),
            boosts: Some(c(EngagementKind::Boost)),
            likes: Some(c(EngagementKind::Like)),
            quotes: None,
        },
        // server/docs/collections.rs `wordpress_inline`: no count of replies; shares
        // count quotes too.
        Some(SimSoftware::Wordpress) => ReportedCounts {
            replies: None,
            boosts: Some(c(EngagementKind::Boost) + c(EngagementKind::Quote)),
            likes: Some(c(EngagementKind::Like)),
            quotes: None,
        },
        // Their notes carry no counts at all.
        Some(SimSoftware::Mbin | SimSoftware::Lemmy | SimSoftware::Threads) => ReportedCounts {
            replies: None,
            boosts: None,
            likes: None,
            quotes: None,
        },
        Some(s) if s.is_misskey() => ReportedCounts {
            replies: Some(c(EngagementKind::Reply)),
            boosts: Some(c(EngagementKind::Boost) + c(EngagementKind::Quote)),
            likes: Some(c(EngagementKind::Like)),
            quotes: None,
        },
        // server/api/mastodon.rs `Flavour::quotes`: only Mastodon's and Pleroma's
        // statuses count quotes (Friendica's, GoToSocial's and Akkoma's do not).
        _ => ReportedCounts {
            replies: Some(c(EngagementKind::Reply)),
            boosts: Some(c(EngagementKind::Boost)),
            likes: Some(c(EngagementKind::Like)),
            quotes: matches!(origin, Some(SimSoftware::Mastodon | SimSoftware::Pleroma))
                .then(|| c(EngagementKind::Quote)),
        },
    }
}

#[derive(Default)]
struct Acc {
    counts: KindCounts,
    engagers: HashSet<u32>,
    instances: HashSet<u32>,
    boosters: HashSet<u32>,
}

pub(super) fn all_reports(
    world: &World,
    kept: &[u32],
    instances: &[TruthInstance],
) -> BTreeMap<String, BrandReports> {
    let by_host: HashMap<&str, &TruthInstance> =
        instances.iter().map(|i| (i.host.as_str(), i)).collect();
    let mut out = BTreeMap::new();
    for (b, brand) in world.brands().iter().enumerate() {
        let b = u16::try_from(b).unwrap_or(u16::MAX);
        let mut reach: BTreeMap<&str, Acc> = BTreeMap::new();
        let mut hosts: BTreeMap<&str, Acc> = BTreeMap::new();
        let mut per_post: HashMap<u32, (Acc, u64, BTreeSet<&str>)> = HashMap::new();
        let mut languages: BTreeMap<Option<String>, LanguageCounts> = BTreeMap::new();
        for &i in kept {
            let Some(e) = world.engagements().get(i as usize) else {
                continue;
            };
            let Some(post) = world.posts().get(e.post as usize) else {
                continue;
            };
            let Some(actor) = world.actors().get(e.actor as usize) else {
                continue;
            };
            if post.brand != b || actor.brand == Some(b) {
                continue;
            }
            if let Some(language) = super::learnable_language(world, e) {
                let slot = languages.entry(Some(language)).or_default();
                match e.kind {
                    EngagementKind::Reply => slot.replies += 1,
                    EngagementKind::ThreadReply => slot.thread_replies += 1,
                    _ => slot.quotes += 1,
                }
            }
            let Some(inst) = world.instance_of(e.actor) else {
                continue;
            };
            let Some(learned) = by_host.get(inst.host.as_str()) else {
                continue;
            };
            for acc in [
                reach.entry(learned.software.as_str()).or_default(),
                hosts.entry(inst.host.as_str()).or_default(),
            ] {
                acc.counts.record(e.kind);
                acc.engagers.insert(e.actor);
                acc.instances.insert(actor.instance);
                if e.kind == EngagementKind::Boost {
                    acc.boosters.insert(e.actor);
                }
            }
            let (acc, cross, softwares) = per_post.entry(e.post).or_default();
            acc.counts.record(e.kind);
            softwares.insert(learned.software.as_str());
            let author_instance = world.actors().get(post.actor as usize).map(|a| a.instance);
            if e.kind.counts_as_engagement() && author_instance != Some(actor.instance) {
                *cross += 1;
            }
        }
        let posts = posts_report(world, b, &brand.name, &per_post);
        let unavailable = unavailable_posts(world, b);
        out.insert(
            brand.name.clone(),
            BrandReports {
                reach: reach_report(world, &brand.name, &reach, &by_host, unavailable),
                posts,
                instances: instances_report(&brand.name, &hosts, &by_host, unavailable),
                languages: LanguagesReport::from_counts(
                    &brand.name,
                    (None, None),
                    languages,
                    unavailable,
                ),
            },
        );
    }
    out
}

/// How many of the brand's visible posts have each kind unavailable, by the coverage
/// rules of [`super::coverage`].
fn unavailable_posts(world: &World, brand: u16) -> UnavailablePosts {
    let coverages: Vec<_> = world
        .posts()
        .iter()
        .enumerate()
        .filter(|(_, p)| p.brand == brand && super::post_learnable(world, p))
        .filter_map(|(p, _)| super::coverage::of_post(world, u32::try_from(p).ok()?))
        .collect();
    coverages.iter().collect()
}

fn reach_report(
    world: &World,
    brand: &str,
    reach: &BTreeMap<&str, Acc>,
    by_host: &HashMap<&str, &TruthInstance>,
    unavailable_posts: UnavailablePosts,
) -> ReachReport {
    let total: u64 = reach.values().map(|a| a.counts.engagements).sum();
    let mut rows: Vec<ReachRow> = reach
        .iter()
        .map(|(software, acc)| {
            let family = by_host
                .values()
                .find(|i| i.software == *software)
                .map_or_else(|| (*software).to_owned(), |i| i.family.clone());
            let potential_reach = acc
                .boosters
                .iter()
                .filter(|a| followers_known(world, **a))
                .map(|a| world.followers(*a))
                .sum();
            let engagements = acc.counts.engagements;
            ReachRow {
                software: (*software).to_owned(),
                family,
                counts: acc.counts,
                reach: ReachFigures {
                    unique_engagers: acc.engagers.len() as u64,
                    unique_instances: acc.instances.len() as u64,
                    potential_reach,
                    share_pct: pct_2dp(engagements, total),
                },
                unavailable_posts,
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        b.counts
            .engagements
            .cmp(&a.counts.engagements)
            .then_with(|| a.software.cmp(&b.software))
    });
    ReachReport {
        brand: brand.to_owned(),
        from: None,
        to: None,
        rows,
    }
}

fn posts_report(
    world: &World,
    brand: u16,
    name: &str,
    per_post: &HashMap<u32, (Acc, u64, BTreeSet<&str>)>,
) -> PostsReport {
    let empty = (Acc::default(), 0, BTreeSet::new());
    let mut rows: Vec<PostRow> = world
        .posts()
        .iter()
        .enumerate()
        .filter(|(_, p)| p.brand == brand && super::post_learnable(world, p))
        .map(|(p, post)| {
            let p = u32::try_from(p).unwrap_or(u32::MAX);
            let (acc, cross, softwares) = per_post.get(&p).unwrap_or(&empty);
            let engagements = acc.counts.engagements;
            let followers = super::brand_followers_known(world, post.actor)
                .then(|| world.followers(post.actor));
            PostRow {
                uri: world.post_uri(p),
                actor: world.actor_id(post.actor),
                published: rfc3339(post.published),
                counts: acc.counts,
                reported: reported_counts(world, p),
                followers,
                engagement_rate: followers.and_then(|f| round_half_away(engagements, f, 4)),
                cross_server_share_pct: pct_2dp(*cross, engagements),
                softwares: softwares.iter().map(|s| (*s).to_owned()).collect(),
                coverage: super::coverage::of_post(world, p).map(CoverageRow::from),
            }
        })
        .collect();
    rows.sort_by(|a, b| {
        a.published
            .cmp(&b.published)
            .then_with(|| a.uri.cmp(&b.uri))
    });
    PostsReport {
        brand: name.to_owned(),
        from: None,
        to: None,
        rows,
    }
}

fn instances_report(
    brand: &str,
    hosts: &BTreeMap<&str, Acc>,
    by_host: &HashMap<&str, &TruthInstance>,
    unavailable_posts: UnavailablePosts,
) -> InstancesReport {
    let mut rows: Vec<InstanceRow> = hosts
        .iter()
        .filter_map(|(host, acc)| {
            let inst = by_host.get(host)?;
            let unique = acc.engagers.len() as u64;
            Some(InstanceRow {
                host: (*host).to_owned(),
                software: inst.software.clone(),
                family: inst.family.clone(),
                counts: acc.counts,
                unique_engagers: unique,
                active_month: inst.active_month,
                penetration_pct: inst
                    .active_month
                    .filter(|m| *m > 0)
                    .map(|m| pct_2dp(unique, m)),
                unavailable_posts,
            })
        })
        .collect();
    rows.sort_by(|a, b| {
        b.counts
            .engagements
            .cmp(&a.counts.engagements)
            .then_with(|| a.host.cmp(&b.host))
    });
    InstancesReport {
        brand: brand.to_owned(),
        from: None,
        to: None,
        rows,
    }
}
