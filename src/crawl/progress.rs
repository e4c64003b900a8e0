//! A progress bar on a terminal (tracing logs otherwise).

use std::io::IsTerminal;

use fedireach_crawler::CrawlProgress;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Posts crawled of posts found, with engagements found so far.
#[derive(Debug)]
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    /// A bar on stderr when it is a terminal, else a hidden one.
    pub fn new() -> Self {
        let bar = if std::io::stderr().is_terminal() {
            ProgressBar::with_draw_target(Some(0), ProgressDrawTarget::stderr())
        } else {
            ProgressBar::hidden()
        };
        bar.set_style(
            ProgressStyle::with_template(
                "{spinner} {elapsed_precise} [{bar:30}] {pos}/{len} posts  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar())
            .progress_chars("=> "),
        );
        Self { bar }
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}

impl CrawlProgress for Bar {
    fn actor_resolved(&self, actor: &str) {
        self.bar.set_message(format!("resolved {actor}"));
    }

    fn posts_found(&self, count: u64) {
        self.bar.inc_length(count);
    }

    fn post_done(&self, engagements: u64) {
        self.bar.inc(1);
        let so_far = self.bar.message();
        let total = so_far
            .split_whitespace()
            .next()
            .and_then(|n| n.parse::<u64>().ok())
            .unwrap_or(0)
            + engagements;
        self.bar.set_message(format!("{total} engagements"));
    }

    fn message(&self, text: &str) {
        self.bar.set_message(text.to_owned());
    }
}
