# -*- coding: utf-8 -*-
"""Python 2.7 scenario runner for the legacy COS v4 JSON API tests.

Drives the real ``qcloud_cos_v4`` 0.0.26 SDK (Python 2 only) against a cosd server
and prints ONE JSON object with every SDK return value, so that the Python 3 side
(tests/sdk/test_json_api.py) can assert on them.

    PYTHONPATH=tests/sdk/.py2 python2.7 tests/sdk/v4/driver.py '<json-args>'
    PYTHONPATH=tests/sdk/.py2 python2.7 tests/sdk/v4/driver.py - < args.json

Arguments (a JSON object):
    host, port          the server (the API is reached as http://<host>:<port>/files/v2/...)
    appid               e.g. "1250000000" (the SDK wants an int; converted here)
    secret_id, secret_key
    bucket              the short bucket name (without -<appid>)
    region              only names the download host: cos.<region>.myqcloud.com:<port>
    hostname            optional API host name[:port] instead of <host>:<port>
    sdk_region          optional: the SDK's own host names for this v4 region instead
                        (CosConfig(region=...); every connection goes to <host>:<port>)
    scenario            "steps" (a list of SDK calls, see Runner.run_step) or "sign"
                        (the SDK's own signatures for a pinned time/random, scenario_sign)
    steps               for "steps": [{"call": "<CosClient method>", ...}, ...]
    ...                 scenario-specific fields

Output: {"ok": true, "results": [...], "wire": [...]} where every result is the SDK's
return value of one call (or {"exception": ...} when the SDK raised), and "wire" lists
every HTTP exchange the SDK made (method, url, request headers, status, response
headers) in order, each tagged with the index of the step that made it.

Downloads go to http://<bucket>-<appid>.cos.<region>.myqcloud.com:<port>/<path>?sign=...
exactly as the SDK builds them; a test-side DNS shim (urllib3's create_connection,
which requests uses) connects every host name to the server's address, while the
Host header keeps the virtual-host name the server routes by.
"""

from __future__ import print_function

import base64
import hashlib
import json
import os
import shutil
import sys
import tempfile
import time
import traceback

import requests
import urllib3.util.connection as _u3conn

from qcloud_cos import (CosClient, CosConfig, CreateFolderRequest, DelFileRequest,
                        DelFolderRequest, DownloadFileRequest, DownloadObjectRequest,
                        ListFolderRequest, MoveFileRequest, StatFileRequest,
                        StatFolderRequest, UpdateFileRequest, UpdateFolderRequest,
                        UploadFileFromBufferRequest, UploadFileRequest,
                        UploadSliceFileFromBufferRequest, UploadSliceFileRequest)


# ------------------------------------------------------------------ DNS shim

def install_dns_shim(address, port=None):
    """Every connection urllib3 (and so requests / the SDK) opens goes to ``address``
    (and to ``port`` if given: for the SDK's default host names, which have none),
    whatever the URL's host name; the Host header is untouched."""
    original = _u3conn.create_connection

    def create_connection(addr, *args, **kwargs):
        return original((address, port or addr[1]), *args, **kwargs)

    _u3conn.create_connection = create_connection
    # urllib3.connection binds the module, not the function, but be safe if a version
    # imported the function directly.
    try:
        import urllib3.connection as _c
        if getattr(_c, "create_connection", None) is original:
            _c.create_connection = create_connection
    except ImportError:
        pass


# ------------------------------------------------------------------ data

def gen_data(size, seed):
    """Deterministic pseudo-random bytes (the py3 side computes the same)."""
    out = []
    n = 0
    i = 0
    while n < size:
        block = hashlib.sha256(("%d:%d" % (seed, i)).encode("ascii")).digest()
        out.append(block)
        n += len(block)
        i += 1
    return b"".join(out)[:size]


def data_of(spec):
    """A data spec: {"text": u"..."} (UTF-8), {"b64": "..."}, {"gen": size, "seed": n}."""
    if spec is None:
        return b""
    if "text" in spec:
        return spec["text"].encode("utf-8")
    if "b64" in spec:
        return base64.b64decode(spec["b64"])
    if "gen" in spec:
        return gen_data(int(spec["gen"]), int(spec.get("seed", 0)))
    raise ValueError("bad data spec %r" % (spec,))


def u(s):
    """Text arguments must be ``unicode`` for the SDK's parameter checks."""
    if s is None or isinstance(s, unicode):  # noqa: F821 (py2)
        return s
    return s.decode("utf-8")


# ------------------------------------------------------------------ runner

class Runner(object):
    def __init__(self, args):
        self.args = args
        self.bucket = u(args["bucket"])
        self.appid = int(args["appid"])
        self.host = args.get("host", "127.0.0.1")
        self.port = int(args["port"])
        self.region = args.get("region", "ap-guangzhou")
        self.download_host = args.get("download_hostname") or \
            "cos.%s.myqcloud.com:%d" % (self.region, self.port)
        self.client = CosClient(self.appid, u(args["secret_id"]), u(args["secret_key"]),
                                region=self.region)
        if args.get("sdk_region"):
            # the SDK's own host names for a v4 region (e.g. "gz": gz.file.myqcloud.com and
            # <bucket>-<appid>.cosgz.myqcloud.com, port 80: the DNS shim maps the port too)
            config = CosConfig(region=args["sdk_region"], sign_expired=int(args.get("sign_expired", 300)))
        else:
            config = CosConfig(hostname=args.get("hostname") or "%s:%d" % (self.host, self.port),
                               download_hostname=self.download_host,
                               sign_expired=int(args.get("sign_expired", 300)))
        self.client.set_config(config)
        self.wire = []
        self.step = None
        self.client._http_session.hooks["response"].append(self._record)
        self.tmp = tempfile.mkdtemp(prefix="cosd-v4-")

    def close(self):
        shutil.rmtree(self.tmp, ignore_errors=True)

    def _record(self, resp, *a, **kw):
        req = resp.request
        ctype = resp.headers.get("Content-Type", "")
        entry = {
            "step": self.step,
            "method": req.method,
            "url": req.url,
            "request_headers": dict((k, v) for k, v in req.headers.items()),
            "status": resp.status_code,
            "headers": dict((k, v) for k, v in resp.headers.items()),
        }
        body = req.body
        if isinstance(body, bytes) and len(body) <= 4096:
            entry["request_body_b64"] = base64.b64encode(body).decode("ascii")
        # (a streamed download's body belongs to the SDK; error bodies are read anyway,
        # the SDK only looks at the status then)
        if "json" in ctype.lower() and (not kw.get("stream") or resp.status_code >= 300):
            try:
                entry["body"] = resp.json()
            except Exception:  # noqa: BLE001
                entry["body_text"] = resp.content[:2000].decode("utf-8", "replace")
        elif resp.status_code >= 300:
            entry["body_text"] = resp.content[:1000].decode("utf-8", "replace")
        self.wire.append(entry)

    def local_file(self, data, name="upload.bin"):
        path = os.path.join(self.tmp, "%d-%s" % (len(os.listdir(self.tmp)), name))
        with open(path, "wb") as f:
            f.write(data)
        return path

    def with_pinned_sign(self, plus, step):
        import qcloud_cos.cos_auth as cos_auth

        class Pinned(object):
            def __init__(self, now, rnd):
                self.now, self.rnd = now, rnd

            def time(self):
                return float(self.now)

            def randint(self, a, b):
                return self.rnd

        saved = cos_auth.time, cos_auth.random
        now = int(time.time())
        try:
            for rnd in range(1000000):
                cos_auth.time = cos_auth.random = Pinned(now, rnd)
                sign = cos_auth.Auth(self.client.get_cred()).sign_download(
                    self.bucket, u(step["path"]), self.client.get_config().get_sign_expired())
                if ("+" in sign) == plus:
                    break
            result = self.run_step(step)
        finally:
            cos_auth.time, cos_auth.random = saved
        if isinstance(result, dict):
            result = dict(result, sign=sign)
        return result

    # -------------------------------------------------------------- calls
    def run_step(self, s):
        c = self.client
        b = self.bucket
        call = s["call"]
        path = u(s.get("path"))

        if call == "create_folder":
            return c.create_folder(CreateFolderRequest(b, path, u(s.get("biz_attr", u""))))
        if call == "stat_folder":
            return c.stat_folder(StatFolderRequest(b, path))
        if call == "stat_file":
            return c.stat_file(StatFileRequest(b, path))
        if call == "update_folder":
            return c.update_folder(UpdateFolderRequest(b, path, u(s.get("biz_attr", u""))))
        if call == "del_folder":
            return c.del_folder(DelFolderRequest(b, path))
        if call == "del_file":
            return c.del_file(DelFileRequest(b, path))
        if call == "list_folder":
            return c.list_folder(ListFolderRequest(b, path, int(s.get("num", 199)), u(s.get("prefix", u"")),
                                                   u(s.get("context", u"")), u(s.get("delimiter", u""))))
        if call == "list_all":
            # pages with the returned context until listover (at most max_pages)
            pages = []
            context = u""
            for _ in range(int(s.get("max_pages", 50))):
                ret = c.list_folder(ListFolderRequest(b, path, int(s.get("num", 199)), u(s.get("prefix", u"")),
                                                      context))
                pages.append(ret)
                if ret.get(u"code") != 0 or ret[u"data"].get(u"listover") or not ret[u"data"].get(u"context"):
                    break
                context = ret[u"data"][u"context"]
            return {"pages": pages}
        if call == "update_file":
            req = UpdateFileRequest(b, path)
            if "biz_attr" in s:
                req.set_biz_attr(u(s["biz_attr"]))
            if "authority" in s:
                req.set_authority(u(s["authority"]))
            for name in ("cache_control", "content_type", "content_disposition", "content_language",
                         "content_encoding"):
                if name in s:
                    getattr(req, "set_" + name)(u(s[name]))
            for k, v in sorted((s.get("x_cos_meta") or {}).items()):
                req.set_x_cos_meta(u(k), u(v))
            return c.update_file(req)
        if call in ("upload_file_from_buffer", "upload_single_file_from_buffer"):
            req = UploadFileFromBufferRequest(b, path, data_of(s.get("data")), u(s.get("biz_attr", u"")),
                                              int(s.get("insert_only", 1)))
            return getattr(c, call)(req)
        if call in ("upload_file", "upload_single_file"):
            local = self.local_file(data_of(s.get("data")), s.get("local_name", "upload.bin"))
            req = UploadFileRequest(b, path, u(local), u(s.get("biz_attr", u"")), int(s.get("insert_only", 1)),
                                    bool(s.get("verify_sha1", False)))
            return getattr(c, call)(req)
        if call == "upload_slice_file":
            local = self.local_file(data_of(s.get("data")), s.get("local_name", "slice.bin"))
            req = UploadSliceFileRequest(b, path, u(local), int(s.get("slice_size", 1024 * 1024)),
                                         u(s.get("biz_attr", u"")), bool(s.get("enable_sha1", False)),
                                         int(s.get("max_con", 1)), int(s.get("insert_only", 1)))
            return c.upload_slice_file(req)
        if call == "upload_slice_file_from_buffer":
            req = UploadSliceFileFromBufferRequest(b, path, data_of(s.get("data")),
                                                   int(s.get("slice_size", 1024 * 1024)),
                                                   u(s.get("biz_attr", u"")), bool(s.get("enable_sha1", False)),
                                                   int(s.get("max_con", 1)), int(s.get("insert_only", 1)))
            return c.upload_slice_file_from_buffer(req)
        if call == "move_file":
            return c.move_file(MoveFileRequest(b, path, u(s["dest"]), bool(s.get("overwrite", False))))
        if call in ("download_file", "download_object") and s.get("plus") is not None:
            # The SDK puts its Base64 download signature into the URL without encoding it, so
            # whether the query holds a '+' depends on t and r. Make it deterministic: pin the
            # SDK's clock and random number (its cos_auth module only) to values for which the
            # SDK's own signature does / does not contain a '+'.
            return self.with_pinned_sign(bool(s["plus"]), dict(s, plus=None))
        if call == "download_file":
            local = os.path.join(self.tmp, "download-%d" % len(os.listdir(self.tmp)))
            kw = {}
            if s.get("headers"):
                kw["headers"] = s["headers"]
            ret = c.download_file(DownloadFileRequest(b, path, local, **kw))
            out = dict(ret)
            if ret.get(u"code") == 0 and os.path.exists(local):
                with open(local, "rb") as f:
                    content = f.read()
                out["content_b64"] = base64.b64encode(content).decode("ascii")
                out["content_sha1"] = hashlib.sha1(content).hexdigest()
                out["content_len"] = len(content)
            return out
        if call == "download_object":
            kw = {}
            if s.get("headers"):
                kw["headers"] = s["headers"]
            raw = c.download_object(DownloadObjectRequest(b, path, **kw))
            content = raw.read()
            return {"code": 0, "content_b64": base64.b64encode(content).decode("ascii"),
                    "content_sha1": hashlib.sha1(content).hexdigest(), "content_len": len(content)}
        raise ValueError("unknown call %r" % (call,))


def scenario_steps(runner, args):
    results = []
    for i, s in enumerate(args["steps"]):
        runner.step = i
        try:
            results.append(runner.run_step(s))
        except Exception as e:  # noqa: BLE001 - reported to the py3 side
            results.append({"exception": "%s: %s" % (type(e).__name__, e),
                            "traceback": traceback.format_exc()})
    return results


def scenario_sign(runner, args):
    """The SDK's own signatures (cos_auth.Auth) for ``path`` with the signing time and
    random number pinned to ``now`` / ``rand``: multi (expiring at now + expire),
    once, and download (expire given as a duration, as download_file does)."""
    import random
    import time
    from qcloud_cos import Auth
    now, rand = int(args["now"]), int(args["rand"])
    saved = time.time, random.randint
    time.time = lambda: float(now)
    random.randint = lambda a, b: rand
    try:
        auth = Auth(runner.client.get_cred())
        path = u(args["path"])
        return {"multi": auth.sign_more(runner.bucket, path, now + int(args.get("expire", 300))),
                "once": auth.sign_once(runner.bucket, path),
                "download": auth.sign_download(runner.bucket, path, int(args.get("expire", 300)))}
    finally:
        time.time, random.randint = saved


SCENARIOS = {
    "steps": scenario_steps,
    "sign": scenario_sign,
}


def main():
    raw = sys.argv[1] if len(sys.argv) > 1 else "-"
    if raw == "-":
        raw = sys.stdin.read()
    args = json.loads(raw)
    install_dns_shim(args.get("connect_host", args.get("host", "127.0.0.1")),
                     int(args["port"]) if args.get("sdk_region") else None)
    runner = Runner(args)
    try:
        results = SCENARIOS[args.get("scenario", "steps")](runner, args)
    finally:
        runner.close()
    out = {"ok": True, "results": results, "wire": runner.wire,
           "versions": {"requests": requests.__version__, "python": sys.version.split()[0]}}
    sys.stdout.write(json.dumps(out))
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
