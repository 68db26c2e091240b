//! The legacy v4 JSON API, `/files/v2/<appid>/<bucket>/<path>` (contract: docs/json-api.md;
//! seed 003:360-3470; spec 06). Same data as the XML API: a file is an object, a directory the
//! zero-byte object `<dir>/`.
//!
//! Pipeline: path -> signature (parse, MAC) -> bounded body -> parameters -> op -> the op's
//! signature rules and the replay store -> bucket -> handler (CAM/ACL checks through
//! `api::authz`) -> `{code, message, request_id, data}`.

mod dir;
pub(crate) mod error;
mod file;
mod info;
mod params;
mod route;
mod sha;
mod slice;

pub use error::JsonCode;
pub use route::PREFIX;

use crate::api::admit::{grant_in, Grant, Granted};
use crate::api::error::{ApiResult, Surface};
use crate::api::request::Caller;
use crate::auth::legacy::{self, Expect, LegacyAuthError, LegacySign, Need};
use crate::meta::{BucketRecord, ObjectRecord};
use crate::net::server::PeerAddr;
use crate::net::tls::TlsInfo;
use crate::AppState;
use axum::body::Body;
use bytes::Bytes;
use futures_util::StreamExt;
use http::request::Parts;
use http::{Method, Response};
use params::Params;
use route::JsonPath;
use serde_json::{json, Value};
use std::sync::Arc;

/// A simple upload carries at most 20 MB (003:1686; the SDKs' `max_single_file`).
const MAX_SIMPLE_UPLOAD: usize = 20 * 1024 * 1024;
/// The largest body read: a simple upload plus its other form fields.
const MAX_BODY: usize = MAX_SIMPLE_UPLOAD + 1024 * 1024;
/// `biz_attr` limit (003:3203, 3384).
const MAX_BIZ_ATTR: usize = 4096;

/// A JSON API operation (`op`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JsonOp {
    Create,
    Stat,
    List,
    Delete,
    Update,
    Upload,
    SliceInit,
    SliceData,
    SliceList,
    SliceFinish,
    Copy,
    Move,
}

impl JsonOp {
    pub fn parse(s: &str) -> Option<JsonOp> {
        Some(match s {
            "create" => JsonOp::Create,
            "stat" => JsonOp::Stat,
            "list" => JsonOp::List,
            "delete" => JsonOp::Delete,
            "update" => JsonOp::Update,
            "upload" => JsonOp::Upload,
            "upload_slice_init" | "upload_slice" => JsonOp::SliceInit,
            "upload_slice_data" => JsonOp::SliceData,
            "upload_slice_list" => JsonOp::SliceList,
            "upload_slice_finish" => JsonOp::SliceFinish,
            "copy" => JsonOp::Copy,
            "move" => JsonOp::Move,
            _ => return None,
        })
    }

    /// The name used in logs.
    pub fn name(self) -> &'static str {
        match self {
            JsonOp::Create => "json:create",
            JsonOp::Stat => "json:stat",
            JsonOp::List => "json:list",
            JsonOp::Delete => "json:delete",
            JsonOp::Update => "json:update",
            JsonOp::Upload => "json:upload",
            JsonOp::SliceInit => "json:upload_slice_init",
            JsonOp::SliceData => "json:upload_slice_data",
            JsonOp::SliceList => "json:upload_slice_list",
            JsonOp::SliceFinish => "json:upload_slice_finish",
            JsonOp::Copy => "json:copy",
            JsonOp::Move => "json:move",
        }
    }

    /// The CAM action the op is authorized as, on [`JsonOp::resource`] (seed 002's table for
    /// the XML operation it stands for). [`JsonOp::extra`] lists what some ops need besides.
    pub fn action(self) -> &'static str {
        match self {
            JsonOp::Create
            | JsonOp::Update
            | JsonOp::Upload
            | JsonOp::SliceInit
            | JsonOp::SliceData
            | JsonOp::SliceList
            | JsonOp::SliceFinish => "name/cos:PutObject",
            JsonOp::Stat => "name/cos:HeadObject",
            JsonOp::List => "name/cos:GetBucket",
            JsonOp::Delete => "name/cos:DeleteObject",
            // Reading the source.
            JsonOp::Copy | JsonOp::Move => "name/cos:GetObject",
        }
    }

    /// What [`JsonOp::action`] is authorized on.
    pub fn resource(self) -> Authorized {
        match self {
            // A listing is a bucket read (`cos:prefix` conditions see the listed prefix).
            JsonOp::List => Authorized::Bucket,
            JsonOp::Create
            | JsonOp::Stat
            | JsonOp::Delete
            | JsonOp::Update
            | JsonOp::Upload
            | JsonOp::SliceInit
            | JsonOp::SliceData
            | JsonOp::SliceList
            | JsonOp::SliceFinish
            | JsonOp::Copy
            | JsonOp::Move => Authorized::Path,
        }
    }

    /// The checks an op makes besides its action.
    pub fn extra(self) -> &'static [Extra] {
        match self {
            JsonOp::Copy => &[Extra::WriteDest],
            JsonOp::Move => &[Extra::WriteDest, Extra::RemoveSource],
            JsonOp::Update => &[Extra::SetAcl],
            JsonOp::Create
            | JsonOp::Stat
            | JsonOp::List
            | JsonOp::Delete
            | JsonOp::Upload
            | JsonOp::SliceInit
            | JsonOp::SliceData
            | JsonOp::SliceList
            | JsonOp::SliceFinish => &[],
        }
    }

    /// The signature kind the seed's table asks for (003:469-484).
    fn need(self) -> Need {
        match self {
            JsonOp::Delete | JsonOp::Update | JsonOp::Move => Need::Once,
            JsonOp::Copy => Need::Either,
            _ => Need::Multi,
        }
    }
}

/// What authorization reads of a JSON API request (see `request::Caller`).
pub(crate) struct JsonHead {
    identity: crate::auth::Identity,
    headers: http::HeaderMap,
    query: Vec<(String, String)>,
    peer: Option<std::net::SocketAddr>,
    tls: Option<TlsInfo>,
}

impl JsonHead {
    fn caller(&self) -> Caller<'_> {
        Caller::of(
            &self.identity,
            &self.headers,
            &self.query,
            self.peer,
            self.tls,
        )
    }
}

/// What a JSON op's action is authorized on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Authorized {
    /// The file or directory the request addresses.
    Path,
    /// The bucket.
    Bucket,
}

/// A check some JSON ops make besides their action.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extra {
    /// Copy and move write the destination file.
    WriteDest,
    /// Move deletes the source file.
    RemoveSource,
    /// Update with `authority` sets the file's ACL.
    SetAcl,
}

impl Extra {
    /// The CAM action checked.
    pub fn action(self) -> &'static str {
        match self {
            Extra::WriteDest => "name/cos:PutObject",
            Extra::RemoveSource => "name/cos:DeleteObject",
            Extra::SetAcl => "name/cos:PutObjectACL",
        }
    }
}

/// One JSON API request, authenticated, with its bucket loaded.
pub(crate) struct JsonReq<'a> {
    app: &'a Arc<AppState>,
    op: JsonOp,
    /// The request as `api::authz` sees it (identity, headers, peer, query).
    ctx: JsonHead,
    path: JsonPath,
    bucket: Arc<BucketRecord>,
    params: Params,
    /// `Host` of the request, for the URLs in answers.
    host: String,
}

impl JsonReq<'_> {
    /// Authorizes the op's action on what it addresses (`object`: the file's record, for its
    /// ACL); the grant is what the handler answers with.
    fn authorize(&self, object: Option<&ObjectRecord>) -> ApiResult<Grant> {
        let key = match self.op.resource() {
            Authorized::Path => self.path.key(),
            Authorized::Bucket => "",
        };
        self.check(self.op.action(), key, object)
    }

    /// Authorizes one of the op's extra checks on `key`.
    fn authorize_extra(
        &self,
        extra: Extra,
        key: &str,
        object: Option<&ObjectRecord>,
    ) -> ApiResult<()> {
        debug_assert!(self.op.extra().contains(&extra), "{:?}: {extra:?}", self.op);
        self.check(extra.action(), key, object).map(|_| ())
    }

    fn check(&self, action: &str, key: &str, object: Option<&ObjectRecord>) -> ApiResult<Grant> {
        let caller = self.ctx.caller();
        grant_in(self.app, &caller, action, &self.bucket, key, object)
    }

    fn now_ms(&self) -> i64 {
        self.app.clock.now_ms()
    }

    /// `biz_attr`, at most 4 KB.
    fn biz_attr(&self) -> ApiResult<Option<String>> {
        match self.params.text("biz_attr")? {
            Some(b) if b.len() > MAX_BIZ_ATTR => Err(error::biz_attr_too_long()),
            other => Ok(other.map(str::to_string)),
        }
    }
}

/// What the front end already knows of a request.
pub(crate) struct Incoming<'a> {
    pub rid: &'a str,
    pub decoded_path: &'a str,
    pub query: Vec<(String, String)>,
}

/// Serves one JSON API request. Errors are answered in the API's JSON shape.
pub(crate) async fn handle(
    app: &Arc<AppState>,
    parts: Parts,
    body: Body,
    incoming: Incoming<'_>,
    access: &mut crate::api::pipeline::Access,
) -> Response<Body> {
    let rid = incoming.rid;
    match run(app, parts, body, incoming, access).await {
        Ok(data) => {
            let text = json!({"code": 0, "message": "SUCCESS", "request_id": rid, "data": data})
                .to_string();
            Response::builder()
                .header("Content-Type", "application/json; charset=utf-8")
                .header("Content-Length", text.len())
                .body(Body::from(text))
                .unwrap_or_default()
        }
        Err(e) => e.render(Surface::Json, rid, "", false),
    }
}

async fn run(
    app: &Arc<AppState>,
    parts: Parts,
    body: Body,
    incoming: Incoming<'_>,
    access: &mut crate::api::pipeline::Access,
) -> ApiResult<Value> {
    let Incoming {
        decoded_path,
        query,
        ..
    } = incoming;
    if parts.method != Method::GET && parts.method != Method::POST {
        return Err(error::bad_method());
    }
    let path = JsonPath::parse(decoded_path)?;
    let sign_text = parts
        .headers
        .get(http::header::AUTHORIZATION)
        .map(|v| String::from_utf8_lossy(v.as_bytes()).into_owned())
        .filter(|v| !v.trim().is_empty())
        .or_else(|| {
            query
                .iter()
                .find(|(k, _)| k == "sign")
                .map(|(_, v)| v.clone())
        })
        .unwrap_or_default();
    // The MAC is checked before the body is read, so only key holders can send one.
    let sign = LegacySign::parse(&sign_text)?;
    let identity = legacy::verify(&sign, app.iam.as_ref())?;
    access.principal = identity.principal();
    let content_type = parts
        .headers
        .get(http::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let body = read_body(&parts, body).await?;
    let params = Params::collect(&query, content_type.as_deref(), body).await?;
    let op_name = params.nonempty("op")?.ok_or_else(error::no_op)?;
    let op = JsonOp::parse(op_name).ok_or_else(|| error::unknown_op().detail(op_name))?;
    access.op = op.name().into();

    let now = app.clock.now_secs();
    let resources = [path.fileid()];
    legacy::check(
        &sign,
        &Expect {
            appid: &path.appid,
            bucket: &path.bucket,
            resources: &resources,
            need: op.need(),
            now,
            once_window: app.config.legacy_once_window_secs as i64,
        },
    )?;
    if sign.is_once()
        && !app
            .store
            .consume_once_signature(sign.time, &sign.mac)
            .await?
    {
        return Err(LegacyAuthError::Replayed.into());
    }
    let bucket = app
        .store
        .bucket_shared(&path.full_bucket())?
        .ok_or_else(error::no_bucket)?;
    access.bucket = bucket.name.clone();
    access.loaded = Some(Arc::clone(&bucket));
    // The JSON API knows no versions: COS refuses it on a bucket whose versioning was set
    // (-46659, 003:3174).
    if bucket.versioning.is_some() {
        return Err(error::versioned());
    }
    let host = parts
        .headers
        .get(http::header::HOST)
        .and_then(|h| h.to_str().ok())
        .unwrap_or("localhost")
        .to_string();
    let ctx = JsonHead {
        identity,
        query,
        peer: parts.extensions.get::<PeerAddr>().map(|p| p.0),
        tls: parts.extensions.get::<TlsInfo>().copied(),
        headers: parts.headers,
    };
    let mut req = JsonReq {
        app,
        op,
        ctx,
        path,
        bucket,
        params,
        host,
    };
    // Every handler answers under the grant of its op's authorization (`JsonReq::authorize`).
    let answer: ApiResult<Granted<Value>> = match op {
        JsonOp::Create => dir::create(&req).await,
        JsonOp::Stat if req.path.is_dir() => dir::stat(&req),
        JsonOp::Stat => file::stat(&req),
        JsonOp::List => dir::list(&mut req),
        JsonOp::Delete if req.path.is_dir() => dir::delete(&req).await,
        JsonOp::Delete => file::delete(&req).await,
        JsonOp::Update if req.path.is_dir() => dir::update(&req).await,
        JsonOp::Update => file::update(&req).await,
        JsonOp::Upload => file::upload(&mut req).await,
        JsonOp::Copy => file::copy_or_move(&req, false).await,
        JsonOp::Move => file::copy_or_move(&req, true).await,
        JsonOp::SliceInit => slice::init(&req).await,
        JsonOp::SliceData => slice::data(&mut req).await,
        JsonOp::SliceList => slice::list(&req),
        JsonOp::SliceFinish => slice::finish(&req).await,
    };
    answer.map(Granted::into_inner)
}

/// Reads the body, refusing more than [`MAX_BODY`] bytes.
async fn read_body(parts: &Parts, body: Body) -> ApiResult<Bytes> {
    let declared = parts
        .headers
        .get(http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u64>().ok());
    if declared.is_some_and(|n| n > MAX_BODY as u64) {
        return Err(error::too_large());
    }
    let mut stream = body.into_data_stream();
    let mut out = bytes::BytesMut::with_capacity(declared.unwrap_or(0) as usize);
    while let Some(piece) = stream.next().await {
        let piece = piece.map_err(|e| error::bad_form().detail(e))?;
        if out.len() + piece.len() > MAX_BODY {
            return Err(error::too_large());
        }
        out.extend_from_slice(&piece);
    }
    Ok(out.freeze())
}

/// A one-piece body stream for the store's writers.
fn body_stream(
    data: Bytes,
) -> futures_util::stream::Once<std::future::Ready<Result<Bytes, std::convert::Infallible>>> {
    futures_util::stream::once(std::future::ready(Ok(data)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_op_names_its_checks() {
        use Authorized::{Bucket, Path};
        use Extra::{RemoveSource, SetAcl, WriteDest};
        /// `op=`, the op, its log name, action, what that is authorized on, extra checks.
        type Row = (
            &'static str,
            JsonOp,
            &'static str,
            &'static str,
            Authorized,
            &'static [Extra],
        );
        let put = "name/cos:PutObject";
        let table: [Row; 13] = [
            ("create", JsonOp::Create, "json:create", put, Path, &[]),
            (
                "stat",
                JsonOp::Stat,
                "json:stat",
                "name/cos:HeadObject",
                Path,
                &[],
            ),
            (
                "list",
                JsonOp::List,
                "json:list",
                "name/cos:GetBucket",
                Bucket,
                &[],
            ),
            (
                "delete",
                JsonOp::Delete,
                "json:delete",
                "name/cos:DeleteObject",
                Path,
                &[],
            ),
            (
                "update",
                JsonOp::Update,
                "json:update",
                put,
                Path,
                &[SetAcl],
            ),
            ("upload", JsonOp::Upload, "json:upload", put, Path, &[]),
            (
                "upload_slice_init",
                JsonOp::SliceInit,
                "json:upload_slice_init",
                put,
                Path,
                &[],
            ),
            (
                "upload_slice",
                JsonOp::SliceInit,
                "json:upload_slice_init",
                put,
                Path,
                &[],
            ),
            (
                "upload_slice_data",
                JsonOp::SliceData,
                "json:upload_slice_data",
                put,
                Path,
                &[],
            ),
            (
                "upload_slice_list",
                JsonOp::SliceList,
                "json:upload_slice_list",
                put,
                Path,
                &[],
            ),
            (
                "upload_slice_finish",
                JsonOp::SliceFinish,
                "json:upload_slice_finish",
                put,
                Path,
                &[],
            ),
            (
                "copy",
                JsonOp::Copy,
                "json:copy",
                "name/cos:GetObject",
                Path,
                &[WriteDest],
            ),
            (
                "move",
                JsonOp::Move,
                "json:move",
                "name/cos:GetObject",
                Path,
                &[WriteDest, RemoveSource],
            ),
        ];
        for (s, op, name, action, on, extra) in table {
            assert_eq!(JsonOp::parse(s), Some(op), "{s}");
            assert_eq!(
                (op.name(), op.action(), op.resource(), op.extra()),
                (name, action, on, extra),
                "{s}"
            );
        }
        assert_eq!(JsonOp::parse("rename"), None);
        assert_eq!(
            [WriteDest, RemoveSource, SetAcl].map(Extra::action),
            [put, "name/cos:DeleteObject", "name/cos:PutObjectACL"]
        );
    }
}
