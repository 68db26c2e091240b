"""Referer (hotlink) protection through cos-python-sdk-v5 (contract: docs/referer.md;
seed 002:9449-9545 "Hotlink Protection Practice")."""

import pytest
import requests
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H

# 002:9484-9487: user A's page may show the image, user B's page may not.
ALLOWED = "https://example.com/index.html"
REFUSED = "https://b.com/test/test.html"


def fetch(cosd, bucket, key, referer=None):
    headers = {"Host": cosd.vhost(bucket)}
    if referer is not None:
        headers["Referer"] = referer
    return requests.get(cosd.base_url + "/" + key, headers=headers, timeout=30)


@pytest.fixture
def public_bucket(client, bucket):
    client.put_bucket_acl(Bucket=bucket, ACL="public-read")
    client.put_object(Bucket=bucket, Key="1.jpg", Body=b"jpeg bytes")
    yield bucket
    # Teardown goes through the SDK without a Referer: lift the protection first.
    client.delete_bucket_referer(Bucket=bucket)


def test_unconfigured_get_is_an_empty_configuration(client, bucket):
    # COS answers an empty <RefererConfiguration/>, which the SDK reads as below.
    got = client.get_bucket_referer(Bucket=bucket)
    assert got == {"RefererConfiguration": None}, got


def test_put_get_delete_round_trip(client, public_bucket):
    config = {
        "Status": "Enabled",
        "RefererType": "White-List",
        "EmptyReferConfiguration": "Allow",
        "DomainList": {"Domain": ["*.qq.com", "*.qcloud.com"]},
    }
    assert client.put_bucket_referer(Bucket=public_bucket, RefererConfiguration=config) is None
    got = client.get_bucket_referer(Bucket=public_bucket)
    assert got["Status"] == "Enabled"
    assert got["RefererType"] == "White-List"
    assert got["EmptyReferConfiguration"] == "Allow"
    assert got["DomainList"]["Domain"] == ["*.qq.com", "*.qcloud.com"]

    # One domain: the SDK still gives a list back.
    config["DomainList"] = {"Domain": "example.com"}
    client.put_bucket_referer(Bucket=public_bucket, RefererConfiguration=config)
    got = client.get_bucket_referer(Bucket=public_bucket)
    assert got["DomainList"]["Domain"] == ["example.com"]

    # delete_bucket_referer is a PUT ?referer with an empty body.
    assert client.delete_bucket_referer(Bucket=public_bucket) is None
    assert client.get_bucket_referer(Bucket=public_bucket) == {"RefererConfiguration": None}


def test_get_bucket_referer_after_delete_is_empty(client, public_bucket):
    config = {
        "Status": "Enabled",
        "RefererType": "Black-List",
        "EmptyReferConfiguration": "Allow",
        "DomainList": {"Domain": ["evil.example.com"]},
    }
    client.put_bucket_referer(Bucket=public_bucket, RefererConfiguration=config)
    client.delete_bucket_referer(Bucket=public_bucket)
    got = client.get_bucket_referer(Bucket=public_bucket)
    assert got == {"RefererConfiguration": None}, got
    assert "Status" not in got and "DomainList" not in got


def test_white_list_over_plain_http(cosd, client, public_bucket):
    client.put_bucket_referer(Bucket=public_bucket, RefererConfiguration={
        "Status": "Enabled",
        "RefererType": "White-List",
        "EmptyReferConfiguration": "Deny",
        "DomainList": {"Domain": ["*.example.com"]},
    })
    r = fetch(cosd, public_bucket, "1.jpg", ALLOWED)
    assert r.status_code == 200, r.text
    assert r.content == b"jpeg bytes"
    for referer in (REFUSED, None):
        r = fetch(cosd, public_bucket, "1.jpg", referer)
        assert r.status_code == 403, r.text
        assert H.parse_error_xml(r.content)["Code"] == "AccessDenied"

    # Signed SDK requests are checked too; the SDK's Referer parameter passes them.
    with pytest.raises(CosServiceError) as ei:
        client.get_object(Bucket=public_bucket, Key="1.jpg")
    assert ei.value.get_status_code() == 403
    assert ei.value.get_error_code() == "AccessDenied"
    body = client.get_object(Bucket=public_bucket, Key="1.jpg", Referer=ALLOWED)["Body"]
    assert body.get_raw_stream().read() == b"jpeg bytes"


def test_black_list_and_disabled(cosd, client, public_bucket):
    config = {
        "Status": "Enabled",
        "RefererType": "Black-List",
        "EmptyReferConfiguration": "Allow",
        "DomainList": {"Domain": ["*.b.com"]},
    }
    client.put_bucket_referer(Bucket=public_bucket, RefererConfiguration=config)
    assert fetch(cosd, public_bucket, "1.jpg", REFUSED).status_code == 403
    assert fetch(cosd, public_bucket, "1.jpg", ALLOWED).status_code == 200
    assert fetch(cosd, public_bucket, "1.jpg").status_code == 200

    config["Status"] = "Disabled"
    client.put_bucket_referer(Bucket=public_bucket, RefererConfiguration=config)
    assert fetch(cosd, public_bucket, "1.jpg", REFUSED).status_code == 200


def test_eleven_domains_refused(client, bucket):
    with pytest.raises(CosServiceError) as ei:
        client.put_bucket_referer(Bucket=bucket, RefererConfiguration={
            "Status": "Enabled",
            "RefererType": "White-List",
            "DomainList": {"Domain": ["d%d.example.com" % i for i in range(11)]},
        })
    assert ei.value.get_status_code() == 400
    assert ei.value.get_error_code() == "MalformedXML"
