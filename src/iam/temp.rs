//! Temporary keys (STS `GetFederationToken`): issued to a permanent key, narrowed by a CAM
//! policy given at issue time, bound to an opaque token, dead at their expiry or as soon as the
//! issuing key is disabled or deleted. Kept in table `E` and in memory.

use super::{random_alnum, Iam, IamError};
use crate::meta::{scan_prefix, Batch, KeyCodec, Kv, KvError, Table, TempKeyRecord};
use crate::policy::cam::{Policy, DEFAULT_MAX_POLICY_LEN};
use std::collections::HashMap;
use std::sync::Arc;

/// Longest life of a temporary key issued to a root account's key, seconds (seed 002:1976,
/// spec 07 §2).
pub const MAX_ROOT_DURATION_S: i64 = 7200;
/// Longest life of a temporary key issued to a sub-account's key, seconds.
pub const MAX_SUB_DURATION_S: i64 = 129_600;

/// A stored temporary key with its policy parsed.
#[derive(Debug)]
pub struct TempKey {
    pub record: TempKeyRecord,
    pub policy: Arc<Policy>,
}

/// What an STS caller asks for.
#[derive(Debug, Clone)]
pub struct TempRequest<'a> {
    /// The (permanent) key the request was signed with.
    pub issuer_secret_id: &'a str,
    pub policy: &'a str,
    pub duration_s: i64,
    pub name: &'a str,
}

pub(super) type TempMap = HashMap<String, Arc<TempKey>>;

pub(super) fn load(kv: &dyn Kv) -> Result<TempMap, KvError> {
    let mut map = TempMap::new();
    scan_prefix(
        kv,
        &KeyCodec::table_prefix(Table::TempKey),
        1000,
        &mut |k, v| {
            match TempKeyRecord::decode(v)
                .map_err(|e| e.to_string())
                .and_then(|r| {
                    let p = Policy::parse(&r.policy, usize::MAX).map_err(|e| e.to_string())?;
                    Ok(TempKey {
                        record: r,
                        policy: Arc::new(p),
                    })
                }) {
                Ok(t) => {
                    map.insert(t.record.secret_id.clone(), Arc::new(t));
                }
                // A key that cannot be read back grants nothing: its requests fail as unknown keys.
                Err(e) => {
                    tracing::warn!(key = ?String::from_utf8_lossy(k), error = %e, "skipping an undecodable temporary key")
                }
            }
            true
        },
    )?;
    Ok(map)
}

impl Iam {
    /// Issues a temporary key to `req.issuer_secret_id`: the issuer must be an enabled
    /// permanent key, the policy valid CAM, the duration within the issuer's limit.
    pub fn issue_temp(&self, req: &TempRequest<'_>, now_s: i64) -> Result<TempKeyRecord, IamError> {
        let dir = self.directory();
        let issuer = dir
            .keys
            .get(req.issuer_secret_id)
            .filter(|k| k.enabled)
            .ok_or_else(|| IamError::NoSuchKey(req.issuer_secret_id.to_string()))?;
        let max = if issuer.uin == issuer.root_uin {
            MAX_ROOT_DURATION_S
        } else {
            MAX_SUB_DURATION_S
        };
        if !(1..=max).contains(&req.duration_s) {
            return Err(IamError::Invalid(format!(
                "DurationSeconds must be between 1 and {max} for this key, not {}",
                req.duration_s
            )));
        }
        let policy = Policy::parse(req.policy, DEFAULT_MAX_POLICY_LEN)
            .map_err(|e| IamError::MalformedPolicy(e.to_string()))?;
        let record = TempKeyRecord {
            secret_id: format!("AKID{}", random_alnum(32)),
            secret_key: random_alnum(40),
            token: random_alnum(96),
            issuer_secret_id: issuer.secret_id.clone(),
            uin: issuer.uin.clone(),
            root_uin: issuer.root_uin.clone(),
            policy: req.policy.to_string(),
            name: req.name.to_string(),
            created_s: now_s,
            expires_s: now_s + req.duration_s,
        };
        let mut batch = Batch::default();
        batch.put(KeyCodec::temp_key(&record.secret_id), record.encode());
        let mut map = self.temp.write().map_err(|_| IamError::Poisoned)?;
        let expired: Vec<String> = map
            .values()
            .filter(|t| t.record.expires_s < now_s)
            .map(|t| t.record.secret_id.clone())
            .collect();
        for id in &expired {
            batch.delete(KeyCodec::temp_key(id));
        }
        self.kv.write(batch)?;
        for id in &expired {
            map.remove(id);
        }
        map.insert(
            record.secret_id.clone(),
            Arc::new(TempKey {
                record: record.clone(),
                policy: Arc::new(policy),
            }),
        );
        Ok(record)
    }

    /// The temporary key behind `secret_id`, if it is one (expired or not).
    pub fn temp_key(&self, secret_id: &str) -> Option<Arc<TempKey>> {
        match self.temp.read() {
            Ok(m) => m.get(secret_id).cloned(),
            Err(p) => p.into_inner().get(secret_id).cloned(),
        }
    }

    /// The policy a temporary key was issued with (None for permanent keys).
    pub fn session_policy(&self, secret_id: &str) -> Option<Arc<Policy>> {
        self.temp_key(secret_id).map(|t| Arc::clone(&t.policy))
    }

    /// Forgets temporary keys that expired before `now_s`. Returns how many.
    pub fn prune_temp(&self, now_s: i64) -> Result<usize, IamError> {
        let mut map = self.temp.write().map_err(|_| IamError::Poisoned)?;
        let expired: Vec<String> = map
            .values()
            .filter(|t| t.record.expires_s < now_s)
            .map(|t| t.record.secret_id.clone())
            .collect();
        if expired.is_empty() {
            return Ok(0);
        }
        let mut batch = Batch::default();
        for id in &expired {
            batch.delete(KeyCodec::temp_key(id));
        }
        self.kv.write(batch)?;
        for id in &expired {
            map.remove(id);
        }
        Ok(expired.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::CredentialStore;
    use crate::meta::MemKv;

    const POLICY: &str = r#"{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["*"]}]}"#;

    fn req(issuer: &str, duration_s: i64) -> TempRequest<'_> {
        TempRequest {
            issuer_secret_id: issuer,
            policy: POLICY,
            duration_s,
            name: "t",
        }
    }

    #[test]
    fn issue_lookup_revoke_and_limits() {
        let kv = Arc::new(MemKv::new());
        let iam = Iam::new(kv.clone()).unwrap();
        iam.ensure_root("1", "125", "AKIDroot", "rootkey", 0)
            .unwrap();
        assert!(matches!(
            iam.issue_temp(&req("AKIDroot", 7201), 100),
            Err(IamError::Invalid(_))
        ));
        assert!(matches!(
            iam.issue_temp(&req("AKIDnope", 60), 100),
            Err(IamError::NoSuchKey(_))
        ));
        let bad = TempRequest {
            policy: "{}",
            ..req("AKIDroot", 60)
        };
        assert!(matches!(
            iam.issue_temp(&bad, 100),
            Err(IamError::MalformedPolicy(_))
        ));
        let t = iam.issue_temp(&req("AKIDroot", 7200), 100).unwrap();
        assert_eq!((t.uin.as_str(), t.expires_s), ("1", 7300));
        let c = iam.lookup(&t.secret_id).unwrap();
        assert_eq!(c.session.unwrap().token.0, t.token);
        // A temporary key cannot issue another.
        assert!(iam.issue_temp(&req(&t.secret_id, 60), 100).is_err());
        // It survives a restart.
        let again = Iam::new(kv.clone()).unwrap();
        assert!(again.temp_key(&t.secret_id).is_some());
        // Replacing the root key revokes it.
        iam.ensure_root("1", "125", "AKIDroot2", "k2", 0).unwrap();
        assert!(iam.lookup(&t.secret_id).is_none());
        // Expired keys are forgotten.
        assert_eq!(iam.prune_temp(7301).unwrap(), 1);
        assert!(Iam::new(kv).unwrap().temp_key(&t.secret_id).is_none());
    }
}
