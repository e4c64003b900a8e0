//! The one error type of the crate: why a remote document could not be read.
//!
//! Parsers are tolerant of everything real servers do, so an error here means the
//! document is unusable as a whole (too large, not JSON, or not the kind of document
//! asked for). The crawler logs it with the URL and skips the document.

/// Why a document could not be parsed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ParseError {
    /// The body is larger than the cap the caller allows; raise
    /// `crawl.max_document_bytes` if such documents are legitimate.
    #[error(
        "document is {len} bytes, over the {max} byte cap: skip it or raise crawl.max_document_bytes"
    )]
    TooLarge {
        /// Size of the body received.
        len: usize,
        /// The cap that was applied.
        max: usize,
    },

    /// The body is not JSON at all (often an HTML error page or a login wall).
    #[error("document is not JSON (an HTML page or a truncated body?): {0}")]
    NotJson(#[source] serde_json::Error),

    /// The JSON is valid but its top level is not the expected shape.
    #[error("expected {expected} at the top level, found {found}: wrong endpoint or content type?")]
    WrongShape {
        /// What the parser needs (e.g. "a JSON object").
        expected: &'static str,
        /// What the document holds (e.g. "an array").
        found: &'static str,
    },

    /// A field without which the document means nothing is missing or unusable.
    #[error("required field `{field}` of {document} is missing or not usable")]
    MissingField {
        /// The kind of document being read.
        document: &'static str,
        /// The JSON field name.
        field: &'static str,
    },

    /// The document's `type` names a different kind of document than asked for.
    #[error("expected {expected}, found a document of type `{found}`: wrong URL or a redirect?")]
    UnexpectedType {
        /// What the parser needs (e.g. "an actor").
        expected: &'static str,
        /// The `type` the document declares.
        found: String,
    },
}

/// Short name of a JSON value's kind, for error messages.
pub(crate) fn kind_of(value: &serde_json::Value) -> &'static str {
    use serde_json::Value;
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a JSON object",
    }
}
