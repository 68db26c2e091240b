//! Archive storage classes and their restores (docs/storage-classes.md): whether a version's
//! bytes may be read now, and the restore state machine. The cores are pure functions of the
//! record and the clock's `now`; readability is evaluated lazily at every read, so no
//! background worker moves a restore along (a lifecycle transition that only sets
//! `storage_class` to an archive class makes the object unreadable at once).

use super::{ServiceError, ServiceResult, Store, VersionRef};
use crate::meta::ObjectRecord;
use crate::types::{RestoreState, RestoreTier, StorageClass};
use std::sync::{Arc, Mutex};

/// DEEP_ARCHIVE restores take this many times the ARCHIVE delay of the same tier (real COS:
/// Standard 3-5 h vs 12-24 h, Bulk 5-12 h vs 24-48 h).
pub const DEEP_ARCHIVE_FACTOR: i64 = 4;

/// The longest restore COS allows, in days.
pub const MAX_RESTORE_DAYS: u32 = 365;

/// Simulated restore delays and the length of a restore "day", in ms (from configuration).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestoreTimings {
    pub expedited_ms: i64,
    pub standard_ms: i64,
    pub bulk_ms: i64,
    pub day_ms: i64,
}

impl RestoreTimings {
    pub fn from_config(c: &crate::config::Config) -> RestoreTimings {
        let ms = |s: u64| (s as i64).saturating_mul(1000);
        RestoreTimings {
            expedited_ms: ms(c.restore_expedited_secs),
            standard_ms: ms(c.restore_standard_secs),
            bulk_ms: ms(c.restore_bulk_secs),
            day_ms: ms(c.lifecycle_day_secs),
        }
    }

    fn delay_ms(&self, class: StorageClass, tier: RestoreTier) -> i64 {
        let base = match tier {
            RestoreTier::Expedited => self.expedited_ms,
            RestoreTier::Standard => self.standard_ms,
            RestoreTier::Bulk => self.bulk_ms,
        };
        if class.is_deep_archive() {
            base.saturating_mul(DEEP_ARCHIVE_FACTOR)
        } else {
            base
        }
    }
}

/// Whether the version's bytes may be read at `now_ms`: always, unless its stored class is an
/// archive class; then only while a restored copy is ready and not expired.
pub fn is_readable(rec: &ObjectRecord, now_ms: i64) -> bool {
    if !StorageClass::of_stored(&rec.storage_class).is_archive() {
        return true;
    }
    rec.restore
        .is_some_and(|r| now_ms >= r.ready_ms && now_ms < r.expires_ms)
}

/// What HEAD reports about a restore (`x-cos-restore`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreStatus {
    Ongoing,
    Ready { expires_ms: i64 },
}

/// The restore of an archived version at `now_ms`; None when there is none (never requested,
/// expired, or the version is no longer archived).
pub fn restore_status(rec: &ObjectRecord, now_ms: i64) -> Option<RestoreStatus> {
    if !StorageClass::of_stored(&rec.storage_class).is_archive() {
        return None;
    }
    let r = rec.restore?;
    if now_ms < r.ready_ms {
        Some(RestoreStatus::Ongoing)
    } else if now_ms < r.expires_ms {
        Some(RestoreStatus::Ready {
            expires_ms: r.expires_ms,
        })
    } else {
        None
    }
}

/// A POST Object restore request, validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RestoreRequest {
    pub days: u32,
    pub tier: RestoreTier,
}

/// How a restore request was taken.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RestoreOutcome {
    /// A new restore began (202 Accepted).
    Accepted,
    /// The copy was already restored; its expiry moved to now + Days (200 OK).
    Extended,
}

/// Why a restore request is refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RestoreRefusal {
    /// The version is not in an archive class (403 InvalidObjectState).
    NotArchived,
    /// A restore of the version is still running (409 RestoreAlreadyInProgress).
    InProgress,
    /// The class has no such tier (DEEP_ARCHIVE: no Expedited).
    TierUnavailable(StorageClass, RestoreTier),
}

impl From<RestoreRefusal> for ServiceError {
    fn from(r: RestoreRefusal) -> Self {
        match r {
            RestoreRefusal::NotArchived => ServiceError::InvalidObjectState(
                "Restore is not allowed for the object's current storage class.".into(),
            ),
            RestoreRefusal::InProgress => ServiceError::RestoreAlreadyInProgress,
            RestoreRefusal::TierUnavailable(c, t) => ServiceError::InvalidArgument(format!(
                "The {} retrieval tier is not available for the {c} storage class.",
                t.as_str()
            )),
        }
    }
}

/// The restore state after `req` at `now_ms`, given the version's class and current state.
pub fn plan_restore(
    class: StorageClass,
    current: Option<RestoreState>,
    req: RestoreRequest,
    t: &RestoreTimings,
    now_ms: i64,
) -> Result<(RestoreState, RestoreOutcome), RestoreRefusal> {
    if !class.is_archive() {
        return Err(RestoreRefusal::NotArchived);
    }
    if class.is_deep_archive() && req.tier == RestoreTier::Expedited {
        return Err(RestoreRefusal::TierUnavailable(class, req.tier));
    }
    let days_ms = i64::from(req.days).saturating_mul(t.day_ms);
    match current {
        Some(r) if now_ms < r.ready_ms => Err(RestoreRefusal::InProgress),
        Some(r) if now_ms < r.expires_ms => Ok((
            RestoreState {
                expires_ms: now_ms.saturating_add(days_ms),
                ..r
            },
            RestoreOutcome::Extended,
        )),
        _ => {
            let ready_ms = now_ms.saturating_add(t.delay_ms(class, req.tier));
            Ok((
                RestoreState {
                    requested_ms: now_ms,
                    ready_ms,
                    expires_ms: ready_ms.saturating_add(days_ms),
                    tier: req.tier,
                },
                RestoreOutcome::Accepted,
            ))
        }
    }
}

impl Store {
    /// POST Object restore of one version (the latest, or the one named): one metadata update
    /// of that version in place, no new version.
    pub async fn restore_object(
        self: &Arc<Self>,
        bucket: &str,
        key: &str,
        which: Option<VersionRef>,
        req: RestoreRequest,
        timings: RestoreTimings,
    ) -> ServiceResult<(ObjectRecord, RestoreOutcome)> {
        let outcome = Arc::new(Mutex::new(RestoreOutcome::Accepted));
        // Every accepted restore request (also one extending a restored copy) is notified.
        let event = Some(crate::bucket_config::notification::EventName::RestorePost);
        let out = Arc::clone(&outcome);
        let rec = self
            .modify_version_as(bucket, key, which, event, move |rec, now| {
                let class = StorageClass::of_stored(&rec.storage_class);
                let (state, how) = plan_restore(class, rec.restore, req, &timings, now)?;
                rec.restore = Some(state);
                if let Ok(mut o) = out.lock() {
                    *o = how;
                }
                Ok(())
            })
            .await?;
        let how = outcome
            .lock()
            .map(|o| *o)
            .unwrap_or(RestoreOutcome::Accepted);
        Ok((rec, how))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: RestoreTimings = RestoreTimings {
        expedited_ms: 2_000,
        standard_ms: 5_000,
        bulk_ms: 10_000,
        day_ms: 100_000,
    };

    fn req(days: u32, tier: RestoreTier) -> RestoreRequest {
        RestoreRequest { days, tier }
    }

    fn record(class: &str, restore: Option<RestoreState>) -> ObjectRecord {
        // A literal version-1 (JSON) record.
        let mut v1 = vec![1u8];
        v1.extend_from_slice(br#"{"size":3,"etag":"x","crc64":0,"mtime_ms":5,"meta":[],"storage_class":"STANDARD","data":{"inline":"eHl6"}}"#);
        let mut r = ObjectRecord::decode(&v1).unwrap();
        r.storage_class = class.into();
        r.restore = restore;
        r
    }

    /// (class, current state, request, now) -> result
    type Row = (
        StorageClass,
        Option<RestoreState>,
        RestoreRequest,
        i64,
        Result<(RestoreState, RestoreOutcome), RestoreRefusal>,
    );

    #[test]
    fn restore_state_machine() {
        use RestoreTier::*;
        let a = StorageClass::Archive;
        let d = StorageClass::DeepArchive;
        let ongoing = RestoreState {
            requested_ms: 1_000,
            ready_ms: 3_000,
            expires_ms: 103_000,
            tier: Expedited,
        };
        let table: Vec<Row> = vec![
            (
                a,
                None,
                req(1, Expedited),
                1_000,
                Ok((ongoing, RestoreOutcome::Accepted)),
            ),
            (
                a,
                None,
                req(2, Bulk),
                0,
                Ok((
                    RestoreState {
                        requested_ms: 0,
                        ready_ms: 10_000,
                        expires_ms: 210_000,
                        tier: Bulk,
                    },
                    RestoreOutcome::Accepted,
                )),
            ),
            (
                d,
                None,
                req(1, Standard),
                0,
                Ok((
                    RestoreState {
                        requested_ms: 0,
                        ready_ms: 20_000,
                        expires_ms: 120_000,
                        tier: Standard,
                    },
                    RestoreOutcome::Accepted,
                )),
            ),
            (
                d,
                None,
                req(1, Expedited),
                0,
                Err(RestoreRefusal::TierUnavailable(d, Expedited)),
            ),
            (
                StorageClass::Standard,
                None,
                req(1, Standard),
                0,
                Err(RestoreRefusal::NotArchived),
            ),
            (
                StorageClass::StandardIa,
                None,
                req(1, Standard),
                0,
                Err(RestoreRefusal::NotArchived),
            ),
            (
                a,
                Some(ongoing),
                req(1, Bulk),
                2_999,
                Err(RestoreRefusal::InProgress),
            ),
            // Done: the expiry moves to now + Days; the request time and tier stay.
            (
                a,
                Some(ongoing),
                req(3, Bulk),
                50_000,
                Ok((
                    RestoreState {
                        expires_ms: 350_000,
                        ..ongoing
                    },
                    RestoreOutcome::Extended,
                )),
            ),
            // Expired: a new restore.
            (
                a,
                Some(ongoing),
                req(1, Standard),
                103_000,
                Ok((
                    RestoreState {
                        requested_ms: 103_000,
                        ready_ms: 108_000,
                        expires_ms: 208_000,
                        tier: Standard,
                    },
                    RestoreOutcome::Accepted,
                )),
            ),
        ];
        for (i, (class, cur, r, now, want)) in table.into_iter().enumerate() {
            assert_eq!(plan_restore(class, cur, r, &T, now), want, "row {i}");
        }
    }

    #[test]
    fn readability_follows_the_stored_class_and_the_clock() {
        let st = RestoreState {
            requested_ms: 0,
            ready_ms: 10,
            expires_ms: 20,
            tier: RestoreTier::Standard,
        };
        assert!(is_readable(&record("STANDARD", None), 0));
        assert!(is_readable(&record("STANDARD_IA", None), 0));
        assert!(is_readable(&record("INTELLIGENT_TIERING", None), 0));
        for class in ["ARCHIVE", "DEEP_ARCHIVE", "MAZ_ARCHIVE", "GLACIER"] {
            assert!(!is_readable(&record(class, None), 0), "{class}");
            let r = record(class, Some(st));
            assert!(!is_readable(&r, 9));
            assert!(is_readable(&r, 10));
            assert!(is_readable(&r, 19));
            assert!(!is_readable(&r, 20));
            assert_eq!(restore_status(&r, 9), Some(RestoreStatus::Ongoing));
            assert_eq!(
                restore_status(&r, 10),
                Some(RestoreStatus::Ready { expires_ms: 20 })
            );
            assert_eq!(restore_status(&r, 20), None);
        }
        // A restored object copied to STANDARD keeps no restore status.
        assert_eq!(restore_status(&record("STANDARD", Some(st)), 15), None);
    }
}
