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
    expected(software, owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_software_that_hosts_a_brand_has_a_rule() {
        let world = World::generate(&crate::world::WorldOptions::default());
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
