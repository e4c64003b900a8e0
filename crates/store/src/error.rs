use thiserror::Error;

/// What can go wrong in the store; each message says what failed and what to do.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum StoreError {
    /// The database URL is not one sqlx understands.
    #[error(
        "`{url}` is not a database URL ({source}); use a sqlx URL such as sqlite://fedireach.db"
    )]
    BadUrl {
        url: String,
        #[source]
        source: sqlx::Error,
    },
    /// A database URL this build cannot use (see `check_database_url`).
    #[error(
        "`{url}` is not a database URL fedireach can use: {reason}. Supported: {}",
        crate::SUPPORTED_DATABASES
    )]
    UnsupportedUrl { url: String, reason: String },
    /// The database could not be opened or created.
    #[error("cannot open the database `{url}` ({source}); {hint}")]
    Open {
        /// The URL, its password left out.
        url: String,
        /// What to check, for this kind of database.
        hint: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// The schema could not be brought up to date.
    #[error(
        "cannot apply the schema migrations ({source}); the file may come from a newer \
         fedireach, or be damaged"
    )]
    Migrate {
        #[source]
        source: sqlx::migrate::MigrateError,
    },
    /// A query failed.
    #[error("database error while {what}: {source}")]
    Query {
        what: &'static str,
        #[source]
        source: sqlx::Error,
    },
    /// `brand add` with a name that is taken.
    #[error("a brand named `{0}` exists already; choose another name or `brand remove` it first")]
    BrandExists(String),
    /// A brand name that was not found.
    #[error("no brand named `{name}`; the brands are: {}", list_or_none(.existing))]
    BrandNotFound { name: String, existing: Vec<String> },
    /// A brand name that cannot be used.
    #[error(
        "`{0}` cannot be a brand name: use 1 to 64 letters, digits, spaces, `-`, `_` or `.`, \
         with at least one letter or digit, not starting with a space or a dot"
    )]
    BadBrandName(String),
    /// A brand with no actor.
    #[error("a brand needs at least one actor, e.g. `brand add acme @acme@mastodon.social`")]
    NoActors,
    /// A token environment variable name that cannot be one.
    #[error(
        "`{0}` is not an environment variable name: use letters, digits and `_`, e.g. ACME_TOKEN"
    )]
    BadTokenEnv(String),
    /// `forget` of an actor or instance a brand tracks.
    #[error(
        "`{subject}` is tracked by the brand `{brand}`; `brand remove {brand}` first if \
         its data should go"
    )]
    Tracked { subject: String, brand: String },
    /// A stored secret has the wrong size: the database was edited by hand or damaged.
    #[error("the stored secret `{0}` is damaged; restore the database from a backup")]
    BadSecret(&'static str),
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "(none yet; add one with `brand add`)".to_owned()
    } else {
        names.join(", ")
    }
}

/// Attaches what the store was doing to a sqlx error.
pub(crate) trait QueryContext<T> {
    fn doing(self, what: &'static str) -> Result<T, StoreError>;
}

impl<T> QueryContext<T> for Result<T, sqlx::Error> {
    fn doing(self, what: &'static str) -> Result<T, StoreError> {
        self.map_err(|source| StoreError::Query { what, source })
    }
}
