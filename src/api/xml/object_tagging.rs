//! PUT/GET/DELETE Object tagging (`?tagging`, `versionId` names a version; docs/tagging.md).
//! Admission read the version (its tags are `s3:ExistingObjectTag/<key>`) and answered a
//! missing one or a delete marker. A change rewrites that version's record in place: no new
//! version, the data and every other field stay.

use super::tagging::{check, is_s3, parse_body, render};
use super::versioning::{version_error, version_id_header, version_param};
use crate::api::error::ApiError;
use crate::api::request::Ctx;
use crate::api::{empty_response, xml_response, Admitted, Reply};
use crate::meta::ObjectRecord;
use crate::service::version_id;
use crate::types::tags::{TagRules, Tags};
use crate::AppState;
use axum::body::Body;
use http::{Response, StatusCode};

/// `resp` with the version id of `rec`, when the bucket's versioning was ever set.
fn with_version_id(
    adm: &Admitted,
    ctx: &Ctx,
    mut resp: Response<Body>,
    rec: &ObjectRecord,
) -> Reply {
    if adm.bucket()?.versioning.is_some() {
        if let Ok(v) = version_id(rec).parse() {
            resp.headers_mut().insert(version_id_header(ctx), v);
        }
    }
    Ok(resp)
}

/// GET: the version's tags; an object without tags has an empty `TagSet` (200, as S3).
pub fn get(ctx: &Ctx, adm: &Admitted) -> Reply {
    let rec = adm.object()?;
    with_version_id(
        adm,
        ctx,
        xml_response(StatusCode::OK, render(&rec.tags)),
        rec,
    )
}

/// Replaces the tags of the addressed version.
async fn set(
    app: &AppState,
    ctx: &Ctx,
    adm: &Admitted,
    tags: Tags,
) -> Result<ObjectRecord, ApiError> {
    let (b, key) = (adm.bucket()?, adm.key()?);
    app.store
        .modify_version(&b.name, key.as_str(), version_param(ctx)?, move |rec, _| {
            rec.tags = tags;
            Ok(())
        })
        .await
        .map_err(|e| version_error(ctx, e))
}

/// PUT: `bytes` were read (and verified) by the pipeline, which authorized the request with
/// their tags as `s3:RequestObjectTag/<key>`. The new set replaces the old one whole.
pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, bytes: &[u8]) -> Reply {
    let tags = parse_body(bytes)?;
    check(&tags, TagRules::object(is_s3(ctx)))?;
    let rec = set(app, ctx, adm, tags).await?;
    with_version_id(adm, ctx, empty_response(StatusCode::OK), &rec)
}

/// DELETE: the version keeps no tags; 204.
pub async fn delete(app: &AppState, ctx: &Ctx, adm: &Admitted) -> Reply {
    let rec = set(app, ctx, adm, Vec::new()).await?;
    with_version_id(adm, ctx, empty_response(StatusCode::NO_CONTENT), &rec)
}
