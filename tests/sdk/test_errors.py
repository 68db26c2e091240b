"""Error responses as the SDK sees them (CosServiceError) and request limits."""

import os
import socket
import time
from urllib.parse import urlsplit

import pytest
import requests
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H


def test_no_such_key(recorder, bucket):
    with pytest.raises(CosServiceError) as ei:
        recorder.client.get_object(Bucket=bucket, Key="missing/key.txt")
    e = ei.value
    assert e.get_status_code() == 404
    assert e.get_error_code() == "NoSuchKey"
    assert e.get_error_msg() and e.get_error_msg() != "Unknown"
    assert e.get_resource_location() and e.get_resource_location() != "Unknown"
    rid = e.get_request_id()
    assert rid and rid != "Unknown"
    resp = recorder.last
    assert resp.status_code == 404
    assert resp.headers.get("x-cos-request-id") == rid
    assert "xml" in resp.headers.get("Content-Type", "")
    assert resp.headers.get("Date")
    err = H.parse_error_xml(resp.content)
    assert err["Code"] == "NoSuchKey"
    assert err["RequestId"] == rid


def test_request_ids_are_unique(recorder, bucket):
    ids = set()
    for _ in range(5):
        with pytest.raises(CosServiceError) as ei:
            recorder.client.get_object(Bucket=bucket, Key="missing")
        ids.add(ei.value.get_request_id())
    assert len(ids) == 5


def test_success_responses_carry_request_id(recorder, bucket):
    rt = recorder.client.put_object(Bucket=bucket, Key="k", Body=b"v")
    assert rt.get("x-cos-request-id")
    head = recorder.client.head_object(Bucket=bucket, Key="k")
    assert head.get("x-cos-request-id")
    assert recorder.last.headers.get("Date")


def test_no_such_bucket_get_object(client):
    with pytest.raises(CosServiceError) as ei:
        client.get_object(Bucket=H.unique_bucket("gone"), Key="a.txt")
    assert ei.value.get_status_code() == 404
    assert ei.value.get_error_code() == "NoSuchBucket"
    assert ei.value.get_request_id() not in ("", "Unknown")


def test_no_such_bucket_put_and_list(client):
    name = H.unique_bucket("gone")
    with pytest.raises(CosServiceError) as ei:
        client.put_object(Bucket=name, Key="a.txt", Body=b"x")
    assert ei.value.get_status_code() == 404
    assert ei.value.get_error_code() == "NoSuchBucket"
    with pytest.raises(CosServiceError) as ei:
        client.list_objects(Bucket=name)
    assert ei.value.get_status_code() == 404
    assert ei.value.get_error_code() == "NoSuchBucket"


def test_wrong_secret_key(cosd, bucket):
    bad = cosd.client(secret_key="wrongSecretKey000000000000000000")
    with pytest.raises(CosServiceError) as ei:
        bad.put_object(Bucket=bucket, Key="x.txt", Body=b"x")
    assert ei.value.get_status_code() == 403
    assert ei.value.get_error_code() == "SignatureDoesNotMatch"
    with pytest.raises(CosServiceError) as ei:
        bad.list_objects(Bucket=bucket)
    assert ei.value.get_status_code() == 403
    assert ei.value.get_error_code() == "SignatureDoesNotMatch"
    with pytest.raises(CosServiceError) as ei:
        bad.list_buckets()
    assert ei.value.get_status_code() == 403
    assert ei.value.get_error_code() == "SignatureDoesNotMatch"
    # nothing was written
    assert cosd.client().list_objects(Bucket=bucket).get("Contents", []) == []


def test_unknown_secret_id(cosd, bucket):
    bad = cosd.client(secret_id="AKIDunknownUNKNOWNunknown0000000000")
    with pytest.raises(CosServiceError) as ei:
        bad.get_object(Bucket=bucket, Key="x.txt")
    assert ei.value.get_status_code() == 403
    assert ei.value.get_error_code() == "InvalidAccessKeyId"
    with pytest.raises(CosServiceError) as ei:
        bad.create_bucket(Bucket=H.unique_bucket())
    assert ei.value.get_status_code() == 403
    assert ei.value.get_error_code() == "InvalidAccessKeyId"


def test_expired_header_signature(cosd, bucket, monkeypatch):
    """An Authorization header whose q-sign-time window has ended (spec 01 §5)."""
    import time as _time
    import qcloud_cos.cos_auth as cos_auth

    class Past(object):
        @staticmethod
        def time():
            return _time.time() - 20000   # SDK window is [t-60, t+10000]

    monkeypatch.setattr(cos_auth, "time", Past)
    with pytest.raises(CosServiceError) as ei:
        cosd.client().get_object(Bucket=bucket, Key="x.txt")
    assert ei.value.get_status_code() == 403
    assert ei.value.get_error_code() == "AccessDenied"
    assert ei.value.get_error_msg() == "Request has expired"


def test_signature_from_the_future_is_skewed(cosd, bucket, monkeypatch):
    """q-sign-time starting well beyond the allowed clock skew (spec 01 §5)."""
    import time as _time
    import qcloud_cos.cos_auth as cos_auth

    class Future(object):
        @staticmethod
        def time():
            return _time.time() + 3600

    monkeypatch.setattr(cos_auth, "time", Future)
    with pytest.raises(CosServiceError) as ei:
        cosd.client().get_object(Bucket=bucket, Key="x.txt")
    assert ei.value.get_status_code() == 403
    assert ei.value.get_error_code() == "RequestTimeTooSkewed"


def test_small_clock_skew_tolerated(cosd, client, bucket, monkeypatch):
    import time as _time
    import qcloud_cos.cos_auth as cos_auth
    client.put_object(Bucket=bucket, Key="x.txt", Body=b"x")

    class Ahead(object):
        @staticmethod
        def time():
            return _time.time() + 120      # client clock 2 minutes fast

    monkeypatch.setattr(cos_auth, "time", Ahead)
    assert H.read_body(cosd.client().get_object(Bucket=bucket, Key="x.txt")) == b"x"


def test_sign_host_false_and_sign_params_false(cosd, client, bucket):
    """CosConfig(SignHost=False) omits host from q-header-list; SignParams=False
    leaves q-url-param-list empty. Both are valid signatures."""
    client.put_object(Bucket=bucket, Key="dir/a.txt", Body=b"a")
    assert H.read_body(cosd.client(SignHost=False).get_object(Bucket=bucket, Key="dir/a.txt")) == b"a"
    rt = cosd.client(SignParams=False).list_objects(Bucket=bucket, Prefix="dir/")
    assert [c["Key"] for c in rt["Contents"]] == ["dir/a.txt"]


def test_key_of_850_bytes_ok(client, bucket):
    key = "k" * 850
    client.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == b"x"


@pytest.mark.parametrize("key", ["k" * 851, "d/" * 600, "文" * 300])   # 851, 1200, 900 bytes
def test_key_too_long(client, bucket, key):
    assert len(key.encode("utf-8")) > 850
    with pytest.raises(CosServiceError) as ei:
        client.put_object(Bucket=bucket, Key=key, Body=b"x")
    assert ei.value.get_status_code() == 400
    assert ei.value.get_error_code() in ("KeyTooLong", "InvalidArgument")
    assert client.list_objects(Bucket=bucket).get("Contents", []) == []


def test_metadata_within_limit_ok(client, bucket):
    meta = {"x-cos-meta-a": "a" * 900, "x-cos-meta-b": "b" * 900}
    client.put_object(Bucket=bucket, Key="m.txt", Body=b"x", Metadata=meta)
    head = client.head_object(Bucket=bucket, Key="m.txt")
    assert head["x-cos-meta-a"] == "a" * 900
    assert head["x-cos-meta-b"] == "b" * 900


@pytest.mark.parametrize("meta", [
    {"x-cos-meta-big": "v" * 2100},
    {"x-cos-meta-a%d" % i: "v" * 200 for i in range(12)},
])
def test_metadata_too_large(client, bucket, meta):
    with pytest.raises(CosServiceError) as ei:
        client.put_object(Bucket=bucket, Key="m.txt", Body=b"x", Metadata=meta)
    assert ei.value.get_status_code() == 400
    assert ei.value.get_error_code() in ("MetadataTooLarge", "InvalidArgument")
    with pytest.raises(CosServiceError) as ei:
        client.head_object(Bucket=bucket, Key="m.txt")
    assert ei.value.get_status_code() == 404


def test_large_body_rejected_cleanly(cosd, bucket):
    """Errors decided from the headers alone must reach the client as proper
    COS errors even when the (large) body is not read, and the server must stay usable."""
    body = os.urandom(8 * 1024 * 1024)
    c = cosd.client(retry=0, session=requests.Session())
    cases = [
        (lambda: c.put_object(Bucket=H.unique_bucket("gone"), Key="x", Body=body), 404, "NoSuchBucket"),
        (lambda: cosd.client(secret_key="wrongSecretKey000000000000000000", retry=0)
            .put_object(Bucket=bucket, Key="x", Body=body), 403, "SignatureDoesNotMatch"),
        (lambda: cosd.client(Anonymous=True, retry=0).put_object(Bucket=bucket, Key="x", Body=body),
            403, "AccessDenied"),
        (lambda: c.put_object(Bucket=bucket, Key="k" * 900, Body=body), 400, "KeyTooLong"),
    ]
    for call, status, code in cases:
        with pytest.raises(CosServiceError) as ei:
            call()
        assert ei.value.get_status_code() == status
        assert ei.value.get_error_code() == code or (code == "KeyTooLong" and
                                                     ei.value.get_error_code() == "InvalidArgument")
        # the same connection pool keeps working
        assert c.put_object(Bucket=bucket, Key="ok", Body=b"ok")["ETag"] == H.etag_of(b"ok")
    assert [x["Key"] for x in c.list_objects(Bucket=bucket)["Contents"]] == ["ok"]


def _send_truncated_put(cosd, bucket, key, declared, sent):
    url = cosd.presign_client().get_presigned_url(Method="PUT", Bucket=bucket, Key=key, Expired=300)
    parts = urlsplit(url)
    sock = socket.create_connection((cosd.host, cosd.port))
    try:
        sock.sendall(("PUT %s?%s HTTP/1.1\r\nHost: %s\r\nContent-Length: %d\r\n\r\n"
                      % (parts.path, parts.query, parts.netloc, declared)).encode() + os.urandom(sent))
        time.sleep(0.3)
    finally:
        sock.close()
    time.sleep(0.3)


def test_interrupted_upload_is_not_stored(cosd, client, bucket):
    """Client disconnects after sending half of the declared Content-Length."""
    _send_truncated_put(cosd, bucket, "partial.bin", 2 * 1024 * 1024, 1024 * 1024)
    with pytest.raises(CosServiceError) as ei:
        client.head_object(Bucket=bucket, Key="partial.bin")
    assert ei.value.get_status_code() == 404
    assert client.list_objects(Bucket=bucket).get("Contents", []) == []


def test_interrupted_overwrite_keeps_old_object(cosd, client, bucket):
    old = os.urandom(300000)
    client.put_object(Bucket=bucket, Key="keep.bin", Body=old)
    _send_truncated_put(cosd, bucket, "keep.bin", 3 * 1024 * 1024, 1024 * 1024 + 5)
    assert H.read_body(client.get_object(Bucket=bucket, Key="keep.bin")) == old
    assert client.head_object(Bucket=bucket, Key="keep.bin")["ETag"] == H.etag_of(old)
