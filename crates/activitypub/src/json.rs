//! Size-capped reading of JSON and lenient field accessors shared by every parser.
//!
//! Real servers disagree on shapes: a field may be a string, an object with an `id`, an
//! array of either, a number written as a string, or `null`. Instead of one serde type
//! per disagreement, parsers read a [`serde_json::Value`] and ask it through [`Fields`],
//! whose accessors never fail: a value of an unusable shape reads as absent.

use chrono::{DateTime, NaiveDateTime, Utc};
use serde_json::{Map, Value};

use crate::error::{ParseError, kind_of};

/// How deep inline documents are followed (an activity holding an object holding a
/// collection holding a page...). Deeper levels are kept as ids only, which bounds the
/// work on adversarial input without losing anything real servers send.
pub(crate) const MAX_INLINE_DEPTH: usize = 6;

/// Parses `bytes` as JSON after checking the size cap.
pub(crate) fn read(bytes: &[u8], max_bytes: usize) -> Result<Value, ParseError> {
    if bytes.len() > max_bytes {
        return Err(ParseError::TooLarge {
            len: bytes.len(),
            max: max_bytes,
        });
    }
    // serde_json refuses nesting deeper than 128 levels, so hostile input cannot
    // overflow the stack here.
    serde_json::from_slice(bytes).map_err(ParseError::NotJson)
}

/// Parses `bytes` as a JSON object after checking the size cap.
pub(crate) fn read_object(
    bytes: &[u8],
    max_bytes: usize,
) -> Result<Map<String, Value>, ParseError> {
    match read(bytes, max_bytes)? {
        Value::Object(map) => Ok(map),
        other => Err(ParseError::WrongShape {
            expected: "a JSON object",
            found: kind_of(&other),
        }),
    }
}

/// Lenient read access to the fields of one JSON object.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Fields<'a>(pub(crate) &'a Map<String, Value>);

impl<'a> Fields<'a> {
    /// The fields of `value` when it is an object.
    pub(crate) fn of(value: &'a Value) -> Option<Self> {
        value.as_object().map(Fields)
    }

    /// The raw value of `key`; `null` reads as absent.
    pub(crate) fn get(&self, key: &str) -> Option<&'a Value> {
        self.0.get(key).filter(|v| !v.is_null())
    }

    /// A non-empty string field.
    pub(crate) fn str(&self, key: &str) -> Option<String> {
        self.get(key).and_then(non_empty_str).map(str::to_owned)
    }

    /// An id: a string, the `id` (or `href`) of an object, or the first of an array.
    pub(crate) fn id(&self, key: &str) -> Option<String> {
        self.get(key).and_then(id_of)
    }

    /// Every id of a field holding one id or an array of them.
    pub(crate) fn ids(&self, key: &str) -> Vec<String> {
        one_or_many(self.get(key)).filter_map(id_of).collect()
    }

    /// A count: a non-negative integer, a whole float, or a string of digits.
    pub(crate) fn count(&self, key: &str) -> Option<u64> {
        self.get(key).and_then(count_of)
    }

    /// A boolean, also accepting the strings `"true"` and `"false"`.
    pub(crate) fn bool(&self, key: &str) -> Option<bool> {
        match self.get(key)? {
            Value::Bool(b) => Some(*b),
            Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
                "true" | "1" | "yes" => Some(true),
                "false" | "0" | "no" => Some(false),
                _ => None,
            },
            Value::Number(n) => n.as_u64().map(|n| n != 0),
            _ => None,
        }
    }

    /// A timestamp (RFC 3339, or without a zone read as UTC).
    pub(crate) fn date(&self, key: &str) -> Option<DateTime<Utc>> {
        self.get(key).and_then(Value::as_str).and_then(parse_date)
    }

    /// A nested object.
    pub(crate) fn obj(&self, key: &str) -> Option<Fields<'a>> {
        self.get(key).and_then(Fields::of)
    }

    /// The values of a field holding one value or an array of them.
    pub(crate) fn many(&self, key: &str) -> impl Iterator<Item = &'a Value> {
        one_or_many(self.get(key))
    }

    /// The `type` names (a string or an array of strings).
    pub(crate) fn types(&self) -> Vec<&'a str> {
        one_or_many(self.get("type"))
            .filter_map(non_empty_str)
            .collect()
    }

    /// Whether `key` is present with a non-null value.
    pub(crate) fn has(&self, key: &str) -> bool {
        self.get(key).is_some()
    }
}

/// The values of a field that holds one value or an array of them.
pub(crate) fn one_or_many(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    let (single, list) = match value {
        Some(Value::Array(items)) => (None, items.as_slice()),
        Some(Value::Null) | None => (None, &[][..]),
        Some(other) => (Some(other), &[][..]),
    };
    single
        .into_iter()
        .chain(list.iter().filter(|v| !v.is_null()))
}

/// A string value, if non-empty after trimming.
pub(crate) fn non_empty_str(value: &Value) -> Option<&str> {
    value.as_str().map(str::trim).filter(|s| !s.is_empty())
}

/// The id a value stands for: a string, an object's `id` or `href`, or the first id
/// of an array.
pub(crate) fn id_of(value: &Value) -> Option<String> {
    match value {
        Value::String(_) => non_empty_str(value).map(str::to_owned),
        Value::Object(map) => map
            .get("id")
            .and_then(non_empty_str)
            .or_else(|| map.get("href").and_then(non_empty_str))
            .map(str::to_owned),
        Value::Array(items) => items.iter().find_map(|item| match item {
            Value::Array(_) => None,
            other => id_of(other),
        }),
        _ => None,
    }
}

/// A count written as a number or a string.
// A float count is cast only once checked whole, positive and below 2^53: exact.
#[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
pub(crate) fn count_of(value: &Value) -> Option<u64> {
    match value {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.is_finite() && *f >= 0.0 && f.fract() == 0.0 && *f < 1e15)
                // The range check above makes the cast exact.
                .map(|f| f as u64)
        }),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
}

/// Parses the timestamps servers write: RFC 3339, or a zone-less ISO form as UTC.
pub(crate) fn parse_date(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(date) = DateTime::parse_from_rfc3339(text) {
        return Some(date.with_timezone(&Utc));
    }
    NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S%.f")
        .ok()
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn fields(value: &Value) -> Fields<'_> {
        match Fields::of(value) {
            Some(f) => f,
            None => panic!("test document is not an object"),
        }
    }

    #[test]
    fn counts_accept_numbers_and_strings() {
        let doc = json!({"a": 3, "b": "42", "c": -1, "d": 2.0, "e": "x", "f": 2.5, "g": null});
        let f = fields(&doc);
        let got: Vec<_> = ["a", "b", "c", "d", "e", "f", "g", "missing"]
            .iter()
            .map(|k| f.count(k))
            .collect();
        assert_eq!(
            got,
            [Some(3), Some(42), None, Some(2), None, None, None, None]
        );
    }

    #[test]
    fn ids_from_every_shape() {
        let doc = json!({
            "s": "https://a/1",
            "o": {"id": "https://a/2"},
            "l": {"type": "Link", "href": "https://a/3"},
            "arr": ["https://a/4", {"id": "https://a/5"}, 7, null],
            "empty": ""
        });
        let f = fields(&doc);
        assert_eq!(f.id("s").as_deref(), Some("https://a/1"));
        assert_eq!(f.id("o").as_deref(), Some("https://a/2"));
        assert_eq!(f.id("l").as_deref(), Some("https://a/3"));
        assert_eq!(f.ids("arr"), ["https://a/4", "https://a/5"]);
        assert_eq!(f.id("empty"), None);
    }

    #[test]
    fn booleans_and_dates() {
        let doc = json!({"t": true, "s": "true", "n": "nope",
            "d1": "2024-01-02T03:04:05Z", "d2": "2024-01-02T03:04:05.123", "d3": "yesterday"});
        let f = fields(&doc);
        assert_eq!(
            (f.bool("t"), f.bool("s"), f.bool("n")),
            (Some(true), Some(true), None)
        );
        assert!(f.date("d1").is_some());
        assert!(f.date("d2").is_some());
        assert!(f.date("d3").is_none());
    }

    #[test]
    fn size_cap_is_checked_first() {
        assert!(matches!(
            read(b"{}", 1),
            Err(ParseError::TooLarge { len: 2, max: 1 })
        ));
        assert!(matches!(read(b"<html>", 100), Err(ParseError::NotJson(_))));
        assert!(matches!(
            read_object(b"[]", 100),
            Err(ParseError::WrongShape { .. })
        ));
    }
}
