//! Configuration precedence through the real binary: defaults < file < environment <
//! flags; unknown keys named.

use predicates::{prelude::PredicateBooleanExt, str::contains};

use crate::util::{Sandbox, TestResult};

fn effective(
    sandbox: &Sandbox,
    args: &[&str],
    env: &[(&str, &str)],
) -> Result<toml::Table, Box<dyn std::error::Error>> {
    let mut cmd = sandbox.cmd()?;
    cmd.args(args).arg("config");
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.assert().success().get_output().stdout.clone();
    Ok(toml::from_str(&String::from_utf8(out)?)?)
}

fn get<'a>(table: &'a toml::Table, path: &str) -> Option<&'a toml::Value> {
    let mut parts = path.split('.');
    let mut value = table.get(parts.next()?)?;
    for part in parts {
        value = value.get(part)?;
    }
    Some(value)
}

#[test]
fn defaults_file_env_flags_in_that_order() -> TestResult {
    let sandbox = Sandbox::new()?;
    let defaults = effective(&sandbox, &[], &[])?;
    assert_eq!(
        get(&defaults, "db").and_then(|v| v.as_str()),
        Some("sqlite://fedireach.db")
    );
    assert_eq!(
        get(&defaults, "crawl.rate_per_host").and_then(|v| v.as_float()),
        Some(1.0)
    );
    assert_eq!(
        get(&defaults, "crawl.since").and_then(|v| v.as_str()),
        Some("90d")
    );
    assert_eq!(
        get(&defaults, "schedule.cron").and_then(|v| v.as_str()),
        Some("0 3 * * *")
    );

    let file = sandbox.dir.path().join("custom.toml");
    std::fs::write(
        &file,
        "db = \"sqlite://from-file.db\"\n[crawl]\nrate_per_host = 2.0\nburst = 7\n",
    )?;
    let file = file.display().to_string();
    let from_file = effective(&sandbox, &["--config", &file], &[])?;
    assert_eq!(
        get(&from_file, "db").and_then(|v| v.as_str()),
        Some("sqlite://from-file.db")
    );
    assert_eq!(
        get(&from_file, "crawl.rate_per_host").and_then(|v| v.as_float()),
        Some(2.0)
    );

    let env = [
        ("FEDIREACH_CRAWL__RATE_PER_HOST", "3.5"),
        ("FEDIREACH_DB", "sqlite://from-env.db"),
        ("FEDIREACH_NETWORK__ALLOW_LOOPBACK", "true"),
        ("FEDIREACH_ADMIN_TOKEN", "not-a-config-key"),
    ];
    let from_env = effective(&sandbox, &["--config", &file], &env)?;
    assert_eq!(
        get(&from_env, "crawl.rate_per_host").and_then(|v| v.as_float()),
        Some(3.5)
    );
    assert_eq!(
        get(&from_env, "crawl.burst").and_then(|v| v.as_integer()),
        Some(7),
        "the file still counts"
    );
    assert_eq!(
        get(&from_env, "db").and_then(|v| v.as_str()),
        Some("sqlite://from-env.db")
    );
    assert_eq!(
        get(&from_env, "network.allow_loopback").and_then(|v| v.as_bool()),
        Some(true)
    );

    let from_flag = effective(
        &sandbox,
        &["--config", &file, "--db", "sqlite://from-flag.db"],
        &env,
    )?;
    assert_eq!(
        get(&from_flag, "db").and_then(|v| v.as_str()),
        Some("sqlite://from-flag.db")
    );
    Ok(())
}

#[test]
fn fedireach_toml_in_the_working_directory_is_read() -> TestResult {
    let sandbox = Sandbox::new()?;
    std::fs::write(
        sandbox.dir.path().join("fedireach.toml"),
        "[crawl]\nreply_depth = 9\n",
    )?;
    let config = effective(&sandbox, &[], &[])?;
    assert_eq!(
        get(&config, "crawl.reply_depth").and_then(|v| v.as_integer()),
        Some(9)
    );
    Ok(())
}

#[test]
fn unknown_keys_are_errors_that_name_the_key() -> TestResult {
    let sandbox = Sandbox::new()?;
    let file = sandbox.dir.path().join("bad.toml");
    std::fs::write(&file, "[crawl]\nrate_per_hots = 2.0\n")?;
    sandbox
        .cmd()?
        .args(["--config", &file.display().to_string(), "config"])
        .assert()
        .failure()
        .code(1)
        .stderr(contains("rate_per_hots"));
    sandbox
        .cmd()?
        .arg("config")
        .env("FEDIREACH_CRAWL__SPEED", "2")
        .assert()
        .failure()
        .stderr(contains("crawl.speed"));
    sandbox
        .cmd()?
        .args(["--config", "/nonexistent/fedireach.toml", "config"])
        .assert()
        .failure()
        .stderr(contains("does not exist"));
    Ok(())
}

#[test]
fn the_example_config_is_accepted() -> TestResult {
    let sandbox = Sandbox::new()?;
    let example = concat!(env!("CARGO_MANIFEST_DIR"), "/fedireach.example.toml");
    let config = effective(&sandbox, &["--config", example], &[])?;
    assert_eq!(
        get(&config, "crawl.hosts.big.example"),
        None,
        "dotted host names stay one key"
    );
    assert!(get(&config, "crawl.hosts").is_some_and(|h| h.get("big.example").is_some()));
    Ok(())
}

/// A `--db` this build cannot use fails before anything is created, naming the
/// supported forms (it used to create files `not a url`, `-wal`, `-shm`, or fail later
/// with `no such table` or `unable to open database file`).
#[test]
fn a_database_url_that_cannot_be_used_names_the_supported_schemes() -> TestResult {
    let sandbox = Sandbox::new()?;
    for (db, says) in [
        ("not a url", "no scheme"),
        ("sqlite://", "no file"),
        (
            "postgres:fedireach@localhost/fedireach",
            "no // after postgres:",
        ),
        ("mysql://fedireach@localhost/fedireach", "`mysql`"),
    ] {
        for args in [&["brand", "list"][..], &["config"][..]] {
            sandbox
                .cmd()?
                .arg("--db")
                .arg(db)
                .args(args)
                .assert()
                .failure()
                .stderr(contains(says).and(contains("sqlite://PATH")));
        }
    }
    // A PostgreSQL URL is supported: a server that is not there is said so at once,
    // with what to check, and the password is never shown.
    sandbox
        .cmd()?
        .args([
            "--db",
            "postgres://fedireach:s3cret@127.0.0.1:1/fedireach",
            "brand",
            "list",
        ])
        .assert()
        .failure()
        .stderr(
            contains("PostgreSQL server is running")
                .and(contains("fedireach:***@127.0.0.1:1"))
                .and(contains("s3cret").not()),
        );
    let left: Vec<_> = std::fs::read_dir(sandbox.path())?.collect::<Result<_, _>>()?;
    assert!(
        left.is_empty(),
        "nothing created: {:?}",
        left.iter().map(|e| e.file_name()).collect::<Vec<_>>()
    );
    Ok(())
}
