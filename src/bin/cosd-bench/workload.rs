//! The workloads: an unmeasured set-up phase (uploading what a GET, LIST or DELETE needs),
//! then the measured phase with `concurrency` workers, each on its own connection.

use crate::http::{empty, full, Body, Conn, Target};
use crate::payload::Payloads;
use crate::stats::{cpu_secs, quantile, Recorder};
use http_body_util::{BodyExt, StreamBody};
use serde_json::{json, Value};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Workload {
    Put,
    Get,
    Mixed,
    Delete,
    List,
    ListDelim,
    PutMultipart,
    Dedup,
}

#[derive(Debug, Clone)]
pub struct Opts {
    pub workload: Workload,
    pub concurrency: usize,
    pub size: u64,
    pub duration: Option<f64>,
    pub count: Option<u64>,
    pub keys: u64,
    pub part_size: u64,
    pub prefix: Option<String>,
    pub server_pid: Option<u32>,
    pub label: String,
    /// The generator's runtime worker threads (reported with the results).
    pub threads: usize,
}

pub struct Bench {
    pub target: Arc<Target>,
    pub bucket: String,
    pub payloads: Payloads,
    pub opts: Opts,
}

/// Hands out operation numbers until the count or the deadline is reached.
struct Ctl {
    next: AtomicU64,
    limit: u64,
    deadline: Option<Instant>,
}

impl Ctl {
    fn new(count: Option<u64>, duration: Option<f64>) -> Ctl {
        Ctl {
            next: AtomicU64::new(0),
            limit: count.unwrap_or(u64::MAX),
            deadline: duration.map(|d| Instant::now() + Duration::from_secs_f64(d)),
        }
    }

    fn take(&self) -> Option<u64> {
        if self.deadline.is_some_and(|d| Instant::now() >= d) {
            return None;
        }
        let n = self.next.fetch_add(1, Ordering::Relaxed);
        (n < self.limit).then_some(n)
    }
}

fn body_of(p: &Payloads, id: u64, size: u64) -> Body {
    if size <= 1 << 20 {
        full(p.piece(id, 0, size as usize))
    } else {
        BodyExt::boxed(StreamBody::new(p.stream_range(id, 0, size)))
    }
}

impl Bench {
    fn path(&self, key: &str) -> String {
        format!("/{}/{key}", self.bucket)
    }

    async fn put(&self, c: &mut Conn, key: &str, id: u64, size: u64) -> std::io::Result<u16> {
        let a = c
            .send(
                "PUT",
                &self.path(key),
                &[],
                body_of(&self.payloads, id, size),
                size,
                false,
            )
            .await?;
        Ok(a.status)
    }

    pub async fn ensure_bucket(&self) -> Result<(), String> {
        let mut c = Conn::new(Arc::clone(&self.target));
        let a = c
            .send("PUT", &format!("/{}", self.bucket), &[], empty(), 0, true)
            .await
            .map_err(|e| format!("cannot reach the endpoint: {e}"))?;
        if a.status == 200 || a.status == 409 {
            Ok(())
        } else {
            Err(format!(
                "creating bucket {} failed: {} {}",
                self.bucket,
                a.status,
                a.text.unwrap_or_default()
            ))
        }
    }

    /// Uploads `n` objects `{prefix}/k{i:08}` of `size` bytes (set-up, not measured).
    async fn fill(self: &Arc<Self>, prefix: &str, n: u64, size: u64) -> Result<(), String> {
        let ctl = Arc::new(Ctl::new(Some(n), None));
        let mut tasks = Vec::new();
        for _ in 0..self.opts.concurrency.clamp(16, 64) {
            let (me, ctl, prefix) = (Arc::clone(self), Arc::clone(&ctl), prefix.to_string());
            tasks.push(tokio::spawn(async move {
                let mut c = Conn::new(Arc::clone(&me.target));
                while let Some(i) = ctl.take() {
                    let key = format!("{prefix}/k{i:08}");
                    match me.put(&mut c, &key, i, size).await {
                        Ok(200) => {}
                        Ok(s) => return Err(format!("set-up PUT {key}: status {s}")),
                        Err(e) => return Err(format!("set-up PUT {key}: {e}")),
                    }
                }
                Ok(())
            }));
        }
        for t in tasks {
            t.await.map_err(|e| e.to_string())??;
        }
        Ok(())
    }

    /// Counts the objects under `prefix` (listing every page); also the timed LIST operation.
    async fn list_all(&self, c: &mut Conn, prefix: &str, delimiter: bool) -> std::io::Result<u64> {
        let mut token: Option<String> = None;
        let mut n = 0u64;
        loop {
            let mut q = vec![
                ("list-type".to_string(), "2".to_string()),
                ("max-keys".to_string(), "1000".to_string()),
                ("prefix".to_string(), format!("{prefix}/")),
            ];
            if delimiter {
                q.push(("delimiter".into(), "/".into()));
            }
            if let Some(t) = &token {
                q.push(("continuation-token".into(), t.clone()));
            }
            let a = c
                .send("GET", &format!("/{}", self.bucket), &q, empty(), 0, true)
                .await?;
            let text = a.text.unwrap_or_default();
            if a.status != 200 {
                return Err(std::io::Error::other(format!("LIST: {}", a.status)));
            }
            n += text.matches("<Key>").count() as u64;
            token = between(&text, "<NextContinuationToken>", "</NextContinuationToken>");
            let truncated = text.contains("<IsTruncated>true</IsTruncated>");
            if !truncated || token.is_none() {
                return Ok(n);
            }
        }
    }

    pub async fn run(self: Arc<Self>) -> Result<Value, String> {
        self.ensure_bucket().await?;
        let o = &self.opts;
        let prefix = o
            .prefix
            .clone()
            .unwrap_or_else(|| format!("bench-{:016x}", rand::random::<u64>()));
        let needs_fill = match o.workload {
            Workload::Get | Workload::Mixed => {
                // A given prefix whose last fixture object exists is reused (no re-upload).
                let filled = match &o.prefix {
                    Some(_) => {
                        let mut c = Conn::new(Arc::clone(&self.target));
                        let last = format!("{prefix}/k{:08}", o.keys.saturating_sub(1));
                        c.send("HEAD", &self.path(&last), &[], empty(), 0, false)
                            .await
                            .is_ok_and(|a| a.status == 200)
                    }
                    None => false,
                };
                (!filled).then_some((o.keys, o.size))
            }
            Workload::Delete => Some((o.count.unwrap_or(o.keys), o.size)),
            Workload::List | Workload::ListDelim => {
                let mut c = Conn::new(Arc::clone(&self.target));
                let have = self
                    .list_all(&mut c, &prefix, false)
                    .await
                    .map_err(|e| e.to_string())?;
                (have < o.keys).then_some((o.keys, 16))
            }
            _ => None,
        };
        if let Some((n, size)) = needs_fill {
            self.fill(&prefix, n, size).await?;
        }
        if o.workload == Workload::PutMultipart {
            return self.multipart(&prefix).await;
        }
        let count = match o.workload {
            Workload::Delete => Some(o.count.unwrap_or(o.keys)),
            Workload::List | Workload::ListDelim => o.count.or(Some(3)),
            _ => o.count,
        };
        let duration = if count.is_none() && o.duration.is_none() {
            Some(5.0)
        } else {
            o.duration
        };
        let ctl = Arc::new(Ctl::new(count, duration));
        let cpu0 = (cpu_secs(None), o.server_pid.and_then(|p| cpu_secs(Some(p))));
        let t0 = Instant::now();
        let mut tasks = Vec::new();
        for w in 0..o.concurrency.max(1) {
            let (me, ctl, prefix) = (Arc::clone(&self), Arc::clone(&ctl), prefix.clone());
            tasks.push(tokio::spawn(
                async move { me.worker(w, &ctl, &prefix).await },
            ));
        }
        let mut rec = Recorder::default();
        for t in tasks {
            rec.merge(t.await.map_err(|e| e.to_string())?);
        }
        let secs = t0.elapsed().as_secs_f64();
        let cpu1 = (cpu_secs(None), o.server_pid.and_then(|p| cpu_secs(Some(p))));
        Ok(self.report(rec, secs, cpu0, cpu1))
    }

    async fn worker(&self, w: usize, ctl: &Ctl, prefix: &str) -> Recorder {
        let o = &self.opts;
        let mut c = Conn::new(Arc::clone(&self.target));
        let mut rec = Recorder::default();
        while let Some(i) = ctl.take() {
            let t = Instant::now();
            let res: std::io::Result<(u16, u64)> = match o.workload {
                Workload::Put => {
                    let key = format!("{prefix}/p{i:08}");
                    self.put(&mut c, &key, i, o.size).await.map(|s| (s, o.size))
                }
                Workload::Dedup => {
                    let key = format!("{prefix}/d{i:08}");
                    self.put(&mut c, &key, u64::MAX, o.size)
                        .await
                        .map(|s| (s, o.size))
                }
                Workload::Get => self.get_random(&mut c, prefix).await,
                Workload::Mixed => {
                    if rand::random::<f64>() < 0.7 {
                        self.get_random(&mut c, prefix).await
                    } else {
                        let key = format!("{prefix}/m{w}-{i:08}");
                        let id = o.keys + i + 1;
                        self.put(&mut c, &key, id, o.size)
                            .await
                            .map(|s| (s, o.size))
                    }
                }
                Workload::Delete => {
                    let key = format!("{prefix}/k{i:08}");
                    c.send("DELETE", &self.path(&key), &[], empty(), 0, false)
                        .await
                        .map(|a| (if a.status == 204 { 200 } else { a.status }, 0))
                }
                Workload::List | Workload::ListDelim => {
                    let delim = o.workload == Workload::ListDelim;
                    match self.list_all(&mut c, prefix, delim).await {
                        Ok(n) if n >= o.keys => Ok((200, n)),
                        Ok(n) => Ok((599, n)),
                        Err(e) => Err(e),
                    }
                }
                Workload::PutMultipart => Ok((200, 0)),
            };
            match res {
                Ok((200, bytes)) => rec.ok(t.elapsed(), bytes),
                Ok(_) | Err(_) => rec.errors += 1,
            }
        }
        rec
    }

    async fn get_random(&self, c: &mut Conn, prefix: &str) -> std::io::Result<(u16, u64)> {
        let i = rand::random::<u64>() % self.opts.keys.max(1);
        let key = format!("{prefix}/k{i:08}");
        let a = c
            .send("GET", &self.path(&key), &[], empty(), 0, false)
            .await?;
        Ok((a.status, a.bytes))
    }

    /// One object of `size` in `part_size` parts, `concurrency` parts at a time.
    async fn multipart(self: &Arc<Self>, prefix: &str) -> Result<Value, String> {
        let o = &self.opts;
        let key = format!("{prefix}/mp");
        let path = self.path(&key);
        let cpu0 = (cpu_secs(None), o.server_pid.and_then(|p| cpu_secs(Some(p))));
        let t0 = Instant::now();
        let mut c = Conn::new(Arc::clone(&self.target));
        let q = [("uploads".to_string(), String::new())];
        let a = c
            .send("POST", &path, &q, empty(), 0, true)
            .await
            .map_err(|e| e.to_string())?;
        let text = a.text.unwrap_or_default();
        let upload_id = between(&text, "<UploadId>", "</UploadId>")
            .ok_or_else(|| format!("initiate failed: {} {text}", a.status))?;
        let parts = o.size.div_ceil(o.part_size).max(1);
        let ctl = Arc::new(Ctl::new(Some(parts), None));
        let etags = Arc::new(std::sync::Mutex::new(vec![String::new(); parts as usize]));
        let mut tasks = Vec::new();
        for _ in 0..o.concurrency.max(1) {
            let (me, ctl, etags, path, upload_id) = (
                Arc::clone(self),
                Arc::clone(&ctl),
                Arc::clone(&etags),
                path.clone(),
                upload_id.clone(),
            );
            tasks.push(tokio::spawn(async move {
                let mut c = Conn::new(Arc::clone(&me.target));
                let mut rec = Recorder::default();
                while let Some(i) = ctl.take() {
                    let off = i * me.opts.part_size;
                    let len = (me.opts.size - off).min(me.opts.part_size);
                    let body =
                        BodyExt::boxed(StreamBody::new(me.payloads.stream_range(7, off, len)));
                    let q = [
                        ("partNumber".to_string(), (i + 1).to_string()),
                        ("uploadId".to_string(), upload_id.clone()),
                    ];
                    let t = Instant::now();
                    match c.send("PUT", &path, &q, body, len, false).await {
                        Ok(a) if a.status == 200 => {
                            rec.ok(t.elapsed(), len);
                            if let Ok(mut e) = etags.lock() {
                                e[i as usize] = a.etag.unwrap_or_default();
                            }
                        }
                        _ => rec.errors += 1,
                    }
                }
                rec
            }));
        }
        let mut rec = Recorder::default();
        for t in tasks {
            rec.merge(t.await.map_err(|e| e.to_string())?);
        }
        let list = etags.lock().map(|e| e.clone()).unwrap_or_default();
        let mut xml = String::from("<CompleteMultipartUpload>");
        for (i, e) in list.iter().enumerate() {
            xml.push_str(&format!(
                "<Part><PartNumber>{}</PartNumber><ETag>{e}</ETag></Part>",
                i + 1
            ));
        }
        xml.push_str("</CompleteMultipartUpload>");
        let len = xml.len() as u64;
        let q = [("uploadId".to_string(), upload_id)];
        let a = c
            .send("POST", &path, &q, full(xml.into()), len, true)
            .await
            .map_err(|e| e.to_string())?;
        let text = a.text.unwrap_or_default();
        let secs = t0.elapsed().as_secs_f64();
        let cpu1 = (cpu_secs(None), o.server_pid.and_then(|p| cpu_secs(Some(p))));
        if a.status != 200 || text.contains("<Error>") {
            rec.errors += 1;
        }
        // Report the whole upload as one operation of `size` bytes.
        let mut whole = Recorder {
            errors: rec.errors,
            ..Recorder::default()
        };
        whole.ok(Duration::from_secs_f64(secs), o.size);
        Ok(self.report(whole, secs, cpu0, cpu1))
    }

    fn report(
        &self,
        mut rec: Recorder,
        secs: f64,
        cpu0: (Option<f64>, Option<f64>),
        cpu1: (Option<f64>, Option<f64>),
    ) -> Value {
        let o = &self.opts;
        rec.latencies_us.sort_unstable();
        let ops = rec.latencies_us.len() as u64;
        let secs = secs.max(1e-9);
        let mib = rec.bytes as f64 / (1024.0 * 1024.0);
        let client_cpu = match cpu0.0.zip(cpu1.0) {
            Some((a, b)) => json!(b - a),
            None => Value::Null,
        };
        let server = cpu0.1.zip(cpu1.1).map(|(a, b)| b - a);
        let is_list = matches!(o.workload, Workload::List | Workload::ListDelim);
        json!({
            "workload": clap::ValueEnum::to_possible_value(&o.workload)
                .map(|v| v.get_name().to_string())
                .unwrap_or_default(),
            "bytes": rec.bytes,
            // What the dedup workload sent, for its disk growth per uploaded byte.
            "bytes_uploaded": matches!(o.workload, Workload::Dedup).then_some(rec.bytes),
            "label": o.label,
            "concurrency": o.concurrency,
            "client_threads": o.threads,
            "size": o.size,
            "ops": ops,
            "errors": rec.errors,
            "secs": secs,
            "ops_per_s": ops as f64 / secs,
            "mib_per_s": if is_list { 0.0 } else { mib / secs },
            "p50_us": quantile(&rec.latencies_us, 0.5),
            "p99_us": quantile(&rec.latencies_us, 0.99),
            "p999_us": quantile(&rec.latencies_us, 0.999),
            "client_cpu_s": client_cpu,
            "server_cpu_s": server,
            "server_cpu_us_per_op": server.map(|s| s * 1e6 / ops.max(1) as f64),
            "server_cpu_s_per_gib": server.filter(|_| !is_list && rec.bytes > 0)
                .map(|s| s / (rec.bytes as f64 / (1u64 << 30) as f64)),
            "ms_per_1000_keys": is_list.then(|| {
                let keys = rec.bytes as f64;
                if keys > 0.0 {
                    rec.latencies_us.iter().map(|&u| u as f64).sum::<f64>() / 1000.0 / (keys / 1000.0)
                } else {
                    0.0
                }
            }),
        })
    }
}

fn between(text: &str, open: &str, close: &str) -> Option<String> {
    let s = text.find(open)? + open.len();
    let e = text[s..].find(close)? + s;
    Some(text[s..e].to_string())
}
