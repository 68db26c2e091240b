//! Errors in the Tencent Cloud API shape (spec 07 §2): HTTP 200 with
//! `{"Response": {"Error": {"Code", "Message"}, "RequestId"}}`.

use crate::iam::IamError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StsError {
    pub code: &'static str,
    pub message: String,
}

pub type StsResult<T> = Result<T, StsError>;

impl StsError {
    pub fn new(code: &'static str, message: impl Into<String>) -> StsError {
        StsError {
            code,
            message: message.into(),
        }
    }

    pub fn missing(name: &str) -> StsError {
        StsError::new(
            "MissingParameter",
            format!("The request is missing a required parameter `{name}`."),
        )
    }

    pub fn invalid_value(name: &str, why: impl std::fmt::Display) -> StsError {
        StsError::new(
            "InvalidParameterValue",
            format!("The value of `{name}` is invalid: {why}."),
        )
    }

    pub fn signature() -> StsError {
        StsError::new(
            "AuthFailure.SignatureFailure",
            "The provided credentials could not be validated. Please check your signature is correct.",
        )
    }

    pub fn unknown_key() -> StsError {
        StsError::new(
            "AuthFailure.SecretIdNotFound",
            "The SecretId is not found, please ensure that your SecretId is correct.",
        )
    }

    pub fn internal() -> StsError {
        StsError::new("InternalError", "An internal error occurred.")
    }
}

impl From<IamError> for StsError {
    fn from(e: IamError) -> StsError {
        match e {
            IamError::MalformedPolicy(m) => StsError::invalid_value("Policy", m),
            IamError::Invalid(m) => StsError::new("InvalidParameterValue", m),
            IamError::NoSuchKey(_) => StsError::unknown_key(),
            other => {
                tracing::error!(error = %other, "issuing a temporary key failed");
                StsError::internal()
            }
        }
    }
}
