//! The one error type of the analytics.

/// What can go wrong while loading facts or computing a report.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AnalyticsError {
    /// The brand named in a report does not exist.
    #[error("unknown brand `{name}`; the brands that exist are: {}", list_or_none(.known))]
    UnknownBrand { name: String, known: Vec<String> },

    /// A report that names engagers was asked for a watched brand.
    #[error(
        "`{name}` is a watched brand: its pages show aggregate figures only, never who \
         engaged; add its owner's token to make it an owned brand"
    )]
    Watched { name: String },

    /// A report that compares brands was asked for none.
    #[error("no brand given: name at least one brand (`--brand NAME`)")]
    NoBrand,

    /// A report other than `compare` was asked for several brands.
    #[error("`report {kind}` takes one brand; only `compare` takes several brands")]
    OneBrandOnly { kind: &'static str },

    /// The report kind is not one the analytics know.
    #[error(
        "unknown report `{input}`: use reach, posts, instances, timeline, best-time, hashtags, languages, compare, followers or consent"
    )]
    BadKind { input: String },

    /// The timeline granularity is not one the timeline knows.
    #[error("unknown granularity `{input}`: use day or week")]
    BadGranularity { input: String },

    /// A date of the window is not a calendar date.
    #[error("`{input}` is not a date: write it as YYYY-MM-DD")]
    BadDate { input: String },

    /// The window ends before it starts.
    #[error("the window ends ({to}) before it starts ({from}): swap --from and --to")]
    WindowReversed { from: String, to: String },

    /// The time zone is not an IANA name.
    #[error("unknown time zone `{input}`: use an IANA name such as `Europe/Paris` or `UTC`")]
    BadTimeZone { input: String },

    /// The output format is not one the reports know.
    #[error("unknown format `{input}`: use table, csv or json")]
    BadFormat { input: String },

    /// A count in the facts does not fit the figures (a negative count, say): the store
    /// exported something inconsistent.
    #[error("inconsistent facts: {what}; re-export the facts from the store")]
    BadFacts { what: String },

    /// The columnar copy of the facts could not be read or written.
    #[error("the facts cache at {} is not usable: {source}; check the directory's permissions and free space, or delete it to rebuild it from the store", path.display())]
    Cache {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A file of the columnar copy is not the one its stamp vouches for (deleted,
    /// truncated, copied from another database): the copy is rebuilt from the store.
    #[error("the facts cache at {} does not match its stamp ({reason}); it is rebuilt from the store", dir.display())]
    Tampered {
        dir: std::path::PathBuf,
        reason: String,
    },

    /// The polars pipeline failed (a bug in a query, or memory exhausted).
    #[error("the analytics pipeline failed: {0}")]
    Polars(#[from] polars::error::PolarsError),

    /// Writing a rendered report failed.
    #[error("could not write the report: {0}")]
    Io(#[from] std::io::Error),

    /// The CSV writer failed.
    #[error("could not write the CSV report: {0}")]
    Csv(#[from] csv::Error),

    /// The JSON writer failed.
    #[error("could not write the JSON report: {0}")]
    Json(#[from] serde_json::Error),
}

fn list_or_none(names: &[String]) -> String {
    if names.is_empty() {
        "(none yet: add one with `fedireach brand add NAME ACTOR`)".to_owned()
    } else {
        names.join(", ")
    }
}

/// The result of every fallible analytics call.
pub type Result<T, E = AnalyticsError> = std::result::Result<T, E>;
