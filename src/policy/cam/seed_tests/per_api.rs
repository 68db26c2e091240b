//! Seed examples: The per-API policy samples (002:842-1715).

use super::*;

/// 002:842-1715: the per-API samples (service, bucket and object APIs), one sample per entry,
/// each with rows of (action, resource, allowed). Bucket-level requests name the bucket with a
/// trailing `/` (002:870-875, 901); object requests name `<bucket>/<key>`.
///
/// Repairs (per entry): code blocks split mid-policy (002:887/893, 1040/1045, 1242/1251,
/// 1315/1329, 1450/1468, 1694/1701) are joined; the GetBucketLifecycle sample's resource and
/// effect were printed after its closing brackets (002:1167-1190) and are put back; stray
/// fragments after a complete policy (002:967-974, 1616-1622) are dropped; missing closing
/// brackets (002:1057, 1259) are added. The DeleteObject sample prints `name/cos>DeleteObject`
/// (002:1655, 1670), read as `name/cos:DeleteObject` (the batch sample, 002:1704, spells it
/// with `:`); the literal's effect is checked at the end.
///
/// The prose resource forms (002:836, 874-875, 1226, 1228) are written as policies with the
/// action of a neighbouring sample (constructed).
#[test]
fn seed_per_api_samples() {
    #[allow(clippy::type_complexity)]
    let samples: &[(u32, &str, &[(&str, &str, bool)])] = &[
        (
            852, // GET Service
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:GetService"
      ],
      "effect": "allow",
      "resource": [
        "*"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:GetService", SERVICE, true),
                ("name/cos:GetBucket", bj!(""), false),
                ("name/cos:PutBucket", bj!(""), false),
            ],
        ),
        (
            874, // prose: all buckets of APPID 1250000000 in ap-beijing (constructed)
            r#"{"version":"2.0","statement":[{"action":["name/cos:HeadBucket"],"effect":"allow","resource":["qcs::cos:ap-beijing:uid/1250000000:*"]}]}"#,
            &[
                ("name/cos:HeadBucket", bj!(""), true),
                (
                    "name/cos:HeadBucket",
                    "qcs::cos:ap-beijing:uid/1250000000:otherbucket-1250000000/",
                    true,
                ),
                ("name/cos:HeadBucket", gz!(""), false),
                (
                    "name/cos:HeadBucket",
                    "qcs::cos:ap-beijing:uid/1250000001:examplebucket-1250000001/",
                    false,
                ),
            ],
        ),
        (
            875, // prose: one bucket, written `<bucket>/*` (constructed)
            r#"{"version":"2.0","statement":[{"action":["name/cos:HeadBucket"],"effect":"allow","resource":["qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/*"]}]}"#,
            &[
                ("name/cos:HeadBucket", bj!(""), true),
                (
                    "name/cos:HeadBucket",
                    "qcs::cos:ap-beijing:uid/1250000000:examplebucket2-1250000000/",
                    false,
                ),
            ],
        ),
        (
            887, // PUT Bucket (repaired: block split at 002:889/891)
            r#"{
"version": "2.0",
"statement": [
  {
    "action": [
      "name/cos:PutBucket"
    ],
    "effect": "allow",
    "resource": [
      "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
    ]
  }
]
}"#,
            &[
                ("name/cos:PutBucket", bj!(""), true),
                ("name/cos:PutBucket", gz!(""), false),
                (
                    "name/cos:PutBucket",
                    "qcs::cos:ap-beijing:uid/1250000000:examplebucket2-1250000000/",
                    false,
                ),
                ("name/cos:DeleteBucket", bj!(""), false),
                // A bucket-level grant (`<bucket>/`) does not cover objects.
                ("name/cos:PutObject", bj!("a"), false),
            ],
        ),
        (
            923, // HEAD Bucket
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:HeadBucket"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:HeadBucket", bj!(""), true),
                ("name/cos:HeadObject", bj!("a"), false),
                ("name/cos:GetBucket", bj!(""), false),
            ],
        ),
        (
            950, // GET Bucket (list objects); stray fragment 002:967-974 dropped
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:GetBucket"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:GetBucket", bj!(""), true),
                ("name/cos:GetObject", bj!("a"), false),
                (
                    "name/cos:GetBucket",
                    "qcs::cos:ap-beijing:uid/1250000000:examplebucket2-1250000000/",
                    false,
                ),
            ],
        ),
        (
            986, // DELETE Bucket
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:DeleteBucket"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:DeleteBucket", bj!(""), true),
                ("name/cos:DeleteObject", bj!("a"), false),
                ("name/cos:DeleteBucket", gz!(""), false),
            ],
        ),
        (
            1013, // PUT Bucket acl
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:PutBucketACL"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:PutBucketACL", bj!(""), true),
                ("name/cos:GetBucketACL", bj!(""), false),
                ("name/cos:PutObjectACL", bj!("a"), false),
                // Case-sensitive (002:837).
                ("name/cos:PutBucketAcl", bj!(""), false),
            ],
        ),
        (
            1040, // GET Bucket acl (repaired: block split at 002:1042/1044, closing `}` added)
            r#"{
"version": "2.0",
"statement": [
  {
    "action": [
      "name/cos:GetBucketACL"
    ],
    "effect": "allow",
    "resource": [
      "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
    ]
  }
]
}"#,
            &[
                ("name/cos:GetBucketACL", bj!(""), true),
                ("name/cos:PutBucketACL", bj!(""), false),
            ],
        ),
        (
            1068, // PUT Bucket cors
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:PutBucketCORS"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:PutBucketCORS", bj!(""), true),
                ("name/cos:GetBucketCORS", bj!(""), false),
                ("name/cos:DeleteBucketCORS", bj!(""), false),
            ],
        ),
        (
            1093, // GET Bucket cors
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:GetBucketCORS"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:GetBucketCORS", bj!(""), true),
                ("name/cos:PutBucketCORS", bj!(""), false),
            ],
        ),
        (
            1118, // DELETE Bucket cors
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:DeleteBucketCORS"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:DeleteBucketCORS", bj!(""), true),
                ("name/cos:DeleteBucket", bj!(""), false),
            ],
        ),
        (
            1143, // PUT Bucket lifecycle
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:PutBucketLifecycle"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:PutBucketLifecycle", bj!(""), true),
                ("name/cos:GetBucketLifecycle", bj!(""), false),
            ],
        ),
        (
            1167, // GET Bucket lifecycle (repaired: effect/resource printed after 002:1178)
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:GetBucketLifecycle"
      ],
"effect": "allow",
"resource": [
  "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
]
}
]
}"#,
            &[
                ("name/cos:GetBucketLifecycle", bj!(""), true),
                ("name/cos:PutBucketLifecycle", bj!(""), false),
                ("name/cos:GetBucketLifecycle", gz!(""), false),
            ],
        ),
        (
            1204, // DELETE Bucket lifecycle
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:DeleteBucketLifecycle"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:DeleteBucketLifecycle", bj!(""), true),
                ("name/cos:DeleteBucket", bj!(""), false),
            ],
        ),
        (
            1226, // prose: any object of one bucket (constructed)
            r#"{"version":"2.0","statement":[{"action":["name/cos:GetObject"],"effect":"allow","resource":["qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/*"]}]}"#,
            &[
                ("name/cos:GetObject", bj!("a"), true),
                ("name/cos:GetObject", bj!("doc/audio.mp3"), true),
                (
                    "name/cos:GetObject",
                    "qcs::cos:ap-beijing:uid/1250000000:examplebucket2-1250000000/a",
                    false,
                ),
            ],
        ),
        (
            1228, // prose: one absolute object path (constructed)
            r#"{"version":"2.0","statement":[{"action":["name/cos:GetObject"],"effect":"allow","resource":["qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/audio.mp3"]}]}"#,
            &[
                ("name/cos:GetObject", bj!("doc/audio.mp3"), true),
                ("name/cos:GetObject", bj!("doc/audio.mp3.bak"), false),
                ("name/cos:GetObject", bj!("doc/audio"), false),
                ("name/cos:GetObject", bj!("doc/"), false),
            ],
        ),
        (
            836, // prose: non-ASCII keys are written as is, not URL-encoded (constructed)
            r#"{"version":"2.0","statement":[{"action":["name/cos:GetObject"],"effect":"allow","resource":["qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/文件夹/文件名.txt"]}]}"#,
            &[
                ("name/cos:GetObject", bj!("文件夹/文件名.txt"), true),
                (
                    "name/cos:GetObject",
                    bj!("%E6%96%87%E4%BB%B6%E5%A4%B9/%E6%96%87%E4%BB%B6%E5%90%8D.txt"),
                    false,
                ),
            ],
        ),
        (
            1242, // PUT Object (repaired: block split at 002:1247/1249, `]` added before `}`)
            r#"{
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
  }
]
}"#,
            &[
                ("name/cos:PutObject", bj!("doc/a.txt"), true),
                ("name/cos:PutObject", bj!("doc/sub/b.txt"), true),
                ("name/cos:PutObject", bj!("doc"), false),
                ("name/cos:PutObject", bj!("docs/a.txt"), false),
                ("name/cos:PutObject", bj!("a/doc/x"), false),
                ("name/cos:PostObject", bj!("doc/a.txt"), false),
                ("name/cos:GetObject", bj!("doc/a.txt"), false),
                ("name/cos:PutObject", gz!("doc/a.txt"), false),
            ],
        ),
        (
            1283, // multipart upload set
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:InitiateMultipartUpload",
        "name/cos:ListMultipartUploads",
        "name/cos:ListParts",
        "name/cos:UploadPart",
        "name/cos:CompleteMultipartUpload",
        "name/cos:AbortMultipartUpload"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:InitiateMultipartUpload", bj!("doc/big.iso"), true),
                ("name/cos:UploadPart", bj!("doc/big.iso"), true),
                ("name/cos:ListParts", bj!("doc/big.iso"), true),
                ("name/cos:CompleteMultipartUpload", bj!("doc/big.iso"), true),
                ("name/cos:AbortMultipartUpload", bj!("doc/big.iso"), true),
                ("name/cos:UploadPart", bj!("other/big.iso"), false),
                ("name/cos:PutObject", bj!("doc/big.iso"), false),
                ("name/cos:UploadPartCopy", bj!("doc/big.iso"), false),
            ],
        ),
        (
            1315, // List Multipart Uploads (repaired: block split at 002:1325/1327)
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:ListMultipartUploads"
      ],
      "effect": "allow",
      "resource": [
    "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/"
  ]
}
]
}"#,
            &[
                ("name/cos:ListMultipartUploads", bj!(""), true),
                ("name/cos:ListMultipartUploads", gz!(""), false),
                ("name/cos:ListParts", bj!("doc/big.iso"), false),
            ],
        ),
        (
            1347, // POST Object
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:PostObject"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:PostObject", bj!("doc/form.jpg"), true),
                ("name/cos:PostObject", bj!("img/form.jpg"), false),
                ("name/cos:PutObject", bj!("doc/form.jpg"), false),
            ],
        ),
        (
            1374, // APPEND Object
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:AppendObject"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:AppendObject", bj!("doc/log.txt"), true),
                ("name/cos:AppendObject", bj!("log.txt"), false),
                ("name/cos:PutObject", bj!("doc/log.txt"), false),
            ],
        ),
        (
            1400, // HEAD Object
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:HeadObject"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:HeadObject", bj!("doc/a"), true),
                ("name/cos:GetObject", bj!("doc/a"), false),
                ("name/cos:HeadObject", bj!("a"), false),
            ],
        ),
        (
            1425, // GET Object
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:GetObject"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:GetObject", bj!("doc/a"), true),
                ("name/cos:GetObject", bj!("doc/x/y/z.mp3"), true),
                ("name/cos:HeadObject", bj!("doc/a"), false),
                ("name/cos:GetObject", bj!("doc2/a"), false),
            ],
        ),
        (
            1450, // PUT Object-Copy
            COPY_1450,
            &[
                ("name/cos:PutObject", bj!("doc/copy"), true),
                ("name/cos:GetObject", bj!("doc2/source"), true),
                ("name/cos:GetObject", bj!("doc/copy"), false),
                ("name/cos:PutObject", bj!("doc2/source"), false),
            ],
        ),
        (
            1502, // Upload Part-Copy
            UPLOAD_PART_COPY_1502,
            &[
                ("name/cos:InitiateMultipartUpload", bj!("doc/big"), true),
                ("name/cos:ListParts", bj!("doc/big"), true),
                ("name/cos:PutObject", bj!("doc/big"), true),
                ("name/cos:CompleteMultipartUpload", bj!("doc/big"), true),
                ("name/cos:AbortMultipartUpload", bj!("doc/big"), true),
                ("name/cos:GetObject", bj!("doc2/src"), true),
                ("name/cos:UploadPart", bj!("doc/big"), false),
                ("name/cos:PutObject", bj!("doc2/src"), false),
                ("name/cos:GetObject", bj!("doc/big"), false),
            ],
        ),
        (
            1546, // PUT Object acl
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:PutObjectACL"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:PutObjectACL", bj!("doc/a"), true),
                ("name/cos:PutObject", bj!("doc/a"), false),
                ("name/cos:PutBucketACL", bj!(""), false),
            ],
        ),
        (
            1573, // GET Object acl
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:GetObjectACL"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:GetObjectACL", bj!("doc/a"), true),
                ("name/cos:GetObject", bj!("doc/a"), false),
            ],
        ),
        (
            1600, // OPTIONS Object; stray fragment 002:1616-1622 dropped
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:OptionsObject"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:OptionsObject", bj!("doc/a"), true),
                ("name/cos:OptionsObject", bj!("a"), false),
            ],
        ),
        (
            1636, // POST Object restore
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:PostObjectRestore"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/doc/*"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:PostObjectRestore", bj!("doc/cold.dat"), true),
                ("name/cos:PostObject", bj!("doc/cold.dat"), false),
            ],
        ),
        (
            1665, // DELETE Object (repaired: `name/cos>DeleteObject` read as `name/cos:DeleteObject`)
            r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:DeleteObject"
      ],
      "effect": "allow",
      "resource": [
        "qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/audio.mp3"
      ]
    }
  ]
}"#,
            &[
                ("name/cos:DeleteObject", bj!("audio.mp3"), true),
                ("name/cos:DeleteObject", bj!("doc/audio.mp3"), false),
                ("name/cos:DeleteObject", bj!("video.mp4"), false),
                ("name/cos:GetObject", bj!("audio.mp3"), false),
            ],
        ),
        (
            1694, // Delete Multiple Objects, authorized per key
            BATCH_DELETE_1694,
            &[
                ("name/cos:DeleteObject", bj!("audio.mp3"), true),
                ("name/cos:DeleteObject", bj!("video.mp4"), true),
                ("name/cos:DeleteObject", bj!("other.mp3"), false),
                ("name/cos:GetObject", bj!("audio.mp3"), false),
            ],
        ),
    ];
    for (line, text, rows) in samples {
        let p = parse(text);
        for (action, res, want) in *rows {
            assert_eq!(
                allowed(&[&p], SUB11, action, res),
                *want,
                "002:{line} {action} {res}"
            );
        }
    }

    // 002:1443, 1481: a copy needs PutObject on the destination and GetObject on the source.
    let copy = parse(COPY_1450);
    let copy_ok = |src: &str, dst: &str| {
        allowed(&[&copy], SUB11, "name/cos:PutObject", dst)
            && allowed(&[&copy], SUB11, "name/cos:GetObject", src)
    };
    assert!(copy_ok(bj!("doc2/src.txt"), bj!("doc/dst.txt")));
    assert!(!copy_ok(bj!("doc/src.txt"), bj!("doc2/dst.txt")));
    assert!(!copy_ok(bj!("other/src.txt"), bj!("doc/dst.txt")));

    // 002:1682-1715: a batch delete succeeds per key; keys outside the grant are refused.
    let batch = parse(BATCH_DELETE_1694);
    let per_key: Vec<bool> = [bj!("audio.mp3"), bj!("video.mp4"), bj!("notes.txt")]
        .iter()
        .map(|r| allowed(&[&batch], SUB11, "name/cos:DeleteObject", r))
        .collect();
    assert_eq!(per_key, [true, true, false]);

    // 002:1655/1670 as printed: `name/cos>DeleteObject` never grants DeleteObject, whether
    // ingestion rejects it or keeps it as an action name that matches nothing.
    let literal = r#"{"version":"2.0","statement":[{"action":["name/cos>DeleteObject"],"effect":"allow","resource":["qcs::cos:ap-beijing:uid/1250000000:examplebucket-1250000000/audio.mp3"]}]}"#;
    if let Ok(p) = Policy::parse(literal, DEFAULT_MAX_POLICY_LEN) {
        assert!(!allowed(
            &[&p],
            SUB11,
            "name/cos:DeleteObject",
            bj!("audio.mp3")
        ));
    }
}
