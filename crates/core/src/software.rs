//! Server software and its family (BRIEF section 1), from the one data file
//! `families.toml`.

use std::{collections::HashMap, fmt, sync::OnceLock};

use serde::{Deserialize, Serialize};

use crate::Host;

/// The mapping file, compiled in so the binary needs nothing beside it.
const FAMILIES_TOML: &str = include_str!("../families.toml");

/// The software of an instance: NodeInfo `software.name` lower-cased and trimmed, or a
/// fallback name, or `unknown`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Software(String);

/// A group of related softwares (Mastodon and its forks, the Misskey family...).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Family(String);

/// How the software of an instance was learned, most trusted first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SoftwareSource {
    /// NodeInfo `software.name`.
    Nodeinfo,
    /// The JSON-LD `@context` namespaces of the host's documents.
    Context,
    /// A known domain (threads.net).
    Domain,
    /// Nothing told.
    Unknown,
}

impl SoftwareSource {
    /// The name stored in the database.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Nodeinfo => "nodeinfo",
            Self::Context => "context",
            Self::Domain => "domain",
            Self::Unknown => "unknown",
        }
    }
}

/// Longest software name kept; NodeInfo names are short, anything longer is junk.
const MAX_SOFTWARE_LEN: usize = 64;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct MappingFile {
    namespaces: Vec<(String, String)>,
    families: HashMap<String, Vec<String>>,
    domains: HashMap<String, String>,
}

#[derive(Debug)]
struct Mapping {
    family_of: HashMap<String, String>,
    namespaces: Vec<(String, String)>,
    domains: Vec<(String, String)>,
}

fn mapping() -> &'static Mapping {
    static MAPPING: OnceLock<Mapping> = OnceLock::new();
    MAPPING.get_or_init(|| {
        // The file is part of the source tree and checked by a unit test, so a parse
        // failure is a build defect, not an input error: fall back to an empty mapping
        // (every software its own family) rather than panic in production.
        let file: MappingFile = toml::from_str(FAMILIES_TOML).unwrap_or(MappingFile {
            namespaces: Vec::new(),
            families: HashMap::new(),
            domains: HashMap::new(),
        });
        let family_of = file
            .families
            .into_iter()
            .flat_map(|(family, members)| members.into_iter().map(move |m| (m, family.clone())))
            .collect();
        Mapping {
            family_of,
            namespaces: file.namespaces,
            domains: file.domains.into_iter().collect(),
        }
    })
}

impl Software {
    /// The software of an instance that told nobody.
    pub fn unknown() -> Self {
        Self("unknown".to_owned())
    }

    /// Normalises a NodeInfo `software.name` (which real servers capitalise, pad or
    /// leave empty). `None` when nothing usable is left.
    pub fn from_nodeinfo_name(name: &str) -> Option<Self> {
        let name = name.trim().to_lowercase();
        if name.is_empty()
            || name.len() > MAX_SOFTWARE_LEN
            || !name
                .chars()
                .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.' | ' '))
        {
            return None;
        }
        Some(Self(name))
    }

    /// The software named by a known domain (threads.net: `threads`).
    pub fn from_domain(host: &Host) -> Option<Self> {
        mapping()
            .domains
            .iter()
            .find(|(domain, _)| host.is_within(domain))
            .map(|(_, software)| Self(software.clone()))
    }

    /// The software named by the JSON-LD `@context` namespaces of a document.
    pub fn from_namespaces<'a>(
        namespaces: impl IntoIterator<Item = &'a str> + Clone,
    ) -> Option<Self> {
        mapping().namespaces.iter().find_map(|(pattern, software)| {
            namespaces
                .clone()
                .into_iter()
                .any(|ns| ns.contains(pattern.as_str()))
                .then(|| Self(software.clone()))
        })
    }

    /// The family this software belongs to; a software not in the mapping is its own.
    pub fn family(&self) -> Family {
        Family(
            mapping()
                .family_of
                .get(&self.0)
                .cloned()
                .unwrap_or_else(|| self.0.clone()),
        )
    }

    /// The normalised name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Family {
    /// The family's name.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Software {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Display for Family {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mapping_file_parses() {
        let file: Result<MappingFile, _> = toml::from_str(FAMILIES_TOML);
        assert!(file.is_ok(), "{file:?}");
    }

    fn family(name: &str) -> Option<String> {
        Software::from_nodeinfo_name(name).map(|s| s.family().as_str().to_owned())
    }

    #[test]
    fn families() {
        for (name, expected) in [
            ("mastodon", "mastodon"),
            ("Hometown", "mastodon"),
            (" glitch ", "mastodon"),
            ("Sharkey", "misskey"),
            ("Fedired", "misskey"),
            ("firefish", "misskey"),
            ("akkoma", "pleroma"),
            ("mbin", "lemmy"),
            ("peertube", "peertube"),
            ("gotosocial", "gotosocial"),
            ("wordpress", "wordpress"),
        ] {
            assert_eq!(family(name).as_deref(), Some(expected), "{name}");
        }
        assert_eq!(family(""), None);
        assert_eq!(family("<script>"), None);
        assert_eq!(family(&"x".repeat(100)), None);
    }

    #[test]
    fn domains() {
        let check = |host: &str| {
            Host::parse(host)
                .ok()
                .and_then(|h| Software::from_domain(&h))
                .map(|s| s.as_str().to_owned())
        };
        assert_eq!(check("threads.net").as_deref(), Some("threads"));
        assert_eq!(check("www.threads.net").as_deref(), Some("threads"));
        assert_eq!(check("notthreads.net"), None);
        assert_eq!(check("mastodon.social"), None);
    }

    #[test]
    fn namespaces() {
        let check = |ns: &[&str]| {
            Software::from_namespaces(ns.iter().copied()).map(|s| s.as_str().to_owned())
        };
        assert_eq!(
            check(&[
                "https://www.w3.org/ns/activitystreams",
                "https://misskey-hub.net/ns#"
            ])
            .as_deref(),
            Some("misskey")
        );
        assert_eq!(
            check(&["https://misskey-hub.net/ns#", "https://joinsharkey.org/ns#"]).as_deref(),
            Some("sharkey")
        );
        assert_eq!(
            check(&["https://p.helene.moe/schemas/litepub-0.1.jsonld"]).as_deref(),
            Some("pleroma")
        );
        assert_eq!(check(&["http://joinmastodon.org/ns#"]), None);
    }
}
