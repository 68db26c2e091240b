//! STS's own error codes (the Tencent Cloud API's, spec 07 §2) and constructors of
//! [`ApiError`]s with them. The renderer writes them as HTTP 200 with
//! `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`.

use crate::api::error::{ApiError, Code};
use http::StatusCode;

/// The Tencent Cloud API codes STS answers with that no other surface has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StsCode {
    MissingParameter,
    InvalidParameter,
    InvalidParameterValue,
    /// `AuthFailure.InvalidAuthorization`
    InvalidAuthorization,
    /// `AuthFailure.SignatureFailure`
    SignatureFailure,
    /// `AuthFailure.SignatureExpire`
    SignatureExpire,
    /// `AuthFailure.SecretIdNotFound`
    SecretIdNotFound,
    UnauthorizedOperation,
    NoSuchVersion,
    InvalidAction,
    UnsupportedOperation,
    /// What STS says of an error of another surface it has no nearer code for.
    FailedOperation,
}

impl StsCode {
    pub fn as_str(self) -> &'static str {
        match self {
            StsCode::MissingParameter => "MissingParameter",
            StsCode::InvalidParameter => "InvalidParameter",
            StsCode::InvalidParameterValue => "InvalidParameterValue",
            StsCode::InvalidAuthorization => "AuthFailure.InvalidAuthorization",
            StsCode::SignatureFailure => "AuthFailure.SignatureFailure",
            StsCode::SignatureExpire => "AuthFailure.SignatureExpire",
            StsCode::SecretIdNotFound => "AuthFailure.SecretIdNotFound",
            StsCode::UnauthorizedOperation => "UnauthorizedOperation",
            StsCode::NoSuchVersion => "NoSuchVersion",
            StsCode::InvalidAction => "InvalidAction",
            StsCode::UnsupportedOperation => "UnsupportedOperation",
            StsCode::FailedOperation => "FailedOperation",
        }
    }

    /// The status when another surface writes it (STS itself always answers 200).
    pub fn status(self) -> StatusCode {
        match self {
            StsCode::InvalidAuthorization
            | StsCode::SignatureFailure
            | StsCode::SignatureExpire
            | StsCode::SecretIdNotFound
            | StsCode::UnauthorizedOperation => StatusCode::FORBIDDEN,
            StsCode::MissingParameter
            | StsCode::InvalidParameter
            | StsCode::InvalidParameterValue
            | StsCode::NoSuchVersion
            | StsCode::InvalidAction
            | StsCode::UnsupportedOperation
            | StsCode::FailedOperation => StatusCode::BAD_REQUEST,
        }
    }
}

/// STS's message for an internal error (the detail goes to the log).
pub const INTERNAL: &str = "An internal error occurred.";
/// `AuthFailure.SecretIdNotFound`'s message.
pub const UNKNOWN_KEY: &str =
    "The SecretId is not found, please ensure that your SecretId is correct.";
/// `AuthFailure.SignatureFailure`'s message.
pub const SIGNATURE: &str =
    "The provided credentials could not be validated. Please check your signature is correct.";

pub fn new(code: StsCode, message: impl Into<String>) -> ApiError {
    ApiError::new(Code::Sts(code), message)
}

pub fn missing(name: &str) -> ApiError {
    new(
        StsCode::MissingParameter,
        format!("The request is missing a required parameter `{name}`."),
    )
}

/// `InvalidParameterValue`'s message for parameter `name`.
pub fn invalid_value_text(name: &str, why: impl std::fmt::Display) -> String {
    format!("The value of `{name}` is invalid: {why}.")
}

pub fn invalid_value(name: &str, why: impl std::fmt::Display) -> ApiError {
    new(
        StsCode::InvalidParameterValue,
        invalid_value_text(name, why),
    )
}

pub fn signature() -> ApiError {
    new(StsCode::SignatureFailure, SIGNATURE)
}

pub fn unknown_key() -> ApiError {
    new(StsCode::SecretIdNotFound, UNKNOWN_KEY)
}
