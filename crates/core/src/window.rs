//! The crawl window: how far back a first crawl walks an outbox.

use std::{fmt, str::FromStr, time::Duration};

use serde::{Deserialize, Serialize};

use crate::CoreError;

/// `all`, a duration back from now (`90d`), or a first date (`2026-01-31`, UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub enum Since {
    All,
    Ago(Duration),
    Date { year: i32, month: u32, day: u32 },
}

impl FromStr for Since {
    type Err = CoreError;
    fn from_str(input: &str) -> Result<Self, Self::Err> {
        let err = |reason: &str| CoreError::Since {
            input: input.to_owned(),
            reason: reason.to_owned(),
        };
        let text = input.trim();
        if text.eq_ignore_ascii_case("all") {
            return Ok(Self::All);
        }
        if let Some((year, month, day)) = parse_date(text) {
            return Ok(Self::Date { year, month, day });
        }
        if text.starts_with(|c: char| c.is_ascii_digit()) && text.contains('-') {
            return Err(err("the date is not a valid YYYY-MM-DD"));
        }
        humantime::parse_duration(text)
            .map(Self::Ago)
            .map_err(|e| err(&e.to_string()))
    }
}

/// A calendar date YYYY-MM-DD, checked for the month's length.
fn parse_date(text: &str) -> Option<(i32, u32, u32)> {
    let mut parts = text.splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    if y.len() != 4 || m.len() != 2 || d.len() != 2 {
        return None;
    }
    let (year, month, day) = (
        y.parse::<i32>().ok()?,
        m.parse::<u32>().ok()?,
        d.parse::<u32>().ok()?,
    );
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    (1..=days).contains(&day).then_some((year, month, day))
}

impl TryFrom<String> for Since {
    type Error = CoreError;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        value.parse()
    }
}

impl From<Since> for String {
    fn from(value: Since) -> Self {
        value.to_string()
    }
}

impl fmt::Display for Since {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::All => f.write_str("all"),
            Self::Ago(d) => {
                // Whole days, hours or minutes print as typed (`90d`), the rest in seconds.
                let secs = d.as_secs();
                match secs {
                    s if s > 0 && s % 86_400 == 0 => write!(f, "{}d", s / 86_400),
                    s if s > 0 && s % 3_600 == 0 => write!(f, "{}h", s / 3_600),
                    s if s > 0 && s % 60 == 0 => write!(f, "{}m", s / 60),
                    s => write!(f, "{s}s"),
                }
            }
            Self::Date { year, month, day } => write!(f, "{year:04}-{month:02}-{day:02}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(input: &str, expected: Option<&str>) {
        let got = input.parse::<Since>().ok().map(|s| s.to_string());
        assert_eq!(got.as_deref(), expected, "input {input:?}");
    }

    #[test]
    fn windows() {
        check("all", Some("all"));
        check("ALL", Some("all"));
        check("90d", Some("90d"));
        check("90days", Some("90d"));
        check("36h", Some("36h"));
        check("90s", Some("90s"));
        check("12h", Some("12h"));
        check("2026-02-28", Some("2026-02-28"));
        check("2024-02-29", Some("2024-02-29"));
        check("2026-02-29", None);
        check("2026-13-01", None);
        check("yesterday", None);
        check("", None);
    }
}
