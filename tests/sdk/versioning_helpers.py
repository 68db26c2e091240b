"""Helpers shared by the versioning / object-lock tests (test_versioning.py,
test_s3_versioning.py, test_object_lock.py, test_crash_versions.py).
Contract: docs/versioning.md."""

import base64
import time
import xml.etree.ElementTree as ET

import pytest
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H

U64_MAX = 2 ** 64 - 1


def version_id_for_stamp(stamp):
    """A version id in cosd's (COS's) form: base64 (standard alphabet, no padding) of the
    20-digit decimal of u64::MAX - stamp (docs/versioning.md "Version ids")."""
    return base64.b64encode(b"%020d" % (U64_MAX - stamp)).decode().rstrip("=")


def unknown_version_id():
    """A well-formed id that names no version: written an hour ago with an odd counter."""
    ms = int(time.time() * 1000) - 3600 * 1000
    return version_id_for_stamp((ms << 20) + 0xABCDE)


def stamp_of(version_id):
    """The stamp a version id encodes (inverse of version_id_for_stamp)."""
    raw = base64.b64decode(version_id + "=" * (-len(version_id) % 4))
    return U64_MAX - int(raw)


def vid(headers):
    """x-cos-version-id of a COS SDK response dict (None when absent)."""
    return H.hget(headers, "x-cos-version-id")


def cos_error(fn, *args, **kwargs):
    with pytest.raises(CosServiceError) as ei:
        fn(*args, **kwargs)
    return ei.value


# ------------------------------------------------------------ listing (COS)

def _tag(el):
    return el.tag.split("}")[-1]


def _text(el, name):
    for c in el:
        if _tag(c) == name:
            return c.text or ""
    return None


def parse_versions_xml(body):
    """A ListVersionsResult body, in document order: {'entries': [dict(kind='Version'|
    'DeleteMarker', Key, VersionId, IsLatest, ETag, Size, LastModified)], 'prefixes': [...],
    plus every top-level scalar element (IsTruncated, NextKeyMarker, ...)}."""
    root = ET.fromstring(body)
    assert _tag(root) == "ListVersionsResult", body[:300]
    out = {"entries": [], "prefixes": [], "order": []}
    for el in root:
        t = _tag(el)
        if t in ("Version", "DeleteMarker"):
            e = {"kind": t}
            for c in el:
                if len(c):
                    continue
                e[_tag(c)] = c.text or ""
            out["entries"].append(e)
            out["order"].append(("entry", e["Key"]))
        elif t == "CommonPrefixes":
            p = _text(el, "Prefix")
            out["prefixes"].append(p)
            out["order"].append(("prefix", p))
        else:
            out[t] = el.text or ""
    return out


def raw_list_versions(server, bucket, **params):
    """GET /?versions signed like the SDK signs it; returns parse_versions_xml of the body
    (keys and markers exactly as sent: no encoding-type unless given)."""
    q = {"versions": ""}
    for k, v in params.items():
        q[k.replace("_", "-")] = str(v)
    r = H.signed_request(server, "GET", server.vhost(bucket), params=q)
    assert r.status_code == 200, (r.status_code, r.text[:500])
    return parse_versions_xml(r.content)


def cos_list_all_versions(client, bucket, max_keys=1000, prefix="", delimiter="", max_pages=10000):
    """Follows NextKeyMarker / NextVersionIdMarker through list_objects_versions until
    IsTruncated is false. Returns (pages, versions, markers, prefixes): every Version and
    DeleteMarker dict and CommonPrefixes Prefix in the order the pages gave them."""
    key_marker, vid_marker = "", ""
    pages, versions, markers, prefixes = 0, [], [], []
    while True:
        rt = client.list_objects_versions(Bucket=bucket, Prefix=prefix, Delimiter=delimiter,
                                          KeyMarker=key_marker, VersionIdMarker=vid_marker,
                                          MaxKeys=max_keys)
        pages += 1
        versions += rt.get("Version", [])
        markers += rt.get("DeleteMarker", [])
        prefixes += [p["Prefix"] for p in rt.get("CommonPrefixes", [])]
        n = len(rt.get("Version", [])) + len(rt.get("DeleteMarker", [])) + len(rt.get("CommonPrefixes", []))
        assert n <= max_keys, "page %d has %d entries, MaxKeys %d" % (pages, n, max_keys)
        if rt.get("IsTruncated") != "true":
            return pages, versions, markers, prefixes
        assert n > 0, "a truncated page with no entries: %r" % rt
        assert rt.get("NextKeyMarker"), "truncated page without NextKeyMarker: %r" % rt
        key_marker, vid_marker = rt["NextKeyMarker"], rt.get("NextVersionIdMarker", "")
        assert pages < max_pages, "listing does not end"


def destroy_versioned_bucket(client, bucket):
    """Best effort: delete every version and marker (by id), then the bucket."""
    try:
        for _ in range(100):
            rt = client.list_objects_versions(Bucket=bucket, MaxKeys=1000)
            objs = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                    for v in rt.get("Version", []) + rt.get("DeleteMarker", [])]
            if not objs:
                break
            client.delete_objects(Bucket=bucket, Delete={"Object": objs, "Quiet": "true"})
            if rt.get("IsTruncated") != "true":
                break
    except Exception:  # best effort
        pass
    H.destroy_bucket(client, bucket)


# -------------------------------------------------------------- S3 (boto3)

def s3_list_all_versions(s3, bucket, page_size=1000, **kw):
    """Every Version / DeleteMarker / CommonPrefix through the list_object_versions paginator."""
    versions, markers, prefixes, pages = [], [], [], 0
    for page in s3.get_paginator("list_object_versions").paginate(
            Bucket=bucket, PaginationConfig={"PageSize": page_size}, **kw):
        pages += 1
        versions += page.get("Versions", [])
        markers += page.get("DeleteMarkers", [])
        prefixes += [p["Prefix"] for p in page.get("CommonPrefixes", [])]
    return pages, versions, markers, prefixes


def s3_destroy_versioned_bucket(s3, bucket):
    """Best effort: abort uploads, delete every version (bypassing GOVERNANCE retention,
    clearing legal holds), then the bucket. COMPLIANCE-locked versions stay."""
    try:
        for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket):
            for up in page.get("Uploads", []):
                s3.abort_multipart_upload(Bucket=bucket, Key=up["Key"], UploadId=up["UploadId"])
    except Exception:  # best effort
        pass
    try:
        _, versions, markers, _ = s3_list_all_versions(s3, bucket)
        try:
            locked = bool(s3.get_object_lock_configuration(Bucket=bucket).get("ObjectLockConfiguration"))
        except Exception:
            locked = False
        for v in (versions if locked else []):
            try:
                s3.put_object_legal_hold(Bucket=bucket, Key=v["Key"], VersionId=v["VersionId"],
                                         LegalHold={"Status": "OFF"})
            except Exception:
                pass
        objs = [{"Key": v["Key"], "VersionId": v["VersionId"]} for v in versions + markers]
        for i in range(0, len(objs), 1000):
            s3.delete_objects(Bucket=bucket, Delete={"Objects": objs[i:i + 1000], "Quiet": True},
                              BypassGovernanceRetention=True)
    except Exception:  # best effort
        pass
    try:
        s3.delete_bucket(Bucket=bucket)
    except Exception:  # best effort
        pass
