//! Checks that every value makes sense, once, with messages that name the key.

use anyhow::{Context, bail, ensure};

use super::Config;

fn check_url(key: &str, value: &str, allow_http: bool) -> anyhow::Result<()> {
    if value.is_empty() {
        return Ok(());
    }
    let url =
        url::Url::parse(value).with_context(|| format!("`{key}` = {value:?} is not a URL"))?;
    let scheme_ok = url.scheme() == "https" || (allow_http && url.scheme() == "http");
    ensure!(
        scheme_ok && url.host_str().is_some(),
        "`{key}` = {value:?} must be an https:// URL (http:// only with network.allow_http)"
    );
    Ok(())
}

impl Config {
    /// Validates every key; the first problem found is the error.
    pub fn validate(&self) -> anyhow::Result<()> {
        ensure!(
            !self.db.trim().is_empty(),
            "`db` is empty; use a URL such as sqlite://fedireach.db"
        );
        fedireach_store::check_database_url(&self.db).context("`db`")?;
        let public_url = self.public_url.as_ref().map_or("", url::Url::as_str);
        check_url("public_url", public_url, self.network.allow_http)?;
        check_url("crawl.contact_url", &self.crawl.contact_url, true)?;
        check_url("crawl.policy_url", &self.crawl.policy_url, true)?;
        ensure!(
            !self.admin_token_env.is_empty()
                && self
                    .admin_token_env
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_'),
            "`admin_token_env` = {:?} is not an environment variable name",
            self.admin_token_env
        );
        self.check_brand_token_envs()?;
        ensure!(
            self.exports.window >= std::time::Duration::from_secs(24 * 3600),
            "`exports.window` must be at least a day, e.g. \"30d\""
        );
        let crawl = &self.crawl;
        check_rate("crawl.rate_per_host", crawl.rate_per_host)?;
        ensure!(crawl.burst >= 1, "`crawl.burst` must be at least 1");
        ensure!(
            crawl.concurrency >= 1,
            "`crawl.concurrency` must be at least 1"
        );
        ensure!(
            crawl.max_document_bytes >= 1024,
            "`crawl.max_document_bytes` must be at least 1024"
        );
        for (key, value) in [
            ("max_items_per_collection", crawl.max_items_per_collection),
            ("max_pages_per_collection", crawl.max_pages_per_collection),
            ("max_items_per_post", crawl.max_items_per_post),
            ("max_requests_per_host", crawl.max_requests_per_host),
        ] {
            ensure!(value >= 1, "`crawl.{key}` must be at least 1");
        }
        ensure!(
            !crawl.host_time_budget.is_zero(),
            "`crawl.host_time_budget` must be longer than zero, e.g. \"1h\""
        );
        ensure!(
            !crawl.timeout.is_zero(),
            "`crawl.timeout` must be longer than zero"
        );
        for (host, over) in &crawl.hosts {
            if let Some(rate) = over.rate_per_host {
                check_rate(&format!("crawl.hosts.\"{host}\".rate_per_host"), rate)?;
            }
            if over.burst == Some(0) {
                bail!("`crawl.hosts.\"{host}\".burst` must be at least 1");
            }
        }
        let network = &self.network;
        for (key, path) in [
            ("network.extra_ca_file", &network.extra_ca_file),
            ("smtp.extra_ca_file", &self.smtp.extra_ca_file),
            ("denylist_file", &self.denylist_file),
        ] {
            if !path.as_os_str().is_empty() && !path.is_file() {
                bail!("`{key}` = {:?} does not exist", path.display().to_string());
            }
        }
        crate::crawl::DenyList::load(&self.denylist_file)?;
        super::delivery::validate(&self.smtp, &self.delivery, &self.alert)?;
        Ok(())
    }
}

impl Config {
    /// The variables the web may let a brand name: real variable names, and never the
    /// admin token's (a brand's token is sent to the brand's server).
    fn check_brand_token_envs(&self) -> anyhow::Result<()> {
        let is_name = |name: &str| {
            !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        };
        for name in &self.brand_token_env_allow {
            ensure!(
                is_name(name),
                "`brand_token_env_allow` has {name:?}, which is not an environment variable name"
            );
            ensure!(
                *name != self.admin_token_env,
                "`brand_token_env_allow` has {name:?}, the admin token's variable: a brand's \
                 token is sent to the brand's server, so it cannot be the admin token"
            );
        }
        let prefix = &self.brand_token_env_prefix;
        if !prefix.is_empty() {
            ensure!(
                is_name(prefix),
                "`brand_token_env_prefix` = {prefix:?} is not the start of an environment variable name"
            );
            ensure!(
                !self.admin_token_env.starts_with(prefix.as_str()),
                "`brand_token_env_prefix` = {prefix:?} would allow the admin token's variable \
                 {:?}; choose a longer prefix such as FEDIREACH_BRAND_",
                self.admin_token_env
            );
        }
        Ok(())
    }
}

fn check_rate(key: &str, rate: f64) -> anyhow::Result<()> {
    ensure!(
        rate.is_finite() && rate > 0.0 && rate <= 1000.0,
        "`{key}` = {rate} must be a number of requests per second above 0 (and at most 1000)"
    );
    Ok(())
}
