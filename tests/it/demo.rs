//! `fedireach demo` as a user runs it: the simulated world, a crawl, the dashboard;
//! the brand page answers with the crawl's figures, and SIGTERM stops it all cleanly.

use std::{
    io::{BufRead, BufReader, Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
};

use crate::util::{Sandbox, TestResult};

#[test]
fn demo_crawls_the_simulated_world_and_serves_its_brand_page() -> TestResult {
    let sandbox = Sandbox::new()?;
    let demo_dir = sandbox.dir.path().join("demo");
    // Run as a user who installed the binary: from a directory outside the checkout,
    // no `--dashboards` (the built-in ones serve).
    assert!(!sandbox.dir.path().starts_with(env!("CARGO_MANIFEST_DIR")));
    let mut child = Command::new(assert_cmd::cargo::cargo_bin("fedireach"))
        .current_dir(sandbox.dir.path())
        .env_clear()
        .args(["demo", "--listen", "127.0.0.1:0"])
        .arg("--dir")
        .arg(&demo_dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut printed = String::new();
    let address = loop {
        let mut line = String::new();
        if stdout.read_line(&mut line)? == 0 {
            return Err(format!("the demo ended before serving:\n{printed}").into());
        }
        printed.push_str(&line);
        if let Some(rest) = line.trim().strip_prefix("dashboard: http://") {
            break rest.trim_end_matches('/').to_owned();
        }
    };

    let get = |path: &str| -> std::io::Result<String> {
        let mut stream = TcpStream::connect(&address)?;
        write!(
            stream,
            "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
        )?;
        let mut page = String::new();
        stream.read_to_string(&mut page)?;
        Ok(page)
    };
    let page = get("/brands/Acme")?;
    // The demo world is dated relative to today: the last 30 days hold posts and
    // engagements, and the page marks the range it shows.
    let recent = get("/api/v1/brands/Acme/figures?last=30")?;
    let last_30 = get("/brands/Acme?last=30")?;

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    assert!(status.success());
    let exit = child.wait()?;

    assert!(printed.contains("brand Acme (owned)"), "{printed}");
    assert!(printed.contains("brand Globex (watched)"), "{printed}");
    assert!(printed.contains("engagements found"), "{printed}");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
    let body = recent.split("\r\n\r\n").nth(1).unwrap_or("");
    let figures: serde_json::Value = serde_json::from_str(body)?;
    let engagements = figures["current"]["engagements"].as_u64().unwrap_or(0);
    assert!(
        engagements > 0,
        "nothing in the demo's last 30 days: {body}"
    );
    assert!(
        last_30.contains("href=\"?last=30\" class=\"active\""),
        "the active preset is marked"
    );
    // The crawl's figures are on the page: its reach chart and instance table.
    assert!(page.contains("<svg"), "no chart on the brand page");
    assert!(
        page.contains("mastodon-1.example"),
        "no instance of the world on the page"
    );
    // The user's own database (the sandbox's default one) was never created.
    assert!(!sandbox.dir.path().join("fedireach.db").exists());
    assert!(demo_dir.join("demo.db").exists());
    assert!(exit.success(), "a clean stop on SIGTERM: {exit:?}");
    Ok(())
}
