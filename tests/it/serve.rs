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

/// Issue #15, several dashboards: two `serve --no-schedule` processes on one PostgreSQL
/// database, each with its own copy of the facts (as on two machines), answer every
/// brand's figures alike; after another process's crawl, both answer the new figures.
#[test]
fn two_dashboards_on_one_postgresql_serve_the_same_figures() -> TestResult {
    use fedireach_fakeverse::Scale;
    use fedireach_testdb::{Backend, TestDb};

    use crate::world::{ServeProcess, World};

    if !TestDb::backends()?.contains(&Backend::Postgres) {
        eprintln!("PostgreSQL is not installed: skipped (FEDIREACH_POSTGRES=required forbids it)");
        return Ok(());
    }
    let mut world = World::start_on(Scale::Small, 6, Backend::Postgres)?;
    world.add_brands()?;
    world.crawl()?.code(3);
    let copies = tempfile::TempDir::new()?;
    let dashboards = ["a", "b"]
        .into_iter()
        .map(|name| {
            let dir = copies.path().join(name);
            let dir = dir.to_str().ok_or("a path that is not UTF-8")?.to_owned();
            let (child, address) = world
                .sandbox
                .serve(&[("FEDIREACH_FACTS_DIR", &dir)], Stdio::null())?;
            Ok((ServeProcess(child), address))
        })
        .collect::<Result<Vec<_>, Box<dyn std::error::Error>>>()?;
    let figures = |world: &World| -> Result<Vec<String>, Box<dyn std::error::Error>> {
        let mut answers = Vec::new();
        for (_, address) in &dashboards {
            let mut all = String::new();
            for brand in &world.truth.brands {
                let reach = get(
                    address,
                    &format!("/api/v1/brands/{}/reach?from=2000-01-01", brand.name),
                )?;
                assert!(reach.starts_with("HTTP/1.1 200"), "{reach}");
                let body = reach.split_once("\r\n\r\n").map_or("", |(_, body)| body);
                all.push_str(body);
            }
            answers.push(all);
        }
        Ok(answers)
    };
    let before = figures(&world)?;
    assert_eq!(before[0], before[1], "the two dashboards disagree");
    assert!(before[0].contains("\"engagements\""), "{}", before[0]);

    world.advance(7)?;
    world.crawl()?.code(3);
    let after = figures(&world)?;
    assert_eq!(
        after[0], after[1],
        "the two dashboards disagree after a crawl"
    );
    assert_ne!(
        before[0], after[0],
        "a week's crawl changed nothing on the dashboards"
    );
    for (name, dir) in [("a", "a"), ("b", "b")] {
        assert!(
            copies.path().join(dir).exists(),
            "dashboard {name} keeps its own copy of the facts"
        );
    }
    Ok(())
}
