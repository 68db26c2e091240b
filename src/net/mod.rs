//! Transport only: the listener and accept loop, TLS, connection limits and timeouts, and
//! response header casing. Nothing here knows the API; the server runs any `axum::Router`.

pub mod dns;
pub mod header_case;
pub mod server;
pub mod tls;
pub mod transport;
