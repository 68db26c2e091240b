"""S3 dialect through boto3: buckets, objects, copy, delete, conditional
writes, errors and COS/S3 interoperability (listing: test_s3_listing.py). Every test taking ``s3`` runs with both
client configurations of s3_harness.CLIENT_CONFIGS."""

import hashlib
import os

import pytest
import requests

import cosd_harness as H
import s3_harness as S3
from s3_harness import ClientError

DATA = b"0123456789abcdefghijklmnopqrstuvwxyz"  # 36 bytes


# ------------------------------------------------------------------ buckets

def test_bucket_lifecycle(cosd, s3):
    name = S3.unique_bucket()
    rt = s3.create_bucket(Bucket=name)
    try:
        assert rt["ResponseMetadata"]["HTTPStatusCode"] == 200
        assert rt["ResponseMetadata"]["RequestId"]

        head = s3.head_bucket(Bucket=name)
        hdrs = head["ResponseMetadata"]["HTTPHeaders"]
        assert hdrs["x-amz-bucket-region"] == cosd.region
        assert head.get("BucketRegion") == cosd.region
        assert hdrs["x-amz-request-id"] == head["ResponseMetadata"]["RequestId"]

        loc = s3.get_bucket_location(Bucket=name)
        assert loc["LocationConstraint"] == cosd.region

        names = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        assert name in names

        # creating it again: the caller already owns it
        with pytest.raises(ClientError) as ei:
            s3.create_bucket(Bucket=name)
        status, code, _ = S3.err(ei)
        assert status == 409
        assert code in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists")

        # a non-empty bucket cannot be deleted
        s3.put_object(Bucket=name, Key="x", Body=b"x")
        with pytest.raises(ClientError) as ei:
            s3.delete_bucket(Bucket=name)
        assert S3.err(ei)[:2] == (409, "BucketNotEmpty")
        s3.delete_object(Bucket=name, Key="x")
    finally:
        rt = s3.delete_bucket(Bucket=name)
    assert rt["ResponseMetadata"]["HTTPStatusCode"] == 204

    with pytest.raises(ClientError) as ei:
        s3.head_bucket(Bucket=name)
    assert S3.err(ei)[0] == 404          # HEAD: no body, botocore reports code "404"
    with pytest.raises(ClientError) as ei:
        s3.delete_bucket(Bucket=name)
    assert S3.err(ei)[:2] == (404, "NoSuchBucket")
    with pytest.raises(ClientError) as ei:
        s3.get_bucket_location(Bucket=name)
    assert S3.err(ei)[:2] == (404, "NoSuchBucket")


def test_other_region_name_is_accepted(cosd, s3_bucket_factory):
    """The credential scope region is whatever the client was configured with."""
    other = S3.make_client(cosd, region="us-east-2")
    name = s3_bucket_factory(other)
    other.put_object(Bucket=name, Key="r.txt", Body=b"region")
    assert other.get_object(Bucket=name, Key="r.txt")["Body"].read() == b"region"
    assert other.head_bucket(Bucket=name)["ResponseMetadata"]["HTTPStatusCode"] == 200
    keys = [c["Key"] for c in other.list_objects_v2(Bucket=name)["Contents"]]
    assert keys == ["r.txt"]
    # presigned with that region works too
    url = other.generate_presigned_url("get_object", Params={"Bucket": name, "Key": "r.txt"})
    assert "us-east-2" in url
    r = requests.get(url, timeout=10)
    assert r.status_code == 200 and r.content == b"region"


# ------------------------------------------------------------------ objects

def test_put_get_head_delete_with_metadata(s3, s3_bucket):
    body = os.urandom(1000) + DATA
    rt = s3.put_object(Bucket=s3_bucket, Key="dir/obj.bin", Body=body,
                       Metadata={"color": "blue", "Mixed-Case": "Value 1"},
                       ContentType="application/x-test", CacheControl="max-age=60",
                       ContentDisposition='attachment; filename="obj.bin"',
                       Expires="Thu, 01 Dec 2094 16:00:00 GMT")
    md5 = hashlib.md5(body).hexdigest()
    assert rt["ETag"] == '"%s"' % md5
    assert rt["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"]

    head = s3.head_object(Bucket=s3_bucket, Key="dir/obj.bin")
    assert head["ETag"] == '"%s"' % md5
    assert head["ContentLength"] == len(body)
    assert head["ContentType"] == "application/x-test"
    assert head["CacheControl"] == "max-age=60"
    assert head["ContentDisposition"] == 'attachment; filename="obj.bin"'
    assert head["Metadata"] == {"color": "blue", "mixed-case": "Value 1"}
    assert head["LastModified"].year >= 2024
    # S3-signed requests get x-amz-meta-*, not x-cos-meta-*
    hh = head["ResponseMetadata"]["HTTPHeaders"]
    assert hh["x-amz-meta-color"] == "blue"
    assert "x-cos-meta-color" not in hh

    got = s3.get_object(Bucket=s3_bucket, Key="dir/obj.bin")
    assert got["Body"].read() == body
    assert got["Metadata"] == {"color": "blue", "mixed-case": "Value 1"}
    assert got["ContentType"] == "application/x-test"
    assert got["ETag"] == head["ETag"]
    assert got["LastModified"] == head["LastModified"]

    # response-* overrides
    got = s3.get_object(Bucket=s3_bucket, Key="dir/obj.bin", ResponseContentType="text/plain",
                        ResponseContentDisposition="inline", ResponseCacheControl="no-cache")
    assert got["ContentType"] == "text/plain"
    assert got["ContentDisposition"] == "inline"
    assert got["CacheControl"] == "no-cache"
    got["Body"].read()

    # overwrite replaces data and metadata
    s3.put_object(Bucket=s3_bucket, Key="dir/obj.bin", Body=b"new", Metadata={"shape": "round"})
    head = s3.head_object(Bucket=s3_bucket, Key="dir/obj.bin")
    assert head["Metadata"] == {"shape": "round"}
    assert head["ContentLength"] == 3

    rt = s3.delete_object(Bucket=s3_bucket, Key="dir/obj.bin")
    assert rt["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=s3_bucket, Key="dir/obj.bin")
    assert S3.err(ei)[0] == 404
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=s3_bucket, Key="dir/obj.bin")
    status, code, resp = S3.err(ei)
    assert (status, code) == (404, "NoSuchKey")
    assert resp["ResponseMetadata"]["RequestId"]
    # deleting a missing key is not an error
    assert s3.delete_object(Bucket=s3_bucket, Key="dir/obj.bin")["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_empty_object_and_default_content_type(s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="empty", Body=b"")
    head = s3.head_object(Bucket=s3_bucket, Key="empty")
    assert head["ContentLength"] == 0
    assert head["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    assert head["Metadata"] == {}
    assert s3.get_object(Bucket=s3_bucket, Key="empty")["Body"].read() == b""


def test_ranges(s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="r", Body=DATA)
    cases = [("bytes=0-4", DATA[0:5], "bytes 0-4/36"),
             ("bytes=10-", DATA[10:], "bytes 10-35/36"),
             ("bytes=-5", DATA[-5:], "bytes 31-35/36"),
             ("bytes=30-100", DATA[30:], "bytes 30-35/36")]
    for rng, want, content_range in cases:
        got = s3.get_object(Bucket=s3_bucket, Key="r", Range=rng)
        assert got["ResponseMetadata"]["HTTPStatusCode"] == 206, rng
        assert got["ContentRange"] == content_range
        assert got["ContentLength"] == len(want)
        assert got["Body"].read() == want
    head = s3.head_object(Bucket=s3_bucket, Key="r", Range="bytes=1-2")
    assert head["ContentLength"] == 2
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=s3_bucket, Key="r", Range="bytes=36-40")
    assert S3.err(ei)[:2] == (416, "InvalidRange")


def test_storage_class_and_acl(cosd, s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="ia", Body=b"ia", StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=s3_bucket, Key="ia").get("StorageClass") == "STANDARD_IA"
    contents = s3.list_objects_v2(Bucket=s3_bucket)["Contents"]
    assert [c["StorageClass"] for c in contents] == ["STANDARD_IA"]

    url = "%s/%s/%s" % (cosd.base_url, s3_bucket, "pub")
    s3.put_object(Bucket=s3_bucket, Key="pub", Body=b"public", ACL="public-read")
    r = requests.get(url, timeout=10)
    assert r.status_code == 200 and r.content == b"public"
    s3.put_object(Bucket=s3_bucket, Key="priv", Body=b"private")
    r = requests.get("%s/%s/priv" % (cosd.base_url, s3_bucket), timeout=10)
    assert r.status_code == 403
    assert S3.parse_error_xml(r.content)["Code"] == "AccessDenied"


def _put_keys(s3, bucket, keys):
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())


# --------------------------------------------------------------------- copy

def test_copy_object_copy_and_replace(s3, s3_bucket, s3_bucket_factory):
    src = "src dir/obj+1.txt"
    put = s3.put_object(Bucket=s3_bucket, Key=src, Body=DATA, ContentType="text/x-src",
                        Metadata={"color": "blue"})
    # COPY (default directive): data, content type and metadata are kept
    rt = s3.copy_object(Bucket=s3_bucket, Key="copy1", CopySource={"Bucket": s3_bucket, "Key": src})
    assert rt["CopyObjectResult"]["ETag"] == put["ETag"]
    assert rt["CopyObjectResult"]["LastModified"]
    h = s3.head_object(Bucket=s3_bucket, Key="copy1")
    assert h["ContentType"] == "text/x-src" and h["Metadata"] == {"color": "blue"}
    # metadata given with COPY is ignored
    s3.copy_object(Bucket=s3_bucket, Key="copy2", CopySource={"Bucket": s3_bucket, "Key": src},
                   MetadataDirective="COPY", Metadata={"color": "red"})
    assert s3.head_object(Bucket=s3_bucket, Key="copy2")["Metadata"] == {"color": "blue"}
    # REPLACE
    s3.copy_object(Bucket=s3_bucket, Key="copy3", CopySource="%s/%s" % (s3_bucket, src),
                   MetadataDirective="REPLACE", Metadata={"shape": "square"}, ContentType="text/x-new")
    h = s3.head_object(Bucket=s3_bucket, Key="copy3")
    assert h["ContentType"] == "text/x-new" and h["Metadata"] == {"shape": "square"}
    assert s3.get_object(Bucket=s3_bucket, Key="copy3")["Body"].read() == DATA
    # copying an object onto itself without changing anything is refused
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=s3_bucket, Key=src, CopySource={"Bucket": s3_bucket, "Key": src})
    assert S3.err(ei)[:2] == (400, "InvalidRequest")
    # in-place metadata update (copy onto itself with REPLACE)
    s3.copy_object(Bucket=s3_bucket, Key=src, CopySource={"Bucket": s3_bucket, "Key": src},
                   MetadataDirective="REPLACE", Metadata={"color": "green"})
    assert s3.head_object(Bucket=s3_bucket, Key=src)["Metadata"] == {"color": "green"}
    assert s3.get_object(Bucket=s3_bucket, Key=src)["Body"].read() == DATA
    # across buckets
    other = s3_bucket_factory(s3)
    s3.copy_object(Bucket=other, Key="x", CopySource={"Bucket": s3_bucket, "Key": src})
    assert s3.get_object(Bucket=other, Key="x")["Body"].read() == DATA
    # conditional copy
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=s3_bucket, Key="copy4", CopySource={"Bucket": s3_bucket, "Key": src},
                       CopySourceIfMatch='"0123456789abcdef0123456789abcdef"')
    assert S3.err(ei)[:2] == (412, "PreconditionFailed")
    s3.copy_object(Bucket=s3_bucket, Key="copy4", CopySource={"Bucket": s3_bucket, "Key": src},
                   CopySourceIfMatch=put["ETag"])
    # missing source
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=s3_bucket, Key="copy5", CopySource={"Bucket": s3_bucket, "Key": "nope"})
    assert S3.err(ei)[:2] == (404, "NoSuchKey")


# ------------------------------------------------------------------- delete

def test_delete_objects(s3, s3_bucket):
    keys = ["d/%d" % i for i in range(5)] + ["sp ace", "uni-ü"]
    _put_keys(s3, s3_bucket, keys)
    rt = s3.delete_objects(Bucket=s3_bucket, Delete={
        "Objects": [{"Key": k} for k in keys[:3] + ["missing"]]})
    assert sorted(d["Key"] for d in rt["Deleted"]) == sorted(keys[:3] + ["missing"])
    assert not rt.get("Errors")
    rt = s3.delete_objects(Bucket=s3_bucket, Delete={
        "Objects": [{"Key": k} for k in keys[3:]], "Quiet": True})
    assert not rt.get("Deleted") and not rt.get("Errors")
    assert s3.list_objects_v2(Bucket=s3_bucket)["KeyCount"] == 0
    with pytest.raises(ClientError) as ei:
        s3.delete_objects(Bucket=s3_bucket, Delete={"Objects": []})
    assert S3.err(ei)[:2] == (400, "MalformedXML")


# -------------------------------------------------------- conditional writes

def test_put_if_none_match_and_if_match(s3, s3_bucket):
    rt = s3.put_object(Bucket=s3_bucket, Key="c", Body=b"one", IfNoneMatch="*")
    etag1 = rt["ETag"]
    with pytest.raises(ClientError) as ei:
        s3.put_object(Bucket=s3_bucket, Key="c", Body=b"two", IfNoneMatch="*")
    status, code, resp = S3.err(ei)
    assert (status, code) == (412, "PreconditionFailed")
    assert resp["ResponseMetadata"]["RequestId"]
    assert s3.get_object(Bucket=s3_bucket, Key="c")["Body"].read() == b"one"

    with pytest.raises(ClientError) as ei:
        s3.put_object(Bucket=s3_bucket, Key="c", Body=b"two", IfMatch='"0123456789abcdef0123456789abcdef"')
    assert S3.err(ei)[:2] == (412, "PreconditionFailed")
    rt = s3.put_object(Bucket=s3_bucket, Key="c", Body=b"two", IfMatch=etag1)
    assert s3.get_object(Bucket=s3_bucket, Key="c")["Body"].read() == b"two"
    assert rt["ETag"] != etag1
    # If-Match on a missing key
    with pytest.raises(ClientError) as ei:
        s3.put_object(Bucket=s3_bucket, Key="absent", Body=b"x", IfMatch=etag1)
    assert S3.err(ei)[:2] == (404, "NoSuchKey")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=s3_bucket, Key="absent")


def test_put_if_none_match_with_an_etag_refuses_only_that_object(s3, s3_bucket):
    etag = s3.put_object(Bucket=s3_bucket, Key="n", Body=b"one")["ETag"]
    with pytest.raises(ClientError) as ei:
        s3.put_object(Bucket=s3_bucket, Key="n", Body=b"two", IfNoneMatch=etag)
    assert S3.err(ei)[:2] == (412, "PreconditionFailed")
    assert s3.get_object(Bucket=s3_bucket, Key="n")["Body"].read() == b"one"
    s3.put_object(Bucket=s3_bucket, Key="n", Body=b"two", IfNoneMatch='"0123456789abcdef0123456789abcdef"')
    assert s3.get_object(Bucket=s3_bucket, Key="n")["Body"].read() == b"two"
    s3.put_object(Bucket=s3_bucket, Key="fresh", Body=b"x", IfNoneMatch=etag)


def test_complete_multipart_if_none_match(s3, s3_bucket):
    existing = s3.put_object(Bucket=s3_bucket, Key="mp", Body=b"existing")["ETag"]
    up = s3.create_multipart_upload(Bucket=s3_bucket, Key="mp")["UploadId"]
    part = s3.upload_part(Bucket=s3_bucket, Key="mp", UploadId=up, PartNumber=1, Body=b"new data")
    parts = {"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]}
    with pytest.raises(ClientError) as ei:
        s3.complete_multipart_upload(Bucket=s3_bucket, Key="mp", UploadId=up, MultipartUpload=parts,
                                     IfNoneMatch="*")
    assert S3.err(ei)[:2] == (412, "PreconditionFailed")
    assert s3.get_object(Bucket=s3_bucket, Key="mp")["Body"].read() == b"existing"
    with pytest.raises(ClientError) as ei:
        s3.complete_multipart_upload(Bucket=s3_bucket, Key="mp", UploadId=up, MultipartUpload=parts,
                                     IfMatch='"0123456789abcdef0123456789abcdef"')
    assert S3.err(ei)[:2] == (412, "PreconditionFailed")
    # the upload survives failed preconditions and can still be completed
    rt = s3.complete_multipart_upload(Bucket=s3_bucket, Key="mp", UploadId=up, MultipartUpload=parts,
                                      IfMatch=existing)
    assert rt["ETag"].endswith('-1"')
    assert s3.get_object(Bucket=s3_bucket, Key="mp")["Body"].read() == b"new data"
    # IfNoneMatch=* on a new key succeeds
    up = s3.create_multipart_upload(Bucket=s3_bucket, Key="mp-new")["UploadId"]
    part = s3.upload_part(Bucket=s3_bucket, Key="mp-new", UploadId=up, PartNumber=1, Body=b"fresh")
    s3.complete_multipart_upload(Bucket=s3_bucket, Key="mp-new", UploadId=up, IfNoneMatch="*",
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.get_object(Bucket=s3_bucket, Key="mp-new")["Body"].read() == b"fresh"


def test_forbid_overwrite_header(cosd, s3, s3_bucket):
    client = S3.named_client(cosd, s3.cosd_config_name)
    S3.add_headers(client, "PutObject", {"x-cos-forbid-overwrite": "true"})
    S3.add_headers(client, "CopyObject", {"x-cos-forbid-overwrite": "true"})
    client.put_object(Bucket=s3_bucket, Key="f", Body=b"first")
    with pytest.raises(ClientError) as ei:
        client.put_object(Bucket=s3_bucket, Key="f", Body=b"second")
    status, code, resp = S3.err(ei)
    assert (status, code) == (409, "FileAlreadyExists")
    assert resp["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as ei:
        client.copy_object(Bucket=s3_bucket, Key="f", CopySource={"Bucket": s3_bucket, "Key": "f"},
                           MetadataDirective="REPLACE")
    assert S3.err(ei)[:2] == (409, "FileAlreadyExists")
    client.copy_object(Bucket=s3_bucket, Key="g", CopySource={"Bucket": s3_bucket, "Key": "f"})
    assert s3.get_object(Bucket=s3_bucket, Key="f")["Body"].read() == b"first"
    assert s3.get_object(Bucket=s3_bucket, Key="g")["Body"].read() == b"first"
    # "false" allows overwrite
    plain = S3.named_client(cosd, s3.cosd_config_name)
    S3.add_headers(plain, "PutObject", {"x-cos-forbid-overwrite": "false"})
    plain.put_object(Bucket=s3_bucket, Key="f", Body=b"third")
    assert s3.get_object(Bucket=s3_bucket, Key="f")["Body"].read() == b"third"


# -------------------------------------------------------------------- errors

def test_error_xml_shape(cosd, s3, s3_bucket):
    log = S3.WireLog(s3)
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=s3_bucket, Key="no/such key")
    status, code, resp = S3.err(ei)
    assert (status, code) == (404, "NoSuchKey")
    md = resp["ResponseMetadata"]
    assert md["RequestId"] and md["HostId"]
    assert md["HTTPHeaders"]["x-amz-request-id"] == md["RequestId"]
    raw = log.responses[-1]["body"]
    err = S3.parse_error_xml(raw)
    assert err["Code"] == "NoSuchKey"
    assert err["Message"]
    assert err["RequestId"] == md["RequestId"]
    assert err["HostId"]
    assert "no/such key" in err["Resource"] or "no/such%20key" in err["Resource"]
    assert err.get("Key", "no/such key") == "no/such key"


def test_wrong_secret_key(cosd, s3, s3_bucket):
    bad = S3.named_client(cosd, s3.cosd_config_name, secret_key="wrong" + cosd.secret_key[5:])
    for call in (lambda: bad.list_objects_v2(Bucket=s3_bucket),
                 lambda: bad.put_object(Bucket=s3_bucket, Key="k", Body=b"x"),
                 lambda: bad.list_buckets()):
        with pytest.raises(ClientError) as ei:
            call()
        status, code, resp = S3.err(ei)
        assert (status, code) == (403, "SignatureDoesNotMatch")
        assert resp["ResponseMetadata"]["RequestId"]
    assert s3.list_objects_v2(Bucket=s3_bucket)["KeyCount"] == 0


def test_unknown_access_key_and_session_token(cosd, s3, s3_bucket):
    unknown = S3.named_client(cosd, s3.cosd_config_name, access_key="AKIDunknownUNKNOWNunknown0000000000")
    with pytest.raises(ClientError) as ei:
        unknown.list_objects_v2(Bucket=s3_bucket)
    assert S3.err(ei)[:2] == (403, "InvalidAccessKeyId")
    # temporary credentials are not supported, even with the root key pair
    temp = S3.named_client(cosd, s3.cosd_config_name, session_token="FQoGZXIvYXdzEXAMPLETOKEN")
    for call in (lambda: temp.list_objects_v2(Bucket=s3_bucket),
                 lambda: temp.put_object(Bucket=s3_bucket, Key="t", Body=b"x")):
        with pytest.raises(ClientError) as ei:
            call()
        assert S3.err(ei)[:2] == (403, "InvalidAccessKeyId")
    url = temp.generate_presigned_url("get_object", Params={"Bucket": s3_bucket, "Key": "t"})
    assert "X-Amz-Security-Token" in url
    r = requests.get(url, timeout=10)
    assert r.status_code == 403
    assert S3.parse_error_xml(r.content)["Code"] == "InvalidAccessKeyId"


def test_payload_hash_mismatch(cosd, s3, s3_bucket):
    """Body changed after signing: x-amz-content-sha256 no longer matches."""
    client = S3.named_client(cosd, s3.cosd_config_name)

    def swap(request, **kwargs):
        body = request.body
        data = body.read() if hasattr(body, "read") else bytes(body)
        request.body = b"Y" * len(data)

    client.meta.events.register("before-send.s3.PutObject", swap)
    with pytest.raises(ClientError) as ei:
        client.put_object(Bucket=s3_bucket, Key="swapped", Body=b"X" * 100)
    status, code, _ = S3.err(ei)
    assert status == 400
    if s3.cosd_config_name == "s3v4-signed":
        assert code == "XAmzContentSHA256Mismatch"
    else:   # also carries a (now wrong) x-amz-checksum-crc32; either check may fire first
        assert code in ("XAmzContentSHA256Mismatch", "BadDigest")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=s3_bucket, Key="swapped")


# ------------------------------------------------------------- interop

def test_one_namespace_with_cos_sdk(cosd, client, s3, s3_bucket):
    """Objects and metadata written through either dialect are visible to the other."""
    s3.put_object(Bucket=s3_bucket, Key="from-s3", Body=b"via boto3", Metadata={"color": "blue"},
                  ContentType="text/x-s3")
    head = client.head_object(Bucket=s3_bucket, Key="from-s3")
    assert head["x-cos-meta-color"] == "blue"
    assert head["Content-Type"] == "text/x-s3"
    assert H.hget(head, "x-amz-meta-color") is None        # COS-signed: x-cos-meta-*
    assert H.read_body(client.get_object(Bucket=s3_bucket, Key="from-s3")) == b"via boto3"
    assert head["x-cos-hash-crc64ecma"] == H.crc64(b"via boto3")

    client.put_object(Bucket=s3_bucket, Key="from-cos", Body=b"via cos sdk",
                      Metadata={"x-cos-meta-shape": "round"}, ContentType="text/x-cos")
    h = s3.head_object(Bucket=s3_bucket, Key="from-cos")
    assert h["Metadata"] == {"shape": "round"}
    assert h["ContentType"] == "text/x-cos"
    assert h["ETag"] == H.etag_of(b"via cos sdk")
    assert s3.get_object(Bucket=s3_bucket, Key="from-cos")["Body"].read() == b"via cos sdk"

    # both list the same objects
    assert [c["Key"] for c in s3.list_objects_v2(Bucket=s3_bucket)["Contents"]] == ["from-cos", "from-s3"]
    assert [c["Key"] for c in client.list_objects(Bucket=s3_bucket)["Contents"]] == ["from-cos", "from-s3"]
    # bucket created through S3 is in the COS service listing
    assert s3_bucket in [b["Name"] for b in client.list_buckets()["Buckets"]["Bucket"]]

    # copy in one dialect, delete in the other
    client.copy_object(Bucket=s3_bucket, Key="cos-copy", CopySource={
        "Bucket": s3_bucket, "Key": "from-s3", "Region": cosd.region})
    assert s3.head_object(Bucket=s3_bucket, Key="cos-copy")["Metadata"] == {"color": "blue"}
    s3.delete_object(Bucket=s3_bucket, Key="from-cos")
    assert not client.object_exists(Bucket=s3_bucket, Key="from-cos")
    client.delete_object(Bucket=s3_bucket, Key="from-s3")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=s3_bucket, Key="from-s3")

    # a bucket created with the COS SDK is usable from boto3
    cos_bucket = H.unique_bucket("cos")
    client.create_bucket(Bucket=cos_bucket)
    try:
        s3.put_object(Bucket=cos_bucket, Key="k", Body=b"v")
        assert H.read_body(client.get_object(Bucket=cos_bucket, Key="k")) == b"v"
        assert s3.get_bucket_location(Bucket=cos_bucket)["LocationConstraint"] == cosd.region
    finally:
        S3.destroy_bucket(s3, cos_bucket)
