//! The rules a verified signature must meet for one request (seed 003:461-484, 525-541).

use super::{LegacyAuthError, LegacySign};
use percent_encoding::percent_decode_str;

/// The kind of signature an operation takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Need {
    /// Multi-use (`e > now`): uploads, stat, list, create directory, downloads.
    Multi,
    /// Single-use (`e = 0`, `f` bound): delete, update, move.
    Once,
    /// Either (copy: the JS v4 SDK signs it multi-use; the seed's table does not name it).
    Either,
}

/// What the request is.
#[derive(Debug, Clone)]
pub struct Expect<'a> {
    pub appid: &'a str,
    /// The short bucket name.
    pub bucket: &'a str,
    /// Decoded forms of `f` that name the addressed resource (`/<appid>/<bucket><path>`, and
    /// for downloads also `<path>`).
    pub resources: &'a [String],
    pub need: Need,
    pub now: i64,
    /// How far from now a once signature's `t` may be (the replay store keeps this long).
    pub once_window: i64,
}

/// 90 days, the longest a multi-use signature may last (003:533).
pub const MAX_MULTI_SECS: i64 = 90 * 24 * 3600;

/// Checks `sign` (already MAC-verified) against the request.
pub fn check(sign: &LegacySign, x: &Expect<'_>) -> Result<(), LegacyAuthError> {
    if sign.appid != x.appid {
        return Err(LegacyAuthError::AppidMismatch);
    }
    if sign.bucket != x.bucket {
        return Err(LegacyAuthError::BucketMismatch);
    }
    let f = percent_decode_str(&sign.fileid)
        .decode_utf8()
        .map_err(|_| LegacyAuthError::FileidMismatch)?;
    if sign.is_once() {
        if x.need == Need::Multi {
            return Err(LegacyAuthError::NeedMulti);
        }
        if f.is_empty() {
            return Err(LegacyAuthError::OnceWithoutFileid);
        }
        if !x.resources.iter().any(|r| *r == f) {
            return Err(LegacyAuthError::FileidMismatch);
        }
        if x.now.saturating_sub(sign.time).saturating_abs() > x.once_window {
            return Err(LegacyAuthError::OnceTooOld);
        }
        return Ok(());
    }
    if x.need == Need::Once {
        return Err(LegacyAuthError::NeedOnce);
    }
    if sign.expire < x.now {
        return Err(LegacyAuthError::Expired);
    }
    if sign.expire.saturating_sub(sign.time.min(x.now)) > MAX_MULTI_SECS {
        return Err(LegacyAuthError::TooLong);
    }
    // A multi-use signature may leave f empty, bind the resource, or bind a directory above it
    // ("前缀匹配", 003:463).
    let covers = |r: &String| *r == f || (f.ends_with('/') && r.starts_with(f.as_ref()));
    if !f.is_empty() && !x.resources.iter().any(covers) {
        return Err(LegacyAuthError::FileidMismatch);
    }
    Ok(())
}
