//! The S3 event message a webhook receives: `{"Records":[...]}` with one record, in S3's
//! event structure (version 2.1), `eventSource` `cos:s3`. The object key is URL-encoded as
//! S3 does; `sequencer` is the outbox sequence number as 16 upper-case hex digits, so
//! comparing sequencers as strings orders events, and a receiver dedupes on it.

use crate::meta::OutboxEntry;
use serde_json::{json, Value};

/// The `sequencer` of outbox sequence number `seq`.
pub fn sequencer(seq: u64) -> String {
    format!("{seq:016X}")
}

/// The message for one outbox entry.
pub fn message(seq: u64, e: &OutboxEntry, region: &str) -> Value {
    let key: String = form_urlencoded::byte_serialize(e.key.as_bytes()).collect();
    let mut object = json!({
        "key": key,
        "size": e.size,
        "sequencer": sequencer(seq),
    });
    if !e.etag.is_empty() {
        object["eTag"] = json!(e.etag);
    }
    if let Some(v) = &e.version_id {
        object["versionId"] = json!(v);
    }
    let mut record = json!({
        "eventVersion": "2.1",
        "eventSource": "cos:s3",
        "awsRegion": region,
        "eventTime": crate::xml::iso8601_ms(e.time_ms),
        "eventName": e.event.as_str(),
        "s3": {
            "s3SchemaVersion": "1.0",
            "configurationId": e.config_id,
            "bucket": {
                "name": e.bucket,
                "arn": format!("arn:aws:s3:::{}", e.bucket),
            },
            "object": object,
        },
    });
    if let (Some(class), true) = (
        &e.storage_class,
        e.event == crate::bucket_config::notification::EventName::Transition,
    ) {
        record["glacierEventData"] = json!({ "storageClass": class });
    }
    json!({ "Records": [record] })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bucket_config::notification::EventName;

    #[test]
    fn the_message_has_s3s_shape() {
        let e = OutboxEntry {
            event: EventName::CreatedPut,
            time_ms: 1_700_000_000_123,
            bucket: "b-1250000000".into(),
            key: "a dir/x+y.txt".into(),
            config_id: "c1".into(),
            size: 5,
            etag: "abc".into(),
            version_id: None,
            storage_class: Some("STANDARD".into()),
        };
        let m = message(42, &e, "ap-guangzhou");
        let r = &m["Records"][0];
        assert_eq!(r["eventName"], "ObjectCreated:Put");
        assert_eq!(r["eventSource"], "cos:s3");
        assert_eq!(r["eventTime"], "2023-11-14T22:13:20.123Z");
        assert_eq!(r["s3"]["bucket"]["name"], "b-1250000000");
        assert_eq!(r["s3"]["object"]["key"], "a+dir%2Fx%2By.txt");
        assert_eq!(r["s3"]["object"]["sequencer"], "000000000000002A");
        assert_eq!(r["s3"]["object"]["size"], 5);
        assert!(r["s3"]["object"].get("versionId").is_none());
        assert!(sequencer(255) > sequencer(16));
    }
}
