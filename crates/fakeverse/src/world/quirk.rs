//! How a simulated host misbehaves (or doesn't), and what that hides from a correct
//! crawler.

/// A host's behaviour. One per host; most hosts are [`Quirk::Normal`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Quirk {
    /// Answers everything as its software would.
    Normal,
    /// Serves no NodeInfo (404 on `/.well-known/nodeinfo`): its software is learned from
    /// the `@context` of its documents, or stays unknown.
    NoNodeinfo,
    /// Drops every connection before answering.
    Dead,
    /// Answers every request after a delay.
    Slow,
    /// Answers bursts of 503 with `Retry-After` (half a second every three), then
    /// recovers.
    ServerErrors,
    /// Its ActivityPub and NodeInfo documents are truncated JSON.
    MalformedJson,
    /// Its ActivityPub and NodeInfo documents are an HTML page.
    HtmlBody,
    /// Its ActivityPub and NodeInfo documents carry `Content-Type: text/html`.
    WrongContentType,
    /// Its actors (and its NodeInfo) redirect to each other forever.
    RedirectLoop,
    /// Its collections' `next` never runs out.
    EndlessPages,
    /// Its actor and NodeInfo documents are larger than any crawler should read.
    Oversized,
    /// 410 Gone for everything, robots.txt included: the whole host opted out.
    Gone,
    /// Its actors (and its NodeInfo) redirect to a loopback address the crawler must
    /// refuse.
    DenyRedirect,
    /// robots.txt disallows everything.
    RobotsAll,
    /// robots.txt disallows a few paths a crawler never needs.
    RobotsPartial,
    /// robots.txt sets a `Crawl-delay`.
    CrawlDelay,
    /// Well-behaved, but its documents have the shapes of bovine-herd (a real server the
    /// interop test crawls): WebFinger with only a `self` link, NodeInfo 2.0 at
    /// `/activitypub/nodeinfo2_0` beside an Application link, notes addressed
    /// `"to": "as:Public"` with `cc` a plain string, and `replies`, `likes` and
    /// `shares` as URL strings to unpaged OrderedCollections of ids.
    BovineShapes,
    /// A replier whose reply's `replies` collection never ends, each page full of new
    /// replies (the amplifier of issue #12).
    Amplifier,
    /// A replier whose reply's `replies` never end, and each of those replies has its
    /// own endless `replies`, as deep as a crawler follows.
    NestedEndless,
    /// Sends every document (robots.txt aside) one byte a second.
    Drip,
    /// Sends every document (robots.txt aside) gzip-encoded whatever was asked, a few
    /// hundred kilobytes that inflate to a gibibyte.
    GzipBomb,
}

impl Quirk {
    /// The misbehaving kinds, each given to a few hosts of every world.
    pub const MISBEHAVING: [Self; 16] = [
        Self::NoNodeinfo,
        Self::Dead,
        Self::Slow,
        Self::ServerErrors,
        Self::MalformedJson,
        Self::HtmlBody,
        Self::WrongContentType,
        Self::RedirectLoop,
        Self::EndlessPages,
        Self::Oversized,
        Self::Gone,
        Self::DenyRedirect,
        Self::RobotsAll,
        Self::RobotsPartial,
        Self::CrawlDelay,
        Self::BovineShapes,
    ];

    /// The hostile kinds: hosts that would take a crawl down, each given to one host of
    /// every world, engaging only with the lure post (see [`crate::World::lure`]), so
    /// that they leave every brand's figures as they were.
    pub const HOSTILE: [Self; 4] = [
        Self::Amplifier,
        Self::NestedEndless,
        Self::Drip,
        Self::GzipBomb,
    ];

    /// The name used in host names and the truth (`dead-1.example`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Normal => "normal",
            Self::NoNodeinfo => "no-nodeinfo",
            Self::Dead => "dead",
            Self::Slow => "slow",
            Self::ServerErrors => "server-errors",
            Self::MalformedJson => "malformed-json",
            Self::HtmlBody => "html-body",
            Self::WrongContentType => "wrong-content-type",
            Self::RedirectLoop => "redirect-loop",
            Self::EndlessPages => "endless-pages",
            Self::Oversized => "oversized",
            Self::Gone => "gone",
            Self::DenyRedirect => "deny-redirect",
            Self::RobotsAll => "robots-all",
            Self::RobotsPartial => "robots-partial",
            Self::CrawlDelay => "crawl-delay",
            Self::BovineShapes => "bovine-shapes",
            Self::Amplifier => "amplifier",
            Self::NestedEndless => "nested-endless",
            Self::Drip => "drip",
            Self::GzipBomb => "gzip-bomb",
        }
    }

    /// Whether a correct crawler cannot read this host's actor documents (so it never
    /// learns anything from them). Engagers on such hosts only ever like Mastodon posts,
    /// whose origin names them in `favourited_by`; their follower count stays unknown.
    pub fn actors_unreadable(self) -> bool {
        matches!(
            self,
            Self::Dead
                | Self::MalformedJson
                | Self::HtmlBody
                | Self::WrongContentType
                | Self::RedirectLoop
                | Self::Oversized
                | Self::DenyRedirect
                | Self::RobotsAll
                | Self::Drip
                | Self::GzipBomb
        )
    }

    /// Whether the host spoils its NodeInfo document as it spoils its ActivityPub ones,
    /// so that a crawl, which reads the NodeInfo of every engaging instance, meets the
    /// misbehaviour (and reports the host) even where it reads none of its actors.
    pub fn spoils_nodeinfo(self) -> bool {
        matches!(
            self,
            Self::MalformedJson
                | Self::HtmlBody
                | Self::WrongContentType
                | Self::Oversized
                | Self::RedirectLoop
                | Self::DenyRedirect
                | Self::GzipBomb
        )
    }

    /// Whether a correct crawler can read this host's NodeInfo.
    pub fn nodeinfo_readable(self) -> bool {
        !matches!(
            self,
            Self::NoNodeinfo | Self::Dead | Self::Gone | Self::RobotsAll | Self::Drip
        ) && !self.spoils_nodeinfo()
    }
}
