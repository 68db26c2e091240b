//! `ApiError`: the one error type at the edge, rendered as COS `<Error>` XML with the right status.

use super::request::authn::Dialect;
use super::request::stamp::trace_id;
use crate::auth::payload::BodyError;
use crate::auth::AuthError;
use crate::service::ServiceError;
use crate::xml::XmlWriter;
use http::{HeaderValue, StatusCode};

/// COS error codes used by this server, each with its HTTP status.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Code {
    AccessDenied,
    InvalidAccessKeyId,
    SignatureDoesNotMatch,
    AuthorizationHeaderMalformed,
    AuthorizationQueryParametersError,
    XAmzContentSHA256Mismatch,
    FileAlreadyExists,
    RequestTimeTooSkewed,
    NoSuchBucket,
    NoSuchKey,
    NoSuchUpload,
    NoSuchPolicy,
    NoSuchTagSet,
    NoSuchCORSConfiguration,
    NoSuchWebsiteConfiguration,
    InvalidTag,
    MalformedPolicy,
    MalformedACLError,
    InvalidPart,
    InvalidPartOrder,
    EntityTooSmall,
    ObjectNotAppendable,
    PositionNotEqualToLength,
    BucketAlreadyExists,
    BucketAlreadyOwnedByYou,
    BucketNotEmpty,
    InvalidBucketName,
    KeyTooLong,
    InvalidArgument,
    InvalidRequest,
    InvalidURI,
    MalformedXML,
    InvalidDigest,
    BadDigest,
    EntityTooLarge,
    IncompleteBody,
    MetadataTooLarge,
    MissingContentLength,
    InvalidRange,
    PreconditionFailed,
    NotModified,
    MethodNotAllowed,
    NotImplemented,
    InternalError,
    /// A request body stalled (`body_timeout_secs`).
    RequestTimeout,
    /// The server cannot serve the request now (out of descriptors); retrying may work.
    ServiceUnavailable,
}

impl Code {
    pub fn as_str(&self) -> &'static str {
        match self {
            Code::AccessDenied => "AccessDenied",
            Code::InvalidAccessKeyId => "InvalidAccessKeyId",
            Code::SignatureDoesNotMatch => "SignatureDoesNotMatch",
            Code::AuthorizationHeaderMalformed => "AuthorizationHeaderMalformed",
            Code::AuthorizationQueryParametersError => "AuthorizationQueryParametersError",
            Code::XAmzContentSHA256Mismatch => "XAmzContentSHA256Mismatch",
            Code::FileAlreadyExists => "FileAlreadyExists",
            Code::RequestTimeTooSkewed => "RequestTimeTooSkewed",
            Code::NoSuchBucket => "NoSuchBucket",
            Code::NoSuchKey => "NoSuchKey",
            Code::NoSuchUpload => "NoSuchUpload",
            Code::NoSuchPolicy => "NoSuchPolicy",
            Code::NoSuchTagSet => "NoSuchTagSet",
            Code::NoSuchCORSConfiguration => "NoSuchCORSConfiguration",
            Code::NoSuchWebsiteConfiguration => "NoSuchWebsiteConfiguration",
            Code::InvalidTag => "InvalidTag",
            Code::MalformedPolicy => "MalformedPolicy",
            Code::MalformedACLError => "MalformedACLError",
            Code::InvalidPart => "InvalidPart",
            Code::InvalidPartOrder => "InvalidPartOrder",
            Code::EntityTooSmall => "EntityTooSmall",
            Code::ObjectNotAppendable => "ObjectNotAppendable",
            Code::PositionNotEqualToLength => "PositionNotEqualToLength",
            Code::BucketAlreadyExists => "BucketAlreadyExists",
            Code::BucketAlreadyOwnedByYou => "BucketAlreadyOwnedByYou",
            Code::BucketNotEmpty => "BucketNotEmpty",
            Code::InvalidBucketName => "InvalidBucketName",
            Code::KeyTooLong => "KeyTooLong",
            Code::InvalidArgument => "InvalidArgument",
            Code::InvalidRequest => "InvalidRequest",
            Code::InvalidURI => "InvalidURI",
            Code::MalformedXML => "MalformedXML",
            Code::InvalidDigest => "InvalidDigest",
            Code::BadDigest => "BadDigest",
            Code::EntityTooLarge => "EntityTooLarge",
            Code::IncompleteBody => "IncompleteBody",
            Code::MetadataTooLarge => "MetadataTooLarge",
            Code::MissingContentLength => "MissingContentLength",
            Code::InvalidRange => "InvalidRange",
            Code::PreconditionFailed => "PreconditionFailed",
            Code::NotModified => "NotModified",
            Code::MethodNotAllowed => "MethodNotAllowed",
            Code::NotImplemented => "NotImplemented",
            Code::InternalError => "InternalError",
            Code::RequestTimeout => "RequestTimeout",
            Code::ServiceUnavailable => "ServiceUnavailable",
        }
    }

    pub fn status(&self) -> StatusCode {
        match self {
            Code::AccessDenied
            | Code::InvalidAccessKeyId
            | Code::SignatureDoesNotMatch
            | Code::RequestTimeTooSkewed => StatusCode::FORBIDDEN,
            Code::NoSuchBucket
            | Code::NoSuchKey
            | Code::NoSuchUpload
            | Code::NoSuchPolicy
            | Code::NoSuchTagSet
            | Code::NoSuchCORSConfiguration
            | Code::NoSuchWebsiteConfiguration => StatusCode::NOT_FOUND,
            Code::ObjectNotAppendable
            | Code::PositionNotEqualToLength
            | Code::FileAlreadyExists => StatusCode::CONFLICT,
            Code::AuthorizationHeaderMalformed
            | Code::AuthorizationQueryParametersError
            | Code::XAmzContentSHA256Mismatch => StatusCode::BAD_REQUEST,
            Code::InvalidPart | Code::InvalidPartOrder | Code::EntityTooSmall => {
                StatusCode::BAD_REQUEST
            }
            Code::BucketAlreadyExists | Code::BucketAlreadyOwnedByYou | Code::BucketNotEmpty => {
                StatusCode::CONFLICT
            }
            Code::InvalidBucketName
            | Code::KeyTooLong
            | Code::InvalidArgument
            | Code::InvalidRequest
            | Code::InvalidURI
            | Code::MalformedXML
            | Code::MalformedPolicy
            | Code::InvalidTag
            | Code::MalformedACLError
            | Code::InvalidDigest
            | Code::BadDigest
            | Code::EntityTooLarge
            | Code::IncompleteBody
            | Code::MetadataTooLarge => StatusCode::BAD_REQUEST,
            Code::MissingContentLength => StatusCode::LENGTH_REQUIRED,
            Code::InvalidRange => StatusCode::RANGE_NOT_SATISFIABLE,
            Code::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Code::NotModified => StatusCode::NOT_MODIFIED,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::NotImplemented => StatusCode::NOT_IMPLEMENTED,
            Code::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            Code::RequestTimeout => StatusCode::BAD_REQUEST,
            Code::ServiceUnavailable => StatusCode::SERVICE_UNAVAILABLE,
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    /// Extra headers (e.g. `ETag`/`Last-Modified` on 304).
    pub headers: Vec<(&'static str, String)>,
}

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            headers: Vec::new(),
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> ApiError {
        self.headers.push((name, value));
        self
    }

    /// Renders the error; `resource` is what the request addressed, `head` drops the body.
    pub fn into_response(
        self,
        resource: &str,
        request_id: &str,
        head: bool,
        dialect: Dialect,
    ) -> http::Response<axum::body::Body> {
        let status = self.code.status();
        let mut builder = http::Response::builder().status(status);
        for (name, value) in &self.headers {
            if let Ok(v) = HeaderValue::from_str(value) {
                builder = builder.header(*name, v);
            }
        }
        if status == StatusCode::NOT_MODIFIED {
            // `Content-Length: 0` as COS sends it: cos-python-sdk-v5 treats a 304 as success
            // and its StreamBody refuses a response with neither length nor chunked framing.
            return builder
                .header(http::header::CONTENT_LENGTH, 0)
                .body(axum::body::Body::new(ZeroLength))
                .unwrap_or_default();
        }
        if head {
            return builder.body(axum::body::Body::empty()).unwrap_or_default();
        }
        let mut w = match dialect {
            Dialect::Cos => XmlWriter::new_with_decl("<?xml version='1.0' encoding='utf-8' ?>\n"),
            Dialect::S3 => XmlWriter::new_with_decl("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"),
        };
        w.open("Error");
        w.elem("Code", self.code.as_str());
        w.elem(
            "Message",
            if self.message.is_empty() {
                self.code.as_str()
            } else {
                &self.message
            },
        );
        w.elem("Resource", if resource.is_empty() { "/" } else { resource });
        w.elem("RequestId", request_id);
        match dialect {
            Dialect::Cos => w.elem("TraceId", &trace_id(request_id)),
            Dialect::S3 => w.elem("HostId", &trace_id(request_id)),
        };
        w.close("Error");
        let body = w.finish();
        builder
            .header("Content-Type", "application/xml")
            .header("Content-Length", body.len())
            .body(axum::body::Body::from(body))
            .unwrap_or_default()
    }
}

/// An empty body that hyper frames by the response's own `Content-Length` header. hyper drops
/// that header from a 304 (and 204) whose body it knows to be empty before sending it, but
/// keeps it when the body only says its length is 0.
struct ZeroLength;

impl http_body::Body for ZeroLength {
    type Data = bytes::Bytes;
    type Error = std::convert::Infallible;

    fn poll_frame(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Option<Result<http_body::Frame<Self::Data>, Self::Error>>> {
        std::task::Poll::Ready(None)
    }

    fn is_end_stream(&self) -> bool {
        false
    }

    fn size_hint(&self) -> http_body::SizeHint {
        http_body::SizeHint::with_exact(0)
    }
}

/// A trace id derived from the request id (COS returns both; ours need not be distinct).
impl From<ServiceError> for ApiError {
    fn from(e: ServiceError) -> Self {
        let msg = e.to_string();
        let code = match e {
            ServiceError::NoSuchBucket => Code::NoSuchBucket,
            ServiceError::NoSuchKey => Code::NoSuchKey,
            ServiceError::BucketAlreadyOwnedByYou => Code::BucketAlreadyOwnedByYou,
            ServiceError::BucketAlreadyExists => Code::BucketAlreadyExists,
            ServiceError::BucketNotEmpty => Code::BucketNotEmpty,
            ServiceError::BadDigest => Code::BadDigest,
            ServiceError::EntityTooLarge => Code::EntityTooLarge,
            ServiceError::IncompleteBody(_) => Code::IncompleteBody,
            ServiceError::PreconditionFailed => Code::PreconditionFailed,
            ServiceError::NoSuchUpload => Code::NoSuchUpload,
            ServiceError::InvalidPart(_) => Code::InvalidPart,
            ServiceError::InvalidPartOrder => Code::InvalidPartOrder,
            ServiceError::EntityTooSmall(_) => Code::EntityTooSmall,
            ServiceError::MalformedXml(_) => Code::MalformedXML,
            ServiceError::ObjectNotAppendable => Code::ObjectNotAppendable,
            ServiceError::PositionNotEqualToLength(_) => Code::PositionNotEqualToLength,
            ServiceError::InvalidRequest(_) => Code::InvalidRequest,
            ServiceError::ObjectExists => Code::FileAlreadyExists,
            ServiceError::Body(ref b) => match b {
                BodyError::Incomplete(_) | BodyError::DecodedLengthMismatch { .. } => {
                    Code::IncompleteBody
                }
                BodyError::Framing(_) | BodyError::MissingTrailer(_) => Code::InvalidRequest,
                BodyError::ContentSha256Mismatch => Code::XAmzContentSHA256Mismatch,
                BodyError::ChunkSignatureMismatch => Code::SignatureDoesNotMatch,
                BodyError::ChecksumMismatch(_) => Code::BadDigest,
            },
            ServiceError::Internal(ref detail) => {
                tracing::error!(error = %detail, "internal error");
                return ApiError::new(
                    Code::InternalError,
                    "We encountered an internal error. Please try again.",
                );
            }
        };
        ApiError::new(code, msg)
    }
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> Self {
        match e {
            AuthError::InvalidAccessKeyId => {
                ApiError::new(Code::InvalidAccessKeyId, "The Access Key Id you provided does not exist in our records.")
            }
            AuthError::SignatureDoesNotMatch => ApiError::new(
                Code::SignatureDoesNotMatch,
                "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
            ),
            AuthError::Expired => ApiError::new(Code::AccessDenied, "Request has expired"),
            AuthError::RequestTimeTooSkewed => ApiError::new(
                Code::RequestTimeTooSkewed,
                "The difference between the request time and the server's time is too large.",
            ),
            AuthError::Malformed(m) => ApiError::new(Code::AccessDenied, format!("Invalid Authorization: {m}")),
        }
    }
}
