//! Server-side encryption on the request path: the SSE headers of a request (pure parsing),
//! the encryption a write gets (headers, else the bucket's default), the data key a read or a
//! copy source opens with, and the headers a response echoes. `x-amz-*` headers arrive aliased
//! as `x-cos-*` (`pipeline::alias_amz_headers`), so only those names are read.

use crate::api::error::{ApiError, Code};
use crate::api::request::authn::Dialect;
use crate::api::request::Ctx;
use crate::crypto::{
    customer_key, BucketEncryption, KmsError, ObjectCipher, Secret, SseError, SseKind, SseRecord,
    SseRequest,
};
use crate::meta::BucketRecord;
use crate::service::SseWrite;
use crate::AppState;
use std::sync::Arc;

/// What `x-cos-server-side-encryption` (and its key id) asked for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ServerSide {
    Managed,
    Kms(Option<String>),
}

/// The SSE headers of a request.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct SseHeaders {
    pub server: Option<ServerSide>,
    pub customer: Option<Secret>,
    pub copy_source_customer: Option<Secret>,
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(Code::InvalidArgument, msg)
}

/// An `x-cos-server-side-encryption` value: `AES256`, `cos/kms` or `aws:kms`.
pub fn parse_algorithm(v: &str) -> Option<bool> {
    match v.trim() {
        "AES256" => Some(false),
        "cos/kms" | "aws:kms" => Some(true),
        _ => None,
    }
}

/// Parses the SSE headers `get` returns (by lower-case name).
pub fn parse_headers<'a>(get: impl Fn(&str) -> Option<&'a str>) -> Result<SseHeaders, ApiError> {
    let key_id = get("x-cos-server-side-encryption-cos-kms-key-id")
        .or_else(|| get("x-cos-server-side-encryption-aws-kms-key-id"))
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty());
    let server =
        match get("x-cos-server-side-encryption") {
            None if key_id.is_some() => return Err(invalid(
                "Specifying a KMS key id requires x-cos-server-side-encryption: cos/kms (aws:kms).",
            )),
            None => None,
            Some(v) => {
                match parse_algorithm(v) {
                    Some(false) if key_id.is_some() => return Err(invalid(
                        "A KMS key id is only valid with server-side encryption cos/kms (aws:kms).",
                    )),
                    Some(false) => Some(ServerSide::Managed),
                    Some(true) => Some(ServerSide::Kms(key_id)),
                    None => {
                        return Err(invalid(format!(
                            "The encryption method specified is not supported: {v:?}"
                        )))
                    }
                }
            }
        };
    let customer = customer_key(
        get("x-cos-server-side-encryption-customer-algorithm"),
        get("x-cos-server-side-encryption-customer-key"),
        get("x-cos-server-side-encryption-customer-key-md5"),
    )
    .map_err(|e| invalid(e.to_string()))?;
    let copy_source_customer = customer_key(
        get("x-cos-copy-source-server-side-encryption-customer-algorithm"),
        get("x-cos-copy-source-server-side-encryption-customer-key"),
        get("x-cos-copy-source-server-side-encryption-customer-key-md5"),
    )
    .map_err(|e| invalid(format!("Copy source: {e}")))?;
    if server.is_some() && customer.is_some() {
        return Err(invalid(
            "Server Side Encryption with Customer provided key is incompatible with the encryption method specified",
        ));
    }
    Ok(SseHeaders {
        server,
        customer,
        copy_source_customer,
    })
}

pub fn headers(ctx: &Ctx) -> Result<SseHeaders, ApiError> {
    parse_headers(|n| ctx.header(n))
}

impl From<SseError> for ApiError {
    fn from(e: SseError) -> Self {
        let msg = e.to_string();
        match e {
            SseError::Kms(KmsError::NotFound(_)) => ApiError::new(Code::KmsNotFound, msg),
            SseError::Kms(KmsError::Disabled(_)) => ApiError::new(Code::KmsDisabled, msg),
            SseError::Kms(KmsError::Io(_)) | SseError::Corrupt(_) => {
                ApiError::new(Code::InternalError, msg)
            }
            SseError::Kms(_) | SseError::CustomerKey(_) => {
                ApiError::new(Code::InvalidArgument, msg)
            }
            SseError::KeyRequired | SseError::NotApplicable => {
                ApiError::new(Code::InvalidRequest, msg)
            }
            SseError::WrongKey => ApiError::new(Code::AccessDenied, msg),
        }
    }
}

/// The KMS key id an `SseRequest::Kms(None)` means: the owner's default key, created on first
/// use (`cosd-default-<uin>`).
async fn default_kms_key(app: &AppState, owner: &str) -> Result<String, ApiError> {
    let id = format!("cosd-default-{owner}");
    if app.keys.kms.info(owner, &id).is_some() {
        return Ok(id);
    }
    let (keys, o, i, now) = (
        Arc::clone(&app.keys),
        owner.to_string(),
        id.clone(),
        app.clock.now_ms(),
    );
    let made = tokio::task::spawn_blocking(move || {
        keys.kms.create(
            &o,
            Some(&i),
            "default key of the account (created on first use)",
            now,
        )
    })
    .await
    .map_err(|e| ApiError::new(Code::InternalError, e.to_string()))?;
    match made {
        Ok(_) | Err(KmsError::Exists(_)) => Ok(id),
        Err(e) => Err(SseError::Kms(e).into()),
    }
}

/// The encryption a write of `sse` headers into `bucket` asks for: the headers', else the
/// bucket's default (a KMS request without a key id names the owner's default key).
pub async fn write_request(
    app: &AppState,
    sse: &SseHeaders,
    bucket: &BucketRecord,
) -> Result<Option<SseRequest>, ApiError> {
    let req = match (&sse.customer, &sse.server, &bucket.encryption) {
        (Some(k), _, _) => SseRequest::Customer(k.clone()),
        (None, Some(ServerSide::Managed), _) => SseRequest::Managed,
        (None, Some(ServerSide::Kms(id)), _) => SseRequest::Kms(id.clone()),
        (None, None, Some(d)) => default_request(d),
        (None, None, None) => return Ok(None),
    };
    Ok(Some(match req {
        SseRequest::Kms(None) => {
            SseRequest::Kms(Some(default_kms_key(app, &bucket.owner_uin).await?))
        }
        r => r,
    }))
}

/// [`write_request`] with a new data key for it.
pub async fn for_write(
    app: &AppState,
    sse: &SseHeaders,
    bucket: &BucketRecord,
) -> Result<Option<SseWrite>, ApiError> {
    let Some(req) = write_request(app, sse, bucket).await? else {
        return Ok(None);
    };
    let (record, cipher) = app.keys.new_object(&bucket.owner_uin, &req)?;
    Ok(Some(SseWrite {
        record,
        cipher: Arc::new(cipher),
    }))
}

/// A bucket default as a request.
pub fn default_request(d: &BucketEncryption) -> SseRequest {
    match parse_algorithm(&d.algorithm) {
        Some(true) => SseRequest::Kms(d.kms_key_id.clone()),
        _ => SseRequest::Managed,
    }
}

/// The cipher to read `rec` (an object of a bucket of `owner`) with, given the request's
/// customer key (`customer`).
pub fn for_read(
    app: &AppState,
    owner: &str,
    rec: Option<&SseRecord>,
    customer: Option<&Secret>,
) -> Result<Option<ObjectCipher>, ApiError> {
    Ok(app.keys.cipher(owner, rec, customer)?)
}

/// The encryption an upload's parts get: the upload's own (its template's record), whose
/// data key an SSE-C part must open with the same customer key as the initiation.
pub fn for_part(
    app: &AppState,
    owner: &str,
    upload_sse: Option<&SseRecord>,
    sse: &SseHeaders,
) -> Result<Option<SseWrite>, ApiError> {
    if sse.server.is_some() {
        return Err(invalid(
            "x-cos-server-side-encryption is given when the multipart upload is initiated, not with its parts.",
        ));
    }
    let Some(rec) = upload_sse else {
        if sse.customer.is_some() {
            return Err(ApiError::new(
                Code::InvalidRequest,
                "The multipart upload was not initiated with customer-provided key encryption.",
            ));
        }
        return Ok(None);
    };
    let dk = app.keys.data_key(owner, rec, sse.customer.as_ref())?;
    Ok(Some(SseWrite {
        record: rec.clone(),
        cipher: Arc::new(ObjectCipher::new(&dk)),
    }))
}

/// Adds the encryption headers S3 / COS echo for an object encrypted as `rec`.
pub fn echo(
    mut b: http::response::Builder,
    dialect: Dialect,
    rec: Option<&SseRecord>,
) -> http::response::Builder {
    for (name, value) in echo_pairs(dialect, rec) {
        b = b.header(name, value);
    }
    b
}

/// The same headers, onto a built response.
pub fn echo_into(
    resp: &mut http::Response<axum::body::Body>,
    dialect: Dialect,
    rec: Option<&SseRecord>,
) {
    for (name, value) in echo_pairs(dialect, rec) {
        if let (Ok(n), Ok(v)) = (
            http::HeaderName::from_bytes(name.as_bytes()),
            http::HeaderValue::from_str(&value),
        ) {
            resp.headers_mut().insert(n, v);
        }
    }
}

/// (name, value) of each echoed header.
pub fn echo_pairs(dialect: Dialect, rec: Option<&SseRecord>) -> Vec<(String, String)> {
    let Some(rec) = rec else { return Vec::new() };
    let p = dialect.prefix();
    match rec.kind {
        SseKind::Managed => vec![(format!("{p}server-side-encryption"), "AES256".into())],
        SseKind::Kms => {
            let (alg, id_header) = match dialect {
                Dialect::Cos => ("cos/kms", "server-side-encryption-cos-kms-key-id"),
                Dialect::S3 => ("aws:kms", "server-side-encryption-aws-kms-key-id"),
            };
            let mut v = vec![(format!("{p}server-side-encryption"), alg.to_string())];
            if let Some(id) = &rec.kms_key_id {
                v.push((format!("{p}{id_header}"), id.clone()));
            }
            v
        }
        SseKind::Customer => {
            let mut v = vec![(
                format!("{p}server-side-encryption-customer-algorithm"),
                "AES256".to_string(),
            )];
            if let Some(m) = &rec.key_md5 {
                v.push((
                    format!("{p}server-side-encryption-customer-key-MD5"),
                    m.clone(),
                ));
            }
            v
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use std::collections::HashMap;

    fn parse(pairs: &[(&str, &str)]) -> Result<SseHeaders, Code> {
        let m: HashMap<&str, &str> = pairs.iter().copied().collect();
        parse_headers(|n| m.get(n).copied()).map_err(|e| e.code)
    }

    #[test]
    fn header_table() {
        let key = base64::engine::general_purpose::STANDARD.encode([1u8; 32]);
        let md5 = Secret::from_slice(&[1u8; 32]).unwrap().md5_base64();
        let alg = "x-cos-server-side-encryption";
        let kid = "x-cos-server-side-encryption-cos-kms-key-id";
        let aws_kid = "x-cos-server-side-encryption-aws-kms-key-id";
        let ca = "x-cos-server-side-encryption-customer-algorithm";
        let ck = "x-cos-server-side-encryption-customer-key";
        let cm = "x-cos-server-side-encryption-customer-key-md5";
        assert_eq!(parse(&[]).unwrap(), SseHeaders::default());
        assert_eq!(
            parse(&[(alg, "AES256")]).unwrap().server,
            Some(ServerSide::Managed)
        );
        assert_eq!(
            parse(&[(alg, "aws:kms")]).unwrap().server,
            Some(ServerSide::Kms(None))
        );
        assert_eq!(
            parse(&[(alg, "cos/kms"), (kid, "k1")]).unwrap().server,
            Some(ServerSide::Kms(Some("k1".into())))
        );
        assert_eq!(
            parse(&[(alg, "aws:kms"), (aws_kid, "k2")]).unwrap().server,
            Some(ServerSide::Kms(Some("k2".into())))
        );
        assert_eq!(parse(&[(alg, "AES128")]), Err(Code::InvalidArgument));
        assert_eq!(
            parse(&[(alg, "AES256"), (kid, "k")]),
            Err(Code::InvalidArgument)
        );
        assert_eq!(parse(&[(kid, "k")]), Err(Code::InvalidArgument));
        let c = parse(&[(ca, "AES256"), (ck, &key), (cm, &md5)]).unwrap();
        assert!(c.customer.is_some() && c.server.is_none());
        assert_eq!(
            parse(&[(ca, "AES256"), (ck, &key)]),
            Err(Code::InvalidArgument)
        );
        assert_eq!(
            parse(&[(ca, "AES256"), (ck, &key), (cm, "AAAAAAAAAAAAAAAAAAAAAA==")]),
            Err(Code::InvalidArgument)
        );
        assert_eq!(
            parse(&[(alg, "AES256"), (ca, "AES256"), (ck, &key), (cm, &md5)]),
            Err(Code::InvalidArgument)
        );
        let cs = parse(&[
            (
                "x-cos-copy-source-server-side-encryption-customer-algorithm",
                "AES256",
            ),
            (
                "x-cos-copy-source-server-side-encryption-customer-key",
                &key,
            ),
            (
                "x-cos-copy-source-server-side-encryption-customer-key-md5",
                &md5,
            ),
        ])
        .unwrap();
        assert!(cs.copy_source_customer.is_some() && cs.customer.is_none());
    }

    #[test]
    fn echoed_headers_per_dialect() {
        let rec = |kind, id: Option<&str>, md5: Option<&str>| SseRecord {
            kind,
            kms_key_id: id.map(Into::into),
            key_md5: md5.map(Into::into),
            wrapped_key: String::new(),
        };
        let s = |v: Vec<(String, String)>| {
            v.into_iter()
                .map(|(a, b)| format!("{a}={b}"))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            s(echo_pairs(
                Dialect::S3,
                Some(&rec(SseKind::Managed, None, None))
            )),
            "x-amz-server-side-encryption=AES256"
        );
        assert_eq!(
            s(echo_pairs(
                Dialect::Cos,
                Some(&rec(SseKind::Kms, Some("k"), None))
            )),
            "x-cos-server-side-encryption=cos/kms x-cos-server-side-encryption-cos-kms-key-id=k"
        );
        assert_eq!(
            s(echo_pairs(
                Dialect::S3,
                Some(&rec(SseKind::Kms, Some("k"), None))
            )),
            "x-amz-server-side-encryption=aws:kms x-amz-server-side-encryption-aws-kms-key-id=k"
        );
        assert_eq!(
            s(echo_pairs(Dialect::S3, Some(&rec(SseKind::Customer, None, Some("M"))))),
            "x-amz-server-side-encryption-customer-algorithm=AES256 x-amz-server-side-encryption-customer-key-MD5=M"
        );
        assert!(echo_pairs(Dialect::S3, None).is_empty());
    }
}
