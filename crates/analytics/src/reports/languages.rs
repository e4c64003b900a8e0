//! `report languages`: the declared language of the replies and quotes of the brand's
//! posts (their `contentMap`, `language`), counted as their servers declared it; no
//! language is ever inferred from text.

use fedireach_core::{LanguageCounts, LanguagesReport};
use polars::prelude::*;

use crate::{
    Analytics, Result, Window,
    columns::{counts, opt_strings},
    frames::{QUOTE, REPLY, THREAD_REPLY},
};

impl Analytics {
    /// The languages of the replies, thread replies and quotes of the brand's posts
    /// published in the window.
    pub fn languages(&self, brand: &str, window: &Window) -> Result<LanguagesReport> {
        let posts = self.brand_posts(brand, window)?.select([col("post_id")]);
        let count = |code: i32, name: &str| {
            col("kind")
                .eq(lit(code))
                .cast(DataType::Int64)
                .sum()
                .alias(name)
        };
        let df = self
            .frames
            .languages
            .clone()
            .lazy()
            .inner_join(posts, col("post_id"), col("post_id"))
            .group_by([col("language")])
            .agg([
                count(REPLY, "replies"),
                count(THREAD_REPLY, "thread_replies"),
                count(QUOTE, "quotes"),
            ])
            .collect()?;
        let languages = opt_strings(&df, "language")?;
        let (replies, thread_replies, quotes) = (
            counts(&df, "replies")?,
            counts(&df, "thread_replies")?,
            counts(&df, "quotes")?,
        );
        let rows = languages
            .into_iter()
            .zip(replies.into_iter().zip(thread_replies).zip(quotes))
            .map(|(language, ((replies, thread_replies), quotes))| {
                (
                    language,
                    LanguageCounts {
                        replies,
                        thread_replies,
                        quotes,
                    },
                )
            });
        Ok(LanguagesReport::from_counts(
            brand,
            (window.from_label(), window.to_label()),
            rows,
            self.unavailable_posts(brand, window)?,
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{analytics, august};

    #[test]
    fn languages_in_august_and_all_time() -> Result<()> {
        // August: the reply on post 1 (en), its thread reply (not recorded) and the
        // quote on post 2 (not declared). All time adds July's reply (not declared).
        // Likes and boosts, the self-boost and the removed like have no row.
        let a = analytics()?;
        for (window, total, declared, expected) in [
            (
                august("UTC")?,
                3,
                33.33,
                vec![
                    (Some("en"), None, 1, 0, 0, 33.33),
                    (None, Some("not_declared"), 0, 0, 1, 33.33),
                    (None, Some("not_recorded"), 0, 1, 0, 33.33),
                ],
            ),
            (
                Window::all(),
                4,
                25.0,
                vec![
                    (Some("en"), None, 1, 0, 0, 25.0),
                    (None, Some("not_declared"), 1, 0, 1, 50.0),
                    (None, Some("not_recorded"), 0, 1, 0, 25.0),
                ],
            ),
        ] {
            let report = a.languages("acme", &window)?;
            assert_eq!((report.total, report.declared_pct), (total, declared));
            let got: Vec<_> = report
                .rows
                .iter()
                .map(|r| {
                    (
                        r.language.as_deref(),
                        r.unknown.as_deref(),
                        r.replies,
                        r.thread_replies,
                        r.quotes,
                        r.share_pct,
                    )
                })
                .collect();
            assert_eq!(got, expected);
        }
        let rival = a.languages("rival", &Window::all())?;
        assert_eq!((rival.total, rival.rows.len()), (0, 0));
        Ok(())
    }
}
