//! Object lock (docs/versioning.md, seed 002:3417-3567): the bucket's `?object-lock`
//! configuration, per-version `?retention` and `?legal-hold`, and the lock headers of writes.

use super::versioning::{version_error, version_id_header, version_param};
use crate::api::authz::governance_bypass;
use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::{empty_response, read_xml_body, xml_response, Admitted, Reply};
use crate::bucket_config::object_lock::{self as lock, LockError, Retention, RetentionChange};
use crate::bucket_config::versioning::VersioningStatus;
use crate::meta::BucketRecord;
use crate::service::{version_id, ServiceError};
use crate::AppState;
use axum::body::Body;
use http::StatusCode;

fn lock_error(e: LockError) -> ApiError {
    match e {
        LockError::Malformed(m) => ApiError::new(Code::MalformedXML, m),
        LockError::Invalid(m) => ApiError::new(Code::InvalidArgument, m),
        LockError::Request(m) => ApiError::new(Code::InvalidRequest, m),
        LockError::Period(m) => ApiError::new(Code::InvalidRetentionPeriod, m),
    }
}

fn missing_lock() -> ApiError {
    ApiError::new(
        Code::InvalidRequest,
        "Bucket is missing Object Lock Configuration",
    )
}

/// The object lock a write asks for with `x-cos-object-lock-mode`,
/// `x-cos-object-lock-retain-until-date` (both or neither) and `x-cos-object-lock-legal-hold`;
/// refused on a bucket without object lock.
pub(crate) fn lock_headers(
    ctx: &Ctx,
    bucket: &BucketRecord,
    now_ms: i64,
) -> Result<(Option<Retention>, Option<bool>), ApiError> {
    let mode = ctx.header("x-cos-object-lock-mode");
    let until = ctx.header("x-cos-object-lock-retain-until-date");
    let hold = ctx.header("x-cos-object-lock-legal-hold");
    if mode.is_none() && until.is_none() && hold.is_none() {
        return Ok((None, None));
    }
    if bucket.object_lock.is_none() {
        return Err(missing_lock());
    }
    let retention = match (mode, until) {
        (None, None) => None,
        (Some(m), Some(u)) => Some(lock::retention(m, u, now_ms).map_err(lock_error)?),
        _ => return Err(ApiError::new(
            Code::InvalidArgument,
            "x-cos-object-lock-mode and x-cos-object-lock-retain-until-date must both be supplied",
        )),
    };
    let hold = match hold {
        None => None,
        Some(h) => Some(lock::parse_hold_status(h).ok_or_else(|| {
            ApiError::new(
                Code::InvalidArgument,
                "x-cos-object-lock-legal-hold must be ON or OFF",
            )
        })?),
    };
    Ok((retention, hold))
}

pub fn get_config(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    match &b.object_lock {
        Some(c) => Ok(xml_response(StatusCode::OK, lock::render_config(c))),
        None => Err(ApiError::new(
            Code::ObjectLockConfigurationNotFoundError,
            "Object Lock configuration does not exist for this bucket",
        )),
    }
}

pub async fn put_config(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    let config = lock::parse_config(&bytes).map_err(lock_error)?;
    app.store
        .try_update_bucket(&b.name, move |rec| {
            // S3 lets object lock be enabled on an existing bucket whose versioning is Enabled.
            if rec.object_lock.is_none() && rec.versioning != Some(VersioningStatus::Enabled) {
                return Err(ServiceError::InvalidBucketState(
                    "Versioning must be 'Enabled' on the bucket to apply a Object Lock configuration".into(),
                ));
            }
            rec.object_lock = Some(config);
            rec.versioning = Some(VersioningStatus::Enabled);
            Ok(())
        })
        .await?;
    Ok(empty_response(StatusCode::OK))
}

/// `resp` with the version id of `rec`.
fn with_version_id(
    ctx: &Ctx,
    mut resp: http::Response<Body>,
    rec: &crate::meta::ObjectRecord,
) -> http::Response<Body> {
    if let Ok(v) = version_id(rec).parse() {
        resp.headers_mut().insert(version_id_header(ctx), v);
    }
    resp
}

/// The version a `?retention` / `?legal-hold` request names, refusing markers.
fn read_version(
    app: &AppState,
    ctx: &Ctx,
    adm: &Admitted,
) -> Result<crate::meta::ObjectRecord, ApiError> {
    let (b, key) = (adm.bucket()?, adm.key()?);
    if b.object_lock.is_none() {
        return Err(missing_lock());
    }
    let rec = match version_param(ctx)? {
        None => app.store.latest_version(&b.name, key.as_str())?,
        Some(v) => app.store.load_version(&b.name, key.as_str(), v)?,
    };
    if rec.delete_marker {
        return Err(version_error(
            ctx,
            ServiceError::DeleteMarker(version_id(&rec)),
        ));
    }
    Ok(rec)
}

pub fn get_retention(app: &AppState, ctx: &Ctx, adm: &Admitted) -> Reply {
    let rec = read_version(app, ctx, adm)?;
    match &rec.retention {
        Some(r) => Ok(with_version_id(
            ctx,
            xml_response(StatusCode::OK, lock::render_retention(r)),
            &rec,
        )),
        None => Err(ApiError::new(
            Code::NoSuchObjectLockConfiguration,
            "The specified object does not have a ObjectLock configuration",
        )),
    }
}

pub fn get_legal_hold(app: &AppState, ctx: &Ctx, adm: &Admitted) -> Reply {
    let rec = read_version(app, ctx, adm)?;
    match rec.legal_hold {
        Some(on) => Ok(with_version_id(
            ctx,
            xml_response(StatusCode::OK, lock::render_legal_hold(on)),
            &rec,
        )),
        None => Err(ApiError::new(
            Code::NoSuchObjectLockConfiguration,
            "The specified object does not have a ObjectLock configuration",
        )),
    }
}

/// PUT `?retention`: `bytes` were read (and verified) by the pipeline, which authorized the
/// request with their mode and date as condition keys.
pub async fn put_retention(app: &AppState, ctx: &Ctx, adm: &Admitted, bytes: &[u8]) -> Reply {
    let (b, key) = (adm.bucket()?, adm.key()?);
    if b.object_lock.is_none() {
        return Err(missing_lock());
    }
    let now = app.clock.now_ms();
    let new = lock::parse_retention(bytes, now).map_err(lock_error)?;
    let bypass = governance_bypass(app, ctx, b, key.as_str());
    let rec = app
        .store
        .modify_version(
            &b.name,
            key.as_str(),
            version_param(ctx)?,
            move |rec, now| {
                match lock::retention_change(rec.retention.as_ref(), new.as_ref(), now) {
                    RetentionChange::Allowed => {}
                    RetentionChange::NeedsBypass if bypass.is_some() => {}
                    _ => {
                        return Err(ServiceError::ObjectLocked(
                            "Access Denied because object protected by object lock.".into(),
                        ))
                    }
                }
                rec.retention = new;
                Ok(())
            },
        )
        .await
        .map_err(|e| version_error(ctx, e))?;
    Ok(with_version_id(ctx, empty_response(StatusCode::OK), &rec))
}

pub async fn put_legal_hold(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let (b, key) = (adm.bucket()?, adm.key()?);
    if b.object_lock.is_none() {
        return Err(missing_lock());
    }
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    let on = lock::parse_legal_hold(&bytes).map_err(lock_error)?;
    let rec = app
        .store
        .modify_version(&b.name, key.as_str(), version_param(ctx)?, move |rec, _| {
            rec.legal_hold = Some(on);
            Ok(())
        })
        .await
        .map_err(|e| version_error(ctx, e))?;
    Ok(with_version_id(ctx, empty_response(StatusCode::OK), &rec))
}

/// For the pipeline: the lock mode and date a PUT `?retention` body sets, as the headers the
/// condition keys are read from (002:3417-3567 apply them to PutObjectRetention). An
/// unreadable body yields none; the handler refuses it.
pub(crate) fn retention_key_headers(bytes: &[u8]) -> Vec<(&'static str, String)> {
    #[derive(serde::Deserialize)]
    struct Doc {
        #[serde(rename = "Mode", default)]
        mode: Option<String>,
        #[serde(rename = "RetainUntilDate", default)]
        until: Option<String>,
    }
    let Ok(doc) = crate::xml::parse_rooted::<Doc>(bytes, "Retention") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    if let Some(m) = doc.mode {
        out.push(("x-cos-object-lock-mode", m.trim().to_string()));
    }
    if let Some(u) = doc.until {
        out.push(("x-cos-object-lock-retain-until-date", u.trim().to_string()));
    }
    out
}
