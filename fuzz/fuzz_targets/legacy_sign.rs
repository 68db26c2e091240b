//! JSON API signatures: arbitrary text goes to `LegacySign::parse`; whatever parses is checked
//! against a fixed request for every signature kind. Nothing may panic.

#![no_main]

use cosd::auth::legacy::{check, Expect, LegacySign, Need};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let Ok(sign) = LegacySign::parse(&text) else {
        return;
    };
    let _ = sign.mac_matches("SECRETEXAMPLE");
    let resources = ["/1250000000/mybucket/dir/a b.txt".to_string()];
    for need in [Need::Multi, Need::Once, Need::Either] {
        let _ = check(
            &sign,
            &Expect {
                appid: "1250000000",
                bucket: "mybucket",
                resources: &resources,
                need,
                now: 1_700_000_000,
                once_window: 86_400,
            },
        );
    }
});
