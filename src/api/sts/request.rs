//! An STS call as the clients send it: the v1 form signature (COS STS SDKs: parameters in a
//! form body or the query) or TC3-HMAC-SHA256 (generic Tencent Cloud SDKs: `X-TC-*` headers
//! and a JSON body), parsed and authenticated (spec 07 §1, §4).

use super::error::{self, StsCode};
use crate::api::error::ApiResult;
use crate::auth::encode::decode_query;
use crate::auth::sts::{verify_v1, Tc3Auth, Tc3Request};
use crate::auth::{Credential, CredentialStore};
use http::HeaderMap;

/// Host names the COS STS SDKs sign when told to connect elsewhere (Python's `domain`
/// default; the internal endpoint of the Java sample).
const SIGNED_HOSTS: &[&str] = &[
    "sts.tencentcloudapi.com",
    "sts.internal.tencentcloudapi.com",
];

/// A parsed call: the action and its business parameters.
#[derive(Debug, Clone)]
pub struct StsCall {
    pub action: String,
    pub version: String,
    pub secret_id: String,
    pub timestamp: i64,
    /// Business parameters (`Name`, `Policy`, `DurationSeconds`...), values as text.
    pub params: Vec<(String, String)>,
    proof: Proof,
}

#[derive(Debug, Clone)]
enum Proof {
    V1 {
        method: String,
        signed: Vec<(String, String)>,
        signature: String,
    },
    Tc3 {
        auth: Tc3Auth,
        method: String,
        query: String,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
    },
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

fn get(params: &[(String, String)], name: &str) -> Option<String> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.clone())
}

fn timestamp(v: Option<String>, name: &str) -> ApiResult<i64> {
    let v = v.ok_or_else(|| error::missing(name))?;
    v.trim()
        .parse::<i64>()
        .map_err(|_| error::invalid_value(name, "not an integer"))
}

impl StsCall {
    pub fn parse(
        method: &str,
        headers: &HeaderMap,
        query: &str,
        body: &[u8],
    ) -> ApiResult<StsCall> {
        match header(headers, "authorization") {
            Some(a) if a.starts_with("TC3-HMAC-SHA256") => {
                Self::parse_tc3(a, method, headers, query, body)
            }
            Some(_) => Err(error::new(
                StsCode::InvalidAuthorization,
                "The Authorization header must be TC3-HMAC-SHA256, or absent for the form signature.",
            )),
            None => Self::parse_v1(method, query, body),
        }
    }

    fn parse_v1(method: &str, query: &str, body: &[u8]) -> ApiResult<StsCall> {
        let all = if method == "POST" && !body.is_empty() {
            let text = std::str::from_utf8(body).map_err(|_| {
                error::new(StsCode::InvalidParameter, "The form body is not UTF-8.")
            })?;
            form_urlencoded::parse(text.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect::<Vec<_>>()
        } else {
            decode_query(query)
        };
        let signature = get(&all, "Signature").ok_or_else(|| error::missing("Signature"))?;
        let secret_id = get(&all, "SecretId").ok_or_else(|| error::missing("SecretId"))?;
        let action = get(&all, "Action").ok_or_else(|| error::missing("Action"))?;
        if get(&all, "Nonce").is_none() {
            return Err(error::missing("Nonce"));
        }
        const COMMON: &[&str] = &[
            "Action",
            "Version",
            "SecretId",
            "Timestamp",
            "Nonce",
            "Signature",
            "SignatureMethod",
            "Region",
            "Token",
        ];
        Ok(StsCall {
            version: get(&all, "Version").unwrap_or_default(),
            timestamp: timestamp(get(&all, "Timestamp"), "Timestamp")?,
            params: all
                .iter()
                .filter(|(k, _)| !COMMON.contains(&k.as_str()))
                .cloned()
                .collect(),
            action,
            secret_id,
            proof: Proof::V1 {
                method: method.to_string(),
                signed: all,
                signature,
            },
        })
    }

    fn parse_tc3(
        authorization: &str,
        method: &str,
        headers: &HeaderMap,
        query: &str,
        body: &[u8],
    ) -> ApiResult<StsCall> {
        let auth = Tc3Auth::from_header(authorization)
            .map_err(|e| error::new(StsCode::InvalidAuthorization, e.to_string()))?;
        let action = header(headers, "x-tc-action")
            .ok_or_else(|| error::missing("X-TC-Action"))?
            .to_string();
        let ts = timestamp(
            header(headers, "x-tc-timestamp").map(str::to_string),
            "X-TC-Timestamp",
        )?;
        let params = if method == "GET" {
            decode_query(query)
        } else if body.is_empty() {
            Vec::new()
        } else {
            let v: serde_json::Value = serde_json::from_slice(body).map_err(|e| {
                error::new(
                    StsCode::InvalidParameter,
                    format!("The body is not JSON: {e}"),
                )
            })?;
            let obj = v.as_object().ok_or_else(|| {
                error::new(StsCode::InvalidParameter, "The body must be a JSON object.")
            })?;
            obj.iter()
                .map(|(k, v)| {
                    let text = match v {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                    (k.clone(), text)
                })
                .collect()
        };
        let lower: Vec<(String, String)> = headers
            .iter()
            .map(|(k, v)| {
                (
                    k.as_str().to_string(),
                    String::from_utf8_lossy(v.as_bytes()).into_owned(),
                )
            })
            .collect();
        Ok(StsCall {
            action,
            version: header(headers, "x-tc-version").unwrap_or("").to_string(),
            secret_id: auth.secret_id.clone(),
            timestamp: ts,
            params,
            proof: Proof::Tc3 {
                auth,
                method: method.to_string(),
                query: query.to_string(),
                headers: lower,
                body: body.to_vec(),
            },
        })
    }

    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    /// Whether the policy came percent-encoded (the v1 SDKs encode it once before the form
    /// encoding; TC3 clients send the JSON text).
    pub fn policy_json(&self) -> Option<String> {
        let raw = self.param("Policy")?;
        if raw.trim_start().starts_with('{') {
            return Some(raw.to_string());
        }
        percent_encoding::percent_decode_str(raw)
            .decode_utf8()
            .ok()
            .map(|s| s.into_owned())
    }

    /// Checks the timestamp and the signature; returns the signer's (permanent) credential.
    pub fn authenticate(
        &self,
        creds: &dyn CredentialStore,
        host: &str,
        now: i64,
        skew: i64,
    ) -> ApiResult<Credential> {
        if (now - self.timestamp).abs() > skew {
            return Err(error::new(
                StsCode::SignatureExpire,
                format!(
                    "The signature expired: the timestamp {} is more than {skew} seconds from the server time {now}.",
                    self.timestamp
                ),
            ));
        }
        let cred = creds
            .lookup(&self.secret_id)
            .filter(|c| c.enabled)
            .ok_or_else(error::unknown_key)?;
        let ok = match &self.proof {
            Proof::V1 {
                method,
                signed,
                signature,
            } => {
                let mut hosts = vec![host];
                hosts.extend(SIGNED_HOSTS.iter().filter(|h| **h != host));
                verify_v1(method, &hosts, signed, &cred.secret_key.0, signature)
            }
            Proof::Tc3 {
                auth,
                method,
                query,
                headers,
                body,
            } => auth
                .verify(
                    &cred.secret_key.0,
                    &Tc3Request {
                        method,
                        query,
                        headers,
                        body,
                        timestamp: self.timestamp,
                    },
                )
                .is_ok(),
        };
        if !ok {
            return Err(error::signature());
        }
        if cred.session.is_some() {
            return Err(error::new(
                StsCode::UnauthorizedOperation,
                "A temporary key cannot request temporary keys.",
            ));
        }
        Ok(cred)
    }
}
