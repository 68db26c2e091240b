//! Which lifecycle action is due for one object version at `now` (pure; docs/lifecycle.md,
//! "Timing"). The worker (`service::lifecycle`) describes each version of a key as a
//! [`Version`], asks [`due`], and re-asks under the commit lock before it acts.

use super::{class_rank, LifecycleConfig, Rule, When};

/// One day in ms at S3's day length.
const DAY_MS: i64 = 86_400_000;

/// One object version as the rules see it.
#[derive(Debug, Clone, Copy)]
pub struct Version<'a> {
    pub key: &'a str,
    pub size: u64,
    pub tags: &'a [(String, String)],
    /// When the version was written (ms).
    pub created_ms: i64,
    /// `None` for the current (latest) version; for a noncurrent one, when it became noncurrent
    /// (the write time of the next newer version).
    pub noncurrent_since_ms: Option<i64>,
    /// How many noncurrent versions of the key are newer than this one.
    pub newer_noncurrent: usize,
    pub delete_marker: bool,
    /// The key has no noncurrent versions (only meaningful for the current version).
    pub sole: bool,
    pub storage_class: &'a str,
}

/// An action due for a version.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Due {
    /// The current object expires: deleted (unversioned bucket) or hidden under a new delete
    /// marker (versioned).
    Expire,
    /// A noncurrent version is removed for good.
    DeleteVersion,
    /// A delete marker with no noncurrent versions left is removed.
    RemoveMarker,
    /// The version moves to this storage class (metadata only, same version).
    Transition(String),
}

/// The time at which something `days` days after `start_ms` is due. At S3's day length
/// (`day_secs` = 86400) the moment is rounded up to the next midnight UTC, as S3 does; with
/// another day length (tests, demos) it is exactly `start + days × day_secs`.
pub fn due_at(start_ms: i64, days: u32, day_secs: u64) -> i64 {
    let day_ms = (day_secs as i64).saturating_mul(1000);
    let t = start_ms.saturating_add((days as i64).saturating_mul(day_ms));
    if day_ms == DAY_MS {
        let rem = t.rem_euclid(DAY_MS);
        if rem == 0 {
            t
        } else {
            t - rem + DAY_MS
        }
    } else {
        t
    }
}

fn reached(when: When, start_ms: i64, now_ms: i64, day_secs: u64) -> bool {
    match when {
        When::Days(d) => now_ms >= due_at(start_ms, d, day_secs),
        When::Date(ms) => now_ms >= ms,
    }
}

/// The action due for `v` at `now_ms`, with the ID of the rule that asks for it: expiration
/// wins over transition; among transitions, the coldest class due; a transition only moves
/// to a colder class than the version's. Disabled rules never act.
pub fn due<'c>(
    config: &'c LifecycleConfig,
    v: &Version<'_>,
    now_ms: i64,
    day_secs: u64,
) -> Option<(Due, &'c str)> {
    let mut best: Option<(Due, &'c str)> = None;
    for r in config.rules.iter().filter(|r| r.enabled) {
        let Some(d) = rule_due(r, v, now_ms, day_secs) else {
            continue;
        };
        best = match (best, d) {
            (None, d) => Some((d, &r.id)),
            (Some((Due::Transition(a), id)), Due::Transition(b)) => {
                if class_rank(&b) > class_rank(&a) {
                    Some((Due::Transition(b), &r.id))
                } else {
                    Some((Due::Transition(a), id))
                }
            }
            (Some((Due::Transition(_), _)), d) => Some((d, &r.id)),
            (keep, _) => keep,
        };
    }
    best
}

fn rule_due(r: &Rule, v: &Version<'_>, now_ms: i64, day_secs: u64) -> Option<Due> {
    if v.delete_marker {
        // Markers have no size or tags; only the prefix selects them.
        if !v.key.starts_with(r.filter.prefix()) {
            return None;
        }
        return match v.noncurrent_since_ms {
            None => {
                let wanted = r
                    .expiration
                    .as_ref()
                    .and_then(|e| e.expired_object_delete_marker)
                    == Some(true);
                (wanted && v.sole).then_some(Due::RemoveMarker)
            }
            Some(since) => {
                let n = r.noncurrent_expiration.as_ref()?;
                noncurrent_reached(n.days, n.newer, since, v, now_ms, day_secs)
                    .then_some(Due::DeleteVersion)
            }
        };
    }
    if !r.filter.matches(v.key, v.size, v.tags) {
        return None;
    }
    let rank = class_rank(v.storage_class);
    let coldest = |due: &mut dyn Iterator<Item = &String>| {
        due.filter(|c| class_rank(c) > rank)
            .max_by_key(|c| class_rank(c))
            .map(|c| Due::Transition(c.clone()))
    };
    match v.noncurrent_since_ms {
        None => {
            let expire = r
                .expiration
                .as_ref()
                .and_then(|e| e.when)
                .is_some_and(|w| reached(w, v.created_ms, now_ms, day_secs));
            if expire {
                return Some(Due::Expire);
            }
            coldest(
                &mut r
                    .transitions
                    .iter()
                    .filter(|t| reached(t.when, v.created_ms, now_ms, day_secs))
                    .map(|t| &t.storage_class),
            )
        }
        Some(since) => {
            if let Some(n) = &r.noncurrent_expiration {
                if noncurrent_reached(n.days, n.newer, since, v, now_ms, day_secs) {
                    return Some(Due::DeleteVersion);
                }
            }
            coldest(
                &mut r
                    .noncurrent_transitions
                    .iter()
                    .filter(|t| noncurrent_reached(t.days, t.newer, since, v, now_ms, day_secs))
                    .map(|t| &t.storage_class),
            )
        }
    }
}

/// A noncurrent action applies once the version has been noncurrent for `days` and at least
/// `newer` noncurrent versions newer than it are kept.
fn noncurrent_reached(
    days: u32,
    newer: Option<u32>,
    since_ms: i64,
    v: &Version<'_>,
    now_ms: i64,
    day_secs: u64,
) -> bool {
    v.newer_noncurrent >= newer.unwrap_or(0) as usize && now_ms >= due_at(since_ms, days, day_secs)
}

/// The rules that abort incomplete multipart uploads of `key` initiated at `initiated_ms`:
/// the ID of the first one due at `now_ms`.
pub fn abort_due<'c>(
    config: &'c LifecycleConfig,
    key: &str,
    initiated_ms: i64,
    now_ms: i64,
    day_secs: u64,
) -> Option<&'c str> {
    config
        .rules
        .iter()
        .filter(|r| r.enabled && key.starts_with(r.filter.prefix()))
        .find(|r| {
            r.abort_days
                .is_some_and(|d| now_ms >= due_at(initiated_ms, d, day_secs))
        })
        .map(|r| r.id.as_str())
}

/// Whether any enabled rule could act on a key with this name (a cheap pre-filter before a
/// key's versions are read).
pub fn may_apply(config: &LifecycleConfig, key: &str) -> bool {
    config
        .rules
        .iter()
        .any(|r| r.enabled && key.starts_with(r.filter.prefix()))
}
