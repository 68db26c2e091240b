"""AWS-syntax bucket policies through boto3: put/get as written, MalformedPolicy,
and enforcement of Principal, NotPrincipal, Action/NotAction, Resource/NotResource
and condition keys for sub-accounts and anonymous callers.

Contract: docs/aws-policies.md.
"""

import json

import pytest
import requests

import s3_harness as S3
from cosd_harness import ROOT_UIN
from s3_harness import ClientError


def doc(*statements):
    return json.dumps({"Version": "2012-10-17", "Statement": list(statements)})


def code_of(fn, *args, **kwargs):
    with pytest.raises(ClientError) as ei:
        fn(*args, **kwargs)
    return S3.err(ei)[:2]


def anon(cosd, bucket, key="", params=None):
    return requests.get("%s/%s/%s" % (cosd.base_url, bucket, key), params=params, timeout=30)


@pytest.fixture
def bucket(s3_default, s3_bucket_factory):
    name = s3_bucket_factory()
    for k in ("pub/a", "priv/b", "home/c"):
        s3_default.put_object(Bucket=name, Key=k, Body=b"x")
    yield name
    try:
        s3_default.delete_bucket_policy(Bucket=name)
    except ClientError:
        pass


def test_policy_round_trip_and_malformed(cosd, s3_default, bucket):
    text = doc({"Sid": "Pub", "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                "Resource": "arn:aws:s3:::%s/pub/*" % bucket})
    s3_default.put_bucket_policy(Bucket=bucket, Policy=text)
    assert s3_default.get_bucket_policy(Bucket=bucket)["Policy"] == text
    assert anon(cosd, bucket, "pub/a").status_code == 200
    assert anon(cosd, bucket, "priv/b").status_code == 403
    for bad in (
        {"Effect": "Allow", "Principal": "*", "Action": "s3:Teleport",
         "Resource": "arn:aws:s3:::%s/*" % bucket},
        {"Effect": "Allow", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::%s/*" % bucket},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
         "Resource": "arn:aws:s3:::%s/*" % bucket,
         "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-1"}}},
    ):
        assert code_of(s3_default.put_bucket_policy, Bucket=bucket,
                       Policy=doc(bad)) == (400, "MalformedPolicy")
        assert s3_default.get_bucket_policy(Bucket=bucket)["Policy"] == text


def test_principals_actions_resources(cosd, s3_default, bucket, sub_factory):
    alice, bob = sub_factory(), sub_factory()
    a, b = alice.s3(), bob.s3()
    arn = "arn:aws:s3:::%s" % bucket
    s3_default.put_bucket_policy(Bucket=bucket, Policy=doc(
        {"Effect": "Allow",
         "Principal": {"AWS": "arn:aws:iam::%s:user/%s" % (ROOT_UIN, alice.uin)},
         "NotAction": ["s3:DeleteObject", "s3:PutObject"], "Resource": [arn, arn + "/*"]},
        {"Effect": "Allow", "Principal": {"AWS": bob.secret_id},
         "Action": "s3:ListBucket", "Resource": arn},
        {"Sid": "OnlyPub", "Effect": "Deny", "NotPrincipal": {
            "AWS": [ROOT_UIN, "arn:aws:iam::%s:user/%s" % (ROOT_UIN, alice.uin)]},
         "Action": "s3:GetObject", "NotResource": arn + "/pub/*"},
    ))
    assert a.get_object(Bucket=bucket, Key="priv/b")["Body"].read() == b"x"
    assert [o["Key"] for o in a.list_objects_v2(Bucket=bucket)["Contents"]]
    assert code_of(a.put_object, Bucket=bucket, Key="n", Body=b"n") == (403, "AccessDenied")
    assert code_of(a.delete_object, Bucket=bucket, Key="pub/a") == (403, "AccessDenied")
    assert b.list_objects_v2(Bucket=bucket)["KeyCount"] == 3
    assert code_of(b.get_object, Bucket=bucket, Key="pub/a") == (403, "AccessDenied")


def test_condition_keys(cosd, s3_default, bucket, sub):
    c = sub.s3()
    arn = "arn:aws:s3:::%s" % bucket
    s3_default.put_bucket_policy(Bucket=bucket, Policy=doc(
        {"Effect": "Allow", "Principal": "*", "Action": "s3:ListBucket", "Resource": arn,
         "Condition": {"StringLike": {"s3:prefix": "home/*"},
                       "IpAddress": {"aws:SourceIp": "127.0.0.0/8"},
                       "Bool": {"aws:SecureTransport": "false"},
                       "NumericLessThanEquals": {"s3:max-keys": "100"}}},
        {"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": arn + "/*",
         "Condition": {"StringEquals": {"aws:username": sub.uin},
                       "DateGreaterThan": {"aws:CurrentTime": "2020-01-01T00:00:00Z"}}},
        {"Effect": "Deny", "Principal": "*", "Action": "s3:PutObject", "Resource": arn + "/*",
         "Condition": {"StringEquals": {"s3:x-amz-acl": "public-read"}}},
    ))
    assert anon(cosd, bucket, params={"prefix": "home/", "max-keys": "10"}).status_code == 200
    assert anon(cosd, bucket, params={"prefix": "etc/", "max-keys": "10"}).status_code == 403
    assert anon(cosd, bucket, params={"prefix": "home/", "max-keys": "1000"}).status_code == 403
    c.put_object(Bucket=bucket, Key="mine", Body=b"m")
    assert code_of(c.put_object, Bucket=bucket, Key="open", Body=b"o",
                   ACL="public-read") == (403, "AccessDenied")
