//! `brand add | list | remove`.

use std::process::ExitCode;

use fedireach_core::{ActorRef, ActorRefOptions};

use super::open_store;
use crate::{
    cli::{BrandAdd, BrandCommand},
    config::Config,
};

pub async fn run(config: &Config, command: BrandCommand) -> anyhow::Result<ExitCode> {
    match command {
        BrandCommand::Add(args) => add(config, args).await,
        BrandCommand::List => list(config).await,
        BrandCommand::Remove { name } => {
            let store = open_store(config).await?;
            store.remove_brand(&name).await?;
            println!("removed brand {name}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn add(config: &Config, args: BrandAdd) -> anyhow::Result<ExitCode> {
    let options = ActorRefOptions {
        allow_http: config.network.allow_http,
    };
    // Validate every actor before touching the database, and report them all at once.
    let mut actors = Vec::new();
    let mut problems = Vec::new();
    for text in &args.actors {
        match ActorRef::parse(text, options) {
            Ok(actor) => actors.push(actor),
            Err(e) => problems.push(e.to_string()),
        }
    }
    if !problems.is_empty() {
        anyhow::bail!("{}", problems.join("\n"));
    }
    let store = open_store(config).await?;
    let brand = store
        .add_brand(&args.name, &actors, args.token_env.as_deref())
        .await?;
    let kind = if brand.is_owned() { "owned" } else { "watched" };
    println!(
        "added {kind} brand {} with {} actor(s): {}",
        brand.name,
        brand.actors.len(),
        brand
            .actors
            .iter()
            .map(|a| a.input.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    );
    if let Some(var) = &brand.token_env
        && std::env::var_os(var).is_none()
    {
        eprintln!(
            "note: {var} is not set in this environment; the token is read from it at crawl time"
        );
    }
    Ok(ExitCode::SUCCESS)
}

async fn list(config: &Config) -> anyhow::Result<ExitCode> {
    let store = open_store(config).await?;
    let brands = store.list_brands().await?;
    if brands.is_empty() {
        println!("no brands yet; add one with `fedireach brand add NAME ACTOR...`");
        return Ok(ExitCode::SUCCESS);
    }
    let rows: Vec<[String; 4]> = brands
        .iter()
        .map(|b| {
            let token = match &b.token_env {
                Some(var) if std::env::var_os(var).is_some() => format!("${var} (set)"),
                Some(var) => format!("${var} (not set)"),
                None => "-".to_owned(),
            };
            let kind = if b.is_owned() { "owned" } else { "watched" };
            let actors = b
                .actors
                .iter()
                .map(|a| a.input.as_str())
                .collect::<Vec<_>>()
                .join(" ");
            [b.name.clone(), kind.to_owned(), token, actors]
        })
        .collect();
    print_table(["BRAND", "KIND", "TOKEN", "ACTORS"], &rows);
    // Accounts the last crawl could not read: their posts are unknown, not absent.
    for brand in &brands {
        for actor in &brand.actors {
            if let Some(unread) = &actor.unread {
                println!(
                    "{} {}: not read by the last crawl, {}",
                    brand.name,
                    actor.input,
                    unread.phrase()
                );
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// A left-aligned table with two spaces between columns; the last column is not padded.
fn print_table<const N: usize>(header: [&str; N], rows: &[[String; N]]) {
    let mut widths = header.map(|h| h.chars().count());
    for row in rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let line = |cells: Vec<&str>| {
        let mut out = String::new();
        for (i, cell) in cells.iter().enumerate() {
            if i + 1 == N {
                out.push_str(cell);
            } else {
                out.push_str(&format!("{cell:<width$}  ", width = widths[i]));
            }
        }
        println!("{}", out.trim_end());
    };
    line(header.to_vec());
    for row in rows {
        line(row.iter().map(String::as_str).collect());
    }
}
