//! Percent-encoding and decoding shared by the signature schemes.

use percent_encoding::{percent_decode, utf8_percent_encode, AsciiSet, NON_ALPHANUMERIC};

/// Everything but `A-Z a-z 0-9 - _ . ~` is encoded (upper-case hex; space is `%20`).
pub const COS_ENCODE: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// The same, but `/` is kept (list results with `encoding-type=url`).
pub const KEY_ENCODE: &AsciiSet = &COS_ENCODE.remove(b'/');

/// COS's `E(s)`: percent-encode UTF-8 bytes leaving only the unreserved set.
pub fn cos_encode(s: &str) -> String {
    utf8_percent_encode(s, COS_ENCODE).to_string()
}

/// `E` over raw bytes (header values as received).
pub fn cos_encode_bytes(b: &[u8]) -> String {
    percent_encoding::percent_encode(b, COS_ENCODE).to_string()
}

/// Percent-encodes an object key for `encoding-type=url`, keeping `/`.
pub fn encode_key(s: &str) -> String {
    utf8_percent_encode(s, KEY_ENCODE).to_string()
}

/// Percent-decodes a URL path (no `+` handling). Fails on invalid UTF-8.
pub fn decode_path(raw: &str) -> Option<String> {
    percent_decode(raw.as_bytes())
        .decode_utf8()
        .ok()
        .map(|c| c.into_owned())
}

/// Decodes a query string into (name, value) pairs (`+` is a space, as in form encoding).
pub fn decode_query(raw: &str) -> Vec<(String, String)> {
    form_urlencoded::parse(raw.as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodings() {
        assert_eq!(cos_encode("a b/c+d~e_f.g-h"), "a%20b%2Fc%2Bd~e_f.g-h");
        assert_eq!(cos_encode("uin=\"1\""), "uin%3D%221%22");
        assert_eq!(encode_key("dir/a b+c.txt"), "dir/a%20b%2Bc.txt");
        assert_eq!(
            decode_path("/a%20b+c/%E8%85%BE").as_deref(),
            Some("/a b+c/腾")
        );
        assert_eq!(decode_path("/%FF"), None);
        assert_eq!(
            decode_query("a=1&acl&x=a+b%2B&q-sign-time=1%3B2"),
            vec![
                ("a".into(), "1".into()),
                ("acl".into(), "".into()),
                ("x".into(), "a b+".into()),
                ("q-sign-time".into(), "1;2".into())
            ]
        );
    }
}
