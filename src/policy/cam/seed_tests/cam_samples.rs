//! Seed examples: CAM practice samples, console cases and the temp-key overview (002:401-828).

use super::*;

/// 002:401-427: the CAM policy-syntax example: sub-account 100000000011 may upload/download in
/// examplebucket-bj (any key) and examplebucket-gz (`exampleobject`) from the range
/// `10.*.*.10/24`.
///
/// Repairs: the seed splits the policy across two code blocks (002:416/420) and closes it with
/// one `}` too many (002:424-426). `10.*.*.10/24` is a placeholder, not an IP or CIDR (the
/// condition-key chapter says qcs:ip takes IPs and CIDRs, 002:2253): ingestion rejects it naming
/// the key, and the rows use the concrete range 10.121.2.10/24 in its place.
#[test]
fn seed_policy_syntax_example() {
    let seed = r#"{
  "version": "2.0",
  "principal": {
    "qcs": ["qcs::cam:uin/100000000001:uin/100000000011"]
  },
  "statement": [{
    "effect": "allow",
    "action": ["name/cos:PutObject", "name/cos:GetObject"],
    "resource": ["qcs::cos:ap-beijing:uid/1250000000:examplebucket-bj-1250000000/*",
      "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-gz-1250000000/exampleobject"],
    "condition": {
    "ip_equal": {
      "qcs:ip": "10.*.*.10/24"
    }
  }
  }]
}"#;
    let e = Policy::parse(seed, DEFAULT_MAX_POLICY_LEN).unwrap_err();
    assert!(e.0.contains("qcs:ip"), "{e}");

    let p = parse(&seed.replace("10.*.*.10/24", "10.121.2.10/24"));
    let bj = "qcs::cos:ap-beijing:uid/1250000000:examplebucket-bj-1250000000/any/key";
    let gz = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-gz-1250000000/exampleobject";
    let gz_other = "qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-gz-1250000000/other";
    #[allow(clippy::type_complexity)]
    let rows: &[(&str, &str, &str, Option<&str>, Want)] = &[
        (SUB11, "name/cos:PutObject", bj, Some("10.121.2.77"), Allow),
        (SUB11, "name/cos:GetObject", bj, Some("10.121.2.0"), Allow),
        (SUB11, "name/cos:GetObject", gz, Some("10.121.2.255"), Allow),
        (SUB11, "name/cos:PutObject", gz, Some("10.121.2.10"), Allow),
        (
            SUB11,
            "name/cos:GetObject",
            gz,
            Some("10.121.3.10"),
            NoMatch,
        ),
        (
            SUB11,
            "name/cos:GetObject",
            gz_other,
            Some("10.121.2.10"),
            NoMatch,
        ),
        (
            SUB11,
            "name/cos:DeleteObject",
            bj,
            Some("10.121.2.10"),
            NoMatch,
        ),
        (SUB11, "name/cos:GetObject", bj, None, NoMatch),
        (
            STRANGER,
            "name/cos:GetObject",
            bj,
            Some("10.121.2.10"),
            NoMatch,
        ),
    ];
    for (who, action, res, ip, want) in rows {
        let k = one("qcs:ip", *ip);
        assert_eq!(
            decide(&[&p], who, action, res, &k),
            *want,
            "{who} {action} {res} {ip:?}"
        );
    }
}

/// 002:554-580: Sample 1, full COS read/write for a sub-account (plus `monitor:*`, another
/// service's actions, which parse and never match a COS request).
#[test]
fn seed_cam_sample1_full_read_write() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "name/cos:*"
      ],
      "resource": "*",
      "effect": "allow"
    },
    {
      "effect": "allow",
      "action": "monitor:*",
      "resource": "*"
    }
  ]
}"#,
    );
    for (action, res, want) in [
        ("name/cos:GetService", SERVICE, true),
        ("name/cos:PutBucket", gz!(""), true),
        ("name/cos:DeleteBucket", bj!(""), true),
        ("name/cos:PutObject", gz!("a/b.txt"), true),
        ("name/cos:DeleteObject", bj!("x"), true),
        ("name/cos:PutBucketACL", gz!(""), true),
        ("name/cos:PutObjectRetention", gz!("x"), true),
        // Action names are case-sensitive (002:372, 837).
        ("name/COS:GetObject", gz!("x"), false),
    ] {
        assert_eq!(allowed(&[&p], SUB11, action, res), want, "{action} {res}");
    }
    assert_eq!(p.statements[1].actions, ["name/monitor:*"]);
}

/// 002:582-611: Sample 2, read-only (`List*`, `Get*`, `Head*`, `OptionsObject`).
/// Repair: the seed splits the policy into two code blocks at 002:590/592.
#[test]
fn seed_cam_sample2_read_only() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
{
  "action": [
    "name/cos:List*",
    "name/cos:Get*",
    "name/cos:Head*",
    "name/cos:OptionsObject"
  ],
  "resource": "*",
  "effect": "allow"
},
{
  "effect": "allow",
  "action": "monitor:*",
  "resource": "*"
}
]
}"#,
    );
    for (action, res, want) in [
        ("name/cos:GetService", SERVICE, true),
        ("name/cos:GetBucket", gz!(""), true),
        ("name/cos:GetBucketACL", gz!(""), true),
        ("name/cos:GetBucketCORS", gz!(""), true),
        ("name/cos:HeadBucket", gz!(""), true),
        ("name/cos:ListMultipartUploads", gz!(""), true),
        ("name/cos:ListParts", gz!("big.iso"), true),
        ("name/cos:GetObject", gz!("a/b"), true),
        ("name/cos:GetObjectACL", gz!("a/b"), true),
        ("name/cos:HeadObject", bj!("a/b"), true),
        ("name/cos:OptionsObject", gz!("a/b"), true),
        ("name/cos:PutObject", gz!("a/b"), false),
        ("name/cos:PostObject", gz!("a/b"), false),
        ("name/cos:AppendObject", gz!("a/b"), false),
        ("name/cos:DeleteObject", gz!("a/b"), false),
        ("name/cos:PutObjectACL", gz!("a/b"), false),
        ("name/cos:InitiateMultipartUpload", gz!("a/b"), false),
        ("name/cos:PutBucket", gz!(""), false),
        ("name/cos:DeleteBucket", gz!(""), false),
        ("name/cos:PostObjectRestore", gz!("a/b"), false),
        // Case-sensitive action names (002:837).
        ("name/cos:getObject", gz!("a/b"), false),
    ] {
        assert_eq!(allowed(&[&p], SUB11, action, res), want, "{action} {res}");
    }
}

/// 002:614-641: Sample 3, write-only without deletion. `cos:PutObject*` is a prefix pattern, so
/// it also covers PutObjectACL / PutObjectTagging / PutObjectRetention; AppendObject is not
/// listed.
#[test]
fn seed_cam_sample3_write_only_no_delete() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "effect": "allow",
      "action": [
        "cos:ListParts",
        "cos:PostObject",
        "cos:PutObject*",
        "cos:InitiateMultipartUpload",
        "cos:UploadPart",
        "cos:UploadPartCopy",
        "cos:CompleteMultipartUpload",
        "cos:AbortMultipartUpload",
        "cos:ListMultipartUploads"
      ],
      "resource": "*"
    }
  ]
}"#,
    );
    for (action, want) in [
        ("name/cos:PutObject", true),
        ("name/cos:PutObjectACL", true),
        ("name/cos:PutObjectTagging", true),
        ("name/cos:PostObject", true),
        ("name/cos:InitiateMultipartUpload", true),
        ("name/cos:UploadPart", true),
        ("name/cos:UploadPartCopy", true),
        ("name/cos:CompleteMultipartUpload", true),
        ("name/cos:AbortMultipartUpload", true),
        ("name/cos:ListMultipartUploads", true),
        ("name/cos:ListParts", true),
        ("name/cos:DeleteObject", false),
        ("name/cos:DeleteBucket", false),
        ("name/cos:GetObject", false),
        ("name/cos:HeadObject", false),
        ("name/cos:GetBucket", false),
        ("name/cos:AppendObject", false),
    ] {
        assert_eq!(
            allowed(&[&p], SUB11, action, gz!("up/file.bin")),
            want,
            "{action}"
        );
    }
}

/// 002:643-667: Sample 4, all COS actions only from 192.168.1.0/24 or 192.168.2.0/24 (the stray
/// brackets at 002:669-674 are typesetting debris and not part of the policy).
#[test]
fn seed_cam_sample4_ip_ranges() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [
    {
      "action": [
        "cos:*"
      ],
      "resource": "*",
      "effect": "allow",
      "condition": {
        "ip_equal": {
          "qcs:ip": ["192.168.1.0/24", "192.168.2.0/24"]
        }
      }
    }
  ]
}"#,
    );
    for (action, ip, want) in [
        ("name/cos:GetObject", Some("192.168.1.1"), Allow),
        ("name/cos:PutObject", Some("192.168.2.254"), Allow),
        ("name/cos:DeleteObject", Some("192.168.1.255"), Allow),
        ("name/cos:GetObject", Some("192.168.3.1"), NoMatch),
        ("name/cos:GetObject", Some("192.168.0.255"), NoMatch),
        ("name/cos:GetObject", Some("10.0.0.1"), NoMatch),
        ("name/cos:GetObject", Some("::1"), NoMatch),
        ("name/cos:GetObject", None, NoMatch),
    ] {
        let k = one("qcs:ip", ip);
        assert_eq!(
            decide(&[&p], SUB11, action, gz!("k"), &k),
            want,
            "{action} {ip:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Authorization cases (002:676-776)
// ---------------------------------------------------------------------------------------------

/// 002:703-763: console "Add Policy" cases 1-5 for sub-account 100000000011 of the bucket's
/// owner. The seed gives console form values, not JSON; each case is written here as the bucket
/// policy the form stands for (constructed; bucket and region are ours). Case 2's "read
/// operations" use the seed's read-only list (002:1753-1756). Case 5's prefix resource
/// `folder/sub-folder/prefix` is taken as a prefix match, i.e. `prefix*` (inferred, see the
/// inventory §6 "Resource matching").
#[test]
fn seed_console_authorization_cases() {
    let bucket_policy = |effect: &str, actions: &str, path: &str| {
        parse(&format!(
            r#"{{"version":"2.0","statement":[{{"principal":{{"qcs":["qcs::cam::uin/100000000001:uin/100000000011"]}},"effect":"{effect}","action":[{actions}],"resource":["qcs::cos:ap-guangzhou:uid/1250000000:examplebucket-1250000000/{path}"]}}]}}"#
        ))
    };
    let all = r#""name/cos:*""#;
    let read = r#""name/cos:HeadObject","name/cos:GetObject","name/cos:GetBucket","name/cos:OptionsObject""#;
    let case1 = bucket_policy("allow", all, "folder/sub-folder/*");
    let case2 = bucket_policy("allow", read, "folder/sub-folder/*");
    let case3 = bucket_policy("allow", all, "folder/sub-folder/example.jpg");
    let case4_allow = bucket_policy("allow", all, "folder/sub-folder/*");
    let case4_deny = bucket_policy("deny", all, "folder/sub-folder/privateobject");
    let case5 = bucket_policy("allow", all, "folder/sub-folder/prefix*");

    #[allow(clippy::type_complexity)]
    let rows: &[(u32, &[&Policy], &str, &str, &str, Want)] = &[
        // Case 1 (002:705-713): everything under folder/sub-folder/.
        (
            712,
            &[&case1],
            SUB11,
            "name/cos:PutObject",
            gz!("folder/sub-folder/a.txt"),
            Allow,
        ),
        (
            712,
            &[&case1],
            SUB11,
            "name/cos:DeleteObject",
            gz!("folder/sub-folder/x/y"),
            Allow,
        ),
        (
            712,
            &[&case1],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/other/a.txt"),
            NoMatch,
        ),
        (
            712,
            &[&case1],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/sub-folder"),
            NoMatch,
        ),
        (
            711,
            &[&case1],
            STRANGER,
            "name/cos:GetObject",
            gz!("folder/sub-folder/a"),
            NoMatch,
        ),
        // Case 2 (002:715-723): read only.
        (
            723,
            &[&case2],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/sub-folder/a.txt"),
            Allow,
        ),
        (
            723,
            &[&case2],
            SUB11,
            "name/cos:HeadObject",
            gz!("folder/sub-folder/a.txt"),
            Allow,
        ),
        (
            723,
            &[&case2],
            SUB11,
            "name/cos:PutObject",
            gz!("folder/sub-folder/a.txt"),
            NoMatch,
        ),
        (
            723,
            &[&case2],
            SUB11,
            "name/cos:DeleteObject",
            gz!("folder/sub-folder/a.txt"),
            NoMatch,
        ),
        (
            722,
            &[&case2],
            SUB11,
            "name/cos:GetObject",
            gz!("elsewhere/a.txt"),
            NoMatch,
        ),
        // Case 3 (002:725-733): one object key.
        (
            732,
            &[&case3],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/sub-folder/example.jpg"),
            Allow,
        ),
        (
            732,
            &[&case3],
            SUB11,
            "name/cos:PutObject",
            gz!("folder/sub-folder/example.jpg"),
            Allow,
        ),
        (
            732,
            &[&case3],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/sub-folder/example.jpg.bak"),
            NoMatch,
        ),
        (
            732,
            &[&case3],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/sub-folder/other.jpg"),
            NoMatch,
        ),
        // Case 4 (002:735-753): allow the directory, deny one object in it.
        (
            744,
            &[&case4_allow, &case4_deny],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/sub-folder/public"),
            Allow,
        ),
        (
            744,
            &[&case4_allow, &case4_deny],
            SUB11,
            "name/cos:PutObject",
            gz!("folder/sub-folder/privateobject2"),
            Allow,
        ),
        (
            752,
            &[&case4_allow, &case4_deny],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/sub-folder/privateobject"),
            ExplicitDeny,
        ),
        (
            752,
            &[&case4_allow, &case4_deny],
            SUB11,
            "name/cos:PutObject",
            gz!("folder/sub-folder/privateobject"),
            ExplicitDeny,
        ),
        (
            752,
            &[&case4_allow, &case4_deny],
            SUB11,
            "name/cos:DeleteObject",
            gz!("folder/sub-folder/privateobject"),
            ExplicitDeny,
        ),
        // Case 5 (002:755-763): keys starting with folder/sub-folder/prefix.
        (
            762,
            &[&case5],
            SUB11,
            "name/cos:PutObject",
            gz!("folder/sub-folder/prefix"),
            Allow,
        ),
        (
            762,
            &[&case5],
            SUB11,
            "name/cos:PutObject",
            gz!("folder/sub-folder/prefix-2023.log"),
            Allow,
        ),
        (
            762,
            &[&case5],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/sub-folder/prefix/deeper"),
            Allow,
        ),
        (
            762,
            &[&case5],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/sub-folder/prefi"),
            NoMatch,
        ),
        (
            762,
            &[&case5],
            SUB11,
            "name/cos:GetObject",
            gz!("folder/sub-folder/other"),
            NoMatch,
        ),
    ];
    for (line, policies, who, action, res, want) in rows {
        assert_eq!(
            decide(policies, who, action, res, &Keys::new()),
            *want,
            "002:{line} {who} {action} {res}"
        );
    }
}

// ---------------------------------------------------------------------------------------------
// COS API authorization policies (002:778-1787)
// ---------------------------------------------------------------------------------------------

/// 002:786-828: the temporary-key overview policy: uploads (simple, form, multipart) under `doc/`
/// and downloads under `doc2/` of examplebucket-1250000000 in ap-beijing.
///
/// Repairs: the seed's `//` annotations are not JSON and are dropped; its statement array is
/// closed after the first statement (002:816 `}],`) and the policy's closing `}` is missing
/// (002:827-828); the second statement is put back into the array.
#[test]
fn seed_temp_key_overview_doc_upload_doc2_download() {
    let p = parse(
        r#"{
  "version": "2.0",
  "statement": [{
    "action": [
      "name/cos:PutObject",
      "name/cos:PostObject",
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
}"#,
    );
    for (action, res, want) in [
        ("name/cos:PutObject", bj!("doc/a.txt"), true),
        ("name/cos:PostObject", bj!("doc/form.bin"), true),
        ("name/cos:InitiateMultipartUpload", bj!("doc/big.iso"), true),
        ("name/cos:UploadPart", bj!("doc/big.iso"), true),
        ("name/cos:ListParts", bj!("doc/big.iso"), true),
        ("name/cos:CompleteMultipartUpload", bj!("doc/big.iso"), true),
        ("name/cos:AbortMultipartUpload", bj!("doc/big.iso"), true),
        ("name/cos:GetObject", bj!("doc2/a.txt"), true),
        // Download under doc/ and upload under doc2/ are not granted.
        ("name/cos:GetObject", bj!("doc/a.txt"), false),
        ("name/cos:PutObject", bj!("doc2/a.txt"), false),
        // `doc/*` is not `doc2/...`, nor `docs/...`, nor the bare `doc`.
        ("name/cos:PutObject", bj!("docs/a.txt"), false),
        ("name/cos:PutObject", bj!("doc"), false),
        ("name/cos:DeleteObject", bj!("doc/a.txt"), false),
        ("name/cos:PutObject", gz!("doc/a.txt"), false),
    ] {
        assert_eq!(allowed(&[&p], SUB11, action, res), want, "{action} {res}");
    }
}
