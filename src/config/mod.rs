//! The configuration of BRIEF section 4: read once (file, then environment, then flags),
//! validated once, and handed down as typed sections.
//!
//! Every default is a named constant here, so `--help`, the example config and the code
//! agree. Unknown keys are errors that name the key (`deny_unknown_fields`).

mod delivery;
mod load;
mod validate;
pub mod values;

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, time::Duration};

use fedireach_analytics::ReportKind;
use fedireach_core::{Host, Since};
use ipnet::IpNet;
use serde::{Deserialize, Serialize};

pub use delivery::{DeliveryConfig, SmtpConfig};
pub use load::{ConfigSources, load};
pub use values::{CronExpr, Zone};

/// The database when none is configured: a file in the working directory.
pub const DEFAULT_DB: &str = "sqlite://fedireach.db";
/// Where `serve` listens by default: loopback only, nothing exposed by accident.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";
/// The environment variable holding the dashboard's admin token.
pub const DEFAULT_ADMIN_TOKEN_ENV: &str = "FEDIREACH_ADMIN_TOKEN";
/// Nightly at 03:00, when instances are quietest.
pub const DEFAULT_CRON: &str = "0 3 * * *";
/// A random delay added to each scheduled crawl, so many installations do not hit the
/// same servers at the same second.
pub const DEFAULT_JITTER: Duration = Duration::from_secs(10 * 60);
/// A first crawl walks back this far.
pub const DEFAULT_SINCE: Duration = Duration::from_secs(90 * 24 * 3600);
/// What a scheduled export covers: a month, give or take, for month-over-month reports.
pub const DEFAULT_EXPORT_WINDOW: Duration = Duration::from_secs(30 * 24 * 3600);
/// One request per second per host: below every server's published limit.
pub const DEFAULT_RATE_PER_HOST: f64 = 1.0;
/// A few requests may go back to back before the rate applies.
pub const DEFAULT_BURST: u32 = 5;
/// Requests in flight across all hosts.
pub const DEFAULT_CONCURRENCY: u32 = 32;
/// Levels of thread replies followed below a direct reply.
pub const DEFAULT_REPLY_DEPTH: u32 = 3;
/// Largest document read; anything bigger is refused unread.
pub const DEFAULT_MAX_DOCUMENT_BYTES: u64 = 5_000_000;
/// Whole-request time limit.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(20);
/// Redirects followed per request.
pub const DEFAULT_MAX_REDIRECTS: u32 = 5;

/// The whole configuration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// The database, as a sqlx URL; created and migrated on first use.
    pub db: String,
    /// The analytics' columnar copy of the facts (Parquet). Empty: beside the database
    /// file, as `FILE.facts` (none for an in-memory database).
    pub facts_dir: PathBuf,
    /// Where `serve` listens.
    pub listen: SocketAddr,
    /// Where `serve` is reachable from the internet; when set, the instance actor signs
    /// fetches. Empty: unsigned fetches only.
    #[serde(with = "values::optional_url")]
    pub public_url: Option<url::Url>,
    /// The environment variable holding the admin token (sent as `Authorization: Bearer`).
    pub admin_token_env: String,
    /// Environment variables a brand added through the dashboard or the API may name as
    /// its token (`brand add --token-env` on the command line may name any). Empty: none.
    pub brand_token_env_allow: Vec<String>,
    /// Any variable starting with this may be named too; empty: none by prefix.
    pub brand_token_env_prefix: String,
    /// A file of domains, one a line: never fetched, never shown. Empty: none.
    pub denylist_file: PathBuf,
    pub schedule: ScheduleConfig,
    pub exports: ExportsConfig,
    pub crawl: CrawlConfig,
    pub network: NetworkConfig,
    /// The mail server for report mails and alert mails.
    pub smtp: SmtpConfig,
    /// Report mails sent by themselves (`[[delivery]]`).
    pub delivery: Vec<DeliveryConfig>,
    /// Alert rules (`[[alert]]`).
    pub alert: Vec<fedireach_delivery::AlertRule>,
}

/// Reports written as CSV files after each scheduled crawl, so a monthly report needs
/// no clicking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExportsConfig {
    /// The folder written to, created if missing. Empty: no exports.
    pub dir: PathBuf,
    /// Report kinds (as `fedireach report KIND`), one file per brand and kind;
    /// `compare` is one file with every brand.
    pub reports: Vec<ReportKind>,
    /// Each export covers this long, up to the crawl's day (in `schedule.time_zone`).
    #[serde(with = "humantime_serde")]
    pub window: Duration,
}

impl Default for ExportsConfig {
    fn default() -> Self {
        Self {
            dir: PathBuf::new(),
            reports: vec![ReportKind::Reach, ReportKind::Posts, ReportKind::Instances],
            window: DEFAULT_EXPORT_WINDOW,
        }
    }
}

/// When `serve` crawls.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScheduleConfig {
    /// 5 fields, or 6 with seconds first.
    pub cron: CronExpr,
    /// An IANA zone name such as `Europe/Paris`.
    pub time_zone: Zone,
    #[serde(with = "humantime_serde")]
    pub jitter: Duration,
}

/// How the crawler behaves.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CrawlConfig {
    /// A first crawl's window: `all`, a duration, or a date.
    pub since: Since,
    /// Requests per second per host; servers' own rate-limit headers can only slow it.
    pub rate_per_host: f64,
    pub burst: u32,
    /// Requests in flight across all hosts.
    pub concurrency: u32,
    /// Levels of thread replies followed.
    pub reply_depth: u32,
    pub max_document_bytes: u64,
    /// What one host may cost a crawl, whatever it serves: items read from one
    /// collection, pages of one collection, items for one post, requests, and time spent
    /// waiting for its answers. Past a cap the host is reported `over_limit` and what was
    /// read is kept.
    pub max_items_per_collection: u64,
    pub max_pages_per_collection: u64,
    pub max_items_per_post: u64,
    pub max_requests_per_host: u64,
    #[serde(with = "humantime_serde")]
    pub host_time_budget: Duration,
    #[serde(with = "humantime_serde")]
    pub timeout: Duration,
    pub max_redirects: u32,
    /// In the User-Agent and on the instance actor.
    pub contact_url: String,
    /// The operator's data policy (what is collected, how to opt out), linked from the
    /// instance actor.
    pub policy_url: String,
    /// Per-host overrides, by host name.
    pub hosts: BTreeMap<Host, HostOverride>,
}

/// Politeness settings for one host.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HostOverride {
    pub rate_per_host: Option<f64>,
    pub burst: Option<u32>,
}

/// Name resolution and address guards, for tests and for users behind proxies.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct NetworkConfig {
    /// `IP:PORT` every host name resolves to. Empty: normal DNS.
    #[serde(with = "values::optional_addr")]
    pub resolve_all: Option<SocketAddr>,
    /// Per host name, `IP:PORT`.
    pub resolve: BTreeMap<Host, SocketAddr>,
    pub allow_loopback: bool,
    /// RFC 1918, link-local, CGNAT, ULA: refused unless set.
    pub allow_private: bool,
    /// Refused even when the above allow them.
    pub deny_addresses: Vec<IpNet>,
    /// Accept `http://` ids.
    pub allow_http: bool,
    /// Trust this CA too (PEM), for TLS. Empty: none.
    pub extra_ca_file: PathBuf,
}

impl Config {
    /// Where the columnar copy of the facts lives: `facts_dir`, else beside the
    /// database file; `None` for an in-memory database (the facts are then read from
    /// it directly). On PostgreSQL, the copy is this machine's: in the temporary
    /// directory, named after the server and database, shared by this machine's
    /// processes on that database.
    pub fn facts_dir(&self) -> Option<PathBuf> {
        if !self.facts_dir.as_os_str().is_empty() {
            return Some(self.facts_dir.clone());
        }
        if fedireach_store::check_database_url(&self.db)
            .is_ok_and(|kind| kind == fedireach_store::DatabaseKind::Postgres)
        {
            return Some(std::env::temp_dir().join(postgres_copy_name(&self.db)));
        }
        let rest = self
            .db
            .strip_prefix("sqlite://")
            .or_else(|| self.db.strip_prefix("sqlite:"))
            .unwrap_or(&self.db);
        let (file, query) = rest.split_once('?').unwrap_or((rest, ""));
        let in_memory =
            file.is_empty() || file == ":memory:" || query.split('&').any(|kv| kv == "mode=memory");
        (!in_memory).then(|| PathBuf::from(format!("{file}.facts")))
    }
}

/// `fedireach-HOST-PORT-DATABASE.facts`, from a PostgreSQL URL, with only letters,
/// digits, dots and dashes (no user, no password).
fn postgres_copy_name(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let (place, _) = rest.split_once('?').unwrap_or((rest, ""));
    let place = place.rsplit_once('@').map_or(place, |(_, place)| place);
    let safe: String = place
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                c
            } else {
                '-'
            }
        })
        .collect();
    format!("fedireach-{}.facts", safe.trim_matches('-'))
}

impl Default for Config {
    fn default() -> Self {
        Self {
            db: DEFAULT_DB.to_owned(),
            facts_dir: PathBuf::new(),
            listen: DEFAULT_LISTEN
                .parse()
                .unwrap_or(SocketAddr::from(([127, 0, 0, 1], 8080))),
            public_url: None,
            admin_token_env: DEFAULT_ADMIN_TOKEN_ENV.to_owned(),
            brand_token_env_allow: Vec::new(),
            brand_token_env_prefix: String::new(),
            denylist_file: PathBuf::new(),
            schedule: ScheduleConfig::default(),
            exports: ExportsConfig::default(),
            crawl: CrawlConfig::default(),
            network: NetworkConfig::default(),
            smtp: SmtpConfig::default(),
            delivery: Vec::new(),
            alert: Vec::new(),
        }
    }
}

/// [`DEFAULT_CRON`], parsed (a unit test holds it to parse).
fn default_cron() -> CronExpr {
    #[allow(clippy::expect_used)]
    CronExpr::parse(DEFAULT_CRON).expect("DEFAULT_CRON is a cron expression")
}

impl Default for ScheduleConfig {
    fn default() -> Self {
        Self {
            cron: default_cron(),
            time_zone: Zone::default(),
            jitter: DEFAULT_JITTER,
        }
    }
}

impl Default for CrawlConfig {
    fn default() -> Self {
        Self {
            since: Since::Ago(DEFAULT_SINCE),
            rate_per_host: DEFAULT_RATE_PER_HOST,
            burst: DEFAULT_BURST,
            concurrency: DEFAULT_CONCURRENCY,
            reply_depth: DEFAULT_REPLY_DEPTH,
            max_document_bytes: DEFAULT_MAX_DOCUMENT_BYTES,
            max_items_per_collection: 20_000,
            max_pages_per_collection: 500,
            max_items_per_post: 50_000,
            max_requests_per_host: 50_000,
            host_time_budget: Duration::from_secs(3600),
            timeout: DEFAULT_TIMEOUT,
            max_redirects: DEFAULT_MAX_REDIRECTS,
            contact_url: String::new(),
            policy_url: String::new(),
            hosts: BTreeMap::new(),
        }
    }
}

impl Default for NetworkConfig {
    fn default() -> Self {
        Self {
            resolve_all: None,
            resolve: BTreeMap::new(),
            allow_loopback: false,
            allow_private: false,
            deny_addresses: Vec::new(),
            allow_http: false,
            extra_ca_file: PathBuf::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn example_config_parses_and_holds_the_defaults() -> Result<(), Box<dyn std::error::Error>> {
        let example: Config = toml::from_str(include_str!("../../fedireach.example.toml"))?;
        example.validate()?;
        // The example documents the defaults: it differs from them only by the per-host
        // override it shows as an example.
        let mut expected = Config::default();
        expected.crawl.hosts.insert(
            Host::parse("big.example")?,
            HostOverride {
                rate_per_host: Some(0.5),
                burst: None,
            },
        );
        // ... and by the mail server, report mail and alert rule it shows.
        expected.smtp.host = "smtp.example.org".to_owned();
        expected.smtp.from = "fedireach <reports@example.org>".to_owned();
        assert_eq!((example.delivery.len(), example.alert.len()), (1, 1));
        expected.delivery.clone_from(&example.delivery);
        expected.alert.clone_from(&example.alert);
        assert_eq!(example, expected);
        Ok(())
    }

    #[test]
    fn the_facts_copy_lives_beside_the_database_unless_configured() {
        let with = |db: &str, dir: &str| Config {
            db: db.to_owned(),
            facts_dir: PathBuf::from(dir),
            ..Config::default()
        };
        for (db, dir, expected) in [
            ("sqlite://fedireach.db", "", Some("fedireach.db.facts")),
            (
                "sqlite:///var/lib/f.db?mode=rwc",
                "",
                Some("/var/lib/f.db.facts"),
            ),
            ("sqlite:data/f.db", "", Some("data/f.db.facts")),
            ("sqlite::memory:", "", None),
            ("sqlite://f.db?mode=memory&cache=shared", "", None),
            ("sqlite://f.db", "/fast/facts", Some("/fast/facts")),
            ("sqlite::memory:", "/fast/facts", Some("/fast/facts")),
            ("postgres://f@db/f", "/fast/facts", Some("/fast/facts")),
        ] {
            assert_eq!(
                with(db, dir).facts_dir(),
                expected.map(PathBuf::from),
                "{db} {dir}"
            );
        }
        let tmp = std::env::temp_dir();
        for (db, name) in [
            (
                "postgres://fedi:s3cret@db.example:5433/fedireach?sslmode=require",
                "fedireach-db.example-5433-fedireach.facts",
            ),
            ("postgresql://127.0.0.1/f", "fedireach-127.0.0.1-f.facts"),
        ] {
            assert_eq!(with(db, "").facts_dir(), Some(tmp.join(name)), "{db}");
        }
    }

    #[test]
    fn unknown_keys_are_refused_by_name() {
        for (text, key) in [
            ("colour = 1", "colour"),
            ("[crawl]\nrate = 2.0", "rate"),
            ("[network]\nallow_loopbak = true", "allow_loopbak"),
            ("[crawl.hosts.\"a.example\"]\nspeed = 1", "speed"),
        ] {
            let err = toml::from_str::<Config>(text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(key), "{text:?} gave {err:?}");
        }
    }

    #[test]
    fn bad_values_are_refused_with_the_key() {
        type Spoil = fn(&mut Config);
        let cases: [(&str, Spoil); 8] = [
            ("brand_token_env_allow", |c| {
                c.brand_token_env_allow = vec!["FEDIREACH_ADMIN_TOKEN".into()]
            }),
            ("brand_token_env_allow", |c| {
                c.brand_token_env_allow = vec!["NOT A NAME".into()]
            }),
            ("brand_token_env_prefix", |c| {
                c.brand_token_env_prefix = "FEDIREACH_".into()
            }),
            ("crawl.rate_per_host", |c| c.crawl.rate_per_host = 0.0),
            ("crawl.burst", |c| c.crawl.burst = 0),
            ("public_url", |c| {
                c.public_url = url::Url::parse("ftp://x.example").ok();
            }),
            ("network.extra_ca_file", |c| {
                c.network.extra_ca_file = "/nonexistent/ca.pem".into()
            }),
            ("smtp.extra_ca_file", |c| {
                c.smtp.extra_ca_file = "/nonexistent/ca.pem".into()
            }),
        ];
        for (key, spoil) in cases {
            let mut config = Config::default();
            spoil(&mut config);
            let err = config
                .validate()
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(key), "{key}: {err:?}");
        }
        assert!(Config::default().validate().is_ok());
    }

    /// Values with a type of their own are refused as the file is read, with the key
    /// and what is wrong; nothing parses them again.
    #[test]
    fn bad_typed_values_are_refused_as_they_are_read() {
        for (text, expected) in [
            (
                "[schedule]\ncron = \"every night\"",
                "is not a cron expression",
            ),
            (
                "[schedule]\ntime_zone = \"Mars/Olympus\"",
                "is not an IANA time zone",
            ),
            ("[network]\nresolve_all = \"localhost\"", "is not IP:PORT"),
            (
                "[network.resolve]\n\"a.example\" = \"nowhere\"",
                "a.example",
            ),
            ("[crawl.hosts.\"a/b\"]\nburst = 2", "a/b"),
            ("[exports]\nreports = [\"reach\", \"sales\"]", "sales"),
            ("public_url = \"not a url\"", "is not a URL"),
            (
                "[[delivery]]\nname = \"m\"\nto = [\"a@b.example\"]\ntime_zone = \"Nowhere\"",
                "Nowhere",
            ),
        ] {
            let err = toml::from_str::<Config>(text)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(err.contains(expected), "{text:?} gave {err:?}");
        }
        let six: Result<Config, _> = toml::from_str("[schedule]\ncron = \"*/5 * * * * *\"");
        assert!(
            six.is_ok(),
            "6 fields with seconds first are accepted: {six:?}"
        );
        assert_eq!(default_cron().as_str(), DEFAULT_CRON);
    }
}
