//! POST Bucket ?delete (Delete Multiple Objects), quiet and verbose.

use super::versioning::parse_version_id;
use crate::api::authz::governance_bypass;
use crate::api::error::{ApiError, Code};
use crate::api::request::Ctx;
use crate::api::{read_xml_body, xml_response, Admitted, Granted, KeysGate};
use crate::types::ObjectKey;
use crate::xml::{parse_delete, XmlWriter};
use crate::AppState;
use axum::body::Body;
use http::StatusCode;
use std::sync::Arc;

const MAX_OBJECTS: usize = 1000;

pub async fn delete_objects(
    app: &Arc<AppState>,
    ctx: &Ctx,
    adm: &Admitted,
    keys: KeysGate<'_>,
    body: Body,
) -> Result<Granted, ApiError> {
    let bucket = adm.bucket()?;
    let bytes = read_xml_body(ctx, body, app.config.max_xml_body).await?;
    let req = parse_delete(&bytes).map_err(|e| ApiError::new(Code::MalformedXML, e.to_string()))?;
    if req.objects.is_empty() || req.objects.len() > MAX_OBJECTS {
        return Err(ApiError::new(
            Code::MalformedXML,
            "A Delete request must name between 1 and 1000 objects.",
        ));
    }
    let quiet = req.is_quiet();
    let mut w = XmlWriter::new();
    w.open("DeleteResult");
    for obj in &req.objects {
        let version = obj.version_id.as_deref().filter(|v| !v.is_empty());
        let outcome = match ObjectKey::parse(&obj.key) {
            Err(e) => Err(("InvalidArgument", e.to_string())),
            // Each key is authorized on its own (seed 002:1682-1715).
            Ok(_) => match keys.check(bucket, &obj.key, version) {
                Err(e) => Err((e.code.as_str(), e.message)),
                Ok(()) => delete_one(app, ctx, bucket, &obj.key, version)
                    .await
                    .map_err(|api| (api.code.as_str(), api.message)),
            },
        };
        match outcome {
            Ok(_) if quiet => {}
            Ok(done) => {
                w.open("Deleted").elem("Key", &obj.key);
                w.elem_opt("VersionId", version);
                if let Some(marker) = &done.marker_version {
                    w.elem("DeleteMarker", "true");
                    w.elem("DeleteMarkerVersionId", marker);
                }
                w.close("Deleted");
            }
            Err((code, message)) => {
                w.open("Error").elem("Key", &obj.key);
                w.elem_opt("VersionId", version);
                w.elem("Code", code)
                    .elem("Message", &message)
                    .close("Error");
            }
        }
    }
    w.close("DeleteResult");
    Ok(keys
        .finish()
        .respond(xml_response(StatusCode::OK, w.finish())))
}

/// What deleting one entry did: the delete marker it made or removed, if any.
struct Done {
    marker_version: Option<String>,
}

/// Deletes one entry of the request: the key (a marker in a versioned bucket) or the version
/// it names, as DELETE Object does.
async fn delete_one(
    app: &Arc<AppState>,
    ctx: &Ctx,
    bucket: &crate::meta::BucketRecord,
    key: &str,
    version: Option<&str>,
) -> Result<Done, ApiError> {
    match version.map(parse_version_id).transpose()?.flatten() {
        None => {
            let staged = app.store.delete_object(&bucket.name, key).await?;
            Ok(Done {
                marker_version: staged.version_id.filter(|_| staged.marker),
            })
        }
        Some(which) => {
            let bypass = governance_bypass(app, ctx, bucket, key);
            let removed = app
                .store
                .delete_version(&bucket.name, key, which, bypass)
                .await?;
            Ok(Done {
                marker_version: removed.filter(|r| r.marker).map(|r| r.version_id),
            })
        }
    }
}
