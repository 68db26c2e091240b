"""Temporary keys (STS ``GetFederationToken``, shared/spec/07-sts.md; token on the data path,
shared/spec/01-signatures.md §4) with the official SDKs: ``qcloud-python-sts`` obtains the key
from cosd (``url=`` pointing at the server), ``cos-python-sdk-v5`` (``Token=``) and boto3
(``aws_session_token``) use it.

The last three tests follow the seed's "Security Guidelines for Using Temporary Credentials"
(shared/seeds/002_2fd82c1f71b8b2e2.txt lines 1805-1890): each obtains the *correctly scoped*
key the seed recommends and shows that it refuses what the seed says the over-broad key would
allow, while the legitimate operations still work. The Node SDKs are in test_sts_node.py.
"""

import datetime
import os
import time
from urllib.parse import urlsplit

import pytest
import requests
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosServiceError
from sts.sts import Sts

import cosd_harness as H
from cosd_harness import cos_resource, policy_doc, stmt

MiB = 1024 * 1024

# The policy of the brief's first example: uploads (only) under dir/.
PUT_ACTIONS = ["name/cos:PutObject"]
MULTIPART_ACTIONS = ["name/cos:InitiateMultipartUpload", "name/cos:UploadPart",
                     "name/cos:CompleteMultipartUpload"]


# ------------------------------------------------------------------ helpers

def sts_config(server, policy, secret_id=None, secret_key=None, duration=1800, region=H.REGION, **extra):
    """The qcloud-python-sts config dict, pointed at ``server`` with ``url=`` (spec 07 §3)."""
    cfg = {"secret_id": secret_id or server.secret_id,
           "secret_key": secret_key or server.secret_key,
           "duration_seconds": duration,
           "policy": policy,
           "url": server.base_url + "/"}
    if region is not None:
        cfg["region"] = region
    cfg.update(extra)
    return cfg


def get_credential(server, policy, **kw):
    """Sts(...).get_credential(): {credentials: {tmpSecretId, tmpSecretKey, sessionToken},
    expiredTime, startTime, expiration, requestId}."""
    r = Sts(sts_config(server, policy, **kw)).get_credential()
    c = r["credentials"]
    assert c["tmpSecretId"] and c["tmpSecretKey"] and c["sessionToken"], r
    return r


def sts_refusal(server, policy, **kw):
    """The text of the exception qcloud-python-sts raises when the service answers an Error
    (``Exception("result: {'Error': {...}}")``, spec 07 §2)."""
    with pytest.raises(Exception) as ei:
        Sts(sts_config(server, policy, **kw)).get_credential()
    return str(ei.value)


def temp_client(server, cred, with_token=True, token=None):
    """cos-python-sdk-v5 with the temporary key (IP mode + virtual-host Host header)."""
    c = cred["credentials"]
    extra = {}
    if with_token:
        extra["Token"] = token if token is not None else c["sessionToken"]
    return server.client(c["tmpSecretId"], c["tmpSecretKey"], **extra)


def temp_s3(server, cred, config_name="defaults", token=None, with_token=True):
    """boto3 with the temporary key: one of s3_harness.CLIENT_CONFIGS, or "sigv2" (header
    SigV2, where the token is signed among the x-amz- headers)."""
    import s3_harness as S3
    c = cred["credentials"]
    session_token = (token if token is not None else c["sessionToken"]) if with_token else None
    keys = dict(access_key=c["tmpSecretId"], secret_key=c["tmpSecretKey"], session_token=session_token)
    if config_name == "sigv2":
        return S3.make_client(server, signature_version="s3", **keys)
    return S3.named_client(server, config_name, **keys)


def cos_error(fn, *args, **kwargs):
    with pytest.raises(CosServiceError) as ei:
        fn(*args, **kwargs)
    e = ei.value
    return e.get_status_code(), e.get_error_code()


def s3_error(fn, *args, **kwargs):
    from botocore.exceptions import ClientError
    import s3_harness as S3
    with pytest.raises(ClientError) as ei:
        fn(*args, **kwargs)
    return S3.err(ei)[:2]


def assert_cos_denied(fn, *args, **kwargs):
    assert cos_error(fn, *args, **kwargs) == (403, "AccessDenied")


def assert_absent(client, bucket, key):
    assert not client.object_exists(Bucket=bucket, Key=key), "%s should not exist" % key


def body_of(client, bucket, key):
    return H.read_body(client.get_object(Bucket=bucket, Key=key))


def fetch(server, url, drop_param=None):
    """GET a presigned URL naming the real COS host, sent to cosd with that Host header;
    ``drop_param`` removes one query parameter first."""
    parts = urlsplit(url)
    query = parts.query
    if drop_param:
        query = "&".join(p for p in query.split("&") if p.split("=", 1)[0].lower() != drop_param.lower())
    return requests.get(server.base_url + parts.path + ("?" + query if query else ""),
                        headers={"Host": parts.netloc}, timeout=30)


def raw_error(resp):
    return resp.status_code, H.parse_error_xml(resp.content).get("Code")


def presigner(server, cred):
    """A client *without* IP mode, so presigned URLs name <bucket>.cos.<region>.myqcloud.com."""
    c = cred["credentials"]
    cfg = CosConfig(Region=server.region, SecretId=c["tmpSecretId"], SecretKey=c["tmpSecretKey"],
                    Token=c["sessionToken"], Scheme="http")
    return CosS3Client(cfg, retry=0)


# ============================================================ cos-python-sdk-v5 / boto3

def test_cos_sdk_temp_key_uploads_only_inside_its_prefix(cosd, client, bucket):
    """The brief's example: a key allowed name/cos:PutObject on dir/* uploads there (root reads
    the same bytes back), is refused elsewhere, and cannot read (no GetObject in the policy)."""
    policy = policy_doc(stmt("allow", PUT_ACTIONS, cos_resource(bucket, "dir/*")))
    cred = get_credential(cosd, policy)
    temp = temp_client(cosd, cred)
    body = os.urandom(70000)
    rt = temp.put_object(Bucket=bucket, Key="dir/a.bin", Body=body)
    assert rt["ETag"] == H.etag_of(body)
    assert body_of(client, bucket, "dir/a.bin") == body
    assert_cos_denied(temp.put_object, Bucket=bucket, Key="other/a.bin", Body=b"outside")
    assert_cos_denied(temp.put_object, Bucket=bucket, Key="dir", Body=b"the prefix itself")
    assert_absent(client, bucket, "other/a.bin")
    assert_absent(client, bucket, "dir")
    assert_cos_denied(temp.get_object, Bucket=bucket, Key="dir/a.bin")
    assert_cos_denied(temp.delete_object, Bucket=bucket, Key="dir/a.bin")
    assert_cos_denied(temp.list_objects, Bucket=bucket)
    assert body_of(client, bucket, "dir/a.bin") == body


@pytest.mark.parametrize("config_name", ["defaults", "s3v4-signed", "sigv2"])
def test_boto3_session_token_uploads_only_inside_its_prefix(cosd, client, bucket, config_name):
    policy = policy_doc(stmt("allow", PUT_ACTIONS, cos_resource(bucket, "dir/*")))
    s3 = temp_s3(cosd, get_credential(cosd, policy), config_name)
    body = os.urandom(50000)
    s3.put_object(Bucket=bucket, Key="dir/s3.bin", Body=body)
    assert body_of(client, bucket, "dir/s3.bin") == body
    assert s3_error(s3.put_object, Bucket=bucket, Key="other/s3.bin", Body=b"x") == (403, "AccessDenied")
    assert_absent(client, bucket, "other/s3.bin")
    assert s3_error(s3.get_object, Bucket=bucket, Key="dir/s3.bin") == (403, "AccessDenied")


def test_cos_sdk_upload_file_multipart_with_temp_key(cosd, client, bucket, tmp_path):
    """upload_file with PartSize=1 (MB) runs a multipart upload. The SDK first lists ongoing
    uploads (ListMultipartUploads, a bucket-level action, resource ``<bucket>/``) to resume
    one, so the policy grants that on the bucket and the upload actions on dir/* (seed 002:1265
    lists ListMultipartUploads among the multipart actions)."""
    policy = policy_doc(
        stmt("allow", PUT_ACTIONS + MULTIPART_ACTIONS + ["name/cos:ListParts"], cos_resource(bucket, "dir/*")),
        stmt("allow", "name/cos:ListMultipartUploads", cos_resource(bucket, "")))
    temp = temp_client(cosd, get_credential(cosd, policy))
    data = os.urandom(2 * MiB + 12345)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    rt = temp.upload_file(Bucket=bucket, Key="dir/big.bin", LocalFilePath=str(path), PartSize=1, MAXThread=2)
    assert rt["ETag"].strip('"').endswith("-3"), rt        # three parts: a multipart upload
    assert body_of(client, bucket, "dir/big.bin") == data
    assert_cos_denied(temp.upload_file, Bucket=bucket, Key="other/big.bin", LocalFilePath=str(path),
                      PartSize=1, MAXThread=2)
    assert_absent(client, bucket, "other/big.bin")
    assert client.list_multipart_uploads(Bucket=bucket).get("Upload") in (None, [])


def test_boto3_upload_file_multipart_with_temp_key(cosd, client, bucket, tmp_path):
    """boto3's upload_file above the multipart threshold: Create/UploadPart/Complete only."""
    from boto3.s3.transfer import TransferConfig
    from boto3.exceptions import S3UploadFailedError
    policy = policy_doc(stmt("allow", MULTIPART_ACTIONS, cos_resource(bucket, "dir/*")))
    s3 = temp_s3(cosd, get_credential(cosd, policy))
    data = os.urandom(11 * MiB)
    path = tmp_path / "big.bin"
    path.write_bytes(data)
    cfg = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=2)
    s3.upload_file(str(path), bucket, "dir/big.bin", Config=cfg)
    head = client.head_object(Bucket=bucket, Key="dir/big.bin")
    assert head["ETag"].strip('"').endswith("-3"), head
    assert body_of(client, bucket, "dir/big.bin") == data
    with pytest.raises(S3UploadFailedError) as ei:
        s3.upload_file(str(path), bucket, "other/big.bin", Config=cfg)
    assert "AccessDenied" in str(ei.value)
    assert_absent(client, bucket, "other/big.bin")
    # the policy has no PutObject: a small file (single PUT) is refused even inside dir/
    small = tmp_path / "small.bin"
    small.write_bytes(b"small")
    with pytest.raises(S3UploadFailedError) as ei:
        s3.upload_file(str(small), bucket, "dir/small.bin", Config=cfg)
    assert "AccessDenied" in str(ei.value)


# ============================================================ presigned URLs

def test_cos_sdk_presigned_url_needs_the_token_param(cosd, client, bucket):
    """Spec 01 §4: the Python SDK does not put the token into presigned URLs; the caller passes
    Params={'x-cos-security-token': token} (then it is a signed URL parameter)."""
    client.put_object(Bucket=bucket, Key="dir/p.txt", Body=b"presigned with a token")
    client.put_object(Bucket=bucket, Key="other/p.txt", Body=b"not for you")
    cred = get_credential(cosd, policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "dir/*"))))
    signer = presigner(cosd, cred)
    token = cred["credentials"]["sessionToken"]
    url = signer.get_presigned_url(Bucket=bucket, Key="dir/p.txt", Method="GET", Expired=300,
                                   Params={"x-cos-security-token": token})
    r = fetch(cosd, url)
    assert r.status_code == 200, r.text
    assert r.content == b"presigned with a token"
    # without the token parameter (the SDK's default)
    bare = signer.get_presigned_url(Bucket=bucket, Key="dir/p.txt", Method="GET", Expired=300)
    assert "security-token" not in bare
    assert raw_error(fetch(cosd, bare)) == (403, "InvalidAccessKeyId")
    # the token parameter is signed: dropping it from the URL breaks it too
    assert fetch(cosd, url, drop_param="x-cos-security-token").status_code == 403
    # appended after the signature, unsigned, as the Node/JS SDKs do (spec 01 §4)
    r = fetch(cosd, bare + "&x-cos-security-token=" + token)
    assert (r.status_code, r.content) == (200, b"presigned with a token"), r.text
    r = fetch(cosd, bare + "&x-cos-security-token=" + token[:-1])
    assert raw_error(r) == (403, "InvalidAccessKeyId")
    # outside the policy
    other = signer.get_presigned_url(Bucket=bucket, Key="other/p.txt", Method="GET", Expired=300,
                                     Params={"x-cos-security-token": token})
    assert raw_error(fetch(cosd, other)) == (403, "AccessDenied")


@pytest.mark.parametrize("signature_version", [
    "s3v4",
    "s3",
])
def test_boto3_presigned_url_with_session_token(cosd, client, bucket, signature_version):
    import s3_harness as S3
    client.put_object(Bucket=bucket, Key="dir/p.txt", Body=b"boto3 presigned")
    client.put_object(Bucket=bucket, Key="other/p.txt", Body=b"not for you")
    cred = get_credential(cosd, policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "dir/*"))))
    c = cred["credentials"]
    s3 = S3.make_client(cosd, signature_version=signature_version, access_key=c["tmpSecretId"],
                        secret_key=c["tmpSecretKey"], session_token=c["sessionToken"])
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "dir/p.txt"}, ExpiresIn=300)
    assert "security-token=" in url.lower(), url
    r = requests.get(url, timeout=30)
    assert r.status_code == 200, r.text
    assert r.content == b"boto3 presigned"
    other = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "other/p.txt"}, ExpiresIn=300)
    r = requests.get(other, timeout=30)
    assert (r.status_code, H.parse_error_xml(r.content)["Code"]) == (403, "AccessDenied")


# ============================================================ the token

def test_missing_token_is_invalid_access_key_id(cosd, client, bucket):
    policy = policy_doc(stmt("allow", ["name/cos:PutObject", "name/cos:GetObject"], cos_resource(bucket, "dir/*")))
    cred = get_credential(cosd, policy)
    no_token = temp_client(cosd, cred, with_token=False)
    assert cos_error(no_token.put_object, Bucket=bucket, Key="dir/t.txt", Body=b"x") == (403, "InvalidAccessKeyId")
    assert cos_error(no_token.get_object, Bucket=bucket, Key="dir/t.txt") == (403, "InvalidAccessKeyId")
    s3 = temp_s3(cosd, cred, with_token=False)
    assert s3_error(s3.put_object, Bucket=bucket, Key="dir/t.txt", Body=b"x") == (403, "InvalidAccessKeyId")
    assert_absent(client, bucket, "dir/t.txt")
    # with it, the same key works
    temp_client(cosd, cred).put_object(Bucket=bucket, Key="dir/t.txt", Body=b"x")
    assert body_of(client, bucket, "dir/t.txt") == b"x"


def test_wrong_or_foreign_token_is_invalid_access_key_id(cosd, client, bucket):
    policy = policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dir/*")))
    a, b = get_credential(cosd, policy), get_credential(cosd, policy)
    assert a["credentials"]["tmpSecretId"] != b["credentials"]["tmpSecretId"]
    token_a, token_b = a["credentials"]["sessionToken"], b["credentials"]["sessionToken"]
    assert token_a != token_b
    for token in (token_b,                      # another temporary key's token
                  token_a[:-1] + ("A" if token_a[-1] != "A" else "B"),   # one character off
                  token_a[:20],                 # truncated
                  "not-a-token"):
        c = temp_client(cosd, a, token=token)
        assert cos_error(c.put_object, Bucket=bucket, Key="dir/w.txt", Body=b"x") == (403, "InvalidAccessKeyId"), token
        s3 = temp_s3(cosd, a, token=token)
        assert s3_error(s3.put_object, Bucket=bucket, Key="dir/w.txt", Body=b"x") == (403, "InvalidAccessKeyId"), token
    # a temporary key's token with the permanent root key
    root_with_token = cosd.client(Token=token_a)
    assert cos_error(root_with_token.put_object, Bucket=bucket, Key="dir/w.txt", Body=b"x") \
        == (403, "InvalidAccessKeyId")
    assert_absent(client, bucket, "dir/w.txt")
    # the right pairs still work
    temp_client(cosd, a).put_object(Bucket=bucket, Key="dir/w.txt", Body=b"a")
    temp_client(cosd, b).put_object(Bucket=bucket, Key="dir/w.txt", Body=b"b")
    assert body_of(client, bucket, "dir/w.txt") == b"b"


def test_temp_key_expires(cosd, client, bucket):
    policy = policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dir/*")))
    cred = get_credential(cosd, policy, duration=2)
    assert cred["expiredTime"] - cred["startTime"] == 2
    temp = temp_client(cosd, cred)
    temp.put_object(Bucket=bucket, Key="dir/e1.txt", Body=b"in time")
    while time.time() < cred["expiredTime"] + 1:
        time.sleep(0.2)
    assert cos_error(temp.put_object, Bucket=bucket, Key="dir/e2.txt", Body=b"late") == (403, "AccessDenied")
    assert s3_error(temp_s3(cosd, cred).put_object, Bucket=bucket, Key="dir/e2.txt", Body=b"late") \
        == (403, "AccessDenied")
    assert_absent(client, bucket, "dir/e2.txt")
    assert body_of(client, bucket, "dir/e1.txt") == b"in time"


# ============================================================ durations and issuers

def test_root_key_duration_is_limited_to_7200_seconds(cosd, client, bucket):
    """Seed 002:1976-1978 / spec 07 §2: at most 2 hours for a root account's key."""
    policy = policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dir/*")))
    msg = sts_refusal(cosd, policy, duration=7201)
    assert "InvalidParameterValue" in msg, msg
    before = int(time.time())
    cred = get_credential(cosd, policy, duration=7200)
    after = int(time.time())
    assert before + 7200 - 2 <= cred["expiredTime"] <= after + 7200 + 2, (before, cred)
    assert cred["startTime"] == cred["expiredTime"] - 7200
    expiration = datetime.datetime.fromtimestamp(cred["expiredTime"], datetime.timezone.utc)
    assert cred["expiration"] == expiration.strftime("%Y-%m-%dT%H:%M:%SZ")
    temp_client(cosd, cred).put_object(Bucket=bucket, Key="dir/long.txt", Body=b"2h")
    assert body_of(client, bucket, "dir/long.txt") == b"2h"


def test_sub_account_key_gets_up_to_129600_seconds_and_keeps_its_own_limits(cosd, client, bucket, sub):
    """A sub-account may ask for 36 hours (seed 002:1977-1978); its temporary key can do only
    what both the sub-account and the key's policy allow: the sub-account may only read dir/*,
    so a key whose policy also allows PutObject still cannot upload."""
    sub.put_policy("read-dir", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "dir/*"))))
    client.put_object(Bucket=bucket, Key="dir/r.txt", Body=b"readable")
    policy = policy_doc(stmt("allow", ["name/cos:PutObject", "name/cos:GetObject"], cos_resource(bucket, "dir/*")))
    msg = sts_refusal(cosd, policy, secret_id=sub.secret_id, secret_key=sub.secret_key, duration=129601)
    assert "InvalidParameterValue" in msg, msg
    cred = get_credential(cosd, policy, secret_id=sub.secret_id, secret_key=sub.secret_key, duration=129600)
    assert cred["expiredTime"] - cred["startTime"] == 129600
    assert abs(cred["expiredTime"] - (time.time() + 129600)) < 5
    temp = temp_client(cosd, cred)
    assert body_of(temp, bucket, "dir/r.txt") == b"readable"
    assert_cos_denied(temp.put_object, Bucket=bucket, Key="dir/w.txt", Body=b"no")
    assert s3_error(temp_s3(cosd, cred).put_object, Bucket=bucket, Key="dir/w.txt", Body=b"no") \
        == (403, "AccessDenied")
    assert_absent(client, bucket, "dir/w.txt")
    # the sub-account's rights are those of now: without its policy the key reads nothing
    sub.delete_policy("read-dir")
    assert_cos_denied(temp.get_object, Bucket=bucket, Key="dir/r.txt")


def test_disabling_the_issuer_key_stops_its_temp_keys_at_once(cosd, client, bucket, sub):
    sub.put_policy("write-dir", policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dir/*"))))
    cred = get_credential(cosd, policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dir/*"))),
                          secret_id=sub.secret_id, secret_key=sub.secret_key)
    temp = temp_client(cosd, cred)
    temp.put_object(Bucket=bucket, Key="dir/1.txt", Body=b"1")

    p = H.admin_cli(cosd, "key", "disable", sub.secret_id)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert cos_error(temp.put_object, Bucket=bucket, Key="dir/2.txt", Body=b"2") == (403, "InvalidAccessKeyId")
    assert s3_error(temp_s3(cosd, cred).put_object, Bucket=bucket, Key="dir/2.txt", Body=b"2") \
        == (403, "InvalidAccessKeyId")
    assert_absent(client, bucket, "dir/2.txt")
    # a disabled key cannot get new temporary keys either
    msg = sts_refusal(cosd, policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dir/*"))),
                      secret_id=sub.secret_id, secret_key=sub.secret_key)
    assert "AuthFailure.SecretIdNotFound" in msg, msg

    p = H.admin_cli(cosd, "key", "enable", sub.secret_id)
    assert p.returncode == 0, (p.stdout, p.stderr)
    temp.put_object(Bucket=bucket, Key="dir/3.txt", Body=b"3")
    assert body_of(client, bucket, "dir/3.txt") == b"3"

    # deleting the issuing key ends it for good
    p = H.admin_cli(cosd, "key", "delete", sub.secret_id)
    assert p.returncode == 0, (p.stdout, p.stderr)
    assert cos_error(temp.put_object, Bucket=bucket, Key="dir/4.txt", Body=b"4") == (403, "InvalidAccessKeyId")
    assert_absent(client, bucket, "dir/4.txt")


def test_temp_key_cannot_request_temp_keys(cosd, bucket):
    policy = policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dir/*")))
    c = get_credential(cosd, policy)["credentials"]
    msg = sts_refusal(cosd, policy, secret_id=c["tmpSecretId"], secret_key=c["tmpSecretKey"])
    assert "'Error'" in msg and "UnauthorizedOperation" in msg, msg


# ============================================================ STS errors

def test_wrong_secret_key_is_signature_failure(cosd, bucket):
    policy = policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dir/*")))
    msg = sts_refusal(cosd, policy, secret_key=cosd.secret_key + "x")
    assert "AuthFailure.SignatureFailure" in msg, msg


def test_unknown_secret_id_is_secret_id_not_found(cosd, bucket):
    policy = policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dir/*")))
    msg = sts_refusal(cosd, policy, secret_id="AKIDnosuchkey0000000000000000000000")
    assert "AuthFailure.SecretIdNotFound" in msg, msg


def test_malformed_policy_is_refused(cosd, bucket):
    for policy in ({"version": "2.0", "statement": []},
                   {"version": "2.0", "statement": [{"effect": "allow", "action": ["name/cos:PutObject"]}]},
                   {"version": "2.0", "statement": [{"effect": "maybe", "action": ["name/cos:PutObject"],
                                                     "resource": [cos_resource(bucket, "dir/*")]}]}):
        msg = sts_refusal(cosd, policy)
        assert "InvalidParameterValue" in msg and "Policy" in msg, (policy, msg)


def test_region_unset_in_the_sts_config(cosd, client, bucket):
    """Without ``region`` the SDK signs ``Region=None`` but leaves it out of the body (spec 07 §1)."""
    policy = policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dir/*")))
    cred = get_credential(cosd, policy, region=None)
    temp_client(cosd, cred).put_object(Bucket=bucket, Key="dir/noregion.txt", Body=b"no region")
    assert body_of(client, bucket, "dir/noregion.txt") == b"no region"
    assert_cos_denied(temp_client(cosd, cred).put_object, Bucket=bucket, Key="x.txt", Body=b"x")


def test_temp_key_survives_a_restart(server_factory):
    server = server_factory("sts-restart").start()
    root = server.client(retry=1, session=requests.Session())
    bucket = H.unique_bucket("sts")
    root.create_bucket(Bucket=bucket)
    policy = policy_doc(stmt("allow", ["name/cos:PutObject", "name/cos:GetObject"], cos_resource(bucket, "dir/*")))
    cred = get_credential(server, policy)
    temp_client(server, cred).put_object(Bucket=bucket, Key="dir/before.txt", Body=b"before")
    assert server.stop() == 0
    server.start()
    temp = temp_client(server, cred)
    assert body_of(temp, bucket, "dir/before.txt") == b"before"
    temp.put_object(Bucket=bucket, Key="dir/after.txt", Body=b"after")
    root = server.client(retry=1, session=requests.Session())
    assert body_of(root, bucket, "dir/after.txt") == b"after"
    assert_cos_denied(temp.put_object, Bucket=bucket, Key="other.txt", Body=b"x")
    assert cos_error(temp_client(server, cred, with_token=False).get_object, Bucket=bucket,
                     Key="dir/after.txt") == (403, "InvalidAccessKeyId")


def test_seed_note_key_for_one_bucket_cannot_touch_another(cosd, client, bucket_factory):
    """Seed 002:1897: a key allowed to upload to examplebucket-1 cannot upload to
    examplebucket-2, nor download from examplebucket-1."""
    one, two = bucket_factory(), bucket_factory()
    client.put_object(Bucket=one, Key="f.txt", Body=b"existing")
    temp = temp_client(cosd, get_credential(cosd, policy_doc(stmt("allow", "name/cos:PutObject",
                                                                     cos_resource(one, "*")))))
    temp.put_object(Bucket=one, Key="up.txt", Body=b"uploaded")
    assert body_of(client, one, "up.txt") == b"uploaded"
    assert_cos_denied(temp.put_object, Bucket=two, Key="up.txt", Body=b"uploaded")
    assert_absent(client, two, "up.txt")
    assert_cos_denied(temp.get_object, Bucket=one, Key="f.txt")


# ============================================================ seed: security guidelines

def test_seed_bad_example_1_excessive_resource(cosd, client, bucket):
    """Seed 002:1809-1825 ("Bad example 1. Excessive resource"): with resource
    app/avatar/* any user can overwrite every user's avatar. The key scoped as the seed advises
    (the user's own three keys listed exactly, 002:1817-1825; or app/avatar/<Username>/* after
    the layout change, 002:1817) uploads alice's avatars and cannot overwrite bob's."""
    bobs = {"app/avatar/bob.jpg": b"bob large", "app/avatar/bob.m.jpg": b"bob medium",
            "app/avatar/bob/s.jpg": b"bob small (new layout)"}
    for key, data in bobs.items():
        client.put_object(Bucket=bucket, Key=key, Body=data)

    # the bad key really does allow it (what the seed warns about)
    bad = temp_client(cosd, get_credential(cosd, policy_doc(
        stmt("allow", "name/cos:PutObject", cos_resource(bucket, "app/avatar/*")))))
    bad.put_object(Bucket=bucket, Key="app/avatar/bob.jpg", Body=b"defaced")
    assert body_of(client, bucket, "app/avatar/bob.jpg") == b"defaced"
    client.put_object(Bucket=bucket, Key="app/avatar/bob.jpg", Body=bobs["app/avatar/bob.jpg"])

    # exact keys (002:1819-1825)
    own = ["app/avatar/alice.jpg", "app/avatar/alice.m.jpg", "app/avatar/alice.s.jpg"]
    exact = temp_client(cosd, get_credential(cosd, policy_doc(
        stmt("allow", "name/cos:PutObject", [cos_resource(bucket, k) for k in own]))))
    for key in own:
        exact.put_object(Bucket=bucket, Key=key, Body=b"alice " + key.encode())
        assert body_of(client, bucket, key) == b"alice " + key.encode()
    for key in ("app/avatar/bob.jpg", "app/avatar/bob.m.jpg", "app/avatar/bob/s.jpg",
                "app/avatar/alice.x.jpg", "app/avatar/alice.jpg.bak", "app/avatar/alice/s.jpg"):
        assert_cos_denied(exact.put_object, Bucket=bucket, Key=key, Body=b"overwrite")

    # per-user directory (002:1817)
    per_user = temp_client(cosd, get_credential(cosd, policy_doc(
        stmt("allow", "name/cos:PutObject", cos_resource(bucket, "app/avatar/alice/*")))))
    for size in ("l", "m", "s"):
        per_user.put_object(Bucket=bucket, Key="app/avatar/alice/%s.jpg" % size, Body=size.encode())
        assert body_of(client, bucket, "app/avatar/alice/%s.jpg" % size) == size.encode()
    for key in ("app/avatar/bob/s.jpg", "app/avatar/bob.jpg", "app/avatar/alice2/s.jpg",
                "app/avatar/alice.jpg"):
        assert_cos_denied(per_user.put_object, Bucket=bucket, Key=key, Body=b"overwrite")

    for key, data in bobs.items():
        assert body_of(client, bucket, key) == data
    assert_absent(client, bucket, "app/avatar/alice2/s.jpg")


def test_seed_bad_example_2_excessive_action(cosd, client, bucket):
    """Seed 002:1827-1837 ("Bad example 2. Excessive action"): the photo wall needs to list
    (GET Bucket) and download (GET Object) app/photos/*; with name/cos:* a captured key can
    upload and delete there. The key with the explicit actions (002:1835) lists and downloads
    and can neither upload nor delete. GET Bucket is a bucket-level action (resource
    ``<bucket>/``, 002:945-963), so it gets its own statement, narrowed to the photos with
    cos:prefix (002:2992-3050), as 002:1833 advises when the resources differ."""
    photos = {"app/photos/1.jpg": b"one", "app/photos/2.jpg": b"two"}
    for key, data in photos.items():
        client.put_object(Bucket=bucket, Key=key, Body=data)
    client.put_object(Bucket=bucket, Key="app/private/secret.txt", Body=b"secret")

    bad = temp_client(cosd, get_credential(cosd, policy_doc(
        stmt("allow", "name/cos:*", cos_resource(bucket, "app/photos/*")))))
    bad.put_object(Bucket=bucket, Key="app/photos/spam.jpg", Body=b"spam")
    bad.delete_object(Bucket=bucket, Key="app/photos/spam.jpg")
    assert_absent(client, bucket, "app/photos/spam.jpg")

    good = temp_client(cosd, get_credential(cosd, policy_doc(
        stmt("allow", "name/cos:GetObject", cos_resource(bucket, "app/photos/*")),
        stmt("allow", "name/cos:GetBucket", cos_resource(bucket, "*"),
             condition={"string_equal": {"cos:prefix": "app%2Fphotos%2F"}}))))
    listed = good.list_objects(Bucket=bucket, Prefix="app/photos/")
    assert sorted(c["Key"] for c in listed.get("Contents", [])) == sorted(photos)
    for key, data in photos.items():
        assert body_of(good, bucket, key) == data
    assert_cos_denied(good.put_object, Bucket=bucket, Key="app/photos/spam.jpg", Body=b"spam")
    assert_cos_denied(good.put_object, Bucket=bucket, Key="app/photos/1.jpg", Body=b"overwrite")
    assert_cos_denied(good.delete_object, Bucket=bucket, Key="app/photos/2.jpg")
    rt = good.delete_objects(Bucket=bucket, Delete={"Object": [{"Key": "app/photos/1.jpg"}], "Quiet": "false"})
    assert [e["Code"] for e in rt.get("Error", [])] == ["AccessDenied"], rt
    assert_cos_denied(good.list_objects, Bucket=bucket, Prefix="app/private/")
    assert_cos_denied(good.list_objects, Bucket=bucket)
    assert_cos_denied(good.get_object, Bucket=bucket, Key="app/private/secret.txt")
    for key, data in photos.items():
        assert body_of(client, bucket, key) == data
    assert_absent(client, bucket, "app/photos/spam.jpg")


def test_seed_bad_example_3_mixed_statements(cosd, client, bucket):
    """Seed 002:1839-1868 ("Bad example 3. Excessive action and resource"): list/download all
    users' files under app/files/*, upload/delete only in app/files/<Username>/*. Mixed into
    one statement, a user can overwrite and delete others' files. With the two statements the
    seed gives (002:1849-1866; its ``name/cos>DeleteObject`` read as ``name/cos:DeleteObject``)
    alice downloads everyone's files and writes only her own directory. Listing is a
    bucket-level action, so (as in test_seed_bad_example_2) it gets its own cos:prefix
    statement."""
    files = {"app/files/bob/report.txt": b"bob's report", "app/files/carol/notes.txt": b"carol's notes"}
    for key, data in files.items():
        client.put_object(Bucket=bucket, Key=key, Body=data)
    client.put_object(Bucket=bucket, Key="app/files/alice/old.txt", Body=b"alice old")

    four = ["name/cos:GetBucket", "name/cos:GetObject", "name/cos:PutObject", "name/cos:DeleteObject"]
    bad = temp_client(cosd, get_credential(cosd, policy_doc(
        stmt("allow", four, [cos_resource(bucket, "app/files/*"), cos_resource(bucket, "app/files/alice/*")]))))
    bad.put_object(Bucket=bucket, Key="app/files/bob/report.txt", Body=b"tampered")
    assert body_of(client, bucket, "app/files/bob/report.txt") == b"tampered"
    client.put_object(Bucket=bucket, Key="app/files/bob/report.txt", Body=files["app/files/bob/report.txt"])

    good = temp_client(cosd, get_credential(cosd, policy_doc(
        stmt("allow", ["name/cos:GetBucket", "name/cos:GetObject"], cos_resource(bucket, "app/files/*")),
        stmt("allow", ["name/cos:PutObject", "name/cos:DeleteObject"], cos_resource(bucket, "app/files/alice/*")),
        stmt("allow", "name/cos:GetBucket", cos_resource(bucket, "*"),
             condition={"string_like": {"cos:prefix": "app%2Ffiles%2F*"}}))))
    # list and download everyone's files
    listed = good.list_objects(Bucket=bucket, Prefix="app/files/")
    assert sorted(c["Key"] for c in listed.get("Contents", [])) == sorted(list(files) + ["app/files/alice/old.txt"])
    assert [c["Key"] for c in good.list_objects(Bucket=bucket, Prefix="app/files/bob/").get("Contents", [])] \
        == ["app/files/bob/report.txt"]
    for key, data in files.items():
        assert body_of(good, bucket, key) == data
    # upload and delete in her own directory
    good.put_object(Bucket=bucket, Key="app/files/alice/new.txt", Body=b"alice new")
    assert body_of(client, bucket, "app/files/alice/new.txt") == b"alice new"
    good.delete_object(Bucket=bucket, Key="app/files/alice/old.txt")
    assert_absent(client, bucket, "app/files/alice/old.txt")
    # not in anyone else's
    assert_cos_denied(good.put_object, Bucket=bucket, Key="app/files/bob/report.txt", Body=b"tampered")
    assert_cos_denied(good.put_object, Bucket=bucket, Key="app/files/bob/planted.txt", Body=b"planted")
    assert_cos_denied(good.put_object, Bucket=bucket, Key="app/files/top.txt", Body=b"planted")
    assert_cos_denied(good.delete_object, Bucket=bucket, Key="app/files/carol/notes.txt")
    rt = good.delete_objects(Bucket=bucket, Delete={"Object": [{"Key": "app/files/bob/report.txt"},
                                                               {"Key": "app/files/alice/new.txt"}],
                                                    "Quiet": "false"})
    assert [d["Key"] for d in rt.get("Deleted", [])] == ["app/files/alice/new.txt"], rt
    assert [(e["Key"], e["Code"]) for e in rt.get("Error", [])] == [("app/files/bob/report.txt", "AccessDenied")]
    assert_cos_denied(good.list_objects, Bucket=bucket, Prefix="app/")
    for key, data in files.items():
        assert body_of(client, bucket, key) == data
    assert_absent(client, bucket, "app/files/bob/planted.txt")
    assert_absent(client, bucket, "app/files/top.txt")
