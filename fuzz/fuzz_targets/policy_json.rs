//! Policy JSON ingestion: arbitrary bytes (as lossy UTF-8) go to `Policy::parse`; whatever
//! parses is evaluated against a fixed request. Neither step may panic.

#![no_main]

use cosd::policy::cam::{evaluate, Policy, RequestContext, DEFAULT_MAX_POLICY_LEN};
use libfuzzer_sys::fuzz_target;
use std::collections::HashMap;

fn keys() -> HashMap<String, Vec<String>> {
    [
        ("qcs:ip", &["192.168.1.77"][..]),
        ("cos:content-length", &["10"]),
        ("cos:content-type", &["image/jpeg"]),
        ("cos:secure-transport", &["true"]),
        ("cos:tls-version", &["1.2"]),
        ("cos:versionid", &[""]),
        (
            "cos:object-lock-retain-until-date",
            &["2022-11-11T12:00:01Z"],
        ),
        ("qcs:request_tag", &["a&b", "c&d"]),
    ]
    .iter()
    .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
    .collect()
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(policy) = Policy::parse(&text, DEFAULT_MAX_POLICY_LEN) else {
        return;
    };
    let keys = keys();
    let ctx = RequestContext {
        principal: "qcs::cam::uin/100000000001:uin/100000000002",
        root_uin: Some("100000000001"),
        action: "name/cos:PutObject",
        resource: "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/doc/文件.txt",
        keys: &keys,
    };
    let _ = evaluate(&[&policy], &ctx);
    // The same policy twice (an explicit deny in either must still win) and an anonymous caller.
    let _ = evaluate(&[&policy, &policy], &ctx);
    let anonymous = RequestContext {
        principal: "qcs::cam::anyone:anyone",
        root_uin: None,
        ..ctx
    };
    let _ = evaluate(&[&policy], &anonymous);
});
