//! POST Object form signatures (spec 04 §2-3): the COS q-sign over the policy
//! (`hex(HMAC-SHA1(hex(HMAC-SHA1(SecretKey, q-key-time)), hex(SHA1(policy JSON))))`), S3 SigV4
//! (`hex(HMAC-SHA256(signing key, policy base64))`) and SigV2
//! (`base64(HMAC-SHA1(SecretKey, policy base64))`). Pure: the form's fields and a credential
//! store are inputs.

use super::sigv4::canonical::{hmac_sha256, signing_key};
use super::{active_credential, signatures_equal, AuthError, CredentialStore, Identity};
use base64::Engine;
use hmac::{Hmac, Mac};
use sha1::{Digest, Sha1};

/// The signature fields a form carries (names already lower-cased).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostAuth {
    /// `q-sign-algorithm`, `q-ak`, `q-key-time`, `q-signature`.
    Cos {
        ak: String,
        key_time: (i64, i64),
        signature: String,
    },
    /// `x-amz-algorithm`, `x-amz-credential`, `x-amz-date`, `x-amz-signature`.
    V4 {
        access_key: String,
        date: String,
        region: String,
        service: String,
        amz_date: String,
        signature: String,
    },
    /// `AWSAccessKeyId`, `signature`.
    V2 {
        access_key: String,
        signature: String,
    },
}

fn hmac_sha1(key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut m = <Hmac<Sha1>>::new_from_slice(key).expect("HMAC takes any key length");
    m.update(data);
    m.finalize().into_bytes().to_vec()
}

/// The COS q-signature over the decoded policy JSON.
pub fn cos_post_signature(secret: &str, key_time: &str, policy_json: &[u8]) -> String {
    let sign_key = hex::encode(hmac_sha1(secret.as_bytes(), key_time.as_bytes()));
    let string_to_sign = hex::encode(Sha1::digest(policy_json));
    hex::encode(hmac_sha1(sign_key.as_bytes(), string_to_sign.as_bytes()))
}

/// The SigV4 POST signature over the policy's base64 text.
pub fn v4_post_signature(
    secret: &str,
    date: &str,
    region: &str,
    service: &str,
    policy_b64: &str,
) -> String {
    hex::encode(hmac_sha256(
        &signing_key(secret, date, region, service),
        policy_b64.as_bytes(),
    ))
}

/// The SigV2 POST signature over the policy's base64 text.
pub fn v2_post_signature(secret: &str, policy_b64: &str) -> String {
    base64::engine::general_purpose::STANDARD
        .encode(hmac_sha1(secret.as_bytes(), policy_b64.as_bytes()))
}

impl PostAuth {
    /// Which signature the fields carry; None for an unsigned (anonymous) form.
    /// `field` looks a field up by its lower-case name.
    pub fn from_fields(
        field: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<PostAuth>, AuthError> {
        let need = |n: &str| {
            field(n).ok_or_else(|| AuthError::Malformed(format!("the form has no `{n}` field")))
        };
        if let Some(ak) = field("q-ak") {
            if let Some(alg) = field("q-sign-algorithm") {
                if !alg.eq_ignore_ascii_case("sha1") {
                    return Err(AuthError::Malformed(format!(
                        "q-sign-algorithm {alg} is not sha1"
                    )));
                }
            }
            let kt = need("q-key-time")?;
            let (a, b) = kt
                .split_once(';')
                .and_then(|(a, b)| Some((a.trim().parse().ok()?, b.trim().parse().ok()?)))
                .ok_or_else(|| AuthError::Malformed("q-key-time must be <start>;<end>".into()))?;
            return Ok(Some(PostAuth::Cos {
                ak,
                key_time: (a, b),
                signature: need("q-signature")?,
            }));
        }
        if let Some(alg) = field("x-amz-algorithm") {
            if alg != "AWS4-HMAC-SHA256" {
                return Err(AuthError::Malformed(format!(
                    "x-amz-algorithm {alg} is not supported"
                )));
            }
            let cred = need("x-amz-credential")?;
            let parts: Vec<&str> = cred.split('/').collect();
            let [ak, date, region, service, "aws4_request"] = parts.as_slice() else {
                return Err(AuthError::Malformed(
                    "x-amz-credential must be <key>/<date>/<region>/<service>/aws4_request".into(),
                ));
            };
            return Ok(Some(PostAuth::V4 {
                access_key: ak.to_string(),
                date: date.to_string(),
                region: region.to_string(),
                service: service.to_string(),
                amz_date: need("x-amz-date")?,
                signature: need("x-amz-signature")?,
            }));
        }
        if let Some(ak) = field("awsaccesskeyid") {
            return Ok(Some(PostAuth::V2 {
                access_key: ak,
                signature: need("signature")?,
            }));
        }
        Ok(None)
    }

    pub fn access_key(&self) -> &str {
        match self {
            PostAuth::Cos { ak, .. } => ak,
            PostAuth::V4 { access_key, .. } | PostAuth::V2 { access_key, .. } => access_key,
        }
    }

    /// Verifies the signature over the policy (`policy_b64` as sent, `policy_json` decoded) and,
    /// for q-sign, that `now` lies in the key time (with `skew` for the start).
    pub fn verify(
        &self,
        creds: &dyn CredentialStore,
        policy_b64: &str,
        policy_json: &[u8],
        now: i64,
        skew: i64,
    ) -> Result<Identity, AuthError> {
        let cred = active_credential(creds, self.access_key())?;
        let (mine, theirs) = match self {
            PostAuth::Cos {
                key_time,
                signature,
                ..
            } => {
                if now + skew < key_time.0 {
                    return Err(AuthError::RequestTimeTooSkewed);
                }
                if now > key_time.1 {
                    return Err(AuthError::Expired);
                }
                let kt = format!("{};{}", key_time.0, key_time.1);
                (
                    cos_post_signature(&cred.secret_key.0, &kt, policy_json),
                    signature.to_ascii_lowercase(),
                )
            }
            PostAuth::V4 {
                date,
                region,
                service,
                amz_date,
                signature,
                ..
            } => {
                if !amz_date.starts_with(date.as_str()) {
                    return Err(AuthError::Malformed(
                        "x-amz-date is not on the credential's date".into(),
                    ));
                }
                (
                    v4_post_signature(&cred.secret_key.0, date, region, service, policy_b64),
                    signature.to_ascii_lowercase(),
                )
            }
            PostAuth::V2 { signature, .. } => (
                v2_post_signature(&cred.secret_key.0, policy_b64),
                signature.clone(),
            ),
        };
        if signatures_equal(mine.as_bytes(), theirs.as_bytes()) {
            Ok(cred.identity(self.access_key()))
        } else {
            Err(AuthError::SignatureDoesNotMatch)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::testing::Keys;

    const COS_POLICY: &str = r#"{"expiration":"2023-11-14T22:28:20.000Z","conditions":[{"q-sign-algorithm":"sha1"},{"q-ak":"AKIDEXAMPLE"},{"q-sign-time":"1700000000;1700000900"},{"bucket":"examplebucket-1250000000"},{"key":"uploads/a.txt"},["content-length-range",1,1048576],["starts-with","$Content-Type","text/"]]}"#;

    #[test]
    fn cos_vector() {
        assert_eq!(
            cos_post_signature(
                "SECRETEXAMPLE",
                "1700000000;1700000900",
                COS_POLICY.as_bytes()
            ),
            "7b8a2b9227608138225683fc3315e357934c28c2"
        );
        let fields = |n: &str| {
            match n {
                "q-sign-algorithm" => Some("sha1"),
                "q-ak" => Some("AKIDEXAMPLE"),
                "q-key-time" => Some("1700000000;1700000900"),
                "q-signature" => Some("7b8a2b9227608138225683fc3315e357934c28c2"),
                _ => None,
            }
            .map(str::to_string)
        };
        let auth = PostAuth::from_fields(&fields).unwrap().unwrap();
        let keys = Keys(vec![("AKIDEXAMPLE", "SECRETEXAMPLE")]);
        let b64 = base64::engine::general_purpose::STANDARD.encode(COS_POLICY);
        assert!(auth
            .verify(&keys, &b64, COS_POLICY.as_bytes(), 1700000100, 900)
            .is_ok());
        assert_eq!(
            auth.verify(&keys, &b64, COS_POLICY.as_bytes(), 1700000901, 900),
            Err(AuthError::Expired)
        );
        assert_eq!(
            auth.verify(&keys, &b64, b"{}", 1700000100, 900),
            Err(AuthError::SignatureDoesNotMatch)
        );
    }

    #[test]
    fn boto3_vectors() {
        let v4 = r#"{"expiration": "2023-11-14T23:13:20Z", "conditions": [{"acl": "public-read"}, ["content-length-range", 1, 1048576], {"bucket": "examplebucket-1250000000"}, ["starts-with", "$key", "uploads/"], {"x-amz-algorithm": "AWS4-HMAC-SHA256"}, {"x-amz-credential": "AKIDEXAMPLE/20231114/ap-guangzhou/s3/aws4_request"}, {"x-amz-date": "20231114T221320Z"}]}"#;
        let b64 = base64::engine::general_purpose::STANDARD.encode(v4);
        assert_eq!(
            v4_post_signature("SECRETEXAMPLE", "20231114", "ap-guangzhou", "s3", &b64),
            "6901e0f468d3ade5844b6f4b7927f6e36cc03a3c2ceb180a5588def46d3af3f0"
        );
        let v2 = r#"{"expiration": "2023-11-14T23:13:20Z", "conditions": [{"acl": "public-read"}, ["content-length-range", 1, 1048576], {"bucket": "examplebucket-1250000000"}, ["starts-with", "$key", "uploads/"]]}"#;
        let b64 = base64::engine::general_purpose::STANDARD.encode(v2);
        assert_eq!(
            v2_post_signature("SECRETEXAMPLE", &b64),
            "54mVEErTSJYFMuGWp6CPj6NyWkY="
        );
    }

    #[test]
    fn malformed_fields() {
        let f = |pairs: &'static [(&'static str, &'static str)]| {
            move |n: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == n)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(PostAuth::from_fields(&f(&[])).unwrap(), None);
        assert!(PostAuth::from_fields(&f(&[("q-ak", "a"), ("q-key-time", "x")])).is_err());
        assert!(PostAuth::from_fields(&f(&[("q-ak", "a"), ("q-key-time", "1;2")])).is_err());
        assert!(PostAuth::from_fields(&f(&[
            ("x-amz-algorithm", "AWS4-HMAC-SHA256"),
            ("x-amz-credential", "a/b")
        ]))
        .is_err());
        assert!(PostAuth::from_fields(&f(&[("awsaccesskeyid", "a")])).is_err());
    }
}
