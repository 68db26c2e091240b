//! ETags: quoted lower-case MD5 hex for simple uploads, `<hex>-<n>` for multipart objects.

/// The stored form of an ETag, without quotes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ETag(pub String);

impl ETag {
    pub fn from_md5(digest: &[u8]) -> ETag {
        ETag(hex::encode(digest))
    }

    /// The wire form, with quotes.
    pub fn quoted(&self) -> String {
        format!("\"{}\"", self.0)
    }

    /// Whether a client-supplied ETag (quoted or not, or `*`) matches.
    pub fn matches(&self, candidate: &str) -> bool {
        let c = candidate.trim();
        c == "*"
            || c.trim_matches('"') == self.0
            || c.strip_prefix("W/").map(|w| w.trim_matches('"')) == Some(&self.0)
    }

    /// Whether any entry of a comma-separated `If-Match` / `If-None-Match` list matches.
    pub fn matches_list(&self, list: &str) -> bool {
        list.split(',').any(|c| self.matches(c))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matching() {
        let e = ETag("abc".into());
        assert_eq!(e.quoted(), "\"abc\"");
        assert!(e.matches("\"abc\""));
        assert!(e.matches("abc"));
        assert!(e.matches("*"));
        assert!(e.matches_list("\"x\", \"abc\""));
        assert!(!e.matches("\"abd\""));
    }
}
