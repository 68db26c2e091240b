//! Seeding a declared bucket from a local directory: every regular file below it (symlinks
//! followed) becomes the object whose key is its relative path joined with `/`, with the
//! Content-Type its extension suggests (`api::content_type`, as an upload without one gets).
//! A file is written only when its key has no object or one with another MD5 ETag, so a
//! restart adds no version to a versioned bucket; the write carries the file's MD5 as
//! Content-MD5, so a file changed between hashing and upload fails instead of storing a mix.

use super::DeclareError;
use crate::crypto::{Keyring, SseRequest};
use crate::service::{ObjectMeta, ServiceError, SseWrite, Store, WriteOptions};
use crate::types::ObjectKey;
use futures_util::StreamExt;
use md5::{Digest, Md5};
use std::path::{Path, PathBuf};
use std::sync::Arc;

/// The encryption a bucket default asks for; a KMS default without a key id names the owner's
/// default key, created on first use as an upload would (`api::sse`).
fn default_request(
    keys: &Keyring,
    owner: &str,
    d: &crate::crypto::BucketEncryption,
    now_ms: i64,
) -> Result<SseRequest, String> {
    match crate::api::sse::default_request(d) {
        SseRequest::Kms(None) => {
            let id = format!("cosd-default-{owner}");
            if keys.kms.info(owner, &id).is_none() {
                match keys.kms.create(
                    owner,
                    Some(&id),
                    "default key of the account (created on first use)",
                    now_ms,
                ) {
                    Ok(_) | Err(crate::crypto::KmsError::Exists(_)) => {}
                    Err(e) => return Err(e.to_string()),
                }
            }
            Ok(SseRequest::Kms(Some(id)))
        }
        r => Ok(r),
    }
}

/// A file to seed: its key, path and MD5.
struct SeedFile {
    key: String,
    path: PathBuf,
    md5: [u8; 16],
}

/// Seeds `bucket` from `dir`; returns how many objects were written.
pub(super) async fn seed(
    store: &Arc<Store>,
    keys: &Keyring,
    bucket: &str,
    dir: &Path,
) -> Result<usize, DeclareError> {
    let err = |m: String| DeclareError::new(bucket, m);
    // The bucket's default encryption (set at run time: a declaration cannot set it) applies
    // to seeded objects as to any upload without SSE headers.
    let record = store
        .get_bucket(bucket)
        .map_err(|e| err(e.to_string()))?
        .ok_or_else(|| err("the bucket is gone".into()))?;
    let encryption = match &record.encryption {
        Some(d) => {
            Some(default_request(keys, &record.owner_uin, d, store.clock.now_ms()).map_err(&err)?)
        }
        None => None,
    };
    let root = dir.to_path_buf();
    let files = tokio::task::spawn_blocking(move || scan(&root))
        .await
        .map_err(|e| err(format!("seed_dir: {e}")))?
        .map_err(|m| err(format!("seed_dir {}: {m}", dir.display())))?;
    let mut written = 0;
    for f in files {
        match store.head_object(bucket, &f.key) {
            Ok(rec) if rec.etag == hex::encode(f.md5) => continue,
            Ok(_) | Err(ServiceError::NoSuchKey) => {}
            Err(e) => return Err(err(e.to_string())),
        }
        let file = tokio::fs::File::open(&f.path)
            .await
            .map_err(|e| err(format!("seed file {}: {e}", f.path.display())))?;
        let body =
            tokio_util::io::ReaderStream::new(file).map(|r| r.map_err(ServiceError::storage_io));
        let meta = ObjectMeta {
            content_type: crate::api::content_type::for_key(&f.key).map(str::to_string),
            ..ObjectMeta::default()
        };
        let sse = match &encryption {
            Some(req) => {
                let (record, cipher) = keys
                    .new_object(&record.owner_uin, req)
                    .map_err(|e| err(format!("seed file {}: {e}", f.path.display())))?;
                Some(SseWrite {
                    record,
                    cipher: Arc::new(cipher),
                })
            }
            None => None,
        };
        let opts = WriteOptions {
            content_md5: Some(f.md5),
            sse,
            ..WriteOptions::default()
        };
        store
            .put_object(bucket, &f.key, body, meta, opts)
            .await
            .map_err(|e| err(format!("seed file {}: {e}", f.path.display())))?;
        written += 1;
    }
    Ok(written)
}

/// Every regular file below `root`, in key order, hashed (blocking).
fn scan(root: &Path) -> Result<Vec<SeedFile>, String> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let entries = std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        for entry in entries {
            let path = entry.map_err(|e| e.to_string())?.path();
            let meta = std::fs::metadata(&path).map_err(|e| format!("{}: {e}", path.display()))?;
            if meta.is_dir() {
                stack.push(path);
            } else if meta.is_file() {
                let key = key_of(root, &path)?;
                let md5 = md5_of(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                out.push(SeedFile { key, path, md5 });
            }
        }
    }
    out.sort_by(|a, b| a.key.cmp(&b.key));
    Ok(out)
}

/// The object key of `path` below `root`: its components joined with `/`.
fn key_of(root: &Path, path: &Path) -> Result<String, String> {
    let rel = path.strip_prefix(root).map_err(|e| e.to_string())?;
    let parts: Option<Vec<&str>> = rel.components().map(|c| c.as_os_str().to_str()).collect();
    let key = parts
        .ok_or_else(|| format!("{}: the file name is not UTF-8", path.display()))?
        .join("/");
    ObjectKey::parse(&key).map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(key)
}

fn md5_of(path: &Path) -> std::io::Result<[u8; 16]> {
    use std::io::Read;
    let mut f = std::fs::File::open(path)?;
    let mut h = Md5::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = f.read(&mut buf)?;
        if n == 0 {
            return Ok(h.finalize().into());
        }
        h.update(&buf[..n]);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_relative_paths_with_slashes() {
        let root = Path::new("/seed");
        assert_eq!(key_of(root, Path::new("/seed/a.txt")).unwrap(), "a.txt");
        assert_eq!(
            key_of(root, Path::new("/seed/d/e/f.bin")).unwrap(),
            "d/e/f.bin"
        );
    }
}
