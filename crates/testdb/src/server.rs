//! One PostgreSQL server per test process, from Debian's `postgresql` package.

use std::{
    io::Write,
    net::TcpListener,
    os::unix::process::CommandExt,
    path::{Path, PathBuf},
    process::{ChildStdin, Command, Stdio},
    sync::{Mutex, OnceLock},
};

use crate::TestDbError;

/// The role the tests connect as (trust authentication, loopback only).
const ROLE: &str = "fedireach";

/// A PostgreSQL server on 127.0.0.1 that lives as long as the test process.
#[derive(Debug)]
pub struct PgServer {
    port: u16,
    /// The watchdog's stdin: it stops the server when this closes, that is when the
    /// process that holds it exits, however it exits.
    _watchdog: Mutex<ChildStdin>,
}

impl PgServer {
    /// The server of this test process, started on the first call; `None` when
    /// PostgreSQL is not installed and `FEDIREACH_POSTGRES` is not `required`.
    pub fn shared() -> Result<Option<&'static Self>, TestDbError> {
        static SERVER: OnceLock<Result<Option<PgServer>, String>> = OnceLock::new();
        match SERVER.get_or_init(|| Self::start().map_err(|e| e.to_string())) {
            Ok(server) => Ok(server.as_ref()),
            Err(message) => Err(TestDbError::Command {
                what: "starting PostgreSQL for the tests".to_owned(),
                output: message.clone(),
            }),
        }
    }

    /// The URL of database `name` on this server.
    pub fn url(&self, name: &str) -> String {
        format!("postgres://{ROLE}@127.0.0.1:{}/{name}", self.port)
    }

    /// Creates an empty database.
    pub async fn create_database(&self, name: &str) -> Result<(), TestDbError> {
        use sqlx::Connection;
        let admin = self.url("postgres");
        let sql_error = |source| TestDbError::Sql {
            url: admin.clone(),
            source,
        };
        let mut conn = sqlx::PgConnection::connect(&admin)
            .await
            .map_err(sql_error)?;
        sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
            .execute(&mut conn)
            .await
            .map_err(sql_error)?;
        conn.close().await.map_err(sql_error)
    }

    fn start() -> Result<Option<Self>, TestDbError> {
        let required = std::env::var("FEDIREACH_POSTGRES").is_ok_and(|v| v == "required");
        let Some(bin) = binaries() else {
            let why = "initdb was not found under /usr/lib/postgresql/*/bin".to_owned();
            if required {
                return Err(TestDbError::Missing(why));
            }
            eprintln!("fedireach-testdb: {why}; these tests run on SQLite only");
            return Ok(None);
        };
        let dir = tempfile::Builder::new()
            .prefix("fedireach-pg-")
            .tempdir()
            .map_err(|source| io("making the server's directory", source))?
            .keep();
        let user = unprivileged_user();
        if let Some(user) = &user {
            run(
                Command::new("chown").arg(user).arg(&dir),
                "giving the server's directory to the postgres user",
            )?;
        }
        let data = dir.join("data");
        let as_user = |program: &str| {
            let mut command = match &user {
                Some(user) => {
                    let mut c = Command::new("runuser");
                    c.args(["-u", user, "--"]).arg(bin.join(program));
                    c
                }
                None => Command::new(bin.join(program)),
            };
            command.current_dir(&dir);
            command
        };
        run(
            as_user("initdb")
                .args(["--no-sync", "--auth=trust", "--encoding=UTF8", "--locale=C"])
                .args(["--username", ROLE, "-D"])
                .arg(&data),
            "initdb",
        )?;
        let watchdog = watchdog(&dir, &bin, user.as_deref())?;
        // A free port, asked of the kernel; another process could take it before the
        // server binds it, so a failed start tries another.
        let mut last = String::new();
        for _ in 0..5 {
            let port = free_port()?;
            let options = format!(
                "-c listen_addresses=127.0.0.1 -p {port} -k {} -c fsync=off \
                 -c synchronous_commit=off -c full_page_writes=off -c max_connections=300",
                dir.display()
            );
            let started = as_user("pg_ctl")
                .args(["-w", "-t", "60", "-D"])
                .arg(&data)
                .args(["-l"])
                .arg(dir.join("server.log"))
                .args(["-o", &options, "start"])
                .output()
                .map_err(|source| io("running pg_ctl start", source))?;
            if started.status.success() {
                return Ok(Some(Self {
                    port,
                    _watchdog: Mutex::new(watchdog),
                }));
            }
            last = format!(
                "{}{}{}",
                String::from_utf8_lossy(&started.stdout),
                String::from_utf8_lossy(&started.stderr),
                std::fs::read_to_string(dir.join("server.log")).unwrap_or_default()
            );
        }
        Err(TestDbError::Command {
            what: "pg_ctl start".to_owned(),
            output: last,
        })
    }
}

/// The directory of Debian's PostgreSQL programs: `FEDIREACH_PG_BIN`, else the newest
/// `/usr/lib/postgresql/N/bin`.
fn binaries() -> Option<PathBuf> {
    if let Some(dir) = std::env::var_os("FEDIREACH_PG_BIN") {
        return Some(PathBuf::from(dir));
    }
    let mut found: Vec<(u32, PathBuf)> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .filter_map(|entry| {
            let version = entry.file_name().to_str()?.parse().ok()?;
            let bin = entry.path().join("bin");
            bin.join("initdb").is_file().then_some((version, bin))
        })
        .collect();
    found.sort();
    found.pop().map(|(_, bin)| bin)
}

/// PostgreSQL refuses to run as root: as root, the server runs as `postgres`, the
/// user Debian's package creates.
fn unprivileged_user() -> Option<String> {
    let uid = Command::new("id").arg("-u").output().ok()?;
    (String::from_utf8_lossy(&uid.stdout).trim() == "0").then(|| "postgres".to_owned())
}

/// Starts the process that stops the server: it reads its stdin, a pipe whose other end
/// only this process holds, and when that reaches its end (this process exited) it
/// stops the server at once and removes its directory.
fn watchdog(dir: &Path, bin: &Path, user: Option<&str>) -> Result<ChildStdin, TestDbError> {
    let stop = format!(
        "{} -D {} stop -m immediate",
        bin.join("pg_ctl").display(),
        dir.join("data").display()
    );
    let stop = match user {
        Some(user) => format!("runuser -u {user} -- {stop}"),
        None => stop,
    };
    let script = format!(
        "cat >/dev/null; {stop} >/dev/null 2>&1; rm -rf {}",
        dir.display()
    );
    let mut child = Command::new("sh")
        .args(["-c", &script])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .map_err(|source| io("starting the server's watchdog", source))?;
    let mut stdin = child.stdin.take().ok_or_else(|| {
        io(
            "opening the watchdog's pipe",
            std::io::ErrorKind::BrokenPipe.into(),
        )
    })?;
    stdin
        .flush()
        .map_err(|source| io("opening the watchdog's pipe", source))?;
    Ok(stdin)
}

fn free_port() -> Result<u16, TestDbError> {
    TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .map(|addr| addr.port())
        .map_err(|source| io("finding a free port on 127.0.0.1", source))
}

fn run(command: &mut Command, what: &str) -> Result<(), TestDbError> {
    let output = command
        .output()
        .map_err(|source| io(&format!("running {what}"), source))?;
    if output.status.success() {
        return Ok(());
    }
    Err(TestDbError::Command {
        what: what.to_owned(),
        output: format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ),
    })
}

fn io(what: &str, source: std::io::Error) -> TestDbError {
    TestDbError::Io {
        what: what.to_owned(),
        source,
    }
}
