"""Append Object (append_object) through cos-python-sdk-v5.

Spec: 03-xml-api.md §2 (x-cos-object-type, x-cos-next-append-position) and the
append_object row of §3 (POST /<key>?append=&position=<n>; 200 with
x-cos-next-append-position, ETag, x-cos-hash-crc64ecma of the whole object;
409 ObjectNotAppendable / 409 PositionNotEqualToLength; HEAD/GET report
x-cos-object-type: appendable); 08-checksums.md §1.
"""

import os

import pytest
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H

MiB = 1024 * 1024


def service_error(fn, *args, **kwargs):
    with pytest.raises(CosServiceError) as ei:
        fn(*args, **kwargs)
    return ei.value


def test_append_hello_world(client, bucket):
    key = "app/hello.txt"
    rt = client.append_object(Bucket=bucket, Key=key, Position=0, Data=b"hello ")
    assert rt["x-cos-next-append-position"] == "6"
    assert rt["x-cos-hash-crc64ecma"] == H.crc64(b"hello ")
    assert rt.get("ETag")
    assert rt.get("x-cos-request-id")

    rt = client.append_object(Bucket=bucket, Key=key, Position=6, Data=b"world")
    assert rt["x-cos-next-append-position"] == "11"
    assert rt["x-cos-hash-crc64ecma"] == H.crc64(b"hello world") == "5981764153023615706"

    head = client.head_object(Bucket=bucket, Key=key)
    assert head["x-cos-object-type"] == "appendable"
    assert head["Content-Length"] == "11"
    assert head["x-cos-hash-crc64ecma"] == H.crc64(b"hello world")
    assert head.get("ETag")
    assert head.get("Last-Modified")

    got = client.get_object(Bucket=bucket, Key=key)
    assert H.status_of(got) == 200
    assert got["x-cos-object-type"] == "appendable"
    assert got["Content-Length"] == "11"
    assert H.read_body(got) == b"hello world"

    # a range spanning both appends
    got = client.get_object(Bucket=bucket, Key=key, Range="bytes=3-8")
    assert H.status_of(got) == 206
    assert H.read_body(got) == b"lo wor"

    listed = client.list_objects(Bucket=bucket)["Contents"]
    assert [(c["Key"], c["Size"]) for c in listed] == [(key, "11")]


def test_append_wrong_position(client, bucket):
    key = "app/pos.txt"
    client.append_object(Bucket=bucket, Key=key, Position=0, Data=b"hello ")
    for pos in (0, 5, 7, 100):
        e = service_error(client.append_object, Bucket=bucket, Key=key, Position=pos, Data=b"world")
        assert (e.get_status_code(), e.get_error_code()) == (409, "PositionNotEqualToLength"), pos
    # nothing was appended by the rejected requests
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["Content-Length"] == "6"
    assert head["x-cos-hash-crc64ecma"] == H.crc64(b"hello ")
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == b"hello "
    # the correct position still works
    rt = client.append_object(Bucket=bucket, Key=key, Position=6, Data=b"world")
    assert rt["x-cos-next-append-position"] == "11"


def test_append_to_missing_object_needs_position_zero(client, bucket):
    """A missing object has length 0, so any other position is PositionNotEqualToLength."""
    key = "app/new.txt"
    e = service_error(client.append_object, Bucket=bucket, Key=key, Position=5, Data=b"x")
    assert (e.get_status_code(), e.get_error_code()) == (409, "PositionNotEqualToLength")
    e = service_error(client.head_object, Bucket=bucket, Key=key)
    assert e.get_status_code() == 404


def test_append_to_normal_object(client, bucket):
    key = "app/normal.txt"
    client.put_object(Bucket=bucket, Key=key, Body=b"normal")
    for pos in (0, 6):
        e = service_error(client.append_object, Bucket=bucket, Key=key, Position=pos, Data=b"more")
        assert (e.get_status_code(), e.get_error_code()) == (409, "ObjectNotAppendable"), pos
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["Content-Length"] == "6"
    assert head.get("x-cos-object-type") != "appendable"
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == b"normal"


def test_append_keeps_first_request_metadata(client, bucket):
    key = "app/meta.txt"
    client.append_object(Bucket=bucket, Key=key, Position=0, Data=b"line 1\n",
                         ContentType="text/plain", Metadata={"x-cos-meta-color": "blue"})
    client.append_object(Bucket=bucket, Key=key, Position=7, Data=b"line 2\n")
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["Content-Type"] == "text/plain"
    assert head["x-cos-meta-color"] == "blue"
    assert head["Content-Length"] == "14"


def test_append_large_chunks_and_download_file_crc(client, bucket, tmp_path):
    key = "app/big.bin"
    chunks = [os.urandom(MiB + 17), os.urandom(5), os.urandom(2 * MiB - 3), os.urandom(300000)]
    pos = 0
    for c in chunks:
        rt = client.append_object(Bucket=bucket, Key=key, Position=pos, Data=c)
        pos += len(c)
        assert rt["x-cos-next-append-position"] == str(pos)
    data = b"".join(chunks)
    assert rt["x-cos-hash-crc64ecma"] == H.crc64(data)

    head = client.head_object(Bucket=bucket, Key=key)
    assert head["Content-Length"] == str(len(data))
    assert head["x-cos-hash-crc64ecma"] == H.crc64(data)
    assert head["x-cos-object-type"] == "appendable"

    # ranged, threaded download across append boundaries; the SDK checks CRC64
    dest = tmp_path / "big.out"
    client.download_file(Bucket=bucket, Key=key, DestFilePath=str(dest), PartSize=1, MAXThread=3,
                         EnableCRC=True, DumpRecordDir=str(tmp_path / "records"))
    assert dest.read_bytes() == data


def test_put_over_appendable_object_makes_it_normal(client, bucket):
    key = "app/replaced.txt"
    client.append_object(Bucket=bucket, Key=key, Position=0, Data=b"appended")
    client.put_object(Bucket=bucket, Key=key, Body=b"plain")
    head = client.head_object(Bucket=bucket, Key=key)
    assert head.get("x-cos-object-type") != "appendable"
    assert head["Content-Length"] == "5"
    e = service_error(client.append_object, Bucket=bucket, Key=key, Position=5, Data=b"x")
    assert (e.get_status_code(), e.get_error_code()) == (409, "ObjectNotAppendable")


def test_delete_appendable_object_then_start_over(client, bucket):
    key = "app/again.txt"
    client.append_object(Bucket=bucket, Key=key, Position=0, Data=b"first life")
    client.delete_object(Bucket=bucket, Key=key)
    e = service_error(client.head_object, Bucket=bucket, Key=key)
    assert e.get_status_code() == 404
    rt = client.append_object(Bucket=bucket, Key=key, Position=0, Data=b"second")
    assert rt["x-cos-next-append-position"] == "6"
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == b"second"


def test_append_to_multipart_object(client, bucket):
    key = "app/multipart.bin"
    upload_id = client.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    rt = client.upload_part(Bucket=bucket, Key=key, Body=b"mp", PartNumber=1, UploadId=upload_id)
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                     MultipartUpload={"Part": [{"PartNumber": 1, "ETag": rt["ETag"]}]})
    e = service_error(client.append_object, Bucket=bucket, Key=key, Position=2, Data=b"more")
    assert (e.get_status_code(), e.get_error_code()) == (409, "ObjectNotAppendable")
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == b"mp"
