"""Object lock (contract: docs/versioning.md "Object lock"), mainly through boto3: lock-enabled
buckets, the bucket's lock configuration and default retention, per-version retention and
legal hold, what they forbid (even the root account), COMPLIANCE vs GOVERNANCE, the
BypassGovernanceRetention permission, and the errors. The COS dialect is driven through
cos-python-sdk-v5 where it has methods (put/get_bucket_object_lock) and signed raw requests
for the x-cos-object-lock-* headers and ?retention / ?legal-hold, which the SDK lacks."""

import base64
import datetime
import hashlib
import os
import time
import xml.etree.ElementTree as ET

import pytest

import cosd_harness as H
import s3_harness as S3
import versioning_helpers as V
from s3_harness import ClientError

UTC = datetime.timezone.utc
DAY = datetime.timedelta(days=1)


def future(delta=DAY):
    return (datetime.datetime.now(UTC) + delta).replace(microsecond=0)


def client_error(fn, **kw):
    with pytest.raises(ClientError) as ei:
        fn(**kw)
    return S3.err(ei)


@pytest.fixture
def lock_factory(s3_default):
    made = []

    def make(lock=True, versioning=None):
        name = S3.unique_bucket()
        if lock:
            s3_default.create_bucket(Bucket=name, ObjectLockEnabledForBucket=True)
        else:
            s3_default.create_bucket(Bucket=name)
        made.append(name)
        if versioning:
            s3_default.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": versioning})
        return name

    yield make
    for name in made:
        V.s3_destroy_versioned_bucket(s3_default, name)


@pytest.fixture
def lb(lock_factory):
    """A fresh bucket created with object lock."""
    return lock_factory()


def put(s3, bucket, key, body=b"locked data", **kw):
    rt = s3.put_object(Bucket=bucket, Key=key, Body=body, **kw)
    assert rt["ETag"] == H.etag_of(body)
    return rt["VersionId"]


def retention(s3, bucket, key, version_id):
    return s3.get_object_retention(Bucket=bucket, Key=key, VersionId=version_id)["Retention"]


# --------------------------------------------------- bucket configuration

def test_bucket_created_with_lock_has_versioning_enabled(s3_default, lb):
    assert s3_default.get_bucket_versioning(Bucket=lb)["Status"] == "Enabled"
    conf = s3_default.get_object_lock_configuration(Bucket=lb)["ObjectLockConfiguration"]
    assert conf["ObjectLockEnabled"] == "Enabled"
    assert "Rule" not in conf
    # writes are versioned, without retention unless asked
    v = put(s3_default, lb, "k")
    assert v and v != "null"
    assert client_error(s3_default.get_object_retention, Bucket=lb, Key="k", VersionId=v)[:2] == \
        (404, "NoSuchObjectLockConfiguration")
    assert client_error(s3_default.get_object_legal_hold, Bucket=lb, Key="k", VersionId=v)[:2] == \
        (404, "NoSuchObjectLockConfiguration")
    head = s3_default.head_object(Bucket=lb, Key="k")
    assert "ObjectLockMode" not in head and "ObjectLockRetainUntilDate" not in head


def test_lock_bucket_versioning_cannot_be_suspended(s3_default, lb):
    status, code, _ = client_error(s3_default.put_bucket_versioning, Bucket=lb,
                                   VersioningConfiguration={"Status": "Suspended"})
    assert (status, code) == (409, "InvalidBucketState")
    assert s3_default.get_bucket_versioning(Bucket=lb)["Status"] == "Enabled"


def test_get_lock_configuration_without_lock_is_not_found(s3_default, lock_factory):
    for versioning in (None, "Enabled"):
        b = lock_factory(lock=False, versioning=versioning)
        status, code, _ = client_error(s3_default.get_object_lock_configuration, Bucket=b)
        assert (status, code) == (404, "ObjectLockConfigurationNotFoundError"), versioning


def test_default_retention_round_trip_and_applies_to_new_versions(s3_default, lb):
    s3 = s3_default
    s3.put_object_lock_configuration(Bucket=lb, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
    conf = s3.get_object_lock_configuration(Bucket=lb)["ObjectLockConfiguration"]
    assert conf == {"ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}}

    before = datetime.datetime.now(UTC)
    v = put(s3, lb, "defaulted")
    after = datetime.datetime.now(UTC)
    r = retention(s3, lb, "defaulted", v)
    assert r["Mode"] == "GOVERNANCE"
    assert before + DAY - datetime.timedelta(seconds=2) <= r["RetainUntilDate"] <= after + DAY + datetime.timedelta(seconds=2)
    # it protects the version
    assert client_error(s3.delete_object, Bucket=lb, Key="defaulted", VersionId=v)[:2] == (403, "AccessDenied")

    # explicit headers win over the default
    until = future(3 * DAY)
    v2 = put(s3, lb, "explicit", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)
    assert retention(s3, lb, "explicit", v2) == {"Mode": "COMPLIANCE", "RetainUntilDate": until}

    # years, then clearing the rule
    s3.put_object_lock_configuration(Bucket=lb, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "COMPLIANCE", "Years": 1}}})
    conf = s3.get_object_lock_configuration(Bucket=lb)["ObjectLockConfiguration"]
    assert conf["Rule"]["DefaultRetention"] == {"Mode": "COMPLIANCE", "Years": 1}
    s3.put_object_lock_configuration(Bucket=lb, ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    conf = s3.get_object_lock_configuration(Bucket=lb)["ObjectLockConfiguration"]
    assert conf == {"ObjectLockEnabled": "Enabled"}
    v3 = put(s3, lb, "undefaulted")
    assert client_error(s3.get_object_retention, Bucket=lb, Key="undefaulted", VersionId=v3)[0] == 404
    # the earlier version keeps the retention it was written with
    assert retention(s3, lb, "defaulted", v)["Mode"] == "GOVERNANCE"


@pytest.mark.parametrize("rule", [
    {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1, "Years": 1}},
    {"DefaultRetention": {"Mode": "GOVERNANCE"}},
    {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 0}},
    {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": -3}},
    {"DefaultRetention": {"Mode": "FOREVER", "Days": 1}},
], ids=["days-and-years", "no-period", "zero-days", "negative-days", "bad-mode"])
def test_bad_default_retention_is_refused(s3_default, lb, rule):
    status, code, _ = client_error(s3_default.put_object_lock_configuration, Bucket=lb, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": rule})
    assert status == 400, code
    want = "InvalidRetentionPeriod" if rule["DefaultRetention"].get("Days", 1) <= 0 else "MalformedXML"
    assert code == want, code
    assert "Rule" not in s3_default.get_object_lock_configuration(Bucket=lb)["ObjectLockConfiguration"]


def test_enabling_lock_needs_versioning_enabled(s3_default, lock_factory):
    conf = {"ObjectLockEnabled": "Enabled"}
    for versioning in (None, "Suspended"):
        b = lock_factory(lock=False, versioning=versioning)
        status, code, _ = client_error(s3_default.put_object_lock_configuration, Bucket=b,
                                       ObjectLockConfiguration=conf)
        assert (status, code) == (409, "InvalidBucketState"), versioning
        assert client_error(s3_default.get_object_lock_configuration, Bucket=b)[0] == 404
    b = lock_factory(lock=False, versioning="Enabled")
    s3_default.put_object_lock_configuration(Bucket=b, ObjectLockConfiguration=conf)
    assert s3_default.get_object_lock_configuration(Bucket=b)["ObjectLockConfiguration"]["ObjectLockEnabled"] == "Enabled"
    v = put(s3_default, b, "k", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=future())
    assert retention(s3_default, b, "k", v)["Mode"] == "GOVERNANCE"
    # and now it cannot be suspended
    assert client_error(s3_default.put_bucket_versioning, Bucket=b,
                        VersioningConfiguration={"Status": "Suspended"})[:2] == (409, "InvalidBucketState")


# ---------------------------------------------------- per-version retention

def test_put_object_with_retention_and_read_it_back(s3_default, lb):
    s3 = s3_default
    until = future()
    v = put(s3, lb, "r", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until)
    assert retention(s3, lb, "r", v) == {"Mode": "GOVERNANCE", "RetainUntilDate": until}
    head = s3.head_object(Bucket=lb, Key="r", VersionId=v)
    assert head["ObjectLockMode"] == "GOVERNANCE" and head["ObjectLockRetainUntilDate"] == until
    got = s3.get_object(Bucket=lb, Key="r")
    assert got["ObjectLockMode"] == "GOVERNANCE" and got["ObjectLockRetainUntilDate"] == until
    # without VersionId: the latest version
    assert s3.get_object_retention(Bucket=lb, Key="r")["Retention"]["Mode"] == "GOVERNANCE"


def test_put_and_get_object_retention(s3_default, lb):
    s3 = s3_default
    v = put(s3, lb, "r")
    until = future()
    s3.put_object_retention(Bucket=lb, Key="r", VersionId=v,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
    assert retention(s3, lb, "r", v) == {"Mode": "GOVERNANCE", "RetainUntilDate": until}
    # extending GOVERNANCE needs no bypass
    later = future(2 * DAY)
    s3.put_object_retention(Bucket=lb, Key="r", VersionId=v,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": later})
    assert retention(s3, lb, "r", v)["RetainUntilDate"] == later


def test_locked_version_cannot_be_deleted_by_id_even_by_root(cosd, client, s3_default, lb):
    s3 = s3_default
    v = put(s3, lb, "keep", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=future())
    assert client_error(s3.delete_object, Bucket=lb, Key="keep", VersionId=v)[:2] == (403, "AccessDenied")
    # the COS dialect too (the root account's own SDK)
    e = V.cos_error(client.delete_object, Bucket=lb, Key="keep", VersionId=v)
    assert (e.get_status_code(), e.get_error_code()) == (403, "AccessDenied")
    # multi-delete reports it per key
    rt = s3.delete_objects(Bucket=lb, Delete={"Objects": [{"Key": "keep", "VersionId": v}]})
    assert rt.get("Deleted", []) == []
    assert [(x["Key"], x.get("VersionId"), x["Code"]) for x in rt["Errors"]] == [("keep", v, "AccessDenied")]
    # a delete without version id just adds a marker
    rt = s3.delete_object(Bucket=lb, Key="keep")
    assert rt["DeleteMarker"] is True
    assert client_error(s3.get_object, Bucket=lb, Key="keep")[:2] == (404, "NoSuchKey")
    assert s3.get_object(Bucket=lb, Key="keep", VersionId=v)["Body"].read() == b"locked data"
    # the marker itself carries no lock and can be removed
    s3.delete_object(Bucket=lb, Key="keep", VersionId=rt["VersionId"])
    assert s3.get_object(Bucket=lb, Key="keep")["VersionId"] == v


def test_compliance_can_be_extended_but_never_shortened_or_removed(s3_default, lb):
    s3 = s3_default
    until = future(2 * DAY)
    v = put(s3, lb, "c", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)
    for bypass in (False, True):
        status, code, _ = client_error(s3.put_object_retention, Bucket=lb, Key="c", VersionId=v,
                                       BypassGovernanceRetention=bypass,
                                       Retention={"Mode": "COMPLIANCE", "RetainUntilDate": future(DAY)})
        assert (status, code) == (403, "AccessDenied"), bypass
        status, code, _ = client_error(s3.put_object_retention, Bucket=lb, Key="c", VersionId=v,
                                       BypassGovernanceRetention=bypass, Retention={})
        assert (status, code) == (403, "AccessDenied"), bypass
        status, code, _ = client_error(s3.put_object_retention, Bucket=lb, Key="c", VersionId=v,
                                       BypassGovernanceRetention=bypass,
                                       Retention={"Mode": "GOVERNANCE", "RetainUntilDate": until})
        assert (status, code) == (403, "AccessDenied"), "COMPLIANCE cannot become GOVERNANCE"
    assert retention(s3, lb, "c", v) == {"Mode": "COMPLIANCE", "RetainUntilDate": until}
    longer = future(3 * DAY)
    s3.put_object_retention(Bucket=lb, Key="c", VersionId=v,
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": longer})
    assert retention(s3, lb, "c", v) == {"Mode": "COMPLIANCE", "RetainUntilDate": longer}
    # and bypass does not delete it
    assert client_error(s3.delete_object, Bucket=lb, Key="c", VersionId=v,
                        BypassGovernanceRetention=True)[:2] == (403, "AccessDenied")


def test_governance_can_be_shortened_or_removed_only_with_bypass(s3_default, lb):
    s3 = s3_default
    until = future(2 * DAY)
    v = put(s3, lb, "g", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until)
    shorter = future(DAY)
    assert client_error(s3.put_object_retention, Bucket=lb, Key="g", VersionId=v,
                        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": shorter})[:2] == (403, "AccessDenied")
    assert client_error(s3.put_object_retention, Bucket=lb, Key="g", VersionId=v, Retention={})[:2] == \
        (403, "AccessDenied")
    assert retention(s3, lb, "g", v)["RetainUntilDate"] == until
    s3.put_object_retention(Bucket=lb, Key="g", VersionId=v, BypassGovernanceRetention=True,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": shorter})
    assert retention(s3, lb, "g", v) == {"Mode": "GOVERNANCE", "RetainUntilDate": shorter}
    # GOVERNANCE may be raised to COMPLIANCE without bypass
    v2 = put(s3, lb, "g2", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=until)
    s3.put_object_retention(Bucket=lb, Key="g2", VersionId=v2,
                            Retention={"Mode": "COMPLIANCE", "RetainUntilDate": until})
    assert retention(s3, lb, "g2", v2)["Mode"] == "COMPLIANCE"
    # removing with bypass, then the version can be deleted without it
    s3.put_object_retention(Bucket=lb, Key="g", VersionId=v, BypassGovernanceRetention=True, Retention={})
    assert client_error(s3.get_object_retention, Bucket=lb, Key="g", VersionId=v)[:2] == \
        (404, "NoSuchObjectLockConfiguration")
    s3.delete_object(Bucket=lb, Key="g", VersionId=v)
    assert client_error(s3.get_object, Bucket=lb, Key="g", VersionId=v)[:2] == (404, "NoSuchVersion")


def test_governance_locked_version_deleted_with_bypass(s3_default, lb):
    s3 = s3_default
    v = put(s3, lb, "g", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=future())
    assert client_error(s3.delete_object, Bucket=lb, Key="g", VersionId=v)[:2] == (403, "AccessDenied")
    rt = s3.delete_object(Bucket=lb, Key="g", VersionId=v, BypassGovernanceRetention=True)
    assert rt["ResponseMetadata"]["HTTPStatusCode"] == 204 and rt["VersionId"] == v
    assert client_error(s3.get_object, Bucket=lb, Key="g", VersionId=v)[:2] == (404, "NoSuchVersion")
    # multi-delete with the bypass header
    v2 = put(s3, lb, "g2", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=future())
    rt = s3.delete_objects(Bucket=lb, Delete={"Objects": [{"Key": "g2", "VersionId": v2}]},
                           BypassGovernanceRetention=True)
    assert rt.get("Errors", []) == [] and [(d["Key"], d["VersionId"]) for d in rt["Deleted"]] == [("g2", v2)]


def test_legal_hold_blocks_deletion_until_released(s3_default, lb):
    s3 = s3_default
    v = put(s3, lb, "h", ObjectLockLegalHoldStatus="ON")
    assert s3.get_object_legal_hold(Bucket=lb, Key="h", VersionId=v)["LegalHold"] == {"Status": "ON"}
    assert s3.head_object(Bucket=lb, Key="h", VersionId=v)["ObjectLockLegalHoldStatus"] == "ON"
    for bypass in (False, True):
        assert client_error(s3.delete_object, Bucket=lb, Key="h", VersionId=v,
                            BypassGovernanceRetention=bypass)[:2] == (403, "AccessDenied")
    s3.put_object_legal_hold(Bucket=lb, Key="h", VersionId=v, LegalHold={"Status": "OFF"})
    assert s3.get_object_legal_hold(Bucket=lb, Key="h", VersionId=v)["LegalHold"] == {"Status": "OFF"}
    s3.delete_object(Bucket=lb, Key="h", VersionId=v)
    assert client_error(s3.get_object, Bucket=lb, Key="h", VersionId=v)[:2] == (404, "NoSuchVersion")

    # put later, on a version that had none
    v2 = put(s3, lb, "h2")
    s3.put_object_legal_hold(Bucket=lb, Key="h2", VersionId=v2, LegalHold={"Status": "ON"})
    assert client_error(s3.delete_object, Bucket=lb, Key="h2", VersionId=v2)[:2] == (403, "AccessDenied")
    s3.put_object_legal_hold(Bucket=lb, Key="h2", VersionId=v2, LegalHold={"Status": "OFF"})
    s3.delete_object(Bucket=lb, Key="h2", VersionId=v2)


def test_lapsed_retention_no_longer_blocks_deletion(s3_default, lb):
    """Retention holds until its date, then the version can be removed (without bypass)."""
    s3 = s3_default
    until = datetime.datetime.now(UTC).replace(microsecond=0) + datetime.timedelta(seconds=3)
    v = put(s3, lb, "short", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until)
    assert client_error(s3.delete_object, Bucket=lb, Key="short", VersionId=v)[:2] == (403, "AccessDenied")
    time.sleep(max(0.0, (until - datetime.datetime.now(UTC)).total_seconds()) + 1.2)
    s3.delete_object(Bucket=lb, Key="short", VersionId=v)
    assert client_error(s3.get_object, Bucket=lb, Key="short", VersionId=v)[:2] == (404, "NoSuchVersion")


def test_retention_date_in_the_past_is_refused(s3_default, lb):
    s3 = s3_default
    past = future(-DAY)
    status, code, _ = client_error(s3.put_object, Bucket=lb, Key="p", Body=b"x",
                                   ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=past)
    assert status == 400 and code in ("InvalidArgument", "InvalidRequest"), code
    assert client_error(s3.head_object, Bucket=lb, Key="p")[0] == 404
    v = put(s3, lb, "q")
    status, code, _ = client_error(s3.put_object_retention, Bucket=lb, Key="q", VersionId=v,
                                   Retention={"Mode": "GOVERNANCE", "RetainUntilDate": past})
    assert status == 400 and code in ("InvalidArgument", "InvalidRequest"), code
    assert client_error(s3.get_object_retention, Bucket=lb, Key="q", VersionId=v)[0] == 404


def test_lock_mode_and_date_go_together(s3_default, lb):
    s3 = s3_default
    for kw in ({"ObjectLockMode": "GOVERNANCE"}, {"ObjectLockRetainUntilDate": future()}):
        status, code, _ = client_error(s3.put_object, Bucket=lb, Key="half", Body=b"x", **kw)
        assert status == 400 and code in ("InvalidArgument", "InvalidRequest"), (kw, code)
    assert client_error(s3.head_object, Bucket=lb, Key="half")[0] == 404
    status, code, _ = client_error(s3.put_object, Bucket=lb, Key="half", Body=b"x", ObjectLockMode="FOREVER",
                                   ObjectLockRetainUntilDate=future())
    assert status == 400, code


def test_lock_headers_on_a_bucket_without_lock_are_invalid_request(s3_default, lock_factory):
    s3 = s3_default
    for versioning in (None, "Enabled"):
        b = lock_factory(lock=False, versioning=versioning)
        for kw in ({"ObjectLockMode": "GOVERNANCE", "ObjectLockRetainUntilDate": future()},
                   {"ObjectLockLegalHoldStatus": "ON"}):
            status, code, _ = client_error(s3.put_object, Bucket=b, Key="x", Body=b"x", **kw)
            assert (status, code) == (400, "InvalidRequest"), (versioning, kw)
        assert client_error(s3.head_object, Bucket=b, Key="x")[0] == 404
        status, code, _ = client_error(s3.create_multipart_upload, Bucket=b, Key="x", ObjectLockMode="GOVERNANCE",
                                       ObjectLockRetainUntilDate=future())
        assert (status, code) == (400, "InvalidRequest")
        s3.put_object(Bucket=b, Key="src", Body=b"x")
        status, code, _ = client_error(s3.copy_object, Bucket=b, Key="x", CopySource={"Bucket": b, "Key": "src"},
                                       ObjectLockLegalHoldStatus="ON")
        assert (status, code) == (400, "InvalidRequest")


def test_multipart_upload_and_copy_carry_lock_headers(s3_default, lb):
    s3 = s3_default
    until = future()
    up = s3.create_multipart_upload(Bucket=lb, Key="mp", ObjectLockMode="GOVERNANCE",
                                    ObjectLockRetainUntilDate=until, ObjectLockLegalHoldStatus="ON")["UploadId"]
    data = os.urandom(100000)
    etag = s3.upload_part(Bucket=lb, Key="mp", UploadId=up, PartNumber=1, Body=data)["ETag"]
    done = s3.complete_multipart_upload(Bucket=lb, Key="mp", UploadId=up,
                                        MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": etag}]})
    v = done["VersionId"]
    assert retention(s3, lb, "mp", v) == {"Mode": "GOVERNANCE", "RetainUntilDate": until}
    assert s3.get_object_legal_hold(Bucket=lb, Key="mp", VersionId=v)["LegalHold"]["Status"] == "ON"
    assert client_error(s3.delete_object, Bucket=lb, Key="mp", VersionId=v)[:2] == (403, "AccessDenied")

    until2 = future(2 * DAY)
    rt = s3.copy_object(Bucket=lb, Key="cp", CopySource={"Bucket": lb, "Key": "mp", "VersionId": v},
                        ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=until2)
    assert retention(s3, lb, "cp", rt["VersionId"]) == {"Mode": "COMPLIANCE", "RetainUntilDate": until2}
    assert client_error(s3.delete_object, Bucket=lb, Key="cp", VersionId=rt["VersionId"])[:2] == (403, "AccessDenied")


# ------------------------------------------------------ authorization

def test_bypass_needs_the_bypass_governance_retention_permission(cosd, s3_default, lb, sub):
    s3 = s3_default
    v = put(s3, lb, "g", ObjectLockMode="GOVERNANCE", ObjectLockRetainUntilDate=future(2 * DAY))
    sub.put_policy("objects", H.policy_doc(H.stmt(
        "allow", ["name/cos:GetObject", "name/cos:DeleteObject", "name/cos:PutObjectRetention",
                  "name/cos:GetObjectRetention"], H.cos_resource(lb, "*"))))
    sc = sub.s3()
    assert sc.get_object_retention(Bucket=lb, Key="g", VersionId=v)["Retention"]["Mode"] == "GOVERNANCE"
    assert client_error(sc.delete_object, Bucket=lb, Key="g", VersionId=v,
                        BypassGovernanceRetention=True)[:2] == (403, "AccessDenied")
    assert client_error(sc.put_object_retention, Bucket=lb, Key="g", VersionId=v, BypassGovernanceRetention=True,
                        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future()})[:2] == (403, "AccessDenied")
    # extending needs no bypass
    sc.put_object_retention(Bucket=lb, Key="g", VersionId=v,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(3 * DAY)})
    sub.put_policy("bypass", H.policy_doc(H.stmt("allow", "name/cos:BypassGovernanceRetention",
                                                 H.cos_resource(lb, "*"))))
    sc.put_object_retention(Bucket=lb, Key="g", VersionId=v, BypassGovernanceRetention=True,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future()})
    rt = sc.delete_object(Bucket=lb, Key="g", VersionId=v, BypassGovernanceRetention=True)
    assert rt["VersionId"] == v


def test_lock_actions_need_their_permissions(cosd, s3_default, lb, sub):
    v = put(s3_default, lb, "k")
    sub.put_policy("objects", H.policy_doc(H.stmt("allow", ["name/cos:GetObject", "name/cos:PutObject"],
                                                  H.cos_resource(lb, "*"))))
    sc = sub.s3()
    calls = [
        (sc.get_object_lock_configuration, {}),
        (sc.put_object_lock_configuration, {"ObjectLockConfiguration": {"ObjectLockEnabled": "Enabled"}}),
        (sc.put_object_retention, {"Key": "k", "VersionId": v,
                                   "Retention": {"Mode": "GOVERNANCE", "RetainUntilDate": future()}}),
        (sc.get_object_retention, {"Key": "k", "VersionId": v}),
        (sc.put_object_legal_hold, {"Key": "k", "VersionId": v, "LegalHold": {"Status": "ON"}}),
        (sc.get_object_legal_hold, {"Key": "k", "VersionId": v}),
    ]
    for fn, kw in calls:
        assert client_error(fn, Bucket=lb, **kw)[:2] == (403, "AccessDenied"), fn.__name__
    sub.put_policy("lock", H.policy_doc(
        H.stmt("allow", ["name/cos:GetBucketObjectLockConfiguration", "name/cos:PutBucketObjectLockConfiguration"],
               H.cos_resource(lb, "")),
        H.stmt("allow", ["name/cos:PutObjectRetention", "name/cos:GetObjectRetention",
                         "name/cos:PutObjectLegalHold", "name/cos:GetObjectLegalHold"], H.cos_resource(lb, "*"))))
    for fn, kw in calls:
        fn(Bucket=lb, **kw)
    s3_default.put_object_legal_hold(Bucket=lb, Key="k", VersionId=v, LegalHold={"Status": "OFF"})


def test_lock_condition_keys_limit_what_a_sub_account_may_set(cosd, s3_default, lb, sub):
    """Seed 002:3417-3567: cos:object-lock-mode, cos:object-lock-remaining-retention-days and
    cos:object-lock-retain-until-date from PutObject / InitiateMultipartUpload headers and the
    PutObjectRetention body."""
    actions = ["name/cos:PutObject", "name/cos:InitiateMultipartUpload", "name/cos:PutObjectRetention"]
    sc = sub.s3()
    denied = (403, "AccessDenied")

    # only COMPLIANCE may be set
    sub.put_policy("lock", H.policy_doc(H.stmt("allow", actions, H.cos_resource(lb, "*"),
                                               condition={"string_equal": {"cos:object-lock-mode": "COMPLIANCE"}})))
    sc.put_object(Bucket=lb, Key="c", Body=b"x", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=future())
    assert client_error(sc.put_object, Bucket=lb, Key="g", Body=b"x", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=future())[:2] == denied
    assert client_error(sc.put_object, Bucket=lb, Key="n", Body=b"x")[:2] == denied, "no mode: the key is absent"
    up = sc.create_multipart_upload(Bucket=lb, Key="mc", ObjectLockMode="COMPLIANCE",
                                    ObjectLockRetainUntilDate=future())["UploadId"]
    s3_default.abort_multipart_upload(Bucket=lb, Key="mc", UploadId=up)
    assert client_error(sc.create_multipart_upload, Bucket=lb, Key="mg", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=future())[:2] == denied
    v = put(s3_default, lb, "r")
    assert client_error(sc.put_object_retention, Bucket=lb, Key="r", VersionId=v,
                        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future()})[:2] == denied
    assert client_error(s3_default.get_object_retention, Bucket=lb, Key="r", VersionId=v)[0] == 404
    sc.put_object_retention(Bucket=lb, Key="r", VersionId=v, Retention={"Mode": "COMPLIANCE", "RetainUntilDate": future()})
    assert retention(s3_default, lb, "r", v)["Mode"] == "COMPLIANCE"

    # more than 3 whole days left (floor((until - now) / 86400) > 3)
    sub.put_policy("lock", H.policy_doc(H.stmt(
        "allow", actions, H.cos_resource(lb, "*"),
        condition={"numeric_greater_than": {"cos:object-lock-remaining-retention-days": 3}})))
    hour = datetime.timedelta(hours=1)
    sc.put_object(Bucket=lb, Key="d4", Body=b"x", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=future(4 * DAY + hour))
    assert client_error(sc.put_object, Bucket=lb, Key="d3", Body=b"x", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=future(4 * DAY - hour))[:2] == denied
    v = put(s3_default, lb, "r2")
    assert client_error(sc.put_object_retention, Bucket=lb, Key="r2", VersionId=v,
                        Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(2 * DAY)})[:2] == denied
    sc.put_object_retention(Bucket=lb, Key="r2", VersionId=v,
                            Retention={"Mode": "GOVERNANCE", "RetainUntilDate": future(5 * DAY)})

    # a date after a given one
    limit = future(10 * DAY)
    sub.put_policy("lock", H.policy_doc(H.stmt(
        "allow", actions, H.cos_resource(lb, "*"),
        condition={"date_greater_than": {"cos:object-lock-retain-until-date": _iso(limit)}})))
    sc.put_object(Bucket=lb, Key="late", Body=b"x", ObjectLockMode="GOVERNANCE",
                  ObjectLockRetainUntilDate=limit + DAY)
    assert client_error(sc.put_object, Bucket=lb, Key="early", Body=b"x", ObjectLockMode="GOVERNANCE",
                        ObjectLockRetainUntilDate=limit - DAY)[:2] == denied

    # the COS dialect's x-cos-object-lock-* headers feed the same keys
    r = H.signed_request_as(cosd, sub.secret_id, sub.secret_key, "PUT", lb, key="cos-late", data=b"x", headers={
        "x-cos-object-lock-mode": "GOVERNANCE", "x-cos-object-lock-retain-until-date": _iso(limit + DAY)})
    assert r.status_code == 200, r.text
    r = H.signed_request_as(cosd, sub.secret_id, sub.secret_key, "PUT", lb, key="cos-early", data=b"x", headers={
        "x-cos-object-lock-mode": "GOVERNANCE", "x-cos-object-lock-retain-until-date": _iso(limit - DAY)})
    assert r.status_code == 403, r.text
    for key in ("c", "d4", "late", "cos-late"):
        assert s3_default.head_object(Bucket=lb, Key=key)["ObjectLockMode"] in ("COMPLIANCE", "GOVERNANCE"), key
    for key in ("g", "n", "d3", "early", "cos-early"):
        assert client_error(s3_default.head_object, Bucket=lb, Key=key)[0] == 404, key


def test_default_retention_in_years(s3_default, lb):
    s3_default.put_object_lock_configuration(Bucket=lb, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Years": 1}}})
    before = datetime.datetime.now(UTC)
    v = put(s3_default, lb, "y")
    r = retention(s3_default, lb, "y", v)
    assert r["Mode"] == "GOVERNANCE"
    days = (r["RetainUntilDate"] - before).total_seconds() / 86400
    assert 364.9 < days < 366.1, days


def test_overwriting_a_locked_key_adds_a_version_and_keeps_the_lock(s3_default, lb):
    s3 = s3_default
    v1 = put(s3, lb, "doc", b"locked v1", ObjectLockMode="COMPLIANCE", ObjectLockRetainUntilDate=future())
    v2 = put(s3, lb, "doc", b"v2")
    assert v2 != v1
    assert s3.get_object(Bucket=lb, Key="doc")["Body"].read() == b"v2"
    s3.delete_object(Bucket=lb, Key="doc", VersionId=v2)             # not locked
    assert client_error(s3.delete_object, Bucket=lb, Key="doc", VersionId=v1)[:2] == (403, "AccessDenied")
    assert s3.get_object(Bucket=lb, Key="doc")["Body"].read() == b"locked v1"


# ------------------------------------------------------- COS dialect

def _cos_put_raw(cosd, bucket, key, body, headers):
    return H.signed_request(cosd, "PUT", cosd.vhost(bucket), key=key, headers=headers, data=body)


def _cos_put_xml(cosd, bucket, key, params, body):
    """PUT ?retention / ?legal-hold in the COS dialect (with Content-MD5, as S3 requires)."""
    return H.signed_request(cosd, "PUT", cosd.vhost(bucket), key=key, params=params, data=body,
                            headers={"Content-Type": "application/xml",
                                     "Content-MD5": base64.b64encode(hashlib.md5(body).digest()).decode()})


def _iso(dt):
    return dt.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_cos_dialect_lock_bucket_headers_and_retention(cosd, client, s3_default):
    name = H.unique_bucket("lock")
    r = H.signed_request(cosd, "PUT", cosd.vhost(name), headers={"x-cos-bucket-object-lock-enabled": "true"})
    assert r.status_code == 200, r.text
    try:
        assert client.get_bucket_versioning(Bucket=name)["Status"] == "Enabled"
        assert client.get_bucket_object_lock(Bucket=name)["ObjectLockEnabled"] == "Enabled"
        client.put_bucket_object_lock(Bucket=name, ObjectLockConfiguration={
            "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 1}}})
        conf = client.get_bucket_object_lock(Bucket=name)
        assert conf["Rule"]["DefaultRetention"] == {"Mode": "GOVERNANCE", "Days": "1"}

        # default retention applies to an SDK put
        rt = client.put_object(Bucket=name, Key="d", Body=b"default")
        vd = V.vid(rt)
        e = V.cos_error(client.delete_object, Bucket=name, Key="d", VersionId=vd)
        assert (e.get_status_code(), e.get_error_code()) == (403, "AccessDenied")

        # explicit x-cos-object-lock-* headers
        until = future(2 * DAY)
        r = _cos_put_raw(cosd, name, "c", b"compliant", {
            "x-cos-object-lock-mode": "COMPLIANCE",
            "x-cos-object-lock-retain-until-date": _iso(until)})
        assert r.status_code == 200, r.text
        vc = r.headers["x-cos-version-id"]
        r = H.signed_request(cosd, "GET", cosd.vhost(name), key="c", params={"retention": "", "versionId": vc})
        assert r.status_code == 200, r.text
        root = {c.tag.split("}")[-1]: c.text for c in ET.fromstring(r.content)}
        assert root["Mode"] == "COMPLIANCE"
        got = datetime.datetime.fromisoformat(root["RetainUntilDate"].replace("Z", "+00:00"))
        assert got == until
        # shortening COMPLIANCE through PUT ?retention
        body = ("<Retention><Mode>COMPLIANCE</Mode><RetainUntilDate>%s</RetainUntilDate></Retention>"
                % _iso(future(DAY))).encode()
        r = _cos_put_xml(cosd, name, "c", {"retention": "", "versionId": vc}, body)
        assert r.status_code == 403 and H.parse_error_xml(r.content)["Code"] == "AccessDenied", r.text

        # GOVERNANCE: DELETE with x-cos-bypass-governance-retention
        r = H.signed_request(cosd, "DELETE", cosd.vhost(name), key="d", params={"versionId": vd},
                             headers={"x-cos-bypass-governance-retention": "true"})
        assert r.status_code == 204, r.text
        assert r.headers.get("x-cos-version-id") == vd

        # legal hold through ?legal-hold
        r = _cos_put_xml(cosd, name, "c", {"legal-hold": "", "versionId": vc},
                         b"<LegalHold><Status>ON</Status></LegalHold>")
        assert r.status_code == 200, r.text
        r = H.signed_request(cosd, "GET", cosd.vhost(name), key="c", params={"legal-hold": "", "versionId": vc})
        assert r.status_code == 200 and b"<Status>ON</Status>" in r.content, r.text
        r = _cos_put_xml(cosd, name, "c", {"legal-hold": "", "versionId": vc},
                         b"<LegalHold><Status>OFF</Status></LegalHold>")
        assert r.status_code == 200, r.text
    finally:
        V.s3_destroy_versioned_bucket(s3_default, name)


def test_cos_dialect_lock_headers_on_plain_bucket_are_invalid_request(cosd, client, bucket):
    r = _cos_put_raw(cosd, bucket, "x", b"x", {"x-cos-object-lock-mode": "GOVERNANCE",
                                              "x-cos-object-lock-retain-until-date": _iso(future())})
    assert r.status_code == 400 and H.parse_error_xml(r.content)["Code"] == "InvalidRequest", r.text
    e = V.cos_error(client.get_bucket_object_lock, Bucket=bucket)
    assert (e.get_status_code(), e.get_error_code()) == (404, "ObjectLockConfigurationNotFoundError")
    e = V.cos_error(client.put_bucket_object_lock, Bucket=bucket,
                    ObjectLockConfiguration={"ObjectLockEnabled": "Enabled"})
    assert (e.get_status_code(), e.get_error_code()) == (409, "InvalidBucketState")
