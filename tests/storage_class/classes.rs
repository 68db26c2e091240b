//! Storage classes in the COS dialect: accepted on every write, shown by HEAD/GET and the
//! listings, unknown ones refused.

use crate::common::*;
use crate::support::*;

fn copy_source(key: &str) -> String {
    format!("{B}.cos.ap-guangzhou.myqcloud.com/{key}")
}

const CLASSES: &[&str] = &[
    "STANDARD_IA",
    "INTELLIGENT_TIERING",
    "ARCHIVE",
    "DEEP_ARCHIVE",
    "MAZ_STANDARD",
    "MAZ_STANDARD_IA",
    "MAZ_INTELLIGENT_TIERING",
];

#[tokio::test]
async fn every_cos_class_is_stored_and_shown_by_head_and_the_listings() {
    let (_s, c) = server().await;
    c.put(B, "k-STANDARD", b"data").await;
    for class in CLASSES {
        let r = put_class(&c, &format!("k-{class}"), class, b"data").await;
        assert_eq!(r.status, 200, "{class}: {}", r.text());
    }
    // Case does not matter; the COS name is what is stored.
    assert_eq!(
        put_class(&c, "lower", "standard_ia", b"x").await.status,
        200
    );
    assert_eq!(
        head(&c, "lower").await.header("x-cos-storage-class"),
        Some("STANDARD_IA")
    );
    // STANDARD is the default and, as before, not sent.
    assert_eq!(
        head(&c, "k-STANDARD").await.header("x-cos-storage-class"),
        None
    );
    for class in CLASSES {
        let h = head(&c, &format!("k-{class}")).await;
        assert_eq!(h.status, 200);
        assert_eq!(h.header("x-cos-storage-class"), Some(*class));
    }
    let want: Vec<String> = {
        let mut keys: Vec<(String, String)> = CLASSES
            .iter()
            .map(|c| (format!("k-{c}"), c.to_string()))
            .chain([("k-STANDARD".into(), "STANDARD".into())])
            .collect();
        keys.sort();
        keys.into_iter().map(|(_, c)| c).collect()
    };
    for q in [
        vec![("prefix", "k-")],
        vec![("prefix", "k-"), ("list-type", "2")],
    ] {
        let mut r = Req::new("GET", Some(B), "");
        for (k, v) in q {
            r = r.q(k, v);
        }
        let l = c.send(r).await;
        assert_eq!(xml_all(&l.text(), "StorageClass"), want);
    }
    let v = c
        .send(
            Req::new("GET", Some(B), "")
                .q("versions", "")
                .q("prefix", "k-"),
        )
        .await;
    assert_eq!(xml_all(&v.text(), "StorageClass"), want);
}

#[tokio::test]
async fn unknown_classes_are_refused_with_invalid_argument_and_nothing_is_stored() {
    let (_s, c) = server().await;
    // GLACIER is S3's name: the COS dialect knows only COS's.
    for class in ["GLACIER", "COLD", "GLACIER_IR"] {
        let r = put_class(&c, "bad", class, b"x").await;
        assert_error(&r, 400, "InvalidArgument");
    }
    assert_eq!(head(&c, "bad").await.status, 404);
    let r = c
        .send(
            Req::new("POST", Some(B), "mp")
                .q("uploads", "")
                .h("x-cos-storage-class", "COLD"),
        )
        .await;
    assert_error(&r, 400, "InvalidArgument");
}

#[tokio::test]
async fn a_multipart_upload_carries_its_class_to_the_listings_and_the_object() {
    let (_s, c) = server().await;
    let init = c
        .send(
            Req::new("POST", Some(B), "mp")
                .q("uploads", "")
                .h("x-cos-storage-class", "ARCHIVE"),
        )
        .await;
    assert_eq!(init.status, 200, "{}", init.text());
    let id = init.xml("UploadId").unwrap();
    let uploads = c.send(Req::new("GET", Some(B), "").q("uploads", "")).await;
    assert_eq!(uploads.xml("StorageClass").as_deref(), Some("ARCHIVE"));
    let part = c
        .send(
            Req::new("PUT", Some(B), "mp")
                .q("partNumber", "1")
                .q("uploadId", &id)
                .body(b"only part".to_vec()),
        )
        .await;
    assert_eq!(part.status, 200);
    let etag = part.header("etag").unwrap().to_string();
    let parts = c
        .send(Req::new("GET", Some(B), "mp").q("uploadId", &id))
        .await;
    assert_eq!(parts.xml("StorageClass").as_deref(), Some("ARCHIVE"));
    let done = c
        .send(
            Req::new("POST", Some(B), "mp").q("uploadId", &id).body(
                format!(
                    "<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>{etag}</ETag></Part></CompleteMultipartUpload>"
                )
                .into_bytes(),
            ),
        )
        .await;
    assert_eq!(done.status, 200, "{}", done.text());
    assert_eq!(
        head(&c, "mp").await.header("x-cos-storage-class"),
        Some("ARCHIVE")
    );
    assert_error(&c.get(B, "mp").await, 403, "InvalidObjectState");
}

#[tokio::test]
async fn copying_an_object_onto_itself_with_a_new_class_changes_the_class_in_place() {
    let (_s, c) = server().await;
    c.put(B, "obj", b"content").await;
    // Without a change the copy is refused, as before.
    let same = c
        .send(Req::new("PUT", Some(B), "obj").h("x-cos-copy-source", &copy_source("obj")))
        .await;
    assert_error(&same, 400, "InvalidRequest");
    let changed = c
        .send(
            Req::new("PUT", Some(B), "obj")
                .h("x-cos-copy-source", &copy_source("obj"))
                .h("x-cos-storage-class", "STANDARD_IA"),
        )
        .await;
    assert_eq!(changed.status, 200, "{}", changed.text());
    assert_eq!(
        head(&c, "obj").await.header("x-cos-storage-class"),
        Some("STANDARD_IA")
    );
    assert_eq!(c.get(B, "obj").await.body, b"content");
    // A copy elsewhere takes the class asked for, or keeps the source's.
    let archived = c
        .send(
            Req::new("PUT", Some(B), "cold")
                .h("x-cos-copy-source", &copy_source("obj"))
                .h("x-cos-storage-class", "DEEP_ARCHIVE"),
        )
        .await;
    assert_eq!(archived.status, 200, "{}", archived.text());
    assert_eq!(
        head(&c, "cold").await.header("x-cos-storage-class"),
        Some("DEEP_ARCHIVE")
    );
    let kept = c
        .send(Req::new("PUT", Some(B), "kept").h("x-cos-copy-source", &copy_source("obj")))
        .await;
    assert_eq!(kept.status, 200);
    assert_eq!(
        head(&c, "kept").await.header("x-cos-storage-class"),
        Some("STANDARD_IA")
    );
    let bad = c
        .send(
            Req::new("PUT", Some(B), "obj")
                .h("x-cos-copy-source", &copy_source("obj"))
                .h("x-cos-storage-class", "COLD"),
        )
        .await;
    assert_error(&bad, 400, "InvalidArgument");
}

#[tokio::test]
async fn append_takes_standard_classes_and_refuses_archive_and_tiering() {
    let (_s, c) = server().await;
    let append = |key: &'static str, class: &'static str| {
        Req::new("POST", Some(B), key)
            .q("append", "")
            .q("position", "0")
            .h("x-cos-storage-class", class)
            .body(b"log line".to_vec())
    };
    for class in [
        "ARCHIVE",
        "DEEP_ARCHIVE",
        "INTELLIGENT_TIERING",
        "MAZ_STANDARD",
    ] {
        assert_error(&c.send(append("log", class)).await, 400, "InvalidArgument");
    }
    assert_eq!(head(&c, "log").await.status, 404);
    assert_eq!(c.send(append("log", "STANDARD_IA")).await.status, 200);
    assert_eq!(
        head(&c, "log").await.header("x-cos-storage-class"),
        Some("STANDARD_IA")
    );
}
