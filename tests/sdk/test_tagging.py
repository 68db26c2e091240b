"""Object tagging (contract: docs/tagging.md) through cos-python-sdk-v5 (COS dialect:
put/get/delete_object_tagging, put_object's Tagging, copy with x-cos-tagging-directive) and
boto3 (S3 dialect: put_object(Tagging=...), put_object_tagging, copy_object's
TaggingDirective, get_object_tagging with VersionId, head_object's TagCount). Tests taking
``s3`` run with both client configurations (s3_harness.CLIENT_CONFIGS)."""

import pytest
from qcloud_cos.cos_exception import CosServiceError

import s3_harness as S3
import versioning_helpers as V
from s3_harness import ClientError


def cos_tags(client, bucket, key, **kw):
    rt = client.get_object_tagging(Bucket=bucket, Key=key, **kw)
    # An empty <TagSet/> reads as None.
    return [(t["Key"], t["Value"]) for t in (rt.get("TagSet") or {}).get("Tag", [])]


def cos_tag_set(pairs):
    return {"TagSet": {"Tag": [{"Key": k, "Value": v} for k, v in pairs]}}


def s3_tags(s3, bucket, key, **kw):
    rt = s3.get_object_tagging(Bucket=bucket, Key=key, **kw)
    return [(t["Key"], t["Value"]) for t in rt["TagSet"]]


def s3_tag_set(pairs):
    return {"TagSet": [{"Key": k, "Value": v} for k, v in pairs]}


def client_error(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    return S3.err(ei)[:2]


# ------------------------------------------------------------ COS dialect


def test_cos_sdk_tags_an_object_and_reads_the_tag_count(client, bucket):
    client.put_object(Bucket=bucket, Key="doc.txt", Body=b"hello")
    assert cos_tags(client, bucket, "doc.txt") == []
    client.put_object_tagging(Bucket=bucket, Key="doc.txt",
                              Tagging=cos_tag_set([("team", "blue"), ("stage", "prod")]))
    assert cos_tags(client, bucket, "doc.txt") == [("team", "blue"), ("stage", "prod")]
    head = client.head_object(Bucket=bucket, Key="doc.txt")
    assert head["x-cos-tagging-count"] == "2"
    got = client.get_object(Bucket=bucket, Key="doc.txt")
    assert got["Body"].get_raw_stream().read() == b"hello"
    client.delete_object_tagging(Bucket=bucket, Key="doc.txt")
    assert cos_tags(client, bucket, "doc.txt") == []
    assert "x-cos-tagging-count" not in client.head_object(Bucket=bucket, Key="doc.txt")


def test_cos_sdk_put_object_and_copy_carry_tags(client, bucket):
    client.put_object(Bucket=bucket, Key="src", Body=b"data", Tagging="a=1&b=two%20words")
    assert cos_tags(client, bucket, "src") == [("a", "1"), ("b", "two words")]
    source = {"Bucket": bucket, "Key": "src", "Region": "ap-guangzhou"}
    client.copy_object(Bucket=bucket, Key="kept", CopySource=source)
    assert cos_tags(client, bucket, "kept") == [("a", "1"), ("b", "two words")]
    client.copy_object(Bucket=bucket, Key="replaced", CopySource=source, Tagging="new=yes",
                       Metadata={"x-cos-tagging-directive": "Replaced"})
    assert cos_tags(client, bucket, "replaced") == [("new", "yes")]


def test_cos_sdk_refused_tags_change_nothing(client, bucket):
    client.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="keep=me")
    for pairs in ([("k%d" % i, "v") for i in range(11)],
                  [("k" * 129, "v")],
                  [("k", "v" * 257)],
                  [("bad*key", "v")],
                  [("dup", "1"), ("dup", "2")]):
        with pytest.raises(CosServiceError) as ei:
            client.put_object_tagging(Bucket=bucket, Key="k", Tagging=cos_tag_set(pairs))
        assert ei.value.get_status_code() == 400
        assert ei.value.get_error_code() == "InvalidTag"
        assert cos_tags(client, bucket, "k") == [("keep", "me")]
    with pytest.raises(CosServiceError) as ei:
        client.put_object(Bucket=bucket, Key="new", Body=b"x", Tagging="a=1&a=2")
    assert ei.value.get_error_code() == "InvalidTag"
    assert not client.object_exists(Bucket=bucket, Key="new")


# ------------------------------------------------------------ S3 dialect


def test_boto3_tags_on_put_head_and_tagging_calls(s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="k", Body=b"body", Tagging="team=blue&env=test")
    assert s3_tags(s3, s3_bucket, "k") == [("team", "blue"), ("env", "test")]
    assert s3.head_object(Bucket=s3_bucket, Key="k")["TagCount"] == 2
    assert s3.get_object(Bucket=s3_bucket, Key="k")["TagCount"] == 2
    s3.put_object_tagging(Bucket=s3_bucket, Key="k", Tagging=s3_tag_set([("mail", "a@b.example")]))
    assert s3_tags(s3, s3_bucket, "k") == [("mail", "a@b.example")]
    assert client_error(s3.put_object_tagging, Bucket=s3_bucket, Key="k",
                        Tagging=s3_tag_set([("aws:reserved", "x")])) == (400, "InvalidTag")
    assert s3_tags(s3, s3_bucket, "k") == [("mail", "a@b.example")]
    s3.delete_object_tagging(Bucket=s3_bucket, Key="k")
    assert s3_tags(s3, s3_bucket, "k") == []
    assert "TagCount" not in s3.head_object(Bucket=s3_bucket, Key="k")


def test_boto3_copy_tagging_directive(s3, s3_bucket):
    s3.put_object(Bucket=s3_bucket, Key="src", Body=b"data", Tagging="origin=src")
    source = {"Bucket": s3_bucket, "Key": "src"}
    s3.copy_object(Bucket=s3_bucket, Key="copy", CopySource=source)
    assert s3_tags(s3, s3_bucket, "copy") == [("origin", "src")]
    s3.copy_object(Bucket=s3_bucket, Key="replace", CopySource=source,
                   TaggingDirective="REPLACE", Tagging="fresh=1")
    assert s3_tags(s3, s3_bucket, "replace") == [("fresh", "1")]


def test_boto3_multipart_upload_tags(s3, s3_bucket):
    up = s3.create_multipart_upload(Bucket=s3_bucket, Key="mp", Tagging="kind=multipart")
    part = s3.upload_part(Bucket=s3_bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1,
                          Body=b"only part")
    s3.complete_multipart_upload(Bucket=s3_bucket, Key="mp", UploadId=up["UploadId"],
                                 MultipartUpload={"Parts": [{"PartNumber": 1,
                                                             "ETag": part["ETag"]}]})
    assert s3_tags(s3, s3_bucket, "mp") == [("kind", "multipart")]


def test_boto3_tagging_a_version_leaves_the_others_and_adds_none(s3_default):
    s3 = s3_default
    bucket = S3.unique_bucket()
    s3.create_bucket(Bucket=bucket)
    try:
        s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
        v1 = s3.put_object(Bucket=bucket, Key="k", Body=b"one")["VersionId"]
        v2 = s3.put_object(Bucket=bucket, Key="k", Body=b"two")["VersionId"]
        rt = s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=v1,
                                   Tagging=s3_tag_set([("old", "yes")]))
        assert rt["VersionId"] == v1
        assert s3_tags(s3, bucket, "k", VersionId=v1) == [("old", "yes")]
        assert s3_tags(s3, bucket, "k") == []
        assert s3.get_object_tagging(Bucket=bucket, Key="k")["VersionId"] == v2
        versions = s3.list_object_versions(Bucket=bucket)["Versions"]
        assert [v["VersionId"] for v in versions] == [v2, v1]
        marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
        assert client_error(s3.get_object_tagging, Bucket=bucket, Key="k",
                            VersionId=marker) == (405, "MethodNotAllowed")
    finally:
        V.s3_destroy_versioned_bucket(s3, bucket)
