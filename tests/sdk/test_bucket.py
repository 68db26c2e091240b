"""Bucket CRUD through cos-python-sdk-v5."""

import pytest
import requests
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H


def test_health(cosd):
    r = requests.get(cosd.base_url + "/_cosd/health", timeout=5)
    assert r.status_code == 200


def test_create_head_list_delete(client):
    name = H.unique_bucket()
    assert client.create_bucket(Bucket=name) is None
    try:
        head = client.head_bucket(Bucket=name)
        assert isinstance(head, dict)
        assert head.get("x-cos-request-id"), head

        listing = client.list_buckets()
        buckets = listing["Buckets"]["Bucket"]
        mine = [b for b in buckets if b["Name"] == name]
        assert len(mine) == 1, buckets
        assert mine[0]["Location"] == "ap-guangzhou"
        assert mine[0].get("CreationDate"), mine[0]
    finally:
        client.delete_bucket(Bucket=name)

    with pytest.raises(CosServiceError) as ei:
        client.head_bucket(Bucket=name)
    assert ei.value.get_status_code() == 404

    names = [b["Name"] for b in (client.list_buckets()["Buckets"] or {}).get("Bucket", [])]
    assert name not in names


def test_list_buckets_shows_several(client, bucket_factory):
    a = bucket_factory()
    b = bucket_factory()
    listing = client.list_buckets()
    assert listing.get("Owner"), listing
    by_name = {x["Name"]: x for x in listing["Buckets"]["Bucket"]}
    for name in (a, b):
        assert name in by_name
        assert by_name[name]["Location"] == "ap-guangzhou"


def test_create_twice_already_owned(client, bucket):
    with pytest.raises(CosServiceError) as ei:
        client.create_bucket(Bucket=bucket)
    assert ei.value.get_status_code() == 409
    assert ei.value.get_error_code() == "BucketAlreadyOwnedByYou"


def test_delete_non_empty_bucket(client, bucket):
    client.put_object(Bucket=bucket, Key="keep.txt", Body=b"x")
    with pytest.raises(CosServiceError) as ei:
        client.delete_bucket(Bucket=bucket)
    assert ei.value.get_status_code() == 409
    assert ei.value.get_error_code() == "BucketNotEmpty"
    # still there, object intact
    client.head_bucket(Bucket=bucket)
    assert H.read_body(client.get_object(Bucket=bucket, Key="keep.txt")) == b"x"


def test_head_missing_bucket(client):
    with pytest.raises(CosServiceError) as ei:
        client.head_bucket(Bucket=H.unique_bucket("gone"))
    assert ei.value.get_status_code() == 404


def test_delete_missing_bucket(client):
    with pytest.raises(CosServiceError) as ei:
        client.delete_bucket(Bucket=H.unique_bucket("gone"))
    assert ei.value.get_status_code() == 404
    assert ei.value.get_error_code() == "NoSuchBucket"


@pytest.mark.parametrize("name", [
    "Bad_Name-1250000000",      # underscore (the SDK refuses it client side in IP mode)
    "noappidsuffix",            # no -<appid>
    "-leading-1250000000",      # must start with a letter or digit
])
def test_invalid_bucket_name_rejected(cosd, name):
    # Path-style, signed over the whole path as the SDK signs it (the SDK validates names in
    # IP mode, so the request is made by hand).
    r = H.signed_request(cosd, "PUT", "%s:%d" % (cosd.host, cosd.port), key=name + "/")
    assert r.status_code == 400, r.text
    assert H.parse_error_xml(r.content).get("Code") == "InvalidBucketName", r.text


VHOST_BAD_NAMES = [
    "nosuffix",                       # no -<appid>
    "a" * 51 + "-1250000000",         # name part longer than 50 characters
]
VHOST_OPS = {
    "create_bucket": lambda c, n: c.create_bucket(Bucket=n),
    "list_objects": lambda c, n: c.list_objects(Bucket=n),
    "put_object": lambda c, n: c.put_object(Bucket=n, Key="k.txt", Body=b"x"),
    "get_object": lambda c, n: c.get_object(Bucket=n, Key="k.txt"),
}


@pytest.mark.parametrize("op", sorted(VHOST_OPS))
@pytest.mark.parametrize("name", VHOST_BAD_NAMES, ids=["nosuffix", "name51"])
def test_invalid_bucket_name_virtual_host(client, name, op):
    """The standard IP-mode client sends Host: <name>.cos.ap-guangzhou.myqcloud.com.
    A bad name there is still a bucket request (400 InvalidBucketName), not a
    service request / path-style request."""
    with pytest.raises(CosServiceError) as ei:
        VHOST_OPS[op](client, name)
    assert (ei.value.get_status_code(), ei.value.get_error_code()) == (400, "InvalidBucketName")


def test_invalid_vhost_name_does_not_fall_back_to_path_style(client, bucket):
    """Host: nosuffix.cos.ap-guangzhou.myqcloud.com with key '<real bucket>/x.txt'
    must not be routed path-style into <real bucket> as 'x.txt'."""
    with pytest.raises(CosServiceError) as ei:
        client.put_object(Bucket="nosuffix", Key=bucket + "/x.txt", Body=b"x")
    assert (ei.value.get_status_code(), ei.value.get_error_code()) == (400, "InvalidBucketName")
    assert client.list_objects(Bucket=bucket).get("Contents", []) == []


def test_invalid_bucket_name_virtual_host_raw(cosd):
    """Signed raw requests for Host: Bad_Name-1250000000.cos.ap-guangzhou.myqcloud.com."""
    host = "Bad_Name-1250000000.cos.ap-guangzhou.myqcloud.com"
    for method, params in (("PUT", {}), ("GET", {"prefix": "", "max-keys": "10"})):
        r = H.signed_request(cosd, method, host, params=params)
        assert r.status_code == 400, (method, r.status_code, r.text)
        assert H.parse_error_xml(r.content)["Code"] == "InvalidBucketName"


def test_sdk_refuses_underscore_client_side(client):
    # Documents why test_invalid_bucket_name_rejected signs its request by hand.
    from qcloud_cos.cos_exception import CosClientError
    with pytest.raises(CosClientError):
        client.create_bucket(Bucket="Bad_Name-1250000000")


def test_path_style_domain_client_signing_only_the_key_is_refused(cosd, client, bucket):
    """Spec 02 §2 'Python — path-style via Domain' signs /<key> without the bucket: such a
    signature would be good for the same key in every bucket, so cosd refuses it."""
    ps = cosd.path_style_client(bucket)
    with pytest.raises(CosServiceError) as ei:
        ps.put_object(Bucket=bucket, Key="dir/x y.txt", Body=b"path style")
    assert ei.value.get_status_code() == 403
    assert ei.value.get_error_code() == "SignatureDoesNotMatch"
    assert "/<bucket>/<key>" in ei.value.get_error_msg()
    with pytest.raises(CosServiceError) as ei:
        client.head_object(Bucket=bucket, Key="dir/x y.txt")
    assert ei.value.get_status_code() == 404


def test_path_style_requests_signed_over_the_whole_path_work(cosd, client, bucket):
    """Domain='127.0.0.1:port' with Key='<bucket>/<key>': /<bucket>/<key>, Host 127.0.0.1:port,
    signed over the whole path."""
    ps = cosd.root_path_client()
    key = bucket + "/dir/x y.txt"
    rt = ps.put_object(Bucket=bucket, Key=key, Body=b"path style")
    assert rt["ETag"] == H.etag_of(b"path style")
    assert H.read_body(ps.get_object(Bucket=bucket, Key=key)) == b"path style"
    assert ps.head_object(Bucket=bucket, Key=key)["Content-Length"] == "10"
    # visible through the virtual-host client too
    assert H.read_body(client.get_object(Bucket=bucket, Key="dir/x y.txt")) == b"path style"
    ps.delete_object(Bucket=bucket, Key=key)
    with pytest.raises(CosServiceError) as ei:
        client.head_object(Bucket=bucket, Key="dir/x y.txt")
    assert ei.value.get_status_code() == 404


def test_recreated_bucket_is_empty(client):
    name = H.unique_bucket()
    client.create_bucket(Bucket=name)
    try:
        client.put_object(Bucket=name, Key="old.txt", Body=b"old")
        client.put_object(Bucket=name, Key="big.bin", Body=b"b" * (200 * 1024))
        H.empty_bucket(client, name)
        client.delete_bucket(Bucket=name)
        client.create_bucket(Bucket=name)
        assert client.list_objects(Bucket=name).get("Contents", []) == []
        with pytest.raises(CosServiceError) as ei:
            client.get_object(Bucket=name, Key="old.txt")
        assert ei.value.get_error_code() == "NoSuchKey"
    finally:
        H.destroy_bucket(client, name)
