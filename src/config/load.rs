//! Layering: defaults, then the TOML file, then `FEDIREACH_<SECTION>__<KEY>` environment
//! variables, then command-line flags; validated once at the end.

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};
use figment::{
    Figment,
    providers::{Env, Format, Serialized, Toml},
};

use super::Config;

/// The file read when `--config` is not given, if it exists.
pub const DEFAULT_CONFIG_FILE: &str = "fedireach.toml";

/// Prefix of the environment variables that set keys.
const ENV_PREFIX: &str = "FEDIREACH_";

/// Top-level keys and sections. Other `FEDIREACH_*` variables (the admin token itself,
/// test settings) are not configuration keys and are left alone.
const TOP_LEVEL: [&str; 11] = [
    "db",
    "facts_dir",
    "listen",
    "public_url",
    "admin_token_env",
    "denylist_file",
    "schedule",
    "exports",
    "crawl",
    "network",
    "smtp",
];

/// Where configuration comes from, as the command line gives it.
#[derive(Debug, Default, Clone)]
pub struct ConfigSources {
    /// `--config FILE`: must exist.
    pub file: Option<PathBuf>,
    /// `--db URL`.
    pub db: Option<String>,
    /// `--listen ADDR`.
    pub listen: Option<String>,
}

/// Reads and validates the configuration.
pub fn load(sources: &ConfigSources) -> anyhow::Result<Config> {
    let mut figment = Figment::from(Serialized::defaults(Config::default()));
    match &sources.file {
        Some(path) => {
            if !path.is_file() {
                bail!(
                    "the config file `{}` does not exist; check the path given to --config",
                    path.display()
                );
            }
            figment = figment.merge(Toml::file_exact(path));
        }
        None if Path::new(DEFAULT_CONFIG_FILE).is_file() => {
            figment = figment.merge(Toml::file_exact(DEFAULT_CONFIG_FILE));
        }
        None => {}
    }
    figment = figment.merge(
        Env::prefixed(ENV_PREFIX)
            .filter(|key| {
                let first = key.as_str().split("__").next().unwrap_or_default();
                TOP_LEVEL.iter().any(|k| first.eq_ignore_ascii_case(k))
            })
            .split("__"),
    );
    if let Some(db) = &sources.db {
        figment = figment.merge(Serialized::default("db", db));
    }
    if let Some(listen) = &sources.listen {
        figment = figment.merge(Serialized::default("listen", listen));
    }
    let config: Config = figment
        .extract()
        .map_err(|e| anyhow::anyhow!(describe(e)))
        .context("invalid configuration")?;
    config.validate().context("invalid configuration")?;
    Ok(config)
}

/// One line per problem, each naming the key and where its value came from.
fn describe(error: figment::Error) -> String {
    error
        .into_iter()
        .map(|e| {
            let key = if e.path.is_empty() {
                String::new()
            } else {
                format!("key `{}`: ", e.path.join("."))
            };
            let source = e
                .metadata
                .as_ref()
                .and_then(|m| m.source.as_ref().map(|s| format!(" (from {s})")))
                .or_else(|| e.metadata.as_ref().map(|m| format!(" (from {})", m.name)))
                .unwrap_or_default();
            format!("{key}{}{source}", e.kind)
        })
        .collect::<Vec<_>>()
        .join("; ")
}
