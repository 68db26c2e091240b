//! Helpers shared by the tagging tests.

use crate::common::*;
use aws_sdk_s3::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types::{Tag, Tagging};
use aws_sdk_s3::Client as S3;

pub(crate) fn root(server: &TestServer) -> S3 {
    s3_client(server.addr, SID, SKEY, None)
}

/// (status, code) of an SDK error answer.
pub(crate) fn fail<E: ProvideErrorMetadata>(e: SdkError<E>) -> (u16, String) {
    (
        e.raw_response().map_or(0, |r| r.status().as_u16()),
        e.code().unwrap_or_default().to_string(),
    )
}

pub(crate) fn pairs(tags: &[(&str, &str)]) -> Vec<(String, String)> {
    tags.iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

pub(crate) fn tagging(tags: &[(&str, &str)]) -> Tagging {
    Tagging::builder()
        .set_tag_set(Some(
            tags.iter()
                .map(|(k, v)| Tag::builder().key(*k).value(*v).build().unwrap())
                .collect(),
        ))
        .build()
        .unwrap()
}

/// The tags of `key` (a version of it) through the SDK.
pub(crate) async fn sdk_tags(
    s3: &S3,
    bucket: &str,
    key: &str,
    version: Option<&str>,
) -> Vec<(String, String)> {
    let out = s3
        .get_object_tagging()
        .bucket(bucket)
        .key(key)
        .set_version_id(version.map(str::to_string))
        .send()
        .await
        .unwrap();
    out.tag_set()
        .iter()
        .map(|t| (t.key().to_string(), t.value().to_string()))
        .collect()
}

/// `<Tagging>` with `tags`, as a COS client sends it.
pub(crate) fn tagging_xml(tags: &[(&str, &str)]) -> String {
    let mut s = String::from("<Tagging><TagSet>");
    for (k, v) in tags {
        s.push_str(&format!("<Tag><Key>{k}</Key><Value>{v}</Value></Tag>"));
    }
    s.push_str("</TagSet></Tagging>");
    s
}

/// The tags of `key` in `bucket` (raw, COS dialect), in document order.
pub(crate) async fn raw_tags(c: &Client, bucket: &str, key: &str) -> Vec<(String, String)> {
    let r = c
        .send(Req::new("GET", Some(bucket), key).q("tagging", ""))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let text = r.text();
    xml_all(&text, "Key")
        .into_iter()
        .zip(xml_all(&text, "Value"))
        .collect()
}

/// PUT `?tagging` on `key` (raw, COS dialect) with `body`.
pub(crate) async fn put_raw_tagging(c: &Client, bucket: &str, key: &str, body: &str) -> Resp {
    c.send(
        Req::new("PUT", Some(bucket), key)
            .q("tagging", "")
            .h("Content-Type", "application/xml")
            .body(body.as_bytes().to_vec()),
    )
    .await
}
