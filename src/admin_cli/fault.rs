//! `cosd admin fault add|list|clear`: the fault-injection rules of a running server
//! (docs/ci.md "Injecting faults").

use clap::{Args, Subcommand};
use serde_json::{json, Map, Value};

#[derive(Subcommand)]
pub enum FaultCmd {
    /// Add a rule; prints it with its id.
    Add(AddArgs),
    /// List the rules with their hit counts.
    List,
    /// Remove one rule, or every rule without an id.
    Clear { id: Option<u64> },
}

#[derive(Args)]
pub struct AddArgs {
    /// Only requests to this bucket.
    #[arg(long)]
    bucket: Option<String>,
    /// Only this operation (PutObject, GetObject, UploadPart, CompleteMultipartUpload...).
    #[arg(long)]
    op: Option<String>,
    /// Only keys matching this glob (`*`, `?`).
    #[arg(long)]
    key: Option<String>,
    /// Only this principal (qcs::cam::uin/<root>:uin/<uin>, a SecretId, or anonymous).
    #[arg(long)]
    principal: Option<String>,
    /// Answer this error: SlowDown, ServiceUnavailable, InternalError, AccessDenied,
    /// RequestTimeout.
    #[arg(long)]
    error: Option<String>,
    /// Wait this many milliseconds first.
    #[arg(long)]
    delay_ms: Option<u64>,
    /// Close the connection without answering.
    #[arg(long)]
    reset: bool,
    /// Cut the response body (after --truncate-after bytes, default half).
    #[arg(long)]
    truncate: bool,
    #[arg(long, requires = "truncate")]
    truncate_after: Option<u64>,
    /// The chance a matching request is hit, in (0, 1].
    #[arg(long)]
    probability: Option<f64>,
    /// Hit at most this many requests.
    #[arg(long)]
    count: Option<u64>,
}

/// The admin API call a command makes: (method, path, JSON body).
pub fn request(cmd: &FaultCmd) -> (&'static str, String, Option<String>) {
    match cmd {
        FaultCmd::Add(a) => {
            let mut rule = Map::new();
            let mut put = |k: &str, v: Value| {
                if !v.is_null() {
                    rule.insert(k.into(), v);
                }
            };
            put("bucket", json!(a.bucket));
            put("op", json!(a.op));
            put("key", json!(a.key));
            put("principal", json!(a.principal));
            put("error", json!(a.error));
            put("delay_ms", json!(a.delay_ms));
            put("truncate_after", json!(a.truncate_after));
            put("probability", json!(a.probability));
            put("count", json!(a.count));
            if a.reset {
                put("reset", json!(true));
            }
            if a.truncate {
                put("truncate", json!(true));
            }
            (
                "POST",
                "faults".into(),
                Some(Value::Object(rule).to_string()),
            )
        }
        FaultCmd::List => ("GET", "faults".into(), None),
        FaultCmd::Clear { id: Some(id) } => ("DELETE", format!("faults/{id}"), None),
        FaultCmd::Clear { id: None } => ("DELETE", "faults".into(), None),
    }
}
