//! One table test per policy example of shared/seeds/002 (lines 174-3772), asserting the
//! decision the seed states. Examples already covered in `tests.rs` are not repeated there:
//! the qcs:ip allow list (002:2255), the qcs:request_tag qualifier tables (002:3154-3253) and the
//! content-length maximum with a plain deny (002:2529-2586; only its `_if_exist`, PostObject and
//! absent-header rows are added here).
//!
//! Policy JSON is pasted as the seed gives it. Where the seed's typesetting breaks a policy (a
//! code block split in two, stray or missing brackets, trailing commas, `//` comments, a space
//! inside a key name) the test's comment names the repair. Request contexts carry condition keys
//! the way the server is expected to extract them: raw header / query-parameter strings, numbers
//! as decimal strings, multi-valued keys as several strings.
//!
//! Bucket policies name their principal; requests are made as that principal unless a row says
//! otherwise. User (CAM) and temporary-key policies name none and apply to whoever holds them.

use super::*;
use std::collections::HashMap;

type Keys = HashMap<String, Vec<String>>;

/// The outcome a row expects (`Verdict` without the deciding statement's indices).
/// `ExplicitDeny` and `NoMatch` both mean the request is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Want {
    Allow,
    ExplicitDeny,
    NoMatch,
}
use Want::{Allow, ExplicitDeny, NoMatch};

/// Sub-account 100000000002 of root 100000000001: most condition-key examples (002:2245-3415).
const SUB2: &str = "qcs::cam::uin/100000000001:uin/100000000002";
/// Sub-account 100000000011 of root 100000000001 (002:403, 690).
const SUB11: &str = "qcs::cam::uin/100000000001:uin/100000000011";
/// The 13-digit uins some samples print (002:2315, 2844, 3012); kept as printed.
const SUB13: &str = "qcs::cam::uin/1000000000001:uin/1000000000002";
/// The 11-digit uins the versionid deny companion prints (002:2351, 2370); kept as printed.
const SUB_11DIGIT: &str = "qcs::cam::uin/10000000001:uin/10000000002";
/// The object-lock and grant-header examples' principal (002:3438, 3505, 3552, 3603).
const LOCK_SUB: &str = "qcs::cam::uin/1250000000:uin/1250000001";
/// Someone the bucket policies do not name.
const STRANGER: &str = "qcs::cam::uin/100000000001:uin/100000000003";
/// GET Service names no bucket; the seed's policies grant it on `*`, which matches any string.
const SERVICE: &str = "qcs::cos:ap-guangzhou:uid/1250000000:";

/// `qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/<key>`.
macro_rules! gz {
    ($k:literal) => {
        concat!(
            "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/",
            $k
        )
    };
}

/// `qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/<key>`.
macro_rules! bj {
    ($k:literal) => {
        concat!(
            "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/",
            $k
        )
    };
}

/// `qcs::cos:ap-beijing:uid/1250000000:bjtest-1250000000/<key>` (object-lock examples).
macro_rules! bjtest {
    ($k:literal) => {
        concat!("qcs::cos:ap-beijing:uid/1250000000:bjtest-1250000000/", $k)
    };
}

fn parse(text: &str) -> Policy {
    Policy::parse(text, DEFAULT_MAX_POLICY_LEN).unwrap_or_else(|e| panic!("{e}\n{text}"))
}

fn keys(pairs: &[(&str, &[&str])]) -> Keys {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.iter().map(|s| s.to_string()).collect()))
        .collect()
}

/// One condition key with one value, or no key at all.
fn one(key: &str, value: Option<&str>) -> Keys {
    match value {
        Some(v) => keys(&[(key, &[v])]),
        None => Keys::new(),
    }
}

/// The root uin of `qcs::cam::uin/<root>:uin/<uin>`.
fn root_of(principal: &str) -> Option<&str> {
    principal
        .strip_prefix("qcs::cam::uin/")
        .and_then(|r| r.split_once(':'))
        .map(|(root, _)| root)
}

fn decide(
    policies: &[&Policy],
    principal: &str,
    action: &str,
    resource: &str,
    keys: &Keys,
) -> Want {
    let ctx = RequestContext {
        principal,
        root_uin: root_of(principal),
        action,
        resource,
        keys,
    };
    match evaluate(policies, &ctx) {
        Verdict::Allow(..) => Allow,
        Verdict::ExplicitDeny(..) => ExplicitDeny,
        Verdict::NoMatch => NoMatch,
    }
}

fn allowed(policies: &[&Policy], principal: &str, action: &str, resource: &str) -> bool {
    decide(policies, principal, action, resource, &Keys::new()) == Allow
}

// ---------------------------------------------------------------------------------------------
// CAM practices (002:366-674)
// ---------------------------------------------------------------------------------------------

/// 002:1450-1477 (PUT Object-Copy): PutObject on the destination `doc/*`, GetObject on the
/// source `doc2/*` (002:1481 names doc2 the source). Repair: code block split at 002:1464/1466.
const COPY_1450: &str = r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:PutObject"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    },
    {
    "action": [
      "name/cos:GetObject"
    ],
    "effect": "allow",
    "resource": [
      "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc2/*"
    ]
  }
]
}"#;

/// 002:1502-1529 (Upload Part-Copy): the multipart set with PutObject on `doc/*`, GetObject on
/// the source `doc2/*` (002:1533).
const UPLOAD_PART_COPY_1502: &str = r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:InitiateMultipartUpload",
        "name/cos:ListMultipartUploads",
        "name/cos:ListParts",
        "name/cos:PutObject",
        "name/cos:CompleteMultipartUpload",
        "name/cos:AbortMultipartUpload"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    },
    {
      "action": [
        "name/cos:GetObject"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc2/*"
      ]
    }
  ]
}"#;

/// 002:1694-1713 (Delete Multiple Objects): DeleteObject on two keys, checked per key.
/// Repair: code block split at 002:1697/1699.
const BATCH_DELETE_1694: &str = r#"{
  "version": "2.0",
"statement": [
  {
    "action": [
      "name/cos:DeleteObject"
    ],
    "effect": "allow",
    "resource": [
      "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/audio.mp3",
      "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/video.mp4"
    ]
  }
]
}"#;

mod cam_samples;
mod condition_keys_b;
mod condition_keys_c;
mod per_api;
mod scenarios_and_keys_a;
