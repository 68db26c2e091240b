//! `cosd-bench`: the load generator of cosd's benchmarks (docs/performance.md). It drives any
//! S3 endpoint with SigV4 (cosd, moto, s3s-fs...) and prints one JSON object per run; the
//! orchestration (peers, rounds, ratios, tables) is `scripts/bench`.

mod http;
mod limits;
mod payload;
mod responder;
mod stats;
mod workload;

use clap::{Parser, Subcommand};
use std::sync::Arc;
use std::time::{Duration, Instant};

#[derive(Parser)]
#[command(name = "cosd-bench", about = "Load generator for S3/COS endpoints")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Runs one workload against an endpoint and prints its measurements as JSON.
    Run(Box<RunArgs>),
    /// A do-nothing endpoint, to measure the generator's own ceiling.
    Responder {
        #[arg(long, default_value = "127.0.0.1:0")]
        listen: String,
    },
    /// Measures this machine's hash, fsync and loopback limits.
    Limits,
    /// Waits until an endpoint answers HTTP; prints the milliseconds since this command started.
    Ready {
        #[arg(long)]
        endpoint: String,
        #[arg(long, default_value_t = 20_000)]
        timeout_ms: u64,
    },
}

#[derive(clap::Args)]
struct RunArgs {
    #[arg(long)]
    endpoint: String,
    #[arg(long, env = "BENCH_ACCESS_KEY")]
    access_key: String,
    #[arg(long, env = "BENCH_SECRET_KEY")]
    secret_key: String,
    #[arg(long, default_value = "us-east-1")]
    region: String,
    #[arg(long, default_value = "bench-1250000000")]
    bucket: String,
    #[arg(long, value_enum)]
    workload: workload::Workload,
    #[arg(long, default_value_t = 16)]
    concurrency: usize,
    /// Object size in bytes.
    #[arg(long, default_value_t = 4096)]
    size: u64,
    /// Seconds of measured phase (default 5 unless --count is given).
    #[arg(long)]
    duration: Option<f64>,
    /// Operations in the measured phase (objects for put/dedup/delete, listings for list).
    #[arg(long)]
    count: Option<u64>,
    /// Objects prepared for get/mixed/list.
    #[arg(long, default_value_t = 1000)]
    keys: u64,
    /// Part size of put-multipart.
    #[arg(long, default_value_t = 8 << 20)]
    part_size: u64,
    /// Key prefix (reuse one to skip re-uploading list fixtures).
    #[arg(long)]
    prefix: Option<String>,
    /// The server's pid, for its CPU time.
    #[arg(long)]
    server_pid: Option<u32>,
    /// Runtime worker threads of the generator. One thread drives 16-64 connections at 2-4
    /// times the rates cosd reaches here (see `responder`), and a second one on a 2-core
    /// machine only takes CPU from the server it measures (context switches and wake-ups).
    #[arg(long, default_value_t = 1)]
    threads: usize,
    #[arg(long, default_value = "")]
    label: String,
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse();
    let mut builder = tokio::runtime::Builder::new_multi_thread();
    if let Cmd::Run(a) = &cli.cmd {
        builder.worker_threads(a.threads.max(1));
    }
    let rt = match builder.enable_all().build() {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cosd-bench: {e}");
            return std::process::ExitCode::FAILURE;
        }
    };
    let res: Result<(), String> = rt.block_on(async move {
        match cli.cmd {
            Cmd::Run(a) => run(*a).await,
            Cmd::Responder { listen } => responder::serve(&listen).await.map_err(|e| e.to_string()),
            Cmd::Limits => {
                let v = tokio::task::spawn_blocking(limits::measure)
                    .await
                    .map_err(|e| e.to_string())?
                    .map_err(|e| e.to_string())?;
                println!("{v}");
                Ok(())
            }
            Cmd::Ready {
                endpoint,
                timeout_ms,
            } => ready(&endpoint, timeout_ms).await,
        }
    });
    match res {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cosd-bench: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn parse_endpoint(endpoint: &str) -> Result<(std::net::SocketAddr, String), String> {
    let host = endpoint
        .strip_prefix("http://")
        .ok_or("the endpoint must be http://host:port")?
        .trim_end_matches('/');
    let addr = std::net::ToSocketAddrs::to_socket_addrs(host)
        .map_err(|e| format!("{host}: {e}"))?
        .next()
        .ok_or_else(|| format!("{host}: no address"))?;
    Ok((addr, host.to_string()))
}

async fn run(a: RunArgs) -> Result<(), String> {
    let (addr, host) = parse_endpoint(&a.endpoint)?;
    let bench = Arc::new(workload::Bench {
        target: Arc::new(http::Target {
            addr,
            host,
            access_key: a.access_key,
            secret_key: a.secret_key,
            region: a.region,
            key_cache: Default::default(),
        }),
        bucket: a.bucket,
        payloads: payload::Payloads::new(),
        opts: workload::Opts {
            workload: a.workload,
            concurrency: a.concurrency,
            size: a.size,
            duration: a.duration,
            count: a.count,
            keys: a.keys,
            part_size: a.part_size.max(1),
            prefix: a.prefix,
            server_pid: a.server_pid,
            label: a.label,
            threads: a.threads.max(1),
        },
    });
    let v = bench.run().await?;
    println!("{v}");
    Ok(())
}

async fn ready(endpoint: &str, timeout_ms: u64) -> Result<(), String> {
    let t0 = Instant::now();
    let (addr, host) = parse_endpoint(endpoint)?;
    let target = Arc::new(http::Target {
        addr,
        host,
        access_key: "x".into(),
        secret_key: "x".into(),
        region: "us-east-1".into(),
        key_cache: Default::default(),
    });
    loop {
        let mut c = http::Conn::new(Arc::clone(&target));
        if c.send("GET", "/_cosd/health", &[], http::empty(), 0, false)
            .await
            .is_ok()
        {
            println!(
                "{}",
                serde_json::json!({"ms": t0.elapsed().as_secs_f64() * 1000.0})
            );
            return Ok(());
        }
        if t0.elapsed() > Duration::from_millis(timeout_ms) {
            return Err(format!("{endpoint} did not answer within {timeout_ms} ms"));
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}
