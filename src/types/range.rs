//! HTTP byte ranges (`Range: bytes=a-b`, `bytes=a-`, `bytes=-n`), single range only.

/// A parsed `Range` header, before it is applied to an object size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RangeSpec {
    /// `bytes=a-b` or `bytes=a-` (end inclusive).
    FromTo(u64, Option<u64>),
    /// `bytes=-n`: the last n bytes.
    Suffix(u64),
}

/// A satisfiable range: `start..start+len`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ByteRange {
    pub start: u64,
    pub len: u64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RangeError {
    /// Syntactically invalid: HTTP says ignore the header and return the whole object.
    #[error("malformed range")]
    Malformed,
    /// Valid syntax but no byte of the object is in it: 416.
    #[error("the requested range is not satisfiable")]
    Unsatisfiable,
}

impl RangeSpec {
    /// Parses a `Range` header value. Multiple ranges are rejected as malformed (whole object).
    pub fn parse(value: &str) -> Result<RangeSpec, RangeError> {
        let spec = value
            .trim()
            .strip_prefix("bytes=")
            .ok_or(RangeError::Malformed)?
            .trim();
        if spec.contains(',') {
            return Err(RangeError::Malformed);
        }
        let (a, b) = spec.split_once('-').ok_or(RangeError::Malformed)?;
        let num = |s: &str| -> Result<u64, RangeError> {
            if s.is_empty() || !s.bytes().all(|c| c.is_ascii_digit()) {
                return Err(RangeError::Malformed);
            }
            s.parse().map_err(|_| RangeError::Malformed)
        };
        match (a.trim(), b.trim()) {
            ("", n) => Ok(RangeSpec::Suffix(num(n)?)),
            (s, "") => Ok(RangeSpec::FromTo(num(s)?, None)),
            (s, e) => {
                let (s, e) = (num(s)?, num(e)?);
                if e < s {
                    return Err(RangeError::Malformed);
                }
                Ok(RangeSpec::FromTo(s, Some(e)))
            }
        }
    }

    /// Applies the range to an object of `size` bytes.
    pub fn resolve(self, size: u64) -> Result<ByteRange, RangeError> {
        match self {
            RangeSpec::FromTo(start, end) => {
                if start >= size {
                    return Err(RangeError::Unsatisfiable);
                }
                let end = end.map_or(size - 1, |e| e.min(size - 1));
                Ok(ByteRange {
                    start,
                    len: end - start + 1,
                })
            }
            RangeSpec::Suffix(n) => {
                if n == 0 || size == 0 {
                    return Err(RangeError::Unsatisfiable);
                }
                let len = n.min(size);
                Ok(ByteRange {
                    start: size - len,
                    len,
                })
            }
        }
    }
}

impl ByteRange {
    /// `Content-Range` value for this range of an object of `size` bytes.
    pub fn content_range(&self, size: u64) -> String {
        format!(
            "bytes {}-{}/{}",
            self.start,
            self.start + self.len - 1,
            size
        )
    }
}

/// What `?partNumber=n` of GET/HEAD Object selects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartSelection {
    /// The whole object (part 1 of an object uploaded in one piece).
    Whole,
    /// The bytes of part `n` of a multipart object.
    Part(ByteRange),
    /// No such part: S3's 416 InvalidPartNumber.
    NoSuchPart,
    /// A multipart object completed before part sizes were kept.
    Unknown,
}

/// Part `n` (from 1) of an object whose parts had `sizes` (empty: not multipart, or parts not
/// recorded when `multipart` says it was).
pub fn select_part(sizes: &[u64], multipart: bool, n: u32) -> PartSelection {
    let n = n as usize;
    if sizes.is_empty() {
        return match (multipart, n) {
            (true, _) => PartSelection::Unknown,
            (false, 1) => PartSelection::Whole,
            (false, _) => PartSelection::NoSuchPart,
        };
    }
    if n == 0 || n > sizes.len() {
        return PartSelection::NoSuchPart;
    }
    PartSelection::Part(ByteRange {
        start: sizes[..n - 1].iter().sum(),
        len: sizes[n - 1],
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    #[allow(clippy::type_complexity)]
    fn parse_and_resolve_table() {
        let cases: &[(&str, u64, Result<(u64, u64), RangeError>)] = &[
            ("bytes=0-4", 10, Ok((0, 5))),
            ("bytes=2-5", 10, Ok((2, 4))),
            ("bytes=5-", 10, Ok((5, 5))),
            ("bytes=-3", 10, Ok((7, 3))),
            ("bytes=-30", 10, Ok((0, 10))),
            ("bytes=8-100", 10, Ok((8, 2))),
            ("bytes=10-", 10, Err(RangeError::Unsatisfiable)),
            ("bytes=10-20", 10, Err(RangeError::Unsatisfiable)),
            ("bytes=-0", 10, Err(RangeError::Unsatisfiable)),
            ("bytes=0-0", 0, Err(RangeError::Unsatisfiable)),
            ("bytes=5-2", 10, Err(RangeError::Malformed)),
            ("bytes=a-b", 10, Err(RangeError::Malformed)),
            ("bytes=0-1,3-4", 10, Err(RangeError::Malformed)),
            ("items=0-1", 10, Err(RangeError::Malformed)),
            ("bytes=-", 10, Err(RangeError::Malformed)),
        ];
        for (header, size, want) in cases {
            let got = RangeSpec::parse(header)
                .and_then(|s| s.resolve(*size))
                .map(|r| (r.start, r.len));
            assert_eq!(&got, want, "{header} on {size}");
        }
        assert_eq!(
            ByteRange { start: 2, len: 4 }.content_range(10),
            "bytes 2-5/10"
        );
    }

    #[test]
    fn part_numbers_select_the_bytes_of_that_part() {
        let sizes = [5u64, 5, 2];
        let part = |start, len| PartSelection::Part(ByteRange { start, len });
        for (n, want) in [
            (1, part(0, 5)),
            (2, part(5, 5)),
            (3, part(10, 2)),
            (4, PartSelection::NoSuchPart),
            (0, PartSelection::NoSuchPart),
        ] {
            assert_eq!(select_part(&sizes, true, n), want, "{n}");
        }
        assert_eq!(select_part(&[], false, 1), PartSelection::Whole);
        assert_eq!(select_part(&[], false, 2), PartSelection::NoSuchPart);
        assert_eq!(select_part(&[], true, 1), PartSelection::Unknown);
    }
}
