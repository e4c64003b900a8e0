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
    /// malformed; refusals such as robots.txt, 401/403 or 410 are normal), 1 error.
    Crawl(CrawlArgs),
    /// Serve the dashboard and the JSON API (read-only unless an admin token is set).
    ///
    /// Pages at /, /brands/NAME, /compare, /instances/HOST and /crawls; the JSON API
    /// under /api/v1/. Actions (add a brand, queue a crawl) need the token held by the
    /// variable that `admin_token_env` names. Stops cleanly on Ctrl-C or SIGTERM.
    Serve(ServeArgs),
    /// Print the effective configuration (defaults, file, environment and flags merged).
    Config,
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
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on [default: listen, 127.0.0.1:8080]; port 0 picks a free one.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<String>,
    /// Do not run the nightly crawl schedule. The schedule arrives with its own issue:
    /// until then `serve` never crawls, with or without this flag (queued crawls run
    /// with `fedireach crawl --queue`).
    #[arg(long)]
    pub no_schedule: bool,
    /// The directory of dashboard definitions and templates.
    #[arg(long, value_name = "DIR", default_value = "dashboards")]
    pub dashboards: PathBuf,
}
