//! The comparison of brands as a table: fixed columns whatever the window holds.

use crate::{
    CompareReport,
    render::{
        Tabular, float, opt,
        reports::{headers, title},
    },
};

/// The families with a column of their own in the comparison's CSV, always these, in
/// this order, whatever the window holds (a spreadsheet's formulas keep their
/// columns); the others are summed in `other_share_pct`, then `unknown_share_pct`.
const COMPARE_FAMILIES: [&str; 9] = [
    "mastodon",
    "misskey",
    "pleroma",
    "lemmy",
    "peertube",
    "pixelfed",
    "gotosocial",
    "friendica",
    "threads",
];

impl Tabular for CompareReport {
    fn title(&self) -> String {
        let brands: Vec<&str> = self.rows.iter().map(|r| r.brand.as_str()).collect();
        title(
            "Comparison",
            &brands.join(", "),
            self.from.as_ref(),
            self.to.as_ref(),
        )
    }
    /// The brand's figures, then its engagements share from each family.
    fn headers(&self) -> Vec<String> {
        let mut names = headers(&[
            "brand",
            "posts",
            "engagements",
            "share_of_voice_pct",
            "engagements_per_post",
            "engagement_rate",
            "followers_start",
            "followers_end",
            "follower_growth",
            "follower_growth_pct",
        ]);
        names.extend(
            COMPARE_FAMILIES
                .iter()
                .chain(["other", "unknown"].iter())
                .map(|f| format!("{f}_share_pct")),
        );
        names
    }
    fn rows(&self) -> Vec<Vec<String>> {
        self.rows
            .iter()
            .map(|r| {
                let mut cells = vec![
                    r.brand.clone(),
                    r.posts.to_string(),
                    r.engagements.to_string(),
                    float(r.share_of_voice_pct),
                    opt(r.engagements_per_post.map(float)),
                    opt(r.engagement_rate.map(float)),
                    opt(r.followers_start),
                    opt(r.followers_end),
                    opt(r.follower_growth),
                    opt(r.follower_growth_pct.map(float)),
                ];
                let share = |pick: &dyn Fn(&str) -> bool| {
                    self.families
                        .iter()
                        .filter(|f| f.brand == r.brand && pick(&f.family))
                        .map(|f| f.share_pct)
                        .fold(0.0, |a, b| a + b)
                };
                cells.extend(
                    COMPARE_FAMILIES
                        .iter()
                        .map(|family| float(share(&|f: &str| f == *family))),
                );
                cells.push(float(
                    (share(&|f: &str| !COMPARE_FAMILIES.contains(&f) && f != "unknown") * 100.0)
                        .round()
                        / 100.0,
                ));
                cells.push(float(share(&|f: &str| f == "unknown")));
                cells
            })
            .collect()
    }
}
