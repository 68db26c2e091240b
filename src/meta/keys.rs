//! The key codec: every metadata key is built and decoded here, nowhere else.
//! The layout is documented in `docs/keyspace.md`.

/// The first byte of every key names its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum Table {
    /// `B <bucket>` -> BucketRecord
    Bucket = b'B',
    /// `O <len u8> <bucket> <key>` -> ObjectRecord
    Object = b'O',
    /// `C <chunk id 32 bytes>` -> ChunkRefcount
    Chunk = b'C',
    /// `G <due ms u64 BE> <chunk id 32 bytes>` -> GcEntry
    Gc = b'G',
    /// `K <secret id>` -> AccessKeyRecord
    AccessKey = b'K',
    /// `U <len u8> <bucket> <key> 0x00 <upload id>` -> UploadRecord
    Upload = b'U',
    /// `P <upload id> 0x00 <part number u32 BE>` -> PartRecord
    Part = b'P',
    /// `A <uin>` -> AccountRecord (root accounts)
    Account = b'A',
    /// `S <root uin> 0x00 <uin>` -> UserRecord (sub-accounts)
    User = b'S',
    /// `T <root uin> 0x00 <group name>` -> GroupRecord
    Group = b'T',
    /// `R <signing time u64 BE> <MAC 20 bytes>` -> OnceSignatureRecord (used JSON API once
    /// signatures; ordered by time so old ones are forgotten by a range scan)
    OnceSign = b'R',
    /// `E <temporary secret id>` -> TempKeyRecord (STS-issued temporary keys)
    TempKey = b'E',
    /// `V <len u8> <bucket> <key> 0x00 <u64::MAX - stamp, BE>` -> ObjectRecord: the noncurrent
    /// versions of a key, newest first (object keys never contain 0x00)
    Version = b'V',
    /// `L <bucket>` -> LifecycleCursor: how far the lifecycle worker's current pass over the
    /// bucket got (absent between passes)
    Lifecycle = b'L',
    /// `N <len u8> <webhook id> <seq u64 BE>` -> OutboxEntry: notification events not yet
    /// acknowledged by their webhook, in sequence order per webhook
    Outbox = b'N',
    /// `Q` -> u64 BE (no format byte): the next notification sequence number (kept, so
    /// sequence numbers never repeat after the outbox empties or the server restarts)
    OutboxSeq = b'Q',
    /// `_lsn` -> u64 BE: the metadata log lsn of the last batch applied (written with every
    /// batch; after a crash, the database's flushed tables say where the log replay starts)
    Internal = b'_',
}

/// Builds and parses keys.
pub struct KeyCodec;

impl KeyCodec {
    pub fn log_lsn() -> &'static [u8] {
        b"_lsn"
    }

    pub fn bucket(name: &str) -> Vec<u8> {
        let mut k = Vec::with_capacity(1 + name.len());
        k.push(Table::Bucket as u8);
        k.extend_from_slice(name.as_bytes());
        k
    }

    pub fn bucket_prefix() -> Vec<u8> {
        vec![Table::Bucket as u8]
    }

    pub fn decode_bucket(key: &[u8]) -> Option<&str> {
        key.strip_prefix(&[Table::Bucket as u8])
            .and_then(|b| std::str::from_utf8(b).ok())
    }

    /// The prefix of all object keys of `bucket` (bucket names are at most 71 bytes).
    pub fn object_prefix(bucket: &str) -> Vec<u8> {
        let mut k = Vec::with_capacity(2 + bucket.len());
        k.push(Table::Object as u8);
        k.push(bucket.len() as u8);
        k.extend_from_slice(bucket.as_bytes());
        k
    }

    /// True for the key of an object record.
    pub fn is_object(key: &[u8]) -> bool {
        key.first() == Some(&(Table::Object as u8))
    }

    pub fn object(bucket: &str, key: &str) -> Vec<u8> {
        let mut k = Self::object_prefix(bucket);
        k.extend_from_slice(key.as_bytes());
        k
    }

    /// Splits an object key into (bucket, object key).
    pub fn decode_object(key: &[u8]) -> Option<(&str, &str)> {
        let rest = key.strip_prefix(&[Table::Object as u8])?;
        let (&len, rest) = rest.split_first()?;
        let len = len as usize;
        if rest.len() < len {
            return None;
        }
        let bucket = std::str::from_utf8(&rest[..len]).ok()?;
        let object = std::str::from_utf8(&rest[len..]).ok()?;
        Some((bucket, object))
    }

    /// The prefix of every noncurrent version in `bucket`.
    pub fn version_bucket_prefix(bucket: &str) -> Vec<u8> {
        let mut k = Vec::with_capacity(2 + bucket.len());
        k.push(Table::Version as u8);
        k.push(bucket.len() as u8);
        k.extend_from_slice(bucket.as_bytes());
        k
    }

    /// The prefix of the noncurrent versions of one key (`key_prefix` false), or of every key
    /// starting with `key` (`key_prefix` true).
    pub fn version_prefix(bucket: &str, key: &str, key_prefix: bool) -> Vec<u8> {
        let mut k = Self::version_bucket_prefix(bucket);
        k.extend_from_slice(key.as_bytes());
        if !key_prefix {
            k.push(0);
        }
        k
    }

    pub fn version(bucket: &str, key: &str, stamp: u64) -> Vec<u8> {
        let mut k = Self::version_prefix(bucket, key, false);
        k.extend_from_slice(&(u64::MAX - stamp).to_be_bytes());
        k
    }

    /// Splits a version key into (bucket, object key, stamp).
    pub fn decode_version(key: &[u8]) -> Option<(&str, &str, u64)> {
        let rest = key.strip_prefix(&[Table::Version as u8])?;
        let (&len, rest) = rest.split_first()?;
        let len = len as usize;
        let tail = rest.len().checked_sub(9)?;
        if tail < len || rest[tail] != 0 {
            return None;
        }
        let bucket = std::str::from_utf8(&rest[..len]).ok()?;
        let object = std::str::from_utf8(&rest[len..tail]).ok()?;
        let inv = u64::from_be_bytes(rest[tail + 1..].try_into().ok()?);
        Some((bucket, object, u64::MAX - inv))
    }

    pub fn chunk(id: &[u8; 32]) -> Vec<u8> {
        let mut k = Vec::with_capacity(33);
        k.push(Table::Chunk as u8);
        k.extend_from_slice(id);
        k
    }

    pub fn chunk_prefix() -> Vec<u8> {
        vec![Table::Chunk as u8]
    }

    pub fn decode_chunk(key: &[u8]) -> Option<[u8; 32]> {
        key.strip_prefix(&[Table::Chunk as u8])?.try_into().ok()
    }

    pub fn gc(due_ms: u64, id: &[u8; 32]) -> Vec<u8> {
        let mut k = Vec::with_capacity(41);
        k.push(Table::Gc as u8);
        k.extend_from_slice(&due_ms.to_be_bytes());
        k.extend_from_slice(id);
        k
    }

    pub fn gc_prefix() -> Vec<u8> {
        vec![Table::Gc as u8]
    }

    pub fn decode_gc(key: &[u8]) -> Option<(u64, [u8; 32])> {
        let rest = key.strip_prefix(&[Table::Gc as u8])?;
        if rest.len() != 40 {
            return None;
        }
        let due = u64::from_be_bytes(rest[..8].try_into().ok()?);
        Some((due, rest[8..].try_into().ok()?))
    }

    pub fn access_key(secret_id: &str) -> Vec<u8> {
        let mut k = vec![Table::AccessKey as u8];
        k.extend_from_slice(secret_id.as_bytes());
        k
    }

    pub fn access_key_prefix() -> Vec<u8> {
        vec![Table::AccessKey as u8]
    }

    /// The prefix of all upload keys of `bucket`.
    pub fn upload_prefix(bucket: &str) -> Vec<u8> {
        let mut k = vec![Table::Upload as u8, bucket.len() as u8];
        k.extend_from_slice(bucket.as_bytes());
        k
    }

    pub fn upload(bucket: &str, key: &str, upload_id: &str) -> Vec<u8> {
        let mut k = Self::upload_prefix(bucket);
        k.extend_from_slice(key.as_bytes());
        k.push(0);
        k.extend_from_slice(upload_id.as_bytes());
        k
    }

    /// Splits an upload key into (bucket, object key, upload id).
    pub fn decode_upload(key: &[u8]) -> Option<(&str, &str, &str)> {
        let rest = key.strip_prefix(&[Table::Upload as u8])?;
        let (&len, rest) = rest.split_first()?;
        let len = len as usize;
        if rest.len() < len {
            return None;
        }
        let bucket = std::str::from_utf8(&rest[..len]).ok()?;
        let rest = &rest[len..];
        let sep = rest.iter().rposition(|b| *b == 0)?;
        let object = std::str::from_utf8(&rest[..sep]).ok()?;
        let id = std::str::from_utf8(&rest[sep + 1..]).ok()?;
        Some((bucket, object, id))
    }

    pub fn part_prefix(upload_id: &str) -> Vec<u8> {
        let mut k = vec![Table::Part as u8];
        k.extend_from_slice(upload_id.as_bytes());
        k.push(0);
        k
    }

    pub fn part(upload_id: &str, part_number: u32) -> Vec<u8> {
        let mut k = Self::part_prefix(upload_id);
        k.extend_from_slice(&part_number.to_be_bytes());
        k
    }

    /// The outbox prefix of webhook `target` (ids are at most 255 bytes: configuration).
    pub fn outbox_prefix(target: &str) -> Vec<u8> {
        let mut k = Vec::with_capacity(2 + target.len() + 8);
        k.push(Table::Outbox as u8);
        k.push(target.len().min(255) as u8);
        k.extend_from_slice(target.as_bytes());
        k
    }

    pub fn outbox(target: &str, seq: u64) -> Vec<u8> {
        let mut k = Self::outbox_prefix(target);
        k.extend_from_slice(&seq.to_be_bytes());
        k
    }

    /// The prefix of every outbox entry.
    pub fn outbox_all() -> Vec<u8> {
        vec![Table::Outbox as u8]
    }

    /// Splits an outbox key into (webhook id, seq).
    pub fn decode_outbox(key: &[u8]) -> Option<(&str, u64)> {
        let rest = key.strip_prefix(&[Table::Outbox as u8])?;
        let (&len, rest) = rest.split_first()?;
        let len = len as usize;
        if rest.len() != len + 8 {
            return None;
        }
        let target = std::str::from_utf8(&rest[..len]).ok()?;
        Some((target, u64::from_be_bytes(rest[len..].try_into().ok()?)))
    }

    pub fn outbox_seq() -> &'static [u8] {
        b"Q"
    }

    /// The lifecycle worker's progress through `bucket`.
    pub fn lifecycle_cursor(bucket: &str) -> Vec<u8> {
        let mut k = vec![Table::Lifecycle as u8];
        k.extend_from_slice(bucket.as_bytes());
        k
    }

    /// The whole table (for tables loaded in full, such as accounts, users and groups).
    pub fn table_prefix(table: Table) -> Vec<u8> {
        vec![table as u8]
    }

    pub fn account(uin: &str) -> Vec<u8> {
        let mut k = vec![Table::Account as u8];
        k.extend_from_slice(uin.as_bytes());
        k
    }

    /// `S`/`T` keys: `<table> <root uin> 0x00 <name>`.
    pub fn scoped(table: Table, root_uin: &str, name: &str) -> Vec<u8> {
        let mut k = vec![table as u8];
        k.extend_from_slice(root_uin.as_bytes());
        k.push(0);
        k.extend_from_slice(name.as_bytes());
        k
    }

    pub fn temp_key(secret_id: &str) -> Vec<u8> {
        let mut k = vec![Table::TempKey as u8];
        k.extend_from_slice(secret_id.as_bytes());
        k
    }

    pub fn once_sign(time: u64, mac: &[u8; 20]) -> Vec<u8> {
        let mut k = Vec::with_capacity(29);
        k.push(Table::OnceSign as u8);
        k.extend_from_slice(&time.to_be_bytes());
        k.extend_from_slice(mac);
        k
    }

    /// The first key of signatures signed at `time` or later.
    pub fn once_sign_from(time: u64) -> Vec<u8> {
        let mut k = vec![Table::OnceSign as u8];
        k.extend_from_slice(&time.to_be_bytes());
        k
    }

    /// Splits a part key into (upload id, part number).
    pub fn decode_part(key: &[u8]) -> Option<(&str, u32)> {
        let rest = key.strip_prefix(&[Table::Part as u8])?;
        let split = rest.len().checked_sub(5)?;
        let (id, tail) = rest.split_at(split);
        let (&sep, number) = tail.split_first()?;
        if sep != 0 {
            return None;
        }
        Some((
            std::str::from_utf8(id).ok()?,
            u32::from_be_bytes(number.try_into().ok()?),
        ))
    }

    pub fn decode_part_number(key: &[u8]) -> Option<u32> {
        let tail = key.get(key.len().checked_sub(4)?..)?;
        Some(u32::from_be_bytes(tail.try_into().ok()?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn object_keys_round_trip_and_sort_by_key_within_a_bucket() {
        let k = KeyCodec::object("b-1250000000", "dir/a b.txt");
        assert_eq!(
            KeyCodec::decode_object(&k),
            Some(("b-1250000000", "dir/a b.txt"))
        );
        assert!(k.starts_with(&KeyCodec::object_prefix("b-1250000000")));
        // A bucket whose name is a prefix of another never shares object keys with it.
        assert!(!KeyCodec::object("b-12", "x").starts_with(&KeyCodec::object_prefix("b-1")));
        let mut keys = ["b", "a/c", "a", "a/b", "\u{4e2d}"].map(|x| KeyCodec::object("x-1", x));
        keys.sort();
        let decoded: Vec<&str> = keys
            .iter()
            .map(|k| KeyCodec::decode_object(k).unwrap().1)
            .collect();
        assert_eq!(decoded, ["a", "a/b", "a/c", "b", "\u{4e2d}"]);
        assert_eq!(KeyCodec::decode_object(b"O\x05ab"), None);
    }

    #[test]
    fn version_keys_sort_by_key_then_newest_first() {
        let k = KeyCodec::version("b-1", "dir/a", 42);
        assert_eq!(KeyCodec::decode_version(&k), Some(("b-1", "dir/a", 42)));
        assert!(k.starts_with(&KeyCodec::version_prefix("b-1", "dir/a", false)));
        assert!(k.starts_with(&KeyCodec::version_prefix("b-1", "dir/", true)));
        assert!(!k.starts_with(&KeyCodec::version_prefix("b-1", "dir", false)));
        let mut keys = [
            KeyCodec::version("b-1", "a/b", 9),
            KeyCodec::version("b-1", "a", 1),
            KeyCodec::version("b-1", "a", 0),
            KeyCodec::version("b-1", "a", 7),
        ];
        keys.sort();
        let decoded: Vec<_> = keys
            .iter()
            .map(|k| {
                let (_, key, s) = KeyCodec::decode_version(k).unwrap();
                (key.to_string(), s)
            })
            .collect();
        let want = [("a", 7), ("a", 1), ("a", 0), ("a/b", 9)];
        assert_eq!(decoded, want.map(|(k, s)| (k.to_string(), s)));
        assert_eq!(KeyCodec::decode_version(b"V\x03b-1a"), None);
    }

    #[test]
    fn upload_and_part_keys() {
        let k = KeyCodec::upload("b-1", "dir/a b", "0001abc");
        assert_eq!(
            KeyCodec::decode_upload(&k),
            Some(("b-1", "dir/a b", "0001abc"))
        );
        assert!(k.starts_with(&KeyCodec::upload_prefix("b-1")));
        let p2 = KeyCodec::part("u1", 2);
        let p10 = KeyCodec::part("u1", 10);
        assert!(p2 < p10, "parts sort numerically");
        assert!(p10.starts_with(&KeyCodec::part_prefix("u1")));
        assert!(!KeyCodec::part("u10", 1).starts_with(&KeyCodec::part_prefix("u1")));
        assert_eq!(
            KeyCodec::decode_part(&KeyCodec::part("u10", 7)),
            Some(("u10", 7))
        );
        assert_eq!(KeyCodec::decode_part(b"Pshort"), None);
        assert_eq!(KeyCodec::decode_part_number(&p10), Some(10));
    }

    #[test]
    fn gc_keys_sort_by_due_time() {
        let id = [7u8; 32];
        let a = KeyCodec::gc(5, &id);
        let b = KeyCodec::gc(300, &[0u8; 32]);
        assert!(a < b);
        assert_eq!(KeyCodec::decode_gc(&a), Some((5, id)));
        assert_eq!(KeyCodec::decode_chunk(&KeyCodec::chunk(&id)), Some(id));
        assert_eq!(
            KeyCodec::decode_bucket(&KeyCodec::bucket("b-1")),
            Some("b-1")
        );
    }
}
