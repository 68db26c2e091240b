//! POST Bucket ?delete (Delete Multiple Objects), quiet and verbose.

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
        let outcome = match ObjectKey::parse(&obj.key) {
            Err(e) => Err(("InvalidArgument", e.to_string())),
            // Each key is authorized on its own (seed 002:1682-1715).
            Ok(_) => match keys.check(bucket, &obj.key) {
                Err(e) => Err((e.code.as_str(), e.message)),
                Ok(()) => app
                    .store
                    .delete_object(&bucket.name, &obj.key)
                    .await
                    .map(|_| ())
                    .map_err(|e| {
                        let api = ApiError::from(e);
                        (api.code.as_str(), api.message)
                    }),
            },
        };
        match outcome {
            Ok(()) if quiet => {}
            Ok(()) => {
                w.open("Deleted").elem("Key", &obj.key);
                w.elem_opt("VersionId", obj.version_id.as_deref());
                w.close("Deleted");
            }
            Err((code, message)) => {
                w.open("Error")
                    .elem("Key", &obj.key)
                    .elem("Code", code)
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
