"""The AWS CLI (``awscli`` from PyPI, v1) pointed at cosd with ``--endpoint-url``: what a CI
pipeline does with it. High-level ``aws s3`` commands (mb, cp, ls, sync, mv, rm, rb, presign,
multipart transfers of large files) and ``aws s3api`` calls for versioning, encryption and
errors, on `<name>-<appid>` buckets and, with ``s3_bucket_names``, on plain S3 names.

Contract: docs/s3-compatibility.md.
"""

import hashlib
import json
import os
import subprocess
import sys

import pytest
import requests

import cosd_harness as H

MiB = 1024 * 1024
AWS = os.path.join(os.path.dirname(sys.executable), "aws")


class Cli(object):
    """Runs ``aws`` against one server with the root account's keys and nothing from the
    caller's environment or profile."""

    def __init__(self, server, home):
        self.server = server
        self.env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "HOME": str(home),
            "AWS_ACCESS_KEY_ID": server.secret_id,
            "AWS_SECRET_ACCESS_KEY": server.secret_key,
            "AWS_DEFAULT_REGION": server.region,
            "AWS_CONFIG_FILE": os.devnull,
            "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_PAGER": "",
        }

    def run(self, *args, check=True, timeout=180):
        cmd = [AWS, "--endpoint-url", self.server.base_url] + list(args)
        proc = subprocess.run(cmd, env=self.env, capture_output=True, timeout=timeout)
        if check and proc.returncode != 0:
            raise AssertionError("%s failed (%d): %s" % (
                " ".join(args), proc.returncode, proc.stderr.decode(errors="replace")))
        return proc

    def out(self, *args):
        return self.run(*args).stdout.decode()

    def json(self, *args):
        return json.loads(self.out(*args) or "{}")


@pytest.fixture
def cli(cosd, tmp_path):
    if not os.path.exists(AWS):
        pytest.fail("the AWS CLI is not installed in the test venv (tests/sdk/requirements.txt)")
    return Cli(cosd, tmp_path)


@pytest.fixture
def cli_bucket(cli):
    name = H.unique_bucket("cli")
    cli.out("s3", "mb", "s3://" + name)
    yield name
    cli.run("s3", "rb", "s3://" + name, "--force", check=False)


def write(path, data):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


def test_aws_s3_cp_ls_and_download_round_trip(cli, cli_bucket, tmp_path):
    src = write(tmp_path / "up" / "hello.txt", b"hello from the aws cli\n")
    cli.out("s3", "cp", str(src), "s3://%s/dir/hello.txt" % cli_bucket)
    listing = cli.out("s3", "ls", "s3://%s/dir/" % cli_bucket)
    assert "hello.txt" in listing and str(src.stat().st_size) in listing
    assert cli.run("s3", "cp", "s3://%s/dir/hello.txt" % cli_bucket, "-").stdout == src.read_bytes()
    assert cli_bucket in cli.out("s3", "ls")


def test_aws_s3_cp_of_a_large_file_uses_multipart_and_keeps_the_bytes(cli, cli_bucket, tmp_path):
    data = os.urandom(20 * MiB + 12345)
    src = write(tmp_path / "big.bin", data)
    cli.out("s3", "cp", str(src), "s3://%s/big.bin" % cli_bucket)
    head = cli.json("s3api", "head-object", "--bucket", cli_bucket, "--key", "big.bin")
    assert head["ContentLength"] == len(data)
    # The CLI uploads files over 8 MiB in 8 MiB parts: a multipart ETag "<md5>-3".
    assert head["ETag"].strip('"').endswith("-3")
    back = tmp_path / "back.bin"
    cli.out("s3", "cp", "s3://%s/big.bin" % cli_bucket, str(back))
    assert hashlib.md5(back.read_bytes()).digest() == hashlib.md5(data).digest()


def test_aws_s3_sync_uploads_only_changes_and_deletes_with_delete(cli, cli_bucket, tmp_path):
    local = tmp_path / "tree"
    for rel, body in [("a.txt", b"a"), ("sub/b.txt", b"bb"), ("sub/deep/c.txt", b"ccc")]:
        write(local / rel, body)
    first = cli.out("s3", "sync", str(local), "s3://%s/site" % cli_bucket)
    assert first.count("upload:") == 3
    assert cli.out("s3", "sync", str(local), "s3://%s/site" % cli_bucket).count("upload:") == 0
    write(local / "sub" / "b.txt", b"changed")
    (local / "a.txt").unlink()
    again = cli.out("s3", "sync", str(local), "s3://%s/site" % cli_bucket, "--delete")
    assert again.count("upload:") == 1 and again.count("delete:") == 1
    down = tmp_path / "down"
    cli.out("s3", "sync", "s3://%s/site" % cli_bucket, str(down))
    assert sorted(str(p.relative_to(down)) for p in down.rglob("*") if p.is_file()) == [
        "sub/b.txt", "sub/deep/c.txt"]
    assert (down / "sub" / "b.txt").read_bytes() == b"changed"


def test_aws_s3_recursive_listing_mv_and_rm(cli, cli_bucket, tmp_path):
    for i in range(5):
        cli.out("s3", "cp", str(write(tmp_path / ("f%d" % i), b"x" * i)),
                "s3://%s/p/f%d" % (cli_bucket, i))
    assert cli.out("s3", "ls", "s3://%s/" % cli_bucket).strip() == "PRE p/"
    assert len(cli.out("s3", "ls", "s3://%s/" % cli_bucket, "--recursive").splitlines()) == 5
    cli.out("s3", "mv", "s3://%s/p/f1" % cli_bucket, "s3://%s/q/f1" % cli_bucket)
    keys = cli.json("s3api", "list-objects-v2", "--bucket", cli_bucket)["Contents"]
    assert sorted(k["Key"] for k in keys) == ["p/f0", "p/f2", "p/f3", "p/f4", "q/f1"]
    cli.out("s3", "rm", "s3://%s/p/" % cli_bucket, "--recursive")
    keys = cli.json("s3api", "list-objects-v2", "--bucket", cli_bucket)["Contents"]
    assert [k["Key"] for k in keys] == ["q/f1"]


def test_aws_s3_rb_refuses_a_non_empty_bucket_unless_forced(cli, tmp_path):
    name = H.unique_bucket("cli")
    cli.out("s3", "mb", "s3://" + name)
    cli.out("s3", "cp", str(write(tmp_path / "x", b"x")), "s3://%s/x" % name)
    refused = cli.run("s3", "rb", "s3://" + name, check=False)
    assert refused.returncode != 0 and b"BucketNotEmpty" in refused.stderr
    cli.out("s3", "rb", "s3://" + name, "--force")
    gone = cli.run("s3api", "head-bucket", "--bucket", name, check=False)
    assert gone.returncode != 0 and b"404" in gone.stderr


def test_aws_s3_presign_gives_a_url_anyone_can_fetch(cli, cli_bucket, tmp_path):
    cli.out("s3", "cp", str(write(tmp_path / "p", b"presigned body")), "s3://%s/p" % cli_bucket)
    url = cli.out("s3", "presign", "s3://%s/p" % cli_bucket, "--expires-in", "300").strip()
    assert requests.get(url, timeout=30).content == b"presigned body"
    at = url.index("Signature=") + len("Signature=")
    flipped = url[:at] + ("b" if url[at] == "a" else "a") + url[at + 1:]
    assert requests.get(flipped, timeout=30).status_code == 403


def test_aws_s3api_versioning_and_version_listing(cli, cli_bucket, tmp_path):
    cli.out("s3api", "put-bucket-versioning", "--bucket", cli_bucket,
            "--versioning-configuration", "Status=Enabled")
    assert cli.json("s3api", "get-bucket-versioning", "--bucket", cli_bucket)["Status"] == "Enabled"
    for body in (b"one", b"two"):
        cli.out("s3", "cp", str(write(tmp_path / "v", body)), "s3://%s/v" % cli_bucket)
    versions = cli.json("s3api", "list-object-versions", "--bucket", cli_bucket)["Versions"]
    assert len(versions) == 2 and [v["IsLatest"] for v in versions] == [True, False]
    old = versions[1]["VersionId"]
    out = tmp_path / "old"
    cli.out("s3api", "get-object", "--bucket", cli_bucket, "--key", "v", "--version-id", old, str(out))
    assert out.read_bytes() == b"one"
    # Empty it version by version so the fixture can remove the bucket.
    for v in versions:
        cli.out("s3api", "delete-object", "--bucket", cli_bucket, "--key", "v",
                "--version-id", v["VersionId"])


def test_aws_s3_cp_with_sse_stores_encrypted_and_reports_it(cli, cli_bucket, tmp_path):
    cli.out("s3", "cp", str(write(tmp_path / "s", b"secret")), "s3://%s/s" % cli_bucket, "--sse", "AES256")
    head = cli.json("s3api", "head-object", "--bucket", cli_bucket, "--key", "s")
    assert head["ServerSideEncryption"] == "AES256"
    assert cli.run("s3", "cp", "s3://%s/s" % cli_bucket, "-").stdout == b"secret"


def test_aws_cli_errors_name_the_s3_code_and_fail_the_command(cli):
    missing = H.unique_bucket("none")
    ls = cli.run("s3", "ls", "s3://" + missing, check=False)
    assert ls.returncode != 0 and b"NoSuchBucket" in ls.stderr
    bad = cli.run("s3", "mb", "s3://Bad_Name", check=False)
    assert bad.returncode != 0
    wrong = Cli(cli.server, cli.env["HOME"])
    wrong.env["AWS_SECRET_ACCESS_KEY"] = "not-the-key"
    denied = wrong.run("s3", "ls", check=False)
    assert denied.returncode != 0 and b"SignatureDoesNotMatch" in denied.stderr


def test_aws_cli_with_plain_s3_bucket_names(server_factory, tmp_path):
    server = server_factory("plain", COSD_S3_BUCKET_NAMES="true")
    server.start()
    cli = Cli(server, tmp_path)
    cli.out("s3", "mb", "s3://my-ci-bucket")
    cli.out("s3", "cp", str(write(tmp_path / "a", b"plain")), "s3://my-ci-bucket/a")
    assert cli.run("s3", "cp", "s3://my-ci-bucket/a", "-").stdout == b"plain"
    assert "my-ci-bucket" in cli.out("s3", "ls")
    cli.out("s3", "rb", "s3://my-ci-bucket", "--force")
