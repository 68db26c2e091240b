"""S3 listing through boto3: ListObjectsV2 / ListObjects paging (MaxKeys,
continuation tokens, markers, paginators), StartAfter, FetchOwner, delimiters
and common prefixes, URL-encoded keys. Every test taking ``s3`` runs with both
client configurations of s3_harness.CLIENT_CONFIGS."""

import pytest

import cosd_harness as H
import s3_harness as S3
from s3_harness import ClientError


def test_special_keys_roundtrip(s3, s3_bucket):
    keys = ["a b.txt", "plus+sign", "pct%41/x", "uni/中文-ключ.txt", "tilde~(paren)!*'", "q?x=1&y",
            "dir//double"]
    for k in keys:
        s3.put_object(Bucket=s3_bucket, Key=k, Body=k.encode())
    for k in keys:
        assert s3.get_object(Bucket=s3_bucket, Key=k)["Body"].read() == k.encode(), k
    listed = [c["Key"] for c in s3.list_objects_v2(Bucket=s3_bucket)["Contents"]]
    assert listed == sorted(keys, key=lambda k: k.encode())
    listed = [c["Key"] for c in s3.list_objects(Bucket=s3_bucket)["Contents"]]
    assert listed == sorted(keys, key=lambda k: k.encode())
    # prefix / start-after / common prefix values are URL-encoded (encoding-type=url)
    r = s3.list_objects_v2(Bucket=s3_bucket, Prefix="pct%41/", StartAfter="pct%41/")
    assert r["Prefix"] == "pct%41/" and r["StartAfter"] == "pct%41/"
    assert [c["Key"] for c in r["Contents"]] == ["pct%41/x"]
    r = s3.list_objects_v2(Bucket=s3_bucket, Delimiter="/", Prefix="")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["dir/", "pct%41/", "uni/"]


def _put_keys(s3, bucket, keys):
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=k.encode())


KEYS30 = ["k/%02d" % i for i in range(30)]


def test_list_objects_v2_pagination(s3, s3_bucket):
    _put_keys(s3, s3_bucket, KEYS30)
    got, token, pages = [], None, 0
    while True:
        kw = {"ContinuationToken": token} if token else {}
        r = s3.list_objects_v2(Bucket=s3_bucket, MaxKeys=7, **kw)
        pages += 1
        assert r["MaxKeys"] == 7
        assert r["KeyCount"] == len(r.get("Contents", []))
        if token:
            assert r["ContinuationToken"] == token
        got += [c["Key"] for c in r.get("Contents", [])]
        for c in r.get("Contents", []):
            assert c["Size"] == len(c["Key"])
            assert c["ETag"] == H.etag_of(c["Key"].encode())
            assert "Owner" not in c          # only with FetchOwner
        if not r["IsTruncated"]:
            assert "NextContinuationToken" not in r
            break
        assert r["KeyCount"] == 7
        token = r["NextContinuationToken"]
        assert token
    assert pages == 5
    assert got == KEYS30

    # the paginator (PageSize -> MaxKeys)
    pg = s3.get_paginator("list_objects_v2")
    pages = list(pg.paginate(Bucket=s3_bucket, PaginationConfig={"PageSize": 7}))
    assert [p["KeyCount"] for p in pages] == [7, 7, 7, 7, 2]
    assert [c["Key"] for p in pages for c in p["Contents"]] == KEYS30

    # StartAfter (+ paging from there)
    r = s3.list_objects_v2(Bucket=s3_bucket, StartAfter="k/22", MaxKeys=5)
    assert r["StartAfter"] == "k/22"
    assert [c["Key"] for c in r["Contents"]] == KEYS30[23:28]
    assert r["IsTruncated"] is True
    r2 = s3.list_objects_v2(Bucket=s3_bucket, StartAfter="k/22", MaxKeys=5,
                            ContinuationToken=r["NextContinuationToken"])
    assert [c["Key"] for c in r2["Contents"]] == KEYS30[28:]
    assert r2["IsTruncated"] is False
    r = s3.list_objects_v2(Bucket=s3_bucket, StartAfter="k/29")
    assert r["KeyCount"] == 0 and "Contents" not in r

    # FetchOwner
    r = s3.list_objects_v2(Bucket=s3_bucket, MaxKeys=2, FetchOwner=True)
    for c in r["Contents"]:
        assert c["Owner"]["ID"]
    with pytest.raises(ClientError) as ei:
        s3.list_objects_v2(Bucket=s3_bucket, ContinuationToken="not-a-token!")
    assert S3.err(ei)[:2] == (400, "InvalidArgument")
    # MaxKeys=0
    r = s3.list_objects_v2(Bucket=s3_bucket, MaxKeys=0)
    assert r["KeyCount"] == 0 and "Contents" not in r


def test_list_objects_v1_pagination(s3, s3_bucket):
    _put_keys(s3, s3_bucket, KEYS30)
    got, marker, pages = [], "", 0
    while True:
        r = s3.list_objects(Bucket=s3_bucket, MaxKeys=7, Marker=marker)
        pages += 1
        assert r["Marker"] == marker
        keys = [c["Key"] for c in r.get("Contents", [])]
        got += keys
        for c in r.get("Contents", []):
            assert c["Owner"]["ID"]           # v1 always lists the owner
        if not r["IsTruncated"]:
            break
        marker = r.get("NextMarker") or keys[-1]
    assert pages == 5
    assert got == KEYS30
    pages = list(s3.get_paginator("list_objects").paginate(
        Bucket=s3_bucket, PaginationConfig={"PageSize": 7}))
    assert [len(p["Contents"]) for p in pages] == [7, 7, 7, 7, 2]
    assert [c["Key"] for p in pages for c in p["Contents"]] == KEYS30


def test_list_delimiter_common_prefixes(s3, s3_bucket):
    keys = ["a/1", "a/2", "b/1", "c", "d/e/f", "d/g", "e"]
    _put_keys(s3, s3_bucket, keys)
    r = s3.list_objects_v2(Bucket=s3_bucket, Delimiter="/")
    assert r["Delimiter"] == "/"
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["a/", "b/", "d/"]
    assert [c["Key"] for c in r["Contents"]] == ["c", "e"]
    assert r["KeyCount"] == 5      # keys + common prefixes

    r = s3.list_objects_v2(Bucket=s3_bucket, Delimiter="/", Prefix="d/")
    assert [p["Prefix"] for p in r["CommonPrefixes"]] == ["d/e/"]
    assert [c["Key"] for c in r["Contents"]] == ["d/g"]

    # paging over prefixes: MaxKeys counts keys and prefixes together
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket=s3_bucket, Delimiter="/", PaginationConfig={"PageSize": 2}))
    seen = []
    for p in pages:
        entries = [x["Prefix"] for x in p.get("CommonPrefixes", [])] + [c["Key"] for c in p.get("Contents", [])]
        assert len(entries) <= 2
        seen += entries
    assert sorted(seen) == ["a/", "b/", "c", "d/", "e"]

    r = s3.list_objects(Bucket=s3_bucket, Delimiter="/", MaxKeys=2)
    assert r["IsTruncated"] is True
    assert r["NextMarker"]                        # v1 with a delimiter returns NextMarker
    first = [x["Prefix"] for x in r.get("CommonPrefixes", [])] + [c["Key"] for c in r.get("Contents", [])]
    assert sorted(first) == ["a/", "b/"]
    r = s3.list_objects(Bucket=s3_bucket, Delimiter="/", Marker=r["NextMarker"])
    rest = [x["Prefix"] for x in r.get("CommonPrefixes", [])] + [c["Key"] for c in r.get("Contents", [])]
    assert sorted(rest) == ["c", "d/", "e"]


def test_list_missing_bucket(s3):
    with pytest.raises(ClientError) as ei:
        s3.list_objects_v2(Bucket=S3.unique_bucket())
    status, code, resp = S3.err(ei)
    assert (status, code) == (404, "NoSuchBucket")
    assert resp["Error"]["Message"]
    assert resp["ResponseMetadata"]["RequestId"]
    assert resp["ResponseMetadata"]["HTTPHeaders"]["x-amz-request-id"] == resp["ResponseMetadata"]["RequestId"]
