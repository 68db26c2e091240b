//! One typed configuration: compiled-in defaults, then a TOML file, then `COSD_*` environment
//! variables, then command-line flags (each layer overriding the one before).

use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The embedded default configuration (also the documentation of every key).
pub const DEFAULT_TOML: &str = include_str!("../config/default.toml");

/// Server configuration. Field docs live in `config/default.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    pub listen: String,
    pub tls_listen: String,
    pub tls_cert: String,
    pub tls_key: String,
    pub data_dir: PathBuf,
    pub region: String,
    pub domains: Vec<String>,
    pub website_domains: Vec<String>,
    pub root_uin: String,
    pub appid: String,
    pub root_secret_id: String,
    pub root_secret_key: String,
    pub max_clock_skew_secs: u64,
    pub max_signature_validity_secs: u64,
    pub max_object_size: u64,
    pub max_xml_body: usize,
    pub inline_threshold: usize,
    pub chunk_size: usize,
    pub sync_writes: bool,
    pub meta_cache_mib: u64,
    pub gc_grace_secs: u64,
    pub gc_interval_secs: u64,
    pub multipart_expiry_secs: u64,
    pub lifecycle_day_secs: u64,
    /// Simulated archive restore delays by tier, seconds (docs/storage-classes.md).
    pub restore_expedited_secs: u64,
    pub restore_standard_secs: u64,
    pub restore_bulk_secs: u64,
    pub legacy_once_window_secs: u64,
    pub shutdown_grace_secs: u64,
    pub header_read_timeout_secs: u64,
    pub idle_timeout_secs: u64,
    pub body_timeout_secs: u64,
    pub max_connections: usize,
    /// Requests kept in the request journal (0: off; `--dev` makes it 1000).
    pub journal_entries: usize,
    /// How often gathered bucket access-log lines are delivered, seconds.
    pub access_log_interval_secs: u64,
    /// The DNS responder (src/net/dns.rs): UDP address, empty for none.
    pub dns_listen: String,
    pub dns_domains: Vec<String>,
    pub dns_address: String,
    pub log: String,
    /// `text` or `json` (one JSON object per log line).
    pub log_format: String,
    /// Serve `/_cosd/metrics` (docs/operations.md).
    pub metrics: bool,
    /// Empty: `/_cosd/metrics` is open; else it needs `Authorization: Bearer <token>`.
    pub metrics_token: crate::crypto::keys::SecretText,
    /// How often the storage gauges are recounted, seconds.
    pub metrics_storage_interval_secs: u64,
    pub trusted_proxies: Vec<String>,
    /// Whether S3 clients may create and use any S3-valid bucket name besides `<name>-<appid>`.
    pub s3_bucket_names: bool,
    pub accounts: Vec<AccountDecl>,
    pub groups: Vec<GroupDecl>,
    pub users: Vec<UserDecl>,
    /// `[[buckets]]`: buckets made true at every start (docs/declarative.md).
    #[serde(deserialize_with = "bucket_entries")]
    pub buckets: Vec<BucketDecl>,
    pub sse_master_key: crate::crypto::keys::SecretText,
    pub kms_keys: Vec<crate::crypto::KmsKeyDecl>,
    /// Webhooks bucket notifications may be sent to (docs/notifications.md).
    pub notify_webhooks: Vec<crate::notify::WebhookDecl>,
    pub notify_retry_initial_ms: u64,
    pub notify_retry_max_secs: u64,
}

/// `[[accounts]]`: another root account (tenant).
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct AccountDecl {
    pub uin: String,
    pub appid: String,
    pub secret_id: String,
    pub secret_key: String,
}

#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct KeyDecl {
    pub secret_id: String,
    pub secret_key: String,
    #[serde(default = "yes")]
    pub enabled: bool,
}

fn yes() -> bool {
    true
}

/// `[[users]]`: a sub-account. `root_uin` defaults to the main root account.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct UserDecl {
    pub uin: String,
    #[serde(default)]
    pub root_uin: Option<String>,
    #[serde(default)]
    pub keys: Vec<KeyDecl>,
    #[serde(default)]
    pub groups: Vec<String>,
    /// Policy name -> CAM policy JSON.
    #[serde(default)]
    pub policies: BTreeMap<String, String>,
}

/// `[[groups]]`: a user group with its policies.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct GroupDecl {
    pub name: String,
    #[serde(default)]
    pub root_uin: Option<String>,
    #[serde(default)]
    pub policies: BTreeMap<String, String>,
}

/// `[[buckets]]`: a bucket created at start if missing, with the configuration declared
/// (docs/declarative.md). In `COSD_BUCKETS` and in the file, a plain string is a bucket with
/// a name and nothing else. Configuration bodies are validated by `crate::declare`.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct BucketDecl {
    /// `<name>-<appid>`, or any S3 name when `s3_bucket_names` is on.
    pub name: String,
    /// The owning root account's uin (default: the account of the name's appid, else `root_uin`).
    #[serde(default)]
    pub owner: Option<String>,
    /// A canned ACL (`private`, `public-read`, ...).
    #[serde(default)]
    pub acl: Option<String>,
    /// The bucket policy JSON (CAM or AWS syntax), as PUT Bucket policy takes it.
    #[serde(default)]
    pub policy: Option<String>,
    /// The `CORSConfiguration` XML PUT Bucket cors takes.
    #[serde(default)]
    pub cors: Option<String>,
    /// The `WebsiteConfiguration` XML PUT Bucket website takes.
    #[serde(default)]
    pub website: Option<String>,
    /// The `LifecycleConfiguration` XML PUT Bucket lifecycle takes.
    #[serde(default)]
    pub lifecycle: Option<String>,
    /// `Enabled` or `Suspended`.
    #[serde(default)]
    pub versioning: Option<String>,
    /// Bucket tags, key -> value.
    #[serde(default)]
    pub tags: Option<BTreeMap<String, String>>,
    /// A local directory whose files become objects (key: the path below it, with `/`).
    #[serde(default)]
    pub seed_dir: Option<PathBuf>,
}

/// The table form of a `[[buckets]]` entry, or a string naming a bucket with nothing else.
#[derive(Deserialize)]
#[serde(untagged)]
enum BucketEntry {
    Name(String),
    Table(toml::Table),
}

impl<'de> Deserialize<'de> for BucketEntryDecl {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        match BucketEntry::deserialize(d)? {
            BucketEntry::Name(name) => Ok(BucketEntryDecl(BucketDecl {
                name,
                ..BucketDecl::default()
            })),
            BucketEntry::Table(t) => {
                let name = t
                    .get("name")
                    .and_then(|v| v.as_str())
                    .unwrap_or("(no name)")
                    .to_string();
                toml::Value::Table(t)
                    .try_into::<BucketDecl>()
                    .map(BucketEntryDecl)
                    .map_err(|e| D::Error::custom(format!("[[buckets]] {name}: {}", e.message())))
            }
        }
    }
}

/// A `buckets` entry as the loader reads it (see [`BucketEntry`]).
struct BucketEntryDecl(BucketDecl);

fn bucket_entries<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<BucketDecl>, D::Error> {
    Ok(Vec::<BucketEntryDecl>::deserialize(d)?
        .into_iter()
        .map(|e| e.0)
        .collect())
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read config file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("invalid config {origin}: {message}")]
    Invalid { origin: String, message: String },
}

/// Command-line flags that override everything else.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Option<String>,
    pub tls_listen: Option<String>,
    pub data_dir: Option<PathBuf>,
    /// `--dev`: turn on what a developer wants to see (the request journal, 1000 entries,
    /// unless `journal_entries` already sets a size).
    pub dev: bool,
}

/// The journal size `--dev` gives when none is configured.
pub const DEV_JOURNAL_ENTRIES: i64 = 1000;

impl Config {
    /// The embedded defaults alone.
    pub fn defaults() -> Config {
        Self::from_table(default_table(), "defaults").expect("embedded default.toml is valid")
    }

    /// Defaults, then `file` (if any), then the environment `env`, then `flags`.
    pub fn load(
        file: Option<&Path>,
        env: &dyn Fn(&str) -> Option<String>,
        flags: &Overrides,
    ) -> Result<Config, ConfigError> {
        let mut table = default_table();
        let mut origin = "defaults".to_string();
        if let Some(path) = file {
            let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                path: path.to_owned(),
                source,
            })?;
            let file_table: toml::Table =
                text.parse()
                    .map_err(|e: toml::de::Error| ConfigError::Invalid {
                        origin: format!("file {}", path.display()),
                        message: e.to_string(),
                    })?;
            table.extend(file_table);
            origin = format!("file {}", path.display());
        }
        let names: Vec<String> = default_table().keys().cloned().collect();
        for name in names {
            let var = format!("COSD_{}", name.to_ascii_uppercase());
            if let Some(raw) = env(&var) {
                let value =
                    env_value(&table, &name, &raw).map_err(|message| ConfigError::Invalid {
                        origin: format!("environment variable {var}"),
                        message,
                    })?;
                table.insert(name, value);
            }
        }
        if let Some(listen) = &flags.listen {
            table.insert("listen".into(), toml::Value::String(listen.clone()));
        }
        if let Some(listen) = &flags.tls_listen {
            table.insert("tls_listen".into(), toml::Value::String(listen.clone()));
        }
        if let Some(dir) = &flags.data_dir {
            table.insert(
                "data_dir".into(),
                toml::Value::String(dir.display().to_string()),
            );
        }
        if flags.dev
            && table
                .get("journal_entries")
                .and_then(toml::Value::as_integer)
                .unwrap_or(0)
                == 0
        {
            table.insert(
                "journal_entries".into(),
                toml::Value::Integer(DEV_JOURNAL_ENTRIES),
            );
        }
        Self::from_table(table, &origin)
    }

    fn from_table(table: toml::Table, origin: &str) -> Result<Config, ConfigError> {
        let cfg: Config = toml::Value::Table(table)
            .try_into()
            .map_err(|e: toml::de::Error| ConfigError::Invalid {
                origin: origin.to_string(),
                message: e.message().to_string(),
            })?;
        cfg.validate().map_err(|message| ConfigError::Invalid {
            origin: origin.to_string(),
            message,
        })?;
        Ok(cfg)
    }

    fn validate(&self) -> Result<(), String> {
        if self.lifecycle_day_secs == 0 {
            return Err("lifecycle_day_secs must be at least 1".into());
        }
        if !self.appid.bytes().all(|b| b.is_ascii_digit()) || self.appid.is_empty() {
            return Err(format!("appid must be digits, got {:?}", self.appid));
        }
        if !self.root_uin.bytes().all(|b| b.is_ascii_digit()) || self.root_uin.is_empty() {
            return Err(format!("root_uin must be digits, got {:?}", self.root_uin));
        }
        if self.root_secret_id.is_empty() != self.root_secret_key.is_empty() {
            return Err("root_secret_id and root_secret_key must be given together".into());
        }
        if self.tls_cert.is_empty() != self.tls_key.is_empty() {
            return Err("tls_cert and tls_key must be given together".into());
        }
        if self.chunk_size < 64 * 1024 || self.chunk_size > 64 * 1024 * 1024 {
            return Err("chunk_size must be between 64 KiB and 64 MiB".into());
        }
        if let Some(bad) = self.trusted_proxies.iter().find(|p| parse_net(p).is_none()) {
            return Err(format!(
                "trusted_proxies: {bad:?} is not an IP address or CIDR"
            ));
        }
        crate::notify::validate(&self.notify_webhooks)?;
        if self.log_format != "text" && self.log_format != "json" {
            return Err(format!(
                "log_format must be \"text\" or \"json\", got {:?}",
                self.log_format
            ));
        }
        if self.inline_threshold > 1024 * 1024 {
            return Err("inline_threshold must be at most 1 MiB".into());
        }
        for (name, secs) in [
            ("header_read_timeout_secs", self.header_read_timeout_secs),
            ("idle_timeout_secs", self.idle_timeout_secs),
            ("body_timeout_secs", self.body_timeout_secs),
        ] {
            if !(1..=86_400).contains(&secs) {
                return Err(format!("{name} must be between 1 and 86400 seconds"));
            }
        }
        Ok(())
    }
}

fn parse_net(s: &str) -> Option<ipnet::IpNet> {
    s.trim()
        .parse::<ipnet::IpNet>()
        .ok()
        .or_else(|| s.trim().parse::<std::net::IpAddr>().ok().map(Into::into))
}

impl Config {
    /// The networks whose `X-Forwarded-For` is believed for `qcs:ip`.
    pub fn trusted_proxy_nets(&self) -> Vec<ipnet::IpNet> {
        self.trusted_proxies
            .iter()
            .filter_map(|p| parse_net(p))
            .collect()
    }
}

fn default_table() -> toml::Table {
    DEFAULT_TOML.parse().expect("embedded default.toml parses")
}

/// Environment values are typed by the default they replace: strings are taken verbatim,
/// everything else is parsed as a TOML value (`true`, `42`, `["a", "b"]`).
fn env_value(table: &toml::Table, name: &str, raw: &str) -> Result<toml::Value, String> {
    match table.get(name) {
        Some(toml::Value::String(_)) | None => Ok(toml::Value::String(raw.to_string())),
        Some(toml::Value::Array(_)) if !raw.trim_start().starts_with('[') => {
            Ok(toml::Value::Array(
                raw.split(',')
                    .map(|s| s.trim())
                    .filter(|s| !s.is_empty())
                    .map(|s| toml::Value::String(s.to_string()))
                    .collect(),
            ))
        }
        Some(_) => {
            let doc = format!("v = {raw}");
            let parsed: toml::Table = doc.parse().map_err(|_| format!("cannot parse {raw:?}"))?;
            parsed
                .get("v")
                .cloned()
                .ok_or_else(|| format!("cannot parse {raw:?}"))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_match_the_documented_values() {
        let c = Config::defaults();
        assert_eq!(c.listen, "127.0.0.1:9000");
        assert_eq!(c.tls_listen, "127.0.0.1:9443");
        assert_eq!((c.tls_cert.as_str(), c.tls_key.as_str()), ("", ""));
        assert_eq!(c.data_dir, PathBuf::from("./data"));
        assert_eq!(c.region, "ap-guangzhou");
        assert_eq!(c.root_uin, "100000000001");
        assert_eq!(c.appid, "1250000000");
        assert_eq!(c.website_domains, vec!["website.localhost"]);
        assert_eq!(c.header_read_timeout_secs, 30);
        assert_eq!(c.idle_timeout_secs, 60);
        assert_eq!(c.body_timeout_secs, 60);
        assert_eq!(c.max_connections, 0);
    }

    #[test]
    fn a_zero_timeout_is_refused() {
        let env = env_of(&[("COSD_IDLE_TIMEOUT_SECS", "0")]);
        let err = Config::load(None, &env, &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("idle_timeout_secs"), "{err}");
    }

    #[test]
    fn env_overrides_file_and_flags_override_env() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "region = \"ap-beijing\"\nlisten = \"127.0.0.1:1\"\ngc_grace_secs = 5\n",
        )
        .unwrap();
        let env = env_of(&[
            ("COSD_REGION", "ap-shanghai"),
            ("COSD_GC_GRACE_SECS", "7"),
            ("COSD_LISTEN", "127.0.0.1:2"),
        ]);
        let flags = Overrides {
            listen: Some("127.0.0.1:3".into()),
            ..Overrides::default()
        };
        let c = Config::load(Some(&file), &env, &flags).unwrap();
        assert_eq!(c.region, "ap-shanghai");
        assert_eq!(c.gc_grace_secs, 7);
        assert_eq!(c.listen, "127.0.0.1:3");
    }

    #[test]
    fn unknown_keys_are_rejected_with_their_name() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(&file, "regoin = \"x\"\n").unwrap();
        let err = Config::load(Some(&file), &|_| None, &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("regoin"), "{err}");
    }

    #[test]
    fn env_lists_accept_commas_and_bad_numbers_fail() {
        let env = env_of(&[("COSD_DOMAINS", "a.test, b.test")]);
        let c = Config::load(None, &env, &Overrides::default()).unwrap();
        assert_eq!(c.domains, vec!["a.test", "b.test"]);
        let env = env_of(&[("COSD_CHUNK_SIZE", "lots")]);
        assert!(Config::load(None, &env, &Overrides::default()).is_err());
    }

    #[test]
    fn tls_keys_come_from_env_and_flags_and_cert_needs_key() {
        let env = env_of(&[("COSD_TLS_LISTEN", ""), ("COSD_TLS_CERT", "/c.pem")]);
        let err = Config::load(None, &env, &Overrides::default()).unwrap_err();
        assert!(err.to_string().contains("tls_key"), "{err}");
        let env = env_of(&[("COSD_TLS_LISTEN", "")]);
        assert_eq!(
            Config::load(None, &env, &Overrides::default())
                .unwrap()
                .tls_listen,
            ""
        );
        let flags = Overrides {
            tls_listen: Some("127.0.0.1:4".into()),
            ..Overrides::default()
        };
        let c = Config::load(None, &env, &flags).unwrap();
        assert_eq!(c.tls_listen, "127.0.0.1:4");
    }

    #[test]
    fn dev_turns_the_journal_on_unless_a_size_is_configured() {
        let none = |_: &str| None;
        let dev = Overrides {
            dev: true,
            ..Overrides::default()
        };
        assert_eq!(Config::defaults().journal_entries, 0);
        let c = Config::load(None, &none, &dev).unwrap();
        assert_eq!(c.journal_entries, DEV_JOURNAL_ENTRIES as usize);
        let env = |k: &str| (k == "COSD_JOURNAL_ENTRIES").then(|| "50".to_string());
        assert_eq!(Config::load(None, &env, &dev).unwrap().journal_entries, 50);
    }

    #[test]
    fn buckets_come_from_tables_strings_and_env() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "[[buckets]]\nname = \"web-1250000000\"\nacl = \"public-read\"\ntags = { team = \"web\" }\n",
        )
        .unwrap();
        let c = Config::load(Some(&file), &|_| None, &Overrides::default()).unwrap();
        assert_eq!(c.buckets.len(), 1);
        assert_eq!(c.buckets[0].name, "web-1250000000");
        assert_eq!(c.buckets[0].acl.as_deref(), Some("public-read"));
        assert_eq!(c.buckets[0].tags.as_ref().unwrap()["team"], "web");
        let env = env_of(&[("COSD_BUCKETS", "a-1250000000, b-1250000000")]);
        let c = Config::load(None, &env, &Overrides::default()).unwrap();
        let names: Vec<&str> = c.buckets.iter().map(|b| b.name.as_str()).collect();
        assert_eq!(names, ["a-1250000000", "b-1250000000"]);
        assert_eq!(c.buckets[0].acl, None);
    }

    #[test]
    fn an_unknown_bucket_field_names_the_bucket() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("c.toml");
        std::fs::write(
            &file,
            "[[buckets]]\nname = \"web-1250000000\"\nacls = \"x\"\n",
        )
        .unwrap();
        let err = Config::load(Some(&file), &|_| None, &Overrides::default()).unwrap_err();
        let err = err.to_string();
        assert!(
            err.contains("web-1250000000") && err.contains("acls"),
            "{err}"
        );
    }
}
