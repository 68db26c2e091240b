//! Helpers shared by the server-side encryption tests.

use crate::common::*;
use aws_sdk_s3::error::ProvideErrorMetadata;
use aws_sdk_s3::Client as S3;
use base64::Engine;

pub(crate) fn b64(b: &[u8]) -> String {
    base64::engine::general_purpose::STANDARD.encode(b)
}

pub(crate) fn key_md5(k: &[u8]) -> String {
    use md5::Digest;
    b64(&md5::Md5::digest(k))
}

/// A customer key and its MD5, as the SDK's three fields take them.
pub(crate) struct Ck {
    pub(crate) key: String,
    pub(crate) md5: String,
}

pub(crate) fn ck(seed: u8) -> Ck {
    let k = [seed; 32];
    Ck {
        key: b64(&k),
        md5: key_md5(&k),
    }
}

pub(crate) fn sdk(server: &TestServer) -> S3 {
    s3_client(server.addr, SID, SKEY, None)
}

pub(crate) async fn body(out: aws_sdk_s3::operation::get_object::GetObjectOutput) -> Vec<u8> {
    out.body.collect().await.unwrap().into_bytes().to_vec()
}

pub(crate) fn code<E: ProvideErrorMetadata>(e: &aws_sdk_s3::error::SdkError<E>) -> String {
    e.as_service_error()
        .and_then(|s| s.code())
        .unwrap_or("?")
        .to_string()
}

pub(crate) fn status<E>(
    e: &aws_sdk_s3::error::SdkError<E, aws_sdk_s3::config::http::HttpResponse>,
) -> u16 {
    e.raw_response().map_or(0, |r| r.status().as_u16())
}
