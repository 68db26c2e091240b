"""Bucket versioning through boto3 (S3 dialect; contract: docs/versioning.md): versioning
configuration, x-amz-version-id on writes, reads by version, delete markers, 405 for a marker
addressed by id, copy / UploadPartCopy from a version, CompleteMultipartUpload versions,
DeleteObjects with versions, ListObjectVersions and its paginator. Tests taking ``s3`` run
with both client configurations of s3_harness.CLIENT_CONFIGS."""

import os

import pytest

import cosd_harness as H
import s3_harness as S3
import versioning_helpers as V
from s3_harness import ClientError

MiB = 1024 * 1024


@pytest.fixture
def s3_vbucket_factory(cosd, s3_default):
    made = []

    def make(status="Enabled", s3=None):
        s3 = s3 or s3_default
        name = S3.unique_bucket()
        s3.create_bucket(Bucket=name)
        made.append(name)
        if status:
            s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
        return name

    yield make
    for name in made:
        V.s3_destroy_versioned_bucket(s3_default, name)


@pytest.fixture
def vb(s3, s3_vbucket_factory):
    """A fresh bucket with versioning Enabled, made through the parametrized client."""
    return s3_vbucket_factory(s3=s3)


def client_error(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    return S3.err(ei)


def put(s3, bucket, key, body):
    rt = s3.put_object(Bucket=bucket, Key=key, Body=body)
    assert rt["ETag"] == H.etag_of(body)
    return rt.get("VersionId")


def body_of(s3, bucket, key, version_id=None):
    kw = {"VersionId": version_id} if version_id else {}
    return s3.get_object(Bucket=bucket, Key=key, **kw)["Body"].read()


def test_versioning_configuration_round_trip(s3, s3_bucket):
    rt = s3.get_bucket_versioning(Bucket=s3_bucket)
    assert "Status" not in rt and "MFADelete" not in rt
    for status in ("Enabled", "Suspended", "Enabled"):
        s3.put_bucket_versioning(Bucket=s3_bucket, VersioningConfiguration={"Status": status})
        assert s3.get_bucket_versioning(Bucket=s3_bucket)["Status"] == status


def test_bad_versioning_status_is_malformed_xml(s3, s3_bucket):
    status, code, _ = client_error(s3.put_bucket_versioning, Bucket=s3_bucket,
                                   VersioningConfiguration={"Status": "Paused"})
    assert (status, code) == (400, "MalformedXML")
    assert "Status" not in s3.get_bucket_versioning(Bucket=s3_bucket)


def test_mfa_delete_enabled_is_not_implemented(s3_default, s3_vbucket_factory):
    b = s3_vbucket_factory(None)
    status, code, _ = client_error(s3_default.put_bucket_versioning, Bucket=b,
                                   VersioningConfiguration={"Status": "Enabled", "MFADelete": "Enabled"})
    assert (status, code) == (501, "NotImplemented")
    s3_default.put_bucket_versioning(Bucket=b, VersioningConfiguration={"Status": "Enabled", "MFADelete": "Disabled"})
    assert s3_default.get_bucket_versioning(Bucket=b)["Status"] == "Enabled"


def test_put_returns_a_version_id_and_every_version_stays_readable(s3, vb):
    bodies = [b"one", os.urandom(5000), b"three"]
    ids = [put(s3, vb, "obj", b) for b in bodies]
    assert len(set(ids)) == 3 and None not in ids and "null" not in ids
    for version_id, body in zip(ids, bodies):
        rt = s3.get_object(Bucket=vb, Key="obj", VersionId=version_id)
        assert rt["Body"].read() == body and rt["VersionId"] == version_id
        head = s3.head_object(Bucket=vb, Key="obj", VersionId=version_id)
        assert head["VersionId"] == version_id and head["ContentLength"] == len(body)
        assert head["ETag"] == H.etag_of(body)
    rt = s3.get_object(Bucket=vb, Key="obj")
    assert rt["Body"].read() == bodies[-1] and rt["VersionId"] == ids[-1]
    assert s3.head_object(Bucket=vb, Key="obj")["VersionId"] == ids[-1]
    # ranges of an older version
    rt = s3.get_object(Bucket=vb, Key="obj", VersionId=ids[1], Range="bytes=10-19")
    assert rt["Body"].read() == bodies[1][10:20] and rt["VersionId"] == ids[1]


def test_unversioned_bucket_sends_no_version_id(s3, s3_bucket):
    rt = s3.put_object(Bucket=s3_bucket, Key="plain", Body=b"x")
    assert "VersionId" not in rt
    assert "VersionId" not in s3.get_object(Bucket=s3_bucket, Key="plain")
    assert "VersionId" not in s3.head_object(Bucket=s3_bucket, Key="plain")
    # but the null version can be addressed
    assert s3.get_object(Bucket=s3_bucket, Key="plain", VersionId="null")["Body"].read() == b"x"


def test_delete_marker_hides_the_object_and_names_itself(s3, vb):
    v1 = put(s3, vb, "d", b"data")
    rt = s3.delete_object(Bucket=vb, Key="d")
    assert rt["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert rt["DeleteMarker"] is True
    marker = rt["VersionId"]
    assert marker and marker not in (v1, "null")

    status, code, resp = client_error(s3.get_object, Bucket=vb, Key="d")
    assert (status, code) == (404, "NoSuchKey")
    hdrs = resp["ResponseMetadata"]["HTTPHeaders"]
    assert hdrs.get("x-amz-delete-marker") == "true" and hdrs.get("x-amz-version-id") == marker
    status, _, resp = client_error(s3.head_object, Bucket=vb, Key="d")
    assert status == 404
    hdrs = resp["ResponseMetadata"]["HTTPHeaders"]
    assert hdrs.get("x-amz-delete-marker") == "true" and hdrs.get("x-amz-version-id") == marker

    assert body_of(s3, vb, "d", v1) == b"data"
    assert s3.list_objects_v2(Bucket=vb).get("KeyCount") == 0


def test_marker_addressed_by_id_is_method_not_allowed(s3, vb):
    put(s3, vb, "m", b"x")
    marker = s3.delete_object(Bucket=vb, Key="m")["VersionId"]
    for fn in (s3.get_object, s3.head_object):
        status, code, resp = client_error(fn, Bucket=vb, Key="m", VersionId=marker)
        assert status == 405, fn.__name__
        if fn is s3.get_object:
            assert code == "MethodNotAllowed"
        hdrs = resp["ResponseMetadata"]["HTTPHeaders"]
        assert hdrs.get("x-amz-delete-marker") == "true"
        assert hdrs.get("last-modified")


def test_deleting_the_marker_restores_the_object(s3, vb):
    v1 = put(s3, vb, "r", b"back")
    marker = s3.delete_object(Bucket=vb, Key="r")["VersionId"]
    rt = s3.delete_object(Bucket=vb, Key="r", VersionId=marker)
    assert rt["DeleteMarker"] is True and rt["VersionId"] == marker
    got = s3.get_object(Bucket=vb, Key="r")
    assert got["Body"].read() == b"back" and got["VersionId"] == v1


def test_delete_version_by_id_is_permanent(s3, vb):
    v1 = put(s3, vb, "p", b"1" * 10000)
    v2 = put(s3, vb, "p", b"2")
    rt = s3.delete_object(Bucket=vb, Key="p", VersionId=v2)
    assert rt["VersionId"] == v2 and not rt.get("DeleteMarker")
    got = s3.get_object(Bucket=vb, Key="p")
    assert got["VersionId"] == v1 and got["Body"].read() == b"1" * 10000
    assert client_error(s3.get_object, Bucket=vb, Key="p", VersionId=v2)[:2] == (404, "NoSuchVersion")
    # a version that does not exist: 204
    rt = s3.delete_object(Bucket=vb, Key="p", VersionId=V.unknown_version_id())
    assert rt["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_invalid_and_unknown_version_ids(s3, vb):
    put(s3, vb, "k", b"x")
    assert client_error(s3.get_object, Bucket=vb, Key="k", VersionId="garbage")[:2] == (400, "InvalidArgument")
    assert client_error(s3.head_object, Bucket=vb, Key="k", VersionId="garbage")[0] == 400
    assert client_error(s3.delete_object, Bucket=vb, Key="k", VersionId="garbage")[:2] == (400, "InvalidArgument")
    unknown = V.unknown_version_id()
    assert client_error(s3.get_object, Bucket=vb, Key="k", VersionId=unknown)[:2] == (404, "NoSuchVersion")
    assert client_error(s3.head_object, Bucket=vb, Key="k", VersionId=unknown)[0] == 404


def test_suspended_bucket_writes_the_null_version(s3, vb):
    v1 = put(s3, vb, "s", b"enabled")
    s3.put_bucket_versioning(Bucket=vb, VersioningConfiguration={"Status": "Suspended"})
    assert put(s3, vb, "s", b"null 1") == "null"
    assert put(s3, vb, "s", b"null 2") == "null"
    rt = s3.list_object_versions(Bucket=vb)
    assert [(v["VersionId"], v["IsLatest"], v["ETag"]) for v in rt["Versions"]] == [
        ("null", True, H.etag_of(b"null 2")), (v1, False, H.etag_of(b"enabled"))]
    rt = s3.delete_object(Bucket=vb, Key="s")
    assert rt["DeleteMarker"] is True and rt["VersionId"] == "null"
    rt = s3.list_object_versions(Bucket=vb)
    assert [(m["VersionId"], m["IsLatest"]) for m in rt["DeleteMarkers"]] == [("null", True)]
    assert [(v["VersionId"], v["IsLatest"]) for v in rt["Versions"]] == [(v1, False)]
    assert body_of(s3, vb, "s", v1) == b"enabled"


def test_list_object_versions_reports_versions_and_markers(s3, vb):
    a1 = put(s3, vb, "a", b"a1")
    a2 = put(s3, vb, "a", b"a22")
    b1 = put(s3, vb, "b", b"b1")
    bm = s3.delete_object(Bucket=vb, Key="b")["VersionId"]
    rt = s3.list_object_versions(Bucket=vb)
    assert rt["Name"] == vb and rt["IsTruncated"] is False and rt["MaxKeys"] == 1000
    assert [(v["Key"], v["VersionId"], v["IsLatest"], v["Size"], v["ETag"]) for v in rt["Versions"]] == [
        ("a", a2, True, 3, H.etag_of(b"a22")), ("a", a1, False, 2, H.etag_of(b"a1")),
        ("b", b1, False, 2, H.etag_of(b"b1"))]
    assert [(m["Key"], m["VersionId"], m["IsLatest"]) for m in rt["DeleteMarkers"]] == [("b", bm, True)]
    for e in rt["Versions"] + rt["DeleteMarkers"]:
        assert e["LastModified"] and e["Owner"]["ID"]
    assert all(v["StorageClass"] for v in rt["Versions"])


def test_list_object_versions_paginator_visits_everything_once(s3_default, s3_vbucket_factory):
    s3 = s3_default
    b = s3_vbucket_factory()
    expected = []
    for k in range(6):
        key = "p/%d" % k
        hist = []
        for i in range(k % 3 + 1):
            hist.append(("V", put(s3, b, key, b"%d-%d" % (k, i))))
        if k % 2:
            hist.append(("M", s3.delete_object(Bucket=b, Key=key)["VersionId"]))
        expected += [(kind, key, vid, n == 0) for n, (kind, vid) in enumerate(reversed(hist))]
    for page_size in (1, 2, 5, 1000):
        pages, versions, markers, _ = V.s3_list_all_versions(s3, b, page_size=page_size)
        got = [("V", v["Key"], v["VersionId"], v["IsLatest"]) for v in versions] + \
              [("M", m["Key"], m["VersionId"], m["IsLatest"]) for m in markers]
        assert sorted(got) == sorted(expected), page_size
        assert len(got) == len(set(got))
        assert pages == -(-len(expected) // page_size)
    # KeyMarker / VersionIdMarker by hand: resume inside p/2
    p2 = [e for e in expected if e[1] == "p/2"]
    rt = s3.list_object_versions(Bucket=b, KeyMarker="p/2", VersionIdMarker=p2[0][2], MaxKeys=2)
    assert [v["VersionId"] for v in rt["Versions"]] == [p2[1][2], p2[2][2]]
    assert rt["IsTruncated"] is True
    assert (rt["NextKeyMarker"], rt["NextVersionIdMarker"]) == ("p/2", p2[2][2])
    # a prefix and a delimiter
    pages, versions, markers, prefixes = V.s3_list_all_versions(s3, b, page_size=1, Delimiter="/")
    assert prefixes == ["p/"] and versions == [] and markers == []


def test_list_object_versions_keeps_special_keys(s3, vb):
    keys = ["a b.txt", "plus+sign", "pct%41/x", "uni/中文-ключ.txt", "q?x=1&y", "tilde~(paren)!*'"]
    ids = {k: [put(s3, vb, k, b"1"), put(s3, vb, k, b"2")][::-1] for k in keys}
    marker = s3.delete_object(Bucket=vb, Key="plus+sign")["VersionId"]
    order = sorted(keys, key=lambda k: k.encode())
    _, versions, markers, _ = V.s3_list_all_versions(s3, vb, page_size=3)
    assert [(v["Key"], v["VersionId"]) for v in versions] == [(k, i) for k in order for i in ids[k]]
    assert [(m["Key"], m["VersionId"]) for m in markers] == [("plus+sign", marker)]
    _, versions, _, prefixes = V.s3_list_all_versions(s3, vb, page_size=1, Delimiter="/")
    assert prefixes == ["pct%41/", "uni/"]
    rt = s3.list_object_versions(Bucket=vb, KeyMarker="plus+sign", MaxKeys=1)
    assert rt["KeyMarker"] == "plus+sign" and rt["NextKeyMarker"] == order[order.index("plus+sign") + 1]
    for k in keys:
        assert body_of(s3, vb, k, ids[k][1]) == b"1"


def test_version_id_marker_needs_a_key_marker(s3, vb):
    v = put(s3, vb, "k", b"x")
    assert client_error(s3.list_object_versions, Bucket=vb, VersionIdMarker=v)[:2] == (400, "InvalidArgument")


def test_copy_object_from_a_version(s3, vb, s3_bucket):
    v1 = put(s3, vb, "src", b"version one " * 500)
    put(s3, vb, "src", b"version two")
    rt = s3.copy_object(Bucket=vb, Key="dst", CopySource={"Bucket": vb, "Key": "src", "VersionId": v1})
    assert rt["CopySourceVersionId"] == v1
    assert rt["VersionId"] and rt["VersionId"] not in (v1, "null")
    assert rt["CopyObjectResult"]["ETag"] == H.etag_of(b"version one " * 500)
    assert body_of(s3, vb, "dst", rt["VersionId"]) == b"version one " * 500
    # into an unversioned bucket: no version id for the copy
    rt = s3.copy_object(Bucket=s3_bucket, Key="dst", CopySource={"Bucket": vb, "Key": "src", "VersionId": v1})
    assert rt["CopySourceVersionId"] == v1 and "VersionId" not in rt
    assert body_of(s3, s3_bucket, "dst") == b"version one " * 500


def test_copy_from_a_marker_or_missing_version(s3, vb):
    put(s3, vb, "src", b"x")
    marker = s3.delete_object(Bucket=vb, Key="src")["VersionId"]
    assert client_error(s3.copy_object, Bucket=vb, Key="dst",
                        CopySource={"Bucket": vb, "Key": "src", "VersionId": marker})[:2] == (400, "InvalidRequest")
    assert client_error(s3.copy_object, Bucket=vb, Key="dst",
                        CopySource={"Bucket": vb, "Key": "src", "VersionId": V.unknown_version_id()}
                        )[:2] == (404, "NoSuchVersion")
    assert client_error(s3.copy_object, Bucket=vb, Key="dst",
                        CopySource={"Bucket": vb, "Key": "src"})[:2] == (404, "NoSuchKey")


def test_upload_part_copy_from_a_version_and_complete_returns_a_version(s3, vb):
    old = os.urandom(5 * MiB)
    v1 = put(s3, vb, "big", old)
    put(s3, vb, "big", b"small now")
    up = s3.create_multipart_upload(Bucket=vb, Key="assembled")["UploadId"]
    rt = s3.upload_part_copy(Bucket=vb, Key="assembled", UploadId=up, PartNumber=1,
                             CopySource={"Bucket": vb, "Key": "big", "VersionId": v1})
    assert rt["CopySourceVersionId"] == v1
    parts = [{"PartNumber": 1, "ETag": rt["CopyPartResult"]["ETag"]}]
    rt = s3.upload_part_copy(Bucket=vb, Key="assembled", UploadId=up, PartNumber=2,
                             CopySource={"Bucket": vb, "Key": "big", "VersionId": v1}, CopySourceRange="bytes=0-99")
    assert rt["CopySourceVersionId"] == v1
    parts.append({"PartNumber": 2, "ETag": rt["CopyPartResult"]["ETag"]})
    done = s3.complete_multipart_upload(Bucket=vb, Key="assembled", UploadId=up, MultipartUpload={"Parts": parts})
    version = done["VersionId"]
    assert version and version != "null"
    got = s3.get_object(Bucket=vb, Key="assembled", VersionId=version)
    assert got["Body"].read() == old + old[:100]
    assert got["ETag"] == done["ETag"] == S3.multipart_etag([old, old[:100]])


def test_complete_multipart_upload_stacks_a_new_version(s3, vb):
    v1 = put(s3, vb, "mp", b"before")
    up = s3.create_multipart_upload(Bucket=vb, Key="mp")["UploadId"]
    data = [os.urandom(5 * MiB), b"end"]
    parts = [{"PartNumber": i + 1,
              "ETag": s3.upload_part(Bucket=vb, Key="mp", UploadId=up, PartNumber=i + 1, Body=d)["ETag"]}
             for i, d in enumerate(data)]
    done = s3.complete_multipart_upload(Bucket=vb, Key="mp", UploadId=up, MultipartUpload={"Parts": parts})
    assert done["VersionId"] not in (None, "null", v1)
    rt = s3.list_object_versions(Bucket=vb, Prefix="mp")
    assert [(v["VersionId"], v["IsLatest"], v["Size"]) for v in rt["Versions"]] == [
        (done["VersionId"], True, 5 * MiB + 3), (v1, False, 6)]
    assert body_of(s3, vb, "mp", v1) == b"before"


def test_delete_objects_with_versions(s3, vb):
    a1 = put(s3, vb, "a", b"a1")
    a2 = put(s3, vb, "a", b"a2")
    put(s3, vb, "b", b"b1")
    rt = s3.delete_objects(Bucket=vb, Delete={"Objects": [
        {"Key": "a", "VersionId": a1}, {"Key": "b"}, {"Key": "c"}]})
    assert rt.get("Errors", []) == []
    d = {(x["Key"], x.get("VersionId")): x for x in rt["Deleted"]}
    assert ("a", a1) in d and not d[("a", a1)].get("DeleteMarker")
    mb = [x for x in rt["Deleted"] if x["Key"] == "b"][0]
    assert mb["DeleteMarker"] is True and mb["DeleteMarkerVersionId"]
    mc = [x for x in rt["Deleted"] if x["Key"] == "c"][0]
    assert mc["DeleteMarker"] is True and mc["DeleteMarkerVersionId"]
    assert client_error(s3.get_object, Bucket=vb, Key="b")[:2] == (404, "NoSuchKey")
    assert body_of(s3, vb, "a") == b"a2"
    # remove the marker and the remaining version of a by id
    rt = s3.delete_objects(Bucket=vb, Delete={"Objects": [
        {"Key": "b", "VersionId": mb["DeleteMarkerVersionId"]}, {"Key": "a", "VersionId": a2}]})
    d = {x["Key"]: x for x in rt["Deleted"]}
    assert d["b"]["VersionId"] == mb["DeleteMarkerVersionId"] and d["b"]["DeleteMarker"] is True
    assert d["b"]["DeleteMarkerVersionId"] == mb["DeleteMarkerVersionId"]
    assert d["a"]["VersionId"] == a2
    assert body_of(s3, vb, "b") == b"b1"
    assert client_error(s3.get_object, Bucket=vb, Key="a")[:2] == (404, "NoSuchKey")
    rt = s3.list_object_versions(Bucket=vb)
    assert [v["Key"] for v in rt.get("Versions", [])] == ["b"]
    assert [m["Key"] for m in rt.get("DeleteMarkers", [])] == ["c"]


def test_versions_written_by_s3_are_seen_by_the_cos_sdk(cosd, client, s3_default, s3_vbucket_factory):
    b = s3_vbucket_factory()
    v1 = put(s3_default, b, "x", b"s3 one")
    rt = client.put_object(Bucket=b, Key="x", Body=b"cos two")
    v2 = V.vid(rt)
    assert v2 and v2 != v1
    assert s3_default.get_object(Bucket=b, Key="x", VersionId=v2)["Body"].read() == b"cos two"
    assert H.read_body(client.get_object(Bucket=b, Key="x", VersionId=v1)) == b"s3 one"
    cos = client.list_objects_versions(Bucket=b)
    s3v = s3_default.list_object_versions(Bucket=b)
    assert [v["VersionId"] for v in cos["Version"]] == [v["VersionId"] for v in s3v["Versions"]] == [v2, v1]


def test_post_object_form_upload_adds_a_version(cosd, s3_default, s3_vbucket_factory):
    import requests
    b = s3_vbucket_factory()
    v1 = put(s3_default, b, "form.txt", b"before")
    post = s3_default.generate_presigned_post(b, "form.txt", ExpiresIn=600)
    ids = []
    for body in (b"posted one", b"posted two"):
        r = requests.post(post["url"], data=post["fields"], files={"file": ("form.txt", body)}, timeout=30)
        assert r.status_code == 204, r.text
        ids.append(r.headers.get("x-amz-version-id"))
    assert None not in ids and len({v1, *ids}) == 3, ids
    rt = s3_default.list_object_versions(Bucket=b)
    assert [v["VersionId"] for v in rt["Versions"]] == [ids[1], ids[0], v1]
    assert body_of(s3_default, b, "form.txt", ids[0]) == b"posted one"
    assert body_of(s3_default, b, "form.txt") == b"posted two"


def test_presigned_get_of_a_version(s3_default, s3_vbucket_factory):
    import requests
    b = s3_vbucket_factory()
    v1 = put(s3_default, b, "shared.txt", b"first")
    v2 = put(s3_default, b, "shared.txt", b"second")
    url = s3_default.generate_presigned_url("get_object", Params={"Bucket": b, "Key": "shared.txt", "VersionId": v1},
                                            ExpiresIn=300)
    r = requests.get(url, timeout=30)
    assert (r.status_code, r.content) == (200, b"first")
    assert r.headers.get("x-amz-version-id") == v1
    # the version id is signed: another one is refused
    r = requests.get(url.replace(v1, v2), timeout=30)
    assert r.status_code == 403, r.text
