//! robots.txt, fetched before anything else on a host and obeyed for our agent and `*`,
//! Crawl-delay included (BRIEF section 3).

use std::time::Duration;

use fedireach_core::RobotsState;
use texting_robots::Robot;

/// The product token robots.txt groups are matched against.
pub const ROBOTS_AGENT: &str = "fedireach";

/// Longest Crawl-delay honoured as given; a larger one is treated as "do not crawl".
pub const MAX_CRAWL_DELAY: Duration = Duration::from_secs(60);

/// What a host's robots.txt says.
#[derive(Debug)]
pub enum Robots {
    /// No rules (404 and other 4xx, or an empty file).
    AllowAll,
    /// Rules to check each path against.
    Rules(Box<Robot>),
    /// Everything is off limits for this crawl: the file could not be read (5xx,
    /// unreachable), so the host's wishes are unknown.
    Unavailable,
    /// 410 Gone: the host opted out; what is stored of it is purged.
    Gone,
}

impl Robots {
    /// From a robots.txt response status and body.
    pub fn from_response(status: u16, body: &[u8]) -> Self {
        match status {
            200..=299 => match Robot::new(ROBOTS_AGENT, body) {
                Ok(robot) => Self::Rules(Box::new(robot)),
                // An unreadable file states no rule.
                Err(_) => Self::AllowAll,
            },
            410 => Self::Gone,
            400..=499 => Self::AllowAll,
            _ => Self::Unavailable,
        }
    }

    /// Whether the URL may be fetched.
    pub fn allows(&self, url: &str) -> bool {
        match self {
            Self::AllowAll => true,
            Self::Rules(robot) => robot.allowed(url),
            Self::Unavailable | Self::Gone => false,
        }
    }

    /// The Crawl-delay for our agent, if any.
    pub fn crawl_delay(&self) -> Option<Duration> {
        match self {
            Self::Rules(robot) => robot
                .delay
                .and_then(|d| Duration::try_from_secs_f32(d).ok())
                .map(|d| d.min(MAX_CRAWL_DELAY)),
            _ => None,
        }
    }

    /// How the instance page shows it; `None` for a host gone (410), which is purged.
    pub fn state(&self) -> Option<RobotsState> {
        match self {
            Self::AllowAll => Some(RobotsState::Allowed),
            Self::Rules(robot) if !robot.allowed("/") => Some(RobotsState::Disallowed),
            Self::Rules(_) => Some(RobotsState::Partial),
            Self::Unavailable => Some(RobotsState::Unknown),
            Self::Gone => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rules_for_us_and_everyone() {
        let body = b"User-agent: *\nDisallow: /private/\nCrawl-delay: 2\n\nUser-agent: fedireach\nDisallow: /api/\n";
        let robots = Robots::from_response(200, body);
        for (url, allowed) in [
            ("https://a.example/users/x", true),
            ("https://a.example/api/v1/statuses/1", false),
            // A group for our agent replaces the `*` group.
            ("https://a.example/private/x", true),
        ] {
            assert_eq!(robots.allows(url), allowed, "{url}");
        }
        let star_only = Robots::from_response(
            200,
            b"User-agent: *\nDisallow: /.well-known/nodeinfo\nCrawl-delay: 2\n",
        );
        assert!(!star_only.allows("https://threads.net/.well-known/nodeinfo"));
        assert!(star_only.allows("https://threads.net/@someone"));
        assert_eq!(star_only.crawl_delay(), Some(Duration::from_secs(2)));
        assert_eq!(star_only.state(), Some(RobotsState::Partial));
        let closed = Robots::from_response(200, b"User-agent: fedireach\nDisallow: /\n");
        assert_eq!(closed.state(), Some(RobotsState::Disallowed));
        assert_eq!(
            Robots::from_response(404, b"").state(),
            Some(RobotsState::Allowed)
        );
        assert_eq!(
            Robots::from_response(503, b"").state(),
            Some(RobotsState::Unknown)
        );
        assert_eq!(Robots::from_response(410, b"").state(), None);
    }

    #[test]
    fn statuses() {
        assert!(Robots::from_response(404, b"").allows("https://a.example/x"));
        assert!(Robots::from_response(403, b"").allows("https://a.example/x"));
        assert!(!Robots::from_response(503, b"").allows("https://a.example/x"));
        assert!(matches!(Robots::from_response(410, b""), Robots::Gone));
        assert!(
            !Robots::from_response(200, b"User-agent: *\nDisallow: /\n")
                .allows("https://a.example/x")
        );
        assert!(Robots::from_response(200, b"").allows("https://a.example/x"));
    }
}
