//! The JSON-LD `@context` of a document, read for what it says about its writer.
//!
//! fedireach does no JSON-LD processing: it only lists the namespace IRIs a context
//! names, so that [`fedireach_core::Software::from_namespaces`] can recognise the
//! software that wrote a document when NodeInfo is missing, and notes whether the
//! context declares Misskey or LitePub (Pleroma) terms.

use fedireach_core::Software;
use serde_json::Value;

/// Most namespaces kept from one context; real contexts name fewer than 20.
const MAX_NAMESPACES: usize = 256;

/// What a document's `@context` names.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsonLdContext {
    /// Full namespace IRIs the context names (string entries, and the IRI values and
    /// `@id`s of term definitions), without repeats; compact IRIs are left out.
    pub namespaces: Vec<String>,
    /// Term names defined by object entries (`"misskey"`, `"_misskey_quote"`...), in
    /// sorted order within each entry.
    pub terms: Vec<String>,
    /// The context declares Misskey terms (`misskey-hub.net/ns` or `_misskey_*`).
    pub declares_misskey: bool,
    /// The context declares LitePub terms (Pleroma and Akkoma).
    pub declares_litepub: bool,
}

impl JsonLdContext {
    /// Reads a `@context` value in any of its forms: a string, an object, or an array
    /// of both. Anything else reads as an empty context.
    pub fn from_value(value: Option<&Value>) -> Self {
        let mut context = Self::default();
        let entries: Vec<&Value> = match value {
            Some(Value::Array(items)) => items.iter().collect(),
            Some(other) => vec![other],
            None => Vec::new(),
        };
        for entry in entries {
            match entry {
                Value::String(iri) => context.push_namespace(iri),
                Value::Object(terms) => {
                    for (term, definition) in terms {
                        // `@language`, `@base`...: settings, not namespaces.
                        if term.starts_with('@') && term != "@vocab" {
                            continue;
                        }
                        if context.terms.len() < MAX_NAMESPACES {
                            context.terms.push(term.clone());
                        }
                        match definition {
                            Value::String(iri) => context.push_namespace(iri),
                            Value::Object(def) => {
                                if let Some(Value::String(iri)) = def.get("@id") {
                                    context.push_namespace(iri);
                                }
                            }
                            _ => {}
                        }
                    }
                }
                _ => {}
            }
        }
        context.declares_misskey = context
            .namespaces
            .iter()
            .any(|ns| ns.contains("misskey-hub.net/ns"))
            || context
                .terms
                .iter()
                .any(|t| t == "misskey" || t.starts_with("_misskey"));
        context.declares_litepub = context.namespaces.iter().any(|ns| ns.contains("litepub"))
            || context.terms.iter().any(|t| t == "litepub");
        context
    }

    /// The software these namespaces name, if any (see
    /// [`Software::from_namespaces`]).
    pub fn software(&self) -> Option<Software> {
        Software::from_namespaces(self.namespaces.iter().map(String::as_str))
    }

    fn push_namespace(&mut self, iri: &str) {
        let iri = iri.trim();
        // Compact IRIs (`as:Hashtag`) repeat a prefix defined elsewhere in the context:
        // only full IRIs name a namespace.
        if !iri.contains("://") || self.namespaces.len() >= MAX_NAMESPACES {
            return;
        }
        if !self.namespaces.iter().any(|known| known == iri) {
            self.namespaces.push(iri.to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn check(context: Value, misskey: bool, litepub: bool, software: Option<&str>) {
        let ctx = JsonLdContext::from_value(Some(&context));
        assert_eq!(
            (ctx.declares_misskey, ctx.declares_litepub),
            (misskey, litepub),
            "{context}"
        );
        assert_eq!(
            ctx.software().as_ref().map(Software::as_str),
            software,
            "{context}"
        );
    }

    #[test]
    fn every_form_of_context() {
        check(
            json!("https://www.w3.org/ns/activitystreams"),
            false,
            false,
            None,
        );
        check(
            json!(["https://www.w3.org/ns/activitystreams",
                   "https://pleroma.example/schemas/litepub-0.1.jsonld",
                   {"@language": "und"}]),
            false,
            true,
            Some("pleroma"),
        );
        check(
            json!(["https://www.w3.org/ns/activitystreams", "https://w3id.org/security/v1",
                   {"misskey": "https://misskey-hub.net/ns#",
                    "_misskey_quote": "misskey:_misskey_quote",
                    "Hashtag": "as:Hashtag"}]),
            true,
            false,
            Some("misskey"),
        );
        check(
            json!({"sharkey": "https://joinsharkey.org/ns#", "_misskey_quote": {"@id": "misskey:_misskey_quote"}}),
            true,
            false,
            Some("sharkey"),
        );
        check(json!(42), false, false, None);
        let ctx = JsonLdContext::from_value(Some(&json!([
            "https://www.w3.org/ns/activitystreams",
            {"@language": "und", "Hashtag": "as:Hashtag", "toot": "http://joinmastodon.org/ns#"}
        ])));
        assert_eq!(
            ctx.namespaces,
            [
                "https://www.w3.org/ns/activitystreams",
                "http://joinmastodon.org/ns#"
            ]
        );
        assert_eq!(ctx.terms, ["Hashtag", "toot"]);
        check(json!([null, 1, []]), false, false, None);
    }

    #[test]
    fn absent_context_is_empty() {
        assert_eq!(JsonLdContext::from_value(None), JsonLdContext::default());
    }
}
