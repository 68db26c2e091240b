//! A strict enough reader of the OpenMetrics text a scrape returns: every line is a `# HELP`,
//! `# TYPE` or `# UNIT` line, a sample of a declared family, or the final `# EOF`; samples are
//! kept for look-ups by name and exact label set. (Prometheus itself parses it in
//! tests/sdk/test_metrics.py.)

use std::collections::{BTreeMap, HashSet};

pub struct Scrape {
    pub text: String,
    pub samples: Vec<(String, BTreeMap<String, String>, f64)>,
}

impl Scrape {
    pub fn parse(text: &str) -> Scrape {
        let mut families = HashSet::new();
        let mut samples = Vec::new();
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines.last(), Some(&"# EOF"), "no # EOF at the end");
        for line in &lines[..lines.len() - 1] {
            if let Some(meta) = line.strip_prefix("# ") {
                let mut parts = meta.splitn(3, ' ');
                let kind = parts.next().unwrap();
                let name = parts.next().unwrap_or_default();
                assert!(["HELP", "TYPE", "UNIT"].contains(&kind), "{line}");
                assert!(valid_name(name), "{line}");
                if kind == "TYPE" {
                    let t = parts.next().unwrap_or_default();
                    assert!(
                        ["counter", "gauge", "histogram", "info"].contains(&t),
                        "{line}"
                    );
                    families.insert(name.to_string());
                }
                continue;
            }
            let (name, labels, value) = sample(line);
            let family = ["_total", "_bucket", "_count", "_sum", "_created"]
                .iter()
                .find_map(|s| name.strip_suffix(s).filter(|f| families.contains(*f)))
                .unwrap_or(&name);
            assert!(families.contains(family), "undeclared family: {line}");
            samples.push((name.clone(), labels, value));
        }
        Scrape {
            text: text.to_string(),
            samples,
        }
    }

    /// The value of the sample `name` with exactly these labels.
    pub fn value(&self, name: &str, labels: &[(&str, &str)]) -> Option<f64> {
        let want: BTreeMap<String, String> = labels
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        self.samples
            .iter()
            .find(|(n, l, _)| n == name && *l == want)
            .map(|s| s.2)
    }

    /// The sum of every sample named `name`.
    pub fn sum(&self, name: &str) -> f64 {
        self.samples
            .iter()
            .filter(|s| s.0 == name)
            .map(|s| s.2)
            .sum()
    }
}

fn valid_name(n: &str) -> bool {
    !n.is_empty()
        && n.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
        && !n.starts_with(|c: char| c.is_ascii_digit())
}

/// `name{a="x",b="y"} value` or `name value`.
fn sample(line: &str) -> (String, BTreeMap<String, String>, f64) {
    let end = line.find(['{', ' ']).unwrap_or_else(|| panic!("{line}"));
    let name = &line[..end];
    assert!(valid_name(name), "{line}");
    let mut labels = BTreeMap::new();
    let mut rest = &line[end..];
    if let Some(mut r) = rest.strip_prefix('{') {
        loop {
            if let Some(after) = r.strip_prefix('}') {
                rest = after;
                break;
            }
            let eq = r.find("=\"").unwrap_or_else(|| panic!("{line}"));
            let key = &r[..eq];
            assert!(valid_name(key), "{line}");
            let mut value = String::new();
            let mut chars = r[eq + 2..].char_indices();
            let close = loop {
                match chars.next() {
                    Some((_, '\\')) => match chars.next() {
                        Some((_, 'n')) => value.push('\n'),
                        Some((_, c @ ('\\' | '"'))) => value.push(c),
                        other => panic!("bad escape {other:?}: {line}"),
                    },
                    Some((i, '"')) => break eq + 2 + i,
                    Some((_, c)) => value.push(c),
                    None => panic!("unterminated label value: {line}"),
                }
            };
            assert!(labels.insert(key.to_string(), value).is_none(), "{line}");
            r = &r[close + 1..];
            r = r.strip_prefix(',').unwrap_or(r);
        }
    }
    let value = rest.strip_prefix(' ').unwrap_or_else(|| panic!("{line}"));
    let value = value.split(' ').next().unwrap();
    let v = match value {
        "+Inf" => f64::INFINITY,
        "-Inf" => f64::NEG_INFINITY,
        v => v.parse().unwrap_or_else(|_| panic!("bad value: {line}")),
    };
    (name.to_string(), labels, v)
}
