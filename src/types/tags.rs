//! Tag sets of objects and buckets (docs/tagging.md): the `k1=v1&k2=v2` header form and the
//! limits. Pure; the API layer maps [`TagError`] to `InvalidTag`.

/// (key, value) pairs in the order given.
pub type Tags = Vec<(String, String)>;

/// At most this many tags on an object (S3 and COS).
pub const MAX_OBJECT_TAGS: usize = 10;
/// At most this many tags on a bucket (COS; S3 allows 50 too).
pub const MAX_BUCKET_TAGS: usize = 50;
/// Keys are 1 to 128 characters (Unicode characters, not bytes).
pub const MAX_KEY_CHARS: usize = 128;
/// Values are 0 to 256 characters.
pub const MAX_VALUE_CHARS: usize = 256;

/// Why a tag set is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TagError(pub String);

impl std::fmt::Display for TagError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The rules a tag set is checked against: how many tags, and which dialect's characters.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagRules {
    pub max_tags: usize,
    /// S3 also allows `@`, and reserves keys starting with `aws:`.
    pub s3: bool,
}

impl TagRules {
    pub fn object(s3: bool) -> TagRules {
        TagRules {
            max_tags: MAX_OBJECT_TAGS,
            s3,
        }
    }

    pub fn bucket(s3: bool) -> TagRules {
        TagRules {
            max_tags: MAX_BUCKET_TAGS,
            s3,
        }
    }

    /// Letters, digits, spaces and `+ - = . _ : /` (and `@` in S3), in any script.
    fn allowed(&self, c: char) -> bool {
        c.is_alphanumeric()
            || (c.is_whitespace() && !c.is_control())
            || matches!(c, '+' | '-' | '=' | '.' | '_' | ':' | '/')
            || (self.s3 && c == '@')
    }

    /// Checks count, lengths, characters, unique keys and reserved prefixes.
    pub fn check(&self, tags: &[(String, String)]) -> Result<(), TagError> {
        if tags.len() > self.max_tags {
            return Err(TagError(format!(
                "Object tags cannot be greater than {}; the request has {}.",
                self.max_tags,
                tags.len()
            )));
        }
        for (i, (k, v)) in tags.iter().enumerate() {
            let n = k.chars().count();
            if n == 0 || n > MAX_KEY_CHARS {
                return Err(TagError(format!(
                    "The TagKey you have provided is invalid: keys are 1 to {MAX_KEY_CHARS} characters ({k:?} has {n})."
                )));
            }
            if v.chars().count() > MAX_VALUE_CHARS {
                return Err(TagError(format!(
                    "The TagValue you have provided is invalid: values are at most {MAX_VALUE_CHARS} characters (the value of {k:?})."
                )));
            }
            if let Some(c) = k.chars().find(|c| !self.allowed(*c)) {
                return Err(TagError(format!(
                    "The TagKey you have provided is invalid: {k:?} contains {c:?}."
                )));
            }
            if let Some(c) = v.chars().find(|c| !self.allowed(*c)) {
                return Err(TagError(format!(
                    "The TagValue you have provided is invalid: the value of {k:?} contains {c:?}."
                )));
            }
            if self.s3 && k.to_ascii_lowercase().starts_with("aws:") {
                return Err(TagError(format!(
                    "Your TagKey cannot be prefixed with aws: ({k:?})."
                )));
            }
            if tags[..i].iter().any(|(other, _)| other == k) {
                return Err(TagError(format!(
                    "Cannot provide multiple Tags with the same key ({k:?})."
                )));
            }
        }
        Ok(())
    }
}

/// The tags of an `x-cos-tagging` / `x-amz-tagging` header (`k1=v1&k2=v2`, URL-encoded); a
/// pair without `=` has an empty value.
pub fn parse_header(header: &str) -> Tags {
    form_urlencoded::parse(header.trim().as_bytes())
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect()
}

/// Tags as `key&value` strings, the form of `qcs:request_tag` and `qcs:resource_tag`.
pub fn as_condition_values(tags: &[(String, String)]) -> Vec<String> {
    tags.iter().map(|(k, v)| format!("{k}&{v}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> Tags {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn header_form_decodes_pairs() {
        for (header, want) in [
            ("a=b&c=d", vec![("a", "b"), ("c", "d")]),
            ("k%20x=v%2Fy", vec![("k x", "v/y")]),
            ("k+x=v", vec![("k x", "v")]),
            ("solo", vec![("solo", "")]),
            ("k=", vec![("k", "")]),
            ("", vec![]),
            ("%E4%B8%AD=%E6%96%87", vec![("中", "文")]),
        ] {
            assert_eq!(parse_header(header), tags(&want), "{header}");
        }
    }

    #[test]
    fn limits_and_characters() {
        let long = |n: usize| "k".repeat(n);
        let many = |n: usize| -> Tags { (0..n).map(|i| (format!("k{i}"), "v".into())).collect() };
        let cos = TagRules::object(false);
        let s3 = TagRules::object(true);
        let ok = |r: TagRules, t: Tags| r.check(&t).is_ok();
        assert!(ok(cos, many(10)));
        assert!(!ok(cos, many(11)));
        assert!(ok(TagRules::bucket(false), many(50)));
        assert!(!ok(TagRules::bucket(false), many(51)));
        assert!(ok(cos, vec![(long(128), long(256))]));
        assert!(!ok(cos, vec![(long(129), String::new())]));
        assert!(!ok(cos, vec![("k".into(), long(257))]));
        assert!(!ok(cos, vec![(String::new(), "v".into())]));
        // Characters, not bytes: 128 three-byte characters are a valid key.
        assert!(ok(cos, vec![("中".repeat(128), "文".repeat(256))]));
        assert!(!ok(cos, vec![("中".repeat(129), String::new())]));
        for (rules, key, value, want) in [
            (cos, "a b+c-d=e.f_g:h/i", "x y", true),
            (cos, "k", "", true),
            (cos, "Größe", "éé 12", true),
            (cos, "k@x", "v", false),
            (s3, "k@x", "v@y", true),
            (cos, "k", "v@", false),
            (cos, "k*", "v", false),
            (cos, "k", "v,w", false),
            (cos, "k\t", "v", false),
            (cos, "k", "a\nb", false),
            (s3, "aws:foo", "v", false),
            (s3, "AWS:foo", "v", false),
            (cos, "aws:foo", "v", true),
            (s3, "awsfoo", "v", true),
        ] {
            assert_eq!(
                ok(rules, vec![(key.into(), value.into())]),
                want,
                "{key:?}={value:?} s3={}",
                rules.s3
            );
        }
        assert!(!ok(s3, tags(&[("a", "1"), ("b", "2"), ("a", "3")])));
        // Keys are case-sensitive.
        assert!(ok(s3, tags(&[("a", "1"), ("A", "2")])));
    }

    #[test]
    fn condition_values_join_key_and_value() {
        assert_eq!(
            as_condition_values(&tags(&[("a", "b"), ("c", "")])),
            vec!["a&b".to_string(), "c&".to_string()]
        );
    }
}
