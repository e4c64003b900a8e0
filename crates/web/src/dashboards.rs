//! The dashboard definitions of `dashboards/`: which panels the brand and overview
//! pages show, in which order, with which titles (`brand.toml`, `overview.toml`), and
//! the page templates (`templates/*.html`, HTML-autoescaped) with the stylesheet.
//! Read once at start-up; a broken file is an error that names the file and line.
//!
//! The shipped `dashboards/` is compiled into the binary ([`Dashboards::embedded`]), so
//! `serve` and `demo` run from any directory; `--dashboards DIR` reads another one.

use std::{
    fs,
    path::{Path, PathBuf},
};

use minijinja::Environment;
use serde::Deserialize;
use toml::Spanned;

use crate::panels::PanelType;
pub use crate::panels::{ChartName, Metric, Panel, TableName};

/// What can be wrong with `dashboards/`.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DashboardError {
    /// A file or the directory cannot be read.
    #[error("cannot read {}: {source}; `serve --dashboards DIR` names the directory holding brand.toml, overview.toml and templates/", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A panel file is not valid TOML or declares something unknown.
    #[error("{}:{line}: {message}", path.display())]
    Invalid {
        path: PathBuf,
        line: usize,
        message: String,
    },

    /// A template does not parse (minijinja names the template and line).
    #[error("dashboard template error: {0:#}")]
    Template(#[from] minijinja::Error),
}

/// Rows a table shows when its panel gives no `limit`.
const DEFAULT_LIMIT: usize = 20;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    #[serde(default)]
    panel: Vec<RawPanel>,
}

/// A panel as written: every name is checked as it is read (an unknown chart, table,
/// metric or type is an error on its own line); which fields its type needs is checked
/// by [`RawPanel::into_panel`].
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPanel {
    #[serde(rename = "type")]
    kind: Spanned<PanelType>,
    title: String,
    chart: Option<ChartName>,
    table: Option<TableName>,
    /// Names, each spanned, so an unknown metric's error points at its own line of a
    /// list written over several (toml gives an array's errors the array's span).
    metrics: Option<Vec<Spanned<String>>>,
    limit: Option<usize>,
}

impl RawPanel {
    /// The panel, or what is wrong with it: a message and where (by default, the
    /// line of its `type`).
    fn into_panel(self) -> Result<Panel, (Option<usize>, String)> {
        let needs = |what: &str, names: &[&str]| {
            (
                None,
                format!("this panel needs `{what}`: one of {}", names.join(", ")),
            )
        };
        let title = self.title;
        let metrics = || {
            let list = self
                .metrics
                .ok_or_else(|| needs("metrics", &Metric::ALL.map(|(n, _)| n)))?;
            list.iter()
                .map(|m| {
                    crate::panels::lookup("metric", m.get_ref(), &Metric::ALL)
                        .map_err(|message| (Some(m.span().start), message))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(match self.kind.into_inner() {
            PanelType::Figures => Panel::Figures {
                title,
                metrics: metrics()?,
            },
            PanelType::Brands => Panel::Brands {
                title,
                metrics: metrics()?,
            },
            PanelType::Chart => Panel::Chart {
                title,
                chart: self
                    .chart
                    .ok_or_else(|| needs("chart", &ChartName::ALL.map(|(n, _)| n)))?,
            },
            PanelType::Table => Panel::Table {
                title,
                table: self
                    .table
                    .ok_or_else(|| needs("table", &TableName::ALL.map(|(n, _)| n)))?,
                limit: self.limit.unwrap_or(DEFAULT_LIMIT),
            },
        })
    }
}

/// The shipped `dashboards/` directory, compiled in: (path inside it, contents).
const EMBEDDED: &[(&str, &str)] = &[
    ("brand.toml", include_str!("../../../dashboards/brand.toml")),
    (
        "overview.toml",
        include_str!("../../../dashboards/overview.toml"),
    ),
    (
        "templates/base.html",
        include_str!("../../../dashboards/templates/base.html"),
    ),
    (
        "templates/brand.html",
        include_str!("../../../dashboards/templates/brand.html"),
    ),
    (
        "templates/compare.html",
        include_str!("../../../dashboards/templates/compare.html"),
    ),
    (
        "templates/conversation.html",
        include_str!("../../../dashboards/templates/conversation.html"),
    ),
    (
        "templates/crawls.html",
        include_str!("../../../dashboards/templates/crawls.html"),
    ),
    (
        "templates/figures.html",
        include_str!("../../../dashboards/templates/figures.html"),
    ),
    (
        "templates/glossary.html",
        include_str!("../../../dashboards/templates/glossary.html"),
    ),
    (
        "templates/instance.html",
        include_str!("../../../dashboards/templates/instance.html"),
    ),
    (
        "templates/overview.html",
        include_str!("../../../dashboards/templates/overview.html"),
    ),
    (
        "templates/panel.html",
        include_str!("../../../dashboards/templates/panel.html"),
    ),
    (
        "templates/table.html",
        include_str!("../../../dashboards/templates/table.html"),
    ),
    (
        "templates/style.css",
        include_str!("../../../dashboards/templates/style.css"),
    ),
];

/// The parsed `dashboards/` directory.
#[derive(Debug)]
pub struct Dashboards {
    pub brand: Vec<Panel>,
    pub overview: Vec<Panel>,
    pub templates: Environment<'static>,
    pub stylesheet: String,
}

impl Dashboards {
    /// The dashboards shipped with the binary (the repository's `dashboards/`).
    pub fn embedded() -> Result<Self, DashboardError> {
        let file = |name: &str| {
            EMBEDDED
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, text)| (*text).to_owned())
                .ok_or_else(|| DashboardError::Io {
                    path: PathBuf::from(name),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                })
        };
        let templates = EMBEDDED
            .iter()
            .filter_map(|(name, text)| {
                let name = name.strip_prefix("templates/")?;
                name.ends_with(".html")
                    .then(|| (name.to_owned(), (*text).to_owned()))
            })
            .collect();
        Self::build(
            (Path::new("dashboards/brand.toml"), file("brand.toml")?),
            (
                Path::new("dashboards/overview.toml"),
                file("overview.toml")?,
            ),
            templates,
            file("templates/style.css")?,
        )
    }

    /// Reads `brand.toml`, `overview.toml`, `templates/*.html` and `templates/style.css`
    /// of `dir` (`--dashboards DIR`). A template the directory lacks is taken from the
    /// shipped ones (the stylesheet too), so a customised directory keeps working when a
    /// release adds a page.
    pub fn load(dir: &Path) -> Result<Self, DashboardError> {
        let brand_path = dir.join("brand.toml");
        let overview_path = dir.join("overview.toml");
        let brand = read(&brand_path)?;
        let overview = read(&overview_path)?;
        let template_dir = dir.join("templates");
        let entries = fs::read_dir(&template_dir).map_err(|source| DashboardError::Io {
            path: template_dir.clone(),
            source,
        })?;
        let mut templates: Vec<(String, String)> = Vec::new();
        for entry in entries {
            let path = entry
                .map_err(|source| DashboardError::Io {
                    path: template_dir.clone(),
                    source,
                })?
                .path();
            if path.extension().is_some_and(|e| e == "html") {
                let name = path
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                templates.push((name, read(&path)?));
            }
        }
        for (name, text) in EMBEDDED {
            if let Some(name) = name.strip_prefix("templates/")
                && name.ends_with(".html")
                && !templates.iter().any(|(n, _)| n == name)
            {
                templates.push((name.to_owned(), (*text).to_owned()));
            }
        }
        let css = template_dir.join("style.css");
        let stylesheet = if css.exists() {
            read(&css)?
        } else {
            EMBEDDED
                .iter()
                .find(|(n, _)| *n == "templates/style.css")
                .map(|(_, text)| (*text).to_owned())
                .unwrap_or_default()
        };
        Self::build(
            (&brand_path, brand),
            (&overview_path, overview),
            templates,
            stylesheet,
        )
    }

    fn build(
        brand: (&Path, String),
        overview: (&Path, String),
        mut sources: Vec<(String, String)>,
        stylesheet: String,
    ) -> Result<Self, DashboardError> {
        let brand = panels(brand.0, &brand.1, &["figures", "chart", "table"])?;
        let overview = panels(overview.0, &overview.1, &["brands"])?;
        let mut templates = Environment::new();
        // Autoescape by extension (`.html`) is minijinja's default; set it explicitly
        // so a renamed template cannot lose it.
        templates.set_auto_escape_callback(|_| minijinja::AutoEscape::Html);
        templates.add_filter("fmtnum", fmtnum);
        templates.add_filter("breakable", breakable);
        sources.sort();
        for (name, source) in sources {
            templates.add_template_owned(name, source)?;
        }
        Ok(Self {
            brand,
            overview,
            templates,
            stylesheet,
        })
    }
}

/// A figure for reading: whole numbers with thousands separators, others with up to
/// two decimals.
/// Table cells: escaped, with `<wbr>` after URL separators ([`crate::escape::html_breakable`]).
fn breakable(value: &str) -> minijinja::Value {
    minijinja::Value::from_safe_string(crate::escape::html_breakable(value))
}

fn fmtnum(value: f64) -> String {
    if value.fract() != 0.0 || !value.is_finite() || value.abs() >= 1e15 {
        return format!("{}", (value * 100.0).round() / 100.0);
    }
    // Whole and below 1e15: exact as an integer.
    #[allow(clippy::cast_possible_truncation)]
    let n = value as i64;
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

fn read(path: &Path) -> Result<String, DashboardError> {
    fs::read_to_string(path).map_err(|source| DashboardError::Io {
        path: path.to_owned(),
        source,
    })
}

/// The 1-based line of a byte offset.
fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}

/// The panels of one file; `allowed` are the panel types its page can show.
fn panels(path: &Path, text: &str, allowed: &[&str]) -> Result<Vec<Panel>, DashboardError> {
    let invalid = |offset: usize, message: String| DashboardError::Invalid {
        path: path.to_owned(),
        line: line_of(text, offset),
        message,
    };
    let raw: RawFile = toml::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        invalid(offset, e.message().to_owned())
    })?;
    raw.panel
        .into_iter()
        .map(|p| {
            let at = p.kind.span().start;
            let kind = p.kind.get_ref().as_str();
            if !allowed.contains(&kind) {
                return Err(invalid(
                    at,
                    format!(
                        "unknown panel type `{kind}`: this page shows {}",
                        allowed.join(", ")
                    ),
                ));
            }
            p.into_panel()
                .map_err(|(offset, message)| invalid(offset.unwrap_or(at), message))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(toml: &str) -> Result<Vec<Panel>, String> {
        let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
        let path = dir.path().join("brand.toml");
        panels(&path, toml, &["figures", "chart", "table"]).map_err(|e| {
            e.to_string()
                .replace(&path.display().to_string(), "brand.toml")
        })
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let cases = [
            (
                "[[panel]]\ntype = \"chart\"\ntitle = \"x\"\nchart = \"pie\"\n",
                "brand.toml:4: unknown chart `pie`",
            ),
            (
                "[[panel]]\ntype = \"gauge\"\ntitle = \"x\"\n",
                "brand.toml:2: unknown panel type `gauge`",
            ),
            (
                "\n\n[[panel]]\ntype = \"chart\"\ntitle = \"x\"\ncolour = 3\n",
                "brand.toml:6:",
            ),
            (
                "[[panel]]\ntitle = \"x\"\ntype = \"figures\"\nmetrics = [\"engagements\",\n \"likes\"]\n",
                "brand.toml:5: unknown metric `likes`",
            ),
            ("[[panel]\n", "brand.toml:1:"),
            (
                "[[panel]]\ntitle = \"x\"\ntype = \"chart\"\n",
                "brand.toml:3: this panel needs `chart`: one of reach-by-software,",
            ),
            (
                "[[panel]]\ntype = \"brands\"\ntitle = \"x\"\nmetrics = []\n",
                "brand.toml:2: unknown panel type `brands`: this page shows figures, chart, table",
            ),
            (
                "[[panel]]\ntype = \"table\"\ntitle = \"x\"\ntable = \"top-posts\"\nlimit = -1\n",
                "brand.toml:5:",
            ),
        ];
        for (text, expected) in cases {
            let got = load(text).map(|_| String::new()).unwrap_or_else(|e| e);
            assert!(
                got.starts_with(expected),
                "{got:?} should start with {expected:?}"
            );
        }
    }

    #[test]
    fn numbers_read_well() {
        for (n, text) in [
            (0.0, "0"),
            (1234.0, "1,234"),
            (-1_234_567.0, "-1,234,567"),
            (12.345, "12.35"),
            (100.0, "100"),
        ] {
            assert_eq!(fmtnum(n), text);
        }
    }

    #[test]
    fn the_shipped_dashboards_load() -> Result<(), DashboardError> {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../dashboards");
        let dashboards = Dashboards::load(&dir)?;
        assert!(dashboards.brand.len() >= 8, "{:?}", dashboards.brand);
        assert!(!dashboards.overview.is_empty());
        // The compiled-in copy is the same directory, every file of it.
        let embedded = Dashboards::embedded()?;
        assert_eq!(embedded.brand, dashboards.brand);
        assert_eq!(embedded.stylesheet, dashboards.stylesheet);
        let mut shipped: Vec<String> = fs::read_dir(dir.join("templates"))
            .map_err(|source| DashboardError::Io {
                path: dir.clone(),
                source,
            })?
            .filter_map(|e| e.ok())
            .map(|e| format!("templates/{}", e.file_name().to_string_lossy()))
            .collect();
        shipped.extend(["brand.toml".to_owned(), "overview.toml".to_owned()]);
        shipped.sort();
        let mut compiled: Vec<String> = EMBEDDED.iter().map(|(n, _)| (*n).to_owned()).collect();
        compiled.sort();
        assert_eq!(
            compiled, shipped,
            "EMBEDDED must list every file of dashboards/"
        );
        Ok(())
    }
}
