//! The seed's condition-key policies (002:3417-3567) as bucket policies of `L` for sub-account
//! 100000000002, evaluated at the injected clock's 2022-11-01T12:00:00Z.

use crate::common::*;
use crate::support::*;

const SUB: &str = "100000000002";
const SUB_ID: &str = "AKIDsublockconditions00000000002";
const SUB_KEY: &str = "subLockConditionsSecret000000002";
const NOW: &str = "2022-11-01T12:00:00Z";

/// Sets the server's clock (shared with the q-sign clients) to `at` at the start of a
/// wall-clock second: the requests that follow within the second see exactly `at`.
async fn set_clock(c: &Client, at: &str) {
    at_start_of_second().await;
    let real = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64;
    c.clock.set_offset_secs(parse_iso(at) - real);
    assert_eq!(c.now(), parse_iso(at));
}

async fn set_policy(c: &Client, condition: &str) {
    let doc = format!(
        r#"{{"version":"2.0","statement":[{{"action":["name/cos:PutObject","name/cos:InitiateMultipartUpload","name/cos:PutObjectRetention"],"effect":"allow","principal":{{"qcs":["qcs::cam::uin/100000000001:uin/{SUB}"]}},"resource":["qcs::cos:{REGION}:uid/1250000000:{L}/*"],"condition":{condition}}}]}}"#
    );
    let r = c
        .send(
            Req::new("PUT", Some(L), "")
                .q("policy", "")
                .body(doc.into_bytes()),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
}

async fn start_2022() -> (TestServer, Client, Client) {
    let server = TestServer::start().await;
    let c = server.client();
    server.clock.set_offset_secs(parse_iso(NOW) - now(&c));
    let r = c
        .send(Req::new("PUT", Some(L), "").h("x-cos-bucket-object-lock-enabled", "true"))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
    let sub = Client {
        sid: SUB_ID.into(),
        skey: SUB_KEY.into(),
        ..c.clone()
    };
    (server, c, sub)
}

/// The status of an answer that must be 200 or 403 AccessDenied.
fn allowed_or_denied(r: Resp) -> u16 {
    assert!(
        r.status == 200 || r.code() == "AccessDenied",
        "{}",
        r.text()
    );
    r.status
}

/// PutObject with the lock headers (none when `mode` is empty).
async fn put_with(who: &Client, key: &str, mode: &str, until: &str) -> u16 {
    let mut r = Req::new("PUT", Some(L), key).body(b"x".to_vec());
    if !mode.is_empty() {
        r = r
            .h("x-cos-object-lock-mode", mode)
            .h("x-cos-object-lock-retain-until-date", until);
    }
    let r = who.send(r).await;
    allowed_or_denied(r)
}

async fn initiate_with(who: &Client, key: &str, mode: &str, until: &str) -> u16 {
    let r = who
        .send(
            Req::new("POST", Some(L), key)
                .q("uploads", "")
                .h("x-cos-object-lock-mode", mode)
                .h("x-cos-object-lock-retain-until-date", until),
        )
        .await;
    allowed_or_denied(r)
}

async fn put_retention(who: &Client, key: &str, version: &str, mode: &str, until: &str) -> u16 {
    let body = format!(
        "<Retention><Mode>{mode}</Mode><RetainUntilDate>{until}</RetainUntilDate></Retention>"
    );
    let r = who
        .send(xml_put(L, key, "retention", &body).q("versionId", version))
        .await;
    allowed_or_denied(r)
}

/// A version of `key` without retention, written by the root account (so that setting one
/// is never a shortening).
async fn root_version(c: &Client, key: &str) -> String {
    let r = c
        .send(Req::new("PUT", Some(L), key).body(b"root".to_vec()))
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    r.header("x-cos-version-id").unwrap().to_string()
}

#[tokio::test]
async fn object_lock_mode_allows_compliance_only() {
    let (server, c, sub) = start_2022().await;
    set_policy(
        &c,
        r#"{"string_equal":{"cos:object-lock-mode":"COMPLIANCE"}}"#,
    )
    .await;
    let v = root_version(&c, "r").await;
    set_clock(&c, NOW).await;
    let until = "2022-11-10T00:00:00Z";
    assert_eq!(put_with(&sub, "a", "COMPLIANCE", until).await, 200);
    assert_eq!(put_with(&sub, "b", "GOVERNANCE", until).await, 403);
    assert_eq!(put_with(&sub, "c", "", "").await, 403, "no mode: no match");
    assert_eq!(initiate_with(&sub, "m", "COMPLIANCE", until).await, 200);
    assert_eq!(initiate_with(&sub, "n", "GOVERNANCE", until).await, 403);
    assert_eq!(put_retention(&sub, "r", &v, "GOVERNANCE", until).await, 403);
    assert_eq!(put_retention(&sub, "r", &v, "COMPLIANCE", until).await, 200);
    server.stop().await;
}

#[tokio::test]
async fn remaining_retention_days_follow_the_seeds_table() {
    let (server, c, sub) = start_2022().await;
    // (operator, retain-until, allowed) at 2022-11-01T12:00:00Z: the seed's closed
    // intervals and the seconds just outside them.
    let table: &[(&str, &[(&str, bool)])] = &[
        (
            "numeric_equal",
            &[
                ("2022-11-04T11:59:59Z", false),
                ("2022-11-04T12:00:00Z", true),
                ("2022-11-05T11:59:59Z", true),
                ("2022-11-05T12:00:00Z", false),
            ],
        ),
        (
            "numeric_greater_than",
            &[
                ("2022-11-05T11:59:59Z", false),
                ("2022-11-05T12:00:00Z", true),
                ("2023-11-05T12:00:00Z", true),
            ],
        ),
        (
            "numeric_less_than",
            &[
                ("2022-11-01T12:00:01Z", true),
                ("2022-11-04T11:59:59Z", true),
                ("2022-11-04T12:00:00Z", false),
            ],
        ),
    ];
    for (i, (op, cases)) in table.iter().enumerate() {
        set_policy(
            &c,
            &format!(r#"{{"{op}":{{"cos:object-lock-remaining-retention-days":3}}}}"#),
        )
        .await;
        // PutObject headers.
        set_clock(&c, NOW).await;
        for (j, (until, allowed)) in cases.iter().enumerate() {
            let status = put_with(&sub, &format!("p{i}-{j}"), "GOVERNANCE", until).await;
            assert_eq!(status == 200, *allowed, "{op} 3, PutObject until {until}");
        }
        // InitiateMultipartUpload headers.
        set_clock(&c, NOW).await;
        for (j, (until, allowed)) in cases.iter().enumerate() {
            let status = initiate_with(&sub, &format!("m{i}-{j}"), "GOVERNANCE", until).await;
            assert_eq!(status == 200, *allowed, "{op} 3, Initiate until {until}");
        }
        // PutObjectRetention bodies, each on a fresh version (only extending).
        let mut versions = Vec::new();
        for j in 0..cases.len() {
            versions.push(root_version(&c, &format!("r{i}-{j}")).await);
        }
        set_clock(&c, NOW).await;
        for (j, (until, allowed)) in cases.iter().enumerate() {
            let status = put_retention(
                &sub,
                &format!("r{i}-{j}"),
                &versions[j],
                "GOVERNANCE",
                until,
            )
            .await;
            assert_eq!(
                status == 200,
                *allowed,
                "{op} 3, PutObjectRetention until {until}"
            );
        }
    }
    // The seed's worked examples: 2022-11-17T10:10:11 is 2 days from 2022-11-15T09:00:00
    // and 1 day from 2022-11-15T12:00:00.
    set_policy(
        &c,
        r#"{"numeric_equal":{"cos:object-lock-remaining-retention-days":2}}"#,
    )
    .await;
    set_clock(&c, "2022-11-15T09:00:00Z").await;
    assert_eq!(
        put_with(&sub, "ex1", "GOVERNANCE", "2022-11-17T10:10:11Z").await,
        200
    );
    set_clock(&c, "2022-11-15T12:00:00Z").await;
    assert_eq!(
        put_with(&sub, "ex2", "GOVERNANCE", "2022-11-17T10:10:11Z").await,
        403
    );
    server.stop().await;
}

#[tokio::test]
async fn retain_until_date_must_be_after_the_policys_date() {
    let (server, c, sub) = start_2022().await;
    set_policy(
        &c,
        r#"{"date_greater_than":{"cos:object-lock-retain-until-date":"2022-11-11T12:00:00Z"}}"#,
    )
    .await;
    let v = root_version(&c, "r").await;
    set_clock(&c, NOW).await;
    assert_eq!(
        put_with(&sub, "a", "GOVERNANCE", "2022-11-11T12:00:00Z").await,
        403
    );
    assert_eq!(
        put_with(&sub, "b", "GOVERNANCE", "2022-11-11T12:00:01Z").await,
        200
    );
    assert_eq!(
        put_with(&sub, "c", "COMPLIANCE", "2022-11-10T00:00:00Z").await,
        403
    );
    assert_eq!(put_with(&sub, "d", "", "").await, 403);
    assert_eq!(
        initiate_with(&sub, "m", "GOVERNANCE", "2022-11-12T00:00:00Z").await,
        200
    );
    assert_eq!(
        put_retention(&sub, "r", &v, "GOVERNANCE", "2022-11-05T00:00:00Z").await,
        403
    );
    assert_eq!(
        put_retention(&sub, "r", &v, "GOVERNANCE", "2022-11-12T00:00:00Z").await,
        200
    );
    server.stop().await;
}
