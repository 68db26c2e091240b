"""Bucket versioning through cos-python-sdk-v5 (contract: docs/versioning.md): the
versioning states, version ids, writes / deletes / reads by version, delete markers,
copy from a version, multi-object delete with version ids, GET /?versions paging,
prefixes and delimiters, and the errors a client sees."""

import os
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import pytest
import requests

import cosd_harness as H
import versioning_helpers as V
from versioning_helpers import cos_error, vid


@pytest.fixture
def vbucket_factory(client):
    made = []

    def make(status="Enabled"):
        name = H.unique_bucket("ver")
        client.create_bucket(Bucket=name)
        made.append(name)
        if status:
            client.put_bucket_versioning(Bucket=name, Status=status)
        return name

    yield make
    for name in made:
        V.destroy_versioned_bucket(client, name)


@pytest.fixture
def vbucket(vbucket_factory):
    """A fresh bucket with versioning Enabled."""
    return vbucket_factory()


def put(client, bucket, key, data):
    rt = client.put_object(Bucket=bucket, Key=key, Body=data)
    assert rt["ETag"] == H.etag_of(data)
    return vid(rt)


def get(client, bucket, key, version_id=None):
    kw = {} if version_id is None else {"VersionId": version_id}
    rt = client.get_object(Bucket=bucket, Key=key, **kw)
    return H.read_body(rt), rt


def status_of(client, bucket):
    return client.get_bucket_versioning(Bucket=bucket).get("Status")


# ------------------------------------------------------------ states

def test_versioning_is_unset_until_enabled_then_follows_the_last_put(client, bucket):
    rt = client.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in rt, "an unversioned bucket answers <VersioningConfiguration/>: %r" % rt
    client.put_bucket_versioning(Bucket=bucket, Status="Enabled")
    assert status_of(client, bucket) == "Enabled"
    client.put_bucket_versioning(Bucket=bucket, Status="Suspended")
    assert status_of(client, bucket) == "Suspended"
    client.put_bucket_versioning(Bucket=bucket, Status="Enabled")
    assert status_of(client, bucket) == "Enabled"


def _put_versioning_raw(cosd, bucket, body):
    return H.signed_request(cosd, "PUT", cosd.vhost(bucket), params={"versioning": ""}, data=body,
                            headers={"Content-Type": "application/xml"})


@pytest.mark.parametrize("body", [
    b"<VersioningConfiguration><Status>On</Status></VersioningConfiguration>",
    b"<VersioningConfiguration><Status>enabled</Status></VersioningConfiguration>",
    b"<LoggingConfiguration><Status>Enabled</Status></LoggingConfiguration>",
    b"<VersioningConfiguration><Status>Enabled</Status>",
    b"not xml at all",
], ids=["status-On", "lowercase-status", "wrong-root", "truncated", "not-xml"])
def test_bad_versioning_xml_is_malformed_and_changes_nothing(cosd, client, bucket, body):
    client.put_bucket_versioning(Bucket=bucket, Status="Suspended")
    r = _put_versioning_raw(cosd, bucket, body)
    assert r.status_code == 400, (r.status_code, r.text)
    assert H.parse_error_xml(r.content)["Code"] == "MalformedXML"
    assert status_of(client, bucket) == "Suspended"


def test_mfa_delete_enabled_is_not_implemented_disabled_is_accepted(cosd, client, bucket):
    r = _put_versioning_raw(cosd, bucket, b"<VersioningConfiguration><Status>Enabled</Status>"
                                          b"<MfaDelete>Enabled</MfaDelete></VersioningConfiguration>")
    assert r.status_code == 501, (r.status_code, r.text)
    assert H.parse_error_xml(r.content)["Code"] == "NotImplemented"
    assert "Status" not in client.get_bucket_versioning(Bucket=bucket)
    r = _put_versioning_raw(cosd, bucket, b"<VersioningConfiguration><Status>Enabled</Status>"
                                          b"<MfaDelete>Disabled</MfaDelete></VersioningConfiguration>")
    assert r.status_code == 200, (r.status_code, r.text)
    assert status_of(client, bucket) == "Enabled"


# ------------------------------------------------------- versions of a key

def test_each_put_keeps_its_own_version_readable_by_id(client, vbucket):
    bodies = [b"first", os.urandom(10000), b"third version " * 10]
    ids = [put(client, vbucket, "doc.txt", b) for b in bodies]
    assert all(ids) and "null" not in ids, ids
    assert len(set(ids)) == 3, ids
    for version_id, body in zip(ids, bodies):
        data, rt = get(client, vbucket, "doc.txt", version_id)
        assert data == body
        assert vid(rt) == version_id
        assert rt["ETag"] == H.etag_of(body)
        head = client.head_object(Bucket=vbucket, Key="doc.txt", VersionId=version_id)
        assert vid(head) == version_id
        assert head["Content-Length"] == str(len(body))
        assert head["x-cos-hash-crc64ecma"] == H.crc64(body)
    # the latest is the last PUT, with or without an empty versionId
    data, rt = get(client, vbucket, "doc.txt")
    assert data == bodies[-1] and vid(rt) == ids[-1]
    data, rt = get(client, vbucket, "doc.txt", "")
    assert data == bodies[-1] and vid(rt) == ids[-1]
    # the plain listing shows the key once, with the latest version
    contents = client.list_objects(Bucket=vbucket).get("Contents", [])
    assert [(c["Key"], c["ETag"], c["Size"]) for c in contents] == \
        [("doc.txt", H.etag_of(bodies[-1]), str(len(bodies[-1])))]
    # version listing: newest first, one IsLatest
    rt = client.list_objects_versions(Bucket=vbucket)
    assert rt.get("DeleteMarker", []) == []
    got = [(v["Key"], v["VersionId"], v["IsLatest"], v["ETag"], v["Size"]) for v in rt["Version"]]
    assert got == [("doc.txt", i, "true" if n == 2 else "false", H.etag_of(b), str(len(b)))
                   for n, (i, b) in reversed(list(enumerate(zip(ids, bodies))))]
    for v in rt["Version"]:
        assert v.get("LastModified") and v.get("StorageClass")


def test_version_ids_of_one_key_sort_newest_first_by_their_stamp(client, vbucket):
    """The id encodes u64::MAX - stamp: a later version has a greater stamp."""
    ids = [put(client, vbucket, "k", b"%d" % i) for i in range(20)]
    stamps = [V.stamp_of(i) for i in ids]
    assert stamps == sorted(stamps) and len(set(stamps)) == 20, stamps
    for i in ids:
        assert V.version_id_for_stamp(V.stamp_of(i)) == i


def test_delete_without_version_id_adds_a_marker_and_hides_the_key(cosd, client, vbucket):
    v1 = put(client, vbucket, "gone.txt", b"one")
    v2 = put(client, vbucket, "gone.txt", b"two")
    rt = client.delete_object(Bucket=vbucket, Key="gone.txt")
    assert H.hget(rt, "x-cos-delete-marker") == "true", rt
    marker = vid(rt)
    assert marker and marker not in (v1, v2, "null")

    e = cos_error(client.get_object, Bucket=vbucket, Key="gone.txt")
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchKey")
    assert cos_error(client.head_object, Bucket=vbucket, Key="gone.txt").get_status_code() == 404
    # the 404 names the marker
    rec = H.RecordingClient(cosd)
    cos_error(rec.client.get_object, Bucket=vbucket, Key="gone.txt")
    assert rec.last.status_code == 404
    assert rec.last.headers.get("x-cos-delete-marker") == "true"
    assert rec.last.headers.get("x-cos-version-id") == marker
    rec.clear()
    cos_error(rec.client.head_object, Bucket=vbucket, Key="gone.txt")
    assert rec.last.headers.get("x-cos-delete-marker") == "true"
    assert rec.last.headers.get("x-cos-version-id") == marker

    # older versions are still there
    assert get(client, vbucket, "gone.txt", v1)[0] == b"one"
    assert get(client, vbucket, "gone.txt", v2)[0] == b"two"
    assert client.list_objects(Bucket=vbucket).get("Contents", []) == []
    rt = client.list_objects_versions(Bucket=vbucket)
    assert [(m["Key"], m["VersionId"], m["IsLatest"]) for m in rt["DeleteMarker"]] == [("gone.txt", marker, "true")]
    assert [(v["VersionId"], v["IsLatest"]) for v in rt["Version"]] == [(v2, "false"), (v1, "false")]
    # a second plain delete stacks another marker
    rt = client.delete_object(Bucket=vbucket, Key="gone.txt")
    assert H.hget(rt, "x-cos-delete-marker") == "true"
    marker2 = vid(rt)
    assert marker2 not in (marker, v1, v2)
    listed = V.raw_list_versions(cosd, vbucket)["entries"]
    assert [(e["kind"], e["VersionId"], e["IsLatest"]) for e in listed] == [
        ("DeleteMarker", marker2, "true"), ("DeleteMarker", marker, "false"),
        ("Version", v2, "false"), ("Version", v1, "false")]


def test_delete_of_a_key_that_never_existed_still_adds_a_marker(client, vbucket):
    rt = client.delete_object(Bucket=vbucket, Key="never/was")
    assert H.hget(rt, "x-cos-delete-marker") == "true"
    marker = vid(rt)
    assert marker and marker != "null"
    rt = client.list_objects_versions(Bucket=vbucket)
    assert [(m["Key"], m["VersionId"], m["IsLatest"]) for m in rt["DeleteMarker"]] == [("never/was", marker, "true")]


def test_deleting_the_marker_by_id_restores_the_object(client, vbucket):
    v1 = put(client, vbucket, "back.txt", b"still here")
    marker = vid(client.delete_object(Bucket=vbucket, Key="back.txt"))
    rt = client.delete_object(Bucket=vbucket, Key="back.txt", VersionId=marker)
    assert vid(rt) == marker
    assert H.hget(rt, "x-cos-delete-marker") == "true", "removing a marker answers x-cos-delete-marker: true"
    data, rt = get(client, vbucket, "back.txt")
    assert data == b"still here" and vid(rt) == v1
    rt = client.list_objects_versions(Bucket=vbucket)
    assert rt.get("DeleteMarker", []) == []
    assert [(v["VersionId"], v["IsLatest"]) for v in rt["Version"]] == [(v1, "true")]


def test_delete_by_version_id_removes_that_version_permanently(client, vbucket):
    v1 = put(client, vbucket, "k.bin", b"v1" * 3000)       # > 4 KiB: in a chunk file
    v2 = put(client, vbucket, "k.bin", b"v2")
    v3 = put(client, vbucket, "k.bin", b"v3")
    # an older one
    rt = client.delete_object(Bucket=vbucket, Key="k.bin", VersionId=v1)
    assert vid(rt) == v1
    assert H.hget(rt, "x-cos-delete-marker") in (None, "false")
    e = cos_error(client.get_object, Bucket=vbucket, Key="k.bin", VersionId=v1)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchVersion")
    assert get(client, vbucket, "k.bin")[0] == b"v3"
    # the latest: the next newest becomes the latest
    client.delete_object(Bucket=vbucket, Key="k.bin", VersionId=v3)
    data, rt = get(client, vbucket, "k.bin")
    assert data == b"v2" and vid(rt) == v2
    rt = client.list_objects_versions(Bucket=vbucket)
    assert [(v["VersionId"], v["IsLatest"]) for v in rt["Version"]] == [(v2, "true")]
    # the last one: the key is gone, without a marker
    client.delete_object(Bucket=vbucket, Key="k.bin", VersionId=v2)
    e = cos_error(client.get_object, Bucket=vbucket, Key="k.bin")
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchKey")
    rt = client.list_objects_versions(Bucket=vbucket)
    assert rt.get("Version", []) == [] and rt.get("DeleteMarker", []) == []


def test_deleting_a_version_that_does_not_exist_is_204(cosd, client, vbucket):
    put(client, vbucket, "k", b"x")
    rec = H.RecordingClient(cosd)
    rec.client.delete_object(Bucket=vbucket, Key="k", VersionId=V.unknown_version_id())
    assert rec.last.status_code == 204
    rec.client.delete_object(Bucket=vbucket, Key="no-such-key", VersionId=V.unknown_version_id())
    assert rec.last.status_code == 204
    assert get(client, vbucket, "k")[0] == b"x"
    rt = client.list_objects_versions(Bucket=vbucket)
    assert [v["Key"] for v in rt["Version"]] == ["k"] and rt.get("DeleteMarker", []) == []


# ------------------------------------------------------------ errors

@pytest.mark.parametrize("bad", ["not-a-version", "MTg0NDY3", "123", "MTg0NDY3NDQwNzM3MDk1NTE2MTU=x", "NULL"])
def test_invalid_version_id_is_invalid_argument(client, vbucket, bad):
    put(client, vbucket, "k", b"x")
    for fn in (client.get_object, client.delete_object):
        e = cos_error(fn, Bucket=vbucket, Key="k", VersionId=bad)
        assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidArgument"), (fn.__name__, str(e))
    assert cos_error(client.head_object, Bucket=vbucket, Key="k", VersionId=bad).get_status_code() == 400
    assert get(client, vbucket, "k")[0] == b"x"


def test_unknown_version_id_is_no_such_version(client, vbucket):
    put(client, vbucket, "k", b"x")
    unknown = V.unknown_version_id()
    e = cos_error(client.get_object, Bucket=vbucket, Key="k", VersionId=unknown)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchVersion")
    assert cos_error(client.head_object, Bucket=vbucket, Key="k", VersionId=unknown).get_status_code() == 404
    # a real id under another key names no version of this key
    other = put(client, vbucket, "other", b"y")
    e = cos_error(client.get_object, Bucket=vbucket, Key="k", VersionId=other)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchVersion")
    # the key has no null version
    e = cos_error(client.get_object, Bucket=vbucket, Key="k", VersionId="null")
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchVersion")


def test_marker_addressed_by_id_is_method_not_allowed(cosd, client, vbucket):
    put(client, vbucket, "m", b"x")
    marker = vid(client.delete_object(Bucket=vbucket, Key="m"))
    e = cos_error(client.get_object, Bucket=vbucket, Key="m", VersionId=marker)
    assert (e.get_status_code(), e.get_error_code()) == (405, "MethodNotAllowed")
    rec = H.RecordingClient(cosd)
    for fn in (rec.client.get_object, rec.client.head_object):
        rec.clear()
        cos_error(fn, Bucket=vbucket, Key="m", VersionId=marker)
        assert rec.last.status_code == 405
        assert rec.last.headers.get("x-cos-delete-marker") == "true"
        assert rec.last.headers.get("Last-Modified")


def test_append_is_refused_once_versioning_was_set(client, vbucket_factory):
    for status in ("Enabled", "Suspended"):
        b = vbucket_factory(status)
        e = cos_error(client.append_object, Bucket=b, Key="log", Position=0, Data=b"line\n")
        assert e.get_status_code() == 409, (status, str(e))
        assert cos_error(client.head_object, Bucket=b, Key="log").get_status_code() == 404


def test_append_object_made_before_enabling_cannot_be_appended_after(client, vbucket_factory):
    b = vbucket_factory(None)
    client.append_object(Bucket=b, Key="log", Position=0, Data=b"one\n")
    client.put_bucket_versioning(Bucket=b, Status="Enabled")
    e = cos_error(client.append_object, Bucket=b, Key="log", Position=4, Data=b"two\n")
    assert e.get_status_code() == 409
    assert get(client, b, "log")[0] == b"one\n"


def test_bucket_holding_only_old_versions_and_markers_is_not_empty(client, vbucket_factory):
    b = vbucket_factory()
    put(client, b, "k", b"x")
    client.delete_object(Bucket=b, Key="k")
    assert client.list_objects(Bucket=b).get("Contents", []) == []
    e = cos_error(client.delete_bucket, Bucket=b)
    assert (e.get_status_code(), e.get_error_code()) == (409, "BucketNotEmpty")


# ------------------------------------------------------ null versions

def test_objects_written_before_enabling_have_version_null(cosd, client, vbucket_factory):
    b = vbucket_factory(None)
    put(client, b, "old.txt", b"from before")
    # COS GET/HEAD name the version even in an unversioned bucket
    assert vid(get(client, b, "old.txt")[1]) == "null"
    assert vid(client.head_object(Bucket=b, Key="old.txt")) == "null"
    client.put_bucket_versioning(Bucket=b, Status="Enabled")
    rt = client.list_objects_versions(Bucket=b)
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in rt["Version"]] == [("old.txt", "null", "true")]
    v1 = put(client, b, "old.txt", b"after")
    assert v1 and v1 != "null"
    assert get(client, b, "old.txt", "null")[0] == b"from before"
    assert vid(client.head_object(Bucket=b, Key="old.txt", VersionId="null")) == "null"
    rt = client.list_objects_versions(Bucket=b)
    assert [(v["VersionId"], v["IsLatest"]) for v in rt["Version"]] == [(v1, "true"), ("null", "false")]
    rt = client.delete_object(Bucket=b, Key="old.txt", VersionId="null")
    assert vid(rt) == "null"
    e = cos_error(client.get_object, Bucket=b, Key="old.txt", VersionId="null")
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchVersion")
    assert get(client, b, "old.txt")[0] == b"after"


def test_suspended_bucket_writes_null_and_keeps_enabled_era_versions(cosd, client, vbucket):
    a1 = put(client, vbucket, "s.txt", b"enabled 1")
    a2 = put(client, vbucket, "s.txt", b"enabled 2")
    client.put_bucket_versioning(Bucket=vbucket, Status="Suspended")
    assert put(client, vbucket, "s.txt", b"suspended 1") == "null"
    assert put(client, vbucket, "s.txt", b"suspended 2") == "null"   # replaces the null version
    listed = V.raw_list_versions(cosd, vbucket)["entries"]
    assert [(e["kind"], e["VersionId"], e["IsLatest"]) for e in listed] == [
        ("Version", "null", "true"), ("Version", a2, "false"), ("Version", a1, "false")]
    assert listed[0]["ETag"] == H.etag_of(b"suspended 2")
    assert get(client, vbucket, "s.txt", "null")[0] == b"suspended 2"
    assert get(client, vbucket, "s.txt", a1)[0] == b"enabled 1"
    assert get(client, vbucket, "s.txt", a2)[0] == b"enabled 2"

    # a plain delete in a Suspended bucket: the marker is the null version (replacing it)
    rt = client.delete_object(Bucket=vbucket, Key="s.txt")
    assert H.hget(rt, "x-cos-delete-marker") == "true" and vid(rt) == "null"
    listed = V.raw_list_versions(cosd, vbucket)["entries"]
    assert [(e["kind"], e["VersionId"], e["IsLatest"]) for e in listed] == [
        ("DeleteMarker", "null", "true"), ("Version", a2, "false"), ("Version", a1, "false")]
    e = cos_error(client.get_object, Bucket=vbucket, Key="s.txt")
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchKey")

    # enabled again: new ids, the null marker stays as a noncurrent version
    client.put_bucket_versioning(Bucket=vbucket, Status="Enabled")
    a3 = put(client, vbucket, "s.txt", b"enabled 3")
    assert a3 not in ("null", a1, a2)
    listed = V.raw_list_versions(cosd, vbucket)["entries"]
    assert [(e["kind"], e["VersionId"], e["IsLatest"]) for e in listed] == [
        ("Version", a3, "true"), ("DeleteMarker", "null", "false"), ("Version", a2, "false"),
        ("Version", a1, "false")]


def test_new_null_version_replaces_the_old_one_wherever_it_is(cosd, client, vbucket_factory):
    b = vbucket_factory(None)
    put(client, b, "n", os.urandom(6000))              # null, unversioned era
    client.put_bucket_versioning(Bucket=b, Status="Enabled")
    e1 = put(client, b, "n", b"enabled")
    client.put_bucket_versioning(Bucket=b, Status="Suspended")
    put(client, b, "n", b"suspended")                   # the new null version, now the latest
    listed = V.raw_list_versions(cosd, b)["entries"]
    assert [(e["VersionId"], e["IsLatest"], e["ETag"]) for e in listed] == [
        ("null", "true", H.etag_of(b"suspended")), (e1, "false", H.etag_of(b"enabled"))]
    assert get(client, b, "n", "null")[0] == b"suspended"
    assert get(client, b, "n", e1)[0] == b"enabled"


# --------------------------------------------------------------- copy

def test_copy_from_a_specific_version(client, vbucket, bucket):
    v1 = put(client, vbucket, "src", b"old bytes " * 1000)
    put(client, vbucket, "src", b"new bytes")
    source = {"Bucket": vbucket, "Key": "src", "Region": H.REGION, "VersionId": v1}
    rt = client.copy_object(Bucket=vbucket, Key="dst", CopySource=source)
    assert rt["ETag"] == H.etag_of(b"old bytes " * 1000)
    assert H.hget(rt, "x-cos-copy-source-version-id") == v1
    new = vid(rt)
    assert new and new not in ("null", v1)
    data, got = get(client, vbucket, "dst")
    assert data == b"old bytes " * 1000 and vid(got) == new
    # into an unversioned bucket
    rt = client.copy_object(Bucket=bucket, Key="dst", CopySource=source)
    assert H.hget(rt, "x-cos-copy-source-version-id") == v1
    assert get(client, bucket, "dst")[0] == b"old bytes " * 1000
    # without a version id the latest is copied
    client.copy_object(Bucket=vbucket, Key="dst2", CopySource={"Bucket": vbucket, "Key": "src", "Region": H.REGION})
    assert get(client, vbucket, "dst2")[0] == b"new bytes"


def test_copy_from_a_marker_or_missing_version_fails(client, vbucket):
    put(client, vbucket, "src", b"x")
    marker = vid(client.delete_object(Bucket=vbucket, Key="src"))
    base = {"Bucket": vbucket, "Key": "src", "Region": H.REGION}
    e = cos_error(client.copy_object, Bucket=vbucket, Key="dst", CopySource=dict(base, VersionId=marker))
    assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidRequest")
    e = cos_error(client.copy_object, Bucket=vbucket, Key="dst", CopySource=dict(base, VersionId=V.unknown_version_id()))
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchVersion")
    e = cos_error(client.copy_object, Bucket=vbucket, Key="dst", CopySource=base)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchKey")
    assert client.list_objects_versions(Bucket=vbucket, Prefix="dst").get("Version", []) == []


def test_multipart_upload_becomes_a_new_version(client, vbucket):
    v1 = put(client, vbucket, "mp", b"small first")
    up = client.create_multipart_upload(Bucket=vbucket, Key="mp")["UploadId"]
    parts = [os.urandom(1024 * 1024), b"tail"]
    etags = [{"PartNumber": i + 1, "ETag": client.upload_part(Bucket=vbucket, Key="mp", Body=p, PartNumber=i + 1,
                                                              UploadId=up)["ETag"]} for i, p in enumerate(parts)]
    rt = client.complete_multipart_upload(Bucket=vbucket, Key="mp", UploadId=up, MultipartUpload={"Part": etags})
    v2 = vid(rt)
    assert v2 and v2 not in ("null", v1)
    assert get(client, vbucket, "mp", v2)[0] == b"".join(parts)
    assert get(client, vbucket, "mp", v1)[0] == b"small first"


# --------------------------------------------------------- multi-delete

def test_multi_delete_with_version_ids_reports_markers_and_versions(client, vbucket):
    k1a = put(client, vbucket, "k1", b"k1 a")
    k1b = put(client, vbucket, "k1", b"k1 b")
    k2 = put(client, vbucket, "k2", b"k2")
    rt = client.delete_objects(Bucket=vbucket, Delete={"Quiet": "false", "Object": [
        {"Key": "k1", "VersionId": k1a},          # a noncurrent version: removed
        {"Key": "k2"},                             # no id: a marker is added
        {"Key": "k3"},                             # never existed: a marker too
        {"Key": "k1", "VersionId": V.unknown_version_id()},   # nothing to remove: still Deleted
    ]})
    assert rt.get("Error", []) == []
    deleted = rt["Deleted"]
    by_key = {}
    for d in deleted:
        by_key.setdefault(d["Key"], []).append(d)
    removed = [d for d in by_key["k1"] if d.get("VersionId") == k1a]
    assert len(removed) == 1 and removed[0].get("DeleteMarker") in (None, "false"), deleted
    (m2,) = by_key["k2"]
    assert m2["DeleteMarker"] == "true" and m2["DeleteMarkerVersionId"] not in (None, "", "null", k2), m2
    (m3,) = by_key["k3"]
    assert m3["DeleteMarker"] == "true" and m3["DeleteMarkerVersionId"], m3

    assert get(client, vbucket, "k1")[0] == b"k1 b"
    e = cos_error(client.get_object, Bucket=vbucket, Key="k1", VersionId=k1a)
    assert e.get_error_code() == "NoSuchVersion"
    assert cos_error(client.get_object, Bucket=vbucket, Key="k2").get_error_code() == "NoSuchKey"
    assert get(client, vbucket, "k2", k2)[0] == b"k2"

    # removing the marker by id restores k2 and reports it was a marker
    rt = client.delete_objects(Bucket=vbucket, Delete={"Quiet": "false", "Object": [
        {"Key": "k2", "VersionId": m2["DeleteMarkerVersionId"]}, {"Key": "k1", "VersionId": k1b}]})
    d = {x["Key"]: x for x in rt["Deleted"]}
    assert d["k2"]["VersionId"] == m2["DeleteMarkerVersionId"]
    assert d["k2"].get("DeleteMarker") == "true" and d["k2"].get("DeleteMarkerVersionId") == m2["DeleteMarkerVersionId"]
    assert d["k1"]["VersionId"] == k1b
    assert get(client, vbucket, "k2")[0] == b"k2"
    assert cos_error(client.get_object, Bucket=vbucket, Key="k1").get_error_code() == "NoSuchKey"


def test_multi_delete_quiet_with_versions_reports_nothing(client, vbucket):
    v = put(client, vbucket, "q", b"x")
    rt = client.delete_objects(Bucket=vbucket, Delete={"Quiet": "true", "Object": [
        {"Key": "q", "VersionId": v}, {"Key": "r"}]})
    assert rt.get("Deleted", []) == [] and rt.get("Error", []) == []
    _, versions, markers, _ = V.cos_list_all_versions(client, vbucket)
    assert versions == [] and [m["Key"] for m in markers] == ["r"]


# ------------------------------------------------------------ listing

def test_list_versions_pages_through_2500_versions_of_one_key(cosd, client, vbucket):
    n = 2500
    ids = []
    session_client = cosd.client(session=requests.Session())
    for i in range(n):
        ids.append(vid(session_client.put_object(Bucket=vbucket, Key="hot", Body=b"v%05d" % i)))
    assert len(set(ids)) == n
    by_etag = {H.etag_of(b"v%05d" % i): i for i in range(n)}

    for max_keys in (1000, 333):
        pages, versions, markers, _ = V.cos_list_all_versions(client, vbucket, max_keys=max_keys)
        assert pages == -(-n // max_keys), (max_keys, pages)
        assert markers == []
        assert [v["VersionId"] for v in versions] == ids[::-1], "every version once, newest first"
        assert [by_etag[v["ETag"]] for v in versions] == list(range(n - 1, -1, -1))
        assert [v["IsLatest"] for v in versions] == ["true"] + ["false"] * (n - 1)
        assert all(v["Key"] == "hot" for v in versions)

    # max-keys above 1000 is capped at 1000
    rt = client.list_objects_versions(Bucket=vbucket, MaxKeys=5000)
    assert len(rt["Version"]) == 1000 and rt["IsTruncated"] == "true"
    assert rt["NextVersionIdMarker"] == ids[n - 1000]
    # starting inside the key with key-marker + version-id-marker
    rt = client.list_objects_versions(Bucket=vbucket, KeyMarker="hot", VersionIdMarker=ids[1000], MaxKeys=5)
    assert [v["VersionId"] for v in rt["Version"]] == ids[999:994:-1]
    assert rt["IsTruncated"] == "true"
    assert (rt["NextKeyMarker"], rt["NextVersionIdMarker"]) == ("hot", ids[995])
    assert rt["KeyMarker"] == "hot" and rt["VersionIdMarker"] == ids[1000]
    # key-marker alone starts after every version of that key
    rt = client.list_objects_versions(Bucket=vbucket, KeyMarker="hot")
    assert rt.get("Version", []) == [] and rt["IsTruncated"] == "false"
    # the oldest one as version-id-marker: nothing after it
    rt = client.list_objects_versions(Bucket=vbucket, KeyMarker="hot", VersionIdMarker=ids[0])
    assert rt.get("Version", []) == [] and rt["IsTruncated"] == "false"


def _build_history(client, bucket, keys, rnd):
    """Random puts/plain deletes per key. Returns {key: [(kind, version_id, etag)] oldest first}."""
    hist = {}
    for key in keys:
        h = hist.setdefault(key, [])
        for _ in range(rnd.randint(1, 6)):
            if h and rnd.random() < 0.25:
                rt = client.delete_object(Bucket=bucket, Key=key)
                h.append(("DeleteMarker", vid(rt), None))
            else:
                body = os.urandom(rnd.randint(0, 100))
                h.append(("Version", put(client, bucket, key, body), H.etag_of(body)))
    return hist


def test_list_versions_pages_across_keys_with_small_max_keys(cosd, client, vbucket):
    import random
    rnd = random.Random(7)
    keys = ["k%02d" % i for i in range(15)] + ["dir/a", "dir/b", "z/last"]
    hist = _build_history(client, vbucket, keys, rnd)
    expected = []          # document order: keys ascending, newest first
    for key in sorted(keys):
        for n, (kind, version_id, etag) in enumerate(reversed(hist[key])):
            expected.append((kind, key, version_id, "true" if n == 0 else "false"))

    for max_keys in (1, 2, 7):
        pages, versions, markers, _ = V.cos_list_all_versions(client, vbucket, max_keys=max_keys)
        got = sorted([("Version", v["Key"], v["VersionId"], v["IsLatest"]) for v in versions] +
                     [("DeleteMarker", m["Key"], m["VersionId"], m["IsLatest"]) for m in markers])
        assert got == sorted(expected), "max-keys %d: every version and marker exactly once" % max_keys
        assert pages == -(-len(expected) // max_keys)
        # exactly one latest per key
        latest = [e[1] for e in got if e[3] == "true"]
        assert sorted(latest) == sorted(keys)

    # the exact interleaving of Version and DeleteMarker entries, page by page
    key_marker, vid_marker, seen = "", "", []
    while True:
        params = {"max-keys": 4}
        if key_marker:
            params["key-marker"] = key_marker
        if vid_marker:
            params["version-id-marker"] = vid_marker
        page = V.raw_list_versions(cosd, vbucket, **params)
        seen += [(e["kind"], e["Key"], e["VersionId"], e["IsLatest"]) for e in page["entries"]]
        assert page["MaxKeys"] == "4"
        if page["IsTruncated"] != "true":
            break
        key_marker, vid_marker = page["NextKeyMarker"], page.get("NextVersionIdMarker", "")
        assert (key_marker, vid_marker) == seen[-1][1:3], "the next markers name the last entry"
    assert seen == expected


def test_list_versions_prefix_delimiter_and_common_prefixes(cosd, client, vbucket):
    layout = {"a/1": 2, "a/2": 1, "b/x/1": 3, "b/y": 2, "c": 2, "中文/键": 1}
    ids = {}
    for key, n in layout.items():
        ids[key] = [put(client, vbucket, key, ("%s#%d" % (key, i)).encode()) for i in range(n)][::-1]
    client.delete_object(Bucket=vbucket, Key="b/y")   # a marker inside a prefix

    rt = client.list_objects_versions(Bucket=vbucket, Delimiter="/")
    assert [p["Prefix"] for p in rt["CommonPrefixes"]] == ["a/", "b/", "中文/"]
    assert [(v["Key"], v["VersionId"]) for v in rt["Version"]] == [("c", i) for i in ids["c"]]
    assert rt.get("DeleteMarker", []) == []

    rt = client.list_objects_versions(Bucket=vbucket, Prefix="b/", Delimiter="/")
    assert rt["Prefix"] == "b/"
    assert [p["Prefix"] for p in rt["CommonPrefixes"]] == ["b/x/"]
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in rt["Version"]] == \
        [("b/y", i, "false") for i in ids["b/y"]]
    assert [(m["Key"], m["IsLatest"]) for m in rt["DeleteMarker"]] == [("b/y", "true")]

    rt = client.list_objects_versions(Bucket=vbucket, Prefix="b/x/")
    assert [v["VersionId"] for v in rt["Version"]] == ids["b/x/1"]

    # common prefixes count toward max-keys and each comes once across pages
    for max_keys in (1, 2):
        pages, versions, markers, prefixes = V.cos_list_all_versions(client, vbucket, max_keys=max_keys, delimiter="/")
        assert prefixes == ["a/", "b/", "中文/"], (max_keys, prefixes)
        assert [v["VersionId"] for v in versions] == ids["c"]
        assert pages == -(-(3 + 2) // max_keys)

    # raw encoding-type=url: key, prefix and common prefixes come url-encoded
    page = V.raw_list_versions(cosd, vbucket, delimiter="/", prefix="中文/", encoding_type="url")
    assert page.get("EncodingType") == "url"
    assert [unquote(e["Key"]) for e in page["entries"]] == ["中文/键"]
    assert unquote(page["Prefix"]) == "中文/"
    assert all(ord(ch) < 128 for e in page["entries"] for ch in e["Key"] + page["Prefix"])


SPECIAL = ["sp ace/a b.txt", "plus+/c+d.txt", "pct%/e%25f.txt", "amp&lt<gt>\"q'.txt", "tilde~/x.txt"]


def test_version_listing_keeps_special_keys_byte_exact(cosd, client, vbucket):
    ids = {k: [put(client, vbucket, k, b"1"), put(client, vbucket, k, b"2")][::-1] for k in SPECIAL}
    markers = {k: vid(client.delete_object(Bucket=vbucket, Key=k)) for k in SPECIAL[:2]}
    order = sorted(SPECIAL, key=lambda s: s.encode("utf-8"))
    _, versions, dms, _ = V.cos_list_all_versions(client, vbucket, max_keys=3)
    assert [(v["Key"], v["VersionId"]) for v in versions] == [(k, i) for k in order for i in ids[k]]
    assert sorted((m["Key"], m["VersionId"]) for m in dms) == sorted(markers.items())
    # with url encoding every value decodes with plain unquote (space is %20, never '+')
    page = V.raw_list_versions(cosd, vbucket, encoding_type="url", max_keys=2, key_marker=order[0])
    for e in page["entries"]:
        assert " " not in e["Key"] and "+" not in e["Key"], e["Key"]
    assert unquote(page["KeyMarker"]) == order[0]
    assert [unquote(e["Key"]) for e in page["entries"]] == [order[1], order[1]]
    for k in SPECIAL:
        assert get(client, vbucket, k, ids[k][1])[0] == b"1"


def test_version_id_marker_without_key_marker_is_invalid_argument(client, vbucket):
    v = put(client, vbucket, "k", b"x")
    e = cos_error(client.list_objects_versions, Bucket=vbucket, VersionIdMarker=v)
    assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidArgument")


def test_list_versions_of_an_unversioned_bucket_shows_null_versions(client, bucket):
    client.put_object(Bucket=bucket, Key="a", Body=b"x")
    client.put_object(Bucket=bucket, Key="a", Body=b"y")
    rt = client.list_objects_versions(Bucket=bucket)
    assert [(v["Key"], v["VersionId"], v["IsLatest"], v["ETag"]) for v in rt["Version"]] == \
        [("a", "null", "true", H.etag_of(b"y"))]
    assert rt["MaxKeys"] == "1000"


def test_concurrent_puts_of_one_key_get_distinct_ordered_versions(cosd, client, vbucket):
    def writer(w):
        c = cosd.client(session=requests.Session())
        return [(vid(c.put_object(Bucket=vbucket, Key="race", Body=b"%d-%d" % (w, i))), b"%d-%d" % (w, i))
                for i in range(25)]

    with ThreadPoolExecutor(4) as ex:
        results = [x for r in ex.map(writer, range(4)) for x in r]
    ids = [r[0] for r in results]
    assert len(set(ids)) == 100
    _, versions, _, _ = V.cos_list_all_versions(client, vbucket, max_keys=30)
    assert sorted(v["VersionId"] for v in versions) == sorted(ids)
    body_of = dict(results)
    # newest first: stamps strictly decreasing down the listing; the latest is what GET returns
    stamps = [V.stamp_of(v["VersionId"]) for v in versions]
    assert stamps == sorted(stamps, reverse=True) and len(set(stamps)) == 100
    data, rt = get(client, vbucket, "race")
    assert vid(rt) == versions[0]["VersionId"] and data == body_of[vid(rt)]
    for version_id, body in results[::10]:
        assert get(client, vbucket, "race", version_id)[0] == body


def test_null_version_id_marker_pages_through_the_middle_of_a_key(client, vbucket):
    v1 = put(client, vbucket, "mid", b"one")
    client.put_bucket_versioning(Bucket=vbucket, Status="Suspended")
    put(client, vbucket, "mid", b"null")
    client.put_bucket_versioning(Bucket=vbucket, Status="Enabled")
    v3 = put(client, vbucket, "mid", b"three")
    pages, versions, _, _ = V.cos_list_all_versions(client, vbucket, max_keys=1)
    assert [v["VersionId"] for v in versions] == [v3, "null", v1] and pages == 3
    rt = client.list_objects_versions(Bucket=vbucket, KeyMarker="mid", VersionIdMarker="null")
    assert [v["VersionId"] for v in rt["Version"]] == [v1]
    # a null marker in the middle, addressed by id
    client.put_bucket_versioning(Bucket=vbucket, Status="Suspended")
    assert vid(client.delete_object(Bucket=vbucket, Key="mid")) == "null"     # replaces the null version
    client.put_bucket_versioning(Bucket=vbucket, Status="Enabled")
    v5 = put(client, vbucket, "mid", b"five")
    e = cos_error(client.get_object, Bucket=vbucket, Key="mid", VersionId="null")
    assert (e.get_status_code(), e.get_error_code()) == (405, "MethodNotAllowed")
    rt = client.list_objects_versions(Bucket=vbucket)
    assert [v["VersionId"] for v in rt["Version"]] == [v5, v3, v1]
    assert [(m["VersionId"], m["IsLatest"]) for m in rt["DeleteMarker"]] == [("null", "false")]


def test_copying_an_old_version_onto_its_own_key_restores_it(client, vbucket):
    v1 = put(client, vbucket, "page.html", b"<h1>good</h1>")
    put(client, vbucket, "page.html", b"<h1>broken</h1>")
    rt = client.copy_object(Bucket=vbucket, Key="page.html",
                            CopySource={"Bucket": vbucket, "Key": "page.html", "Region": H.REGION, "VersionId": v1})
    restored = vid(rt)
    assert restored not in (None, "null", v1)
    data, got = get(client, vbucket, "page.html")
    assert data == b"<h1>good</h1>" and vid(got) == restored
    rt = client.list_objects_versions(Bucket=vbucket)
    assert [v["VersionId"] for v in rt["Version"]][0] == restored and len(rt["Version"]) == 3


def test_upload_started_before_enabling_completes_as_a_new_version(client, vbucket_factory):
    b = vbucket_factory(None)
    put(client, b, "mp", b"null version")
    up = client.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
    etag = client.upload_part(Bucket=b, Key="mp", Body=b"parted", PartNumber=1, UploadId=up)["ETag"]
    client.put_bucket_versioning(Bucket=b, Status="Enabled")
    rt = client.complete_multipart_upload(Bucket=b, Key="mp", UploadId=up,
                                          MultipartUpload={"Part": [{"PartNumber": 1, "ETag": etag}]})
    v = vid(rt)
    assert v and v != "null"
    assert get(client, b, "mp", "null")[0] == b"null version"
    assert get(client, b, "mp")[0] == b"parted"
    # and one started while Enabled completes as the null version once Suspended
    up = client.create_multipart_upload(Bucket=b, Key="mp")["UploadId"]
    etag = client.upload_part(Bucket=b, Key="mp", Body=b"suspended", PartNumber=1, UploadId=up)["ETag"]
    client.put_bucket_versioning(Bucket=b, Status="Suspended")
    rt = client.complete_multipart_upload(Bucket=b, Key="mp", UploadId=up,
                                          MultipartUpload={"Part": [{"PartNumber": 1, "ETag": etag}]})
    assert vid(rt) == "null"
    rt = client.list_objects_versions(Bucket=b)
    assert [x["VersionId"] for x in rt["Version"]] == ["null", v], "the new null version replaced the old one"
    assert get(client, b, "mp", "null")[0] == b"suspended"


def test_plain_listing_skips_keys_whose_latest_is_a_marker(client, vbucket):
    live = ["k%02d" % i for i in range(0, 20, 2)]
    for i in range(20):
        put(client, vbucket, "k%02d" % i, b"x")
    for i in range(1, 20, 2):
        client.delete_object(Bucket=vbucket, Key="k%02d" % i)
    put(client, vbucket, "gone/a", b"x")
    put(client, vbucket, "gone/b", b"x")
    client.delete_object(Bucket=vbucket, Key="gone/a")
    client.delete_object(Bucket=vbucket, Key="gone/b")
    put(client, vbucket, "kept/a", b"x")
    got, marker = [], ""
    while True:
        rt = client.list_objects(Bucket=vbucket, MaxKeys=3, Marker=marker)
        got += [c["Key"] for c in rt.get("Contents", [])]
        if rt["IsTruncated"] != "true":
            break
        marker = rt["NextMarker"]
    assert got == live + ["kept/a"]
    rt = client.list_objects(Bucket=vbucket, Delimiter="/")
    assert [p["Prefix"] for p in rt.get("CommonPrefixes", [])] == ["kept/"], "a prefix holding only markers is empty"
    assert [c["Key"] for c in rt["Contents"]] == live


# ------------------------------------------------------ authorization

def test_version_condition_key_limits_a_sub_account_to_one_version(cosd, client, vbucket, sub):
    v1 = put(client, vbucket, "doc", b"public draft")
    v2 = put(client, vbucket, "doc", b"secret final")
    sub.put_policy("one-version", H.policy_doc(H.stmt(
        "allow", "name/cos:GetObject", H.cos_resource(vbucket, "*"),
        condition={"string_equal": {"cos:versionid": v1}})))
    assert get(sub.client, vbucket, "doc", v1)[0] == b"public draft"
    e = cos_error(sub.client.get_object, Bucket=vbucket, Key="doc", VersionId=v2)
    assert e.get_status_code() == 403
    e = cos_error(sub.client.get_object, Bucket=vbucket, Key="doc")
    assert e.get_status_code() == 403, "no versionId: the condition key is absent"


def test_version_condition_key_seed_example_latest_only(cosd, client, vbucket, sub):
    """Seed 002 example 2: string_equal_if_exist "" allows the latest (no or empty versionId),
    and an explicit deny string_not_equal "" refuses any named version."""
    v1 = put(client, vbucket, "doc", b"old")
    put(client, vbucket, "doc", b"latest")
    res = H.cos_resource(vbucket, "*")
    sub.put_policy("latest-only", H.policy_doc(
        H.stmt("allow", "name/cos:GetObject", res, condition={"string_equal_if_exist": {"cos:versionid": ""}}),
        H.stmt("deny", "name/cos:GetObject", res, condition={"string_not_equal": {"cos:versionid": ""}})))
    assert get(sub.client, vbucket, "doc")[0] == b"latest"
    assert get(sub.client, vbucket, "doc", "")[0] == b"latest"
    assert cos_error(sub.client.get_object, Bucket=vbucket, Key="doc", VersionId=v1).get_status_code() == 403
    assert cos_error(sub.client.get_object, Bucket=vbucket, Key="doc", VersionId="null").get_status_code() == 403


def test_version_condition_key_seed_example_protect_null_versions(cosd, client, vbucket_factory, sub):
    """Seed 002 example 3: DeleteObject allowed, but denied when versionid is "null"."""
    b = vbucket_factory(None)
    put(client, b, "old", b"from before versioning")
    client.put_bucket_versioning(Bucket=b, Status="Enabled")
    v = put(client, b, "new", b"versioned")
    res = H.cos_resource(b, "*")
    sub.put_policy("protect-null", H.policy_doc(
        H.stmt("allow", "name/cos:DeleteObject", res),
        H.stmt("deny", "name/cos:DeleteObject", res, condition={"string_equal": {"cos:versionid": "null"}})))
    e = cos_error(sub.client.delete_object, Bucket=b, Key="old", VersionId="null")
    assert (e.get_status_code(), e.get_error_code()) == (403, "AccessDenied")
    assert get(client, b, "old", "null")[0] == b"from before versioning"
    # a plain delete (a marker) and removing another version by id are allowed
    assert H.hget(sub.client.delete_object(Bucket=b, Key="old"), "x-cos-delete-marker") == "true"
    assert vid(sub.client.delete_object(Bucket=b, Key="new", VersionId=v)) == v
    assert get(client, b, "old", "null")[0] == b"from before versioning"


def test_sub_account_needs_bucket_versioning_actions(cosd, client, vbucket, sub):
    sub.put_policy("objects", H.policy_doc(H.stmt("allow", ["name/cos:GetObject", "name/cos:PutObject"],
                                                  H.cos_resource(vbucket, "*"))))
    for fn, kw in ((sub.client.get_bucket_versioning, {}),
                   (sub.client.put_bucket_versioning, {"Status": "Suspended"}),
                   (sub.client.list_objects_versions, {})):
        assert cos_error(fn, Bucket=vbucket, **kw).get_status_code() == 403, fn.__name__
    sub.put_policy("versions", H.policy_doc(H.stmt(
        "allow", ["name/cos:GetBucketVersioning", "name/cos:PutBucketVersioning", "name/cos:GetBucketObjectVersions"],
        H.cos_resource(vbucket, ""))))
    sub.client.put_bucket_versioning(Bucket=vbucket, Status="Suspended")
    assert sub.client.get_bucket_versioning(Bucket=vbucket)["Status"] == "Suspended"
    assert sub.client.list_objects_versions(Bucket=vbucket).get("Version", []) == []


# ------------------------------------------------------ legacy JSON API

def test_json_api_is_refused_once_versioning_was_set(cosd, client, vbucket_factory):
    """Seed 003:3174: -46659 "bucket 打开版本控制禁止使用 JSON API" (HTTP 409): the JSON API
    knows no versions, so COS refuses it (writes, deletes and reads) on such a bucket."""
    from json_helpers import jerr, js_get, js_post, multi, once
    for status in ("Enabled", "Suspended"):
        full = vbucket_factory(status)
        short = full[:-(len(H.APPID) + 1)]
        client.put_object(Bucket=full, Key="j/x.txt", Body=b"x")
        jerr(js_post(cosd, short, "/j/new.txt", multi(short, "/j/new.txt"), {"op": "upload", "insertOnly": "0"},
                     ("fileContent", "new.txt", b"new", "text/plain")), -46659, 409)
        jerr(js_post(cosd, short, "/j/x.txt", once(short, "/j/x.txt"), {"op": "delete"}), -46659, 409)
        jerr(js_post(cosd, short, "/j/dir/", multi(short, "/j/dir/"), {"op": "create", "biz_attr": ""}), -46659, 409)
        jerr(js_get(cosd, short, "/j/x.txt", multi(short, "/j/x.txt"), op="stat"), -46659, 409)
        # nothing changed
        assert get(client, full, "j/x.txt")[0] == b"x"
        _, versions, markers, _ = V.cos_list_all_versions(client, full)
        assert [v["Key"] for v in versions] == ["j/x.txt"] and markers == []
