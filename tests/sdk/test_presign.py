"""Presigned URLs (q-sign in the query) and anonymous access."""

import time
from urllib.parse import urlsplit

import pytest
import requests
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H

BODY = b"presigned content \x00\x01\x02"


@pytest.fixture
def obj(client, bucket):
    client.put_object(Bucket=bucket, Key="dir/a b+c.txt", Body=BODY, ContentType="text/plain")
    client.put_object(Bucket=bucket, Key="other.txt", Body=b"some other object")
    return bucket


def send(cosd, url, method="GET", host=None, **kw):
    """Send a URL built for the real COS host to the local server, keeping the
    path and query byte-for-byte and the original authority as Host."""
    parts = urlsplit(url)
    target = cosd.base_url + parts.path + ("?" + parts.query if parts.query else "")
    headers = dict(kw.pop("headers", {}))
    headers["Host"] = host or parts.netloc
    return requests.request(method, target, headers=headers, timeout=30, **kw)


def assert_error(resp, status, code, message=None):
    assert resp.status_code == status, (resp.status_code, resp.text)
    err = H.parse_error_xml(resp.content)
    assert err.get("Code") == code, err
    if message is not None:
        assert err.get("Message") == message, err
    assert err.get("RequestId"), err
    assert resp.headers.get("x-cos-request-id"), dict(resp.headers)
    return err


def test_presigned_get(cosd, obj):
    url = cosd.presign_client().get_presigned_url(Method="GET", Bucket=obj, Key="dir/a b+c.txt", Expired=300)
    parts = urlsplit(url)
    assert parts.netloc == "%s.cos.ap-guangzhou.myqcloud.com" % obj
    assert "q-signature=" in parts.query
    r = send(cosd, url)
    assert r.status_code == 200, r.text
    assert r.content == BODY
    assert r.headers.get("ETag") == H.etag_of(BODY)


def test_presigned_get_with_signed_params(cosd, obj):
    url = cosd.presign_client().get_presigned_url(
        Method="GET", Bucket=obj, Key="dir/a b+c.txt", Expired=300,
        Params={"response-content-type": "application/x-forced",
                "response-content-disposition": 'attachment; filename="x.txt"'})
    r = send(cosd, url)
    assert r.status_code == 200, r.text
    assert r.content == BODY
    assert r.headers["Content-Type"] == "application/x-forced"
    assert r.headers["Content-Disposition"] == 'attachment; filename="x.txt"'


def test_presigned_get_download_url(cosd, obj):
    url = cosd.presign_client().get_presigned_download_url(Bucket=obj, Key="other.txt")
    r = send(cosd, url)
    assert r.status_code == 200, r.text
    assert r.content == b"some other object"


def test_presigned_put(cosd, client, bucket):
    url = cosd.presign_client().get_presigned_url(
        Method="PUT", Bucket=bucket, Key="uploaded/by-url.txt", Expired=300,
        Headers={"Content-Type": "text/csv"})
    r = send(cosd, url, method="PUT", data=b"a,b,c\n", headers={"Content-Type": "text/csv"})
    assert r.status_code == 200, r.text
    assert r.headers.get("ETag") == H.etag_of(b"a,b,c\n")
    got = client.get_object(Bucket=bucket, Key="uploaded/by-url.txt")
    assert H.read_body(got) == b"a,b,c\n"
    assert got["Content-Type"] == "text/csv"


def test_presigned_put_wrong_signed_header(cosd, bucket):
    url = cosd.presign_client().get_presigned_url(
        Method="PUT", Bucket=bucket, Key="x.txt", Expired=300, Headers={"Content-Type": "text/csv"})
    r = send(cosd, url, method="PUT", data=b"x", headers={"Content-Type": "text/html"})
    assert_error(r, 403, "SignatureDoesNotMatch")


def test_presigned_url_path_style_must_sign_the_bucket(cosd, obj):
    """Domain='127.0.0.1:port/<bucket>' signs /<key> only: refused, since the same URL would
    open that key in every other bucket. Domain='127.0.0.1:port' with Key='<bucket>/<key>'
    signs the whole path: accepted."""
    url = cosd.path_style_client(obj).get_presigned_url(Method="GET", Bucket=obj, Key="dir/a b+c.txt",
                                                        Expired=300)
    assert url.startswith("%s/%s/dir/a%%20b%%2Bc.txt?" % (cosd.base_url, obj))
    assert_error(requests.get(url, timeout=30), 403, "SignatureDoesNotMatch")
    url = cosd.root_path_client().get_presigned_url(Method="GET", Bucket=obj, Key=obj + "/dir/a b+c.txt",
                                                    Expired=300)
    assert url.startswith("%s/%s/dir/a%%20b%%2Bc.txt?" % (cosd.base_url, obj))
    r = requests.get(url, timeout=30)
    assert r.status_code == 200, r.text
    assert r.content == BODY


def test_presigned_url_for_one_bucket_is_refused_on_another(cosd, obj, bucket_factory):
    """A presigned URL made for one bucket, sent with another bucket's Host: refused."""
    other = bucket_factory()
    cosd.client().put_object(Bucket=other, Key="dir/a b+c.txt", Body=b"the other bucket")
    url = cosd.presign_client().get_presigned_url(Method="GET", Bucket=obj, Key="dir/a b+c.txt", Expired=300)
    assert send(cosd, url).status_code == 200
    assert_error(send(cosd, url, host=cosd.vhost(other)), 403, "SignatureDoesNotMatch")


def test_presigned_expired(cosd, obj, monkeypatch):
    import qcloud_cos.cos_auth as cos_auth

    class Past(object):
        @staticmethod
        def time():
            return time.time() - 1000

    monkeypatch.setattr(cos_auth, "time", Past)
    url = cosd.presign_client().get_presigned_url(Method="GET", Bucket=obj, Key="dir/a b+c.txt", Expired=300)
    monkeypatch.undo()
    r = send(cosd, url)
    assert_error(r, 403, "AccessDenied", "Request has expired")


def test_presigned_expired_by_waiting(cosd, obj):
    url = cosd.presign_client().get_presigned_url(Method="GET", Bucket=obj, Key="other.txt", Expired=1)
    assert send(cosd, url).status_code == 200
    time.sleep(2.5)
    r = send(cosd, url)
    assert_error(r, 403, "AccessDenied", "Request has expired")


def tamper_signature(url):
    head, sig = url.split("q-signature=", 1)
    sig_hex, rest = sig[:40], sig[40:]
    flipped = ("0" if sig_hex[7] != "0" else "1")
    return head + "q-signature=" + sig_hex[:7] + flipped + sig_hex[8:] + rest


def test_presigned_tampered_signature(cosd, obj):
    url = cosd.presign_client().get_presigned_url(Method="GET", Bucket=obj, Key="dir/a b+c.txt", Expired=300)
    r = send(cosd, tamper_signature(url))
    assert_error(r, 403, "SignatureDoesNotMatch")


@pytest.mark.parametrize("field", ["q-sign-time", "q-key-time", "both"])
def test_presigned_extended_expiry_rejected(cosd, obj, field):
    """Pushing the end of the signing window forward invalidates the signature."""
    import re
    url = cosd.presign_client().get_presigned_url(Method="GET", Bucket=obj, Key="other.txt", Expired=60)
    m = re.search(r"q-sign-time=(\d+)%3B(\d+)", url)
    start, end = m.groups()
    later = "%s%%3B%d" % (start, int(end) + 86400)
    forged = url
    for name in (("q-sign-time", "q-key-time") if field == "both" else (field,)):
        forged = forged.replace("%s=%s%%3B%s" % (name, start, end), "%s=%s" % (name, later))
    assert forged != url
    r = send(cosd, forged)
    assert_error(r, 403, "SignatureDoesNotMatch")


def test_presigned_tampered_key(cosd, obj):
    url = cosd.presign_client().get_presigned_url(Method="GET", Bucket=obj, Key="dir/a b+c.txt", Expired=300)
    parts = urlsplit(url)
    forged = url.replace(parts.path, "/other.txt", 1)
    assert forged != url
    r = send(cosd, forged)
    assert_error(r, 403, "SignatureDoesNotMatch")


def test_presigned_tampered_method(cosd, obj):
    url = cosd.presign_client().get_presigned_url(Method="GET", Bucket=obj, Key="other.txt", Expired=300)
    r = send(cosd, url, method="DELETE")
    assert r.status_code == 403, r.text
    assert H.read_body(cosd.client().get_object(Bucket=obj, Key="other.txt")) == b"some other object"


def test_presigned_other_bucket_host(cosd, obj, bucket_factory, client):
    """A URL signed for one bucket must not work when sent to another bucket."""
    other = bucket_factory()
    client.put_object(Bucket=other, Key="other.txt", Body=b"secret")
    url = cosd.presign_client().get_presigned_url(Method="GET", Bucket=obj, Key="other.txt", Expired=300)
    r = send(cosd, url, host=cosd.vhost(other))
    assert_error(r, 403, "SignatureDoesNotMatch")


# -------------------------------------------------------------- anonymous

def test_anonymous_get_private_object_denied(cosd, obj):
    r = requests.get(cosd.base_url + "/other.txt", headers={"Host": cosd.vhost(obj)}, timeout=30)
    assert_error(r, 403, "AccessDenied")
    # path style too
    r = requests.get("%s/%s/other.txt" % (cosd.base_url, obj), timeout=30)
    assert_error(r, 403, "AccessDenied")


def test_anonymous_list_private_bucket_denied(cosd, obj):
    r = requests.get(cosd.base_url + "/", headers={"Host": cosd.vhost(obj)}, timeout=30)
    assert_error(r, 403, "AccessDenied")


def test_anonymous_list_buckets_denied(cosd):
    r = requests.get(cosd.base_url + "/", timeout=30)
    assert_error(r, 403, "AccessDenied")


def test_anonymous_sdk_client_private_denied(cosd, obj):
    """Anonymous=True sends an empty Authorization header (spec 01 §1)."""
    anon = cosd.client(Anonymous=True)
    with pytest.raises(CosServiceError) as ei:
        anon.get_object(Bucket=obj, Key="other.txt")
    assert ei.value.get_status_code() == 403
    assert ei.value.get_error_code() == "AccessDenied"


def test_public_read_bucket(cosd, client, bucket_factory):
    pub = bucket_factory(ACL="public-read")
    client.put_object(Bucket=pub, Key="pub/file.txt", Body=b"public bytes")
    r = requests.get(cosd.base_url + "/pub/file.txt", headers={"Host": cosd.vhost(pub)}, timeout=30)
    assert r.status_code == 200, r.text
    assert r.content == b"public bytes"
    anon = cosd.client(Anonymous=True)
    assert H.read_body(anon.get_object(Bucket=pub, Key="pub/file.txt")) == b"public bytes"
    # missing key in a public bucket: a real 404, not 403
    r = requests.get(cosd.base_url + "/pub/none.txt", headers={"Host": cosd.vhost(pub)}, timeout=30)
    assert_error(r, 404, "NoSuchKey")


def test_public_read_bucket_is_not_public_write(cosd, client, bucket_factory):
    pub = bucket_factory(ACL="public-read")
    client.put_object(Bucket=pub, Key="keep.txt", Body=b"keep")
    r = requests.put(cosd.base_url + "/evil.txt", data=b"x", headers={"Host": cosd.vhost(pub)}, timeout=30)
    assert_error(r, 403, "AccessDenied")
    r = requests.delete(cosd.base_url + "/keep.txt", headers={"Host": cosd.vhost(pub)}, timeout=30)
    assert_error(r, 403, "AccessDenied")
    assert H.read_body(client.get_object(Bucket=pub, Key="keep.txt")) == b"keep"
    with pytest.raises(CosServiceError) as ei:
        client.head_object(Bucket=pub, Key="evil.txt")
    assert ei.value.get_status_code() == 404
