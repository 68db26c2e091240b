//! File operations (003:1686-1812, 2476-3116): upload, stat, update, copy, move, delete.

use super::error;
use super::info::{acl_of_authority, apply_custom_headers};
use super::route::{dest_key, parent_of};
use super::{body_stream, Extra, JsonReq, MAX_SIMPLE_UPLOAD};
use crate::api::error::{ApiError, ApiResult};
use crate::api::Granted;
use crate::meta::ObjectRecord;
use crate::service::{
    CopyParams, MetadataDirective, ObjectMeta, ServiceError, WriteCondition, WriteOptions,
};
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

/// The file's record, or `-197`.
fn load_file(req: &JsonReq<'_>, key: &str) -> ApiResult<ObjectRecord> {
    req.app
        .store
        .head_object(&req.bucket.name, key)
        .map_err(ApiError::from)
}

fn only_create(yes: bool) -> WriteCondition {
    WriteCondition {
        forbid_overwrite: yes,
        ..WriteCondition::default()
    }
}

/// A SHA-1 parameter, normalised to lower-case hex.
pub(super) fn sha_param(req: &JsonReq<'_>, name: &str) -> ApiResult<Option<String>> {
    match req.params.nonempty(name)? {
        None => Ok(None),
        Some(s) if s.len() == 40 && s.bytes().all(|b| b.is_ascii_hexdigit()) => {
            Ok(Some(s.to_ascii_lowercase()))
        }
        Some(_) => Err(error::param(format!("{name} must be a SHA-1 in hex"))),
    }
}

/// The JSON API keeps a SHA-1 of each file's plaintext and has no encryption parameters: it
/// writes no file into a bucket with default encryption (501) rather than store it in plain.
pub(super) fn refuse_default_encryption(req: &JsonReq<'_>) -> ApiResult<()> {
    if req.bucket.encryption.is_some() {
        return Err(ApiError::new(
            crate::api::error::Code::NotImplemented,
            "The JSON API does not write into a bucket with default encryption.",
        ));
    }
    Ok(())
}

/// `op=upload`: a whole file of at most 20 MB in `filecontent`.
pub async fn upload(req: &mut JsonReq<'_>) -> ApiResult<Granted<Value>> {
    req.path.require_file()?;
    let key = req.path.key().to_string();
    let content = req
        .params
        .take("filecontent")
        .ok_or_else(error::no_filecontent)?;
    if content.len() > MAX_SIMPLE_UPLOAD {
        return Err(error::too_large());
    }
    let biz_attr = req.biz_attr()?;
    let declared = sha_param(req, "sha")?;
    let insert_only = req.params.flag("insertOnly")?.unwrap_or(true);
    let grant = req.authorize(None)?;
    refuse_default_encryption(req)?;
    let store = &req.app.store;
    let bucket = req.bucket.name.clone();
    if !store.dir_exists(&bucket, parent_of(&key))? {
        return Err(error::no_parent());
    }
    let data = content.clone();
    let sha = tokio::task::spawn_blocking(move || hex::encode(Sha1::digest(&data)))
        .await
        .map_err(|e| ServiceError::Internal(format!("sha1 task: {e}")))?;
    if declared.as_ref().is_some_and(|d| *d != sha) {
        return Err(error::sha_mismatch());
    }
    if insert_only {
        if let Ok(existing) = store.head_object(&bucket, &key) {
            // The same content is already there: done (the SDKs' instant upload).
            if existing.sha1.as_deref() == Some(sha.as_str()) {
                return Ok(grant.answer(req.file_urls(&key)));
            }
            return Err(error::file_exists());
        }
    }
    let meta = ObjectMeta {
        biz_attr,
        sha1: Some(sha),
        ..ObjectMeta::default()
    };
    let opts = WriteOptions {
        condition: only_create(insert_only),
        ..WriteOptions::default()
    };
    store
        .put_object(&bucket, &key, body_stream(content), meta, opts)
        .await?;
    Ok(grant.answer(req.file_urls(&key)))
}

/// `op=stat` on a file.
pub fn stat(req: &JsonReq<'_>) -> ApiResult<Granted<Value>> {
    let key = req.path.key();
    let rec = load_file(req, key);
    let grant = req.authorize(rec.as_ref().ok())?;
    let rec = rec?;
    Ok(grant.answer(req.stat_file(req.path.name(), key, &rec)))
}

/// `op=delete` on a file.
pub async fn delete(req: &JsonReq<'_>) -> ApiResult<Granted<Value>> {
    let key = req.path.key();
    let grant = req.authorize(None)?;
    if req
        .app
        .store
        .delete_object(&req.bucket.name, key)
        .await?
        .old
        .is_none()
    {
        return Err(error::not_found());
    }
    Ok(grant.answer(json!({})))
}

/// `op=update` on a file: `biz_attr`, `authority` (the object ACL), `custom_headers`.
pub async fn update(req: &JsonReq<'_>) -> ApiResult<Granted<Value>> {
    let key = req.path.key();
    let biz_attr = req.biz_attr()?;
    let authority = match req.params.nonempty("authority")? {
        Some(a) => Some(acl_of_authority(a)?),
        None => None,
    };
    let headers = req.params.nonempty("custom_headers")?.map(str::to_string);
    let rec = load_file(req, key);
    let grant = req.authorize(rec.as_ref().ok())?;
    if authority.is_some() {
        req.authorize_extra(Extra::SetAcl, key, rec.as_ref().ok())?;
    }
    // Validate everything before anything is written (then merge into the record as it is
    // under the commit lock).
    let mut scratch = rec?;
    if let Some(h) = &headers {
        apply_custom_headers(&mut scratch, h)?;
    }
    let now = req.now_ms();
    req.app
        .store
        .modify_object(&req.bucket.name, key, move |r| {
            r.ctime_ms = Some(r.created_ms());
            r.mtime_ms = now;
            if biz_attr.is_some() {
                r.biz_attr = biz_attr;
            }
            if let Some(acl) = authority {
                r.acl = acl;
                r.grants.clear();
            }
            if let Some(h) = &headers {
                // Validated above; the same text applies the same way.
                let _ = apply_custom_headers(r, h);
            }
        })
        .await?;
    Ok(grant.answer(json!({})))
}

/// `op=copy` / `op=move`: `dest_fileid` (absolute or relative to the source's directory) and
/// `to_over_write` (0, the default, refuses to replace an existing file).
pub async fn copy_or_move(req: &JsonReq<'_>, is_move: bool) -> ApiResult<Granted<Value>> {
    req.path.require_file()?;
    let src = req.path.key();
    let dest = req
        .params
        .nonempty("dest_fileid")?
        .ok_or_else(|| error::param("dest_fileid is required"))?;
    let dst = dest_key(&req.path, dest)?;
    let overwrite = req.params.flag("to_over_write")?.unwrap_or(false);
    let store = &req.app.store;
    let bucket = &req.bucket.name;
    let rec = load_file(req, src);
    let grant = req.authorize(rec.as_ref().ok())?;
    req.authorize_extra(Extra::WriteDest, &dst, None)?;
    if is_move {
        req.authorize_extra(Extra::RemoveSource, src, None)?;
    }
    let rec = rec?;
    if !store.dir_exists(bucket, parent_of(&dst))? {
        return Err(error::no_parent());
    }
    if dst == src {
        return if overwrite || is_move {
            Ok(grant.answer(json!({})))
        } else {
            Err(error::file_exists())
        };
    }
    let condition = only_create(!overwrite);
    if is_move {
        store.move_object(bucket, src, &dst, &condition).await?;
    } else {
        store
            .copy_object(
                CopyParams {
                    src_bucket: bucket,
                    src_key: src,
                    src_version: None,
                    retention: None,
                    legal_hold: None,
                    reseal: None,
                    tags: None,
                    dst_bucket: bucket,
                    dst_key: &dst,
                    directive: MetadataDirective::Copy,
                    storage_class: None,
                    acl: rec.acl,
                    grants: rec.grants.clone(),
                    condition,
                },
                // A source that changed since it was authorized above is authorized again.
                |cur: Option<&ObjectRecord>| match cur {
                    Some(cur) if *cur != rec => req.authorize(Some(cur)).map(|_| ()),
                    _ => Ok(()),
                },
            )
            .await?;
    }
    Ok(grant.answer(json!({})))
}
