//! COS XML bodies: a small writer for responses (element order and empty elements exactly as the
//! SDK parsers expect) and serde DTOs for request bodies (quick-xml, namespace-agnostic).

mod requests;

pub use requests::{
    check_root, parse_acl, parse_complete, parse_delete, parse_rooted, parse_tagging, AclRequest,
    CompleteRequest, DeleteObjectEntry, DeleteRequest, TaggingRequest, XmlError,
};

/// Whether XML 1.0 can carry `c` at all (its `Char` production; a Rust `char` is never a
/// surrogate).
pub fn xml10_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | ' '..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Escapes text for element content: the five markup characters as entities, and CR as
/// `&#13;` so that a parser's line-end normalisation does not turn it into LF. A character
/// XML 1.0 cannot carry is written as a character reference too (what S3 does, and not
/// well-formed): callers that must answer well-formed XML check `XmlWriter::unrepresentable`.
fn escape_into(out: &mut String, text: &str, bad: &mut Option<char>) {
    for c in text.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\r' => out.push_str("&#13;"),
            c if !xml10_char(c) => {
                bad.get_or_insert(c);
                out.push_str(&format!("&#x{:X};", c as u32));
            }
            c => out.push(c),
        }
    }
}

/// Appends elements to a string; text is XML-escaped.
pub struct XmlWriter {
    out: String,
    /// The first character written that XML 1.0 cannot carry.
    bad: Option<char>,
}

impl XmlWriter {
    pub fn new() -> XmlWriter {
        Self::new_with_decl("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
    }

    pub fn new_with_decl(decl: &str) -> XmlWriter {
        XmlWriter {
            out: decl.to_string(),
            bad: None,
        }
    }

    pub fn open(&mut self, tag: &str) -> &mut Self {
        self.out.push('<');
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    pub fn close(&mut self, tag: &str) -> &mut Self {
        self.out.push_str("</");
        self.out.push_str(tag);
        self.out.push('>');
        self
    }

    /// `<tag>text</tag>` (always with an explicit end tag, also when empty).
    pub fn elem(&mut self, tag: &str, text: &str) -> &mut Self {
        self.open(tag);
        escape_into(&mut self.out, text, &mut self.bad);
        self.close(tag)
    }

    pub fn elem_opt(&mut self, tag: &str, text: Option<&str>) -> &mut Self {
        if let Some(t) = text {
            self.elem(tag, t);
        }
        self
    }

    /// The first character written so far that XML 1.0 cannot carry (e.g. U+0001 in a key):
    /// with one, `finish` is not a well-formed document.
    pub fn unrepresentable(&self) -> Option<char> {
        self.bad
    }

    pub fn finish(self) -> String {
        self.out
    }
}

impl Default for XmlWriter {
    fn default() -> Self {
        Self::new()
    }
}

/// ISO 8601 with milliseconds, as COS lists show (`2023-11-14T22:13:20.000Z`).
pub fn iso8601_ms(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(ms as i128 * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!(
        "[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z"
    );
    t.format(&f).unwrap_or_default()
}

/// ISO 8601 without fractions (`2023-11-14T22:13:20Z`).
pub fn iso8601(ms: i64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    let f = time::macros::format_description!("[year]-[month]-[day]T[hour]:[minute]:[second]Z");
    t.format(&f).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writer_escapes_and_keeps_empty_elements() {
        let mut w = XmlWriter::new_with_decl("");
        w.open("R")
            .elem("Key", "a<b&\"c\"")
            .elem("Marker", "")
            .elem_opt("X", None)
            .close("R");
        assert_eq!(
            w.finish(),
            "<R><Key>a&lt;b&amp;&quot;c&quot;</Key><Marker></Marker></R>"
        );
    }

    #[test]
    fn writer_keeps_carriage_returns_and_flags_what_xml_cannot_carry() {
        let mut w = XmlWriter::new_with_decl("");
        w.elem("Key", "a\rb\nc\td");
        assert_eq!(w.unrepresentable(), None);
        assert_eq!(w.finish(), "<Key>a&#13;b\nc\td</Key>");
        let mut w = XmlWriter::new_with_decl("");
        w.elem("Key", "x\u{1}y\u{FFFE}");
        assert_eq!(w.unrepresentable(), Some('\u{1}'));
        assert_eq!(w.finish(), "<Key>x&#x1;y&#xFFFE;</Key>");
        for (c, ok) in [
            ('\0', false),
            ('\u{8}', false),
            ('\u{1F}', false),
            ('\t', true),
            ('\u{7F}', true),
            ('\u{FFFD}', true),
            ('\u{FFFF}', false),
            ('\u{10FFFF}', true),
        ] {
            assert_eq!(xml10_char(c), ok, "{c:?}");
        }
    }

    #[test]
    fn timestamps() {
        assert_eq!(iso8601_ms(1700000000123), "2023-11-14T22:13:20.123Z");
        assert_eq!(iso8601(1700000000123), "2023-11-14T22:13:20Z");
    }
}
