//! Seed examples: forbid-overwrite, host, object lock, grant headers, cross-account (002:3255-3772).

use super::*;

/// 002:3255-3307: cos:x-cos-forbid-overwrite: PutObject (PUT Object-Copy authorizes as
/// PutObject too, 002:1443) must carry `x-cos-forbid-overwrite: true`. The policy names only
/// PutObject, so InitiateMultipartUpload / CompleteMultipartUpload (002:3259) get nothing from
/// it. Repair: the policy's closing `}` is missing (002:3307).
#[test]
fn seed_forbid_overwrite_true() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [{
    "principal": {
      "qcs": [
        "qcs::cam::uin/100000000001:uin/100000000002"
      ]
    },
    "effect": "allow",
    "action": [
      "name/cos:PutObject"
    ],
    "resource": [
      "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
    ],
    "condition": {
      "string_equal": {
        "cos:x-cos-forbid-overwrite": "true"
      }
    }
  },
  {
    "principal": {
      "qcs": [
        "qcs::cam::uin/100000000001:uin/100000000002"
      ]
    },
    "effect": "deny",
    "action": [
      "name/cos:PutObject"
    ],
    "resource": [
      "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
    ],
    "condition": {
      "string_not_equal_if_exist": {
        "cos:x-cos-forbid-overwrite": "true"
      }
    }
  }
]
}"#,
    );
    for (action, v, want) in [
        ("name/cos:PutObject", Some("true"), Allow),
        ("name/cos:PutObject", Some("false"), ExplicitDeny),
        ("name/cos:PutObject", None, ExplicitDeny),
        ("name/cos:PutObject", Some("TRUE"), ExplicitDeny),
        ("name/cos:InitiateMultipartUpload", Some("true"), NoMatch),
        ("name/cos:CompleteMultipartUpload", Some("true"), NoMatch),
    ] {
        let k = one("cos:x-cos-forbid-overwrite", v);
        assert_eq!(
            decide(&[&p], SUB2, action, gz!("f"), &k),
            want,
            "{action} forbid-overwrite={v:?}"
        );
    }
}

/// 002:3315-3361: cos:host example 1: every action is denied through the default domain
/// `examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com` and allowed through any other.
/// Repair: the policy's closing `}` is missing (002:3361).
#[test]
fn seed_host_forbid_default_domain() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [{
    "principal": {
      "qcs": [
        "qcs::cam::uin/100000000001:uin/100000000002"
      ]
    },
    "effect": "deny",
    "action": [
      "*"
    ],
    "resource": [
      "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
    ],
    "condition": {
      "string_equal": {
        "cos:host": "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
      }
    }
  },
  {
    "principal": {
      "qcs": [
        "qcs::cam::uin/100000000001:uin/100000000002"
      ]
    },
    "effect": "allow",
    "action": [
      "*"
    ],
    "resource": [
      "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
    ],
    "condition": {
      "string_not_equal": {
        "cos:host": "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com"
      }
    }
  }
]
}"#,
    );
    let default = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
    for (action, res, host, want) in [
        ("name/cos:GetObject", gz!("a"), Some(default), ExplicitDeny),
        ("name/cos:PutObject", gz!("a"), Some(default), ExplicitDeny),
        ("name/cos:GetBucket", gz!(""), Some(default), ExplicitDeny),
        ("name/cos:GetObject", gz!("a"), Some("mydomain1.com"), Allow),
        (
            "name/cos:PutObject",
            gz!("a"),
            Some("cdn.example.com"),
            Allow,
        ),
        (
            "name/cos:GetObject",
            gz!("a"),
            Some("examplebucket-1250000000.cos.accelerate.myqcloud.com"),
            Allow,
        ),
    ] {
        let k = one("cos:host", host);
        assert_eq!(
            decide(&[&p], SUB2, action, res, &k),
            want,
            "{action} host={host:?}"
        );
    }
}

/// 002:3363-3415: cos:host example 2: GetObject under `folder1/` only through `mydomain1.com`.
/// Repair: block split at 002:3378/3380.
#[test]
fn seed_host_custom_domain_only() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [{
    "principal": {
      "qcs": [
        "qcs::cam::uin/100000000001:uin/100000000002"
      ]
    },
    "effect": "allow",
    "action": [
    "name/cos:GetObject"
  ],
  "resource": [
    "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/folder1/*"
  ],
  "condition": {
    "string_equal": {
      "cos:host": "mydomain1.com"
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
    "name/cos:GetObject"
  ],
  "resource": [
    "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/folder1/*"
  ],
  "condition": {
    "string_not_equal": {
      "cos:host": "mydomain1.com"
    }
  }
}
]
}"#,
    );
    let default = "examplebucket-1250000000.cos.ap-guangzhou.myqcloud.com";
    for (action, res, host, want) in [
        (
            "name/cos:GetObject",
            gz!("folder1/a.jpg"),
            Some("mydomain1.com"),
            Allow,
        ),
        (
            "name/cos:GetObject",
            gz!("folder1/a.jpg"),
            Some(default),
            ExplicitDeny,
        ),
        (
            "name/cos:GetObject",
            gz!("folder1/a.jpg"),
            Some("mydomain2.com"),
            ExplicitDeny,
        ),
        (
            "name/cos:GetObject",
            gz!("folder2/a.jpg"),
            Some("mydomain1.com"),
            NoMatch,
        ),
        (
            "name/cos:PutObject",
            gz!("folder1/a.jpg"),
            Some("mydomain1.com"),
            NoMatch,
        ),
    ] {
        let k = one("cos:host", host);
        assert_eq!(
            decide(&[&p], SUB2, action, res, &k),
            want,
            "{action} {res} host={host:?}"
        );
    }
}

/// 002:3417-3462: cos:object-lock-mode: PutObject, InitiateMultipartUpload and
/// PutObjectRetention only with mode `COMPLIANCE`. Repair: the seed closes the policy without
/// `version` and prints `"version": "2.0"` in a stray fragment (002:3455-3461); it is put back.
#[test]
fn seed_object_lock_mode_compliance() {
    let p = parse(
        r#"{
  "statement": [
    {
      "action": [
        "name/cos:PutObject",
        "name/cos:InitiateMultipartUpload",
        "name/cos:PutObjectRetention"
      ],
      "effect": "allow",
      "principal": {
        "qcs": [
          "qcs::cam:uin/1250000000:uin/1250000001"
        ]
      },
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:bjtest-1250000000/*"
      ],
      "condition": {
        "string_equal": {
          "cos:object-lock-mode": "COMPLIANCE"
        }
      }
    }
  ],
  "version": "2.0"
}"#,
    );
    for (action, mode, want) in [
        ("name/cos:PutObject", Some("COMPLIANCE"), Allow),
        (
            "name/cos:InitiateMultipartUpload",
            Some("COMPLIANCE"),
            Allow,
        ),
        ("name/cos:PutObjectRetention", Some("COMPLIANCE"), Allow),
        ("name/cos:PutObject", Some("GOVERNANCE"), NoMatch),
        ("name/cos:PutObject", Some("compliance"), NoMatch),
        ("name/cos:PutObject", None, NoMatch),
        ("name/cos:GetObject", Some("COMPLIANCE"), NoMatch),
    ] {
        let k = one("cos:object-lock-mode", mode);
        assert_eq!(
            decide(&[&p], LOCK_SUB, action, bjtest!("locked.bin"), &k),
            want,
            "{action} mode={mode:?}"
        );
    }
}

/// floor((retain_until - now) / 86400) as the server computes
/// cos:object-lock-remaining-retention-days (002:3472-3475).
fn remaining_days(retain_until: &str, now: &str) -> String {
    let t = |s: &str| {
        time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339)
            .unwrap_or_else(|e| panic!("{s}: {e}"))
    };
    (t(retain_until) - t(now))
        .whole_seconds()
        .div_euclid(86_400)
        .to_string()
}

/// 002:3464-3528: cos:object-lock-remaining-retention-days. The worked examples (002:3478-3480)
/// and the note (002:3490) fix the rounding; the example policy (002:3494-3519) requires more
/// than 3 days; the table (002:3525-3528) gives the closed intervals of valid retain-until dates
/// for `numeric_equal` / `numeric_greater_than` / `numeric_less_than` 3 at request time
/// 2022-11-01T12:00:00Z, tested at both ends and just outside.
///
/// The table spells the key `cos: x-cos-object-lock-remaining-retention-days`; the space is
/// typesetting and removed. The two spellings are different strings to the evaluator, so the
/// request carries the computed value under both names (the inventory asks the server to accept
/// both). The seed's worked examples omit the zone; UTC is assumed.
#[test]
fn seed_object_lock_remaining_retention_days() {
    const KEY: &str = "cos:object-lock-remaining-retention-days";
    const TABLE_KEY: &str = "cos:x-cos-object-lock-remaining-retention-days";
    assert_eq!(
        remaining_days("2022-11-17T10:10:11Z", "2022-11-15T09:00:00Z"),
        "2"
    );
    assert_eq!(
        remaining_days("2022-11-17T10:10:11Z", "2022-11-15T12:00:00Z"),
        "1"
    );
    let retention_keys = |until: &str, now: &str| {
        let b = remaining_days(until, now);
        keys(&[(KEY, &[b.as_str()]), (TABLE_KEY, &[b.as_str()])])
    };

    let more_than_3 = parse(
        r#"{
  "statement": [
    {
      "action": [
        "name/cos:PutObject",
        "name/cos:InitiateMultipartUpload",
        "name/cos:PutObjectRetention"
      ],
      "effect": "allow",
      "principal": {
        "qcs": [
          "qcs::cam::uin/1250000000:uin/1250000001"
        ]
      },
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:bjtest-1250000000/*"
      ],
      "condition": {
        "numeric_greater_than": {
          "cos:object-lock-remaining-retention-days": 3
        }
      }
    }
  ],
  "version": "2.0"
}"#,
    );
    // 002:3490: request at 2022-10-01T16:00:00, RetainUntilDate from 2022-10-05T16:00:00 on.
    for (action, until, want) in [
        ("name/cos:PutObject", "2022-10-05T16:00:00Z", Allow),
        ("name/cos:PutObject", "2022-10-05T15:59:59Z", NoMatch),
        (
            "name/cos:InitiateMultipartUpload",
            "2022-10-06T00:00:00Z",
            Allow,
        ),
        ("name/cos:PutObjectRetention", "2023-10-01T16:00:00Z", Allow),
        (
            "name/cos:PutObjectRetention",
            "2022-10-02T16:00:00Z",
            NoMatch,
        ),
    ] {
        let k = retention_keys(until, "2022-10-01T16:00:00Z");
        assert_eq!(
            decide(&[&more_than_3], LOCK_SUB, action, bjtest!("f"), &k),
            want,
            "{action} until {until}"
        );
    }
    // No retention in the request: the key is absent and the condition fails.
    assert_eq!(
        decide(
            &[&more_than_3],
            LOCK_SUB,
            "name/cos:PutObject",
            bjtest!("f"),
            &Keys::new()
        ),
        NoMatch
    );

    // The table (002:3526-3528), one policy per row's operator.
    let table_policy = |op: &str| {
        parse(&format!(
            r#"{{"version":"2.0","statement":[{{"action":["name/cos:PutObject"],"effect":"allow","principal":{{"qcs":["qcs::cam::uin/1250000000:uin/1250000001"]}},"resource":["qcs::cos:ap-beijing:uid/1250000000:bjtest-1250000000/*"],"condition":{{{op}}}}}]}}"#
        ))
    };
    let eq3 =
        table_policy(r#""numeric_equal": { "cos:x-cos-object-lock-remaining-retention-days": 3 }"#);
    let gt3 = table_policy(
        r#""numeric_greater_than": { "cos:x-cos-object-lock-remaining-retention-days": 3 }"#,
    );
    let lt3 = table_policy(
        r#""numeric_less_than": { "cos:x-cos-object-lock-remaining-retention-days": 3 }"#,
    );
    let now = "2022-11-01T12:00:00Z";
    #[allow(clippy::type_complexity)]
    let rows: &[(&str, bool, bool, bool)] = &[
        // (retain-until, equal to 3, more than 3, less than 3)
        ("2022-11-01T12:00:01Z", false, false, true), // lt interval start
        ("2022-11-04T11:59:59Z", false, false, true), // lt interval end
        ("2022-11-04T12:00:00Z", true, false, false), // eq interval start
        ("2022-11-05T11:59:59Z", true, false, false), // eq interval end
        ("2022-11-05T12:00:00Z", false, true, false), // gt interval start
        ("2032-11-05T12:00:00Z", false, true, false), // gt: "later"
    ];
    for (until, want_eq, want_gt, want_lt) in rows {
        let k = retention_keys(until, now);
        for (name, p, want) in [
            ("eq", &eq3, want_eq),
            ("gt", &gt3, want_gt),
            ("lt", &lt3, want_lt),
        ] {
            assert_eq!(
                decide(&[p], LOCK_SUB, "name/cos:PutObject", bjtest!("f"), &k) == Allow,
                *want,
                "{name} 3, until {until} (B = {:?})",
                k[KEY]
            );
        }
    }
}

/// 002:3530-3567: cos:object-lock-retain-until-date must be after 2022-11-11T12:00:00Z
/// (`date_greater_than`, whole seconds).
#[test]
fn seed_object_lock_retain_until_date() {
    let p = parse(
        r#"{
  "statement": [
    {
      "action": [
        "name/cos:PutObject",
        "name/cos:InitiateMultipartUpload",
        "name/cos:PutObjectRetention"
      ],
      "effect": "allow",
      "principal": {
        "qcs": [
          "qcs::cam::uin/1250000000:uin/1250000001"
        ]
      },
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:bjtest-1250000000/*"
      ],
      "condition": {
        "date_greater_than": {
          "cos:object-lock-retain-until-date": "2022-11-11T12:00:00Z"
        }
      }
    }
  ],
  "version": "2.0"
}"#,
    );
    for (action, until, want) in [
        ("name/cos:PutObject", Some("2022-11-11T12:00:01Z"), Allow),
        ("name/cos:PutObject", Some("2022-11-11T12:00:00Z"), NoMatch),
        ("name/cos:PutObject", Some("2022-11-11T11:59:59Z"), NoMatch),
        (
            "name/cos:PutObject",
            Some("2022-11-11T20:00:01+08:00"),
            Allow,
        ),
        (
            "name/cos:PutObject",
            Some("2022-11-11T19:59:59+08:00"),
            NoMatch,
        ),
        (
            "name/cos:InitiateMultipartUpload",
            Some("2030-01-01T00:00:00Z"),
            Allow,
        ),
        (
            "name/cos:PutObjectRetention",
            Some("2022-11-12T00:00:00Z"),
            Allow,
        ),
        ("name/cos:PutObject", Some("not a date"), NoMatch),
        ("name/cos:PutObject", None, NoMatch),
    ] {
        let k = one("cos:object-lock-retain-until-date", until);
        assert_eq!(
            decide(&[&p], LOCK_SUB, action, bjtest!("f"), &k),
            want,
            "{action} until={until:?}"
        );
    }
}

/// 002:3587-3645: cos:x-cos-grant-full-control example 1: uploads must grant full control to
/// exactly `id="100000000001"` (the raw header value, quotes included). Repairs: the statement
/// array is closed after the allow (002:3614 `}],`); the deny's principal object has a trailing
/// comma and its closing `}` is printed after `"qcs": [...]` (002:3630-3631); block split at
/// 002:3624/3626.
#[test]
fn seed_grant_full_control_root_only() {
    let p = parse(
        r#"{
  "statement": [{
    "action": [
      "name/cos:PutObject",
      "name/cos:PostObject",
      "name/cos:AppendObject",
      "name/cos:InitiateMultipartUpload"
    ],
    "effect": "allow",
    "principal": {
      "qcs": [
        "qcs::cam:uin/1250000000:uin/1250000001"
      ]
    },
    "resource": [
      "qcs::cos:ap-beijing:uid/1250000000:bjtest-1250000000/*"
    ],
    "condition": {
      "string_equal": {
        "cos:x-cos-grant-full-control": "id=\"100000000001\""
      }
    }
  },
  {
    "action": [
      "name/cos:PutObject",
      "name/cos:PostObject",
      "name/cos:AppendObject",
      "name/cos:InitiateMultipartUpload"
    ],
    "effect": "deny",
    "principal": {
    "qcs": [
      "qcs::cam::uin/1250000000:uin/1250000001"
    ]
  },
  "resource": [
    "qcs::cos:ap-beijing:uid/1250000000:bjtest-1250000000/*"
  ],
  "condition": {
    "string_not_equal_if_exist": {
      "cos:x-cos-grant-full-control": "id=\"100000000001\""
    }
  }
}
],
"version": "2.0"
}"#,
    );
    for (action, grant, want) in [
        ("name/cos:PutObject", Some(r#"id="100000000001""#), Allow),
        ("name/cos:PostObject", Some(r#"id="100000000001""#), Allow),
        ("name/cos:AppendObject", Some(r#"id="100000000001""#), Allow),
        (
            "name/cos:InitiateMultipartUpload",
            Some(r#"id="100000000001""#),
            Allow,
        ),
        (
            "name/cos:PutObject",
            Some(r#"id="100000000002""#),
            ExplicitDeny,
        ),
        (
            "name/cos:PutObject",
            Some(r#"id="100000000001",id="100000000002""#),
            ExplicitDeny,
        ),
        ("name/cos:PutObject", Some("id=100000000001"), ExplicitDeny),
        ("name/cos:PutObject", Some(""), ExplicitDeny),
        ("name/cos:PutObject", None, ExplicitDeny),
        (
            "name/cos:PutObjectACL",
            Some(r#"id="100000000001""#),
            NoMatch,
        ),
    ] {
        let k = one("cos:x-cos-grant-full-control", grant);
        assert_eq!(
            decide(&[&p], LOCK_SUB, action, bjtest!("f"), &k),
            want,
            "{action} grant={grant:?}"
        );
    }
}

/// 002:3647-3704: cos:x-cos-grant-full-control example 2: uploads may not grant full control:
/// the header must be absent or empty (`string_equal_if_exist ""`, deny `string_not_equal ""`).
/// Repairs: the statement array is closed after the allow (002:3675 `}],`) and never closed
/// after the deny (002:3701); block split at 002:3694/3696.
#[test]
fn seed_grant_full_control_forbidden() {
    let p = parse(
        r#"{
  "statement": [{
    "action": [
      "name/cos:PutObject",
      "name/cos:PostObject",
      "name/cos:AppendObject",
      "name/cos:InitiateMultipartUpload"
    ],
    "effect": "allow",
    "principal": {
      "qcs": [
        "qcs::cam::uin/1250000000:uin/1250000001"
      ]
    },
    "resource": [
      "qcs::cos:ap-beijing:uid/1250000000:bjtest-1250000000/*"
    ],
    "condition": {
      "string_equal_if_exist": {
        "cos:x-cos-grant-full-control": ""
      }
    }
  },
  {
    "action": [
      "name/cos:PutObject",
      "name/cos:PostObject",
      "name/cos:AppendObject",
      "name/cos:InitiateMultipartUpload"
    ],
    "effect": "deny",
    "principal": {
      "qcs": [
        "qcs::cam::uin/1250000000:uin/1250000001"
      ]
    },
    "resource": [
      "qcs::cos:ap-beijing:uid/1250000000:bjtest-1250000000/*"
    ],
    "condition": {
        "string_not_equal": {
            "cos:x-cos-grant-full-control": ""
        }
    }
}],
"version": "2.0"
}"#,
    );
    for (action, grant, want) in [
        ("name/cos:PutObject", None, Allow),
        ("name/cos:PutObject", Some(""), Allow),
        ("name/cos:PostObject", None, Allow),
        ("name/cos:AppendObject", Some(""), Allow),
        ("name/cos:InitiateMultipartUpload", None, Allow),
        (
            "name/cos:PutObject",
            Some(r#"id="100000000001""#),
            ExplicitDeny,
        ),
        (
            "name/cos:InitiateMultipartUpload",
            Some(r#"id="100000000002""#),
            ExplicitDeny,
        ),
        ("name/cos:PutObject", Some(" "), ExplicitDeny),
    ] {
        let k = one("cos:x-cos-grant-full-control", grant);
        assert_eq!(
            decide(&[&p], LOCK_SUB, action, bjtest!("f"), &k),
            want,
            "{action} grant={grant:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Cross-account (002:3706-3772)
// ---------------------------------------------------------------------------------------------

/// 002:3706-3772: root A (APPID 1250000000) grants root B (100000000002) all operations on its
/// two buckets through bucket policies (a console form, 002:3722-3729; written here as the
/// policy it stands for, constructed); B grants its sub-account B0 (100000000003 here) `cos:*`
/// on those buckets through a CAM policy with an empty region (002:3747-3760; the stray `}` at
/// 002:3763-3765 is debris). B0's request needs both grants.
#[test]
fn seed_cross_account_sub_account() {
    let b0_policy = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "action": "cos:*",
      "effect": "allow",
      "resource": [
        "qcs::cos::uid/1250000000:examplebucket1-1250000000/*",
        "qcs::cos::uid/1250000000:examplebucket2-1250000000/*"
      ]
    }
  ]
}"#,
    );
    let bucket_policy = |bucket: &str| {
        parse(&format!(
            r#"{{"version":"2.0","statement":[{{"principal":{{"qcs":["qcs::cam::uin/100000000002:uin/100000000002"]}},"effect":"allow","action":["name/cos:*"],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:{bucket}/*"]}}]}}"#
        ))
    };
    let a_bucket1 = bucket_policy("examplebucket1-1250000000");
    let a_bucket2 = bucket_policy("examplebucket2-1250000000");
    let b0 = "qcs::cam::uin/100000000002:uin/100000000003";
    let other_root_sub = "qcs::cam::uin/100000000009:uin/100000000003";
    let res =
        |bucket: &str, key: &str| format!("qcs::cos:ap-guangzhou:uid/1250000000:{bucket}/{key}");
    let both = |who: &str, bp: &Policy, action: &str, r: &str| {
        allowed(&[bp], who, action, r) && allowed(&[&b0_policy], who, action, r)
    };
    #[allow(clippy::type_complexity)]
    let rows: &[(&str, &Policy, &str, &str, &str, bool)] = &[
        (
            b0,
            &a_bucket1,
            "name/cos:GetObject",
            "examplebucket1-1250000000",
            "a.txt",
            true,
        ),
        (
            b0,
            &a_bucket1,
            "name/cos:PutObject",
            "examplebucket1-1250000000",
            "dir/b.txt",
            true,
        ),
        (
            b0,
            &a_bucket2,
            "name/cos:DeleteObject",
            "examplebucket2-1250000000",
            "c",
            true,
        ),
        (
            b0,
            &a_bucket2,
            "name/cos:GetBucket",
            "examplebucket2-1250000000",
            "",
            true,
        ),
        // A's bucket policy covers only its own bucket.
        (
            b0,
            &a_bucket1,
            "name/cos:GetObject",
            "examplebucket3-1250000000",
            "a.txt",
            false,
        ),
        // A sub-account of another root is not covered by the grant to root B.
        (
            other_root_sub,
            &a_bucket1,
            "name/cos:GetObject",
            "examplebucket1-1250000000",
            "a.txt",
            false,
        ),
    ];
    for (who, bp, action, bucket, key, want) in rows {
        let r = res(bucket, key);
        assert_eq!(both(who, bp, action, &r), *want, "{who} {action} {r}");
    }
    // The empty region in B0's policy matches any region of A's bucket.
    for region in ["ap-guangzhou", "ap-beijing", "na-ashburn"] {
        let r = format!("qcs::cos:{region}:uid/1250000000:examplebucket1-1250000000/k");
        assert!(
            allowed(&[&b0_policy], b0, "name/cos:GetObject", &r),
            "{region}"
        );
    }
    // Without A's bucket policy, B's own grant gives B0 nothing on A's bucket.
    let none = parse(
        r#"{"version":"2.0","statement":[{"effect":"deny","action":"cos:*","resource":"qcs::cos::uid/1250000000:nothing-1250000000/*"}]}"#,
    );
    let r = res("examplebucket1-1250000000", "a.txt");
    assert!(!both(b0, &none, "name/cos:GetObject", &r));
}
