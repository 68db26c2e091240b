//! Accounts, sub-accounts, keys, groups and policies declared in the config file, applied at
//! start. Declarations are upserts: what is declared is made true, and what was created at
//! runtime through the admin API is left alone.

use super::admin::{validate_policy, IamError};
use super::Iam;
pub use crate::config::{AccountDecl, GroupDecl, KeyDecl, UserDecl};
use crate::meta::{AccessKeyRecord, GroupRecord, KeyCodec, Table, UserRecord};
use std::collections::BTreeMap;

impl Iam {
    /// Applies the declarations (accounts first, then groups, then users).
    pub fn apply_declarations(
        &self,
        main_root: &str,
        accounts: &[AccountDecl],
        groups: &[GroupDecl],
        users: &[UserDecl],
        now_ms: i64,
    ) -> Result<(), IamError> {
        for a in accounts {
            self.ensure_root(&a.uin, &a.appid, &a.secret_id, &a.secret_key, now_ms)
                .map_err(|e| IamError::Invalid(format!("[[accounts]] uin {}: {e}", a.uin)))?;
        }
        let root_of = |r: &Option<String>| r.clone().unwrap_or_else(|| main_root.to_string());
        for g in groups {
            let root = root_of(&g.root_uin);
            self.declare_group(&root, g, now_ms)
                .map_err(|e| IamError::Invalid(format!("[[groups]] {}: {e}", g.name)))?;
        }
        for u in users {
            let root = root_of(&u.root_uin);
            self.declare_user(&root, u, now_ms)
                .map_err(|e| IamError::Invalid(format!("[[users]] uin {}: {e}", u.uin)))?;
        }
        Ok(())
    }

    fn declare_group(&self, root: &str, g: &GroupDecl, now_ms: i64) -> Result<(), IamError> {
        for text in g.policies.values() {
            validate_policy(text)?;
        }
        self.change(|dir, b| {
            if !dir.accounts.contains_key(root) {
                return Err(IamError::Invalid(format!("no root account {root}")));
            }
            let mut rec = dir
                .groups
                .get(&(root.to_string(), g.name.clone()))
                .cloned()
                .unwrap_or(GroupRecord {
                    name: g.name.clone(),
                    root_uin: root.into(),
                    policies: BTreeMap::new(),
                    created_ms: now_ms,
                });
            rec.policies.extend(g.policies.clone());
            b.put(KeyCodec::scoped(Table::Group, root, &g.name), rec.encode());
            Ok(())
        })
    }

    fn declare_user(&self, root: &str, u: &UserDecl, now_ms: i64) -> Result<(), IamError> {
        for text in u.policies.values() {
            validate_policy(text)?;
        }
        if self.directory().user(root, &u.uin).is_none() {
            self.create_user(root, &u.uin, &[], None, now_ms)?;
        }
        self.change(|dir, b| {
            let mut rec: UserRecord = dir
                .user(root, &u.uin)
                .cloned()
                .ok_or_else(|| IamError::NoSuchUser(u.uin.clone()))?;
            for g in &u.groups {
                if !dir.groups.contains_key(&(root.to_string(), g.clone())) {
                    return Err(IamError::NoSuchGroup(g.clone()));
                }
                if !rec.groups.contains(g) {
                    rec.groups.push(g.clone());
                }
            }
            rec.policies.extend(u.policies.clone());
            b.put(KeyCodec::scoped(Table::User, root, &u.uin), rec.encode());
            for k in &u.keys {
                if let Some(other) = dir.keys.get(&k.secret_id) {
                    if other.uin != u.uin || other.root_uin != root {
                        return Err(IamError::KeyExists(k.secret_id.clone()));
                    }
                }
                let key = AccessKeyRecord {
                    secret_id: k.secret_id.clone(),
                    secret_key: k.secret_key.clone(),
                    uin: u.uin.clone(),
                    root_uin: root.into(),
                    enabled: k.enabled,
                    created_ms: now_ms,
                };
                b.put(KeyCodec::access_key(&k.secret_id), key.encode());
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::{CredentialStore, Identity};
    use crate::meta::MemKv;
    use std::sync::Arc;

    #[test]
    fn declarations_apply_and_reapply() {
        let iam = Iam::new(Arc::new(MemKv::new())).unwrap();
        iam.ensure_root("1", "125", "", "", 0).unwrap();
        let accounts = vec![AccountDecl {
            uin: "9".into(),
            appid: "129".into(),
            secret_id: "AKIDnine".into(),
            secret_key: "nine".into(),
        }];
        let policy = r#"{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["*"]}]}"#;
        let groups = vec![GroupDecl {
            name: "readers".into(),
            root_uin: None,
            policies: [("read".to_string(), policy.to_string())].into(),
        }];
        let users = vec![UserDecl {
            uin: "2".into(),
            root_uin: None,
            keys: vec![KeyDecl {
                secret_id: "AKIDtwo".into(),
                secret_key: "two".into(),
                enabled: true,
            }],
            groups: vec!["readers".into()],
            policies: BTreeMap::new(),
        }];
        for _ in 0..2 {
            iam.apply_declarations("1", &accounts, &groups, &users, 0)
                .unwrap();
        }
        assert_eq!(iam.owner_of_appid("129").as_deref(), Some("9"));
        assert_eq!(iam.lookup("AKIDnine").unwrap().root_uin, "9");
        assert_eq!(iam.lookup("AKIDtwo").unwrap().root_uin, "1");
        let who = Identity::Account {
            secret_id: "AKIDtwo".into(),
            uin: "2".into(),
            root_uin: "1".into(),
        };
        assert_eq!(iam.policies_for(&who).len(), 1);

        let bad = vec![UserDecl {
            uin: "3".into(),
            root_uin: None,
            keys: vec![],
            groups: vec!["nope".into()],
            policies: BTreeMap::new(),
        }];
        let err = iam.apply_declarations("1", &[], &[], &bad, 0).unwrap_err();
        assert!(err.to_string().contains("[[users]] uin 3"), "{err}");
    }
}
