//! A short text description of a world, printed by `fedireach fakeverse` after its
//! `listening on` line.

use std::{collections::BTreeMap, fmt::Write};

use super::{Quirk, World};

impl World {
    /// A few lines a person reads: scale, clock, instances by software, misbehaving
    /// hosts, brands and their accounts, posts and engagements on the day seen.
    pub fn summary(&self) -> String {
        let mut out = String::new();
        let now = crate::time::rfc3339(self.now());
        let _ = writeln!(
            out,
            "fakeverse seed {} scale {} day {} (world time {now})",
            self.seed, self.scale, self.day
        );
        let mut by_software: BTreeMap<&str, usize> = BTreeMap::new();
        for i in &self.instances {
            *by_software.entry(i.software.slug()).or_default() += 1;
        }
        let list: Vec<String> = by_software
            .iter()
            .map(|(s, n)| format!("{s} {n}"))
            .collect();
        let _ = writeln!(
            out,
            "instances: {} ({})",
            self.instances.len(),
            list.join(", ")
        );
        let odd: Vec<String> = Quirk::MISBEHAVING
            .iter()
            .map(|q| format!("{} {}", q.as_str(), self.hosts_with(*q).len()))
            .collect();
        let _ = writeln!(out, "misbehaving hosts: {}", odd.join(", "));
        let _ = writeln!(out, "actors: {}", self.actors.len());
        for brand in &self.brands {
            let handles: Vec<String> = brand.actors.iter().map(|a| self.handle(*a)).collect();
            let owned = if brand.token.is_some() {
                "owned"
            } else {
                "watched"
            };
            let _ = writeln!(out, "brand {} ({owned}): {}", brand.name, handles.join(" "));
        }
        let posts = self.posts.iter().filter(|p| self.post_counted(p)).count();
        let engagements = self
            .engagements
            .iter()
            .filter(|e| {
                self.engagement_visible(e)
                    && self
                        .posts
                        .get(e.post as usize)
                        .is_some_and(|p| self.post_counted(p))
            })
            .count();
        let _ = writeln!(out, "posts: {posts}, engagements: {engagements}");
        let _ = writeln!(
            out,
            "lure (no brand; engaged by the hosts that would take a crawl down): {}",
            self.lure()
        );
        out
    }
}
