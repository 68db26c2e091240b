"""Presigned URLs (SigV4 query and SigV2 query) and the SigV2 header dialect
(botocore signature_version='s3') through boto3 (spec 05 §3, §5)."""

import hashlib
import os
import time
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
import requests

import s3_harness as S3
from s3_harness import ClientError


def tamper_signature(url, param):
    parts = urlsplit(url)
    q = parse_qsl(parts.query, keep_blank_values=True)
    out = []
    for k, v in q:
        if k == param:
            v = ("0" if v[0] != "0" else "1") + v[1:]
        out.append((k, v))
    return urlunsplit(parts._replace(query=urlencode(out)))


def xml_error(r):
    err = S3.parse_error_xml(r.content)
    assert err["RequestId"] and r.headers.get("x-amz-request-id") == err["RequestId"]
    return err


# ------------------------------------------------------------ SigV4 query

def test_presigned_v4_get_put(s3, s3_bucket):
    body = os.urandom(5000)
    s3.put_object(Bucket=s3_bucket, Key="dir/a b+c.bin", Body=body, Metadata={"color": "blue"})
    url = s3.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "dir/a b+c.bin"},
                                    ExpiresIn=300)
    assert "X-Amz-Signature=" in url and "X-Amz-Credential=" in url
    r = requests.get(url, timeout=10)
    assert r.status_code == 200 and r.content == body
    assert r.headers["x-amz-meta-color"] == "blue"          # S3-signed: x-amz-meta-*
    assert r.headers["x-amz-request-id"]
    assert r.headers["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    # response-* overrides are signed query parameters
    url2 = s3.generate_presigned_url("get_object", Params={
        "Bucket": s3_bucket, "Key": "dir/a b+c.bin", "ResponseContentDisposition": 'attachment; filename="x.bin"',
        "ResponseContentType": "application/x-override"}, ExpiresIn=300)
    r = requests.get(url2, timeout=10)
    assert r.status_code == 200
    assert r.headers["Content-Disposition"] == 'attachment; filename="x.bin"'
    assert r.headers["Content-Type"] == "application/x-override"
    # HEAD needs its own URL
    r = requests.head(s3.generate_presigned_url("head_object", Params={"Bucket": s3_bucket, "Key": "dir/a b+c.bin"}),
                      timeout=10)
    assert r.status_code == 200 and r.headers["Content-Length"] == str(len(body))
    r = requests.head(url, timeout=10)
    assert r.status_code == 403

    # tampering
    r = requests.get(tamper_signature(url, "X-Amz-Signature"), timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "SignatureDoesNotMatch"
    r = requests.get(url.replace("a%20b%2Bc.bin", "other.bin"), timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "SignatureDoesNotMatch"
    r = requests.get(url.replace("X-Amz-Expires=300", "X-Amz-Expires=3000"), timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "SignatureDoesNotMatch"
    r = requests.get(url2.replace("x.bin", "y.bin"), timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "SignatureDoesNotMatch"

    # presigned PUT, with a signed Content-Type
    put_url = s3.generate_presigned_url("put_object", Params={
        "Bucket": s3_bucket, "Key": "up.txt", "ContentType": "text/plain"}, ExpiresIn=300)
    r = requests.put(put_url, data=b"uploaded via presigned url", headers={"Content-Type": "text/plain"}, timeout=10)
    assert r.status_code == 200, r.text
    got = s3.get_object(Bucket=s3_bucket, Key="up.txt")
    assert got["Body"].read() == b"uploaded via presigned url"
    assert got["ContentType"] == "text/plain"
    r = requests.put(put_url, data=b"x", headers={"Content-Type": "text/html"}, timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "SignatureDoesNotMatch"
    # a GET URL cannot be used to PUT
    r = requests.put(url, data=b"x", timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "SignatureDoesNotMatch"
    assert s3.get_object(Bucket=s3_bucket, Key="dir/a b+c.bin")["Body"].read() == body


def test_presigned_v4_expired(s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="k", Body=b"v")
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "k"}, ExpiresIn=1)
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": s3_bucket, "Key": "k2"}, ExpiresIn=1)
    too_long = s3.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "k"},
                                         ExpiresIn=604801)
    r = requests.get(too_long, timeout=10)
    assert r.status_code in (400, 403)
    time.sleep(2.1)
    r = requests.get(get_url, timeout=10)
    assert r.status_code == 403
    err = xml_error(r)
    assert err["Code"] == "AccessDenied"
    assert "expired" in err["Message"].lower()
    r = requests.put(put_url, data=b"late", timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "AccessDenied"
    with pytest.raises(ClientError):
        s3.head_object(Bucket=s3_bucket, Key="k2")


def test_presigned_v4_wrong_credentials(cosd, s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="k", Body=b"v")
    bad = S3.named_client(cosd, s3.cosd_config_name, secret_key="x" + cosd.secret_key[1:])
    r = requests.get(bad.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "k"}), timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "SignatureDoesNotMatch"
    unknown = S3.named_client(cosd, s3.cosd_config_name, access_key="AKIDnobodyNOBODYnobody000000000000")
    r = requests.get(unknown.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "k"}),
                     timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "InvalidAccessKeyId"


# ---------------------------------------------------------------- SigV2

@pytest.fixture(scope="module", params=["v2-defaults", "v2-when-required"])
def s3v2(request, cosd):
    kw = dict(signature_version="s3", s3={"addressing_style": "path"})
    if request.param == "v2-when-required":
        kw.update(request_checksum_calculation="when_required", response_checksum_validation="when_required")
    return S3.make_client(cosd, **kw)


def test_sigv2_object_requests(cosd, s3v2, s3_bucket_factory):
    bucket = s3_bucket_factory()
    log = S3.WireLog(s3v2)
    body = os.urandom(3000)
    rt = s3v2.put_object(Bucket=bucket, Key="v2 dir/obj+1.bin", Body=body, ContentType="application/x-v2",
                         Metadata={"color": "blue"}, ACL="private", StorageClass="STANDARD")
    assert log.requests[-1].headers["Authorization"].startswith(b"AWS " + cosd.secret_id.encode() + b":")
    assert rt["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    head = s3v2.head_object(Bucket=bucket, Key="v2 dir/obj+1.bin")
    assert head["Metadata"] == {"color": "blue"} and head["ContentType"] == "application/x-v2"
    # response-content-type is a sub-resource of the string to sign
    got = s3v2.get_object(Bucket=bucket, Key="v2 dir/obj+1.bin", ResponseContentType="text/plain",
                          Range="bytes=0-99")
    assert got["Body"].read() == body[:100] and got["ContentType"] == "text/plain"
    # x-amz-copy-source / x-amz-metadata-directive are signed amz headers
    s3v2.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "v2 dir/obj+1.bin"},
                     MetadataDirective="REPLACE", Metadata={"shape": "round"})
    assert s3v2.head_object(Bucket=bucket, Key="copy")["Metadata"] == {"shape": "round"}
    # multipart: uploads / uploadId / partNumber are sub-resources of the string to sign
    up = s3v2.create_multipart_upload(Bucket=bucket, Key="mp")["UploadId"]
    parts = [os.urandom(5 * S3.MiB), b"end"]
    etags = [s3v2.upload_part(Bucket=bucket, Key="mp", UploadId=up, PartNumber=n, Body=d)["ETag"]
             for n, d in enumerate(parts, 1)]
    assert len(s3v2.list_parts(Bucket=bucket, Key="mp", UploadId=up)["Parts"]) == 2
    s3v2.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
    assert s3v2.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"".join(parts)
    up = s3v2.create_multipart_upload(Bucket=bucket, Key="mp2")["UploadId"]
    s3v2.abort_multipart_upload(Bucket=bucket, Key="mp2", UploadId=up)
    # conditional write via SigV2
    with pytest.raises(ClientError) as ei:
        s3v2.put_object(Bucket=bucket, Key="v2 dir/obj+1.bin", Body=b"x", IfNoneMatch="*")
    assert S3.err(ei)[:2] == (412, "PreconditionFailed")
    for key in ("v2 dir/obj+1.bin", "copy", "mp"):
        assert s3v2.delete_object(Bucket=bucket, Key=key)["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as ei:
        s3v2.get_object(Bucket=bucket, Key="copy")
    assert S3.err(ei)[:2] == (404, "NoSuchKey")


def test_sigv2_bucket_requests(cosd, s3v2, s3_bucket_factory):
    bucket = S3.unique_bucket()
    s3v2.create_bucket(Bucket=bucket)
    try:
        s3v2.head_bucket(Bucket=bucket)
        assert s3v2.get_bucket_location(Bucket=bucket)["LocationConstraint"] == cosd.region
        s3v2.put_object(Bucket=bucket, Key="a b", Body=b"x")
        assert [c["Key"] for c in s3v2.list_objects_v2(Bucket=bucket, Prefix="a ")["Contents"]] == ["a b"]
        assert [c["Key"] for c in s3v2.list_objects(Bucket=bucket)["Contents"]] == ["a b"]
        assert s3v2.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
        rt = s3v2.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a b"}]})
        assert [d["Key"] for d in rt["Deleted"]] == ["a b"]
        assert bucket in [b["Name"] for b in s3v2.list_buckets()["Buckets"]]
    finally:
        try:
            s3v2.delete_bucket(Bucket=bucket)
        finally:
            S3.destroy_bucket(S3.named_client(cosd, "defaults"), bucket)


def test_sigv2_bad_credentials(cosd, s3v2, s3_bucket_factory):
    bucket = s3_bucket_factory()
    wrong = S3.make_client(cosd, signature_version="s3", secret_key="x" + cosd.secret_key[1:])
    with pytest.raises(ClientError) as ei:
        wrong.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert S3.err(ei)[:2] == (403, "SignatureDoesNotMatch")
    assert S3.err(ei)[2]["ResponseMetadata"]["RequestId"]
    unknown = S3.make_client(cosd, signature_version="s3", access_key="AKIDnobodyNOBODYnobody000000000000")
    with pytest.raises(ClientError) as ei:
        unknown.get_object(Bucket=bucket, Key="k")
    assert S3.err(ei)[:2] == (403, "InvalidAccessKeyId")
    temp = S3.make_client(cosd, signature_version="s3", session_token="FQoGZXIvYXdzEXAMPLETOKEN")
    with pytest.raises(ClientError) as ei:
        temp.get_object(Bucket=bucket, Key="k")
    assert S3.err(ei)[:2] == (403, "InvalidAccessKeyId")
    # a Date an hour in the past (HmacV1Auth sets Date itself while signing)
    skewed = S3.make_client(cosd, signature_version="s3")
    from botocore.auth import HmacV1Auth
    orig = HmacV1Auth._get_date

    def past_date(self):
        return time.strftime("%a, %d %b %Y %H:%M:%S GMT", time.gmtime(time.time() - 3600))
    HmacV1Auth._get_date = past_date
    try:
        with pytest.raises(ClientError) as ei:
            skewed.get_object(Bucket=bucket, Key="k")
    finally:
        HmacV1Auth._get_date = orig
    assert S3.err(ei)[:2] == (403, "RequestTimeTooSkewed")


def test_presigned_v2(cosd, s3v2, s3_bucket_factory):
    bucket = s3_bucket_factory()
    s3v2.put_object(Bucket=bucket, Key="a b.txt", Body=b"v2 presigned", Metadata={"color": "blue"})
    url = s3v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a b.txt"}, ExpiresIn=300)
    assert "AWSAccessKeyId=" in url and "Signature=" in url and "Expires=" in url
    r = requests.get(url, timeout=10)
    assert r.status_code == 200 and r.content == b"v2 presigned"
    assert r.headers["x-amz-meta-color"] == "blue"
    url2 = s3v2.generate_presigned_url("get_object", Params={
        "Bucket": bucket, "Key": "a b.txt", "ResponseContentType": "text/x-v2"}, ExpiresIn=300)
    r = requests.get(url2, timeout=10)
    assert r.status_code == 200 and r.headers["Content-Type"] == "text/x-v2"
    r = requests.get(tamper_signature(url, "Signature"), timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "SignatureDoesNotMatch"
    r = requests.get(url2.replace("text%2Fx-v2", "text%2Fhtml"), timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "SignatureDoesNotMatch"

    put_url = s3v2.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "put.txt"}, ExpiresIn=300)
    r = requests.put(put_url, data=b"put via v2 url", timeout=10)
    assert r.status_code == 200, r.text
    assert s3v2.get_object(Bucket=bucket, Key="put.txt")["Body"].read() == b"put via v2 url"

    expiring = s3v2.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "a b.txt"}, ExpiresIn=1)
    time.sleep(2.1)
    r = requests.get(expiring, timeout=10)
    assert r.status_code == 403 and xml_error(r)["Code"] == "AccessDenied"
