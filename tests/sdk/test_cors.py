"""Bucket CORS through cos-python-sdk-v5 (put/get/delete_bucket_cors) and raw preflights."""
import pytest
import requests
from qcloud_cos.cos_exception import CosServiceError


def test_cos_sdk_cors_round_trip_and_preflight(cosd, client, bucket):
    with pytest.raises(CosServiceError) as e:
        client.get_bucket_cors(Bucket=bucket)
    assert e.value.get_status_code() == 404
    client.put_bucket_cors(Bucket=bucket, CORSConfiguration={
        "CORSRule": [{
            "ID": "web",
            "AllowedOrigin": ["http://www.example.com", "http://*.example.org"],
            "AllowedMethod": ["PUT", "POST", "GET"],
            "AllowedHeader": ["*"],
            "ExposeHeader": ["ETag"],
            "MaxAgeSeconds": 300,
        }],
    })
    got = client.get_bucket_cors(Bucket=bucket)
    rule = got["CORSRule"][0]
    assert rule["ID"] == "web"
    assert rule["AllowedOrigin"] == ["http://www.example.com", "http://*.example.org"]
    assert rule["AllowedMethod"] == ["PUT", "POST", "GET"]
    assert rule["ExposeHeader"] == "ETag" or rule["ExposeHeader"] == ["ETag"]
    assert str(rule["MaxAgeSeconds"]) == "300"

    url = "%s/%s/photo.jpg" % (cosd.base_url, bucket)
    ok = requests.options(url, headers={
        "Origin": "http://cdn.example.org", "Access-Control-Request-Method": "PUT",
        "Access-Control-Request-Headers": "authorization,x-cos-security-token,content-type"})
    assert ok.status_code == 200
    assert ok.headers["Access-Control-Allow-Origin"] == "http://cdn.example.org"
    assert ok.headers["Access-Control-Max-Age"] == "300"
    denied = requests.options(url, headers={
        "Origin": "http://www.example.net", "Access-Control-Request-Method": "PUT"})
    assert denied.status_code == 403

    client.delete_bucket_cors(Bucket=bucket)
    with pytest.raises(CosServiceError):
        client.get_bucket_cors(Bucket=bucket)
    gone = requests.options(url, headers={
        "Origin": "http://www.example.com", "Access-Control-Request-Method": "PUT"})
    assert gone.status_code == 403
