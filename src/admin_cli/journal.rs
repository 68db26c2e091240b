//! `cosd admin journal [--follow]`: the request journal of a running server (started with
//! `--dev` or `journal_entries`), one line per request, or JSON lines with `--json`.

use clap::Args;
use serde_json::Value;

#[derive(Args)]
pub struct JournalArgs {
    /// Keep printing requests as they arrive (Ctrl-C stops).
    #[arg(long)]
    follow: bool,
    /// Print each entry as one JSON line (every field, headers included).
    #[arg(long)]
    json: bool,
    /// How many of the newest entries to print first.
    #[arg(long, default_value_t = 20)]
    limit: usize,
    #[arg(long)]
    bucket: Option<String>,
    #[arg(long)]
    op: Option<String>,
    /// A status (403) or a class (4xx).
    #[arg(long)]
    status: Option<String>,
    /// An error code (NoSuchKey, AccessDenied...).
    #[arg(long)]
    code: Option<String>,
    #[arg(long)]
    principal: Option<String>,
    #[arg(long)]
    method: Option<String>,
}

impl JournalArgs {
    pub fn follow(&self) -> bool {
        self.follow
    }

    /// The `journal?...` path for entries after `since` (None: the newest `limit`).
    pub fn path(&self, since: Option<u64>) -> String {
        let mut url = reqwest::Url::parse("http://cosd/").expect("a valid URL");
        let mut q = url.query_pairs_mut();
        let pairs = [
            ("bucket", &self.bucket),
            ("op", &self.op),
            ("status", &self.status),
            ("code", &self.code),
            ("principal", &self.principal),
            ("method", &self.method),
        ];
        for (k, v) in pairs {
            if let Some(v) = v {
                q.append_pair(k, v);
            }
        }
        match since {
            Some(s) => {
                q.append_pair("since", &s.to_string());
                q.append_pair("limit", "1000");
                q.append_pair("wait", "25");
            }
            None => {
                q.append_pair("limit", &self.limit.to_string());
            }
        }
        drop(q);
        format!("journal?{}", url.query().unwrap_or(""))
    }

    /// Prints a page's entries; the `last_seq` to follow from.
    pub fn print(&self, page: &Value) -> u64 {
        for e in page["entries"].as_array().into_iter().flatten() {
            if self.json {
                println!("{e}");
            } else {
                println!("{}", line(e));
            }
        }
        page["last_seq"].as_u64().unwrap_or(0)
    }
}

/// One entry as a line: time, status, method, URL, then what the server made of it.
fn line(e: &Value) -> String {
    let s = |k: &str| e[k].as_str().unwrap_or("");
    let n = |k: &str| e[k].as_u64().unwrap_or(0);
    let query = match s("query") {
        "" => String::new(),
        q => format!("?{q}"),
    };
    let mut out = format!(
        "{} {} {} {}{}{} op={} scheme={} principal={} in={} out={} {:.1}ms",
        s("time"),
        n("status"),
        s("method"),
        s("host"),
        s("path"),
        query,
        s("op"),
        s("scheme"),
        s("principal"),
        n("bytes_in"),
        n("bytes_out"),
        n("latency_us") as f64 / 1000.0,
    );
    if let Some(c) = e["error_code"].as_str() {
        out.push_str(&format!(" code={c}"));
    }
    if let Some(f) = e["fault"].as_u64() {
        out.push_str(&format!(" fault={f}"));
    }
    for d in e["decisions"].as_array().into_iter().flatten() {
        out.push_str(&format!(
            " [{} {}: {}]",
            d["action"].as_str().unwrap_or(""),
            if d["allowed"].as_bool() == Some(true) {
                "allowed"
            } else {
                "denied"
            },
            d["reason"].as_str().unwrap_or("")
        ));
    }
    out
}
