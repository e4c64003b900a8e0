//! Running the real binary in a scratch directory with a clean environment.

use assert_cmd::Command;
use tempfile::TempDir;

pub type TestResult = Result<(), Box<dyn std::error::Error>>;

/// A scratch working directory with its own database: an SQLite file in it, or a
/// database of its own on the tests' PostgreSQL server.
pub struct Sandbox {
    pub dir: TempDir,
    /// The PostgreSQL database, when the sandbox is on PostgreSQL.
    pub db: Option<fedireach_testdb::TestDb>,
}

impl Sandbox {
    pub fn new() -> Result<Self, std::io::Error> {
        Ok(Self {
            dir: TempDir::new()?,
            db: None,
        })
    }

    /// A sandbox whose database is on `backend`.
    pub fn on(backend: fedireach_testdb::Backend) -> Result<Self, Box<dyn std::error::Error>> {
        let db = match backend {
            fedireach_testdb::Backend::Sqlite => None,
            fedireach_testdb::Backend::Postgres => {
                Some(fedireach_testdb::TestDb::of_blocking(backend)?)
            }
        };
        Ok(Self {
            dir: TempDir::new()?,
            db,
        })
    }

    /// A sandbox in a new directory under `parent` that is kept after the test (for
    /// `make bench-analytics`, which times reports over the store bench/large_world.rs
    /// loaded; unused by the tests themselves).
    #[allow(dead_code)]
    pub fn at(parent: &std::path::Path) -> Result<Self, std::io::Error> {
        std::fs::create_dir_all(parent)?;
        let mut dir = TempDir::new_in(parent)?;
        dir.disable_cleanup(true);
        Ok(Self { dir, db: None })
    }

    /// The sandbox's directory (the working directory of the commands run in it).
    pub fn path(&self) -> &std::path::Path {
        self.dir.path()
    }

    pub fn db_url(&self) -> String {
        if let Some(db) = &self.db {
            return db.url().to_owned();
        }
        format!(
            "sqlite://{}",
            self.dir.path().join("fedireach.db").display()
        )
    }

    /// `fedireach` run in the sandbox, with no inherited FEDIREACH_* variables, so the
    /// developer's own environment cannot change what a test sees.
    pub fn cmd(&self) -> Result<Command, Box<dyn std::error::Error>> {
        let mut cmd = Command::cargo_bin("fedireach")?;
        cmd.current_dir(self.dir.path()).env_clear();
        if let Some(path) = std::env::var_os("PATH") {
            cmd.env("PATH", path);
        }
        Ok(cmd)
    }

    /// `fedireach --db <sandbox db> ARGS...`
    pub fn run(
        &self,
        args: &[&str],
    ) -> Result<assert_cmd::assert::Assert, Box<dyn std::error::Error>> {
        let mut cmd = self.cmd()?;
        cmd.arg("--db").arg(self.db_url()).args(args);
        Ok(cmd.assert())
    }

    pub fn stdout(&self, args: &[&str]) -> Result<String, Box<dyn std::error::Error>> {
        let output = self.run(args)?.success().get_output().stdout.clone();
        Ok(String::from_utf8(output)?)
    }
}

impl Sandbox {
    /// `fedireach serve` on the sandbox's database on a free loopback port, with the
    /// given environment and stderr: the child and the address it printed it listens on.
    pub fn serve(
        &self,
        env: &[(&str, &str)],
        stderr: std::process::Stdio,
    ) -> Result<(std::process::Child, String), Box<dyn std::error::Error>> {
        use std::io::BufRead;
        // Outside the checkout: the binary must carry its own dashboards.
        assert!(!self.dir.path().starts_with(env!("CARGO_MANIFEST_DIR")));
        let mut child = std::process::Command::new(assert_cmd::cargo::cargo_bin("fedireach"))
            .current_dir(self.dir.path())
            .env_clear()
            .envs(env.iter().copied())
            .args(["--db", &self.db_url(), "serve", "--listen", "127.0.0.1:0"])
            .arg("--no-schedule")
            .stdout(std::process::Stdio::piped())
            .stderr(stderr)
            .spawn()?;
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut first = String::new();
        std::io::BufReader::new(stdout).read_line(&mut first)?;
        let address = first
            .trim()
            .strip_prefix("listening on http://")
            .ok_or_else(|| format!("unexpected first line {first:?}"))?
            .to_owned();
        Ok((child, address))
    }
}
