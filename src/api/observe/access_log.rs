//! Bucket access logs (`?logging`, docs/access-logs.md): the pipeline adds one COS-format line
//! per request to a bucket with logging on ([`AccessLogs::add`]); a background task delivers
//! what has gathered as one object per target every `access_log_interval_secs`, at
//! `<TargetPrefix><YYYY>/<MM>/<DD>/<YYYYMMDDhhmmss>_<random>_<index>` in the target bucket,
//! written as the bucket's owner. Delivery is best effort, as COS's and S3's are: lines still
//! gathered when the process is killed are lost (a graceful shutdown delivers them).

use crate::bucket_config::logging::LoggingConfig;
use crate::AppState;
use bytes::Bytes;
use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

/// Lines kept waiting per target, beyond which new lines are dropped (and counted), so that a
/// target that cannot be written to cannot exhaust memory.
const MAX_PENDING_LINES: usize = 1_000_000;
/// Lines per log object.
const MAX_LINES_PER_OBJECT: usize = 100_000;

/// Where a group of lines goes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct Target {
    bucket: String,
    prefix: String,
}

/// The lines gathered since the last delivery.
#[derive(Default)]
pub struct AccessLogs {
    pending: Mutex<BTreeMap<Target, Vec<String>>>,
    dropped: AtomicU64,
}

impl AccessLogs {
    fn pending(&self) -> std::sync::MutexGuard<'_, BTreeMap<Target, Vec<String>>> {
        // Each change is one push or one whole take: a poisoned map is consistent.
        self.pending.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Queues `line` for `config`'s target.
    pub fn add(&self, config: &LoggingConfig, line: String) {
        let mut p = self.pending();
        let lines = p
            .entry(Target {
                bucket: config.target_bucket.clone(),
                prefix: config.target_prefix.clone(),
            })
            .or_default();
        if lines.len() >= MAX_PENDING_LINES {
            self.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        }
        lines.push(line);
    }

    /// Lines dropped because a target's queue was full.
    pub fn dropped(&self) -> u64 {
        self.dropped.load(Ordering::Relaxed)
    }

    fn take(&self) -> BTreeMap<Target, Vec<String>> {
        std::mem::take(&mut *self.pending())
    }

    /// Puts back lines that could not be delivered (ahead of newer ones).
    fn restore(&self, target: Target, mut lines: Vec<String>) {
        let mut p = self.pending();
        let newer = p.remove(&target).unwrap_or_default();
        lines.extend(newer);
        lines.truncate(MAX_PENDING_LINES);
        p.insert(target, lines);
    }
}

/// The key of a log object delivered at `now_ms` (COS's layout:
/// `{prefix}{YYYY}/{MM}/{DD}/{time}_{random}_{index}`).
pub fn object_key(prefix: &str, now_ms: i64, random: u32, index: usize) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp(now_ms.div_euclid(1000))
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    format!(
        "{prefix}{:04}/{:02}/{:02}/{:04}{:02}{:02}{:02}{:02}{:02}_{random:06x}_{index}",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
    )
}

/// Writes every gathered line to its target; lines whose target cannot be written to now
/// (it is gone, or the write failed) are kept for the next round unless the target is gone.
/// Returns the number of objects written.
pub async fn deliver(app: &AppState) -> usize {
    let mut written = 0;
    for (target, lines) in app.observer.access_logs.take() {
        let bucket = match app.store.bucket_shared(&target.bucket) {
            Ok(Some(b)) => b,
            Ok(None) => {
                tracing::warn!(target_bucket = %target.bucket, lines = lines.len(), "access log target bucket is gone; lines dropped");
                continue;
            }
            Err(e) => {
                tracing::warn!(target_bucket = %target.bucket, error = %e, "access log target unreadable; retrying later");
                app.observer.access_logs.restore(target, lines);
                continue;
            }
        };
        let now = app.clock.now_ms();
        let random: u32 = rand::random::<u32>() & 0x00ff_ffff;
        for (index, part) in lines.chunks(MAX_LINES_PER_OBJECT).enumerate() {
            let key = object_key(&target.prefix, now, random, index);
            let mut text = part.join("\n");
            text.push('\n');
            match write(app, &bucket, &key, text).await {
                Ok(()) => written += 1,
                Err(e) => {
                    tracing::warn!(target_bucket = %target.bucket, key = %key, error = %e.message, "access log delivery failed; retrying later");
                    let rest = lines[index * MAX_LINES_PER_OBJECT..].to_vec();
                    app.observer.access_logs.restore(target.clone(), rest);
                    break;
                }
            }
        }
    }
    written
}

/// One log object, written like an upload of the bucket's owner (with the bucket's default
/// encryption, if any).
async fn write(
    app: &AppState,
    bucket: &crate::meta::BucketRecord,
    key: &str,
    text: String,
) -> Result<(), crate::api::error::ApiError> {
    let sse = crate::api::sse::for_write(app, &Default::default(), bucket).await?;
    let meta = crate::service::ObjectMeta {
        content_type: Some("text/plain".into()),
        ..Default::default()
    };
    let opts = crate::service::WriteOptions {
        sse,
        ..Default::default()
    };
    let body =
        futures_util::stream::iter([Ok::<_, crate::service::ServiceError>(Bytes::from(text))]);
    app.store
        .put_object(&bucket.name, key, body, meta, opts)
        .await?;
    Ok(())
}

/// Delivers the gathered lines every `access_log_interval_secs`, and once more when `stop`
/// fires.
pub fn spawn(
    state: &Arc<AppState>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) -> tokio::task::JoinHandle<()> {
    let state = Arc::clone(state);
    let every = std::time::Duration::from_secs(state.config.access_log_interval_secs.max(1));
    tokio::spawn(async move {
        loop {
            let stopping = tokio::select! {
                _ = tokio::time::sleep(every) => false,
                _ = stop.changed() => true,
            };
            let n = deliver(&state).await;
            if n > 0 {
                tracing::debug!(objects = n, "access logs delivered");
            }
            if stopping {
                return;
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_object_keys_follow_coss_layout() {
        // 2018-12-01T11:02:33Z
        let k = object_key("logs/", 1_543_662_153_000, 0xabc, 0);
        assert_eq!(k, "logs/2018/12/01/20181201110233_000abc_0");
        assert_eq!(
            object_key("", 1_543_662_153_000, 1, 2),
            "2018/12/01/20181201110233_000001_2"
        );
    }

    #[test]
    fn lines_gather_per_target_and_undelivered_ones_go_back_first() {
        let logs = AccessLogs::default();
        let a = LoggingConfig {
            target_bucket: "logs-1".into(),
            target_prefix: "a/".into(),
        };
        let b = LoggingConfig {
            target_bucket: "logs-1".into(),
            target_prefix: "b/".into(),
        };
        logs.add(&a, "1".into());
        logs.add(&b, "x".into());
        logs.add(&a, "2".into());
        let taken = logs.take();
        assert_eq!(taken.len(), 2);
        let (t, lines) = taken.into_iter().next().unwrap();
        assert_eq!(lines, vec!["1", "2"]);
        logs.add(&a, "3".into());
        logs.restore(t, lines);
        let again = logs.take();
        assert_eq!(again.values().next().unwrap(), &vec!["1", "2", "3"]);
        assert!(logs.take().is_empty());
    }
}
