//! `FsChunkStore`: one file per chunk at `chunks/<h0h1>/<hex id>`.
//!
//! One level of 256 directories: a directory is a new inode, and on ext4 without a journal a
//! new inode costs a search past every recently freed one (tens to hundreds of µs here), so
//! the two-level layout of stores created before `LAYOUT` existed (`<h0h1>/<h2h3>/<hex id>`,
//! up to 65,792 directories, one made for nearly every chunk of a young store) spent ~12% of
//! the server's CPU on `mkdir` with 1 MiB PUTs. Such stores keep their layout; a new store
//! writes `LAYOUT` (`flat`) when it is created. ext4's hashed directories take the ~4,000
//! files per directory of a million chunks in their stride.
//!
//! Durable write protocol: write to `chunks/tmp/<random>`, fsync the file, rename it into place,
//! fsync the directory. A crash leaves either no file or a complete one; stray temp files are
//! removed on open.
//!
//! Chunk files are written with `O_DIRECT` where the filesystem allows it: a buffered write
//! followed by `fdatasync` copies every byte into the page cache and then waits for writeback
//! (about 300 MB/s on this project's machines), while a direct write of the same 4 MiB goes
//! straight from an aligned buffer to the device (about 1.9 GB/s). A full chunk from a `ChunkBuf`
//! is already aligned and is written from where it is; anything else is copied into a padded,
//! aligned staging buffer and the file truncated back to the chunk's length before the sync.

use super::{ChunkError, ChunkId, ChunkStore};
use std::fs::{self, File, OpenOptions};
use std::io::{Read, Seek, SeekFrom, Write};

use std::path::{Path, PathBuf};

pub struct FsChunkStore {
    root: PathBuf,
    tmp: PathBuf,
    layout: Layout,
}

/// Where chunk files live under the root.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// `<h0h1>/<hex id>`, named by the file `LAYOUT` (`flat`).
    Flat,
    /// `<h0h1>/<h2h3>/<hex id>`: stores created before `LAYOUT`.
    Nested,
}

/// The file that names a store's layout.
pub(super) const LAYOUT_FILE: &str = "LAYOUT";

/// Decides the layout of the store at `root` (whose `tmp` exists): what `LAYOUT` says; nested
/// for an older store with anything else in it; flat, written down durably, for a new one.
fn layout(root: &Path) -> Result<Layout, ChunkError> {
    let marker = root.join(LAYOUT_FILE);
    match fs::read_to_string(&marker) {
        Ok(s) if s.trim() == "flat" => return Ok(Layout::Flat),
        Ok(s) => {
            return Err(ChunkError::Io(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: unknown chunk layout {:?}", marker.display(), s.trim()),
            )))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    if !is_new(root)? {
        return Ok(Layout::Nested);
    }
    write_layout(root, "flat")?;
    Ok(Layout::Flat)
}

/// Whether the store at `root` holds nothing yet (besides its `tmp` directory).
pub(super) fn is_new(root: &Path) -> std::io::Result<bool> {
    for entry in fs::read_dir(root)? {
        if entry?.file_name() != "tmp" {
            return Ok(false);
        }
    }
    Ok(true)
}

/// Writes `LAYOUT` naming `layout`, durably: staged in `tmp`, synced, renamed into place.
pub(super) fn write_layout(root: &Path, layout: &str) -> std::io::Result<()> {
    let tmp = root.join("tmp");
    fs::create_dir_all(&tmp)?;
    let staged = tmp.join(LAYOUT_FILE);
    let mut f = File::create(&staged)?;
    writeln!(f, "{layout}")?;
    f.sync_all()?;
    fs::rename(&staged, root.join(LAYOUT_FILE))?;
    fsync_dir(root)
}

pub(super) fn fsync_dir(dir: &Path) -> std::io::Result<()> {
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
            layout: layout(root)?,
            tmp,
        })
    }

    fn path(&self, id: &ChunkId) -> PathBuf {
        let h = hex::encode(id);
        match self.layout {
            Layout::Flat => self.root.join(&h[0..2]).join(h),
            Layout::Nested => self.root.join(&h[0..2]).join(&h[2..4]).join(h),
        }
    }
}

use super::ALIGN;

/// Writes `data` to the new file `path` and makes it durable (`fdatasync`).
fn write_file(path: &Path, data: &[u8]) -> std::io::Result<()> {
    if data.len() >= ALIGN {
        match write_direct(path, data) {
            Ok(()) => return Ok(()),
            // Not supported here (tmpfs, some overlay filesystems): write through the cache.
            Err(e) if e.raw_os_error() == Some(libc::EINVAL) => {
                let _ = fs::remove_file(path);
            }
            Err(e) => return Err(e),
        }
    }
    let mut f = OpenOptions::new().write(true).create_new(true).open(path)?;
    f.write_all(data)?;
    f.sync_data()
}

fn write_direct(path: &Path, data: &[u8]) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let f = OpenOptions::new()
        .write(true)
        .create_new(true)
        .custom_flags(libc::O_DIRECT)
        .open(path)?;
    super::buf::write_padded_at(&f, 0, data)?;
    if !data.len().is_multiple_of(ALIGN) {
        f.set_len(data.len() as u64)?;
    }
    f.sync_data()
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
                if parent != self.root {
                    fsync_dir(&self.root)?;
                }
            }
        }
        let tmp = self.tmp.join(format!(
            "{}.{}",
            hex::encode(&id[..8]),
            rand::random::<u64>()
        ));
        let written = write_file(&tmp, data);
        if let Err(e) = written {
            let _ = fs::remove_file(&tmp);
            return Err(e.into());
        }
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
        // Read into spare capacity (`read_to_end` does not zero it first): zeroing every
        // buffer was ~5% of a large GET's server CPU.
        let mut buf = Vec::with_capacity(len);
        f.take(len as u64).read_to_end(&mut buf)?;
        if buf.len() != len {
            return Err(ChunkError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                format!("chunk {} is shorter than its record says", hex::encode(id)),
            )));
        }
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
            match self.layout {
                Layout::Flat => list_files(&l1.path(), &mut out)?,
                Layout::Nested => {
                    for l2 in fs::read_dir(l1.path())? {
                        let l2 = l2?;
                        if l2.file_type()?.is_dir() {
                            list_files(&l2.path(), &mut out)?;
                        }
                    }
                }
            }
        }
        Ok(out)
    }
}

/// The chunk files (named by their hex id) in `dir`, with their lengths.
fn list_files(dir: &Path, out: &mut Vec<(ChunkId, u64)>) -> Result<(), ChunkError> {
    for f in fs::read_dir(dir)? {
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
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chunk::chunk_id;

    #[test]
    fn large_and_odd_sized_chunks_round_trip() {
        let dir = tempfile::tempdir().unwrap();
        let store = FsChunkStore::open(dir.path()).unwrap();
        for len in [4096usize, 4097, 10_000, (1 << 20) + 13] {
            let data: Vec<u8> = (0..len).map(|i| (i * 31 % 251) as u8).collect();
            let id = chunk_id(&data);
            assert!(store.put(&id, &data).unwrap());
            assert_eq!(store.read(&id, 0, len).unwrap(), data, "{len}");
            assert_eq!(
                store
                    .list()
                    .unwrap()
                    .iter()
                    .find(|(i, _)| *i == id)
                    .unwrap()
                    .1,
                len as u64
            );
        }
    }

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

    /// A new store is flat and says so; a store from before `LAYOUT` keeps its two levels and
    /// gets no marker; a marker naming something else refuses to open.
    #[test]
    fn layouts_new_old_and_unknown() {
        let data = b"layout".to_vec();
        let id = chunk_id(&data);
        let h = hex::encode(id);

        let new = tempfile::tempdir().unwrap();
        let store = FsChunkStore::open(new.path()).unwrap();
        assert_eq!(
            fs::read_to_string(new.path().join(LAYOUT_FILE)).unwrap(),
            "flat\n"
        );
        store.put(&id, &data).unwrap();
        assert!(new.path().join(&h[..2]).join(&h).is_file());
        drop(store);
        let again = FsChunkStore::open(new.path()).unwrap();
        assert_eq!(
            again.read(&id, 0, data.len()).unwrap(),
            data,
            "reopened flat"
        );

        let old = tempfile::tempdir().unwrap();
        let nested = old.path().join(&h[..2]).join(&h[2..4]);
        fs::create_dir_all(&nested).unwrap();
        fs::write(nested.join(&h), &data).unwrap();
        let store = FsChunkStore::open(old.path()).unwrap();
        assert!(!old.path().join(LAYOUT_FILE).exists());
        assert!(store.exists(&id));
        assert_eq!(store.read(&id, 0, data.len()).unwrap(), data);
        let more = b"another".to_vec();
        let id2 = chunk_id(&more);
        let h2 = hex::encode(id2);
        store.put(&id2, &more).unwrap();
        assert!(old
            .path()
            .join(&h2[..2])
            .join(&h2[2..4])
            .join(&h2)
            .is_file());
        let mut listed = store.list().unwrap();
        listed.sort();
        let mut want = vec![(id, data.len() as u64), (id2, more.len() as u64)];
        want.sort();
        assert_eq!(listed, want);

        let odd = tempfile::tempdir().unwrap();
        fs::write(odd.path().join(LAYOUT_FILE), "spiral\n").unwrap();
        assert!(FsChunkStore::open(odd.path()).is_err());
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
