use super::*;

const NOW: i64 = 1_700_000_000_000;

#[test]
fn lock_configuration_documents() {
    let ok = [
        ("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled></ObjectLockConfiguration>", None),
        ("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>3</Days></DefaultRetention></Rule></ObjectLockConfiguration>",
            Some(DefaultRetention { mode: LockMode::Governance, days: Some(3), years: None })),
        ("<ObjectLockConfiguration xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>COMPLIANCE</Mode><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>",
            Some(DefaultRetention { mode: LockMode::Compliance, days: None, years: Some(1) })),
    ];
    for (doc, want) in ok {
        let c = parse_config(doc.as_bytes()).unwrap();
        assert_eq!(c.default, want, "{doc}");
        assert_eq!(parse_config(render_config(&c).as_bytes()).unwrap(), c);
    }
    let bad = [
        ("<ObjectLockConfiguration/>", "malformed"),
        ("<ObjectLockConfiguration><ObjectLockEnabled>Disabled</ObjectLockEnabled></ObjectLockConfiguration>", "malformed"),
        ("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>SOFT</Mode><Days>3</Days></DefaultRetention></Rule></ObjectLockConfiguration>", "malformed"),
        ("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>3</Days><Years>1</Years></DefaultRetention></Rule></ObjectLockConfiguration>", "malformed"),
        ("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode></DefaultRetention></Rule></ObjectLockConfiguration>", "malformed"),
        ("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>0</Days></DefaultRetention></Rule></ObjectLockConfiguration>", "period"),
        ("<ObjectLockConfiguration><ObjectLockEnabled>Enabled</ObjectLockEnabled><Rule><DefaultRetention><Mode>GOVERNANCE</Mode><Days>-2</Days></DefaultRetention></Rule></ObjectLockConfiguration>", "period"),
    ];
    for (doc, kind) in bad {
        let got = parse_config(doc.as_bytes());
        let ok = match kind {
            "malformed" => matches!(got, Err(LockError::Malformed(_))),
            "period" => matches!(got, Err(LockError::Period(_))),
            _ => matches!(got, Err(LockError::Invalid(_))),
        };
        assert!(ok, "{doc}: {got:?}");
    }
}

#[test]
fn default_retention_counts_from_the_write() {
    let d = DefaultRetention {
        mode: LockMode::Governance,
        days: Some(2),
        years: None,
    };
    assert_eq!(d.from(NOW).until_ms, NOW + 2 * DAY_MS);
    let y = DefaultRetention {
        mode: LockMode::Compliance,
        days: None,
        years: Some(1),
    };
    assert_eq!(y.from(NOW).until_ms, NOW + 365 * DAY_MS);
}

#[test]
fn retention_documents_and_dates() {
    let r = parse_retention(b"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2030-01-01T00:00:00.000Z</RetainUntilDate></Retention>", NOW).unwrap().unwrap();
    assert_eq!(r.mode, LockMode::Compliance);
    assert_eq!(r.until_ms, 1_893_456_000_000);
    assert_eq!(
        parse_retention(render_retention(&r).as_bytes(), NOW).unwrap(),
        Some(r)
    );
    assert_eq!(parse_retention(b"<Retention/>", NOW).unwrap(), None);
    assert!(matches!(parse_retention(b"<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>2001-01-01T00:00:00Z</RetainUntilDate></Retention>", NOW), Err(LockError::Invalid(_))));
    assert!(matches!(
        parse_retention(b"<Retention><Mode>governance</Mode><RetainUntilDate>2030-01-01T00:00:00Z</RetainUntilDate></Retention>", NOW),
        Err(LockError::Malformed(_))
    ));
    assert!(matches!(
        parse_retention(b"<Retention><Mode>COMPLIANCE</Mode></Retention>", NOW),
        Err(LockError::Malformed(_))
    ));
    assert!(matches!(
        retention("GOVERNANCE", "tomorrow", NOW),
        Err(LockError::Invalid(_))
    ));
    assert_eq!(
        parse_legal_hold(b"<LegalHold><Status>ON</Status></LegalHold>"),
        Ok(true)
    );
    assert_eq!(
        parse_legal_hold(render_legal_hold(false).as_bytes()),
        Ok(false)
    );
    assert!(parse_legal_hold(b"<LegalHold><Status>on</Status></LegalHold>").is_err());
}

#[test]
fn what_protects_a_version() {
    let gov = Retention {
        mode: LockMode::Governance,
        until_ms: NOW + 1,
    };
    let comp = Retention {
        mode: LockMode::Compliance,
        until_ms: NOW + 1,
    };
    let expired = Retention {
        mode: LockMode::Compliance,
        until_ms: NOW,
    };
    let cases = [
        (None, false, Protection::None),
        (None, true, Protection::Locked),
        (Some(gov), false, Protection::Governance),
        (Some(gov), true, Protection::Locked),
        (Some(comp), false, Protection::Locked),
        (Some(expired), false, Protection::None),
    ];
    for (r, hold, want) in cases {
        assert_eq!(protection(r.as_ref(), hold, NOW), want, "{r:?} {hold}");
    }
}

#[test]
fn which_retention_changes_need_the_bypass() {
    let at = |mode, d: i64| Retention {
        mode,
        until_ms: NOW + d * DAY_MS,
    };
    use LockMode::*;
    let cases = [
        (
            Some(at(Compliance, 2)),
            Some(at(Compliance, 3)),
            RetentionChange::Allowed,
        ),
        (
            Some(at(Compliance, 2)),
            Some(at(Compliance, 1)),
            RetentionChange::Forbidden,
        ),
        (
            Some(at(Compliance, 2)),
            Some(at(Governance, 5)),
            RetentionChange::Forbidden,
        ),
        (Some(at(Compliance, 2)), None, RetentionChange::Forbidden),
        (
            Some(at(Governance, 2)),
            Some(at(Governance, 3)),
            RetentionChange::Allowed,
        ),
        (
            Some(at(Governance, 2)),
            Some(at(Governance, 1)),
            RetentionChange::NeedsBypass,
        ),
        (Some(at(Governance, 2)), None, RetentionChange::NeedsBypass),
        (
            Some(at(Governance, 2)),
            Some(at(Compliance, 2)),
            RetentionChange::Allowed,
        ),
        (Some(at(Compliance, -1)), None, RetentionChange::Allowed),
        (None, Some(at(Governance, 1)), RetentionChange::Allowed),
    ];
    for (old, new, want) in cases {
        assert_eq!(
            retention_change(old.as_ref(), new.as_ref(), NOW),
            want,
            "{old:?} -> {new:?}"
        );
    }
}
