//! `BucketName`: the full COS bucket name `<name>-<appid>`.

use std::fmt;

/// A validated full bucket name: `<short>-<appid>`, short name of lowercase letters, digits and
/// hyphens (not at either end), at most 50 characters; appid all digits.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BucketName {
    full: String,
    split: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid bucket name {name:?}: {reason}")]
pub struct InvalidBucketName {
    pub name: String,
    pub reason: &'static str,
}

pub const MAX_SHORT_NAME: usize = 50;

impl BucketName {
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
            split,
        })
    }

    /// Whether `label` looks like a bucket name (used to tell virtual-host labels apart).
    pub fn looks_like(label: &str) -> bool {
        BucketName::parse(label).is_ok()
    }

    pub fn as_str(&self) -> &str {
        &self.full
    }

    pub fn short_name(&self) -> &str {
        &self.full[..self.split]
    }

    pub fn appid(&self) -> &str {
        &self.full[self.split + 1..]
    }
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
        assert_eq!(b.appid(), "1250000000");
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
}
