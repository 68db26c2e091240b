"""PUT Object - Copy (copy_object) through cos-python-sdk-v5."""

import os

import pytest
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H

BODY = b"copy me " * 1000


def src(bucket, key):
    return {"Bucket": bucket, "Key": key, "Region": H.REGION}


@pytest.fixture
def source(client, bucket):
    client.put_object(Bucket=bucket, Key="src/orig.txt", Body=BODY, ContentType="text/plain",
                      Metadata={"x-cos-meta-foo": "bar", "x-cos-meta-color": "blue"},
                      CacheControl="max-age=60")
    return bucket


def test_copy_within_bucket(client, source):
    rt = client.copy_object(Bucket=source, Key="dst/copy.txt", CopySource=src(source, "src/orig.txt"))
    assert rt["ETag"] == H.etag_of(BODY)
    assert rt.get("LastModified")
    assert H.read_body(client.get_object(Bucket=source, Key="dst/copy.txt")) == BODY
    head = client.head_object(Bucket=source, Key="dst/copy.txt")
    assert head["ETag"] == H.etag_of(BODY)
    assert head["Content-Length"] == str(len(BODY))
    assert head["x-cos-hash-crc64ecma"] == H.crc64(BODY)
    # the source is untouched
    assert H.read_body(client.get_object(Bucket=source, Key="src/orig.txt")) == BODY


def test_copy_keeps_metadata_by_default(client, source):
    client.copy_object(Bucket=source, Key="dst/c1.txt", CopySource=src(source, "src/orig.txt"),
                       CopyStatus="Copy")
    head = client.head_object(Bucket=source, Key="dst/c1.txt")
    assert head["x-cos-meta-foo"] == "bar"
    assert head["x-cos-meta-color"] == "blue"
    assert head["Content-Type"] == "text/plain"
    assert H.hget(head, "Cache-Control") == "max-age=60"


def test_copy_replaced_takes_new_metadata(client, source):
    client.copy_object(Bucket=source, Key="dst/c2.txt", CopySource=src(source, "src/orig.txt"),
                       CopyStatus="Replaced", Metadata={"x-cos-meta-new": "value"},
                       ContentType="application/json")
    head = client.head_object(Bucket=source, Key="dst/c2.txt")
    assert head["x-cos-meta-new"] == "value"
    assert "x-cos-meta-foo" not in head
    assert "x-cos-meta-color" not in head
    assert head["Content-Type"] == "application/json"
    assert H.read_body(client.get_object(Bucket=source, Key="dst/c2.txt")) == BODY


def test_copy_onto_itself_replaces_metadata(client, source):
    """The usual COS way to change an object's metadata in place."""
    rt = client.copy_object(Bucket=source, Key="src/orig.txt", CopySource=src(source, "src/orig.txt"),
                            CopyStatus="Replaced", Metadata={"x-cos-meta-foo": "changed"},
                            ContentType="text/markdown")
    assert rt["ETag"] == H.etag_of(BODY)
    head = client.head_object(Bucket=source, Key="src/orig.txt")
    assert head["x-cos-meta-foo"] == "changed"
    assert "x-cos-meta-color" not in head
    assert head["Content-Type"] == "text/markdown"
    assert H.read_body(client.get_object(Bucket=source, Key="src/orig.txt")) == BODY


def test_copy_across_buckets(client, source, bucket_factory):
    other = bucket_factory()
    rt = client.copy_object(Bucket=other, Key="x/copied.txt", CopySource=src(source, "src/orig.txt"))
    assert rt["ETag"] == H.etag_of(BODY)
    assert H.read_body(client.get_object(Bucket=other, Key="x/copied.txt")) == BODY
    assert client.head_object(Bucket=other, Key="x/copied.txt")["x-cos-meta-foo"] == "bar"
    assert [c["Key"] for c in client.list_objects(Bucket=other)["Contents"]] == ["x/copied.txt"]


def test_copy_overwrites_existing_destination(client, source):
    client.put_object(Bucket=source, Key="dst/exists.txt", Body=b"old content")
    client.copy_object(Bucket=source, Key="dst/exists.txt", CopySource=src(source, "src/orig.txt"))
    assert H.read_body(client.get_object(Bucket=source, Key="dst/exists.txt")) == BODY


def test_copy_special_character_keys(client, bucket):
    key = "src dir/ü +%&=?#.txt"
    client.put_object(Bucket=bucket, Key=key, Body=b"special")
    dst = "目标/copy of ü +%.txt"
    rt = client.copy_object(Bucket=bucket, Key=dst, CopySource=src(bucket, key))
    assert rt["ETag"] == H.etag_of(b"special")
    assert H.read_body(client.get_object(Bucket=bucket, Key=dst)) == b"special"


def test_copy_large_object(client, bucket):
    body = os.urandom(6 * 1024 * 1024 + 17)
    client.put_object(Bucket=bucket, Key="big.bin", Body=body)
    rt = client.copy_object(Bucket=bucket, Key="big-copy.bin", CopySource=src(bucket, "big.bin"))
    assert rt["ETag"] == H.etag_of(body)
    assert H.md5hex(H.read_body(client.get_object(Bucket=bucket, Key="big-copy.bin"))) == H.md5hex(body)
    # deleting the source must not affect the copy (shared chunks, if any, stay alive)
    client.delete_object(Bucket=bucket, Key="big.bin")
    assert H.md5hex(H.read_body(client.get_object(Bucket=bucket, Key="big-copy.bin"))) == H.md5hex(body)


def test_copy_missing_source(client, bucket):
    with pytest.raises(CosServiceError) as ei:
        client.copy_object(Bucket=bucket, Key="dst.txt", CopySource=src(bucket, "does/not/exist.txt"))
    assert ei.value.get_status_code() == 404
    assert ei.value.get_error_code() == "NoSuchKey"
    with pytest.raises(CosServiceError) as ei:
        client.head_object(Bucket=bucket, Key="dst.txt")
    assert ei.value.get_status_code() == 404


def test_copy_from_missing_bucket(client, bucket):
    with pytest.raises(CosServiceError) as ei:
        client.copy_object(Bucket=bucket, Key="dst.txt", CopySource=src(H.unique_bucket("gone"), "a.txt"))
    assert ei.value.get_status_code() == 404
    assert ei.value.get_error_code() == "NoSuchBucket"
