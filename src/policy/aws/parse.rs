//! AWS-syntax policy JSON into the policy model the CAM evaluator runs: element names as AWS
//! spells them (case-sensitive), `Principal`/`NotPrincipal` onto cosd principals,
//! `Action`/`NotAction` onto cosd actions ([`super::actions`]), `Resource`/`NotResource` kept as
//! `arn:aws:s3:::` ARNs, condition operators and keys onto cosd's ([`super::keys`]). Anything
//! cosd cannot evaluate is a `PolicyError` naming it: nothing is ignored.

use super::actions::{self, Scope};
use super::keys;
use super::{AwsParts, ScopedAction};
use crate::policy::cam::{
    parse::scalar_list, Condition, Effect, Operator, Policy, PolicyError, Qualifier, Statement,
};
use serde_json::{Map, Value};

fn err<T>(m: impl Into<String>) -> Result<T, PolicyError> {
    Err(PolicyError(m.into()))
}

/// The versions of the AWS policy language; `2012-10-17` has policy variables (`${...}`).
const VERSIONS: &[&str] = &["2012-10-17", "2008-10-17"];

/// Whether `doc` is an AWS-syntax policy: its version (in any case) is an AWS one, or it has
/// no version and an AWS-cased `Statement`. CAM policies say `"version": "2.0"`.
pub fn is_aws(doc: &Map<String, Value>) -> bool {
    let version = doc
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case("version"))
        .map(|(_, v)| v);
    match version {
        Some(Value::String(v)) => VERSIONS.contains(&v.as_str()),
        Some(_) => false,
        None => doc.contains_key("Statement"),
    }
}

/// Object members, all of them among `allowed` (AWS element names are case-sensitive).
fn members<'a>(
    o: &'a Map<String, Value>,
    allowed: &[&str],
    what: &str,
) -> Result<&'a Map<String, Value>, PolicyError> {
    for k in o.keys() {
        if !allowed.contains(&k.as_str()) {
            let hint = allowed
                .iter()
                .find(|a| a.eq_ignore_ascii_case(k))
                .map(|a| format!(" (AWS spells it {a:?})"))
                .unwrap_or_default();
            return err(format!("unknown element {k:?} in {what}{hint}"));
        }
    }
    Ok(o)
}

/// A string or a non-empty list of non-empty strings.
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

/// Policy variables (`${aws:username}`) are not evaluated by cosd: refused in 2012-10-17
/// policies, where AWS would substitute them (in 2008-10-17 they are plain text).
fn no_variables(s: &str, variables: bool, what: &str) -> Result<(), PolicyError> {
    if variables && s.contains("${") {
        return err(format!(
            "{what} {s:?} uses a policy variable; cosd does not support policy variables"
        ));
    }
    Ok(())
}

fn digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

/// One AWS principal onto a cosd principal: `*`; an account id or `arn:aws:iam::<uin>:root`
/// is that root account (`qcs::cam::uin/<uin>:uin/<uin>`, whose sub-accounts it delegates to
/// as in CAM); `arn:aws:iam::<root>:user/[path/]<uin>` is that sub-account; any other text
/// without `:` is an access key id (`key:<SecretId>`, the key that signed the request).
fn principal(p: &str) -> Result<String, PolicyError> {
    let bad = |why: &str| err(format!("Invalid principal in policy: {p:?} ({why})"));
    if p == "*" {
        return Ok("*".into());
    }
    if p.contains('*') || p.contains('?') {
        return bad("wildcards are allowed only as the whole principal \"*\"");
    }
    if digits(p) {
        return Ok(format!("qcs::cam::uin/{p}:uin/{p}"));
    }
    if let Some(rest) = p.strip_prefix("arn:aws:iam::") {
        let Some((account, resource)) = rest.split_once(':') else {
            return bad("expected arn:aws:iam::<account>:root or :user/<uin>");
        };
        if !digits(account) {
            return bad("the account must be a cosd account uin");
        }
        if resource == "root" {
            return Ok(format!("qcs::cam::uin/{account}:uin/{account}"));
        }
        if let Some(user) = resource.strip_prefix("user/") {
            let uin = user.rsplit('/').next().unwrap_or("");
            if uin.is_empty() {
                return bad("the user name must be the sub-account's uin");
            }
            return Ok(format!("qcs::cam::uin/{account}:uin/{uin}"));
        }
        return bad("only root and user/<uin> IAM principals exist in cosd");
    }
    if p.contains(':') {
        return bad("expected an account id, an arn:aws:iam:: ARN or an access key id");
    }
    Ok(format!("key:{p}"))
}

fn principals(v: &Value, element: &str) -> Result<Vec<String>, PolicyError> {
    match v {
        Value::String(s) if s == "*" => Ok(vec!["*".into()]),
        Value::Object(o) => {
            for k in o.keys() {
                if k != "AWS" {
                    return err(format!(
                        "{element} type {k:?} is not supported by cosd (only \"AWS\")"
                    ));
                }
            }
            let aws = o
                .get("AWS")
                .ok_or_else(|| PolicyError(format!("{element} needs \"AWS\"")))?;
            strings(aws, &format!("{element}.AWS"))?
                .iter()
                .map(|p| principal(p))
                .collect()
        }
        _ => err(format!("{element} must be \"*\" or {{\"AWS\": ...}}")),
    }
}

/// `Action`/`NotAction` entries onto cosd actions: any-version ones into `actions`, the
/// version-scoped ones into `scoped`.
fn actions(
    v: &Value,
    element: &str,
    out: &mut Vec<String>,
    scoped: &mut Vec<ScopedAction>,
) -> Result<(), PolicyError> {
    for a in strings(v, element)? {
        if a == "*" {
            out.push("*".into());
            continue;
        }
        let expanded = actions::expand(&a).ok_or_else(|| {
            PolicyError(format!(
                "Policy has invalid action {a:?}: not an S3 action cosd knows (see docs/aws-policies.md)"
            ))
        })?;
        for (action, scope) in expanded {
            match scope {
                Scope::Any => {
                    if !out.contains(&action) {
                        out.push(action)
                    }
                }
                Scope::Current | Scope::Version => scoped.push(ScopedAction {
                    action,
                    versioned: scope == Scope::Version,
                }),
            }
        }
    }
    // An action scoped both ways (`s3:GetObject` and `s3:GetObjectVersion`) is any version.
    let both: Vec<String> = scoped
        .iter()
        .filter(|s| {
            scoped
                .iter()
                .any(|t| t.action == s.action && t.versioned != s.versioned)
        })
        .map(|s| s.action.clone())
        .collect();
    for a in both {
        if !out.contains(&a) {
            out.push(a);
        }
    }
    // A scoped entry whose action is also there for any version adds nothing.
    scoped.retain(|s| !out.contains(&s.action));
    scoped.dedup();
    Ok(())
}

fn resources(v: &Value, element: &str, variables: bool) -> Result<Vec<String>, PolicyError> {
    strings(v, element)?
        .into_iter()
        .map(|r| {
            no_variables(&r, variables, element)?;
            if r == "*"
                || r.strip_prefix("arn:aws:s3:::")
                    .is_some_and(|p| !p.is_empty())
            {
                Ok(r)
            } else {
                err(format!(
                    "Policy has invalid resource {r:?}: expected arn:aws:s3:::<bucket>[/<key>] or *"
                ))
            }
        })
        .collect()
}

/// `[ForAnyValue:|ForAllValues:]<Operator>[IfExists]` as AWS spells it.
fn operator(name: &str) -> Result<(Operator, Qualifier, bool), PolicyError> {
    let bad = || PolicyError(format!("Invalid Condition type {name:?}"));
    let (qualifier, rest) = if let Some(r) = name.strip_prefix("ForAnyValue:") {
        (Qualifier::ForAnyValue, r)
    } else if let Some(r) = name.strip_prefix("ForAllValues:") {
        (Qualifier::ForAllValue, r)
    } else {
        (Qualifier::Single, name)
    };
    let (base, if_exist) = match rest.strip_suffix("IfExists") {
        Some(b) => (b, true),
        None => (rest, false),
    };
    let op = Operator::aws_base(base).ok_or_else(bad)?;
    if op == Operator::Null && (if_exist || qualifier != Qualifier::Single) {
        return Err(bad());
    }
    Ok((op, qualifier, if_exist))
}

/// Date values may also be given as epoch seconds, as AWS accepts them.
fn date_value(op: Operator, v: String) -> String {
    use Operator::*;
    let is_date = matches!(
        op,
        DateEqual
            | DateNotEqual
            | DateGreaterThan
            | DateGreaterThanEqual
            | DateLessThan
            | DateLessThanEqual
    );
    match v.trim().parse::<i64>() {
        Ok(secs) if is_date => time::OffsetDateTime::from_unix_timestamp(secs)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or(v),
        _ => v,
    }
}

fn conditions(v: &Value, variables: bool) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(ops) = v else {
        return err("Condition must be an object of operators");
    };
    let mut out = Vec::new();
    for (op_name, body) in ops {
        let (op, qualifier, if_exist) = operator(op_name)?;
        let Value::Object(entries) = body else {
            return err(format!("Condition {op_name:?} must map keys to values"));
        };
        if entries.is_empty() {
            return err(format!("Condition {op_name:?} names no key"));
        }
        for (key, vals) in entries {
            let internal = keys::internal_name(key).ok_or_else(|| {
                PolicyError(format!(
                    "Policy has an invalid condition key {key:?}: cosd evaluates {}, s3:ExistingObjectTag/<key> and s3:RequestObjectTag/<key>",
                    keys::supported().collect::<Vec<_>>().join(", ")
                ))
            })?;
            let values = scalar_list(vals, key)?
                .into_iter()
                .map(|v| date_value(op, v))
                .collect::<Vec<_>>();
            for val in &values {
                no_variables(val, variables, "condition value")?;
                if !op.valid_value(val) {
                    return err(format!("{op_name} cannot compare {key} with {val:?}"));
                }
            }
            out.push(Condition {
                operator: op,
                qualifier,
                if_exist,
                key: internal,
                values,
            });
        }
    }
    Ok(out)
}

fn statement(v: &Value, variables: bool) -> Result<Statement, PolicyError> {
    let Value::Object(o) = v else {
        return err("each Statement must be an object");
    };
    let m = members(
        o,
        &[
            "Sid",
            "Effect",
            "Principal",
            "NotPrincipal",
            "Action",
            "NotAction",
            "Resource",
            "NotResource",
            "Condition",
        ],
        "Statement",
    )?;
    let sid = match m.get("Sid") {
        None => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return err("Sid must be a string"),
    };
    let effect = match m.get("Effect").and_then(Value::as_str) {
        Some("Allow") => Effect::Allow,
        Some("Deny") => Effect::Deny,
        Some(other) => return err(format!("Invalid effect {other:?}: Allow or Deny")),
        None => return err("Missing required field Effect"),
    };
    let one_of = |a: &str, b: &str| match (m.get(a), m.get(b)) {
        (Some(x), None) => Ok((x, false)),
        (None, Some(x)) => Ok((x, true)),
        (Some(_), Some(_)) => err(format!("a statement has either {a} or {b}, not both")),
        (None, None) => err(format!("Missing required field {a} (or {b})")),
    };
    let (p, not_principal) = one_of("Principal", "NotPrincipal")?;
    let principals = principals(
        p,
        if not_principal {
            "NotPrincipal"
        } else {
            "Principal"
        },
    )?;
    let (a, not_action) = one_of("Action", "NotAction")?;
    let (mut acts, mut scoped) = (Vec::new(), Vec::new());
    actions(
        a,
        if not_action { "NotAction" } else { "Action" },
        &mut acts,
        &mut scoped,
    )?;
    let (r, not_resource) = one_of("Resource", "NotResource")?;
    let resources = resources(
        r,
        if not_resource {
            "NotResource"
        } else {
            "Resource"
        },
        variables,
    )?;
    let conditions = match m.get("Condition") {
        Some(c) => conditions(c, variables)?,
        None => Vec::new(),
    };
    Ok(Statement {
        effect,
        principals: Some(principals),
        actions: acts,
        resources,
        conditions,
        aws: Some(Box::new(AwsParts {
            sid,
            not_principal,
            not_action,
            not_resource,
            scoped_actions: scoped,
        })),
    })
}

/// Parses an AWS-syntax bucket policy document (already JSON, already size-checked).
pub fn parse(doc: &Map<String, Value>) -> Result<Policy, PolicyError> {
    let m = members(doc, &["Version", "Id", "Statement"], "the policy")?;
    let variables = match m.get("Version") {
        None => false,
        Some(Value::String(v)) if v == "2012-10-17" => true,
        Some(Value::String(v)) if v == "2008-10-17" => false,
        Some(v) => {
            return err(format!(
                "Version {v} is not one of {VERSIONS:?} (AWS spells the element \"Version\")"
            ))
        }
    };
    match m.get("Id") {
        None | Some(Value::String(_)) => {}
        Some(_) => return err("Id must be a string"),
    }
    let statements = match m.get("Statement") {
        Some(Value::Array(a)) if !a.is_empty() => a
            .iter()
            .map(|s| statement(s, variables))
            .collect::<Result<_, _>>()?,
        Some(s @ Value::Object(_)) => vec![statement(s, variables)?],
        _ => return err("Statement must be a non-empty list or an object"),
    };
    Ok(Policy { statements })
}
