"""GET Bucket (list_objects, marker paging) through cos-python-sdk-v5."""

import random
import uuid
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import unquote

import pytest

import cosd_harness as H

TREE = ["a.txt", "dir/b.txt", "dir/c.txt", "dir/sub/d.txt", "dir/sub/e.txt", "dir2/f.txt", "g.txt"]


@pytest.fixture
def tree(client, bucket):
    for k in TREE:
        client.put_object(Bucket=bucket, Key=k, Body=k.encode())
    return bucket


def keys_of(rt):
    return [c["Key"] for c in rt.get("Contents", [])]


def prefixes_of(rt):
    return [p["Prefix"] for p in rt.get("CommonPrefixes", [])]


def test_empty_bucket(client, bucket):
    rt = client.list_objects(Bucket=bucket)
    assert rt["Name"] == bucket
    assert rt["IsTruncated"] == "false"
    assert keys_of(rt) == []
    assert prefixes_of(rt) == []


def test_list_all(client, tree):
    rt = client.list_objects(Bucket=tree)
    assert rt["Name"] == tree
    assert rt["IsTruncated"] == "false"
    assert keys_of(rt) == sorted(TREE)
    for c in rt["Contents"]:
        assert c["ETag"] == H.etag_of(c["Key"].encode())
        assert c["Size"] == str(len(c["Key"].encode()))
        assert c["LastModified"] and c["LastModified"].endswith("Z"), c
        assert "T" in c["LastModified"]


def test_list_contents_fields(client, tree):
    c = client.list_objects(Bucket=tree, Prefix="a.txt")["Contents"][0]
    assert c["Key"] == "a.txt"
    assert c.get("StorageClass") == "STANDARD"
    assert c.get("Owner"), c


def test_prefix_and_delimiter(client, tree):
    rt = client.list_objects(Bucket=tree, Prefix="dir/", Delimiter="/")
    assert rt["Prefix"] == "dir/"
    assert rt["Delimiter"] == "/"
    assert keys_of(rt) == ["dir/b.txt", "dir/c.txt"]
    assert prefixes_of(rt) == ["dir/sub/"]
    assert rt["IsTruncated"] == "false"


def test_root_delimiter(client, tree):
    rt = client.list_objects(Bucket=tree, Delimiter="/")
    assert keys_of(rt) == ["a.txt", "g.txt"]
    assert prefixes_of(rt) == ["dir/", "dir2/"]


def test_prefix_not_ending_in_delimiter(client, tree):
    rt = client.list_objects(Bucket=tree, Prefix="dir", Delimiter="/")
    assert keys_of(rt) == []
    assert prefixes_of(rt) == ["dir/", "dir2/"]


def test_other_delimiter(client, tree):
    rt = client.list_objects(Bucket=tree, Delimiter=".")
    assert keys_of(rt) == []
    assert prefixes_of(rt) == ["a.", "dir/b.", "dir/c.", "dir/sub/d.", "dir/sub/e.", "dir2/f.", "g."]


def test_prefix_only(client, tree):
    rt = client.list_objects(Bucket=tree, Prefix="dir")
    assert keys_of(rt) == ["dir/b.txt", "dir/c.txt", "dir/sub/d.txt", "dir/sub/e.txt", "dir2/f.txt"]
    assert prefixes_of(rt) == []


def test_prefix_no_match(client, tree):
    rt = client.list_objects(Bucket=tree, Prefix="zzz")
    assert keys_of(rt) == [] and prefixes_of(rt) == []
    assert rt["IsTruncated"] == "false"


def test_marker(client, tree):
    rt = client.list_objects(Bucket=tree, Marker="dir/c.txt")
    assert rt["Marker"] == "dir/c.txt"
    assert keys_of(rt) == ["dir/sub/d.txt", "dir/sub/e.txt", "dir2/f.txt", "g.txt"]
    # marker need not be an existing key
    rt = client.list_objects(Bucket=tree, Marker="dir/bz")
    assert keys_of(rt)[0] == "dir/c.txt"


def test_max_keys_truncation(client, tree):
    rt = client.list_objects(Bucket=tree, MaxKeys=2)
    assert rt["MaxKeys"] == "2"
    assert keys_of(rt) == ["a.txt", "dir/b.txt"]
    assert rt["IsTruncated"] == "true"
    assert rt["NextMarker"] == "dir/b.txt"
    rt2 = client.list_objects(Bucket=tree, MaxKeys=2, Marker=rt["NextMarker"])
    assert keys_of(rt2) == ["dir/c.txt", "dir/sub/d.txt"]
    assert rt2["IsTruncated"] == "true"
    # exactly the remaining count: not truncated
    rt3 = client.list_objects(Bucket=tree, MaxKeys=3, Marker="dir/sub/d.txt")
    assert keys_of(rt3) == ["dir/sub/e.txt", "dir2/f.txt", "g.txt"]
    assert rt3["IsTruncated"] == "false"


def test_paging_with_delimiter(client, tree):
    """Pages over a mix of keys and common prefixes; every entry exactly once."""
    seen_keys, seen_prefixes = [], []
    marker = ""
    for _ in range(20):
        rt = client.list_objects(Bucket=tree, Delimiter="/", MaxKeys=1, Marker=marker)
        seen_keys += keys_of(rt)
        seen_prefixes += prefixes_of(rt)
        assert len(keys_of(rt)) + len(prefixes_of(rt)) <= 1
        if rt["IsTruncated"] != "true":
            break
        marker = rt["NextMarker"]
        assert marker
    else:
        pytest.fail("listing did not terminate")
    assert seen_keys == ["a.txt", "g.txt"]
    assert seen_prefixes == ["dir/", "dir2/"]


# ------------------------------------------------------------------ paging

N_MANY = 1150


@pytest.fixture(scope="module")
def many(client):
    bucket = H.unique_bucket()
    client.create_bucket(Bucket=bucket)
    rnd = random.Random(1234)
    keys = set()
    while len(keys) < N_MANY:
        # mixed shapes so creation order != lexicographic order
        shape = rnd.randrange(3)
        u = uuid.UUID(int=rnd.getrandbits(128)).hex
        if shape == 0:
            keys.add("k/%s" % u[:12])
        elif shape == 1:
            keys.add("k/%s/%s.dat" % (u[:2], u[2:10]))
        else:
            keys.add("%s-%d" % (u[:6], rnd.randrange(1000)))
    keys = list(keys)
    rnd.shuffle(keys)

    def put(k):
        client.put_object(Bucket=bucket, Key=k, Body=k.encode())

    with ThreadPoolExecutor(16) as ex:
        list(ex.map(put, keys))
    yield bucket, sorted(keys)
    H.destroy_bucket(client, bucket)


def collect(client, bucket, **kw):
    out = []
    marker = ""
    pages = 0
    while True:
        rt = client.list_objects(Bucket=bucket, Marker=marker, **kw)
        pages += 1
        page = keys_of(rt) + prefixes_of(rt)
        out += page
        if rt["IsTruncated"] == "false":
            break
        assert rt["IsTruncated"] == "true"
        assert page, "truncated page with no entries"
        marker = rt.get("NextMarker") or ""
        assert marker, "IsTruncated=true without NextMarker"
        assert pages < 1000
    return out, pages


def test_paging_default_max_keys(client, many):
    bucket, keys = many
    got, pages = collect(client, bucket)
    assert pages == 2
    assert len(got) == len(keys)
    assert got == keys


def test_first_page_is_1000(client, many):
    bucket, keys = many
    rt = client.list_objects(Bucket=bucket)
    assert len(keys_of(rt)) == 1000
    assert rt["IsTruncated"] == "true"
    assert rt["NextMarker"] == keys[999]


@pytest.mark.parametrize("max_keys", [1000, 333, 100])
def test_paging_all_keys_once(client, many, max_keys):
    bucket, keys = many
    got, pages = collect(client, bucket, MaxKeys=max_keys)
    assert got == keys
    assert len(set(got)) == len(got)
    assert pages == -(-len(keys) // max_keys)


def test_max_keys_above_1000_is_capped(client, many):
    bucket, keys = many
    rt = client.list_objects(Bucket=bucket, MaxKeys=5000)
    assert len(keys_of(rt)) <= 1000
    assert rt["IsTruncated"] == "true"
    got, _ = collect(client, bucket, MaxKeys=5000)
    assert got == keys


def test_paging_with_prefix(client, many):
    bucket, keys = many
    expect = [k for k in keys if k.startswith("k/")]
    got, _ = collect(client, bucket, Prefix="k/", MaxKeys=200)
    assert got == expect


def test_paging_with_prefix_and_delimiter(client, many):
    bucket, keys = many
    sub = [k for k in keys if k.startswith("k/")]
    expect_keys = [k for k in sub if "/" not in k[2:]]
    expect_prefixes = sorted({k[:k.index("/", 2) + 1] for k in sub if "/" in k[2:]})
    got, _ = collect(client, bucket, Prefix="k/", Delimiter="/", MaxKeys=50)
    assert got and sorted(got) == sorted(expect_keys + expect_prefixes)
    assert len(set(got)) == len(got)


# ------------------------------------------------------- encoding-type=url

SPECIAL = [
    "sp ace/a b.txt",
    "sp ace/c.txt",
    "plus+/c+d.txt",
    "pct%/e%25f%.txt",
    "中文/文件.txt",
    "amp&lt<gt>\"q'.txt",
    "tilde~/x.txt",
]


@pytest.fixture
def special(client, bucket):
    for k in SPECIAL:
        client.put_object(Bucket=bucket, Key=k, Body=b"x")
    return bucket


def test_special_keys_decoded_by_sdk(client, special):
    rt = client.list_objects(Bucket=special)
    assert keys_of(rt) == sorted(SPECIAL, key=lambda s: s.encode("utf-8"))


def test_special_common_prefixes(client, special):
    rt = client.list_objects(Bucket=special, Delimiter="/")
    expect = sorted({k.split("/")[0] + "/" for k in SPECIAL if "/" in k}, key=lambda s: s.encode())
    assert prefixes_of(rt) == expect
    assert keys_of(rt) == ['amp&lt<gt>"q\'.txt']


@pytest.mark.parametrize("prefix", ["sp ace/", "plus+/", "pct%/", "中文/"])
def test_special_prefix_filter(client, special, prefix):
    rt = client.list_objects(Bucket=special, Prefix=prefix)
    assert rt["Prefix"] == prefix
    assert keys_of(rt) == sorted([k for k in SPECIAL if k.startswith(prefix)], key=lambda s: s.encode())


def test_special_marker_paging(client, special):
    got = []
    marker = ""
    while True:
        rt = client.list_objects(Bucket=special, MaxKeys=2, Marker=marker)
        got += keys_of(rt)
        if rt["IsTruncated"] != "true":
            break
        marker = rt["NextMarker"]
    assert got == sorted(SPECIAL, key=lambda s: s.encode("utf-8"))


def test_raw_encoding_type_url(client, special):
    """EncodingType='url' explicitly: the SDK returns the raw encoded values.
    They must decode with plain unquote (space is %20, never '+')."""
    rt = client.list_objects(Bucket=special, EncodingType="url")
    raw = keys_of(rt)
    assert [unquote(k) for k in raw] == sorted(SPECIAL, key=lambda s: s.encode("utf-8"))
    for k in raw:
        assert " " not in k and "+" not in k, k
    assert rt.get("EncodingType") == "url"


def test_raw_listing_without_encoding_type(cosd, special):
    """Clients that do not ask for encoding-type=url (e.g. the Node SDK) get
    XML-escaped raw keys; they must parse back byte-exact."""
    import xml.etree.ElementTree as ET
    r = H.signed_request(cosd, "GET", cosd.vhost(special),
                         params={"prefix": "", "delimiter": "", "marker": "", "max-keys": "1000"})
    assert r.status_code == 200, r.text
    root = ET.fromstring(r.content)
    ns = root.tag[:root.tag.index("}") + 1] if root.tag.startswith("{") else ""
    assert root.find(ns + "EncodingType") is None
    keys = [c.findtext(ns + "Key") for c in root.findall(ns + "Contents")]
    assert keys == sorted(SPECIAL, key=lambda s: s.encode("utf-8"))
