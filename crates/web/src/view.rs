//! The view every page and API call shares: the date range and time zone (and, for
//! comparisons, the brands), read from the query string so a view can be shared as a
//! URL. Bad dates and unknown zones are 400s here, before any work is done.

use fedireach_analytics::Window;
use serde::Serialize;

use crate::WebError;

/// Most brands one comparison takes: the page and chart stay readable.
pub const MAX_COMPARED: usize = 12;

/// A parsed query string.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub window: Window,
    /// Brands named with `brand=` (repeated), in order, without duplicates.
    pub brands: Vec<String>,
    /// `previous=true`: the JSON API adds the previous period and the changes.
    pub previous: bool,
}

/// The window as the templates show it and the links keep it.
#[derive(Debug, Clone, Serialize)]
pub struct ViewLabels {
    pub from: String,
    pub to: String,
    pub tz: String,
    /// `from=..&to=..&tz=..` (only those set), URL-encoded, for links.
    pub query: String,
}

/// What the figure cache is keyed by, besides the brand.
pub type WindowKey = (Option<String>, Option<String>, String);

impl View {
    /// Reads `from`, `to` (YYYY-MM-DD, both inclusive), `tz` (IANA), `brand` (repeated)
    /// and `previous`; empty values count as absent (an empty form field).
    pub fn parse(query: Option<&str>) -> Result<Self, WebError> {
        let mut from = None;
        let mut to = None;
        let mut tz = None;
        let mut brands: Vec<String> = Vec::new();
        let mut previous = false;
        for (key, value) in url::form_urlencoded::parse(query.unwrap_or("").as_bytes()) {
            let value = value.trim().to_owned();
            if value.is_empty() {
                continue;
            }
            match key.as_ref() {
                "from" => from = Some(value),
                "to" => to = Some(value),
                "tz" => tz = Some(value),
                "brand" if !brands.contains(&value) => brands.push(value),
                "previous" => previous = matches!(value.as_str(), "true" | "1" | "yes"),
                _ => {}
            }
        }
        if brands.len() > MAX_COMPARED {
            return Err(WebError::BadQuery {
                param: "brand",
                message: format!("at most {MAX_COMPARED} brands can be compared at once"),
            });
        }
        let window = Window::parse(from.as_deref(), to.as_deref(), tz.as_deref())?;
        Ok(Self {
            window,
            brands,
            previous,
        })
    }

    pub fn key(&self) -> WindowKey {
        (
            self.window.from_label(),
            self.window.to_label(),
            self.window.tz().name().to_owned(),
        )
    }

    pub fn labels(&self) -> ViewLabels {
        let from = self.window.from_label().unwrap_or_default();
        let to = self.window.to_label().unwrap_or_default();
        let tz = self.window.tz().name().to_owned();
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        if !from.is_empty() {
            query.append_pair("from", &from);
        }
        if !to.is_empty() {
            query.append_pair("to", &to);
        }
        if tz != "UTC" {
            query.append_pair("tz", &tz);
        }
        ViewLabels {
            from,
            to,
            tz,
            query: query.finish(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(query: &str, expected: Result<&str, u16>) {
        let got = View::parse(Some(query)).map(|v| v.labels().query);
        match (got, expected) {
            (Ok(q), Ok(e)) => assert_eq!(q, e, "{query}"),
            (Err(e), Err(status)) => assert_eq!(e.status().as_u16(), status, "{query}"),
            (got, expected) => panic!("{query}: got {got:?}, expected {expected:?}"),
        }
    }

    #[test]
    fn queries() {
        check("", Ok(""));
        check(
            "from=2026-08-01&to=2026-08-31",
            Ok("from=2026-08-01&to=2026-08-31"),
        );
        check("from=&to=&tz=", Ok(""));
        check("tz=Europe%2FParis", Ok("tz=Europe%2FParis"));
        check("from=2026-13-01", Err(400));
        check("from=<script>", Err(400));
        check("tz=Mars%2FOlympus", Err(400));
        check("from=2026-08-31&to=2026-08-01", Err(400));
        check("brand=a&", Ok(""));
        let many: String = (0..=MAX_COMPARED).map(|i| format!("brand=b{i}&")).collect();
        check(&many, Err(400));
    }

    #[test]
    fn brands_keep_their_order_once() -> Result<(), WebError> {
        let view = View::parse(Some("brand=b&brand=a&brand=b&brand="))?;
        assert_eq!(view.brands, ["b", "a"]);
        Ok(())
    }
}
