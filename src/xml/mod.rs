//! COS XML bodies: a small writer for responses (element order and empty elements exactly as the
//! SDK parsers expect) and serde DTOs for request bodies (quick-xml, namespace-agnostic).

mod requests;

pub use requests::{
    check_root, parse_acl, parse_complete, parse_delete, parse_tagging, AclRequest,
    CompleteRequest, DeleteObjectEntry, DeleteRequest, TaggingRequest, XmlError,
};

use quick_xml::escape::escape;

/// Appends elements to a string; text is XML-escaped.
pub struct XmlWriter {
    out: String,
}

impl XmlWriter {
    pub fn new() -> XmlWriter {
        Self::new_with_decl("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n")
    }

    pub fn new_with_decl(decl: &str) -> XmlWriter {
        XmlWriter {
            out: decl.to_string(),
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
        self.out.push_str(&escape(text));
        self.close(tag)
    }

    pub fn elem_opt(&mut self, tag: &str, text: Option<&str>) -> &mut Self {
        if let Some(t) = text {
            self.elem(tag, t);
        }
        self
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
    fn timestamps() {
        assert_eq!(iso8601_ms(1700000000123), "2023-11-14T22:13:20.123Z");
        assert_eq!(iso8601(1700000000123), "2023-11-14T22:13:20Z");
    }
}
