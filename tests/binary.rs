//! The `cosd` binary as a user runs it: first-start key generation and reuse, configuration
//! errors, and graceful shutdown with a request in flight.

#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

struct Running {
    child: Child,
    addr: String,
    sid: String,
    skey: String,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `cosd serve` and reads its banner until the keys are printed.
fn start(dir: &std::path::Path, envs: &[(&str, &str)]) -> Running {
    let addr = format!("127.0.0.1:{}", free_port());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cosd"));
    cmd.args(["serve", "--listen", &addr, "--data-dir"])
        .arg(dir)
        .args(["--tls-listen", "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    cmd.env_remove("COSD_ROOT_SECRET_ID")
        .env_remove("COSD_ROOT_SECRET_KEY");
    for (k, v) in envs {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let (mut sid, mut skey) = (String::new(), String::new());
    for line in (&mut out).lines() {
        let line = line.unwrap();
        if let Some(v) = line.trim().strip_prefix("SecretId:") {
            sid = v.trim().to_string();
        }
        if let Some(v) = line.trim().strip_prefix("SecretKey:") {
            skey = v.split_whitespace().next().unwrap().to_string();
            break;
        }
    }
    assert!(
        !sid.is_empty() && !skey.is_empty(),
        "banner printed the keys"
    );
    Running {
        child,
        addr,
        sid,
        skey,
    }
}

fn sigterm(child: &Child) {
    let ok = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(ok.success());
}

fn wait_exit(child: &mut Child, within: Duration) -> std::process::ExitStatus {
    let deadline = Instant::now() + within;
    loop {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        assert!(Instant::now() < deadline, "cosd did not exit");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn signed_request(
    method: &str,
    r: &Running,
    host: &str,
    path: &str,
    extra: &[(String, String)],
) -> String {
    signed_request_q(method, r, host, path, &[], extra)
}

/// Like `signed_request`, with query parameters (signed, and appended to the request line).
fn signed_request_q(
    method: &str,
    r: &Running,
    host: &str,
    path: &str,
    query: &[(String, String)],
    extra: &[(String, String)],
) -> String {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    let mut headers = vec![("Host".to_string(), host.to_string())];
    headers.extend_from_slice(extra);
    let auth = authorization(
        &r.sid,
        &r.skey,
        method,
        path,
        query,
        &headers,
        now - 60,
        now + 600,
    );
    let target = if query.is_empty() {
        path.to_string()
    } else {
        format!("{path}?{}", query_string(query))
    };
    let mut head = format!("{method} {target} HTTP/1.1\r\nAuthorization: {auth}\r\n");
    for (k, v) in &headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    head
}

async fn roundtrip(r: &Running, raw: String) -> String {
    let mut tcp = tokio::net::TcpStream::connect(&r.addr).await.unwrap();
    tcp.write_all(raw.as_bytes()).await.unwrap();
    let mut out = Vec::new();
    tcp.read_to_end(&mut out).await.unwrap();
    String::from_utf8_lossy(&out).into_owned()
}

#[tokio::test]
async fn first_start_generates_keys_and_later_starts_reuse_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = start(dir.path(), &[]);
    assert!(a.sid.starts_with("AKID"));
    sigterm(&a.child);
    assert!(wait_exit(&mut a.child, Duration::from_secs(10)).success());
    let mut b = start(dir.path(), &[]);
    assert_eq!(
        (b.sid.as_str(), b.skey.as_str()),
        (a.sid.as_str(), a.skey.as_str())
    );
    // The printed keys work.
    let host = vhost("keys-1250000000");
    let put = signed_request(
        "PUT",
        &b,
        &host,
        "/",
        &[
            ("Content-Length".into(), "0".into()),
            ("Connection".into(), "close".into()),
        ],
    );
    assert!(roundtrip(&b, put + "\r\n")
        .await
        .starts_with("HTTP/1.1 200"));
    sigterm(&b.child);
    assert!(wait_exit(&mut b.child, Duration::from_secs(10)).success());
    // Keys from the environment replace the generated ones.
    let mut c = start(
        dir.path(),
        &[
            ("COSD_ROOT_SECRET_ID", "AKIDfromenv"),
            ("COSD_ROOT_SECRET_KEY", "envkey"),
        ],
    );
    assert_eq!(c.sid, "AKIDfromenv");
    sigterm(&c.child);
    wait_exit(&mut c.child, Duration::from_secs(10));
}

#[test]
fn unknown_config_keys_are_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("cosd.toml");
    std::fs::write(&file, "listen = \"127.0.0.1:0\"\nregoin = \"ap-beijing\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_cosd"))
        .args(["serve", "--config"])
        .arg(&file)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("regoin"), "{err}");
    let out = Command::new(env!("CARGO_BIN_EXE_cosd"))
        .args(["serve"])
        .env("COSD_GC_GRACE_SECS", "soon")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("COSD_GC_GRACE_SECS"));
}

#[tokio::test]
async fn sigterm_lets_an_in_flight_upload_finish() {
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(dir.path(), &[]);
    let host = vhost("grace-1250000000");
    let put = signed_request(
        "PUT",
        &r,
        &host,
        "/",
        &[
            ("Content-Length".into(), "0".into()),
            ("Connection".into(), "close".into()),
        ],
    );
    assert!(roundtrip(&r, put + "\r\n")
        .await
        .starts_with("HTTP/1.1 200"));
    let body = random_bytes(2 * 1024 * 1024, 3);
    let head = signed_request(
        "PUT",
        &r,
        &host,
        "/slow.bin",
        &[
            ("Content-Length".into(), body.len().to_string()),
            ("Connection".into(), "close".into()),
        ],
    );
    let mut tcp = tokio::net::TcpStream::connect(&r.addr).await.unwrap();
    tcp.write_all(format!("{head}\r\n").as_bytes())
        .await
        .unwrap();
    tcp.write_all(&body[..1024 * 1024]).await.unwrap();
    tokio::time::sleep(Duration::from_millis(200)).await;
    sigterm(&r.child);
    tokio::time::sleep(Duration::from_millis(300)).await;
    tcp.write_all(&body[1024 * 1024..]).await.unwrap();
    let mut out = Vec::new();
    tcp.read_to_end(&mut out).await.unwrap();
    let text = String::from_utf8_lossy(&out);
    assert!(text.starts_with("HTTP/1.1 200"), "{text}");
    assert!(text.contains(&md5_hex(&body)));
    assert!(wait_exit(&mut r.child, Duration::from_secs(10)).success());
    // New connections are refused after shutdown, and the upload survived the restart.
    let mut again = start(dir.path(), &[]);
    let get = signed_request(
        "GET",
        &again,
        &host,
        "/slow.bin",
        &[("Connection".into(), "close".into())],
    );
    let resp = roundtrip(&again, get + "\r\n").await;
    assert!(
        resp.starts_with("HTTP/1.1 200"),
        "{}",
        &resp[..resp.len().min(300)]
    );
    assert!(resp.contains(&format!("Content-Length: {}", body.len())));
    sigterm(&again.child);
    wait_exit(&mut again.child, Duration::from_secs(10));
}

/// Resident and peak-resident memory of a process, in bytes, from `/proc/<pid>/status`.
fn rss(pid: u32) -> (u64, u64) {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let field = |name: &str| {
        status
            .lines()
            .find_map(|l| l.strip_prefix(name))
            .and_then(|v| v.split_whitespace().next())
            .and_then(|kb| kb.parse::<u64>().ok())
            .unwrap()
            * 1024
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Eight 48 MiB parts of one multipart upload stream in at once. Each request holds at most a
/// chunk being filled and one being written, so the server's peak RSS may grow by about
/// `parts x 2 x chunk_size` plus allocator and connection-buffer slack (96 MiB), far below the
/// 384 MiB that buffering whole parts would need. The bound assumes 4 MiB chunks, twice the
/// default, so it also holds for a server configured so.
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_part_uploads_keep_memory_bounded() {
    const PARTS: usize = 8;
    const PART: usize = 48 * 1024 * 1024;
    const PIECE: usize = 256 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let mut r = start(dir.path(), &[]);
    let pid = r.child.id();
    let host = vhost("mem-1250000000");
    let close = || ("Connection".to_string(), "close".to_string());
    let put = signed_request(
        "PUT",
        &r,
        &host,
        "/",
        &[("Content-Length".into(), "0".into()), close()],
    );
    assert!(roundtrip(&r, put + "\r\n")
        .await
        .starts_with("HTTP/1.1 200"));
    // Warm up the write path once so the baseline includes RocksDB and allocator arenas.
    let warm = random_bytes(8 * 1024 * 1024, 1);
    let head = signed_request(
        "PUT",
        &r,
        &host,
        "/warm.bin",
        &[("Content-Length".into(), warm.len().to_string()), close()],
    );
    let mut raw = format!("{head}\r\n").into_bytes();
    raw.extend_from_slice(&warm);
    let mut tcp = tokio::net::TcpStream::connect(&r.addr).await.unwrap();
    tcp.write_all(&raw).await.unwrap();
    let mut out = Vec::new();
    tcp.read_to_end(&mut out).await.unwrap();
    assert!(out.starts_with(b"HTTP/1.1 200"));
    let init = signed_request_q(
        "POST",
        &r,
        &host,
        "/big.bin",
        &[("uploads".into(), String::new())],
        &[("Content-Length".into(), "0".into()), close()],
    );
    let resp = roundtrip(&r, init + "\r\n").await;
    let upload_id = resp
        .split("<UploadId>")
        .nth(1)
        .and_then(|s| s.split("</UploadId>").next())
        .unwrap()
        .to_string();
    let (baseline, _) = rss(pid);

    let mut tasks = Vec::new();
    for n in 1..=PARTS {
        let head = signed_request_q(
            "PUT",
            &r,
            &host,
            "/big.bin",
            &[
                ("partNumber".into(), n.to_string()),
                ("uploadId".into(), upload_id.clone()),
            ],
            &[("Content-Length".into(), PART.to_string()), close()],
        );
        let addr = r.addr.clone();
        tasks.push(tokio::spawn(async move {
            let mut tcp = tokio::net::TcpStream::connect(&addr).await.unwrap();
            tcp.write_all(format!("{head}\r\n").as_bytes())
                .await
                .unwrap();
            for i in 0..PART / PIECE {
                let piece = random_bytes(PIECE, (n * 10_000 + i) as u64);
                tcp.write_all(&piece).await.unwrap();
            }
            let mut out = Vec::new();
            tcp.read_to_end(&mut out).await.unwrap();
            String::from_utf8_lossy(&out).into_owned()
        }));
    }
    for t in tasks {
        let resp = t.await.unwrap();
        assert!(resp.starts_with("HTTP/1.1 200"), "{resp}");
    }
    // VmHWM is the kernel's own high-water mark, so no short spike between samples is missed;
    // it also covers the warm-up, which only makes the measured growth an upper bound.
    let (_, peak) = rss(pid);
    let growth = peak.saturating_sub(baseline);
    let mib = |b: u64| b as f64 / (1024.0 * 1024.0);
    let bound = (PARTS as u64) * 2 * 4 * 1024 * 1024 + 96 * 1024 * 1024;
    println!(
        "memory: baseline {:.1} MiB, peak {:.1} MiB, growth {:.1} MiB for {} x {} MiB parts (bound {:.0} MiB, whole-part buffering would need {} MiB)",
        mib(baseline),
        mib(peak),
        mib(growth),
        PARTS,
        PART >> 20,
        mib(bound),
        (PARTS * PART) >> 20
    );
    assert!(
        growth < bound,
        "server RSS grew by {:.1} MiB while {PARTS} parts uploaded",
        mib(growth)
    );
    sigterm(&r.child);
    wait_exit(&mut r.child, Duration::from_secs(10));
}
