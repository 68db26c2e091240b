"""Declared buckets and reset with the real binary (docs/declarative.md): a config file
declares buckets with configuration and a seed directory; cos-python-sdk-v5 and boto3 see
them; ``cosd admin reset`` between two "test cases" restores the declared state, and
``cosd admin reset --empty`` leaves no bucket; a restart rewrites nothing."""

import json
import os

import pytest

import cosd_harness as H
import s3_harness as S3

SITE = "site-1250000000"
PLAIN = "plain-1250000000"
CORS = ("<CORSConfiguration><CORSRule><AllowedOrigin>https://app.test</AllowedOrigin>"
        "<AllowedMethod>GET</AllowedMethod></CORSRule></CORSConfiguration>")
SEED = {
    "index.html": b"<h1>hello</h1>",
    "docs/a.txt": b"alpha",
    "blob.bin": os.urandom(3 * 1024 * 1024),  # more than one 2 MiB chunk
}


@pytest.fixture
def declared(tmp_path):
    seed = tmp_path / "seed"
    for rel, data in SEED.items():
        p = seed / rel
        p.parent.mkdir(parents=True, exist_ok=True)
        p.write_bytes(data)
    config_text = (
        "[[buckets]]\n"
        'name = "%s"\n'
        'acl = "public-read"\n'
        'versioning = "Enabled"\n'
        'tags = { team = "web" }\n'
        "cors = '''%s'''\n"
        'seed_dir = "%s"\n'
        "[[buckets]]\n"
        'name = "%s"\n' % (SITE, CORS, seed, PLAIN))
    server = H.ConfiguredServer(tmp_path / "data", tmp_path / "cosd.log", config_text)
    try:
        server.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield server
    server.kill()
    if server in H.RUNNING_SERVERS:
        H.RUNNING_SERVERS.remove(server)


def assert_declared(server):
    cos = server.client()
    s3 = S3.named_client(server, "defaults")
    names = sorted(b["Name"] for b in s3.list_buckets()["Buckets"])
    assert names == [PLAIN, SITE]
    listed = cos.list_objects(Bucket=SITE).get("Contents", [])
    assert sorted(o["Key"] for o in listed) == sorted(SEED)
    for key, data in SEED.items():
        assert cos.get_object(Bucket=SITE, Key=key)["Body"].get_raw_stream().read() == data
        assert s3.get_object(Bucket=SITE, Key=key)["Body"].read() == data
    assert cos.get_bucket_versioning(Bucket=SITE)["Status"] == "Enabled"
    rule = cos.get_bucket_cors(Bucket=SITE)["CORSRule"]
    rule = rule[0] if isinstance(rule, list) else rule
    assert rule["AllowedOrigin"] in ("https://app.test", ["https://app.test"])
    tags = s3.get_bucket_tagging(Bucket=SITE)["TagSet"]
    assert tags == [{"Key": "team", "Value": "web"}]
    versions = s3.list_object_versions(Bucket=SITE).get("Versions", [])
    assert len(versions) == len(SEED), "one version per seed file"
    assert cos.list_objects(Bucket=PLAIN).get("Contents", []) == []


def reset(server, *args):
    r = H.admin_cli(server, "reset", *args)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def test_declared_buckets_and_reset_between_test_cases(declared):
    server = declared
    assert_declared(server)
    s3 = S3.named_client(server, "defaults")

    # "Test case 1" leaves its mess behind.
    s3.put_object(Bucket=SITE, Key="index.html", Body=b"changed")
    s3.put_object(Bucket=SITE, Key="junk.txt", Body=b"junk")
    s3.delete_object(Bucket=SITE, Key="docs/a.txt")
    s3.create_bucket(Bucket="scratch-1250000000")
    up = s3.create_multipart_upload(Bucket=SITE, Key="big")
    s3.upload_part(Bucket=SITE, Key="big", UploadId=up["UploadId"], PartNumber=1, Body=b"p" * (5 << 20))

    out = reset(server)
    assert out["to"] == "declared"
    assert out["removed"]["buckets"] == 3
    assert out["removed"]["uploads"] == 1
    assert out["applied"]["buckets_created"] == 2
    print("reset: %d ms" % out["elapsed_ms"])

    # "Test case 2" starts from the declared state.
    assert_declared(server)

    out = reset(server, "--empty")
    assert out["to"] == "empty"
    assert s3.list_buckets()["Buckets"] == []
    reset(server)
    assert_declared(server)


def test_a_restart_rewrites_nothing(declared):
    server = declared
    s3 = S3.named_client(server, "defaults")
    before = {k: s3.head_object(Bucket=SITE, Key=k) for k in SEED}
    server.stop()
    server.start()
    s3 = S3.named_client(server, "defaults")  # the new process listens on another port
    for k in SEED:
        after = s3.head_object(Bucket=SITE, Key=k)
        assert after["ETag"] == before[k]["ETag"]
        assert after["LastModified"] == before[k]["LastModified"]
        assert after["VersionId"] == before[k]["VersionId"]
    assert len(s3.list_object_versions(Bucket=SITE).get("Versions", [])) == len(SEED)


def test_only_the_main_root_account_may_reset(declared):
    server = declared
    r = H.admin_request(server, "POST", "reset", json.dumps({"to": "empty"}),
                        anonymous=True)
    assert r.status_code == 403
    assert len(S3.named_client(server, "defaults").list_buckets()["Buckets"]) == 2


def test_reset_time_for_a_ci_sized_data_set(declared):
    """10 versioned buckets of 100 objects written twice (1,000 objects, 1,000 noncurrent
    versions; half of them 8 KiB, stored as chunks), then ``cosd admin reset``. Prints the
    time (docs/declarative.md); asserts none."""
    import time
    server = declared
    s3 = S3.named_client(server, "defaults")
    for b in range(10):
        name = "load%d-1250000000" % b
        s3.create_bucket(Bucket=name)
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
        for rnd in range(2):
            for k in range(100):
                size = 8192 if k % 2 else 100
                s3.put_object(Bucket=name, Key="k%d" % k, Body=os.urandom(size))
    started = time.monotonic()
    out = reset(server)
    wall = (time.monotonic() - started) * 1000
    print("\nreset of %s: %d ms in the server, %.0f ms for `cosd admin reset` (process included)"
          % (json.dumps(out["removed"], sort_keys=True), out["elapsed_ms"], wall))
    assert out["removed"]["versions"] == 1000
    assert_declared(server)
