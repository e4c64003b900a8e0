//! The HTTP `Link` header (RFC 8288) that pages Mastodon-compatible API lists:
//! `<https://host/api/v1/...?max_id=1>; rel="next", <...>; rel="prev"`.
//!
//! Mastodon's cursors are internal ids, so the crawler follows these URLs verbatim.
//! Parsing is bounded: a hostile header cannot make it do more than a fixed amount of
//! work.

/// Longest header read; Mastodon's are about 300 bytes.
const MAX_HEADER_BYTES: usize = 16 * 1024;

/// Most link values read from one header.
const MAX_LINKS: usize = 32;

/// The paging links of a `Link` header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PageLinks {
    /// `rel="next"`: older entries in Mastodon's lists.
    pub next: Option<String>,
    /// `rel="prev"` (or `previous`): newer entries.
    pub prev: Option<String>,
}

/// Reads the `next` and `prev` URLs of a `Link` header. Unusable parts are ignored; the
/// first link of each relation wins.
pub fn parse_link_header(header: &str) -> PageLinks {
    let mut links = PageLinks::default();
    let mut rest = truncate(header, MAX_HEADER_BYTES);
    for _ in 0..MAX_LINKS {
        let Some(start) = rest.find('<') else {
            break;
        };
        let after = &rest[start + 1..];
        let Some(end) = after.find('>') else {
            break;
        };
        let url = after[..end].trim();
        let params_and_rest = &after[end + 1..];
        let params_end = end_of_params(params_and_rest);
        let params = &params_and_rest[..params_end];
        rest = &params_and_rest[params_end..];
        if url.is_empty() {
            continue;
        }
        for rel in rels(params) {
            let slot = match rel.as_str() {
                "next" => &mut links.next,
                "prev" | "previous" => &mut links.prev,
                _ => continue,
            };
            if slot.is_none() {
                *slot = Some(url.to_owned());
            }
        }
    }
    links
}

/// Where the parameters of one link value end: at a comma outside quotes.
fn end_of_params(text: &str) -> usize {
    let mut quoted = false;
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ',' if !quoted => return i,
            // A new link value without a separating comma: be lenient.
            '<' if !quoted => return i,
            _ => {}
        }
    }
    text.len()
}

/// The relation types of one link value's parameters, lower-cased.
fn rels(params: &str) -> Vec<String> {
    params
        .split(';')
        .filter_map(|param| {
            let (name, value) = param.split_once('=')?;
            name.trim()
                .eq_ignore_ascii_case("rel")
                .then(|| value.trim().trim_matches(['"', '\'']).to_ascii_lowercase())
        })
        .flat_map(|value| {
            value
                .split_whitespace()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .collect()
}

fn truncate(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(header: &str, next: Option<&str>, prev: Option<&str>) {
        let links = parse_link_header(header);
        assert_eq!(
            (links.next.as_deref(), links.prev.as_deref()),
            (next, prev),
            "{header}"
        );
    }

    #[test]
    fn link_header_table() {
        let n = "https://m/api/v1/statuses/1/favourited_by?max_id=9";
        let p = "https://m/api/v1/statuses/1/favourited_by?since_id=20";
        check(
            &format!(r#"<{n}>; rel="next", <{p}>; rel="prev""#),
            Some(n),
            Some(p),
        );
        check(&format!("<{n}>;rel=next,<{p}>;rel=prev"), Some(n), Some(p));
        check(&format!(r#"  < {n} > ;  REL = "Next" "#), Some(n), None);
        check(&format!(r#"<{p}>; rel="previous""#), None, Some(p));
        check(&format!(r#"<{n}>; rel="next last""#), Some(n), None);
        check(
            &format!(r#"<{n}>; title="a, b"; rel="next""#),
            Some(n),
            None,
        );
        check(
            r#"<https://a/x?q=1,2>; rel="next", <https://a/y>; rel="next""#,
            Some("https://a/x?q=1,2"),
            None,
        );
        check(r#"<>; rel="next""#, None, None);
        check("garbage", None, None);
        check("<unterminated; rel=next", None, None);
        check("", None, None);
    }

    #[test]
    fn is_bounded() {
        let huge = "<https://a/x>; rel=\"other\", ".repeat(10_000);
        assert_eq!(parse_link_header(&huge), PageLinks::default());
        let late = format!("{huge}<https://a/next>; rel=\"next\"");
        assert_eq!(parse_link_header(&late).next, None);
        let multibyte = "é".repeat(MAX_HEADER_BYTES);
        assert_eq!(parse_link_header(&multibyte), PageLinks::default());
    }
}
