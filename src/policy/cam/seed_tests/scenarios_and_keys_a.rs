//! Seed examples: Common scenarios, temp-key examples, resource_tag, versionid, content-length (002:1717-2648).

use super::*;

/// 002:1719-1740: full access to all resources.
#[test]
fn seed_common_full_access() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "*"
      ],
      "effect": "allow",
      "resource": [
        "*"
      ]
    }
  ]
}"#,
    );
    for (action, res) in [
        ("name/cos:GetService", SERVICE),
        ("name/cos:PutBucket", gz!("")),
        ("name/cos:DeleteBucket", bj!("")),
        ("name/cos:PutObject", gz!("any/key")),
        ("name/cos:DeleteObject", bj!("x")),
        (
            "name/cos:GetObject",
            "qcs::cos:ap-shanghai:uid/1250000001:other-1250000001/k",
        ),
    ] {
        assert!(allowed(&[&p], SUB11, action, res), "{action} {res}");
    }
}

/// 002:1742-1766: read-only access to all resources (HeadObject, GetObject, GetBucket,
/// OptionsObject and nothing else).
#[test]
fn seed_common_read_only_all_resources() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:HeadObject",
        "name/cos:GetObject",
        "name/cos:GetBucket",
        "name/cos:OptionsObject"
      ],
      "effect": "allow",
      "resource": [
        "*"
      ]
    }
  ]
}"#,
    );
    for (action, res, want) in [
        ("name/cos:HeadObject", gz!("a"), true),
        ("name/cos:GetObject", bj!("a/b"), true),
        ("name/cos:GetBucket", gz!(""), true),
        ("name/cos:OptionsObject", gz!("a"), true),
        ("name/cos:PutObject", gz!("a"), false),
        ("name/cos:DeleteObject", gz!("a"), false),
        ("name/cos:HeadBucket", gz!(""), false),
        ("name/cos:GetService", SERVICE, false),
        ("name/cos:GetObjectACL", gz!("a"), false),
    ] {
        assert_eq!(allowed(&[&p], SUB11, action, res), want, "{action} {res}");
    }
}

/// 002:1768-1787: every action, but only on files under `doc/` of examplebucket-1250000000 in
/// ap-shanghai; "does not allow any operations on files in other paths".
#[test]
fn seed_common_prefix_read_write() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "*"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-shanghai:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    }
  ]
}"#,
    );
    let sh = |k: &str| format!("qcs::cos:ap-shanghai:uid/1250000000:examplebucket-1250000000/{k}");
    for (action, res, want) in [
        ("name/cos:GetObject", sh("doc/a.txt"), true),
        ("name/cos:PutObject", sh("doc/a/b.txt"), true),
        ("name/cos:DeleteObject", sh("doc/a.txt"), true),
        ("name/cos:GetObject", sh("img/a.jpg"), false),
        ("name/cos:PutObject", sh("doc"), false),
        ("name/cos:DeleteObject", sh("document.txt"), false),
        // Bucket-level requests name `<bucket>/`, which is outside `doc/*`.
        ("name/cos:DeleteBucket", sh(""), false),
        ("name/cos:GetObject", gz!("doc/a.txt").to_string(), false),
    ] {
        assert_eq!(allowed(&[&p], SUB11, action, &res), want, "{action} {res}");
    }
}

// ---------------------------------------------------------------------------------------------
// Temporary keys (002:1789-2145)
// ---------------------------------------------------------------------------------------------

/// Placeholders of 002:1811-1867 filled in: `<Region>` ap-guangzhou, `<APPID>` 1250000000,
/// `<BucketName-APPID>` examplebucket-1250000000, `<Username>` alice.
fn fill_placeholders(text: &str) -> String {
    text.replace("<Region>", "ap-guangzhou")
        .replace("<APPID>", "1250000000")
        .replace("<BucketName-APPID>", "examplebucket-1250000000")
        .replace("<Username>", "alice")
}

/// 002:1809-1825: bad example 1. `app/avatar/*` lets any key holder overwrite every user's
/// avatar; the listed per-user resources (002:1820-1824) and `app/avatar/<Username>/*`
/// (002:1817) confine the key to one user. The seed shows only the `resource` member; it is
/// placed in a PutObject statement (constructed).
#[test]
fn seed_temp_key_bad_example_1_resource_scope() {
    let policy = |resource: &str| {
        parse(&fill_placeholders(&format!(
            r#"{{"version":"2.0","statement":[{{"effect":"allow","action":["name/cos:PutObject"],{resource}}}]}}"#
        )))
    };
    let bad =
        policy(r#""resource": "qcs::cos:<Region>:uid/<APPID>:<BucketName-APPID>/app/avatar/*""#);
    let listed = policy(
        r#""resource": [
  "qcs::cos:<Region>:uid/<APPID>:<BucketName-APPID>/app/avatar/<Username>.jpg",
  "qcs::cos:<Region>:uid/<APPID>:<BucketName-APPID>/app/avatar/<Username>.m.jpg",
  "qcs::cos:<Region>:uid/<APPID>:<BucketName-APPID>/app/avatar/<Username>.s.jpg"
]"#,
    );
    let per_user_dir = policy(
        r#""resource": "qcs::cos:<Region>:uid/<APPID>:<BucketName-APPID>/app/avatar/<Username>/*""#,
    );
    #[allow(clippy::type_complexity)]
    let rows: &[(&str, bool, bool, bool)] = &[
        // (key, bad, listed, per-user directory)
        ("app/avatar/alice.jpg", true, true, false),
        ("app/avatar/alice.m.jpg", true, true, false),
        ("app/avatar/alice.s.jpg", true, true, false),
        ("app/avatar/bob.jpg", true, false, false),
        ("app/avatar/alice.x.jpg", true, false, false),
        ("app/avatar/alice/m.jpg", true, false, true),
        ("app/avatar/bob/m.jpg", true, false, false),
        ("app/other/alice.jpg", false, false, false),
    ];
    for (key, want_bad, want_listed, want_dir) in rows {
        let res = format!("qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/{key}");
        assert_eq!(
            allowed(&[&bad], SUB11, "name/cos:PutObject", &res),
            *want_bad,
            "bad {key}"
        );
        assert_eq!(
            allowed(&[&listed], SUB11, "name/cos:PutObject", &res),
            *want_listed,
            "listed {key}"
        );
        assert_eq!(
            allowed(&[&per_user_dir], SUB11, "name/cos:PutObject", &res),
            *want_dir,
            "per-user dir {key}"
        );
    }
}

/// 002:1827-1837: bad example 2. `name/cos:*` on `app/photos/*` lets the holder upload and
/// delete; the recommended `["name/cos:GetBucket", "name/cos:GetObject"]` (002:1837) only reads.
/// The statements are constructed around the seed's action lists.
#[test]
fn seed_temp_key_bad_example_2_action_scope() {
    let policy = |actions: &str| {
        parse(&format!(
            r#"{{"version":"2.0","statement":[{{"effect":"allow","action":{actions},"resource":"qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/app/photos/*"}}]}}"#
        ))
    };
    let bad = policy(r#""name/cos:*""#);
    let good = policy(r#"[ "name/cos:GetBucket", "name/cos:GetObject" ]"#);
    for (action, want_bad, want_good) in [
        ("name/cos:GetObject", true, true),
        ("name/cos:PutObject", true, false),
        ("name/cos:DeleteObject", true, false),
        ("name/cos:PutObjectACL", true, false),
    ] {
        let res = gz!("app/photos/p1.jpg");
        assert_eq!(
            allowed(&[&bad], SUB11, action, res),
            want_bad,
            "bad {action}"
        );
        assert_eq!(
            allowed(&[&good], SUB11, action, res),
            want_good,
            "good {action}"
        );
    }
}

/// 002:1839-1868: bad example 3's fix: list/download all users' files, upload/delete only in
/// one's own directory, as two statements. Repairs: the seed shows only the `statement` member
/// (wrapped in a policy here), and prints `name/cos>DeleteObject` (002:1863), read as
/// `name/cos:DeleteObject`. Only object-level rows are asserted: the seed grants GetBucket on
/// `app/files/*`, and whether a listing request matches that depends on the resource the server
/// builds for GetBucket (a bucket-level `<bucket>/` does not).
#[test]
fn seed_temp_key_bad_example_3_split_statements() {
    let p = parse(&fill_placeholders(
        r#"{"version": "2.0",
"statement": [
  {
    "effect": "allow",
    "action": [
      "name/cos:GetBucket",
      "name/cos:GetObject"
    ],
    "resource": "qcs::cos:<Region>:uid/<APPID>:<BucketName-APPID>/app/files/*"
  },
  {
    "effect": "allow",
    "action": [
      "name/cos:PutObject",
      "name/cos:DeleteObject"
    ],
    "resource": "qcs::cos:<Region>:uid/<APPID>:<BucketName-APPID>/app/files/<Username>/*"
  }
]
}"#,
    ));
    for (action, res, want) in [
        ("name/cos:GetObject", gz!("app/files/bob/report.pdf"), true),
        (
            "name/cos:GetObject",
            gz!("app/files/alice/report.pdf"),
            true,
        ),
        ("name/cos:PutObject", gz!("app/files/alice/new.pdf"), true),
        (
            "name/cos:DeleteObject",
            gz!("app/files/alice/old.pdf"),
            true,
        ),
        // The point of the example: no upload or delete in other users' directories.
        ("name/cos:PutObject", gz!("app/files/bob/new.pdf"), false),
        ("name/cos:DeleteObject", gz!("app/files/bob/old.pdf"), false),
        ("name/cos:PutObject", gz!("app/files/alice.pdf"), false),
        ("name/cos:GetObject", gz!("app/other/x"), false),
    ] {
        assert_eq!(allowed(&[&p], SUB11, action, res), want, "{action} {res}");
    }
}

/// 002:2023-2055: the Java STS sample's `raw_policy`: upload actions on examplebucket in
/// ap-shanghai from 192.168.1.0/24, 101.226.100.185 or 101.226.100.186. Repairs: Java string
/// concatenation removed; the statement object is closed with `]` at 002:2051 (should be `}`)
/// and the policy with `};` (002:2053).
#[test]
fn seed_sts_sdk_raw_policy_ip() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "effect": "allow",
      "action": [
        "name/cos:PutObject",
        "name/cos:PostObject",
        "name/cos:InitiateMultipartUpload",
        "name/cos:ListMultipartUploads",
        "name/cos:ListParts",
        "name/cos:UploadPart",
        "name/cos:CompleteMultipartUpload"
      ],
      "resource": [
        "qcs::cos:ap-shanghai:uid/1250000000:examplebucket-1250000000/*"
      ],
      "condition": {
        "ip_equal": {
          "qcs:ip": [
            "192.168.1.0/24",
            "101.226.100.185",
            "101.226.100.186"
          ]
        }
      }
    }
  ]
}"#,
    );
    let sh = "qcs::cos:ap-shanghai:uid/1250000000:examplebucket-1250000000/exampleobject";
    for (action, ip, want) in [
        ("name/cos:PutObject", Some("192.168.1.10"), Allow),
        ("name/cos:PostObject", Some("101.226.100.185"), Allow),
        ("name/cos:UploadPart", Some("101.226.100.186"), Allow),
        (
            "name/cos:CompleteMultipartUpload",
            Some("192.168.1.255"),
            Allow,
        ),
        ("name/cos:PutObject", Some("101.226.100.187"), NoMatch),
        ("name/cos:PutObject", Some("192.168.2.1"), NoMatch),
        ("name/cos:PutObject", None, NoMatch),
        // AbortMultipartUpload and downloads are not in the list.
        (
            "name/cos:AbortMultipartUpload",
            Some("192.168.1.10"),
            NoMatch,
        ),
        ("name/cos:GetObject", Some("192.168.1.10"), NoMatch),
    ] {
        let k = one("qcs:ip", ip);
        assert_eq!(
            decide(&[&p], SUB11, action, sh, &k),
            want,
            "{action} {ip:?}"
        );
    }
}

/// 002:2147-2230: GetService only for buckets carrying tag `key&value`
/// (`for_any_value:string_equal` on qcs:resource_tag, the bucket's tags as `key&value`).
#[test]
fn seed_resource_tag_get_service() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "effect": "allow",
      "action": [
        "name/cos:GetService"
      ],
      "resource": "*",
      "condition": {
        "for_any_value:string_equal": {
          "qcs:resource_tag": [
            "key&value"
          ]
        }
      }
    }
  ]
}"#,
    );
    #[allow(clippy::type_complexity)]
    let rows: &[(&str, Option<&[&str]>, Want)] = &[
        ("name/cos:GetService", Some(&["key&value"]), Allow),
        (
            "name/cos:GetService",
            Some(&["env&prod", "key&value"]),
            Allow,
        ),
        ("name/cos:GetService", Some(&["key&other"]), NoMatch),
        ("name/cos:GetService", Some(&["Key&value"]), NoMatch),
        ("name/cos:GetService", Some(&["env&prod"]), NoMatch),
        // An untagged bucket: for_any_value has nothing to intersect.
        ("name/cos:GetService", None, NoMatch),
        ("name/cos:GetBucket", Some(&["key&value"]), NoMatch),
    ];
    for (action, tags, want) in rows {
        let k = match tags {
            Some(t) => keys(&[("qcs:resource_tag", *t)]),
            None => Keys::new(),
        };
        assert_eq!(
            decide(&[&p], SUB11, action, SERVICE, &k),
            *want,
            "{action} {tags:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Condition keys (002:2232-3704)
// ---------------------------------------------------------------------------------------------

/// 002:2302-2390: cos:versionid example 1. The allow-only policy (002:2308-2333) grants
/// GetObject only for version `MTg0NDUxNTc1NjIzMTQ1MDAwODg` (the prose at 002:2306 drops the
/// leading `M`; the policy value is used). A broader unconditioned grant, e.g. a group policy
/// (002:2337, constructed below), wins over it. The companion (002:2341-2390, repaired: block
/// split at 002:2343/2345) adds an explicit deny when `versionid` is absent or different.
/// The seed prints different uins in the two policies (13 digits at 002:2315, 11 digits at
/// 002:2351); each is requested as printed.
#[test]
fn seed_versionid_specified_version_with_deny() {
    const V: &str = "MTg0NDUxNTc1NjIzMTQ1MDAwODg";
    let allow_only = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "principal": {
        "qcs": [
          "qcs::cam::uin/1000000000001:uin/1000000000002"
        ]
      },
      "effect": "allow",
      "action": [
        "name/cos:GetObject"
      ],
      "condition": {
        "string_equal": {
          "cos:versionid": "MTg0NDUxNTc1NjIzMTQ1MDAwODg"
        }
      },
      "resource": [
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
      ]
    }
  ]
}"#,
    );
    let with_deny = parse(
        r#"{
"statement": [
  {
    "principal": {
      "qcs": [
        "qcs::cam:uin/10000000001:uin/10000000002"
      ]
    },
    "effect": "allow",
    "action": [
      "name/cos:GetObject"
    ],
    "condition": {
      "string_equal":{
        "cos:versionid":"MTg0NDUxNTc1NjIzMTQ1MDAwODg"
      }
    },
    "resource":[
      "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
    ]
  },
  {
    "principal": {
      "qcs": [
        "qcs::cam:uin/10000000001:uin/10000000002"
      ]
    },
    "effect": "deny",
    "action": [
      "name/cos:GetObject"
    ],
    "condition": {
      "string_not_equal_if_exist":{
        "cos:versionid":"MTg0NDUxNTc1NjIzMTQ1MDAwODg"
      }
    },
    "resource":[
      "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
    ]
  }
],
"version":"2.0"
}"#,
    );
    // 002:2337: the sub-user's group is granted GetObject without conditions (constructed).
    let group = parse(
        r#"{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"]}]}"#,
    );
    #[allow(clippy::type_complexity)]
    let rows: &[(&[&Policy], &str, Option<&str>, Want)] = &[
        // The allow-only bucket policy.
        (&[&allow_only], SUB13, Some(V), Allow),
        (&[&allow_only], SUB13, Some("OTHERVERSION"), NoMatch),
        (&[&allow_only], SUB13, Some("null"), NoMatch),
        (&[&allow_only], SUB13, None, NoMatch),
        (&[&allow_only], STRANGER, Some(V), NoMatch),
        // 002:2337: a broader grant makes the version restriction ineffective.
        (&[&allow_only, &group], SUB13, Some("OTHERVERSION"), Allow),
        (&[&allow_only, &group], SUB13, None, Allow),
        // 002:2339: with the deny statement, absent or other versions are refused even then.
        (&[&with_deny, &group], SUB_11DIGIT, Some(V), Allow),
        (
            &[&with_deny, &group],
            SUB_11DIGIT,
            Some("OTHERVERSION"),
            ExplicitDeny,
        ),
        (&[&with_deny, &group], SUB_11DIGIT, None, ExplicitDeny),
        (&[&with_deny], SUB_11DIGIT, Some(V), Allow),
        (&[&with_deny], SUB_11DIGIT, None, ExplicitDeny),
    ];
    for (policies, who, v, want) in rows {
        let k = one("cos:versionid", *v);
        assert_eq!(
            decide(policies, who, "name/cos:GetObject", gz!("a.txt"), &k),
            *want,
            "{who} versionid={v:?} ({} policies)",
            policies.len()
        );
    }
}

/// 002:2392-2459: cos:versionid example 2, latest version only: `string_equal_if_exist ""`
/// allows an absent or empty `versionid`; `string_not_equal ""` denies any other. The seed says
/// an empty `versionid` equals an absent one (002:2295); both encodings are checked.
#[test]
fn seed_versionid_latest_only() {
    let p = parse(
        r#"{
  "statement": [
    {
      "principal": {
        "qcs": [
          "qcs::cam:uin/100000000001:uin/100000000002"
        ]
      },
      "effect": "allow",
      "action": [
        "name/cos:GetObject"
      ],
      "condition": {
        "string_equal_if_exist": {
          "cos:versionid": ""
        }
      },
      "resource": [
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
      ]
    },
    {
      "principal": {
        "qcs": [
          "qcs::cam:uin/100000000001:uin/100000000002"
        ]
      },
      "effect": "deny",
      "action": [
        "name/cos:GetObject"
      ],
      "condition": {
        "string_not_equal": {
          "cos:versionid": ""
        }
      },
      "resource": [
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
      ]
    }
  ],
  "version": "2.0"
}"#,
    );
    for (v, want) in [
        (None, Allow),
        (Some(""), Allow),
        (Some("MTg0NDUxNTc1NjIzMTQ1MDAwODg"), ExplicitDeny),
        (Some("null"), ExplicitDeny),
        (Some(" "), ExplicitDeny),
    ] {
        let k = one("cos:versionid", v);
        assert_eq!(
            decide(&[&p], SUB2, "name/cos:GetObject", gz!("a.txt"), &k),
            want,
            "versionid={v:?}"
        );
    }
    let k = one("cos:versionid", None);
    assert_eq!(
        decide(&[&p], SUB2, "name/cos:HeadObject", gz!("a.txt"), &k),
        NoMatch
    );
}

/// 002:2461-2515: cos:versionid example 3: DeleteObject is allowed, except with
/// `versionid=null` (objects uploaded before versioning), which is explicitly denied.
#[test]
fn seed_versionid_protect_null_version() {
    let p = parse(
        r#"{
  "statement": [
    {
      "principal": {
        "qcs": [
          "qcs::cam:uin/100000000001:uin/100000000002"
        ]
      },
      "effect": "allow",
      "action": [
        "name/cos:DeleteObject"
      ],
      "resource": [
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
      ]
    },
    {
      "principal": {
        "qcs": [
          "qcs::cam:uin/100000000001:uin/100000000002"
        ]
      },
      "effect": "deny",
      "action": [
        "name/cos:DeleteObject"
      ],
      "condition": {
        "string_equal": {
          "cos:versionid": "null"
        }
      },
      "resource": [
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
      ]
    }
  ],
  "version": "2.0"
}"#,
    );
    for (v, want) in [
        // No version: a delete marker is added (002:2472); allowed.
        (None, Allow),
        (Some("MTg0NDUxNTc1NjIzMTQ1MDAwODg"), Allow),
        (Some("null"), ExplicitDeny),
        // string_equal is case-sensitive.
        (Some("NULL"), Allow),
    ] {
        let k = one("cos:versionid", v);
        assert_eq!(
            decide(&[&p], SUB2, "name/cos:DeleteObject", gz!("objectA"), &k),
            want,
            "versionid={v:?}"
        );
    }
}

/// 002:2529-2586: cos:content-length example 1 (at most 10 bytes) exactly as printed: the deny
/// uses `numeric_greater_than_if_exist`, so a request without Content-Length is refused, and
/// PostObject is covered too. (The 10/11-byte PutObject rows are in
/// `tests::content_length_limit_with_deny`.) Repair: block split at 002:2538/2540.
#[test]
fn seed_content_length_max_if_exist() {
    let p = parse(
        r#"{
  "version": "2.0",
"statement": [
  {
    "principal": {
      "qcs": [
        "qcs::cam:uin/100000000001:uin/100000000002"
      ]
    },
    "effect": "allow",
    "action": [
      "name/cos:PutObject",
      "name/cos:PostObject"
    ],
    "resource": [
      "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
    ],
    "condition": {
      "numeric_less_than_equal": {
        "cos:content-length": 10
      }
    }
  },
  {
    "principal": {
      "qcs": [
        "qcs::cam:uin/100000000001:uin/100000000002"
      ]
    },
    "effect": "deny",
    "action": [
      "name/cos:PutObject",
      "name/cos:PostObject"
    ],
    "resource": [
      "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
    ],
    "condition": {
      "numeric_greater_than_if_exist": {
        "cos:content-length": 10
      }
    }
  }
]
}"#,
    );
    for (action, len, want) in [
        ("name/cos:PutObject", None, ExplicitDeny),
        ("name/cos:PutObject", Some("0"), Allow),
        ("name/cos:PostObject", Some("10"), Allow),
        ("name/cos:PostObject", Some("11"), ExplicitDeny),
        ("name/cos:PostObject", None, ExplicitDeny),
        ("name/cos:PutObject", Some("1048576"), ExplicitDeny),
        // Not covered by the policy at all.
        ("name/cos:AppendObject", Some("5"), NoMatch),
    ] {
        let k = one("cos:content-length", len);
        assert_eq!(
            decide(&[&p], SUB2, action, gz!("f"), &k),
            want,
            "{action} content-length={len:?}"
        );
    }
}
