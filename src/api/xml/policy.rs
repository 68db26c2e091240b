//! PUT/GET/DELETE Bucket policy (`?policy`): a CAM policy JSON document, validated when stored.

use crate::api::{empty_response, load_bucket, read_xml_body};
use crate::http::error::{ApiError, Code};
use crate::http::Ctx;
use crate::policy::cam::{Policy, BUCKET_POLICY_MAX_LEN};
use crate::AppState;
use axum::body::Body;
use http::{Response, StatusCode};

fn malformed(message: impl Into<String>) -> ApiError {
    ApiError::new(Code::MalformedPolicy, message)
}

/// A bucket policy may only name this bucket's resources (or `*`).
fn check_resources(policy: &Policy, bucket: &str) -> Result<(), ApiError> {
    for s in &policy.statements {
        for r in &s.resources {
            if r == "*" {
                continue;
            }
            let names_bucket = r
                .strip_prefix("qcs::cos:")
                .and_then(|rest| rest.split_once(":uid/"))
                .and_then(|(_, rest)| rest.split_once(':'))
                .map(|(_, path)| path == bucket || path.starts_with(&format!("{bucket}/")))
                .unwrap_or(false);
            if !names_bucket {
                return Err(malformed(format!(
                    "Policy has invalid resource {r:?}: a bucket policy can only name resources of {bucket}"
                )));
            }
        }
    }
    Ok(())
}

pub async fn put(app: &AppState, ctx: &Ctx, body: Body) -> Result<Response<Body>, ApiError> {
    let b = load_bucket(app, ctx)?;
    let bytes = read_xml_body(ctx, body, BUCKET_POLICY_MAX_LEN)
        .await
        .map_err(|e| match e.code {
            Code::MalformedXML => malformed(format!(
                "The policy is larger than {BUCKET_POLICY_MAX_LEN} bytes or incomplete."
            )),
            _ => e,
        })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed("The policy is not UTF-8."))?;
    let policy =
        Policy::parse(text, BUCKET_POLICY_MAX_LEN).map_err(|e| malformed(e.to_string()))?;
    if policy.statements.iter().any(|s| s.principals.is_none()) {
        return Err(malformed(
            "Every statement of a bucket policy needs a principal.",
        ));
    }
    check_resources(&policy, &b.name)?;
    app.store
        .set_bucket_policy(&b.name, Some(text.to_string()))?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

pub fn get(app: &AppState, ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let b = load_bucket(app, ctx)?;
    let text = b.policy.ok_or_else(|| {
        ApiError::new(
            Code::NoSuchPolicy,
            "The specified bucket does not have a bucket policy.",
        )
    })?;
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .header("Content-Length", text.len())
        .body(Body::from(text))
        .unwrap_or_default())
}

pub fn delete(app: &AppState, ctx: &Ctx) -> Result<Response<Body>, ApiError> {
    let b = load_bucket(app, ctx)?;
    app.store.set_bucket_policy(&b.name, None)?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}
