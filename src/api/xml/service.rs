//! GET Service (ListBuckets).

use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::xml_response;
use crate::api::Reply;
use crate::auth::Identity;
use crate::xml::{iso8601, XmlWriter};
use crate::AppState;
use http::StatusCode;

pub fn list_buckets(app: &AppState, ctx: &Ctx) -> Reply {
    let Identity::Account { root_uin, .. } = &ctx.identity else {
        return Err(ApiError::new(
            Code::AccessDenied,
            "Anonymous users cannot list buckets.",
        ));
    };
    let mut buckets = app.store.list_buckets(root_uin)?;
    let region = ctx
        .query("region")
        .filter(|r| !r.is_empty())
        .map(str::to_string)
        .or_else(|| ctx.host_region.clone());
    if let Some(r) = region {
        buckets.retain(|b| b.region == r);
    }
    // `?tagkey=&tagvalue=`: only buckets carrying that tag (002:2147-2230).
    if let Some(k) = ctx.query("tagkey").filter(|k| !k.is_empty()) {
        let v = ctx.query("tagvalue").unwrap_or("");
        buckets.retain(|b| b.tags.iter().any(|(tk, tv)| tk == k && tv == v));
    }
    let mut w = XmlWriter::new();
    w.open("ListAllMyBucketsResult");
    super::owner(&mut w, "Owner", root_uin);
    w.open("Buckets");
    for b in &buckets {
        w.open("Bucket")
            .elem("Name", &b.name)
            .elem("Location", &b.region)
            .elem("CreationDate", &iso8601(b.created_ms))
            .elem("BucketType", "cos")
            .close("Bucket");
    }
    w.close("Buckets");
    w.elem("Marker", "").elem("IsTruncated", "false");
    w.close("ListAllMyBucketsResult");
    Ok(xml_response(StatusCode::OK, w.finish()))
}
