"""Bucket lifecycle through the SDKs (contract: docs/lifecycle.md): cos-python-sdk-v5's
put/get/delete_bucket_lifecycle and boto3's put_bucket_lifecycle_configuration, on a server
whose lifecycle day is 2 seconds (COSD_LIFECYCLE_DAY_SECS=2), so the worker expires objects
and aborts uploads in real time."""

import time

import pytest
import requests
from qcloud_cos import CosServiceError

import cosd_harness as H
import s3_harness as S3

DAY = 2
WAIT = 20.0  # a day, a pass interval and plenty of margin on a busy machine


@pytest.fixture
def short_day(server_factory):
    server = server_factory("lifecycle", COSD_LIFECYCLE_DAY_SECS=str(DAY))
    server.start()
    return server


def wait_for(cond, timeout=WAIT):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if cond():
            return True
        time.sleep(0.5)
    return cond()


def gone(client, bucket, key):
    try:
        client.head_object(Bucket=bucket, Key=key)
        return False
    except CosServiceError as e:
        return e.get_status_code() == 404


def test_cos_sdk_sets_reads_and_deletes_a_configuration_and_objects_expire(short_day):
    client = short_day.client(session=requests.Session())
    bucket = H.unique_bucket("lc")
    client.create_bucket(Bucket=bucket)
    with pytest.raises(CosServiceError) as ei:
        client.get_bucket_lifecycle(Bucket=bucket)
    assert ei.value.get_status_code() == 404
    assert ei.value.get_error_code() == "NoSuchLifecycleConfiguration"

    client.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration={
        "Rule": [
            {"ID": "tmp", "Filter": {"Prefix": "tmp/"}, "Status": "Enabled",
             "Expiration": {"Days": "1"}},
            {"ID": "cold", "Filter": {"Prefix": "cold/"}, "Status": "Disabled",
             "Transition": [{"Days": "30", "StorageClass": "STANDARD_IA"},
                            {"Days": "90", "StorageClass": "ARCHIVE"}],
             "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": "7"}},
        ]})
    got = client.get_bucket_lifecycle(Bucket=bucket)
    rules = got["Rule"]
    assert [r["ID"] for r in rules] == ["tmp", "cold"]
    assert rules[0]["Filter"]["Prefix"] == "tmp/"
    assert rules[0]["Expiration"]["Days"] == "1"
    assert [t["StorageClass"] for t in rules[1]["Transition"]] == ["STANDARD_IA", "ARCHIVE"]
    assert rules[1]["AbortIncompleteMultipartUpload"]["DaysAfterInitiation"] == "7"

    client.put_object(Bucket=bucket, Key="tmp/short", Body=b"short-lived")
    client.put_object(Bucket=bucket, Key="keep/long", Body=b"kept")
    assert wait_for(lambda: gone(client, bucket, "tmp/short")), \
        "tmp/short did not expire within %ss:\n%s" % (WAIT, short_day.log_tail())
    assert not gone(client, bucket, "keep/long")

    client.delete_bucket_lifecycle(Bucket=bucket)
    with pytest.raises(CosServiceError) as ei:
        client.get_bucket_lifecycle(Bucket=bucket)
    assert ei.value.get_error_code() == "NoSuchLifecycleConfiguration"
    # Without rules nothing expires any more.
    client.put_object(Bucket=bucket, Key="tmp/again", Body=b"x")
    time.sleep(3 * DAY)
    assert not gone(client, bucket, "tmp/again")


def test_cos_sdk_refusals_carry_s3_codes(short_day):
    client = short_day.client(session=requests.Session())
    bucket = H.unique_bucket("lc")
    client.create_bucket(Bucket=bucket)
    for config, code in [
        ({"Rule": [{"ID": "d", "Filter": {"Prefix": ""}, "Status": "Enabled",
                    "Expiration": {"Days": "0"}}]}, "InvalidArgument"),
        ({"Rule": [{"ID": "s", "Filter": {"Prefix": ""}, "Status": "Sometimes",
                    "Expiration": {"Days": "1"}}]}, "MalformedXML"),
        ({"Rule": [{"ID": "x", "Filter": {"Prefix": ""}, "Status": "Enabled",
                    "Transition": {"Days": "1", "StorageClass": "NOPE"}}]}, "InvalidArgument"),
    ]:
        with pytest.raises(CosServiceError) as ei:
            client.put_bucket_lifecycle(Bucket=bucket, LifecycleConfiguration=config)
        assert (ei.value.get_status_code(), ei.value.get_error_code()) == (400, code)


def test_boto3_rules_expire_objects_and_abort_stale_uploads(short_day):
    s3 = S3.make_client(short_day)
    bucket = S3.unique_bucket()
    s3.create_bucket(Bucket=bucket)
    s3.put_bucket_lifecycle_configuration(Bucket=bucket, LifecycleConfiguration={"Rules": [
        {"ID": "logs", "Filter": {"Prefix": "logs/"}, "Status": "Enabled",
         "Expiration": {"Days": 1}},
        {"ID": "parts", "Filter": {"Prefix": ""}, "Status": "Enabled",
         "AbortIncompleteMultipartUpload": {"DaysAfterInitiation": 1}},
    ]})
    got = s3.get_bucket_lifecycle_configuration(Bucket=bucket)["Rules"]
    assert [r["ID"] for r in got] == ["logs", "parts"]
    assert got[0]["Expiration"] == {"Days": 1}
    assert got[1]["AbortIncompleteMultipartUpload"] == {"DaysAfterInitiation": 1}

    s3.put_object(Bucket=bucket, Key="logs/1", Body=b"line")
    up = s3.create_multipart_upload(Bucket=bucket, Key="big/file")["UploadId"]
    s3.upload_part(Bucket=bucket, Key="big/file", UploadId=up, PartNumber=1, Body=b"p" * 1024)

    def expired():
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        uploads = s3.list_multipart_uploads(Bucket=bucket).get("Uploads", [])
        return keys == [] and uploads == []

    assert wait_for(expired), "not expired within %ss:\n%s" % (WAIT, short_day.log_tail())
    with pytest.raises(S3.ClientError) as ei:
        s3.list_parts(Bucket=bucket, Key="big/file", UploadId=up)
    assert S3.err(ei)[1] == "NoSuchUpload"
    s3.delete_bucket_lifecycle(Bucket=bucket)
    with pytest.raises(S3.ClientError) as ei:
        s3.get_bucket_lifecycle_configuration(Bucket=bucket)
    assert S3.err(ei)[:2] == (404, "NoSuchLifecycleConfiguration")
