//! PUT/GET/DELETE Bucket policy (`?policy`): a CAM or AWS-syntax policy JSON document
//! (`policy::aws`), validated when stored and kept as written.

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::Admitted;
use crate::api::Reply;
use crate::api::{empty_response, read_xml_body};
use crate::policy::aws::{self, Language};
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
            if s.aws.is_some() {
                if !aws::names_bucket(r, bucket) {
                    return Err(malformed(format!(
                        "Policy has invalid resource {r:?}: a bucket policy can only name arn:aws:s3:::{bucket} and arn:aws:s3:::{bucket}/<key>"
                    )));
                }
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

/// Checks `text` as a policy of bucket `b` the way PUT Bucket policy does (also used for
/// declared buckets, `crate::declare`).
pub(crate) fn validate(text: &str, b: &crate::meta::BucketRecord) -> Result<(), ApiError> {
    if text.len() > BUCKET_POLICY_MAX_LEN {
        return Err(malformed(format!(
            "The policy is larger than {BUCKET_POLICY_MAX_LEN} bytes."
        )));
    }
    let (policy, _) = aws::parse_bucket_policy(text).map_err(|e| malformed(e.to_string()))?;
    if policy.statements.iter().any(|s| s.principals.is_none()) {
        return Err(malformed(
            "Every statement of a bucket policy needs a principal.",
        ));
    }
    check_resources(&policy, &b.name)?;
    if b.public_access_block.is_some_and(|p| p.block_public_policy)
        && crate::bucket_config::public_access::policy_is_public(&policy)
    {
        return Err(ApiError::new(
            Code::AccessDenied,
            "Access Denied: the bucket's public access block refuses public bucket policies.",
        ));
    }
    Ok(())
}

pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, BUCKET_POLICY_MAX_LEN)
        .await
        .map_err(|e| match e.code {
            Code::MalformedXML => malformed(format!(
                "The policy is larger than {BUCKET_POLICY_MAX_LEN} bytes or incomplete."
            )),
            _ => e,
        })?;
    let text = std::str::from_utf8(&bytes).map_err(|_| malformed("The policy is not UTF-8."))?;
    validate(text, b)?;
    app.store
        .set_bucket_policy(&b.name, Some(text.to_string()))
        .await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

pub fn get(ctx: &Ctx, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    // COS names the missing policy NoSuchPolicy, S3 NoSuchBucketPolicy.
    let missing = match ctx.dialect {
        crate::api::request::authn::Dialect::S3 => Code::NoSuchBucketPolicy,
        _ => Code::NoSuchPolicy,
    };
    let text = b.policy.clone().ok_or_else(|| {
        ApiError::new(
            missing,
            "The specified bucket does not have a bucket policy.",
        )
    })?;
    // S3 clients get the document as it was put, as S3 returns it; so does anyone for an
    // AWS-syntax policy (COS's shape is a CAM shape).
    let text = if ctx.dialect == crate::api::request::authn::Dialect::S3
        || aws::language_of(&text) == Language::Aws
    {
        text
    } else {
        cos_shape(&text)
    };
    Ok(Response::builder()
        .status(StatusCode::OK)
        .header("Content-Type", "application/json")
        .header("Content-Length", text.len())
        .body(Body::from(text))
        .unwrap_or_default())
}

/// The policy as COS's GET Bucket policy answers it (API reference 436/8276):
/// `{"Statement":[{"Principal":…,"Effect":…,"Action":[…],"Resource":[…]}],"version":"2.0"}`:
/// capitalised statement keys (however the PUT spelt them; COS accepts both spellings), a
/// lower-case `version`, `Action`/`Resource` as arrays. Values are kept as given.
fn cos_shape(stored: &str) -> String {
    use serde_json::{Map, Value};
    let Ok(Value::Object(doc)) = serde_json::from_str::<Value>(stored) else {
        return stored.to_string();
    };
    let canonical = |k: &str, names: &[&'static str]| -> Option<&'static str> {
        names.iter().copied().find(|n| n.eq_ignore_ascii_case(k))
    };
    let mut out = Map::new();
    for (k, v) in doc {
        match canonical(&k, &["Statement", "version", "Principal"]) {
            Some("Statement") => {
                let list = match v {
                    Value::Array(a) => a,
                    other => vec![other],
                };
                let statements = list
                    .into_iter()
                    .map(|st| match st {
                        Value::Object(m) => {
                            let mut o = Map::new();
                            for (k, v) in m {
                                let name = canonical(
                                    &k,
                                    &[
                                        "Sid",
                                        "Principal",
                                        "Effect",
                                        "Action",
                                        "NotAction",
                                        "Resource",
                                        "NotResource",
                                        "Condition",
                                    ],
                                );
                                let v = match (name, v) {
                                    (
                                        Some("Action" | "NotAction" | "Resource" | "NotResource"),
                                        Value::String(s),
                                    ) => Value::Array(vec![Value::String(s)]),
                                    (_, v) => v,
                                };
                                o.insert(name.map(str::to_string).unwrap_or(k), v);
                            }
                            Value::Object(o)
                        }
                        other => other,
                    })
                    .collect();
                out.insert("Statement".into(), Value::Array(statements));
            }
            Some(name) => {
                out.insert(name.into(), v);
            }
            None => {
                out.insert(k, v);
            }
        }
    }
    Value::Object(out).to_string()
}

pub async fn delete(app: &AppState, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    app.store.set_bucket_policy(&b.name, None).await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::cos_shape;

    #[test]
    fn get_answers_the_shape_cos_documents() {
        let put = r#"{"version":"2.0","statement":[{"principal":{"qcs":["qcs::cam::anyone:anyone"]},"effect":"allow","action":"name/cos:GetObject","resource":["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"],"condition":{"ip_equal":{"qcs:ip":["10.0.0.0/8"]}}}]}"#;
        let want = r#"{"Statement":[{"Action":["name/cos:GetObject"],"Condition":{"ip_equal":{"qcs:ip":["10.0.0.0/8"]}},"Effect":"allow","Principal":{"qcs":["qcs::cam::anyone:anyone"]},"Resource":["qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/*"]}],"version":"2.0"}"#;
        assert_eq!(cos_shape(put), want);
        // Already in COS's spelling: the same document.
        assert_eq!(cos_shape(want), want);
        let caps = r#"{"Version":"2.0","Statement":[{"Principal":{"qcs":["x"]},"Effect":"deny","Action":["a"],"Resource":["r"]}]}"#;
        assert_eq!(
            cos_shape(caps),
            r#"{"Statement":[{"Action":["a"],"Effect":"deny","Principal":{"qcs":["x"]},"Resource":["r"]}],"version":"2.0"}"#
        );
    }
}
