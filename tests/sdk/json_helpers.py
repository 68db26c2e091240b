"""Shared pieces of the legacy JSON API tests (test_json_sdk.py, test_json_raw.py): the v4 SDK
driver wrapper, fixtures, raw-request signers and the SDK's SHA-1 state helper.

Contract: docs/json-api.md; wire details: shared/spec/06-legacy-json-api.md.
"""

import hashlib
import json
import os
import struct
import subprocess
import time
from urllib.parse import quote

import pytest
import requests
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H

HERE = os.path.dirname(os.path.abspath(__file__))
PY2 = os.environ.get("COSD_PY2", "")
PY2_PATH = os.environ.get("COSD_PY2_PATH", os.path.join(HERE, ".py2"))
DRIVER = os.path.join(HERE, "v4", "driver.py")

NEEDS_PY2 = [
    pytest.mark.skipif(not PY2, reason="COSD_PY2 is not set: no Python 2.7 interpreter for the legacy "
                                       "qcloud_cos_v4 SDK (run scripts/prereqs.sh ensure_python2_env, or set "
                                       "COSD_PY2=/path/to/python2.7)"),
    pytest.mark.skipif(bool(PY2) and not os.path.isdir(os.path.join(PY2_PATH, "qcloud_cos")),
                       reason="tests/sdk/.py2 does not hold qcloud_cos_v4: install tests/sdk/requirements-py2.txt "
                              "with `$COSD_PY2 -m pip install --target tests/sdk/.py2 -r ...`"),
]

APPID = H.APPID
MiB = 1024 * 1024


# ================================================================== driver

class Ret(dict):
    """An SDK return value (dict) plus the HTTP exchanges of that call:
    ``.wire`` (list of dicts), ``.status`` (HTTP status of the last exchange or None)."""

    def __init__(self, value, wire):
        super().__init__(value if isinstance(value, dict) else {"value": value})
        self.wire = wire

    @property
    def status(self):
        return self.wire[-1]["status"] if self.wire else None

    @property
    def headers(self):
        return self.wire[-1]["headers"] if self.wire else {}

    @property
    def data(self):
        return self.get("data") or {}


class V4(object):
    """Runs SDK calls in the Python 2 driver against ``server`` on bucket ``short``."""

    def __init__(self, server, short, secret_id=None, secret_key=None, **config):
        self.server = server
        self.short = short
        self.secret_id = secret_id or server.secret_id
        self.secret_key = secret_key or server.secret_key
        self.config = config        # extra driver arguments (hostname, sdk_region, ...)

    def raw(self, scenario, **args):
        args.update(self.config)
        args.update(host=self.server.host, port=self.server.port, appid=APPID, region=H.REGION,
                    secret_id=self.secret_id, secret_key=self.secret_key, bucket=self.short,
                    scenario=scenario)
        env = dict(os.environ)
        env["PYTHONPATH"] = PY2_PATH
        env.pop("PYTHONHOME", None)
        p = subprocess.run([PY2, DRIVER, "-"], input=json.dumps(args).encode(), env=env,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=300)
        assert p.returncode == 0, "driver failed (exit %d)\nstderr:\n%s\nstdout:\n%s" % (
            p.returncode, p.stderr.decode("utf-8", "replace")[-4000:], p.stdout.decode("utf-8", "replace")[-2000:])
        return json.loads(p.stdout.decode("utf-8"))

    def steps(self, *steps):
        """Runs the calls in one driver process; returns [Ret] in order."""
        out = self.raw("steps", steps=list(steps))
        rets = []
        for i, value in enumerate(out["results"]):
            rets.append(Ret(value, [w for w in out["wire"] if w["step"] == i]))
        return rets

    def __call__(self, call, **kw):
        """One SDK call: v4("stat_file", path="/a.txt")."""
        kw["call"] = call
        return self.steps(kw)[0]


def text(s):
    return {"text": s}


def gen(size, seed):
    """Deterministic bytes: the same function as driver.gen_data."""
    out = bytearray()
    i = 0
    while len(out) < size:
        out += hashlib.sha256(("%d:%d" % (seed, i)).encode("ascii")).digest()
        i += 1
    return bytes(out[:size])


def sha1hex(data):
    return hashlib.sha1(data).hexdigest()


def ok(ret):
    assert ret.get("code") == 0, "expected code 0, got %r (HTTP %s)" % (dict(ret), getattr(ret, "status", None))
    return ret


def err(ret, code, status):
    assert (ret.get("code"), getattr(ret, "status", None)) == (code, status), \
        "expected %d / HTTP %d, got %r / HTTP %s" % (code, status, dict(ret), getattr(ret, "status", None))
    return ret


def in_window(value, t0, t1, slack=3):
    v = int(value)
    assert t0 - slack <= v <= t1 + slack, (value, t0, t1)
    return v


def assert_json_response(ret):
    """Every answer is JSON with a request id (docs/json-api.md, Responses)."""
    h = {k.lower(): v for k, v in ret.headers.items()}
    assert h.get("content-type", "").startswith("application/json"), h
    assert h.get("x-cos-request-id"), h
    assert ret.get("request_id") == h["x-cos-request-id"], (dict(ret), h)


@pytest.fixture
def jbucket(client):
    """(full, short): a fresh private bucket ``v4-<hex>-1250000000``."""
    full = H.unique_bucket("v4")
    client.create_bucket(Bucket=full)
    yield full, full[:-(len(APPID) + 1)]
    H.destroy_bucket(client, full)


@pytest.fixture
def v4(cosd, jbucket):
    return V4(cosd, jbucket[1])


def v5_body(client, bucket, key):
    return H.read_body(client.get_object(Bucket=bucket, Key=key))


def v5_keys(client, bucket, **kw):
    return sorted(o["Key"] for o in client.list_objects(Bucket=bucket, MaxKeys=1000, **kw).get("Contents", []))


def v5_missing(client, bucket, key):
    with pytest.raises(CosServiceError) as ei:
        client.head_object(Bucket=bucket, Key=key)
    return ei.value.get_status_code() == 404


def urls_for(server, short, path):
    host = "%s:%d" % (server.host, server.port)
    qpath = quote(path, safe="/~")
    return {"access_url": "http://%s/%s-%s%s" % (host, short, APPID, qpath),
            "source_url": "http://%s/%s-%s%s" % (host, short, APPID, qpath),
            "url": "http://%s/files/v2/%s/%s%s" % (host, APPID, short, qpath),
            "resource_path": "/%s/%s%s" % (APPID, short, path)}      # a path, not a URL: not encoded


def names(ret):
    return sorted(i["name"] for i in ret.data.get("infos", []))


# ================================================================== raw requests (JS v4 form)

def json_url(server, short, path):
    return "%s/files/v2/%s/%s%s" % (server.base_url, APPID, short, quote(path, safe="/~"))


def fileid(short, path):
    return H.legacy_fileid(APPID, short, path)


def multi(short, path, secret_id=None, secret_key=None, expire_in=300, f=None, now=None, appid=APPID,
          bucket=None):
    now = int(time.time()) if now is None else now
    return H.legacy_sign(secret_id or H.ROOT_SECRET_ID, secret_key or H.ROOT_SECRET_KEY, appid, bucket or short,
                         fileid(short, path) if f is None else f, now + expire_in, now=now)


def once(short, path, secret_id=None, secret_key=None, f=None, now=None, appid=APPID, bucket=None):
    return H.legacy_sign(secret_id or H.ROOT_SECRET_ID, secret_key or H.ROOT_SECRET_KEY, appid, bucket or short,
                         fileid(short, path) if f is None else f, 0, now=now)


def js_url(server, short, path, sign, **query):
    """The JS v4 SDK's URL: ...<path>?sign=<encodeURIComponent(sign)>[&k=v]."""
    url = json_url(server, short, path) + "?sign=" + quote(sign, safe="")
    for k, v in query.items():
        url += "&%s=%s" % (k, quote(str(v), safe=""))
    return url


def js_post(server, short, path, sign, fields, file_field=None):
    """A browser FormData POST: plain fields (no filename), optionally one file part
    ``file_field = (name, filename, bytes, content_type)``."""
    parts = [(k, (None, str(v))) for k, v in fields.items()]
    if file_field is not None:
        name, filename, data, ctype = file_field
        parts.append((name, (filename, data, ctype)))
    return requests.post(js_url(server, short, path, sign), files=parts, timeout=60)


def js_get(server, short, path, sign, **query):
    return requests.get(js_url(server, short, path, sign, **query), timeout=30)


def py_post_json(server, short, path, sign, body):
    """The Python SDK's JSON form: Authorization header + JSON body."""
    return requests.post(json_url(server, short, path), data=json.dumps(body),
                         headers={"Authorization": sign, "Content-Type": "application/json"}, timeout=30)


def py_get(server, short, path, sign=None, **params):
    headers = {"Authorization": sign} if sign is not None else {}
    return requests.get(json_url(server, short, path), params=params, headers=headers, timeout=30)


def jerr(r, code, status):
    """A raw response that must be the JSON error ``code`` with HTTP ``status``."""
    try:
        body = r.json()
    except ValueError:
        raise AssertionError("expected JSON %d / HTTP %d, got HTTP %d %r" % (code, status, r.status_code,
                                                                              r.text[:300]))
    assert (body.get("code"), r.status_code) == (code, status), \
        "expected %d / HTTP %d, got %r / HTTP %d" % (code, status, body, r.status_code)
    assert r.headers.get("Content-Type", "").startswith("application/json"), r.headers
    assert r.headers.get("x-cos-request-id"), r.headers
    return body


def jok(r):
    try:
        body = r.json()
    except ValueError:
        raise AssertionError("expected JSON, got HTTP %d %r" % (r.status_code, r.text[:300]))
    assert body.get("code") == 0 and r.status_code == 200, (r.status_code, body)
    return body


# ------------------------------------------------------------------ SHA-1 state (uploadparts)

def _sha1_compress(h, data):
    """SHA-1 compression over ``data`` (a multiple of 64 bytes) from state ``h``."""
    a0, b0, c0, d0, e0 = h
    for off in range(0, len(data), 64):
        w = list(struct.unpack(">16I", data[off:off + 64]))
        for i in range(16, 80):
            x = w[i - 3] ^ w[i - 8] ^ w[i - 14] ^ w[i - 16]
            w.append(((x << 1) | (x >> 31)) & 0xffffffff)
        a, b, c, d, e = a0, b0, c0, d0, e0
        for i in range(80):
            if i < 20:
                f, k = d ^ (b & (c ^ d)), 0x5A827999
            elif i < 40:
                f, k = b ^ c ^ d, 0x6ED9EBA1
            elif i < 60:
                f, k = (b & c) | (b & d) | (c & d), 0x8F1BBCDC
            else:
                f, k = b ^ c ^ d, 0xCA62C1D6
            a, b, c, d, e = ((((a << 5) | (a >> 27)) & 0xffffffff) + f + e + k + w[i]) & 0xffffffff, a, \
                ((b << 30) | (b >> 2)) & 0xffffffff, c, d
        a0, b0, c0, d0, e0 = ((a0 + a) & 0xffffffff, (b0 + b) & 0xffffffff, (c0 + c) & 0xffffffff,
                              (d0 + d) & 0xffffffff, (e0 + e) & 0xffffffff)
    return a0, b0, c0, d0, e0


def uploadparts(data, slice_size):
    """``uploadparts`` exactly as Sha1Util.get_sha1_by_slice (spec 06 §3): every slice
    but the last carries the running SHA-1 state (words byte-swapped), the last the
    SHA-1 of the whole file."""
    assert slice_size % 64 == 0
    h = (0x67452301, 0xEFCDAB89, 0x98BADCFE, 0x10325476, 0xC3D2E1F0)
    parts = []
    for off in range(0, len(data), slice_size):
        chunk = data[off:off + slice_size]
        if off + len(chunk) < len(data):
            h = _sha1_compress(h, chunk)
            sha = "".join("%08x" % struct.unpack("<I", struct.pack(">I", x))[0] for x in h)
        else:
            sha = sha1hex(data)
        parts.append({"offset": off, "datalen": len(chunk), "datasha": sha})
    return parts


