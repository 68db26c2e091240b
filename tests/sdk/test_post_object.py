"""POST Object through boto3's generate_presigned_post (SigV4 and SigV2), as browsers and the
ceph s3-tests use it, plus a temporary key from qcloud-python-sts signing a COS form."""
import base64
import hashlib
import hmac
import json
import time

import boto3
import botocore
import pytest
import requests


def _s3(cosd, version):
    return boto3.client("s3", endpoint_url=cosd.base_url, aws_access_key_id=cosd.secret_id,
                        aws_secret_access_key=cosd.secret_key, region_name=cosd.region,
                        config=botocore.config.Config(signature_version=version,
                                                      s3={"addressing_style": "path"}))


@pytest.mark.parametrize("version", ["s3v4", "s3"])
def test_boto3_presigned_post(cosd, client, bucket, version):
    s3 = _s3(cosd, version)
    post = s3.generate_presigned_post(
        bucket, "uploads/${filename}",
        Fields={"acl": "public-read", "Content-Type": "text/plain", "x-amz-meta-who": "boto3"},
        Conditions=[{"acl": "public-read"}, ["content-length-range", 1, 64],
                    ["starts-with", "$Content-Type", "text/"], {"x-amz-meta-who": "boto3"}],
        ExpiresIn=600)
    r = requests.post(post["url"], data=post["fields"], files={"file": ("hello.txt", b"hello from boto3")})
    assert r.status_code == 204, r.text
    assert r.headers["ETag"] == '"%s"' % hashlib.md5(b"hello from boto3").hexdigest()
    head = client.head_object(Bucket=bucket, Key="uploads/hello.txt")
    assert head["Content-Type"] == "text/plain"
    assert head["x-cos-meta-who"] == "boto3"
    # public-read took effect: an anonymous GET works.
    anon = requests.get("%s/%s/uploads/hello.txt" % (cosd.base_url, bucket))
    assert (anon.status_code, anon.content) == (200, b"hello from boto3")

    too_big = requests.post(post["url"], data=post["fields"], files={"file": ("big.txt", b"x" * 65)})
    assert too_big.status_code == 400 and "<Code>EntityTooLarge</Code>" in too_big.text
    fields = dict(post["fields"], **{"Content-Type": "image/png"})
    wrong_type = requests.post(post["url"], data=fields, files={"file": ("a.png", b"png")})
    assert wrong_type.status_code == 403 and "<Code>AccessDenied</Code>" in wrong_type.text
    fields = dict(post["fields"], key="elsewhere/${filename}")
    outside = requests.post(post["url"], data=fields, files={"file": ("a.txt", b"x")})
    assert outside.status_code == 403

    created = requests.post(post["url"], data=dict(post["fields"], success_action_status="201"),
                            files={"file": ("c.txt", b"created")})
    assert created.status_code == 201
    assert "<Key>uploads/c.txt</Key>" in created.text


def test_temp_key_signs_a_cos_form(cosd, client, bucket):
    from sts.sts import Sts
    policy = {"version": "2.0", "statement": [{
        "effect": "allow", "action": ["name/cos:PostObject"],
        "resource": ["qcs::cos:%s:uid/1250000000:%s/web/*" % (cosd.region, bucket)]}]}
    cred = Sts({"secret_id": cosd.secret_id, "secret_key": cosd.secret_key, "region": cosd.region,
                "policy": policy, "url": cosd.base_url + "/"}).get_credential()
    c = cred["credentials"]
    now = int(time.time())
    key_time = "%d;%d" % (now - 10, now + 600)
    doc = json.dumps({"expiration": time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(now + 600)),
                      "conditions": [{"q-sign-algorithm": "sha1"}, {"q-ak": c["tmpSecretId"]},
                                     {"q-sign-time": key_time}, {"bucket": bucket},
                                     ["starts-with", "$key", "web/"]]})
    sign_key = hmac.new(c["tmpSecretKey"].encode(), key_time.encode(), hashlib.sha1).hexdigest()
    signature = hmac.new(sign_key.encode(), hashlib.sha1(doc.encode()).hexdigest().encode(),
                         hashlib.sha1).hexdigest()
    fields = {"key": "web/${filename}", "policy": base64.b64encode(doc.encode()).decode(),
              "q-sign-algorithm": "sha1", "q-ak": c["tmpSecretId"], "q-key-time": key_time,
              "q-signature": signature, "x-cos-security-token": c["sessionToken"]}
    url = "%s/%s" % (cosd.base_url, bucket)
    r = requests.post(url, data=fields, files={"file": ("photo.jpg", b"jpeg bytes")})
    assert r.status_code == 204, r.text
    assert client.get_object(Bucket=bucket, Key="web/photo.jpg")["Body"].get_raw_stream().read() == b"jpeg bytes"
    no_token = {k: v for k, v in fields.items() if k != "x-cos-security-token"}
    r = requests.post(url, data=no_token, files={"file": ("photo.jpg", b"jpeg bytes")})
    assert r.status_code == 403 and "<Code>InvalidAccessKeyId</Code>" in r.text
