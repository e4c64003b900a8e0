//! `fakeverse`: the simulated fediverse on loopback until ctrl-c.

use std::{collections::HashMap, io::Write, process::ExitCode};

use anyhow::Context;
use fedireach_fakeverse::{NetworkOptions, ServerOptions, Truth, WorldOptions, write_file};

use crate::{cli::FakeverseArgs, config::Config};

pub async fn run(config: &Config, args: FakeverseArgs) -> anyhow::Result<ExitCode> {
    let scale = args.scale;
    let network = &config.network;
    let options = ServerOptions {
        world: WorldOptions {
            seed: args.seed,
            scale,
            day: args.day,
            plain_http: args.plain_http,
            tour: args.tour,
        },
        listen: args
            .listen
            .unwrap_or_else(|| std::net::SocketAddr::from(([127, 0, 0, 1], 0))),
        network: NetworkOptions {
            resolve_all: network.resolve_all,
            resolve: network
                .resolve
                .iter()
                .map(|(host, addr)| (host.to_string(), *addr))
                .collect::<HashMap<_, _>>(),
            extra_ca_pem: if network.extra_ca_file.as_os_str().is_empty() {
                None
            } else {
                Some(
                    std::fs::read_to_string(&network.extra_ca_file)
                        .context("network.extra_ca_file")?,
                )
            },
            allow_http: network.allow_http,
        },
        latency: std::time::Duration::from_millis(args.latency),
        ..ServerOptions::default()
    };
    let truth = args.truth.as_ref().map(|p| p.display().to_string());
    let ca = args.ca.as_ref().map(|p| p.display().to_string());
    fedireach_fakeverse::run(
        options,
        |ready| {
            let mut stdout = std::io::stdout().lock();
            // The first line is the contract scripts wait for.
            let _ = writeln!(stdout, "listening on {}", ready.addr);
            let _ = write!(stdout, "{}", ready.world.summary());
            let _ = stdout.flush();
            if let Some(path) = &truth {
                write_file(path, &Truth::of(ready.world).to_json()?)?;
            }
            if let (Some(path), Some(pem)) = (&ca, ready.ca_pem) {
                write_file(path, pem)?;
            }
            Ok(())
        },
        async {
            let _ = tokio::signal::ctrl_c().await;
        },
    )
    .await?;
    Ok(ExitCode::SUCCESS)
}
