"""Helpers shared by the cosd SDK integration tests.

Starts/stops a ``cosd`` server process, builds ``qcloud_cos`` clients exactly as
documented in spec 02 §2 ("Python — virtual-host semantics via Host header"),
and provides a few small utilities (CRC64 as the SDK computes it, raw-request
error parsing, response recording).
"""

import hashlib
import os
import signal
import socket
import subprocess
import time
import uuid
import xml.etree.ElementTree as ET

import crcmod
import requests
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosServiceError

APPID = "1250000000"
REGION = "ap-guangzhou"
ROOT_SECRET_ID = "AKIDcosdTESTROOT0000000000000000000"
ROOT_SECRET_KEY = "cosdTestRootSecretKey000000000000"
HEALTH_TIMEOUT = 20.0

# Every server started by this process, so conftest can attach log tails to
# failing test reports.
RUNNING_SERVERS = []


def cosd_bin():
    explicit = os.environ.get("COSD_BIN")
    if explicit:
        return explicit
    target = os.environ.get("CARGO_TARGET_DIR", "/root/.cache/cosd-target")
    return os.path.join(target, "release", "cosd")


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_env(extra=None):
    env = dict(os.environ)
    env.update(extra or {})
    # No HTTPS listener unless the test asks for one (COSD_TLS_LISTEN in ``extra``): the default
    # address (127.0.0.1:9443) would collide between servers running side by side.
    env["COSD_TLS_LISTEN"] = (extra or {}).get("COSD_TLS_LISTEN", "")
    env["COSD_ROOT_SECRET_ID"] = ROOT_SECRET_ID
    env["COSD_ROOT_SECRET_KEY"] = ROOT_SECRET_KEY
    env.setdefault("NO_COLOR", "1")   # plain-text log file
    return env


class CosdServer(object):
    """One ``cosd serve`` process on 127.0.0.1:<port> with its own data dir."""

    def __init__(self, data_dir, log_path, binary=None, extra_env=None):
        self.binary = binary or cosd_bin()
        self.extra_env = dict(extra_env or {})
        self.data_dir = str(data_dir)
        self.log_path = str(log_path)
        self.host = "127.0.0.1"
        self.port = None
        self.proc = None
        self.appid = APPID
        self.region = REGION
        self.secret_id = ROOT_SECRET_ID
        self.secret_key = ROOT_SECRET_KEY

    # ------------------------------------------------------------ lifecycle
    def start(self, port=None):
        if not os.path.exists(self.binary):
            raise RuntimeError(
                "cosd binary not found at %s (set COSD_BIN or CARGO_TARGET_DIR)" % self.binary)
        os.makedirs(self.data_dir, exist_ok=True)
        self.port = port or free_port()
        logf = open(self.log_path, "ab")
        logf.write(("\n===== cosd serve on %s:%d (data dir %s) =====\n"
                    % (self.host, self.port, self.data_dir)).encode())
        logf.flush()
        try:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--listen", "%s:%d" % (self.host, self.port),
                 "--data-dir", self.data_dir],
                env=server_env(self.extra_env), stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
        finally:
            logf.close()
        if self not in RUNNING_SERVERS:
            RUNNING_SERVERS.append(self)
        self.wait_healthy()
        return self

    def wait_healthy(self, timeout=HEALTH_TIMEOUT):
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                raise RuntimeError("cosd exited with status %s before becoming healthy; log tail:\n%s"
                                   % (rc, self.log_tail()))
            try:
                r = requests.get("%s/_cosd/health" % self.base_url, timeout=2)
                if r.status_code == 200:
                    return
                last = "HTTP %d: %r" % (r.status_code, r.text[:200])
            except requests.RequestException as e:
                last = repr(e)
            time.sleep(0.1)
        self.kill()
        raise RuntimeError("cosd did not answer /_cosd/health with 200 within %.0fs (last: %s); log tail:\n%s"
                           % (timeout, last, self.log_tail()))

    def stop(self, timeout=20.0):
        """SIGTERM, then wait. Returns the exit status (SIGKILL after timeout)."""
        if self.proc is None or self.proc.poll() is not None:
            return None if self.proc is None else self.proc.returncode
        self.proc.send_signal(signal.SIGTERM)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(10)
            raise RuntimeError("cosd did not exit within %.0fs of SIGTERM; killed. log tail:\n%s"
                               % (timeout, self.log_tail()))

    def kill(self):
        """SIGKILL (kill -9) and reap."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)

    @property
    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def log_tail(self, lines=60):
        try:
            with open(self.log_path, "rb") as f:
                data = f.read()
        except OSError:
            return "<no log>"
        return "\n".join(data.decode("utf-8", "replace").splitlines()[-lines:])

    # -------------------------------------------------------------- helpers
    @property
    def base_url(self):
        return "http://%s:%d" % (self.host, self.port)

    def vhost(self, bucket):
        """Virtual-host Host header the SDK sends for ``bucket``."""
        return "%s.cos.%s.myqcloud.com" % (bucket, self.region)

    def config(self, secret_id=None, secret_key=None, **overrides):
        kw = dict(Region=self.region,
                  SecretId=secret_id or self.secret_id,
                  SecretKey=secret_key or self.secret_key,
                  Scheme="http",
                  IP=self.host, Port=self.port,
                  ServiceDomain="%s:%d" % (self.host, self.port))
        kw.update(overrides)
        return CosConfig(**kw)

    def client(self, secret_id=None, secret_key=None, retry=1, session=None, **overrides):
        return CosS3Client(self.config(secret_id, secret_key, **overrides), retry=retry, session=session)

    def path_style_client(self, bucket, retry=1, session=None):
        """Spec 02 §2 'path-style via Domain (one client per bucket)'. It signs only /<key>,
        which cosd refuses: such a signature would be good in every bucket (docs/signatures.md)."""
        cfg = CosConfig(Region=self.region, SecretId=self.secret_id, SecretKey=self.secret_key,
                        Scheme="http", Domain="%s:%d/%s" % (self.host, self.port, bucket))
        return CosS3Client(cfg, retry=retry, session=session)

    def root_path_client(self, retry=1, session=None):
        """Domain='127.0.0.1:port' with no bucket: object calls with Key='<bucket>/<key>' are
        path-style requests signed over the whole path, which binds the bucket."""
        cfg = CosConfig(Region=self.region, SecretId=self.secret_id, SecretKey=self.secret_key,
                        Scheme="http", Domain="%s:%d" % (self.host, self.port))
        return CosS3Client(cfg, retry=retry, session=session)

    def presign_client(self):
        """Client WITHOUT IP mode, used only to build presigned URLs that name
        the real COS host (IP mode would put 127.0.0.1 into the URL and sign it)."""
        cfg = CosConfig(Region=self.region, SecretId=self.secret_id, SecretKey=self.secret_key,
                        Scheme="http")
        return CosS3Client(cfg, retry=0)

    def run_cli(self, *args, timeout=120):
        return subprocess.run([self.binary] + list(args), env=server_env(self.extra_env), stdin=subprocess.DEVNULL,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)


def signed_request(server, method, host, key=None, params=None, headers=None, data=None, path_prefix=""):
    """A raw request signed exactly like the SDK signs it (CosS3Auth), for
    requests the SDK cannot express. ``key`` None means a bucket-level op (/)."""
    from urllib.parse import quote
    from qcloud_cos.cos_auth import CosS3Auth
    params = dict(params or {})
    hdrs = dict(headers or {})
    hdrs["Host"] = host
    url = server.base_url + path_prefix + "/" + (quote(key.encode("utf-8"), safe="/-_.~") if key else "")
    auth = CosS3Auth(server.config(), key, params=params)
    return requests.request(method, url, params=params, headers=hdrs, data=data, auth=auth, timeout=30)


class RecordingClient(object):
    """A CosS3Client on a private requests.Session whose responses are recorded,
    so tests can look at status codes / raw headers the SDK does not expose."""

    def __init__(self, server, **kw):
        self.session = requests.Session()
        self.responses = []
        self.session.hooks["response"].append(self._record)
        self.client = server.client(session=self.session, **kw)

    def _record(self, resp, *args, **kwargs):
        self.responses.append(resp)

    @property
    def last(self):
        assert self.responses, "no HTTP response was recorded"
        return self.responses[-1]

    def clear(self):
        del self.responses[:]


# ---------------------------------------------------------------- checksums

# Exactly the function the SDK builds in
# qcloud_cos/resumable_downloader.py ResumableDownLoader.__check_crc (the only
# CRC64 helper in cos-python-sdk-v5 1.9.44; it is not exported separately).
_sdk_crc64 = crcmod.mkCrcFun(0x142F0E1EBA9EA3693, initCrc=0, xorOut=0xffffffffffffffff, rev=True)


def crc64(data):
    """x-cos-hash-crc64ecma value as the SDK formats it (decimal string)."""
    return str(_sdk_crc64(data))


def md5hex(data):
    return hashlib.md5(data).hexdigest()


def etag_of(data):
    return '"%s"' % md5hex(data)


# -------------------------------------------------------------------- misc

def unique_bucket(prefix="sdk"):
    # BucketName part kept short: <bucket>-<appid>.cos.<region>.myqcloud.com must
    # stay within the 60-character COS limit.
    return "%s-%s-%s" % (prefix, uuid.uuid4().hex[:10], APPID)


def read_body(resp):
    """Read the whole body of a get_object() result (SDK StreamBody)."""
    return resp["Body"].get_raw_stream().read()


def status_of(resp):
    """HTTP status of a get_object() result."""
    return resp["Body"]._rt.status_code


def hget(headers, name):
    """Case-insensitive lookup in a plain header dict; None when absent."""
    for k, v in headers.items():
        if k.lower() == name.lower():
            return v
    return None


def parse_error_xml(body):
    """Parse a COS <Error> body into a dict (Code, Message, Resource, RequestId, TraceId)."""
    root = ET.fromstring(body)
    assert root.tag.split("}")[-1] == "Error", body
    out = {}
    for child in root:
        out[child.tag.split("}")[-1]] = child.text or ""
    return out


def empty_bucket(client, bucket):
    marker = ""
    while True:
        rt = client.list_objects(Bucket=bucket, Marker=marker, MaxKeys=1000)
        keys = [c["Key"] for c in rt.get("Contents", [])]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={
                "Object": [{"Key": k} for k in keys], "Quiet": "true"})
        if rt.get("IsTruncated") != "true":
            break
        marker = rt.get("NextMarker") or keys[-1]


def destroy_bucket(client, bucket):
    """Best-effort: delete every object, then the bucket."""
    try:
        empty_bucket(client, bucket)
    except Exception:  # best effort
        pass
    try:
        client.delete_bucket(Bucket=bucket)
    except Exception:  # best effort
        pass


# ------------------------------------------------------------ access control
# (test_access.py / test_s3_access.py; contract: docs/access-control.md)

ROOT_UIN = "100000000001"
ALL_USERS_URI = "http://cam.qcloud.com/groups/global/AllUsers"
ANYONE = "qcs::cam::anyone:anyone"


def principal(uin, root_uin=ROOT_UIN):
    """CAM principal of a (sub-)account: qcs::cam::uin/<root>:uin/<uin>."""
    return "qcs::cam::uin/%s:uin/%s" % (root_uin, uin)


def unique_uin():
    """A random 12-digit sub-account uin starting with 2 (never a root uin)."""
    import random
    return "2" + "%011d" % random.randrange(10 ** 11)


def unique_secret_pair():
    return ("AKIDsub" + uuid.uuid4().hex[:29], "sk" + uuid.uuid4().hex)


def cos_resource(bucket, key="", region=REGION, appid=APPID):
    """qcs::cos:<region>:uid/<appid>:<bucket>/<key> (bucket level: key '')."""
    return "qcs::cos:%s:uid/%s:%s/%s" % (region, appid, bucket, key)


def admin_request(server, method, path, body=None, secret_id=None, secret_key=None, anonymous=False,
                  raw_body=None):
    """A request to the admin API ``/_cosd/admin/<path>`` on the IP host, signed
    with q-sign (the SDK's CosS3Auth) by the root key unless other keys are
    given. ``body`` is sent as JSON. Returns the requests.Response."""
    from qcloud_cos.cos_auth import CosS3Auth
    import json as _json
    key = "_cosd/admin/" + path.lstrip("/")
    url = server.base_url + "/" + key
    headers = {"Host": "%s:%d" % (server.host, server.port)}
    data = raw_body
    if body is not None:
        data = _json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    auth = None
    if not anonymous:
        auth = CosS3Auth(server.config(secret_id, secret_key), key, params={})
    return requests.request(method, url, headers=headers, data=data, auth=auth, timeout=30)


def admin_ok(server, method, path, body=None, status=(200,)):
    """admin_request that must succeed; returns the decoded JSON (None for an empty body)."""
    r = admin_request(server, method, path, body)
    statuses = status if isinstance(status, (tuple, list)) else (status,)
    assert r.status_code in statuses, "%s /_cosd/admin/%s -> %d %r" % (method, path, r.status_code, r.text[:500])
    return r.json() if r.content.strip() else None


def admin_cli(server, *args, timeout=60):
    """``cosd admin <args>`` against ``server`` (COSD_ENDPOINT + the root keys in
    the environment). Returns the CompletedProcess (stdout/stderr as text)."""
    env = server_env(server.extra_env)
    env["COSD_ENDPOINT"] = server.base_url
    env["COSD_ROOT_SECRET_ID"] = server.secret_id
    env["COSD_ROOT_SECRET_KEY"] = server.secret_key
    return subprocess.run([server.binary, "admin"] + list(args), env=env, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout,
                          universal_newlines=True)


class SubAccount(object):
    """A sub-account of the root account with one key pair."""

    def __init__(self, server, uin, secret_id, secret_key):
        self.server = server
        self.uin = uin
        self.secret_id = secret_id
        self.secret_key = secret_key
        self._client = None

    @property
    def principal(self):
        return principal(self.uin)

    @property
    def client(self):
        """A CosS3Client with this sub-account's key."""
        if self._client is None:
            self._client = self.server.client(self.secret_id, self.secret_key)
        return self._client

    def s3(self, config_name="defaults"):
        import s3_harness as S3
        return S3.named_client(self.server, config_name, access_key=self.secret_id,
                               secret_key=self.secret_key)

    def put_policy(self, name, policy):
        return admin_ok(self.server, "PUT", "users/%s/policies/%s" % (self.uin, name), policy)

    def delete_policy(self, name):
        return admin_ok(self.server, "DELETE", "users/%s/policies/%s" % (self.uin, name), status=(200, 204))


def create_sub_account(server, uin=None, groups=None):
    """Creates a sub-account with a key through the admin API."""
    uin = uin or unique_uin()
    sid, skey = unique_secret_pair()
    body = {"uin": uin, "secret_id": sid, "secret_key": skey}
    if groups:
        body["groups"] = list(groups)
    admin_ok(server, "POST", "users", body)
    return SubAccount(server, uin, sid, skey)


def policy_doc(*statements):
    return {"version": "2.0", "statement": list(statements)}


def stmt(effect, actions, resources, condition=None, principal_qcs=None):
    """One CAM statement; ``principal_qcs`` (list) only for bucket policies."""
    s = {"effect": effect,
         "action": list(actions) if isinstance(actions, (list, tuple)) else [actions],
         "resource": list(resources) if isinstance(resources, (list, tuple)) else [resources]}
    if principal_qcs is not None:
        s["principal"] = {"qcs": list(principal_qcs)}
    if condition is not None:
        s["condition"] = condition
    return s


def anon_get(server, bucket, key="", params=None, headers=None):
    """Unsigned GET on the virtual host of ``bucket`` (key '' = list)."""
    from urllib.parse import quote
    hdrs = {"Host": server.vhost(bucket)}
    hdrs.update(headers or {})
    return requests.get(server.base_url + "/" + quote(key.encode("utf-8"), safe="/-_.~"),
                        params=params, headers=hdrs, timeout=30)


def signed_request_as(server, secret_id, secret_key, method, bucket, key=None, params=None, headers=None,
                      data=None):
    """Like signed_request, but with the given key pair and on the virtual host
    of ``bucket``: for requests the SDK cannot express (e.g. extra headers)."""
    from urllib.parse import quote
    from qcloud_cos.cos_auth import CosS3Auth
    params = dict(params or {})
    hdrs = dict(headers or {})
    hdrs["Host"] = server.vhost(bucket)
    url = server.base_url + "/" + (quote(key.encode("utf-8"), safe="/-_.~") if key else "")
    auth = CosS3Auth(server.config(secret_id, secret_key), key, params=params)
    return requests.request(method, url, params=params, headers=hdrs, data=data, auth=auth, timeout=30)


class ConfiguredServer(CosdServer):
    """A CosdServer started with ``--config <file>``; the file holds
    ``config_text`` (TOML, see config/default.toml: accounts, users, groups,
    trusted_proxies ...). The root keys still come from the environment."""

    def __init__(self, data_dir, log_path, config_text, binary=None, extra_env=None):
        super(ConfiguredServer, self).__init__(data_dir, log_path, binary=binary, extra_env=extra_env)
        self.config_path = str(data_dir).rstrip("/") + ".toml"
        self.config_text = config_text

    def start(self, port=None):
        if not os.path.exists(self.binary):
            raise RuntimeError("cosd binary not found at %s (set COSD_BIN or CARGO_TARGET_DIR)" % self.binary)
        os.makedirs(self.data_dir, exist_ok=True)
        with open(self.config_path, "w") as f:
            f.write(self.config_text)
        self.port = port or free_port()
        logf = open(self.log_path, "ab")
        logf.write(("\n===== cosd serve --config %s on %s:%d =====\n"
                    % (self.config_path, self.host, self.port)).encode())
        logf.flush()
        try:
            self.proc = subprocess.Popen(
                [self.binary, "serve", "--config", self.config_path,
                 "--listen", "%s:%d" % (self.host, self.port), "--data-dir", self.data_dir],
                env=server_env(self.extra_env), stdin=subprocess.DEVNULL, stdout=logf, stderr=logf)
        finally:
            logf.close()
        if self not in RUNNING_SERVERS:
            RUNNING_SERVERS.append(self)
        self.wait_healthy()
        return self


# ------------------------------------------------------------ legacy v4 JSON API
# (test_json_api.py; contract: docs/json-api.md, wire: shared/spec/06-legacy-json-api.md §2)

def legacy_fileid(appid, bucket, path, download=False):
    """The ``f`` field as the v4 SDKs build it: ``/<appid>/<bucket><quoted path>``
    (download signatures: just ``<quoted path>``), quoted like Python's
    ``urllib.quote(path, '~/')``."""
    from urllib.parse import quote
    quoted = quote(path.encode("utf-8") if isinstance(path, str) else path, safe="~/")
    return quoted if download else "/%s/%s%s" % (appid, bucket, quoted)


def legacy_plain(secret_id, appid, bucket, fileid, expire, now, rand):
    """The signed text, fields in the Python SDK's order (a k e t r f b)."""
    return "a=%s&k=%s&e=%d&t=%d&r=%d&f=%s&b=%s" % (appid, secret_id, int(expire), int(now), int(rand),
                                                   fileid, bucket)


def legacy_sign_plain(secret_key, plain):
    """Base64(HMAC-SHA1(SecretKey, plain) || plain) for an arbitrary plain text."""
    import base64
    import hmac
    raw = plain.encode("utf-8")
    mac = hmac.new(secret_key.encode("utf-8"), raw, hashlib.sha1).digest()
    return base64.b64encode(mac + raw).decode("ascii")


def legacy_sign(secret_id, secret_key, appid, bucket, fileid, expire, now=None, rand=None):
    """A legacy v4 signature (cos_auth.Auth.app_sign). ``fileid`` is the ``f`` value as
    sent (see legacy_fileid; may be ''), ``expire`` the ``e`` value (0 = once; an
    absolute Unix time otherwise), ``now`` the ``t`` value (default: the current
    time), ``rand`` the ``r`` value (default: random, like the SDK)."""
    import random
    if now is None:
        now = int(time.time())
    if rand is None:
        rand = random.randint(0, 999999999)
    return legacy_sign_plain(secret_key, legacy_plain(secret_id, appid, bucket, fileid, expire, now, rand))
