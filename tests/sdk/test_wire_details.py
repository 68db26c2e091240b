"""Wire details the COS SDKs read back (docs/wire-details.md): request bodies with the wrong
root element change nothing, listings stay well-formed XML, ACL and part-count limits, and
what cos-python-sdk-v5 gets back from referer/website/ACL/HEAD/Content-Type/region/odd keys.
Bodies the SDK cannot get wrong are sent raw but signed the SDK's way (H.signed_request)."""

import http.client
import xml.etree.ElementTree as ET

import pytest
from qcloud_cos import CosConfig, CosS3Client
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H

XSI = "http://www.w3.org/2001/XMLSchema-instance"


def service_error(fn, **kw):
    with pytest.raises(CosServiceError) as ei:
        fn(**kw)
    return ei.value


def raw_error(r):
    return r.status_code, H.parse_error_xml(r.content).get("Code")


def grantee(principal):
    return {"@xmlns:xsi": XSI, "@xsi:type": "CanonicalUser", "ID": principal}


def principal(uin):
    return "qcs::cam::uin/%s:uin/%s" % (H.ROOT_UIN, uin)


# ---------------------------------------------------------------- 6: root elements


def test_put_tagging_with_wrong_root_is_malformed_and_keeps_tags(cosd, client, bucket):
    client.put_bucket_tagging(Bucket=bucket, Tagging={"TagSet": {"Tag": [{"Key": "team", "Value": "a"}]}})
    for body in (b"<NotTagging/>", b"<NotTagging><TagSet/></NotTagging>", b"<Tagging/>"):
        r = H.signed_request(cosd, "PUT", cosd.vhost(bucket), params={"tagging": ""}, data=body,
                             headers={"Content-Type": "application/xml"})
        assert raw_error(r) == (400, "MalformedXML"), (body, r.text)
    got = client.get_bucket_tagging(Bucket=bucket)
    assert got["TagSet"]["Tag"] == [{"Key": "team", "Value": "a"}], got


def test_put_acl_with_wrong_root_is_malformed_and_keeps_acl(cosd, client, bucket):
    client.put_bucket_acl(Bucket=bucket, ACL="public-read")
    client.put_object(Bucket=bucket, Key="o.txt", Body=b"o")
    client.put_object_acl(Bucket=bucket, Key="o.txt", ACL="public-read")
    for body in (b"<a/>", b"<AccessControlPolicy/>",
                 b"<NotAccessControlPolicy><AccessControlList/></NotAccessControlPolicy>"):
        r = H.signed_request(cosd, "PUT", cosd.vhost(bucket), params={"acl": ""}, data=body,
                             headers={"Content-Type": "application/xml"})
        assert raw_error(r) == (400, "MalformedACLError"), (body, r.text)
        r = H.signed_request(cosd, "PUT", cosd.vhost(bucket), key="o.txt", params={"acl": ""}, data=body,
                             headers={"Content-Type": "application/xml"})
        assert raw_error(r) == (400, "MalformedACLError"), (body, r.text)
    assert client.get_bucket_acl(Bucket=bucket)["CannedACL"] == "public-read"
    assert client.get_object_acl(Bucket=bucket, Key="o.txt")["CannedACL"] == "public-read"


@pytest.mark.parametrize("param,body", [
    ("cors", b"<NotCORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin>"
             b"<AllowedMethod>GET</AllowedMethod></CORSRule></NotCORSConfiguration>"),
    ("website", b"<NotWebsiteConfiguration><IndexDocument><Suffix>index.html</Suffix></IndexDocument>"
                b"</NotWebsiteConfiguration>"),
    ("referer", b"<NotRefererConfiguration><Status>Disabled</Status></NotRefererConfiguration>"),
])
def test_bucket_configuration_with_wrong_root_is_malformed_and_changes_nothing(cosd, client, bucket, param,
                                                                                 body):
    r = H.signed_request(cosd, "PUT", cosd.vhost(bucket), params={param: ""}, data=body,
                         headers={"Content-Type": "application/xml"})
    assert raw_error(r) == (400, "MalformedXML"), r.text
    if param == "cors":
        assert service_error(client.get_bucket_cors, Bucket=bucket).get_error_code() == "NoSuchCORSConfiguration"
    elif param == "website":
        assert (service_error(client.get_bucket_website, Bucket=bucket).get_error_code()
                == "NoSuchWebsiteConfiguration")
    else:
        assert client.get_bucket_referer(Bucket=bucket) == {"RefererConfiguration": None}


def test_delete_and_complete_with_wrong_root_are_malformed(cosd, client, bucket):
    client.put_object(Bucket=bucket, Key="keep.txt", Body=b"k")
    r = H.signed_request(cosd, "POST", cosd.vhost(bucket), params={"delete": ""},
                         data=b"<Remove><Object><Key>keep.txt</Key></Object></Remove>",
                         headers={"Content-Type": "application/xml"})
    assert raw_error(r) == (400, "MalformedXML"), r.text
    assert client.head_object(Bucket=bucket, Key="keep.txt")["Content-Length"] == "1"

    up = client.create_multipart_upload(Bucket=bucket, Key="mp.txt")["UploadId"]
    part = client.upload_part(Bucket=bucket, Key="mp.txt", Body=b"p", PartNumber=1, UploadId=up)
    body = ("<Finish><Part><PartNumber>1</PartNumber><ETag>%s</ETag></Part></Finish>" % part["ETag"]).encode()
    r = H.signed_request(cosd, "POST", cosd.vhost(bucket), key="mp.txt", params={"uploadId": up}, data=body,
                         headers={"Content-Type": "application/xml"})
    assert raw_error(r) == (400, "MalformedXML"), r.text
    assert service_error(client.head_object, Bucket=bucket, Key="mp.txt").get_status_code() == 404


# ---------------------------------------------------------------- 7: listings


def raw_list(cosd, bucket, **params):
    r = H.signed_request(cosd, "GET", cosd.vhost(bucket), params=params)
    return r


def test_listing_without_encoding_keeps_carriage_returns_and_control_characters(cosd, client, bucket):
    keys = ["cr\rkey", "lf\nkey", "tab\tkey", "crlf\r\nkey", "amp&<lt>\"'"]
    for k in keys:
        client.put_object(Bucket=bucket, Key=k, Body=b"x")
    for params in ({}, {"list-type": "2"}):
        r = raw_list(cosd, bucket, **params)
        assert r.status_code == 200, r.text
        assert b"&#13;" in r.content
        root = ET.fromstring(r.content)   # well-formed
        ns = root.tag[:-len("ListBucketResult")]
        got = [c.find(ns + "Key").text for c in root.findall(ns + "Contents")]
        assert sorted(got) == sorted(keys), got
    # The SDK (encoding-type=url by default) reads them back too.
    got = [c["Key"] for c in client.list_objects(Bucket=bucket)["Contents"]]
    assert sorted(got) == sorted(keys)


def test_listing_a_key_xml_cannot_carry_asks_for_encoding_type_url(cosd, client, bucket):
    client.put_object(Bucket=bucket, Key="ctl\x01key", Body=b"x")
    for params in ({}, {"list-type": "2"}):
        r = raw_list(cosd, bucket, **params)
        assert raw_error(r) == (400, "InvalidArgument"), r.text
        assert b"encoding-type=url" in r.content
    r = raw_list(cosd, bucket, **{"encoding-type": "url"})
    assert r.status_code == 200 and b"<Key>ctl%01key</Key>" in r.content, r.text
    assert [c["Key"] for c in client.list_objects(Bucket=bucket)["Contents"]] == ["ctl\x01key"]


# ---------------------------------------------------------------- 15: limits


def test_acl_with_more_than_100_grants_is_refused(client, bucket):
    grants = [{"Grantee": grantee(principal(200000000000 + i)), "Permission": "READ"} for i in range(101)]
    e = service_error(client.put_bucket_acl, Bucket=bucket, AccessControlPolicy={
        "Owner": {"ID": principal(H.ROOT_UIN)}, "AccessControlList": {"Grant": grants}})
    assert (e.get_status_code(), e.get_error_code()) == (400, "MalformedACLError")
    assert "100" in e.get_error_msg()
    assert client.get_bucket_acl(Bucket=bucket)["CannedACL"] == "private"
    # 100 are fine.
    client.put_bucket_acl(Bucket=bucket, AccessControlPolicy={
        "Owner": {"ID": principal(H.ROOT_UIN)}, "AccessControlList": {"Grant": grants[:100]}})
    assert len(client.get_bucket_acl(Bucket=bucket)["AccessControlList"]["Grant"]) == 101   # + owner


def test_complete_with_10001_parts_is_the_part_count_error(client, bucket):
    up = client.create_multipart_upload(Bucket=bucket, Key="many.bin")["UploadId"]
    part = client.upload_part(Bucket=bucket, Key="many.bin", Body=b"p", PartNumber=1, UploadId=up)
    parts = [{"PartNumber": n, "ETag": part["ETag"]} for n in range(1, 10002)]
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key="many.bin", UploadId=up,
                      MultipartUpload={"Part": parts})
    assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidArgument")
    assert "10000" in e.get_error_msg()
    e = service_error(client.complete_multipart_upload, Bucket=bucket, Key="many.bin", UploadId=up,
                      MultipartUpload={"Part": [{"PartNumber": 10001, "ETag": part["ETag"]}]})
    assert (e.get_status_code(), e.get_error_code()) == (400, "InvalidArgument")
    # The upload is untouched and still completes.
    client.complete_multipart_upload(Bucket=bucket, Key="many.bin", UploadId=up,
                                     MultipartUpload={"Part": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert client.get_object(Bucket=bucket, Key="many.bin")["Body"].get_raw_stream().read() == b"p"


# ---------------------------------------------------------------- 9: what the SDK reads back


def test_get_bucket_website_returns_what_was_set(client, bucket):
    config = {
        "IndexDocument": {"Suffix": "index.html"},
        "ErrorDocument": {"Key": "404.html"},
        "RoutingRules": [{
            "Condition": {"KeyPrefixEquals": "old/"},
            "Redirect": {"ReplaceKeyPrefixWith": "new/", "URLRedirect": "Enabled"},
        }],
    }
    client.put_bucket_website(Bucket=bucket, WebsiteConfiguration=config)
    got = client.get_bucket_website(Bucket=bucket)
    assert "AutoAddressing" not in got, got
    assert got["ErrorDocument"] == {"Key": "404.html"}, got
    assert got["RoutingRules"] == config["RoutingRules"], got
    assert got["IndexDocument"] == config["IndexDocument"]


def test_get_object_acl_returns_the_grants_that_were_set(client, bucket):
    client.put_object(Bucket=bucket, Key="o.txt", Body=b"o")
    reader = principal(H.unique_uin())
    client.put_object_acl(Bucket=bucket, Key="o.txt", AccessControlPolicy={
        "Owner": {"ID": principal(H.ROOT_UIN)},
        "AccessControlList": {"Grant": [{"Grantee": grantee(reader), "Permission": "READ"}]}})
    grants = client.get_object_acl(Bucket=bucket, Key="o.txt")["AccessControlList"]["Grant"]
    assert [(g["Grantee"].get("ID"), g["Permission"]) for g in grants] == [(reader, "READ")], grants
    # An owner grant given is returned as given, once.
    owner = principal(H.ROOT_UIN)
    client.put_object_acl(Bucket=bucket, Key="o.txt", AccessControlPolicy={
        "Owner": {"ID": owner},
        "AccessControlList": {"Grant": [{"Grantee": grantee(owner), "Permission": "FULL_CONTROL"},
                                        {"Grantee": grantee(reader), "Permission": "READ"}]}})
    grants = client.get_object_acl(Bucket=bucket, Key="o.txt")["AccessControlList"]["Grant"]
    assert [(g["Grantee"].get("ID"), g["Permission"]) for g in grants] == [
        (owner, "FULL_CONTROL"), (reader, "READ")], grants


def test_heads_of_a_copy_and_its_source_compare_equal(cosd, recorder, bucket):
    c = recorder.client
    c.put_object(Bucket=bucket, Key="src.txt", Body=b"same bytes", ContentType="text/plain",
                 Metadata={"x-cos-meta-k": "v"})
    c.copy_object(Bucket=bucket, Key="dst.txt",
                  CopySource={"Bucket": bucket, "Key": "src.txt", "Region": cosd.region})
    recorder.clear()
    c.head_object(Bucket=bucket, Key="src.txt")
    a = dict(recorder.last.headers)
    c.head_object(Bucket=bucket, Key="dst.txt")
    b = dict(recorder.last.headers)
    assert "x-cos-trace-id" not in a and "x-cos-trace-id" not in b, a
    differs = {k for k in set(a) | set(b) if a.get(k) != b.get(k)}
    assert differs <= {"x-cos-request-id", "Date", "Last-Modified"}, (differs, a, b)
    # Errors still carry it, beside the body's TraceId.
    r = H.signed_request(cosd, "GET", cosd.vhost(bucket), key="none.txt")
    assert r.status_code == 404 and r.headers.get("x-cos-trace-id"), r.headers


@pytest.mark.parametrize("key,content_type", [
    ("a.txt", "text/plain"), ("b.zip", "application/zip"), ("dir/c.JPG", "image/jpeg"),
    ("d.html", "text/html"), ("e.json", "application/json"), ("noext", "application/octet-stream"),
])
def test_put_without_content_type_gets_the_type_of_its_extension(cosd, client, bucket, key, content_type):
    # The SDK sends no Content-Type for bytes; check on the wire that none went out.
    r = H.signed_request(cosd, "PUT", cosd.vhost(bucket), key=key, data=b"body")
    assert r.status_code == 200 and "Content-Type" not in r.request.headers, r.request.headers
    assert client.head_object(Bucket=bucket, Key=key)["Content-Type"] == content_type
    client.put_object(Bucket=bucket, Key=key, Body=b"body")
    assert client.head_object(Bucket=bucket, Key=key)["Content-Type"] == content_type
    client.put_object(Bucket=bucket, Key=key, Body=b"body", ContentType="application/x-mine")
    assert client.head_object(Bucket=bucket, Key=key)["Content-Type"] == "application/x-mine"


def test_host_naming_another_region_is_no_such_bucket(cosd, client, bucket):
    client.put_object(Bucket=bucket, Key="k.txt", Body=b"k")
    other = CosS3Client(CosConfig(Region="ap-beijing", SecretId=cosd.secret_id, SecretKey=cosd.secret_key,
                                  Scheme="http", IP=cosd.host, Port=cosd.port), retry=0)
    for fn, kw in ((other.get_object, {"Key": "k.txt"}), (other.list_objects, {}),
                   (other.put_object, {"Key": "n.txt", "Body": b"n"})):
        e = service_error(fn, Bucket=bucket, **kw)
        assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchBucket"), fn
    e = service_error(other.head_bucket, Bucket=bucket)
    assert e.get_status_code() == 404
    assert [c["Key"] for c in client.list_objects(Bucket=bucket)["Contents"]] == ["k.txt"]


def raw(cosd, method, host, path, body=None):
    """A request whose path goes out byte for byte (requests/urllib3 would merge `/./`)."""
    conn = http.client.HTTPConnection(cosd.host, cosd.port, timeout=30)
    conn.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
    conn.putheader("Host", host)
    conn.putheader("Content-Length", str(len(body or b"")))
    conn.endheaders(body)
    r = conn.getresponse()
    data = r.read()
    conn.close()
    return r.status, data


def test_keys_that_merge_to_nothing_address_the_bucket(cosd, client, bucket_factory):
    public = bucket_factory(ACL="public-read")
    client.put_object(Bucket=public, Key="k.txt", Body=b"k")
    # The SDK refuses such a GetObject itself, because COS would answer it as GET Bucket.
    with pytest.raises(Exception):
        client.get_object(Bucket=public, Key="///////")
    for path in ("///////", "/./", "/a/../"):
        status, body = raw(cosd, "GET", cosd.vhost(public), path)
        assert status == 200 and b"<ListBucketResult>" in body and b"<Key>k.txt</Key>" in body, (path, body)
    # A PUT of such a key is a PUT Bucket (409 for an existing bucket; a body that is not a
    # CreateBucketConfiguration is malformed): nothing is stored under it.
    e = service_error(client.put_object, Bucket=public, Key="///////", Body=b"")
    assert e.get_status_code() == 409, e.get_error_code()
    e = service_error(client.put_object, Bucket=public, Key="///////", Body=b"x")
    assert (e.get_status_code(), e.get_error_code()) == (400, "MalformedXML")
    assert [c["Key"] for c in client.list_objects(Bucket=public)["Contents"]] == ["k.txt"]
