"""Proof in a real browser (issue 9): Debian's Chromium (``/usr/bin/chromium``), driven headless
by ``playwright-core`` (``tests/browser/run.js``), runs the three upload flows of seed 002
"Practice of Direct Transfer for Web End" against cosd, from a page on another origin:

* AJAX PUT: ``PUT`` Object with an ``Authorization`` computed by the backend with a temporary
  key (``x-cos-security-token``), which needs a CORS preflight;
* AJAX POST: ``POST`` Object with ``FormData`` (key, x-cos-security-token, q-sign-algorithm,
  q-ak, q-key-time, q-signature, policy, Content-Type, file last), the policy signed by the
  backend with a temporary key (shared/spec/04-post-object.md §2);
* the plain HTML ``<form>`` posted into a hidden iframe with ``success_action_redirect`` back to
  ``empty.html`` on the page's origin.

The page (``tests/browser/page.html``) and its signing backend (``/put-sign``, ``/post-policy``,
as the seed's demo server ``cos-demo/server/upload-sign``) are served by this module on
``http://127.0.0.1:<port>``; the browser reaches the bucket by its real host name
``<bucket>.cos.ap-guangzhou.myqcloud.com:<cosd port>`` (every ``*.myqcloud.com`` name resolves
to 127.0.0.1 in the browser). Temporary keys come from cosd's STS endpoint through
``qcloud-python-sts``, each scoped to the one key the backend chose.

Runs: with the bucket's CORS rule (seed 002 "Setting Cross-Origin Resource Sharing" /
"Preparations": the page origin, PUT GET POST DELETE HEAD, headers ``*``, expose ``ETag``,
max-age 5) all three flows succeed; without it the browser refuses both AJAX uploads while the
form (a navigation, not subject to CORS) still works; with a ``content-length-range`` smaller
than the file (seed 002 "Restricting Uploaded File Size and Type") both POST uploads are refused
with ``EntityTooLarge``. Last, a single-page app deployed to a bucket with static website
hosting answers a deep link with 200 and its router renders the route.

The assertions are on the text the pages show (``run.js`` reports it); the uploaded objects are
checked through cos-python-sdk-v5. Screenshots of every step go to ``$COSD_BROWSER_ARTIFACTS``
(or the test's temporary directory). Skipped only without ``/usr/bin/chromium``, node, or the
``playwright-core`` package in ``tests/browser/node_modules`` (``scripts/prereqs.sh`` installs
all three).
"""

import base64
import datetime
import hashlib
import hmac
import http.server
import json
import os
import re
import shutil
import struct
import subprocess
import threading
import time
import uuid
import zlib
from urllib.parse import parse_qs, quote, unquote, urlsplit

import pytest
from qcloud_cos.cos_exception import CosServiceError
from sts.sts import Sts

import cosd_harness as H
from cosd_harness import cos_resource, policy_doc, stmt

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BROWSER_DIR = os.path.join(REPO, "tests", "browser")
RUN_JS = os.path.join(BROWSER_DIR, "run.js")
CHROMIUM = os.environ.get("COSD_CHROMIUM", "/usr/bin/chromium")
NODE_TIMEOUT = 180

CORS_FAILED = "Upload failed. Please check if the CORS cross-domain rules are configured properly"


# ------------------------------------------------------------------ prerequisites

@pytest.fixture(scope="module")
def node():
    """The node binary, once Chromium and playwright-core are known to be there; else skip."""
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.skip("%s is not installed (Debian package chromium; scripts/prereqs.sh installs it)"
                    % CHROMIUM)
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (scripts/prereqs.sh installs nodejs)")
    probe = subprocess.run([node, "-e", "require.resolve('playwright-core')"], cwd=BROWSER_DIR,
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True,
                           timeout=60)
    if probe.returncode != 0:
        why = [l.strip() for l in probe.stderr.splitlines() if "Cannot find module" in l][:1]
        pytest.skip("playwright-core is not installed in tests/browser (run `npm ci` there, or "
                    "scripts/prereqs.sh ensure_node_env): %s" % (why or probe.stderr.strip()[-300:]))
    return node


@pytest.fixture(scope="module")
def artifacts(tmp_path_factory):
    """Where the screenshots go: $COSD_BROWSER_ARTIFACTS (kept) or a pytest temp dir."""
    explicit = os.environ.get("COSD_BROWSER_ARTIFACTS")
    if explicit:
        os.makedirs(explicit, exist_ok=True)
        return explicit
    return str(tmp_path_factory.mktemp("browser-screenshots"))


def run_browser(node, plan):
    """Runs tests/browser/run.js with ``plan``; returns the JSON it prints."""
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env["PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD"] = "1"
    env["COSD_CHROMIUM"] = CHROMIUM
    p = subprocess.run([node, RUN_JS, json.dumps(plan)], cwd=BROWSER_DIR, env=env,
                       stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       universal_newlines=True, timeout=NODE_TIMEOUT)
    assert p.returncode == 0, "run.js failed (%d):\nstdout:\n%s\nstderr:\n%s" % (
        p.returncode, p.stdout, p.stderr)
    return json.loads(p.stdout)


# ------------------------------------------------------------------ the file a user picks

def png_bytes(width=160, height=120, seed=b"cosd"):
    """A real PNG (8-bit RGB) with pseudo-random pixels: binary content that hardly compresses,
    so the upload is close to width*height*3 bytes."""
    rows = bytearray()
    block = hashlib.sha256(seed).digest()
    stream = bytearray()
    while len(stream) < width * height * 3:
        block = hashlib.sha256(block).digest()
        stream += block
    for y in range(height):
        rows.append(0)  # filter: none
        rows += stream[y * width * 3:(y + 1) * width * 3]

    def chunk(kind, data):
        return (struct.pack(">I", len(data)) + kind + data
                + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff))

    return (b"\x89PNG\r\n\x1a\n"
            + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
            + chunk(b"IEND", b""))


@pytest.fixture(scope="module")
def upload_file(tmp_path_factory):
    """(path, bytes) of the picture the user uploads: photo.png, about 920 KB (much larger than
    the 10 KiB limit of the content-length-range run, so cosd refuses it while the browser is
    still sending)."""
    data = png_bytes(640, 480)
    path = tmp_path_factory.mktemp("browser-upload") / "photo.png"
    path.write_bytes(data)
    return str(path), data


# ------------------------------------------------------------------ the page's origin

def q_sign_put(secret_id, secret_key, key, cos_host, now=None):
    """The Authorization of a PUT Object signing only ``host``: the seed's demo server
    (``calcPutSign``), spec 01 §2. ``cos_host`` is the Host header the browser sends."""
    now = int(now if now is not None else time.time()) - 1
    key_time = "%d;%d" % (now, now + 900)
    sign_key = hmac.new(secret_key.encode(), key_time.encode(), hashlib.sha1).hexdigest()
    headers = "host=" + _enc(cos_host)
    http_string = "\n".join(["put", "/" + key, "", headers, ""])
    string_to_sign = "\n".join(["sha1", key_time, hashlib.sha1(http_string.encode()).hexdigest(), ""])
    signature = hmac.new(sign_key.encode(), string_to_sign.encode(), hashlib.sha1).hexdigest()
    return "&".join(["q-sign-algorithm=sha1", "q-ak=" + secret_id, "q-sign-time=" + key_time,
                     "q-key-time=" + key_time, "q-header-list=host", "q-url-param-list=",
                     "q-signature=" + signature])


def _enc(s):
    """spec 01 §2 E(s)."""
    return quote(s, safe="-_.~")


def post_signature(secret_key, key_time, policy_json):
    """spec 04 §2: hex(HMAC-SHA1(hex(HMAC-SHA1(SecretKey, KeyTime)), hex(SHA1(policy JSON))))."""
    sign_key = hmac.new(secret_key.encode(), key_time.encode(), hashlib.sha1).hexdigest()
    return hmac.new(sign_key.encode(), hashlib.sha1(policy_json.encode()).hexdigest().encode(),
                    hashlib.sha1).hexdigest()


def test_post_signature_matches_spec_vector():
    """The backend's POST policy signature is the one of shared/spec/04-post-object.md §2."""
    policy = ('{"expiration":"2023-11-14T22:28:20.000Z","conditions":[{"q-sign-algorithm":"sha1"},'
              '{"q-ak":"AKIDEXAMPLE"},{"q-sign-time":"1700000000;1700000900"},'
              '{"bucket":"examplebucket-1250000000"},{"key":"uploads/a.txt"},'
              '["content-length-range",1,1048576],["starts-with","$Content-Type","text/"]]}')
    assert post_signature("SECRETEXAMPLE", "1700000000;1700000900", policy) == \
        "7b8a2b9227608138225683fc3315e357934c28c2"


class SigningBackend(object):
    """The web page's own server (another origin than cosd): serves page.html and empty.html
    and signs uploads like the seed's demo server, each time with a fresh temporary key from
    cosd's STS allowed to upload exactly the key it chose. ``max_size`` adds
    ``["content-length-range", 1, max_size]`` to the POST policies."""

    def __init__(self, server, bucket):
        self.server = server
        self.bucket = bucket
        self.cos_host = "%s.cos.%s.myqcloud.com:%d" % (bucket, server.region, server.port)
        self.max_size = None
        self.issued = []      # (endpoint, key, q-ak)
        self.errors = []
        self.httpd = None
        self.port = None

    @property
    def origin(self):
        return "http://127.0.0.1:%d" % self.port

    @property
    def page_url(self):
        return self.origin + "/page.html"

    def issued_keys(self, endpoint):
        return [k for e, k, _ in self.issued if e == endpoint]

    # -------------------------------------------------------------- signing
    def new_key(self, ext):
        ymd = datetime.date.today().strftime("%Y%m%d")
        return "file/%s/%s_%s%s" % (ymd, ymd, uuid.uuid4().hex[:8], "." + ext if ext else "")

    def temp_key(self, action, key):
        policy = policy_doc(stmt("allow", action, cos_resource(self.bucket, key)))
        r = Sts({"secret_id": self.server.secret_id, "secret_key": self.server.secret_key,
                 "duration_seconds": 1800, "policy": policy, "region": self.server.region,
                 "url": self.server.base_url + "/"}).get_credential()
        return r["credentials"]

    def put_sign(self, ext):
        key = self.new_key(ext)
        c = self.temp_key("name/cos:PutObject", key)
        self.issued.append(("put-sign", key, c["tmpSecretId"]))
        return {"cosHost": self.cos_host, "cosKey": key,
                "authorization": q_sign_put(c["tmpSecretId"], c["tmpSecretKey"], key, self.cos_host),
                "sessionToken": c["sessionToken"]}

    def post_policy(self, ext):
        key = self.new_key(ext)
        c = self.temp_key("name/cos:PostObject", key)
        self.issued.append(("post-policy", key, c["tmpSecretId"]))
        now = int(time.time())
        exp = now + 900
        key_time = "%d;%d" % (now, exp)
        conditions = []
        if self.max_size is not None:
            conditions.append(["content-length-range", 1, self.max_size])
        conditions += [{"q-sign-algorithm": "sha1"}, {"q-ak": c["tmpSecretId"]},
                       {"q-sign-time": key_time}, {"bucket": self.bucket}, {"key": key}]
        expiration = datetime.datetime.fromtimestamp(exp, datetime.timezone.utc)
        policy = json.dumps({"expiration": expiration.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
                             "conditions": conditions}, separators=(",", ":"))
        return {"cosHost": self.cos_host, "cosKey": key,
                "policy": base64.b64encode(policy.encode()).decode(),
                "qSignAlgorithm": "sha1", "qAk": c["tmpSecretId"], "qKeyTime": key_time,
                "qSignature": post_signature(c["tmpSecretKey"], key_time, policy),
                "sessionToken": c["sessionToken"]}

    # -------------------------------------------------------------- serving
    def start(self):
        backend = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def send(self, status, body, ctype):
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(body)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self):
                u = urlsplit(self.path)
                ext = parse_qs(u.query).get("ext", [""])[0]
                try:
                    if u.path in ("/", "/page.html", "/empty.html"):
                        name = "empty.html" if u.path == "/empty.html" else "page.html"
                        with open(os.path.join(BROWSER_DIR, name), "rb") as f:
                            self.send(200, f.read(), "text/html; charset=utf-8")
                    elif u.path == "/put-sign":
                        self.send(200, json.dumps(backend.put_sign(ext)).encode(), "application/json")
                    elif u.path == "/post-policy":
                        self.send(200, json.dumps(backend.post_policy(ext)).encode(), "application/json")
                    else:
                        self.send(404, b'{"code":-1,"message":"404 Not Found"}', "application/json")
                except Exception as e:  # reported by the page and by the test
                    backend.errors.append("%s: %r" % (self.path, e))
                    self.send(500, json.dumps({"code": -1, "message": repr(e)}).encode(),
                              "application/json")

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def stop(self):
        if self.httpd is not None:
            self.httpd.shutdown()
            self.httpd.server_close()


@pytest.fixture(scope="module")
def web_bucket(cosd, client):
    name = H.unique_bucket("web")
    client.create_bucket(Bucket=name)
    yield name
    H.destroy_bucket(client, name)


@pytest.fixture(scope="module")
def backend(cosd, web_bucket):
    b = SigningBackend(cosd, web_bucket).start()
    yield b
    b.stop()


def put_cors(client, bucket, origin):
    """The rule of seed 002 "Practice of Direct Transfer for Web End", Preparations 2."""
    client.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRule": [{
        "ID": "web-direct-upload",
        "AllowedOrigin": [origin],
        "AllowedMethod": ["PUT", "GET", "POST", "DELETE", "HEAD"],
        "AllowedHeader": ["*"],
        "ExposeHeader": ["ETag"],
        "MaxAgeSeconds": 5,
    }]})


def upload_plan(backend, upload_file, artifacts, label, flows=("put", "post", "form")):
    return {"mode": "upload", "pageUrl": backend.page_url, "file": upload_file[0],
            "flows": list(flows), "shotDir": artifacts, "label": label}


# ------------------------------------------------------------------ reading the page

SUCCESS = re.compile(r"^Upload successfully, ETag=(?P<etag>\S+), url=(?P<url>\S+)$")


def success(flow):
    """(etag, key) from a flow's 'Upload successfully, ETag=..., url=...' message."""
    text = (flow.get("text") or "").strip()
    m = SUCCESS.match(text)
    assert m, "the page did not show a successful upload: %r (driver: %r)" % (text, flow)
    return m.group("etag"), m.group("url")


def key_of(backend, url):
    u = urlsplit(url)
    assert u.scheme == "http" and u.netloc == backend.cos_host, url
    return unquote(u.path[1:])


def stored(client, bucket, key):
    """(bytes, Content-Type) of the object, or None when it does not exist."""
    try:
        r = client.get_object(Bucket=bucket, Key=key)
    except CosServiceError as e:
        assert e.get_status_code() == 404, e
        return None
    return H.read_body(r), r.get("Content-Type")


def shots_exist(result):
    for flow in result["flows"].values():
        assert os.path.getsize(flow["screenshot"]) > 1000, flow["screenshot"]


def blocked_by_cors(result, url):
    """The browser's own console verdict on a request to exactly ``url`` ("Access to
    XMLHttpRequest at '<url>' from origin '<page origin>' has been blocked by CORS policy: ...")."""
    return [m["text"] for m in result["console"]
            if "blocked by CORS policy" in m["text"] and ("at '%s'" % url) in m["text"]]


# ------------------------------------------------------------------ the tests

def test_web_uploads_with_cors(node, cosd, client, web_bucket, backend, upload_file, artifacts):
    """With the CORS rule, Chromium completes all three flows; the page shows each upload's
    ETag (the PUT's and the AJAX POST's read through Access-Control-Expose-Headers, the form's
    from the redirect's query), and the objects hold the file's bytes."""
    put_cors(client, web_bucket, backend.origin)
    backend.max_size = None
    path, data = upload_file
    etag = H.etag_of(data)

    r = run_browser(node, upload_plan(backend, upload_file, artifacts, "1-cors"))
    assert r["pageStatus"] == 200
    shots_exist(r)
    assert not backend.errors, backend.errors

    # AJAX PUT
    put_etag, put_url = success(r["flows"]["put"])
    assert put_etag == etag
    put_key = key_of(backend, put_url)
    assert put_key in backend.issued_keys("put-sign")
    assert stored(client, web_bucket, put_key) == (data, "image/png")

    # AJAX POST (FormData; the form field Content-Type is the file's type)
    post_etag, post_url = success(r["flows"]["post"])
    assert post_etag == etag
    post_key = key_of(backend, post_url)
    assert post_key in backend.issued_keys("post-policy")
    assert stored(client, web_bucket, post_key) == (data, "image/png")

    # the plain form: 303 to empty.html?bucket=&key=&etag= on the page's origin
    form = r["flows"]["form"]
    form_etag, form_url = success(form)
    assert form_etag == etag
    form_key = key_of(backend, form_url)
    assert form_key in backend.issued_keys("post-policy")
    assert form["frameUrl"].startswith(backend.origin + "/empty.html?"), form
    redirect = parse_qs(form["redirectText"].split("Redirected with: ", 1)[1])
    assert redirect == {"bucket": [web_bucket], "key": [form_key], "etag": [etag]}, form
    body, _ = stored(client, web_bucket, form_key)
    assert body == data

    assert len({put_key, post_key, form_key}) == 3
    assert not [m for m in r["console"] if "blocked by CORS policy" in m["text"]], r["console"]


def test_web_uploads_without_cors_fail_in_browser(node, cosd, client, web_bucket, backend,
                                                  upload_file, artifacts):
    """Without a CORS rule the browser refuses both AJAX uploads and the page shows the seed's
    CORS message. Both are preflighted: the PUT for its Authorization and x-cos-security-token
    headers, the POST (a "simple" multipart/form-data request otherwise) because the seed's
    page listens to ``xhr.upload.onprogress``, which makes the browser preflight (Fetch
    standard, "use-CORS-preflight flag"). cosd refuses the preflights (403, no rule), so neither
    request is sent and nothing is stored. The plain form is a navigation, not subject to CORS,
    and still succeeds."""
    client.delete_bucket_cors(Bucket=web_bucket)
    backend.max_size = None
    path, data = upload_file

    r = run_browser(node, upload_plan(backend, upload_file, artifacts, "2-no-cors"))
    shots_exist(r)
    assert not backend.errors, backend.errors

    put_text = r["flows"]["put"]["text"]
    m = re.match(r"^File (\S+) " + re.escape(CORS_FAILED) + "$", put_text)
    assert m, put_text
    put_key = m.group(1)
    assert put_key in backend.issued_keys("put-sign")
    assert stored(client, web_bucket, put_key) is None
    put_url = "http://%s/%s" % (backend.cos_host, put_key)
    verdict = blocked_by_cors(r, put_url)
    assert verdict and "Response to preflight request" in verdict[0], r["console"]

    post_text = r["flows"]["post"]["text"]
    m = re.match(r"^File (\S+) " + re.escape(CORS_FAILED) + "$", post_text)
    assert m, post_text
    post_key = m.group(1)
    assert post_key in backend.issued_keys("post-policy")
    verdict = blocked_by_cors(r, "http://%s/" % backend.cos_host)
    assert verdict and "Response to preflight request" in verdict[0], r["console"]
    assert stored(client, web_bucket, post_key) is None

    form_etag, form_url = success(r["flows"]["form"])
    assert form_etag == H.etag_of(data)
    body, _ = stored(client, web_bucket, key_of(backend, form_url))
    assert body == data


def test_post_policy_content_length_range_smaller_than_file(node, cosd, client, web_bucket, backend,
                                                            upload_file, artifacts):
    """With ``["content-length-range", 1, <less than the file>]`` in the policy (seed 002
    "Restricting Uploaded File Size and Type", Example 1) both POST uploads are refused with
    400 EntityTooLarge: the AJAX page reads the code (the CORS rule covers errors too), the
    form's frame shows COS's error document (another origin: the page can only say it failed).
    Nothing is stored."""
    put_cors(client, web_bucket, backend.origin)
    path, data = upload_file
    backend.max_size = 10 * 1024
    assert len(data) > backend.max_size
    try:
        r = run_browser(node, upload_plan(backend, upload_file, artifacts, "3-too-large",
                                          flows=("post", "form")))
    finally:
        backend.max_size = None
    shots_exist(r)
    assert not backend.errors, backend.errors

    post_text = r["flows"]["post"]["text"]
    m = re.match(r"^file (\S+) Upload failed, status code: 400, EntityTooLarge$", post_text)
    assert m, post_text
    assert m.group(1) in backend.issued_keys("post-policy")
    assert stored(client, web_bucket, m.group(1)) is None

    form = r["flows"]["form"]
    m = re.match(r"^file (\S+) Upload failed!$", form["text"])
    assert m, form
    assert m.group(1) in backend.issued_keys("post-policy")
    assert "EntityTooLarge" in form["frameText"], form
    assert form["frameUrl"].startswith("http://%s/" % backend.cos_host), form
    assert stored(client, web_bucket, m.group(1)) is None


# ------------------------------------------------------------------ static website (SPA)

SPA_DIR = os.path.join(BROWSER_DIR, "spa")


def test_spa_deep_link_on_website_endpoint(node, cosd, client, bucket, artifacts):
    """A single-page app in a public-read bucket with IndexDocument and ErrorDocument
    index.html, the error document answered with 200 (OriginalHttpStatus Disabled; seed 002
    "Building a Frontend Single-Page Application", FAQ "How do I make the HTTP status code
    200?"): a deep link on the website endpoint answers 200 with index.html, whose router
    (/assets/app.js, loaded by absolute path) renders the route; an in-app link and a reload
    of it work too."""
    for key, ctype in (("index.html", "text/html; charset=utf-8"),
                       ("assets/app.js", "application/javascript")):
        with open(os.path.join(SPA_DIR, key), "rb") as f:
            client.put_object(Bucket=bucket, Key=key, Body=f.read(), ContentType=ctype)
    client.put_bucket_acl(Bucket=bucket, ACL="public-read")
    client.put_bucket_website(Bucket=bucket, WebsiteConfiguration={
        "IndexDocument": {"Suffix": "index.html"},
        "ErrorDocument": {"Key": "index.html", "OriginalHttpStatus": "Disabled"},
    })
    base = "http://%s.cos-website.%s.myqcloud.com:%d" % (bucket, cosd.region, cosd.port)
    r = run_browser(node, {"mode": "spa", "url": base + "/app/settings/profile",
                           "shotDir": artifacts, "label": "4-spa"})
    steps = {s["step"]: s for s in r["steps"]}

    deep = steps["deep-link"]
    assert deep.get("error") is None, deep
    assert deep["status"] == 200, deep
    assert deep["url"] == base + "/app/settings/profile", deep
    assert (deep["contentType"] or "").startswith("text/html"), deep
    assert "Profile settings" in deep["text"] and "Route: /app/settings/profile" in deep["text"], deep

    in_app = steps["in-app"]
    assert in_app["url"] == base + "/about" and "Route: /about" in in_app["text"], in_app

    again = steps["reload"]
    assert again.get("error") is None, again
    assert again["status"] == 200, again
    assert "About" in again["text"] and "Route: /about" in again["text"], again
    for s in r["steps"]:
        assert os.path.getsize(s["screenshot"]) > 1000, s
    assert not [m for m in r["console"] if m["type"] in ("error", "pageerror")], r["console"]
