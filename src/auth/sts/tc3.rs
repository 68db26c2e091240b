//! TC3-HMAC-SHA256 (spec 07 §4): SigV4's shape with Tencent's names.
//! `Authorization: TC3-HMAC-SHA256 Credential=<id>/<date>/<service>/tc3_request,
//! SignedHeaders=content-type;host, Signature=<hex>`.

use crate::auth::sigv4::canonical::{hmac_sha256, sha256_hex};
use crate::auth::{signatures_equal, AuthError};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tc3Auth {
    pub secret_id: String,
    /// `YYYY-MM-DD`, the UTC date of `X-TC-Timestamp`.
    pub date: String,
    pub service: String,
    pub signed_headers: Vec<String>,
    pub signature: String,
}

/// What the canonical request is built from.
pub struct Tc3Request<'a> {
    pub method: &'a str,
    /// The raw query string (GET requests carry their parameters there).
    pub query: &'a str,
    /// Lower-case names with their values.
    pub headers: &'a [(String, String)],
    pub body: &'a [u8],
    pub timestamp: i64,
}

impl Tc3Auth {
    pub fn from_header(h: &str) -> Result<Tc3Auth, AuthError> {
        let bad = |m: &str| AuthError::Malformed(m.to_string());
        let rest = h
            .strip_prefix("TC3-HMAC-SHA256")
            .ok_or_else(|| bad("not TC3-HMAC-SHA256"))?;
        let mut cred = None;
        let mut signed = None;
        let mut sig = None;
        for part in rest.split(',') {
            let Some((k, v)) = part.trim().split_once('=') else {
                continue;
            };
            match k.trim() {
                "Credential" => cred = Some(v.trim()),
                "SignedHeaders" => signed = Some(v.trim()),
                "Signature" => sig = Some(v.trim()),
                _ => {}
            }
        }
        let cred = cred.ok_or_else(|| bad("Credential is missing"))?;
        let mut it = cred.split('/');
        let (Some(id), Some(date), Some(service), Some("tc3_request"), None) =
            (it.next(), it.next(), it.next(), it.next(), it.next())
        else {
            return Err(bad(
                "Credential must be <SecretId>/<date>/<service>/tc3_request",
            ));
        };
        let signed_headers: Vec<String> = signed
            .ok_or_else(|| bad("SignedHeaders is missing"))?
            .split(';')
            .filter(|s| !s.is_empty())
            .map(|s| s.to_ascii_lowercase())
            .collect();
        if !signed_headers.iter().any(|h| h == "host") {
            return Err(bad("SignedHeaders must include host"));
        }
        Ok(Tc3Auth {
            secret_id: id.to_string(),
            date: date.to_string(),
            service: service.to_string(),
            signed_headers,
            signature: sig.ok_or_else(|| bad("Signature is missing"))?.to_string(),
        })
    }

    pub fn scope(&self) -> String {
        format!("{}/{}/tc3_request", self.date, self.service)
    }

    /// The canonical request. Header values are used as sent, trimmed (the SDK does not
    /// lower-case them); a missing signed header signs as empty, so the signature fails.
    pub fn canonical_request(&self, req: &Tc3Request<'_>) -> String {
        let mut headers = String::new();
        for name in &self.signed_headers {
            let v = req
                .headers
                .iter()
                .find(|(k, _)| k == name)
                .map(|(_, v)| v.trim())
                .unwrap_or("");
            headers.push_str(&format!("{name}:{v}\n"));
        }
        let unsigned = req
            .headers
            .iter()
            .any(|(k, v)| k == "x-tc-content-sha256" && v == "UNSIGNED-PAYLOAD");
        let payload = if unsigned {
            sha256_hex(b"UNSIGNED-PAYLOAD")
        } else {
            sha256_hex(req.body)
        };
        format!(
            "{}\n/\n{}\n{headers}\n{}\n{payload}",
            req.method,
            req.query,
            self.signed_headers.join(";")
        )
    }

    pub fn string_to_sign(&self, req: &Tc3Request<'_>) -> String {
        format!(
            "TC3-HMAC-SHA256\n{}\n{}\n{}",
            req.timestamp,
            self.scope(),
            sha256_hex(self.canonical_request(req).as_bytes())
        )
    }

    pub fn sign(&self, secret: &str, req: &Tc3Request<'_>) -> String {
        let k_date = hmac_sha256(format!("TC3{secret}").as_bytes(), self.date.as_bytes());
        let k_service = hmac_sha256(&k_date, self.service.as_bytes());
        let k_signing = hmac_sha256(&k_service, b"tc3_request");
        hex::encode(hmac_sha256(&k_signing, self.string_to_sign(req).as_bytes()))
    }

    /// Checks the signature and that the scope's date is the timestamp's UTC date.
    pub fn verify(&self, secret: &str, req: &Tc3Request<'_>) -> Result<(), AuthError> {
        let day = time::OffsetDateTime::from_unix_timestamp(req.timestamp)
            .map_err(|_| AuthError::Malformed("X-TC-Timestamp is out of range".into()))?
            .date();
        let expected = format!(
            "{:04}-{:02}-{:02}",
            day.year(),
            u8::from(day.month()),
            day.day()
        );
        if expected != self.date {
            return Err(AuthError::Malformed(format!(
                "the credential date {} is not the UTC date of X-TC-Timestamp ({expected})",
                self.date
            )));
        }
        let mine = self.sign(secret, req);
        if signatures_equal(mine.as_bytes(), self.signature.as_bytes()) {
            Ok(())
        } else {
            Err(AuthError::SignatureDoesNotMatch)
        }
    }
}
