//! Table tests: parsing and validation (every refusal with its S3 code), the GET rendering,
//! the due time and the decision for one version.

use super::decide::{abort_due, due, due_at, Due, Version};
use super::xml::{parse, to_xml};
use super::*;

fn doc(rules: &str) -> String {
    format!("<LifecycleConfiguration>{rules}</LifecycleConfiguration>")
}

fn rule(id: &str, filter: &str, actions: &str) -> String {
    format!("<Rule><ID>{id}</ID>{filter}<Status>Enabled</Status>{actions}</Rule>")
}

fn parse_str(xml: &str) -> Result<LifecycleConfig, LifecycleError> {
    let mut n = 0;
    parse(xml.as_bytes(), &mut || {
        n += 1;
        format!("generated-{n}")
    })
}

const EXP1: &str = "<Expiration><Days>1</Days></Expiration>";

#[test]
fn every_element_round_trips_through_get() {
    let full = doc(&[
        "<Rule><ID>all</ID><Filter><And><Prefix>logs/</Prefix><Tag><Key>k</Key><Value>v</Value></Tag><Tag><Key>k2</Key><Value></Value></Tag><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>1000</ObjectSizeLessThan></And></Filter><Status>Enabled</Status>",
        "<Transition><Days>30</Days><StorageClass>STANDARD_IA</StorageClass></Transition>",
        "<Transition><Days>90</Days><StorageClass>ARCHIVE</StorageClass></Transition>",
        "<NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>STANDARD_IA</StorageClass><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionTransition>",
        "<Expiration><Days>365</Days></Expiration>",
        "<NoncurrentVersionExpiration><NoncurrentDays>10</NoncurrentDays><NewerNoncurrentVersions>3</NewerNoncurrentVersions></NoncurrentVersionExpiration>",
        "</Rule>",
        "<Rule><ID>legacy</ID><Prefix>old/</Prefix><Status>Disabled</Status><Expiration><Date>2030-01-01T00:00:00.000Z</Date></Expiration></Rule>",
        "<Rule><ID>marker</ID><Filter><Prefix></Prefix></Filter><Status>Enabled</Status><Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration><AbortIncompleteMultipartUpload><DaysAfterInitiation>7</DaysAfterInitiation></AbortIncompleteMultipartUpload></Rule>",
        "<Rule><ID>tag</ID><Filter><Tag><Key>t</Key><Value>1</Value></Tag></Filter><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>",
        "<Rule><ID>big</ID><Filter><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></Filter><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>",
        "<Rule><ID>small</ID><Filter><ObjectSizeLessThan>100</ObjectSizeLessThan></Filter><Status>Enabled</Status><Expiration><Days>2</Days></Expiration></Rule>",
        "<Rule><ID>empty</ID><Filter></Filter><Status>Enabled</Status><Transition><Date>2031-06-01T00:00:00Z</Date><StorageClass>DEEP_ARCHIVE</StorageClass></Transition></Rule>",
    ].concat());
    let c = parse_str(&full).unwrap();
    assert_eq!(c.rules.len(), 7);
    let all = &c.rules[0];
    assert!(all.and && all.enabled && !all.legacy_prefix);
    assert_eq!(all.filter.tags.len(), 2);
    assert_eq!(
        (all.filter.size_gt, all.filter.size_lt),
        (Some(10), Some(1000))
    );
    assert!(c.rules[1].legacy_prefix && !c.rules[1].enabled);
    assert_eq!(c.rules[2].abort_days, Some(7));
    // GET answers the same configuration, and answers it again unchanged.
    let xml = to_xml(&c);
    assert_eq!(parse_str(&xml).unwrap(), c);
    assert_eq!(to_xml(&parse_str(&xml).unwrap()), xml);
    assert!(
        xml.contains("<Prefix>old/</Prefix><Status>Disabled</Status>"),
        "{xml}"
    );
    assert!(
        xml.contains("<Date>2030-01-01T00:00:00.000Z</Date>"),
        "{xml}"
    );
    assert!(
        xml.contains("<Filter></Filter>") || xml.contains("<Filter/>"),
        "{xml}"
    );
}

#[test]
fn rules_without_an_id_get_one_and_boto3_namespaces_parse() {
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?><LifecycleConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Rule><Filter><Prefix>a</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule><Rule><ID></ID><Filter><Prefix>b</Prefix></Filter><Status>Enabled</Status><Expiration><Days>1</Days></Expiration></Rule></LifecycleConfiguration>"#;
    let c = parse_str(xml).unwrap();
    assert_eq!(c.rules[0].id, "generated-1");
    assert_eq!(c.rules[1].id, "generated-2");
    // A bare date is its midnight.
    let c = parse_str(&doc(&rule(
        "d",
        "<Filter/>",
        "<Expiration><Date>2030-01-01</Date></Expiration>",
    )))
    .unwrap();
    assert_eq!(
        c.rules[0].expiration.as_ref().unwrap().when,
        Some(When::Date(1_893_456_000_000))
    );
}

#[test]
fn refused_configurations_answer_s3s_errors() {
    use LifecycleError as E;
    let m = |s: &str| E::MalformedXml(s.into());
    let a = |s: &str| E::InvalidArgument(s.into());
    let r = |s: &str| E::InvalidRequest(s.into());
    let too_long = "x".repeat(256);
    let many: String = (0..1001)
        .map(|i| rule(&format!("r{i}"), "<Filter/>", EXP1))
        .collect();
    let cases: Vec<(String, LifecycleError)> = vec![
        ("<NotLifecycle/>".into(), m("")),
        ("<LifecycleConfiguration".into(), m("")),
        (doc(""), m("")),
        (many.clone(), m("")),
        (doc(&many), m("")),
        (doc("<Rule><ID>s</ID><Filter/><Status>On</Status><Expiration><Days>1</Days></Expiration></Rule>"), m("")),
        (doc("<Rule><ID>s</ID><Filter/><Expiration><Days>1</Days></Expiration></Rule>"), m("")),
        (doc(&rule("p", "<Prefix>a</Prefix><Filter/>", EXP1)), m("")),
        (doc(&rule("p", "", EXP1)), m("")),
        (doc(&rule("f", "<Filter><Prefix>a</Prefix><Tag><Key>k</Key><Value>v</Value></Tag></Filter>", EXP1)), m("")),
        (doc(&rule("f", "<Filter><Tag><Value>v</Value></Tag></Filter>", EXP1)), m("")),
        (doc(&rule("f", "<Filter><ObjectSizeGreaterThan>big</ObjectSizeGreaterThan></Filter>", EXP1)), m("")),
        (doc(&rule("d", "<Filter/>", "<Expiration><Days>x</Days></Expiration>")), m("")),
        (doc(&rule("d", "<Filter/>", "<Expiration></Expiration>")), m("")),
        (doc(&rule("d", "<Filter/>", "<Expiration><ExpiredObjectDeleteMarker>yes</ExpiredObjectDeleteMarker></Expiration>")), m("")),
        (doc(&rule("t", "<Filter/>", "<Transition><Days>1</Days></Transition>")), m("")),
        (doc(&rule("t", "<Filter/>", "<Transition><StorageClass>ARCHIVE</StorageClass></Transition>")), m("")),
        (doc(&rule("n", "<Filter/>", "<NoncurrentVersionExpiration></NoncurrentVersionExpiration>")), m("")),
        (doc(&rule("u", "<Filter/>", "<AbortIncompleteMultipartUpload></AbortIncompleteMultipartUpload>")), m("")),
        (doc(&rule(&too_long, "<Filter/>", EXP1)), a("ID length should not exceed allowed limit of 255")),
        (doc(&[rule("same", "<Filter/>", EXP1), rule("same", "<Filter/>", EXP1)].concat()), a("Rule ID must be unique. Found same ID for more than one rule")),
        (doc(&rule("d", "<Filter/>", "<Expiration><Days>0</Days></Expiration>")), a("'Days' for Expiration action must be a positive integer")),
        (doc(&rule("d", "<Filter/>", "<Expiration><Days>-1</Days></Expiration>")), a("'Days' for Expiration action must be a positive integer")),
        (doc(&rule("d", "<Filter/>", "<Expiration><Days>1</Days><Date>2030-01-01T00:00:00Z</Date></Expiration>")), a("Expiration action cannot have both Days and Date")),
        (doc(&rule("d", "<Filter/>", "<Expiration><Date>2030-01-01T12:00:00Z</Date></Expiration>")), a("'Date' must be at midnight GMT")),
        (doc(&rule("d", "<Filter/>", "<Expiration><Date>soon</Date></Expiration>")), a("Invalid date \"soon\": expected ISO 8601 midnight GMT")),
        (doc(&rule("d", "<Filter/>", "<Expiration><Days>1</Days><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>")), a("ExpiredObjectDeleteMarker cannot be specified with Days or Date in a Lifecycle Expiration Policy.")),
        (doc(&rule("d", "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>", "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>")), r("Delete marker cannot be specified with Tags.")),
        (doc(&rule("u", "<Filter><Tag><Key>k</Key><Value>v</Value></Tag></Filter>", "<AbortIncompleteMultipartUpload><DaysAfterInitiation>1</DaysAfterInitiation></AbortIncompleteMultipartUpload>")), r("AbortIncompleteMultipartUpload cannot be specified with Tags.")),
        (doc(&rule("u", "<Filter/>", "<AbortIncompleteMultipartUpload><DaysAfterInitiation>0</DaysAfterInitiation></AbortIncompleteMultipartUpload>")), a("'DaysAfterInitiation' for AbortIncompleteMultipartUpload action must be a positive integer")),
        (doc(&rule("none", "<Filter/>", "")), r("At least one action needs to be specified in a rule")),
        (doc(&rule("t", "<Filter/>", "<Transition><Days>1</Days><StorageClass>GLACIER_X</StorageClass></Transition>")), a("The storage class you specified is not valid for a transition: \"GLACIER_X\"")),
        (doc(&rule("t", "<Filter/>", "<Transition><Days>1</Days><StorageClass>STANDARD</StorageClass></Transition>")), a("The storage class you specified is not valid for a transition: \"STANDARD\"")),
        (doc(&rule("t", "<Filter/>", "<Transition><Days>1</Days><StorageClass>ARCHIVE</StorageClass></Transition><Transition><Days>2</Days><StorageClass>ARCHIVE</StorageClass></Transition>")), a("'StorageClass' must be different for 'Transition' actions in same 'Rule' with ID 't'")),
        (doc(&rule("t", "<Filter/>", "<Transition><Days>60</Days><StorageClass>STANDARD_IA</StorageClass></Transition><Transition><Days>30</Days><StorageClass>ARCHIVE</StorageClass></Transition>")), a("'Days' in the Transition action for StorageClass 'ARCHIVE' must be greater than 'Days' in the Transition action for StorageClass 'STANDARD_IA' for Rule 't'")),
        (doc(&rule("t", "<Filter/>", "<Transition><Days>1</Days><StorageClass>STANDARD_IA</StorageClass></Transition><Transition><Date>2030-01-01T00:00:00Z</Date><StorageClass>ARCHIVE</StorageClass></Transition>")), a("Found mixed 'Date' and 'Days' based Transition actions in lifecycle rule")),
        (doc(&rule("t", "<Filter/>", "<Transition><Days>30</Days><StorageClass>ARCHIVE</StorageClass></Transition><Expiration><Days>30</Days></Expiration>")), a("'Days' in the Expiration action for Rule 't' must be greater than 'Days' in the Transition action")),
        (doc(&rule("n", "<Filter/>", "<NoncurrentVersionExpiration><NoncurrentDays>0</NoncurrentDays></NoncurrentVersionExpiration>")), a("'NoncurrentDays' for NoncurrentVersionExpiration action must be a positive integer")),
        (doc(&rule("n", "<Filter/>", "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>0</NewerNoncurrentVersions></NoncurrentVersionExpiration>")), a("'NewerNoncurrentVersions' must be between 1 and 100")),
        (doc(&rule("n", "<Filter/>", "<NoncurrentVersionExpiration><NoncurrentDays>1</NoncurrentDays><NewerNoncurrentVersions>101</NewerNoncurrentVersions></NoncurrentVersionExpiration>")), a("'NewerNoncurrentVersions' must be between 1 and 100")),
        (doc(&rule("n", "<Filter/>", "<NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>ARCHIVE</StorageClass></NoncurrentVersionTransition><NoncurrentVersionExpiration><NoncurrentDays>5</NoncurrentDays></NoncurrentVersionExpiration>")), a("'NoncurrentDays' in NoncurrentVersionExpiration action for Rule 'n' must be greater than 'NoncurrentDays' in NoncurrentVersionTransition action")),
        (doc(&rule("n", "<Filter/>", "<NoncurrentVersionTransition><NoncurrentDays>5</NoncurrentDays><StorageClass>WARM</StorageClass></NoncurrentVersionTransition>")), a("The storage class you specified is not valid for a transition: \"WARM\"")),
        (doc(&rule("s", "<Filter><And><ObjectSizeGreaterThan>10</ObjectSizeGreaterThan><ObjectSizeLessThan>10</ObjectSizeLessThan></And></Filter>", EXP1)), a("ObjectSizeGreaterThan must be less than ObjectSizeLessThan")),
        (doc(&rule("s", "<Filter><And><Tag><Key>k</Key><Value>1</Value></Tag><Tag><Key>k</Key><Value>2</Value></Tag></And></Filter>", EXP1)), a("Duplicate Tag Keys are not allowed.")),
        (doc(&[rule("a", "<Prefix>logs/</Prefix>", EXP1), rule("b", "<Prefix>logs/2024</Prefix>", EXP1)].concat()), a("Found overlapping prefixes 'logs/' and 'logs/2024' for same action type 'Expiration'")),
    ];
    for (xml, want) in cases {
        let got = parse_str(&xml).expect_err(&xml[..xml.len().min(300)]);
        match (&want, &got) {
            // Schema errors carry the parser's detail; their code is the point.
            (E::MalformedXml(_), E::MalformedXml(_)) => {}
            _ => assert_eq!(got, want, "{}", &xml[..xml.len().min(300)]),
        }
    }
    // Overlapping prefixes are fine for different actions, and for <Filter> rules.
    let ok = [
        doc(&[
            rule("a", "<Prefix>logs/</Prefix>", EXP1),
            rule("b", "<Prefix>logs/2024</Prefix>", "<Transition><Days>1</Days><StorageClass>ARCHIVE</StorageClass></Transition>"),
        ].concat()),
        doc(&[
            rule("a", "<Filter><Prefix>logs/</Prefix></Filter>", EXP1),
            rule("b", "<Filter><Prefix>logs/2024</Prefix></Filter>", EXP1),
        ].concat()),
        doc(&rule("t", "<Filter/>", "<Transition><Days>0</Days><StorageClass>STANDARD_IA</StorageClass></Transition><Transition><Days>30</Days><StorageClass>ARCHIVE</StorageClass></Transition><Expiration><Days>31</Days></Expiration>")),
    ];
    for xml in ok {
        parse_str(&xml).unwrap();
    }
}

#[test]
fn due_times_round_up_to_midnight_only_at_s3s_day_length() {
    const D: i64 = 86_400_000;
    // (start, days, day_secs, due)
    let cases = [
        (0, 1, 86_400, D),
        (1, 1, 86_400, 2 * D),
        (D - 1, 1, 86_400, 2 * D),
        (D + 5, 2, 86_400, 4 * D),
        (5_000, 1, 10, 15_000),
        (5_000, 3, 10, 35_000),
        (5_000, 1, 1, 6_000),
    ];
    for (start, days, secs, want) in cases {
        assert_eq!(due_at(start, days, secs), want, "{start} {days} {secs}");
    }
}

fn cfg(rules: &str) -> LifecycleConfig {
    parse_str(&doc(rules)).unwrap()
}

fn v<'a>(key: &'a str, tags: &'a [(String, String)]) -> Version<'a> {
    Version {
        key,
        size: 50,
        tags,
        created_ms: 0,
        noncurrent_since_ms: None,
        newer_noncurrent: 0,
        delete_marker: false,
        sole: true,
        storage_class: "STANDARD",
    }
}

#[test]
fn the_due_action_follows_filters_times_and_precedence() {
    let tags = vec![("team".to_string(), "a".to_string())];
    let none: Vec<(String, String)> = Vec::new();
    let day = 10u64;
    let c = cfg(&[
        rule("exp", "<Filter><Prefix>tmp/</Prefix></Filter>", "<Expiration><Days>2</Days></Expiration>"),
        rule("ia", "<Filter><Prefix>tmp/</Prefix></Filter>", "<Transition><Days>1</Days><StorageClass>STANDARD_IA</StorageClass></Transition>"),
        rule("arch", "<Filter><Prefix>tmp/</Prefix></Filter>", "<Transition><Days>1</Days><StorageClass>ARCHIVE</StorageClass></Transition>"),
        rule("tag", "<Filter><Tag><Key>team</Key><Value>a</Value></Tag></Filter>", EXP1),
        rule("big", "<Filter><And><Prefix>big/</Prefix><ObjectSizeGreaterThan>100</ObjectSizeGreaterThan></And></Filter>", EXP1),
        "<Rule><ID>off</ID><Filter><Prefix>off/</Prefix></Filter><Status>Disabled</Status><Expiration><Days>1</Days></Expiration></Rule>".to_string(),
        rule("nc", "<Filter><Prefix>nc/</Prefix></Filter>", "<NoncurrentVersionTransition><NoncurrentDays>1</NoncurrentDays><StorageClass>ARCHIVE</StorageClass></NoncurrentVersionTransition><NoncurrentVersionExpiration><NoncurrentDays>3</NoncurrentDays><NewerNoncurrentVersions>2</NewerNoncurrentVersions></NoncurrentVersionExpiration>"),
        rule("m", "<Filter><Prefix>m/</Prefix></Filter>", "<Expiration><ExpiredObjectDeleteMarker>true</ExpiredObjectDeleteMarker></Expiration>"),
    ].concat());
    let at =
        |ver: Version<'_>, now: i64| due(&c, &ver, now, day).map(|(d, id)| (d, id.to_string()));
    let t = |class: &str, id: &str| Some((Due::Transition(class.into()), id.to_string()));
    // Before a day: nothing; after one: the coldest transition; after two: expiration.
    assert_eq!(at(v("tmp/a", &none), 9_999), None);
    assert_eq!(at(v("tmp/a", &none), 10_000), t("ARCHIVE", "arch"));
    assert_eq!(
        at(v("tmp/a", &none), 20_000),
        Some((Due::Expire, "exp".into()))
    );
    // Already as cold or colder: no transition back.
    let archived = Version {
        storage_class: "DEEP_ARCHIVE",
        ..v("tmp/a", &none)
    };
    assert_eq!(at(archived, 15_000), None);
    let ia = Version {
        storage_class: "STANDARD_IA",
        ..v("tmp/a", &none)
    };
    assert_eq!(at(ia, 15_000), t("ARCHIVE", "arch"));
    // Tag and size filters.
    assert_eq!(at(v("x", &tags), 10_000), Some((Due::Expire, "tag".into())));
    assert_eq!(at(v("x", &none), 10_000), None);
    assert_eq!(at(v("big/a", &none), 10_000), None);
    let big = Version {
        size: 101,
        ..v("big/a", &none)
    };
    assert_eq!(at(big, 10_000), Some((Due::Expire, "big".into())));
    // Disabled rules never act.
    assert_eq!(at(v("off/a", &none), 1_000_000), None);
    // Noncurrent versions: counted from when they became noncurrent; the newest two kept.
    let nc = |newer: usize, since: i64| Version {
        noncurrent_since_ms: Some(since),
        newer_noncurrent: newer,
        ..v("nc/a", &none)
    };
    assert_eq!(at(nc(0, 100_000), 109_999), None);
    assert_eq!(at(nc(0, 100_000), 110_000), t("ARCHIVE", "nc"));
    assert_eq!(at(nc(1, 100_000), 200_000), t("ARCHIVE", "nc"));
    assert_eq!(
        at(nc(2, 100_000), 130_000),
        Some((Due::DeleteVersion, "nc".into()))
    );
    // The current version is not touched by noncurrent rules.
    assert_eq!(at(v("nc/a", &none), 1_000_000), None);
    // Delete markers: a sole current one is removed; one with versions behind it is not.
    let marker = Version {
        delete_marker: true,
        size: 0,
        ..v("m/a", &none)
    };
    assert_eq!(at(marker, 0), Some((Due::RemoveMarker, "m".into())));
    assert_eq!(
        at(
            Version {
                sole: false,
                ..marker
            },
            0
        ),
        None
    );
    // A noncurrent marker goes with noncurrent expiration.
    let old_marker = Version {
        delete_marker: true,
        ..nc(2, 0)
    };
    assert_eq!(
        at(old_marker, 30_000),
        Some((Due::DeleteVersion, "nc".into()))
    );
}

#[test]
fn dates_apply_from_midnight_and_uploads_abort_after_their_days() {
    let c = cfg(&[
        rule("date", "<Filter/>", "<Expiration><Date>1970-01-02T00:00:00Z</Date></Expiration>"),
        rule("mpu", "<Filter><Prefix>up/</Prefix></Filter>", "<AbortIncompleteMultipartUpload><DaysAfterInitiation>2</DaysAfterInitiation></AbortIncompleteMultipartUpload>"),
    ].concat());
    let none: Vec<(String, String)> = Vec::new();
    assert_eq!(due(&c, &v("k", &none), 86_399_999, 86_400), None);
    assert_eq!(
        due(&c, &v("k", &none), 86_400_000, 86_400).map(|(d, _)| d),
        Some(Due::Expire)
    );
    assert_eq!(abort_due(&c, "up/x", 1_000, 20_999, 10), None);
    assert_eq!(abort_due(&c, "up/x", 1_000, 21_000, 10), Some("mpu"));
    assert_eq!(abort_due(&c, "other", 1_000, 99_000, 10), None);
}
