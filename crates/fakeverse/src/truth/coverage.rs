//! The coverage a correct crawler reaches for each post and kind: itemised, only
//! reported, or unavailable and why, from what the post's origin software serves in this
//! simulated world and whether the brand is owned (its token opens the client API).
//!
//! Each rule names the server code of this crate that it follows; the server's rules
//! in turn follow each software's own source (named there).

use fedireach_core::{Coverage, PostCoverage, Unavailable};

use crate::world::{SimSoftware, World};

/// The coverage of every kind of a post of `brand_owned` on `software`; `None` for a
/// software on which this world puts no brand yet (no rule recorded: a test requires
/// one for every software that hosts a brand).
pub fn expected(software: SimSoftware, brand_owned: bool) -> Option<PostCoverage> {
    use Coverage::{Itemised, Reported, Unavailable as Na};
    match software {
        // server/api/mastodon.rs: the status, `context`, `favourited_by` and
        // `reblogged_by` are public; `quotes` answers 401 without the author's token,
        // and the status reports `quotes_count`.
        SimSoftware::Mastodon => Some(PostCoverage {
            quotes: if brand_owned { Itemised } else { Reported },
            ..PostCoverage::all(Itemised)
        }),
        // server/api/misskey.rs: notes/show, notes/reactions, notes/renotes (pure
        // renotes are boosts, the rest quotes) and notes/children, all public.
        s if s.is_misskey() => Some(PostCoverage::all(Itemised)),
        // server/docs/collections.rs `peertube`: the video's likes, announces and
        // comments list their items; PeerTube has no quotes.
        SimSoftware::Peertube => Some(PostCoverage {
            quotes: Na(Unavailable::NotExposed),
            ..PostCoverage::all(Itemised)
        }),
        // server/api/mastodon.rs `Flavour::Pleroma`: the status, `context`,
        // `favourited_by`, `reblogged_by` and Pleroma's own quotes list are public.
        SimSoftware::Pleroma => Some(PostCoverage::all(Itemised)),
        // `Flavour::Akkoma`: the same without quotes, which nothing lists or counts.
        SimSoftware::Akkoma => Some(PostCoverage {
            quotes: Na(Unavailable::NotExposed),
            ..PostCoverage::all(Itemised)
        }),
        // server/api/mastodon.rs `Flavour::Gotosocial`: the owner's token opens the same
        // routes (no quotes); without it the brand's actor cannot even be resolved
        // (robots.txt bars WebFinger, `/users/` and `/api/`), so no post of a watched
        // brand there is known (see `super::brand_account_readable`).
        SimSoftware::Gotosocial if brand_owned => Some(PostCoverage {
            quotes: Na(Unavailable::NotExposed),
            ..PostCoverage::all(Itemised)
        }),
        SimSoftware::Gotosocial => Some(PostCoverage::all(Na(Unavailable::RobotsTxt))),
        // server/docs/collections.rs: Lemmy's person outboxes are empty, so no post of
        // a brand there is known, owned or not (its own API, which robots.txt bars to
        // crawlers, is not the Mastodon client API); nor would its notes list anything.
        SimSoftware::Lemmy => Some(PostCoverage::all(Na(Unavailable::NotExposed))),
        // server/docs/note.rs: Mbin's notes carry no collections and it serves no
        // Mastodon API: its posts are listed (its outbox), nothing of their engagement.
        SimSoftware::Mbin => Some(PostCoverage::all(Na(Unavailable::NotExposed))),
        // server/docs/collections.rs `outbox`: Threads lists no posts (its outbox is a
        // 404), and has no API: no post of a brand there is known.
        SimSoftware::Threads => Some(PostCoverage::all(Na(Unavailable::NotExposed))),
        // server/docs/collections.rs `wordpress_inline`: replies listed (direct comments,
        // each reply's own collection below), likes and shares counted only, quotes
        // counted in shares and listed nowhere (see `of_post` for a count of 0).
        SimSoftware::Wordpress => Some(PostCoverage {
            replies: Itemised,
            boosts: Reported,
            likes: Reported,
            quotes: Na(Unavailable::NotExposed),
        }),
        // server/api/mastodon.rs `Flavour::Pixelfed`: the owner's token opens the
        // status, `context` (direct replies only: see `super::left_out_reason`),
        // `favourited_by` and `reblogged_by` (every page to the author); no quotes.
        // Without it nothing: its outbox lists no post, its API wants a token.
        SimSoftware::Pixelfed if brand_owned => Some(PostCoverage {
            quotes: Na(Unavailable::NotExposed),
            ..PostCoverage::all(Itemised)
        }),
        SimSoftware::Pixelfed => Some(PostCoverage::all(Na(Unavailable::NeedsToken))),
        // server/api/mastodon.rs `Flavour::Friendica`: the status, `context`,
        // `favourited_by` and `reblogged_by` are public; no quotes list or count.
        SimSoftware::Friendica => Some(PostCoverage {
            quotes: Na(Unavailable::NotExposed),
            ..PostCoverage::all(Itemised)
        }),
        _ => None,
    }
}

/// The expected coverage of post `post` of the world, if a rule covers its origin.
pub(crate) fn of_post(world: &World, post: u32) -> Option<PostCoverage> {
    let p = world.posts().get(post as usize)?;
    let software = world.instance_of(p.actor)?.software;
    let owned = world
        .brands()
        .get(p.brand as usize)
        .is_some_and(|b| b.token.is_some());
    let mut coverage = expected(software, owned)?;
    if software == SimSoftware::Wordpress {
        // A count of 0 leaves no one unknown: the kind is known in full.
        let reported = super::reports::reported_counts(world, post);
        if reported.likes == Some(0) {
            coverage.likes = Coverage::Itemised;
        }
        if reported.boosts == Some(0) {
            coverage.boosts = Coverage::Itemised;
        }
    }
    Some(coverage)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_software_that_hosts_a_brand_has_a_rule() {
        let world = World::generate(&crate::world::WorldOptions {
            tour: true,
            ..crate::world::WorldOptions::default()
        });
        for brand in world.brands() {
            for &actor in &brand.actors {
                let software = world.instance_of(actor).map(|i| i.software);
                assert!(
                    software.is_some_and(|s| expected(s, brand.token.is_some()).is_some()),
                    "brand {} on {software:?} has no coverage rule",
                    brand.name
                );
            }
        }
    }
}
