"""POST /?delete (delete_objects) through cos-python-sdk-v5."""

import pytest
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H

KEYS = ["a.txt", "dir/b.txt", "sp ace & <xml>.txt", "中文/键.txt"]


@pytest.fixture
def filled(client, bucket):
    for k in KEYS + ["survivor.txt"]:
        client.put_object(Bucket=bucket, Key=k, Body=k.encode())
    return bucket


def remaining(client, bucket):
    return [c["Key"] for c in client.list_objects(Bucket=bucket).get("Contents", [])]


def test_delete_objects_verbose(client, filled):
    rt = client.delete_objects(Bucket=filled, Delete={
        "Object": [{"Key": k} for k in KEYS] + [{"Key": "no/such/key.txt"}],
        "Quiet": "false"})
    deleted = sorted(d["Key"] for d in rt.get("Deleted", []))
    # S3/COS report a key that did not exist as Deleted too
    assert deleted == sorted(KEYS + ["no/such/key.txt"])
    assert rt.get("Error", []) == []
    assert remaining(client, filled) == ["survivor.txt"]
    for k in KEYS:
        with pytest.raises(CosServiceError) as ei:
            client.head_object(Bucket=filled, Key=k)
        assert ei.value.get_status_code() == 404


def test_delete_objects_quiet(client, filled):
    rt = client.delete_objects(Bucket=filled, Delete={
        "Object": [{"Key": k} for k in KEYS] + [{"Key": "missing.txt"}],
        "Quiet": "true"})
    assert rt.get("Deleted", []) == []
    assert rt.get("Error", []) == []
    assert remaining(client, filled) == ["survivor.txt"]


def test_delete_objects_single_key(client, filled):
    rt = client.delete_objects(Bucket=filled, Delete={"Object": [{"Key": "a.txt"}]})
    assert [d["Key"] for d in rt["Deleted"]] == ["a.txt"]
    assert "a.txt" not in remaining(client, filled)


def test_delete_objects_missing_bucket(client):
    with pytest.raises(CosServiceError) as ei:
        client.delete_objects(Bucket=H.unique_bucket("gone"), Delete={"Object": [{"Key": "a"}]})
    assert ei.value.get_status_code() == 404
    assert ei.value.get_error_code() == "NoSuchBucket"
