use super::xml::{parse, to_xml};
use super::*;

const REGION: &str = "ap-guangzhou";

fn parse_with(body: &str) -> Result<NotificationConfig, NotifyConfigError> {
    let mut n = 0;
    parse(
        body.as_bytes(),
        REGION,
        &|id| id == "hook1" || id == "hook2",
        &mut || {
            n += 1;
            format!("gen{n}")
        },
    )
}

fn queue(id: &str, arn: &str, events: &[&str], filter: &str) -> String {
    let ev: String = events
        .iter()
        .map(|e| format!("<Event>{e}</Event>"))
        .collect();
    format!(
        "<QueueConfiguration><Id>{id}</Id><Queue>{arn}</Queue>{ev}{filter}</QueueConfiguration>"
    )
}

fn doc(inner: &str) -> String {
    format!("<NotificationConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">{inner}</NotificationConfiguration>")
}

fn filter(rules: &[(&str, &str)]) -> String {
    let r: String = rules
        .iter()
        .map(|(n, v)| format!("<FilterRule><Name>{n}</Name><Value>{v}</Value></FilterRule>"))
        .collect();
    format!("<Filter><S3Key>{r}</S3Key></Filter>")
}

const ARN: &str = "arn:cosd:sqs:ap-guangzhou:hook1:webhook";

#[test]
fn arns_name_configured_webhooks_in_this_region() {
    for (arn, want) in [
        ("arn:cosd:sqs:ap-guangzhou:hook1:webhook", Some("hook1")),
        ("arn:cosd:sqs::hook1:webhook", Some("hook1")),
        ("arn:minio:sqs::hook1:webhook", Some("hook1")),
        ("arn:cosd:sns::hook1:webhook", Some("hook1")),
        ("arn:cosd:sqs:ap-beijing:hook1:webhook", None),
        ("arn:aws:sqs:us-east-1:123456789012:queue", None),
        ("arn:cosd:sqs:::webhook", None),
        ("arn:cosd:sqs::hook1:kafka", None),
    ] {
        assert_eq!(parse_arn(arn, REGION), want, "{arn}");
    }
    assert_eq!(parse_arn(&arn_of("hook1", REGION), REGION), Some("hook1"));
}

#[test]
fn a_configuration_round_trips_through_get() {
    let body = doc(&format!(
        "{}{}",
        queue(
            "created",
            ARN,
            &["s3:ObjectCreated:*"],
            &filter(&[("prefix", "logs/"), ("Suffix", ".gz")])
        ),
        queue(
            "",
            "arn:cosd:sqs::hook2:webhook",
            &["s3:ObjectRemoved:Delete", "s3:LifecycleTransition"],
            ""
        )
    ));
    let c = parse_with(&body).unwrap();
    assert_eq!(c.rules.len(), 2);
    assert_eq!(c.rules[0].target, "hook1");
    assert_eq!(c.rules[0].prefix.as_deref(), Some("logs/"));
    assert_eq!(c.rules[0].suffix.as_deref(), Some(".gz"));
    assert_eq!(c.rules[1].id, "gen1");
    let again = parse_with(&to_xml(Some(&c))).unwrap();
    assert_eq!(again, c);
    assert!(to_xml(None).contains("<NotificationConfiguration></NotificationConfiguration>"));
    // The empty document removes the configuration.
    assert!(parse_with(&doc("")).unwrap().rules.is_empty());
}

#[test]
fn refusals_carry_s3s_codes() {
    use NotifyConfigError::*;
    let cases: Vec<(String, NotifyConfigError)> = vec![
        (
            doc(&queue(
                "a",
                "arn:cosd:sqs::nope:webhook",
                &["s3:ObjectCreated:*"],
                "",
            )),
            InvalidArgument(UNVALIDATED_DESTINATION.into()),
        ),
        (
            doc(&queue(
                "a",
                "arn:aws:sqs:us-east-1:1:q",
                &["s3:ObjectCreated:*"],
                "",
            )),
            InvalidArgument(UNVALIDATED_DESTINATION.into()),
        ),
        (
            doc(&queue("a", ARN, &["s3:ObjectCreated:Bogus"], "")),
            InvalidArgument(
                "The event is not supported for notifications: s3:ObjectCreated:Bogus".into(),
            ),
        ),
        (
            doc(&queue("a", ARN, &["s3:ObjectTagging:*"], "")),
            InvalidArgument("The event s3:ObjectTagging:* is not supported by this server".into()),
        ),
        (
            doc(&queue(
                "a",
                ARN,
                &["s3:ObjectCreated:*"],
                &filter(&[("infix", "x")]),
            )),
            InvalidArgument("filter rule name must be either prefix or suffix".into()),
        ),
        (
            doc(&queue(
                "a",
                ARN,
                &["s3:ObjectCreated:*"],
                &filter(&[("prefix", "a"), ("prefix", "b")]),
            )),
            InvalidArgument("Cannot specify more than one prefix rule in a filter.".into()),
        ),
        (
            doc(&queue("a", ARN, &[], "")),
            MalformedXml("Each configuration needs at least one Event".into()),
        ),
    ];
    for (body, want) in cases {
        assert_eq!(parse_with(&body), Err(want), "{body}");
    }
    assert!(matches!(parse_with("<Nope/>"), Err(MalformedXml(_))));
}

#[test]
fn overlapping_rules_of_one_target_are_refused() {
    let overlap = "Configurations overlap. Configurations on the same bucket cannot share a common event type.";
    let cases = [
        // Same events, prefixes one inside the other.
        (
            ("s3:ObjectCreated:*", "a/", ""),
            ("s3:ObjectCreated:Put", "a/b", ""),
            true,
        ),
        // Disjoint prefixes.
        (
            ("s3:ObjectCreated:*", "a/", ""),
            ("s3:ObjectCreated:Put", "b/", ""),
            false,
        ),
        // Disjoint suffixes.
        (
            ("s3:ObjectCreated:*", "", ".jpg"),
            ("s3:ObjectCreated:*", "", ".png"),
            false,
        ),
        // Nested suffixes.
        (
            ("s3:ObjectCreated:*", "", ".jpg"),
            ("s3:ObjectCreated:*", "", "x.jpg"),
            true,
        ),
        // No common event.
        (
            ("s3:ObjectCreated:*", "", ""),
            ("s3:ObjectRemoved:*", "", ""),
            false,
        ),
    ];
    for ((e1, p1, s1), (e2, p2, s2), refused) in cases {
        let f = |p: &str, s: &str| {
            let mut r = Vec::new();
            if !p.is_empty() {
                r.push(("prefix", p));
            }
            if !s.is_empty() {
                r.push(("suffix", s));
            }
            if r.is_empty() {
                String::new()
            } else {
                filter(&r)
            }
        };
        let body = doc(&format!(
            "{}{}",
            queue("one", ARN, &[e1], &f(p1, s1)),
            queue("two", ARN, &[e2], &f(p2, s2))
        ));
        let got = parse_with(&body);
        if refused {
            assert_eq!(
                got,
                Err(NotifyConfigError::InvalidArgument(overlap.into())),
                "{body}"
            );
        } else {
            assert!(got.is_ok(), "{body}: {got:?}");
        }
        // Another target may take the same events.
        let other = doc(&format!(
            "{}{}",
            queue("one", ARN, &[e1], &f(p1, s1)),
            queue("two", "arn:cosd:sqs::hook2:webhook", &[e2], &f(p2, s2))
        ));
        assert!(parse_with(&other).is_ok(), "{other}");
    }
}

#[test]
fn events_match_their_family_and_filters() {
    let c = parse_with(&doc(&format!(
        "{}{}",
        queue(
            "c",
            ARN,
            &["s3:ObjectCreated:*"],
            &filter(&[("prefix", "in/"), ("suffix", ".txt")])
        ),
        queue(
            "r",
            "arn:cosd:sqs::hook2:webhook",
            &[
                "s3:ObjectRemoved:DeleteMarkerCreated",
                "s3:LifecycleExpiration:*"
            ],
            ""
        )
    )))
    .unwrap();
    let targets =
        |e, k| -> Vec<String> { c.matching(e, k).iter().map(|r| r.target.clone()).collect() };
    assert_eq!(targets(EventName::CreatedPut, "in/a.txt"), ["hook1"]);
    assert_eq!(targets(EventName::CreatedAppend, "in/a.txt"), ["hook1"]);
    assert!(targets(EventName::CreatedPut, "in/a.bin").is_empty());
    assert!(targets(EventName::CreatedPut, "out/a.txt").is_empty());
    assert_eq!(targets(EventName::RemovedMarker, "x"), ["hook2"]);
    assert!(targets(EventName::RemovedDelete, "x").is_empty());
    assert_eq!(targets(EventName::ExpirationDelete, "x"), ["hook2"]);
    assert!(targets(EventName::Transition, "x").is_empty());
    assert!(pattern_matches(
        "s3:LifecycleTransition",
        EventName::Transition
    ));
    assert!(!pattern_matches(
        "s3:ObjectRestore:*",
        EventName::CreatedPost
    ));
    assert!(pattern_matches(
        "s3:ObjectRestore:*",
        EventName::RestorePost
    ));
}
