//! Parsed bucket policies, keyed by bucket and checked against the stored text, so a policy is
//! parsed once per change instead of once per request.

use super::cam::{Policy, PolicyError};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};

#[derive(Default)]
pub struct PolicyCache {
    entries: Mutex<HashMap<String, (String, Arc<Policy>)>>,
}

impl PolicyCache {
    /// The parsed form of `text`, the policy of `bucket`.
    pub fn get(&self, bucket: &str, text: &str) -> Result<Arc<Policy>, PolicyError> {
        if let Ok(map) = self.entries.lock() {
            if let Some((t, p)) = map.get(bucket) {
                if t == text {
                    return Ok(Arc::clone(p));
                }
            }
        }
        // A bucket policy may be CAM or AWS syntax (`policy::aws`).
        let parsed = Arc::new(super::aws::parse_bucket_policy(text)?.0);
        if let Ok(mut map) = self.entries.lock() {
            map.insert(bucket.to_string(), (text.to_string(), Arc::clone(&parsed)));
        }
        Ok(parsed)
    }
}
