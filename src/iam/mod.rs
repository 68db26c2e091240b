//! Accounts and access keys. For now: the root account's keys, generated on first start and kept
//! in the metadata store (sub-accounts and temporary keys come later).

use crate::auth::{Credential, CredentialStore, Secret};
use crate::meta::{scan_prefix, AccessKeyRecord, Batch, KeyCodec, Kv, KvError};
use rand::distr::{Alphanumeric, SampleString};
use std::sync::Arc;

pub struct Iam {
    kv: Arc<dyn Kv>,
}

/// The root account's key as configured or generated.
#[derive(Debug, Clone)]
pub struct RootKey {
    pub secret_id: String,
    pub secret_key: Secret,
    pub generated: bool,
}

fn random_alnum(n: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), n)
}

impl Iam {
    pub fn new(kv: Arc<dyn Kv>) -> Iam {
        Iam { kv }
    }

    /// Makes sure the root account has a key: the configured one (replacing any other root key)
    /// or, if none is configured, the stored one, or a newly generated one.
    pub fn ensure_root(
        &self,
        root_uin: &str,
        secret_id: &str,
        secret_key: &str,
        now_ms: i64,
    ) -> Result<RootKey, KvError> {
        let mut existing = Vec::new();
        scan_prefix(
            self.kv.as_ref(),
            &KeyCodec::access_key_prefix(),
            1000,
            &mut |_, v| {
                if let Ok(rec) = AccessKeyRecord::decode(v) {
                    if rec.uin == root_uin && rec.root_uin == root_uin {
                        existing.push(rec);
                    }
                }
                true
            },
        )?;
        let mut batch = Batch::default();
        let key = if !secret_id.is_empty() {
            for old in existing
                .iter()
                .filter(|r| r.secret_id != secret_id || r.secret_key != secret_key)
            {
                batch.delete(KeyCodec::access_key(&old.secret_id));
            }
            RootKey {
                secret_id: secret_id.into(),
                secret_key: Secret(secret_key.into()),
                generated: false,
            }
        } else if let Some(rec) = existing.first() {
            return Ok(RootKey {
                secret_id: rec.secret_id.clone(),
                secret_key: Secret(rec.secret_key.clone()),
                generated: false,
            });
        } else {
            RootKey {
                secret_id: format!("AKID{}", random_alnum(32)),
                secret_key: Secret(random_alnum(32)),
                generated: true,
            }
        };
        let rec = AccessKeyRecord {
            secret_id: key.secret_id.clone(),
            secret_key: key.secret_key.0.clone(),
            uin: root_uin.into(),
            root_uin: root_uin.into(),
            enabled: true,
            created_ms: now_ms,
        };
        batch.put(KeyCodec::access_key(&key.secret_id), rec.encode());
        self.kv.write(batch)?;
        Ok(key)
    }
}

impl CredentialStore for Iam {
    fn lookup(&self, secret_id: &str) -> Option<Credential> {
        let v = self.kv.get(&KeyCodec::access_key(secret_id)).ok()??;
        let rec = AccessKeyRecord::decode(&v).ok()?;
        Some(Credential {
            secret_key: Secret(rec.secret_key),
            uin: rec.uin,
            root_uin: rec.root_uin,
            enabled: rec.enabled,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::MemKv;

    #[test]
    fn root_key_is_generated_once_then_reused_and_config_replaces_it() {
        let iam = Iam::new(Arc::new(MemKv::new()));
        let a = iam.ensure_root("1", "", "", 0).unwrap();
        assert!(a.generated && a.secret_id.starts_with("AKID"));
        let b = iam.ensure_root("1", "", "", 0).unwrap();
        assert_eq!(
            (b.secret_id.as_str(), b.generated),
            (a.secret_id.as_str(), false)
        );
        let c = iam.ensure_root("1", "AKIDcfg", "cfgkey", 0).unwrap();
        assert_eq!(c.secret_id, "AKIDcfg");
        assert!(
            iam.lookup(&a.secret_id).is_none(),
            "the generated key is replaced"
        );
        assert_eq!(iam.lookup("AKIDcfg").unwrap().secret_key.0, "cfgkey");
    }
}
