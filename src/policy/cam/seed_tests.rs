//! The policy examples of shared/seeds/002 (lines 174-3772) as data: `seed_cases/*.json` hold
//! one table per seed section and this runner evaluates every case and checks the decision the
//! seed states. Examples already covered in `tests.rs` are not repeated there: the qcs:ip allow
//! list (002:2255), the qcs:request_tag qualifier tables (002:3154-3253) and the content-length
//! maximum with a plain deny (002:2529-2586; only its `_if_exist`, PostObject and absent-header
//! rows are in the data).
//!
//! Policy JSON is kept as the seed gives it, as a string (or a list of lines joined with `\n`),
//! because some cases test how the repaired text parses. Where the seed's typesetting breaks a
//! policy (a code block split in two, stray or missing brackets, trailing commas, `//` comments,
//! a space inside a key name) the example's or case's `note` names the repair. Request contexts
//! carry condition keys the way the server is expected to extract them: raw header /
//! query-parameter strings, numbers as decimal strings, multi-valued keys as several strings.
//!
//! Bucket policies name their principal; requests are made as that principal unless a case says
//! otherwise. User (CAM) and temporary-key policies name none and apply to whoever holds them;
//! the evaluator treats all three kinds alike, so the data does not label them. Principals the
//! data uses: sub-account 100000000011 of root 100000000001 (002:403, 690), sub-account
//! 100000000002 of the same root (most condition-key examples, 002:2245-3415), the 13-digit
//! (002:2315, 2844, 3012) and 11-digit (002:2351, 2370) uins some samples print, kept as printed,
//! the object-lock and grant-header examples' 1250000000:uin/1250000001 (002:3438, 3505, 3552,
//! 3603), and 100000000003, whom the bucket policies do not name. GET Service names no bucket
//! (`qcs::cos:ap-guangzhou:uid/1250000000:`); the seed's policies grant it on `*`.
//!
//! # Data format
//!
//! A file is `{"note", "examples": [...]}`. An example is
//! `{"name", "seed_line", "note", "policies": {<name>: <policy>}, "cases": [...]}`, where a
//! policy is its text (a string or a list of lines), or `{"text": <text>, "replace": [[from, to],
//! ...]}` (placeholders filled in), or `{"from": <policy name>, "replace": [...]}` (a repaired
//! copy of another entry of the same example). Every entry must be used by some case.
//!
//! A case may carry its own `seed_line` and `note` (otherwise the example's apply) and an
//! `expect`:
//! - `allow`, `explicit_deny`, `no_match`: the exact verdict of `evaluate` for `policies` (names
//!   in the example's table), `principal`, `action`, `resource` and `keys` (name -> values,
//!   default none); `refused`: anything but `allow`. With `all_of` instead of the request fields,
//!   a list of such requests that must all be allowed (`allow`) or not all be (`refused`),
//!   checked in order and stopping at the first refusal.
//! - `refused_or_unparsable`: the one policy named is rejected at ingestion, or it parses and
//!   the request is refused.
//! - `parse_error`: the one policy named is rejected, with a message containing `error_contains`.
//! - `statement_actions`: statement `statement` of the one policy named parses to `actions`.
//! - `remaining_days`: cos:object-lock-remaining-retention-days computed from `retention`
//!   (`{"retain_until", "now"}`) is `days`. A decision case may carry `retention` too: then
//!   every `...remaining-retention-days` key it sends must hold that computed value.

use super::*;
use serde::Deserialize;
use std::collections::{BTreeMap, BTreeSet, HashMap};

type Keys = HashMap<String, Vec<String>>;

/// The lines of shared/seeds/002 that hold policy examples; every case cites one of them.
const SEED_LINES: std::ops::RangeInclusive<u32> = 174..=3772;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CaseFile {
    note: String,
    examples: Vec<Example>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Example {
    name: String,
    seed_line: u32,
    note: String,
    policies: BTreeMap<String, PolicySource>,
    cases: Vec<Case>,
}

/// Policy text: one string, or lines joined with `\n`.
#[derive(Deserialize)]
#[serde(untagged)]
enum Text {
    One(String),
    Lines(Vec<String>),
}

impl Text {
    fn get(&self) -> String {
        match self {
            Text::One(s) => s.clone(),
            Text::Lines(lines) => lines.join("\n"),
        }
    }
}

#[derive(Deserialize)]
#[serde(untagged)]
enum PolicySource {
    Text(Text),
    Edited(Edited),
}

/// `text` or the text of policy `from`, with each `[from, to]` of `replace` applied in order.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Edited {
    text: Option<Text>,
    from: Option<String>,
    replace: Vec<(String, String)>,
}

#[derive(Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
enum Expect {
    Allow,
    ExplicitDeny,
    NoMatch,
    Refused,
    RefusedOrUnparsable,
    ParseError,
    StatementActions,
    RemainingDays,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    seed_line: Option<u32>,
    note: Option<String>,
    expect: Expect,
    #[serde(default)]
    policies: Vec<String>,
    principal: Option<String>,
    action: Option<String>,
    resource: Option<String>,
    keys: Option<Keys>,
    all_of: Option<Vec<Request>>,
    retention: Option<Retention>,
    error_contains: Option<String>,
    statement: Option<usize>,
    actions: Option<Vec<String>>,
    days: Option<i64>,
}

#[derive(Deserialize, Clone, Debug)]
#[serde(deny_unknown_fields)]
struct Request {
    policies: Vec<String>,
    principal: String,
    action: String,
    resource: String,
    #[serde(default)]
    keys: Keys,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Retention {
    retain_until: String,
    now: String,
}

/// The outcome without the deciding statement's indices.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Allow,
    ExplicitDeny,
    NoMatch,
}

type Parsed = BTreeMap<String, Result<Policy, PolicyError>>;

#[test]
fn cam_samples() {
    run(
        "cam_samples.json",
        include_str!("seed_cases/cam_samples.json"),
    );
}

#[test]
fn per_api() {
    run("per_api.json", include_str!("seed_cases/per_api.json"));
}

#[test]
fn scenarios_and_keys_a() {
    run(
        "scenarios_and_keys_a.json",
        include_str!("seed_cases/scenarios_and_keys_a.json"),
    );
}

#[test]
fn condition_keys_b() {
    run(
        "condition_keys_b.json",
        include_str!("seed_cases/condition_keys_b.json"),
    );
}

#[test]
fn condition_keys_c() {
    run(
        "condition_keys_c.json",
        include_str!("seed_cases/condition_keys_c.json"),
    );
}

/// Runs every case of one data file; fails listing each failing case with its file, seed line,
/// example and note.
fn run(file: &str, json: &str) {
    let data: CaseFile = serde_json::from_str(json).unwrap_or_else(|e| panic!("{file}: {e}"));
    assert!(!data.note.is_empty(), "{file}: empty note");
    let mut failures = Vec::new();
    let mut count = 0;
    for ex in &data.examples {
        assert!(!ex.cases.is_empty(), "{file} {}: no cases", ex.name);
        assert!(!ex.note.is_empty(), "{file} {}: empty note", ex.name);
        assert!(
            SEED_LINES.contains(&ex.seed_line),
            "{file} {}: seed line {} is outside {SEED_LINES:?}",
            ex.name,
            ex.seed_line
        );
        let parsed: Parsed = ex
            .policies
            .keys()
            .map(|name| {
                let text =
                    policy_text(ex, name).unwrap_or_else(|e| panic!("{file} {}: {e}", ex.name));
                (name.clone(), Policy::parse(&text, DEFAULT_MAX_POLICY_LEN))
            })
            .collect();
        let mut used = BTreeSet::new();
        for case in &ex.cases {
            count += 1;
            let line = case.seed_line.unwrap_or(ex.seed_line);
            let outcome = if SEED_LINES.contains(&line) {
                check(case, &parsed, &mut used)
            } else {
                Err(format!("seed line {line} is outside {SEED_LINES:?}"))
            };
            if let Err(msg) = outcome {
                let note = case.note.as_deref().unwrap_or(&ex.note);
                failures.push(format!(
                    "{file} 002:{line} [{}] want {:?}: {msg}\n    note: {note}",
                    ex.name, case.expect
                ));
            }
        }
        for name in ex.policies.keys().filter(|n| !used.contains(n.as_str())) {
            failures.push(format!("{file} [{}]: policy {name} is not used", ex.name));
        }
    }
    assert!(count > 0, "{file}: no cases");
    assert!(
        failures.is_empty(),
        "{} of {count} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

fn policy_text(ex: &Example, name: &str) -> Result<String, String> {
    match ex.policies.get(name) {
        None => Err(format!("no policy {name}")),
        Some(PolicySource::Text(t)) => Ok(t.get()),
        Some(PolicySource::Edited(e)) => {
            let mut text = match (&e.text, &e.from) {
                (Some(t), None) => t.get(),
                // One level only: the base is a text, not itself a copy.
                (None, Some(base)) => match ex.policies.get(base) {
                    Some(PolicySource::Edited(Edited { from: Some(_), .. })) => {
                        return Err(format!("policy {name}: {base} is itself a copy"))
                    }
                    _ => policy_text(ex, base)?,
                },
                _ => return Err(format!("policy {name}: give either `text` or `from`")),
            };
            for (from, to) in &e.replace {
                if !text.contains(from.as_str()) {
                    return Err(format!("policy {name}: {from:?} does not occur"));
                }
                text = text.replace(from.as_str(), to);
            }
            Ok(text)
        }
    }
}

/// Checks one case; `Err` describes the mismatch (or a malformed case).
fn check<'a>(case: &'a Case, parsed: &Parsed, used: &mut BTreeSet<&'a str>) -> Result<(), String> {
    let only = |allowed: &[&str]| -> Result<(), String> {
        let present = [
            ("policies", !case.policies.is_empty()),
            ("principal", case.principal.is_some()),
            ("action", case.action.is_some()),
            ("resource", case.resource.is_some()),
            ("keys", case.keys.is_some()),
            ("all_of", case.all_of.is_some()),
            ("retention", case.retention.is_some()),
            ("error_contains", case.error_contains.is_some()),
            ("statement", case.statement.is_some()),
            ("actions", case.actions.is_some()),
            ("days", case.days.is_some()),
        ];
        match present.iter().find(|(f, set)| *set && !allowed.contains(f)) {
            Some((f, _)) => Err(format!("field `{f}` does not belong to this kind of case")),
            None => Ok(()),
        }
    };
    let one_policy = || -> Result<&Result<Policy, PolicyError>, String> {
        match case.policies.as_slice() {
            [name] => parsed.get(name).ok_or_else(|| format!("no policy {name}")),
            _ => Err("name exactly one policy".into()),
        }
    };
    used.extend(case.policies.iter().map(String::as_str));
    if let Some(all) = &case.all_of {
        used.extend(
            all.iter()
                .flat_map(|r| r.policies.iter().map(String::as_str)),
        );
    }
    const REQUEST: &[&str] = &[
        "policies",
        "principal",
        "action",
        "resource",
        "keys",
        "retention",
    ];
    match case.expect {
        Expect::Allow | Expect::ExplicitDeny | Expect::NoMatch | Expect::Refused => {
            let got = match &case.all_of {
                Some(all) => {
                    only(&["all_of"])?;
                    if !matches!(case.expect, Expect::Allow | Expect::Refused) {
                        return Err("`all_of` expects `allow` or `refused`".into());
                    }
                    if all.is_empty() {
                        return Err("empty `all_of`".into());
                    }
                    let mut got = Outcome::Allow;
                    for r in all {
                        got = decide(parsed, r)?;
                        if got != Outcome::Allow {
                            break;
                        }
                    }
                    got
                }
                None => {
                    only(REQUEST)?;
                    let r = request(case)?;
                    if let Some(ret) = &case.retention {
                        check_retention_keys(ret, &r.keys)?;
                    }
                    decide(parsed, &r)?
                }
            };
            let ok = match case.expect {
                Expect::Allow => got == Outcome::Allow,
                Expect::ExplicitDeny => got == Outcome::ExplicitDeny,
                Expect::NoMatch => got == Outcome::NoMatch,
                _ => got != Outcome::Allow,
            };
            if ok {
                Ok(())
            } else {
                Err(format!("got {got:?} for {}", describe(case)))
            }
        }
        Expect::RefusedOrUnparsable => {
            only(REQUEST)?;
            match one_policy()? {
                Err(_) => Ok(()),
                Ok(_) => match decide(parsed, &request(case)?)? {
                    Outcome::Allow => Err(format!("allowed: {}", describe(case))),
                    _ => Ok(()),
                },
            }
        }
        Expect::ParseError => {
            only(&["policies", "error_contains"])?;
            let want = case.error_contains.as_deref().unwrap_or_default();
            match one_policy()? {
                Ok(_) => Err("the policy parses".into()),
                Err(e) if e.0.contains(want) => Ok(()),
                Err(e) => Err(format!("error {e:?} does not mention {want:?}")),
            }
        }
        Expect::StatementActions => {
            only(&["policies", "statement", "actions"])?;
            let p = one_policy()?
                .as_ref()
                .map_err(|e| format!("does not parse: {e}"))?;
            let (Some(i), Some(want)) = (case.statement, &case.actions) else {
                return Err("give `statement` and `actions`".into());
            };
            match p.statements.get(i) {
                Some(s) if s.actions == *want => Ok(()),
                Some(s) => Err(format!("statement {i} has actions {:?}", s.actions)),
                None => Err(format!("no statement {i}")),
            }
        }
        Expect::RemainingDays => {
            only(&["retention", "days"])?;
            let (Some(ret), Some(days)) = (&case.retention, case.days) else {
                return Err("give `retention` and `days`".into());
            };
            let got = remaining_days(ret)?;
            if got == days.to_string() {
                Ok(())
            } else {
                Err(format!("computed {got} days"))
            }
        }
    }
}

fn request(case: &Case) -> Result<Request, String> {
    let field = |v: &Option<String>, name: &str| v.clone().ok_or(format!("no `{name}`"));
    if case.policies.is_empty() {
        return Err("no `policies`".into());
    }
    Ok(Request {
        policies: case.policies.clone(),
        principal: field(&case.principal, "principal")?,
        action: field(&case.action, "action")?,
        resource: field(&case.resource, "resource")?,
        keys: case.keys.clone().unwrap_or_default(),
    })
}

fn describe(case: &Case) -> String {
    match (&case.all_of, request(case)) {
        (Some(all), _) => format!("all of {all:?}"),
        (None, Ok(r)) => format!("{r:?}"),
        (None, Err(e)) => e,
    }
}

/// The root uin of `qcs::cam::uin/<root>:uin/<uin>`.
fn root_of(principal: &str) -> Option<&str> {
    principal
        .strip_prefix("qcs::cam::uin/")
        .and_then(|r| r.split_once(':'))
        .map(|(root, _)| root)
}

fn decide(parsed: &Parsed, r: &Request) -> Result<Outcome, String> {
    let policies = r
        .policies
        .iter()
        .map(|name| match parsed.get(name) {
            Some(Ok(p)) => Ok(p),
            Some(Err(e)) => Err(format!("policy {name} does not parse: {e}")),
            None => Err(format!("no policy {name}")),
        })
        .collect::<Result<Vec<_>, _>>()?;
    let ctx = RequestContext {
        principal: &r.principal,
        root_uin: root_of(&r.principal),
        secret_id: None,
        action: &r.action,
        resource: &r.resource,
        keys: &r.keys,
    };
    Ok(match evaluate(&policies, &ctx) {
        Verdict::Allow(..) => Outcome::Allow,
        Verdict::ExplicitDeny(..) => Outcome::ExplicitDeny,
        Verdict::NoMatch => Outcome::NoMatch,
    })
}

/// floor((retain_until - now) / 86400) as the server computes
/// cos:object-lock-remaining-retention-days (002:3472-3475).
fn remaining_days(r: &Retention) -> Result<String, String> {
    let t = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .map_err(|e| format!("{s}: {e}"))
    };
    Ok((t(&r.retain_until)? - t(&r.now)?)
        .whole_seconds()
        .div_euclid(86_400)
        .to_string())
}

/// A case's retention-days keys must hold the value computed from its `retention`.
fn check_retention_keys(r: &Retention, keys: &Keys) -> Result<(), String> {
    let want = remaining_days(r)?;
    let mut found = false;
    for (name, values) in keys
        .iter()
        .filter(|(k, _)| k.ends_with("remaining-retention-days"))
    {
        found = true;
        if values.len() != 1 || values[0] != want {
            return Err(format!("{name} is {values:?}, computed {want}"));
        }
    }
    if found {
        Ok(())
    } else {
        Err("`retention` given but no remaining-retention-days key".into())
    }
}
