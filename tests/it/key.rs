//! `fedireach key export | import`: the instance actor's key carried to a new database,
//! so the actor `serve` publishes behind the same public_url keeps its public key.

use std::{
    io::{Read, Write},
    net::TcpStream,
    process::Command,
};

use crate::util::{Sandbox, TestResult};

const PUBLIC_URL: &str = "https://reach.example";

/// `serve` on the sandbox's database with `public_url` set: the instance actor document
/// it publishes at /actor, and what it logged on stderr.
fn served_actor(
    sandbox: &Sandbox,
) -> Result<(serde_json::Value, String), Box<dyn std::error::Error>> {
    let log = sandbox.path().join("serve.log");
    let (mut child, address) = sandbox.serve(
        &[("FEDIREACH_PUBLIC_URL", PUBLIC_URL)],
        std::fs::File::create(&log)?.into(),
    )?;
    let fetched = (|| {
        let mut stream = TcpStream::connect(&address).map_err(|e| e.to_string())?;
        write!(
                stream,
                "GET /actor HTTP/1.1\r\nHost: reach.example\r\nAccept: application/activity+json\r\nConnection: close\r\n\r\n"
            )
            .map_err(|e| e.to_string())?;
        let mut response = String::new();
        stream
            .read_to_string(&mut response)
            .map_err(|e| e.to_string())?;
        Ok::<_, String>(response)
    })();
    Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()?;
    child.wait()?;
    let response = fetched?;
    let body = response
        .split_once("\r\n\r\n")
        .map(|(_, body)| body)
        .ok_or("no body")?;
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");
    Ok((serde_json::from_str(body)?, std::fs::read_to_string(log)?))
}

fn public_key(actor: &serde_json::Value) -> Result<String, Box<dyn std::error::Error>> {
    Ok(actor["publicKey"]["publicKeyPem"]
        .as_str()
        .ok_or("no publicKeyPem")?
        .to_owned())
}

#[test]
fn an_exported_key_imported_into_a_new_database_is_served_again() -> TestResult {
    let old = Sandbox::new()?;
    old.run(&["key", "export"])?
        .failure()
        .stderr(predicates::str::contains("no instance key yet"));
    let (first, log) = served_actor(&old)?;
    assert!(
        log.contains("made a new key"),
        "a new key is warned of: {log}"
    );
    let pem = old.stdout(&["key", "export"])?;
    assert!(pem.starts_with("-----BEGIN PRIVATE KEY-----"), "{pem}");
    let file = old.path().join("key.pem");
    old.run(&["key", "export", "--out", file.to_str().ok_or("path")?])?
        .success();
    assert_eq!(std::fs::read_to_string(&file)?, pem);

    let new = Sandbox::new()?;
    new.run(&["key", "import", file.to_str().ok_or("path")?])?
        .success();
    let (again, log) = served_actor(&new)?;
    assert_eq!(public_key(&again)?, public_key(&first)?);
    assert!(
        !log.contains("made a new key"),
        "an imported key is not new: {log}"
    );
    Ok(())
}

#[test]
fn import_refuses_junk_and_keeps_another_key_unless_told() -> TestResult {
    let sandbox = Sandbox::new()?;
    let junk = sandbox.path().join("junk.pem");
    std::fs::write(&junk, "-----BEGIN PRIVATE KEY-----\nnot a key\n")?;
    sandbox
        .run(&["key", "import", junk.to_str().ok_or("path")?])?
        .failure()
        .stderr(predicates::str::contains("is not a key exported"));

    let (served, _) = served_actor(&sandbox)?;
    let other = Sandbox::new()?;
    served_actor(&other)?;
    let other_pem = other.path().join("other.pem");
    other
        .run(&["key", "export", "--out", other_pem.to_str().ok_or("path")?])?
        .success();
    let path = other_pem.to_str().ok_or("path")?;
    sandbox
        .run(&["key", "import", path])?
        .failure()
        .stderr(predicates::str::contains("--replace"));
    let (kept, _) = served_actor(&sandbox)?;
    assert_eq!(public_key(&kept)?, public_key(&served)?);
    sandbox
        .run(&["key", "import", "--replace", path])?
        .success();
    let (replaced, _) = served_actor(&sandbox)?;
    assert_ne!(public_key(&replaced)?, public_key(&served)?);
    Ok(())
}
