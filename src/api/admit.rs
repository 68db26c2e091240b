//! Central authorization for the XML/S3 API: every request passes [`admit`] after it is
//! authenticated and before its handler runs. The bucket record is read once, by the pipeline,
//! and handed in; what admission learns (the validated key, the object for ACL-judged
//! operations, the owner of a new bucket) goes to the handler in [`Admitted`].
//!
//! Operations that need a second authorization the handler alone can make (the copy source,
//! each key of a multi-object delete) get a gate; their handlers must return a [`Granted`]
//! response, and only a gate makes the [`Grant`] that builds one, so skipping the check does
//! not compile.

use super::authz::{
    authorize_create, authorize_in, authorize_service, authorize_unimplemented, load_source_bucket,
};
use super::error::{ApiError, Code};
use super::request::op::{Access, Op};
use super::request::{Caller, Ctx};
use super::{bucket_name, object_key};
use crate::auth::Identity;
use crate::meta::{BucketRecord, ObjectRecord};
use crate::types::{BucketName, ObjectKey};
use crate::AppState;
use axum::body::Body;
use http::Response;
use std::sync::Arc;

/// What admission established, for the handler.
#[derive(Default)]
pub(crate) struct Admitted {
    bucket: Option<Arc<BucketRecord>>,
    key: Option<ObjectKey>,
    object: Option<ObjectRecord>,
    created: Option<NewBucket>,
}

/// PUT Bucket, authorized: the validated name, the owning account and the region.
pub(crate) struct NewBucket {
    pub name: BucketName,
    pub owner: String,
    pub region: String,
}

fn missing(what: &str) -> ApiError {
    // Admission and dispatch disagree: a bug, never the client's fault.
    tracing::error!(what, "admission did not establish what the handler needs");
    ApiError::new(
        Code::InternalError,
        "We encountered an internal error. Please try again.",
    )
}

impl Admitted {
    /// The addressed bucket (every operation on a bucket or object).
    pub fn bucket(&self) -> Result<&BucketRecord, ApiError> {
        self.bucket.as_deref().ok_or_else(|| missing("bucket"))
    }

    /// The addressed key, validated.
    pub fn key(&self) -> Result<&ObjectKey, ApiError> {
        self.key.as_ref().ok_or_else(|| missing("key"))
    }

    /// The addressed object, for operations judged with its ACL (GET/HEAD Object, object ACL).
    pub fn object(&self) -> Result<&ObjectRecord, ApiError> {
        self.object.as_ref().ok_or_else(|| missing("object"))
    }

    /// Takes the object (GET Object streams from it).
    pub fn take_object(&mut self) -> Result<ObjectRecord, ApiError> {
        self.object.take().ok_or_else(|| missing("object"))
    }

    /// PUT Bucket's authorized name, owner and region.
    pub fn new_bucket(&self) -> Result<&NewBucket, ApiError> {
        self.created.as_ref().ok_or_else(|| missing("new bucket"))
    }
}

fn no_such_bucket() -> ApiError {
    ApiError::new(Code::NoSuchBucket, "The specified bucket does not exist.")
}

/// Authorizes `ctx`'s operation, with `loaded` the addressed bucket as the pipeline read it
/// (None: no such bucket, or none addressed). The order of the checks is the order clients
/// see errors in: key, bucket name, existence, region, then the decision.
pub(crate) fn admit(
    app: &AppState,
    ctx: &Ctx,
    op: &Op,
    loaded: Option<Arc<BucketRecord>>,
) -> Result<Admitted, ApiError> {
    let mut out = Admitted::default();
    match op.access() {
        Access::Service => {
            if let Identity::Anonymous = ctx.identity {
                return Err(ApiError::new(
                    Code::AccessDenied,
                    "Anonymous users cannot list buckets.",
                ));
            }
            authorize_service(app, ctx, op.action())?;
        }
        Access::CreateBucket => {
            let name = bucket_name(app, ctx)?;
            if let Identity::Anonymous = ctx.identity {
                return Err(ApiError::new(
                    Code::AccessDenied,
                    "Anonymous users cannot create buckets.",
                ));
            }
            let region = ctx
                .host_region
                .clone()
                .unwrap_or_else(|| app.config.region.clone());
            let owner = authorize_create(app, ctx, op.action(), &name, &region)?;
            out.created = Some(NewBucket {
                name,
                owner,
                region,
            });
        }
        Access::Bucket | Access::Object | Access::Copy => {
            if ctx.key().is_some() {
                out.key = Some(object_key(ctx)?);
            }
            let b = existing(app, ctx, loaded)?;
            let key = out.key.as_ref().map(ObjectKey::as_str);
            if op.access() == Access::Object {
                out.object = Some(load_judged(app, ctx, op, &b, key.unwrap_or_default())?);
            } else {
                authorize_in(app, &ctx.caller(), op.action(), &b, key, None)?;
            }
            out.bucket = Some(b);
        }
        Access::EachKey | Access::Preflight => out.bucket = Some(existing(app, ctx, loaded)?),
        Access::Unimplemented => {
            let Op::NotImplemented(sub) = *op else {
                return Err(missing("sub-resource"));
            };
            authorize_unimplemented(app, ctx, loaded.as_deref(), sub)?;
            return Err(ApiError::new(
                Code::NotImplemented,
                format!("cosd does not implement {sub} yet"),
            ));
        }
        Access::Refused => {
            return Err(ApiError::new(
                Code::MethodNotAllowed,
                format!(
                    "The specified method {} is not allowed against this resource.",
                    ctx.method
                ),
            ))
        }
    }
    Ok(out)
}

/// The object (version) an `Access::Object` operation addresses, judged with its own ACL: the
/// latest version, or the one `versionId` names. A delete marker has no ACL: the caller is
/// judged without one and then told it is a marker (404 for the latest, 405 by id); a missing
/// version is NoSuchKey / NoSuchVersion, also only after authorization.
fn load_judged(
    app: &AppState,
    ctx: &Ctx,
    op: &Op,
    b: &BucketRecord,
    key: &str,
) -> Result<ObjectRecord, ApiError> {
    let which = crate::api::xml::versioning::version_param(ctx);
    let found = match &which {
        Ok(None) => app.store.load_latest(&b.name, key)?,
        Ok(Some(v)) => app.store.find_version(&b.name, key, *v)?.map(|(_, r)| r),
        Err(_) => None,
    };
    let live = found.as_ref().filter(|r| !r.delete_marker);
    authorize_in(app, &ctx.caller(), op.action(), b, Some(key), live)?;
    let which = which?;
    match found {
        Some(rec) if rec.delete_marker => Err(crate::api::xml::versioning::marker_error(
            ctx,
            &rec,
            which.is_some(),
        )),
        Some(rec) => Ok(rec),
        None if which.is_some() => Err(ApiError::new(
            Code::NoSuchVersion,
            "The specified version does not exist.",
        )),
        None => Err(ApiError::new(
            Code::NoSuchKey,
            "The specified key does not exist.",
        )),
    }
}

/// The addressed bucket: a valid name, existing, in the region the host names (COS answers
/// another region's bucket with 404 NoSuchBucket: each region's endpoint knows only its own
/// buckets, docs/wire-details.md).
fn existing(
    app: &AppState,
    ctx: &Ctx,
    loaded: Option<Arc<BucketRecord>>,
) -> Result<Arc<BucketRecord>, ApiError> {
    bucket_name(app, ctx)?;
    let b = loaded.ok_or_else(no_such_bucket)?;
    check_region(ctx.host_region.as_deref(), &b)?;
    Ok(b)
}

/// A host that names a region only reaches the buckets of that region.
pub(crate) fn check_region(host_region: Option<&str>, rec: &BucketRecord) -> Result<(), ApiError> {
    match host_region {
        Some(r) if r != rec.region => Err(ApiError::new(
            Code::NoSuchBucket,
            format!("The specified bucket does not exist in region {r}."),
        )),
        _ => Ok(()),
    }
}

/// Proof that a gated operation made its second authorization. Only gates make one.
pub(crate) struct Grant(());

/// An answer built under a [`Grant`]: what gated handlers must return (a response, or the
/// JSON API's `data`).
pub(crate) struct Granted<T = Response<Body>>(T);

impl Grant {
    pub fn respond(self, resp: Response<Body>) -> Granted {
        Granted(resp)
    }

    /// A JSON API answer under this grant.
    pub fn answer<T>(self, data: T) -> Granted<T> {
        Granted(data)
    }
}

impl<T> Granted<T> {
    pub(crate) fn into_inner(self) -> T {
        self.0
    }
}

impl Granted {
    pub(crate) fn into_response(self) -> Response<Body> {
        self.0
    }
}

/// Authorizes `action` on `key` of `bucket` for `caller` (with the object's ACL when known),
/// granting what the JSON API's handlers need to answer: each of them judges its op's own
/// action at the point of its parameter checks the legacy API has always used.
pub(crate) fn grant_in(
    app: &AppState,
    caller: &Caller<'_>,
    action: &str,
    bucket: &BucketRecord,
    key: &str,
    object: Option<&ObjectRecord>,
) -> Result<Grant, ApiError> {
    authorize_in(app, caller, action, bucket, Some(key), object)?;
    Ok(Grant(()))
}

/// The copy source's authorization (`GetObject` on the source object, with its ACL), which a
/// copy handler must pass through to answer.
#[must_use]
pub(crate) struct SourceGate<'a> {
    app: &'a AppState,
    caller: Caller<'a>,
    /// Set by a successful [`Self::check`] of an existing source.
    passed: std::sync::atomic::AtomicBool,
}

/// The action a copy needs on its source.
const SOURCE_ACTION: &str = "name/cos:GetObject";

impl<'a> SourceGate<'a> {
    pub fn new(app: &'a AppState, ctx: &'a Ctx) -> SourceGate<'a> {
        SourceGate {
            app,
            caller: ctx.caller(),
            passed: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// Loads the source bucket. A missing one is reported only to a caller the action would
    /// be allowed to on it; everyone else is denied as for an existing bucket they cannot read.
    pub fn bucket(&self, bucket: &str, key: &str) -> Result<Arc<BucketRecord>, ApiError> {
        load_source_bucket(self.app, &self.caller, SOURCE_ACTION, bucket, key)
    }

    /// Authorizes reading `key` of `bucket` as `object` (None: it does not exist, and only a
    /// caller allowed to read it may learn that).
    pub fn check(
        &self,
        bucket: &BucketRecord,
        key: &str,
        object: Option<&ObjectRecord>,
    ) -> Result<(), ApiError> {
        authorize_in(
            self.app,
            &self.caller,
            SOURCE_ACTION,
            bucket,
            Some(key),
            object,
        )?;
        if object.is_some() {
            self.passed
                .store(true, std::sync::atomic::Ordering::Relaxed);
        }
        Ok(())
    }

    /// The grant, once [`Self::check`] allowed an existing source (for a copy that checks
    /// inside the service's read of the source).
    pub fn granted(self) -> Result<Grant, ApiError> {
        if self.passed.load(std::sync::atomic::Ordering::Relaxed) {
            Ok(Grant(()))
        } else {
            Err(missing("copy source authorization"))
        }
    }

    /// [`Self::check`], consuming the gate for the grant the answer needs.
    pub fn pass(
        self,
        bucket: &BucketRecord,
        key: &str,
        object: &ObjectRecord,
    ) -> Result<Grant, ApiError> {
        self.check(bucket, key, Some(object))?;
        Ok(Grant(()))
    }
}

/// A multi-object delete's per-key authorization.
#[must_use]
pub(crate) struct KeysGate<'a> {
    app: &'a AppState,
    caller: Caller<'a>,
    action: &'static str,
}

impl<'a> KeysGate<'a> {
    pub fn new(app: &'a AppState, ctx: &'a Ctx, op: &Op) -> KeysGate<'a> {
        KeysGate {
            app,
            caller: ctx.caller(),
            action: op.action(),
        }
    }

    /// Authorizes the operation's action on `key` of `bucket`; `version` is the version id
    /// the request names for that key (the `cos:versionid` condition key sees it as if it
    /// were the request's `versionId`).
    pub fn check(
        &self,
        bucket: &BucketRecord,
        key: &str,
        version: Option<&str>,
    ) -> Result<(), ApiError> {
        let Some(v) = version else {
            return authorize_in(self.app, &self.caller, self.action, bucket, Some(key), None);
        };
        let mut query: Vec<(String, String)> = self
            .caller
            .query
            .iter()
            .filter(|(k, _)| k != "versionId")
            .cloned()
            .collect();
        query.push(("versionId".into(), v.to_string()));
        let caller = Caller {
            query: &query,
            ..self.caller
        };
        authorize_in(self.app, &caller, self.action, bucket, Some(key), None)
    }

    /// Ends the request's checks: every key was judged on its own.
    pub fn finish(self) -> Grant {
        Grant(())
    }
}
