//! Directory operations (003:1198-1684): create, stat, list, update, delete. A directory is
//! the zero-byte object `<dir>/`; one that only has objects under it (written through the XML
//! API) exists too, without attributes.

use super::error;
use super::info::{dir_info, secs};
use super::{body_stream, JsonReq};
use crate::api::error::ApiResult;
use crate::api::Granted;
use crate::meta::ObjectRecord;
use crate::service::{ListParams, ObjectMeta, WriteCondition, WriteOptions};
use bytes::Bytes;
use serde_json::{json, Value};

/// `list` pages hold at most this many entries (003:1429).
const MAX_LIST: u64 = 1000;
/// The SDKs' default page size.
const DEFAULT_LIST: u64 = 199;

/// `op=create`: the parent must exist; the directory must not.
pub async fn create(req: &JsonReq<'_>) -> ApiResult<Granted<Value>> {
    req.path.require_dir()?;
    let key = req.path.key();
    if req.path.is_root() {
        return Err(error::dir_exists());
    }
    let biz_attr = req.biz_attr()?;
    let grant = req.authorize(None)?;
    let store = &req.app.store;
    let bucket = &req.bucket.name;
    if !store.dir_exists(bucket, req.path.parent_key())? {
        return Err(error::no_parent());
    }
    if store.dir_exists(bucket, key)? {
        return Err(error::dir_exists());
    }
    let meta = ObjectMeta {
        biz_attr,
        ..ObjectMeta::default()
    };
    let opts = WriteOptions {
        condition: WriteCondition {
            forbid_overwrite: true,
            ..WriteCondition::default()
        },
        ..WriteOptions::default()
    };
    let out = store
        .put_object(bucket, key, body_stream(Bytes::new()), meta, opts)
        .await
        .map_err(|e| match e {
            crate::service::ServiceError::ObjectExists => error::dir_exists(),
            other => other.into(),
        })?;
    Ok(grant.answer(json!({"ctime": secs(out.record.mtime_ms)})))
}

/// The marker of directory `key`, if it has one; `-197` if the directory does not exist.
fn load_dir(req: &JsonReq<'_>, key: &str) -> ApiResult<Option<ObjectRecord>> {
    let store = &req.app.store;
    if key.is_empty() {
        return Ok(None);
    }
    match store.head_object(&req.bucket.name, key) {
        Ok(rec) => Ok(Some(rec)),
        Err(crate::service::ServiceError::NoSuchKey) => {
            if store.dir_exists(&req.bucket.name, key)? {
                Ok(None)
            } else {
                Err(error::not_found())
            }
        }
        Err(e) => Err(e.into()),
    }
}

/// `op=stat` on a directory: `name, biz_attr, ctime, mtime`.
pub fn stat(req: &JsonReq<'_>) -> ApiResult<Granted<Value>> {
    let key = req.path.key();
    let grant = req.authorize(None)?;
    let marker = load_dir(req, key)?;
    let mut v = dir_info(req.path.name(), marker.as_ref(), true);
    if req.path.is_root() {
        let created = secs(req.bucket.created_ms);
        v["ctime"] = json!(created);
        v["mtime"] = json!(created);
    }
    Ok(grant.answer(v))
}

/// `op=update` on a directory: `biz_attr` (an implicit directory gets a marker).
pub async fn update(req: &JsonReq<'_>) -> ApiResult<Granted<Value>> {
    let key = req.path.key();
    if req.path.is_root() {
        return Err(error::root_path());
    }
    let biz_attr = req.biz_attr()?;
    let grant = req.authorize(None)?;
    let store = &req.app.store;
    if load_dir(req, key)?.is_some() {
        let now = req.now_ms();
        store
            .modify_object(&req.bucket.name, key, move |rec| {
                rec.ctime_ms = Some(rec.created_ms());
                rec.mtime_ms = now;
                if biz_attr.is_some() {
                    rec.biz_attr = biz_attr.clone();
                }
            })
            .await?;
    } else {
        let meta = ObjectMeta {
            biz_attr,
            ..ObjectMeta::default()
        };
        store
            .put_object(
                &req.bucket.name,
                key,
                body_stream(Bytes::new()),
                meta,
                WriteOptions::default(),
            )
            .await?;
    }
    Ok(grant.answer(json!({})))
}

/// `op=delete` on a directory: only an empty one, never the root.
pub async fn delete(req: &JsonReq<'_>) -> ApiResult<Granted<Value>> {
    let key = req.path.key();
    if req.path.is_root() {
        return Err(error::root_path());
    }
    let grant = req.authorize(None)?;
    let store = &req.app.store;
    let bucket = &req.bucket.name;
    let marker = load_dir(req, key)?;
    if store.has_objects_under(bucket, key, Some(key))? {
        return Err(error::dir_not_empty());
    }
    if marker.is_some() {
        // An object written under it meanwhile keeps the directory (implicitly).
        store.delete_object(bucket, key).await?;
    }
    Ok(grant.answer(json!({})))
}

/// `op=list`: one level under the directory (or under `<dir>/<prefix>`).
pub fn list(req: &mut JsonReq<'_>) -> ApiResult<Granted<Value>> {
    let (dir, prefix) = if req.path.is_dir() {
        (req.path.key().to_string(), String::new())
    } else {
        (
            req.path.parent_key().to_string(),
            req.path.name().to_string(),
        )
    };
    let num = match req.params.text("num")?.map(str::trim) {
        None | Some("") => DEFAULT_LIST,
        Some(n) => match n.parse::<u64>() {
            Ok(n) if (1..=MAX_LIST).contains(&n) => n,
            _ => return Err(error::bad_num()),
        },
    };
    let full_prefix = format!("{dir}{prefix}");
    let context = req.params.nonempty("context")?.map(str::to_string);
    // cos:prefix conditions see the listed prefix.
    req.ctx.query.push(("prefix".into(), full_prefix.clone()));
    let grant = req.authorize(None)?;
    let store = &req.app.store;
    let bucket = &req.bucket.name;
    if !dir.is_empty() && !store.dir_exists(bucket, &dir)? {
        return Err(error::not_found());
    }
    let marker = match &context {
        Some(c) => {
            let m = c.strip_prefix('/').unwrap_or(c);
            if !m.starts_with(&full_prefix) {
                return Err(error::param("context does not belong to this listing"));
            }
            Some(m.to_string())
        }
        // Start after the directory's own marker.
        None if prefix.is_empty() && !dir.is_empty() => Some(dir.clone()),
        None => None,
    };
    let page = store.list_objects(
        bucket,
        &ListParams {
            prefix: full_prefix,
            delimiter: Some("/".into()),
            marker,
            max_keys: num as usize,
        },
    )?;
    let mut rows: Vec<(String, Value)> = Vec::new();
    for e in &page.entries {
        let name = &e.key[dir.len()..];
        rows.push((e.key.clone(), req.list_file(name, &e.key, &e.record)));
    }
    for cp in &page.common_prefixes {
        let marker = store.head_object(bucket, cp).ok();
        rows.push((
            cp.clone(),
            dir_info(&cp[dir.len()..], marker.as_ref(), false),
        ));
    }
    rows.sort_by(|a, b| a.0.cmp(&b.0));
    let infos: Vec<Value> = rows.into_iter().map(|(_, v)| v).collect();
    let context = match (&page.next_marker, page.truncated) {
        (Some(m), true) => format!("/{m}"),
        _ => String::new(),
    };
    Ok(grant.answer(json!({
        "context": context,
        "listover": !page.truncated,
        "infos": infos,
    })))
}
