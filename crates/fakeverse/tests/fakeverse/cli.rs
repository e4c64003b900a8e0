//! The library entry point the `fedireach fakeverse` command calls.

use std::net::SocketAddr;

use fedireach_fakeverse::{Scale, ServerOptions, Truth, WorldOptions, run, write_file};

#[tokio::test]
async fn run_reports_ready_serves_and_stops() {
    let dir = std::env::temp_dir().join(format!("fakeverse-cli-{}", std::process::id()));
    let _ = std::fs::create_dir_all(&dir);
    let (truth_path, ca_path) = (dir.join("truth.json"), dir.join("ca.pem"));
    let (ready_tx, ready_rx) = tokio::sync::oneshot::channel::<(SocketAddr, String)>();
    let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
    let options = ServerOptions {
        world: WorldOptions {
            seed: 4,
            scale: Scale::Small,
            day: 0,
            plain_http: false,
            tour: false,
        },
        ..ServerOptions::default()
    };
    let (truth_file, ca_file) = (truth_path.clone(), ca_path.clone());
    let task = tokio::spawn(run(
        options,
        move |ready| {
            let first_line = format!("listening on {}", ready.addr);
            Truth::of(ready.world).write_to(&truth_file)?;
            if let Some(pem) = ready.ca_pem {
                write_file(&ca_file.display().to_string(), pem)?;
            }
            let _ = ready_tx.send((ready.addr, first_line + "\n" + &ready.world.summary()));
            Ok(())
        },
        async {
            let _ = stop_rx.await;
        },
    ));
    let (addr, printed) = ready_rx
        .await
        .unwrap_or_else(|e| panic!("never ready: {e}"));
    assert!(printed.starts_with(&format!("listening on 127.0.0.1:{}\n", addr.port())));
    assert!(printed.contains("brand Acme (owned)"));
    let truth = std::fs::read_to_string(&truth_path).expect("the file was written");
    assert!(truth.starts_with("{\"seed\":4,"));
    let ca = std::fs::read_to_string(&ca_path).expect("the file was written");
    assert!(ca.starts_with("-----BEGIN CERTIFICATE-----"));
    let _ = stop_tx.send(());
    let result = task.await.unwrap_or_else(|e| panic!("run panicked: {e}"));
    assert!(result.is_ok(), "{result:?}");
    assert!(
        tokio::net::TcpStream::connect(addr).await.is_err(),
        "stopped listening"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
