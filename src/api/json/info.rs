//! How files and directories are described in answers (003:1391-1602, 2476-2629): the
//! `authority` of an object ACL, `custom_headers`, the URLs, and the stat/list records.

use super::error;
use super::JsonReq;
use crate::api::error::ApiResult;
use crate::meta::ObjectRecord;
use crate::policy::acl::{Grantee, Permission};
use crate::types::CannedAcl;
use serde_json::{json, Map, Value};

/// The object ACL as the JSON API names it.
pub fn authority(rec: &ObjectRecord) -> &'static str {
    let public_read = rec.grants.iter().any(|g| {
        g.grantee == Grantee::AllUsers
            && matches!(g.permission, Permission::Read | Permission::FullControl)
    });
    match rec.acl {
        Some(CannedAcl::PublicRead) | Some(CannedAcl::PublicReadWrite) => "eWPrivateRPublic",
        _ if public_read => "eWPrivateRPublic",
        Some(CannedAcl::Private) => "eWRPrivate",
        _ => "eInvalid",
    }
}

/// The object ACL an `authority` value sets (None: inherit the bucket's).
pub fn acl_of_authority(value: &str) -> ApiResult<Option<CannedAcl>> {
    match value {
        "eInvalid" => Ok(None),
        "eWRPrivate" => Ok(Some(CannedAcl::Private)),
        "eWPrivateRPublic" => Ok(Some(CannedAcl::PublicRead)),
        other => Err(error::param(format!(
            "authority must be eInvalid, eWRPrivate or eWPrivateRPublic, not {other:?}"
        ))),
    }
}

/// The object's HTTP headers and user metadata, as `custom_headers`.
pub fn custom_headers(rec: &ObjectRecord) -> Value {
    let mut m = Map::new();
    let fixed = [
        ("Cache-Control", &rec.cache_control),
        ("Content-Type", &rec.content_type),
        ("Content-Disposition", &rec.content_disposition),
        ("Content-Language", &rec.content_language),
        ("Content-Encoding", &rec.content_encoding),
        ("Expires", &rec.expires),
    ];
    for (name, value) in fixed {
        if let Some(v) = value {
            m.insert(name.to_string(), json!(v));
        }
    }
    for (k, v) in &rec.meta {
        m.insert(format!("x-cos-meta-{k}"), json!(v));
    }
    Value::Object(m)
}

/// Applies `custom_headers` (a JSON object of header name -> string) to `rec`: only the named
/// items change (003:2700).
pub fn apply_custom_headers(rec: &mut ObjectRecord, text: &str) -> ApiResult<()> {
    let v: Value = serde_json::from_str(text).map_err(|e| error::bad_json().detail(e))?;
    let Value::Object(fields) = v else {
        return Err(error::bad_json().detail("custom_headers must be a JSON object"));
    };
    for (name, value) in fields {
        let Value::String(value) = value else {
            return Err(error::param(format!(
                "custom_headers.{name} must be a string"
            )));
        };
        let lower = name.to_ascii_lowercase();
        let slot = match lower.as_str() {
            "cache-control" => &mut rec.cache_control,
            "content-type" => &mut rec.content_type,
            "content-disposition" => &mut rec.content_disposition,
            "content-language" => &mut rec.content_language,
            "content-encoding" => &mut rec.content_encoding,
            "expires" => &mut rec.expires,
            _ => {
                let Some(suffix) = lower.strip_prefix("x-cos-meta-").filter(|s| !s.is_empty())
                else {
                    return Err(error::param(format!(
                        "custom_headers may set Cache-Control, Content-Type, Content-Disposition, Content-Language, Content-Encoding, Expires and x-cos-meta-*, not {name:?}"
                    )));
                };
                rec.meta.retain(|(k, _)| k != suffix);
                rec.meta.push((suffix.to_string(), value));
                rec.meta.sort();
                continue;
            }
        };
        *slot = Some(value).filter(|v| !v.is_empty());
    }
    Ok(())
}

pub fn secs(ms: i64) -> i64 {
    ms.div_euclid(1000)
}

impl JsonReq<'_> {
    /// `http://<host>/<bucket>-<appid>/<key>`: where this server serves the object.
    pub fn object_url(&self, key: &str) -> String {
        format!(
            "http://{}/{}/{}",
            self.host,
            self.bucket.name,
            crate::auth::encode::encode_key(key)
        )
    }

    /// The URLs an upload answers with.
    pub fn file_urls(&self, key: &str) -> Value {
        let path = format!("/{key}");
        json!({
            "access_url": self.object_url(key),
            "source_url": self.object_url(key),
            "url": format!(
                "http://{}/files/v2/{}/{}{}",
                self.host,
                self.path.appid,
                self.path.bucket,
                crate::auth::encode::encode_key(&path)
            ),
            "resource_path": format!("/{}/{}{path}", self.path.appid, self.path.bucket),
        })
    }

    /// A file as `list` describes it.
    pub fn list_file(&self, name: &str, key: &str, rec: &ObjectRecord) -> Value {
        json!({
            "name": name,
            "filesize": rec.size,
            "filelen": rec.size,
            "sha": rec.sha1.clone().unwrap_or_default(),
            "ctime": secs(rec.created_ms()),
            "mtime": secs(rec.mtime_ms),
            "access_url": self.object_url(key),
            "source_url": self.object_url(key),
            "authority": authority(rec),
        })
    }

    /// A file as `stat` describes it.
    pub fn stat_file(&self, name: &str, key: &str, rec: &ObjectRecord) -> Value {
        let mut v = self.list_file(name, key, rec);
        v["biz_attr"] = json!(rec.biz_attr.clone().unwrap_or_default());
        v["slicesize"] = json!(0);
        v["forbid"] = json!(0);
        v["custom_headers"] = custom_headers(rec);
        v
    }
}

/// A directory: its marker's attributes, or zero times for an implicit directory.
pub fn dir_info(name: &str, marker: Option<&ObjectRecord>, with_biz_attr: bool) -> Value {
    let (ctime, mtime) = marker.map_or((0, 0), |r| (secs(r.created_ms()), secs(r.mtime_ms)));
    let mut v = json!({"name": name, "ctime": ctime, "mtime": mtime});
    if with_biz_attr {
        v["biz_attr"] = json!(marker.and_then(|r| r.biz_attr.clone()).unwrap_or_default());
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::meta::DataLayout;
    use crate::policy::acl::Grant;

    fn rec() -> ObjectRecord {
        ObjectRecord {
            size: 0,
            etag: String::new(),
            crc64: 0,
            mtime_ms: 5_000,
            content_type: Some("text/plain".into()),
            cache_control: None,
            content_disposition: None,
            content_encoding: None,
            content_language: None,
            expires: None,
            meta: vec![("a".into(), "1".into())],
            storage_class: "STANDARD".into(),
            acl: None,
            grants: vec![],
            appendable: false,
            checksum: None,
            biz_attr: None,
            sha1: None,
            ctime_ms: None,
            version: None,
            delete_marker: false,
            retention: None,
            legal_hold: None,
            sse: None,
            tags: Vec::new(),
            upload_id: None,
            part_sizes: Vec::new(),
            restore: None,
            data: DataLayout::Inline(vec![]),
        }
    }

    #[test]
    fn authority_round_trip() {
        let mut r = rec();
        for a in ["eInvalid", "eWRPrivate", "eWPrivateRPublic"] {
            r.acl = acl_of_authority(a).unwrap();
            assert_eq!(authority(&r), a);
        }
        assert!(acl_of_authority("eWPublicRPublic").is_err());
        r.acl = None;
        r.grants = vec![Grant {
            grantee: Grantee::AllUsers,
            permission: Permission::Read,
        }];
        assert_eq!(authority(&r), "eWPrivateRPublic");
    }

    #[test]
    fn custom_headers_merge() {
        let mut r = rec();
        apply_custom_headers(
            &mut r,
            r#"{"Cache-Control":"no-cache","x-cos-meta-B":"2","Content-Type":""}"#,
        )
        .unwrap();
        assert_eq!(r.cache_control.as_deref(), Some("no-cache"));
        assert_eq!(r.content_type, None);
        assert_eq!(
            r.meta,
            vec![("a".into(), "1".into()), ("b".into(), "2".into())]
        );
        let v = custom_headers(&r);
        assert_eq!(v["x-cos-meta-a"], "1");
        assert_eq!(v["Cache-Control"], "no-cache");
        for bad in [
            r#"{"Host":"x"}"#,
            r#"{"x-cos-meta-":"x"}"#,
            r#"{"Expires":1}"#,
            "[]",
            "{",
        ] {
            assert!(apply_custom_headers(&mut r, bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn directories() {
        let v = dir_info("sub/", None, true);
        assert_eq!(
            v,
            json!({"name": "sub/", "ctime": 0, "mtime": 0, "biz_attr": ""})
        );
        let mut m = rec();
        m.ctime_ms = Some(1_000);
        m.biz_attr = Some("x".into());
        let v = dir_info("sub/", Some(&m), false);
        assert_eq!(v, json!({"name": "sub/", "ctime": 1, "mtime": 5}));
    }
}
