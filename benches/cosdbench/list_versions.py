"""The `list-versions` workload, run from Python rather than by cosd-bench: a versioned bucket
holding `keys` versions (100 per key) is listed whole with `GET /?versions`, page by page (1000
a page, paging by NextKeyMarker / NextVersionIdMarker), alternating with a plain LIST v2 of as
many objects in an unversioned bucket, over the same connection. Its answer has the shape of a
`cosd-bench run` answer for a list workload (`ms_per_1000_keys` is per 1000 versions), plus
`plain_ms_per_1000_keys` and their ratio `versions_over_plain`. The set-up writes with 16
threads (Python manages about 1.3k PUTs/s here), is not timed, and is skipped when the
buckets already hold enough (the warm-up fills them; the rounds reuse them)."""

import datetime
import hashlib
import hmac
import http.client
import os
import re
import statistics
import threading
import time
import urllib.parse

from .common import ACCESS_KEY, BUCKET, LIST_PREFIX, REGION, SECRET_KEY, BenchError

VBUCKET = "benchv-1250000000"
VPREFIX = "bench-versions"
PER_KEY = 100
PAGE = 1000


def _q(s, safe="-_.~"):
    return urllib.parse.quote(s, safe=safe)


class S3Conn:
    """One keep-alive HTTP connection signing path-style requests with SigV4."""

    def __init__(self, endpoint):
        self.host = endpoint.removeprefix("http://").rstrip("/")
        self.conn = http.client.HTTPConnection(self.host, timeout=120)

    def request(self, method, path, query=(), body=b"", extra=None):
        now = datetime.datetime.now(datetime.timezone.utc)
        amz_date, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
        payload = hashlib.sha256(body).hexdigest()
        uri = _q(path, safe="/-_.~")
        qs = "&".join(f"{_q(k)}={_q(v)}" for k, v in sorted(query))
        headers = {"host": self.host, "x-amz-content-sha256": payload, "x-amz-date": amz_date}
        headers.update(extra or {})
        signed = ";".join(sorted(headers))
        canonical = "\n".join([method, uri, qs] + [f"{k}:{headers[k]}" for k in sorted(headers)]
                              + ["", signed, payload])
        scope = f"{day}/{REGION}/s3/aws4_request"
        to_sign = "\n".join(["AWS4-HMAC-SHA256", amz_date, scope,
                             hashlib.sha256(canonical.encode()).hexdigest()])
        key = ("AWS4" + SECRET_KEY).encode()
        for part in (day, REGION, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        sig = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
        headers["authorization"] = (f"AWS4-HMAC-SHA256 Credential={ACCESS_KEY}/{scope}, "
                                    f"SignedHeaders={signed}, Signature={sig}")
        headers["content-length"] = str(len(body))
        self.conn.request(method, uri + (f"?{qs}" if qs else ""), body=body, headers=headers)
        resp = self.conn.getresponse()
        self.last_headers = {k.lower(): v for k, v in resp.getheaders()}
        return resp.status, resp.read()

    def ok(self, method, path, query=(), body=b"", want=(200,), extra=None):
        status, text = self.request(method, path, query, body, extra)
        if status not in want:
            raise BenchError(f"{method} {path} {dict(query)}: {status} {text[:300]!r}")
        return text


def _tag(text, name):
    m = re.search(rb"<%s>([^<]*)</%s>" % (name, name), text)
    return m.group(1).decode() if m else None


def list_versions(c, prefix):
    """Lists every version under `prefix/`; returns how many there are."""
    n, km, vm = 0, None, None
    while True:
        q = [("versions", ""), ("prefix", f"{prefix}/"), ("max-keys", str(PAGE))]
        if km is not None:
            q += [("key-marker", km), ("version-id-marker", vm or "")]
        text = c.ok("GET", f"/{VBUCKET}", q)
        n += text.count(b"<Version>") + text.count(b"<DeleteMarker>")
        if b"<IsTruncated>true</IsTruncated>" not in text:
            return n
        km, vm = _tag(text, b"NextKeyMarker"), _tag(text, b"NextVersionIdMarker")
        if km is None:
            raise BenchError("a truncated version listing without NextKeyMarker")


def list_plain(c, prefix):
    """Lists every object under `prefix/` (LIST v2, as cosd-bench's `list` does)."""
    n, token = 0, None
    while True:
        q = [("list-type", "2"), ("prefix", f"{prefix}/"), ("max-keys", str(PAGE))]
        if token is not None:
            q.append(("continuation-token", token))
        text = c.ok("GET", f"/{BUCKET}", q)
        n += text.count(b"<Key>")
        token = _tag(text, b"NextContinuationToken")
        if b"<IsTruncated>true</IsTruncated>" not in text or token is None:
            return n


def fill(endpoint, bucket, names, threads=16):
    """PUTs 16-byte bodies to `/{bucket}/{name}` for every name, `threads` at a time."""
    it, lock, errors = iter(names), threading.Lock(), []

    def work():
        c = S3Conn(endpoint)
        while True:
            with lock:
                name = next(it, None)
            if name is None or errors:
                return
            try:
                c.ok("PUT", f"/{bucket}/{name}", body=os.urandom(16))
            except Exception as e:  # noqa: BLE001
                errors.append(e)

    ts = [threading.Thread(target=work) for _ in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    if errors:
        raise BenchError(f"set-up: {errors[0]}")


def cpu_secs(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            fields = f.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None


def run(endpoint, workload, params, server_pid=None, label=None, timeout=None):
    keys = params["keys"]  # versions listed, and plain objects listed
    count, duration = params.get("count", 10), params.get("duration")
    c = S3Conn(endpoint)
    c.ok("PUT", f"/{BUCKET}", want=(200, 409))
    c.ok("PUT", f"/{VBUCKET}", want=(200, 409))
    body = b"<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>"
    c.ok("PUT", f"/{VBUCKET}", [("versioning", "")], body)
    if list_plain(c, LIST_PREFIX) < keys:  # the `list` row's objects, named as it names them
        fill(endpoint, BUCKET, [f"{LIST_PREFIX}/k{i:08}" for i in range(keys)])
    if list_versions(c, VPREFIX) < keys:
        n_keys = max(1, keys // PER_KEY)
        fill(endpoint, VBUCKET, [f"{VPREFIX}/k{k:06}" for _ in range(PER_KEY)
                                 for k in range(n_keys)])
    cpu0 = cpu_secs(server_pid) if server_pid else None
    versions_s, plain_s, errors, seen = [], [], 0, 0
    t_end = time.monotonic() + duration if duration else None
    t0 = time.monotonic()
    for _ in range(count):
        if t_end is not None and versions_s and time.monotonic() >= t_end:
            break
        t = time.monotonic()
        seen = list_versions(c, VPREFIX)
        versions_s.append(time.monotonic() - t)
        errors += seen < keys
        t = time.monotonic()
        plain = list_plain(c, LIST_PREFIX)
        plain_s.append(time.monotonic() - t)
        errors += plain < keys
    secs = time.monotonic() - t0
    cpu1 = cpu_secs(server_pid) if server_pid else None
    # Server CPU of the version listings alone is not separable; this is both listings', so
    # it is apportioned by the time each took.
    share = sum(versions_s) / max(1e-9, sum(versions_s) + sum(plain_s))
    server = (cpu1 - cpu0) * share if cpu0 is not None and cpu1 is not None else None
    v_ms = statistics.median(versions_s) * 1e3 / (seen / 1000) if seen else None
    p_ms = statistics.median(plain_s) * 1e3 / (keys / 1000)
    lat = sorted(int(s * 1e6) for s in versions_s)
    return {
        "workload": workload, "label": label, "concurrency": 1, "size": 16,
        "ops": len(versions_s), "errors": errors, "secs": secs,
        "ops_per_s": len(versions_s) / max(1e-9, sum(versions_s)), "mib_per_s": 0.0,
        "p50_us": lat[len(lat) // 2], "p99_us": lat[-1], "p999_us": lat[-1],
        "client_cpu_s": None, "server_cpu_s": server,
        "server_cpu_us_per_op": server * 1e6 / len(lat) if server is not None else None,
        "server_cpu_s_per_gib": None,
        "versions_listed": seen, "versions_per_key": PER_KEY,
        "ms_per_1000_keys": v_ms,
        "plain_ms_per_1000_keys": p_ms,
        "versions_over_plain": v_ms / p_ms if v_ms and p_ms else None,
    }
