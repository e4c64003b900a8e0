//! The database URL: the one place that says which schemes this build can open, so a
//! URL it cannot use fails with a message naming the supported forms instead of being
//! taken for a file name (`not a url`) or reaching the driver half-formed (`sqlite://`).

use crate::StoreError;

/// The schemes `Store::open` understands, as they are documented to users.
pub const SUPPORTED_DATABASES: &str = "sqlite://PATH (e.g. sqlite://fedireach.db or sqlite:///var/lib/fedireach.db) and sqlite::memory:";

/// The database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// An SQLite file (or `:memory:`).
    Sqlite,
}

/// Checks a database URL before anything is opened or created; the error says what is
/// wrong and which forms are supported.
pub fn check_database_url(url: &str) -> Result<DatabaseKind, StoreError> {
    let err = |reason: String| StoreError::UnsupportedUrl {
        url: url.to_owned(),
        reason,
    };
    let text = url.trim();
    let scheme = text
        .split_once(':')
        .map(|(scheme, _)| scheme)
        .filter(|s| {
            s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
                && s.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        })
        .ok_or_else(|| err("it has no scheme such as sqlite://".to_owned()))?;
    match scheme.to_ascii_lowercase().as_str() {
        "sqlite" => {
            let rest = &text[scheme.len() + 1..];
            let rest = rest.strip_prefix("//").unwrap_or(rest);
            let path = rest.split_once('?').map_or(rest, |(path, _)| path);
            if path.trim().is_empty() {
                return Err(err("it names no file after sqlite://".to_owned()));
            }
            Ok(DatabaseKind::Sqlite)
        }
        other => Err(err(format!(
            "the scheme `{other}` is not supported by this build"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sqlite_urls_pass_and_everything_else_names_the_supported_forms() {
        for good in [
            "sqlite://fedireach.db",
            "sqlite:///var/lib/f.db?mode=rwc",
            "sqlite:data/f.db",
            "sqlite::memory:",
            "SQLite://x.db",
        ] {
            assert_eq!(
                check_database_url(good).ok(),
                Some(DatabaseKind::Sqlite),
                "{good}"
            );
        }
        for (bad, says) in [
            ("not a url", "no scheme"),
            ("fedireach.db", "no scheme"),
            ("", "no scheme"),
            ("sqlite://", "no file"),
            ("sqlite:", "no file"),
            ("sqlite://?mode=rwc", "no file"),
            ("postgres://u@localhost/f", "`postgres` is not supported"),
            ("mysql://u@localhost/f", "`mysql` is not supported"),
        ] {
            let message = check_database_url(bad)
                .err()
                .map(|e| e.to_string())
                .unwrap_or_default();
            assert!(message.contains(says), "{bad:?}: {message}");
            assert!(message.contains("sqlite://PATH"), "{bad:?}: {message}");
        }
    }
}
