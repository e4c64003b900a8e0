//! `forget actor | instance`: purge, and remember the opt-out.

use std::process::ExitCode;

use fedireach_core::{ActorRef, ActorRefOptions, Host};

use super::{open_store, sync_facts};
use crate::{cli::ForgetCommand, config::Config};

/// The reason recorded for a purge asked for on the command line.
const REASON: &str = "forget_command";

pub async fn run(config: &Config, command: ForgetCommand) -> anyhow::Result<ExitCode> {
    match command {
        ForgetCommand::Actor { actor } => {
            // Any scheme may be named here: forgetting never fetches anything.
            let actor = ActorRef::parse(&actor, ActorRefOptions { allow_http: true })?;
            let store = open_store(config).await?;
            let done = store.forget_actor(&actor, REASON).await?;
            sync_facts(config, &store).await?;
            println!(
                "forgot {actor}: {} engager record(s), {} engagement(s) purged; it stays out of later crawls",
                done.actors, done.engagements
            );
        }
        ForgetCommand::Instance { host } => {
            let host = Host::parse(&host)?;
            let store = open_store(config).await?;
            let done = store.forget_instance(&host, REASON).await?;
            sync_facts(config, &store).await?;
            println!(
                "forgot {host}: {} engager record(s), {} engagement(s) purged; it stays out of later crawls",
                done.actors, done.engagements
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
