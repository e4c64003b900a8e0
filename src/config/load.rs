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

/// The top-level keys and sections, read off the defaults themselves so a new key is
/// settable from the environment without a list kept by hand. Other `FEDIREACH_*`
/// variables (the admin token itself, test settings) are not configuration keys and are
/// left alone.
fn top_level_keys() -> Vec<String> {
    toml::Table::try_from(Config::default())
        .map(|table| table.keys().cloned().collect())
        .unwrap_or_default()
}

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
    let top_level = top_level_keys();
    figment = figment.merge(
        Env::prefixed(ENV_PREFIX)
            .filter(move |key| {
                let first = key.as_str().split("__").next().unwrap_or_default();
                top_level.iter().any(|k| first.eq_ignore_ascii_case(k))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_top_level_key_can_come_from_the_environment() {
        let keys = top_level_keys();
        for key in [
            "db",
            "listen",
            "public_url",
            "brand_token_env_allow",
            "schedule",
            "crawl",
        ] {
            assert!(keys.iter().any(|k| k == key), "{key} in {keys:?}");
        }
        assert!(!keys.iter().any(|k| k == "admin_token"), "{keys:?}");
    }
}
