//! `cosd admin reset [--empty]`: asks the server to remove every bucket and, unless `--empty`,
//! to apply the declared `[[buckets]]` again (`POST /_cosd/admin/reset`, docs/declarative.md).
//! Needs the main root account's keys.

use clap::Args;
use serde_json::json;

#[derive(Args)]
pub struct ResetArgs {
    /// Leave no bucket at all instead of restoring the declared ones.
    #[arg(long)]
    empty: bool,
}

/// (method, path under /_cosd/admin/, body)
pub fn request(a: &ResetArgs) -> (&'static str, String, Option<String>) {
    let to = if a.empty { "empty" } else { "declared" };
    (
        "POST",
        "reset".into(),
        Some(json!({ "to": to }).to_string()),
    )
}
