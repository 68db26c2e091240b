//! GET/PUT Bucket acl and Object acl (`?acl`): the AccessControlPolicy XML of spec 03 §4.7, or
//! `x-cos-acl` / `x-cos-grant-*` headers.

use crate::api::error::{ApiError, Code};
use crate::api::headers::{canned_acl, grant_headers, too_many_grants, MAX_GRANTS};
use crate::api::request::Ctx;
use crate::api::Admitted;
use crate::api::Reply;

use crate::api::{empty_response, read_xml_body, xml_response};
use crate::policy::acl::{
    canned_grants, Grant, Grantee, Permission, ALL_USERS_URI, AUTHENTICATED_USERS_URI,
};
use crate::types::CannedAcl;
use crate::xml::{parse_acl, XmlWriter};
use crate::AppState;
use axum::body::Body;
use http::{HeaderValue, Response, StatusCode};

const XSI: &str = "xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\"";

/// `owner_grant`: whether the owner's FULL_CONTROL grant is listed first (always for a bucket;
/// for an object only when its ACL is canned, i.e. it has no explicit grants).
fn render(owner_uin: &str, canned: CannedAcl, grants: &[Grant], owner_grant: bool) -> String {
    let owner = format!("qcs::cam::uin/{owner_uin}:uin/{owner_uin}");
    let mut w = XmlWriter::new();
    w.open("AccessControlPolicy");
    w.open("Owner")
        .elem("ID", &owner)
        .elem("DisplayName", &owner)
        .close("Owner");
    w.open("AccessControlList");
    let user = |w: &mut XmlWriter, id: &str, perm: Permission| {
        w.open("Grant")
            .open(&format!("Grantee {XSI} xsi:type=\"CanonicalUser\""))
            .elem("ID", id)
            .elem("DisplayName", id)
            .close("Grantee")
            .elem("Permission", perm.as_str())
            .close("Grant");
    };
    if owner_grant {
        user(&mut w, &owner, Permission::FullControl);
    }
    let mut all = canned_grants(canned);
    all.extend(grants.iter().cloned());
    for g in &all {
        match &g.grantee {
            Grantee::Account(id) => user(&mut w, id, g.permission),
            Grantee::AllUsers | Grantee::AuthenticatedUsers => {
                let uri = if g.grantee == Grantee::AllUsers {
                    ALL_USERS_URI
                } else {
                    AUTHENTICATED_USERS_URI
                };
                // Exactly URI inside Grantee: the Python SDK recognises public-read by it.
                w.open("Grant")
                    .open(&format!("Grantee {XSI} xsi:type=\"Group\""))
                    .elem("URI", uri)
                    .close("Grantee")
                    .elem("Permission", g.permission.as_str())
                    .close("Grant");
            }
        }
    }
    w.close("AccessControlList");
    w.close("AccessControlPolicy");
    w.finish()
}

fn with_canned_header(mut resp: Response<Body>, canned: CannedAcl) -> Response<Body> {
    resp.headers_mut()
        .insert("x-cos-acl", HeaderValue::from_static(canned.as_str()));
    resp
}

pub fn get_bucket(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    let body = render(&b.owner_uin, b.acl, &b.grants, true);
    Ok(with_canned_header(
        xml_response(StatusCode::OK, body),
        b.acl,
    ))
}

pub fn get_object(adm: &Admitted) -> Reply {
    let (b, o) = (adm.bucket()?, adm.object()?);
    let canned = o.acl.unwrap_or(CannedAcl::Default);
    // The grants that were set, as set: an object ACL given as grants (body or
    // x-cos-grant-* headers) lists exactly those, the owner's included only if it was given.
    let body = render(&b.owner_uin, canned, &o.grants, o.grants.is_empty());
    Ok(with_canned_header(
        xml_response(StatusCode::OK, body),
        canned,
    ))
}

/// The new ACL from the request: headers if any ACL header is present, else the XML body.
async fn requested(
    app: &AppState,
    ctx: &Ctx,
    body: Body,
    for_object: bool,
    owner_uin: &str,
) -> Result<(CannedAcl, Vec<Grant>), ApiError> {
    let canned = canned_acl(ctx, for_object)?;
    let grants = grant_headers(ctx)?;
    if canned.is_some() || !grants.is_empty() {
        return Ok((canned.unwrap_or(CannedAcl::Private), grants));
    }
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    if bytes.iter().all(|b| b.is_ascii_whitespace()) {
        return Err(ApiError::new(
            Code::MalformedACLError,
            "Give the ACL as x-cos-acl / x-cos-grant-* headers or as an AccessControlPolicy body.",
        ));
    }
    let malformed = |m: String| ApiError::new(Code::MalformedACLError, m);
    let req = parse_acl(&bytes).map_err(|e| malformed(e.to_string()))?;
    let owner = format!("qcs::cam::uin/{owner_uin}:uin/{owner_uin}");
    if req.list.grants.len() > MAX_GRANTS {
        return Err(too_many_grants(
            req.list.grants.len(),
            Code::MalformedACLError,
        ));
    }
    let mut out = Vec::new();
    for g in req.list.grants {
        let permission = Permission::parse(&g.permission)
            .ok_or_else(|| malformed(format!("unknown permission {:?}", g.permission)))?;
        let grantee = match (&g.grantee.id, &g.grantee.uri) {
            (Some(id), _) => Grantee::from_id(id),
            (None, Some(uri)) => Grantee::from_uri(uri),
            (None, None) => None,
        }
        .ok_or_else(|| malformed("a Grantee needs a valid ID or a known group URI".into()))?;
        // The owner's full control is implicit and cannot be removed; a bucket lists it
        // anyway, an object lists it only when it was given, so it is kept for an object.
        if !for_object && grantee == Grantee::Account(owner.clone()) {
            continue;
        }
        let grant = Grant {
            grantee,
            permission,
        };
        if !out.contains(&grant) {
            out.push(grant);
        }
    }
    Ok((CannedAcl::Private, out))
}

pub async fn put_bucket(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let (canned, grants) = requested(app, ctx, body, false, &b.owner_uin).await?;
    super::public_access::check_acl(b, Some(canned), &grants)?;
    app.store.set_bucket_acl(&b.name, canned, grants).await?;
    Ok(empty_response(StatusCode::OK))
}

pub async fn put_object(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let (b, key) = (adm.bucket()?, adm.key()?);
    let (canned, grants) = requested(app, ctx, body, true, &b.owner_uin).await?;
    super::public_access::check_acl(b, Some(canned), &grants)?;
    app.store
        .set_object_acl(
            &b.name,
            key.as_str(),
            super::versioning::version_param(ctx)?,
            Some(canned),
            grants,
        )
        .await
        .map_err(|e| super::versioning::version_error(ctx, e))?;
    Ok(empty_response(StatusCode::OK))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn public_read_renders_the_exact_all_users_grant() {
        let xml = render("1", CannedAcl::PublicRead, &[], true);
        assert!(xml.contains("<Owner><ID>qcs::cam::uin/1:uin/1</ID><DisplayName>qcs::cam::uin/1:uin/1</DisplayName></Owner>"), "{xml}");
        assert!(xml.contains(r#"<Grant><Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group"><URI>http://cam.qcloud.com/groups/global/AllUsers</URI></Grantee><Permission>READ</Permission></Grant>"#), "{xml}");
        assert_eq!(xml.matches("<Grant>").count(), 2);
        let parsed = parse_acl(xml.as_bytes()).unwrap();
        assert_eq!(parsed.list.grants.len(), 2);
    }
}
