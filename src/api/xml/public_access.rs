//! PUT / GET / DELETE Bucket `?publicAccessBlock` and `?ownershipControls`, and the check every
//! ACL-writing request goes through (`check_acl`). What the settings mean for authorization is
//! applied in `api::authz::decide_as`.

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::{empty_response, read_xml_body, xml_response, Admitted, Reply};
use crate::bucket_config::public_access::{self as pab, AclRefusal};
use crate::meta::BucketRecord;
use crate::policy::acl::Grant;
use crate::types::CannedAcl;
use crate::AppState;
use axum::body::Body;
use http::StatusCode;

/// Refuses an ACL the bucket's public access block or object ownership does not allow (a PUT
/// of an ACL, or an upload, copy or multipart initiation carrying one).
pub(crate) fn check_acl(
    bucket: &BucketRecord,
    canned: Option<CannedAcl>,
    grants: &[Grant],
) -> Result<(), ApiError> {
    pab::check_acl_write(
        bucket.public_access_block.as_ref(),
        bucket.ownership,
        canned,
        grants,
    )
    .map_err(|r| match r {
        AclRefusal::PublicBlocked => ApiError::new(
            Code::AccessDenied,
            "Access Denied: the bucket's public access block refuses public ACLs.",
        ),
        AclRefusal::AclsDisabled => ApiError::new(
            Code::AccessControlListNotSupported,
            "The bucket does not allow ACLs",
        ),
    })
}

pub fn get_block(adm: &Admitted) -> Reply {
    match &adm.bucket()?.public_access_block {
        Some(b) => Ok(xml_response(StatusCode::OK, pab::render_block(b))),
        None => Err(ApiError::new(
            Code::NoSuchPublicAccessBlockConfiguration,
            "The public access block configuration was not found",
        )),
    }
}

pub async fn put_block(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    let block = pab::parse_block(&bytes).map_err(|e| ApiError::new(Code::MalformedXML, e))?;
    app.store
        .update_bucket(&b.name, move |rec| rec.public_access_block = Some(block))
        .await?;
    Ok(empty_response(StatusCode::OK))
}

pub async fn delete_block(app: &AppState, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    app.store
        .update_bucket(&b.name, |rec| rec.public_access_block = None)
        .await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

pub fn get_ownership(adm: &Admitted) -> Reply {
    match adm.bucket()?.ownership {
        Some(o) => Ok(xml_response(StatusCode::OK, pab::render_ownership(o))),
        None => Err(ApiError::new(
            Code::OwnershipControlsNotFoundError,
            "The bucket ownership controls were not found",
        )),
    }
}

pub async fn put_ownership(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    let o = pab::parse_ownership(&bytes).map_err(|e| ApiError::new(Code::MalformedXML, e))?;
    app.store
        .update_bucket(&b.name, move |rec| rec.ownership = Some(o))
        .await?;
    Ok(empty_response(StatusCode::OK))
}

pub async fn delete_ownership(app: &AppState, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    app.store
        .update_bucket(&b.name, |rec| rec.ownership = None)
        .await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}
