"""aws-chunked uploads (spec 05 §1-2): STREAMING-UNSIGNED-PAYLOAD-TRAILER as
botocore sends it over https, and the signed-chunk variants, built by hand
(there is no TLS here, and botocore never uses trailers over http) and by
forcing botocore's own trailer code path over http. Also hand-signed requests
for clock skew / UNSIGNED-PAYLOAD and an HTTP keep-alive check."""

import hashlib
import os
import socket
import time

import pytest

import s3_harness as S3
from s3_harness import ClientError

UNSIGNED_TRAILER = "STREAMING-UNSIGNED-PAYLOAD-TRAILER"
SIGNED = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
SIGNED_TRAILER = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER"


# ------------------------------------------------- the test's own signer

def test_signer_reproduces_spec_vectors():
    """The hand-rolled signer used below matches spec 05 §4 A/B and the AWS
    chunked-upload example (§2), so failures below are the server's."""
    url = "http://127.0.0.1:9000/examplebucket-1250000000/a%20b.txt"
    s = S3.SigV4("AKIDEXAMPLE", "SECRETEXAMPLE", "ap-guangzhou", amz_date="20231114T221320Z")
    assert s.key.hex() == "99db6febf6a65548859be931f6d28a1f50f8bfcecfd1e4900e425f86760de380"
    h = s.sign("PUT", url, {"x-amz-checksum-crc32": "DUoRhQ==", "x-amz-sdk-checksum-algorithm": "CRC32"},
               hashlib.sha256(b"hello world").hexdigest())
    assert h["Authorization"].endswith("Signature=c79f3654f7014318614dbbb3062248e31ab44359dea393d98714f21f42e18c34")
    assert S3.checksum_b64("crc32", b"hello world") == "DUoRhQ=="

    s = S3.SigV4("AKIDEXAMPLE", "SECRETEXAMPLE", "ap-guangzhou", amz_date="20231114T221320Z")
    h = s.sign("PUT", url.replace("9000", "9443"), {
        "content-encoding": "aws-chunked", "x-amz-decoded-content-length": "11",
        "x-amz-sdk-checksum-algorithm": "CRC32", "x-amz-trailer": "x-amz-checksum-crc32"}, UNSIGNED_TRAILER)
    assert h["Authorization"].endswith("Signature=2d35c28aea7947c2def21c48ff4154131e7c9c6fdcd3af6be4a066e2cb071fd1")
    assert S3.aws_chunked_unsigned(b"hello world", 64, {"x-amz-checksum-crc32": "DUoRhQ=="}) == \
        b"b\r\nhello world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n"

    s = S3.SigV4("AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "us-east-1",
                 amz_date="20130524T000000Z")
    s.sign("PUT", "http://s3.amazonaws.com/examplebucket/chunkObject.txt", {
        "Host": "s3.amazonaws.com", "x-amz-storage-class": "REDUCED_REDUNDANCY",
        "content-encoding": "aws-chunked", "content-length": "66824",
        "x-amz-decoded-content-length": "66560"}, SIGNED)
    assert s.seed == "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
    body = S3.aws_chunked_signed(s, b"a" * 66560, 65536)
    assert len(body) == 66824 == S3.signed_chunked_length(66560, 65536)
    assert b"ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648" in body
    assert b"0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497" in body
    assert body.endswith(b"0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n")


# ------------------------------------------------------------ helpers

@pytest.fixture
def bucket(s3_bucket_factory):
    return s3_bucket_factory()


def streaming_put(cosd, bucket, key, data, mode=UNSIGNED_TRAILER, alg="crc32", trailer_value=None,
                  chunk_size=64 * 1024, http_chunked=False, decoded_length=None, mutate=None,
                  content_encoding="aws-chunked", extra_headers=None, tamper_chunk=None,
                  bad_trailer_signature=False, query=""):
    """PUT ``data`` as an aws-chunked body. ``mutate(body) -> body`` edits the
    encoded body after signing."""
    path = S3.object_path(bucket, key) + query
    url = cosd.base_url + path
    headers = {"Content-Encoding": content_encoding,
               "x-amz-decoded-content-length": str(len(data) if decoded_length is None else decoded_length)}
    headers.update(extra_headers or {})
    trailers = None
    if mode in (UNSIGNED_TRAILER, SIGNED_TRAILER):
        trailer_name = "x-amz-checksum-" + alg
        headers["x-amz-trailer"] = trailer_name
        headers["x-amz-sdk-checksum-algorithm"] = alg.upper()
        trailers = {trailer_name: trailer_value or S3.checksum_b64(alg, data)}
    signer = S3.SigV4(cosd.secret_id, cosd.secret_key, cosd.region)
    if mode == UNSIGNED_TRAILER:
        signer.sign("PUT", url, headers, mode)
        body = S3.aws_chunked_unsigned(data, chunk_size, trailers)
    else:
        if not http_chunked:   # the signed variants sign the encoded Content-Length
            headers["Content-Length"] = str(S3.signed_chunked_length(len(data), chunk_size, trailers))
        signer.sign("PUT", url, headers, mode)
        body = S3.aws_chunked_signed(signer, data, chunk_size, trailers, tamper_chunk=tamper_chunk)
        if bad_trailer_signature:
            i = body.index(b"x-amz-trailer-signature:") + len(b"x-amz-trailer-signature:")
            body = body[:i] + (b"0" if body[i:i + 1] != b"0" else b"1") + body[i + 1:]
        assert http_chunked or len(body) == int(headers["Content-Length"])
    if mutate is not None:
        body = mutate(body)
        headers.pop("Content-Length", None)
    return S3.raw_request(cosd, "PUT", path, headers=headers, body=body, chunked=http_chunked)


def assert_absent(s3, bucket, key):
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=bucket, Key=key)
    assert S3.err(ei)[0] == 404


def assert_error(resp, status, *codes):
    assert resp.status == status, resp
    err = resp.error()
    assert err["Code"] in codes, err
    assert err["RequestId"] and resp.header("x-amz-request-id") == err["RequestId"]
    return err


# --------------------------------------------- unsigned payload + trailer

@pytest.mark.parametrize("alg", ["crc32", "crc32c", "crc64nvme", "sha1", "sha256"])
def test_unsigned_trailer_put(cosd, s3_default, bucket, alg):
    data = os.urandom(200000)
    r = streaming_put(cosd, bucket, "t/%s" % alg, data, alg=alg)
    assert r.status == 200, r
    assert r.header("ETag") == '"%s"' % hashlib.md5(data).hexdigest()
    got = s3_default.get_object(Bucket=bucket, Key="t/%s" % alg, ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ContentLength"] == len(data)
    assert got["Checksum" + alg.upper()] == S3.checksum_b64(alg, data)
    assert "ContentEncoding" not in got         # aws-chunked is not stored


def test_unsigned_trailer_over_http_chunked(cosd, s3_default, bucket):
    """aws-chunked inside HTTP Transfer-Encoding: chunked (how botocore sends it),
    with HTTP chunk boundaries unrelated to the aws-chunked ones."""
    data = os.urandom(300001)
    r = streaming_put(cosd, bucket, "te", data, chunk_size=65536, http_chunked=True)
    assert r.status == 200, r
    got = s3_default.get_object(Bucket=bucket, Key="te", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ChecksumCRC32"] == S3.checksum_b64("crc32", data)
    # tiny aws chunks, many of them
    r = streaming_put(cosd, bucket, "te-small", data[:5000], chunk_size=7, http_chunked=True)
    assert r.status == 200, r
    assert s3_default.get_object(Bucket=bucket, Key="te-small")["Body"].read() == data[:5000]


def test_unsigned_trailer_empty_body_and_content_encoding(cosd, s3_default, bucket):
    r = streaming_put(cosd, bucket, "empty", b"")
    assert r.status == 200, r
    head = s3_default.head_object(Bucket=bucket, Key="empty", ChecksumMode="ENABLED")
    assert head["ContentLength"] == 0 and head["ChecksumCRC32"] == "AAAAAA=="
    # Content-Encoding: gzip,aws-chunked -> stored as gzip
    r = streaming_put(cosd, bucket, "gz", b"not really gzip", content_encoding="gzip,aws-chunked")
    assert r.status == 200, r
    head = s3_default.head_object(Bucket=bucket, Key="gz")
    assert head["ContentEncoding"] == "gzip" and head["ContentLength"] == 15


def test_unsigned_trailer_wrong_checksum(cosd, s3_default, bucket):
    data = os.urandom(100000)
    r = streaming_put(cosd, bucket, "bad", data, trailer_value=S3.checksum_b64("crc32", b"other"))
    assert_error(r, 400, "BadDigest")
    assert_absent(s3_default, bucket, "bad")
    # an existing object is left alone
    s3_default.put_object(Bucket=bucket, Key="keep", Body=b"old")
    r = streaming_put(cosd, bucket, "keep", data, alg="sha256", trailer_value=S3.checksum_b64("sha256", b"x"),
                      http_chunked=True)
    assert_error(r, 400, "BadDigest")
    assert s3_default.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"old"


def test_unsigned_trailer_malformed_bodies(cosd, s3_default, bucket):
    data = os.urandom(150000)
    full = S3.aws_chunked_unsigned(data, 65536, {"x-amz-checksum-crc32": S3.checksum_b64("crc32", data)})
    cases = {
        # HTTP body complete, but aws-chunked framing stops after the first chunk
        "no-final-chunk": lambda b: b[:65536 + len(b"10000\r\n") + 2],
        # cut inside a chunk's data
        "mid-chunk": lambda b: b[:1000],
        # missing the trailer
        "no-trailer": lambda b: b[:b.index(b"0\r\nx-amz-checksum")] + b"0\r\n\r\n",
        # chunk header announces more than is there
        "short-chunk": lambda b: b.replace(b"10000\r\n", b"10010\r\n", 1),
        # not hex at all
        "garbage-size": lambda b: b"zz\r\n" + b,
    }
    for name, mutate in cases.items():
        assert mutate(full) != full
        r = streaming_put(cosd, bucket, name, data, mutate=mutate)
        assert 400 <= r.status < 500, (name, r)
        r.error()                                    # an S3 <Error> body
        assert_absent(s3_default, bucket, name)
    # declared decoded length differs from the data
    for name, n in (("len-more", len(data) + 1), ("len-less", len(data) - 1)):
        r = streaming_put(cosd, bucket, name, data, decoded_length=n)
        assert r.status == 400, (name, r)
        assert_absent(s3_default, bucket, name)


def test_truncated_http_body(cosd, s3_default, bucket):
    """The connection ends before Content-Length bytes arrived: nothing is stored."""
    data = os.urandom(200000)
    body = S3.aws_chunked_unsigned(data, 65536, {"x-amz-checksum-crc32": S3.checksum_b64("crc32", data)})
    url = cosd.base_url + S3.object_path(bucket, "trunc")
    headers = {"Content-Encoding": "aws-chunked", "x-amz-decoded-content-length": str(len(data)),
               "x-amz-trailer": "x-amz-checksum-crc32", "x-amz-sdk-checksum-algorithm": "CRC32"}
    S3.SigV4(cosd.secret_id, cosd.secret_key, cosd.region).sign("PUT", url, headers, UNSIGNED_TRAILER)
    raw = S3.truncated_request(cosd, "PUT", S3.object_path(bucket, "trunc"), headers, body, len(body) // 2)
    assert not raw.startswith(b"HTTP/1.1 200"), raw[:200]
    # the same with a plain (signed-payload) PUT
    url = cosd.base_url + S3.object_path(bucket, "trunc2")
    headers = {}
    S3.SigV4(cosd.secret_id, cosd.secret_key, cosd.region).sign("PUT", url, headers,
                                                                 hashlib.sha256(data).hexdigest())
    raw = S3.truncated_request(cosd, "PUT", S3.object_path(bucket, "trunc2"), headers, data, 1000)
    assert not raw.startswith(b"HTTP/1.1 200"), raw[:200]
    time.sleep(0.2)
    assert_absent(s3_default, bucket, "trunc")
    assert_absent(s3_default, bucket, "trunc2")


def test_unsigned_trailer_upload_part(cosd, s3_default, bucket):
    parts = [os.urandom(5 * S3.MiB), os.urandom(1000)]
    up = s3_default.create_multipart_upload(Bucket=bucket, Key="mp", ChecksumAlgorithm="CRC32")["UploadId"]
    done = []
    for n, data in enumerate(parts, 1):
        r = streaming_put(cosd, bucket, "mp", data, http_chunked=True,
                          query="?partNumber=%d&uploadId=%s" % (n, up))
        assert r.status == 200, r
        assert r.header("ETag") == '"%s"' % hashlib.md5(data).hexdigest()
        done.append({"PartNumber": n, "ETag": r.header("ETag"),
                     "ChecksumCRC32": S3.checksum_b64("crc32", data)})
    lp = s3_default.list_parts(Bucket=bucket, Key="mp", UploadId=up)
    assert [p["ChecksumCRC32"] for p in lp["Parts"]] == [d["ChecksumCRC32"] for d in done]
    rt = s3_default.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up,
                                              MultipartUpload={"Parts": done})
    assert rt["ChecksumCRC32"] == S3.composite_checksum("crc32", parts)
    assert s3_default.get_object(Bucket=bucket, Key="mp")["Body"].read() == b"".join(parts)


# ------------------------------------------------------------ signed chunks

@pytest.mark.parametrize("http_chunked", [False, True], ids=["content-length", "http-chunked"])
def test_signed_chunks(cosd, s3_default, bucket, http_chunked):
    data = os.urandom(150000)
    r = streaming_put(cosd, bucket, "sc", data, mode=SIGNED, http_chunked=http_chunked,
                      extra_headers={"x-amz-meta-color": "blue"})
    assert r.status == 200, r
    head = s3_default.head_object(Bucket=bucket, Key="sc")
    assert head["Metadata"] == {"color": "blue"} and head["ContentLength"] == len(data)
    assert s3_default.get_object(Bucket=bucket, Key="sc")["Body"].read() == data

    # one chunk's data altered after signing
    r = streaming_put(cosd, bucket, "sc-bad", data, mode=SIGNED, http_chunked=http_chunked, tamper_chunk=1)
    assert_error(r, 403, "SignatureDoesNotMatch")
    assert_absent(s3_default, bucket, "sc-bad")
    # chunks re-ordered (each signature valid on its own, chain broken)
    record = len(b"10000;chunk-signature=") + 64 + 2 + 65536 + 2   # one 64 KiB chunk

    def swap_first_two(body):
        return body[record:2 * record] + body[:record] + body[2 * record:]
    r = streaming_put(cosd, bucket, "sc-swap", data[:131072], mode=SIGNED, mutate=swap_first_two)
    assert_error(r, 403, "SignatureDoesNotMatch")
    assert_absent(s3_default, bucket, "sc-swap")


def test_signed_chunks_with_trailer(cosd, s3_default, bucket):
    data = os.urandom(100000)
    r = streaming_put(cosd, bucket, "st", data, mode=SIGNED_TRAILER, alg="crc32c")
    assert r.status == 200, r
    got = s3_default.get_object(Bucket=bucket, Key="st", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    assert got["ChecksumCRC32C"] == S3.checksum_b64("crc32c", data)

    r = streaming_put(cosd, bucket, "st-badsig", data, mode=SIGNED_TRAILER, bad_trailer_signature=True)
    assert_error(r, 403, "SignatureDoesNotMatch")
    assert_absent(s3_default, bucket, "st-badsig")
    # correctly signed trailer carrying a wrong checksum
    r = streaming_put(cosd, bucket, "st-digest", data, mode=SIGNED_TRAILER,
                      trailer_value=S3.checksum_b64("crc32", b"nope"))
    assert_error(r, 400, "BadDigest")
    assert_absent(s3_default, bucket, "st-digest")


# ------------------------------------------ botocore's own trailer code path

def force_trailer(client):
    """Make botocore use its https-only aws-chunked trailer path over http
    (the same context switch s3transfer uses to force the header variant)."""
    def handler(params, **kwargs):
        algorithm = params["context"].get("checksum", {}).get("request_algorithm")
        if isinstance(algorithm, dict):
            algorithm["in"] = "trailer"
    client.meta.events.register("before-call.s3.PutObject", handler)
    client.meta.events.register("before-call.s3.UploadPart", handler)


@pytest.mark.parametrize("alg", ["CRC32", "SHA1", "SHA256"])
def test_botocore_trailer_put_object(cosd, s3, s3_bucket, alg):
    import io
    client = S3.named_client(cosd, s3.cosd_config_name)
    force_trailer(client)
    log = S3.WireLog(client)
    data = os.urandom(300000)
    for key, body in (("bytes", data), ("fileobj", io.BytesIO(data))):
        rt = client.put_object(Bucket=s3_bucket, Key=key, Body=body, ChecksumAlgorithm=alg,
                               Metadata={"via": "trailer"})
        sent = {k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in log.requests[-1].headers.items()}
        assert sent["x-amz-content-sha256"] == UNSIGNED_TRAILER
        assert sent["x-amz-trailer"] == "x-amz-checksum-%s" % alg.lower()
        assert "aws-chunked" in sent["content-encoding"]
        assert sent["transfer-encoding"] == "chunked"
        assert rt["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
        got = s3.get_object(Bucket=s3_bucket, Key=key, ChecksumMode="ENABLED")
        assert got["Body"].read() == data
        assert got["Checksum" + alg] == S3.checksum_b64(alg, data)
        assert got["Metadata"] == {"via": "trailer"}


def test_botocore_trailer_upload_part(cosd, s3, s3_bucket):
    client = S3.named_client(cosd, s3.cosd_config_name)
    force_trailer(client)
    parts = [os.urandom(5 * S3.MiB), os.urandom(4321)]
    up = client.create_multipart_upload(Bucket=s3_bucket, Key="mp", ChecksumAlgorithm="CRC32")["UploadId"]
    done = []
    for n, data in enumerate(parts, 1):
        rt = client.upload_part(Bucket=s3_bucket, Key="mp", UploadId=up, PartNumber=n, Body=data,
                                ChecksumAlgorithm="CRC32")
        assert rt["ChecksumCRC32"] == S3.checksum_b64("crc32", data)
        done.append({"PartNumber": n, "ETag": rt["ETag"], "ChecksumCRC32": rt["ChecksumCRC32"]})
    rt = client.complete_multipart_upload(Bucket=s3_bucket, Key="mp", UploadId=up, MultipartUpload={"Parts": done})
    assert rt["ChecksumCRC32"] == S3.composite_checksum("crc32", parts)
    assert s3.get_object(Bucket=s3_bucket, Key="mp")["Body"].read() == b"".join(parts)


def test_botocore_trailer_wrong_checksum(cosd, s3, s3_bucket):
    """botocore's AwsChunkedWrapper emitting a wrong trailer value: 400 BadDigest."""
    client = S3.named_client(cosd, s3.cosd_config_name)
    force_trailer(client)

    def tamper_checksum(request, **kwargs):
        wrapper = request.body
        assert hasattr(wrapper, "_checksum_cls"), "botocore did not use AwsChunkedWrapper"

        class Wrong(wrapper._checksum_cls):
            def b64digest(self):
                return S3.checksum_b64("crc32", b"definitely not the data")
        wrapper._checksum_cls = Wrong
        wrapper._checksum = Wrong()

    client.meta.events.register("before-send.s3.PutObject", tamper_checksum)
    with pytest.raises(ClientError) as ei:
        client.put_object(Bucket=s3_bucket, Key="bad", Body=os.urandom(70000), ChecksumAlgorithm="CRC32")
    assert S3.err(ei)[:2] == (400, "BadDigest")
    assert_absent(s3, s3_bucket, "bad")


# -------------------------------------------------- hand-signed requests

def test_clock_skew_and_unsigned_payload(cosd, s3_default, bucket):
    path = S3.object_path(bucket, "skew")
    url = cosd.base_url + path
    old = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 20 * 60))
    headers = S3.SigV4(cosd.secret_id, cosd.secret_key, cosd.region, amz_date=old).sign(
        "PUT", url, {}, hashlib.sha256(b"x").hexdigest())
    r = S3.raw_request(cosd, "PUT", path, headers=headers, body=b"x")
    assert_error(r, 403, "RequestTimeTooSkewed")
    assert_absent(s3_default, bucket, "skew")
    # 10 minutes off is still fine
    ok = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(time.time() - 10 * 60))
    headers = S3.SigV4(cosd.secret_id, cosd.secret_key, cosd.region, amz_date=ok).sign(
        "PUT", url, {}, hashlib.sha256(b"x").hexdigest())
    assert S3.raw_request(cosd, "PUT", path, headers=headers, body=b"x").status == 200
    # UNSIGNED-PAYLOAD as a header value (botocore over https with payload signing off)
    headers = S3.SigV4(cosd.secret_id, cosd.secret_key, cosd.region).sign("PUT", url, {}, "UNSIGNED-PAYLOAD")
    r = S3.raw_request(cosd, "PUT", path, headers=headers, body=b"unsigned body")
    assert r.status == 200, r
    assert s3_default.get_object(Bucket=bucket, Key="skew")["Body"].read() == b"unsigned body"


def test_error_before_body_closes_cleanly(cosd, bucket):
    path = "/%s/x" % S3.unique_bucket()     # no such bucket
    url = cosd.base_url + path
    body = b"y" * 1000
    headers = S3.SigV4(cosd.secret_id, cosd.secret_key, cosd.region).sign(
        "PUT", url, {"Expect": "100-continue"}, hashlib.sha256(body).hexdigest())
    headers["Content-Length"] = str(len(body))
    headers.setdefault("Host", "%s:%d" % (cosd.host, cosd.port))
    s = socket.create_connection((cosd.host, cosd.port), timeout=5)
    try:
        s.sendall(("PUT %s HTTP/1.1\r\n" % path + "".join("%s: %s\r\n" % kv for kv in headers.items())
                   + "\r\n").encode())
        # do not send the body: the server answers with a final status instead of 100
        resp = b""
        while b"\r\n\r\n" not in resp:
            resp += s.recv(65536)
        head, rest = resp.split(b"\r\n\r\n", 1)
        assert head.startswith(b"HTTP/1.1 404"), head
        if b"\r\nconnection: close" in head.lower():
            return      # announced: the client will not reuse the connection
        # otherwise the connection must stay usable for the next request
        length = int([l for l in head.split(b"\r\n") if l.lower().startswith(b"content-length:")][0].split(b":")[1])
        while len(rest) < length:
            rest += s.recv(65536)
        s.settimeout(1.0)
        time.sleep(0.2)
        h2 = S3.SigV4(cosd.secret_id, cosd.secret_key, cosd.region).sign(
            "GET", cosd.base_url + "/%s?list-type=2" % bucket, {}, S3.EMPTY_SHA256)
        h2.setdefault("Host", "%s:%d" % (cosd.host, cosd.port))
        s.sendall(("GET /%s?list-type=2 HTTP/1.1\r\n" % bucket
                   + "".join("%s: %s\r\n" % kv for kv in h2.items()) + "\r\n").encode())
        second = s.recv(65536)
        assert second.startswith(b"HTTP/1.1 200"), second[:100]
    except (BrokenPipeError, ConnectionResetError) as e:
        pytest.fail("connection closed without 'Connection: close': %r" % e)
    finally:
        s.close()
