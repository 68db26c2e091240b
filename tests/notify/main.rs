//! Bucket event notifications end to end (docs/notifications.md): `?notification` through
//! aws-sdk-s3 and raw XML with S3's refusals; the events of PUT, copy, multipart completion,
//! DELETE (with and without versioning), multi-object delete and POST restore delivered to a
//! webhook receiver in this process, filtered by prefix and suffix; retries while the
//! receiver fails, in order; nothing for buckets without a configuration; events written
//! while no worker ran delivered once one starts (the outbox is durable state, not memory);
//! lifecycle expirations and transitions (`lifecycle.rs`).

#![allow(clippy::unwrap_used)]

#[path = "../common/mod.rs"]
mod common;

mod lifecycle;
mod receiver;

use aws_sdk_s3::types::{
    Event, FilterRule, FilterRuleName, NotificationConfiguration, NotificationConfigurationFilter,
    QueueConfiguration, S3KeyFilter,
};
use common::*;
use receiver::Receiver;

const ARN: &str = "arn:cosd:sqs:ap-guangzhou:hook1:webhook";
const TOKEN: &str = "bearer-secret-1";
/// The lifecycle day of these tests, in seconds.
const DAY: u64 = 10;

/// A server whose webhook `hook1` posts to a fresh receiver; retries start after 20 ms.
pub(crate) async fn start() -> (TestServer, Client, Receiver) {
    let rx = Receiver::start().await;
    let url = rx.url.clone();
    let s = TestServer::start_with(move |c| {
        c.notify_webhooks = vec![cosd::notify::WebhookDecl {
            id: "hook1".into(),
            url,
            auth_token: TOKEN.into(),
            timeout_secs: 5,
        }];
        c.notify_retry_initial_ms = 20;
        c.notify_retry_max_secs = 1;
        c.lifecycle_day_secs = DAY;
    })
    .await;
    let c = s.client();
    c.create_bucket(B).await;
    (s, c, rx)
}

/// Starts the delivery workers (the in-process server runs none); they stop with the sender.
pub(crate) fn workers(s: &TestServer) -> tokio::sync::watch::Sender<bool> {
    let (tx, rx) = tokio::sync::watch::channel(false);
    drop(cosd::spawn_notify(&s.state, &rx));
    tx
}

fn queue(
    id: &str,
    events: &[&str],
    prefix: Option<&str>,
    suffix: Option<&str>,
) -> QueueConfiguration {
    let mut rules = Vec::new();
    for (name, v) in [
        (FilterRuleName::Prefix, prefix),
        (FilterRuleName::Suffix, suffix),
    ] {
        if let Some(v) = v {
            rules.push(FilterRule::builder().name(name).value(v).build());
        }
    }
    let mut q = QueueConfiguration::builder().id(id).queue_arn(ARN);
    for e in events {
        q = q.events(Event::from(*e));
    }
    if !rules.is_empty() {
        q = q.filter(
            NotificationConfigurationFilter::builder()
                .key(S3KeyFilter::builder().set_filter_rules(Some(rules)).build())
                .build(),
        );
    }
    q.build().unwrap()
}

pub(crate) async fn configure(s: &TestServer, queues: Vec<QueueConfiguration>) {
    let s3 = s3_client(s.addr, SID, SKEY, None);
    s3.put_bucket_notification_configuration()
        .bucket(B)
        .notification_configuration(
            NotificationConfiguration::builder()
                .set_queue_configurations(Some(queues))
                .build(),
        )
        .send()
        .await
        .unwrap();
}

fn doc(inner: &str) -> String {
    format!("<NotificationConfiguration>{inner}</NotificationConfiguration>")
}

async fn put_xml(c: &Client, body: &str) -> Resp {
    c.send(
        Req::new("PUT", Some(B), "")
            .q("notification", "")
            .body(body.as_bytes().to_vec()),
    )
    .await
}

#[tokio::test]
async fn configuration_round_trips_and_bad_ones_are_refused() {
    let (s, c, _rx) = start().await;
    let s3 = s3_client(s.addr, SID, SKEY, None);
    // None set: an empty document.
    let got = s3
        .get_bucket_notification_configuration()
        .bucket(B)
        .send()
        .await
        .unwrap();
    assert!(got.queue_configurations().is_empty());
    configure(
        &s,
        vec![
            queue(
                "created",
                &["s3:ObjectCreated:*"],
                Some("in/"),
                Some(".txt"),
            ),
            queue("removed", &["s3:ObjectRemoved:*"], None, None),
        ],
    )
    .await;
    let got = s3
        .get_bucket_notification_configuration()
        .bucket(B)
        .send()
        .await
        .unwrap();
    let q = got.queue_configurations();
    assert_eq!(q.len(), 2);
    assert_eq!(q[0].id(), Some("created"));
    assert_eq!(q[0].queue_arn(), ARN);
    assert_eq!(q[0].events(), &[Event::from("s3:ObjectCreated:*")]);
    let rules = q[0].filter().unwrap().key().unwrap().filter_rules();
    assert_eq!(rules[0].value(), Some("in/"));
    assert_eq!(rules[1].value(), Some(".txt"));

    let queue_xml = |arn: &str, event: &str, filter: &str| {
        doc(&format!(
            "<QueueConfiguration><Id>x</Id><Queue>{arn}</Queue><Event>{event}</Event>{filter}</QueueConfiguration>"
        ))
    };
    for (body, code, message) in [
        (
            queue_xml("arn:cosd:sqs::nope:webhook", "s3:ObjectCreated:*", ""),
            "InvalidArgument",
            "Unable to validate the following destination configurations",
        ),
        (
            queue_xml("arn:aws:sqs:us-east-1:123456789012:q", "s3:ObjectCreated:*", ""),
            "InvalidArgument",
            "Unable to validate the following destination configurations",
        ),
        (
            queue_xml(ARN, "s3:ObjectCreated:Everything", ""),
            "InvalidArgument",
            "The event is not supported for notifications: s3:ObjectCreated:Everything",
        ),
        (
            queue_xml(
                ARN,
                "s3:ObjectCreated:*",
                "<Filter><S3Key><FilterRule><Name>middle</Name><Value>x</Value></FilterRule></S3Key></Filter>",
            ),
            "InvalidArgument",
            "filter rule name must be either prefix or suffix",
        ),
        ("<Nonsense/>".to_string(), "MalformedXML", ""),
    ] {
        let r = put_xml(&c, &body).await;
        assert_error(&r, 400, code);
        if !message.is_empty() {
            assert_eq!(r.xml("Message").as_deref(), Some(message), "{body}");
        }
    }
    // A refused PUT changed nothing; the empty document removes the configuration.
    let r = c
        .send(Req::new("GET", Some(B), "").q("notification", ""))
        .await;
    assert_eq!(xml_all(&r.text(), "Id"), ["created", "removed"]);
    assert_eq!(put_xml(&c, &doc("")).await.status, 200);
    let r = c
        .send(Req::new("GET", Some(B), "").q("notification", ""))
        .await;
    assert!(xml_all(&r.text(), "Id").is_empty(), "{}", r.text());
}

#[tokio::test]
async fn writes_and_deletes_are_delivered_in_order_through_the_filters() {
    let (s, c, rx) = start().await;
    let _stop = workers(&s);
    configure(
        &s,
        vec![
            queue(
                "created",
                &["s3:ObjectCreated:*"],
                Some("in/"),
                Some(".txt"),
            ),
            queue("removed", &["s3:ObjectRemoved:*"], Some("in/"), None),
        ],
    )
    .await;
    let s3 = s3_client(s.addr, SID, SKEY, None);
    c.put(B, "in/a.txt", b"hello").await;
    c.put(B, "in/skip.bin", b"not matched: suffix").await;
    c.put(B, "out/b.txt", b"not matched: prefix").await;
    s3.copy_object()
        .bucket(B)
        .key("in/copy.txt")
        .copy_source(format!("{B}/in/a.txt"))
        .send()
        .await
        .unwrap();
    let up = s3
        .create_multipart_upload()
        .bucket(B)
        .key("in/big.txt")
        .send()
        .await
        .unwrap();
    let part = s3
        .upload_part()
        .bucket(B)
        .key("in/big.txt")
        .upload_id(up.upload_id().unwrap())
        .part_number(1)
        .body(b"part one".to_vec().into())
        .send()
        .await
        .unwrap();
    use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart, Delete, ObjectIdentifier};
    s3.complete_multipart_upload()
        .bucket(B)
        .key("in/big.txt")
        .upload_id(up.upload_id().unwrap())
        .multipart_upload(
            CompletedMultipartUpload::builder()
                .parts(
                    CompletedPart::builder()
                        .part_number(1)
                        .e_tag(part.e_tag().unwrap())
                        .build(),
                )
                .build(),
        )
        .send()
        .await
        .unwrap();
    s3.delete_object()
        .bucket(B)
        .key("in/a.txt")
        .send()
        .await
        .unwrap();
    // Deleting nothing changes nothing: no event.
    s3.delete_object()
        .bucket(B)
        .key("in/never.txt")
        .send()
        .await
        .unwrap();
    s3.delete_objects()
        .bucket(B)
        .delete(
            Delete::builder()
                .objects(
                    ObjectIdentifier::builder()
                        .key("in/copy.txt")
                        .build()
                        .unwrap(),
                )
                .objects(
                    ObjectIdentifier::builder()
                        .key("out/b.txt")
                        .build()
                        .unwrap(),
                )
                .build()
                .unwrap(),
        )
        .send()
        .await
        .unwrap();
    let want = [
        ("ObjectCreated:Put", "in%2Fa.txt"),
        ("ObjectCreated:Copy", "in%2Fcopy.txt"),
        ("ObjectCreated:CompleteMultipartUpload", "in%2Fbig.txt"),
        ("ObjectRemoved:Delete", "in%2Fa.txt"),
        ("ObjectRemoved:Delete", "in%2Fcopy.txt"),
    ];
    let seen = rx.wait_for(want.len()).await;
    let want: Vec<(String, String)> = want
        .iter()
        .map(|(e, k)| (e.to_string(), k.to_string()))
        .collect();
    assert_eq!(seen, want);
    // Nothing more comes (the unmatched writes queued nothing).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(rx.seen().len(), want.len());
    let events = rx.events();
    let first = &events[0];
    assert_eq!(first["eventSource"], "cos:s3");
    assert_eq!(first["eventVersion"], "2.1");
    assert_eq!(first["s3"]["bucket"]["name"], B);
    assert_eq!(first["s3"]["configurationId"], "created");
    assert_eq!(first["s3"]["object"]["size"], 5);
    assert_eq!(first["s3"]["object"]["eTag"], md5_hex(b"hello"));
    let seqs: Vec<&str> = events
        .iter()
        .map(|e| e["s3"]["object"]["sequencer"].as_str().unwrap())
        .collect();
    assert!(seqs.windows(2).all(|w| w[0] < w[1]), "{seqs:?}");
    let auth = rx.inbox.lock().unwrap().auth.clone();
    assert!(
        auth.iter().all(|a| a == &format!("Bearer {TOKEN}")),
        "{auth:?}"
    );
}

#[tokio::test]
async fn versioned_deletes_leave_markers_and_version_deletes_are_removals() {
    let (s, c, rx) = start().await;
    let _stop = workers(&s);
    let s3 = s3_client(s.addr, SID, SKEY, None);
    use aws_sdk_s3::types::{BucketVersioningStatus, VersioningConfiguration};
    s3.put_bucket_versioning()
        .bucket(B)
        .versioning_configuration(
            VersioningConfiguration::builder()
                .status(BucketVersioningStatus::Enabled)
                .build(),
        )
        .send()
        .await
        .unwrap();
    configure(
        &s,
        vec![queue(
            "all",
            &["s3:ObjectCreated:Put", "s3:ObjectRemoved:*"],
            None,
            None,
        )],
    )
    .await;
    let v1 = c.put(B, "k", b"one").await;
    let v1 = v1.header("x-cos-version-id").unwrap().to_string();
    let marker = s3.delete_object().bucket(B).key("k").send().await.unwrap();
    s3.delete_object()
        .bucket(B)
        .key("k")
        .version_id(&v1)
        .send()
        .await
        .unwrap();
    let seen = rx.wait_for(3).await;
    let names: Vec<&str> = seen.iter().map(|(e, _)| e.as_str()).collect();
    assert_eq!(
        names,
        [
            "ObjectCreated:Put",
            "ObjectRemoved:DeleteMarkerCreated",
            "ObjectRemoved:Delete"
        ]
    );
    let events = rx.events();
    assert_eq!(events[0]["s3"]["object"]["versionId"], v1.as_str());
    assert_eq!(
        events[1]["s3"]["object"]["versionId"],
        marker.version_id().unwrap()
    );
    assert_eq!(events[2]["s3"]["object"]["versionId"], v1.as_str());
}

#[tokio::test]
async fn a_failing_receiver_gets_every_event_in_order_once_it_recovers() {
    let (s, c, rx) = start().await;
    configure(&s, vec![queue("all", &["s3:ObjectCreated:*"], None, None)]).await;
    rx.fail_next(4);
    let _stop = workers(&s);
    for i in 0..5 {
        c.put(B, &format!("k{i}"), b"x").await;
    }
    let seen = rx.wait_for(5).await;
    let keys: Vec<&str> = seen.iter().map(|(_, k)| k.as_str()).collect();
    assert_eq!(keys, ["k0", "k1", "k2", "k3", "k4"]);
    assert_eq!(rx.inbox.lock().unwrap().refused, 4);
    // Acknowledged events are gone from the outbox.
    tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    assert!(s.state.store.outbox_backlog().await.unwrap().is_empty());
}

#[tokio::test]
async fn buckets_without_a_configuration_queue_nothing() {
    let (s, c, rx) = start().await;
    let other = "other-1250000000";
    c.create_bucket(other).await;
    configure(&s, vec![queue("all", &["s3:ObjectCreated:*"], None, None)]).await;
    c.put(other, "quiet", b"x").await;
    assert!(s.state.store.outbox_backlog().await.unwrap().is_empty());
    c.put(B, "loud", b"x").await;
    assert_eq!(
        s.state.store.outbox_backlog().await.unwrap(),
        [("hook1".to_string(), 1)]
    );
    // Written while no worker ran: delivered once one starts.
    let _stop = workers(&s);
    assert_eq!(
        rx.wait_for(1).await,
        [("ObjectCreated:Put".into(), "loud".into())]
    );
}

#[tokio::test]
async fn a_restore_request_is_notified() {
    let (s, c, rx) = start().await;
    let _stop = workers(&s);
    configure(
        &s,
        vec![queue("restore", &["s3:ObjectRestore:*"], None, None)],
    )
    .await;
    let r = c
        .send(
            Req::new("PUT", Some(B), "cold")
                .h("x-cos-storage-class", "ARCHIVE")
                .body(b"frozen".to_vec()),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.text());
    let body = "<RestoreRequest><Days>1</Days><CASJobParameters><Tier>Standard</Tier></CASJobParameters></RestoreRequest>";
    let r = c
        .send(
            Req::new("POST", Some(B), "cold")
                .q("restore", "")
                .body(body.as_bytes().to_vec()),
        )
        .await;
    assert_eq!(r.status, 202, "{}", r.text());
    assert_eq!(
        rx.wait_for(1).await,
        [("ObjectRestore:Post".into(), "cold".into())]
    );
}
