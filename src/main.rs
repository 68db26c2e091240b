//! The `cosd` binary: `serve`, `fsck`, `admin` and `health`.

mod admin_cli;
mod health_cli;

use clap::{Args, Parser, Subcommand};
use cosd::clock::{Clock, SystemClock};
use cosd::config::{Config, Overrides};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

/// mimalloc instead of glibc malloc: a 4 KiB GET spent ~8% of its server CPU in glibc's
/// malloc/free and lock waits; with mimalloc it takes ~6% less CPU per request (cosd-bench,
/// docs/performance.md). Built without transparent huge pages, which cost 8 MiB of idle RSS.
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(
    name = "cosd",
    version,
    about = "A self-hosted object storage server that speaks the Tencent Cloud COS protocols"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args, Clone)]
struct Common {
    /// A TOML config file (see config/default.toml for every key).
    #[arg(long)]
    config: Option<PathBuf>,
    /// Data directory (overrides COSD_DATA_DIR and the file).
    #[arg(long)]
    data_dir: Option<PathBuf>,
}

#[derive(Subcommand)]
enum Command {
    /// Start the server.
    Serve {
        #[command(flatten)]
        common: Common,
        /// Listen address (overrides COSD_LISTEN and the file).
        #[arg(long)]
        listen: Option<String>,
        /// HTTPS listen address, empty for none (overrides COSD_TLS_LISTEN and the file).
        #[arg(long)]
        tls_listen: Option<String>,
        /// Developer mode: keep a journal of the last 1000 requests (GET /_cosd/admin/journal,
        /// `cosd admin journal --follow`) unless journal_entries sets a size.
        #[arg(long)]
        dev: bool,
    },
    /// Check the data directory for dangling chunk references (run with the server stopped).
    Fsck {
        #[command(flatten)]
        common: Common,
        /// Delete orphaned chunk files and rewrite reference counts.
        #[arg(long)]
        repair: bool,
    },
    /// Manage sub-accounts, keys, groups and policies of a running server (as its root account).
    Admin(admin_cli::AdminArgs),
    /// Exit 0 when a running server answers GET /_cosd/health with 200 (the image's health check).
    Health(health_cli::HealthArgs),
}

fn load(
    common: &Common,
    listen: Option<String>,
    tls_listen: Option<String>,
    dev: bool,
) -> Result<Config, String> {
    let flags = Overrides {
        listen,
        tls_listen,
        data_dir: common.data_dir.clone(),
        dev,
    };
    Config::load(common.config.as_deref(), &|k| std::env::var(k).ok(), &flags)
        .map_err(|e| e.to_string())
}

/// Logs go to stderr, one line per event (`cosd::log_line`), through a background writer
/// thread that writes them in batches (`cosd::log_writer`), so a request never waits on the
/// terminal or pipe. The guard flushes
/// what is buffered when `serve` returns; lines still buffered when the process is killed are
/// lost (they are logs, never acknowledged data). When the buffer is full, writers wait rather
/// than drop lines.
fn init_tracing(cfg: &Config) -> Option<cosd::log_writer::FlushGuard> {
    use cosd::log_line::LineLayer;
    use std::io::IsTerminal;
    use tracing_subscriber::layer::SubscriberExt;
    use tracing_subscriber::util::SubscriberInitExt;
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .or_else(|_| tracing_subscriber::EnvFilter::try_new(&cfg.log))
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    let ansi = std::io::stderr().is_terminal();
    let json = cfg.log_format == "json";
    let registry = tracing_subscriber::registry().with(filter);
    match cosd::log_writer::batched(std::io::stderr()) {
        Ok((writer, guard)) => {
            registry
                .with(LineLayer::new(writer, ansi).json(json))
                .init();
            Some(guard)
        }
        Err(e) => {
            eprintln!("cosd: no log writer thread ({e}); logging synchronously");
            let layer = LineLayer::new(std::io::stderr, ansi).json(json);
            registry.with(layer).init();
            None
        }
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command {
        Command::Serve {
            common,
            listen,
            tls_listen,
            dev,
        } => match load(&common, listen, tls_listen, dev) {
            Ok(cfg) => serve(cfg),
            Err(e) => {
                eprintln!("cosd: {e}");
                ExitCode::from(2)
            }
        },
        Command::Admin(args) => admin_cli::run(args),
        Command::Health(args) => health_cli::run(args),
        Command::Fsck { common, repair } => match load(&common, None, None, false) {
            Ok(cfg) => fsck(cfg, repair),
            Err(e) => {
                eprintln!("cosd: {e}");
                ExitCode::from(2)
            }
        },
    }
}

fn fsck(cfg: Config, repair: bool) -> ExitCode {
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let store = match cosd::open_store(&cfg, clock) {
        Ok((_, s)) => s,
        Err(e) => {
            eprintln!("cosd fsck: {e}");
            return ExitCode::from(2);
        }
    };
    match store.fsck(repair) {
        Ok(report) => {
            println!("{report}");
            if report.is_clean() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("cosd fsck: {e}");
            ExitCode::from(2)
        }
    }
}

fn serve(cfg: Config) -> ExitCode {
    let _log = init_tracing(&cfg);
    // Before the state is built: the automatic connection cap follows this limit.
    let open_files = cosd::net::transport::raise_descriptor_limit();
    let rt = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cosd: cannot start the runtime: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(run(cfg, open_files)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("cosd: {e}");
            ExitCode::from(1)
        }
    }
}

/// Registers SIGTERM and SIGINT handlers now (before the banner announces the server), and
/// returns a future that resolves on either.
fn shutdown_signal() -> Result<impl std::future::Future<Output = ()>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let mut term =
        signal(SignalKind::terminate()).map_err(|e| format!("cannot handle SIGTERM: {e}"))?;
    let mut int =
        signal(SignalKind::interrupt()).map_err(|e| format!("cannot handle SIGINT: {e}"))?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

/// The banner's HTTPS lines: the URL, and the CA clients trust (or the configured certificate).
fn tls_banner(at: std::net::SocketAddr, files: &cosd::net::tls::CertFiles) -> String {
    let second = match &files.ca {
        Some(ca) => format!(
            "trust CA:   {}{}",
            std::fs::canonicalize(ca)
                .unwrap_or_else(|_| ca.clone())
                .display(),
            if files.generated {
                "   (generated now; kept in the data directory)"
            } else {
                ""
            }
        ),
        None => format!("TLS cert:   {}", files.cert.display()),
    };
    format!("  https:      https://{at}\n  {second}\n")
}

async fn run(cfg: Config, open_files: Option<u64>) -> Result<(), String> {
    let listener = tokio::net::TcpListener::bind(&cfg.listen)
        .await
        .map_err(|e| format!("cannot listen on {}: {e}", cfg.listen))?;
    let addr = listener.local_addr().map_err(|e| e.to_string())?;
    let tls_listener = match cfg.tls_listen.as_str() {
        "" => None,
        at => Some(
            tokio::net::TcpListener::bind(at)
                .await
                .map_err(|e| format!("cannot listen on {at} (tls_listen): {e}"))?,
        ),
    };
    let dns = match cfg.dns_listen.as_str() {
        "" => None,
        at => {
            let zone = cosd::net::dns::Zone::from_config(&cfg, addr)?;
            let socket = tokio::net::UdpSocket::bind(at)
                .await
                .map_err(|e| format!("cannot listen on {at} (dns_listen): {e}"))?;
            let bound = socket.local_addr().map_err(|e| e.to_string())?;
            Some((socket, zone, bound))
        }
    };
    let grace = std::time::Duration::from_secs(cfg.shutdown_grace_secs);
    let clock: Arc<dyn Clock> = Arc::new(SystemClock);
    let (state, root) = cosd::build_state(cfg, clock)
        .await
        .map_err(|e| e.to_string())?;
    let limits = state.transport.limits();
    tracing::info!(
        open_files = open_files.unwrap_or(0),
        max_connections = limits.max_connections,
        header_read_timeout_secs = limits.header_read.as_secs(),
        idle_timeout_secs = limits.idle.as_secs(),
        body_timeout_secs = limits.body.as_secs(),
        "connection limits"
    );
    let https = match tls_listener {
        Some(l) => {
            let (acceptor, files) =
                cosd::net::tls::setup(&state.config).map_err(|e| format!("HTTPS: {e}"))?;
            let at = l.local_addr().map_err(|e| e.to_string())?;
            Some((l, acceptor, files, at))
        }
        None => None,
    };
    let case = cosd::net::header_case::capture().await;
    let shutdown = shutdown_signal()?;
    let mut tls_lines = https
        .as_ref()
        .map(|(_, _, files, at)| tls_banner(*at, files))
        .unwrap_or_default();
    if let Some((_, zone, at)) = &dns {
        tls_lines.push_str(&format!(
            "  dns:        udp {at} answers *.{{{}}} with {}\n",
            zone.domains.join(","),
            zone.address
        ));
    }
    let banner = format!(
        "cosd {} is serving the COS XML API\n  endpoint:   http://{addr}\n{tls_lines}  region:     {}\n  data dir:   {}\n  root uin:   {}   appid: {}\n  SecretId:   {}\n  SecretKey:  {}{}\n  buckets:    <name>-{}, path-style http://{addr}/<bucket>/<key> or Host: <bucket>.cos.{}.myqcloud.com\n",
        env!("CARGO_PKG_VERSION"),
        state.config.region,
        state.config.data_dir.display(),
        state.config.root_uin,
        state.config.appid,
        root.secret_id,
        root.secret_key.0,
        if root.generated { "   (generated now; kept in the data directory)" } else { "" },
        state.config.appid,
        state.config.region,
    );
    // One write, errors ignored: a closed stdout must not take the server down.
    {
        use std::io::Write;
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(banner.as_bytes()).and_then(|_| out.flush());
    }
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let lifecycle = cosd::spawn_lifecycle(&state, stop_rx.clone());
    let access_logs = cosd::api::observe::access_log::spawn(&state, stop_rx.clone());
    let notify = cosd::spawn_notify(&state, &stop_rx);
    let storage_figures = cosd::metrics::storage::spawn(&state, stop_rx.clone());
    let gc = cosd::spawn_gc(&state, stop_rx);
    let router = cosd::app(Arc::clone(&state));
    // One signal stops both listeners.
    let stop = tokio_util::sync::CancellationToken::new();
    let transport = state.transport.clone();
    let plain = cosd::net::server::serve(
        listener,
        router.clone(),
        case.clone(),
        transport.clone(),
        stop.clone().cancelled_owned(),
        grace,
    );
    let secure = async {
        if let Some((l, acceptor, _, _)) = https {
            let stopped = stop.clone().cancelled_owned();
            cosd::net::server::serve_tls(l, acceptor, router, case, transport, stopped, grace)
                .await;
        }
    };
    let responder = async {
        if let Some((socket, zone, _)) = dns {
            cosd::net::dns::serve(socket, zone, stop.clone()).await;
        }
    };
    let signal = async {
        shutdown.await;
        stop.cancel();
    };
    tokio::join!(plain, secure, responder, signal);
    tracing::info!("shutting down");
    let _ = stop_tx.send(true);
    let _ = gc.await;
    let _ = lifecycle.await;
    let _ = access_logs.await;
    for t in notify {
        let _ = t.await;
    }
    if let Some(t) = storage_figures {
        let _ = t.await;
    }
    if let Err(e) = state.store.close() {
        tracing::warn!(error = %e, "closing the metadata store failed; the next start replays its log");
    }
    drop(state);
    Ok(())
}
