//! Listing objects: prefix, delimiter (common prefixes count toward max-keys), marker paging.

use super::{ServiceResult, Store};
use crate::meta::{prefix_end, Direction, KeyCodec, ObjectRecord};
use std::ops::Bound;

#[derive(Debug, Clone, Default)]
pub struct ListParams {
    pub prefix: String,
    pub delimiter: Option<String>,
    /// List keys strictly after this one.
    pub marker: Option<String>,
    pub max_keys: usize,
}

#[derive(Debug, Clone)]
pub struct ListEntry {
    pub key: String,
    pub record: ObjectRecord,
}

#[derive(Debug, Clone, Default)]
pub struct ListPage {
    pub entries: Vec<ListEntry>,
    pub common_prefixes: Vec<String>,
    pub truncated: bool,
    /// The last key or common prefix returned (the marker for the next page).
    pub next_marker: Option<String>,
}

const SCAN_PAGE: usize = 1000;

impl Store {
    pub fn list_objects(&self, bucket: &str, p: &ListParams) -> ServiceResult<ListPage> {
        let mut page = ListPage::default();
        if p.max_keys == 0 {
            return Ok(page);
        }
        let base = KeyCodec::object_prefix(bucket);
        let full_prefix = KeyCodec::object(bucket, &p.prefix);
        let end = prefix_end(&full_prefix);
        let marker = p.marker.as_deref().filter(|m| !m.is_empty());
        let mut start: (Vec<u8>, bool) = match marker {
            Some(m) if m.as_bytes() >= p.prefix.as_bytes() => (KeyCodec::object(bucket, m), false),
            _ => (full_prefix.clone(), true),
        };
        let mut count = 0usize;
        'scan: loop {
            let lo = if start.1 {
                Bound::Included(start.0.as_slice())
            } else {
                Bound::Excluded(start.0.as_slice())
            };
            let hi = end.as_deref().map_or(Bound::Unbounded, Bound::Excluded);
            let rows = self.kv.scan(lo, hi, Direction::Forward, SCAN_PAGE)?;
            let exhausted = rows.len() < SCAN_PAGE;
            for (k, v) in &rows {
                let key = match KeyCodec::decode_object(k) {
                    Some((_, key)) => key,
                    None => continue,
                };
                // A key whose latest version is a delete marker is not listed.
                let record = ObjectRecord::decode(v)?;
                if record.delete_marker {
                    continue;
                }
                if let Some(d) = p.delimiter.as_deref().filter(|d| !d.is_empty()) {
                    if let Some(pos) = key[p.prefix.len()..].find(d) {
                        let cp = &key[..p.prefix.len() + pos + d.len()];
                        let already = marker.is_some_and(|m| cp.as_bytes() <= m.as_bytes());
                        if !already {
                            if count == p.max_keys {
                                page.truncated = true;
                                break 'scan;
                            }
                            page.common_prefixes.push(cp.to_string());
                            page.next_marker = Some(cp.to_string());
                            count += 1;
                        }
                        // Skip every key under this common prefix.
                        let mut skip = base.clone();
                        skip.extend_from_slice(cp.as_bytes());
                        match prefix_end(&skip) {
                            Some(next) => start = (next, true),
                            None => break 'scan,
                        }
                        continue 'scan;
                    }
                }
                if count == p.max_keys {
                    page.truncated = true;
                    break 'scan;
                }
                page.entries.push(ListEntry {
                    key: key.to_string(),
                    record,
                });
                page.next_marker = Some(key.to_string());
                count += 1;
            }
            if exhausted {
                break;
            }
            match rows.last() {
                Some((k, _)) => start = (k.clone(), false),
                None => break,
            }
        }
        if !page.truncated {
            page.next_marker = None;
        }
        Ok(page)
    }
}
