//! `cosd admin sts issue`: asks the server's STS endpoint for a temporary key the way
//! qcloud-python-sts does (a form POST signed with the v1 HmacSHA1 signature) and prints it.

use clap::Args;
use cosd::auth::sts::{sign_v1, v1_string_to_sign, V1Method};
use serde_json::Value;

#[derive(Args)]
pub struct IssueArgs {
    /// A file holding the CAM policy JSON the key is limited to (`-` reads stdin).
    #[arg(long)]
    policy: std::path::PathBuf,
    /// Lifetime in seconds (at most 7200 for a root account's key, 129600 for a sub-account's).
    #[arg(long, default_value_t = 1800)]
    duration: u64,
    /// The federated name recorded with the key.
    #[arg(long, default_value = "cosd-admin")]
    name: String,
    /// Issue to this key instead of the root key (with --secret-key).
    #[arg(long, requires = "secret_key")]
    secret_id: Option<String>,
    #[arg(long, requires = "secret_id", hide_env_values = true)]
    secret_key: Option<String>,
    /// Print shell `export` lines (COS_TMP_SECRET_ID, COS_TMP_SECRET_KEY, COS_TMP_TOKEN,
    /// COS_TMP_EXPIRED_TIME) instead of JSON.
    #[arg(long)]
    env: bool,
}

fn read_policy(path: &std::path::Path) -> Result<String, String> {
    let text = if path.as_os_str() == "-" {
        std::io::read_to_string(std::io::stdin()).map_err(|e| format!("reading stdin: {e}"))?
    } else {
        std::fs::read_to_string(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?
    };
    // Compact it: the server receives it as one form value.
    let v: Value =
        serde_json::from_str(&text).map_err(|e| format!("the policy is not JSON: {e}"))?;
    Ok(v.to_string())
}

/// Issues the key; Ok(text to print) or Err((exit code, message)).
pub async fn issue(
    endpoint: &str,
    root: (&str, &str),
    a: &IssueArgs,
) -> Result<String, (u8, String)> {
    let policy = read_policy(&a.policy).map_err(|e| (2, e))?;
    let (sid, skey) = match (&a.secret_id, &a.secret_key) {
        (Some(i), Some(k)) => (i.as_str(), k.as_str()),
        _ => root,
    };
    let url: reqwest::Url = format!("{}/", endpoint.trim_end_matches('/'))
        .parse()
        .map_err(|e| (2, format!("bad endpoint {endpoint:?}: {e}")))?;
    let host = match (url.host_str(), url.port()) {
        (Some(h), Some(p)) => format!("{h}:{p}"),
        (Some(h), None) => h.to_string(),
        _ => return Err((2, format!("bad endpoint {endpoint:?}"))),
    };
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let encoded_policy =
        percent_encoding::utf8_percent_encode(&policy, percent_encoding::NON_ALPHANUMERIC)
            .to_string();
    let mut params: Vec<(String, String)> = [
        ("Action", "GetFederationToken".to_string()),
        ("Version", "2018-08-13".to_string()),
        ("SecretId", sid.to_string()),
        ("Timestamp", now.to_string()),
        (
            "Nonce",
            (rand::random::<u32>() % 100_000 + 100_000).to_string(),
        ),
        ("Name", a.name.clone()),
        ("Policy", encoded_policy),
        ("DurationSeconds", a.duration.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let sig = sign_v1(
        V1Method::HmacSha1,
        skey,
        &v1_string_to_sign("POST", &host, &params),
    );
    params.push(("Signature".into(), sig));
    let body: String = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(params.iter())
        .finish();
    let resp = reqwest::Client::new()
        .post(url.clone())
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body(body)
        .send()
        .await
        .map_err(|e| (2, format!("cannot reach {url}: {e}")))?;
    let text = resp.text().await.map_err(|e| (2, e.to_string()))?;
    let v: Value = serde_json::from_str(&text)
        .map_err(|_| (1, format!("the server did not answer JSON: {text}")))?;
    let r = &v["Response"];
    if r.get("Error").is_some() {
        return Err((1, serde_json::to_string_pretty(r).unwrap_or(text)));
    }
    if a.env {
        let c = &r["Credentials"];
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        return Ok(format!(
            "export COS_TMP_SECRET_ID='{}'\nexport COS_TMP_SECRET_KEY='{}'\nexport COS_TMP_TOKEN='{}'\nexport COS_TMP_EXPIRED_TIME={}",
            s(&c["TmpSecretId"]),
            s(&c["TmpSecretKey"]),
            s(&c["Token"]),
            r["ExpiredTime"]
        ));
    }
    Ok(serde_json::to_string_pretty(r).unwrap_or(text))
}
