//! `cosd admin ...`: a client of the admin API (docs/access-control.md) for scripts and CI.
//! The endpoint comes from `--endpoint` / `COSD_ENDPOINT`, the root keys from
//! `COSD_ROOT_SECRET_ID` / `COSD_ROOT_SECRET_KEY`; requests are q-signed with them.

mod fault;
mod journal;
mod reset;
mod sts;

use clap::{Args, Subcommand};
use serde_json::{json, Value};
use std::process::ExitCode;

#[derive(Args)]
pub struct AdminArgs {
    /// The server (default http://127.0.0.1:9000).
    #[arg(long, env = "COSD_ENDPOINT", default_value = "http://127.0.0.1:9000")]
    endpoint: String,
    /// The root account's SecretId.
    #[arg(long, env = "COSD_ROOT_SECRET_ID", hide_env_values = true)]
    root_secret_id: String,
    /// The root account's SecretKey.
    #[arg(long, env = "COSD_ROOT_SECRET_KEY", hide_env_values = true)]
    root_secret_key: String,
    #[command(subcommand)]
    command: AdminCommand,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Sub-accounts.
    #[command(subcommand)]
    User(UserCmd),
    /// Access keys.
    #[command(subcommand)]
    Key(KeyCmd),
    /// Policies attached to a sub-account.
    #[command(subcommand)]
    Policy(PolicyCmd),
    /// User groups.
    #[command(subcommand)]
    Group(GroupCmd),
    /// Ask the policy simulator whether a request would be allowed.
    Simulate(SimulateArgs),
    /// Temporary keys from the STS endpoint.
    #[command(subcommand)]
    Sts(StsCmd),
    /// The request journal (a server started with --dev or journal_entries).
    Journal(journal::JournalArgs),
    /// Injected faults: make matching requests fail, wait, or lose their connection.
    #[command(subcommand)]
    Fault(fault::FaultCmd),
    /// Remove every bucket, then restore the declared ones (main root account only).
    Reset(reset::ResetArgs),
}

#[derive(Subcommand)]
enum StsCmd {
    /// Print a temporary key limited to a policy (GetFederationToken).
    Issue(sts::IssueArgs),
}

#[derive(Subcommand)]
enum UserCmd {
    /// Add a sub-account of the root account (with a first key when both are given).
    Add {
        #[arg(long)]
        uin: String,
        #[arg(long, requires = "secret_key")]
        secret_id: Option<String>,
        #[arg(long, requires = "secret_id")]
        secret_key: Option<String>,
        #[arg(long = "group")]
        groups: Vec<String>,
    },
    List,
    Show {
        uin: String,
    },
    Delete {
        uin: String,
    },
}

#[derive(Subcommand)]
enum KeyCmd {
    /// Add a key to a sub-account (generated unless both parts are given).
    Add {
        #[arg(long)]
        uin: String,
        #[arg(long, requires = "secret_key")]
        secret_id: Option<String>,
        #[arg(long, requires = "secret_id")]
        secret_key: Option<String>,
    },
    Enable {
        secret_id: String,
    },
    Disable {
        secret_id: String,
    },
    Delete {
        secret_id: String,
    },
}

#[derive(Args)]
struct Document {
    /// A file holding the CAM policy JSON.
    #[arg(long, conflicts_with = "document")]
    file: Option<std::path::PathBuf>,
    /// The CAM policy JSON itself.
    #[arg(long)]
    document: Option<String>,
}

#[derive(Subcommand)]
enum PolicyCmd {
    Put {
        #[arg(long)]
        uin: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        doc: Document,
    },
    Get {
        #[arg(long)]
        uin: String,
        #[arg(long)]
        name: String,
    },
    Delete {
        #[arg(long)]
        uin: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Subcommand)]
enum GroupCmd {
    Add {
        name: String,
    },
    Show {
        name: String,
    },
    Delete {
        name: String,
    },
    AddUser {
        name: String,
        uin: String,
    },
    RemoveUser {
        name: String,
        uin: String,
    },
    PolicyPut {
        group: String,
        #[arg(long)]
        name: String,
        #[command(flatten)]
        doc: Document,
    },
    PolicyDelete {
        group: String,
        #[arg(long)]
        name: String,
    },
}

#[derive(Args)]
struct SimulateArgs {
    #[arg(long, conflicts_with = "principal")]
    uin: Option<String>,
    #[arg(long)]
    principal: Option<String>,
    #[arg(long)]
    action: String,
    #[arg(long)]
    resource: String,
    /// `key=value`; repeat a key for several values.
    #[arg(long = "condition")]
    conditions: Vec<String>,
}

fn read_doc(doc: &Document) -> Result<String, String> {
    match (&doc.file, &doc.document) {
        (Some(f), None) => {
            std::fs::read_to_string(f).map_err(|e| format!("cannot read {}: {e}", f.display()))
        }
        (None, Some(d)) => Ok(d.clone()),
        _ => Err("give the policy with --file or --document".into()),
    }
}

/// (method, path under /_cosd/admin/, body)
fn request(cmd: &AdminCommand) -> Result<(&'static str, String, Option<String>), String> {
    let j = |v: Value| Some(v.to_string());
    Ok(match cmd {
        AdminCommand::User(u) => match u {
            UserCmd::Add {
                uin,
                secret_id,
                secret_key,
                groups,
            } => {
                let mut body = json!({"uin": uin, "groups": groups});
                if let (Some(i), Some(k)) = (secret_id, secret_key) {
                    body["secret_id"] = json!(i);
                    body["secret_key"] = json!(k);
                }
                ("POST", "users".into(), j(body))
            }
            UserCmd::List => ("GET", "users".into(), None),
            UserCmd::Show { uin } => ("GET", format!("users/{uin}"), None),
            UserCmd::Delete { uin } => ("DELETE", format!("users/{uin}"), None),
        },
        AdminCommand::Key(k) => match k {
            KeyCmd::Add {
                uin,
                secret_id,
                secret_key,
            } => (
                "POST",
                format!("users/{uin}/keys"),
                j(json!({"secret_id": secret_id, "secret_key": secret_key})),
            ),
            KeyCmd::Enable { secret_id } => (
                "PUT",
                format!("keys/{secret_id}"),
                j(json!({"enabled": true})),
            ),
            KeyCmd::Disable { secret_id } => (
                "PUT",
                format!("keys/{secret_id}"),
                j(json!({"enabled": false})),
            ),
            KeyCmd::Delete { secret_id } => ("DELETE", format!("keys/{secret_id}"), None),
        },
        AdminCommand::Policy(p) => match p {
            PolicyCmd::Put { uin, name, doc } => (
                "PUT",
                format!("users/{uin}/policies/{name}"),
                Some(read_doc(doc)?),
            ),
            PolicyCmd::Get { uin, name } => ("GET", format!("users/{uin}/policies/{name}"), None),
            PolicyCmd::Delete { uin, name } => {
                ("DELETE", format!("users/{uin}/policies/{name}"), None)
            }
        },
        AdminCommand::Group(g) => match g {
            GroupCmd::Add { name } => ("POST", "groups".into(), j(json!({"name": name}))),
            GroupCmd::Show { name } => ("GET", format!("groups/{name}"), None),
            GroupCmd::Delete { name } => ("DELETE", format!("groups/{name}"), None),
            GroupCmd::AddUser { name, uin } => {
                ("PUT", format!("groups/{name}/members/{uin}"), None)
            }
            GroupCmd::RemoveUser { name, uin } => {
                ("DELETE", format!("groups/{name}/members/{uin}"), None)
            }
            GroupCmd::PolicyPut { group, name, doc } => (
                "PUT",
                format!("groups/{group}/policies/{name}"),
                Some(read_doc(doc)?),
            ),
            GroupCmd::PolicyDelete { group, name } => {
                ("DELETE", format!("groups/{group}/policies/{name}"), None)
            }
        },
        AdminCommand::Simulate(s) => {
            let mut conditions = serde_json::Map::new();
            for c in &s.conditions {
                let (k, v) = c
                    .split_once('=')
                    .ok_or_else(|| format!("--condition {c:?} is not key=value"))?;
                let entry = conditions.entry(k.to_string()).or_insert_with(|| json!([]));
                if let Some(list) = entry.as_array_mut() {
                    list.push(json!(v));
                }
            }
            let mut body = json!({
                "action": s.action,
                "resource": s.resource,
                "conditions": conditions,
            });
            if let Some(u) = &s.uin {
                body["uin"] = json!(u);
            }
            if let Some(p) = &s.principal {
                body["principal"] = json!(p);
            }
            ("POST", "simulate".into(), j(body))
        }
        AdminCommand::Fault(f) => fault::request(f),
        AdminCommand::Journal(j) => ("GET", j.path(None), None),
        AdminCommand::Reset(r) => reset::request(r),
        AdminCommand::Sts(_) => return Err("not an admin API call".into()),
    })
}

/// Runs one admin command; prints the server's answer (stdout on success, stderr on error).
pub fn run(args: AdminArgs) -> ExitCode {
    if let AdminCommand::Sts(StsCmd::Issue(a)) = &args.command {
        return run_issue(&args, a);
    }
    let (method, path, body) = match request(&args.command) {
        Ok(r) => r,
        Err(e) => {
            eprintln!("cosd admin: {e}");
            return ExitCode::from(2);
        }
    };
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cosd admin: {e}");
            return ExitCode::from(2);
        }
    };
    if let AdminCommand::Journal(j) = &args.command {
        return rt.block_on(run_journal(&args, j));
    }
    match rt.block_on(send(&args, method, &path, body)) {
        Ok((status, text)) => {
            let shown = serde_json::from_str::<Value>(&text)
                .ok()
                .and_then(|v| serde_json::to_string_pretty(&v).ok())
                .unwrap_or(text);
            if (200..300).contains(&status) {
                if !shown.is_empty() {
                    println!("{shown}");
                }
                ExitCode::SUCCESS
            } else {
                eprintln!("cosd admin: the server answered {status}");
                eprintln!("{shown}");
                ExitCode::from(1)
            }
        }
        Err(e) => {
            eprintln!("cosd admin: {e}");
            ExitCode::from(2)
        }
    }
}

/// Prints the journal's newest entries, then, with `--follow`, the new ones as they come.
async fn run_journal(args: &AdminArgs, j: &journal::JournalArgs) -> ExitCode {
    let mut since = None;
    loop {
        let page = match send(args, "GET", &j.path(since), None).await {
            Ok((200, text)) => match serde_json::from_str::<Value>(&text) {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("cosd admin journal: the answer is not JSON: {e}");
                    return ExitCode::from(1);
                }
            },
            Ok((status, text)) => {
                eprintln!("cosd admin journal: the server answered {status}\n{text}");
                return ExitCode::from(1);
            }
            Err(e) => {
                eprintln!("cosd admin journal: {e}");
                return ExitCode::from(2);
            }
        };
        let last = j.print(&page);
        if !j.follow() {
            return ExitCode::SUCCESS;
        }
        since = Some(last);
    }
}

fn run_issue(args: &AdminArgs, a: &sts::IssueArgs) -> ExitCode {
    let rt = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("cosd admin: {e}");
            return ExitCode::from(2);
        }
    };
    let root = (args.root_secret_id.as_str(), args.root_secret_key.as_str());
    match rt.block_on(sts::issue(&args.endpoint, root, a)) {
        Ok(text) => {
            println!("{text}");
            ExitCode::SUCCESS
        }
        Err((code, msg)) => {
            eprintln!("cosd admin sts issue: {msg}");
            ExitCode::from(code)
        }
    }
}

async fn send(
    args: &AdminArgs,
    method: &str,
    path: &str,
    body: Option<String>,
) -> Result<(u16, String), String> {
    let base = args.endpoint.trim_end_matches('/');
    let url: reqwest::Url = format!("{base}/_cosd/admin/{path}")
        .parse()
        .map_err(|e| format!("bad endpoint {:?}: {e}", args.endpoint))?;
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => return Err(format!("bad endpoint {:?}", args.endpoint)),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0);
    let auth = cosd::auth::qsign::authorization(
        (&args.root_secret_id, &args.root_secret_key),
        method,
        url.path(),
        &[],
        &[("host".to_string(), host.clone())],
        (now - 60, now + 600),
    );
    let m = reqwest::Method::from_bytes(method.as_bytes()).map_err(|e| e.to_string())?;
    let mut req = reqwest::Client::new()
        .request(m, url.clone())
        .header("Host", host)
        .header("Authorization", auth);
    if let Some(b) = body {
        req = req.header("Content-Type", "application/json").body(b);
    }
    let resp = req
        .send()
        .await
        .map_err(|e| format!("cannot reach {url}: {e}"))?;
    let status = resp.status().as_u16();
    let text = resp.text().await.map_err(|e| e.to_string())?;
    Ok((status, text))
}
