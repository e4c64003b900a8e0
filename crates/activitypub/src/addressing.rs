//! Who may see an object, read from its `to` and `cc` addressing.
//!
//! fedireach only ever counts public and unlisted posts, so this decision gates what
//! the crawler keeps.

/// The audience of an object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Visibility {
    /// Addressed to the public collection in `to`: on public timelines.
    Public,
    /// Public collection only in `cc`: visible to anyone, off public timelines.
    Unlisted,
    /// Addressed to a followers collection, not to the public.
    FollowersOnly,
    /// Addressed only to named actors.
    Direct,
}

impl Visibility {
    /// Whether fedireach may count the object (public or unlisted).
    pub fn is_countable(self) -> bool {
        matches!(self, Visibility::Public | Visibility::Unlisted)
    }

    /// Decides the visibility from `to` and `cc`. `followers` is the author's followers
    /// collection when known; without it any addressee ending in `/followers` counts.
    pub fn from_addressing(to: &[String], cc: &[String], followers: Option<&str>) -> Self {
        if to.iter().any(|a| is_public(a)) {
            Visibility::Public
        } else if cc.iter().any(|a| is_public(a)) {
            Visibility::Unlisted
        } else if to
            .iter()
            .chain(cc)
            .any(|a| is_followers(a.trim(), followers))
        {
            Visibility::FollowersOnly
        } else {
            Visibility::Direct
        }
    }
}

impl Visibility {
    /// Reads a Mastodon API `visibility` (`public`, `unlisted`, `private`, `direct`).
    pub fn from_mastodon(value: &str) -> Option<Self> {
        Some(match value.trim().to_ascii_lowercase().as_str() {
            "public" => Visibility::Public,
            "unlisted" => Visibility::Unlisted,
            "private" => Visibility::FollowersOnly,
            "direct" => Visibility::Direct,
            _ => return None,
        })
    }

    /// Reads a Misskey API `visibility` (`public`, `home`, `followers`, `specified`).
    pub fn from_misskey(value: &str) -> Option<Self> {
        Some(match value.trim().to_ascii_lowercase().as_str() {
            "public" => Visibility::Public,
            "home" => Visibility::Unlisted,
            "followers" => Visibility::FollowersOnly,
            "specified" => Visibility::Direct,
            _ => return None,
        })
    }
}

/// Whether an addressee is the public collection, in any of its written forms
/// (full IRI, `as:Public`, bare `Public`).
pub fn is_public(addressee: &str) -> bool {
    matches!(
        addressee.trim(),
        "https://www.w3.org/ns/activitystreams#Public"
            | "http://www.w3.org/ns/activitystreams#Public"
            | "as:Public"
            | "Public"
    )
}

fn is_followers(addressee: &str, followers: Option<&str>) -> bool {
    match followers {
        Some(followers) => addressee == followers.trim(),
        None => addressee.trim_end_matches('/').ends_with("/followers"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PUBLIC: &str = "https://www.w3.org/ns/activitystreams#Public";
    const FOLLOWERS: &str = "https://m/users/a/followers";

    fn check(to: &[&str], cc: &[&str], followers: Option<&str>, expected: Visibility) {
        let to: Vec<String> = to.iter().map(|s| (*s).to_owned()).collect();
        let cc: Vec<String> = cc.iter().map(|s| (*s).to_owned()).collect();
        assert_eq!(
            Visibility::from_addressing(&to, &cc, followers),
            expected,
            "to={to:?} cc={cc:?}"
        );
    }

    #[test]
    fn visibility_table() {
        use Visibility::*;
        check(&[PUBLIC], &[FOLLOWERS], None, Public);
        check(&["as:Public"], &[], None, Public);
        check(&["Public"], &[], None, Public);
        check(&[FOLLOWERS], &[PUBLIC], None, Unlisted);
        check(&[FOLLOWERS], &["as:Public"], None, Unlisted);
        check(&[FOLLOWERS], &[], None, FollowersOnly);
        check(&["https://m/users/a/followers/"], &[], None, FollowersOnly);
        check(
            &["https://p/u/a/fans"],
            &[],
            Some("https://p/u/a/fans"),
            FollowersOnly,
        );
        check(&[FOLLOWERS], &[], Some("https://p/u/a/fans"), Direct);
        check(&["https://m/users/b"], &[], None, Direct);
        check(&[], &[], None, Direct);
        assert!(Public.is_countable() && Unlisted.is_countable());
        assert!(!FollowersOnly.is_countable() && !Direct.is_countable());
    }

    #[test]
    fn api_visibility_names() {
        use Visibility::*;
        let mastodon = [
            ("public", Some(Public)),
            ("Unlisted", Some(Unlisted)),
            ("private", Some(FollowersOnly)),
            ("direct", Some(Direct)),
            ("limited", None),
        ];
        for (name, expected) in mastodon {
            assert_eq!(Visibility::from_mastodon(name), expected, "{name}");
        }
        let misskey = [
            ("public", Some(Public)),
            ("home", Some(Unlisted)),
            ("followers", Some(FollowersOnly)),
            ("specified", Some(Direct)),
            ("", None),
        ];
        for (name, expected) in misskey {
            assert_eq!(Visibility::from_misskey(name), expected, "{name}");
        }
    }
}
