#![doc = include_str!("../README.md")]

mod server;

use std::sync::atomic::{AtomicU32, Ordering};

use tempfile::TempDir;

pub use server::PgServer;

/// What went wrong making a test database.
#[derive(Debug, thiserror::Error)]
pub enum TestDbError {
    /// A file or a program could not be used.
    #[error("{what}: {source}")]
    Io {
        what: String,
        #[source]
        source: std::io::Error,
    },
    /// PostgreSQL is not installed, and `FEDIREACH_POSTGRES=required` says it must be.
    #[error(
        "PostgreSQL is required (FEDIREACH_POSTGRES=required) but {0}: install Debian's postgresql package, or set FEDIREACH_PG_BIN to the directory of initdb and pg_ctl"
    )]
    Missing(String),
    /// initdb or pg_ctl failed.
    #[error("{what} failed: {output}")]
    Command { what: String, output: String },
    /// The server answered with an error.
    #[error("PostgreSQL at {url}: {source}")]
    Sql {
        url: String,
        #[source]
        source: sqlx::Error,
    },
}

/// Runs `test` on a fresh SQLite file, then on a fresh PostgreSQL database when the
/// machine has PostgreSQL; a failure names the engine.
pub async fn on_both<F, Fut>(test: F) -> Result<(), Box<dyn std::error::Error>>
where
    F: Fn(TestDb) -> Fut,
    Fut: std::future::Future<Output = Result<(), Box<dyn std::error::Error>>>,
{
    for db in TestDb::all().await? {
        let backend = db.backend();
        test(db).await.map_err(|e| format!("on {backend}: {e}"))?;
    }
    Ok(())
}

/// Which engine a test database runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

impl std::fmt::Display for Backend {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Self::Sqlite => "SQLite",
            Self::Postgres => "PostgreSQL",
        })
    }
}

/// A database for one test: its URL, and what keeps it alive. The fields are read
/// through methods, so that a closure that reads the URL holds the whole of it (a
/// closure capturing only `url` would drop the SQLite file's directory at once).
#[derive(Debug)]
pub struct TestDb {
    url: String,
    backend: Backend,
    /// The SQLite file's directory, removed when the test ends.
    _dir: Option<TempDir>,
}

impl TestDb {
    /// The sqlx URL to open it with.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// Which engine it is.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// A new SQLite file in a temporary directory.
    pub fn sqlite() -> Result<Self, TestDbError> {
        let dir = TempDir::new().map_err(|source| TestDbError::Io {
            what: "making a temporary directory".to_owned(),
            source,
        })?;
        Ok(Self {
            url: format!("sqlite://{}", dir.path().join("test.db").display()),
            backend: Backend::Sqlite,
            _dir: Some(dir),
        })
    }

    /// A new, empty database on this test process's PostgreSQL server, started on
    /// first use; `None` when PostgreSQL is not installed and not required.
    pub async fn postgres() -> Result<Option<Self>, TestDbError> {
        let Some(server) = PgServer::shared()? else {
            return Ok(None);
        };
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let name = format!(
            "t{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed)
        );
        server.create_database(&name).await?;
        Ok(Some(Self {
            url: server.url(&name),
            backend: Backend::Postgres,
            _dir: None,
        }))
    }

    /// A new database on `backend`.
    pub async fn of(backend: Backend) -> Result<Self, TestDbError> {
        match backend {
            Backend::Sqlite => Self::sqlite(),
            Backend::Postgres => Self::postgres().await?.ok_or_else(|| {
                TestDbError::Missing("a PostgreSQL database was asked for".to_owned())
            }),
        }
    }

    /// Another new database on the same engine as this one.
    pub async fn fresh(&self) -> Result<Self, TestDbError> {
        Self::of(self.backend).await
    }

    /// [`TestDb::of`] for tests that are not async.
    pub fn of_blocking(backend: Backend) -> Result<Self, TestDbError> {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|source| TestDbError::Io {
                what: "starting a runtime to make a test database".to_owned(),
                source,
            })?
            .block_on(Self::of(backend))
    }

    /// The engines this machine can test on: SQLite, and PostgreSQL when it is
    /// installed (always when required).
    pub fn backends() -> Result<Vec<Backend>, TestDbError> {
        Ok(if PgServer::shared()?.is_some() {
            vec![Backend::Sqlite, Backend::Postgres]
        } else {
            vec![Backend::Sqlite]
        })
    }

    /// One database of each engine this machine has: SQLite always, PostgreSQL when
    /// installed (always when required).
    pub async fn all() -> Result<Vec<Self>, TestDbError> {
        let mut all = vec![Self::sqlite()?];
        all.extend(Self::postgres().await?);
        Ok(all)
    }
}
