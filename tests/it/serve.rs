//! `fedireach serve` as a process: it prints where it listens, answers over HTTP on
//! loopback, and stops cleanly on SIGTERM.

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::{Command, Stdio},
};

use crate::util::{Sandbox, TestResult};

/// One HTTP/1.1 GET with `Connection: close`; the whole response as text.
fn get(address: &str, path: &str) -> Result<String, std::io::Error> {
    let mut stream = TcpStream::connect(address)?;
    write!(
        stream,
        "GET {path} HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n"
    )?;
    let mut response = String::new();
    stream.read_to_string(&mut response)?;
    Ok(response)
}

#[test]
fn serve_answers_on_loopback_and_stops_on_sigterm() -> TestResult {
    let sandbox = Sandbox::new()?;
    sandbox
        .run(&["brand", "add", "acme", "@acme@brand.example"])?
        .success();
    // From a directory outside the checkout, with the dashboards built into the binary.
    let (mut child, address) = sandbox.serve(&[], Stdio::null())?;

    let overview = get(&address, "/")?;
    let brand = get(&address, "/brands/acme")?;
    let missing = get(&address, "/brands/nobody")?;
    let bad = get(&address, "/?from=not-a-date")?;
    let api = get(&address, "/api/v1/brands")?;

    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    assert!(status.success());
    let exit = child.wait()?;

    assert!(overview.starts_with("HTTP/1.1 200"), "{overview}");
    assert!(overview.contains("acme"));
    assert!(brand.starts_with("HTTP/1.1 200"), "{brand}");
    assert!(missing.starts_with("HTTP/1.1 404"), "{missing}");
    assert!(bad.starts_with("HTTP/1.1 400"), "{bad}");
    assert!(api.contains("\"name\": \"acme\""), "{api}");
    assert!(exit.success(), "a clean stop on SIGTERM: {exit:?}");
    Ok(())
}

#[test]
fn a_broken_dashboard_file_is_a_start_up_error_naming_file_and_line() -> TestResult {
    let sandbox = Sandbox::new()?;
    let dir = sandbox.dir.path().join("dashboards");
    std::fs::create_dir_all(dir.join("templates"))?;
    std::fs::write(
        dir.join("brand.toml"),
        "[[panel]]\ntype = \"chart\"\ntitle = \"Pie\"\nchart = \"pie\"\n",
    )?;
    std::fs::write(dir.join("overview.toml"), "")?;
    sandbox
        .run(&[
            "serve",
            "--listen",
            "127.0.0.1:0",
            "--dashboards",
            "dashboards",
        ])?
        .failure()
        .stderr(predicates::str::contains(
            "brand.toml:4: unknown chart `pie`",
        ));
    Ok(())
}
