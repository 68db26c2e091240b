//! Policy JSON ingestion with validation: element names in either case, `action`/`resource`
//! as a string or a list, `principal` at policy or statement level, conditions checked per
//! operator. Anything unknown or malformed is a `PolicyError` naming the problem.

use super::{Condition, Effect, Operator, Policy, Statement};
use serde_json::{Map, Value};

/// The CAM console's limit on policy text.
pub const DEFAULT_MAX_POLICY_LEN: usize = 4096;
/// Bucket policies may be larger than user policies (COS allows 20 KiB).
pub const BUCKET_POLICY_MAX_LEN: usize = 20 * 1024;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("MalformedPolicy: {0}")]
pub struct PolicyError(pub String);

fn err<T>(m: impl Into<String>) -> Result<T, PolicyError> {
    Err(PolicyError(m.into()))
}

/// Object members by lower-cased name; duplicates (in any case) are an error.
fn members<'a>(
    o: &'a Map<String, Value>,
    allowed: &[&str],
    what: &str,
) -> Result<Vec<(String, &'a Value)>, PolicyError> {
    let mut out: Vec<(String, &Value)> = Vec::new();
    for (k, v) in o {
        let lk = k.to_ascii_lowercase();
        if !allowed.contains(&lk.as_str()) {
            return err(format!("unknown element {k:?} in {what}"));
        }
        if out.iter().any(|(n, _)| *n == lk) {
            return err(format!("element {k:?} appears twice in {what}"));
        }
        out.push((lk, v));
    }
    Ok(out)
}

fn get<'a>(m: &[(String, &'a Value)], name: &str) -> Option<&'a Value> {
    m.iter().find(|(k, _)| k == name).map(|(_, v)| *v)
}

/// A string or a non-empty list of strings.
fn strings(v: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) if !s.is_empty() => Ok(vec![s.clone()]),
        Value::Array(a) if !a.is_empty() => a
            .iter()
            .map(|x| match x {
                Value::String(s) if !s.is_empty() => Ok(s.clone()),
                _ => err(format!("{what} entries must be non-empty strings")),
            })
            .collect(),
        _ => err(format!(
            "{what} must be a non-empty string or list of strings"
        )),
    }
}

/// Condition values: strings, numbers or booleans, alone or in a list.
pub(crate) fn scalar_list(v: &Value, what: &str) -> Result<Vec<String>, PolicyError> {
    let one = |x: &Value| match x {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        _ => err(format!(
            "{what} values must be strings, numbers or booleans"
        )),
    };
    match v {
        Value::Array(a) if !a.is_empty() => a.iter().map(one).collect(),
        Value::Array(_) => err(format!("{what} has an empty value list")),
        x => Ok(vec![one(x)?]),
    }
}

fn normalize_principal(p: &str) -> Result<String, PolicyError> {
    if p == "*" {
        return Ok("*".into());
    }
    let rest = p
        .strip_prefix("qcs::cam::")
        .or_else(|| p.strip_prefix("qcs::cam:"))
        .ok_or_else(|| PolicyError(format!("principal {p:?} must start with qcs::cam::")))?;
    Ok(format!("qcs::cam::{rest}"))
}

fn principals(v: &Value) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(vec!["*".into()]),
        Value::Object(o) => {
            let m = members(o, &["qcs"], "principal")?;
            let qcs = get(&m, "qcs").ok_or_else(|| PolicyError("principal needs qcs".into()))?;
            strings(qcs, "principal.qcs")?
                .iter()
                .map(|p| normalize_principal(p))
                .collect()
        }
        _ => err("principal must be \"*\" or {\"qcs\": [...]}"),
    }
}

fn normalize_action(a: &str) -> Result<String, PolicyError> {
    if a == "*" {
        return Ok("*".into());
    }
    if a.starts_with("name/") {
        return Ok(a.to_string());
    }
    if a.contains(':') {
        return Ok(format!("name/{a}"));
    }
    err(format!(
        "action {a:?} must be *, cos:<Action> or name/cos:<Action>"
    ))
}

/// Rewrites the legacy `prefix//<appid>/<short>/<key>` form and validates the shape.
fn normalize_resource(r: &str) -> Result<String, PolicyError> {
    if r == "*" {
        return Ok("*".into());
    }
    let Some(rest) = r.strip_prefix("qcs::cos:") else {
        // Resources of other services never match a COS request; keep them as given.
        if r.starts_with("qcs::") {
            return Ok(r.to_string());
        }
        return err(format!("resource {r:?} must be * or start with qcs::cos:"));
    };
    let (region, rest) = rest
        .split_once(':')
        .ok_or_else(|| PolicyError(format!("resource {r:?} lacks :uid/<appid>:")))?;
    let (uid, path) = rest
        .split_once(':')
        .ok_or_else(|| PolicyError(format!("resource {r:?} lacks :uid/<appid>:")))?;
    if !uid.starts_with("uid/") && uid != "*" {
        return err(format!("resource {r:?}: expected uid/<appid>"));
    }
    let region = if region.is_empty() { "*" } else { region };
    let path = match path.strip_prefix("prefix//") {
        Some(legacy) => {
            let mut it = legacy.splitn(3, '/');
            let (appid, short, key) = (
                it.next().unwrap_or_default(),
                it.next().unwrap_or_default(),
                it.next().unwrap_or(""),
            );
            if appid.is_empty() || short.is_empty() {
                return err(format!(
                    "resource {r:?}: legacy prefix form needs /<appid>/<bucket>/"
                ));
            }
            format!("{short}-{appid}/{key}")
        }
        None => path.to_string(),
    };
    Ok(format!("qcs::cos:{region}:{uid}:{path}"))
}

fn conditions(v: &Value) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(ops) = v else {
        return err("condition must be an object of operators");
    };
    let mut out = Vec::new();
    for (op_name, body) in ops {
        let (operator, qualifier, if_exist) = Operator::parse(op_name)
            .ok_or_else(|| PolicyError(format!("unknown condition operator {op_name:?}")))?;
        let Value::Object(keys) = body else {
            return err(format!(
                "condition operator {op_name:?} must map keys to values"
            ));
        };
        if keys.is_empty() {
            return err(format!("condition operator {op_name:?} names no key"));
        }
        for (key, vals) in keys {
            let values = scalar_list(vals, key)?;
            if let Some(bad) = values.iter().find(|v| !operator.valid_value(v)) {
                return err(format!("{op_name} cannot compare {key} with {bad:?}"));
            }
            out.push(Condition {
                operator,
                qualifier,
                if_exist,
                key: key.clone(),
                values,
            });
        }
    }
    Ok(out)
}

fn statement(v: &Value, inherited: Option<&Vec<String>>) -> Result<Statement, PolicyError> {
    let Value::Object(o) = v else {
        return err("each statement must be an object");
    };
    let m = members(
        o,
        &[
            "effect",
            "action",
            "resource",
            "condition",
            "principal",
            "sid",
        ],
        "statement",
    )?;
    let effect = match get(&m, "effect")
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase)
    {
        Some(e) if e == "allow" => Effect::Allow,
        Some(e) if e == "deny" => Effect::Deny,
        _ => return err("statement effect must be allow or deny"),
    };
    let actions = strings(
        get(&m, "action").ok_or_else(|| PolicyError("statement lacks action".into()))?,
        "action",
    )?
    .iter()
    .map(|a| normalize_action(a))
    .collect::<Result<_, _>>()?;
    let resources = strings(
        get(&m, "resource").ok_or_else(|| PolicyError("statement lacks resource".into()))?,
        "resource",
    )?
    .iter()
    .map(|r| normalize_resource(r))
    .collect::<Result<_, _>>()?;
    let principals = match get(&m, "principal") {
        Some(p) => Some(principals(p)?),
        None => inherited.cloned(),
    };
    let conditions = match get(&m, "condition") {
        Some(c) => conditions(c)?,
        None => Vec::new(),
    };
    Ok(Statement {
        effect,
        principals,
        actions,
        resources,
        conditions,
        aws: None,
    })
}

impl Policy {
    /// Parses and validates policy JSON of at most `max_len` bytes.
    pub fn parse(text: &str, max_len: usize) -> Result<Policy, PolicyError> {
        if text.len() > max_len {
            return err(format!(
                "the policy is {} bytes; at most {max_len} are allowed",
                text.len()
            ));
        }
        let v: Value =
            serde_json::from_str(text).map_err(|e| PolicyError(format!("not JSON: {e}")))?;
        let Value::Object(o) = &v else {
            return err("the policy must be a JSON object");
        };
        let m = members(o, &["version", "principal", "statement", "id"], "policy")?;
        match get(&m, "version").and_then(Value::as_str) {
            Some("2.0") => {}
            _ => return err("version must be \"2.0\""),
        }
        let inherited = match get(&m, "principal") {
            Some(p) => Some(principals(p)?),
            None => None,
        };
        let statements = match get(&m, "statement") {
            Some(Value::Array(a)) if !a.is_empty() => a
                .iter()
                .map(|s| statement(s, inherited.as_ref()))
                .collect::<Result<_, _>>()?,
            Some(s @ Value::Object(_)) => vec![statement(s, inherited.as_ref())?],
            _ => return err("statement must be a non-empty list or an object"),
        };
        Ok(Policy { statements })
    }
}
