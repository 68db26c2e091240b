"""Server-side encryption through boto3 (docs/encryption.md): SSE-S3, SSE-KMS with a key of
the admin API's registry, SSE-C (key on every read, copy-source keys, multipart parts),
bucket default encryption, and the refusals S3 answers. Every test taking ``s3`` runs with
both client configurations of s3_harness.CLIENT_CONFIGS."""

import base64
import hashlib
import os
import uuid

import pytest

import cosd_harness as H
import s3_harness as S3
from s3_harness import MiB, ClientError


def customer_key(seed=None):
    raw = os.urandom(32) if seed is None else bytes([seed]) * 32
    return {"SSECustomerAlgorithm": "AES256", "SSECustomerKey": base64.b64encode(raw).decode(),
            "SSECustomerKeyMD5": base64.b64encode(hashlib.md5(raw).digest()).decode()}


def copy_source_key(k):
    return {"CopySource" + name: v for name, v in k.items()}


def error(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    return S3.err(ei)[:2]


def test_sse_s3_put_get_range_head(s3, s3_bucket):
    data = os.urandom(3 * MiB + 17)
    put = s3.put_object(Bucket=s3_bucket, Key="a", Body=data, ServerSideEncryption="AES256")
    assert put["ServerSideEncryption"] == "AES256"
    assert put["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
    got = s3.get_object(Bucket=s3_bucket, Key="a")
    assert got["ServerSideEncryption"] == "AES256"
    assert got["Body"].read() == data
    r = s3.get_object(Bucket=s3_bucket, Key="a", Range="bytes=2097000-2097300")
    assert r["Body"].read() == data[2097000:2097301]
    assert s3.head_object(Bucket=s3_bucket, Key="a")["ServerSideEncryption"] == "AES256"


def test_sse_c_key_required_and_checked(s3, s3_bucket):
    k, other = customer_key(), customer_key()
    data = b"customer secret " * 1000
    put = s3.put_object(Bucket=s3_bucket, Key="c", Body=data, **k)
    assert put["SSECustomerKeyMD5"] == k["SSECustomerKeyMD5"]
    assert put["ETag"] != '"%s"' % hashlib.md5(data).hexdigest()
    assert error(s3.get_object, Bucket=s3_bucket, Key="c") == (400, "InvalidRequest")
    assert error(s3.head_object, Bucket=s3_bucket, Key="c")[0] == 400
    assert error(s3.get_object, Bucket=s3_bucket, Key="c", **other) == (403, "AccessDenied")
    bad = dict(k, SSECustomerKeyMD5=other["SSECustomerKeyMD5"])
    assert error(s3.get_object, Bucket=s3_bucket, Key="c", **bad) == (400, "InvalidArgument")
    assert s3.get_object(Bucket=s3_bucket, Key="c", **k)["Body"].read() == data
    assert s3.head_object(Bucket=s3_bucket, Key="c", **k)["ContentLength"] == len(data)


def test_sse_c_multipart_and_copy(s3, s3_bucket):
    k, k2 = customer_key(), customer_key()
    up = s3.create_multipart_upload(Bucket=s3_bucket, Key="m", **k)
    parts, blobs = [], [os.urandom(5 * MiB), os.urandom(1000)]
    for n, blob in enumerate(blobs, 1):
        assert error(s3.upload_part, Bucket=s3_bucket, Key="m", UploadId=up["UploadId"],
                     PartNumber=n, Body=blob)[0] == 400
        p = s3.upload_part(Bucket=s3_bucket, Key="m", UploadId=up["UploadId"], PartNumber=n,
                           Body=blob, **k)
        parts.append({"PartNumber": n, "ETag": p["ETag"]})
    s3.complete_multipart_upload(Bucket=s3_bucket, Key="m", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": parts})
    whole = b"".join(blobs)
    assert s3.get_object(Bucket=s3_bucket, Key="m", **k)["Body"].read() == whole
    src = {"Bucket": s3_bucket, "Key": "m"}
    assert error(s3.copy_object, Bucket=s3_bucket, Key="m2", CopySource=src)[0] == 400
    s3.copy_object(Bucket=s3_bucket, Key="m2", CopySource=src, **copy_source_key(k), **k2)
    assert s3.get_object(Bucket=s3_bucket, Key="m2", **k2)["Body"].read() == whole
    s3.copy_object(Bucket=s3_bucket, Key="m3", CopySource=src, **copy_source_key(k))
    assert s3.get_object(Bucket=s3_bucket, Key="m3")["Body"].read() == whole


def test_sse_kms_and_bucket_default(cosd, s3, s3_bucket):
    key_id = "py-" + uuid.uuid4().hex[:12]
    H.admin_ok(cosd, "POST", "kms-keys", {"id": key_id})
    put = s3.put_object(Bucket=s3_bucket, Key="k", Body=b"kms", ServerSideEncryption="aws:kms",
                        SSEKMSKeyId=key_id)
    assert (put["ServerSideEncryption"], put["SSEKMSKeyId"]) == ("aws:kms", key_id)
    assert s3.get_object(Bucket=s3_bucket, Key="k")["Body"].read() == b"kms"
    assert error(s3.put_object, Bucket=s3_bucket, Key="k2", Body=b"x",
                 ServerSideEncryption="aws:kms", SSEKMSKeyId="nope") == (
        400, "KMS.NotFoundException")
    H.admin_ok(cosd, "PUT", "kms-keys/" + key_id, {"enabled": False})
    assert error(s3.get_object, Bucket=s3_bucket, Key="k") == (400, "KMS.DisabledException")
    H.admin_ok(cosd, "PUT", "kms-keys/" + key_id, {"enabled": True})

    assert error(s3.get_bucket_encryption, Bucket=s3_bucket)[0] == 404
    s3.put_bucket_encryption(Bucket=s3_bucket, ServerSideEncryptionConfiguration={"Rules": [{
        "ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": "aws:kms",
                                               "KMSMasterKeyID": key_id}}]})
    conf = s3.get_bucket_encryption(Bucket=s3_bucket)["ServerSideEncryptionConfiguration"]
    rule = conf["Rules"][0]["ApplyServerSideEncryptionByDefault"]
    assert (rule["SSEAlgorithm"], rule["KMSMasterKeyID"]) == ("aws:kms", key_id)
    put = s3.put_object(Bucket=s3_bucket, Key="d", Body=b"by default")
    assert put["SSEKMSKeyId"] == key_id
    s3.delete_bucket_encryption(Bucket=s3_bucket)
    assert "ServerSideEncryption" not in s3.put_object(Bucket=s3_bucket, Key="e", Body=b"p")
