//! A cache of derived SigV4 signing keys. Deriving one is four HMACs (~1 µs per request), and a
//! client signs a whole day's requests to one region with the same key.

use super::canonical::signing_key;
use std::collections::HashMap;
use std::sync::Mutex;

/// Entries kept before the cache starts over (keys of earlier days are never used again).
const MAX_ENTRIES: usize = 4096;

#[derive(Default)]
pub struct SigningKeys {
    /// By `secret \n date \n region \n service`: the secret itself is part of the key, so a
    /// rotated secret never meets the key of the old one.
    map: Mutex<HashMap<String, [u8; 32]>>,
}

impl SigningKeys {
    pub fn get(&self, secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
        let id = [secret, date, region, service].join("\n");
        let mut map = self.map.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(k) = map.get(&id) {
            return *k;
        }
        let k = signing_key(secret, date, region, service);
        if map.len() >= MAX_ENTRIES {
            map.clear();
        }
        map.insert(id, k);
        k
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cached_keys_equal_derived_ones_for_every_part_of_the_scope() {
        let cache = SigningKeys::default();
        let scopes = [
            ("secret", "20130524", "us-east-1", "s3"),
            ("secret", "20130525", "us-east-1", "s3"),
            ("secret", "20130524", "ap-guangzhou", "s3"),
            ("other", "20130524", "us-east-1", "s3"),
            // Fields that would collide if joined without a separator.
            ("secret2", "0130524", "us-east-1", "s3"),
        ];
        for _ in 0..2 {
            for (s, d, r, v) in scopes {
                assert_eq!(cache.get(s, d, r, v), signing_key(s, d, r, v));
            }
        }
        assert_eq!(cache.map.lock().unwrap().len(), scopes.len());
    }

    #[test]
    fn the_cache_stays_bounded() {
        let cache = SigningKeys::default();
        for i in 0..MAX_ENTRIES + 10 {
            let date = format!("{:08}", 20_000_000 + i);
            assert_eq!(
                cache.get("s", &date, "r", "s3"),
                signing_key("s", &date, "r", "s3")
            );
        }
        assert!(cache.map.lock().unwrap().len() <= MAX_ENTRIES);
    }
}
