//! The local KMS: a registry of named 256-bit keys, each owned by a root account, enabled or
//! disabled. Keys come from the configuration (`[[kms_keys]]`, read-only at run time) or are
//! created through the admin API; the created ones are kept in `<data_dir>/keys/kms.json`, their
//! material wrapped under the master key (AES-256-GCM), written atomically (temporary file,
//! sync, rename). Keys are never deleted: an object sealed under a key needs it for ever
//! (disable it instead).

use super::keys::{aad, unwrap, wrap, write_private, Secret};
use base64::Engine;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::{Mutex, RwLock};

/// `[[kms_keys]]` in the configuration.
#[derive(Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KmsKeyDecl {
    pub id: String,
    /// Base64 of the 32 key bytes.
    pub key: String,
    /// The root account that may use it; default: the main root account.
    #[serde(default)]
    pub owner_uin: Option<String>,
    #[serde(default = "yes")]
    pub enabled: bool,
    #[serde(default)]
    pub description: String,
}

impl std::fmt::Debug for KmsKeyDecl {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KmsKeyDecl")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .field("owner_uin", &self.owner_uin)
            .field("enabled", &self.enabled)
            .finish()
    }
}

fn yes() -> bool {
    true
}

/// What may be shown of a key.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct KmsKeyInfo {
    pub id: String,
    pub owner_uin: String,
    pub enabled: bool,
    pub created_ms: i64,
    pub description: String,
    /// Declared in the configuration (cannot be changed through the admin API).
    pub from_config: bool,
}

struct Entry {
    info: KmsKeyInfo,
    material: Secret,
}

#[derive(Serialize, Deserialize)]
struct Stored {
    id: String,
    owner_uin: String,
    enabled: bool,
    created_ms: i64,
    #[serde(default)]
    description: String,
    /// The material wrapped under the master key, base64.
    wrapped: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KmsError {
    #[error("Key '{0}' does not exist")]
    NotFound(String),
    #[error("Key '{0}' is disabled")]
    Disabled(String),
    #[error("Key '{0}' already exists")]
    Exists(String),
    #[error("Key '{0}' is declared in the configuration and cannot be changed here")]
    ReadOnly(String),
    #[error("{0}")]
    Invalid(String),
    #[error("KMS key store: {0}")]
    Io(String),
}

pub struct Registry {
    path: PathBuf,
    master: Secret,
    keys: RwLock<BTreeMap<String, Entry>>,
    /// Serializes changes (and the file write of each).
    write: Mutex<()>,
}

/// A key id as a request may name it: the id itself, or an ARN ending in `key/<id>`.
pub fn normalize_key_id(raw: &str) -> &str {
    let raw = raw.trim();
    raw.rsplit_once(":key/").map_or(raw, |(_, id)| id)
}

/// Key ids: 1-128 of letters, digits and `-_./`.
pub fn valid_key_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 128
        && id
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./".contains(&b))
}

fn new_key_id() -> String {
    let b: [u8; 16] = rand::random();
    let h = hex::encode(b);
    format!(
        "{}-{}-{}-{}-{}",
        &h[0..8],
        &h[8..12],
        &h[12..16],
        &h[16..20],
        &h[20..32]
    )
}

impl Registry {
    /// Loads `<dir>/kms.json` (if any) and the declared keys; a declared key wins over a stored
    /// one of the same id.
    pub fn open(
        dir: PathBuf,
        master: Secret,
        declared: &[KmsKeyDecl],
        default_owner: &str,
    ) -> Result<Registry, String> {
        let path = dir.join("kms.json");
        let mut keys = BTreeMap::new();
        match std::fs::read(&path) {
            Ok(bytes) => {
                let stored: Vec<Stored> = serde_json::from_slice(&bytes)
                    .map_err(|e| format!("{}: {e}", path.display()))?;
                for s in stored {
                    let wrapped = base64::engine::general_purpose::STANDARD
                        .decode(&s.wrapped)
                        .map_err(|e| format!("{}: key {}: {e}", path.display(), s.id))?;
                    let material = unwrap(&master, &wrapped, aad::KMS_MATERIAL).ok_or_else(|| {
                        format!(
                            "{}: key {} does not unwrap under the master key (was the master key changed?)",
                            path.display(),
                            s.id
                        )
                    })?;
                    let info = KmsKeyInfo {
                        id: s.id.clone(),
                        owner_uin: s.owner_uin,
                        enabled: s.enabled,
                        created_ms: s.created_ms,
                        description: s.description,
                        from_config: false,
                    };
                    keys.insert(s.id, Entry { info, material });
                }
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
        }
        for d in declared {
            if !valid_key_id(&d.id) {
                return Err(format!("kms_keys: invalid key id {:?}", d.id));
            }
            let material = Secret::from_base64(&d.key)
                .ok_or_else(|| format!("kms_keys: key {} must be the base64 of 32 bytes", d.id))?;
            let info = KmsKeyInfo {
                id: d.id.clone(),
                owner_uin: d.owner_uin.clone().unwrap_or_else(|| default_owner.into()),
                enabled: d.enabled,
                created_ms: 0,
                description: d.description.clone(),
                from_config: true,
            };
            keys.insert(d.id.clone(), Entry { info, material });
        }
        Ok(Registry {
            path,
            master,
            keys: RwLock::new(keys),
            write: Mutex::new(()),
        })
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, BTreeMap<String, Entry>> {
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    /// The key `id` of `owner`, if it exists (another account's key does not, for `owner`).
    pub fn info(&self, owner: &str, id: &str) -> Option<KmsKeyInfo> {
        self.read()
            .get(normalize_key_id(id))
            .filter(|e| e.info.owner_uin == owner)
            .map(|e| e.info.clone())
    }

    /// The keys `owner` has, by id.
    pub fn list(&self, owner: &str) -> Vec<KmsKeyInfo> {
        self.read()
            .values()
            .filter(|e| e.info.owner_uin == owner)
            .map(|e| e.info.clone())
            .collect()
    }

    /// The material of `owner`'s key `id`, to seal with: it must exist and be enabled.
    pub fn material(&self, owner: &str, id: &str) -> Result<(String, Secret), KmsError> {
        let id = normalize_key_id(id);
        let keys = self.read();
        let e = keys
            .get(id)
            .filter(|e| e.info.owner_uin == owner)
            .ok_or_else(|| KmsError::NotFound(id.to_string()))?;
        if !e.info.enabled {
            return Err(KmsError::Disabled(id.to_string()));
        }
        Ok((e.info.id.clone(), e.material.clone()))
    }

    /// Creates a key for `owner` (blocking: writes the key file). `id` None: a random id.
    pub fn create(
        &self,
        owner: &str,
        id: Option<&str>,
        description: &str,
        now_ms: i64,
    ) -> Result<KmsKeyInfo, KmsError> {
        let id = match id {
            Some(i) if !valid_key_id(i) => {
                return Err(KmsError::Invalid(format!(
                    "invalid key id {i:?}: 1-128 letters, digits, '-', '_', '.', '/'"
                )))
            }
            Some(i) => i.to_string(),
            None => new_key_id(),
        };
        let _w = self.write.lock().unwrap_or_else(|p| p.into_inner());
        if self.read().contains_key(&id) {
            return Err(KmsError::Exists(id));
        }
        let info = KmsKeyInfo {
            id: id.clone(),
            owner_uin: owner.to_string(),
            enabled: true,
            created_ms: now_ms,
            description: description.to_string(),
            from_config: false,
        };
        let entry = Entry {
            info: info.clone(),
            material: Secret::random(),
        };
        self.persist_with(Some(&entry), None)?;
        self.keys
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, entry);
        Ok(info)
    }

    /// Enables or disables `owner`'s key (blocking: writes the key file).
    pub fn set_enabled(
        &self,
        owner: &str,
        id: &str,
        enabled: bool,
    ) -> Result<KmsKeyInfo, KmsError> {
        let _w = self.write.lock().unwrap_or_else(|p| p.into_inner());
        let info = self
            .info(owner, id)
            .ok_or_else(|| KmsError::NotFound(id.to_string()))?;
        if info.from_config {
            return Err(KmsError::ReadOnly(info.id));
        }
        self.persist_with(None, Some((&info.id, enabled)))?;
        let mut keys = self.keys.write().unwrap_or_else(|p| p.into_inner());
        let e = keys
            .get_mut(&info.id)
            .ok_or_else(|| KmsError::NotFound(info.id.clone()))?;
        e.info.enabled = enabled;
        Ok(e.info.clone())
    }

    /// Writes the stored keys, with `add` and `change` applied, to the key file.
    fn persist_with(
        &self,
        add: Option<&Entry>,
        change: Option<(&str, bool)>,
    ) -> Result<(), KmsError> {
        let keys = self.read();
        let stored: Vec<Stored> = keys
            .values()
            .chain(add)
            .filter(|e| !e.info.from_config)
            .map(|e| Stored {
                id: e.info.id.clone(),
                owner_uin: e.info.owner_uin.clone(),
                enabled: match change {
                    Some((id, on)) if id == e.info.id => on,
                    _ => e.info.enabled,
                },
                created_ms: e.info.created_ms,
                description: e.info.description.clone(),
                wrapped: base64::engine::general_purpose::STANDARD.encode(wrap(
                    &self.master,
                    &e.material,
                    aad::KMS_MATERIAL,
                )),
            })
            .collect();
        drop(keys);
        let json = serde_json::to_vec_pretty(&stored).map_err(|e| KmsError::Io(e.to_string()))?;
        write_private(&self.path, &json).map_err(|e| KmsError::Io(e.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decl(id: &str, enabled: bool) -> KmsKeyDecl {
        KmsKeyDecl {
            id: id.into(),
            key: base64::engine::general_purpose::STANDARD.encode([5u8; 32]),
            owner_uin: None,
            enabled,
            description: String::new(),
        }
    }

    #[test]
    fn created_keys_survive_a_reopen_and_config_keys_are_read_only() {
        let dir = tempfile::tempdir().unwrap();
        let master = Secret::random();
        let declared = [decl("cfg-key", true), decl("cfg-off", false)];
        let r = Registry::open(dir.path().into(), master.clone(), &declared, "1").unwrap();
        let k = r.create("1", None, "first", 10).unwrap();
        assert!(k.enabled && !k.from_config);
        r.create("2", Some("named"), "", 11).unwrap();
        assert_eq!(
            r.create("1", Some("named"), "", 12),
            Err(KmsError::Exists("named".into()))
        );
        assert!(matches!(
            r.create("1", Some("bad id"), "", 0),
            Err(KmsError::Invalid(_))
        ));
        let (_, m1) = r.material("1", &k.id).unwrap();
        r.set_enabled("1", &k.id, false).unwrap();
        assert_eq!(
            r.material("1", &k.id).unwrap_err(),
            KmsError::Disabled(k.id.clone())
        );
        // Another account's key does not exist for this one.
        assert_eq!(
            r.material("1", "named").unwrap_err(),
            KmsError::NotFound("named".into())
        );
        assert_eq!(
            r.material("1", "cfg-off").unwrap_err(),
            KmsError::Disabled("cfg-off".into())
        );
        assert_eq!(r.material("1", "cfg-key").unwrap().1.expose(), &[5u8; 32]);
        assert_eq!(
            r.set_enabled("1", "cfg-key", false),
            Err(KmsError::ReadOnly("cfg-key".into()))
        );
        // The file holds no key material in the clear.
        let text = std::fs::read_to_string(dir.path().join("kms.json")).unwrap();
        let raw = base64::engine::general_purpose::STANDARD.encode(m1.expose());
        assert!(!text.contains(&raw));

        let r2 = Registry::open(dir.path().into(), master, &declared, "1").unwrap();
        assert!(!r2.info("1", &k.id).unwrap().enabled);
        r2.set_enabled("1", &k.id, true).unwrap();
        assert_eq!(r2.material("1", &k.id).unwrap().1, m1);
        assert_eq!(r2.list("2").len(), 1);
        // A different master key cannot open the file.
        assert!(Registry::open(dir.path().into(), Secret::random(), &[], "1").is_err());
    }

    #[test]
    fn key_ids_from_arns() {
        assert_eq!(normalize_key_id("abc"), "abc");
        assert_eq!(
            normalize_key_id("arn:aws:kms:us-east-1:111122223333:key/1234-ab"),
            "1234-ab"
        );
        assert!(valid_key_id("a-b_c.d/e"));
        assert!(!valid_key_id(""));
        assert!(!valid_key_id("a b"));
    }
}
