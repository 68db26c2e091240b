"""Simple-object operations through cos-python-sdk-v5."""

import base64
import email.utils
import hashlib
import os
import random
import time

import pytest
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H

DATA = b"0123456789abcdefghijklmnopqrstuvwxyz"  # 36 bytes


def http_date(ts):
    return email.utils.formatdate(ts, usegmt=True)


def test_crc64_helper_vectors():
    # spec 08 §1 table: the SDK's crcmod function is CRC-64/XZ
    assert H.crc64(b"") == "0"
    assert H.crc64(b"hello world") == "5981764153023615706"
    assert H.crc64(b"123456789") == "11051210869376104954"


def test_put_object_response_headers(client, bucket):
    body = b"hello world"
    rt = client.put_object(Bucket=bucket, Key="hello.txt", Body=body)
    assert rt["ETag"] == '"5eb63bbbe01eeed093cb22bb8f5acdc3"'
    assert rt["ETag"] == H.etag_of(body)
    assert rt["x-cos-hash-crc64ecma"] == H.crc64(body) == "5981764153023615706"
    assert rt.get("x-cos-request-id")


def test_put_with_metadata_then_head_and_get(client, bucket):
    expires = "Thu, 01 Dec 2094 16:00:00 GMT"
    rt = client.put_object(
        Bucket=bucket, Key="meta/obj.txt", Body=DATA,
        ContentType="text/plain; charset=utf-8",
        Metadata={"x-cos-meta-foo": "bar"},
        CacheControl="max-age=3600",
        ContentDisposition='attachment; filename="obj.txt"',
        ContentEncoding="identity",
        Expires=expires)
    assert rt["ETag"] == H.etag_of(DATA)
    assert rt["x-cos-hash-crc64ecma"] == H.crc64(DATA)

    head = client.head_object(Bucket=bucket, Key="meta/obj.txt")
    # exact key spellings the SDK (and its users) index with
    assert head["Content-Length"] == str(len(DATA))
    assert head["ETag"] == H.etag_of(DATA)
    assert head["Content-Type"] == "text/plain; charset=utf-8"
    assert head["x-cos-meta-foo"] == "bar"
    assert head["x-cos-hash-crc64ecma"] == H.crc64(DATA)
    assert head["Last-Modified"]
    lm = email.utils.parsedate_to_datetime(head["Last-Modified"])
    assert abs(lm.timestamp() - time.time()) < 300
    assert head.get("x-cos-request-id")
    # other stored headers (any case)
    assert H.hget(head, "Cache-Control") == "max-age=3600"
    assert H.hget(head, "Content-Disposition") == 'attachment; filename="obj.txt"'
    assert H.hget(head, "Content-Encoding") == "identity"
    assert H.hget(head, "Expires") == expires

    got = client.get_object(Bucket=bucket, Key="meta/obj.txt")
    assert H.status_of(got) == 200
    assert H.read_body(got) == DATA
    assert got["ETag"] == H.etag_of(DATA)
    assert got["Content-Length"] == str(len(DATA))
    assert got["Content-Type"] == "text/plain; charset=utf-8"
    assert got["x-cos-meta-foo"] == "bar"
    assert got["x-cos-hash-crc64ecma"] == H.crc64(DATA)
    assert got["Last-Modified"] == head["Last-Modified"]
    assert H.hget(got, "Cache-Control") == "max-age=3600"
    assert H.hget(got, "Content-Disposition") == 'attachment; filename="obj.txt"'


def test_metadata_names_lowercased_values_kept(client, bucket):
    client.put_object(Bucket=bucket, Key="m.txt", Body=b"x",
                      Metadata={"x-cos-meta-MixedCase": "Value With Spaces, 1+1=2; a/b?c",
                                "x-cos-meta-empty-ish": "-"})
    head = client.head_object(Bucket=bucket, Key="m.txt")
    # spec 03 §2: x-cos-* response headers are emitted in lower case
    assert head["x-cos-meta-mixedcase"] == "Value With Spaces, 1+1=2; a/b?c"
    assert head["x-cos-meta-empty-ish"] == "-"


def test_utf8_header_values_round_trip(client, bucket):
    """Python sends non-ASCII header values as raw UTF-8 bytes and signs them
    (spec 01 §2 HttpHeaders); they must be accepted and returned unchanged."""
    client.put_object(Bucket=bucket, Key="cn.txt", Body=b"x",
                      Metadata={"x-cos-meta-cn": "中文值"},
                      ContentDisposition='attachment; filename="报告.pdf"')
    head = client.head_object(Bucket=bucket, Key="cn.txt")
    # http.client decodes header bytes as latin-1
    assert head["x-cos-meta-cn"].encode("latin-1").decode("utf-8") == "中文值"
    assert H.hget(head, "Content-Disposition").encode("latin-1").decode("utf-8") == 'attachment; filename="报告.pdf"'


def test_default_content_type(client, bucket):
    client.put_object(Bucket=bucket, Key="noct", Body=b"abc")
    head = client.head_object(Bucket=bucket, Key="noct")
    assert head.get("Content-Type"), head


@pytest.mark.parametrize("rng,sl,content_range", [
    ("bytes=2-5", slice(2, 6), "bytes 2-5/36"),
    ("bytes=-3", slice(33, 36), "bytes 33-35/36"),
    ("bytes=5-", slice(5, 36), "bytes 5-35/36"),
    ("bytes=30-100", slice(30, 36), "bytes 30-35/36"),   # end clamped to size-1
    ("bytes=0-0", slice(0, 1), "bytes 0-0/36"),
])
def test_range_get(client, bucket, rng, sl, content_range):
    client.put_object(Bucket=bucket, Key="r.bin", Body=DATA)
    got = client.get_object(Bucket=bucket, Key="r.bin", Range=rng)
    assert H.status_of(got) == 206
    assert H.read_body(got) == DATA[sl]
    assert got["Content-Length"] == str(len(DATA[sl]))
    assert H.hget(got, "Content-Range") == content_range
    assert got["ETag"] == H.etag_of(DATA)
    # COS reports the whole object's CRC on ranged GETs (spec 08 §1)
    assert got["x-cos-hash-crc64ecma"] == H.crc64(DATA)


@pytest.mark.parametrize("rng", ["bytes=36-", "bytes=100-200"])
def test_range_unsatisfiable(client, bucket, rng):
    client.put_object(Bucket=bucket, Key="r.bin", Body=DATA)
    with pytest.raises(CosServiceError) as ei:
        client.get_object(Bucket=bucket, Key="r.bin", Range=rng)
    assert ei.value.get_status_code() == 416
    assert ei.value.get_error_code() == "InvalidRange"


def test_response_header_overrides(client, bucket):
    client.put_object(Bucket=bucket, Key="o.txt", Body=DATA, ContentType="text/plain")
    got = client.get_object(
        Bucket=bucket, Key="o.txt",
        ResponseContentType="application/x-custom",
        ResponseContentDisposition='attachment; filename="custom.bin"',
        ResponseCacheControl="no-cache",
        ResponseContentLanguage="zh-CN",
        ResponseExpires="Wed, 21 Oct 2099 07:28:00 GMT")
    assert H.read_body(got) == DATA
    assert got["Content-Type"] == "application/x-custom"
    assert H.hget(got, "Content-Disposition") == 'attachment; filename="custom.bin"'
    assert H.hget(got, "Cache-Control") == "no-cache"
    assert H.hget(got, "Content-Language") == "zh-CN"
    assert H.hget(got, "Expires") == "Wed, 21 Oct 2099 07:28:00 GMT"
    # stored metadata unchanged
    assert client.head_object(Bucket=bucket, Key="o.txt")["Content-Type"] == "text/plain"


class TestConditionalGet(object):
    KEY = "cond.txt"

    @pytest.fixture
    def etag(self, client, bucket):
        return client.put_object(Bucket=bucket, Key=self.KEY, Body=DATA)["ETag"]

    def test_if_match_ok(self, client, bucket, etag):
        got = client.get_object(Bucket=bucket, Key=self.KEY, IfMatch=etag)
        assert H.status_of(got) == 200
        assert H.read_body(got) == DATA

    def test_if_match_wrong(self, client, bucket, etag):
        with pytest.raises(CosServiceError) as ei:
            client.get_object(Bucket=bucket, Key=self.KEY, IfMatch='"0123456789abcdef0123456789abcdef"')
        assert ei.value.get_status_code() == 412
        assert ei.value.get_error_code() == "PreconditionFailed"

    def _expect_304(self, recorder, bucket, **cond):
        # The SDK treats 3xx as success: a 304 comes back as a response with an empty body,
        # which its StreamBody accepts because the 304 says Content-Length: 0 (as COS does).
        got = recorder.client.get_object(Bucket=bucket, Key=self.KEY, **cond)
        assert H.status_of(got) == 304
        assert H.read_body(got) == b""
        assert recorder.last.status_code == 304
        assert recorder.last.content == b""
        assert recorder.last.headers.get("Content-Length") == "0"
        return got

    def test_get_object_if_none_match_returns_304_without_a_client_error(self, client, bucket, etag):
        # Used to raise CosClientError/IOError ("create StreamBody failed without
        # Content-Length header"): the 304 had no Content-Length. The SDK raises
        # CosServiceError only for statuses from 400 up, so a 304 is a plain response.
        got = client.get_object(Bucket=bucket, Key=self.KEY, IfNoneMatch=etag)
        assert H.status_of(got) == 304
        assert got["Content-Length"] == "0"
        assert got["ETag"] == etag
        assert H.read_body(got) == b""

    def test_if_none_match_same_etag(self, recorder, bucket, etag):
        self._expect_304(recorder, bucket, IfNoneMatch=etag)
        assert recorder.last.headers.get("ETag") == etag

    def test_if_none_match_other_etag(self, client, bucket, etag):
        got = client.get_object(Bucket=bucket, Key=self.KEY, IfNoneMatch='"0123456789abcdef0123456789abcdef"')
        assert H.status_of(got) == 200
        assert H.read_body(got) == DATA

    def test_if_modified_since_future(self, recorder, bucket, etag):
        self._expect_304(recorder, bucket, IfModifiedSince=http_date(time.time() + 86400))

    def test_if_modified_since_past(self, client, bucket, etag):
        got = client.get_object(Bucket=bucket, Key=self.KEY, IfModifiedSince=http_date(time.time() - 86400))
        assert H.status_of(got) == 200
        assert H.read_body(got) == DATA

    def test_if_unmodified_since_past(self, client, bucket, etag):
        with pytest.raises(CosServiceError) as ei:
            client.get_object(Bucket=bucket, Key=self.KEY, IfUnmodifiedSince=http_date(time.time() - 86400))
        assert ei.value.get_status_code() == 412
        assert ei.value.get_error_code() == "PreconditionFailed"

    def test_if_unmodified_since_future(self, client, bucket, etag):
        got = client.get_object(Bucket=bucket, Key=self.KEY, IfUnmodifiedSince=http_date(time.time() + 86400))
        assert H.read_body(got) == DATA

    def test_if_match_true_wins_over_if_unmodified_since(self, client, bucket, etag):
        # RFC 7232 §3.4 / S3: If-Unmodified-Since is ignored when If-Match is present and true
        got = client.get_object(Bucket=bucket, Key=self.KEY, IfMatch=etag,
                                IfUnmodifiedSince=http_date(time.time() - 86400))
        assert H.status_of(got) == 200
        assert H.read_body(got) == DATA

    def test_if_match_star(self, client, bucket, etag):
        got = client.get_object(Bucket=bucket, Key=self.KEY, IfMatch="*")
        assert H.read_body(got) == DATA

    def test_head_if_match_wrong(self, client, bucket, etag):
        with pytest.raises(CosServiceError) as ei:
            client.head_object(Bucket=bucket, Key=self.KEY, IfMatch='"0123456789abcdef0123456789abcdef"')
        assert ei.value.get_status_code() == 412


def test_delete_object_then_head_404(client, bucket):
    client.put_object(Bucket=bucket, Key="d.txt", Body=b"bye")
    client.delete_object(Bucket=bucket, Key="d.txt")
    with pytest.raises(CosServiceError) as ei:
        client.head_object(Bucket=bucket, Key="d.txt")
    assert ei.value.get_status_code() == 404
    with pytest.raises(CosServiceError) as ei:
        client.get_object(Bucket=bucket, Key="d.txt")
    assert ei.value.get_status_code() == 404
    assert ei.value.get_error_code() == "NoSuchKey"


def test_delete_missing_object_is_success(recorder, bucket):
    recorder.client.delete_object(Bucket=bucket, Key="never-existed.txt")
    assert recorder.last.status_code == 204


SPECIAL_KEYS = [
    "目录/文件 a+b.txt",
    "with space.txt",
    "plus+sign+.txt",
    "percent%20literal%25%.txt",
    "dir/./dot-slash.txt",
    "amp&eq=semi;comma,.txt",
    "q?hash#bang!.txt",
    "quote'dq\"lt<gt>.txt",
    "tilde~star*paren().txt",
    "emoji 😀/ü.bin",
    "trailing-slash-dir/",
    "a//double//slash",
    "back\\slash",
    " leading and trailing spaces ",
    "tab\there",
    "newline\nin key",
    "ctrl\x01char",
    "brackets[]{}|^`@$:.txt",
    "...dots",
]


@pytest.mark.parametrize("key", SPECIAL_KEYS)
def test_special_keys_round_trip(client, bucket, key):
    body = ("content of " + key).encode("utf-8")
    rt = client.put_object(Bucket=bucket, Key=key, Body=body)
    assert rt["ETag"] == H.etag_of(body)
    assert client.head_object(Bucket=bucket, Key=key)["Content-Length"] == str(len(body))
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == body
    listed = [c["Key"] for c in client.list_objects(Bucket=bucket).get("Contents", [])]
    assert listed == [key]
    client.delete_object(Bucket=bucket, Key=key)
    assert client.list_objects(Bucket=bucket).get("Contents", []) == []


def test_put_enable_md5(client, bucket):
    body = os.urandom(100000)
    rt = client.put_object(Bucket=bucket, Key="md5.bin", Body=body, EnableMD5=True)
    assert rt["ETag"] == H.etag_of(body)
    assert H.read_body(client.get_object(Bucket=bucket, Key="md5.bin")) == body


def test_put_wrong_content_md5_rejected(client, bucket):
    body = b"the real body"
    wrong = base64.b64encode(hashlib.md5(b"something else").digest()).decode()
    with pytest.raises(CosServiceError) as ei:
        client.put_object(Bucket=bucket, Key="bad.bin", Body=body, ContentMD5=wrong)
    assert ei.value.get_status_code() == 400
    assert ei.value.get_error_code() == "BadDigest"
    with pytest.raises(CosServiceError) as ei:
        client.head_object(Bucket=bucket, Key="bad.bin")
    assert ei.value.get_status_code() == 404


def test_wrong_content_md5_keeps_old_version(client, bucket):
    client.put_object(Bucket=bucket, Key="keep.bin", Body=b"old")
    wrong = base64.b64encode(hashlib.md5(b"nope").digest()).decode()
    with pytest.raises(CosServiceError):
        client.put_object(Bucket=bucket, Key="keep.bin", Body=b"new!", ContentMD5=wrong)
    assert H.read_body(client.get_object(Bucket=bucket, Key="keep.bin")) == b"old"


def test_overwrite_replaces_content_and_metadata(client, bucket):
    client.put_object(Bucket=bucket, Key="ow.txt", Body=b"first version, longer",
                      Metadata={"x-cos-meta-foo": "one"}, ContentType="text/plain")
    body2 = b"second"
    rt = client.put_object(Bucket=bucket, Key="ow.txt", Body=body2, ContentType="application/octet-stream")
    assert rt["ETag"] == H.etag_of(body2)
    head = client.head_object(Bucket=bucket, Key="ow.txt")
    assert head["Content-Length"] == "6"
    assert head["ETag"] == H.etag_of(body2)
    assert head["Content-Type"] == "application/octet-stream"
    assert "x-cos-meta-foo" not in head
    assert H.read_body(client.get_object(Bucket=bucket, Key="ow.txt")) == body2
    contents = client.list_objects(Bucket=bucket)["Contents"]
    assert [(c["Key"], c["Size"], c["ETag"]) for c in contents] == [("ow.txt", "6", H.etag_of(body2))]


def test_zero_byte_object(client, bucket):
    rt = client.put_object(Bucket=bucket, Key="empty", Body=b"")
    assert rt["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    assert rt["x-cos-hash-crc64ecma"] == "0"
    head = client.head_object(Bucket=bucket, Key="empty")
    assert head["Content-Length"] == "0"
    assert head["ETag"] == '"d41d8cd98f00b204e9800998ecf8427e"'
    got = client.get_object(Bucket=bucket, Key="empty")
    assert H.status_of(got) == 200
    assert got["Content-Length"] == "0"
    assert H.read_body(got) == b""


def test_20mib_object_round_trip(client, bucket):
    body = os.urandom(20 * 1024 * 1024)
    rt = client.put_object(Bucket=bucket, Key="big/20m.bin", Body=body)
    assert rt["ETag"] == H.etag_of(body)
    assert rt["x-cos-hash-crc64ecma"] == H.crc64(body)
    got = client.get_object(Bucket=bucket, Key="big/20m.bin")
    assert got["Content-Length"] == str(len(body))
    data = H.read_body(got)
    assert len(data) == len(body)
    assert H.md5hex(data) == H.md5hex(body)
    # a range in the middle of a large (chunked) object
    got = client.get_object(Bucket=bucket, Key="big/20m.bin", Range="bytes=10485000-10486000")
    assert H.read_body(got) == body[10485000:10486001]


def test_put_file_object_body(client, bucket, tmp_path):
    path = tmp_path / "f.bin"
    body = os.urandom(300 * 1024)
    path.write_bytes(body)
    with open(path, "rb") as fp:
        rt = client.put_object(Bucket=bucket, Key="file.bin", Body=fp)
    assert rt["ETag"] == H.etag_of(body)
    assert H.read_body(client.get_object(Bucket=bucket, Key="file.bin")) == body


def test_upload_file_simple_put(client, bucket, tmp_path):
    path = tmp_path / "up.bin"
    body = os.urandom(5 * 1024 * 1024 + 123)
    path.write_bytes(body)
    # PartSize (MB) larger than the file: upload_file does a single put_object.
    rt = client.upload_file(Bucket=bucket, Key="uploads/up.bin", LocalFilePath=str(path),
                            PartSize=10, EnableMD5=True)
    assert rt["ETag"] == H.etag_of(body)
    head = client.head_object(Bucket=bucket, Key="uploads/up.bin")
    assert head["Content-Length"] == str(len(body))
    assert head["x-cos-hash-crc64ecma"] == H.crc64(body)


def test_download_file_ranged_parallel_with_crc(client, bucket, tmp_path):
    body = os.urandom(12 * 1024 * 1024 + 4321)
    client.put_object(Bucket=bucket, Key="dl/12m.bin", Body=body)
    dest = tmp_path / "out.bin"
    # PartSize=1 (MB) forces the resumable downloader: 13 ranged GETs on 4
    # threads, then the SDK compares the file's CRC64 with x-cos-hash-crc64ecma.
    client.download_file(Bucket=bucket, Key="dl/12m.bin", DestFilePath=str(dest),
                         PartSize=1, MAXThread=4, EnableCRC=True,
                         DumpRecordDir=str(tmp_path / "records"))
    data = dest.read_bytes()
    assert len(data) == len(body)
    assert data == body


def test_download_file_small_simple(client, bucket, tmp_path):
    body = os.urandom(1000)
    client.put_object(Bucket=bucket, Key="dl/small.bin", Body=body)
    dest = tmp_path / "small.bin"
    client.download_file(Bucket=bucket, Key="dl/small.bin", DestFilePath=str(dest), EnableCRC=True)
    assert dest.read_bytes() == body


def test_put_chunked_transfer_encoding(recorder, bucket):
    """A generator body makes the SDK stream with Transfer-Encoding: chunked
    (no Content-Length; transfer-encoding is signed), spec 03 §1."""
    pieces = [os.urandom(65536) for _ in range(40)] + [os.urandom(1234)]
    body = b"".join(pieces)

    def gen():
        for p in pieces:
            yield p

    rt = recorder.client.put_object(Bucket=bucket, Key="chunked.bin", Body=gen())
    sent = recorder.last.request
    assert sent.headers.get("Transfer-Encoding") == "chunked"
    assert "Content-Length" not in sent.headers
    assert rt["ETag"] == H.etag_of(body)
    assert rt["x-cos-hash-crc64ecma"] == H.crc64(body)
    head = recorder.client.head_object(Bucket=bucket, Key="chunked.bin")
    assert head["Content-Length"] == str(len(body))
    assert H.read_body(recorder.client.get_object(Bucket=bucket, Key="chunked.bin")) == body


def test_random_ranges_on_large_object(client, bucket):
    body = os.urandom(9 * 1024 * 1024 + 77)
    client.put_object(Bucket=bucket, Key="ranges.bin", Body=body)
    rnd = random.Random(42)
    size = len(body)
    probes = [(0, 0), (size - 1, size - 1), (0, size - 1)]
    for mib in range(1, 10):          # around every MiB boundary
        b = mib * 1024 * 1024
        if b < size:
            probes.append((b - 3, b + 2))
    probes += sorted((a, min(size - 1, a + rnd.randrange(1, 3 * 1024 * 1024)))
                     for a in (rnd.randrange(size) for _ in range(10)))
    for a, b in probes:
        got = client.get_object(Bucket=bucket, Key="ranges.bin", Range="bytes=%d-%d" % (a, b))
        data = H.read_body(got)
        assert data == body[a:b + 1], "range %d-%d" % (a, b)
        assert H.hget(got, "Content-Range") == "bytes %d-%d/%d" % (a, b, size)
