//! Archived objects and POST Object restore in the COS dialect, with the injected clock.

use crate::common::*;
use crate::support::*;

#[tokio::test]
async fn an_archived_object_answers_head_but_not_get_until_restored() {
    let (_s, c) = server().await;
    assert_eq!(
        put_class(&c, "cold", "ARCHIVE", b"frozen bytes")
            .await
            .status,
        200
    );
    let h = head(&c, "cold").await;
    assert_eq!(h.status, 200);
    assert_eq!(h.header("x-cos-storage-class"), Some("ARCHIVE"));
    assert_eq!(h.header("content-length"), Some("12"));
    assert_eq!(h.header("x-cos-restore"), None);
    assert_error(&c.get(B, "cold").await, 403, "InvalidObjectState");
    let ranged = c
        .send(Req::new("GET", Some(B), "cold").h("Range", "bytes=0-3"))
        .await;
    assert_error(&ranged, 403, "InvalidObjectState");
    // Copying from it reads it: refused too.
    let copy = c
        .send(Req::new("PUT", Some(B), "thawed").h(
            "x-cos-copy-source",
            &format!("{B}.cos.ap-guangzhou.myqcloud.com/cold"),
        ))
        .await;
    assert_error(&copy, 403, "InvalidObjectState");
    assert_eq!(head(&c, "thawed").await.status, 404);
    // So is Upload Part - Copy.
    let init = c
        .send(Req::new("POST", Some(B), "mp").q("uploads", ""))
        .await;
    let id = init.xml("UploadId").unwrap();
    let part = c
        .send(
            Req::new("PUT", Some(B), "mp")
                .q("partNumber", "1")
                .q("uploadId", &id)
                .h(
                    "x-cos-copy-source",
                    &format!("{B}.cos.ap-guangzhou.myqcloud.com/cold"),
                ),
        )
        .await;
    assert_error(&part, 403, "InvalidObjectState");
}

#[tokio::test]
async fn a_restore_is_accepted_runs_for_the_tier_delay_and_expires_after_its_days() {
    let (s, c) = server().await;
    put_class(&c, "cold", "ARCHIVE", b"frozen bytes").await;
    let first = restore(&c, "cold", 2, "Expedited").await;
    assert_eq!(first.status, 202, "{}", first.text());
    // While it runs: 409, HEAD says so, GET still refuses.
    assert_error(
        &restore(&c, "cold", 2, "Expedited").await,
        409,
        "RestoreAlreadyInProgress",
    );
    assert_eq!(
        head(&c, "cold").await.header("x-cos-restore"),
        Some("ongoing-request=\"true\"")
    );
    assert_error(&c.get(B, "cold").await, 403, "InvalidObjectState");

    // Expedited takes 2 s here; the copy then stays for 2 days of DAY_SECS.
    advance(&s, 3);
    let got = c.get(B, "cold").await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, b"frozen bytes");
    let h = head(&c, "cold").await;
    let restore_hdr = h.header("x-cos-restore").unwrap().to_string();
    assert!(
        restore_hdr.starts_with("ongoing-request=\"false\", expiry-date=\"")
            && restore_hdr.ends_with(" GMT\""),
        "{restore_hdr}"
    );
    assert_eq!(
        h.header("x-cos-storage-class"),
        Some("ARCHIVE"),
        "the class stays"
    );
    let ranged = c
        .send(Req::new("GET", Some(B), "cold").h("Range", "bytes=0-5"))
        .await;
    assert_eq!(ranged.status, 206);
    assert_eq!(ranged.body, b"frozen");

    // A restore of a restored copy: 200, and the expiry moves to now + Days.
    advance(&s, DAY_SECS);
    let again = restore(&c, "cold", 2, "Bulk").await;
    assert_eq!(again.status, 200, "{}", again.text());
    let moved = head(&c, "cold")
        .await
        .header("x-cos-restore")
        .unwrap()
        .to_string();
    assert_ne!(moved, restore_hdr, "expiry moved later");
    advance(&s, DAY_SECS + 10);
    assert_eq!(
        c.get(B, "cold").await.status,
        200,
        "still within the new Days"
    );
    advance(&s, DAY_SECS);
    assert_error(&c.get(B, "cold").await, 403, "InvalidObjectState");
    assert_eq!(head(&c, "cold").await.header("x-cos-restore"), None);
    // Expired: a new restore starts over.
    assert_eq!(restore(&c, "cold", 1, "Standard").await.status, 202);
}

#[tokio::test]
async fn restoring_an_object_that_is_not_archived_is_refused() {
    let (_s, c) = server().await;
    c.put(B, "hot", b"x").await;
    put_class(&c, "ia", "STANDARD_IA", b"x").await;
    for key in ["hot", "ia"] {
        assert_error(
            &restore(&c, key, 1, "Standard").await,
            403,
            "InvalidObjectState",
        );
    }
    assert_error(
        &restore(&c, "missing", 1, "Standard").await,
        404,
        "NoSuchKey",
    );
}

#[tokio::test]
async fn restore_requests_are_validated() {
    let (_s, c) = server().await;
    put_class(&c, "cold", "ARCHIVE", b"x").await;
    put_class(&c, "deep", "DEEP_ARCHIVE", b"x").await;
    let send = |key: &'static str, body: &'static str| {
        c.send(
            Req::new("POST", Some(B), key)
                .q("restore", "")
                .body(body.as_bytes().to_vec()),
        )
    };
    assert_error(
        &send("cold", "<RestoreRequest><Days>1</Days>").await,
        400,
        "MalformedXML",
    );
    assert_error(
        &send("cold", "<RestoreRequest/>").await,
        400,
        "MalformedXML",
    );
    assert_error(
        &send("cold", "<RestoreRequest><Days>0</Days></RestoreRequest>").await,
        400,
        "InvalidArgument",
    );
    assert_error(
        &send("cold", "<RestoreRequest><Days>366</Days></RestoreRequest>").await,
        400,
        "InvalidArgument",
    );
    assert_error(
        &restore(&c, "cold", 1, "Fastest").await,
        400,
        "MalformedXML",
    );
    // DEEP_ARCHIVE has no Expedited tier.
    assert_error(
        &restore(&c, "deep", 1, "Expedited").await,
        400,
        "InvalidArgument",
    );
    assert_eq!(
        head(&c, "deep").await.header("x-cos-restore"),
        None,
        "nothing started"
    );
    // No job parameters: Standard.
    let plain = send("cold", "<RestoreRequest><Days>1</Days></RestoreRequest>").await;
    assert_eq!(plain.status, 202);
}

#[tokio::test]
async fn deep_archive_restores_take_four_times_the_archive_delay() {
    let (s, c) = server().await;
    put_class(&c, "deep", "DEEP_ARCHIVE", b"deep bytes").await;
    assert_eq!(restore(&c, "deep", 1, "Standard").await.status, 202);
    advance(&s, 6);
    assert_error(&c.get(B, "deep").await, 403, "InvalidObjectState");
    advance(&s, 15);
    assert_eq!(c.get(B, "deep").await.body, b"deep bytes");
}

#[tokio::test]
async fn a_restored_object_can_be_copied_and_a_self_copy_to_standard_keeps_it_readable() {
    let (s, c) = server().await;
    put_class(&c, "cold", "ARCHIVE", b"frozen").await;
    restore(&c, "cold", 1, "Expedited").await;
    advance(&s, 3);
    let src = format!("{B}.cos.ap-guangzhou.myqcloud.com/cold");
    let copy = c
        .send(Req::new("PUT", Some(B), "copy").h("x-cos-copy-source", &src))
        .await;
    assert_eq!(copy.status, 200, "{}", copy.text());
    // The copy keeps the class but not the source's restored copy.
    assert_eq!(
        head(&c, "copy").await.header("x-cos-storage-class"),
        Some("ARCHIVE")
    );
    assert_error(&c.get(B, "copy").await, 403, "InvalidObjectState");
    let thaw = c
        .send(
            Req::new("PUT", Some(B), "cold")
                .h("x-cos-copy-source", &src)
                .h("x-cos-storage-class", "STANDARD"),
        )
        .await;
    assert_eq!(thaw.status, 200, "{}", thaw.text());
    advance(&s, 10 * DAY_SECS);
    let got = c.get(B, "cold").await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, b"frozen");
    assert_eq!(got.header("x-cos-restore"), None);
}

#[tokio::test]
async fn a_restore_names_one_version_and_creates_none() {
    let (s, c) = server().await;
    let on = c
        .send(Req::new("PUT", Some(B), "").q("versioning", "").body(
            b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>".to_vec(),
        ))
        .await;
    assert_eq!(on.status, 200);
    let v1 = put_class(&c, "k", "ARCHIVE", b"one").await;
    let v1 = v1.header("x-cos-version-id").unwrap().to_string();
    put_class(&c, "k", "ARCHIVE", b"two").await;
    let r = c
        .send(
            Req::new("POST", Some(B), "k")
                .q("restore", "")
                .q("versionId", &v1)
                .body(restore_body(1, "Expedited")),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(r.header("x-cos-version-id"), Some(v1.as_str()));
    advance(&s, 3);
    let old = c
        .send(Req::new("GET", Some(B), "k").q("versionId", &v1))
        .await;
    assert_eq!(old.body, b"one");
    assert_error(&c.get(B, "k").await, 403, "InvalidObjectState");
    let versions = c.send(Req::new("GET", Some(B), "").q("versions", "")).await;
    assert_eq!(
        xml_all(&versions.text(), "VersionId").len(),
        2,
        "no new version"
    );
}

#[tokio::test]
async fn a_legacy_json_api_download_of_an_archive_waits_for_the_restore_too() {
    let (s, c) = server().await;
    put_class(&c, "dl/cold.txt", "ARCHIVE", b"download me").await;
    let download = || {
        let t = c.now();
        let sig = crate::json_common::signature(
            SID,
            SKEY,
            crate::json_common::APPID,
            crate::json_common::SHORT,
            t + 600,
            t,
            "/dl/cold.txt",
        );
        c.send(
            Req::new("GET", Some(B), "dl/cold.txt")
                .anonymous()
                .q("sign", &sig),
        )
    };
    assert_error(&download().await, 403, "InvalidObjectState");
    assert_eq!(restore(&c, "dl/cold.txt", 1, "Expedited").await.status, 202);
    advance(&s, 3);
    let r = download().await;
    assert_eq!(
        (r.status, r.body.as_slice()),
        (200, b"download me".as_slice())
    );
}
