//! HTML escaping for the few strings written outside the templates (error pages).
//! Templates escape through minijinja's autoescape.

/// The text as HTML text or attribute content.
pub(crate) fn html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
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
    out
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
}
