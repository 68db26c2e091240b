//! Accounts and access keys: root accounts (uin, appid), their sub-accounts with several keys
//! each, user groups, and the CAM policies attached to users and groups. Everything is kept in
//! the metadata store and served from an in-memory snapshot (`directory`) that every change
//! rebuilds, so a change takes effect for the next request.

mod admin;
mod declare;
mod directory;
mod temp;

pub use admin::{IamError, NewKey};
pub use declare::{AccountDecl, GroupDecl, KeyDecl, UserDecl};
pub use directory::{Directory, NamedPolicies};
pub use temp::{TempKey, TempRequest, MAX_ROOT_DURATION_S, MAX_SUB_DURATION_S};

use crate::auth::{Credential, CredentialStore, Identity, Secret, Session};
use crate::meta::{AccessKeyRecord, AccountRecord, Batch, KeyCodec, Kv, KvError};
use rand::distr::{Alphanumeric, SampleString};
use std::sync::{Arc, Mutex, RwLock};

pub struct Iam {
    kv: Arc<dyn Kv>,
    snapshot: RwLock<Arc<Directory>>,
    /// Serialises read-modify-write changes.
    writes: Mutex<()>,
    /// Temporary keys by SecretId.
    temp: RwLock<temp::TempMap>,
    signing_keys: crate::auth::sigv4::SigningKeys,
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
    pub fn new(kv: Arc<dyn Kv>) -> Result<Iam, KvError> {
        let dir = Directory::load(kv.as_ref())?;
        let temp = temp::load(kv.as_ref())?;
        Ok(Iam {
            kv,
            snapshot: RwLock::new(Arc::new(dir)),
            writes: Mutex::new(()),
            temp: RwLock::new(temp),
            signing_keys: Default::default(),
        })
    }

    /// The current snapshot.
    pub fn directory(&self) -> Arc<Directory> {
        match self.snapshot.read() {
            Ok(g) => Arc::clone(&g),
            Err(p) => Arc::clone(&p.into_inner()),
        }
    }

    fn reload(&self) -> Result<(), KvError> {
        let dir = Arc::new(Directory::load(self.kv.as_ref())?);
        match self.snapshot.write() {
            Ok(mut g) => *g = dir,
            Err(p) => *p.into_inner() = dir,
        }
        Ok(())
    }

    /// The root account that owns buckets with this appid suffix.
    pub fn owner_of_appid(&self, appid: &str) -> Option<String> {
        self.directory().by_appid.get(appid).cloned()
    }

    /// The appid of a root account.
    pub fn appid_of(&self, root_uin: &str) -> Option<String> {
        self.directory()
            .accounts
            .get(root_uin)
            .map(|a| a.appid.clone())
    }

    /// The policies attached to the caller (its own and its groups'); none for root accounts
    /// and anonymous callers.
    pub fn policies_for(&self, who: &Identity) -> NamedPolicies {
        match who {
            Identity::Account { uin, root_uin, .. } if uin != root_uin => self
                .directory()
                .effective
                .get(&(root_uin.clone(), uin.clone()))
                .cloned()
                .unwrap_or_default(),
            _ => NamedPolicies::default(),
        }
    }

    /// Runs a change of accounts, keys, groups or policies on the blocking pool: a change holds
    /// the write lock while its batch is written and, with `sync_writes`, synced, which no
    /// async worker may wait for. Request handlers make every change through here.
    pub async fn write<T: Send + 'static>(
        self: &Arc<Self>,
        change: impl FnOnce(&Iam) -> Result<T, IamError> + Send + 'static,
    ) -> Result<T, IamError> {
        let iam = Arc::clone(self);
        tokio::task::spawn_blocking(move || change(&iam))
            .await
            .map_err(|_| IamError::Poisoned)?
    }

    /// Registers the root account (uin, appid) and makes sure it has a key: the configured one
    /// (replacing any other root key) or, if none is configured, the stored one, or a newly
    /// generated one.
    pub fn ensure_root(
        &self,
        root_uin: &str,
        appid: &str,
        secret_id: &str,
        secret_key: &str,
        now_ms: i64,
    ) -> Result<RootKey, IamError> {
        let _w = self.writes.lock().map_err(|_| IamError::Poisoned)?;
        let dir = self.directory();
        if let Some(other) = dir.by_appid.get(appid).filter(|u| *u != root_uin) {
            return Err(IamError::Invalid(format!(
                "appid {appid} already belongs to root account {other}"
            )));
        }
        if dir.users.values().any(|u| u.uin == root_uin) {
            return Err(IamError::Invalid(format!(
                "uin {root_uin} is a sub-account and cannot also be a root account"
            )));
        }
        if let Some(k) = dir.keys.get(secret_id).filter(|k| k.uin != root_uin) {
            return Err(IamError::KeyExists(k.secret_id.clone()));
        }
        let existing: Vec<&AccessKeyRecord> = dir.keys_of(root_uin, root_uin);
        let mut batch = Batch::default();
        batch.put(
            KeyCodec::account(root_uin),
            AccountRecord {
                uin: root_uin.into(),
                appid: appid.into(),
                created_ms: dir
                    .accounts
                    .get(root_uin)
                    .map(|a| a.created_ms)
                    .unwrap_or(now_ms),
            }
            .encode(),
        );
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
            let key = RootKey {
                secret_id: rec.secret_id.clone(),
                secret_key: Secret(rec.secret_key.clone()),
                generated: false,
            };
            self.kv.write(batch)?;
            self.reload()?;
            return Ok(key);
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
        self.reload()?;
        Ok(key)
    }
}

impl CredentialStore for Iam {
    fn signing_key(&self, secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
        self.signing_keys.get(secret, date, region, service)
    }

    fn lookup(&self, secret_id: &str) -> Option<Credential> {
        let dir = self.directory();
        if let Some(rec) = dir.keys.get(secret_id) {
            return Some(Credential {
                secret_key: Secret(rec.secret_key.clone()),
                uin: rec.uin.clone(),
                root_uin: rec.root_uin.clone(),
                enabled: rec.enabled,
                session: None,
            });
        }
        // A temporary key lives only as long as the key that issued it, and is only as
        // enabled as that key.
        let t = self.temp_key(secret_id)?;
        let issuer = dir
            .keys
            .get(&t.record.issuer_secret_id)
            .filter(|k| k.uin == t.record.uin && k.root_uin == t.record.root_uin)?;
        Some(Credential {
            secret_key: Secret(t.record.secret_key.clone()),
            uin: t.record.uin.clone(),
            root_uin: t.record.root_uin.clone(),
            enabled: issuer.enabled,
            session: Some(Session {
                token: Secret(t.record.token.clone()),
                expires_s: t.record.expires_s,
            }),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::MemKv;

    #[test]
    fn root_key_is_generated_once_then_reused_and_config_replaces_it() {
        let iam = Iam::new(Arc::new(MemKv::new())).unwrap();
        let a = iam.ensure_root("1", "125", "", "", 0).unwrap();
        assert!(a.generated && a.secret_id.starts_with("AKID"));
        let b = iam.ensure_root("1", "125", "", "", 0).unwrap();
        assert_eq!(
            (b.secret_id.as_str(), b.generated),
            (a.secret_id.as_str(), false)
        );
        let c = iam.ensure_root("1", "125", "AKIDcfg", "cfgkey", 0).unwrap();
        assert_eq!(c.secret_id, "AKIDcfg");
        assert!(
            iam.lookup(&a.secret_id).is_none(),
            "the generated key is replaced"
        );
        assert_eq!(iam.lookup("AKIDcfg").unwrap().secret_key.0, "cfgkey");
    }
}
