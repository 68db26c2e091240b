"""Helpers for the S3-dialect tests (test_s3_*.py): boto3 clients against the
shared cosd server, checksum functions, and a small independent SigV4 /
aws-chunked implementation for requests botocore does not send over http.
"""

import base64
import hashlib
import hmac
import http.client
import os
import socket
import time
import xml.etree.ElementTree as ET
from urllib.parse import quote, urlsplit

import crcmod
import crcmod.predefined

# The "defaults" client must see botocore's *installed* defaults: no profile,
# no AWS_* environment (e.g. AWS_REQUEST_CHECKSUM_CALCULATION) may leak in.
for _name in list(os.environ):
    if _name.startswith("AWS_"):
        del os.environ[_name]
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

import boto3  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402

import cosd_harness as H  # noqa: E402

MiB = 1024 * 1024
EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()

# At most one retry: a failing request must fail the test (and fast). The one
# retry only absorbs "connection closed" races: cosd closes the connection
# without "Connection: close" after answering an error to a request whose body
# it did not read (see test_s3_streaming.py::test_error_before_body_closes_cleanly),
# and urllib3 may reuse that pooled connection before it notices the close.
_NO_RETRY = {"total_max_attempts": 2, "mode": "standard"}

# The two client set-ups every `s3` test runs with (conftest `s3` fixture).
CLIENT_CONFIGS = {
    # botocore as installed: request_checksum_calculation=when_supported, i.e.
    # x-amz-checksum-crc32 + x-amz-sdk-checksum-algorithm on PutObject/UploadPart/
    # DeleteObjects over http; response validation when_supported.
    "defaults": dict(s3={"addressing_style": "path"}),
    # classic SigV4 with a signed payload and no flexible checksums unless asked.
    "s3v4-signed": dict(signature_version="s3v4",
                        s3={"addressing_style": "path", "payload_signing_enabled": True},
                        request_checksum_calculation="when_required",
                        response_checksum_validation="when_required"),
}


def make_client(server, config=None, region=None, access_key=None, secret_key=None,
                session_token=None, **config_kwargs):
    """A boto3 S3 client on ``server`` (path-style, http, no retries)."""
    kw = dict(config_kwargs)
    kw.setdefault("s3", {"addressing_style": "path"})
    kw.setdefault("retries", _NO_RETRY)
    kw.setdefault("connect_timeout", 10)
    kw.setdefault("read_timeout", 60)
    cfg = Config(**kw)
    if config is not None:
        cfg = cfg.merge(config)
    session = boto3.session.Session()
    return session.client(
        "s3", endpoint_url=server.base_url, region_name=region or server.region,
        aws_access_key_id=access_key or server.secret_id,
        aws_secret_access_key=secret_key or server.secret_key,
        aws_session_token=session_token, config=cfg)


def named_client(server, name, **kw):
    return make_client(server, **dict(CLIENT_CONFIGS[name], **kw))


def err(excinfo_or_exc):
    """(HTTP status, error code, ClientError.response) of a ClientError."""
    e = getattr(excinfo_or_exc, "value", excinfo_or_exc)
    assert isinstance(e, ClientError), repr(e)
    return (e.response["ResponseMetadata"]["HTTPStatusCode"],
            e.response.get("Error", {}).get("Code"), e.response)


def unique_bucket():
    return H.unique_bucket("s3")


def destroy_bucket(s3, bucket):
    """Best effort: abort uploads, delete every object, delete the bucket."""
    try:
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
            for up in page.get("Uploads", []):
                s3.abort_multipart_upload(Bucket=bucket, Key=up["Key"], UploadId=up["UploadId"])
    except Exception:  # best effort
        pass
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket):
            keys = [{"Key": c["Key"]} for c in page.get("Contents", [])]
            if keys:
                s3.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})
    except Exception:  # best effort
        pass
    try:
        s3.delete_bucket(Bucket=bucket)
    except Exception:  # best effort
        pass


def add_headers(s3, operation, headers):
    """Add raw headers to every ``operation`` call of ``s3`` (before signing).
    Returns the handler so it can be unregistered."""
    def handler(request, **kwargs):
        for k, v in headers.items():
            if k in request.headers:      # HTTPHeaders.__setitem__ appends
                del request.headers[k]
            request.headers[k] = v
    event = "before-sign.s3.%s" % operation
    s3.meta.events.register(event, handler)
    return event, handler


class WireLog(object):
    """Records the final (signed) request headers and the raw responses of a client."""

    def __init__(self, s3):
        self.requests = []
        self.responses = []
        s3.meta.events.register("before-send.s3.*", self._send)
        s3.meta.events.register("before-parse.s3.*", self._parse)

    def _send(self, request, **kwargs):
        self.requests.append(request)

    def _parse(self, response_dict, **kwargs):
        self.responses.append(response_dict)


# ------------------------------------------------------------------ checksums

_crc32c = crcmod.predefined.mkCrcFun("crc-32c")
# CRC-64/NVME: poly 0xAD93D23594C93659, reflected, init and xorout all ones.
_crc64nvme = crcmod.mkCrcFun(0x1AD93D23594C93659, initCrc=0, xorOut=0xFFFFFFFFFFFFFFFF, rev=True)


def checksum_raw(alg, data):
    alg = alg.lower()
    if alg == "crc32":
        import zlib
        return (zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big")
    if alg == "crc32c":
        return _crc32c(data).to_bytes(4, "big")
    if alg == "crc64nvme":
        return _crc64nvme(data).to_bytes(8, "big")
    if alg == "sha1":
        return hashlib.sha1(data).digest()
    if alg == "sha256":
        return hashlib.sha256(data).digest()
    raise ValueError(alg)


def checksum_b64(alg, data):
    """x-amz-checksum-<alg> value: base64 of the big-endian digest."""
    return base64.b64encode(checksum_raw(alg, data)).decode()


def composite_checksum(alg, parts):
    """S3 COMPOSITE multipart checksum: checksum of the concatenated raw part
    checksums, base64, then ``-<number of parts>``."""
    joined = b"".join(checksum_raw(alg, p) for p in parts)
    return "%s-%d" % (checksum_b64(alg, joined), len(parts))


def multipart_etag(parts):
    md5s = b"".join(hashlib.md5(p).digest() for p in parts)
    return '"%s-%d"' % (hashlib.md5(md5s).hexdigest(), len(parts))


def botocore_has_crt():
    from botocore.compat import HAS_CRT
    return HAS_CRT


# ------------------------------------------- independent SigV4 (spec 05 §1-2)

def _hmac(key, msg):
    return hmac.new(key, msg.encode("utf-8") if isinstance(msg, str) else msg, hashlib.sha256).digest()


def signing_key(secret, date, region, service="s3"):
    k = _hmac(("AWS4" + secret).encode(), date)
    k = _hmac(k, region)
    k = _hmac(k, service)
    return _hmac(k, "aws4_request")


def _uri_encode(s, safe):
    return quote(s, safe=safe)


def canonical_query(query):
    from urllib.parse import parse_qsl
    pairs = parse_qsl(query, keep_blank_values=True)
    enc = sorted((_uri_encode(k, "-_.~"), _uri_encode(v, "-_.~")) for k, v in pairs)
    return "&".join("%s=%s" % kv for kv in enc)


class SigV4(object):
    """Header-signed SigV4 for hand-built requests. ``headers`` must contain
    every header to sign (host is added from the URL); returns the
    Authorization value and keeps the seed signature for chunk signing."""

    def __init__(self, access_key, secret_key, region, amz_date=None):
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.amz_date = amz_date or time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
        self.date = self.amz_date[:8]
        self.scope = "%s/%s/s3/aws4_request" % (self.date, region)
        self.key = signing_key(secret_key, self.date, region)
        self.seed = None

    def canonical_request(self, method, path, query, headers, payload_hash):
        from urllib.parse import unquote
        names = sorted(h.lower() for h in headers)
        lower = {k.lower(): " ".join(str(v).strip().split()) for k, v in headers.items()}
        canon_headers = "".join("%s:%s\n" % (n, lower[n]) for n in names)
        uri = _uri_encode(unquote(path), "/-_.~")
        return "\n".join([method, uri, canonical_query(query), canon_headers, ";".join(names),
                          payload_hash]), ";".join(names)

    def sign(self, method, url, headers, payload_hash):
        """Adds x-amz-date / x-amz-content-sha256 / Authorization to ``headers``
        (a dict, modified in place) and returns it."""
        parts = urlsplit(url)
        headers.setdefault("Host", parts.netloc)
        headers["x-amz-date"] = self.amz_date
        headers["x-amz-content-sha256"] = payload_hash
        creq, signed = self.canonical_request(method, parts.path, parts.query, headers, payload_hash)
        sts = "\n".join(["AWS4-HMAC-SHA256", self.amz_date, self.scope,
                         hashlib.sha256(creq.encode()).hexdigest()])
        sig = hmac.new(self.key, sts.encode(), hashlib.sha256).hexdigest()
        self.seed = sig
        headers["Authorization"] = "AWS4-HMAC-SHA256 Credential=%s/%s, SignedHeaders=%s, Signature=%s" % (
            self.access_key, self.scope, signed, sig)
        return headers

    def chunk_signature(self, previous, data):
        sts = "\n".join(["AWS4-HMAC-SHA256-PAYLOAD", self.amz_date, self.scope, previous,
                         EMPTY_SHA256, hashlib.sha256(data).hexdigest()])
        return hmac.new(self.key, sts.encode(), hashlib.sha256).hexdigest()

    def trailer_signature(self, previous, trailer_lines):
        sts = "\n".join(["AWS4-HMAC-SHA256-TRAILER", self.amz_date, self.scope, previous,
                         hashlib.sha256(trailer_lines.encode()).hexdigest()])
        return hmac.new(self.key, sts.encode(), hashlib.sha256).hexdigest()


def split_chunks(data, chunk_size):
    return [data[i:i + chunk_size] for i in range(0, len(data), chunk_size)]


def aws_chunked_unsigned(data, chunk_size, trailers=None):
    """aws-chunked body without chunk signatures (STREAMING-UNSIGNED-PAYLOAD-TRAILER)."""
    out = []
    for c in split_chunks(data, chunk_size):
        out.append(b"%x\r\n" % len(c) + c + b"\r\n")
    out.append(b"0\r\n")
    for name, value in (trailers or {}).items():
        out.append(("%s:%s\r\n" % (name, value)).encode())
    out.append(b"\r\n")
    return b"".join(out)


def aws_chunked_signed(signer, data, chunk_size, trailers=None, tamper_chunk=None):
    """aws-chunked body with chunk signatures chained from ``signer.seed``
    (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]). ``tamper_chunk`` = index of a
    chunk whose data is altered after signing."""
    out = []
    prev = signer.seed
    chunks = split_chunks(data, chunk_size) + [b""]
    for i, c in enumerate(chunks):
        sig = signer.chunk_signature(prev, c)
        prev = sig
        if tamper_chunk == i and c:
            c = bytes([c[0] ^ 1]) + c[1:]
        if trailers is not None and not c and i == len(chunks) - 1:
            out.append(b"0;chunk-signature=%s\r\n" % sig.encode())
        else:
            out.append(b"%x;chunk-signature=%s\r\n" % (len(c), sig.encode()) + c + b"\r\n")
    if trailers is not None:
        lines = "".join("%s:%s\n" % (k, v) for k, v in trailers.items())
        for name, value in trailers.items():
            out.append(("%s:%s\r\n" % (name, value)).encode())
        out.append(("x-amz-trailer-signature:%s\r\n" % signer.trailer_signature(prev, lines)).encode())
        out.append(b"\r\n")
    return b"".join(out)


def signed_chunked_length(data_len, chunk_size, trailers=None):
    n = 0
    full, rest = divmod(data_len, chunk_size)
    sizes = [chunk_size] * full + ([rest] if rest else []) + [0]
    for s in sizes:
        n += len("%x;chunk-signature=" % s) + 64 + 2 + s + 2
    if trailers is not None:
        n -= 2   # the final 0-chunk has no data CRLF when trailers follow
        for k, v in trailers.items():
            n += len("%s:%s\r\n" % (k, v))
        n += len("x-amz-trailer-signature:") + 64 + 2 + 2
    return n


# ---------------------------------------------------------------- raw http

class RawResponse(object):
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        return H.hget(self.headers, name)

    def error(self):
        """Parsed S3 <Error> body (dict)."""
        return parse_error_xml(self.body)

    def __repr__(self):
        return "<RawResponse %s %r>" % (self.status, self.body[:300])


def raw_request(server, method, path, headers=None, body=b"", chunked=False, chunk_size=8192,
                timeout=30):
    """Send a request with http.client exactly as given. ``chunked`` sends the
    body with HTTP Transfer-Encoding: chunked (no Content-Length)."""
    conn = http.client.HTTPConnection(server.host, server.port, timeout=timeout)
    try:
        conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        hdrs = dict(headers or {})
        if "Host" not in hdrs:
            hdrs["Host"] = "%s:%d" % (server.host, server.port)
        if chunked:
            hdrs["Transfer-Encoding"] = "chunked"
        elif body is not None and "Content-Length" not in hdrs:
            hdrs["Content-Length"] = str(len(body))
        for k, v in hdrs.items():
            conn.putheader(k, v)
        conn.endheaders()
        try:
            if chunked:
                for i in range(0, len(body), chunk_size):
                    piece = body[i:i + chunk_size]
                    conn.send(b"%x\r\n" % len(piece) + piece + b"\r\n")
                conn.send(b"0\r\n\r\n")
            elif body:
                conn.send(body)
        except (BrokenPipeError, ConnectionResetError):
            # The server rejected the body part-way and closed the connection (it answers
            # with Connection: close); its response is already on the socket: read it.
            pass
        resp = conn.getresponse()
        data = resp.read()
        return RawResponse(resp.status, dict(resp.getheaders()), data)
    finally:
        conn.close()


def truncated_request(server, method, path, headers, body, send_bytes, timeout=10):
    """Declare Content-Length len(body) but send only ``send_bytes`` bytes, then
    half-close the connection. Returns the raw response bytes (may be empty
    when the server just drops the connection)."""
    s = socket.create_connection((server.host, server.port), timeout=timeout)
    try:
        hdrs = dict(headers)
        hdrs.setdefault("Host", "%s:%d" % (server.host, server.port))
        hdrs["Content-Length"] = str(len(body))
        head = "%s %s HTTP/1.1\r\n" % (method, path)
        head += "".join("%s: %s\r\n" % kv for kv in hdrs.items())
        head += "Connection: close\r\n\r\n"
        s.sendall(head.encode() + body[:send_bytes])
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            try:
                c = s.recv(65536)
            except (ConnectionResetError, socket.timeout):
                break
            if not c:
                break
            chunks.append(c)
        return b"".join(chunks)
    finally:
        s.close()


def parse_error_xml(body):
    root = ET.fromstring(body)
    assert root.tag.split("}")[-1] == "Error", body
    return {child.tag.split("}")[-1]: (child.text or "") for child in root}


def object_path(bucket, key):
    return "/%s/%s" % (bucket, quote(key.encode("utf-8"), safe="/-_.~"))
