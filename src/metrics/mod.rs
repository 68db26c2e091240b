//! Prometheus metrics (`GET /_cosd/metrics`, docs/operations.md): request counters and latency
//! histograms recorded once per request by the pipeline, storage gauges computed by a
//! background scan ([`storage`]), and the progress of the background jobs ([`jobs`]).
//!
//! The exposition is the Prometheus project's own client (`prometheus-client`, OpenMetrics
//! text). One [`Metrics`] lives in `AppState`; there is no global registry.
//!
//! Label values are bounded: operation names are the `&'static str` names of the classified
//! operations (never a bucket, key or path), dialects and status classes are fixed sets, and
//! error codes are the `Code` names.

pub mod endpoint;
pub mod jobs;
pub mod storage;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;
use std::borrow::Cow;
use std::time::Duration;

/// Latency histogram bounds, seconds: 0.5 ms to 30 s.
const LATENCY_BUCKETS: [f64; 16] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 20.0,
    30.0,
];

/// What the pipeline tells about one finished request.
pub struct RequestSample<'a> {
    /// The access line's operation name (empty when the request was refused before it was
    /// classified).
    pub op: &'a Cow<'static, str>,
    /// The dialect the request was answered in (COS or S3; JSON, STS, admin and website
    /// requests are told apart by their operation names).
    pub dialect: crate::api::request::authn::Dialect,
    pub status: u16,
    /// The error code of an error answer.
    pub code: Option<&'static str>,
    pub bytes_in: u64,
    pub bytes_out: u64,
    pub elapsed: Duration,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct RequestLabels {
    op: &'static str,
    dialect: &'static str,
    status: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct OpLabels {
    op: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct CodeLabels {
    code: &'static str,
}

type LatencyFamily = Family<OpLabels, Histogram, fn() -> Histogram>;

/// Every metric of the server and the registry that renders them.
pub struct Metrics {
    registry: Registry,
    requests: Family<RequestLabels, Counter>,
    latency: LatencyFamily,
    bytes_in: Family<OpLabels, Counter>,
    bytes_out: Family<OpLabels, Counter>,
    errors: Family<CodeLabels, Counter>,
    denials: Family<OpLabels, Counter>,
    /// The series of each (operation, dialect) seen, so a request takes one lookup.
    series: std::sync::RwLock<std::collections::HashMap<(usize, usize, usize), OpSeries>>,
    pub storage: storage::StorageGauges,
    pub jobs: jobs::JobMetrics,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

fn latency_histogram() -> Histogram {
    Histogram::new(LATENCY_BUCKETS)
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("cosd");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests answered, by operation, dialect and status class",
            requests.clone(),
        );
        let latency: LatencyFamily = Family::new_with_constructor(latency_histogram);
        registry.register(
            "request_duration_seconds",
            "Time from a request's arrival until its response head, by operation",
            latency.clone(),
        );
        let bytes_in = Family::<OpLabels, Counter>::default();
        registry.register(
            "received_bytes",
            "Request body bytes by operation (the declared length of the body)",
            bytes_in.clone(),
        );
        let bytes_out = Family::<OpLabels, Counter>::default();
        registry.register(
            "sent_bytes",
            "Response body bytes by operation (the declared length of the body)",
            bytes_out.clone(),
        );
        let errors = Family::<CodeLabels, Counter>::default();
        registry.register("errors", "Error answers by error code", errors.clone());
        let denials = Family::<OpLabels, Counter>::default();
        registry.register(
            "authz_denials",
            "Requests answered AccessDenied, by operation",
            denials.clone(),
        );
        let storage = storage::StorageGauges::register(&mut registry);
        let jobs = jobs::JobMetrics::register(&mut registry);
        Metrics {
            registry,
            requests,
            latency,
            bytes_in,
            bytes_out,
            errors,
            denials,
            series: Default::default(),
            storage,
            jobs,
        }
    }

    /// Records one finished request.
    pub fn observe(&self, s: &RequestSample<'_>) {
        let op = op_label(s.op);
        let dialect = dialect_label(op, s.dialect);
        // The names are 'static: their addresses identify them (a name at two addresses only
        // gets two entries for the same series).
        let key = (op.as_ptr() as usize, op.len(), dialect.as_ptr() as usize);
        {
            let series = self.series.read().unwrap_or_else(|e| e.into_inner());
            if let Some(found) = series.get(&key) {
                found.record(self, op, dialect, s);
                return;
            }
        }
        let made = OpSeries {
            latency: self.latency.get_or_create_owned(&OpLabels { op }),
            bytes_in: Default::default(),
            bytes_out: Default::default(),
            by_status: Default::default(),
            denials: Default::default(),
        };
        let mut series = self.series.write().unwrap_or_else(|e| e.into_inner());
        series
            .entry(key)
            .or_insert(made)
            .record(self, op, dialect, s);
    }

    /// The OpenMetrics text of every metric.
    pub fn render(&self) -> String {
        let mut out = String::with_capacity(16 * 1024);
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

/// The series one (operation, dialect) records into; a counter is made when it first counts
/// something (no zero series for a status class never seen, or bytes never sent).
struct OpSeries {
    latency: Histogram,
    bytes_in: std::sync::OnceLock<Counter>,
    bytes_out: std::sync::OnceLock<Counter>,
    by_status: [std::sync::OnceLock<Counter>; 6],
    denials: std::sync::OnceLock<Counter>,
}

impl OpSeries {
    fn record(&self, m: &Metrics, op: &'static str, dialect: &'static str, s: &RequestSample<'_>) {
        let (i, status) = status_class_index(s.status);
        self.by_status[i]
            .get_or_init(|| {
                m.requests.get_or_create_owned(&RequestLabels {
                    op,
                    dialect,
                    status,
                })
            })
            .inc();
        self.latency.observe(s.elapsed.as_secs_f64());
        let op_labels = OpLabels { op };
        if s.bytes_in > 0 {
            self.bytes_in
                .get_or_init(|| m.bytes_in.get_or_create_owned(&op_labels))
                .inc_by(s.bytes_in);
        }
        if s.bytes_out > 0 {
            self.bytes_out
                .get_or_init(|| m.bytes_out.get_or_create_owned(&op_labels))
                .inc_by(s.bytes_out);
        }
        if let Some(code) = s.code {
            m.errors.get_or_create(&CodeLabels { code }).inc();
            if code == "AccessDenied" {
                self.denials
                    .get_or_init(|| m.denials.get_or_create_owned(&op_labels))
                    .inc();
            }
        }
    }
}

/// The operation label: a classified operation's static name; anything else (which could
/// carry request data) is `Other`, and a request refused before classification `None`.
// The Cow itself is the point: only a borrowed (static) name becomes a label.
#[allow(clippy::ptr_arg)]
pub fn op_label(op: &Cow<'static, str>) -> &'static str {
    match op {
        Cow::Borrowed("") => "None",
        Cow::Borrowed(s) => s,
        Cow::Owned(_) => "Other",
    }
}

/// The dialect label: `json`, `sts`, `admin`, `website` and `cosd` (the server's own
/// endpoints) by operation name, else `s3` or `cos` as the request was signed.
pub fn dialect_label(op: &str, dialect: crate::api::request::authn::Dialect) -> &'static str {
    use crate::api::request::authn::Dialect;
    if op.starts_with("json:") {
        "json"
    } else if op.starts_with("Sts") {
        "sts"
    } else if op.starts_with("Admin.") {
        "admin"
    } else if op == "Website" {
        "website"
    } else if op == "Metrics" || op == "Health" {
        "cosd"
    } else if dialect == Dialect::S3 {
        "s3"
    } else {
        "cos"
    }
}

/// `2xx`, `3xx`, `4xx`, `5xx` (and `1xx`; anything else `other`).
pub fn status_class(status: u16) -> &'static str {
    status_class_index(status).1
}

fn status_class_index(status: u16) -> (usize, &'static str) {
    match status {
        100..=199 => (0, "1xx"),
        200..=299 => (1, "2xx"),
        300..=399 => (2, "3xx"),
        400..=499 => (3, "4xx"),
        500..=599 => (4, "5xx"),
        _ => (5, "other"),
    }
}

/// A request's body length as declared: `x-amz-decoded-content-length` (the payload of an
/// aws-chunked body), else `Content-Length`; 0 when neither is given (a chunked body).
pub fn bytes_in(headers: &http::HeaderMap) -> u64 {
    let n = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.trim().parse::<u64>().ok())
    };
    n("x-amz-decoded-content-length")
        .or_else(|| n("content-length"))
        .unwrap_or(0)
}

/// A response's body length: the body's exact size when known, else its `Content-Length`
/// (a streamed object body declares it); 0 for a HEAD.
pub fn bytes_out<B: http_body::Body>(resp: &http::Response<B>, is_head: bool) -> u64 {
    if is_head {
        return 0;
    }
    resp.body().size_hint().exact().unwrap_or_else(|| {
        resp.headers()
            .get(http::header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    })
}

#[cfg(test)]
mod tests;
