//! The database URL: the one place that says which schemes this build can open, so a
//! URL it cannot use fails with a message naming the supported forms instead of being
//! taken for a file name (`not a url`) or reaching the driver half-formed (`sqlite://`).

use crate::StoreError;

/// The schemes `Store::open` understands, as they are documented to users.
pub const SUPPORTED_DATABASES: &str = "sqlite://PATH (e.g. sqlite://fedireach.db or sqlite:///var/lib/fedireach.db), sqlite::memory: and postgres://USER@HOST/DATABASE (PostgreSQL, for several crawl workers and dashboards)";

/// The database a URL names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DatabaseKind {
    /// An SQLite file (or `:memory:`).
    Sqlite,
    /// A PostgreSQL database (`postgres://` or `postgresql://`).
    Postgres,
}

/// The URL as it may be shown: a password in it is replaced by `***`.
pub fn redacted_database_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else {
        return url.to_owned();
    };
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((user_info, host)) => match user_info.split_once(':') {
            Some((user, _password)) => format!("{scheme}://{user}:***@{host}{path}"),
            None => url.to_owned(),
        },
        None => url.to_owned(),
    }
}

impl DatabaseKind {
    /// What to check when a database of this kind cannot be opened.
    pub(crate) fn open_hint(self) -> &'static str {
        match self {
            Self::Sqlite => "check the path exists and is writable",
            Self::Postgres => {
                "check the PostgreSQL server is running and reachable, and the URL's user, \
                 password (or PGPASSWORD) and database"
            }
        }
    }
}

/// Checks a database URL before anything is opened or created; the error says what is
/// wrong and which forms are supported.
pub fn check_database_url(url: &str) -> Result<DatabaseKind, StoreError> {
    let err = |reason: String| StoreError::UnsupportedUrl {
        url: redacted_database_url(url),
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
        "postgres" | "postgresql" => {
            let rest = &text[scheme.len() + 1..];
            let Some(rest) = rest.strip_prefix("//") else {
                return Err(err(format!("it has no // after {scheme}:")));
            };
            let host = rest
                .split(['/', '?'])
                .next()
                .map_or("", |authority| authority.rsplit('@').next().unwrap_or(""));
            let socket = text.contains("host=");
            if host.is_empty() && !socket {
                return Err(err(format!(
                    "it names no server after {scheme}:// (e.g. postgres://fedireach@127.0.0.1/fedireach)"
                )));
            }
            Ok(DatabaseKind::Postgres)
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
    fn a_password_is_never_shown() {
        assert_eq!(
            redacted_database_url("postgres://fedi:s3cret@db.example:5432/f?sslmode=require"),
            "postgres://fedi:***@db.example:5432/f?sslmode=require"
        );
        for shown in [
            "postgres://fedi@db.example/f",
            "sqlite:///var/lib/f.db",
            "sqlite::memory:",
        ] {
            assert_eq!(redacted_database_url(shown), shown);
        }
    }

    #[test]
    fn sqlite_and_postgres_urls_pass_and_everything_else_names_the_supported_forms() {
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
        for good in [
            "postgres://fedireach@127.0.0.1/fedireach",
            "postgresql://u:p@db.example:5433/f?sslmode=disable",
            "postgres:///f?host=/run/postgresql",
        ] {
            assert_eq!(
                check_database_url(good).ok(),
                Some(DatabaseKind::Postgres),
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
            ("postgres:u@localhost/f", "no // after postgres:"),
            ("postgresql:///f", "no server"),
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
