//! Changes a root account makes to its own sub-accounts, keys, groups and policies (the admin
//! API and the config declarations both come through here). Each change is one atomic batch
//! followed by a snapshot rebuild.

use super::{random_alnum, Iam};
use crate::meta::{AccessKeyRecord, Batch, GroupRecord, KeyCodec, KvError, Table, UserRecord};
use crate::policy::cam::{Policy, DEFAULT_MAX_POLICY_LEN};

#[derive(Debug, thiserror::Error)]
pub enum IamError {
    #[error("the user {0} does not exist")]
    NoSuchUser(String),
    #[error("the group {0} does not exist")]
    NoSuchGroup(String),
    #[error("the access key {0} does not exist")]
    NoSuchKey(String),
    #[error("the policy {0} does not exist")]
    NoSuchPolicy(String),
    #[error("the user {0} already exists")]
    UserExists(String),
    #[error("the access key {0} already exists")]
    KeyExists(String),
    #[error("the group {0} already exists")]
    GroupExists(String),
    #[error("{0}")]
    MalformedPolicy(String),
    #[error("{0}")]
    Invalid(String),
    #[error("metadata store: {0}")]
    Kv(#[from] KvError),
    #[error("a previous change panicked")]
    Poisoned,
}

/// A key as created: the secret is returned only when the server generated it.
#[derive(Debug, Clone)]
pub struct NewKey {
    pub record: AccessKeyRecord,
    pub generated: bool,
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.len() <= 20 && s.bytes().all(|b| b.is_ascii_digit())
}

fn check_uin(uin: &str) -> Result<(), IamError> {
    if digits(uin) {
        Ok(())
    } else {
        Err(IamError::Invalid(format!(
            "a uin is 1 to 20 digits, got {uin:?}"
        )))
    }
}

fn check_name(kind: &str, name: &str) -> Result<(), IamError> {
    let ok = !name.is_empty()
        && name.len() <= 128
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.+=@,".contains(&b));
    if ok {
        Ok(())
    } else {
        Err(IamError::Invalid(format!(
            "a {kind} is 1 to 128 characters of letters, digits and -_.+=@, ; got {name:?}"
        )))
    }
}

fn check_secret_id(id: &str) -> Result<(), IamError> {
    if !id.is_empty() && id.len() <= 128 && id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        Ok(())
    } else {
        Err(IamError::Invalid(format!(
            "a SecretId is 1 to 128 letters and digits, got {id:?}"
        )))
    }
}

fn check_secret_key(key: &str) -> Result<(), IamError> {
    if !key.is_empty() && key.len() <= 128 && key.bytes().all(|b| b.is_ascii_graphic()) {
        Ok(())
    } else {
        Err(IamError::Invalid(
            "a SecretKey is 1 to 128 printable ASCII characters".into(),
        ))
    }
}

/// Validates a policy document for attaching to a user or group.
pub fn validate_policy(text: &str) -> Result<(), IamError> {
    Policy::parse(text, DEFAULT_MAX_POLICY_LEN)
        .map(|_| ())
        .map_err(|e| IamError::MalformedPolicy(e.to_string()))
}

impl Iam {
    pub(super) fn change(
        &self,
        f: impl FnOnce(&super::Directory, &mut Batch) -> Result<(), IamError>,
    ) -> Result<(), IamError> {
        let _w = self.writes.lock().map_err(|_| IamError::Poisoned)?;
        let dir = self.directory();
        let mut batch = Batch::default();
        f(&dir, &mut batch)?;
        self.kv.write(batch)?;
        self.reload()?;
        Ok(())
    }

    fn user_of(dir: &super::Directory, root: &str, uin: &str) -> Result<UserRecord, IamError> {
        dir.user(root, uin)
            .cloned()
            .ok_or_else(|| IamError::NoSuchUser(uin.into()))
    }

    /// Creates a sub-account of `root`, optionally with a first key and group memberships.
    pub fn create_user(
        &self,
        root: &str,
        uin: &str,
        groups: &[String],
        key: Option<(&str, &str)>,
        now_ms: i64,
    ) -> Result<Option<NewKey>, IamError> {
        check_uin(uin)?;
        let mut made = None;
        self.change(|dir, b| {
            // Root accounts' uins are public (every ACL names its owner). Sub-accounts are
            // scoped to their root account (`uin/<root>:uin/<uin>` is the principal), so whether
            // another tenant has a sub-account with this uin is neither checked nor revealed.
            if dir.accounts.contains_key(uin) {
                return Err(IamError::UserExists(format!("{uin} (a root account)")));
            }
            if dir.user(root, uin).is_some() {
                return Err(IamError::UserExists(uin.into()));
            }
            for g in groups {
                if !dir.groups.contains_key(&(root.to_string(), g.clone())) {
                    return Err(IamError::NoSuchGroup(g.clone()));
                }
            }
            let user = UserRecord {
                uin: uin.into(),
                root_uin: root.into(),
                groups: groups.to_vec(),
                policies: Default::default(),
                created_ms: now_ms,
            };
            b.put(KeyCodec::scoped(Table::User, root, uin), user.encode());
            if let Some((id, secret)) = key {
                made = Some(Self::new_key(
                    dir,
                    b,
                    root,
                    uin,
                    Some(id),
                    Some(secret),
                    now_ms,
                )?);
            }
            Ok(())
        })?;
        Ok(made)
    }

    fn new_key(
        dir: &super::Directory,
        b: &mut Batch,
        root: &str,
        uin: &str,
        id: Option<&str>,
        secret: Option<&str>,
        now_ms: i64,
    ) -> Result<NewKey, IamError> {
        let generated = id.is_none() && secret.is_none();
        let (id, secret) = match (id, secret) {
            (Some(i), Some(s)) => (i.to_string(), s.to_string()),
            (None, None) => (format!("AKID{}", random_alnum(32)), random_alnum(32)),
            _ => {
                return Err(IamError::Invalid(
                    "give both secret_id and secret_key, or neither to have them generated".into(),
                ))
            }
        };
        check_secret_id(&id)?;
        check_secret_key(&secret)?;
        if dir.keys.contains_key(&id) {
            return Err(IamError::KeyExists(id));
        }
        let record = AccessKeyRecord {
            secret_id: id.clone(),
            secret_key: secret,
            uin: uin.into(),
            root_uin: root.into(),
            enabled: true,
            created_ms: now_ms,
        };
        b.put(KeyCodec::access_key(&id), record.encode());
        Ok(NewKey { record, generated })
    }

    /// Deletes a sub-account and its keys.
    pub fn delete_user(&self, root: &str, uin: &str) -> Result<(), IamError> {
        self.change(|dir, b| {
            Self::user_of(dir, root, uin)?;
            for k in dir.keys_of(root, uin) {
                b.delete(KeyCodec::access_key(&k.secret_id));
            }
            b.delete(KeyCodec::scoped(Table::User, root, uin));
            Ok(())
        })
    }

    /// Adds a key to a sub-account (or to the root account itself when `uin == root`).
    pub fn add_key(
        &self,
        root: &str,
        uin: &str,
        id: Option<&str>,
        secret: Option<&str>,
        now_ms: i64,
    ) -> Result<NewKey, IamError> {
        let mut made = None;
        self.change(|dir, b| {
            if uin != root {
                Self::user_of(dir, root, uin)?;
            }
            made = Some(Self::new_key(dir, b, root, uin, id, secret, now_ms)?);
            Ok(())
        })?;
        made.ok_or(IamError::Poisoned)
    }

    fn key_of(dir: &super::Directory, root: &str, id: &str) -> Result<AccessKeyRecord, IamError> {
        dir.keys
            .get(id)
            .filter(|k| k.root_uin == root)
            .cloned()
            .ok_or_else(|| IamError::NoSuchKey(id.into()))
    }

    pub fn set_key_enabled(
        &self,
        root: &str,
        id: &str,
        enabled: bool,
    ) -> Result<AccessKeyRecord, IamError> {
        let mut out = None;
        self.change(|dir, b| {
            let mut k = Self::key_of(dir, root, id)?;
            if k.uin == root
                && !enabled
                && dir.keys_of(root, root).iter().filter(|r| r.enabled).count() <= 1
            {
                return Err(IamError::Invalid(
                    "the root account's last enabled key cannot be disabled".into(),
                ));
            }
            k.enabled = enabled;
            b.put(KeyCodec::access_key(id), k.encode());
            out = Some(k);
            Ok(())
        })?;
        out.ok_or(IamError::Poisoned)
    }

    pub fn delete_key(&self, root: &str, id: &str) -> Result<(), IamError> {
        self.change(|dir, b| {
            let k = Self::key_of(dir, root, id)?;
            if k.uin == root && dir.keys_of(root, root).len() <= 1 {
                return Err(IamError::Invalid(
                    "the root account's last key cannot be deleted".into(),
                ));
            }
            b.delete(KeyCodec::access_key(id));
            Ok(())
        })
    }

    pub fn put_user_policy(
        &self,
        root: &str,
        uin: &str,
        name: &str,
        text: &str,
    ) -> Result<(), IamError> {
        check_name("policy name", name)?;
        validate_policy(text)?;
        self.change(|dir, b| {
            let mut u = Self::user_of(dir, root, uin)?;
            u.policies.insert(name.into(), text.into());
            b.put(KeyCodec::scoped(Table::User, root, uin), u.encode());
            Ok(())
        })
    }

    pub fn user_policy(&self, root: &str, uin: &str, name: &str) -> Result<String, IamError> {
        let dir = self.directory();
        let u = Self::user_of(&dir, root, uin)?;
        u.policies
            .get(name)
            .cloned()
            .ok_or_else(|| IamError::NoSuchPolicy(name.into()))
    }

    pub fn delete_user_policy(&self, root: &str, uin: &str, name: &str) -> Result<(), IamError> {
        self.change(|dir, b| {
            let mut u = Self::user_of(dir, root, uin)?;
            if u.policies.remove(name).is_none() {
                return Err(IamError::NoSuchPolicy(name.into()));
            }
            b.put(KeyCodec::scoped(Table::User, root, uin), u.encode());
            Ok(())
        })
    }

    fn group_of(dir: &super::Directory, root: &str, name: &str) -> Result<GroupRecord, IamError> {
        dir.groups
            .get(&(root.to_string(), name.to_string()))
            .cloned()
            .ok_or_else(|| IamError::NoSuchGroup(name.into()))
    }

    pub fn create_group(&self, root: &str, name: &str, now_ms: i64) -> Result<(), IamError> {
        check_name("group name", name)?;
        self.change(|dir, b| {
            if dir
                .groups
                .contains_key(&(root.to_string(), name.to_string()))
            {
                return Err(IamError::GroupExists(name.into()));
            }
            let g = GroupRecord {
                name: name.into(),
                root_uin: root.into(),
                policies: Default::default(),
                created_ms: now_ms,
            };
            b.put(KeyCodec::scoped(Table::Group, root, name), g.encode());
            Ok(())
        })
    }

    /// Deletes a group; its members leave it.
    pub fn delete_group(&self, root: &str, name: &str) -> Result<(), IamError> {
        self.change(|dir, b| {
            Self::group_of(dir, root, name)?;
            for uin in dir.members(root, name) {
                let mut u = Self::user_of(dir, root, &uin)?;
                u.groups.retain(|g| g != name);
                b.put(KeyCodec::scoped(Table::User, root, &uin), u.encode());
            }
            b.delete(KeyCodec::scoped(Table::Group, root, name));
            Ok(())
        })
    }

    pub fn set_membership(
        &self,
        root: &str,
        group: &str,
        uin: &str,
        member: bool,
    ) -> Result<(), IamError> {
        self.change(|dir, b| {
            Self::group_of(dir, root, group)?;
            let mut u = Self::user_of(dir, root, uin)?;
            u.groups.retain(|g| g != group);
            if member {
                u.groups.push(group.into());
            }
            b.put(KeyCodec::scoped(Table::User, root, uin), u.encode());
            Ok(())
        })
    }

    pub fn put_group_policy(
        &self,
        root: &str,
        group: &str,
        name: &str,
        text: &str,
    ) -> Result<(), IamError> {
        check_name("policy name", name)?;
        validate_policy(text)?;
        self.change(|dir, b| {
            let mut g = Self::group_of(dir, root, group)?;
            g.policies.insert(name.into(), text.into());
            b.put(KeyCodec::scoped(Table::Group, root, group), g.encode());
            Ok(())
        })
    }

    pub fn delete_group_policy(&self, root: &str, group: &str, name: &str) -> Result<(), IamError> {
        self.change(|dir, b| {
            let mut g = Self::group_of(dir, root, group)?;
            if g.policies.remove(name).is_none() {
                return Err(IamError::NoSuchPolicy(name.into()));
            }
            b.put(KeyCodec::scoped(Table::Group, root, group), g.encode());
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

    const ALLOW_GET: &str = r#"{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["*"]}]}"#;

    fn sub(uin: &str) -> Identity {
        Identity::Account {
            secret_id: "k".into(),
            uin: uin.into(),
            root_uin: "1".into(),
        }
    }

    #[test]
    fn users_keys_groups_and_policies() {
        let iam = Iam::new(Arc::new(MemKv::new())).unwrap();
        iam.ensure_root("1", "125", "AKIDroot", "rootkey", 0)
            .unwrap();
        let k = iam
            .create_user("1", "2", &[], Some(("AKIDsub", "subkey")), 0)
            .unwrap()
            .unwrap();
        assert!(!k.generated);
        assert_eq!(iam.lookup("AKIDsub").unwrap().uin, "2");
        assert!(matches!(
            iam.create_user("1", "2", &[], None, 0),
            Err(IamError::UserExists(_))
        ));
        assert!(matches!(
            iam.create_user("1", "1", &[], None, 0),
            Err(IamError::UserExists(_))
        ));
        assert!(matches!(
            iam.add_key("1", "2", Some("AKIDroot"), Some("x"), 0),
            Err(IamError::KeyExists(_))
        ));
        let g = iam.add_key("1", "2", None, None, 0).unwrap();
        assert!(g.generated && g.record.secret_id.starts_with("AKID"));

        assert!(iam.policies_for(&sub("2")).is_empty());
        iam.put_user_policy("1", "2", "read", ALLOW_GET).unwrap();
        assert_eq!(iam.policies_for(&sub("2")).len(), 1);
        assert!(matches!(
            iam.put_user_policy("1", "2", "bad", "{}"),
            Err(IamError::MalformedPolicy(_))
        ));

        iam.create_group("1", "readers", 0).unwrap();
        iam.put_group_policy("1", "readers", "g", ALLOW_GET)
            .unwrap();
        iam.set_membership("1", "readers", "2", true).unwrap();
        let names: Vec<String> = iam
            .policies_for(&sub("2"))
            .iter()
            .map(|(n, _)| n.clone())
            .collect();
        assert_eq!(names, ["read", "readers/g"]);
        iam.set_membership("1", "readers", "2", false).unwrap();
        assert_eq!(iam.policies_for(&sub("2")).len(), 1);

        iam.set_key_enabled("1", "AKIDsub", false).unwrap();
        assert!(!iam.lookup("AKIDsub").unwrap().enabled);
        assert!(
            matches!(
                iam.set_key_enabled("2", "AKIDsub", true),
                Err(IamError::NoSuchKey(_))
            ),
            "another root account cannot touch the key"
        );
        assert!(iam.set_key_enabled("1", "AKIDroot", false).is_err());
        iam.delete_user("1", "2").unwrap();
        assert!(iam.lookup("AKIDsub").is_none());
        assert!(iam.lookup(&g.record.secret_id).is_none());
    }

    #[test]
    fn changes_survive_a_reopen() {
        let kv: Arc<dyn crate::meta::Kv> = Arc::new(MemKv::new());
        let iam = Iam::new(Arc::clone(&kv)).unwrap();
        iam.ensure_root("1", "125", "", "", 0).unwrap();
        iam.create_user("1", "2", &[], Some(("AKIDsub", "k")), 0)
            .unwrap();
        iam.put_user_policy("1", "2", "read", ALLOW_GET).unwrap();
        let again = Iam::new(kv).unwrap();
        assert_eq!(again.policies_for(&sub("2")).len(), 1);
        assert_eq!(again.owner_of_appid("125").as_deref(), Some("1"));
    }
}
