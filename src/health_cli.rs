//! `cosd health`: asks a running server for `GET /_cosd/health` and exits 0 on `200 OK`.
//! The container image's health check runs it (the image has no shell and no curl). Without
//! `--endpoint` it follows `COSD_LISTEN`, the address the server in the same environment
//! listens on, with an unspecified address (`0.0.0.0`, `[::]`) replaced by loopback.

use clap::Args;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

/// The compiled-in `listen` default (config/default.toml).
const DEFAULT_LISTEN: &str = "127.0.0.1:9000";

#[derive(Args)]
pub struct HealthArgs {
    /// The server's base URL (http only); default: http://<COSD_LISTEN>, else
    /// http://127.0.0.1:9000.
    #[arg(long)]
    endpoint: Option<String>,
    /// Seconds to wait for the whole answer.
    #[arg(long, default_value_t = 3)]
    timeout: u64,
}

/// The base URL to ask: the explicit endpoint, else one built from a listen address
/// (`host:port`), with an unspecified IP replaced by the loopback address of its family.
fn endpoint(explicit: Option<&str>, listen: Option<&str>) -> String {
    if let Some(e) = explicit {
        return e.trim_end_matches('/').to_string();
    }
    let listen = listen.filter(|l| !l.is_empty()).unwrap_or(DEFAULT_LISTEN);
    match listen.parse::<SocketAddr>() {
        Ok(mut addr) => {
            if addr.ip().is_unspecified() {
                addr.set_ip(match addr.ip() {
                    IpAddr::V4(_) => IpAddr::V4(Ipv4Addr::LOCALHOST),
                    IpAddr::V6(_) => IpAddr::V6(Ipv6Addr::LOCALHOST),
                });
            }
            format!("http://{addr}")
        }
        // A host name (`localhost:9000`): used as written.
        Err(_) => format!("http://{listen}"),
    }
}

/// Runs the check; prints one line saying why when it fails (exit 1).
pub fn run(args: HealthArgs) -> ExitCode {
    let listen = std::env::var("COSD_LISTEN").ok();
    let base = endpoint(args.endpoint.as_deref(), listen.as_deref());
    let url = format!("{base}/_cosd/health");
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cosd health: {e}");
            return ExitCode::from(1);
        }
    };
    match rt.block_on(ask(&url, Duration::from_secs(args.timeout))) {
        Ok(200) => ExitCode::SUCCESS,
        Ok(status) => {
            eprintln!("cosd health: {url} answered {status}");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("cosd health: {e}");
            ExitCode::from(1)
        }
    }
}

async fn ask(url: &str, timeout: Duration) -> Result<u16, String> {
    // No proxy: the server is local, and a CI job's HTTP_PROXY must not answer for it.
    let client = reqwest::Client::builder()
        .no_proxy()
        .timeout(timeout)
        .build()
        .map_err(|e| e.to_string())?;
    let resp = client
        .get(url)
        .send()
        .await
        .map_err(|e| format!("cannot reach {url}: {e}"))?;
    Ok(resp.status().as_u16())
}

#[cfg(test)]
mod tests {
    use super::endpoint;

    #[test]
    fn endpoint_follows_the_listen_address() {
        let cases: &[(Option<&str>, Option<&str>, &str)] = &[
            (None, None, "http://127.0.0.1:9000"),
            (None, Some(""), "http://127.0.0.1:9000"),
            (None, Some("0.0.0.0:9000"), "http://127.0.0.1:9000"),
            (None, Some("[::]:9100"), "http://[::1]:9100"),
            (None, Some("10.1.2.3:80"), "http://10.1.2.3:80"),
            (None, Some("localhost:9000"), "http://localhost:9000"),
            (
                Some("http://cosd:9000/"),
                Some("0.0.0.0:1"),
                "http://cosd:9000",
            ),
        ];
        for (explicit, listen, want) in cases {
            assert_eq!(
                endpoint(*explicit, *listen),
                *want,
                "{explicit:?} {listen:?}"
            );
        }
    }
}
