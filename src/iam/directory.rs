//! An in-memory snapshot of every account, sub-account, group and access key, rebuilt from the
//! metadata store after each change, so request-time lookups never touch the store.

use crate::meta::{
    scan_prefix, AccessKeyRecord, AccountRecord, GroupRecord, KeyCodec, Kv, KvError, Table,
    UserRecord,
};
use crate::policy::cam::{Policy, DEFAULT_MAX_POLICY_LEN};
use serde::de::DeserializeOwned;
use std::collections::HashMap;
use std::sync::Arc;

/// A user's policies with their names: own first, then each group's as `<group>/<name>`.
pub type NamedPolicies = Arc<Vec<(String, Arc<Policy>)>>;

#[derive(Default)]
pub struct Directory {
    pub keys: HashMap<String, AccessKeyRecord>,
    pub accounts: HashMap<String, AccountRecord>,
    /// appid -> root uin.
    pub by_appid: HashMap<String, String>,
    /// (root uin, uin) -> user.
    pub users: HashMap<(String, String), UserRecord>,
    /// (root uin, group name) -> group.
    pub groups: HashMap<(String, String), GroupRecord>,
    /// (root uin, uin) -> parsed policies in effect for the user.
    pub effective: HashMap<(String, String), NamedPolicies>,
}

fn load_table<T: DeserializeOwned>(
    kv: &dyn Kv,
    table: Table,
    decode: fn(&[u8]) -> Result<T, crate::meta::RecordError>,
) -> Result<Vec<T>, KvError> {
    let mut out = Vec::new();
    scan_prefix(kv, &KeyCodec::table_prefix(table), 1000, &mut |k, v| {
        match decode(v) {
            Ok(rec) => out.push(rec),
            Err(e) => {
                tracing::warn!(key = ?String::from_utf8_lossy(k), error = %e, "skipping an undecodable record")
            }
        }
        true
    })?;
    Ok(out)
}

fn parse_all<'a>(
    prefix: &str,
    policies: impl Iterator<Item = (&'a String, &'a String)>,
) -> Vec<(String, Arc<Policy>)> {
    policies
        .filter_map(
            |(name, text)| match Policy::parse(text, DEFAULT_MAX_POLICY_LEN) {
                Ok(p) => Some((format!("{prefix}{name}"), Arc::new(p))),
                Err(e) => {
                    // Stored policies were validated on the way in; an unreadable one grants nothing.
                    tracing::warn!(policy = %name, error = %e, "ignoring an invalid stored policy");
                    None
                }
            },
        )
        .collect()
}

impl Directory {
    pub fn load(kv: &dyn Kv) -> Result<Directory, KvError> {
        let mut d = Directory::default();
        for k in load_table(kv, Table::AccessKey, AccessKeyRecord::decode)? {
            d.keys.insert(k.secret_id.clone(), k);
        }
        for a in load_table(kv, Table::Account, AccountRecord::decode)? {
            d.by_appid.insert(a.appid.clone(), a.uin.clone());
            d.accounts.insert(a.uin.clone(), a);
        }
        for g in load_table(kv, Table::Group, GroupRecord::decode)? {
            d.groups.insert((g.root_uin.clone(), g.name.clone()), g);
        }
        for u in load_table(kv, Table::User, UserRecord::decode)? {
            let mut list = parse_all("", u.policies.iter());
            for gname in &u.groups {
                if let Some(g) = d.groups.get(&(u.root_uin.clone(), gname.clone())) {
                    list.extend(parse_all(&format!("{gname}/"), g.policies.iter()));
                }
            }
            let id = (u.root_uin.clone(), u.uin.clone());
            d.effective.insert(id.clone(), Arc::new(list));
            d.users.insert(id, u);
        }
        Ok(d)
    }

    pub fn user(&self, root_uin: &str, uin: &str) -> Option<&UserRecord> {
        self.users.get(&(root_uin.to_string(), uin.to_string()))
    }

    pub fn keys_of(&self, root_uin: &str, uin: &str) -> Vec<&AccessKeyRecord> {
        let mut v: Vec<&AccessKeyRecord> = self
            .keys
            .values()
            .filter(|k| k.root_uin == root_uin && k.uin == uin)
            .collect();
        v.sort_by(|a, b| a.secret_id.cmp(&b.secret_id));
        v
    }

    /// Sub-accounts that are members of `group`, sorted.
    pub fn members(&self, root_uin: &str, group: &str) -> Vec<String> {
        let mut v: Vec<String> = self
            .users
            .values()
            .filter(|u| u.root_uin == root_uin && u.groups.iter().any(|g| g == group))
            .map(|u| u.uin.clone())
            .collect();
        v.sort();
        v
    }
}
