"""Multipart upload through cos-python-sdk-v5: the low-level calls
(create_multipart_upload / upload_part / upload_part_copy / list_parts /
list_multipart_uploads / complete / abort), the high-level upload_file (incl.
its resume logic) and download_file(EnableCRC=True) of a multipart object.

Spec: 03-xml-api.md §3 (multipart rows), §4.4 (XML shapes, resume logic),
§4.5 (CopyPartResult); 08-checksums.md §1-§3 (per-part and combined CRC64,
part ETag = quoted MD5, object ETag "<md5 of binary part md5s>-<n>").
"""

import hashlib
import os
import time
from urllib.parse import quote

import pytest
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H

MiB = 1024 * 1024


# ------------------------------------------------------------------ helpers

def multipart_etag(parts):
    """S3/COS multipart ETag: "<hex md5 of the concatenated binary part MD5s>-<n>" (spec 08 §3)."""
    digest = hashlib.md5(b"".join(hashlib.md5(p).digest() for p in parts)).hexdigest()
    return '"%s-%d"' % (digest, len(parts))


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()


def sdk_split(file_size, part_size_mb=1):
    """(offset, size) of every part exactly as CosS3Client.upload_file splits a
    file for PartSize=part_size_mb (cos_client.py upload_file)."""
    part_size = MiB * part_size_mb
    parts_num = file_size // part_size
    last_size = file_size % part_size
    if last_size != 0:
        parts_num += 1
    else:
        last_size = part_size
    assert parts_num <= 10000, "test files stay below the 10000-part re-split"
    out = []
    offset = 0
    for i in range(1, parts_num + 1):
        size = file_size - offset if i == parts_num else part_size
        out.append((offset, size))
        offset += size
    return out


def upload_parts(client, bucket, key, upload_id, parts, start=1):
    """Upload ``parts`` (list of bytes) as part numbers start.. and return the
    CompleteMultipartUpload part list built from the response ETags."""
    lst = []
    for i, data in enumerate(parts, start):
        rt = client.upload_part(Bucket=bucket, Key=key, Body=data, PartNumber=i, UploadId=upload_id)
        lst.append({"PartNumber": i, "ETag": rt["ETag"]})
    return lst


def service_error(fn, *args, **kwargs):
    with pytest.raises(CosServiceError) as ei:
        fn(*args, **kwargs)
    return ei.value


def uploads_of(client, bucket, prefix=""):
    rt = client.list_multipart_uploads(Bucket=bucket, Prefix=prefix)
    return rt.get("Upload", [])


def new_upload(client, bucket, key, **kw):
    rt = client.create_multipart_upload(Bucket=bucket, Key=key, **kw)
    assert rt["UploadId"]
    return rt["UploadId"]


@pytest.fixture
def bucket(bucket_factory, client):
    """The shared ``bucket`` fixture, plus: uploads left in progress are
    aborted at teardown so the bucket can be deleted."""
    name = bucket_factory()
    yield name
    try:
        for u in client.list_multipart_uploads(Bucket=name).get("Upload", []):
            client.abort_multipart_upload(Bucket=name, Key=u["Key"], UploadId=u["UploadId"])
    except Exception:  # best effort, like destroy_bucket
        pass


# ------------------------------------------------------------------ tests

def test_low_level_flow(client, bucket):
    key = "dir/a b+c.bin"
    parts = [os.urandom(MiB), os.urandom(MiB + 12345), os.urandom(123457)]
    data = b"".join(parts)

    init = client.create_multipart_upload(Bucket=bucket, Key=key, ContentType="application/x-cosd-test",
                                          Metadata={"x-cos-meta-a": "1"})
    upload_id = init["UploadId"]
    assert upload_id
    assert init["Bucket"] == bucket
    assert init["Key"] == key            # raw, not url-encoded (spec 03 §4.4)

    # an upload in progress is not an object
    e = service_error(client.head_object, Bucket=bucket, Key=key)
    assert e.get_status_code() == 404

    lst = []
    for i, p in enumerate(parts, 1):
        rt = client.upload_part(Bucket=bucket, Key=key, Body=p, PartNumber=i, UploadId=upload_id)
        assert rt["ETag"] == H.etag_of(p), "part %d" % i                   # spec 08 §3
        assert rt["x-cos-hash-crc64ecma"] == H.crc64(p), "part %d" % i     # spec 08 §1 (CRC of that part)
        lst.append({"PartNumber": i, "ETag": rt["ETag"]})

    lp = client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert lp["IsTruncated"] == "false"
    assert lp["UploadId"] == upload_id
    assert lp["Key"] == key
    assert [p["PartNumber"] for p in lp["Part"]] == ["1", "2", "3"]
    assert [p["ETag"] for p in lp["Part"]] == [H.etag_of(p) for p in parts]
    assert [p["Size"] for p in lp["Part"]] == [str(len(p)) for p in parts]
    assert all(p.get("LastModified") for p in lp["Part"])

    rt = client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                          MultipartUpload={"Part": lst})
    assert rt["ETag"].endswith('-3"')
    assert rt["ETag"] == multipart_etag(parts)
    assert rt["Bucket"] == bucket
    assert rt["Key"] == key
    assert bucket in rt["Location"]
    assert rt["Location"].endswith("/" + quote(key, safe="/-_.~")), rt["Location"]
    assert rt["x-cos-hash-crc64ecma"] == H.crc64(data)        # spec 03 §4.4 / 08 §1
    assert rt.get("x-cos-request-id")

    head = client.head_object(Bucket=bucket, Key=key)
    assert head["Content-Length"] == str(len(data))
    assert head["x-cos-hash-crc64ecma"] == H.crc64(data)
    assert head["ETag"] == rt["ETag"]
    assert head["x-cos-meta-a"] == "1"
    assert head["Content-Type"] == "application/x-cosd-test"

    got = client.get_object(Bucket=bucket, Key=key)
    assert H.status_of(got) == 200
    assert got["ETag"] == rt["ETag"]
    assert got["x-cos-meta-a"] == "1"
    assert H.read_body(got) == data

    # range across the part-1/part-2 and part-2/part-3 boundaries
    a, b = MiB - 10, 2 * MiB + 12345 + 9
    got = client.get_object(Bucket=bucket, Key=key, Range="bytes=%d-%d" % (a, b))
    assert H.status_of(got) == 206
    assert H.read_body(got) == data[a:b + 1]

    listed = client.list_objects(Bucket=bucket)["Contents"]
    assert [(c["Key"], c["Size"], c["ETag"]) for c in listed] == [(key, str(len(data)), rt["ETag"])]

    # the upload is finished: gone from the in-progress list, parts no longer listable
    assert uploads_of(client, bucket) == []
    e = service_error(client.list_parts, Bucket=bucket, Key=key, UploadId=upload_id)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchUpload")


def test_single_small_part(client, bucket):
    """The last part may be small, so a one-part upload of a few bytes is valid."""
    upload_id = new_upload(client, bucket, "one.txt")
    lst = upload_parts(client, bucket, "one.txt", upload_id, [b"tiny"])
    rt = client.complete_multipart_upload(Bucket=bucket, Key="one.txt", UploadId=upload_id,
                                          MultipartUpload={"Part": lst})
    assert rt["ETag"] == multipart_etag([b"tiny"])
    assert H.read_body(client.get_object(Bucket=bucket, Key="one.txt")) == b"tiny"


def test_upload_file_64mib_and_download_file_crc(client, bucket, tmp_path):
    src = tmp_path / "big.bin"
    src.write_bytes(os.urandom(64 * MiB))
    rt = client.upload_file(Bucket=bucket, Key="big/64m.bin", LocalFilePath=str(src),
                            PartSize=1, MAXThread=4)
    assert rt["ETag"].endswith('-64"')
    head = client.head_object(Bucket=bucket, Key="big/64m.bin")
    assert head["Content-Length"] == str(64 * MiB)

    dest = tmp_path / "big.out"
    # 64 MiB > PartSize -> ranged, threaded download; EnableCRC makes the SDK
    # compare the file's CRC64 with the object's x-cos-hash-crc64ecma.
    client.download_file(Bucket=bucket, Key="big/64m.bin", DestFilePath=str(dest),
                         PartSize=8, MAXThread=4, EnableCRC=True,
                         DumpRecordDir=str(tmp_path / "records"))
    assert os.path.getsize(dest) == 64 * MiB
    assert sha256_file(dest) == sha256_file(src)
    assert uploads_of(client, bucket) == []


def test_upload_file_resumes_existing_upload(cosd, recorder, bucket, tmp_path):
    client = recorder.client
    key = "resume/file.bin"
    path = tmp_path / "resume.bin"
    path.write_bytes(os.urandom(8 * MiB + 1234))
    data = path.read_bytes()
    split = sdk_split(len(data), 1)
    assert len(split) == 9

    upload_id = new_upload(client, bucket, key)
    for n in range(1, 6):
        off, size = split[n - 1]
        client.upload_part(Bucket=bucket, Key=key, Body=data[off:off + size], PartNumber=n, UploadId=upload_id)

    calls = []
    created = []
    real_upload_part = client.upload_part
    real_create = client.create_multipart_upload

    def counting_upload_part(Bucket, Key, Body, PartNumber, UploadId, *a, **kw):
        calls.append((int(PartNumber), UploadId))
        return real_upload_part(Bucket, Key, Body, PartNumber, UploadId, *a, **kw)

    def counting_create(*a, **kw):
        created.append(kw.get("Key"))
        return real_create(*a, **kw)

    client.upload_part = counting_upload_part
    client.create_multipart_upload = counting_create
    recorder.clear()

    rt = client.upload_file(Bucket=bucket, Key=key, LocalFilePath=str(path), PartSize=1, MAXThread=2)

    # the SDK found our upload (list_multipart_uploads + list_parts), accepted
    # parts 1..5 (ETag == '"'+md5+'"' and Size match) and uploaded only 6..9
    assert created == [], "upload_file started a new upload instead of resuming"
    assert sorted(calls) == [(n, upload_id) for n in range(6, 10)]
    part_puts = [r for r in recorder.responses
                 if r.request.method == "PUT" and "partNumber=" in r.request.url]
    assert len(part_puts) == 4

    parts = [data[off:off + size] for off, size in split]
    assert rt["ETag"] == multipart_etag(parts)
    got = H.read_body(client.get_object(Bucket=bucket, Key=key))
    assert hashlib.sha256(got).hexdigest() == hashlib.sha256(data).hexdigest()
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["x-cos-hash-crc64ecma"] == H.crc64(data)
    assert uploads_of(client, bucket) == []


def test_list_parts_paging(client, bucket):
    key = "paging/p.bin"
    upload_id = new_upload(client, bucket, key)
    bodies = {n: os.urandom(100 + n) for n in range(1, 6)}
    for n in (5, 3, 1, 4, 2):   # out of order on purpose; listing is by part number
        client.upload_part(Bucket=bucket, Key=key, Body=bodies[n], PartNumber=n, UploadId=upload_id)

    seen = []
    marker = 0
    pages = []
    while True:
        rt = client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=2, PartNumberMarker=marker)
        assert rt["MaxParts"] == "2"
        assert rt["PartNumberMarker"] == str(marker)
        assert rt["UploadId"] == upload_id
        assert rt["Key"] == key
        page = rt.get("Part", [])
        pages.append([p["PartNumber"] for p in page])
        for p in page:
            n = int(p["PartNumber"])
            assert p["ETag"] == H.etag_of(bodies[n])
            assert p["Size"] == str(len(bodies[n]))
            seen.append(n)
        if rt["IsTruncated"] == "false":
            break
        assert rt["IsTruncated"] == "true"
        assert rt["NextPartNumberMarker"] == page[-1]["PartNumber"]
        marker = int(rt["NextPartNumberMarker"])
        assert len(pages) < 10, "list_parts paging does not terminate"
    assert pages == [["1", "2"], ["3", "4"], ["5"]]
    assert seen == [1, 2, 3, 4, 5]

    # a marker starts strictly after that part number
    rt = client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, PartNumberMarker=3)
    assert [p["PartNumber"] for p in rt["Part"]] == ["4", "5"]
    assert rt["IsTruncated"] == "false"


def test_list_multipart_uploads_and_abort(recorder, bucket):
    client = recorder.client
    k_special = "lm/a b+ü.txt"
    first = new_upload(client, bucket, k_special)
    time.sleep(1.1)   # distinct initiation times (upload ids may embed seconds)
    second = new_upload(client, bucket, k_special)
    other_lm = new_upload(client, bucket, "lm/b.txt")
    nested = new_upload(client, bucket, "lm/sub/c.txt")
    outside = new_upload(client, bucket, "other/d.txt")
    ids = {first, second, other_lm, nested, outside}
    assert len(ids) == 5

    ups = uploads_of(client, bucket, prefix="lm/")
    assert sorted((u["Key"], u["UploadId"]) for u in ups) == sorted(
        [(k_special, first), (k_special, second), ("lm/b.txt", other_lm), ("lm/sub/c.txt", nested)])
    for u in ups:
        assert u["StorageClass"] == "STANDARD"
        assert u.get("Initiated")
    # upload_file resumes the *last* upload whose Key matches, so uploads of one
    # key are listed oldest first (spec 03 §4.4)
    assert [u["UploadId"] for u in ups if u["Key"] == k_special] == [first, second]

    everything = uploads_of(client, bucket)
    assert {u["UploadId"] for u in everything} == ids

    rt = client.list_multipart_uploads(Bucket=bucket, Prefix="lm/", Delimiter="/")
    assert sorted(u["Key"] for u in rt.get("Upload", [])) == sorted([k_special, k_special, "lm/b.txt"])
    assert [c["Prefix"] for c in rt.get("CommonPrefixes", [])] == ["lm/sub/"]

    # abort
    client.upload_part(Bucket=bucket, Key="lm/b.txt", Body=b"x" * 1000, PartNumber=1, UploadId=other_lm)
    recorder.clear()
    client.abort_multipart_upload(Bucket=bucket, Key="lm/b.txt", UploadId=other_lm)
    assert recorder.last.status_code == 204
    assert other_lm not in {u["UploadId"] for u in uploads_of(client, bucket)}
    assert len(uploads_of(client, bucket)) == 4

    e = service_error(client.upload_part, Bucket=bucket, Key="lm/b.txt", Body=b"y", PartNumber=2, UploadId=other_lm)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchUpload")
    e = service_error(client.list_parts, Bucket=bucket, Key="lm/b.txt", UploadId=other_lm)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchUpload")
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key="lm/b.txt", UploadId=other_lm,
                      MultipartUpload={"Part": [{"PartNumber": 1, "ETag": H.etag_of(b"x" * 1000)}]})
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchUpload")
    e = service_error(client.head_object, Bucket=bucket, Key="lm/b.txt")
    assert e.get_status_code() == 404

    for u in uploads_of(client, bucket):
        client.abort_multipart_upload(Bucket=bucket, Key=u["Key"], UploadId=u["UploadId"])
    assert uploads_of(client, bucket) == []


def test_complete_wrong_etag_is_invalid_part(client, bucket):
    key = "err/wrong-etag.bin"
    parts = [os.urandom(MiB), b"tail"]
    upload_id = new_upload(client, bucket, key)
    lst = upload_parts(client, bucket, key, upload_id, parts)

    bad = [{"PartNumber": 1, "ETag": H.etag_of(b"something else")}, lst[1]]
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                      MultipartUpload={"Part": bad})
    assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidPart")

    # a part number that was never uploaded (as the last part, so no
    # non-final part is small and InvalidPart is the only possible error)
    missing = [lst[0], {"PartNumber": 7, "ETag": H.etag_of(b"never")}]
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                      MultipartUpload={"Part": missing})
    assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidPart")

    # nothing was created and the upload survives a failed Complete: retry works
    e = service_error(client.head_object, Bucket=bucket, Key=key)
    assert e.get_status_code() == 404
    rt = client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                          MultipartUpload={"Part": lst})
    assert rt["ETag"] == multipart_etag(parts)
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == b"".join(parts)


def test_complete_unquoted_etags_accepted(client, bucket):
    """Spec 03 §4.4: compare ETags ignoring surrounding quotes."""
    key = "err/unquoted.bin"
    parts = [os.urandom(MiB), b"end"]
    upload_id = new_upload(client, bucket, key)
    lst = upload_parts(client, bucket, key, upload_id, parts)
    unquoted = [{"PartNumber": p["PartNumber"], "ETag": p["ETag"].strip('"')} for p in lst]
    rt = client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                          MultipartUpload={"Part": unquoted})
    assert rt["ETag"] == multipart_etag(parts)


def test_complete_parts_out_of_order(client, bucket):
    key = "err/order.bin"
    parts = [os.urandom(MiB), os.urandom(MiB), b"end"]
    upload_id = new_upload(client, bucket, key)
    lst = upload_parts(client, bucket, key, upload_id, parts)
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                      MultipartUpload={"Part": [lst[1], lst[0], lst[2]]})
    assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidPartOrder")
    e = service_error(client.head_object, Bucket=bucket, Key=key)
    assert e.get_status_code() == 404


def test_complete_small_non_final_part(client, bucket):
    key = "err/small.bin"
    parts = [os.urandom(MiB - 1), os.urandom(10)]
    upload_id = new_upload(client, bucket, key)
    lst = upload_parts(client, bucket, key, upload_id, parts)
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                      MultipartUpload={"Part": lst})
    assert (e.get_status_code(), e.get_error_code()) == (400, "EntityTooSmall")
    e = service_error(client.head_object, Bucket=bucket, Key=key)
    assert e.get_status_code() == 404


def test_complete_subset_of_parts(client, bucket):
    """Part numbers need not be consecutive; parts left out are discarded."""
    key = "subset.bin"
    parts = [os.urandom(MiB), os.urandom(MiB), os.urandom(77)]
    upload_id = new_upload(client, bucket, key)
    lst = upload_parts(client, bucket, key, upload_id, parts)
    rt = client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                          MultipartUpload={"Part": [lst[0], lst[2]]})
    assert rt["ETag"] == multipart_etag([parts[0], parts[2]])
    data = parts[0] + parts[2]
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == data
    assert client.head_object(Bucket=bucket, Key=key)["x-cos-hash-crc64ecma"] == H.crc64(data)


@pytest.mark.parametrize("part_number", [0, 10001])
def test_part_number_out_of_range(client, bucket, part_number):
    key = "err/pn.bin"
    upload_id = new_upload(client, bucket, key)
    e = service_error(client.upload_part, Bucket=bucket, Key=key, Body=b"data", PartNumber=part_number,
                      UploadId=upload_id)
    assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidArgument")
    assert "Part" not in client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    # no plain object appeared either
    e = service_error(client.head_object, Bucket=bucket, Key=key)
    assert e.get_status_code() == 404


def test_part_number_limits_accepted(client, bucket):
    key = "pn-limits.bin"
    upload_id = new_upload(client, bucket, key)
    for n in (1, 10000):
        rt = client.upload_part(Bucket=bucket, Key=key, Body=b"p%d" % n, PartNumber=n, UploadId=upload_id)
        assert rt["ETag"] == H.etag_of(b"p%d" % n)
    lp = client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [p["PartNumber"] for p in lp["Part"]] == ["1", "10000"]
    client.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)


def test_unknown_upload_id(client, bucket):
    key = "err/unknown.bin"
    new_upload(client, bucket, key)   # a real upload exists for the key, but not this id
    bogus = "1700000000" + "0" * 32
    e = service_error(client.upload_part, Bucket=bucket, Key=key, Body=b"x", PartNumber=1, UploadId=bogus)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchUpload")
    e = service_error(client.list_parts, Bucket=bucket, Key=key, UploadId=bogus)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchUpload")
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=bogus,
                      MultipartUpload={"Part": [{"PartNumber": 1, "ETag": H.etag_of(b"x")}]})
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchUpload")
    e = service_error(client.abort_multipart_upload, Bucket=bucket, Key=key, UploadId=bogus)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchUpload")


def test_upload_id_is_bound_to_its_key(client, bucket):
    upload_id = new_upload(client, bucket, "bound/a.bin")
    e = service_error(client.upload_part, Bucket=bucket, Key="bound/b.bin", Body=b"x", PartNumber=1,
                      UploadId=upload_id)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchUpload")


def test_reupload_part_replaces_it(client, bucket):
    key = "replace.bin"
    upload_id = new_upload(client, bucket, key)
    old1, part2 = os.urandom(MiB), os.urandom(500)
    new1 = os.urandom(MiB + 7)
    old_lst = upload_parts(client, bucket, key, upload_id, [old1, part2])
    rt = client.upload_part(Bucket=bucket, Key=key, Body=new1, PartNumber=1, UploadId=upload_id)
    assert rt["ETag"] == H.etag_of(new1)

    lp = client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in lp["Part"]] == [
        ("1", H.etag_of(new1), str(len(new1))), ("2", H.etag_of(part2), str(len(part2)))]

    # the replaced part's ETag is no longer valid
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                      MultipartUpload={"Part": old_lst})
    assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidPart")

    lst = [{"PartNumber": 1, "ETag": rt["ETag"]}, old_lst[1]]
    done = client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                            MultipartUpload={"Part": lst})
    assert done["ETag"] == multipart_etag([new1, part2])
    data = new1 + part2
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == data
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["Content-Length"] == str(len(data))
    assert head["x-cos-hash-crc64ecma"] == H.crc64(data)


def test_upload_part_copy(client, bucket):
    src_data = os.urandom(3 * MiB + 4321)
    client.put_object(Bucket=bucket, Key="copy/src.bin", Body=src_data)
    source = {"Bucket": bucket, "Key": "copy/src.bin", "Region": H.REGION}

    key = "copy/dst.bin"
    upload_id = new_upload(client, bucket, key)
    rt = client.upload_part_copy(Bucket=bucket, Key=key, PartNumber=1, UploadId=upload_id,
                                 CopySource=source, CopySourceRange="bytes=0-1048575")
    part1 = src_data[:MiB]
    assert rt["ETag"] == H.etag_of(part1)      # CopyPartResult/ETag (spec 03 §4.5)
    if rt.get("CRC64"):
        assert rt["CRC64"] == H.crc64(part1)

    part2 = os.urandom(MiB + 1)
    rt2 = client.upload_part(Bucket=bucket, Key=key, Body=part2, PartNumber=2, UploadId=upload_id)

    # a range in the middle of the source as the (short) last part
    a, b = 2 * MiB + 3, 2 * MiB + 70000
    rt3 = client.upload_part_copy(Bucket=bucket, Key=key, PartNumber=3, UploadId=upload_id,
                                  CopySource=source, CopySourceRange="bytes=%d-%d" % (a, b))
    part3 = src_data[a:b + 1]
    assert rt3["ETag"] == H.etag_of(part3)

    lp = client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [(p["PartNumber"], p["Size"]) for p in lp["Part"]] == [
        ("1", str(MiB)), ("2", str(MiB + 1)), ("3", str(len(part3)))]

    lst = [{"PartNumber": 1, "ETag": rt["ETag"]}, {"PartNumber": 2, "ETag": rt2["ETag"]},
           {"PartNumber": 3, "ETag": rt3["ETag"]}]
    done = client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                            MultipartUpload={"Part": lst})
    data = part1 + part2 + part3
    assert done["ETag"] == multipart_etag([part1, part2, part3])
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == data
    assert client.head_object(Bucket=bucket, Key=key)["x-cos-hash-crc64ecma"] == H.crc64(data)
    # the source is untouched
    assert H.read_body(client.get_object(Bucket=bucket, Key="copy/src.bin")) == src_data


def test_upload_part_copy_missing_source(client, bucket):
    key = "copy/dst2.bin"
    upload_id = new_upload(client, bucket, key)
    e = service_error(client.upload_part_copy, Bucket=bucket, Key=key, PartNumber=1, UploadId=upload_id,
                      CopySource={"Bucket": bucket, "Key": "copy/none.bin", "Region": H.REGION},
                      CopySourceRange="bytes=0-9")
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchKey")


def test_complete_overwrites_existing_object(client, bucket):
    key = "overwrite.bin"
    client.put_object(Bucket=bucket, Key=key, Body=b"old contents", Metadata={"x-cos-meta-old": "yes"})
    upload_id = new_upload(client, bucket, key)
    parts = [os.urandom(MiB), b"new tail"]
    lst = upload_parts(client, bucket, key, upload_id, parts)
    # until Complete the old object is still served
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == b"old contents"
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Part": lst})
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["ETag"] == multipart_etag(parts)
    assert "x-cos-meta-old" not in head
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == b"".join(parts)
    # and it can be deleted like any object
    client.delete_object(Bucket=bucket, Key=key)
    e = service_error(client.head_object, Bucket=bucket, Key=key)
    assert e.get_status_code() == 404


def test_complete_duplicate_part_numbers(client, bucket):
    """Parts must be strictly ascending (spec 03 §4.4): a repeated number is InvalidPartOrder."""
    key = "err/dup.bin"
    parts = [os.urandom(MiB), b"end"]
    upload_id = new_upload(client, bucket, key)
    lst = upload_parts(client, bucket, key, upload_id, parts)
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                      MultipartUpload={"Part": [lst[0], lst[0], lst[1]]})
    assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidPartOrder")


def test_create_multipart_upload_stores_put_headers(client, bucket):
    """InitiateMultipartUpload takes the same metadata headers as PUT (spec 03 §3)."""
    key = "hdrs.bin"
    upload_id = new_upload(client, bucket, key, ContentType="text/csv", CacheControl="max-age=60",
                           ContentDisposition='attachment; filename="x.csv"', ContentEncoding="identity",
                           Metadata={"x-cos-meta-Mixed-Case": "Value Kept"})
    lst = upload_parts(client, bucket, key, upload_id, [b"a,b\n1,2\n"])
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Part": lst})
    head = client.head_object(Bucket=bucket, Key=key)
    assert head["Content-Type"] == "text/csv"
    assert H.hget(head, "Cache-Control") == "max-age=60"
    assert H.hget(head, "Content-Disposition") == 'attachment; filename="x.csv"'
    assert H.hget(head, "Content-Encoding") == "identity"
    assert head["x-cos-meta-mixed-case"] == "Value Kept"


def test_upload_part_content_md5(client, bucket):
    key = "md5.bin"
    upload_id = new_upload(client, bucket, key)
    body = os.urandom(4096)
    rt = client.upload_part(Bucket=bucket, Key=key, Body=body, PartNumber=1, UploadId=upload_id, EnableMD5=True)
    assert rt["ETag"] == H.etag_of(body)
    import base64
    wrong = base64.b64encode(hashlib.md5(b"not the body").digest()).decode()
    e = service_error(client.upload_part, Bucket=bucket, Key=key, Body=os.urandom(100), PartNumber=2,
                      UploadId=upload_id, ContentMD5=wrong)
    assert (e.get_status_code(), e.get_error_code()) == (400, "BadDigest")
    lp = client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [p["PartNumber"] for p in lp["Part"]] == ["1"]


def test_upload_part_chunked_body(client, bucket):
    """A generator body is sent with Transfer-Encoding: chunked (spec 03 §3: Content-Length or chunked)."""
    key = "chunked.bin"
    upload_id = new_upload(client, bucket, key)
    blocks = [os.urandom(300000) for _ in range(4)]      # 1.2 MB
    rt = client.upload_part(Bucket=bucket, Key=key, Body=(b for b in blocks), PartNumber=1, UploadId=upload_id)
    part1 = b"".join(blocks)
    assert rt["ETag"] == H.etag_of(part1)
    lst = [{"PartNumber": 1, "ETag": rt["ETag"]}] + upload_parts(client, bucket, key, upload_id, [b"z"], start=2)
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Part": lst})
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == part1 + b"z"


def test_upload_file_exact_multiple_of_part_size(client, bucket, tmp_path):
    path = tmp_path / "three.bin"
    path.write_bytes(os.urandom(3 * MiB))
    rt = client.upload_file(Bucket=bucket, Key="three.bin", LocalFilePath=str(path), PartSize=1, MAXThread=3)
    data = path.read_bytes()
    assert rt["ETag"] == multipart_etag([data[:MiB], data[MiB:2 * MiB], data[2 * MiB:]])
    assert H.read_body(client.get_object(Bucket=bucket, Key="three.bin")) == data


def test_upload_file_from_buffer(client, bucket):
    import io
    data = os.urandom(5 * MiB + 3)
    rt = client.upload_file_from_buffer(Bucket=bucket, Key="buf.bin", Body=io.BytesIO(data), PartSize=1,
                                        MAXThread=3)
    assert rt["ETag"] == multipart_etag([data[i:i + MiB] for i in range(0, len(data), MiB)])
    head = client.head_object(Bucket=bucket, Key="buf.bin")
    assert head["Content-Length"] == str(len(data))
    assert head["x-cos-hash-crc64ecma"] == H.crc64(data)
    assert H.read_body(client.get_object(Bucket=bucket, Key="buf.bin")) == data


def test_list_multipart_uploads_paging(client, bucket):
    made = []
    for key in ("pg/a", "pg/b", "pg/b", "pg/c", "pg/d"):
        made.append((key, new_upload(client, bucket, key)))
    key_marker, id_marker = "", ""
    seen = []
    for _ in range(10):
        rt = client.list_multipart_uploads(Bucket=bucket, Prefix="pg/", MaxUploads=2,
                                           KeyMarker=key_marker, UploadIdMarker=id_marker)
        assert rt["MaxUploads"] == "2"
        page = rt.get("Upload", [])
        assert len(page) <= 2
        seen.extend((u["Key"], u["UploadId"]) for u in page)
        if rt["IsTruncated"] == "false":
            break
        assert rt["IsTruncated"] == "true"
        key_marker, id_marker = rt["NextKeyMarker"], rt["NextUploadIdMarker"]
        assert (key_marker, id_marker) == seen[-1]
    else:
        pytest.fail("list_multipart_uploads paging does not terminate: %r" % seen)
    assert sorted(seen) == sorted(made)
    assert len(seen) == len(set(seen)) == 5
    assert [k for k, _ in seen] == sorted(k for k, _ in seen)    # ordered by key


def test_create_multipart_upload_missing_bucket(client):
    e = service_error(client.create_multipart_upload, Bucket=H.unique_bucket("gone"), Key="a.bin")
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchBucket")


def test_upload_part_copy_whole_object_without_range(client, bucket):
    """upload_part_copy without CopySourceRange (the SDK then sends an empty
    x-cos-copy-source-range header) copies the whole source object."""
    src_data = os.urandom(200000)
    client.put_object(Bucket=bucket, Key="copy/whole.bin", Body=src_data)
    key = "copy/whole-dst.bin"
    upload_id = new_upload(client, bucket, key)
    rt = client.upload_part_copy(Bucket=bucket, Key=key, PartNumber=1, UploadId=upload_id,
                                 CopySource={"Bucket": bucket, "Key": "copy/whole.bin", "Region": H.REGION})
    assert rt["ETag"] == H.etag_of(src_data)
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                     MultipartUpload={"Part": [{"PartNumber": 1, "ETag": rt["ETag"]}]})
    assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == src_data


def test_copy_object_of_multipart_object(client, bucket):
    key = "mp-src.bin"
    parts = [os.urandom(MiB), os.urandom(MiB + 5), os.urandom(1000)]
    data = b"".join(parts)
    upload_id = new_upload(client, bucket, key, Metadata={"x-cos-meta-k": "v"})
    lst = upload_parts(client, bucket, key, upload_id, parts)
    client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Part": lst})
    client.copy_object(Bucket=bucket, Key="mp-copy.bin",
                       CopySource={"Bucket": bucket, "Key": key, "Region": H.REGION})
    client.delete_object(Bucket=bucket, Key=key)
    head = client.head_object(Bucket=bucket, Key="mp-copy.bin")
    assert head["Content-Length"] == str(len(data))
    assert head["x-cos-hash-crc64ecma"] == H.crc64(data)
    assert head["x-cos-meta-k"] == "v"
    assert H.read_body(client.get_object(Bucket=bucket, Key="mp-copy.bin")) == data


SPECIAL = ["sp ace/a b.txt", "plus+/c+d.txt", "pct%/e%25f%.txt", "中文/文件.txt", "amp&lt<gt>\"q'.txt"]


@pytest.mark.parametrize("prefix", ["sp ace/", "plus+/", "pct%/", "中文/"])
def test_list_multipart_uploads_special_prefix(client, bucket, prefix):
    """The SDK sends encoding-type=url and url-decodes Prefix, KeyMarker,
    NextKeyMarker, Upload/Key, CommonPrefixes/Prefix (cos_client.py
    list_multipart_uploads), so the server must encode all of them (spec 03 §4.4
    example: <Prefix>dir%2F</Prefix>)."""
    ids = {k: new_upload(client, bucket, k) for k in SPECIAL}
    rt = client.list_multipart_uploads(Bucket=bucket, Prefix=prefix)
    assert rt["Prefix"] == prefix
    assert [(u["Key"], u["UploadId"]) for u in rt.get("Upload", [])] == [
        (k, ids[k]) for k in SPECIAL if k.startswith(prefix)]


def test_list_multipart_uploads_special_keys_paging(client, bucket):
    ids = {k: new_upload(client, bucket, k) for k in SPECIAL}
    expect = sorted(SPECIAL, key=lambda s: s.encode("utf-8"))
    rt = client.list_multipart_uploads(Bucket=bucket)
    assert [u["Key"] for u in rt["Upload"]] == expect
    rt = client.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [c["Prefix"] for c in rt.get("CommonPrefixes", [])] == sorted(
        {k.split("/")[0] + "/" for k in SPECIAL if "/" in k}, key=lambda s: s.encode("utf-8"))
    assert [u["Key"] for u in rt.get("Upload", [])] == ['amp&lt<gt>"q\'.txt']

    seen = []
    key_marker, id_marker = "", ""
    for _ in range(10):
        rt = client.list_multipart_uploads(Bucket=bucket, MaxUploads=2, KeyMarker=key_marker,
                                           UploadIdMarker=id_marker)
        if key_marker:
            assert rt["KeyMarker"] == key_marker
        seen += [(u["Key"], u["UploadId"]) for u in rt.get("Upload", [])]
        if rt["IsTruncated"] != "true":
            break
        key_marker, id_marker = rt["NextKeyMarker"], rt["NextUploadIdMarker"]
    assert seen == [(k, ids[k]) for k in expect]


def test_list_parts_special_key(client, bucket):
    for key in SPECIAL:
        upload_id = new_upload(client, bucket, key)
        client.upload_part(Bucket=bucket, Key=key, Body=b"x", PartNumber=1, UploadId=upload_id)
        rt = client.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
        assert rt["Key"] == key
        assert [p["PartNumber"] for p in rt["Part"]] == ["1"]
        done = client.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                                MultipartUpload={"Part": [{"PartNumber": 1, "ETag": H.etag_of(b"x")}]})
        assert done["Key"] == key
        assert H.read_body(client.get_object(Bucket=bucket, Key=key)) == b"x"


def test_complete_with_no_parts_rejected(client, bucket):
    key = "err/empty.bin"
    upload_id = new_upload(client, bucket, key)
    upload_parts(client, bucket, key, upload_id, [b"x"])
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                      MultipartUpload={"Part": []})
    assert e.get_status_code() == 400
    e = service_error(client.head_object, Bucket=bucket, Key=key)
    assert e.get_status_code() == 404
