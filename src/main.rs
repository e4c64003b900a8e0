//! `fedireach`: the command line, the composition root of the crates.

mod cli;
mod commands;
mod config;
mod crawl;
mod deliver;
mod schedule;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    // Services log what they do; one-shot commands speak only of problems.
    let quiet = match cli.command {
        cli::Command::Serve(_) => "info",
        // The demo's terminal shows the crawl's summary and the scheduler's news.
        #[cfg(feature = "simulation")]
        cli::Command::Demo(_) => "error,fedireach::schedule=info",
        _ => "warn",
    };
    init_tracing(cli.verbose, quiet);
    match commands::run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(1)
        }
    }
}

/// Logs go to stderr; `RUST_LOG` wins over `-v`.
fn init_tracing(verbose: u8, quiet: &str) {
    let default = match verbose {
        0 => quiet,
        1 => "info,fedireach=info",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
}
