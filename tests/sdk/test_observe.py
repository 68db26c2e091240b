"""Seeing and breaking what clients do, through the real binary and the real SDKs: the request
journal (`cosd admin journal`), injected faults (`cosd admin fault`) that the COS and S3 SDKs'
retry logic must ride through, the DNS responder for virtual-hosted names, and `*.localhost`
virtual hosts (docs/ci.md)."""

import json
import shutil
import socket
import struct
import subprocess
import time

import boto3
import pytest
from botocore.config import Config as BotoConfig
from qcloud_cos import CosServiceError

import cosd_harness as H


@pytest.fixture
def dev(server_factory):
    server = server_factory("observe", COSD_JOURNAL_ENTRIES="500")
    server.start()
    return server


def cli_ok(server, *args):
    r = H.admin_cli(server, *args)
    assert r.returncode == 0, r.stderr + r.stdout
    return r.stdout


def journal(server, *filters):
    out = cli_ok(server, "journal", "--json", "--limit", "1000", *filters)
    return [json.loads(line) for line in out.splitlines() if line.strip()]


def header(entry, name):
    for k, v in entry["headers"]:
        if k == name:
            return v
    return None


def make_bucket(server, client):
    bucket = H.unique_bucket("obs")
    client.create_bucket(Bucket=bucket)
    return bucket


def test_cos_sdk_retries_through_injected_503s_and_the_journal_shows_each_attempt(dev):
    client = dev.client(retry=3)
    bucket = make_bucket(dev, client)
    rule = json.loads(cli_ok(dev, "fault", "add", "--bucket", bucket, "--op", "PutObject",
                             "--error", "ServiceUnavailable", "--count", "2"))
    assert rule["id"] >= 1 and rule["hits"] == 0
    client.put_object(Bucket=bucket, Key="retried.txt", Body=b"third time lucky")
    body = client.get_object(Bucket=bucket, Key="retried.txt")["Body"].get_raw_stream().read()
    assert body == b"third time lucky"

    puts = journal(dev, "--op", "PutObject", "--bucket", bucket)
    assert [e["status"] for e in puts] == [503, 503, 200]
    assert [e["fault"] for e in puts[:2]] == [rule["id"]] * 2
    assert puts[0]["error_code"] == "ServiceUnavailable"
    # The SDK marks its retries; the journal shows what it sent, signature redacted.
    assert header(puts[0], "x-cos-sdk-retry") is None
    assert header(puts[1], "x-cos-sdk-retry") == "true"
    assert header(puts[2], "authorization").endswith("q-signature=REDACTED")
    assert dev.secret_key not in json.dumps(puts)
    assert puts[2]["scheme"] == "q-sign" and puts[2]["bytes_in"] == len(b"third time lucky")

    listed = json.loads(cli_ok(dev, "fault", "list"))["rules"]
    assert listed[0]["hits"] == 2
    cli_ok(dev, "fault", "clear")
    assert json.loads(cli_ok(dev, "fault", "list"))["rules"] == []


def test_cos_sdk_retries_a_closed_connection_and_gives_up_on_a_lasting_fault(dev):
    client = dev.client(retry=2)
    bucket = make_bucket(dev, client)
    client.put_object(Bucket=bucket, Key="k", Body=b"v")
    cli_ok(dev, "fault", "add", "--op", "GetObject", "--key", "k", "--reset", "--count", "1")
    assert client.get_object(Bucket=bucket, Key="k")["Body"].get_raw_stream().read() == b"v"
    gets = journal(dev, "--op", "GetObject", "--bucket", bucket)
    # The dropped attempt is journaled with the status it never sent.
    assert len(gets) == 2 and gets[0]["fault"] is not None
    cli_ok(dev, "fault", "add", "--op", "HeadObject", "--error", "InternalError")
    with pytest.raises(CosServiceError) as e:
        client.head_object(Bucket=bucket, Key="k")
    assert e.value.get_status_code() == 500
    heads = journal(dev, "--op", "HeadObject", "--status", "5xx")
    assert len(heads) == 3  # the first try and two retries
    cli_ok(dev, "fault", "clear")


def test_boto3_retries_slowdown_and_a_delay_only_slows(dev):
    s3 = boto3.client(
        "s3", endpoint_url=dev.base_url, region_name=dev.region,
        aws_access_key_id=dev.secret_id, aws_secret_access_key=dev.secret_key,
        config=BotoConfig(s3={"addressing_style": "path"},
                          retries={"mode": "standard", "max_attempts": 4}))
    bucket = H.unique_bucket("obs")
    s3.create_bucket(Bucket=bucket)
    cli_ok(dev, "fault", "add", "--op", "PutObject", "--error", "SlowDown", "--count", "2")
    out = s3.put_object(Bucket=bucket, Key="slow", Body=b"x")
    assert out["ResponseMetadata"]["RetryAttempts"] == 2
    entries = journal(dev, "--op", "PutObject", "--code", "SlowDown")
    assert len(entries) == 2 and all(e["dialect"] == "s3" for e in entries)
    assert all(e["scheme"] == "sigv4" for e in entries)
    cli_ok(dev, "fault", "clear")
    cli_ok(dev, "fault", "add", "--op", "GetObject", "--delay-ms", "200", "--count", "1")
    started = time.monotonic()
    assert s3.get_object(Bucket=bucket, Key="slow")["Body"].read() == b"x"
    assert time.monotonic() - started >= 0.2
    cli_ok(dev, "fault", "clear")


def test_journal_follow_prints_requests_as_they_arrive(dev):
    client = dev.client()
    bucket = make_bucket(dev, client)
    env = H.server_env(dev.extra_env)
    env.update(COSD_ENDPOINT=dev.base_url, COSD_ROOT_SECRET_ID=dev.secret_id,
               COSD_ROOT_SECRET_KEY=dev.secret_key)
    follower = subprocess.Popen(
        [dev.binary, "admin", "journal", "--follow", "--json", "--limit", "1",
         "--bucket", bucket, "--op", "PutObject"],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, universal_newlines=True)
    try:
        time.sleep(1.0)
        client.put_object(Bucket=bucket, Key="followed", Body=b"f")
        line = follower.stdout.readline()
        entry = json.loads(line)
        assert entry["path"].endswith("/followed") and entry["status"] == 200
    finally:
        follower.kill()
        follower.wait(timeout=10)


def test_the_journal_is_off_unless_asked_for(cosd):
    r = H.admin_cli(cosd, "journal")
    assert r.returncode == 1
    assert "--dev" in r.stderr


def dns_query(port, name, qtype=1):
    """A raw DNS query (RD set) to 127.0.0.1:port; (rcode, [IPv4 answers])."""
    qname = b"".join(bytes([len(p)]) + p.encode() for p in name.split(".")) + b"\x00"
    msg = struct.pack(">HHHHHH", 0x4242, 0x0100, 1, 0, 0, 0) + qname + struct.pack(">HH", qtype, 1)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        s.settimeout(5)
        s.sendto(msg, ("127.0.0.1", port))
        reply, _ = s.recvfrom(1500)
    ident, flags, _qd, ancount = struct.unpack(">HHHH", reply[:8])
    assert ident == 0x4242 and flags & 0x8000
    answers = []
    if ancount:
        # One A answer, last in the message: its RDATA is the final four bytes.
        answers.append(socket.inet_ntoa(reply[-4:]))
    return flags & 0xF, answers


def test_the_dns_responder_lets_an_sdk_use_virtual_hosted_names(server_factory, monkeypatch):
    port = H.free_port()
    server = server_factory("dns", COSD_DNS_LISTEN="127.0.0.1:%d" % port)
    server.start()
    bucket = H.unique_bucket("dns")
    assert dns_query(port, "%s.cos.local" % bucket) == (0, ["127.0.0.1"])
    assert dns_query(port, "x.cos.%s.myqcloud.com" % server.region) == (0, ["127.0.0.1"])
    assert dns_query(port, "example.com")[0] == 5  # REFUSED: no recursion
    assert dns_query(port, "%s.cos.local" % bucket, qtype=28) == (0, [])  # no AAAA

    # A resolver pointed at the responder (as `podman run --dns` or resolv.conf would):
    # names under cos.local are resolved by it, the rest as usual.
    real = socket.getaddrinfo

    def resolve(host, *args, **kw):
        if isinstance(host, str) and host.endswith(".cos.local"):
            rcode, ips = dns_query(port, host)
            assert rcode == 0 and ips, host
            host = ips[0]
        return real(host, *args, **kw)

    monkeypatch.setattr(socket, "getaddrinfo", resolve)
    s3 = boto3.client(
        "s3", endpoint_url="http://cos.local:%d" % server.port, region_name=server.region,
        aws_access_key_id=server.secret_id, aws_secret_access_key=server.secret_key,
        config=BotoConfig(s3={"addressing_style": "virtual"}))
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="hello", Body=b"via dns")
    assert s3.get_object(Bucket=bucket, Key="hello")["Body"].read() == b"via dns"
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["hello"]


@pytest.mark.skipif(shutil.which("curl") is None, reason="curl is not installed")
def test_localhost_virtual_hosts_work_for_clients_that_resolve_them(cosd, client):
    """curl (like browsers and systemd-resolved) maps every *.localhost name to loopback
    (RFC 6761), so <bucket>.localhost:<port> is a virtual-hosted address with no DNS set-up."""
    bucket = make_bucket(cosd, client)
    client.put_object(Bucket=bucket, Key="pub.txt", Body=b"public bytes", ACL="public-read")
    url = "http://%s.localhost:%d/pub.txt" % (bucket, cosd.port)
    out = subprocess.run(["curl", "-sS", "-f", url], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         timeout=30)
    assert out.returncode == 0, out.stderr
    assert out.stdout == b"public bytes"
