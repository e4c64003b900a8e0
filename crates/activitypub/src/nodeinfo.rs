//! NodeInfo: discovery (`/.well-known/nodeinfo`) and the document itself, the primary
//! way to learn which software runs an instance and how many users it has.
//!
//! Only `software.name` is required. Counters may be strings (some WordPress sites),
//! names may be capitalised (Fedired), and Lemmy 0.18 omits `services` and `metadata`.

use fedireach_core::Software;
use serde_json::Value;

use crate::error::ParseError;
use crate::json::{self, Fields, non_empty_str};

/// A NodeInfo schema version this crate reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum NodeInfoVersion {
    /// 1.0
    V1_0,
    /// 1.1
    V1_1,
    /// 2.0
    V2_0,
    /// 2.1
    V2_1,
    /// 2.2
    V2_2,
}

impl NodeInfoVersion {
    /// Reads the version at the end of a schema rel
    /// (`http://nodeinfo.diaspora.software/ns/schema/2.1`, scheme and trailing `#` or
    /// `/` tolerated).
    pub fn from_rel(rel: &str) -> Option<Self> {
        let rel = rel.trim().trim_end_matches(['#', '/']);
        let (base, version) = rel.rsplit_once('/')?;
        if !base.ends_with("nodeinfo.diaspora.software/ns/schema") {
            return None;
        }
        Some(match version {
            "1.0" => Self::V1_0,
            "1.1" => Self::V1_1,
            "2.0" => Self::V2_0,
            "2.1" => Self::V2_1,
            "2.2" => Self::V2_2,
            _ => return None,
        })
    }
}

/// A link of a NodeInfo discovery document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NodeInfoLink {
    /// The schema version.
    pub version: NodeInfoVersion,
    /// Where the document is.
    pub href: String,
}

/// Parses a discovery document and picks the link with the highest supported schema
/// (2.2 > 2.1 > 2.0 > 1.1 > 1.0). `Ok(None)` when it lists none we read.
pub fn parse_nodeinfo_discovery(
    bytes: &[u8],
    max_bytes: usize,
) -> Result<Option<NodeInfoLink>, ParseError> {
    let map = json::read_object(bytes, max_bytes)?;
    let fields = Fields(&map);
    if !fields.has("links") {
        return Err(ParseError::MissingField {
            document: "a NodeInfo discovery document",
            field: "links",
        });
    }
    Ok(fields
        .many("links")
        .filter_map(Fields::of)
        .filter_map(|link| {
            Some(NodeInfoLink {
                version: NodeInfoVersion::from_rel(&link.str("rel")?)?,
                href: link.str("href")?,
            })
        })
        // max_by_key keeps the last of equals; prefer the first listed instead.
        .fold(None, |best: Option<NodeInfoLink>, link| match best {
            Some(best) if best.version >= link.version => Some(best),
            _ => Some(link),
        }))
}

/// A NodeInfo document.
#[derive(Debug, Clone, PartialEq)]
pub struct NodeInfo {
    /// `version` of the schema the document says it follows.
    pub version: Option<String>,
    /// `software.name`, trimmed and lower-cased.
    pub software_name: String,
    /// `software.version`.
    pub software_version: Option<String>,
    /// `protocols` (also read from 1.x's `{inbound, outbound}` form).
    pub protocols: Vec<String>,
    /// `usage.users.total`.
    pub users_total: Option<u64>,
    /// `usage.users.activeMonth`.
    pub users_active_month: Option<u64>,
    /// `usage.users.activeHalfyear`.
    pub users_active_halfyear: Option<u64>,
    /// `usage.localPosts`.
    pub local_posts: Option<u64>,
    /// `usage.localComments`.
    pub local_comments: Option<u64>,
    /// `openRegistrations`.
    pub open_registrations: Option<bool>,
    /// `metadata`, kept as raw JSON.
    pub metadata: Option<Value>,
}

impl NodeInfo {
    /// The software, normalised by [`Software::from_nodeinfo_name`].
    pub fn software(&self) -> Option<Software> {
        Software::from_nodeinfo_name(&self.software_name)
    }
}

/// Parses a NodeInfo document (any schema version).
pub fn parse_nodeinfo(bytes: &[u8], max_bytes: usize) -> Result<NodeInfo, ParseError> {
    let map = json::read_object(bytes, max_bytes)?;
    let fields = Fields(&map);
    let software = fields.obj("software");
    let software_name = software
        .and_then(|s| s.str("name"))
        .map(|name| name.trim().to_lowercase())
        .filter(|name| !name.is_empty())
        .ok_or(ParseError::MissingField {
            document: "a NodeInfo document",
            field: "software.name",
        })?;
    let usage = fields.obj("usage");
    let users = usage.and_then(|u| u.obj("users"));
    let protocols = match fields.get("protocols") {
        Some(Value::Object(map)) => map
            .values()
            .flat_map(|v| json::one_or_many(Some(v)))
            .filter_map(non_empty_str)
            .map(str::to_owned)
            .collect(),
        other => json::one_or_many(other)
            .filter_map(non_empty_str)
            .map(str::to_owned)
            .collect(),
    };
    Ok(NodeInfo {
        version: fields.str("version"),
        software_name,
        software_version: software.and_then(|s| s.str("version")),
        protocols,
        users_total: users.and_then(|u| u.count("total")),
        users_active_month: users.and_then(|u| u.count("activeMonth")),
        users_active_halfyear: users.and_then(|u| u.count("activeHalfyear")),
        local_posts: usage.and_then(|u| u.count("localPosts")),
        local_comments: usage.and_then(|u| u.count("localComments")),
        open_registrations: fields.bool("openRegistrations"),
        metadata: fields.get("metadata").cloned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn best(doc: &str) -> Option<(NodeInfoVersion, String)> {
        parse_nodeinfo_discovery(doc.as_bytes(), 1 << 16)
            .unwrap_or_else(|e| panic!("{e}: {doc}"))
            .map(|l| (l.version, l.href))
    }

    #[test]
    fn picks_highest_supported_schema() {
        use NodeInfoVersion::*;
        let s = "http://nodeinfo.diaspora.software/ns/schema/";
        let doc = format!(
            r#"{{"links":[{{"rel":"{s}2.0","href":"https://a/2.0"}},{{"rel":"{s}2.1","href":"https://a/2.1"}},{{"rel":"{s}1.0","href":"https://a/1.0"}}]}}"#
        );
        assert_eq!(best(&doc), Some((V2_1, "https://a/2.1".to_owned())));
        let doc = format!(
            r#"{{"links":[{{"rel":"{s}3.0","href":"https://a/3"}},{{"rel":"https://nodeinfo.diaspora.software/ns/schema/2.2#","href":"https://a/2.2"}}]}}"#
        );
        assert_eq!(best(&doc), Some((V2_2, "https://a/2.2".to_owned())));
        assert_eq!(best(r#"{"links":[{"rel":"other","href":"x"}]}"#), None);
        assert_eq!(
            best(
                r#"{"links":{"rel":"http://nodeinfo.diaspora.software/ns/schema/1.1","href":"h"}}"#
            ),
            Some((V1_1, "h".to_owned()))
        );
    }

    #[test]
    fn tolerant_documents() {
        let wordpress = br#"{"version":"2.0","software":{"name":" WordPress ","version":"6.4"},
            "usage":{"users":{"total":"3","activeMonth":"1","activeHalfyear":"2"},"localPosts":"120"},
            "openRegistrations":false,"protocols":["activitypub"]}"#;
        let n = parse_nodeinfo(wordpress, 1 << 16).expect("the sample parses");
        assert_eq!(n.software_name, "wordpress");
        assert_eq!(
            (
                n.users_total,
                n.users_active_month,
                n.users_active_halfyear,
                n.local_posts
            ),
            (Some(3), Some(1), Some(2), Some(120))
        );
        assert_eq!(
            n.software().as_ref().map(Software::as_str),
            Some("wordpress")
        );
        let minimal = br#"{"software":{"name":"Fedired"}}"#;
        assert!(matches!(parse_nodeinfo(minimal, 100), Ok(n) if n.software_name == "fedired"));
        let old = br#"{"software":{"name":"x"},"protocols":{"inbound":["a"],"outbound":["b"]}}"#;
        assert!(matches!(parse_nodeinfo(old, 200), Ok(n) if n.protocols.len() == 2));
        for bad in [
            &br#"{"software":{}}"#[..],
            br#"{"software":{"name":"  "}}"#,
            b"{}",
        ] {
            assert!(matches!(
                parse_nodeinfo(bad, 100),
                Err(ParseError::MissingField { .. })
            ));
        }
    }
}
