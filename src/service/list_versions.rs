//! GET Bucket `?versions`: every version and delete marker, keys ascending and each key's
//! versions newest first, merged from the object table (each key's latest version) and the
//! version table (the older ones), with prefix, delimiter and key/version-id marker paging.

use super::{ServiceResult, Store, VersionRef};
use crate::meta::{prefix_end, Direction, KeyCodec, Kv, ObjectRecord};
use std::collections::VecDeque;
use std::ops::Bound;

#[derive(Debug, Clone, Default)]
pub struct VersionListParams {
    pub prefix: String,
    pub delimiter: Option<String>,
    /// Start after this key (all its versions, or with `version_marker` after that version).
    pub key_marker: Option<String>,
    pub version_marker: Option<VersionRef>,
    pub max_keys: usize,
}

#[derive(Debug, Clone)]
pub struct VersionEntry {
    pub key: String,
    pub record: ObjectRecord,
    pub latest: bool,
}

#[derive(Debug, Clone, Default)]
pub struct VersionPage {
    /// Versions and delete markers, in listing order.
    pub entries: Vec<VersionEntry>,
    pub common_prefixes: Vec<String>,
    pub truncated: bool,
    pub next_key_marker: Option<String>,
    /// The version id to continue after (absent when the page ended on a common prefix).
    pub next_version_marker: Option<String>,
}

const PAGE: usize = 500;

/// Rows of one table in key order from a movable start, read a page at a time.
struct Cursor<'a> {
    kv: &'a dyn Kv,
    lo: Vec<u8>,
    lo_included: bool,
    hi: Option<Vec<u8>>,
    buf: VecDeque<(Vec<u8>, Vec<u8>)>,
    done: bool,
}

impl<'a> Cursor<'a> {
    fn new(kv: &'a dyn Kv, lo: Vec<u8>, lo_included: bool, hi: Option<Vec<u8>>) -> Self {
        Cursor {
            kv,
            lo,
            lo_included,
            hi,
            buf: VecDeque::new(),
            done: false,
        }
    }

    fn peek(&mut self) -> ServiceResult<Option<&(Vec<u8>, Vec<u8>)>> {
        if self.buf.is_empty() && !self.done {
            let lo = if self.lo_included {
                Bound::Included(self.lo.as_slice())
            } else {
                Bound::Excluded(self.lo.as_slice())
            };
            let hi = self.hi.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
            let rows = self.kv.scan(lo, hi, Direction::Forward, PAGE)?;
            self.done = rows.len() < PAGE;
            if let Some((k, _)) = rows.last() {
                self.lo = k.clone();
                self.lo_included = false;
            }
            self.buf.extend(rows);
        }
        Ok(self.buf.front())
    }

    fn pop(&mut self) -> Option<(Vec<u8>, Vec<u8>)> {
        self.buf.pop_front()
    }

    /// Moves the start to `lo` (inclusive), forgetting what was read ahead.
    fn seek(&mut self, lo: Vec<u8>) {
        self.buf.clear();
        self.lo = lo;
        self.lo_included = true;
        self.done = false;
    }
}

impl Store {
    pub fn list_versions(&self, bucket: &str, p: &VersionListParams) -> ServiceResult<VersionPage> {
        let mut page = VersionPage::default();
        if p.max_keys == 0 {
            return Ok(page);
        }
        let kv = self.kv.as_ref();
        let o_hi = prefix_end(&KeyCodec::object(bucket, &p.prefix));
        let v_hi = prefix_end(&KeyCodec::version_prefix(bucket, &p.prefix, true));
        let marker = p
            .key_marker
            .as_deref()
            .filter(|m| !m.is_empty() && m.as_bytes() >= p.prefix.as_bytes());
        let (mut objects, mut versions) = match marker {
            None => (
                Cursor::new(kv, KeyCodec::object(bucket, &p.prefix), true, o_hi),
                Cursor::new(
                    kv,
                    KeyCodec::version_prefix(bucket, &p.prefix, true),
                    true,
                    v_hi,
                ),
            ),
            Some(k) => {
                // The key's latest version (in `O`) is always its newest: a version marker
                // names it or an older one, so the listing resumes among the key's `V` rows.
                let objects = Cursor::new(kv, KeyCodec::object(bucket, k), false, o_hi);
                let all_of_key = KeyCodec::version_prefix(bucket, k, false);
                let after_key = prefix_end(&all_of_key).unwrap_or_default();
                let resume = match p.version_marker {
                    None => Some((after_key, true)),
                    Some(which) => match self.find_version(bucket, k, which)? {
                        Some((None, _)) => Some((all_of_key, true)),
                        Some((Some(stamp), _)) => {
                            Some((KeyCodec::version(bucket, k, stamp), false))
                        }
                        None => match which {
                            VersionRef::Stamp(s) => Some((KeyCodec::version(bucket, k, s), false)),
                            VersionRef::Null => Some((after_key, true)),
                        },
                    },
                };
                let (lo, incl) = resume.unwrap_or_default();
                (objects, Cursor::new(kv, lo, incl, v_hi))
            }
        };
        let delimiter = p.delimiter.as_deref().filter(|d| !d.is_empty());
        let mut count = 0usize;
        loop {
            // The next row: the smaller key; for one key, its latest (`O`) row first.
            let o_key = match objects.peek()? {
                Some((k, _)) => KeyCodec::decode_object(k).map(|(_, key)| key.to_string()),
                None => None,
            };
            let v_key = match versions.peek()? {
                Some((k, _)) => KeyCodec::decode_version(k).map(|(_, key, _)| key.to_string()),
                None => None,
            };
            let (key, from_o) = match (o_key, v_key) {
                (None, None) => break,
                (Some(o), None) => (o, true),
                (None, Some(v)) => (v, false),
                (Some(o), Some(v)) => {
                    if o.as_bytes() <= v.as_bytes() {
                        (o, true)
                    } else {
                        (v, false)
                    }
                }
            };
            if let Some(d) = delimiter {
                if let Some(pos) = key.get(p.prefix.len()..).and_then(|rest| rest.find(d)) {
                    let cp = key[..p.prefix.len() + pos + d.len()].to_string();
                    let already = marker.is_some_and(|m| cp.as_bytes() <= m.as_bytes());
                    if !already {
                        if count == p.max_keys {
                            page.truncated = true;
                            break;
                        }
                        page.common_prefixes.push(cp.clone());
                        page.next_key_marker = Some(cp.clone());
                        page.next_version_marker = None;
                        count += 1;
                    }
                    match prefix_end(&KeyCodec::object(bucket, &cp)) {
                        Some(next) => objects.seek(next),
                        None => break,
                    }
                    match prefix_end(&KeyCodec::version_prefix(bucket, &cp, true)) {
                        Some(next) => versions.seek(next),
                        None => break,
                    }
                    continue;
                }
            }
            if count == p.max_keys {
                page.truncated = true;
                break;
            }
            let (_, v) = if from_o {
                objects.pop()
            } else {
                versions.pop()
            }
            .unwrap_or_default();
            let record = ObjectRecord::decode(&v)?;
            page.next_key_marker = Some(key.clone());
            page.next_version_marker = Some(super::version_id(&record));
            page.entries.push(VersionEntry {
                key,
                record,
                latest: from_o,
            });
            count += 1;
        }
        if !page.truncated {
            page.next_key_marker = None;
            page.next_version_marker = None;
        }
        Ok(page)
    }
}
