//! POST Object restore (`POST /key?restore[&versionId=]`): a temporary readable copy of an
//! archived version (docs/storage-classes.md). The body is COS's `CASJobParameters` or S3's
//! `GlacierJobParameters`; the state machine is `service::archive`.

use super::versioning::{version_error, version_id_header, version_param};
use crate::api::error::{ApiError, Code};
use crate::api::request::authn::Dialect;
use crate::api::request::Ctx;
use crate::api::{empty_response, read_xml_body, Admitted, Reply};
use crate::service::archive::MAX_RESTORE_DAYS;
use crate::service::{version_id, RestoreOutcome, RestoreRequest, RestoreTimings};
use crate::types::RestoreTier;
use crate::AppState;
use axum::body::Body;
use http::StatusCode;
use std::sync::Arc;

pub async fn restore(app: &Arc<AppState>, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let (bucket, key) = (adm.bucket()?, adm.key()?);
    let which = version_param(ctx)?;
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    let req = parse_restore(&bytes, ctx.dialect)?;
    let (rec, outcome) = app
        .store
        .restore_object(
            &bucket.name,
            key.as_str(),
            which,
            req,
            RestoreTimings::from_config(&app.config),
        )
        .await
        .map_err(|e| version_error(ctx, e))?;
    let status = match outcome {
        RestoreOutcome::Accepted => StatusCode::ACCEPTED,
        RestoreOutcome::Extended => StatusCode::OK,
    };
    let mut resp = empty_response(status);
    if bucket.versioning.is_some() || rec.version.is_some() {
        if let Ok(v) = version_id(&rec).parse() {
            resp.headers_mut().insert(version_id_header(ctx), v);
        }
    }
    Ok(resp)
}

#[derive(Debug, serde::Deserialize)]
struct JobParameters {
    #[serde(rename = "Tier", default)]
    tier: Option<String>,
}

#[derive(Debug, serde::Deserialize)]
struct RestoreDoc {
    #[serde(rename = "Days", default)]
    days: Option<String>,
    #[serde(rename = "CASJobParameters", default)]
    cas: Option<JobParameters>,
    #[serde(rename = "GlacierJobParameters", default)]
    glacier: Option<JobParameters>,
}

/// The request body: `Days` (COS: 1 to 365; S3: at least 1) and an optional tier (Standard
/// when absent). A body that is not a `RestoreRequest`, or a tier that is not one of the
/// three, is MalformedXML; a Days out of range InvalidArgument.
fn parse_restore(body: &[u8], dialect: Dialect) -> Result<RestoreRequest, ApiError> {
    let malformed = |m: String| ApiError::new(Code::MalformedXML, m);
    let doc: RestoreDoc = crate::xml::parse_rooted(body, "RestoreRequest")
        .map_err(|e| malformed(format!("The XML you provided was not well-formed: {e}")))?;
    let days_raw = doc
        .days
        .ok_or_else(|| malformed("RestoreRequest must contain Days.".into()))?;
    let days: i64 = days_raw
        .trim()
        .parse()
        .map_err(|_| malformed(format!("Days must be an integer, got {days_raw:?}.")))?;
    let max = match dialect {
        Dialect::Cos => i64::from(MAX_RESTORE_DAYS),
        Dialect::S3 => i64::from(u32::MAX),
    };
    if days < 1 || days > max {
        let range = match dialect {
            Dialect::Cos => format!("between 1 and {MAX_RESTORE_DAYS}"),
            Dialect::S3 => "a positive integer".to_string(),
        };
        return Err(ApiError::new(
            Code::InvalidArgument,
            format!("Days must be {range}, got {days}."),
        ));
    }
    let tier = match doc.cas.or(doc.glacier).and_then(|j| j.tier) {
        None => RestoreTier::Standard,
        Some(t) => RestoreTier::parse(&t).ok_or_else(|| {
            malformed(format!(
                "Tier must be Expedited, Standard or Bulk, got {t:?}."
            ))
        })?,
    };
    Ok(RestoreRequest {
        days: days as u32,
        tier,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    type Row = (&'static str, Dialect, Result<(u32, RestoreTier), Code>);

    #[test]
    fn restore_bodies() {
        use RestoreTier::*;
        let ok = |days, tier| Ok((days, tier));
        let table: &[Row] = &[
            (
                "<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Expedited</Tier></CASJobParameters></RestoreRequest>",
                Dialect::Cos,
                ok(1, Expedited),
            ),
            (
                r#"<RestoreRequest xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Days>7</Days><GlacierJobParameters><Tier>Bulk</Tier></GlacierJobParameters></RestoreRequest>"#,
                Dialect::S3,
                ok(7, Bulk),
            ),
            ("<RestoreRequest><Days>365</Days></RestoreRequest>", Dialect::Cos, ok(365, Standard)),
            ("<RestoreRequest><Days>366</Days></RestoreRequest>", Dialect::Cos, Err(Code::InvalidArgument)),
            ("<RestoreRequest><Days>366</Days></RestoreRequest>", Dialect::S3, ok(366, Standard)),
            ("<RestoreRequest><Days>0</Days></RestoreRequest>", Dialect::S3, Err(Code::InvalidArgument)),
            ("<RestoreRequest><Days>-2</Days></RestoreRequest>", Dialect::Cos, Err(Code::InvalidArgument)),
            ("<RestoreRequest><Days>two</Days></RestoreRequest>", Dialect::Cos, Err(Code::MalformedXML)),
            ("<RestoreRequest></RestoreRequest>", Dialect::Cos, Err(Code::MalformedXML)),
            (
                "<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Fast</Tier></CASJobParameters></RestoreRequest>",
                Dialect::Cos,
                Err(Code::MalformedXML),
            ),
            ("<Restore><Days>1</Days></Restore>", Dialect::Cos, Err(Code::MalformedXML)),
            ("<RestoreRequest><Days>1</Days>", Dialect::Cos, Err(Code::MalformedXML)),
            ("", Dialect::S3, Err(Code::MalformedXML)),
        ];
        for (body, dialect, want) in table {
            let got = parse_restore(body.as_bytes(), *dialect)
                .map(|r| (r.days, r.tier))
                .map_err(|e| e.code);
            assert_eq!(&got, want, "{body}");
        }
    }
}
