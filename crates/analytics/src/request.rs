//! One report as the command line and the dashboard ask for it: kind, brands, window,
//! format, and whether to add the previous period. Dispatching here keeps `report
//! KIND` and the dashboard's downloads identical.

use std::{fmt, io::Write, str::FromStr};

use serde::Serialize;

use crate::{
    Analytics, AnalyticsError, Compared, Figures, Format, Granularity, Result, Tabular, Window,
    render::{render, render_compared},
};

/// The report kinds of `fedireach report KIND`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportKind {
    Reach,
    Posts,
    Instances,
    Timeline,
    BestTime,
    Hashtags,
    Languages,
    Compare,
    Followers,
    Consent,
}

impl ReportKind {
    /// Every kind, as the help text lists them.
    pub const ALL: [Self; 10] = [
        Self::Reach,
        Self::Posts,
        Self::Instances,
        Self::Timeline,
        Self::BestTime,
        Self::Hashtags,
        Self::Languages,
        Self::Compare,
        Self::Followers,
        Self::Consent,
    ];

    /// The name on the command line.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Reach => "reach",
            Self::Posts => "posts",
            Self::Instances => "instances",
            Self::Timeline => "timeline",
            Self::BestTime => "best-time",
            Self::Hashtags => "hashtags",
            Self::Languages => "languages",
            Self::Compare => "compare",
            Self::Followers => "followers",
            Self::Consent => "consent",
        }
    }
}

impl fmt::Display for ReportKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ReportKind {
    fn serialize<S: serde::Serializer>(
        &self,
        serializer: S,
    ) -> std::result::Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> serde::Deserialize<'de> for ReportKind {
    fn deserialize<D: serde::Deserializer<'de>>(
        deserializer: D,
    ) -> std::result::Result<Self, D::Error> {
        let name = String::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

impl FromStr for ReportKind {
    type Err = AnalyticsError;
    fn from_str(s: &str) -> Result<Self> {
        let name = s.trim().to_ascii_lowercase().replace('_', "-");
        Self::ALL
            .into_iter()
            .find(|k| k.as_str() == name)
            .ok_or_else(|| AnalyticsError::BadKind {
                input: s.to_owned(),
            })
    }
}

/// A report to compute and render.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRequest {
    pub kind: ReportKind,
    /// One brand; several for `compare`.
    pub brands: Vec<String>,
    pub window: Window,
    /// Days or weeks, for `timeline`.
    pub granularity: Granularity,
    pub format: Format,
    /// Add the previous period of the same length and the changes. JSON then becomes
    /// `{current, previous, changes}`; leave it off where the bare report's JSON is
    /// expected (the truth comparison of reach, posts and instances).
    pub previous: bool,
}

impl Analytics {
    /// Computes the report asked for and writes it in its format.
    pub fn write_report(&self, request: &ReportRequest, out: &mut dyn Write) -> Result<()> {
        let brand = match (request.kind, request.brands.as_slice()) {
            (_, []) => return Err(AnalyticsError::NoBrand),
            (ReportKind::Compare, _) => "",
            (_, [one]) => one.as_str(),
            (kind, _) => {
                return Err(AnalyticsError::OneBrandOnly {
                    kind: kind.as_str(),
                });
            }
        };
        match request.kind {
            ReportKind::Reach => {
                emit(request, out, |w| self.reach(brand, w))?;
                if request.format == Format::Table {
                    writeln!(out)?;
                    emit(request, out, |w| self.reach_by_family(brand, w))?;
                }
                Ok(())
            }
            ReportKind::Posts => emit(request, out, |w| self.posts(brand, w)),
            ReportKind::Instances => emit(request, out, |w| self.instances(brand, w)),
            ReportKind::Timeline => emit(request, out, |w| {
                self.timeline(brand, w, request.granularity)
            }),
            ReportKind::BestTime => emit(request, out, |w| self.best_time(brand, w)),
            ReportKind::Hashtags => emit(request, out, |w| self.hashtags(brand, w)),
            ReportKind::Languages => emit(request, out, |w| self.languages(brand, w)),
            ReportKind::Compare => {
                let brands: Vec<&str> = request.brands.iter().map(String::as_str).collect();
                emit(request, out, |w| self.compare(&brands, w))
            }
            ReportKind::Followers => emit(request, out, |w| self.followers(brand, w)),
            ReportKind::Consent => emit(request, out, |w| self.consent(brand, w)),
        }
    }
}

fn emit<T: Tabular + Serialize + Figures>(
    request: &ReportRequest,
    out: &mut dyn Write,
    report: impl Fn(&Window) -> Result<T>,
) -> Result<()> {
    if request.previous {
        render_compared(&Compared::of(&request.window, report)?, request.format, out)
    } else {
        render(&report(&request.window)?, request.format, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::{analytics, august};

    fn run(kind: &str, brands: &[&str], format: Format, previous: bool) -> Result<String> {
        let request = ReportRequest {
            kind: kind.parse()?,
            brands: brands.iter().map(|b| (*b).to_owned()).collect(),
            window: august("UTC")?,
            granularity: Granularity::Day,
            format,
            previous,
        };
        let mut out = Vec::new();
        analytics()?.write_report(&request, &mut out)?;
        Ok(String::from_utf8_lossy(&out).into_owned())
    }

    #[test]
    fn every_kind_renders_in_every_format() -> Result<()> {
        for kind in ReportKind::ALL {
            let brands: &[&str] = if kind == ReportKind::Compare {
                &["acme", "rival"]
            } else {
                &["acme"]
            };
            for format in [Format::Table, Format::Csv, Format::Json] {
                for previous in [false, true] {
                    let text = run(kind.as_str(), brands, format, previous)?;
                    assert!(!text.is_empty(), "{kind} {format} {previous}");
                    if format == Format::Json {
                        let value: serde_json::Value = serde_json::from_str(&text)?;
                        assert_eq!(value.get("current").is_some(), previous, "{kind}");
                    }
                }
            }
        }
        Ok(())
    }

    #[test]
    fn bare_json_of_reach_is_the_core_report() -> Result<()> {
        let json = run("reach", &["acme"], Format::Json, false)?;
        let expected = analytics()?.reach("acme", &august("UTC")?)?;
        assert_eq!(
            json,
            format!("{}\n", serde_json::to_string_pretty(&expected)?)
        );
        let table = run("reach", &["acme"], Format::Table, true)?;
        assert!(table.contains("Reach by software family of acme"));
        assert!(table.contains("Change from the previous period"));
        Ok(())
    }

    #[test]
    fn bad_requests_are_clear_errors() {
        for (kind, brands, message) in [
            (
                "reach",
                &["acme", "rival"][..],
                "only `compare` takes several brands",
            ),
            ("reach", &[][..], "no brand given"),
            ("pie", &["acme"][..], "unknown report `pie`"),
            (
                "posts",
                &["nope"][..],
                "the brands that exist are: acme, rival",
            ),
        ] {
            let err = run(kind, brands, Format::Table, false)
                .err()
                .map(|e| e.to_string());
            assert!(err.as_deref().unwrap_or("").contains(message), "{err:?}");
        }
        assert_eq!(
            "best_time".parse::<ReportKind>().ok(),
            Some(ReportKind::BestTime)
        );
    }
}
