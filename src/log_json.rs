//! JSON log lines (`log_format = "json"`): one object per line,
//! `{"timestamp":"2026-11-21T11:23:03.814031Z","level":"INFO","target":"cosd::api::pipeline",
//! "request_id":"NjU0...","message":"done","fields":{"method":"GET","status":200}}`.
//!
//! Formatted by [`crate::log_line::LineLayer`] (which knows the request id of the task; see
//! there why the server formats its own lines rather than using `tracing_subscriber::fmt`,
//! whose `json` format would also lose the task-local request id). `request_id` is absent on
//! lines outside a request. Numbers and booleans stay JSON numbers and booleans; `%` and `?`
//! values are strings. A field named `message` beside the format string goes into `fields`.

use std::fmt::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Metadata};

/// Appends the JSON line of `event` (with its newline) to `out`.
pub fn write_line(
    out: &mut String,
    now: time::OffsetDateTime,
    meta: &Metadata<'_>,
    rid: Option<&str>,
    event: &Event<'_>,
) {
    let _ = write!(
        out,
        "{{\"timestamp\":\"{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z\",\"level\":\"{}\",\"target\":",
        now.year(),
        now.month() as u8,
        now.day(),
        now.hour(),
        now.minute(),
        now.second(),
        now.microsecond(),
        meta.level().as_str(),
    );
    string(out, meta.target());
    if let Some(rid) = rid {
        out.push_str(",\"request_id\":");
        string(out, rid);
    }
    let mut v = JsonFields {
        message: None,
        fields: String::new(),
    };
    event.record(&mut v);
    out.push_str(",\"message\":");
    string(out, v.message.as_deref().unwrap_or(""));
    if !v.fields.is_empty() {
        out.push_str(",\"fields\":{");
        out.push_str(&v.fields);
        out.push('}');
    }
    out.push_str("}\n");
}

/// `s` as a JSON string.
fn string(out: &mut String, s: &str) {
    // Serializing a str cannot fail.
    out.push_str(&serde_json::to_string(s).unwrap_or_default());
}

/// Collects the message and the other fields (as `"name":value` pairs).
struct JsonFields {
    message: Option<String>,
    fields: String,
}

impl JsonFields {
    fn name(&mut self, field: &Field) {
        if !self.fields.is_empty() {
            self.fields.push(',');
        }
        string(&mut self.fields, field.name());
        self.fields.push(':');
    }

    /// The first `message` is the line's message; fields tracing-log adds are skipped.
    fn take(&mut self, field: &Field, text: impl FnOnce() -> String) -> bool {
        if field.name() == "message" && self.message.is_none() {
            self.message = Some(text());
            return true;
        }
        field.name().starts_with("log.")
    }
}

impl Visit for JsonFields {
    fn record_str(&mut self, field: &Field, value: &str) {
        if !self.take(field, || value.to_string()) {
            self.name(field);
            string(&mut self.fields, value);
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.name(field);
        self.fields.push_str(itoa::Buffer::new().format(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.name(field);
        self.fields.push_str(itoa::Buffer::new().format(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.name(field);
        self.fields.push_str(if value { "true" } else { "false" });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if !self.take(field, || format!("{value:?}")) {
            self.name(field);
            string(&mut self.fields, &format!("{value:?}"));
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::log_line::tests::Sink;
    use crate::log_line::{with_request_id, LineLayer};
    use tracing_subscriber::layer::SubscriberExt;

    fn json_lines(f: impl FnOnce()) -> Vec<serde_json::Value> {
        let sink = Sink::default();
        let layer = LineLayer::new(sink.clone(), true).json(true);
        let sub = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(sub, f);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
            .collect()
    }

    #[test]
    fn every_line_is_one_json_object_with_the_request_id() {
        let lines = json_lines(|| {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            rt.block_on(with_request_id("NjU0".into(), async {
                tracing::info!(
                    method = %"GET",
                    status = 200u16,
                    delta = -3i64,
                    ok = true,
                    key = ?"a\"b\n",
                    "done"
                );
            }));
            tracing::warn!(message = %"explicit", "quote \" and \\ and \u{1}");
        });
        assert_eq!(lines.len(), 2);
        let done = &lines[0];
        assert_eq!(done["level"], "INFO");
        assert_eq!(done["target"], "cosd::log_json::tests");
        assert_eq!(done["request_id"], "NjU0");
        assert_eq!(done["message"], "done");
        assert_eq!(
            done["fields"],
            serde_json::json!({
                "method": "GET", "status": 200, "delta": -3, "ok": true, "key": "\"a\\\"b\\n\""
            })
        );
        let ts = done["timestamp"].as_str().unwrap();
        let parsed =
            time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339)
                .unwrap();
        assert!(
            (time::OffsetDateTime::now_utc() - parsed)
                .whole_seconds()
                .abs()
                < 60
        );
        let warn = &lines[1];
        assert_eq!(warn["level"], "WARN");
        assert!(warn.get("request_id").is_none());
        assert_eq!(warn["message"], "quote \" and \\ and \u{1}");
        assert_eq!(warn["fields"]["message"], "explicit");
    }
}
