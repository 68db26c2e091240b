//! Slice uploads (003:1814-2474) on the multipart machinery: the session is a multipart upload
//! id, slice `n` (from 0, by offset) is part `n + 1`, finishing completes the upload.

use super::error;
use super::file::sha_param;
use super::route::parent_of;
use super::sha::State;
use super::{body_stream, JsonReq};
use crate::api::error::ApiResult;
use crate::api::Granted;
use crate::meta::{DataLayout, SlicePart, SliceSession};
use crate::service::{
    CompletePart, ObjectMeta, ServiceError, SliceUpload, WriteCondition, WriteOptions,
};
use futures_util::StreamExt;
use serde_json::{json, Value};
use sha1::{Digest, Sha1};

const MIB: u64 = 1024 * 1024;
/// Files may be at most 64 GB (003:3163).
const MAX_FILE: u64 = 64 * 1024 * MIB;

/// Slice sizes the seeds document: 64 KiB to 1 MiB (in 64 KiB steps), 2 MiB or 3 MiB.
fn valid_slice_size(n: u64) -> bool {
    ((64 * 1024..=MIB).contains(&n) && n.is_multiple_of(64 * 1024)) || n == 2 * MIB || n == 3 * MIB
}

/// Parses and checks `uploadparts` against the declared sizes and whole-file SHA-1.
fn parse_parts(text: &str, filesize: u64, slice: u64, sha: &str) -> ApiResult<Vec<SlicePart>> {
    #[derive(serde::Deserialize)]
    struct Raw {
        offset: u64,
        datalen: u64,
        datasha: String,
    }
    let raw: Vec<Raw> = serde_json::from_str(text).map_err(|e| error::bad_json().detail(e))?;
    let bad = || error::bad_uploadparts();
    let mut expect = 0u64;
    let mut out = Vec::with_capacity(raw.len());
    for (i, p) in raw.iter().enumerate() {
        let last = i + 1 == raw.len();
        let want_len = if last {
            filesize.checked_sub(expect).ok_or_else(bad)?
        } else {
            slice
        };
        if p.offset != expect || p.datalen != want_len || p.datalen == 0 && filesize > 0 {
            return Err(bad());
        }
        if !last && State::parse(&p.datasha).is_none() {
            return Err(bad());
        }
        if last && !p.datasha.eq_ignore_ascii_case(sha) {
            return Err(bad().detail("the last datasha must be the file's sha"));
        }
        expect += p.datalen;
        out.push(SlicePart {
            offset: p.offset,
            len: p.datalen,
            sha: p.datasha.to_ascii_lowercase(),
        });
    }
    if expect != filesize || out.is_empty() {
        return Err(bad());
    }
    Ok(out)
}

fn session_data(up: &SliceUpload) -> Value {
    json!({
        "session": up.upload_id,
        "slice_size": up.session.slice_size,
        "serial_upload": 0,
        "offset": 0,
    })
}

/// `upload_slice_init`.
pub async fn init(req: &JsonReq<'_>) -> ApiResult<Granted<Value>> {
    req.path.require_file()?;
    let key = req.path.key();
    let filesize = req
        .params
        .number("filesize")?
        .ok_or_else(error::no_filesize)?;
    if filesize > MAX_FILE {
        return Err(error::file_too_big());
    }
    let slice_size = req.params.number("slice_size")?.unwrap_or(MIB);
    if !valid_slice_size(slice_size) {
        return Err(error::bad_slice_size());
    }
    let mut sha = sha_param(req, "sha")?;
    let parts = match (req.params.nonempty("uploadparts")?, &sha) {
        (None, Some(_)) => return Err(error::sha_without_parts()),
        (None, None) => Vec::new(),
        (Some(text), declared) => {
            // Without sha, the last datasha is the file's SHA-1.
            let last_sha = serde_json::from_str::<Vec<Value>>(text)
                .ok()
                .and_then(|v| {
                    v.last()
                        .and_then(|l| l["datasha"].as_str().map(str::to_string))
                })
                .unwrap_or_default();
            let want = declared.clone().unwrap_or(last_sha.to_ascii_lowercase());
            let parts = parse_parts(text, filesize, slice_size, &want)?;
            sha = Some(want);
            parts
        }
    };
    let biz_attr = req.biz_attr()?;
    let insert_only = req.params.flag("insertOnly")?.unwrap_or(true);
    let grant = req.authorize(None)?;
    let store = &req.app.store;
    let bucket = &req.bucket.name;
    if !store.dir_exists(bucket, parent_of(key))? {
        return Err(error::no_parent());
    }
    if let Ok(existing) = store.head_object(bucket, key) {
        if sha.is_some() && existing.sha1 == sha && existing.size == filesize {
            return Ok(grant.answer(req.file_urls(key)));
        }
        if insert_only {
            return Err(error::file_exists());
        }
    }
    if let Some(s) = &sha {
        let unfinished = store.slice_uploads(bucket, key)?;
        if let Some(up) = unfinished
            .iter()
            .find(|u| u.session.sha.as_ref() == Some(s))
        {
            return Err(error::unfinished().with_data(session_data(up)));
        }
    }
    super::file::refuse_default_encryption(req)?;
    let meta = ObjectMeta {
        biz_attr,
        sha1: sha.clone(),
        ..ObjectMeta::default()
    };
    let session = SliceSession {
        filesize,
        slice_size,
        sha,
        parts,
    };
    let id = store
        .initiate_slice_upload(bucket, key, meta, &req.ctx.identity.principal(), session)
        .await?;
    Ok(grant.answer(json!({
        "session": id,
        "slice_size": slice_size,
        "serial_upload": 0,
        "offset": 0,
    })))
}

/// The session named by `session`, which must belong to this file.
fn load_session(req: &JsonReq<'_>) -> ApiResult<SliceUpload> {
    let id = req
        .params
        .nonempty("session")?
        .ok_or_else(|| error::bad_session().detail("session is missing"))?;
    req.app
        .store
        .slice_upload(&req.bucket.name, req.path.key(), id)
        .map_err(|e| match e {
            ServiceError::NoSuchUpload => error::bad_session(),
            other => other.into(),
        })
}

/// `upload_slice_data`: one slice at `offset`.
pub async fn data(req: &mut JsonReq<'_>) -> ApiResult<Granted<Value>> {
    let key = req.path.key().to_string();
    let content = req
        .params
        .take("filecontent")
        .ok_or_else(error::no_filecontent)?;
    let up = load_session(req)?;
    let s = &up.session;
    let offset = req
        .params
        .number("offset")?
        .ok_or_else(|| error::param("offset is required"))?;
    if offset % s.slice_size != 0 || offset >= s.filesize.max(1) {
        return Err(error::slice_offset());
    }
    let want = s.slice_size.min(s.filesize - offset);
    if content.len() as u64 != want {
        return Err(error::slice_not_declared().detail(format!(
            "the slice at {offset} must be {want} bytes, not {}",
            content.len()
        )));
    }
    let grant = req.authorize(None)?;
    if !s.parts.is_empty() {
        verify_slice(s, offset, content.clone()).await?;
    }
    let number = (offset / s.slice_size + 1) as u32;
    req.app
        .store
        .upload_part(
            &req.bucket.name,
            &key,
            &up.upload_id,
            number,
            body_stream(content.clone()),
            WriteOptions::default(),
        )
        .await
        .map_err(|e| match e {
            ServiceError::NoSuchUpload => error::bad_session(),
            other => other.into(),
        })?;
    Ok(grant.answer(json!({"session": up.upload_id, "offset": offset, "datalen": content.len()})))
}

/// Checks a slice against `uploadparts`: from the previous slice's SHA-1 state, this slice
/// must lead to its own `datasha` (the last one: to the file's SHA-1).
async fn verify_slice(s: &SliceSession, offset: u64, content: bytes::Bytes) -> ApiResult<()> {
    let Some(i) = s
        .parts
        .iter()
        .position(|p| p.offset == offset && p.len == content.len() as u64)
    else {
        return Err(error::slice_not_declared());
    };
    let start = if i == 0 {
        Some(State::initial())
    } else {
        State::parse(&s.parts[i - 1].sha)
    };
    let last = i + 1 == s.parts.len();
    let (want, filesize) = (s.parts[i].sha.clone(), s.filesize);
    let ok = tokio::task::spawn_blocking(move || {
        let start = start?;
        Some(if last {
            start.finish(&content, filesize) == want
        } else {
            start.advance(&content)?.print() == want
        })
    })
    .await
    .map_err(|e| ServiceError::Internal(format!("sha1 task: {e}")))?;
    if ok == Some(true) {
        Ok(())
    } else {
        Err(error::slice_sha())
    }
}

/// `upload_slice_list`: the newest unfinished session of this file and its slices.
pub fn list(req: &JsonReq<'_>) -> ApiResult<Granted<Value>> {
    let key = req.path.key();
    let grant = req.authorize(None)?;
    let store = &req.app.store;
    let ups = store.slice_uploads(&req.bucket.name, key)?;
    let up = match req.params.nonempty("session")? {
        Some(id) => ups.into_iter().find(|u| u.upload_id == id),
        None => ups.into_iter().next(),
    };
    let Some(up) = up else {
        return match store.head_object(&req.bucket.name, key) {
            Ok(_) => Ok(grant.answer(req.file_urls(key))),
            Err(_) => Err(error::not_found()),
        };
    };
    let (parts, _) = store.list_parts(&up.upload_id, 0, usize::MAX)?;
    let listparts: Vec<Value> = parts
        .iter()
        .map(
            |(n, p)| json!({"offset": u64::from(n.saturating_sub(1)) * up.session.slice_size, "datalen": p.size}),
        )
        .collect();
    Ok(grant.answer(json!({
        "session": up.upload_id,
        "slice_size": up.session.slice_size,
        "filesize": up.session.filesize,
        "sha": up.session.sha.clone().unwrap_or_default(),
        "serial_upload": 0,
        "listparts": listparts,
    })))
}

/// `upload_slice_finish`: every slice present, `filesize` as declared, `sha` right.
pub async fn finish(req: &JsonReq<'_>) -> ApiResult<Granted<Value>> {
    let key = req.path.key();
    let up = load_session(req)?;
    let s = &up.session;
    let filesize = req
        .params
        .number("filesize")?
        .ok_or_else(error::finish_no_filesize)?;
    if filesize != s.filesize {
        return Err(error::size_mismatch());
    }
    let sha = sha_param(req, "sha")?;
    if let (Some(given), Some(declared)) = (&sha, &s.sha) {
        if given != declared {
            return Err(error::sha_mismatch());
        }
    }
    let grant = req.authorize(None)?;
    let store = &req.app.store;
    let bucket = &req.bucket.name;
    // The file is created now, so its directory must exist now (003:2168), not only when the
    // session began: an empty directory can be deleted in between.
    if !store.dir_exists(bucket, parent_of(key))? {
        return Err(error::no_parent());
    }
    let (parts, _) = store.list_parts(&up.upload_id, 0, usize::MAX)?;
    let count = s.filesize.div_ceil(s.slice_size).max(1);
    let complete = parts.len() as u64 == count
        && parts.iter().enumerate().all(|(i, (n, p))| {
            let offset = i as u64 * s.slice_size;
            *n as usize == i + 1 && p.size == s.slice_size.min(s.filesize - offset)
        });
    if !complete {
        return Err(error::missing_slices());
    }
    // Slices checked against uploadparts prove the file's SHA-1; otherwise read it back.
    let computed = if s.parts.is_empty() {
        let mut rec = up.record.template.clone();
        rec.size = s.filesize;
        rec.data = DataLayout::Chunks(parts.iter().flat_map(|(_, p)| p.chunks.clone()).collect());
        let mut stream = std::pin::pin!(store.read_stream(&rec, None, None));
        let mut h = Sha1::new();
        while let Some(piece) = stream.next().await {
            let piece =
                piece.map_err(|e| ServiceError::Internal(format!("reading slices: {e}")))?;
            h.update(&piece);
        }
        let got = hex::encode(h.finalize());
        if sha.as_ref().is_some_and(|want| *want != got) {
            return Err(error::sha_mismatch());
        }
        Some(got)
    } else {
        None
    };
    let list: Vec<CompletePart> = parts
        .iter()
        .map(|(n, p)| CompletePart {
            number: *n,
            etag: p.etag.clone(),
            checksum: None,
        })
        .collect();
    store
        .complete_upload(
            bucket,
            key,
            &up.upload_id,
            &list,
            &WriteCondition::default(),
            None,
        )
        .await?;
    if let Some(sha1) = computed {
        store
            .modify_object(bucket, key, |r| r.sha1 = Some(sha1))
            .await?;
    }
    Ok(grant.answer(req.file_urls(key)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slice_sizes() {
        for ok in [64 * 1024, 512 * 1024, MIB, 2 * MIB, 3 * MIB] {
            assert!(valid_slice_size(ok), "{ok}");
        }
        for bad in [0, 1000, 64 * 1024 + 1, 4 * MIB, MIB + 64 * 1024] {
            assert!(!valid_slice_size(bad), "{bad}");
        }
    }

    #[test]
    fn uploadparts() {
        let sha = "a986b154d89d26927a8144a278bdf035cd0e2172";
        let text = r#"[{"offset":0,"datalen":1048576,"datasha":"0a560be70dd43f123a08f3519016b87dfc0a1eb6"},
                       {"offset":1048576,"datalen":10,"datasha":"a986b154d89d26927a8144a278bdf035cd0e2172"}]"#;
        let parts = parse_parts(text, MIB + 10, MIB, sha).unwrap();
        assert_eq!(parts.len(), 2);
        assert_eq!(
            parse_parts(text, MIB + 11, MIB, sha).unwrap_err().code,
            -29134
        );
        assert_eq!(
            parse_parts(text, MIB + 10, 2 * MIB, sha).unwrap_err().code,
            -29134
        );
        assert_eq!(
            parse_parts(text, MIB + 10, MIB, &"0".repeat(40))
                .unwrap_err()
                .code,
            -29134
        );
        assert_eq!(
            parse_parts("[x", MIB + 10, MIB, sha).unwrap_err().code,
            -5975
        );
        assert_eq!(
            parse_parts("[]", MIB + 10, MIB, sha).unwrap_err().code,
            -29134
        );
    }
}
