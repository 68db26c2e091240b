"""Temporary keys with the official Node SDKs: ``qcloud-cos-sts`` 3.1.3 obtains the key over
cosd's HTTPS listener (the SDK always uses ``https://<host>/``, spec 07 §3), and
``cos-nodejs-sdk-v5`` uses it through a ``getAuthorization`` callback against the HTTP port.
The Node side is ``node/sts_flow.js`` (one JSON object on stdout); this module starts a private
server with ``COSD_TLS_LISTEN``, runs it, and asserts on what the SDKs returned.

Skipped only when node or the npm packages are missing (``scripts/prereqs.sh``:
``ensure_node_env``); a server without TLS fails the test.
"""

import json
import os
import shutil
import socket
import subprocess
import time

import pytest

import cosd_harness as H

NODE_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "node")
SCRIPT = os.path.join(NODE_DIR, "sts_flow.js")
PACKAGES = ("qcloud-cos-sts", "cos-nodejs-sdk-v5")


def node_or_skip():
    node = shutil.which("node")
    if node is None:
        pytest.skip("node is not installed (scripts/prereqs.sh ensure_node_env installs it)")
    probe = subprocess.run(
        [node, "-e", "for (const p of process.argv.slice(1)) require.resolve(p)"] + list(PACKAGES),
        cwd=NODE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=60)
    if probe.returncode != 0:
        pytest.skip("the Node SDKs are not installed in tests/sdk/node (run `npm ci` there, or "
                    "scripts/prereqs.sh ensure_node_env): %s" % probe.stderr.strip().splitlines()[-1:])
    return node


def wait_for_port(host, port, timeout=5.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection((host, port), timeout=1):
                return True
        except OSError:
            time.sleep(0.1)
    return False


def node_env(**values):
    env = {k: v for k, v in os.environ.items()
           if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
    env["NO_PROXY"] = env["no_proxy"] = "127.0.0.1,localhost"
    env.update(values)
    return env


def test_node_sts_and_cos_sdks(server_factory):
    node = node_or_skip()
    tls_port = H.free_port()
    server = server_factory("sts-node", COSD_TLS_LISTEN="127.0.0.1:%d" % tls_port).start()
    client = server.client()
    bucket = H.unique_bucket("node")
    client.create_bucket(Bucket=bucket)
    ca = os.path.join(server.data_dir, "tls", "ca.pem")
    tls_up = wait_for_port(server.host, tls_port)

    env = node_env(COSD_TLS_HOST="%s:%d" % (server.host, tls_port),
                   COSD_HTTP_HOST="%s:%d" % (server.host, server.port),
                   COSD_SECRET_ID=server.secret_id, COSD_SECRET_KEY=server.secret_key,
                   COSD_BUCKET=bucket, COSD_REGION=server.region)
    if os.path.exists(ca):
        env["NODE_EXTRA_CA_CERTS"] = ca
    p = subprocess.run([node, SCRIPT], cwd=NODE_DIR, env=env, stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True, timeout=120)
    assert p.returncode == 0, "sts_flow.js failed (%d):\n%s\n%s" % (p.returncode, p.stdout, p.stderr)
    res = json.loads(p.stdout)

    # 1. qcloud-cos-sts over https://127.0.0.1:<tls port>/
    assert res["sts"]["ok"], (
        "qcloud-cos-sts getCredential via https://127.0.0.1:%d/ failed: %r "
        "(TLS port accepting connections: %s; %s exists: %s)"
        % (tls_port, res["sts"].get("error"), tls_up, ca, os.path.exists(ca)))
    sts = res["sts"]
    assert sts["tmpSecretId"] and sts["tmpSecretKey"] and sts["sessionToken"]
    assert sts["expiredTime"] - sts["startTime"] == 1800
    assert abs(sts["expiredTime"] - (time.time() + 1800)) < 60
    assert len(str(sts["expiredTime"])) == 10
    assert res["sts_wrong_secret_key"]["ok"] is False
    assert res["sts_wrong_secret_key"]["error"].get("Code") == "AuthFailure.SignatureFailure", res["sts_wrong_secret_key"]

    # 2. cos-nodejs-sdk-v5 with getAuthorization returning the temporary key
    cos = res["cos"]
    assert cos["put_inside"]["ok"] and cos["put_inside"]["statusCode"] == 200, cos["put_inside"]
    assert H.read_body(client.get_object(Bucket=bucket, Key="dir/node.txt")) == b"from node"
    assert not cos["put_outside"]["ok"]
    assert (cos["put_outside"]["error"]["statusCode"], cos["put_outside"]["error"]["code"]) == (403, "AccessDenied")
    assert not client.object_exists(Bucket=bucket, Key="other/node.txt")
    assert cos["get_inside"]["ok"] and cos["get_inside"]["body"] == "from node", cos["get_inside"]
    # getObjectUrl appends &x-cos-security-token=<token> after the signature (spec 01 §4)
    assert cos["presigned_url_has_token"] is True
    assert (cos["presigned_get"]["statusCode"], cos["presigned_get"].get("body")) == (200, "from node"), \
        cos["presigned_get"]
    assert (cos["presigned_get_without_token"]["statusCode"], cos["presigned_get_without_token"]["code"]) \
        == (403, "InvalidAccessKeyId")

    # 3. the SDK's own policy builder (resource prefix//<appid>/<short bucket>/dir/*)
    assert "prefix//" in res["scoped_policy"]["statement"][0]["resource"]
    assert res["sts_scoped"]["ok"], res["sts_scoped"]
    scoped = res["cos_scoped"]
    assert scoped["put_inside"]["ok"], scoped["put_inside"]
    assert (scoped["put_outside"]["error"]["statusCode"], scoped["put_outside"]["error"]["code"]) \
        == (403, "AccessDenied")
