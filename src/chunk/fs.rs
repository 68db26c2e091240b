//! `FsChunkStore`: one file per chunk at `chunks/<h0h1>/<h2h3>/<hex id>`.
//!
//! Durable write protocol: write to `chunks/tmp/<random>`, fsync the file, rename it into place,
//! fsync the directory. A crash leaves either no file or a complete one; stray temp files are
//! removed on open.

use super::{ChunkError, ChunkId, ChunkStore};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

pub struct FsChunkStore {
    root: PathBuf,
    tmp: PathBuf,
}

fn fsync_dir(dir: &Path) -> std::io::Result<()> {
    File::open(dir)?.sync_all()
}

impl FsChunkStore {
    /// Opens the store under `root`, creating it and clearing abandoned temp files.
    pub fn open(root: &Path) -> Result<FsChunkStore, ChunkError> {
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp)?;
        for entry in fs::read_dir(&tmp)? {
            let _ = fs::remove_file(entry?.path());
        }
        Ok(FsChunkStore {
            root: root.to_owned(),
            tmp,
        })
    }

    fn path(&self, id: &ChunkId) -> PathBuf {
        let h = hex::encode(id);
        self.root.join(&h[0..2]).join(&h[2..4]).join(h)
    }
}

impl ChunkStore for FsChunkStore {
    fn put(&self, id: &ChunkId, data: &[u8]) -> Result<bool, ChunkError> {
        let path = self.path(id);
        if path.exists() {
            return Ok(false);
        }
        let dir = path
            .parent()
            .ok_or_else(|| ChunkError::Missing("bad chunk path".into()))?;
        if !dir.exists() {
            fs::create_dir_all(dir)?;
            if let Some(parent) = dir.parent() {
                fsync_dir(parent)?;
                fsync_dir(&self.root)?;
            }
        }
        let tmp = self.tmp.join(format!(
            "{}.{}",
            hex::encode(&id[..8]),
            rand::random::<u64>()
        ));
        let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
        let written = f.write_all(data).and_then(|_| f.sync_data());
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e.into());
        }
        drop(f);
        fs::rename(&tmp, &path)?;
        fsync_dir(dir)?;
        Ok(true)
    }

    fn read(&self, id: &ChunkId, offset: u64, len: usize) -> Result<Vec<u8>, ChunkError> {
        let mut f = File::open(self.path(id)).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => ChunkError::Missing(hex::encode(id)),
            _ => ChunkError::Io(e),
        })?;
        f.seek(SeekFrom::Start(offset))?;
        let mut buf = vec![0u8; len];
        f.read_exact(&mut buf)?;
        Ok(buf)
    }

    fn exists(&self, id: &ChunkId) -> bool {
        self.path(id).exists()
    }

    fn delete(&self, id: &ChunkId) -> Result<(), ChunkError> {
        match fs::remove_file(self.path(id)) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(e.into()),
        }
    }

    fn list(&self) -> Result<Vec<(ChunkId, u64)>, ChunkError> {
        let mut out = Vec::new();
        for l1 in fs::read_dir(&self.root)? {
            let l1 = l1?;
            if l1.file_name() == "tmp" || !l1.file_type()?.is_dir() {
                continue;
            }
            for l2 in fs::read_dir(l1.path())? {
                let l2 = l2?;
                if !l2.file_type()?.is_dir() {
                    continue;
                }
                for f in fs::read_dir(l2.path())? {
                    let f = f?;
                    let name = f.file_name();
                    let Some(id) = name
                        .to_str()
                        .and_then(|n| hex::decode(n).ok())
                        .and_then(|v| ChunkId::try_from(v).ok())
                    else {
                        continue;
                    };
                    out.push((id, f.metadata()?.len()));
                }
            }
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::chunk_id;

    #[test]
    fn put_is_idempotent_read_ranges_and_delete() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsChunkStore::open(dir.path()).unwrap();
        let data = b"hello chunk world".to_vec();
        let id = chunk_id(&data);
        assert!(store.put(&id, &data).unwrap());
        assert!(!store.put(&id, &data).unwrap(), "second put deduplicates");
        assert_eq!(store.read(&id, 6, 5).unwrap(), b"chunk");
        assert_eq!(store.list().unwrap(), vec![(id, data.len() as u64)]);
        store.delete(&id).unwrap();
        store.delete(&id).unwrap();
        assert!(!store.exists(&id));
        assert!(matches!(store.read(&id, 0, 1), Err(ChunkError::Missing(_))));
        assert!(fs::read_dir(dir.path().join("tmp"))
            .unwrap()
            .next()
            .is_none());
    }

    #[test]
    fn open_clears_abandoned_temp_files() {
        let dir = tempfile::tempdir().unwrap();
        fs::create_dir_all(dir.path().join("tmp")).unwrap();
        fs::write(dir.path().join("tmp/half-written"), b"xx").unwrap();
        FsChunkStore::open(dir.path()).unwrap();
        assert!(!dir.path().join("tmp/half-written").exists());
    }
}
