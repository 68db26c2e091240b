"""Bucket access logs through the SDKs (contract: docs/access-logs.md): cos-python-sdk-v5's
put/get_bucket_logging and boto3's put/get_bucket_logging, on a server that delivers the
gathered lines every second (COSD_ACCESS_LOG_INTERVAL_SECS=1), and once more at a graceful
shutdown."""

import time

import boto3
import pytest
from botocore.config import Config as BotoConfig
from qcloud_cos import CosServiceError

import cosd_harness as H

WAIT = 20.0


@pytest.fixture
def logged(server_factory):
    server = server_factory("access-logs", COSD_ACCESS_LOG_INTERVAL_SECS="1")
    server.start()
    return server


def log_lines(client, bucket, prefix):
    """Every line of every log object under ``prefix``."""
    lines = []
    listed = client.list_objects(Bucket=bucket, Prefix=prefix)
    for o in listed.get("Contents", []):
        body = client.get_object(Bucket=bucket, Key=o["Key"])["Body"].get_raw_stream().read()
        lines.extend(body.decode().splitlines())
    return lines


def wait_for_lines(client, bucket, prefix, n):
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        lines = log_lines(client, bucket, prefix)
        if len(lines) >= n:
            return lines
        time.sleep(0.5)
    return log_lines(client, bucket, prefix)


def test_cos_sdk_turns_logging_on_and_reads_the_delivered_lines(logged):
    client = logged.client()
    source, target = H.unique_bucket("src"), H.unique_bucket("logs")
    client.create_bucket(Bucket=source)
    client.create_bucket(Bucket=target)
    client.put_bucket_logging(Bucket=source, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "cos/"}})
    got = client.get_bucket_logging(Bucket=source)
    assert got["LoggingEnabled"] == {"TargetBucket": target, "TargetPrefix": "cos/"}

    client.put_object(Bucket=source, Key="report.csv", Body=b"a,b\n1,2\n")
    client.get_object(Bucket=source, Key="report.csv")["Body"].get_raw_stream().read()
    with pytest.raises(CosServiceError):
        client.get_object(Bucket=source, Key="missing")

    lines = wait_for_lines(client, target, "cos/", 4)
    fields = [line.split(" ") for line in lines]
    assert all(len(f) == 30 for f in fields), lines
    # Every request to the bucket once logging is on, the configuration reads included.
    assert [(f[5], f[14]) for f in fields] == [
        ("GetBucketLogging", "200"), ("PutObject", "200"), ("GetObject", "200"),
        ("GetObject", "404")]
    fields = fields[1:]
    put = fields[0]
    assert put[1] == source and put[2] == logged.region
    assert put[7] == logged.secret_id and put[9] == "8"
    assert put[11] == "/report.csv" and put[12] == "put"
    assert put[13].startswith("cos-python-sdk-v5")
    assert fields[1][17] == "8"  # bytes sent
    assert fields[2][15] == "NoSuchKey"
    assert logged.secret_key not in "\n".join(lines)

    # A missing target is refused with S3's code.
    with pytest.raises(CosServiceError) as e:
        client.put_bucket_logging(Bucket=source, BucketLoggingStatus={
            "LoggingEnabled": {"TargetBucket": H.unique_bucket("nope"), "TargetPrefix": ""}})
    assert e.value.get_error_code() == "InvalidTargetBucketForLogging"


def s3_client(server):
    return boto3.client(
        "s3", endpoint_url=server.base_url, region_name=server.region,
        aws_access_key_id=server.secret_id, aws_secret_access_key=server.secret_key,
        config=BotoConfig(s3={"addressing_style": "path"}))


def test_boto3_sets_logging_and_a_graceful_stop_delivers_what_is_pending(server_factory):
    # A long interval: only the shutdown delivers.
    server = server_factory("access-logs-stop", COSD_ACCESS_LOG_INTERVAL_SECS="3600")
    server.start()
    s3 = s3_client(server)
    source, target = H.unique_bucket("src"), H.unique_bucket("logs")
    s3.create_bucket(Bucket=source)
    s3.create_bucket(Bucket=target)
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={
        "LoggingEnabled": {"TargetBucket": target, "TargetPrefix": "s3/"}})
    assert s3.get_bucket_logging(Bucket=source)["LoggingEnabled"]["TargetPrefix"] == "s3/"
    s3.put_object(Bucket=source, Key="k", Body=b"v")
    assert s3.list_objects_v2(Bucket=target).get("KeyCount", 0) == 0
    server.stop()
    server.start()
    client, s3 = server.client(), s3_client(server)
    lines = log_lines(client, target, "s3/")
    assert [line.split(" ")[5] for line in lines] == ["GetBucketLogging", "PutObject"], lines
    # The object's path, path-style or not.
    assert lines[1].split(" ")[11] == "/k"
    # Turning it off: an empty status.
    s3.put_bucket_logging(Bucket=source, BucketLoggingStatus={})
    assert "LoggingEnabled" not in s3.get_bucket_logging(Bucket=source)
