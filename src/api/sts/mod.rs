//! The STS endpoint (spec 07): `GetFederationToken` as the COS STS SDKs (v1 form signature)
//! and the generic Tencent Cloud SDKs (TC3) send it, issuing temporary keys whose rights are
//! the caller's narrowed by the policy passed (`iam::temp`). Served at `POST /` of the service
//! host and on `sts.<domain>` hosts; answers in the Tencent Cloud API JSON shape.

pub(crate) mod error;
mod request;

use crate::api::error::{ApiResult, Surface};
use crate::api::pipeline::Access;
use crate::iam::TempRequest;
use crate::AppState;
use axum::body::Body;
use error::StsCode;
use futures_util::StreamExt;
use http::request::Parts;
use http::{HeaderValue, Method, Response};
use request::StsCall;
use serde_json::json;

/// The API version the SDKs send.
const VERSION: &str = "2018-08-13";
/// A longer body is not an STS call (policies are at most 20 KiB, form-encoded twice).
const MAX_BODY: usize = 128 * 1024;
/// `DurationSeconds` when absent (seed 002:1976).
const DEFAULT_DURATION_S: i64 = 1800;

/// An STS call's action (`Action` / `X-TC-Action`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StsOp {
    GetFederationToken,
    AssumeRole,
    AssumeRoleWithSaml,
    AssumeRoleWithWebIdentity,
    /// An action STS does not have.
    Unknown,
}

impl StsOp {
    pub fn parse(action: &str) -> StsOp {
        match action {
            "GetFederationToken" => StsOp::GetFederationToken,
            "AssumeRole" => StsOp::AssumeRole,
            "AssumeRoleWithSAML" => StsOp::AssumeRoleWithSaml,
            "AssumeRoleWithWebIdentity" => StsOp::AssumeRoleWithWebIdentity,
            _ => StsOp::Unknown,
        }
    }

    /// The name used in logs.
    pub fn name(self) -> &'static str {
        match self {
            StsOp::GetFederationToken => "Sts.GetFederationToken",
            StsOp::AssumeRole => "Sts.AssumeRole",
            StsOp::AssumeRoleWithSaml => "Sts.AssumeRoleWithSAML",
            StsOp::AssumeRoleWithWebIdentity => "Sts.AssumeRoleWithWebIdentity",
            StsOp::Unknown => "Sts",
        }
    }
}

/// Whether a request is for the STS endpoint: any request to an `sts.` host (the real
/// endpoints' names, or `sts.<d>` for a configured domain `d`), or, on a path-style host, a
/// `POST /` that carries an STS form or TC3 call (no COS or S3 request is a form POST to the
/// service root).
pub fn is_sts(parts: &Parts, host: &str, domains: &[String], path_style: bool) -> bool {
    // Every request passes here: look closer only at `sts.` hosts and form POSTs to `/`.
    if host
        .get(..4)
        .is_some_and(|p| p.eq_ignore_ascii_case("sts."))
        && sts_host(host, domains)
    {
        return true;
    }
    if !path_style || parts.uri.path() != "/" || parts.method != Method::POST {
        return false;
    }
    let form = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.to_ascii_lowercase()
                .starts_with("application/x-www-form-urlencoded")
        });
    form || parts.headers.contains_key("x-tc-action")
}

/// `sts.tencentcloudapi.com`, `sts.internal.tencentcloudapi.com` or `sts.<d>` for a configured
/// domain `d` (any port, any case).
fn sts_host(host: &str, domains: &[String]) -> bool {
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map(|(h, _)| h)
        .unwrap_or(host)
        .to_ascii_lowercase();
    name.strip_prefix("sts.").is_some_and(|rest| {
        rest == "tencentcloudapi.com"
            || rest == "internal.tencentcloudapi.com"
            || domains.iter().any(|d| d.eq_ignore_ascii_case(rest))
    })
}

/// Serves one STS call. Errors are HTTP 200 with an `Error` object, as the real service does
/// (the Node SDK's axios would otherwise hide the body).
pub async fn handle(
    app: &AppState,
    parts: Parts,
    body: Body,
    rid: &str,
    access: &mut Access,
) -> Response<Body> {
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("")
        .to_string();
    let result = match read_body(&parts, body).await {
        Ok(bytes) => StsCall::parse(
            parts.method.as_str(),
            &parts.headers,
            parts.uri.query().unwrap_or(""),
            &bytes,
        ),
        Err(e) => Err(e),
    };
    let answer = match result {
        Ok(call) => {
            let op = StsOp::parse(&call.action);
            access.op = op.name().into();
            serve(app, &call, op, &host).await.map(|mut v| {
                v["RequestId"] = json!(rid);
                v
            })
        }
        Err(e) => {
            access.op = StsOp::Unknown.name().into();
            Err(e)
        }
    };
    let v = match answer {
        Ok(v) => v,
        Err(e) => return e.render(Surface::Sts, rid, "", false),
    };
    let mut resp = Response::new(Body::from(json!({ "Response": v }).to_string()));
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    resp
}

async fn read_body(parts: &Parts, body: Body) -> ApiResult<bytes::Bytes> {
    let too_long = || error::new(StsCode::InvalidParameter, "The request body is too long.");
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(too_long());
    }
    let mut out = bytes::BytesMut::new();
    let mut stream = body.into_data_stream();
    while let Some(piece) = stream.next().await {
        let piece = piece
            .map_err(|e| error::new(StsCode::InvalidParameter, format!("Reading the body: {e}")))?;
        if out.len() + piece.len() > MAX_BODY {
            return Err(too_long());
        }
        out.extend_from_slice(&piece);
    }
    Ok(out.freeze())
}

async fn serve(
    app: &AppState,
    call: &StsCall,
    op: StsOp,
    host: &str,
) -> ApiResult<serde_json::Value> {
    if call.version != VERSION {
        return Err(error::new(
            StsCode::NoSuchVersion,
            format!(
                "The API version `{}` does not exist; use {VERSION}.",
                call.version
            ),
        ));
    }
    let now = app.clock.now_secs();
    match op {
        StsOp::GetFederationToken => {
            call.authenticate(
                app.iam.as_ref(),
                host,
                now,
                app.config.max_clock_skew_secs as i64,
            )?;
            federation_token(app, call, now).await
        }
        StsOp::AssumeRole | StsOp::AssumeRoleWithSaml | StsOp::AssumeRoleWithWebIdentity => {
            Err(error::new(
                StsCode::UnsupportedOperation,
                format!(
                    "{}: cosd has no CAM roles; use GetFederationToken with a policy instead.",
                    call.action
                ),
            ))
        }
        StsOp::Unknown => Err(error::new(
            StsCode::InvalidAction,
            format!("The action `{}` does not exist.", call.action),
        )),
    }
}

async fn federation_token(
    app: &AppState,
    call: &StsCall,
    now: i64,
) -> ApiResult<serde_json::Value> {
    let name = call.param("Name").ok_or_else(|| error::missing("Name"))?;
    if name.len() > 64 {
        return Err(error::invalid_value("Name", "longer than 64 characters"));
    }
    let policy = call.policy_json().ok_or_else(|| error::missing("Policy"))?;
    let duration_s = match call.param("DurationSeconds") {
        None => DEFAULT_DURATION_S,
        Some(v) => v
            .trim()
            .parse::<i64>()
            .map_err(|_| error::invalid_value("DurationSeconds", "not an integer"))?,
    };
    let (issuer, name) = (call.secret_id.clone(), name.to_string());
    let rec = app
        .iam
        .write(move |iam| {
            let req = TempRequest {
                issuer_secret_id: &issuer,
                policy: &policy,
                duration_s,
                name: &name,
            };
            iam.issue_temp(&req, now)
        })
        .await?;
    tracing::info!(
        issuer = %rec.issuer_secret_id,
        temp_key = %rec.secret_id,
        expires = rec.expires_s,
        "issued a temporary key"
    );
    Ok(json!({
        "Credentials": {
            "Token": rec.token,
            "TmpSecretId": rec.secret_id,
            "TmpSecretKey": rec.secret_key,
        },
        "ExpiredTime": rec.expires_s,
        "Expiration": rfc3339(rec.expires_s),
        "StartTime": rec.created_s,
    }))
}

fn rfc3339(secs: i64) -> String {
    time::OffsetDateTime::from_unix_timestamp(secs)
        .ok()
        .and_then(|t| {
            t.format(&time::macros::format_description!(
                "[year]-[month]-[day]T[hour]:[minute]:[second]Z"
            ))
            .ok()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(method: &str, path: &str, headers: &[(&str, &str)]) -> Parts {
        let mut b = http::Request::builder().method(method).uri(path);
        for (k, v) in headers {
            b = b.header(*k, *v);
        }
        b.body(()).unwrap().into_parts().0
    }

    #[test]
    fn which_requests_are_sts_calls() {
        let d = vec!["localhost".to_string(), "cos.local".to_string()];
        let form = [("content-type", "application/x-www-form-urlencoded")];
        assert!(is_sts(
            &parts("POST", "/", &form),
            "127.0.0.1:9000",
            &d,
            true
        ));
        assert!(is_sts(
            &parts("POST", "/", &[("x-tc-action", "GetFederationToken")]),
            "127.0.0.1:9000",
            &d,
            true
        ));
        assert!(is_sts(
            &parts("GET", "/x", &[]),
            "sts.localhost:9000",
            &d,
            false
        ));
        assert!(is_sts(
            &parts("POST", "/", &[]),
            "STS.tencentcloudapi.com",
            &d,
            false
        ));
        assert!(!is_sts(&parts("GET", "/", &[]), "127.0.0.1:9000", &d, true));
        assert!(!is_sts(
            &parts("POST", "/b-1/k", &form),
            "127.0.0.1:9000",
            &d,
            true
        ));
        assert!(!is_sts(
            &parts("POST", "/", &form),
            "b-1.cos.local",
            &d,
            false
        ));
        assert!(!is_sts(
            &parts("POST", "/", &[]),
            "sts.example.org",
            &d,
            false
        ));
    }

    #[test]
    fn actions() {
        let table = [
            (
                "GetFederationToken",
                StsOp::GetFederationToken,
                "Sts.GetFederationToken",
            ),
            ("AssumeRole", StsOp::AssumeRole, "Sts.AssumeRole"),
            (
                "AssumeRoleWithSAML",
                StsOp::AssumeRoleWithSaml,
                "Sts.AssumeRoleWithSAML",
            ),
            (
                "AssumeRoleWithWebIdentity",
                StsOp::AssumeRoleWithWebIdentity,
                "Sts.AssumeRoleWithWebIdentity",
            ),
            ("getfederationtoken", StsOp::Unknown, "Sts"),
            ("DescribeRegions", StsOp::Unknown, "Sts"),
        ];
        for (action, op, name) in table {
            assert_eq!(StsOp::parse(action), op, "{action}");
            assert_eq!(op.name(), name, "{action}");
        }
    }

    #[test]
    fn expiration_is_rfc3339_utc() {
        assert_eq!(rfc3339(1700001800), "2023-11-14T22:43:20Z");
    }
}
