//! `deliver`: the report mails that are due and the alerts, or one delivery at once.

use std::process::ExitCode;

use super::open_analytics;
use crate::{
    cli::DeliverArgs,
    config::Config,
    deliver::{self, Outcome},
};

pub async fn run(config: &Config, args: DeliverArgs) -> anyhow::Result<ExitCode> {
    let (store, analytics) = open_analytics(config).await?;
    if let Some(name) = &args.now {
        let period = deliver::send_now(config, &analytics, name).await?;
        println!("sent {name}: {} to {}", period.from, period.to);
        return Ok(ExitCode::SUCCESS);
    }
    let mut failed = false;
    for (name, outcome) in deliver::run_due(config, &store, &analytics).await? {
        let said = match &outcome {
            Outcome::Sent => "sent".to_owned(),
            Outcome::AlreadySent => "already sent for this period".to_owned(),
            Outcome::Waiting => "failed before; waiting for its retry".to_owned(),
            Outcome::InProgress => "being sent by another process".to_owned(),
            Outcome::Failed(error) => {
                failed = true;
                format!("failed, retried later: {error}")
            }
        };
        println!("{name}: {said}");
    }
    for event in deliver::evaluate_alerts(config, &store, &analytics).await? {
        println!("alert {}: {}", event.rule, event.summary);
    }
    Ok(if failed {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}
