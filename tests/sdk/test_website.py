"""Static website configuration through cos-python-sdk-v5 (put/get/delete_bucket_website),
and the website host answering with it (docs/website.md)."""

import pytest
import requests
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H


CONFIG = {
    "IndexDocument": {"Suffix": "index.html"},
    "ErrorDocument": {"Key": "404.html", "OriginalHttpStatus": "Disabled"},
    "AutoAddressing": {"Status": "Enabled"},
    "RoutingRules": [
        {
            "Condition": {"KeyPrefixEquals": "docs/"},
            "Redirect": {"Protocol": "https", "ReplaceKeyPrefixWith": "documents/"},
        },
        {
            "Condition": {"HttpErrorCodeReturnedEquals": "403"},
            "Redirect": {"ReplaceKeyWith": "denied.html", "HttpRedirectCode": "302"},
        },
    ],
}


def website_get(cosd, bucket, path, **kw):
    host = "%s.cos-website.%s.myqcloud.com" % (bucket, H.REGION)
    return requests.get(cosd.base_url + path, headers={"Host": host},
                        allow_redirects=False, timeout=10, **kw)


def test_website_round_trip(client, bucket):
    with pytest.raises(CosServiceError) as ei:
        client.get_bucket_website(Bucket=bucket)
    assert ei.value.get_status_code() == 404
    assert ei.value.get_error_code() == "NoSuchWebsiteConfiguration"

    assert client.put_bucket_website(Bucket=bucket, WebsiteConfiguration=CONFIG) is None
    got = client.get_bucket_website(Bucket=bucket)
    assert got["IndexDocument"] == {"Suffix": "index.html"}
    assert got["ErrorDocument"] == {"Key": "404.html", "OriginalHttpStatus": "Disabled"}
    assert got["AutoAddressing"] == {"Status": "Enabled"}
    rules = got["RoutingRules"]
    assert len(rules) == 2, rules
    assert rules[0]["Condition"] == {"KeyPrefixEquals": "docs/"}
    assert rules[0]["Redirect"] == {"Protocol": "https", "ReplaceKeyPrefixWith": "documents/"}
    assert rules[1]["Condition"] == {"HttpErrorCodeReturnedEquals": "403"}
    assert rules[1]["Redirect"] == {"HttpRedirectCode": "302", "ReplaceKeyWith": "denied.html"}

    # One rule comes back as a one-element list too.
    one = dict(CONFIG, RoutingRules=CONFIG["RoutingRules"][:1])
    client.put_bucket_website(Bucket=bucket, WebsiteConfiguration=one)
    assert len(client.get_bucket_website(Bucket=bucket)["RoutingRules"]) == 1

    client.delete_bucket_website(Bucket=bucket)
    with pytest.raises(CosServiceError) as ei:
        client.get_bucket_website(Bucket=bucket)
    assert ei.value.get_error_code() == "NoSuchWebsiteConfiguration"


def test_invalid_configuration_is_refused(client, bucket):
    with pytest.raises(CosServiceError) as ei:
        client.put_bucket_website(Bucket=bucket, WebsiteConfiguration={"ErrorDocument": {"Key": "e.html"}})
    assert ei.value.get_status_code() == 400
    assert ei.value.get_error_code() == "MalformedXML"


def test_website_host_serves_the_site(cosd, client, bucket_factory):
    bucket = bucket_factory(ACL="public-read")
    client.put_object(Bucket=bucket, Key="index.html", Body=b"<p>home</p>", ContentType="text/html")
    client.put_object(Bucket=bucket, Key="404.html", Body=b"<p>lost</p>", ContentType="text/html")
    client.put_bucket_website(Bucket=bucket, WebsiteConfiguration=CONFIG)

    r = website_get(cosd, bucket, "/")
    assert (r.status_code, r.content) == (200, b"<p>home</p>")
    assert r.headers["Content-Type"] == "text/html"
    # SPA: OriginalHttpStatus Disabled answers the error document with 200.
    r = website_get(cosd, bucket, "/app/settings/profile")
    assert (r.status_code, r.content) == (200, b"<p>lost</p>")
    r = website_get(cosd, bucket, "/docs/a.html")
    assert r.status_code == 301
    assert r.headers["Location"] == "https://%s.cos-website.%s.myqcloud.com/documents/a.html" % (
        bucket, H.REGION)
    # The API host still lists the bucket.
    listing = client.list_objects(Bucket=bucket)
    assert sorted(c["Key"] for c in listing["Contents"]) == ["404.html", "index.html"]
