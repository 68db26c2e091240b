//! Seed examples: content-length minimum through tls-version (002:2529-3152).

use super::*;

/// 002:2588-2648: cos:content-length example 2: at least 2 bytes
/// (`numeric_greater_than_equal` 2, deny `numeric_less_than_if_exist` 2). Repair: the seed
/// closes the allow statement and the policy after `action` (002:2608-2610) and continues in a
/// second block (002:2616); joined.
#[test]
fn seed_content_length_min() {
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
      "numeric_greater_than_equal": {
        "cos:content-length": 2
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
      "numeric_less_than_if_exist": {
        "cos:content-length": 2
      }
    }
  }
]
}"#,
    );
    for (action, len, want) in [
        ("name/cos:PutObject", Some("2"), Allow),
        ("name/cos:PutObject", Some("3"), Allow),
        ("name/cos:PostObject", Some("5368709120"), Allow),
        ("name/cos:PutObject", Some("1"), ExplicitDeny),
        ("name/cos:PutObject", Some("0"), ExplicitDeny),
        ("name/cos:PostObject", Some("1"), ExplicitDeny),
        ("name/cos:PutObject", None, ExplicitDeny),
    ] {
        let k = one("cos:content-length", len);
        assert_eq!(
            decide(&[&p], SUB2, action, gz!("f"), &k),
            want,
            "{action} content-length={len:?}"
        );
    }
    // Another principal is not named by this bucket policy.
    let k = one("cos:content-length", Some("1"));
    assert_eq!(
        decide(&[&p], STRANGER, "name/cos:PutObject", gz!("f"), &k),
        NoMatch
    );
}

/// 002:2650-2719: cos:content-type: PutObject must carry Content-Type `image/jpeg`, compared
/// case-insensitively (`string_equal_ignore_case`, deny `string_not_equal_ignore_case_if_exist`);
/// a request without the header fails (002:2664). Repair: block split at 002:2674/2676.
#[test]
fn seed_content_type_image_jpeg() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
{
  "principal":{
    "qcs":[
      "qcs::cam:uin/100000000001:uin/100000000002"
    ]
  },
  "effect":"allow",
  "action":[
    "name/cos:PutObject"
  ],
  "resource":[
    "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
  ],
  "condition":{
    "string_equal_ignore_case":{
      "cos:content-type":"image/jpeg"
    }
  }
},
{
  "principal":{
    "qcs":[
      "qcs::cam:uin/100000000001:uin/100000000002"
    ]
  },
  "effect":"deny",
  "action":[
    "name/cos:PutObject"
  ],
  "resource":[
    "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
  ],
  "condition":{
    "string_not_equal_ignore_case_if_exist":{
      "cos:content-type":"image/jpeg"
    }
  }
}
]
}"#,
    );
    for (ct, want) in [
        (Some("image/jpeg"), Allow),
        (Some("IMAGE/JPEG"), Allow),
        (Some("Image/Jpeg"), Allow),
        (Some("image/png"), ExplicitDeny),
        (Some("text/html"), ExplicitDeny),
        (Some("application/octet-stream"), ExplicitDeny),
        (None, ExplicitDeny),
    ] {
        let k = one("cos:content-type", ct);
        assert_eq!(
            decide(&[&p], SUB2, "name/cos:PutObject", gz!("pic.jpg"), &k),
            want,
            "content-type={ct:?}"
        );
    }
}

/// 002:2721-2786: cos:response-content-type on GetObject must be `image%2Fjpeg`: the key holds
/// the query parameter still URL-encoded (002:2733), so the decoded `image/jpeg` does not match.
/// Absent parameter: refused by the `_if_exist` deny. Repair: block split at 002:2741/2743.
#[test]
fn seed_response_content_type_encoded() {
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
    "name/cos:GetObject"
  ],
  "resource": [
    "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
  ],
  "condition": {
    "string_equal": {
      "cos:response-content-type": "image%2Fjpeg"
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
    "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
  ],
  "condition": {
    "string_not_equal_if_exist": {
      "cos:response-content-type": "image%2Fjpeg"
    }
  }
}
]
}"#,
    );
    for (rct, want) in [
        (Some("image%2Fjpeg"), Allow),
        (Some("image/jpeg"), ExplicitDeny),
        (Some("image%2Fpng"), ExplicitDeny),
        (Some("text%2Fhtml"), ExplicitDeny),
        (None, ExplicitDeny),
    ] {
        let k = one("cos:response-content-type", rct);
        assert_eq!(
            decide(&[&p], SUB2, "name/cos:GetObject", gz!("pic"), &k),
            want,
            "response-content-type={rct:?}"
        );
    }
}

/// 002:2794-2830: cos:secure-transport example 1: GetObject only over HTTPS. Repair: block
/// split at 002:2812/2814.
#[test]
fn seed_secure_transport_https_get() {
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
    "name/cos:GetObject"
  ],
  "resource": [
    "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
  ],
  "condition": {
    "bool_equal": {
      "cos:secure-transport": "true"
    }
  }
}
]
}"#,
    );
    for (action, https, want) in [
        ("name/cos:GetObject", Some("true"), Allow),
        ("name/cos:GetObject", Some("false"), NoMatch),
        ("name/cos:GetObject", None, NoMatch),
        ("name/cos:PutObject", Some("true"), NoMatch),
    ] {
        let k = one("cos:secure-transport", https);
        assert_eq!(
            decide(&[&p], SUB2, action, gz!("a"), &k),
            want,
            "{action} secure-transport={https:?}"
        );
    }
}

/// 002:2832-2863: cos:secure-transport example 2: deny every action over plain HTTP. It only
/// denies; other grants (here an unconditioned allow-all for the same principal, constructed)
/// still apply over HTTPS. The policy prints 13-digit uins (002:2844); requested as printed.
#[test]
fn seed_secure_transport_deny_http() {
    let deny = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "principal": {
        "qcs": [
          "qcs::cam:uin/1000000000001:uin/1000000000002"
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
        "bool_equal": {
          "cos:secure-transport": "false"
        }
      }
    }
  ]
}"#,
    );
    let grant =
        parse(r#"{"version":"2.0","statement":[{"effect":"allow","action":"*","resource":"*"}]}"#);
    #[allow(clippy::type_complexity)]
    let rows: &[(&[&Policy], &str, &str, Option<&str>, Want)] = &[
        (
            &[&deny],
            "name/cos:GetObject",
            gz!("a"),
            Some("false"),
            ExplicitDeny,
        ),
        (
            &[&deny],
            "name/cos:GetObject",
            gz!("a"),
            Some("true"),
            NoMatch,
        ),
        (
            &[&grant, &deny],
            "name/cos:GetObject",
            gz!("a"),
            Some("false"),
            ExplicitDeny,
        ),
        (
            &[&grant, &deny],
            "name/cos:PutObject",
            gz!("a"),
            Some("false"),
            ExplicitDeny,
        ),
        (
            &[&grant, &deny],
            "name/cos:GetBucket",
            gz!(""),
            Some("false"),
            ExplicitDeny,
        ),
        (
            &[&grant, &deny],
            "name/cos:GetObject",
            gz!("a"),
            Some("true"),
            Allow,
        ),
        (
            &[&grant, &deny],
            "name/cos:DeleteObject",
            gz!("a"),
            Some("true"),
            Allow,
        ),
        (
            &[&grant, &deny],
            "name/cos:GetObject",
            gz!("a"),
            Some("FALSE"),
            ExplicitDeny,
        ),
        // Another bucket is outside the deny.
        (
            &[&grant, &deny],
            "name/cos:GetObject",
            bj!("a"),
            Some("false"),
            Allow,
        ),
    ];
    for (policies, action, res, https, want) in rows {
        let k = one("cos:secure-transport", *https);
        assert_eq!(
            decide(policies, SUB13, action, res, &k),
            *want,
            "{action} {res} secure-transport={https:?}"
        );
    }
}

/// 002:2865-2927: cos:x-cos-storage-class: PutObject must carry `x-cos-storage-class: STANDARD`
/// (case-sensitive `string_equal`, deny `string_not_equal_if_exist`).
#[test]
fn seed_storage_class_standard() {
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
        "name/cos:PutObject"
      ],
      "resource": [
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
      ],
      "condition": {
        "string_equal": {
          "cos:x-cos-storage-class": "STANDARD"
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
        "name/cos:PutObject"
      ],
      "resource": [
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
      ],
      "condition": {
        "string_not_equal_if_exist": {
          "cos:x-cos-storage-class": "STANDARD"
        }
      }
    }
  ]
}"#,
    );
    for (class, want) in [
        (Some("STANDARD"), Allow),
        (Some("STANDARD_IA"), ExplicitDeny),
        (Some("MAZ_STANDARD"), ExplicitDeny),
        (Some("ARCHIVE"), ExplicitDeny),
        (Some("DEEP_ARCHIVE"), ExplicitDeny),
        (Some("INTELLIGENT_TIERING"), ExplicitDeny),
        (Some("standard"), ExplicitDeny),
        (None, ExplicitDeny),
    ] {
        let k = one("cos:x-cos-storage-class", class);
        assert_eq!(
            decide(&[&p], SUB2, "name/cos:PutObject", gz!("f"), &k),
            want,
            "storage-class={class:?}"
        );
    }
}

/// 002:2929-2990: cos:x-cos-acl: PutObject must carry `x-cos-acl: private`.
#[test]
fn seed_x_cos_acl_private() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
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
          "cos:x-cos-acl": "private"
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
          "cos:x-cos-acl": "private"
        }
      }
    }
  ]
}"#,
    );
    for (acl, want) in [
        (Some("private"), Allow),
        (Some("public-read"), ExplicitDeny),
        (Some("public-read-write"), ExplicitDeny),
        (Some("default"), ExplicitDeny),
        (Some("bucket-owner-full-control"), ExplicitDeny),
        (Some("Private"), ExplicitDeny),
        (None, ExplicitDeny),
    ] {
        let k = one("cos:x-cos-acl", acl);
        assert_eq!(
            decide(&[&p], SUB2, "name/cos:PutObject", gz!("f"), &k),
            want,
            "x-cos-acl={acl:?}"
        );
    }
    // PutObjectACL is not named by the policy.
    let k = one("cos:x-cos-acl", Some("private"));
    assert_eq!(
        decide(&[&p], SUB2, "name/cos:PutObjectACL", gz!("f"), &k),
        NoMatch
    );
}

/// 002:2992-3050: cos:prefix on GetBucket, URL-encoded (`folder1%2F`). As printed, the deny
/// compares with `Folder1%2F` (002:3043) while the allow uses `folder1%2F` (002:3024): with
/// case-sensitive operators (inventory, conflicts item 11) the pair refuses every listing
/// (`folder1%2F` is allowed and then explicitly denied; `Folder1%2F` is not allowed). The rows
/// after it use the evidently intended deny value `folder1%2F` and show the stated decision:
/// only `prefix=folder1/` lists. The policy prints 13-digit uins (002:3012); requested as printed.
#[test]
fn seed_prefix_folder1() {
    let printed = r#"{
  "statement": [
    {
      "principal": {
        "qcs": [
          "qcs::cam::uin/1000000000001:uin/1000000000002"
        ]
      },
      "effect": "allow",
      "action": [
        "name/cos:GetBucket"
      ],
      "resource": [
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
      ],
      "condition": {
        "string_equal": {
          "cos:prefix": "folder1%2F"
        }
      }
    },
    {
      "principal": {
        "qcs": [
          "qcs::cam::uin/1000000000001:uin/1000000000002"
        ]
      },
      "effect": "deny",
      "action": [
        "name/cos:GetBucket"
      ],
      "resource": [
        "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/*"
      ],
      "condition": {
        "string_not_equal_if_exist": {
          "cos:prefix": "Folder1%2F"
        }
      }
    }
  ],
  "version": "2.0"
}"#;
    let as_printed = parse(printed);
    let intended = parse(&printed.replace("Folder1%2F", "folder1%2F"));
    #[allow(clippy::type_complexity)]
    let rows: &[(Option<&str>, Want, Want)] = &[
        // (prefix, as printed, intended)
        (Some("folder1%2F"), ExplicitDeny, Allow),
        (Some("Folder1%2F"), NoMatch, ExplicitDeny),
        (Some("folder2%2F"), ExplicitDeny, ExplicitDeny),
        (Some("folder1%2Fsub%2F"), ExplicitDeny, ExplicitDeny),
        // The decoded value is not what the key holds (002:3000, 3004).
        (Some("folder1/"), ExplicitDeny, ExplicitDeny),
        (Some(""), ExplicitDeny, ExplicitDeny),
        (None, ExplicitDeny, ExplicitDeny),
    ];
    for (prefix, want_printed, want_intended) in rows {
        let k = one("cos:prefix", *prefix);
        assert_eq!(
            decide(&[&as_printed], SUB13, "name/cos:GetBucket", gz!(""), &k),
            *want_printed,
            "as printed, prefix={prefix:?}"
        );
        assert_eq!(
            decide(&[&intended], SUB13, "name/cos:GetBucket", gz!(""), &k),
            *want_intended,
            "intended, prefix={prefix:?}"
        );
    }
}

/// 002:3058-3093: cos:tls-version example 1: every action only over TLS 1.2
/// (`numeric_equal` 1.2). Table 002:3060-3063: TLS 1.0 fails, TLS 1.2 succeeds. Plain HTTP
/// carries no TLS version and fails too.
#[test]
fn seed_tls_version_equal_1_2() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
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
        "numeric_equal": {
          "cos:tls-version":1.2
        }
      }
    }
  ]
}"#,
    );
    for (tls, want) in [
        (Some("1.0"), NoMatch),
        (Some("1.2"), Allow),
        (Some("1.1"), NoMatch),
        (Some("1.3"), NoMatch),
        (None, NoMatch),
    ] {
        let k = one("cos:tls-version", tls);
        assert_eq!(
            decide(&[&p], SUB2, "name/cos:GetObject", gz!("a"), &k),
            want,
            "tls={tls:?}"
        );
    }
}

/// 002:3095-3152: cos:tls-version example 2: allow TLS >= 1.2 (002:3104-3128) together with the
/// deny companion `numeric_less_than_if_exist` 1.2 (002:3132-3150), attached together. Table
/// 002:3097-3099: TLS 1.0 fails, TLS 1.2 succeeds; plain HTTP (no TLS version) is denied by the
/// `_if_exist` deny. Repairs: the allow policy's trailing comma after `]` (002:3126) is removed;
/// the companion is a bare statement and is wrapped in a policy.
#[test]
fn seed_tls_version_at_least_1_2_with_deny() {
    let allow = parse(
        r#"{
  "version": "2.0",
  "statement": [
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
        "numeric_greater_than_equal": {
          "cos:tls-version":1.2
        }
      }
    }
  ]
}"#,
    );
    let deny = parse(
        r#"{"version": "2.0", "statement": [
{
  "principal": {
    "qcs": [
      "qcs::cam:uin/100000000001:uin/100000000002"
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
    "numeric_less_than_if_exist": {
      "cos:tls-version": 1.2
    }
  }
}
]}"#,
    );
    for (tls, want) in [
        (Some("1.0"), ExplicitDeny),
        (Some("1.1"), ExplicitDeny),
        (Some("1.2"), Allow),
        (Some("1.3"), Allow),
        (None, ExplicitDeny),
    ] {
        let k = one("cos:tls-version", tls);
        assert_eq!(
            decide(&[&allow, &deny], SUB2, "name/cos:PutObject", gz!("a"), &k),
            want,
            "tls={tls:?}"
        );
    }
}
