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

    let mut stream = TcpStream::connect(&address)?;
    write!(
        stream,
        "GET /brands/Acme HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut page = String::new();
    stream.read_to_string(&mut page)?;

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    assert!(status.success());
    let exit = child.wait()?;

    assert!(printed.contains("brand Acme (owned)"), "{printed}");
    assert!(printed.contains("brand Globex (watched)"), "{printed}");
    assert!(printed.contains("engagements found"), "{printed}");
    assert!(page.starts_with("HTTP/1.1 200"), "{page}");
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
