//! `ApiError`: the API layer's one error type, whichever surface a request came in on (COS or
//! S3 XML, the JSON API, STS, the admin API, the website endpoint). A handler says what went
//! wrong with a [`Code`] and a message; each lower layer's error maps into it once (the `From`
//! impls below); [`ApiError::render`] (`render.rs`) writes it in the surface's shape and picks
//! the surface's wire code for it.

mod render;

pub use render::{RenderedCode, Surface};

use crate::api::json::JsonCode;
use crate::api::sts::error::StsCode;
use crate::auth::legacy::LegacyAuthError;
use crate::auth::payload::BodyError;
use crate::auth::AuthError;
use crate::iam::IamError;
use crate::service::ServiceError;
use http::StatusCode;

/// What went wrong: the COS codes (with the HTTP status each has there), the admin API's own
/// codes, and the codes only the JSON API or STS have. Every surface can write every code:
/// the renderer maps a code to the surface's nearest one.
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
    NoSuchBucketPolicy,
    NoSuchTagSet,
    NoSuchCORSConfiguration,
    NoSuchWebsiteConfiguration,
    NoSuchLifecycleConfiguration,
    NoSuchVersion,
    ObjectLockConfigurationNotFoundError,
    NoSuchObjectLockConfiguration,
    InvalidBucketState,
    /// Not for the object's storage class: an unrestored archive read or copied, a restore of
    /// a class that has none (403, S3's and COS's code).
    InvalidObjectState,
    /// A restore of the version is still running (409).
    RestoreAlreadyInProgress,
    /// S3's code for a storage class it does not know (400); the COS dialect answers
    /// InvalidArgument.
    InvalidStorageClass,
    NoSuchPublicAccessBlockConfiguration,
    OwnershipControlsNotFoundError,
    AccessControlListNotSupported,
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
    InvalidRetentionPeriod,
    InvalidDigest,
    BadDigest,
    EntityTooLarge,
    IncompleteBody,
    MetadataTooLarge,
    MissingContentLength,
    InvalidRange,
    InvalidPartNumber,
    PreconditionFailed,
    NotModified,
    MethodNotAllowed,
    NotImplemented,
    InternalError,
    /// An SSE-KMS key id that does not exist (for the bucket's owner): 400, as S3 answers.
    KmsNotFound,
    /// An SSE-KMS key that is disabled: 400, as S3 answers.
    KmsDisabled,
    /// GET `?encryption` of a bucket without default encryption (404).
    ServerSideEncryptionConfigurationNotFoundError,
    /// A request body stalled (`body_timeout_secs`).
    RequestTimeout,
    /// The server cannot serve the request now (out of descriptors); retrying may work.
    ServiceUnavailable,
    /// PUT `?logging` names a target bucket that is missing or someone else's (400).
    InvalidTargetBucketForLogging,
    /// S3's "reduce your request rate" (503); COS SDKs retry it like any 5xx. Only injected
    /// faults answer it today (`/_cosd/admin/faults`).
    SlowDown,
    // The admin API's codes.
    NoSuchUser,
    NoSuchGroup,
    /// An access key (`SecretId`) that does not exist; the admin API calls it `NoSuchKey`.
    NoSuchAccessKey,
    UserAlreadyExists,
    KeyAlreadyExists,
    GroupAlreadyExists,
    NoSuchAdminResource,
    /// A code only the JSON API has.
    Json(JsonCode),
    /// A legacy (JSON API) signature was refused; the JSON API has a code for each reason.
    LegacyAuth(LegacyAuthError),
    /// A code only STS (the Tencent Cloud API) has.
    Sts(StsCode),
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
            Code::NoSuchBucketPolicy => "NoSuchBucketPolicy",
            Code::NoSuchTagSet => "NoSuchTagSet",
            Code::NoSuchCORSConfiguration => "NoSuchCORSConfiguration",
            Code::NoSuchWebsiteConfiguration => "NoSuchWebsiteConfiguration",
            Code::NoSuchLifecycleConfiguration => "NoSuchLifecycleConfiguration",
            Code::NoSuchVersion => "NoSuchVersion",
            Code::ObjectLockConfigurationNotFoundError => "ObjectLockConfigurationNotFoundError",
            Code::NoSuchObjectLockConfiguration => "NoSuchObjectLockConfiguration",
            Code::InvalidBucketState => "InvalidBucketState",
            Code::InvalidObjectState => "InvalidObjectState",
            Code::RestoreAlreadyInProgress => "RestoreAlreadyInProgress",
            Code::InvalidStorageClass => "InvalidStorageClass",
            Code::NoSuchPublicAccessBlockConfiguration => "NoSuchPublicAccessBlockConfiguration",
            Code::OwnershipControlsNotFoundError => "OwnershipControlsNotFoundError",
            Code::AccessControlListNotSupported => "AccessControlListNotSupported",
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
            Code::InvalidRetentionPeriod => "InvalidRetentionPeriod",
            Code::InvalidDigest => "InvalidDigest",
            Code::BadDigest => "BadDigest",
            Code::EntityTooLarge => "EntityTooLarge",
            Code::IncompleteBody => "IncompleteBody",
            Code::MetadataTooLarge => "MetadataTooLarge",
            Code::MissingContentLength => "MissingContentLength",
            Code::InvalidRange => "InvalidRange",
            Code::InvalidPartNumber => "InvalidPartNumber",
            Code::PreconditionFailed => "PreconditionFailed",
            Code::NotModified => "NotModified",
            Code::MethodNotAllowed => "MethodNotAllowed",
            Code::NotImplemented => "NotImplemented",
            Code::KmsNotFound => "KMS.NotFoundException",
            Code::KmsDisabled => "KMS.DisabledException",
            Code::ServerSideEncryptionConfigurationNotFoundError => {
                "ServerSideEncryptionConfigurationNotFoundError"
            }
            Code::InternalError => "InternalError",
            Code::RequestTimeout => "RequestTimeout",
            Code::ServiceUnavailable => "ServiceUnavailable",
            Code::SlowDown => "SlowDown",
            Code::InvalidTargetBucketForLogging => "InvalidTargetBucketForLogging",
            Code::NoSuchUser => "NoSuchUser",
            Code::NoSuchGroup => "NoSuchGroup",
            Code::NoSuchAccessKey => "NoSuchKey",
            Code::UserAlreadyExists => "UserAlreadyExists",
            Code::KeyAlreadyExists => "KeyAlreadyExists",
            Code::GroupAlreadyExists => "GroupAlreadyExists",
            Code::NoSuchAdminResource => "NoSuchAdminResource",
            Code::Json(c) => c.as_str(),
            Code::LegacyAuth(_) => "AccessDenied",
            Code::Sts(c) => c.as_str(),
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
            | Code::NoSuchBucketPolicy
            | Code::NoSuchTagSet
            | Code::NoSuchCORSConfiguration
            | Code::NoSuchWebsiteConfiguration
            | Code::NoSuchLifecycleConfiguration
            | Code::NoSuchVersion
            | Code::ObjectLockConfigurationNotFoundError
            | Code::NoSuchObjectLockConfiguration
            | Code::NoSuchPublicAccessBlockConfiguration
            | Code::OwnershipControlsNotFoundError => StatusCode::NOT_FOUND,
            Code::AccessControlListNotSupported | Code::InvalidTargetBucketForLogging => {
                StatusCode::BAD_REQUEST
            }
            Code::InvalidBucketState => StatusCode::CONFLICT,
            Code::InvalidObjectState => StatusCode::FORBIDDEN,
            Code::RestoreAlreadyInProgress => StatusCode::CONFLICT,
            Code::InvalidStorageClass => StatusCode::BAD_REQUEST,
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
            | Code::InvalidRetentionPeriod
            | Code::MalformedPolicy
            | Code::InvalidTag
            | Code::MalformedACLError
            | Code::InvalidDigest
            | Code::BadDigest
            | Code::EntityTooLarge
            | Code::IncompleteBody
            | Code::MetadataTooLarge => StatusCode::BAD_REQUEST,
            Code::MissingContentLength => StatusCode::LENGTH_REQUIRED,
            Code::InvalidRange | Code::InvalidPartNumber => StatusCode::RANGE_NOT_SATISFIABLE,
            Code::PreconditionFailed => StatusCode::PRECONDITION_FAILED,
            Code::NotModified => StatusCode::NOT_MODIFIED,
            Code::MethodNotAllowed => StatusCode::METHOD_NOT_ALLOWED,
            Code::NotImplemented => StatusCode::NOT_IMPLEMENTED,
            Code::KmsNotFound | Code::KmsDisabled => StatusCode::BAD_REQUEST,
            Code::ServerSideEncryptionConfigurationNotFoundError => StatusCode::NOT_FOUND,
            Code::InternalError => StatusCode::INTERNAL_SERVER_ERROR,
            Code::RequestTimeout => StatusCode::BAD_REQUEST,
            Code::ServiceUnavailable | Code::SlowDown => StatusCode::SERVICE_UNAVAILABLE,
            Code::NoSuchUser
            | Code::NoSuchGroup
            | Code::NoSuchAccessKey
            | Code::NoSuchAdminResource => StatusCode::NOT_FOUND,
            Code::UserAlreadyExists | Code::KeyAlreadyExists | Code::GroupAlreadyExists => {
                StatusCode::CONFLICT
            }
            Code::Json(c) => c.status(),
            Code::LegacyAuth(_) => StatusCode::FORBIDDEN,
            Code::Sts(c) => c.status(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct ApiError {
    pub code: Code,
    pub message: String,
    /// Extra headers (e.g. `ETag`/`Last-Modified` on 304).
    pub headers: Vec<(&'static str, String)>,
    /// The JSON API sends it as `data` (`-4019` carries the unfinished session).
    pub data: Option<serde_json::Value>,
}

pub type ApiResult<T> = Result<T, ApiError>;

/// The message of an internal error in the XML API (the detail goes to the log).
const INTERNAL_MESSAGE: &str = "We encountered an internal error. Please try again.";

impl ApiError {
    pub fn new(code: Code, message: impl Into<String>) -> ApiError {
        ApiError {
            code,
            message: message.into(),
            headers: Vec::new(),
            data: None,
        }
    }

    pub fn with_header(mut self, name: &'static str, value: String) -> ApiError {
        self.headers.push((name, value));
        self
    }

    pub fn with_data(mut self, data: serde_json::Value) -> ApiError {
        self.data = Some(data);
        self
    }

    /// The same error with a more specific explanation appended.
    pub fn detail(mut self, detail: impl std::fmt::Display) -> ApiError {
        self.message = format!("{} ({detail})", self.message);
        self
    }

    /// An internal failure: `detail` goes to the log at error level, the client gets `message`
    /// (the renderer replaces it on the surfaces that have a standard text for it).
    pub(crate) fn internal(detail: impl std::fmt::Display, message: impl Into<String>) -> ApiError {
        tracing::error!(error = %detail, "internal error");
        ApiError::new(Code::InternalError, message)
    }
}

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
            ServiceError::NotImplemented(_) => Code::NotImplemented,
            ServiceError::ObjectExists => Code::FileAlreadyExists,
            ServiceError::NoSuchVersion => Code::NoSuchVersion,
            ServiceError::ObjectLocked(_) => Code::AccessDenied,
            ServiceError::InvalidBucketState(_) => Code::InvalidBucketState,
            ServiceError::InvalidObjectState(_) => Code::InvalidObjectState,
            ServiceError::RestoreAlreadyInProgress => Code::RestoreAlreadyInProgress,
            ServiceError::InvalidArgument(_) => Code::InvalidArgument,
            ServiceError::DeleteMarker(_) => Code::MethodNotAllowed,
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
                return ApiError::internal(detail, INTERNAL_MESSAGE)
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

impl From<LegacyAuthError> for ApiError {
    fn from(e: LegacyAuthError) -> Self {
        ApiError::new(Code::LegacyAuth(e), e.to_string())
    }
}

impl From<IamError> for ApiError {
    fn from(e: IamError) -> Self {
        let code = match &e {
            IamError::NoSuchUser(_) => Code::NoSuchUser,
            IamError::NoSuchGroup(_) => Code::NoSuchGroup,
            IamError::NoSuchKey(_) => Code::NoSuchAccessKey,
            IamError::NoSuchPolicy(_) => Code::NoSuchPolicy,
            IamError::UserExists(_) => Code::UserAlreadyExists,
            IamError::KeyExists(_) => Code::KeyAlreadyExists,
            IamError::GroupExists(_) => Code::GroupAlreadyExists,
            IamError::MalformedPolicy(_) => Code::MalformedPolicy,
            IamError::Invalid(_) => Code::InvalidArgument,
            // The admin API (root accounts only) shows the detail; STS and JSON do not.
            IamError::Kv(_) | IamError::Poisoned => return ApiError::internal(&e, e.to_string()),
        };
        ApiError::new(code, e.to_string())
    }
}
