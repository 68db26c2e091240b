//! Condition operators (`string_equal`, `numeric_less_than_if_exist`,
//! `for_any_value:string_equal`, ...) and their evaluation against request values.

use super::glob;
use ipnet::IpNet;
use std::net::IpAddr;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    StringEqual,
    StringNotEqual,
    StringEqualIgnoreCase,
    StringNotEqualIgnoreCase,
    StringLike,
    StringNotLike,
    NumericEqual,
    NumericNotEqual,
    NumericGreaterThan,
    NumericGreaterThanEqual,
    NumericLessThan,
    NumericLessThanEqual,
    BoolEqual,
    DateEqual,
    DateNotEqual,
    DateGreaterThan,
    DateGreaterThanEqual,
    DateLessThan,
    DateLessThanEqual,
    IpEqual,
    IpNotEqual,
    /// AWS `Null`: the policy value `true` holds when the key is absent, `false` when present.
    /// Not a CAM operator (`Operator::parse` never yields it).
    Null,
}

const NAMES: &[(&str, Operator)] = &[
    ("string_equal", Operator::StringEqual),
    ("string_not_equal", Operator::StringNotEqual),
    ("string_equal_ignore_case", Operator::StringEqualIgnoreCase),
    (
        "string_not_equal_ignore_case",
        Operator::StringNotEqualIgnoreCase,
    ),
    ("string_like", Operator::StringLike),
    ("string_not_like", Operator::StringNotLike),
    ("numeric_equal", Operator::NumericEqual),
    ("numeric_not_equal", Operator::NumericNotEqual),
    ("numeric_greater_than", Operator::NumericGreaterThan),
    (
        "numeric_greater_than_equal",
        Operator::NumericGreaterThanEqual,
    ),
    ("numeric_less_than", Operator::NumericLessThan),
    ("numeric_less_than_equal", Operator::NumericLessThanEqual),
    ("bool_equal", Operator::BoolEqual),
    ("date_equal", Operator::DateEqual),
    ("date_not_equal", Operator::DateNotEqual),
    ("date_greater_than", Operator::DateGreaterThan),
    ("date_greater_than_equal", Operator::DateGreaterThanEqual),
    ("date_less_than", Operator::DateLessThan),
    ("date_less_than_equal", Operator::DateLessThanEqual),
    ("ip_equal", Operator::IpEqual),
    ("ip_not_equal", Operator::IpNotEqual),
];

/// AWS spellings seen in console-generated bucket policies.
const AWS_NAMES: &[(&str, Operator)] = &[
    ("StringEquals", Operator::StringEqual),
    ("StringNotEquals", Operator::StringNotEqual),
    ("StringEqualsIgnoreCase", Operator::StringEqualIgnoreCase),
    (
        "StringNotEqualsIgnoreCase",
        Operator::StringNotEqualIgnoreCase,
    ),
    ("StringLike", Operator::StringLike),
    ("StringNotLike", Operator::StringNotLike),
    ("NumericEquals", Operator::NumericEqual),
    ("NumericNotEquals", Operator::NumericNotEqual),
    ("NumericGreaterThan", Operator::NumericGreaterThan),
    (
        "NumericGreaterThanEquals",
        Operator::NumericGreaterThanEqual,
    ),
    ("NumericLessThan", Operator::NumericLessThan),
    ("NumericLessThanEquals", Operator::NumericLessThanEqual),
    ("Bool", Operator::BoolEqual),
    ("DateEquals", Operator::DateEqual),
    ("DateNotEquals", Operator::DateNotEqual),
    ("DateGreaterThan", Operator::DateGreaterThan),
    ("DateGreaterThanEquals", Operator::DateGreaterThanEqual),
    ("DateLessThan", Operator::DateLessThan),
    ("DateLessThanEquals", Operator::DateLessThanEqual),
    ("IpAddress", Operator::IpEqual),
    ("NotIpAddress", Operator::IpNotEqual),
];

impl Operator {
    /// An AWS base operator name (`StringEquals`, `IpAddress`, `Null`, ...; no qualifier or
    /// `IfExists`), exactly as AWS spells it.
    pub fn aws_base(name: &str) -> Option<Operator> {
        if name == "Null" {
            return Some(Operator::Null);
        }
        AWS_NAMES
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, op)| *op)
    }
}

/// How a condition treats a multi-valued key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Qualifier {
    /// One request value (any of several must satisfy).
    Single,
    /// `for_any_value:`: the request set and the policy set intersect.
    ForAnyValue,
    /// `for_all_value:`: every request value satisfies (an empty or absent set does).
    ForAllValue,
}

/// One `<operator>: {<key>: <values>}` entry.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub operator: Operator,
    pub qualifier: Qualifier,
    /// `_if_exist`: true when the request lacks the key.
    pub if_exist: bool,
    pub key: String,
    /// OR-ed policy values.
    pub values: Vec<String>,
}

impl Operator {
    /// Parses `[qualifier:]operator[_if_exist]` in the CAM or AWS spelling.
    pub fn parse(name: &str) -> Option<(Operator, Qualifier, bool)> {
        let (qualifier, rest) = match name.split_once(':') {
            Some((q, r)) => {
                let q = match q {
                    "for_any_value" | "ForAnyValue" => Qualifier::ForAnyValue,
                    "for_all_value" | "ForAllValues" => Qualifier::ForAllValue,
                    _ => return None,
                };
                (q, r)
            }
            None => (Qualifier::Single, name),
        };
        let (base, if_exist) = if let Some(b) = rest
            .strip_suffix("_if_exist")
            .or_else(|| rest.strip_suffix("_if_exists"))
        {
            (b, true)
        } else if let Some(b) = rest.strip_suffix("IfExists") {
            (b, true)
        } else {
            (rest, false)
        };
        NAMES
            .iter()
            .chain(AWS_NAMES)
            .find(|(n, _)| *n == base)
            .map(|(_, op)| (*op, qualifier, if_exist))
    }

    /// Negated operators hold when no policy value matches.
    fn negated(self) -> bool {
        matches!(
            self,
            Operator::StringNotEqual
                | Operator::StringNotEqualIgnoreCase
                | Operator::StringNotLike
                | Operator::NumericNotEqual
                | Operator::DateNotEqual
                | Operator::IpNotEqual
        )
    }

    /// The positive test of one request value against one policy value (`aws`: `?` is a
    /// wildcard in `StringLike`).
    fn positive(self, req: &str, pol: &str, aws: bool) -> bool {
        use Operator::*;
        match self {
            StringEqual | StringNotEqual => req == pol,
            StringEqualIgnoreCase | StringNotEqualIgnoreCase => {
                req.to_lowercase() == pol.to_lowercase()
            }
            StringLike | StringNotLike if aws => glob::matches_aws(pol, req),
            StringLike | StringNotLike => glob::matches(pol, req),
            NumericEqual | NumericNotEqual => num(req, pol, |a, b| a == b),
            NumericGreaterThan => num(req, pol, |a, b| a > b),
            NumericGreaterThanEqual => num(req, pol, |a, b| a >= b),
            NumericLessThan => num(req, pol, |a, b| a < b),
            NumericLessThanEqual => num(req, pol, |a, b| a <= b),
            BoolEqual => req.trim().eq_ignore_ascii_case(pol.trim()),
            DateEqual | DateNotEqual => date(req, pol, |a, b| a == b),
            DateGreaterThan => date(req, pol, |a, b| a > b),
            DateGreaterThanEqual => date(req, pol, |a, b| a >= b),
            DateLessThan => date(req, pol, |a, b| a < b),
            DateLessThanEqual => date(req, pol, |a, b| a <= b),
            IpEqual | IpNotEqual => ip(req, pol),
            // Decided on presence alone (`Condition::holds_aws`).
            Null => false,
        }
    }

    /// Whether a policy value is well-formed for this operator (checked at ingestion).
    pub fn valid_value(self, v: &str) -> bool {
        use Operator::*;
        match self {
            NumericEqual
            | NumericNotEqual
            | NumericGreaterThan
            | NumericGreaterThanEqual
            | NumericLessThan
            | NumericLessThanEqual => v.trim().parse::<f64>().is_ok(),
            BoolEqual | Null => matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "false"),
            DateEqual | DateNotEqual | DateGreaterThan | DateGreaterThanEqual | DateLessThan
            | DateLessThanEqual => parse_date(v).is_some(),
            IpEqual | IpNotEqual => parse_net(v).is_some(),
            _ => true,
        }
    }
}

fn num(req: &str, pol: &str, f: impl Fn(f64, f64) -> bool) -> bool {
    match (req.trim().parse::<f64>(), pol.trim().parse::<f64>()) {
        (Ok(a), Ok(b)) => f(a, b),
        _ => false,
    }
}

fn parse_date(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s.trim(), &time::format_description::well_known::Rfc3339).ok()
}

fn date(
    req: &str,
    pol: &str,
    f: impl Fn(time::OffsetDateTime, time::OffsetDateTime) -> bool,
) -> bool {
    match (parse_date(req), parse_date(pol)) {
        (Some(a), Some(b)) => f(a, b),
        _ => false,
    }
}

fn parse_net(s: &str) -> Option<IpNet> {
    let s = s.trim();
    s.parse::<IpNet>()
        .ok()
        .or_else(|| s.parse::<IpAddr>().ok().map(IpNet::from))
}

fn ip(req: &str, pol: &str) -> bool {
    match (req.trim().parse::<IpAddr>(), parse_net(pol)) {
        (Ok(a), Some(net)) => net.contains(&a),
        _ => false,
    }
}

impl Condition {
    /// Evaluates against the request's values for `self.key` (`None` when absent).
    pub fn holds(&self, request: Option<&[String]>) -> bool {
        let vals = match request {
            None | Some([]) => {
                return self.if_exist || self.qualifier == Qualifier::ForAllValue;
            }
            Some(v) => v,
        };
        self.compare(vals, false)
    }

    /// Evaluates as AWS does: a missing key fails a condition, except that negated operators
    /// (`StringNotEquals`, `NotIpAddress`, ...) and `ForAllValues:` hold without it, `...IfExists`
    /// holds without it, and `Null` tests presence alone.
    pub fn holds_aws(&self, request: Option<&[String]>) -> bool {
        let vals = request.filter(|v| !v.is_empty());
        if self.operator == Operator::Null {
            let absent = vals.is_none();
            return self
                .values
                .iter()
                .any(|v| v.trim().eq_ignore_ascii_case("true") == absent);
        }
        match vals {
            None => {
                self.if_exist
                    || match self.qualifier {
                        Qualifier::ForAllValue => true,
                        Qualifier::ForAnyValue => false,
                        Qualifier::Single => self.operator.negated(),
                    }
            }
            Some(v) => self.compare(v, true),
        }
    }

    fn compare(&self, vals: &[String], aws: bool) -> bool {
        let one = |v: &String| {
            let any = self
                .values
                .iter()
                .any(|p| self.operator.positive(v, p, aws));
            if self.operator.negated() {
                !any
            } else {
                any
            }
        };
        match self.qualifier {
            Qualifier::Single | Qualifier::ForAnyValue => vals.iter().any(one),
            Qualifier::ForAllValue => vals.iter().all(one),
        }
    }
}
