//! The seed's PostObjectRestore policy (002:1624-1651): restores allowed only under `doc/`.

use crate::common::*;
use crate::support::*;

const SUB: &str = "100000000002";
const SUB_ID: &str = "AKIDsubrestore0000000000000000000002";
const SUB_KEY: &str = "subRestoreSecret000000000000000002";

#[tokio::test]
async fn a_policy_on_post_object_restore_allows_restores_under_its_prefix_only() {
    let (_s, c) = server().await;
    c.add_sub_account(SUB, SUB_ID, SUB_KEY).await;
    put_class(&c, "doc/report", "ARCHIVE", b"x").await;
    put_class(&c, "other/report", "ARCHIVE", b"x").await;
    let doc = format!(
        r#"{{"version":"2.0","statement":[{{"principal":{{"qcs":["qcs::cam::uin/100000000001:uin/{SUB}"]}},"effect":"allow","action":["name/cos:PostObjectRestore"],"resource":["qcs::cos:{REGION}:uid/1250000000:{B}/doc/*"]}}]}}"#
    );
    let r = c
        .send(
            Req::new("PUT", Some(B), "")
                .q("policy", "")
                .body(doc.into_bytes()),
        )
        .await;
    assert_eq!(r.status, 204, "{}", r.text());
    let sub = Client {
        sid: SUB_ID.into(),
        skey: SUB_KEY.into(),
        ..c.clone()
    };
    assert_eq!(restore(&sub, "doc/report", 1, "Standard").await.status, 202);
    assert_error(
        &restore(&sub, "other/report", 1, "Standard").await,
        403,
        "AccessDenied",
    );
    assert_eq!(head(&c, "other/report").await.header("x-cos-restore"), None);
    // Restoring is not reading: GetObject was never granted.
    assert_error(&sub.get(B, "doc/report").await, 403, "AccessDenied");
}
