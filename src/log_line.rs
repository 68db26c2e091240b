//! The log line: a `tracing` layer that formats each event as one line and hands it to a
//! writer (the batched one of [`crate::log_writer`] in the server).
//!
//! Written by hand instead of `tracing_subscriber::fmt` because the access line is logged on
//! every request: with fmt's `Full` format and a span per request carrying the request id,
//! logging cost ~8% of a 4 KiB GET's server CPU (span creation, its formatted fields, enter and
//! exit on every poll, the generic field and time formatting). Here the request id lives in a
//! task-local ([`with_request_id`]) that the layer reads when it formats an event, and a line
//! is formatted into one buffer and copied once.
//!
//! The lines read like fmt's: `2026-11-21T11:23:03.814031Z  INFO request{request_id=..}:
//! cosd::http: done method=GET status=200`, the message first, then the fields in order
//! (strings quoted, `%`-values as displayed).

use std::fmt::Write as _;
use std::future::Future;
use std::io::Write as _;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_log::NormalizeEvent;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::layer::Context;
use tracing_subscriber::Layer;

tokio::task_local! {
    /// The id of the request the current task serves (see [`with_request_id`]).
    static REQUEST_ID: String;
}

/// Runs `fut` with `rid` as the request id every log line of it carries.
pub async fn with_request_id<F: Future>(rid: String, fut: F) -> F::Output {
    REQUEST_ID.scope(rid, fut).await
}

/// Runs `f` with `rid` as the request id of its log lines, for code that runs outside the
/// request's handler (a response body sent by the connection's task).
pub fn in_request<R>(rid: &str, f: impl FnOnce() -> R) -> R {
    REQUEST_ID.sync_scope(rid.to_string(), f)
}

/// Formats events as lines for `W`.
pub struct LineLayer<W> {
    make_writer: W,
    ansi: bool,
    json: bool,
}

impl<W> LineLayer<W> {
    pub fn new(make_writer: W, ansi: bool) -> Self {
        LineLayer {
            make_writer,
            ansi,
            json: false,
        }
    }

    /// One JSON object per line instead (`log_format = "json"`, [`crate::log_json`]).
    pub fn json(mut self, json: bool) -> Self {
        self.json = json;
        self
    }
}

impl<S, W> Layer<S> for LineLayer<W>
where
    S: Subscriber,
    W: for<'a> MakeWriter<'a> + 'static,
{
    fn on_event(&self, event: &Event<'_>, _ctx: Context<'_, S>) {
        let normalized = event.normalized_metadata();
        let meta = normalized.as_ref().unwrap_or_else(|| event.metadata());
        let mut line = String::with_capacity(256);
        if self.json {
            let now = time::OffsetDateTime::now_utc();
            let rid = REQUEST_ID.try_with(|rid| rid.clone()).ok();
            crate::log_json::write_line(&mut line, now, meta, rid.as_deref(), event);
            let _ = self.make_writer.make_writer().write_all(line.as_bytes());
            return;
        }
        let head = Head {
            now: time::OffsetDateTime::now_utc(),
            level: *meta.level(),
            target: meta.target(),
            ansi: self.ansi,
        };
        let _ = REQUEST_ID.try_with(|rid| head.write(&mut line, Some(rid)));
        if line.is_empty() {
            head.write(&mut line, None);
        }
        let mut fields = FieldWriter::new(&mut line);
        event.record(&mut fields);
        line.push('\n');
        // A failing sink must not fail the request; the line is dropped.
        let _ = self.make_writer.make_writer().write_all(line.as_bytes());
    }
}

/// Everything of a line before the message.
struct Head<'a> {
    now: time::OffsetDateTime,
    level: Level,
    target: &'a str,
    ansi: bool,
}

impl Head<'_> {
    fn write(&self, out: &mut String, rid: Option<&str>) {
        let t = self.now;
        let _ = write!(
            out,
            "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:06}Z ",
            t.year(),
            t.month() as u8,
            t.day(),
            t.hour(),
            t.minute(),
            t.second(),
            t.microsecond()
        );
        let (name, color) = match self.level {
            Level::TRACE => ("TRACE", "35"),
            Level::DEBUG => ("DEBUG", "34"),
            Level::INFO => (" INFO", "32"),
            Level::WARN => (" WARN", "33"),
            Level::ERROR => ("ERROR", "31"),
        };
        if self.ansi {
            let _ = write!(out, "\x1b[{color}m{name}\x1b[0m ");
        } else {
            out.push_str(name);
            out.push(' ');
        }
        if let Some(rid) = rid {
            out.push_str("request{request_id=");
            out.push_str(rid);
            out.push_str("}: ");
        }
        out.push_str(self.target);
        out.push_str(": ");
    }
}

/// Writes the message where the fields begin and each other field after it as ` name=value`.
struct FieldWriter<'a> {
    out: &'a mut String,
    /// Where the message goes (it is usually recorded last); None once it is written.
    message_at: Option<usize>,
}

impl<'a> FieldWriter<'a> {
    fn new(out: &'a mut String) -> Self {
        let message_at = Some(out.len());
        FieldWriter { out, message_at }
    }

    /// The first `message` (tracing records the format string first) is the line's message;
    /// another one (an explicit `message = ..` field beside it) is written as a field.
    fn message(&mut self, field: &Field, text: &str, quote: bool) {
        match self.message_at.take() {
            Some(at) => self.out.insert_str(at, text),
            None => {
                self.name(field);
                let _ = if quote {
                    write!(self.out, "{text:?}")
                } else {
                    write!(self.out, "{text}")
                };
            }
        }
    }

    fn skip(field: &Field) -> bool {
        // What tracing-log adds to events from the `log` crate; the target is already shown.
        field.name().starts_with("log.")
    }

    fn name(&mut self, field: &Field) {
        self.out.push(' ');
        self.out.push_str(field.name());
        self.out.push('=');
    }
}

impl Visit for FieldWriter<'_> {
    fn record_str(&mut self, field: &Field, value: &str) {
        if field.name() == "message" {
            self.message(field, value, true);
        } else if !Self::skip(field) {
            self.name(field);
            let _ = write!(self.out, "{value:?}");
        }
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.name(field);
        self.out.push_str(itoa::Buffer::new().format(value));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.name(field);
        self.out.push_str(itoa::Buffer::new().format(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.name(field);
        self.out.push_str(if value { "true" } else { "false" });
    }

    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        if field.name() == "message" {
            self.message(field, &format!("{value:?}"), false);
        } else if !Self::skip(field) {
            self.name(field);
            let _ = write!(self.out, "{value:?}");
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::sync::{Arc, Mutex};
    use tracing_subscriber::layer::SubscriberExt;

    /// A writer that keeps what the layer writes (the JSON layer's tests use it too).
    #[derive(Clone, Default)]
    pub(crate) struct Sink(pub(crate) Arc<Mutex<Vec<u8>>>);

    impl std::io::Write for Sink {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl<'a> MakeWriter<'a> for Sink {
        type Writer = Sink;
        fn make_writer(&'a self) -> Sink {
            self.clone()
        }
    }

    fn lines_of(ansi: bool, f: impl FnOnce()) -> Vec<String> {
        let sink = Sink::default();
        let sub = tracing_subscriber::registry().with(LineLayer::new(sink.clone(), ansi));
        tracing::subscriber::with_default(sub, f);
        let text = String::from_utf8(sink.0.lock().unwrap().clone()).unwrap();
        text.lines().map(str::to_string).collect()
    }

    /// The line without its timestamp (checked separately).
    fn rest(line: &str) -> &str {
        &line[28..]
    }

    #[test]
    fn lines_read_like_fmt_full() {
        let lines = lines_of(false, || {
            tracing::info!(method = %"GET", status = 200u16, code = "NoSuchKey", ok = true, "done");
            tracing::warn!(error = %"disk full", "preparing a segment failed");
            tracing::error!(delta = -3i64, "x");
            tracing::info!("no fields");
            tracing::info!(key = ?"a\"b", "debug value");
            let n = 7;
            tracing::info!("formatted {n}");
            tracing::info!(message = %"explicit", "the format string");
        });
        let rests: Vec<&str> = lines.iter().map(|l| rest(l)).collect();
        let t = "cosd::log_line::tests";
        assert_eq!(
            rests,
            [
                format!(" INFO {t}: done method=GET status=200 code=\"NoSuchKey\" ok=true"),
                format!(" WARN {t}: preparing a segment failed error=disk full"),
                format!("ERROR {t}: x delta=-3"),
                format!(" INFO {t}: no fields"),
                format!(" INFO {t}: debug value key=\"a\\\"b\""),
                format!(" INFO {t}: formatted 7"),
                format!(" INFO {t}: the format string message=explicit"),
            ]
        );
    }

    #[test]
    fn the_timestamp_is_rfc3339_utc_with_microseconds() {
        let lines = lines_of(false, || tracing::info!("x"));
        let ts = &lines[0][..27];
        let parsed =
            time::OffsetDateTime::parse(ts, &time::format_description::well_known::Rfc3339)
                .unwrap();
        let age = time::OffsetDateTime::now_utc() - parsed;
        assert!(age.whole_seconds().abs() < 60, "{ts}");
        assert!(ts.ends_with('Z') && ts.len() == 27, "{ts}");
    }

    #[test]
    fn lines_of_a_request_carry_its_id_and_others_do_not() {
        let lines = lines_of(false, || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .build()
                .unwrap();
            rt.block_on(async {
                with_request_id("NjU0".into(), async {
                    tracing::info!(status = 200u16, "done");
                    tokio::task::yield_now().await;
                    tracing::info!("after a yield");
                })
                .await;
                tracing::info!("outside");
            });
        });
        let t = "cosd::log_line::tests";
        assert_eq!(
            rest(&lines[0]),
            format!(" INFO request{{request_id=NjU0}}: {t}: done status=200")
        );
        assert_eq!(
            rest(&lines[1]),
            format!(" INFO request{{request_id=NjU0}}: {t}: after a yield")
        );
        assert_eq!(rest(&lines[2]), format!(" INFO {t}: outside"));
    }

    #[test]
    fn a_terminal_gets_a_coloured_level() {
        let lines = lines_of(true, || tracing::warn!("careful"));
        assert!(
            rest(&lines[0]).starts_with("\x1b[33m WARN\x1b[0m cosd::log_line::tests: careful"),
            "{:?}",
            lines[0]
        );
    }
}
