"""Every canonical form the clients send verifies: q-sign over query parameter names that need
percent-encoding (the SDKs sign ``E(name).lower()``, e.g. ``%2c``), and SigV4 over query values
that arrive with a raw ``/`` (canonicalised by re-encoding, as AWS does)."""

from urllib.parse import quote, urlsplit

import botocore.auth
import botocore.awsrequest
import botocore.credentials
import pytest
import requests

import cosd_harness as H

ODD_NAMES = [",", "a b", "*", "'", "x/y", "ü", "a+b", "~"]


@pytest.fixture
def obj(client, bucket):
    client.put_object(Bucket=bucket, Key="o.txt", Body=b"odd names")
    return bucket


@pytest.mark.parametrize("name", ODD_NAMES)
def test_qsign_header_signature_over_a_query_name_that_needs_encoding(cosd, obj, name):
    r = H.signed_request(cosd, "GET", cosd.vhost(obj), key="o.txt", params={name: "a"})
    assert r.status_code == 200, (name, r.status_code, r.text)
    assert r.content == b"odd names"


@pytest.mark.parametrize("name", ODD_NAMES)
def test_qsign_presigned_url_with_a_query_name_that_needs_encoding(cosd, obj, name):
    url = cosd.presign_client().get_presigned_url(Method="GET", Bucket=obj, Key="o.txt", Expired=300,
                                                  Params={name: "a"})
    parts = urlsplit(url)
    r = requests.get(cosd.base_url + parts.path + "?" + parts.query, headers={"Host": parts.netloc},
                     timeout=30)
    assert r.status_code == 200, (name, url, r.status_code, r.text)


def _sigv4_headers(cosd, method, url):
    creds = botocore.credentials.Credentials(cosd.secret_id, cosd.secret_key)
    req = botocore.awsrequest.AWSRequest(method=method, url=url, headers={"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
    botocore.auth.S3SigV4Auth(creds, "s3", cosd.region).add_auth(req)
    return dict(req.headers)


@pytest.mark.parametrize("raw_query,encoded_query", [
    ("prefix=ctl/", "prefix=ctl%2F"),
    ("prefix=a/b/&delimiter=/", "prefix=a%2Fb%2F&delimiter=%2F"),
    ("prefix=x:y@z", "prefix=x%3Ay%40z"),
])
def test_sigv4_query_values_with_raw_reserved_characters_verify(cosd, client, bucket, raw_query, encoded_query):
    """botocore signs the encoded form; the request goes out with the characters raw."""
    client.put_object(Bucket=bucket, Key="ctl/a.txt", Body=b"x")
    base = "%s/%s" % (cosd.base_url, bucket)
    headers = _sigv4_headers(cosd, "GET", base + "?" + encoded_query)
    r = requests.get(base + "?" + raw_query, headers=headers, timeout=30)
    assert r.status_code == 200, (raw_query, r.status_code, r.text)
    r = requests.get(base + "?" + encoded_query, headers=headers, timeout=30)
    assert r.status_code == 200, (encoded_query, r.status_code, r.text)


def test_sigv4_listing_with_a_slash_prefix_through_boto3(cosd, bucket, client):
    import boto3
    import botocore.config
    client.put_object(Bucket=bucket, Key="ctl/a.txt", Body=b"x")
    s3 = boto3.client("s3", endpoint_url=cosd.base_url, region_name=cosd.region,
                      aws_access_key_id=cosd.secret_id, aws_secret_access_key=cosd.secret_key,
                      config=botocore.config.Config(s3={"addressing_style": "path"}))
    got = s3.list_objects_v2(Bucket=bucket, Prefix="ctl/", Delimiter="/")
    assert [o["Key"] for o in got.get("Contents", [])] == ["ctl/a.txt"]
