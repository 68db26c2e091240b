"""S3 flexible checksums and multipart uploads through boto3: per-object
checksums (CRC32/CRC32C/CRC64NVME/SHA1/SHA256), BadDigest, multipart part and
composite / full-object checksums, upload_part_copy, and s3transfer's
upload_file / download_file. Every test taking ``s3`` runs with both client
configurations of s3_harness.CLIENT_CONFIGS."""

import hashlib
import os

import pytest
from boto3.s3.transfer import TransferConfig

import s3_harness as S3
from s3_harness import MiB, ClientError

ALGORITHMS = ["CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256"]
CRT_ONLY = ("CRC32C", "CRC64NVME")   # botocore computes these only with awscrt installed


def checksum_args(alg, data):
    """put_object / upload_part arguments asking for ``alg``. Without awscrt,
    botocore cannot compute CRC32C/CRC64NVME, so the test supplies the value
    (botocore then sends it as is, next to x-amz-sdk-checksum-algorithm)."""
    if alg in CRT_ONLY and not S3.botocore_has_crt():
        return {"ChecksumAlgorithm": alg, "Checksum" + alg: S3.checksum_b64(alg, data)}
    return {"ChecksumAlgorithm": alg}


def amz_checksum_headers(response):
    return {k: v for k, v in response["ResponseMetadata"]["HTTPHeaders"].items()
            if k.startswith("x-amz-checksum-")}


# ------------------------------------------------------------ single PUT

@pytest.mark.parametrize("alg", ALGORITHMS)
def test_put_object_checksum_roundtrip(s3, s3_bucket, alg):
    data = os.urandom(100000)
    want = S3.checksum_b64(alg, data)
    member = "Checksum" + alg
    log = S3.WireLog(s3)
    rt = s3.put_object(Bucket=s3_bucket, Key="obj", Body=data, **checksum_args(alg, data))
    sent = log.requests[-1].headers
    assert sent["x-amz-checksum-%s" % alg.lower()] in (want, want.encode())
    assert rt[member] == want
    assert rt["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()

    head = s3.head_object(Bucket=s3_bucket, Key="obj", ChecksumMode="ENABLED")
    assert head[member] == want
    assert sorted(amz_checksum_headers(head)) == ["x-amz-checksum-%s" % alg.lower(), "x-amz-checksum-type"]
    assert amz_checksum_headers(head)["x-amz-checksum-type"] == "FULL_OBJECT"

    got = s3.get_object(Bucket=s3_bucket, Key="obj", ChecksumMode="ENABLED")
    assert got[member] == want
    assert got["Body"].read() == data      # the defaults client also validates it

    # no checksum headers unless asked for
    assert not amz_checksum_headers(s3.head_object(Bucket=s3_bucket, Key="obj"))
    got = s3.get_object(Bucket=s3_bucket, Key="obj")
    got["Body"].read()
    assert not amz_checksum_headers(got) or s3.cosd_config_name == "defaults"


def test_default_client_sends_crc32(s3, s3_bucket):
    """Without ChecksumAlgorithm: the defaults client sends CRC32 on its own,
    the when_required client sends none; either way GET (mode ENABLED) returns
    a CRC32 the server computed or verified."""
    data = b"hello world"
    log = S3.WireLog(s3)
    rt = s3.put_object(Bucket=s3_bucket, Key="plain", Body=data)
    sent = {k.lower() for k in log.requests[-1].headers}
    if s3.cosd_config_name == "defaults":
        assert "x-amz-checksum-crc32" in sent
        assert rt["ChecksumCRC32"] == "DUoRhQ=="
    else:
        assert not any(h.startswith("x-amz-checksum-") for h in sent)
    head = s3.head_object(Bucket=s3_bucket, Key="plain", ChecksumMode="ENABLED")
    if "ChecksumCRC32" in head:
        assert head["ChecksumCRC32"] == "DUoRhQ=="


@pytest.mark.parametrize("alg,bad", [("CRC32", "AAAAAA=="), ("SHA256", "A" * 43 + "="),
                                     ("SHA1", "A" * 27 + "="), ("CRC32C", "AAAAAA=="),
                                     ("CRC64NVME", "AAAAAAAAAAA=")])
def test_put_wrong_checksum_is_bad_digest(s3, s3_bucket, alg, bad):
    s3.put_object(Bucket=s3_bucket, Key="keep", Body=b"old")
    for key in ("new", "keep"):
        with pytest.raises(ClientError) as ei:
            s3.put_object(Bucket=s3_bucket, Key=key, Body=b"some data", **{"Checksum" + alg: bad})
        status, code, resp = S3.err(ei)
        assert (status, code) == (400, "BadDigest")
        assert resp["ResponseMetadata"]["RequestId"]
    with pytest.raises(ClientError) as ei:
        s3.head_object(Bucket=s3_bucket, Key="new")
    assert S3.err(ei)[0] == 404
    assert s3.get_object(Bucket=s3_bucket, Key="keep")["Body"].read() == b"old"


def test_malformed_checksum_header(cosd, s3, s3_bucket):
    client = S3.named_client(cosd, s3.cosd_config_name, request_checksum_calculation="when_required")
    S3.add_headers(client, "PutObject", {"x-amz-checksum-crc32": "not base64!"})
    with pytest.raises(ClientError) as ei:
        client.put_object(Bucket=s3_bucket, Key="m", Body=b"data")
    assert S3.err(ei)[0] == 400
    assert S3.err(ei)[1] in ("InvalidRequest", "InvalidArgument", "BadDigest")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=s3_bucket, Key="m")


def test_range_get_with_checksum_mode(s3, s3_bucket):
    """A partial GET must not carry the full-object checksum (botocore would
    validate the range against it and fail)."""
    data = os.urandom(4096)
    s3.put_object(Bucket=s3_bucket, Key="r", Body=data, ChecksumAlgorithm="SHA256")
    got = s3.get_object(Bucket=s3_bucket, Key="r", Range="bytes=100-199", ChecksumMode="ENABLED")
    assert got["Body"].read() == data[100:200]
    assert "ChecksumSHA256" not in got


# ------------------------------------------------------------- multipart

PART_SIZES = [5 * MiB, 5 * MiB, 123457]


@pytest.fixture(scope="module")
def mp_parts():
    return [os.urandom(n) for n in PART_SIZES]


@pytest.mark.parametrize("alg", ["CRC32", "SHA256"])
def test_multipart_composite_checksum(s3, s3_bucket, mp_parts, alg):
    member = "Checksum" + alg
    key = "mp/%s.bin" % alg
    cr = s3.create_multipart_upload(Bucket=s3_bucket, Key=key, ChecksumAlgorithm=alg,
                                    Metadata={"color": "blue"})
    assert cr["ChecksumAlgorithm"] == alg
    assert cr.get("ChecksumType", "COMPOSITE") == "COMPOSITE"
    up = cr["UploadId"]
    completed = []
    for n, data in enumerate(mp_parts, 1):
        rt = s3.upload_part(Bucket=s3_bucket, Key=key, UploadId=up, PartNumber=n, Body=data,
                            ChecksumAlgorithm=alg)
        assert rt[member] == S3.checksum_b64(alg, data)
        assert rt["ETag"] == '"%s"' % hashlib.md5(data).hexdigest()
        completed.append({"PartNumber": n, "ETag": rt["ETag"], member: rt[member]})

    lp = s3.list_parts(Bucket=s3_bucket, Key=key, UploadId=up)
    assert [p["PartNumber"] for p in lp["Parts"]] == [1, 2, 3]
    assert [p["Size"] for p in lp["Parts"]] == PART_SIZES
    assert [p[member] for p in lp["Parts"]] == [S3.checksum_b64(alg, d) for d in mp_parts]
    # ListParts paging
    lp = s3.list_parts(Bucket=s3_bucket, Key=key, UploadId=up, MaxParts=2)
    assert lp["IsTruncated"] is True and [p["PartNumber"] for p in lp["Parts"]] == [1, 2]
    lp = s3.list_parts(Bucket=s3_bucket, Key=key, UploadId=up, PartNumberMarker=lp["NextPartNumberMarker"])
    assert [p["PartNumber"] for p in lp["Parts"]] == [3]

    # a wrong part checksum in the completion list is rejected
    bad = [dict(p) for p in completed]
    bad[1][member] = S3.checksum_b64(alg, b"something else")
    with pytest.raises(ClientError) as ei:
        s3.complete_multipart_upload(Bucket=s3_bucket, Key=key, UploadId=up,
                                     MultipartUpload={"Parts": bad})
    assert S3.err(ei)[0] == 400
    assert S3.err(ei)[1] in ("InvalidPart", "BadDigest", "InvalidRequest")

    # The expected checksum may be sent as S3 prints a composite one, "<base64>-<parts>".
    composite = S3.composite_checksum(alg, mp_parts)
    rt = s3.complete_multipart_upload(Bucket=s3_bucket, Key=key, UploadId=up,
                                      MultipartUpload={"Parts": completed}, **{member: composite})
    assert rt[member] == composite
    assert rt[member].endswith("-3")
    assert rt.get("ChecksumType") == "COMPOSITE"
    assert rt["ETag"] == S3.multipart_etag(mp_parts)

    head = s3.head_object(Bucket=s3_bucket, Key=key, ChecksumMode="ENABLED")
    assert head[member] == composite
    assert head["ChecksumType"] == "COMPOSITE"
    assert head["ContentLength"] == sum(PART_SIZES)
    assert head["Metadata"] == {"color": "blue"}
    got = s3.get_object(Bucket=s3_bucket, Key=key, ChecksumMode="ENABLED")
    assert hashlib.sha256(got["Body"].read()).digest() == hashlib.sha256(b"".join(mp_parts)).digest()
    # the upload is gone
    with pytest.raises(ClientError) as ei:
        s3.list_parts(Bucket=s3_bucket, Key=key, UploadId=up)
    assert S3.err(ei)[:2] == (404, "NoSuchUpload")


def test_multipart_crc64nvme_full_object(s3, s3_bucket, mp_parts):
    key = "mp/crc64.bin"
    whole = S3.checksum_b64("crc64nvme", b"".join(mp_parts))
    cr = s3.create_multipart_upload(Bucket=s3_bucket, Key=key, ChecksumAlgorithm="CRC64NVME",
                                    ChecksumType="FULL_OBJECT")
    assert cr["ChecksumAlgorithm"] == "CRC64NVME"
    assert cr.get("ChecksumType", "FULL_OBJECT") == "FULL_OBJECT"
    up = cr["UploadId"]
    completed = []
    for n, data in enumerate(mp_parts, 1):
        rt = s3.upload_part(Bucket=s3_bucket, Key=key, UploadId=up, PartNumber=n, Body=data,
                            **checksum_args("CRC64NVME", data))
        assert rt["ChecksumCRC64NVME"] == S3.checksum_b64("crc64nvme", data)
        completed.append({"PartNumber": n, "ETag": rt["ETag"], "ChecksumCRC64NVME": rt["ChecksumCRC64NVME"]})
    rt = s3.complete_multipart_upload(Bucket=s3_bucket, Key=key, UploadId=up,
                                      MultipartUpload={"Parts": completed})
    assert rt["ChecksumCRC64NVME"] == whole          # no "-N": a full-object CRC
    assert rt["ChecksumType"] == "FULL_OBJECT"
    head = s3.head_object(Bucket=s3_bucket, Key=key, ChecksumMode="ENABLED")
    assert head["ChecksumCRC64NVME"] == whole
    got = s3.get_object(Bucket=s3_bucket, Key=key, ChecksumMode="ENABLED")
    data = got["Body"].read()
    assert S3.checksum_b64("crc64nvme", data) == whole


def test_multipart_plain_and_abort(s3, s3_bucket):
    """No checksum algorithm: ETag '<md5 of md5s>-N'; list/abort uploads."""
    parts = [os.urandom(5 * MiB), b"tail"]
    up = s3.create_multipart_upload(Bucket=s3_bucket, Key="plain", ContentType="text/x-mp")["UploadId"]
    other = s3.create_multipart_upload(Bucket=s3_bucket, Key="aborted")["UploadId"]
    uploads = s3.list_multipart_uploads(Bucket=s3_bucket)["Uploads"]
    assert sorted((u["Key"], u["UploadId"]) for u in uploads) == sorted([("plain", up), ("aborted", other)])
    etags = [s3.upload_part(Bucket=s3_bucket, Key="plain", UploadId=up, PartNumber=n, Body=d)["ETag"]
             for n, d in enumerate(parts, 1)]
    s3.upload_part(Bucket=s3_bucket, Key="aborted", UploadId=other, PartNumber=1, Body=b"x")
    rt = s3.abort_multipart_upload(Bucket=s3_bucket, Key="aborted", UploadId=other)
    assert rt["ResponseMetadata"]["HTTPStatusCode"] == 204
    with pytest.raises(ClientError) as ei:
        s3.upload_part(Bucket=s3_bucket, Key="aborted", UploadId=other, PartNumber=2, Body=b"y")
    assert S3.err(ei)[:2] == (404, "NoSuchUpload")
    # a part smaller than 5 MiB that is not the last one
    with pytest.raises(ClientError) as ei:
        s3.complete_multipart_upload(Bucket=s3_bucket, Key="plain", UploadId=up, MultipartUpload={
            "Parts": [{"PartNumber": 1, "ETag": etags[1]}]})
    assert S3.err(ei)[:2] == (400, "InvalidPart")
    rt = s3.complete_multipart_upload(Bucket=s3_bucket, Key="plain", UploadId=up, MultipartUpload={
        "Parts": [{"PartNumber": n, "ETag": e} for n, e in enumerate(etags, 1)]})
    assert rt["ETag"] == S3.multipart_etag(parts)
    assert rt["Key"] == "plain" and rt["Bucket"] == s3_bucket
    head = s3.head_object(Bucket=s3_bucket, Key="plain")
    assert head["ContentType"] == "text/x-mp" and head["ContentLength"] == len(b"".join(parts))
    assert s3.list_multipart_uploads(Bucket=s3_bucket).get("Uploads", []) == []


def test_upload_part_copy(s3, s3_bucket):
    src = os.urandom(6 * MiB + 1000)
    s3.put_object(Bucket=s3_bucket, Key="src", Body=src)
    up = s3.create_multipart_upload(Bucket=s3_bucket, Key="dst")["UploadId"]
    p1 = s3.upload_part_copy(Bucket=s3_bucket, Key="dst", UploadId=up, PartNumber=1,
                             CopySource={"Bucket": s3_bucket, "Key": "src"},
                             CopySourceRange="bytes=0-%d" % (5 * MiB - 1))
    p2 = s3.upload_part_copy(Bucket=s3_bucket, Key="dst", UploadId=up, PartNumber=2,
                             CopySource={"Bucket": s3_bucket, "Key": "src"},
                             CopySourceRange="bytes=%d-%d" % (5 * MiB, len(src) - 1))
    assert p1["CopyPartResult"]["ETag"] == '"%s"' % hashlib.md5(src[:5 * MiB]).hexdigest()
    p3 = s3.upload_part(Bucket=s3_bucket, Key="dst", UploadId=up, PartNumber=3, Body=b"+suffix")
    s3.complete_multipart_upload(Bucket=s3_bucket, Key="dst", UploadId=up, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": p1["CopyPartResult"]["ETag"]},
        {"PartNumber": 2, "ETag": p2["CopyPartResult"]["ETag"]},
        {"PartNumber": 3, "ETag": p3["ETag"]}]})
    assert s3.get_object(Bucket=s3_bucket, Key="dst")["Body"].read() == src + b"+suffix"


# --------------------------------------------------------------- s3transfer

def _sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(MiB), b""):
            h.update(block)
    return h.hexdigest()


def test_upload_download_file(s3, s3_bucket, tmp_path):
    size = 20 * MiB
    src = tmp_path / "src.bin"
    data = os.urandom(size)
    src.write_bytes(data)
    cfg = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4)
    s3.upload_file(str(src), s3_bucket, "big/file.bin", Config=cfg,
                   ExtraArgs={"Metadata": {"color": "blue"}, "ContentType": "application/x-big"})
    head = s3.head_object(Bucket=s3_bucket, Key="big/file.bin", ChecksumMode="ENABLED")
    assert head["ContentLength"] == size
    assert head["ETag"].endswith('-4"')
    assert head["Metadata"] == {"color": "blue"}
    assert head["ContentType"] == "application/x-big"
    parts = [data[i:i + 5 * MiB] for i in range(0, size, 5 * MiB)]
    assert head["ETag"] == S3.multipart_etag(parts)
    if s3.cosd_config_name == "defaults":
        # s3transfer asks for CRC32 when request_checksum_calculation=when_supported
        assert head["ChecksumCRC32"] == S3.composite_checksum("crc32", parts)
        assert head["ChecksumType"] == "COMPOSITE"
    else:
        assert not amz_checksum_headers(head)

    dst = tmp_path / "dst.bin"
    s3.download_file(s3_bucket, "big/file.bin", str(dst), Config=cfg)
    assert _sha256_file(dst) == hashlib.sha256(data).hexdigest()

    # single-request path (below the threshold), and the file-object variants
    small = tmp_path / "small.bin"
    small.write_bytes(data[:1 * MiB])
    s3.upload_file(str(small), s3_bucket, "small.bin", Config=cfg)
    with open(tmp_path / "small.out", "wb") as f:
        s3.download_fileobj(s3_bucket, "small.bin", f, Config=cfg)
    assert (tmp_path / "small.out").read_bytes() == data[:1 * MiB]


# ------------------------------------------------- regressions of gaps found while writing these tests

def test_full_object_checksum_type_header(s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="ft", Body=b"abc", ChecksumAlgorithm="SHA1")
    head = s3.head_object(Bucket=s3_bucket, Key="ft", ChecksumMode="ENABLED")
    assert head["ChecksumSHA1"] == S3.checksum_b64("sha1", b"abc")
    assert head.get("ChecksumType") == "FULL_OBJECT"
    got = s3.get_object(Bucket=s3_bucket, Key="ft", ChecksumMode="ENABLED")
    got["Body"].read()
    assert got.get("ChecksumType") == "FULL_OBJECT"


def test_list_parts_reports_checksum_algorithm(s3, s3_bucket):
    up = s3.create_multipart_upload(Bucket=s3_bucket, Key="lp", ChecksumAlgorithm="CRC32")["UploadId"]
    s3.upload_part(Bucket=s3_bucket, Key="lp", UploadId=up, PartNumber=1, Body=b"abc",
                   ChecksumAlgorithm="CRC32")
    lp = s3.list_parts(Bucket=s3_bucket, Key="lp", UploadId=up)
    assert lp["Parts"][0]["ChecksumCRC32"] == S3.checksum_b64("crc32", b"abc")
    assert lp.get("ChecksumAlgorithm") == "CRC32"
    assert lp.get("ChecksumType") == "COMPOSITE"


def test_complete_multipart_with_full_object_checksum(s3, s3_bucket):
    parts = [os.urandom(5 * MiB), b"tail of the object"]
    whole = S3.checksum_b64("crc64nvme", b"".join(parts))
    up = s3.create_multipart_upload(Bucket=s3_bucket, Key="fo", ChecksumAlgorithm="CRC64NVME",
                                    ChecksumType="FULL_OBJECT")["UploadId"]
    completed = []
    for n, data in enumerate(parts, 1):
        rt = s3.upload_part(Bucket=s3_bucket, Key="fo", UploadId=up, PartNumber=n, Body=data,
                            **checksum_args("CRC64NVME", data))
        completed.append({"PartNumber": n, "ETag": rt["ETag"], "ChecksumCRC64NVME": rt["ChecksumCRC64NVME"]})
    with pytest.raises(ClientError) as ei:
        s3.complete_multipart_upload(Bucket=s3_bucket, Key="fo", UploadId=up,
                                     MultipartUpload={"Parts": completed},
                                     ChecksumCRC64NVME="AAAAAAAAAAA=", ChecksumType="FULL_OBJECT")
    assert S3.err(ei)[:2] == (400, "BadDigest")
    rt = s3.complete_multipart_upload(Bucket=s3_bucket, Key="fo", UploadId=up,
                                      MultipartUpload={"Parts": completed},
                                      ChecksumCRC64NVME=whole, ChecksumType="FULL_OBJECT")
    assert rt["ChecksumCRC64NVME"] == whole
