//! Each simulated software's real robots.txt, recorded byte for byte from the
//! software's own source (the files under `data/robots/`, their origin beside each
//! below), and the reading of it that a polite crawler makes (RFC 9309: the group of
//! our agent, else `*`; the longest matching rule wins, `Allow` on a tie).
//!
//! The fakeverse serves the recorded file as it is, except that a `Crawl-delay` is
//! divided by [`super::ServerOptions::time_scale`], as the rate-limit windows are, so
//! that tests see GoToSocial's 500 s and Lemmy's 60 s in seconds; with a time scale
//! of 1 the file served is the recorded one, byte for byte.

use crate::world::SimSoftware;

/// The product token a crawler's group is looked up by (the crawler's own agent name).
const AGENT: &str = "fedireach";

/// One software's recorded robots.txt and where it comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RecordedRobots {
    pub software: SimSoftware,
    /// The file, as the software serves it by default.
    pub body: &'static str,
    /// Repository and path (or URL) the file was taken from.
    pub source: &'static str,
    /// `false` where the software's own file could not be found and the recording is
    /// an assumption (named in `source`).
    pub verified: bool,
}

/// The robots.txt each software serves by default.
pub fn recorded_robots(software: SimSoftware) -> RecordedRobots {
    let (body, source, verified) = match software {
        SimSoftware::Mastodon => (
            include_str!("../../data/robots/mastodon.txt"),
            "mastodon/mastodon public/robots.txt",
            true,
        ),
        // The default `instance-stats-mode` ("" = not "serve") serves the variant that
        // also disallows NodeInfo (internal/api/robots/robots.go picks it).
        SimSoftware::Gotosocial => (
            include_str!("../../data/robots/gotosocial.txt"),
            "superseriousbusiness/gotosocial internal/api/util/robots.go (RobotsTxtDisallowNodeInfo, \
             chosen by internal/api/robots/robots.go unless instance-stats-mode is serve)",
            true,
        ),
        SimSoftware::Misskey => (
            include_str!("../../data/robots/misskey.txt"),
            "misskey-dev/misskey packages/backend/assets/robots.txt",
            true,
        ),
        // Misskey forks: their repositories are not in the searchable index; they keep
        // Misskey's packages/backend/assets/robots.txt as far as is known.
        SimSoftware::Sharkey => (
            include_str!("../../data/robots/misskey.txt"),
            "assumed: Misskey's packages/backend/assets/robots.txt (Sharkey's own repository \
             on activitypub.software was not found)",
            false,
        ),
        SimSoftware::Fedired => (
            include_str!("../../data/robots/misskey.txt"),
            "assumed: Misskey's packages/backend/assets/robots.txt (Fedired's own file was \
             not found)",
            false,
        ),
        SimSoftware::Pixelfed => (
            include_str!("../../data/robots/pixelfed.txt"),
            "pixelfed/pixelfed public/robots.txt",
            true,
        ),
        SimSoftware::Peertube => (
            include_str!("../../data/robots/peertube.txt"),
            "Chocobozzz/PeerTube config/default.yaml (instance.robots)",
            true,
        ),
        SimSoftware::Lemmy => (
            include_str!("../../data/robots/lemmy.txt"),
            "LemmyNet/lemmy-ui src/server/handlers/robots-handler.ts",
            true,
        ),
        // 560-odd named bad-bot groups are left out of the recording (see the file's
        // comment); the `*` group and the groups after the list are verbatim.
        SimSoftware::Mbin => (
            include_str!("../../data/robots/mbin.txt"),
            "MbinOrg/mbin public/robots.txt (abridged: the named bad-bot list)",
            true,
        ),
        SimSoftware::Friendica => (
            include_str!("../../data/robots/friendica.txt"),
            "friendica/friendica src/Module/RobotsTxt.php",
            true,
        ),
        SimSoftware::Wordpress => (
            include_str!("../../data/robots/wordpress.txt"),
            "WordPress wp-includes/functions.php do_robots() (a public blog, no plugin filter)",
            true,
        ),
        // Pleroma's docs say the robots.txt it ships is permissive
        // (docs/administration/CLI_tasks/robots_txt.md); the shipped file itself
        // (priv/static/robots.txt) was not found, so its text is an assumption.
        SimSoftware::Pleroma | SimSoftware::Akkoma => (
            include_str!("../../data/robots/pleroma.txt"),
            "assumed permissive, per pleroma docs/administration/CLI_tasks/robots_txt.md \
             (priv/static/robots.txt not found)",
            false,
        ),
        // threads.net's file is not in any public repository; kept as simulated before.
        SimSoftware::Threads => (
            include_str!("../../data/robots/threads.txt"),
            "not found: threads.net/robots.txt is in no public source; unverified",
            false,
        ),
    };
    RecordedRobots {
        software,
        body,
        source,
        verified,
    }
}

/// The robots.txt a host serves before any time scaling: its software's real file, or
/// the one its quirk replaces it with; `None` where the host answers 410 Gone.
pub(crate) fn host_body(inst: &super::Instance) -> Option<std::borrow::Cow<'static, str>> {
    use super::Quirk;
    use std::borrow::Cow;
    Some(match inst.quirk {
        Quirk::Gone => return None,
        Quirk::RobotsAll => Cow::Borrowed("User-agent: *\nDisallow: /\n"),
        Quirk::RobotsPartial => Cow::Borrowed(
            "User-agent: *\nDisallow: /tags/\nDisallow: /search\nDisallow: /media_proxy/\n",
        ),
        Quirk::CrawlDelay => Cow::Owned(format!(
            "User-agent: *\nCrawl-delay: {CRAWL_DELAY_SECS}\nDisallow: /media_proxy/\n"
        )),
        _ => Cow::Borrowed(recorded_robots(inst.software).body),
    })
}

/// The `Crawl-delay` of the hosts with the crawl-delay quirk, in seconds (not scaled:
/// a crawler reads it literally).
pub const CRAWL_DELAY_SECS: u64 = 1;

/// The rules of a host's robots.txt that apply to fedireach; `None` for 410 Gone.
pub(crate) fn host_rules(inst: &super::Instance) -> Option<Rules> {
    host_body(inst).map(|body| Rules::parse(&body))
}

/// `body` with every `Crawl-delay` divided by `time_scale` (the same bytes when it is 1).
pub(crate) fn scaled(body: &str, time_scale: f64) -> String {
    if (time_scale - 1.0).abs() < f64::EPSILON || time_scale.is_nan() || time_scale <= 0.0 {
        return body.to_owned();
    }
    let mut out = String::with_capacity(body.len());
    for line in body.split_inclusive('\n') {
        let (text, end) = match line.strip_suffix('\n') {
            Some(t) => (t, "\n"),
            None => (line, ""),
        };
        let delay = text
            .split_once(':')
            .filter(|(k, _)| k.trim().eq_ignore_ascii_case("crawl-delay"))
            .and_then(|(k, v)| Some((k, v.trim().parse::<f64>().ok()?)));
        match delay {
            Some((key, secs)) => {
                let value = format!("{:.3}", secs / time_scale);
                let value = value.trim_end_matches('0').trim_end_matches('.');
                out.push_str(&format!("{key}: {value}{end}"));
            }
            None => out.push_str(line),
        }
    }
    out
}

/// The rules of the group that applies to fedireach.
#[derive(Debug, Default, Clone, PartialEq)]
pub(crate) struct Rules {
    /// (allow, pattern)
    rules: Vec<(bool, String)>,
    pub crawl_delay: Option<f64>,
}

impl Rules {
    /// Reads the group for our agent, else the `*` group (RFC 9309 section 2.2.1).
    pub fn parse(body: &str) -> Self {
        let mut ours: Option<Rules> = None;
        let mut star: Option<Rules> = None;
        let mut agents: Vec<String> = Vec::new();
        let mut current = Rules::default();
        let mut in_rules = false;
        let mut close = |agents: &mut Vec<String>, current: &mut Rules| {
            let group = std::mem::take(current);
            for agent in agents.drain(..) {
                let slot = if agent.eq_ignore_ascii_case(AGENT) {
                    &mut ours
                } else if agent == "*" {
                    &mut star
                } else {
                    continue;
                };
                let merged = slot.get_or_insert_with(Rules::default);
                merged.rules.extend(group.rules.iter().cloned());
                merged.crawl_delay = merged.crawl_delay.or(group.crawl_delay);
            }
        };
        for raw in body.lines() {
            let line = raw.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim());
            match key.as_str() {
                "user-agent" => {
                    if in_rules {
                        close(&mut agents, &mut current);
                        in_rules = false;
                    }
                    agents.push(value.to_owned());
                }
                "allow" | "disallow" => {
                    in_rules = true;
                    if !value.is_empty() {
                        current.rules.push((key == "allow", value.to_owned()));
                    }
                }
                "crawl-delay" => {
                    in_rules = true;
                    current.crawl_delay = value.parse().ok();
                }
                _ => {}
            }
        }
        close(&mut agents, &mut current);
        ours.or(star).unwrap_or_default()
    }

    /// Whether `path` may be fetched: the longest matching rule decides, `Allow` wins
    /// a tie, no match allows.
    pub fn allows(&self, path: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, path) {
                let len = pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// A robots.txt path pattern: `*` matches any run, a final `$` anchors the end;
/// without `$` a pattern matches every path it begins.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    glob(pattern.as_bytes(), path.as_bytes(), anchored)
}

fn glob(pattern: &[u8], path: &[u8], anchored: bool) -> bool {
    match pattern.split_first() {
        None => !anchored || path.is_empty(),
        Some((b'*', rest)) => (0..=path.len()).any(|i| glob(rest, &path[i..], anchored)),
        Some((c, rest)) => path
            .split_first()
            .is_some_and(|(p, tail)| p == c && glob(rest, tail, anchored)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_software_has_a_recording_with_its_source() {
        for software in SimSoftware::ALL {
            let r = recorded_robots(software);
            assert!(!r.body.is_empty(), "{software:?}");
            assert!(!r.source.is_empty(), "{software:?}");
        }
    }

    #[test]
    fn the_real_rules_as_fedireach_reads_them() {
        let rules = |s| Rules::parse(recorded_robots(s).body);
        let gts = rules(SimSoftware::Gotosocial);
        for path in [
            "/users/brand",
            "/api/v1/accounts/lookup",
            "/.well-known/webfinger",
            "/.well-known/nodeinfo",
            "/nodeinfo/2.0",
        ] {
            assert!(!gts.allows(path), "GoToSocial {path}");
        }
        assert!(gts.allows("/@brand"));
        assert_eq!(gts.crawl_delay, Some(500.0));
        // Mastodon's AI group says `Disallow: /`; the `*` group is what applies to us.
        let masto = rules(SimSoftware::Mastodon);
        assert!(masto.allows("/users/a/statuses/1"));
        assert!(masto.allows("/api/v1/statuses/1/favourited_by"));
        assert!(!masto.allows("/media_proxy/1"));
        let lemmy = rules(SimSoftware::Lemmy);
        assert!(!lemmy.allows("/api/v3/post"));
        assert!(lemmy.allows("/u/someone"));
        assert_eq!(lemmy.crawl_delay, Some(60.0));
        let mbin = rules(SimSoftware::Mbin);
        assert!(!mbin.allows("/login/x"));
        assert!(mbin.allows("/u/someone"));
        let wp = rules(SimSoftware::Wordpress);
        assert!(!wp.allows("/wp-admin/x"));
        assert!(wp.allows("/wp-admin/admin-ajax.php"));
        assert!(rules(SimSoftware::Peertube).allows("/accounts/a"));
        assert!(!rules(SimSoftware::Threads).allows("/.well-known/nodeinfo"));
        assert!(!rules(SimSoftware::Friendica).allows("/search?q=x"));
    }

    #[test]
    fn patterns() {
        assert!(matches("/login*", "/login/x"));
        assert!(matches("/a/*/b", "/a/x/y/b"));
        assert!(matches("/a$", "/a"));
        assert!(!matches("/a$", "/ab"));
        assert!(!matches("/b", "/a"));
    }

    #[test]
    fn crawl_delay_scaled_and_nothing_else() {
        let body = recorded_robots(SimSoftware::Gotosocial).body;
        assert_eq!(scaled(body, 1.0), body);
        let fast = scaled(body, 60.0);
        assert!(fast.contains("\nCrawl-delay: 8.333\n"), "{fast}");
        assert_eq!(fast.replace("Crawl-delay: 8.333", "Crawl-delay: 500"), body);
        let lemmy = recorded_robots(SimSoftware::Lemmy).body;
        assert!(scaled(lemmy, 60.0).ends_with("Crawl-delay: 1"));
    }
}
