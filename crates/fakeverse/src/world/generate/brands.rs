//! The brands: the three of every world (Acme owned, Globex and Initech watched), and
//! the tour's owned and watched brand on each software (`WorldOptions::tour`).

use rand::Rng;

use super::Gen;
use crate::world::{Actor, Brand, OptOut, Quirk, SimSoftware, WorldOptions};

/// The brands: name, accounts (software of the home, user name, followers), owned.
/// A brand account: the software of its home, its user name, its followers on day 0.
type Account<'a> = (SimSoftware, &'a str, u32);

pub(super) const BRANDS: [(&str, &[Account<'static>], bool); 3] = [
    (
        "Acme",
        &[
            (SimSoftware::Mastodon, "acme", 12_000),
            (SimSoftware::Peertube, "acme_videos", 3_100),
        ],
        true,
    ),
    (
        "Globex",
        &[(SimSoftware::Mastodon, "globex", 28_000)],
        false,
    ),
    (
        "Initech",
        &[(SimSoftware::Misskey, "initech", 5_200)],
        false,
    ),
];

/// The softwares of the tour ([`WorldOptions::tour`]): each is home to an owned and a
/// watched brand of one account.
pub const TOUR: [SimSoftware; 14] = [
    SimSoftware::Mastodon,
    SimSoftware::Pleroma,
    SimSoftware::Akkoma,
    SimSoftware::Misskey,
    SimSoftware::Sharkey,
    SimSoftware::Fedired,
    SimSoftware::Peertube,
    SimSoftware::Gotosocial,
    SimSoftware::Lemmy,
    SimSoftware::Mbin,
    SimSoftware::Friendica,
    SimSoftware::Wordpress,
    SimSoftware::Threads,
    SimSoftware::Pixelfed,
];
/// The name of the tour's owned or watched brand on `software` (`owned_pleroma`).
pub fn tour_brand(software: SimSoftware, owned: bool) -> String {
    let kind = if owned { "owned" } else { "watched" };
    format!("{kind}_{}", software.slug())
}

/// Followers of each tour brand's account on day 0.
const TOUR_FOLLOWERS: u32 = 2_000;

/// Every brand of the world, their homes made in `g` (brand homes come first).
pub(super) fn generate(g: &mut Gen, options: &WorldOptions, mean_actors: f64) -> Vec<Brand> {
    let mut brands = Vec::new();
    for (name, accounts, owned) in BRANDS {
        let brand = g.add_brand(&brands, name, accounts, owned, options.seed, mean_actors);
        brands.push(brand);
    }
    if options.tour {
        for software in TOUR {
            for owned in [true, false] {
                let name = tour_brand(software, owned);
                let user = format!("{}_brand", software.slug());
                let accounts = [(software, user.as_str(), TOUR_FOLLOWERS)];
                let brand =
                    g.add_brand(&brands, &name, &accounts, owned, options.seed, mean_actors);
                brands.push(brand);
            }
        }
    }
    brands
}

impl Gen {
    /// A brand whose accounts each live on a well-behaved host of their own, made here;
    /// it will be brand number `brands.len()`.
    pub(super) fn add_brand(
        &mut self,
        brands: &[Brand],
        name: &str,
        accounts: &[Account<'_>],
        owned: bool,
        seed: u64,
        mean_actors: f64,
    ) -> Brand {
        let b = u16::try_from(brands.len()).unwrap_or(0);
        let mut actors = Vec::new();
        for &(software, user, followers) in accounts {
            let host = self.next_name(software.slug());
            let count = self.actor_count(mean_actors);
            self.add_instance(host, software, Quirk::Normal, count);
            let key = self.rng.random::<u64>();
            let instance = u32::try_from(self.instances.len() - 1).unwrap_or(0);
            let index = u32::try_from(self.actors.len()).unwrap_or(u32::MAX);
            self.actors.push(Actor {
                instance,
                username: user.into(),
                followers,
                growth: u16::try_from(followers / 150).unwrap_or(u16::MAX),
                opt_out: OptOut::None,
                gone: false,
                brand: Some(b),
                key,
            });
            if let Some(i) = self.instances.last_mut() {
                i.actors.end = index + 1;
            }
            actors.push(index);
        }
        let token = owned.then(|| format!("fakeverse-{}-{seed:016x}", name.to_lowercase()));
        Brand {
            name: name.to_owned(),
            actors,
            token,
        }
    }
}
