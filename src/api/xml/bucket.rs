//! PUT / HEAD / DELETE Bucket and GET Bucket location.

use crate::api::admit::NewBucket;
use crate::api::error::{ApiError, Code};
use crate::api::headers::{canned_acl, grant_headers};
use crate::api::request::Ctx;
use crate::api::Admitted;
use crate::api::Reply;
use crate::api::{empty_response, read_xml_body, xml_response};
use crate::bucket_config::object_lock::ObjectLockConfig;
use crate::bucket_config::public_access::ObjectOwnership;
use crate::bucket_config::versioning::VersioningStatus;
use crate::meta::BucketRecord;
use crate::service::ServiceError;
use crate::types::CannedAcl;
use crate::xml::XmlWriter;
use crate::AppState;
use axum::body::Body;
use http::StatusCode;

pub async fn create(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let NewBucket {
        name,
        owner,
        region,
    } = adm.new_bucket()?;
    let acl = canned_acl(ctx, false)?.unwrap_or(CannedAcl::Private);
    let grants = grant_headers(ctx)?;
    let tags = super::tagging::from_header(ctx)?;
    // An optional CreateBucketConfiguration body: must be well-formed XML if present.
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    let empty = bytes.iter().all(|b| b.is_ascii_whitespace());
    let configuration = || {
        well_formed(&bytes)
            && std::str::from_utf8(&bytes)
                .is_ok_and(|t| crate::xml::check_root(t, "CreateBucketConfiguration").is_ok())
    };
    if !empty && !configuration() {
        return Err(ApiError::new(
            Code::MalformedXML,
            "The XML you provided was not well-formed or is not a CreateBucketConfiguration.",
        ));
    }
    // `x-cos-bucket-object-lock-enabled: true` (S3: `x-amz-`, aliased): object lock from the
    // start, which turns versioning on for good.
    let lock = match ctx
        .header("x-cos-bucket-object-lock-enabled")
        .map(str::trim)
    {
        None => false,
        Some(v) if v.eq_ignore_ascii_case("true") => true,
        Some(v) if v.eq_ignore_ascii_case("false") => false,
        Some(v) => {
            return Err(ApiError::new(
                Code::InvalidArgument,
                format!("x-cos-bucket-object-lock-enabled must be true or false, not {v:?}"),
            ))
        }
    };
    // `x-amz-object-ownership` (COS name aliased): the bucket's ownership controls from the
    // start.
    let ownership = match ctx.header("x-cos-object-ownership").map(str::trim) {
        None => None,
        Some(v) => Some(ObjectOwnership::parse(v).ok_or_else(|| {
            ApiError::new(
                Code::InvalidArgument,
                format!("Invalid x-amz-object-ownership header: {v:?}"),
            )
        })?),
    };
    let us_east_1 = region == "us-east-1";
    let created = app
        .store
        .create_bucket_from(BucketRecord {
            versioning: lock.then_some(VersioningStatus::Enabled),
            object_lock: lock.then(ObjectLockConfig::default),
            ownership,
            ..BucketRecord::new(name.as_str(), owner, region, acl, grants, tags)
        })
        .await;
    match created {
        Ok(_) => {}
        // S3's legacy rule in us-east-1: creating a bucket you already own succeeds (and
        // changes nothing here); every other region answers BucketAlreadyOwnedByYou.
        Err(ServiceError::BucketAlreadyOwnedByYou) if us_east_1 => {}
        Err(e) => return Err(e.into()),
    }
    let mut resp = empty_response(StatusCode::OK);
    if let Ok(v) = format!("/{}", name).parse() {
        resp.headers_mut().insert("Location", v);
    }
    Ok(resp)
}

fn well_formed(bytes: &[u8]) -> bool {
    let mut reader = quick_xml::Reader::from_reader(bytes);
    let mut depth = 0i32;
    let mut seen_root = false;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(_)) => {
                depth += 1;
                seen_root = true;
            }
            Ok(quick_xml::events::Event::End(_)) => depth -= 1,
            Ok(quick_xml::events::Event::Empty(_)) => seen_root = true,
            Ok(quick_xml::events::Event::Eof) => return seen_root && depth == 0,
            Ok(_) => {}
            Err(_) => return false,
        }
    }
}

pub fn head(adm: &Admitted) -> Reply {
    let rec = adm.bucket()?;
    let mut resp = empty_response(StatusCode::OK);
    if let Ok(v) = http::HeaderValue::from_str(&rec.region) {
        resp.headers_mut().insert("x-cos-bucket-region", v.clone());
        resp.headers_mut().insert("x-amz-bucket-region", v);
    }
    Ok(resp)
}

pub async fn delete(app: &AppState, adm: &Admitted) -> Reply {
    let rec = adm.bucket()?;
    app.store.delete_bucket(&rec.name).await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

pub fn location(adm: &Admitted) -> Reply {
    let rec = adm.bucket()?;
    let mut w = XmlWriter::new();
    w.elem("LocationConstraint", &rec.region);
    Ok(xml_response(StatusCode::OK, w.finish()))
}

#[cfg(test)]
mod tests {
    #[test]
    fn well_formed_xml() {
        assert!(super::well_formed(b"<CreateBucketConfiguration><BucketAZConfig>MAZ</BucketAZConfig></CreateBucketConfiguration>"));
        assert!(super::well_formed(b"<?xml version=\"1.0\"?><A/>"));
        assert!(!super::well_formed(b"<A><B></A>"));
        assert!(!super::well_formed(b"<A>"));
        assert!(!super::well_formed(b"junk"));
    }
}
