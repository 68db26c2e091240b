//! The one enumeration of chunk references. Every record kind that names chunks (objects, their
//! noncurrent versions, the parts of open multipart uploads, which include JSON API slice
//! sessions) is visited here, and nowhere else: `fsck`, the collector's
//! start-up sweep and the tests all count references through `Store::for_each_chunk_reference`,
//! so a new kind of reference added here is protected everywhere at once.

use super::{ServiceResult, Store};
use crate::meta::{scan_prefix, ChunkRef, KeyCodec, ObjectRecord, PartRecord, Table};
use std::fmt;

/// The record that holds a chunk reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RefHolder<'a> {
    /// The current version of an object.
    Object { bucket: &'a str, key: &'a str },
    /// A noncurrent version of an object.
    Version {
        bucket: &'a str,
        key: &'a str,
        stamp: u64,
    },
    /// A part of an open multipart upload (or of a JSON API slice session).
    Part {
        upload_id: &'a str,
        part_number: u32,
    },
}

impl fmt::Display for RefHolder<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RefHolder::Object { bucket, key } => write!(f, "{bucket}/{key}"),
            RefHolder::Version { bucket, key, stamp } => {
                write!(f, "{bucket}/{key} (version stamp {stamp})")
            }
            RefHolder::Part {
                upload_id,
                part_number,
            } => write!(f, "upload {upload_id} part {part_number}"),
        }
    }
}

/// What one enumeration saw.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RefScan {
    pub objects: usize,
    /// Noncurrent versions.
    pub versions: usize,
    pub parts: usize,
    /// Records that do not decode; their references (if any) are unknown.
    pub corrupt_records: usize,
}

impl Store {
    /// Calls `visit` once per chunk reference held by any record, with the record that holds
    /// it. A chunk named twice by one record is visited twice (reference counts count entries).
    /// Blocking: scans the object and part tables.
    pub fn for_each_chunk_reference(
        &self,
        visit: &mut dyn FnMut(RefHolder<'_>, &ChunkRef),
    ) -> ServiceResult<RefScan> {
        let mut scan = RefScan::default();
        scan_prefix(
            self.kv.as_ref(),
            &KeyCodec::table_prefix(Table::Object),
            1000,
            &mut |k, v| {
                scan.objects += 1;
                let (bucket, key) = KeyCodec::decode_object(k).unwrap_or(("?", "?"));
                match ObjectRecord::decode(v) {
                    Ok(rec) => {
                        for c in rec.data.chunks() {
                            visit(RefHolder::Object { bucket, key }, c);
                        }
                    }
                    Err(_) => scan.corrupt_records += 1,
                }
                true
            },
        )?;
        scan_prefix(
            self.kv.as_ref(),
            &KeyCodec::table_prefix(Table::Version),
            1000,
            &mut |k, v| {
                scan.versions += 1;
                let (bucket, key, stamp) = KeyCodec::decode_version(k).unwrap_or(("?", "?", 0));
                match ObjectRecord::decode(v) {
                    Ok(rec) => {
                        for c in rec.data.chunks() {
                            visit(RefHolder::Version { bucket, key, stamp }, c);
                        }
                    }
                    Err(_) => scan.corrupt_records += 1,
                }
                true
            },
        )?;
        scan_prefix(
            self.kv.as_ref(),
            &KeyCodec::table_prefix(Table::Part),
            1000,
            &mut |k, v| {
                scan.parts += 1;
                let (upload_id, part_number) = KeyCodec::decode_part(k).unwrap_or(("?", 0));
                match PartRecord::decode(v) {
                    Ok(rec) => {
                        for c in &rec.chunks {
                            visit(
                                RefHolder::Part {
                                    upload_id,
                                    part_number,
                                },
                                c,
                            );
                        }
                    }
                    Err(_) => scan.corrupt_records += 1,
                }
                true
            },
        )?;
        Ok(scan)
    }
}
