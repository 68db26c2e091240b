//! POST Object (spec 04; seed 002 "Practice of Direct Transfer for Web End"): an HTML form
//! upload to `POST /` of the bucket. The form authenticates itself (COS q-sign over the policy,
//! S3 SigV4 or SigV2, or nothing for anonymous uploads to a public-write bucket), the policy's
//! conditions are checked against the fields, and the upload is authorized as
//! `name/cos:PostObject` with `cos:content-length` = the file's real size, before commit.

mod form;
mod policy;
mod stream;

use super::admit::check_region;
use super::authz::authorize_in;
use super::headers::object_meta;
use super::{bucket_name, xml_response};
use crate::api::error::{ApiError, Code};
use crate::api::request::authn::check_session;
use crate::api::request::target::Target;
use crate::api::request::Ctx;
use crate::auth::post::PostAuth;
use crate::auth::Identity;
use crate::meta::BucketRecord;
use crate::service::WriteOptions;
use crate::types::ObjectKey;
use crate::AppState;
use axum::body::Body;
use base64::Engine;
use form::Form;
use http::{Response, StatusCode};
use policy::PostPolicy;
use std::sync::{Arc, Mutex};
use stream::FileStream;

fn bad(msg: impl Into<String>) -> ApiError {
    ApiError::new(Code::InvalidArgument, msg)
}

fn policy_violation(msg: String) -> ApiError {
    ApiError::new(Code::AccessDenied, msg)
}

/// The request context the upload is authorized and stored with: the form's identity, and
/// its fields as the headers a PUT would have carried.
fn form_ctx(ctx: &Ctx, form: &Form, identity: Identity, key: &str, length: Option<u64>) -> Ctx {
    let mut headers = form.as_headers();
    if let Some(n) = length {
        headers.insert(http::header::CONTENT_LENGTH, n.into());
    }
    if let Some(h) = ctx.headers.get(http::header::HOST) {
        headers.insert(http::header::HOST, h.clone());
    }
    // S3's `tagging` field carries a `<Tagging>` document; it is stored (and authorized) as
    // the `x-cos-tagging` header it stands for. `post` refuses one that does not parse.
    if let Some(v) = form
        .get("tagging")
        .and_then(|doc| crate::api::tagging_key_header(doc.as_bytes()))
        .and_then(|v| http::HeaderValue::from_str(&v).ok())
    {
        headers.insert("x-cos-tagging", v);
    }
    Ctx {
        request_id: ctx.request_id.clone(),
        method: ctx.method.clone(),
        target: Target::Object {
            bucket: ctx.bucket().unwrap_or_default().to_string(),
            key: key.to_string(),
        },
        host_region: ctx.host_region.clone(),
        identity,
        dialect: ctx.dialect,
        payload: Default::default(),
        query: Vec::new(),
        headers,
        resource: ctx.resource.clone(),
        peer: ctx.peer,
        tls: ctx.tls,
    }
}

/// The tags of a form come from `x-cos-tagging` (`k1=v1&k2=v2`, also as `x-amz-tagging`) or
/// S3's `tagging` (a `<Tagging>` document), not both; a document that does not parse is
/// MalformedXML.
fn check_tagging_field(form: &Form) -> Result<(), ApiError> {
    let Some(doc) = form.get("tagging") else {
        return Ok(());
    };
    if form.get("x-cos-tagging").is_some() {
        return Err(ApiError::new(
            Code::InvalidArgument,
            "The form may carry its tags as `tagging` or as `x-cos-tagging`, not both.",
        ));
    }
    crate::api::xml::tagging::parse_body(doc.as_bytes()).map(|_| ())
}

/// The action a form upload needs.
const ACTION: &str = "name/cos:PostObject";

/// POST Object to the addressed bucket (`loaded`: the pipeline's read of it).
pub async fn post(
    app: &Arc<AppState>,
    ctx: &Ctx,
    loaded: Option<Arc<BucketRecord>>,
    body: Body,
) -> Result<Response<Body>, ApiError> {
    let bucket = bucket_name(app, ctx)?;
    let boundary = ctx
        .header("content-type")
        .and_then(|ct| multer::parse_boundary(ct).ok())
        .ok_or_else(|| bad("POST Object requires a multipart/form-data body."))?;
    let (form, file) = form::read(body, boundary).await?;
    let now = app.clock.now_secs();

    let raw_key = form
        .get("key")
        .ok_or_else(|| bad("The form must have a `key` field."))?;
    let key = raw_key.replace("${filename}", file.file_name.as_deref().unwrap_or(""));
    let key = ObjectKey::parse(&key).map_err(|e| bad(e.to_string()))?;

    // Who signs, and what the policy allows.
    let field = |n: &str| form.lookup(n, bucket.as_str(), key.as_str());
    let auth = PostAuth::from_fields(&field)?;
    // A form signed the AWS way names its storage class with S3's names (GLACIER).
    let aws_form = matches!(auth, Some(PostAuth::V4 { .. } | PostAuth::V2 { .. }));
    let token = form.get("x-cos-security-token");
    let (identity, range) = match auth {
        Some(auth) => {
            let b64 = form
                .get("policy")
                .ok_or_else(|| bad("A signed form must carry its `policy`."))?;
            let compact: String = b64.chars().filter(|c| !c.is_whitespace()).collect();
            let json = base64::engine::general_purpose::STANDARD
                .decode(&compact)
                .map_err(|_| bad("Invalid Policy: the policy is not base64."))?;
            let identity = auth.verify(
                app.iam.as_ref(),
                &compact,
                &json,
                now,
                app.config.max_clock_skew_secs as i64,
            )?;
            check_session(app, &identity, token.as_deref(), now)?;
            let policy =
                PostPolicy::parse(&json).map_err(|e| bad(format!("Invalid Policy: {e}")))?;
            let range = policy.check(now, &field).map_err(policy_violation)?;
            (identity, range)
        }
        None => {
            if form.get("policy").is_some() {
                return Err(ApiError::new(
                    Code::AccessDenied,
                    "A form with a policy must be signed (q-ak/q-signature, x-amz-signature or AWSAccessKeyId/signature).",
                ));
            }
            check_session(app, &Identity::Anonymous, token.as_deref(), now)?;
            (Identity::Anonymous, None)
        }
    };

    let rec = loaded
        .ok_or_else(|| ApiError::new(Code::NoSuchBucket, "The specified bucket does not exist."))?;
    check_region(ctx.host_region.as_deref(), &rec)?;
    check_tagging_field(&form)?;
    let mut store_ctx = form_ctx(ctx, &form, identity.clone(), key.as_str(), None);
    if aws_form {
        store_ctx.dialect = crate::api::request::authn::Dialect::S3;
    }
    let meta = object_meta(&store_ctx)?;
    crate::api::xml::public_access::check_acl(&rec, meta.acl, &meta.grants)?;
    // Encryption fields of the form (`x-cos-server-side-encryption`, SSE-C), else the
    // bucket's default encryption.
    let sse = crate::api::sse::headers(&store_ctx)?;
    let sse = crate::api::sse::for_write(app, &sse, &rec).await?;

    // Authorized when the file has ended, with its real size, before anything is committed.
    let denied: Arc<Mutex<Option<ApiError>>> = Arc::default();
    let check = {
        let denied = Arc::clone(&denied);
        let (form, rec, key) = (&form, &*rec, key.as_str());
        move |size: u64| {
            let c = form_ctx(ctx, form, identity.clone(), key, Some(size));
            authorize_in(app, &c.caller(), ACTION, rec, Some(key), None).map_err(|e| {
                if let Ok(mut slot) = denied.lock() {
                    *slot = Some(e);
                }
            })
        }
    };
    let body = FileStream::new(file.field, range, app.config.max_object_size, check);
    let body = match crate::api::traffic::limit(&store_ctx)? {
        Some(rate) => {
            futures_util::future::Either::Left(crate::api::traffic::Throttled::new(body, rate))
        }
        None => futures_util::future::Either::Right(body),
    };
    let out = app
        .store
        .put_object(
            &rec.name,
            key.as_str(),
            body,
            meta,
            WriteOptions {
                sse,
                event: Some(crate::bucket_config::notification::EventName::CreatedPost),
                ..WriteOptions::default()
            },
        )
        .await;
    let out = match out {
        Ok(o) => o,
        Err(e) => {
            if let Some(d) = denied.lock().ok().and_then(|mut s| s.take()) {
                return Err(d);
            }
            if let (crate::service::ServiceError::EntityTooLarge, Some((_, hi))) = (&e, range) {
                return Err(ApiError::new(
                    Code::EntityTooLarge,
                    format!("Your proposed upload exceeds the maximum allowed size: the policy's content-length-range allows at most {hi} bytes."),
                ));
            }
            return Err(e.into());
        }
    };
    let mut resp = respond(
        ctx,
        &form,
        &rec.name,
        key.as_str(),
        &out.record.etag,
        out.record.crc64,
    )?;
    if let Some(v) = out
        .version_id
        .and_then(|v| http::HeaderValue::from_str(&v).ok())
    {
        // A form signed the AWS way is an S3 client's: it reads `x-amz-version-id`.
        let s3 = form.get("x-amz-algorithm").is_some() || form.get("awsaccesskeyid").is_some();
        let name = if s3 {
            "x-amz-version-id"
        } else {
            "x-cos-version-id"
        };
        resp.headers_mut().insert(name, v);
    }
    Ok(resp)
}

/// The object's URL on the host the form was posted to.
fn location(ctx: &Ctx, bucket: &str, key: &str) -> String {
    let host = ctx.header("host").unwrap_or("localhost");
    let path = crate::auth::encode::encode_key(key);
    if host.starts_with(&format!("{bucket}.")) {
        format!("http://{host}/{path}")
    } else {
        format!("http://{host}/{bucket}/{path}")
    }
}

fn respond(
    ctx: &Ctx,
    form: &Form,
    bucket: &str,
    key: &str,
    etag: &str,
    crc64: u64,
) -> Result<Response<Body>, ApiError> {
    let quoted = format!("\"{etag}\"");
    let loc = location(ctx, bucket, key);
    if let Some(url) = form
        .get("success_action_redirect")
        .filter(|u| !u.is_empty())
    {
        let q: String = form_urlencoded::Serializer::new(String::new())
            .append_pair("bucket", bucket)
            .append_pair("key", key)
            .append_pair("etag", &quoted)
            .finish();
        let sep = if url.contains('?') { '&' } else { '?' };
        return Response::builder()
            .status(StatusCode::SEE_OTHER)
            .header("Location", format!("{url}{sep}{q}"))
            .header("ETag", &quoted)
            .header("Content-Length", 0)
            .body(Body::empty())
            .map_err(|e| ApiError::new(Code::InternalError, e.to_string()));
    }
    let status = match form.get("success_action_status").as_deref() {
        Some("200") => StatusCode::OK,
        Some("201") => StatusCode::CREATED,
        _ => StatusCode::NO_CONTENT,
    };
    let mut resp = if status == StatusCode::CREATED {
        let esc = |s: &str| quick_xml::escape::escape(s).into_owned();
        xml_response(
            status,
            format!(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<PostResponse><Location>{}</Location><Bucket>{}</Bucket><Key>{}</Key><ETag>{}</ETag></PostResponse>",
                esc(&loc),
                esc(bucket),
                esc(key),
                esc(&quoted)
            ),
        )
    } else {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = status;
        if status == StatusCode::OK {
            r.headers_mut()
                .insert(http::header::CONTENT_LENGTH, 0.into());
        }
        r
    };
    let h = resp.headers_mut();
    for (k, v) in [
        ("ETag", quoted),
        ("Location", loc),
        ("x-cos-hash-crc64ecma", crc64.to_string()),
    ] {
        if let Ok(v) = http::HeaderValue::from_str(&v) {
            h.insert(k, v);
        }
    }
    Ok(resp)
}
