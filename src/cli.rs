//! The command line of BRIEF section 4, as clap types.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

/// Engagement analytics for the fediverse: where a brand's audience really is.
///
/// fedireach crawls the public replies, boosts, likes and quotes of a brand's posts,
/// politely, keeps them in SQLite, and reports reach by server software and instance.
#[derive(Debug, Parser)]
#[command(
    name = "fedireach",
    version,
    propagate_version = true,
    max_term_width = 100
)]
pub struct Cli {
    /// Config file (TOML). Default: ./fedireach.toml when it exists.
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Database as a sqlx URL, created on first use [default: sqlite://fedireach.db].
    #[arg(long, global = true, value_name = "URL")]
    pub db: Option<String>,

    /// More logging on stderr (-v info, -vv debug); RUST_LOG overrides.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,

    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Add, list and remove brands (named groups of tracked actors).
    #[command(subcommand)]
    Brand(BrandCommand),
    /// Purge what is stored of an actor or instance, and keep it out of later crawls.
    #[command(subcommand)]
    Forget(ForgetCommand),
    /// Crawl the brands' posts and engagements once (for cron and systemd timers).
    ///
    /// Exit status: 0 done, 3 done but some hosts failed (unreachable, 5xx, timeouts,
    /// malformed; refusals such as robots.txt, 401/403 or 410 are normal) or a brand
    /// actor could not be resolved or have its posts listed, 1 error.
    Crawl(CrawlArgs),
    /// Print a report: reach, posts, instances, timeline, best-time, hashtags, languages,
    /// compare, followers or consent.
    ///
    /// Dates are YYYY-MM-DD, both inclusive, in --tz. JSON is stable (sorted; shapes in
    /// the README); CSV has a header row and guards cells against formula injection.
    #[command(
        after_help = "Examples:\n  fedireach report reach --brand acme --from 2026-10-01 --to 2026-10-31\n  fedireach report compare --brand acme --brand rival --format csv --out compare.csv"
    )]
    Report(ReportArgs),
    /// Run the simulated fediverse alone (tests, benchmarks, exploring).
    ///
    /// One server on loopback plays every simulated instance, routed by Host (and SNI);
    /// the first line on stdout is `listening on IP:PORT`, then a summary of the world.
    /// Point the crawler at it with network.resolve_all = "IP:PORT" and
    /// network.extra_ca_file = the --ca file.
    #[cfg(feature = "simulation")]
    Fakeverse(FakeverseArgs),
    /// Serve the dashboard and the JSON API (read-only unless an admin token is set).
    /// Pages at /, /brands/NAME, /compare, /instances/HOST and /crawls; the JSON API
    /// under /api/v1/. Actions (add a brand, queue a crawl) need the token held by the
    /// variable that `admin_token_env` names. Stops cleanly on Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// The simulated fediverse, a crawl of it, and the dashboard: fedireach working in
    /// a minute, with no internet and no setup.
    ///
    /// Starts the small simulated world on loopback, adds its brands (one owned, two
    /// watched competitors) to a fresh demo database, crawls it with a progress bar and
    /// serves the dashboard, with the schedule and "crawl now" pointed at the simulated
    /// world. Your own database and config are never touched.
    #[cfg(feature = "simulation")]
    Demo(DemoArgs),
    /// Send the report mails of `[[delivery]]` that are due and the alerts of
    /// `[[alert]]` (what `serve` does after each scheduled crawl), once per period and
    /// event; or, with --now NAME, one delivery at once, for trying a config.
    #[command(
        after_help = "Examples:\n  fedireach deliver --now monthly-report\n  fedireach deliver"
    )]
    Deliver(DeliverArgs),
    /// Print the effective configuration (defaults, file, environment and flags merged).
    Config,
    /// Export or import the instance actor's signing key (kept in the database).
    ///
    /// Servers cache the key of the actor at `public_url` (GoToSocial keeps it and
    /// refuses every signature made with another): a new database behind the same
    /// public_url must import the old database's key.
    #[command(
        subcommand,
        after_help = "Examples:\n  fedireach --db sqlite://old.db key export --out instance-key.pem\n  fedireach --db sqlite://new.db key import instance-key.pem"
    )]
    Key(KeyCommand),
}

#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// Print the instance actor's private key (PKCS#8 PEM). Keep it secret.
    Export {
        /// Write it to this file (created readable by its owner only) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Store a key exported from another database as the instance actor's key.
    Import {
        /// The PEM file, or - for stdin.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Replace a different key already in this database (servers that cached it
        /// will refuse the new one).
        #[arg(long)]
        replace: bool,
    },
}

#[derive(Debug, Args)]
pub struct DeliverArgs {
    /// Send this delivery now for its current period, whether or not it went out
    /// (not recorded: the scheduled mail still goes).
    #[arg(long, value_name = "NAME")]
    pub now: Option<String>,
}

#[derive(Debug, Args)]
pub struct DemoArgs {
    /// The simulated world's seed: another seed, another world.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Address of the dashboard.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8080")]
    pub listen: std::net::SocketAddr,
    /// Keep the demo database and files in this folder (created if missing) instead of
    /// a temporary one removed on exit.
    #[arg(long, value_name = "DIR")]
    pub dir: Option<PathBuf>,
    /// A directory of dashboard definitions and templates to use instead of the ones
    /// built into the binary (a copy of the repository's `dashboards/`, edited).
    #[arg(long, value_name = "DIR")]
    pub dashboards: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum BrandCommand {
    /// Add a brand with one or more actors.
    ///
    /// Actors are @user@domain, user@domain, or an https:// actor URL (http:// only
    /// with network.allow_http). With --token-env the brand is owned: its read-only
    /// token for the first actor's home server is read from that environment variable at
    /// crawl time, never written to the database. Without it the brand is watched:
    /// public data only, aggregate figures only.
    #[command(
        after_help = "Examples:\n  fedireach brand add acme @acme@mastodon.social https://tube.example/video-channels/acme\n  fedireach brand add mine @me@example.social --token-env MINE_TOKEN"
    )]
    Add(BrandAdd),
    /// List the brands and their actors.
    List,
    /// Remove a brand, its posts and their engagements.
    Remove {
        /// The brand's name.
        name: String,
    },
}

#[derive(Debug, Args)]
pub struct BrandAdd {
    /// The brand's name (letters, digits, spaces, - _ .).
    pub name: String,
    /// Its actors: @user@domain, user@domain or an actor URL.
    #[arg(required = true, value_name = "ACTOR")]
    pub actors: Vec<String>,
    /// Environment variable holding the brand's read-only token (makes it owned).
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
}

#[derive(Debug, Subcommand)]
pub enum ForgetCommand {
    /// Purge an engager, by actor URL or handle, and remember the opt-out.
    Actor {
        /// An actor URL, @user@domain or user@domain.
        #[arg(value_name = "URI|HANDLE")]
        actor: String,
    },
    /// Purge everything stored of an instance, and remember the opt-out.
    Instance {
        /// The instance's host name.
        host: String,
    },
}

#[derive(Debug, Args)]
pub struct CrawlArgs {
    /// Crawl only this brand.
    #[arg(long, value_name = "NAME")]
    pub brand: Option<String>,
    /// How far back to walk outboxes: all, a duration (90d) or a date (YYYY-MM-DD)
    /// [default: crawl.since, 90d].
    #[arg(long, value_name = "all|DURATION|DATE")]
    pub since: Option<fedireach_core::Since>,
    /// At most this many posts per tracked actor, newest first.
    #[arg(long, value_name = "N")]
    pub max_posts: Option<usize>,
    /// Run the queued crawl jobs (the dashboard's "crawl now"), oldest first, then exit.
    #[arg(long, conflicts_with = "brand")]
    pub queue: bool,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// reach, posts, instances, timeline, best-time, hashtags, languages, compare,
    /// followers, consent.
    pub kind: fedireach_analytics::ReportKind,
    /// The brand (repeat for compare).
    #[arg(long = "brand", value_name = "NAME", required = true)]
    pub brands: Vec<String>,
    /// First day, YYYY-MM-DD (default: all time).
    #[arg(long, value_name = "DATE")]
    pub from: Option<String>,
    /// Last day, YYYY-MM-DD, inclusive (default: all time).
    #[arg(long, value_name = "DATE")]
    pub to: Option<String>,
    /// Time zone of the dates and of best-time's hours [default: UTC].
    #[arg(long, value_name = "ZONE")]
    pub tz: Option<String>,
    /// table, csv or json [default: table].
    #[arg(long, default_value = "table")]
    pub format: fedireach_analytics::Format,
    /// Write to this file instead of stdout.
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Timeline buckets.
    #[arg(long, value_enum, default_value = "day")]
    pub by: Bucket,
    /// Add the previous period of the same length and the change (always on for tables).
    #[arg(long)]
    pub previous: bool,
    /// Compare with the same days a year before instead (year over year; implies
    /// --previous).
    #[arg(long)]
    pub previous_year: bool,
    /// Compare with as many days from this date (YYYY-MM-DD) instead: any period to set
    /// against the window, such as the last launch (implies --previous).
    #[arg(long, value_name = "DATE", conflicts_with = "previous_year")]
    pub compare_from: Option<String>,
}

/// Timeline buckets.
#[derive(Debug, Clone, Copy, clap::ValueEnum)]
pub enum Bucket {
    Day,
    Week,
}

#[cfg(feature = "simulation")]
#[derive(Debug, Args)]
pub struct FakeverseArgs {
    /// The world's seed: same seed and scale, same bytes.
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// small (demo), medium or large (about a million engagements).
    #[arg(long, default_value = "small")]
    pub scale: fedireach_fakeverse::Scale,
    /// Serve the world this many days later (new posts, undone likes, grown followers;
    /// Globex publishes its launch post on day 20, so day 21 has a spike), at most 30.
    #[arg(long, default_value_t = 0)]
    pub day: u32,
    /// Where to listen (loopback) [default: 127.0.0.1:0, a free port].
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Write the ground truth (JSON) here.
    #[arg(long, value_name = "FILE")]
    pub truth: Option<PathBuf>,
    /// Write the CA certificate (PEM) the crawler must trust here.
    #[arg(long, value_name = "FILE")]
    pub ca: Option<PathBuf>,
    /// http:// ids and no TLS, for debugging.
    #[arg(long)]
    pub plain_http: bool,
    /// Every host takes this long to answer each request, in milliseconds, as real
    /// servers do (e.g. 150); 0 answers at once.
    #[arg(long, value_name = "MS", default_value_t = 0)]
    pub latency: u64,
    /// Also an owned and a watched brand with one account on each software of the
    /// tour (`owned_pleroma`, `watched_gotosocial`...), to see what can be read of a
    /// brand on each.
    #[arg(long)]
    pub tour: bool,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: listen, 127.0.0.1:8080]; port 0 picks a free one.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Do not crawl on the schedule (schedule.cron); crawls queued from the dashboard
    /// or the API still run, one at a time.
    #[arg(long)]
    pub no_schedule: bool,
    /// A directory of dashboard definitions and templates to use instead of the ones
    /// built into the binary (a copy of the repository's `dashboards/`, edited).
    #[arg(long, value_name = "DIR")]
    pub dashboards: Option<PathBuf>,
}
