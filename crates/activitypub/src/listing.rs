//! Lists of API entities where one bad entry must not lose the page.
//!
//! A server API page (favourited-by accounts, Misskey reactions, PeerTube comments) is
//! read entry by entry: unusable entries are counted, not fatal, so the crawler keeps
//! the rest and can log how many it dropped.

use serde_json::Value;

use crate::error::{ParseError, kind_of};
use crate::json;

/// The usable entries of a list, and how many were not.
#[derive(Debug, Clone, PartialEq)]
pub struct Listing<T> {
    /// Entries that parsed, in order.
    pub items: Vec<T>,
    /// Entries left out because they lacked a required field or had the wrong shape.
    pub skipped: usize,
}

impl<T> Listing<T> {
    /// Reads each value with `parse`, keeping what parses.
    pub(crate) fn from_values<'a>(
        values: impl IntoIterator<Item = &'a Value>,
        parse: impl Fn(&'a Value) -> Option<T>,
    ) -> Self {
        let mut listing = Listing {
            items: Vec::new(),
            skipped: 0,
        };
        for value in values {
            match parse(value) {
                Some(item) => listing.items.push(item),
                None => listing.skipped += 1,
            }
        }
        listing
    }
}

/// Parses a body whose top level is a JSON array, entry by entry.
pub(crate) fn parse_array<T>(
    bytes: &[u8],
    max_bytes: usize,
    parse: impl Fn(&Value) -> Option<T>,
) -> Result<Listing<T>, ParseError> {
    match json::read(bytes, max_bytes)? {
        Value::Array(values) => Ok(Listing::from_values(&values, parse)),
        other => Err(ParseError::WrongShape {
            expected: "a JSON array",
            found: kind_of(&other),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_good_entries_and_counts_bad_ones() {
        let listing = parse_array(br#"[1, "x", 2, null]"#, 100, Value::as_u64);
        assert_eq!(
            listing.ok(),
            Some(Listing {
                items: vec![1, 2],
                skipped: 2
            })
        );
        assert!(matches!(
            parse_array(br#"{"a": 1}"#, 100, Value::as_u64),
            Err(ParseError::WrongShape { .. })
        ));
    }
}
