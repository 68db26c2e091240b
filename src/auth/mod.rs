//! Request authentication. Each signature scheme lives in its own folder with the same shape:
//! detect -> parse -> canonical -> string-to-sign -> verify. Time and credentials are inputs.

pub mod encode;
pub mod legacy;
pub mod payload;
pub mod post;
pub mod qsign;
pub mod sigv2;
pub mod sigv4;
pub mod sts;
#[cfg(test)]
mod testing;

use std::fmt;

/// A secret key. Debug output never shows it.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(pub String);

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(<redacted>)")
    }
}

/// What an access key resolves to.
#[derive(Debug, Clone)]
pub struct Credential {
    pub secret_key: Secret,
    /// The principal's uin (equal to `root_uin` for a root account's own key).
    pub uin: String,
    pub root_uin: String,
    pub enabled: bool,
    /// Set for temporary keys: the token every request must carry, and the expiry.
    pub session: Option<Session>,
}

/// What makes a key temporary (issued by the STS endpoint).
#[derive(Debug, Clone)]
pub struct Session {
    pub token: Secret,
    /// Unix seconds after which the key is dead.
    pub expires_s: i64,
}

/// Looks up access keys.
pub trait CredentialStore: Send + Sync {
    fn lookup(&self, secret_id: &str) -> Option<Credential>;

    /// The SigV4 signing key of `secret` for a scope (a store may keep derived keys).
    fn signing_key(&self, secret: &str, date: &str, region: &str, service: &str) -> [u8; 32] {
        sigv4::signing_key(secret, date, region, service)
    }
}

/// The enabled credential behind `secret_id`, as every signature scheme needs it first.
pub fn active_credential(
    creds: &dyn CredentialStore,
    secret_id: &str,
) -> Result<Credential, AuthError> {
    creds
        .lookup(secret_id)
        .filter(|c| c.enabled)
        .ok_or(AuthError::InvalidAccessKeyId)
}

impl Credential {
    /// The identity of a request verified with this credential's `secret_id`.
    pub fn identity(self, secret_id: &str) -> Identity {
        Identity::Account {
            secret_id: secret_id.to_string(),
            uin: self.uin,
            root_uin: self.root_uin,
        }
    }
}

/// Who made a request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identity {
    Anonymous,
    Account {
        secret_id: String,
        uin: String,
        root_uin: String,
    },
}

impl Identity {
    /// The CAM principal string, e.g. `qcs::cam::uin/100000000001:uin/100000000001`.
    pub fn principal(&self) -> String {
        match self {
            Identity::Anonymous => "qcs::cam::anyone:anyone".into(),
            Identity::Account { uin, root_uin, .. } => {
                format!("qcs::cam::uin/{root_uin}:uin/{uin}")
            }
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AuthError {
    #[error("the SecretId is not known")]
    InvalidAccessKeyId,
    #[error("the signature does not match")]
    SignatureDoesNotMatch,
    #[error("Request has expired")]
    Expired,
    #[error("the request time is too far from the server time")]
    RequestTimeTooSkewed,
    #[error("malformed authorization: {0}")]
    Malformed(String),
}

/// Constant-time comparison of two signatures.
pub fn signatures_equal(a: &[u8], b: &[u8]) -> bool {
    use subtle::ConstantTimeEq;
    a.len() == b.len() && bool::from(a.ct_eq(b))
}
