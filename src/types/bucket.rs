//! `BucketName`: the full COS bucket name `<name>-<appid>`.

use std::fmt;

/// A validated full bucket name: COS's `<short>-<appid>`, short name of lowercase letters,
/// digits and hyphens (not at either end), at most 50 characters, appid all digits; or, where
/// the server allows them (`s3_bucket_names`), any other S3-valid name, which names no appid.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketName {
    full: String,
    /// Where `-<appid>` starts, for a COS-form name.
    split: Option<usize>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid bucket name {name:?}: {reason}")]
pub struct InvalidBucketName {
    pub name: String,
    pub reason: &'static str,
}

pub const MAX_SHORT_NAME: usize = 50;

impl BucketName {
    /// A COS-form name, `<name>-<appid>`.
    pub fn parse(full: &str) -> Result<BucketName, InvalidBucketName> {
        let err = |reason| InvalidBucketName {
            name: full.to_string(),
            reason,
        };
        let split = full
            .rfind('-')
            .ok_or_else(|| err("must be <name>-<appid>"))?;
        let (short, appid) = (&full[..split], &full[split + 1..]);
        if appid.is_empty() || !appid.bytes().all(|b| b.is_ascii_digit()) || appid.len() > 20 {
            return Err(err("must end with -<appid> (digits)"));
        }
        if short.is_empty() || short.len() > MAX_SHORT_NAME {
            return Err(err("the name before -<appid> must be 1 to 50 characters"));
        }
        if !short
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(err("only lowercase letters, digits and '-' are allowed"));
        }
        if short.starts_with('-') || short.ends_with('-') {
            return Err(err("the name cannot start or end with '-'"));
        }
        Ok(BucketName {
            full: full.to_string(),
            split: Some(split),
        })
    }

    /// A COS-form name, or, with `s3_names`, any S3-valid one (the S3 naming rules for
    /// general purpose buckets: 3-63 characters of lowercase letters, digits, dots and
    /// hyphens, beginning and ending with a letter or digit, no two adjacent dots, not shaped
    /// like an IPv4 address, not `xn--…`, `sthree-…`, `…-s3alias` or `…--ol-s3`).
    pub fn parse_with(full: &str, s3_names: bool) -> Result<BucketName, InvalidBucketName> {
        match BucketName::parse(full) {
            Ok(n) => Ok(n),
            Err(e) if !s3_names => Err(e),
            Err(_) => {
                check_s3_name(full).map_err(|reason| InvalidBucketName {
                    name: full.to_string(),
                    reason,
                })?;
                Ok(BucketName {
                    full: full.to_string(),
                    split: None,
                })
            }
        }
    }

    /// Whether `label` looks like a bucket name (used to tell virtual-host labels apart).
    pub fn looks_like(label: &str) -> bool {
        BucketName::parse(label).is_ok()
    }

    pub fn as_str(&self) -> &str {
        &self.full
    }

    /// The name before `-<appid>` (the whole name for an S3-form name).
    pub fn short_name(&self) -> &str {
        match self.split {
            Some(s) => &self.full[..s],
            None => &self.full,
        }
    }

    /// The appid a COS-form name ends with; an S3-form name has none.
    pub fn appid(&self) -> Option<&str> {
        self.split.map(|s| &self.full[s + 1..])
    }
}

/// The appid of a bucket name in COS form (`<name>-<appid>`), if it is one.
pub fn appid_of(name: &str) -> Option<&str> {
    BucketName::parse(name)
        .ok()
        .and_then(|n| n.split.map(|s| &name[s + 1..]))
}

fn check_s3_name(name: &str) -> Result<(), &'static str> {
    if !(3..=63).contains(&name.len()) {
        return Err("must be 3 to 63 characters");
    }
    if !name
        .bytes()
        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
    {
        return Err("only lowercase letters, digits, '.' and '-' are allowed");
    }
    let edge = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit();
    if !edge(name.as_bytes()[0]) || !edge(name.as_bytes()[name.len() - 1]) {
        return Err("must begin and end with a letter or digit");
    }
    if name.contains("..") {
        return Err("must not contain two adjacent periods");
    }
    if name.parse::<std::net::Ipv4Addr>().is_ok() {
        return Err("must not be formatted as an IP address");
    }
    if name.starts_with("xn--")
        || name.starts_with("sthree-")
        || name.ends_with("-s3alias")
        || name.ends_with("--ol-s3")
    {
        return Err("uses a prefix or suffix S3 reserves");
    }
    Ok(())
}

impl fmt::Display for BucketName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.full)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn valid_and_invalid_names() {
        let b = BucketName::parse("examplebucket-1250000000").unwrap();
        assert_eq!(b.short_name(), "examplebucket");
        assert_eq!(b.appid(), Some("1250000000"));
        assert_eq!(
            BucketName::parse("my-bucket-2-1250000000")
                .unwrap()
                .short_name(),
            "my-bucket-2"
        );
        for bad in [
            "examplebucket",
            "Example-1250000000",
            "ex_ample-1250000000",
            "-ex-1250000000",
            "ex--1250000000",
            "-1250000000",
            "ex-12a",
            "ex-",
            "",
            &format!("{}-1250000000", "a".repeat(51)),
        ] {
            assert!(BucketName::parse(bad).is_err(), "{bad:?} should be invalid");
        }
        assert!(BucketName::parse(&format!("{}-1250000000", "a".repeat(50))).is_ok());
    }

    #[test]
    fn s3_names_only_where_allowed() {
        for good in [
            "my-test-bucket",
            "abc",
            "a.b-c.d",
            "bucket1",
            &"a".repeat(63),
        ] {
            assert!(BucketName::parse(good).is_err(), "{good:?} is not COS form");
            let n = BucketName::parse_with(good, true).unwrap();
            assert_eq!((n.as_str(), n.appid(), n.short_name()), (good, None, good));
        }
        // COS-form names keep their appid either way.
        let n = BucketName::parse_with("media-1250000000", true).unwrap();
        assert_eq!(n.appid(), Some("1250000000"));
        assert_eq!(appid_of("media-1250000000"), Some("1250000000"));
        assert_eq!(appid_of("my-test-bucket"), None);
        for bad in [
            "ab",
            &"a".repeat(64),
            "My-Bucket",
            "-bucket",
            "bucket-",
            "a..b",
            "192.168.0.1",
            "xn--bucket",
            "sthree-bucket",
            "bucket-s3alias",
            "bucket--ol-s3",
            "under_score",
        ] {
            assert!(
                BucketName::parse_with(bad, true).is_err(),
                "{bad:?} should be invalid"
            );
        }
        assert!(BucketName::parse_with("my-test-bucket", false).is_err());
    }
}
