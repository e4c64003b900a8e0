//! HTML to plain text, bounded: for excerpts of posts and for reading bios.
//!
//! Fediverse HTML is a small, sanitised subset (`p`, `br`, `a`, `span`...), so a tag
//! stripper with entity decoding is enough; a full HTML parser would cost more than it
//! brings. Output is whitespace-collapsed, with paragraph and line breaks kept as
//! single newlines.

/// Text inside these elements is dropped, not shown.
const HIDDEN_ELEMENTS: [&str; 2] = ["script", "style"];

/// Longest entity name read (`&thetasym;` is the longest HTML 4 name).
const MAX_ENTITY_LEN: usize = 10;

/// Strips tags and decodes entities, keeping at most `max_chars` characters (an
/// ellipsis marks a cut).
pub fn html_to_text(html: &str, max_chars: usize) -> String {
    let mut out = Writer::new(max_chars);
    let mut rest = html;
    let mut hidden: Option<&str> = None;
    while let Some(c) = rest.chars().next() {
        if out.full() {
            break;
        }
        if c == '<' {
            let end = rest.find('>').map_or(rest.len(), |i| i + 1);
            let tag = &rest[..end];
            let name = tag_name(tag);
            let closing = tag.starts_with("</");
            if let Some(hidden_name) = hidden {
                if closing && name.eq_ignore_ascii_case(hidden_name) {
                    hidden = None;
                }
            } else if !closing {
                if let Some(h) = HIDDEN_ELEMENTS
                    .iter()
                    .find(|h| name.eq_ignore_ascii_case(h))
                {
                    hidden = Some(h);
                } else if matches!(
                    name.to_ascii_lowercase().as_str(),
                    "br" | "p" | "div" | "li"
                ) {
                    out.newline();
                }
            } else if matches!(
                name.to_ascii_lowercase().as_str(),
                "p" | "div" | "li" | "blockquote"
            ) {
                out.newline();
            }
            rest = &rest[end..];
            continue;
        }
        if hidden.is_some() {
            rest = &rest[c.len_utf8()..];
            continue;
        }
        if c == '&'
            && let Some((decoded, used)) = decode_entity(rest)
        {
            out.push(decoded);
            rest = &rest[used..];
            continue;
        }
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    let cut = out.full() && !rest.trim().is_empty();
    out.finish(cut)
}

fn tag_name(tag: &str) -> &str {
    let inner = tag.trim_start_matches('<').trim_start_matches('/');
    let end = inner
        .find(|c: char| !c.is_ascii_alphanumeric())
        .unwrap_or(inner.len());
    &inner[..end]
}

/// Decodes the entity at the start of `text`: the character and the bytes used.
fn decode_entity(text: &str) -> Option<(char, usize)> {
    let end = text
        .char_indices()
        .take(MAX_ENTITY_LEN + 2)
        .find(|(_, c)| *c == ';')
        .map(|(i, _)| i)?;
    let body = &text[1..end];
    let c = if let Some(num) = body.strip_prefix('#') {
        let code = match num.strip_prefix(['x', 'X']) {
            Some(hex) => u32::from_str_radix(hex, 16).ok()?,
            None => num.parse().ok()?,
        };
        char::from_u32(code).filter(|c| *c != '\0')?
    } else {
        match body {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            "nbsp" => ' ',
            "hellip" => '…',
            "mdash" => '—',
            "ndash" => '–',
            "rsquo" => '’',
            "lsquo" => '‘',
            "rdquo" => '”',
            "ldquo" => '“',
            _ => return None,
        }
    };
    Some((c, end + 1))
}

/// Collects text with collapsed whitespace and a character budget.
struct Writer {
    text: String,
    chars: usize,
    max_chars: usize,
    pending: Option<char>,
}

impl Writer {
    fn new(max_chars: usize) -> Self {
        Self {
            text: String::new(),
            chars: 0,
            max_chars,
            pending: None,
        }
    }

    fn full(&self) -> bool {
        self.chars >= self.max_chars
    }

    fn newline(&mut self) {
        if !self.text.is_empty() {
            self.pending = Some('\n');
        }
    }

    fn push(&mut self, c: char) {
        if c.is_whitespace() {
            if !self.text.is_empty() && self.pending.is_none() {
                self.pending = Some(if c == '\n' { '\n' } else { ' ' });
            }
            return;
        }
        if let Some(space) = self.pending.take() {
            if self.chars + 2 > self.max_chars {
                self.chars = self.max_chars;
                return;
            }
            self.text.push(space);
            self.chars += 1;
        }
        if self.full() {
            return;
        }
        self.text.push(c);
        self.chars += 1;
    }

    fn finish(mut self, cut: bool) -> String {
        if cut && self.max_chars > 0 {
            // Make room for the ellipsis within the budget.
            if self.text.chars().count() >= self.max_chars {
                self.text.pop();
            }
            self.text.push('…');
        }
        self.text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(html: &str, max: usize, expected: &str) {
        assert_eq!(html_to_text(html, max), expected, "{html}");
    }

    #[test]
    fn strips_and_decodes() {
        check("<p>Hello <b>world</b></p>", 100, "Hello world");
        check("<p>a</p><p>b</p>", 100, "a\nb");
        check("line<br>next<br/>last", 100, "line\nnext\nlast");
        check(
            "Tom &amp; Jerry &lt;3 &#x1F600; &#65;",
            100,
            "Tom & Jerry <3 😀 A",
        );
        check("&unknown; & &#xZZ; &#0;", 100, "&unknown; & &#xZZ; &#0;");
        check(
            r#"<a href="https://m/tags/nobot" class="mention hashtag">#<span>NoBot</span></a>"#,
            100,
            "#NoBot",
        );
        check("<script>alert(1)</script>ok<style>p{}</style>", 100, "ok");
        check("  lots   of\n\n space  ", 100, "lots of\nspace");
        check("unclosed <b", 100, "unclosed");
        check("", 10, "");
    }

    #[test]
    fn is_bounded() {
        check("abcdef", 3, "ab…");
        check("abc", 3, "abc");
        check("<p>héllo wörld</p>", 5, "héll…");
        assert!(html_to_text(&"x ".repeat(100_000), 50).chars().count() <= 50);
        check("abc", 0, "");
    }
}
