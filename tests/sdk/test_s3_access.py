"""Access control through boto3 (S3 dialect): the same sub-account keys,
CAM policies, bucket policies and ACLs as test_access.py, seen by an S3 client.
Tests taking ``s3`` run with both client configurations (s3_harness.CLIENT_CONFIGS);
the sub-account's client uses the same configuration.

Contract: docs/access-control.md.
"""

import json

import pytest
import requests

import cosd_harness as H
import s3_harness as S3
from cosd_harness import ALL_USERS_URI, ANYONE, ROOT_UIN, cos_resource, policy_doc, stmt
from s3_harness import ClientError

ROOT_PRINCIPAL = H.principal(ROOT_UIN)


def assert_denied(fn, *args, **kwargs):
    with pytest.raises(ClientError) as ei:
        fn(*args, **kwargs)
    status, code, _ = S3.err(ei)
    assert (status, code) == (403, "AccessDenied"), (status, code)


def client_error(fn, *args, **kwargs):
    with pytest.raises(ClientError) as ei:
        fn(*args, **kwargs)
    return S3.err(ei)[:2]


def body(s3, bucket, key):
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


def keys_of(s3, bucket, **kw):
    return [c["Key"] for c in s3.list_objects_v2(Bucket=bucket, **kw).get("Contents", [])]


def anon(cosd, bucket, key=""):
    """Unsigned path-style GET."""
    return requests.get("%s/%s/%s" % (cosd.base_url, bucket, key), timeout=30)


@pytest.fixture
def sub_s3(s3, sub):
    """(sub-account, its boto3 client with the same configuration as ``s3``)."""
    return sub, sub.s3(s3.cosd_config_name)


@pytest.fixture
def s3_policy(s3_default):
    """put(bucket, policy_dict) through boto3; policies are removed at teardown."""
    touched = []

    def put(bucket, policy):
        s3_default.put_bucket_policy(Bucket=bucket, Policy=json.dumps(policy))
        touched.append(bucket)

    yield put
    for b in touched:
        try:
            s3_default.delete_bucket_policy(Bucket=b)
        except Exception:  # best effort
            pass


# ------------------------------------------------------------ identity side

def test_no_policy_denied(s3, s3_bucket, sub_s3):
    sub, sc = sub_s3
    s3.put_object(Bucket=s3_bucket, Key="a.txt", Body=b"a")
    assert_denied(sc.get_object, Bucket=s3_bucket, Key="a.txt")
    assert_denied(sc.put_object, Bucket=s3_bucket, Key="b.txt", Body=b"b")
    assert_denied(sc.list_objects_v2, Bucket=s3_bucket)
    assert_denied(sc.list_objects, Bucket=s3_bucket)
    assert_denied(sc.delete_object, Bucket=s3_bucket, Key="a.txt")
    assert keys_of(s3, s3_bucket) == ["a.txt"]


def test_prefix_scoped_user_policy(s3, s3_bucket, sub_s3):
    sub, sc = sub_s3
    sub.put_policy("doc-rw", policy_doc(stmt("allow", ["name/cos:GetObject", "name/cos:PutObject"],
                                             cos_resource(s3_bucket, "doc/*"))))
    s3.put_object(Bucket=s3_bucket, Key="other/root.txt", Body=b"other")
    sc.put_object(Bucket=s3_bucket, Key="doc/sub.txt", Body=b"doc by sub")
    assert body(sc, s3_bucket, "doc/sub.txt") == b"doc by sub"
    assert_denied(sc.put_object, Bucket=s3_bucket, Key="other/sub.txt", Body=b"x")
    assert_denied(sc.put_object, Bucket=s3_bucket, Key="docs.txt", Body=b"x")
    assert_denied(sc.get_object, Bucket=s3_bucket, Key="other/root.txt")
    assert_denied(sc.delete_object, Bucket=s3_bucket, Key="doc/sub.txt")
    assert_denied(sc.list_objects_v2, Bucket=s3_bucket, Prefix="doc/")
    assert sorted(keys_of(s3, s3_bucket)) == ["doc/sub.txt", "other/root.txt"]


def test_prefix_scoped_multipart_upload(s3, s3_bucket, sub_s3):
    """Seed 'COS API authorization policies': the multipart actions under doc/*."""
    sub, sc = sub_s3
    sub.put_policy("mpu", policy_doc(stmt("allow", [
        "name/cos:PutObject", "name/cos:InitiateMultipartUpload", "name/cos:ListMultipartUploads",
        "name/cos:ListParts", "name/cos:UploadPart", "name/cos:CompleteMultipartUpload",
        "name/cos:AbortMultipartUpload"], cos_resource(s3_bucket, "doc/*"))))
    part = b"p" * (5 * S3.MiB)
    up = sc.create_multipart_upload(Bucket=s3_bucket, Key="doc/big.bin")
    e1 = sc.upload_part(Bucket=s3_bucket, Key="doc/big.bin", UploadId=up["UploadId"], PartNumber=1, Body=part)
    e2 = sc.upload_part(Bucket=s3_bucket, Key="doc/big.bin", UploadId=up["UploadId"], PartNumber=2, Body=b"tail")
    sc.complete_multipart_upload(Bucket=s3_bucket, Key="doc/big.bin", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": e1["ETag"]},
                                                            {"PartNumber": 2, "ETag": e2["ETag"]}]})
    assert s3.head_object(Bucket=s3_bucket, Key="doc/big.bin")["ContentLength"] == len(part) + 4
    assert_denied(sc.create_multipart_upload, Bucket=s3_bucket, Key="other/big.bin")


def test_explicit_deny_wins(s3, s3_bucket, sub_s3, s3_policy):
    sub, sc = sub_s3
    sub.put_policy("all", policy_doc(stmt("allow", "name/cos:*", cos_resource(s3_bucket, "*")),
                                     stmt("deny", "name/cos:*", cos_resource(s3_bucket, "secret/*"))))
    s3.put_object(Bucket=s3_bucket, Key="secret/s.txt", Body=b"s")
    s3.put_object(Bucket=s3_bucket, Key="locked/l.txt", Body=b"l")
    sc.put_object(Bucket=s3_bucket, Key="open/o.txt", Body=b"o")
    assert body(sc, s3_bucket, "open/o.txt") == b"o"
    assert sorted(keys_of(sc, s3_bucket)) == ["locked/l.txt", "open/o.txt", "secret/s.txt"]
    assert_denied(sc.get_object, Bucket=s3_bucket, Key="secret/s.txt")
    assert_denied(sc.put_object, Bucket=s3_bucket, Key="secret/n.txt", Body=b"n")
    # a bucket-policy deny beats the user's allow
    assert body(sc, s3_bucket, "locked/l.txt") == b"l"
    s3_policy(s3_bucket, policy_doc(stmt("deny", "name/cos:GetObject", cos_resource(s3_bucket, "locked/*"),
                                         principal_qcs=[sub.principal])))
    assert_denied(sc.get_object, Bucket=s3_bucket, Key="locked/l.txt")
    assert body(sc, s3_bucket, "open/o.txt") == b"o"
    assert body(s3, s3_bucket, "locked/l.txt") == b"l"


def test_content_length_condition(s3, s3_bucket, sub_s3):
    sub, sc = sub_s3
    sub.put_policy("small", policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(s3_bucket, "*"),
                                            condition={"numeric_less_than_equal": {"cos:content-length": 10}})))
    sc.put_object(Bucket=s3_bucket, Key="ten", Body=b"0123456789")
    assert_denied(sc.put_object, Bucket=s3_bucket, Key="eleven", Body=b"0123456789a")
    assert keys_of(s3, s3_bucket) == ["ten"]


def test_prefix_condition_listing(s3, s3_bucket, sub_s3):
    sub, sc = sub_s3
    for k in ["doc/a", "doc/b", "other/c", "top"]:
        s3.put_object(Bucket=s3_bucket, Key=k, Body=b"x")
    sub.put_policy("list-doc", policy_doc(stmt("allow", "name/cos:GetBucket", cos_resource(s3_bucket, "*"),
                                               condition={"string_equal": {"cos:prefix": "doc%2F"}})))
    assert keys_of(sc, s3_bucket, Prefix="doc/") == ["doc/a", "doc/b"]
    assert [c["Key"] for c in sc.list_objects(Bucket=s3_bucket, Prefix="doc/")["Contents"]] == ["doc/a", "doc/b"]
    assert_denied(sc.list_objects_v2, Bucket=s3_bucket)
    assert_denied(sc.list_objects_v2, Bucket=s3_bucket, Prefix="other/")
    assert_denied(sc.list_objects, Bucket=s3_bucket, Prefix="doc")


def test_ip_condition(s3, s3_bucket, sub_factory):
    s3.put_object(Bucket=s3_bucket, Key="ip", Body=b"ip")
    local, lan = sub_factory(), sub_factory()
    local.put_policy("ip", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(s3_bucket, "*"),
                                           condition={"ip_equal": {"qcs:ip": ["127.0.0.1"]}})))
    lan.put_policy("ip", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(s3_bucket, "*"),
                                         condition={"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}})))
    assert body(local.s3(s3.cosd_config_name), s3_bucket, "ip") == b"ip"
    assert_denied(lan.s3(s3.cosd_config_name).get_object, Bucket=s3_bucket, Key="ip")


def test_disabled_key_invalid_access_key_id(cosd, s3, s3_bucket, sub_s3):
    sub, sc = sub_s3
    sub.put_policy("r", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(s3_bucket, "*"))))
    s3.put_object(Bucket=s3_bucket, Key="k", Body=b"k")
    assert body(sc, s3_bucket, "k") == b"k"
    H.admin_ok(cosd, "PUT", "keys/" + sub.secret_id, {"enabled": False})
    assert client_error(sc.get_object, Bucket=s3_bucket, Key="k") == (403, "InvalidAccessKeyId")
    H.admin_ok(cosd, "PUT", "keys/" + sub.secret_id, {"enabled": True})
    assert body(sc, s3_bucket, "k") == b"k"
    r = H.admin_request(cosd, "DELETE", "users/" + sub.uin)
    assert r.status_code == 204, r.text
    assert client_error(sc.get_object, Bucket=s3_bucket, Key="k") == (403, "InvalidAccessKeyId")


def test_copy_needs_get_on_source(s3, s3_bucket, sub_s3):
    sub, sc = sub_s3
    s3.put_object(Bucket=s3_bucket, Key="src/a", Body=b"copy me")
    sub.put_policy("dst", policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(s3_bucket, "dst/*"))))
    src = {"Bucket": s3_bucket, "Key": "src/a"}
    assert_denied(sc.copy_object, Bucket=s3_bucket, Key="dst/a", CopySource=src)
    sub.put_policy("src", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(s3_bucket, "src/*"))))
    sc.copy_object(Bucket=s3_bucket, Key="dst/a", CopySource=src)
    assert body(s3, s3_bucket, "dst/a") == b"copy me"


def test_upload_part_copy_needs_get_on_source(s3, s3_bucket, sub_s3):
    sub, sc = sub_s3
    s3.put_object(Bucket=s3_bucket, Key="src/a", Body=b"part source")
    sub.put_policy("dst", policy_doc(stmt("allow", [
        "name/cos:InitiateMultipartUpload", "name/cos:PutObject", "name/cos:UploadPart",
        "name/cos:CompleteMultipartUpload", "name/cos:AbortMultipartUpload", "name/cos:ListParts"],
        cos_resource(s3_bucket, "dst/*"))))
    up = sc.create_multipart_upload(Bucket=s3_bucket, Key="dst/m")
    try:
        assert_denied(sc.upload_part_copy, Bucket=s3_bucket, Key="dst/m", UploadId=up["UploadId"],
                      PartNumber=1, CopySource={"Bucket": s3_bucket, "Key": "src/a"})
        sub.put_policy("src", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(s3_bucket, "src/*"))))
        pc = sc.upload_part_copy(Bucket=s3_bucket, Key="dst/m", UploadId=up["UploadId"], PartNumber=1,
                                 CopySource={"Bucket": s3_bucket, "Key": "src/a"})
        sc.complete_multipart_upload(Bucket=s3_bucket, Key="dst/m", UploadId=up["UploadId"], MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": pc["CopyPartResult"]["ETag"]}]})
    except Exception:
        s3.abort_multipart_upload(Bucket=s3_bucket, Key="dst/m", UploadId=up["UploadId"])
        raise
    assert body(s3, s3_bucket, "dst/m") == b"part source"


def test_multi_delete_per_key_access_denied(s3, s3_bucket, sub_s3):
    sub, sc = sub_s3
    for k in ["del/a", "keep/a", "del/b"]:
        s3.put_object(Bucket=s3_bucket, Key=k, Body=b"x")
    sub.put_policy("del", policy_doc(stmt("allow", "name/cos:DeleteObject", cos_resource(s3_bucket, "del/*"))))
    rt = sc.delete_objects(Bucket=s3_bucket, Delete={"Objects": [{"Key": "del/a"}, {"Key": "keep/a"},
                                                                 {"Key": "del/b"}]})
    assert sorted(d["Key"] for d in rt.get("Deleted", [])) == ["del/a", "del/b"]
    assert [(e["Key"], e["Code"]) for e in rt.get("Errors", [])] == [("keep/a", "AccessDenied")]
    assert keys_of(s3, s3_bucket) == ["keep/a"]


# ------------------------------------------------------------ bucket policy API

def test_bucket_policy_put_get_delete(s3, s3_bucket, sub_s3):
    sub, sc = sub_s3
    assert client_error(s3.get_bucket_policy, Bucket=s3_bucket) == (404, "NoSuchBucketPolicy")
    doc = policy_doc(stmt("allow", ["name/cos:GetObject"], [cos_resource(s3_bucket, "*")],
                          principal_qcs=[sub.principal]))
    rt = s3.put_bucket_policy(Bucket=s3_bucket, Policy=json.dumps(doc))
    assert rt["ResponseMetadata"]["HTTPStatusCode"] in (200, 204)
    assert json.loads(s3.get_bucket_policy(Bucket=s3_bucket)["Policy"]) == doc

    # the policy grants the sub-account (no user policy) GetObject
    s3.put_object(Bucket=s3_bucket, Key="g", Body=b"granted")
    assert body(sc, s3_bucket, "g") == b"granted"
    assert_denied(sc.put_object, Bucket=s3_bucket, Key="h", Body=b"x")

    rt = s3.delete_bucket_policy(Bucket=s3_bucket)
    assert rt["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert client_error(s3.get_bucket_policy, Bucket=s3_bucket) == (404, "NoSuchBucketPolicy")
    assert_denied(sc.get_object, Bucket=s3_bucket, Key="g")


def test_bucket_policy_malformed(s3, s3_bucket):
    assert client_error(s3.put_bucket_policy, Bucket=s3_bucket, Policy="{nope") == (400, "MalformedPolicy")
    bad = {"version": "2.0", "statement": [{"effect": "allow", "principal": {"qcs": [ANYONE]},
                                            "action": ["name/cos:GetObject"]}]}     # no resource
    assert client_error(s3.put_bucket_policy, Bucket=s3_bucket, Policy=json.dumps(bad)) == (400, "MalformedPolicy")
    too_big = policy_doc(*[stmt("allow", "name/cos:GetObject", cos_resource(s3_bucket, "k%05d" % i),
                                principal_qcs=[ANYONE]) for i in range(300)])
    assert len(json.dumps(too_big)) > 20 * 1024
    status, code = client_error(s3.put_bucket_policy, Bucket=s3_bucket, Policy=json.dumps(too_big))
    assert status == 400, (status, code)
    assert client_error(s3.get_bucket_policy, Bucket=s3_bucket) == (404, "NoSuchBucketPolicy")


def test_bucket_policy_anyone_prefix(cosd, s3, s3_bucket, s3_policy):
    s3.put_object(Bucket=s3_bucket, Key="pub/a", Body=b"pub")
    s3.put_object(Bucket=s3_bucket, Key="priv/a", Body=b"priv")
    s3_policy(s3_bucket, policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(s3_bucket, "pub/*"),
                                         principal_qcs=[ANYONE])))
    r = anon(cosd, s3_bucket, "pub/a")
    assert r.status_code == 200 and r.content == b"pub", (r.status_code, r.text[:300])
    r = anon(cosd, s3_bucket, "priv/a")
    assert r.status_code == 403 and S3.parse_error_xml(r.content)["Code"] == "AccessDenied"
    # boto3 unsigned
    from botocore import UNSIGNED
    unsigned = S3.make_client(cosd, signature_version=UNSIGNED)
    assert body(unsigned, s3_bucket, "pub/a") == b"pub"
    assert_denied(unsigned.get_object, Bucket=s3_bucket, Key="priv/a")
    assert_denied(unsigned.list_objects_v2, Bucket=s3_bucket)


# ------------------------------------------------------------ ACLs

def _has_grant(grants, permission, **grantee):
    return any(g["Permission"] == permission and all(g["Grantee"].get(k) == v for k, v in grantee.items())
               for g in grants)


def test_get_bucket_acl_parsed_by_boto3(s3, s3_bucket):
    acl = s3.get_bucket_acl(Bucket=s3_bucket)
    assert acl["Owner"]["ID"] == ROOT_PRINCIPAL
    assert _has_grant(acl["Grants"], "FULL_CONTROL", Type="CanonicalUser", ID=ROOT_PRINCIPAL), acl["Grants"]
    assert not _has_grant(acl["Grants"], "READ", Type="Group", URI=ALL_USERS_URI)


def test_put_bucket_acl_public_read(cosd, s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="a", Body=b"a")
    assert anon(cosd, s3_bucket, "a").status_code == 403
    s3.put_bucket_acl(Bucket=s3_bucket, ACL="public-read")
    acl = s3.get_bucket_acl(Bucket=s3_bucket)
    assert _has_grant(acl["Grants"], "READ", Type="Group", URI=ALL_USERS_URI), acl["Grants"]
    assert _has_grant(acl["Grants"], "FULL_CONTROL", Type="CanonicalUser", ID=ROOT_PRINCIPAL), acl["Grants"]
    r = anon(cosd, s3_bucket, "a")
    assert r.status_code == 200 and r.content == b"a"
    r = anon(cosd, s3_bucket, "")
    assert r.status_code == 200 and b"<Key>a</Key>" in r.content
    s3.put_bucket_acl(Bucket=s3_bucket, ACL="private")
    assert not _has_grant(s3.get_bucket_acl(Bucket=s3_bucket)["Grants"], "READ", Type="Group", URI=ALL_USERS_URI)
    assert anon(cosd, s3_bucket, "a").status_code == 403


def test_put_bucket_acl_xml_grant_to_sub_account(cosd, s3, s3_bucket, sub_s3):
    """An S3-shaped AccessControlPolicy body (as boto3 serialises it)."""
    sub, sc = sub_s3
    s3.put_object(Bucket=s3_bucket, Key="a", Body=b"acl")
    s3.put_bucket_acl(Bucket=s3_bucket, AccessControlPolicy={
        "Owner": {"ID": ROOT_PRINCIPAL},
        "Grants": [{"Grantee": {"Type": "CanonicalUser", "ID": ROOT_PRINCIPAL}, "Permission": "FULL_CONTROL"},
                   {"Grantee": {"Type": "CanonicalUser", "ID": sub.principal}, "Permission": "READ"}]})
    acl = s3.get_bucket_acl(Bucket=s3_bucket)
    assert _has_grant(acl["Grants"], "READ", Type="CanonicalUser", ID=sub.principal), acl["Grants"]
    assert keys_of(sc, s3_bucket) == ["a"]
    assert body(sc, s3_bucket, "a") == b"acl"
    assert_denied(sc.put_object, Bucket=s3_bucket, Key="b", Body=b"b")
    assert_denied(sc.get_bucket_acl, Bucket=s3_bucket)


def test_object_acl(cosd, s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="o", Body=b"obj")
    acl = s3.get_object_acl(Bucket=s3_bucket, Key="o")
    assert acl["Owner"]["ID"] == ROOT_PRINCIPAL
    assert not _has_grant(acl["Grants"], "READ", Type="Group", URI=ALL_USERS_URI)
    s3.put_object_acl(Bucket=s3_bucket, Key="o", ACL="public-read")
    acl = s3.get_object_acl(Bucket=s3_bucket, Key="o")
    assert _has_grant(acl["Grants"], "READ", Type="Group", URI=ALL_USERS_URI), acl["Grants"]
    r = anon(cosd, s3_bucket, "o")
    assert r.status_code == 200 and r.content == b"obj"
    # put_object with ACL
    s3.put_object(Bucket=s3_bucket, Key="p", Body=b"pub", ACL="public-read")
    assert anon(cosd, s3_bucket, "p").status_code == 200
    s3.put_object(Bucket=s3_bucket, Key="q", Body=b"priv")
    assert anon(cosd, s3_bucket, "q").status_code == 403
    # an object ACL of private inside a public-read bucket stays private
    s3.put_bucket_acl(Bucket=s3_bucket, ACL="public-read")
    assert anon(cosd, s3_bucket, "q").status_code == 200
    s3.put_object_acl(Bucket=s3_bucket, Key="q", ACL="private")
    assert anon(cosd, s3_bucket, "q").status_code == 403


# ------------------------------------------------------------ admin API with SigV4

def _sigv4_admin(cosd, method, path, body=None, access_key=None, secret_key=None):
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    url = "%s/_cosd/admin/%s" % (cosd.base_url, path)
    data = json.dumps(body).encode() if body is not None else b""
    headers = {"Content-Type": "application/json"} if body is not None else {}
    req = AWSRequest(method=method, url=url, data=data, headers=headers)
    creds = Credentials(access_key or cosd.secret_id, secret_key or cosd.secret_key)
    S3SigV4Auth(creds, "s3", cosd.region).add_auth(req)
    prepared = req.prepare()
    return requests.request(method, url, headers=dict(prepared.headers), data=data, timeout=30)


def test_admin_api_accepts_sigv4(cosd, s3_default, s3_bucket_factory):
    uin = H.unique_uin()
    sid, skey = H.unique_secret_pair()
    r = _sigv4_admin(cosd, "POST", "users", {"uin": uin, "secret_id": sid, "secret_key": skey})
    try:
        assert r.status_code == 200, r.text
        assert str(r.json()["uin"]) == uin
        r = _sigv4_admin(cosd, "GET", "users/" + uin)
        assert r.status_code == 200 and str(r.json()["uin"]) == uin, r.text
        # a sub-account's SigV4 signature is not an administrator's
        r = _sigv4_admin(cosd, "GET", "users", access_key=sid, secret_key=skey)
        assert r.status_code == 403 and r.json()["code"] == "AccessDenied", r.text
        # the new key works through boto3 once a policy allows it
        bucket = s3_bucket_factory()
        s3_default.put_object(Bucket=bucket, Key="x", Body=b"x")
        r = _sigv4_admin(cosd, "PUT", "users/%s/policies/r" % uin,
                         policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"))))
        assert r.status_code == 200, r.text
        sc = S3.make_client(cosd, access_key=sid, secret_key=skey)
        assert body(sc, bucket, "x") == b"x"
    finally:
        H.admin_request(cosd, "DELETE", "users/" + uin)
