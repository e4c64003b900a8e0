//! Report mails and alerts end to end (issue #16). A real SMTP server (Python's
//! `aiosmtpd` from PyPI, in a venv this harness makes) receives what `fedireach
//! deliver` sends, and the test reads the mail back: its MIME structure, the inline
//! charts the HTML references by `cid:`, and the CSV attachments, which must be the
//! bytes `fedireach report --format csv` prints. A real HTTP server (axum, in this test)
//! receives the alerts' webhooks (`alerts.rs`).

use std::{
    io::{BufRead, BufReader},
    path::{Path, PathBuf},
    process::{Child, ChildStdin, Command, Stdio},
    sync::Mutex,
    time::{Duration, Instant},
};

use fedireach_fakeverse::Scale;
use predicates::str::contains;
use sqlx::Connection;

use crate::{
    analytics::loaded,
    util::{Sandbox, TestResult},
};

/// How long the SMTP server may take to start and a sent mail to reach its folder.
const SERVER_DEADLINE: Duration = Duration::from_secs(30);
/// The aiosmtpd release the tests were written against.
const AIOSMTPD: &str = "aiosmtpd==1.4.6";

pub(crate) type Fallible<T> = Result<T, Box<dyn std::error::Error>>;

/// One venv for every test of the run (made once, kept in the target directory).
static VENV: Mutex<()> = Mutex::new(());

/// The venv's Python with aiosmtpd installed, made on first use: `python3 -m venv`,
/// then `pip install` from PyPI (`.ci/run` installs python3-venv on a fresh machine).
fn python() -> Fallible<PathBuf> {
    let _guard = VENV
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let venv = Path::new(env!("CARGO_TARGET_TMPDIR")).join("aiosmtpd-venv");
    let python = venv.join("bin").join("python");
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", "import aiosmtpd"])
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if !ready(&python) {
        let made = Command::new("python3")
            .arg("-m")
            .arg("venv")
            .arg(&venv)
            .status()?;
        assert!(made.success(), "python3 -m venv {} failed", venv.display());
        let pip = Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", AIOSMTPD])
            .status()?;
        assert!(pip.success(), "pip install {AIOSMTPD} failed");
    }
    assert!(
        ready(&python),
        "aiosmtpd is not importable in {}",
        venv.display()
    );
    Ok(python)
}

/// The SMTP server, stopped (stdin closed, then killed) when dropped.
pub(crate) struct SmtpSink {
    child: Child,
    stdin: Option<ChildStdin>,
    pub(crate) port: u16,
    dir: tempfile::TempDir,
}

impl SmtpSink {
    /// A plain server: no TLS, no login.
    pub(crate) fn start() -> Fallible<Self> {
        Self::start_with(&[])
    }

    /// A server in the mode `args` give `smtp_sink.py` after its folder.
    fn start_with(args: &[&std::ffi::OsStr]) -> Fallible<Self> {
        let dir = tempfile::TempDir::new()?;
        let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/it/smtp_sink.py");
        let mut child = Command::new(python()?)
            .arg(script)
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().ok_or("no stdout")?;
        let mut line = String::new();
        BufReader::new(stdout).read_line(&mut line)?;
        let port = line
            .trim()
            .strip_prefix("listening on 127.0.0.1:")
            .ok_or_else(|| format!("the SMTP server said {line:?}"))?
            .parse()?;
        Ok(Self {
            child,
            stdin,
            port,
            dir,
        })
    }

    /// The envelope of the `n`th mail (from 1): sender, recipients, `encrypted`, `login`.
    fn envelope(&self, n: usize) -> Fallible<serde_json::Value> {
        let path = self.dir.path().join(format!("{n:04}.json"));
        Ok(serde_json::from_slice(&std::fs::read(path)?)?)
    }

    /// The mails received so far, oldest first.
    fn mails(&self) -> Fallible<Vec<Vec<u8>>> {
        let mut paths: Vec<PathBuf> = std::fs::read_dir(self.dir.path())?
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|e| e == "eml"))
            .collect();
        paths.sort();
        Ok(paths.iter().map(std::fs::read).collect::<Result<_, _>>()?)
    }

    /// Waits until `n` mails have arrived (bounded by [`SERVER_DEADLINE`]).
    pub(crate) fn wait_for(&self, n: usize) -> Fallible<Vec<Vec<u8>>> {
        let start = Instant::now();
        loop {
            let mails = self.mails()?;
            if mails.len() >= n || start.elapsed() > SERVER_DEADLINE {
                return Ok(mails);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for SmtpSink {
    fn drop(&mut self) {
        drop(self.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub(crate) fn write_config(
    sandbox: &Sandbox,
    port: u16,
    brand: &str,
    extra: &str,
) -> Fallible<PathBuf> {
    write_config_with(
        sandbox,
        &format!("host = \"127.0.0.1\"\nport = {port}\nsecurity = \"plain\"\ntimeout = \"10s\"\n"),
        brand,
        extra,
    )
}

/// The config with `smtp` (host, port, security...) at the top of `[smtp]`.
fn write_config_with(sandbox: &Sandbox, smtp: &str, brand: &str, extra: &str) -> Fallible<PathBuf> {
    let path = sandbox.path().join("fedireach.toml");
    std::fs::write(
        &path,
        format!(
            r#"
[smtp]
{smtp}
from = "fedireach <reports@example.org>"
reply_to = "Social lead <lead@example.org>"

[[delivery]]
name = "yearly"
to = ["lead@example.org", "board@example.org"]
brands = ["{brand}"]
reports = ["reach", "posts", "instances"]
window = "366d"
when = "after_crawl"
time_zone = "Europe/Paris"
{extra}
"#
        ),
    )?;
    Ok(path)
}

/// A port nothing listens on (bound, then released).
fn closed_port() -> Fallible<u16> {
    let listener = std::net::TcpListener::bind("127.0.0.1:0")?;
    Ok(listener.local_addr()?.port())
}

#[test]
fn deliver_now_mails_figures_inline_charts_and_the_csv_reports() -> TestResult {
    let (sandbox, truth) = loaded(Scale::Small, Sandbox::new()?)?;
    let brand = truth.brands.first().ok_or("no brand")?.name.clone();
    let sink = SmtpSink::start()?;
    write_config(&sandbox, sink.port, &brand, "")?;
    let out = sandbox.stdout(&["deliver", "--now", "yearly"])?;
    let (from, to) = out
        .trim()
        .strip_prefix("sent yearly: ")
        .and_then(|p| p.split_once(" to "))
        .ok_or_else(|| format!("deliver said {out:?}"))?;
    let mails = sink.wait_for(1)?;
    assert_eq!(mails.len(), 1, "one mail");
    // For the README's picture of a delivered mail (docs/render-mail.py).
    if let Some(path) = std::env::var_os("FEDIREACH_TEST_MAIL_OUT") {
        std::fs::write(path, &mails[0])?;
    }
    let mail = mailparse::parse_mail(&mails[0])?;
    let header = |name: &str| {
        mail.headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case(name))
            .map(|h| h.get_value())
            .unwrap_or_default()
    };
    assert!(
        header("From").contains("reports@example.org"),
        "{}",
        header("From")
    );
    assert!(header("Reply-To").contains("lead@example.org"));
    assert!(header("To").contains("board@example.org"));
    assert!(header("Subject").contains(from) && header("Subject").contains(to));

    // multipart/mixed [ multipart/related [ multipart/alternative [plain, html], png... ], csv... ]
    assert_eq!(mail.ctype.mimetype, "multipart/mixed");
    let related = mail.subparts.first().ok_or("no body")?;
    assert_eq!(related.ctype.mimetype, "multipart/related");
    let alternative = related.subparts.first().ok_or("no alternative")?;
    assert_eq!(alternative.ctype.mimetype, "multipart/alternative");
    let types: Vec<&str> = alternative
        .subparts
        .iter()
        .map(|p| p.ctype.mimetype.as_str())
        .collect();
    assert_eq!(types, ["text/plain", "text/html"]);
    let text = alternative.subparts[0].get_body()?;
    let html = alternative.subparts[1].get_body()?;
    assert!(text.contains("Engagements: "), "{text}");
    assert!(html.contains(&brand), "the brand's section");
    let images: Vec<_> = related.subparts.iter().skip(1).collect();
    assert_eq!(images.len(), 2, "the reach chart and the timeline");
    for image in images {
        assert_eq!(image.ctype.mimetype, "image/png");
        let cid = image
            .headers
            .iter()
            .find(|h| h.get_key().eq_ignore_ascii_case("Content-ID"))
            .map(|h| h.get_value())
            .ok_or("an inline image without Content-ID")?;
        let cid = cid.trim().trim_start_matches('<').trim_end_matches('>');
        assert!(
            html.contains(&format!("src=\"cid:{cid}\"")),
            "the HTML shows {cid}"
        );
        let png = image.get_body_raw()?;
        assert!(png.starts_with(b"\x89PNG\r\n\x1a\n"), "a PNG");
    }
    let attachments: Vec<_> = mail.subparts.iter().skip(1).collect();
    assert_eq!(attachments.len(), 3, "reach, posts, instances");
    for (attachment, kind) in attachments.iter().zip(["reach", "posts", "instances"]) {
        assert_eq!(attachment.ctype.mimetype, "text/csv");
        let disposition = attachment.get_content_disposition();
        let filename = disposition
            .params
            .get("filename")
            .cloned()
            .unwrap_or_default();
        assert_eq!(filename, format!("{brand}-{kind}-{from}-{to}.csv"));
        let report = sandbox.run(&[
            "report",
            kind,
            "--brand",
            &brand,
            "--from",
            from,
            "--to",
            to,
            "--tz",
            "Europe/Paris",
            "--format",
            "csv",
        ])?;
        let expected = report.success().get_output().stdout.clone();
        assert!(
            expected.lines().count() > 1,
            "{kind}: the world has rows in the period"
        );
        assert!(
            attachment.get_body_raw()? == expected,
            "{kind}: the attachment is not the bytes of `report --format csv`"
        );
    }
    Ok(())
}

/// A private CA and a certificate it signed for 127.0.0.1, as PEM files in `dir`:
/// (CA, certificate, key).
fn certificate(dir: &Path) -> Fallible<(PathBuf, PathBuf, PathBuf)> {
    use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, Issuer, KeyPair};
    let ca_key = KeyPair::generate()?;
    let mut ca = CertificateParams::new(Vec::<String>::new())?;
    ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca.distinguished_name
        .push(DnType::CommonName, "fedireach test mail CA");
    let ca_pem = ca.self_signed(&ca_key)?.pem();
    let issuer = Issuer::new(ca, ca_key);
    let key = KeyPair::generate()?;
    let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned()])?;
    leaf.distinguished_name
        .push(DnType::CommonName, "127.0.0.1");
    let cert = leaf.signed_by(&key, &issuer)?;
    let paths = (
        dir.join("ca.pem"),
        dir.join("cert.pem"),
        dir.join("key.pem"),
    );
    std::fs::write(&paths.0, ca_pem)?;
    std::fs::write(&paths.1, cert.pem())?;
    std::fs::write(&paths.2, key.serialize_pem())?;
    Ok(paths)
}

/// STARTTLS on the submission port and TLS from the first byte, each logging in with
/// the credentials of the environment, to a relay whose certificate a private CA
/// signed: without `smtp.extra_ca_file` the certificate is refused and nothing is sent
/// (no fallback to plain text); with it the mail arrives encrypted and logged in.
#[test]
fn mail_goes_over_starttls_or_tls_with_a_login_and_a_verified_certificate() -> TestResult {
    let (sandbox, truth) = loaded(Scale::Small, Sandbox::new()?)?;
    let brand = truth.brands.first().ok_or("no brand")?.name.clone();
    let pki = tempfile::TempDir::new()?;
    let (ca, cert, key) = certificate(pki.path())?;
    for security in ["starttls", "tls"] {
        let sink = SmtpSink::start_with(&[
            security.as_ref(),
            cert.as_os_str(),
            key.as_os_str(),
            "reporter".as_ref(),
            "s3cret pass".as_ref(),
        ])?;
        let smtp = format!(
            "host = \"127.0.0.1\"\nport = {}\nsecurity = \"{security}\"\n\
             username_env = \"TEST_SMTP_USER\"\npassword_env = \"TEST_SMTP_PASSWORD\"\n\
             timeout = \"10s\"\n",
            sink.port
        );
        let deliver = |password: &str| -> Fallible<std::process::Output> {
            let mut cmd = sandbox.cmd()?;
            cmd.arg("--db")
                .arg(sandbox.db_url())
                .args(["deliver", "--now", "yearly"])
                .env("TEST_SMTP_USER", "reporter")
                .env("TEST_SMTP_PASSWORD", password);
            Ok(cmd.output()?)
        };

        write_config_with(&sandbox, &smtp, &brand, "")?;
        let untrusted = deliver("s3cret pass")?;
        let stderr = String::from_utf8_lossy(&untrusted.stderr);
        assert!(
            !untrusted.status.success(),
            "{security}: sent to an unknown CA"
        );
        assert!(
            stderr.contains("127.0.0.1:") && stderr.contains("certificate"),
            "{security}: the error names the server and its certificate: {stderr}"
        );

        let trusted = format!("{smtp}extra_ca_file = {:?}\n", ca.display().to_string());
        write_config_with(&sandbox, &trusted, &brand, "")?;
        let refused = deliver("wrong")?;
        assert!(
            !refused.status.success(),
            "{security}: a wrong password is refused"
        );
        assert!(sink.mails()?.is_empty(), "{security}: nothing was sent yet");

        let sent = deliver("s3cret pass")?;
        assert!(
            sent.status.success(),
            "{security}: {}",
            String::from_utf8_lossy(&sent.stderr)
        );
        assert_eq!(sink.wait_for(1)?.len(), 1, "{security}: one mail");
        let envelope = sink.envelope(1)?;
        assert_eq!(envelope["encrypted"], true, "{security}: {envelope}");
        assert_eq!(envelope["login"], "reporter", "{security}: {envelope}");
    }
    Ok(())
}

/// A relay that takes the connection and never speaks (a real socket whose connections
/// wait in its backlog): the send gives up at `smtp.timeout` and says so.
#[test]
fn a_relay_that_never_answers_is_given_up_at_the_timeout() -> TestResult {
    let (sandbox, truth) = loaded(Scale::Small, Sandbox::new()?)?;
    let brand = truth.brands.first().ok_or("no brand")?.name.clone();
    let silent = std::net::TcpListener::bind("127.0.0.1:0")?;
    let port = silent.local_addr()?.port();
    for security in ["plain", "starttls", "tls"] {
        let smtp = format!(
            "host = \"127.0.0.1\"\nport = {port}\nsecurity = \"{security}\"\ntimeout = \"2s\"\n"
        );
        write_config_with(&sandbox, &smtp, &brand, "")?;
        sandbox
            .run(&["deliver", "--now", "yearly"])?
            .failure()
            .stderr(contains(format!(
                "127.0.0.1:{port} did not finish taking the mail within 2s"
            )));
    }
    drop(silent);
    Ok(())
}

#[test]
fn a_period_is_mailed_once_and_a_failed_send_waits_for_its_retry() -> TestResult {
    let (sandbox, truth) = loaded(Scale::Small, Sandbox::new()?)?;
    let brand = truth.brands.first().ok_or("no brand")?.name.clone();
    // No server: the send fails, is recorded with its error, and waits for a retry.
    write_config(&sandbox, closed_port()?, &brand, "")?;
    sandbox
        .run(&["deliver"])?
        .code(3)
        .stdout(contains("yearly: failed, retried later"));
    sandbox
        .run(&["deliver"])?
        .success()
        .stdout(contains("yearly: failed before; waiting for its retry"));
    let runtime = tokio::runtime::Runtime::new()?;
    let db = sandbox.db_url();
    let (state, attempts, error): (String, i64, String) = runtime.block_on(async {
        let mut conn = sqlx::SqliteConnection::connect(&db).await?;
        let row = sqlx::query_as(
            "SELECT state, attempts, last_error FROM delivery_runs WHERE name = 'yearly'",
        )
        .fetch_one(&mut conn)
        .await?;
        // The backoff's wait, over: as if the clock had moved on.
        sqlx::query("UPDATE delivery_runs SET next_attempt_at = 0")
            .execute(&mut conn)
            .await?;
        Ok::<_, sqlx::Error>(row)
    })?;
    assert_eq!((state.as_str(), attempts), ("failed", 1));
    assert!(error.contains("SMTP server"), "{error}");

    // The server is up: the retry sends it, and a later run sends nothing again.
    let sink = SmtpSink::start()?;
    write_config(&sandbox, sink.port, &brand, "")?;
    sandbox
        .run(&["deliver"])?
        .success()
        .stdout(contains("yearly: sent"));
    sandbox
        .run(&["deliver"])?
        .success()
        .stdout(contains("yearly: already sent for this period"));
    assert_eq!(sink.wait_for(1)?.len(), 1);
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(sink.mails()?.len(), 1, "never twice for the same period");
    Ok(())
}
