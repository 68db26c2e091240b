//! The POST policy document (spec 04 §2): `expiration` and `conditions` (`{"field": "value"}`,
//! `["eq", "$field", v]`, `["starts-with", "$field", prefix]`, `["content-length-range", min,
//! max]`). Pure: the form's fields come in through a lookup.

use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq)]
enum Cond {
    Eq(String, String),
    StartsWith(String, String),
    Range(u64, u64),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PostPolicy {
    /// Unix seconds.
    pub expiration: i64,
    conditions: Vec<Cond>,
}

fn number(v: &Value) -> Option<u64> {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.trim().parse().ok()))
}

/// `$Content-Type` -> `content-type` (field names compare case-insensitively).
fn field_name(v: &Value) -> Option<String> {
    let s = v.as_str()?;
    Some(s.strip_prefix('$').unwrap_or(s).to_ascii_lowercase())
}

impl PostPolicy {
    pub fn parse(json: &[u8]) -> Result<PostPolicy, String> {
        let v: Value =
            serde_json::from_slice(json).map_err(|e| format!("the policy is not JSON: {e}"))?;
        let exp = v
            .get("expiration")
            .and_then(Value::as_str)
            .ok_or("the policy has no expiration")?;
        let expiration =
            time::OffsetDateTime::parse(exp, &time::format_description::well_known::Rfc3339)
                .map_err(|_| format!("expiration {exp:?} is not an ISO 8601 UTC time"))?
                .unix_timestamp();
        let mut conditions = Vec::new();
        for c in v
            .get("conditions")
            .and_then(Value::as_array)
            .ok_or("the policy has no conditions list")?
        {
            match c {
                Value::Object(m) => {
                    for (k, val) in m {
                        let text = match val {
                            Value::String(s) => s.clone(),
                            other => other.to_string(),
                        };
                        conditions.push(Cond::Eq(k.to_ascii_lowercase(), text));
                    }
                }
                Value::Array(a) => {
                    let op = a.first().and_then(Value::as_str).unwrap_or("");
                    let bad = || format!("condition {c} is not understood");
                    match op.to_ascii_lowercase().as_str() {
                        "eq" | "starts-with" if a.len() == 3 => {
                            let f = field_name(&a[1]).ok_or_else(bad)?;
                            let v = a[2].as_str().ok_or_else(bad)?.to_string();
                            conditions.push(if op.eq_ignore_ascii_case("eq") {
                                Cond::Eq(f, v)
                            } else {
                                Cond::StartsWith(f, v)
                            });
                        }
                        "content-length-range" if a.len() == 3 => {
                            let (lo, hi) = (number(&a[1]), number(&a[2]));
                            let (Some(lo), Some(hi)) = (lo, hi) else {
                                return Err(bad());
                            };
                            conditions.push(Cond::Range(lo, hi));
                        }
                        _ => return Err(bad()),
                    }
                }
                _ => return Err(format!("condition {c} is not an object or a list")),
            }
        }
        Ok(PostPolicy {
            expiration,
            conditions,
        })
    }

    /// Checks expiry and every field condition; returns the allowed file size range, if any.
    /// `field` answers lower-case names: the form's fields plus `bucket` and the final `key`.
    pub fn check(
        &self,
        now: i64,
        field: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Option<(u64, u64)>, String> {
        if now > self.expiration {
            return Err("Invalid according to Policy: Policy expired.".into());
        }
        let mut range: Option<(u64, u64)> = None;
        for c in &self.conditions {
            match c {
                Cond::Eq(f, want) => {
                    let got = field(f).unwrap_or_default();
                    if got != *want {
                        return Err(format!(
                            "Invalid according to Policy: Policy Condition failed: [\"eq\", \"${f}\", \"{want}\"]"
                        ));
                    }
                }
                Cond::StartsWith(f, prefix) => {
                    let got = field(f).unwrap_or_default();
                    // Content-Type may list several values; each must match (S3's rule).
                    let ok = if f == "content-type" && !prefix.is_empty() {
                        got.split(',')
                            .all(|v| v.trim().starts_with(prefix.as_str()))
                    } else {
                        got.starts_with(prefix.as_str())
                    };
                    if !ok {
                        return Err(format!(
                            "Invalid according to Policy: Policy Condition failed: [\"starts-with\", \"${f}\", \"{prefix}\"]"
                        ));
                    }
                }
                Cond::Range(lo, hi) => {
                    range = Some(match range {
                        None => (*lo, *hi),
                        Some((a, b)) => (a.max(*lo), b.min(*hi)),
                    })
                }
            }
        }
        Ok(range)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: &str = r#"{"expiration":"2023-11-14T22:28:20.000Z","conditions":[{"q-sign-algorithm":"sha1"},{"q-ak":"AKIDEXAMPLE"},{"q-sign-time":"1700000000;1700000900"},{"bucket":"examplebucket-1250000000"},{"key":"uploads/a.txt"},["content-length-range",1,1048576],["starts-with","$Content-Type","text/"]]}"#;

    fn fields(over: &[(&'static str, &'static str)]) -> impl Fn(&str) -> Option<String> {
        let mut base = vec![
            ("q-sign-algorithm", "sha1"),
            ("q-ak", "AKIDEXAMPLE"),
            ("q-sign-time", "1700000000;1700000900"),
            ("bucket", "examplebucket-1250000000"),
            ("key", "uploads/a.txt"),
            ("content-type", "text/plain"),
        ];
        for (k, v) in over {
            base.retain(|(x, _)| x != k);
            base.push((k, v));
        }
        move |n: &str| {
            base.iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_spec_policy() {
        let p = PostPolicy::parse(SPEC.as_bytes()).unwrap();
        assert_eq!(p.expiration, 1700000900);
        assert_eq!(p.check(1700000000, &fields(&[])), Ok(Some((1, 1048576))));
        assert!(p
            .check(1700000901, &fields(&[]))
            .unwrap_err()
            .contains("expired"));
        for (k, v) in [
            ("key", "uploads/b.txt"),
            ("bucket", "other-1250000000"),
            ("content-type", "image/png"),
            ("content-type", "text/plain, image/png"),
            ("q-ak", "AKIDOTHER"),
        ] {
            let e = p.check(1700000000, &fields(&[(k, v)])).unwrap_err();
            assert!(e.contains("Condition failed"), "{k}={v}: {e}");
        }
    }

    #[test]
    fn boto3_shapes_and_bad_documents() {
        let p = PostPolicy::parse(br#"{"expiration": "2023-11-14T23:13:20Z", "conditions": [{"acl": "public-read"}, ["content-length-range", "10", 20], ["content-length-range", 5, 15], ["starts-with", "$key", "uploads/"], ["starts-with", "$x-cos-meta-a", ""]]}"#).unwrap();
        let f = |n: &str| match n {
            "acl" => Some("public-read".to_string()),
            "key" => Some("uploads/x".to_string()),
            _ => None,
        };
        assert_eq!(p.check(0, &f), Ok(Some((10, 15))));
        for bad in [
            "not json",
            r#"{"conditions":[]}"#,
            r#"{"expiration":"tomorrow","conditions":[]}"#,
            r#"{"expiration":"2023-11-14T23:13:20Z"}"#,
            r#"{"expiration":"2023-11-14T23:13:20Z","conditions":[["in","$key","a"]]}"#,
            r#"{"expiration":"2023-11-14T23:13:20Z","conditions":[["content-length-range",1]]}"#,
            r#"{"expiration":"2023-11-14T23:13:20Z","conditions":[7]]}"#,
        ] {
            assert!(PostPolicy::parse(bad.as_bytes()).is_err(), "{bad}");
        }
    }
}
