//! HTML escaping for the few strings written outside the templates (error pages), and
//! for table cells (`breakable`). Templates escape through minijinja's autoescape.

/// The text as HTML text or attribute content.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        push(&mut out, c);
    }
    out
}

/// The characters after which a URL, handle or host name may wrap.
const BREAK_AFTER: &str = "/.-_@?&=#:";

/// The text as HTML text with a `<wbr>` after each of [`BREAK_AFTER`] (not before
/// whitespace or at the end): a long URL or host name in a narrow cell wraps at its
/// separators ("mastodon-1.|example/|users/"), never inside a word, and a token with
/// none makes its table scroll instead.
pub(crate) fn html_breakable(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        push(&mut out, c);
        if BREAK_AFTER.contains(c) && chars.peek().is_some_and(|n| !n.is_whitespace()) {
            out.push_str("<wbr>");
        }
    }
    out
}

fn push(out: &mut String, c: char) {
    match c {
        '&' => out.push_str("&amp;"),
        '<' => out.push_str("&lt;"),
        '>' => out.push_str("&gt;"),
        '"' => out.push_str("&quot;"),
        '\'' => out.push_str("&#x27;"),
        '/' => out.push_str("&#x2f;"),
        c => out.push(c),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn markup_becomes_text() {
        assert_eq!(
            super::html("<script>alert('x')</script>&"),
            "&lt;script&gt;alert(&#x27;x&#x27;)&lt;&#x2f;script&gt;&amp;"
        );
    }

    #[test]
    fn breakable_text_is_escaped_and_wraps_only_after_separators() {
        for (text, html) in [
            ("Mastodon", "Mastodon"),
            (
                "https://a.example/@x",
                "https:<wbr>&#x2f;<wbr>&#x2f;<wbr>a.<wbr>example&#x2f;<wbr>@<wbr>x",
            ),
            ("<b>&\"'", "&lt;b&gt;&amp;<wbr>&quot;&#x27;"),
            ("ends. With", "ends. With"),
            ("a?b=1&c", "a?<wbr>b=<wbr>1&amp;<wbr>c"),
        ] {
            assert_eq!(super::html_breakable(text), html, "{text}");
        }
    }
}
