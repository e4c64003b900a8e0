//! "Every figure also for the previous period of the same length, with the change":
//! a report of the window, the same report of the period before it, and the change of
//! each figure, keyed by the row it belongs to (a software, a host, a hashtag...).
//!
//! The report itself stays the primary result, unchanged, so the core-shaped JSON of
//! `reach`, `posts` and `instances` is still exactly the truth's.

use serde::{Deserialize, Serialize};

use crate::{Baseline, Result, Window};

/// One figure of a report: the row it belongs to, its name and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct Figure {
    /// The row: a software, host, brand... or `all` for a report's totals.
    pub key: String,
    pub name: &'static str,
    pub value: f64,
}

impl Figure {
    /// A figure from any number the reports hold.
    pub fn new(key: impl Into<String>, name: &'static str, value: impl Into<Number>) -> Self {
        Self {
            key: key.into(),
            name,
            value: value.into().0,
        }
    }
}

/// A report figure as a float, for comparing periods; counts stay far below 2^53.
#[derive(Debug, Clone, Copy)]
pub struct Number(f64);

impl From<u64> for Number {
    #[allow(clippy::cast_precision_loss)]
    fn from(n: u64) -> Self {
        Self(n as f64)
    }
}

impl From<i64> for Number {
    #[allow(clippy::cast_precision_loss)]
    fn from(n: i64) -> Self {
        Self(n as f64)
    }
}

impl From<f64> for Number {
    fn from(n: f64) -> Self {
        Self(n)
    }
}

/// A report whose figures can be compared between periods.
pub trait Figures {
    /// Every figure, in the order a reader expects them.
    fn figures(&self) -> Vec<Figure>;
}

/// How one figure moved from the previous period to this one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Change {
    pub key: String,
    pub figure: String,
    pub current: f64,
    /// 0 where the row did not exist in the previous period.
    pub previous: f64,
    /// current - previous, rounded half away from zero to 4 decimals.
    pub change: f64,
    /// change / previous in %, 2 decimals; `null` when previous is 0.
    pub change_pct: Option<f64>,
}

/// A report for a window, the same report for the previous period of the same length,
/// and the changes. An open window (no `--from` or no `--to`) has no previous period.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Compared<T> {
    pub current: T,
    pub previous: Option<T>,
    /// Figures of the current period first, in report order; then the rows only the
    /// previous period had.
    pub changes: Vec<Change>,
    /// What `previous` is: the period before, or the same days a year before.
    #[serde(skip)]
    pub baseline: Baseline,
}

impl<T: Figures> Compared<T> {
    /// Runs `report` for the window and for its previous period.
    ///
    /// ```text
    /// let reach = Compared::of(&window, |w| analytics.reach("acme", w))?;
    /// ```
    pub fn of(window: &Window, report: impl Fn(&Window) -> Result<T>) -> Result<Self> {
        let current = report(window)?;
        let previous = window.previous().map(|w| report(&w)).transpose()?;
        let changes = previous
            .as_ref()
            .map(|p| changes(&current.figures(), &p.figures()))
            .unwrap_or_default();
        Ok(Self {
            current,
            previous,
            changes,
            baseline: window.baseline(),
        })
    }
}

fn changes(current: &[Figure], previous: &[Figure]) -> Vec<Change> {
    let find = |figures: &[Figure], f: &Figure| {
        figures
            .iter()
            .find(|g| g.key == f.key && g.name == f.name)
            .map(|g| g.value)
    };
    let mut out: Vec<Change> = current
        .iter()
        .map(|f| change(f, f.value, find(previous, f).unwrap_or(0.0)))
        .collect();
    out.extend(
        previous
            .iter()
            .filter(|p| find(current, p).is_none())
            .map(|p| change(p, 0.0, p.value)),
    );
    out
}

fn change(figure: &Figure, current: f64, previous: f64) -> Change {
    let delta = round(current - previous, 4);
    Change {
        key: figure.key.clone(),
        figure: figure.name.to_owned(),
        current,
        previous,
        change: delta,
        change_pct: (previous != 0.0).then(|| round(delta / previous * 100.0, 2)),
    }
}

/// Half away from zero (`f64::round`), at `decimals` decimals.
fn round(value: f64, decimals: i32) -> f64 {
    let scale = 10f64.powi(decimals);
    (value * scale).round() / scale
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{analytics, august};

    #[test]
    fn reach_against_the_previous_month() -> Result<()> {
        // July: mastodon 1 like, misskey 1 reply (see the reach tests).
        let a = analytics()?;
        let compared = Compared::of(&august("UTC")?, |w| a.reach("acme", w))?;
        let previous = compared.previous.as_ref().map(|p| p.rows.len());
        assert_eq!(previous, Some(2));
        let pick = |key: &str, figure: &str| {
            compared
                .changes
                .iter()
                .find(|c| c.key == key && c.figure == figure)
                .map(|c| (c.current, c.previous, c.change, c.change_pct))
        };
        assert_eq!(
            pick("mastodon", "engagements"),
            Some((5.0, 1.0, 4.0, Some(400.0)))
        );
        assert_eq!(
            pick("mastodon", "share_pct"),
            Some((55.56, 50.0, 5.56, Some(11.12)))
        );
        assert_eq!(pick("glitch", "engagements"), Some((1.0, 0.0, 1.0, None)));
        assert_eq!(
            pick("all", "engagements"),
            Some((9.0, 2.0, 7.0, Some(350.0)))
        );
        Ok(())
    }

    #[test]
    fn open_window_has_no_previous_period() -> Result<()> {
        let a = analytics()?;
        let compared = Compared::of(&Window::all(), |w| a.instances("acme", w))?;
        assert_eq!(compared.previous, None);
        assert!(compared.changes.is_empty());
        assert_eq!(compared.current.rows.len(), 5);
        Ok(())
    }

    #[test]
    fn rows_only_in_the_previous_period_drop_to_zero() {
        let now = [Figure::new("a", "n", 2u64)];
        let before = [Figure::new("a", "n", 4u64), Figure::new("b", "n", 1u64)];
        let got: Vec<_> = changes(&now, &before)
            .into_iter()
            .map(|c| (c.key, c.current, c.previous, c.change, c.change_pct))
            .collect();
        assert_eq!(
            got,
            [
                ("a".to_owned(), 2.0, 4.0, -2.0, Some(-50.0)),
                ("b".to_owned(), 0.0, 1.0, -1.0, Some(-100.0)),
            ]
        );
    }
}
