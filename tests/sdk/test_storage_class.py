"""Storage classes and archive restores through cos-python-sdk-v5 and boto3
(docs/storage-classes.md). A private server with two-second restore delays and a
four-second restore "day", so the whole restore cycle runs in real time."""

import time

import pytest
import requests

import cosd_harness as H
import s3_harness as S3
from qcloud_cos.cos_exception import CosServiceError
from s3_harness import ClientError

DAY = 4  # COSD_LIFECYCLE_DAY_SECS


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    root = tmp_path_factory.mktemp("sclass")
    srv = H.CosdServer(root / "data", root / "cosd.log", extra_env={
        "COSD_RESTORE_EXPEDITED_SECS": "2",
        "COSD_RESTORE_STANDARD_SECS": "2",
        "COSD_RESTORE_BULK_SECS": "3",
        "COSD_LIFECYCLE_DAY_SECS": str(DAY),
    })
    try:
        srv.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield srv
    try:
        srv.stop()
    finally:
        srv.kill()
        if srv in H.RUNNING_SERVERS:
            H.RUNNING_SERVERS.remove(srv)


@pytest.fixture
def cos(server):
    return server.client(session=requests.Session())


@pytest.fixture
def s3(server):
    return S3.make_client(server)


@pytest.fixture
def bucket(cos):
    name = H.unique_bucket("sclass")
    cos.create_bucket(Bucket=name)
    yield name
    H.destroy_bucket(cos, name)


def cos_error(fn, *a, **kw):
    with pytest.raises(CosServiceError) as ei:
        fn(*a, **kw)
    return ei.value.get_status_code(), ei.value.get_error_code()


def wait_for(predicate, timeout=8.0):
    deadline = time.time() + timeout
    while time.time() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return False


def test_cos_sdk_archive_object_is_unreadable_until_restored_and_again_after_days(cos, bucket):
    cos.put_object(Bucket=bucket, Key="cold.txt", Body=b"frozen bytes", StorageClass="ARCHIVE")
    head = cos.head_object(Bucket=bucket, Key="cold.txt")
    assert head["x-cos-storage-class"] == "ARCHIVE"
    assert head["Content-Length"] == "12"
    assert "x-cos-restore" not in head
    assert cos_error(cos.get_object, Bucket=bucket, Key="cold.txt") == (403, "InvalidObjectState")

    cos.restore_object(Bucket=bucket, Key="cold.txt",
                       RestoreRequest={"Days": 1, "CASJobParameters": {"Tier": "Expedited"}})
    assert cos.head_object(Bucket=bucket, Key="cold.txt")["x-cos-restore"] == 'ongoing-request="true"'
    assert cos_error(cos.restore_object, Bucket=bucket, Key="cold.txt",
                     RestoreRequest={"Days": 1, "CASJobParameters": {"Tier": "Expedited"}}) \
        == (409, "RestoreAlreadyInProgress")

    def readable():
        try:
            return cos.get_object(Bucket=bucket, Key="cold.txt")["Body"].get_raw_stream().read()
        except CosServiceError:
            return None
    assert wait_for(lambda: readable() == b"frozen bytes")
    restored = cos.head_object(Bucket=bucket, Key="cold.txt")["x-cos-restore"]
    assert restored.startswith('ongoing-request="false", expiry-date="')
    # One "day" later the copy is gone.
    assert wait_for(lambda: readable() is None, timeout=DAY + 3)
    assert "x-cos-restore" not in cos.head_object(Bucket=bucket, Key="cold.txt")


def test_cos_sdk_classes_show_in_listings_and_unknown_ones_are_refused(cos, bucket):
    for cls in ("STANDARD_IA", "INTELLIGENT_TIERING", "DEEP_ARCHIVE"):
        cos.put_object(Bucket=bucket, Key="k-" + cls, Body=b"x", StorageClass=cls)
    listed = {o["Key"]: o["StorageClass"] for o in cos.list_objects(Bucket=bucket)["Contents"]}
    assert listed == {"k-STANDARD_IA": "STANDARD_IA", "k-INTELLIGENT_TIERING": "INTELLIGENT_TIERING",
                      "k-DEEP_ARCHIVE": "DEEP_ARCHIVE"}
    assert cos_error(cos.put_object, Bucket=bucket, Key="bad", Body=b"x", StorageClass="GLACIER") \
        == (400, "InvalidArgument")
    # Restoring an object that is not archived.
    assert cos_error(cos.restore_object, Bucket=bucket, Key="k-STANDARD_IA",
                     RestoreRequest={"Days": 1, "CASJobParameters": {"Tier": "Standard"}}) \
        == (403, "InvalidObjectState")
    # DEEP_ARCHIVE has no Expedited tier.
    assert cos_error(cos.restore_object, Bucket=bucket, Key="k-DEEP_ARCHIVE",
                     RestoreRequest={"Days": 1, "CASJobParameters": {"Tier": "Expedited"}}) \
        == (400, "InvalidArgument")


def test_boto3_glacier_reads_back_as_glacier_and_restores(s3, bucket):
    s3.put_object(Bucket=bucket, Key="cold", Body=b"frozen", StorageClass="GLACIER")
    head = s3.head_object(Bucket=bucket, Key="cold")
    assert head["StorageClass"] == "GLACIER"
    assert "Restore" not in head
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [o["StorageClass"] for o in listed] == ["GLACIER"]
    with pytest.raises(ClientError) as ei:
        s3.get_object(Bucket=bucket, Key="cold")
    assert S3.err(ei)[:2] == (403, "InvalidObjectState")

    rt = s3.restore_object(Bucket=bucket, Key="cold",
                           RestoreRequest={"Days": 1, "GlacierJobParameters": {"Tier": "Expedited"}})
    assert rt["ResponseMetadata"]["HTTPStatusCode"] == 202
    assert s3.head_object(Bucket=bucket, Key="cold")["Restore"] == 'ongoing-request="true"'
    with pytest.raises(ClientError) as ei:
        s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    assert S3.err(ei)[:2] == (409, "RestoreAlreadyInProgress")
    assert wait_for(lambda: 'ongoing-request="false"' in
                    s3.head_object(Bucket=bucket, Key="cold").get("Restore", ""))
    got = s3.get_object(Bucket=bucket, Key="cold")
    assert got["Body"].read() == b"frozen"
    assert got["StorageClass"] == "GLACIER"
    # Restoring a restored copy again extends it: 200.
    rt = s3.restore_object(Bucket=bucket, Key="cold", RestoreRequest={"Days": 1})
    assert rt["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_boto3_classes_without_a_cos_counterpart_are_refused(s3, bucket):
    for cls in ("GLACIER_IR", "ONEZONE_IA", "REDUCED_REDUNDANCY"):
        with pytest.raises(ClientError) as ei:
            s3.put_object(Bucket=bucket, Key="k", Body=b"x", StorageClass=cls)
        assert S3.err(ei)[:2] == (400, "InvalidStorageClass")


def test_boto3_multipart_and_copy_take_a_class(s3, bucket):
    up = s3.create_multipart_upload(Bucket=bucket, Key="mp", StorageClass="DEEP_ARCHIVE")
    assert s3.list_multipart_uploads(Bucket=bucket)["Uploads"][0]["StorageClass"] == "DEEP_ARCHIVE"
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"p")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"], MultipartUpload={
        "Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert s3.head_object(Bucket=bucket, Key="mp")["StorageClass"] == "DEEP_ARCHIVE"
    s3.put_object(Bucket=bucket, Key="hot", Body=b"x")
    # A copy onto itself that changes only the class is allowed.
    s3.copy_object(Bucket=bucket, Key="hot", CopySource={"Bucket": bucket, "Key": "hot"},
                   StorageClass="STANDARD_IA")
    assert s3.head_object(Bucket=bucket, Key="hot")["StorageClass"] == "STANDARD_IA"
    # Copying from an unrestored archive reads it: refused.
    with pytest.raises(ClientError) as ei:
        s3.copy_object(Bucket=bucket, Key="thawed", CopySource={"Bucket": bucket, "Key": "mp"})
    assert S3.err(ei)[:2] == (403, "InvalidObjectState")


def test_boto3_presigned_post_takes_a_storage_class(s3, bucket):
    post = s3.generate_presigned_post(bucket, "form.txt", Fields={"x-amz-storage-class": "GLACIER"},
                                      Conditions=[{"x-amz-storage-class": "GLACIER"}], ExpiresIn=600)
    r = requests.post(post["url"], data=post["fields"], files={"file": ("form.txt", b"posted")})
    assert r.status_code == 204, r.text
    assert s3.head_object(Bucket=bucket, Key="form.txt")["StorageClass"] == "GLACIER"
