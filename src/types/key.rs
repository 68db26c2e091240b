//! `ObjectKey`: a validated object key (non-empty UTF-8, at most 850 bytes).

use std::fmt;

pub const MAX_KEY_BYTES: usize = 850;

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectKey(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InvalidKey {
    #[error("the object key is empty")]
    Empty,
    #[error("the object key is {0} bytes; at most 850 are allowed")]
    TooLong(usize),
    #[error("the object key contains a control character")]
    ControlChar,
}

impl ObjectKey {
    pub fn parse(key: &str) -> Result<ObjectKey, InvalidKey> {
        if key.is_empty() {
            return Err(InvalidKey::Empty);
        }
        if key.len() > MAX_KEY_BYTES {
            return Err(InvalidKey::TooLong(key.len()));
        }
        if key.bytes().any(|b| b == 0) {
            return Err(InvalidKey::ControlChar);
        }
        Ok(ObjectKey(key.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ObjectKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_limits() {
        assert!(ObjectKey::parse("a").is_ok());
        assert!(ObjectKey::parse("目录/文件 a+b.txt").is_ok());
        assert_eq!(ObjectKey::parse(""), Err(InvalidKey::Empty));
        assert!(ObjectKey::parse(&"k".repeat(850)).is_ok());
        assert_eq!(
            ObjectKey::parse(&"k".repeat(851)),
            Err(InvalidKey::TooLong(851))
        );
        assert_eq!(ObjectKey::parse("a\0b"), Err(InvalidKey::ControlChar));
    }
}
