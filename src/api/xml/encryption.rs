//! PUT/GET/DELETE Bucket encryption (`?encryption`): the default encryption of the bucket's new
//! objects (docs/encryption.md). Parsing is pure ([`parse`]); a KMS default must name a key
//! of the bucket's owner that exists and is enabled when it is set.

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::Reply;
use crate::api::{empty_response, read_xml_body, xml_response, Admitted};
use crate::crypto::registry::normalize_key_id;
use crate::crypto::{BucketEncryption, SseError};
use crate::xml::XmlWriter;
use crate::AppState;
use axum::body::Body;
use http::StatusCode;
use serde::Deserialize;

const MAX_XML: usize = 16 * 1024;

#[derive(Deserialize)]
struct Doc {
    #[serde(rename = "Rule", default)]
    rules: Vec<Rule>,
}

#[derive(Deserialize)]
struct Rule {
    #[serde(rename = "ApplyServerSideEncryptionByDefault")]
    default: Option<ByDefault>,
    #[serde(rename = "BucketKeyEnabled", default)]
    bucket_key_enabled: Option<String>,
}

#[derive(Deserialize)]
struct ByDefault {
    #[serde(rename = "SSEAlgorithm")]
    algorithm: Option<String>,
    #[serde(rename = "KMSMasterKeyID", default)]
    kms_key_id: Option<String>,
}

/// A `ServerSideEncryptionConfiguration` document: exactly one rule with an algorithm
/// (`AES256`, `aws:kms`, `cos/kms`); a key id only with KMS.
pub fn parse(xml: &str) -> Result<BucketEncryption, String> {
    let doc: Doc = quick_xml::de::from_str(xml)
        .map_err(|e| format!("not a ServerSideEncryptionConfiguration: {e}"))?;
    let [rule] = doc.rules.as_slice() else {
        return Err("the configuration must have exactly one Rule".into());
    };
    let d = rule
        .default
        .as_ref()
        .ok_or("the Rule needs ApplyServerSideEncryptionByDefault")?;
    let algorithm = d
        .algorithm
        .as_deref()
        .map(str::trim)
        .ok_or("ApplyServerSideEncryptionByDefault needs an SSEAlgorithm")?;
    let kms = crate::api::sse::parse_algorithm(algorithm)
        .ok_or_else(|| format!("unsupported SSEAlgorithm {algorithm:?}"))?;
    let key = d
        .kms_key_id
        .as_deref()
        .map(str::trim)
        .filter(|k| !k.is_empty());
    if key.is_some() && !kms {
        return Err("KMSMasterKeyID is only valid with a KMS SSEAlgorithm".into());
    }
    let bucket_key_enabled = match rule.bucket_key_enabled.as_deref().map(str::trim) {
        None | Some("false") => false,
        Some("true") => true,
        Some(v) => return Err(format!("BucketKeyEnabled must be true or false, not {v:?}")),
    };
    Ok(BucketEncryption {
        algorithm: algorithm.to_string(),
        kms_key_id: key.map(|k| normalize_key_id(k).to_string()),
        bucket_key_enabled,
    })
}

pub fn to_xml(c: &BucketEncryption) -> String {
    let mut w = XmlWriter::new();
    w.open("ServerSideEncryptionConfiguration")
        .open("Rule")
        .open("ApplyServerSideEncryptionByDefault")
        .elem("SSEAlgorithm", &c.algorithm);
    if let Some(k) = &c.kms_key_id {
        w.elem("KMSMasterKeyID", k);
    }
    w.close("ApplyServerSideEncryptionByDefault");
    if c.bucket_key_enabled {
        w.elem("BucketKeyEnabled", "true");
    }
    w.close("Rule").close("ServerSideEncryptionConfiguration");
    w.finish()
}

pub async fn put(app: &AppState, ctx: &Ctx, adm: &Admitted, body: Body) -> Reply {
    let b = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, MAX_XML).await?;
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| ApiError::new(Code::MalformedXML, "The configuration is not UTF-8."))?;
    let config = parse(text).map_err(|e| ApiError::new(Code::MalformedXML, e))?;
    if let Some(id) = &config.kms_key_id {
        app.keys
            .kms
            .material(&b.owner_uin, id)
            .map_err(SseError::Kms)?;
    }
    app.store
        .update_bucket(&b.name, |r| r.encryption = Some(config))
        .await?;
    Ok(empty_response(StatusCode::OK))
}

pub fn get(adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    let c = b.encryption.as_ref().ok_or_else(|| {
        ApiError::new(
            Code::ServerSideEncryptionConfigurationNotFoundError,
            "The server side encryption configuration was not found",
        )
    })?;
    Ok(xml_response(StatusCode::OK, to_xml(c)))
}

pub async fn delete(app: &AppState, adm: &Admitted) -> Reply {
    let b = adm.bucket()?;
    app.store
        .update_bucket(&b.name, |r| r.encryption = None)
        .await?;
    Ok(empty_response(StatusCode::NO_CONTENT))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(inner: &str) -> String {
        format!("<ServerSideEncryptionConfiguration>{inner}</ServerSideEncryptionConfiguration>")
    }

    #[test]
    fn parse_table() {
        let ok = |alg: &str, key: Option<&str>| {
            let k = key.map_or(String::new(), |k| {
                format!("<KMSMasterKeyID>{k}</KMSMasterKeyID>")
            });
            doc(&format!(
                "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>{alg}</SSEAlgorithm>{k}</ApplyServerSideEncryptionByDefault></Rule>"
            ))
        };
        let c = parse(&ok("AES256", None)).unwrap();
        assert_eq!((c.algorithm.as_str(), c.kms_key_id), ("AES256", None));
        let c = parse(&ok("aws:kms", Some("arn:aws:kms:r:1:key/k1"))).unwrap();
        assert_eq!(c.kms_key_id.as_deref(), Some("k1"));
        assert_eq!(parse(&to_xml(&c)).unwrap(), c);
        assert!(parse(&ok("cos/kms", None)).is_ok());
        assert!(parse(&ok("AES256", Some("k"))).is_err());
        assert!(parse(&ok("DES", None)).is_err());
        assert!(parse(&doc("")).is_err());
        assert!(parse(&doc("<Rule></Rule>")).is_err());
        assert!(parse("<nope").is_err());
        let two = ok("AES256", None).replace(
            "</ServerSideEncryptionConfiguration>",
            "<Rule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule></ServerSideEncryptionConfiguration>",
        );
        assert!(parse(&two).is_err());
    }
}
