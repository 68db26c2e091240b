"""Access control through cos-python-sdk-v5 (and raw ``requests`` for anonymous
access): sub-accounts, CAM user policies and condition keys, bucket policies,
ACLs, key management, groups, the policy simulator and the ``cosd admin`` CLI.

Contract: docs/access-control.md; behaviour: the seeds
(shared/seeds/002_2fd82c1f71b8b2e2.txt lines ~174-3770) and shared/spec/03-xml-api.md §4.7.
Every test makes its own sub-accounts (random uins) and buckets, so the tests
do not interfere on the shared server.
"""

import json

import pytest
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H
from cosd_harness import ALL_USERS_URI, ANYONE, ROOT_UIN, cos_resource, policy_doc, stmt

ROOT_PRINCIPAL = H.principal(ROOT_UIN)


# ------------------------------------------------------------------ helpers

def service_error(fn, *args, **kwargs):
    with pytest.raises(CosServiceError) as ei:
        fn(*args, **kwargs)
    return ei.value


def assert_denied(fn, *args, **kwargs):
    """The call fails with 403 AccessDenied."""
    e = service_error(fn, *args, **kwargs)
    assert (e.get_status_code(), e.get_error_code()) == (403, "AccessDenied"), \
        "expected 403 AccessDenied, got %s %s: %s" % (e.get_status_code(), e.get_error_code(),
                                                         e.get_error_msg())


def get_body(c, bucket, key):
    return H.read_body(c.get_object(Bucket=bucket, Key=key))


def list_keys(c, bucket, **kw):
    return [o["Key"] for o in c.list_objects(Bucket=bucket, **kw).get("Contents", [])]


def assert_raw_error(r, status, code):
    assert r.status_code == status, "expected %d %s, got %d %r" % (status, code, r.status_code, r.text[:300])
    if r.content:
        assert H.parse_error_xml(r.content)["Code"] == code, r.text[:300]


def key_states(user):
    """[(secret_id, enabled)] of an admin-API user (secret keys must never be listed)."""
    assert all("secret_key" not in k for k in user["keys"]), user
    return [(k["secret_id"], k["enabled"]) for k in user["keys"]]


def cli_json(p):
    assert p.returncode == 0, "exit %d\nstdout: %s\nstderr: %s" % (p.returncode, p.stdout, p.stderr)
    return json.loads(p.stdout)


@pytest.fixture
def put_bucket_policy(client):
    """put(bucket, policy) through the SDK; every policy put is deleted at teardown
    (so the bucket fixture can empty and delete the bucket)."""
    touched = []

    def put(bucket, policy):
        client.put_bucket_policy(Bucket=bucket, Policy=policy)
        touched.append(bucket)

    yield put
    for b in touched:
        try:
            client.delete_bucket_policy(Bucket=b)
        except Exception:  # best effort
            pass


# ================================================================ 1. CLI

def test_cli_user_add_duplicate_and_no_policy_denied(cosd, client, bucket):
    uin = H.unique_uin()
    sid, skey = H.unique_secret_pair()
    p = H.admin_cli(cosd, "user", "add", "--uin", uin, "--secret-id", sid, "--secret-key", skey)
    try:
        user = cli_json(p)
        assert str(user["uin"]) == uin
        assert str(user["root_uin"]) == ROOT_UIN
        assert [k["secret_id"] for k in user["keys"]] == [sid]
        assert user["keys"][0]["enabled"] is True
        assert user["policies"] == [] and user["groups"] == []
        assert skey not in p.stdout          # secret keys are only echoed when generated

        # the same uin again: exit 1 and the server's error
        again = H.admin_cli(cosd, "user", "add", "--uin", uin)
        assert again.returncode == 1, (again.returncode, again.stdout, again.stderr)
        assert "UserAlreadyExists" in again.stdout + again.stderr, (again.stdout, again.stderr)

        # show / list
        shown = cli_json(H.admin_cli(cosd, "user", "show", uin))
        assert str(shown["uin"]) == uin and [k["secret_id"] for k in shown["keys"]] == [sid]
        listed = cli_json(H.admin_cli(cosd, "user", "list"))
        assert uin in [str(u["uin"]) for u in listed["users"]]

        # a sub-account without any policy may do nothing on the root's bucket
        client.put_object(Bucket=bucket, Key="a.txt", Body=b"root data")
        acct = H.SubAccount(cosd, uin, sid, skey)
        assert_denied(acct.client.get_object, Bucket=bucket, Key="a.txt")
        assert_denied(acct.client.put_object, Bucket=bucket, Key="b.txt", Body=b"x")
        assert_denied(acct.client.list_objects, Bucket=bucket)
        assert_denied(acct.client.delete_object, Bucket=bucket, Key="a.txt")
        assert_denied(acct.client.get_bucket_acl, Bucket=bucket)
        e = service_error(acct.client.head_object, Bucket=bucket, Key="a.txt")
        assert e.get_status_code() == 403
        # ... and nothing changed
        assert list_keys(client, bucket) == ["a.txt"]
        assert get_body(client, bucket, "a.txt") == b"root data"

        # CLI delete: the key stops working
        p = H.admin_cli(cosd, "user", "delete", uin)
        assert p.returncode == 0, (p.stdout, p.stderr)
        e = service_error(acct.client.get_object, Bucket=bucket, Key="a.txt")
        assert (e.get_status_code(), e.get_error_code()) == (403, "InvalidAccessKeyId")
        p = H.admin_cli(cosd, "user", "show", uin)
        assert p.returncode == 1 and "NoSuchUser" in p.stdout + p.stderr, (p.stdout, p.stderr)
    finally:
        H.admin_request(cosd, "DELETE", "users/" + uin)


def test_cli_key_add_generates_a_usable_key(cosd, client, bucket, sub):
    p = H.admin_cli(cosd, "key", "add", "--uin", sub.uin)
    key = cli_json(p)
    assert str(key["uin"]) == sub.uin
    assert key["enabled"] is True
    assert key["secret_id"] and key["secret_key"]        # generated, so returned once
    sub.put_policy("read", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"))))
    client.put_object(Bucket=bucket, Key="k.txt", Body=b"via generated key")
    other = cosd.client(key["secret_id"], key["secret_key"])
    assert get_body(other, bucket, "k.txt") == b"via generated key"
    # both keys are listed on the user
    user = H.admin_ok(cosd, "GET", "users/" + sub.uin)
    assert sorted(k["secret_id"] for k in user["keys"]) == sorted([sub.secret_id, key["secret_id"]])
    # disable / delete through the CLI
    p = H.admin_cli(cosd, "key", "disable", key["secret_id"])
    shown = cli_json(p)
    assert shown["enabled"] is False and "secret_key" not in shown
    e = service_error(other.get_object, Bucket=bucket, Key="k.txt")
    assert (e.get_status_code(), e.get_error_code()) == (403, "InvalidAccessKeyId")
    cli_json(H.admin_cli(cosd, "key", "enable", key["secret_id"]))
    assert get_body(other, bucket, "k.txt") == b"via generated key"
    p = H.admin_cli(cosd, "key", "delete", key["secret_id"])
    assert p.returncode == 0, (p.stdout, p.stderr)
    e = service_error(other.get_object, Bucket=bucket, Key="k.txt")
    assert (e.get_status_code(), e.get_error_code()) == (403, "InvalidAccessKeyId")
    # the user's first key is untouched
    assert get_body(sub.client, bucket, "k.txt") == b"via generated key"


def test_cli_policy_put_get_delete(cosd, client, bucket, sub, tmp_path):
    doc = policy_doc(stmt("allow", ["name/cos:GetObject"], [cos_resource(bucket, "cli/*")]))
    p = H.admin_cli(cosd, "policy", "put", "--uin", sub.uin, "--name", "clip", "--document", json.dumps(doc))
    out = cli_json(p)
    assert out["name"] == "clip"
    stored = out["policy"]
    assert (json.loads(stored) if isinstance(stored, str) else stored) == doc
    assert cli_json(H.admin_cli(cosd, "policy", "get", "--uin", sub.uin, "--name", "clip")) == doc

    client.put_object(Bucket=bucket, Key="cli/x", Body=b"cli")
    assert get_body(sub.client, bucket, "cli/x") == b"cli"

    # --file replaces it
    f = tmp_path / "p.json"
    f.write_text(json.dumps(policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "other/*")))))
    cli_json(H.admin_cli(cosd, "policy", "put", "--uin", sub.uin, "--name", "clip", "--file", str(f)))
    assert_denied(sub.client.get_object, Bucket=bucket, Key="cli/x")

    p = H.admin_cli(cosd, "policy", "delete", "--uin", sub.uin, "--name", "clip")
    assert p.returncode == 0, (p.stdout, p.stderr)
    p = H.admin_cli(cosd, "policy", "get", "--uin", sub.uin, "--name", "clip")
    assert p.returncode == 1 and "NoSuchPolicy" in p.stdout + p.stderr, (p.stdout, p.stderr)

    # an invalid document: exit 1 with the server's MalformedPolicy
    p = H.admin_cli(cosd, "policy", "put", "--uin", sub.uin, "--name", "bad",
                    "--document", '{"version": "2.0", "statement": [{"effect": "perhaps"}]}')
    assert p.returncode == 1 and "MalformedPolicy" in p.stdout + p.stderr, (p.stdout, p.stderr)


# ================================================================ admin API

def test_admin_api_users_and_errors(cosd, sub):
    user = H.admin_ok(cosd, "GET", "users/" + sub.uin)
    assert str(user["uin"]) == sub.uin and str(user["root_uin"]) == ROOT_UIN
    assert key_states(user) == [(sub.secret_id, True)]
    assert sub.uin in [str(u["uin"]) for u in H.admin_ok(cosd, "GET", "users")["users"]]

    def err(r, status, code):
        assert r.status_code == status, (r.status_code, r.text[:300])
        assert r.json()["code"] == code, r.text[:300]
        assert "message" in r.json()

    err(H.admin_request(cosd, "POST", "users", {"uin": sub.uin}), 409, "UserAlreadyExists")
    err(H.admin_request(cosd, "GET", "users/" + H.unique_uin()), 404, "NoSuchUser")
    err(H.admin_request(cosd, "DELETE", "users/" + H.unique_uin()), 404, "NoSuchUser")
    # the same secret id on another user
    other = H.unique_uin()
    r = H.admin_request(cosd, "POST", "users", {"uin": other})
    try:
        assert r.status_code == 200, r.text
        err(H.admin_request(cosd, "POST", "users/%s/keys" % other,
                            {"secret_id": sub.secret_id, "secret_key": "whatever0123456789"}),
            409, "KeyAlreadyExists")
    finally:
        H.admin_request(cosd, "DELETE", "users/" + other)
    err(H.admin_request(cosd, "PUT", "keys/AKIDnosuchkey0000000000000", {"enabled": False}), 404, "NoSuchKey")
    err(H.admin_request(cosd, "GET", "users/%s/policies/none" % sub.uin), 404, "NoSuchPolicy")
    err(H.admin_request(cosd, "PUT", "users/%s/policies/bad" % sub.uin, raw_body=b"{not json"),
        400, "MalformedPolicy")
    err(H.admin_request(cosd, "PUT", "users/%s/policies/bad" % sub.uin,
                        {"version": "2.0", "statement": [{"effect": "allow", "action": ["name/cos:GetObject"]}]}),
        400, "MalformedPolicy")
    # the stored policy comes back as stored
    doc = policy_doc(stmt("allow", "name/cos:GetObject", "qcs::cos:ap-guangzhou:uid/1250000000:b-1250000000/x/*"))
    out = H.admin_ok(cosd, "PUT", "users/%s/policies/p1" % sub.uin, doc)
    assert out["name"] == "p1"
    assert H.admin_ok(cosd, "GET", "users/%s/policies/p1" % sub.uin) == doc
    assert H.admin_ok(cosd, "GET", "users/" + sub.uin)["policies"] == ["p1"]
    r = H.admin_request(cosd, "DELETE", "users/%s/policies/p1" % sub.uin)
    assert r.status_code == 204, r.text
    assert H.admin_ok(cosd, "GET", "users/" + sub.uin)["policies"] == []


def test_admin_api_only_for_root(cosd, sub):
    # even a sub-account allowed everything in CAM is not an administrator
    sub.put_policy("all", policy_doc(stmt("allow", "*", "*")))
    for method, path, body in [("GET", "users", None), ("POST", "users", {"uin": H.unique_uin()}),
                               ("PUT", "users/%s/policies/x" % sub.uin, policy_doc(stmt("allow", "*", "*"))),
                               ("POST", "users/%s/keys" % sub.uin, {})]:
        r = H.admin_request(cosd, method, path, body, secret_id=sub.secret_id, secret_key=sub.secret_key)
        assert r.status_code == 403, (method, path, r.status_code, r.text[:300])
        assert r.json()["code"] == "AccessDenied", r.text[:300]
    r = H.admin_request(cosd, "GET", "users", anonymous=True)
    assert r.status_code == 403, r.text[:300]
    # a wrong signature from the root key id is not accepted either
    r = H.admin_request(cosd, "GET", "users", secret_id=H.ROOT_SECRET_ID, secret_key="wrong" * 6)
    assert r.status_code == 403, r.text[:300]
    # nothing was created by the refused calls
    assert key_states(H.admin_ok(cosd, "GET", "users/" + sub.uin)) == [(sub.secret_id, True)]


# ================================================================ 2. prefix grant

def test_prefix_scoped_user_policy(cosd, client, bucket, sub):
    sub.put_policy("doc-rw", policy_doc(stmt("allow", ["name/cos:GetObject", "name/cos:PutObject"],
                                             cos_resource(bucket, "doc/*"))))
    client.put_object(Bucket=bucket, Key="doc/root.txt", Body=b"doc by root")
    client.put_object(Bucket=bucket, Key="other/root.txt", Body=b"other by root")

    c = sub.client
    c.put_object(Bucket=bucket, Key="doc/sub.txt", Body=b"doc by sub")
    c.put_object(Bucket=bucket, Key="doc/deep/er.txt", Body=b"deeper")
    assert get_body(c, bucket, "doc/root.txt") == b"doc by root"
    assert get_body(c, bucket, "doc/sub.txt") == b"doc by sub"

    assert_denied(c.put_object, Bucket=bucket, Key="other/sub.txt", Body=b"x")
    assert_denied(c.put_object, Bucket=bucket, Key="docs.txt", Body=b"x")
    assert_denied(c.put_object, Bucket=bucket, Key="top.txt", Body=b"x")
    assert_denied(c.get_object, Bucket=bucket, Key="other/root.txt")
    # only the granted actions
    assert_denied(c.delete_object, Bucket=bucket, Key="doc/sub.txt")
    assert_denied(c.list_objects, Bucket=bucket)
    assert_denied(c.list_objects, Bucket=bucket, Prefix="doc/")

    assert sorted(list_keys(client, bucket)) == ["doc/deep/er.txt", "doc/root.txt", "doc/sub.txt",
                                                 "other/root.txt"]
    # revoking the policy takes effect on the next request
    sub.delete_policy("doc-rw")
    assert_denied(c.get_object, Bucket=bucket, Key="doc/sub.txt")


def test_user_policy_does_not_reach_other_buckets(cosd, client, bucket_factory, sub):
    granted, other = bucket_factory(), bucket_factory()
    sub.put_policy("one-bucket", policy_doc(stmt("allow", "name/cos:*", cos_resource(granted, "*"))))
    for b in (granted, other):
        client.put_object(Bucket=b, Key="f.txt", Body=b.encode())
    assert get_body(sub.client, granted, "f.txt") == granted.encode()
    assert list_keys(sub.client, granted) == ["f.txt"]
    assert_denied(sub.client.get_object, Bucket=other, Key="f.txt")
    assert_denied(sub.client.list_objects, Bucket=other)
    # a sub-account cannot create buckets without a grant either (not "everything on <name>-<appid>")
    assert_denied(sub.client.create_bucket, Bucket=H.unique_bucket())


# ================================================================ 3. explicit deny

def test_explicit_deny_in_user_policy_wins(cosd, client, bucket, sub):
    sub.put_policy("all", policy_doc(stmt("allow", "name/cos:*", cos_resource(bucket, "*"))))
    sub.put_policy("no-secret", policy_doc(stmt("deny", "name/cos:*", cos_resource(bucket, "secret/*"))))
    client.put_object(Bucket=bucket, Key="secret/plans.txt", Body=b"hidden")
    c = sub.client
    c.put_object(Bucket=bucket, Key="open/a.txt", Body=b"open")
    assert get_body(c, bucket, "open/a.txt") == b"open"
    assert sorted(list_keys(c, bucket)) == ["open/a.txt", "secret/plans.txt"]
    assert_denied(c.get_object, Bucket=bucket, Key="secret/plans.txt")
    assert_denied(c.put_object, Bucket=bucket, Key="secret/new.txt", Body=b"x")
    assert_denied(c.delete_object, Bucket=bucket, Key="secret/plans.txt")
    c.delete_object(Bucket=bucket, Key="open/a.txt")
    assert list_keys(client, bucket) == ["secret/plans.txt"]


def test_explicit_deny_in_one_statement_of_the_same_policy(cosd, client, bucket, sub):
    """Seed 'Authorization Cases' case 4: allow a directory, deny one file in it."""
    sub.put_policy("dir", policy_doc(
        stmt("allow", "name/cos:*", cos_resource(bucket, "folder/sub-folder/*")),
        stmt("deny", "name/cos:*", cos_resource(bucket, "folder/sub-folder/privateobject"))))
    client.put_object(Bucket=bucket, Key="folder/sub-folder/privateobject", Body=b"p")
    client.put_object(Bucket=bucket, Key="folder/sub-folder/publicobject", Body=b"q")
    assert get_body(sub.client, bucket, "folder/sub-folder/publicobject") == b"q"
    assert_denied(sub.client.get_object, Bucket=bucket, Key="folder/sub-folder/privateobject")
    assert_denied(sub.client.put_object, Bucket=bucket, Key="folder/sub-folder/privateobject", Body=b"x")


def test_bucket_policy_deny_beats_user_allow(cosd, client, bucket, sub, put_bucket_policy):
    sub.put_policy("all", policy_doc(stmt("allow", "name/cos:*", cos_resource(bucket, "*"))))
    client.put_object(Bucket=bucket, Key="locked/a.txt", Body=b"locked")
    client.put_object(Bucket=bucket, Key="open/a.txt", Body=b"open")
    assert get_body(sub.client, bucket, "locked/a.txt") == b"locked"
    put_bucket_policy(bucket, policy_doc(
        stmt("deny", ["name/cos:GetObject", "name/cos:PutObject"], cos_resource(bucket, "locked/*"),
             principal_qcs=[sub.principal])))
    assert_denied(sub.client.get_object, Bucket=bucket, Key="locked/a.txt")
    assert_denied(sub.client.put_object, Bucket=bucket, Key="locked/b.txt", Body=b"x")
    assert get_body(sub.client, bucket, "open/a.txt") == b"open"
    sub.client.put_object(Bucket=bucket, Key="open/b.txt", Body=b"x")
    # the deny names the sub-account only: the owner still reads
    assert get_body(client, bucket, "locked/a.txt") == b"locked"


def test_bucket_policy_deny_binds_owner_but_no_lockout(cosd, client, bucket, put_bucket_policy):
    client.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    put_bucket_policy(bucket, policy_doc(
        stmt("deny", "name/cos:*", cos_resource(bucket, "*"), principal_qcs=[ROOT_PRINCIPAL])))
    assert_denied(client.get_object, Bucket=bucket, Key="a.txt")
    assert_denied(client.put_object, Bucket=bucket, Key="b.txt", Body=b"b")
    assert_denied(client.list_objects, Bucket=bucket)
    # ... but the owner can always read, replace and delete the policy and the ACL
    got = json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"])
    assert got["Statement"][0]["Effect"] == "deny"
    acl = client.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"]["ID"] == ROOT_PRINCIPAL
    client.put_bucket_acl(Bucket=bucket, ACL="private")
    client.delete_bucket_policy(Bucket=bucket)
    assert get_body(client, bucket, "a.txt") == b"a"
    client.put_object(Bucket=bucket, Key="b.txt", Body=b"b")


# ================================================================ 4. cos:content-length

def test_content_length_condition_user_policy(cosd, client, bucket, sub):
    sub.put_policy("small", policy_doc(stmt(
        "allow", "name/cos:PutObject", cos_resource(bucket, "*"),
        condition={"numeric_less_than_equal": {"cos:content-length": 10}})))
    c = sub.client
    c.put_object(Bucket=bucket, Key="ten.bin", Body=b"0123456789")
    c.put_object(Bucket=bucket, Key="zero.bin", Body=b"")
    assert_denied(c.put_object, Bucket=bucket, Key="eleven.bin", Body=b"0123456789a")
    assert_denied(c.put_object, Bucket=bucket, Key="big.bin", Body=b"x" * 100000)
    assert sorted(list_keys(client, bucket)) == ["ten.bin", "zero.bin"]
    assert get_body(client, bucket, "ten.bin") == b"0123456789"


def test_content_length_condition_seed_bucket_policy(cosd, client, bucket, sub, put_bucket_policy):
    """Seed 002 'Example 1: restricting the maximum value of the request header
    Content-Length', as a bucket policy naming the sub-account."""
    who = {"qcs": [sub.principal]}
    put_bucket_policy(bucket, {"version": "2.0", "statement": [
        {"principal": who, "effect": "allow", "action": ["name/cos:PutObject", "name/cos:PostObject"],
         "resource": [cos_resource(bucket, "*")],
         "condition": {"numeric_less_than_equal": {"cos:content-length": 10}}},
        {"principal": who, "effect": "deny", "action": ["name/cos:PutObject", "name/cos:PostObject"],
         "resource": [cos_resource(bucket, "*")],
         "condition": {"numeric_greater_than_if_exist": {"cos:content-length": 10}}}]})
    c = sub.client
    c.put_object(Bucket=bucket, Key="ok.bin", Body=b"abcdefghij")
    assert_denied(c.put_object, Bucket=bucket, Key="no.bin", Body=b"abcdefghijk")
    assert list_keys(client, bucket) == ["ok.bin"]


def test_content_length_minimum_seed_bucket_policy(cosd, client, bucket, sub, put_bucket_policy):
    """Seed 002 'Example 2: restricting the minimum value' (>= 2 bytes)."""
    who = {"qcs": [sub.principal]}
    put_bucket_policy(bucket, {"version": "2.0", "statement": [
        {"principal": who, "effect": "allow", "action": ["name/cos:PutObject", "name/cos:PostObject"],
         "resource": [cos_resource(bucket, "*")],
         "condition": {"numeric_greater_than_equal": {"cos:content-length": 2}}},
        {"principal": who, "effect": "deny", "action": ["name/cos:PutObject", "name/cos:PostObject"],
         "resource": [cos_resource(bucket, "*")],
         "condition": {"numeric_less_than_if_exist": {"cos:content-length": 2}}}]})
    sub.client.put_object(Bucket=bucket, Key="two.bin", Body=b"ab")
    assert_denied(sub.client.put_object, Bucket=bucket, Key="one.bin", Body=b"a")
    assert list_keys(client, bucket) == ["two.bin"]


# ================================================================ 5. cos:prefix

def _prefix_fixture(client, bucket):
    for k in ["doc/a.txt", "doc/b.txt", "docs.txt", "other/c.txt", "top.txt"]:
        client.put_object(Bucket=bucket, Key=k, Body=k.encode())


def test_prefix_condition_user_policy(cosd, client, bucket, sub):
    _prefix_fixture(client, bucket)
    sub.put_policy("list-doc", policy_doc(stmt(
        "allow", "name/cos:GetBucket", cos_resource(bucket, "*"),
        condition={"string_equal": {"cos:prefix": "doc%2F"}})))
    c = sub.client
    assert list_keys(c, bucket, Prefix="doc/") == ["doc/a.txt", "doc/b.txt"]
    assert_denied(c.list_objects, Bucket=bucket)
    assert_denied(c.list_objects, Bucket=bucket, Prefix="other/")
    assert_denied(c.list_objects, Bucket=bucket, Prefix="doc")
    # listing is not reading
    assert_denied(c.get_object, Bucket=bucket, Key="doc/a.txt")


def test_prefix_condition_seed_bucket_policy(cosd, client, bucket, sub, put_bucket_policy):
    """Seed 002 'Allowing listing objects in a specified directory only': allow
    GetBucket with prefix folder1%2F, deny any other prefix (the seed's deny value
    reads 'Folder1%2F', an evident typo; here both say the same directory)."""
    for k in ["folder1/a.txt", "folder1/sub/b.txt", "folder2/c.txt"]:
        client.put_object(Bucket=bucket, Key=k, Body=b"x")
    who = {"qcs": [sub.principal]}
    put_bucket_policy(bucket, {"statement": [
        {"principal": who, "effect": "allow", "action": ["name/cos:GetBucket"],
         "resource": [cos_resource(bucket, "*")],
         "condition": {"string_equal": {"cos:prefix": "folder1%2F"}}},
        {"principal": who, "effect": "deny", "action": ["name/cos:GetBucket"],
         "resource": [cos_resource(bucket, "*")],
         "condition": {"string_not_equal_if_exist": {"cos:prefix": "folder1%2F"}}}], "version": "2.0"})
    c = sub.client
    rt = c.list_objects(Bucket=bucket, Prefix="folder1/", Delimiter="/")
    assert [o["Key"] for o in rt.get("Contents", [])] == ["folder1/a.txt"]
    assert [p["Prefix"] for p in rt.get("CommonPrefixes", [])] == ["folder1/sub/"]
    assert_denied(c.list_objects, Bucket=bucket, Prefix="folder2/")
    assert_denied(c.list_objects, Bucket=bucket)
    # the deny binds only the sub-account: the owner lists everything
    assert len(list_keys(client, bucket)) == 3


def test_prefix_condition_special_characters_url_encoded(cosd, client, bucket, sub):
    """Seed: a prefix with Chinese characters or '/' is written URL-encoded."""
    client.put_object(Bucket=bucket, Key="文件夹/a.txt", Body=b"x")
    client.put_object(Bucket=bucket, Key="other/b.txt", Body=b"x")
    from urllib.parse import quote
    sub.put_policy("cn", policy_doc(stmt(
        "allow", "name/cos:GetBucket", cos_resource(bucket, "*"),
        condition={"string_equal": {"cos:prefix": quote("文件夹/", safe="")}})))
    assert list_keys(sub.client, bucket, Prefix="文件夹/") == ["文件夹/a.txt"]
    assert_denied(sub.client.list_objects, Bucket=bucket, Prefix="other/")


# ================================================================ 6. qcs:ip

def test_ip_condition(cosd, client, bucket, sub_factory):
    client.put_object(Bucket=bucket, Key="ip.txt", Body=b"ip")
    local = sub_factory()
    local.put_policy("ip", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"),
                                           condition={"ip_equal": {"qcs:ip": ["127.0.0.1"]}})))
    assert get_body(local.client, bucket, "ip.txt") == b"ip"

    lan = sub_factory()
    lan.put_policy("ip", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"),
                                         condition={"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}})))
    assert_denied(lan.client.get_object, Bucket=bucket, Key="ip.txt")

    # CIDR form and a list (seed 'Sample 4' / 'allowing only user access from specified IPs')
    cidr = sub_factory()
    cidr.put_policy("ip", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"),
                                          condition={"ip_equal": {"qcs:ip": ["192.168.1.0/24",
                                                                             "127.0.0.0/8"]}})))
    assert get_body(cidr.client, bucket, "ip.txt") == b"ip"


def test_ip_not_equal_deny(cosd, client, bucket, sub):
    client.put_object(Bucket=bucket, Key="ip.txt", Body=b"ip")
    sub.put_policy("all", policy_doc(stmt("allow", "name/cos:*", cos_resource(bucket, "*"))))
    # deny everything from outside 127.0.0.1: we are inside
    sub.put_policy("fence", policy_doc(stmt("deny", "name/cos:*", cos_resource(bucket, "*"),
                                            condition={"ip_not_equal": {"qcs:ip": ["127.0.0.1"]}})))
    assert get_body(sub.client, bucket, "ip.txt") == b"ip"
    sub.client.put_object(Bucket=bucket, Key="w.txt", Body=b"w")
    # deny everything from outside 10.0.0.0/8: we are outside
    sub.put_policy("fence", policy_doc(stmt("deny", "name/cos:*", cos_resource(bucket, "*"),
                                            condition={"ip_not_equal": {"qcs:ip": ["10.0.0.0/8"]}})))
    assert_denied(sub.client.get_object, Bucket=bucket, Key="ip.txt")
    assert_denied(sub.client.put_object, Bucket=bucket, Key="w2.txt", Body=b"w")


def test_ip_condition_ignores_untrusted_x_forwarded_for(cosd, client, bucket, sub_factory):
    """qcs:ip is the TCP peer; X-Forwarded-For counts only from trusted proxies
    (none are configured on the test server)."""
    client.put_object(Bucket=bucket, Key="ip.txt", Body=b"ip")
    lan = sub_factory()
    lan.put_policy("ip", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"),
                                         condition={"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}})))
    r = H.signed_request_as(cosd, lan.secret_id, lan.secret_key, "GET", bucket, "ip.txt",
                            headers={"X-Forwarded-For": "10.1.2.3"})
    assert_raw_error(r, 403, "AccessDenied")
    local = sub_factory()
    local.put_policy("ip", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"),
                                           condition={"ip_equal": {"qcs:ip": ["127.0.0.1"]}})))
    r = H.signed_request_as(cosd, local.secret_id, local.secret_key, "GET", bucket, "ip.txt",
                            headers={"X-Forwarded-For": "10.1.2.3"})
    assert r.status_code == 200 and r.content == b"ip", (r.status_code, r.text[:300])


# ================================================================ 7. bucket policy API

def cos_shape(doc):
    """What COS's GET Bucket policy answers for ``doc`` (API reference 436/8276): capitalised
    statement keys, lower-case ``version``."""
    return {"Statement": [{k[0].upper() + k[1:]: v for k, v in s.items()} for s in doc["statement"]],
            "version": doc["version"]}


def test_get_bucket_policy_answers_the_shape_cos_returns(client, bucket, sub):
    doc = {"version": "2.0", "statement": [{
        "principal": {"qcs": [sub.principal]}, "effect": "allow", "action": "name/cos:GetObject",
        "resource": [cos_resource(bucket, "pub/*")]}]}
    client.put_bucket_policy(Bucket=bucket, Policy=doc)
    got = json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"])
    assert got == {"Statement": [{"Principal": {"qcs": [sub.principal]}, "Effect": "allow",
                                  "Action": ["name/cos:GetObject"],
                                  "Resource": [cos_resource(bucket, "pub/*")]}],
                   "version": "2.0"}, got


def test_bucket_policy_put_get_delete(cosd, client, bucket, sub):
    e = service_error(client.get_bucket_policy, Bucket=bucket)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchPolicy")

    doc = policy_doc(stmt("allow", ["name/cos:GetObject"], [cos_resource(bucket, "pub/*")],
                          principal_qcs=[sub.principal]))
    client.put_bucket_policy(Bucket=bucket, Policy=doc)
    got = client.get_bucket_policy(Bucket=bucket)
    assert json.loads(got["Policy"]) == cos_shape(doc)

    # a JSON string is accepted too, and replaces the policy
    doc2 = policy_doc(stmt("deny", ["name/cos:DeleteObject"], [cos_resource(bucket, "*")],
                           principal_qcs=[sub.principal]))
    client.put_bucket_policy(Bucket=bucket, Policy=json.dumps(doc2))
    assert json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"]) == cos_shape(doc2)

    client.delete_bucket_policy(Bucket=bucket)
    e = service_error(client.get_bucket_policy, Bucket=bucket)
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchPolicy")


@pytest.mark.parametrize("body", [
    "{not json",
    json.dumps({"version": "2.0", "statement": [{"effect": "maybe", "action": ["name/cos:GetObject"],
                                                 "principal": {"qcs": [ANYONE]},
                                                 "resource": ["*"]}]}),
    json.dumps({"version": "2.0", "statement": [{"effect": "allow", "principal": {"qcs": [ANYONE]},
                                                 "resource": ["*"]}]}),
    json.dumps({"version": "2.0", "statement": [{"effect": "allow", "action": ["name/cos:GetObject"],
                                                 "principal": {"qcs": [ANYONE]}, "resource": ["*"],
                                                 "condition": {"no_such_operator": {"qcs:ip": "1.2.3.4"}}}]}),
], ids=["not-json", "bad-effect", "no-action", "bad-operator"])
def test_bucket_policy_malformed(cosd, client, bucket, body):
    e = service_error(client.put_bucket_policy, Bucket=bucket, Policy=body)
    assert (e.get_status_code(), e.get_error_code()) == (400, "MalformedPolicy")
    e = service_error(client.get_bucket_policy, Bucket=bucket)
    assert e.get_error_code() == "NoSuchPolicy"


def test_bucket_policy_api_needs_permission(cosd, client, bucket, sub, put_bucket_policy):
    """A sub-account without a grant cannot read or replace the bucket policy."""
    put_bucket_policy(bucket, policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"),
                                              principal_qcs=[sub.principal])))
    assert_denied(sub.client.get_bucket_policy, Bucket=bucket)
    assert_denied(sub.client.put_bucket_policy, Bucket=bucket,
                  Policy=policy_doc(stmt("allow", "name/cos:*", cos_resource(bucket, "*"),
                                         principal_qcs=[sub.principal])))
    assert_denied(sub.client.delete_bucket_policy, Bucket=bucket)
    assert json.loads(client.get_bucket_policy(Bucket=bucket)["Policy"])["Statement"][0]["Action"] == \
        ["name/cos:GetObject"]


# ================================================================ 8. bucket policy grants

def test_bucket_policy_grants_sub_account(cosd, client, bucket, sub, put_bucket_policy):
    client.put_object(Bucket=bucket, Key="r/a.txt", Body=b"readable")
    assert_denied(sub.client.get_object, Bucket=bucket, Key="r/a.txt")
    put_bucket_policy(bucket, policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"),
                                              principal_qcs=[H.principal(sub.uin)])))
    assert get_body(sub.client, bucket, "r/a.txt") == b"readable"
    # only what was granted
    assert_denied(sub.client.put_object, Bucket=bucket, Key="r/b.txt", Body=b"x")
    assert_denied(sub.client.list_objects, Bucket=bucket)
    assert_denied(sub.client.delete_object, Bucket=bucket, Key="r/a.txt")
    # another sub-account is not named by the policy
    other = H.create_sub_account(cosd)
    try:
        assert_denied(other.client.get_object, Bucket=bucket, Key="r/a.txt")
    finally:
        H.admin_request(cosd, "DELETE", "users/" + other.uin)
    client.delete_bucket_policy(Bucket=bucket)
    assert_denied(sub.client.get_object, Bucket=bucket, Key="r/a.txt")


def test_bucket_policy_directory_grant_seed_case1(cosd, client, bucket, sub, put_bucket_policy):
    """Seed 'Authorization Cases' case 1: all actions on folder/sub-folder/*."""
    put_bucket_policy(bucket, policy_doc(stmt("allow", "name/cos:*", cos_resource(bucket, "folder/sub-folder/*"),
                                              principal_qcs=[sub.principal])))
    sub.client.put_object(Bucket=bucket, Key="folder/sub-folder/x.txt", Body=b"x")
    assert get_body(sub.client, bucket, "folder/sub-folder/x.txt") == b"x"
    sub.client.delete_object(Bucket=bucket, Key="folder/sub-folder/x.txt")
    assert_denied(sub.client.put_object, Bucket=bucket, Key="folder/x.txt", Body=b"x")
    assert list_keys(client, bucket) == []


# ================================================================ 9. anonymous access

def _list_body_keys(r):
    import xml.etree.ElementTree as ET
    root = ET.fromstring(r.content)
    return [e.text for e in root.iter() if e.tag.split("}")[-1] == "Key"]


def test_anonymous_public_read_bucket_at_creation(cosd, client, bucket_factory):
    pub = bucket_factory(ACL="public-read")
    client.put_object(Bucket=pub, Key="a.txt", Body=b"public")
    client.put_object(Bucket=pub, Key="hidden.txt", Body=b"hidden")
    client.put_object_acl(Bucket=pub, Key="hidden.txt", ACL="private")

    r = H.anon_get(cosd, pub, "a.txt")
    assert r.status_code == 200 and r.content == b"public", (r.status_code, r.text[:300])
    r = H.anon_get(cosd, pub, "")
    assert r.status_code == 200, r.text[:300]
    assert sorted(_list_body_keys(r)) == ["a.txt", "hidden.txt"]
    # an object ACL other than default replaces the bucket ACL for reads of that object
    assert_raw_error(H.anon_get(cosd, pub, "hidden.txt"), 403, "AccessDenied")
    # HEAD too
    import requests
    r = requests.head(cosd.base_url + "/a.txt", headers={"Host": cosd.vhost(pub)}, timeout=30)
    assert r.status_code == 200
    r = requests.head(cosd.base_url + "/hidden.txt", headers={"Host": cosd.vhost(pub)}, timeout=30)
    assert r.status_code == 403
    # the owner still reads the private object
    assert get_body(client, pub, "hidden.txt") == b"hidden"


def test_anonymous_public_read_via_put_bucket_acl(cosd, client, bucket):
    client.put_object(Bucket=bucket, Key="a.txt", Body=b"soon public")
    assert_raw_error(H.anon_get(cosd, bucket, "a.txt"), 403, "AccessDenied")
    assert_raw_error(H.anon_get(cosd, bucket, ""), 403, "AccessDenied")
    client.put_bucket_acl(Bucket=bucket, ACL="public-read")
    r = H.anon_get(cosd, bucket, "a.txt")
    assert r.status_code == 200 and r.content == b"soon public", (r.status_code, r.text[:300])
    assert _list_body_keys(H.anon_get(cosd, bucket, "")) == ["a.txt"]
    # public-read is not public-write
    import requests
    r = requests.put(cosd.base_url + "/w.txt", data=b"x", headers={"Host": cosd.vhost(bucket)}, timeout=30)
    assert_raw_error(r, 403, "AccessDenied")
    # back to private
    client.put_bucket_acl(Bucket=bucket, ACL="private")
    assert_raw_error(H.anon_get(cosd, bucket, "a.txt"), 403, "AccessDenied")
    assert_raw_error(H.anon_get(cosd, bucket, ""), 403, "AccessDenied")


def test_anonymous_bucket_policy_anyone_prefix(cosd, client, bucket, put_bucket_policy):
    client.put_object(Bucket=bucket, Key="pub/a.txt", Body=b"pub")
    client.put_object(Bucket=bucket, Key="priv/a.txt", Body=b"priv")
    put_bucket_policy(bucket, policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "pub/*"),
                                              principal_qcs=[ANYONE])))
    r = H.anon_get(cosd, bucket, "pub/a.txt")
    assert r.status_code == 200 and r.content == b"pub", (r.status_code, r.text[:300])
    assert_raw_error(H.anon_get(cosd, bucket, "priv/a.txt"), 403, "AccessDenied")
    assert_raw_error(H.anon_get(cosd, bucket, ""), 403, "AccessDenied")
    # the SDK's Anonymous mode sends an empty Authorization header
    anon = cosd.client(Anonymous=True)
    assert get_body(anon, bucket, "pub/a.txt") == b"pub"
    assert_denied(anon.get_object, Bucket=bucket, Key="priv/a.txt")
    assert_denied(anon.put_object, Bucket=bucket, Key="pub/new.txt", Body=b"x")


def test_anyone_policy_also_covers_signed_sub_accounts(cosd, client, bucket, sub, put_bucket_policy):
    """principal anyone matches every caller, including a sub-account without a user policy."""
    client.put_object(Bucket=bucket, Key="pub/a.txt", Body=b"pub")
    put_bucket_policy(bucket, policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "pub/*"),
                                              principal_qcs=[ANYONE])))
    assert get_body(sub.client, bucket, "pub/a.txt") == b"pub"


# ================================================================ 10. ACL APIs

def _grants(acl):
    g = (acl.get("AccessControlList") or {}).get("Grant") or []
    return g if isinstance(g, list) else [g]


def test_get_bucket_acl_new_bucket(cosd, client, bucket):
    acl = client.get_bucket_acl(Bucket=bucket)
    assert acl["Owner"]["ID"] == ROOT_PRINCIPAL
    grants = _grants(acl)
    assert any(g["Grantee"].get("ID") == ROOT_PRINCIPAL and g["Permission"] == "FULL_CONTROL"
               for g in grants), grants
    assert not any(g["Grantee"].get("URI") == ALL_USERS_URI for g in grants), grants
    assert acl["CannedACL"] == "private"


def test_put_bucket_acl_public_read_is_reported_canned(cosd, client, bucket):
    client.put_bucket_acl(Bucket=bucket, ACL="public-read")
    acl = client.get_bucket_acl(Bucket=bucket)
    assert acl["CannedACL"] == "public-read", acl
    assert acl["Owner"]["ID"] == ROOT_PRINCIPAL
    assert {"Grantee": {"Type": "Group", "URI": ALL_USERS_URI}, "Permission": "READ"} in _grants(acl)
    client.put_bucket_acl(Bucket=bucket, ACL="public-read-write")
    assert client.get_bucket_acl(Bucket=bucket)["CannedACL"] == "public-read-write"
    client.put_bucket_acl(Bucket=bucket, ACL="private")
    assert client.get_bucket_acl(Bucket=bucket)["CannedACL"] == "private"


def test_create_bucket_public_read_acl_reported(cosd, client, bucket_factory):
    pub = bucket_factory(ACL="public-read")
    assert client.get_bucket_acl(Bucket=pub)["CannedACL"] == "public-read"


def test_bucket_acl_grant_read_to_sub_account(cosd, client, bucket, sub):
    client.put_object(Bucket=bucket, Key="a.txt", Body=b"acl read")
    assert_denied(sub.client.list_objects, Bucket=bucket)
    client.put_bucket_acl(Bucket=bucket, GrantRead='id="%s"' % sub.principal)
    acl = client.get_bucket_acl(Bucket=bucket)
    assert any(g["Grantee"].get("ID") == sub.principal and g["Permission"] == "READ"
               for g in _grants(acl)), _grants(acl)
    assert acl["CannedACL"] == "private"
    # READ on the bucket: list and read objects whose ACL is default
    assert list_keys(sub.client, bucket) == ["a.txt"]
    assert get_body(sub.client, bucket, "a.txt") == b"acl read"
    # ... not write, not the ACL itself
    assert_denied(sub.client.put_object, Bucket=bucket, Key="b.txt", Body=b"x")
    assert_denied(sub.client.delete_object, Bucket=bucket, Key="a.txt")
    assert_denied(sub.client.get_bucket_acl, Bucket=bucket)
    assert_denied(sub.client.put_bucket_acl, Bucket=bucket, ACL="public-read")
    # an object with its own (non-default) ACL is not covered by the bucket READ grant
    client.put_object(Bucket=bucket, Key="own.txt", Body=b"own")
    client.put_object_acl(Bucket=bucket, Key="own.txt", ACL="private")
    assert_denied(sub.client.get_object, Bucket=bucket, Key="own.txt")
    # replacing the ACL revokes the grant
    client.put_bucket_acl(Bucket=bucket, ACL="private")
    assert_denied(sub.client.list_objects, Bucket=bucket)
    assert_denied(sub.client.get_object, Bucket=bucket, Key="a.txt")


def test_bucket_acl_grant_write_and_acp(cosd, client, bucket, sub):
    # the SDK has no GrantReadACP parameter: send the grant headers directly
    r = H.signed_request(cosd, "PUT", cosd.vhost(bucket), params={"acl": ""},
                         headers={"x-cos-grant-write": 'id="%s"' % sub.principal,
                                  "x-cos-grant-read-acp": 'id="%s"' % sub.principal})
    assert r.status_code == 200, r.text
    sub.client.put_object(Bucket=bucket, Key="w.txt", Body=b"written by sub")
    sub.client.delete_object(Bucket=bucket, Key="w.txt")
    sub.client.put_object(Bucket=bucket, Key="w2.txt", Body=b"kept")
    assert_denied(sub.client.list_objects, Bucket=bucket)           # WRITE is not READ
    acl = sub.client.get_bucket_acl(Bucket=bucket)                   # READ_ACP
    assert acl["Owner"]["ID"] == ROOT_PRINCIPAL
    assert_denied(sub.client.put_bucket_acl, Bucket=bucket, ACL="public-read")   # no WRITE_ACP
    assert get_body(client, bucket, "w2.txt") == b"kept"


def test_bucket_acl_xml_body(cosd, client, bucket, sub):
    """PUT Bucket acl with an AccessControlPolicy body as the Python SDK builds it."""
    client.put_bucket_acl(Bucket=bucket, AccessControlPolicy={
        "Owner": {"ID": ROOT_PRINCIPAL},
        "AccessControlList": {"Grant": [
            {"Grantee": {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:type": "CanonicalUser",
                         "ID": ROOT_PRINCIPAL}, "Permission": "FULL_CONTROL"},
            {"Grantee": {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:type": "CanonicalUser",
                         "ID": sub.principal}, "Permission": "READ"},
            {"Grantee": {"@xmlns:xsi": "http://www.w3.org/2001/XMLSchema-instance", "@xsi:type": "Group",
                         "URI": ALL_USERS_URI}, "Permission": "READ"}]}})
    acl = client.get_bucket_acl(Bucket=bucket)
    assert acl["CannedACL"] == "public-read"
    assert any(g["Grantee"].get("ID") == sub.principal and g["Permission"] == "READ" for g in _grants(acl))
    client.put_object(Bucket=bucket, Key="a.txt", Body=b"x")
    assert list_keys(sub.client, bucket) == ["a.txt"]
    assert H.anon_get(cosd, bucket, "a.txt").status_code == 200


def test_object_acl_default_then_grants(cosd, client, bucket, sub):
    client.put_object(Bucket=bucket, Key="o.txt", Body=b"object acl")
    client.put_object(Bucket=bucket, Key="other.txt", Body=b"other")
    acl = client.get_object_acl(Bucket=bucket, Key="o.txt")
    assert acl["CannedACL"] == "default", acl
    assert acl["Owner"]["ID"] == ROOT_PRINCIPAL

    client.put_object_acl(Bucket=bucket, Key="o.txt", GrantRead='id="%s"' % sub.principal)
    acl = client.get_object_acl(Bucket=bucket, Key="o.txt")
    assert acl["CannedACL"] == "private", acl
    assert any(g["Grantee"].get("ID") == sub.principal and g["Permission"] == "READ" for g in _grants(acl))
    # READ on the object: GetObject/HeadObject of that object only
    assert get_body(sub.client, bucket, "o.txt") == b"object acl"
    assert sub.client.head_object(Bucket=bucket, Key="o.txt")["Content-Length"] == str(len(b"object acl"))
    assert_denied(sub.client.get_object, Bucket=bucket, Key="other.txt")
    assert_denied(sub.client.put_object, Bucket=bucket, Key="o.txt", Body=b"overwrite")
    assert_denied(sub.client.list_objects, Bucket=bucket)
    assert_denied(sub.client.get_object_acl, Bucket=bucket, Key="o.txt")

    client.put_object_acl(Bucket=bucket, Key="o.txt", ACL="public-read")
    acl = client.get_object_acl(Bucket=bucket, Key="o.txt")
    assert acl["CannedACL"] == "public-read", acl
    r = H.anon_get(cosd, bucket, "o.txt")
    assert r.status_code == 200 and r.content == b"object acl"
    assert_raw_error(H.anon_get(cosd, bucket, "other.txt"), 403, "AccessDenied")

    client.put_object_acl(Bucket=bucket, Key="o.txt", ACL="default")
    assert client.get_object_acl(Bucket=bucket, Key="o.txt")["CannedACL"] == "default"
    assert_raw_error(H.anon_get(cosd, bucket, "o.txt"), 403, "AccessDenied")
    # missing object
    e = service_error(client.get_object_acl, Bucket=bucket, Key="none.txt")
    assert (e.get_status_code(), e.get_error_code()) == (404, "NoSuchKey")


def test_put_object_with_public_read_acl(cosd, client, bucket, sub):
    client.put_object(Bucket=bucket, Key="p.txt", Body=b"public object", ACL="public-read")
    client.put_object(Bucket=bucket, Key="q.txt", Body=b"private object")
    r = H.anon_get(cosd, bucket, "p.txt")
    assert r.status_code == 200 and r.content == b"public object", (r.status_code, r.text[:300])
    assert_raw_error(H.anon_get(cosd, bucket, "q.txt"), 403, "AccessDenied")
    assert client.get_object_acl(Bucket=bucket, Key="p.txt")["CannedACL"] == "public-read"
    # grant headers on PUT Object
    client.put_object(Bucket=bucket, Key="g.txt", Body=b"granted", GrantRead='id="%s"' % sub.principal)
    assert get_body(sub.client, bucket, "g.txt") == b"granted"
    assert_denied(sub.client.get_object, Bucket=bucket, Key="q.txt")
    # an overwrite without ACL headers: the object is back to default
    client.put_object(Bucket=bucket, Key="p.txt", Body=b"now private")
    assert_raw_error(H.anon_get(cosd, bucket, "p.txt"), 403, "AccessDenied")


# ================================================================ 11. key management

def test_disable_enable_and_delete_keys(cosd, client, bucket, sub_factory):
    acct = sub_factory()
    acct.put_policy("read", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"))))
    client.put_object(Bucket=bucket, Key="k.txt", Body=b"keyed")
    assert get_body(acct.client, bucket, "k.txt") == b"keyed"

    key = H.admin_ok(cosd, "PUT", "keys/" + acct.secret_id, {"enabled": False})
    assert key["secret_id"] == acct.secret_id and key["enabled"] is False
    assert str(key["uin"]) == acct.uin
    assert "secret_key" not in key
    e = service_error(acct.client.get_object, Bucket=bucket, Key="k.txt")
    assert (e.get_status_code(), e.get_error_code()) == (403, "InvalidAccessKeyId")
    assert key_states(H.admin_ok(cosd, "GET", "users/" + acct.uin)) == [(acct.secret_id, False)]

    key = H.admin_ok(cosd, "PUT", "keys/" + acct.secret_id, {"enabled": True})
    assert key["enabled"] is True
    assert get_body(acct.client, bucket, "k.txt") == b"keyed"

    # a second key, generated by the server
    k2 = H.admin_ok(cosd, "POST", "users/%s/keys" % acct.uin, {})
    assert k2["secret_id"] and k2["secret_key"] and k2["enabled"] is True and str(k2["uin"]) == acct.uin
    c2 = cosd.client(k2["secret_id"], k2["secret_key"])
    assert get_body(c2, bucket, "k.txt") == b"keyed"
    r = H.admin_request(cosd, "DELETE", "keys/" + k2["secret_id"])
    assert r.status_code == 204, r.text
    e = service_error(c2.get_object, Bucket=bucket, Key="k.txt")
    assert (e.get_status_code(), e.get_error_code()) == (403, "InvalidAccessKeyId")
    assert get_body(acct.client, bucket, "k.txt") == b"keyed"

    # deleting the user: its keys go too
    r = H.admin_request(cosd, "DELETE", "users/" + acct.uin)
    assert r.status_code == 204, r.text
    e = service_error(acct.client.get_object, Bucket=bucket, Key="k.txt")
    assert (e.get_status_code(), e.get_error_code()) == (403, "InvalidAccessKeyId")
    r = H.admin_request(cosd, "PUT", "keys/" + acct.secret_id, {"enabled": True})
    assert r.status_code == 404 and r.json()["code"] == "NoSuchKey", r.text
    # re-creating the uin does not bring back the old policy
    r = H.admin_request(cosd, "POST", "users", {"uin": acct.uin, "secret_id": acct.secret_id,
                                                "secret_key": acct.secret_key})
    assert r.status_code == 200, r.text
    assert r.json()["policies"] == []
    assert_denied(acct.client.get_object, Bucket=bucket, Key="k.txt")


def test_root_key_cannot_be_disabled_through_admin_api(server_factory):
    """The admin API manages the root account's sub-account keys: the root key is
    not one of them (private server, so a failure cannot lock out the suite)."""
    srv = server_factory("rootkey").start()
    r = H.admin_request(srv, "PUT", "keys/" + H.ROOT_SECRET_ID, {"enabled": False})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    r = H.admin_request(srv, "DELETE", "keys/" + H.ROOT_SECRET_ID)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert H.admin_request(srv, "GET", "users").status_code == 200
    srv.client().list_buckets()


# ================================================================ 12. groups

def test_group_policy_applies_to_members(cosd, client, bucket, sub_factory):
    import uuid
    g = "g" + uuid.uuid4().hex[:12]
    grp = H.admin_ok(cosd, "POST", "groups", {"name": g})
    try:
        assert (grp["name"], grp["members"], grp["policies"]) == (g, [], [])
        r = H.admin_request(cosd, "POST", "groups", {"name": g})
        assert r.status_code == 409 and r.json()["code"] == "GroupAlreadyExists", r.text

        grp = H.admin_ok(cosd, "PUT", "groups/%s/policies/readers" % g,
                         policy_doc(stmt("allow", ["name/cos:GetObject", "name/cos:GetBucket"],
                                         cos_resource(bucket, "*"))))
        assert grp["policies"] == ["readers"]
        client.put_object(Bucket=bucket, Key="g.txt", Body=b"group data")

        member = sub_factory()
        outsider = sub_factory()
        assert_denied(member.client.get_object, Bucket=bucket, Key="g.txt")
        grp = H.admin_ok(cosd, "PUT", "groups/%s/members/%s" % (g, member.uin))
        assert [str(m) for m in grp["members"]] == [member.uin]
        assert g in H.admin_ok(cosd, "GET", "users/" + member.uin)["groups"]

        assert get_body(member.client, bucket, "g.txt") == b"group data"
        assert list_keys(member.client, bucket) == ["g.txt"]
        assert_denied(member.client.put_object, Bucket=bucket, Key="n.txt", Body=b"x")
        assert_denied(outsider.client.get_object, Bucket=bucket, Key="g.txt")

        # a user created with groups=[g] is a member from the start
        born = sub_factory(groups=[g])
        assert get_body(born.client, bucket, "g.txt") == b"group data"

        grp = H.admin_ok(cosd, "DELETE", "groups/%s/members/%s" % (g, member.uin))
        assert member.uin not in [str(m) for m in grp["members"]]
        assert_denied(member.client.get_object, Bucket=bucket, Key="g.txt")
        assert get_body(born.client, bucket, "g.txt") == b"group data"

        # a deny in the group beats the user's own allow
        born.put_policy("all", policy_doc(stmt("allow", "name/cos:*", cos_resource(bucket, "*"))))
        H.admin_ok(cosd, "PUT", "groups/%s/policies/no-put" % g,
                   policy_doc(stmt("deny", "name/cos:PutObject", cos_resource(bucket, "*"))))
        assert_denied(born.client.put_object, Bucket=bucket, Key="n.txt", Body=b"x")
        r = H.admin_request(cosd, "DELETE", "groups/%s/policies/no-put" % g)
        assert r.status_code == 204, r.text
        born.client.put_object(Bucket=bucket, Key="n.txt", Body=b"x")
        born.delete_policy("all")
        born.put_policy("list", policy_doc(stmt("allow", "name/cos:GetBucket", cos_resource(bucket, "*"))))

        r = H.admin_request(cosd, "DELETE", "groups/%s" % g)
        assert r.status_code == 204, r.text
        assert_denied(born.client.get_object, Bucket=bucket, Key="g.txt")      # group policy gone
        assert sorted(list_keys(born.client, bucket)) == ["g.txt", "n.txt"]      # own policy still there
        assert H.admin_ok(cosd, "GET", "users/" + born.uin)["groups"] == []
        r = H.admin_request(cosd, "PUT", "groups/%s/members/%s" % (g, born.uin))
        assert r.status_code == 404 and r.json()["code"] == "NoSuchGroup", r.text
    finally:
        H.admin_request(cosd, "DELETE", "groups/%s" % g)


def test_group_via_cli(cosd, client, bucket, sub):
    import uuid
    g = "c" + uuid.uuid4().hex[:12]
    try:
        out = cli_json(H.admin_cli(cosd, "group", "add", g))
        assert out["name"] == g
        doc = json.dumps(policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"))))
        out = cli_json(H.admin_cli(cosd, "group", "policy-put", g, "--name", "r", "--document", doc))
        assert out["policies"] == ["r"]
        client.put_object(Bucket=bucket, Key="c.txt", Body=b"cli group")
        out = cli_json(H.admin_cli(cosd, "group", "add-user", g, sub.uin))
        assert sub.uin in [str(m) for m in out["members"]]
        assert get_body(sub.client, bucket, "c.txt") == b"cli group"
        out = cli_json(H.admin_cli(cosd, "group", "remove-user", g, sub.uin))
        assert sub.uin not in [str(m) for m in out["members"]]
        assert_denied(sub.client.get_object, Bucket=bucket, Key="c.txt")
        p = H.admin_cli(cosd, "group", "delete", g)
        assert p.returncode == 0, (p.stdout, p.stderr)
        p = H.admin_cli(cosd, "group", "add-user", g, sub.uin)
        assert p.returncode == 1 and "NoSuchGroup" in p.stdout + p.stderr, (p.stdout, p.stderr)
    finally:
        H.admin_request(cosd, "DELETE", "groups/%s" % g)


# ================================================================ 13. simulator

SIM_POLICY = "docs"


def _sim_policy(bucket):
    return policy_doc(
        stmt("allow", ["name/cos:GetObject"], cos_resource(bucket, "doc/*")),
        stmt("deny", ["name/cos:GetObject"], cos_resource(bucket, "doc/secret/*")),
        stmt("allow", ["name/cos:PutObject"], cos_resource(bucket, "lan/*"),
             condition={"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}}))


def _simulate(cosd, sub, bucket, key, action="name/cos:GetObject", conditions=None):
    body = {"uin": sub.uin, "action": action, "resource": cos_resource(bucket, key)}
    if conditions is not None:
        body["conditions"] = conditions
    return H.admin_ok(cosd, "POST", "simulate", body)


def test_simulate_api_and_cli(cosd, bucket, sub):
    sub.put_policy(SIM_POLICY, _sim_policy(bucket))

    allow = _simulate(cosd, sub, bucket, "doc/a.txt")
    assert allow["decision"] == "allow", allow
    assert SIM_POLICY in allow["reason"] and "statement" in allow["reason"], allow

    deny = _simulate(cosd, sub, bucket, "doc/secret/a.txt")
    assert deny["decision"] == "deny", deny
    assert SIM_POLICY in deny["reason"] and "statement" in deny["reason"], deny
    assert deny["reason"] != allow["reason"]          # names the deny statement, not the allow

    none = _simulate(cosd, sub, bucket, "other/a.txt")
    assert none["decision"] == "deny" and none["reason"], none
    assert SIM_POLICY not in none["reason"], none
    assert none.get("policy") is None and none.get("statement") is None, none

    assert _simulate(cosd, sub, bucket, "lan/x", "name/cos:PutObject", {"qcs:ip": ["10.1.2.3"]})["decision"] == "allow"
    assert _simulate(cosd, sub, bucket, "lan/x", "name/cos:PutObject", {"qcs:ip": ["127.0.0.1"]})["decision"] == "deny"

    # the CLI prints the same answer
    for key, want in [("doc/a.txt", allow), ("doc/secret/a.txt", deny), ("other/a.txt", none)]:
        out = cli_json(H.admin_cli(cosd, "simulate", "--uin", sub.uin, "--action", "name/cos:GetObject",
                                   "--resource", cos_resource(bucket, key)))
        assert out == want, (key, out, want)
    out = cli_json(H.admin_cli(cosd, "simulate", "--uin", sub.uin, "--action", "name/cos:PutObject",
                               "--resource", cos_resource(bucket, "lan/x"), "--condition", "qcs:ip=10.1.2.3"))
    assert out["decision"] == "allow" and SIM_POLICY in out["reason"], out
    out = cli_json(H.admin_cli(cosd, "simulate", "--uin", sub.uin, "--action", "name/cos:PutObject",
                               "--resource", cos_resource(bucket, "lan/x"), "--condition", "qcs:ip=127.0.0.1"))
    assert out["decision"] == "deny", out


def test_simulate_reports_policy_and_statement_fields(cosd, bucket, sub):
    sub.put_policy(SIM_POLICY, _sim_policy(bucket))
    allow = _simulate(cosd, sub, bucket, "doc/a.txt")
    deny = _simulate(cosd, sub, bucket, "doc/secret/a.txt")
    lan = _simulate(cosd, sub, bucket, "lan/x", "name/cos:PutObject", {"qcs:ip": ["10.1.2.3"]})
    assert allow["policy"] == deny["policy"] == lan["policy"] == SIM_POLICY, (allow, deny, lan)
    assert allow["statement"] == 0, allow    # statements count from 0
    assert deny["statement"] == 1, deny
    assert lan["statement"] == 2, lan


def test_simulate_principal_and_bucket_policy(cosd, client, bucket, sub, put_bucket_policy):
    """The simulator also takes a principal (here: anonymous) and the bucket policy."""
    put_bucket_policy(bucket, policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "pub/*"),
                                              principal_qcs=[ANYONE])))
    out = H.admin_ok(cosd, "POST", "simulate", {"principal": ANYONE, "action": "name/cos:GetObject",
                                                "resource": cos_resource(bucket, "pub/a.txt")})
    assert out["decision"] == "allow", out
    out = H.admin_ok(cosd, "POST", "simulate", {"principal": ANYONE, "action": "name/cos:GetObject",
                                                "resource": cos_resource(bucket, "priv/a.txt")})
    assert out["decision"] == "deny", out
    # the owner is allowed
    out = H.admin_ok(cosd, "POST", "simulate", {"principal": ROOT_PRINCIPAL, "action": "name/cos:PutObject",
                                                "resource": cos_resource(bucket, "x")})
    assert out["decision"] == "allow", out


# ================================================================ 14. copy

def test_copy_needs_get_on_source(cosd, client, bucket, sub):
    client.put_object(Bucket=bucket, Key="src/a.txt", Body=b"copy source")
    sub.put_policy("dst", policy_doc(stmt("allow", "name/cos:PutObject", cos_resource(bucket, "dst/*"))))
    src = {"Bucket": bucket, "Key": "src/a.txt", "Region": H.REGION}
    assert_denied(sub.client.copy_object, Bucket=bucket, Key="dst/a.txt", CopySource=src)
    e = service_error(client.head_object, Bucket=bucket, Key="dst/a.txt")
    assert e.get_status_code() == 404

    # with GetObject on the source the copy goes through
    sub.put_policy("src", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "src/*"))))
    sub.client.copy_object(Bucket=bucket, Key="dst/a.txt", CopySource=src)
    assert get_body(client, bucket, "dst/a.txt") == b"copy source"
    # ... but PutObject on the target is still needed
    assert_denied(sub.client.copy_object, Bucket=bucket, Key="elsewhere/a.txt", CopySource=src)


def test_copy_source_in_bucket_the_caller_cannot_read(cosd, client, bucket_factory, sub):
    """Cross-bucket copy: the source bucket's objects are not readable to the caller."""
    a, b = bucket_factory(), bucket_factory()
    client.put_object(Bucket=a, Key="s.txt", Body=b"secret source")
    sub.put_policy("b", policy_doc(stmt("allow", "name/cos:*", cos_resource(b, "*"))))
    assert_denied(sub.client.copy_object, Bucket=b, Key="t.txt",
                  CopySource={"Bucket": a, "Key": "s.txt", "Region": H.REGION})
    assert list_keys(client, b) == []


# ================================================================ 15. multi-object delete

def test_multi_delete_per_key_access_denied(cosd, client, bucket, sub):
    for k in ["del/a.txt", "del/b.txt", "keep/a.txt", "keep/b.txt"]:
        client.put_object(Bucket=bucket, Key=k, Body=k.encode())
    sub.put_policy("del", policy_doc(stmt("allow", "name/cos:DeleteObject", cos_resource(bucket, "del/*"))))
    rt = sub.client.delete_objects(Bucket=bucket, Delete={
        "Object": [{"Key": k} for k in ["del/a.txt", "keep/a.txt", "del/b.txt", "keep/b.txt"]],
        "Quiet": "false"})
    assert sorted(d["Key"] for d in rt.get("Deleted", [])) == ["del/a.txt", "del/b.txt"]
    errors = {e["Key"]: e["Code"] for e in rt.get("Error", [])}
    assert errors == {"keep/a.txt": "AccessDenied", "keep/b.txt": "AccessDenied"}
    assert sorted(list_keys(client, bucket)) == ["keep/a.txt", "keep/b.txt"]

    # quiet: only the errors come back
    client.put_object(Bucket=bucket, Key="del/c.txt", Body=b"c")
    rt = sub.client.delete_objects(Bucket=bucket, Delete={
        "Object": [{"Key": "del/c.txt"}, {"Key": "keep/a.txt"}], "Quiet": "true"})
    assert rt.get("Deleted", []) == []
    assert [(e["Key"], e["Code"]) for e in rt.get("Error", [])] == [("keep/a.txt", "AccessDenied")]
    assert sorted(list_keys(client, bucket)) == ["keep/a.txt", "keep/b.txt"]


def test_multi_delete_with_no_grant_at_all(cosd, client, bucket, sub):
    """The contract checks DeleteObject per key: a caller with no grant at all gets
    a 200 DeleteResult whose entries are all AccessDenied."""
    client.put_object(Bucket=bucket, Key="a.txt", Body=b"a")
    rt = sub.client.delete_objects(Bucket=bucket, Delete={"Object": [{"Key": "a.txt"}], "Quiet": "false"})
    assert rt.get("Deleted", []) == []
    assert [(e["Key"], e["Code"]) for e in rt.get("Error", [])] == [("a.txt", "AccessDenied")]
    assert list_keys(client, bucket) == ["a.txt"]


# ================================================================ more condition keys (seed 002 examples)
# The seed bucket policies below are copied with their principal spelling
# "qcs::cam:uin/..." (one colon), which the seeds use throughout.

def _seed_principal(sub):
    return {"qcs": ["qcs::cam:uin/%s:uin/%s" % (ROOT_UIN, sub.uin)]}


def _allow_deny_pair(bucket, sub, actions, allow_cond, deny_cond, key="*"):
    who = _seed_principal(sub)
    res = [cos_resource(bucket, key)]
    return {"version": "2.0", "statement": [
        {"principal": who, "effect": "allow", "action": actions, "resource": res, "condition": allow_cond},
        {"principal": who, "effect": "deny", "action": actions, "resource": res, "condition": deny_cond}]}


def test_content_type_condition_seed(cosd, client, bucket, sub, put_bucket_policy):
    put_bucket_policy(bucket, _allow_deny_pair(
        bucket, sub, ["name/cos:PutObject"],
        {"string_equal_ignore_case": {"cos:content-type": "image/jpeg"}},
        {"string_not_equal_ignore_case_if_exist": {"cos:content-type": "image/jpeg"}}))
    c = sub.client
    c.put_object(Bucket=bucket, Key="a.jpg", Body=b"jpeg", ContentType="image/jpeg")
    c.put_object(Bucket=bucket, Key="b.jpg", Body=b"jpeg", ContentType="IMAGE/JPEG")
    assert_denied(c.put_object, Bucket=bucket, Key="c.html", Body=b"<html>", ContentType="text/html")
    # no Content-Type at all: the allow needs it
    r = H.signed_request_as(cosd, sub.secret_id, sub.secret_key, "PUT", bucket, "d.bin", data=b"raw")
    assert "Content-Type" not in r.request.headers
    assert_raw_error(r, 403, "AccessDenied")
    assert sorted(list_keys(client, bucket)) == ["a.jpg", "b.jpg"]


def test_response_content_type_condition_seed(cosd, client, bucket, sub, put_bucket_policy):
    client.put_object(Bucket=bucket, Key="pic", Body=b"pic", ContentType="application/octet-stream")
    put_bucket_policy(bucket, _allow_deny_pair(
        bucket, sub, ["name/cos:GetObject"],
        {"string_equal": {"cos:response-content-type": "image%2Fjpeg"}},
        {"string_not_equal_if_exist": {"cos:response-content-type": "image%2Fjpeg"}}))
    got = sub.client.get_object(Bucket=bucket, Key="pic", ResponseContentType="image/jpeg")
    assert got["Content-Type"] == "image/jpeg"
    assert H.read_body(got) == b"pic"
    assert_denied(sub.client.get_object, Bucket=bucket, Key="pic")
    assert_denied(sub.client.get_object, Bucket=bucket, Key="pic", ResponseContentType="text/plain")


def test_secure_transport_condition_seed(cosd, client, bucket, sub_factory, put_bucket_policy):
    """The test server speaks plain HTTP: cos:secure-transport is false."""
    client.put_object(Bucket=bucket, Key="s", Body=b"s")
    https_only, fenced = sub_factory(), sub_factory()
    fenced.put_policy("all", policy_doc(stmt("allow", "name/cos:*", cos_resource(bucket, "*"))))
    put_bucket_policy(bucket, {"version": "2.0", "statement": [
        # Example 1: allow GetObject only over HTTPS
        {"principal": _seed_principal(https_only), "effect": "allow", "action": ["name/cos:GetObject"],
         "resource": [cos_resource(bucket, "*")], "condition": {"bool_equal": {"cos:secure-transport": "true"}}},
        # Example 2: deny any non-HTTPS request
        {"principal": _seed_principal(fenced), "effect": "deny", "action": ["*"],
         "resource": [cos_resource(bucket, "*")], "condition": {"bool_equal": {"cos:secure-transport": "false"}}}]})
    assert_denied(https_only.client.get_object, Bucket=bucket, Key="s")
    assert_denied(fenced.client.get_object, Bucket=bucket, Key="s")
    assert_denied(fenced.client.put_object, Bucket=bucket, Key="t", Body=b"t")
    # without the fence the user policy is enough
    client.delete_bucket_policy(Bucket=bucket)
    assert get_body(fenced.client, bucket, "s") == b"s"


def test_storage_class_condition_seed(cosd, client, bucket, sub, put_bucket_policy):
    put_bucket_policy(bucket, _allow_deny_pair(
        bucket, sub, ["name/cos:PutObject"],
        {"string_equal": {"cos:x-cos-storage-class": "STANDARD"}},
        {"string_not_equal_if_exist": {"cos:x-cos-storage-class": "STANDARD"}}))
    sub.client.put_object(Bucket=bucket, Key="std", Body=b"x", StorageClass="STANDARD")
    assert_denied(sub.client.put_object, Bucket=bucket, Key="ia", Body=b"x", StorageClass="STANDARD_IA")
    assert_denied(sub.client.put_object, Bucket=bucket, Key="none", Body=b"x")
    assert list_keys(client, bucket) == ["std"]


def test_x_cos_acl_condition_seed(cosd, client, bucket, sub, put_bucket_policy):
    put_bucket_policy(bucket, _allow_deny_pair(
        bucket, sub, ["name/cos:PutObject"],
        {"string_equal": {"cos:x-cos-acl": "private"}},
        {"string_not_equal_if_exist": {"cos:x-cos-acl": "private"}}))
    sub.client.put_object(Bucket=bucket, Key="priv", Body=b"x", ACL="private")
    assert_denied(sub.client.put_object, Bucket=bucket, Key="pub", Body=b"x", ACL="public-read")
    assert_denied(sub.client.put_object, Bucket=bucket, Key="none", Body=b"x")
    assert list_keys(client, bucket) == ["priv"]
    assert client.get_object_acl(Bucket=bucket, Key="priv")["CannedACL"] == "private"


def test_forbid_overwrite_condition_seed(cosd, client, bucket, sub, put_bucket_policy):
    put_bucket_policy(bucket, _allow_deny_pair(
        bucket, sub, ["name/cos:PutObject"],
        {"string_equal": {"cos:x-cos-forbid-overwrite": "true"}},
        {"string_not_equal_if_exist": {"cos:x-cos-forbid-overwrite": "true"}}))
    put = lambda key, headers: H.signed_request_as(cosd, sub.secret_id, sub.secret_key, "PUT", bucket, key,
                                                   headers=headers, data=b"data")
    r = put("f", {"x-cos-forbid-overwrite": "true"})
    assert r.status_code == 200, r.text
    # allowed by the policy, refused by the header itself: the object exists
    r = put("f", {"x-cos-forbid-overwrite": "true"})
    assert r.status_code == 409, r.text
    assert_raw_error(put("g", {}), 403, "AccessDenied")
    assert_raw_error(put("g", {"x-cos-forbid-overwrite": "false"}), 403, "AccessDenied")
    assert list_keys(client, bucket) == ["f"]


def test_host_condition_seed(cosd, client, bucket, sub, put_bucket_policy):
    """Seed 'Forbid users from accessing COS through specified domains': the default
    domain is denied, another accepted domain (cos.local, config default) is not."""
    client.put_object(Bucket=bucket, Key="h", Body=b"host")
    default_host = cosd.vhost(bucket)
    who = {"qcs": [sub.principal]}
    put_bucket_policy(bucket, {"version": "2.0", "statement": [
        {"principal": who, "effect": "deny", "action": ["*"], "resource": [cos_resource(bucket, "*")],
         "condition": {"string_equal": {"cos:host": default_host}}},
        {"principal": who, "effect": "allow", "action": ["*"], "resource": [cos_resource(bucket, "*")],
         "condition": {"string_not_equal": {"cos:host": default_host}}}]})
    assert_denied(sub.client.get_object, Bucket=bucket, Key="h")
    from qcloud_cos.cos_auth import CosS3Auth
    import requests
    other_host = "%s.cos.local" % bucket
    r = requests.get(cosd.base_url + "/h", headers={"Host": other_host}, timeout=30,
                     auth=CosS3Auth(cosd.config(sub.secret_id, sub.secret_key), "h"))
    assert r.status_code == 200 and r.content == b"host", (r.status_code, r.text[:300])


# ================================================================ other operations

def test_presigned_url_of_sub_account_follows_its_policy(cosd, client, bucket, sub):
    import requests
    from qcloud_cos import CosConfig, CosS3Client
    client.put_object(Bucket=bucket, Key="ok/a", Body=b"presigned ok")
    client.put_object(Bucket=bucket, Key="no/a", Body=b"presigned no")
    sub.put_policy("ok", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "ok/*"))))
    signer = CosS3Client(CosConfig(Region=cosd.region, SecretId=sub.secret_id, SecretKey=sub.secret_key,
                                   Scheme="http"), retry=0)
    from urllib.parse import urlsplit

    def fetch(key):
        url = signer.get_presigned_url(Bucket=bucket, Key=key, Method="GET", Expired=300)
        parts = urlsplit(url)
        return requests.get(cosd.base_url + parts.path + "?" + parts.query,
                            headers={"Host": parts.netloc}, timeout=30)

    r = fetch("ok/a")
    assert r.status_code == 200 and r.content == b"presigned ok", (r.status_code, r.text[:300])
    assert_raw_error(fetch("no/a"), 403, "AccessDenied")


def test_get_service_for_sub_account(cosd, client, bucket, sub):
    svc = cosd.client(sub.secret_id, sub.secret_key)
    assert_denied(svc.list_buckets)
    sub.put_policy("svc", policy_doc(stmt("allow", "name/cos:GetService", "*")))
    names = [b["Name"] for b in svc.list_buckets()["Buckets"]["Bucket"]]
    assert bucket in names
    # listing buckets is not reading them
    assert_denied(sub.client.list_objects, Bucket=bucket)


def test_head_bucket_with_read_acl(cosd, client, bucket, sub):
    e = service_error(sub.client.head_bucket, Bucket=bucket)
    assert e.get_status_code() == 403
    client.put_bucket_acl(Bucket=bucket, GrantRead='id="%s"' % sub.principal)
    sub.client.head_bucket(Bucket=bucket)


def test_append_object_action(cosd, client, bucket, sub):
    sub.put_policy("app", policy_doc(stmt("allow", "name/cos:AppendObject", cos_resource(bucket, "app/*"))))
    sub.client.append_object(Bucket=bucket, Key="app/log", Position=0, Data=b"one,")
    sub.client.append_object(Bucket=bucket, Key="app/log", Position=4, Data=b"two")
    assert get_body(client, bucket, "app/log") == b"one,two"
    assert_denied(sub.client.append_object, Bucket=bucket, Key="other/log", Position=0, Data=b"x")
    # AppendObject is not PutObject
    assert_denied(sub.client.put_object, Bucket=bucket, Key="app/put", Body=b"x")


def test_public_read_write_bucket_lets_anonymous_write(cosd, client, bucket_factory):
    import requests
    b = bucket_factory(ACL="public-read-write")
    r = requests.put(cosd.base_url + "/anon.txt", data=b"anon", headers={"Host": cosd.vhost(b)}, timeout=30)
    assert r.status_code == 200, r.text
    assert get_body(client, b, "anon.txt") == b"anon"
    r = requests.delete(cosd.base_url + "/anon.txt", headers={"Host": cosd.vhost(b)}, timeout=30)
    assert r.status_code == 204, r.text
    assert list_keys(client, b) == []


def test_object_full_control_grant(cosd, client, bucket, sub):
    client.put_object(Bucket=bucket, Key="fc", Body=b"full control", GrantFullControl='id="%s"' % sub.principal)
    client.put_object(Bucket=bucket, Key="other", Body=b"other")
    assert get_body(sub.client, bucket, "fc") == b"full control"
    acl = sub.client.get_object_acl(Bucket=bucket, Key="fc")                 # READ_ACP
    assert any(g["Grantee"].get("ID") == sub.principal and g["Permission"] == "FULL_CONTROL"
               for g in _grants(acl)), _grants(acl)
    sub.client.put_object_acl(Bucket=bucket, Key="fc", ACL="public-read")   # WRITE_ACP
    assert H.anon_get(cosd, bucket, "fc").status_code == 200
    assert_denied(sub.client.get_object_acl, Bucket=bucket, Key="other")
    assert_denied(sub.client.put_object_acl, Bucket=bucket, Key="other", ACL="public-read")


def test_bucket_write_acp_grant(cosd, client, bucket, sub):
    r = H.signed_request(cosd, "PUT", cosd.vhost(bucket), params={"acl": ""},
                         headers={"x-cos-grant-write-acp": 'id="%s"' % sub.principal})
    assert r.status_code == 200, r.text
    assert_denied(sub.client.list_objects, Bucket=bucket)          # WRITE_ACP is not READ
    assert_denied(sub.client.get_bucket_acl, Bucket=bucket)         # nor READ_ACP
    sub.client.put_bucket_acl(Bucket=bucket, ACL="public-read")     # WRITE_ACP
    assert client.get_bucket_acl(Bucket=bucket)["CannedACL"] == "public-read"
    assert H.anon_get(cosd, bucket, "").status_code == 200


def test_grant_headers_on_copy_and_multipart(cosd, client, bucket):
    client.put_object(Bucket=bucket, Key="src", Body=b"source")
    client.copy_object(Bucket=bucket, Key="copied", ACL="public-read",
                       CopySource={"Bucket": bucket, "Key": "src", "Region": H.REGION})
    assert H.anon_get(cosd, bucket, "copied").content == b"source"
    assert H.anon_get(cosd, bucket, "src").status_code == 403
    up = client.create_multipart_upload(Bucket=bucket, Key="mpu", ACL="public-read")
    part = client.upload_part(Bucket=bucket, Key="mpu", UploadId=up["UploadId"], PartNumber=1, Body=b"multi")
    client.complete_multipart_upload(Bucket=bucket, Key="mpu", UploadId=up["UploadId"], MultipartUpload={
        "Part": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    r = H.anon_get(cosd, bucket, "mpu")
    assert r.status_code == 200 and r.content == b"multi", (r.status_code, r.text[:300])


# ================================================================ other root accounts (private server)
# A server with a config file: a second root account B (appid 1250000001),
# a config-declared sub-account and group, and 127.0.0.1 as a trusted proxy.

B_UIN = "100000000002"
B_APPID = "1250000001"
B_SECRET_ID = "AKIDcosdTESTROOTB0000000000000000000"
B_SECRET_KEY = "cosdTestRootBSecretKey00000000000"
CFG_SUB_UIN = "100000000011"
CFG_SUB_ID = "AKIDcosdCFGSUB000000000000000000000"
CFG_SUB_KEY = "cosdCfgSubSecretKey00000000000000"

TENANT_CONFIG = '''
trusted_proxies = ["127.0.0.1"]

[[accounts]]
uin = "%(b_uin)s"
appid = "%(b_appid)s"
secret_id = "%(b_id)s"
secret_key = "%(b_key)s"

[[groups]]
name = "cfg-readers"
policies = { read = \'\'\'{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetObject"],"resource":["*"]}]}\'\'\' }

[[users]]
uin = "%(sub_uin)s"
keys = [{ secret_id = "%(sub_id)s", secret_key = "%(sub_key)s" }]
groups = ["cfg-readers"]
policies = { lister = \'\'\'{"version":"2.0","statement":[{"effect":"allow","action":["name/cos:GetBucket"],"resource":["*"]}]}\'\'\' }
''' % dict(b_uin=B_UIN, b_appid=B_APPID, b_id=B_SECRET_ID, b_key=B_SECRET_KEY,
           sub_uin=CFG_SUB_UIN, sub_id=CFG_SUB_ID, sub_key=CFG_SUB_KEY)


@pytest.fixture(scope="module")
def tenants(tmp_path_factory):
    root = tmp_path_factory.mktemp("tenants")
    server = H.ConfiguredServer(root / "data", root / "cosd.log", TENANT_CONFIG)
    try:
        server.start()
    except RuntimeError as e:
        pytest.fail(str(e), pytrace=False)
    yield server
    server.kill()
    if server in H.RUNNING_SERVERS:
        H.RUNNING_SERVERS.remove(server)


@pytest.fixture
def a_bucket(tenants):
    c = tenants.client()
    name = H.unique_bucket("ta")
    c.create_bucket(Bucket=name)
    yield name
    try:
        c.delete_bucket_policy(Bucket=name)
    except Exception:
        pass
    H.destroy_bucket(c, name)


def _b_client(tenants):
    return tenants.client(B_SECRET_ID, B_SECRET_KEY)


def _b_sub(tenants):
    """A sub-account of root B, made through the admin API with B's root key."""
    uin = H.unique_uin()
    sid, skey = H.unique_secret_pair()
    r = H.admin_request(tenants, "POST", "users", {"uin": uin, "secret_id": sid, "secret_key": skey},
                        secret_id=B_SECRET_ID, secret_key=B_SECRET_KEY)
    assert r.status_code == 200, r.text
    assert str(r.json()["root_uin"]) == B_UIN, r.text
    return H.SubAccount(tenants, uin, sid, skey)


def test_other_root_account_needs_resource_side(tenants, a_bucket):
    a = tenants.client()
    a.put_object(Bucket=a_bucket, Key="x", Body=b"from A")
    b = _b_client(tenants)
    assert_denied(b.get_object, Bucket=a_bucket, Key="x")
    assert_denied(b.list_objects, Bucket=a_bucket)
    b_principal = H.principal(B_UIN, B_UIN)
    a.put_bucket_policy(Bucket=a_bucket, Policy=policy_doc(stmt(
        "allow", ["name/cos:GetObject", "name/cos:GetBucket"], cos_resource(a_bucket, "*"),
        principal_qcs=[b_principal])))
    assert get_body(b, a_bucket, "x") == b"from A"
    assert list_keys(b, a_bucket) == ["x"]
    assert_denied(b.put_object, Bucket=a_bucket, Key="y", Body=b"y")
    # an ACL grant works for another root account too
    a.delete_bucket_policy(Bucket=a_bucket)
    assert_denied(b.get_object, Bucket=a_bucket, Key="x")
    a.put_bucket_acl(Bucket=a_bucket, GrantWrite='id="%s"' % b_principal)
    b.put_object(Bucket=a_bucket, Key="y", Body=b"from B")
    assert get_body(a, a_bucket, "y") == b"from B"


def test_sub_account_of_other_root_needs_both_sides(tenants, a_bucket):
    """Seed 'Granting Bucket Permissions to a Sub-Account that is Under Another Root Account'."""
    a = tenants.client()
    a.put_object(Bucket=a_bucket, Key="x", Body=b"from A")
    b0 = _b_sub(tenants)
    # identity side only (B's policy for B0, the seed's form with an empty region)
    r = H.admin_request(tenants, "PUT", "users/%s/policies/cos-child-account" % b0.uin, {
        "version": "2.0", "statement": [{"action": "cos:*", "effect": "allow",
                                         "resource": ["qcs::cos::uid/1250000000:%s/*" % a_bucket]}]},
        secret_id=B_SECRET_ID, secret_key=B_SECRET_KEY)
    assert r.status_code == 200, r.text
    assert_denied(b0.client.get_object, Bucket=a_bucket, Key="x")
    # + resource side: A grants root account B
    a.put_bucket_policy(Bucket=a_bucket, Policy=policy_doc(stmt(
        "allow", "name/cos:*", cos_resource(a_bucket, "*"), principal_qcs=[H.principal(B_UIN, B_UIN)])))
    assert get_body(b0.client, a_bucket, "x") == b"from A"
    b0.client.put_object(Bucket=a_bucket, Key="b0", Body=b"from B0")
    # the uin/B:root spelling covers B's sub-accounts as well
    a.put_bucket_policy(Bucket=a_bucket, Policy=policy_doc(stmt(
        "allow", "name/cos:GetObject", cos_resource(a_bucket, "*"),
        principal_qcs=["qcs::cam::uin/%s:root" % B_UIN])))
    assert get_body(b0.client, a_bucket, "b0") == b"from B0"
    # resource side only: B's policy removed
    r = H.admin_request(tenants, "DELETE", "users/%s/policies/cos-child-account" % b0.uin,
                        secret_id=B_SECRET_ID, secret_key=B_SECRET_KEY)
    assert r.status_code == 204, r.text
    assert_denied(b0.client.get_object, Bucket=a_bucket, Key="x")


def test_bucket_ownership_follows_appid(tenants):
    a, b = tenants.client(), _b_client(tenants)
    b_bucket = "tb-%s-%s" % (H.uuid.uuid4().hex[:8], B_APPID)
    assert_denied(a.create_bucket, Bucket=b_bucket)
    assert_denied(b.create_bucket, Bucket=H.unique_bucket("tb"))
    b.create_bucket(Bucket=b_bucket)
    try:
        b.put_object(Bucket=b_bucket, Key="mine", Body=b"B's")
        assert_denied(a.get_object, Bucket=b_bucket, Key="mine")
        assert_denied(a.list_objects, Bucket=b_bucket)
        assert_denied(a.delete_bucket, Bucket=b_bucket)
        names = [x["Name"] for x in (b.list_buckets()["Buckets"] or {"Bucket": []})["Bucket"]]
        assert b_bucket in names
        assert all(n.endswith("-" + B_APPID) for n in names), names
        a_names = [x["Name"] for x in ((a.list_buckets()["Buckets"] or {}).get("Bucket") or [])]
        assert b_bucket not in a_names
    finally:
        H.destroy_bucket(b, b_bucket)


def test_admin_api_is_per_root_account(tenants):
    b0 = _b_sub(tenants)
    r = H.admin_request(tenants, "GET", "users/" + b0.uin)                    # as root A
    assert r.status_code == 404 and r.json()["code"] == "NoSuchUser", r.text
    assert b0.uin not in [str(u["uin"]) for u in H.admin_ok(tenants, "GET", "users")["users"]]
    r = H.admin_request(tenants, "GET", "users", secret_id=B_SECRET_ID, secret_key=B_SECRET_KEY)
    assert r.status_code == 200, r.text
    users = {str(u["uin"]): u for u in r.json()["users"]}
    assert b0.uin in users and str(users[b0.uin]["root_uin"]) == B_UIN
    assert CFG_SUB_UIN not in users
    r = H.admin_request(tenants, "DELETE", "users/" + b0.uin)                 # A cannot delete it
    assert r.status_code == 404, r.text
    assert H.admin_request(tenants, "GET", "users/" + b0.uin, secret_id=B_SECRET_ID,
                           secret_key=B_SECRET_KEY).status_code == 200


def test_config_declared_user_and_group(tenants, a_bucket):
    a = tenants.client()
    a.put_object(Bucket=a_bucket, Key="cfg", Body=b"configured")
    cfg = tenants.client(CFG_SUB_ID, CFG_SUB_KEY)
    assert get_body(cfg, a_bucket, "cfg") == b"configured"      # group cfg-readers
    assert list_keys(cfg, a_bucket) == ["cfg"]                    # own policy lister
    assert_denied(cfg.put_object, Bucket=a_bucket, Key="n", Body=b"n")
    user = H.admin_ok(tenants, "GET", "users/" + CFG_SUB_UIN)
    assert user["groups"] == ["cfg-readers"] and user["policies"] == ["lister"]
    assert key_states(user) == [(CFG_SUB_ID, True)]


def test_trusted_proxy_x_forwarded_for(tenants, a_bucket):
    a = tenants.client()
    a.put_object(Bucket=a_bucket, Key="ip", Body=b"ip")
    lan = H.create_sub_account(tenants)
    try:
        lan.put_policy("ip", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(a_bucket, "*"),
                                             condition={"ip_equal": {"qcs:ip": ["10.0.0.0/8"]}})))
        assert_denied(lan.client.get_object, Bucket=a_bucket, Key="ip")
        r = H.signed_request_as(tenants, lan.secret_id, lan.secret_key, "GET", a_bucket, "ip",
                                headers={"X-Forwarded-For": "10.1.2.3"})
        assert r.status_code == 200 and r.content == b"ip", (r.status_code, r.text[:300])
        r = H.signed_request_as(tenants, lan.secret_id, lan.secret_key, "GET", a_bucket, "ip",
                                headers={"X-Forwarded-For": "192.168.7.7"})
        assert_raw_error(r, 403, "AccessDenied")
    finally:
        H.admin_request(tenants, "DELETE", "users/" + lan.uin)


# ================================================================ policy language details seen through requests

def test_seed_read_only_sample_wildcard_actions(cosd, client, bucket, sub):
    """Seed 'Sample 2. Granting the sub-account read-only permission' (List*/Get*/Head*)."""
    client.put_object(Bucket=bucket, Key="r", Body=b"read only")
    sub.put_policy("ro", {"version": "2.0", "statement": [
        {"action": ["name/cos:List*", "name/cos:Get*", "name/cos:Head*", "name/cos:OptionsObject"],
         "resource": "*", "effect": "allow"},
        {"effect": "allow", "action": "monitor:*", "resource": "*"}]})
    c = sub.client
    assert get_body(c, bucket, "r") == b"read only"
    assert c.head_object(Bucket=bucket, Key="r")["Content-Length"] == "9"
    assert list_keys(c, bucket) == ["r"]
    c.head_bucket(Bucket=bucket)
    assert_denied(c.put_object, Bucket=bucket, Key="w", Body=b"w")
    assert_denied(c.delete_object, Bucket=bucket, Key="r")


def test_seed_write_only_sample_short_action_names(cosd, client, bucket, sub):
    """Seed 'Sample 3 ... write-only permission (excluding deletion)': actions
    without the name/ prefix, PutObject* wildcard."""
    sub.put_policy("wo", {"version": "2.0", "statement": [{"effect": "allow", "action": [
        "cos:ListParts", "cos:PostObject", "cos:PutObject*", "cos:InitiateMultipartUpload", "cos:UploadPart",
        "cos:UploadPartCopy", "cos:CompleteMultipartUpload", "cos:AbortMultipartUpload",
        "cos:ListMultipartUploads"], "resource": "*"}]})
    c = sub.client
    c.put_object(Bucket=bucket, Key="w", Body=b"write only")
    up = c.create_multipart_upload(Bucket=bucket, Key="m")
    part = c.upload_part(Bucket=bucket, Key="m", UploadId=up["UploadId"], PartNumber=1, Body=b"part")
    c.complete_multipart_upload(Bucket=bucket, Key="m", UploadId=up["UploadId"],
                                MultipartUpload={"Part": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    c.put_object_acl(Bucket=bucket, Key="w", ACL="private")       # PutObjectACL matches PutObject*
    assert_denied(c.get_object, Bucket=bucket, Key="w")
    assert_denied(c.delete_object, Bucket=bucket, Key="w")
    assert_denied(c.list_objects, Bucket=bucket)
    assert sorted(list_keys(client, bucket)) == ["m", "w"]


def test_action_names_are_case_sensitive(cosd, client, bucket, sub):
    """Seed: 'the action element is case-sensitive'."""
    client.put_object(Bucket=bucket, Key="c", Body=b"case")
    sub.put_policy("lower", policy_doc(stmt("allow", "name/cos:getobject", cos_resource(bucket, "*"))))
    assert_denied(sub.client.get_object, Bucket=bucket, Key="c")
    sub.put_policy("lower", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"))))
    assert get_body(sub.client, bucket, "c") == b"case"


def test_resource_region_appid_and_wildcards(cosd, client, bucket, sub):
    client.put_object(Bucket=bucket, Key="k", Body=b"res")
    c = sub.client

    def allow_only(resource):
        sub.put_policy("res", policy_doc(stmt("allow", ["name/cos:GetObject", "name/cos:GetBucket"], resource)))

    allow_only("qcs::cos:ap-beijing:uid/1250000000:%s/*" % bucket)           # other region
    assert_denied(c.get_object, Bucket=bucket, Key="k")
    allow_only("qcs::cos:ap-guangzhou:uid/1250000001:%s/*" % bucket)         # other appid
    assert_denied(c.get_object, Bucket=bucket, Key="k")
    allow_only("qcs::cos:ap-guangzhou:uid/1250000000:%s/k2" % bucket)        # other key
    assert_denied(c.get_object, Bucket=bucket, Key="k")
    allow_only("qcs::cos:ap-guangzhou:uid/1250000000:*")                     # every bucket of the appid (seed)
    assert get_body(c, bucket, "k") == b"res"
    assert list_keys(c, bucket) == ["k"]
    allow_only("qcs::cos::uid/1250000000:%s/*" % bucket)                     # empty region = any
    assert get_body(c, bucket, "k") == b"res"
    allow_only("qcs::cos:ap-guangzhou:uid/1250000000:%s/k" % bucket)         # exactly this object
    assert get_body(c, bucket, "k") == b"res"
    assert_denied(c.list_objects, Bucket=bucket)
    allow_only(cos_resource(bucket, ""))                                     # the bucket itself
    assert list_keys(c, bucket) == ["k"]
    assert_denied(c.get_object, Bucket=bucket, Key="k")


def test_legacy_prefix_resource_form(cosd, client, bucket, sub):
    """qcs::cos:<region>:uid/<appid>:prefix//<appid>/<short bucket name>/<key>."""
    short = bucket[:-len("-" + H.APPID)]
    client.put_object(Bucket=bucket, Key="old/k", Body=b"legacy")
    sub.put_policy("legacy", policy_doc(stmt("allow", "name/cos:GetObject",
                                             "qcs::cos:ap-guangzhou:uid/%s:prefix//%s/%s/old/*"
                                             % (H.APPID, H.APPID, short))))
    assert get_body(sub.client, bucket, "old/k") == b"legacy"
    client.put_object(Bucket=bucket, Key="new/k", Body=b"x")
    assert_denied(sub.client.get_object, Bucket=bucket, Key="new/k")


def test_resource_with_chinese_characters_kept_as_is(cosd, client, bucket, sub):
    """Seed: 'If the path contains Chinese characters, keep them as is'."""
    sub.put_policy("cn", policy_doc(stmt("allow", ["name/cos:PutObject", "name/cos:GetObject"],
                                         cos_resource(bucket, "文件夹/*"))))
    sub.client.put_object(Bucket=bucket, Key="文件夹/文件名.txt", Body=b"cn")
    assert get_body(sub.client, bucket, "文件夹/文件名.txt") == b"cn"
    assert_denied(sub.client.put_object, Bucket=bucket, Key="其他/文件名.txt", Body=b"x")


def test_bucket_policy_top_level_principal(cosd, client, bucket, sub, put_bucket_policy):
    """Seed 'Policy Example': the principal given once for the whole policy."""
    client.put_object(Bucket=bucket, Key="exampleobject", Body=b"example")
    client.put_object(Bucket=bucket, Key="other", Body=b"other")
    put_bucket_policy(bucket, {
        "version": "2.0",
        "principal": {"qcs": [H.principal(sub.uin)]},
        "statement": [{"effect": "allow", "action": ["name/cos:PutObject", "name/cos:GetObject"],
                       "resource": [cos_resource(bucket, "exampleobject")]}]})
    assert get_body(sub.client, bucket, "exampleobject") == b"example"
    assert_denied(sub.client.get_object, Bucket=bucket, Key="other")


def test_deny_to_anyone_binds_everyone(cosd, client, bucket, sub, put_bucket_policy):
    """A deny whose principal is anyone matches every caller, the owner included
    (who can still remove the policy)."""
    client.put_object(Bucket=bucket, Key="frozen/a", Body=b"f")
    client.put_object(Bucket=bucket, Key="open/a", Body=b"o")
    sub.put_policy("all", policy_doc(stmt("allow", "name/cos:*", cos_resource(bucket, "*"))))
    put_bucket_policy(bucket, policy_doc(stmt("deny", ["name/cos:DeleteObject", "name/cos:PutObject"],
                                              cos_resource(bucket, "frozen/*"), principal_qcs=[ANYONE])))
    assert_denied(sub.client.delete_object, Bucket=bucket, Key="frozen/a")
    assert_denied(client.delete_object, Bucket=bucket, Key="frozen/a")
    assert_denied(client.put_object, Bucket=bucket, Key="frozen/b", Body=b"b")
    client.delete_object(Bucket=bucket, Key="open/a")
    assert get_body(sub.client, bucket, "frozen/a") == b"f"
    client.delete_bucket_policy(Bucket=bucket)
    client.delete_object(Bucket=bucket, Key="frozen/a")


def test_sub_account_creates_bucket_owned_by_root(cosd, client, sub):
    name = H.unique_bucket("sc")
    sub.put_policy("mk", policy_doc(stmt("allow", "name/cos:PutBucket", cos_resource(name, ""))))
    assert_denied(sub.client.create_bucket, Bucket=H.unique_bucket("sc"))     # another name
    sub.client.create_bucket(Bucket=name)
    try:
        # the bucket belongs to the root account: it has full access, the creator none beyond its grant
        client.put_object(Bucket=name, Key="x", Body=b"x")
        assert client.get_bucket_acl(Bucket=name)["Owner"]["ID"] == ROOT_PRINCIPAL
        assert_denied(sub.client.list_objects, Bucket=name)
        assert_denied(sub.client.get_object, Bucket=name, Key="x")
    finally:
        H.destroy_bucket(client, name)


@pytest.mark.parametrize("qualifier,tags,allowed", [
    ("for_any_value", "a=b&c=d", True),
    ("for_any_value", "a=b", True),
    ("for_any_value", "a=b&c=d&e=f", True),
    ("for_any_value", "e=f", False),
    ("for_all_value", "a=b&c=d", True),
    ("for_all_value", "a=b", True),
    ("for_all_value", "a=b&c=d&e=f", False),
])
def test_request_tag_condition_seed(cosd, client, sub, qualifier, tags, allowed):
    """Seed 'Forcibly setting a specified bucket tag when creating a bucket' (tables)."""
    sub.put_policy("tags", {"version": "2.0", "statement": [{
        "effect": "allow", "action": ["name/cos:PutBucket"], "resource": "*",
        "condition": {qualifier + ":string_equal": {"qcs:request_tag": ["a&b", "c&d"]}}}]})
    name = H.unique_bucket("tag")
    try:
        if allowed:
            sub.client.create_bucket(Bucket=name, Tagging=tags)
            client.head_bucket(Bucket=name)
        else:
            assert_denied(sub.client.create_bucket, Bucket=name, Tagging=tags)
            e = service_error(client.head_bucket, Bucket=name)
            assert e.get_status_code() == 404
    finally:
        H.destroy_bucket(client, name)


def test_grant_header_condition_seed(cosd, client, bucket, sub_factory, put_bucket_policy):
    """Seed 'Restricting ACL Authorization Header in Request', example 2 (no
    x-cos-grant-full-control allowed) and example 1 (only a given grantee)."""
    who_none, who_root = sub_factory(), sub_factory()
    acts = ["name/cos:PutObject", "name/cos:PostObject", "name/cos:AppendObject",
            "name/cos:InitiateMultipartUpload"]
    res = [cos_resource(bucket, "*")]
    root_grant = 'id="%s"' % ROOT_PRINCIPAL
    put_bucket_policy(bucket, {"version": "2.0", "statement": [
        {"action": acts, "effect": "allow", "principal": {"qcs": [who_none.principal]}, "resource": res,
         "condition": {"string_equal_if_exist": {"cos:x-cos-grant-full-control": ""}}},
        {"action": acts, "effect": "deny", "principal": {"qcs": [who_none.principal]}, "resource": res,
         "condition": {"string_not_equal": {"cos:x-cos-grant-full-control": ""}}},
        {"action": acts, "effect": "allow", "principal": {"qcs": [who_root.principal]}, "resource": res,
         "condition": {"string_equal": {"cos:x-cos-grant-full-control": root_grant}}},
        {"action": acts, "effect": "deny", "principal": {"qcs": [who_root.principal]}, "resource": res,
         "condition": {"string_not_equal_if_exist": {"cos:x-cos-grant-full-control": root_grant}}}]})
    who_none.client.put_object(Bucket=bucket, Key="n1", Body=b"x")
    assert_denied(who_none.client.put_object, Bucket=bucket, Key="n2", Body=b"x",
                  GrantFullControl='id="%s"' % who_none.principal)
    who_root.client.put_object(Bucket=bucket, Key="r1", Body=b"x", GrantFullControl=root_grant)
    assert_denied(who_root.client.put_object, Bucket=bucket, Key="r2", Body=b"x")
    assert_denied(who_root.client.put_object, Bucket=bucket, Key="r3", Body=b"x",
                  GrantFullControl='id="%s"' % who_root.principal)
    assert sorted(list_keys(client, bucket)) == ["n1", "r1"]


# ================================================================ admin API: identities that must not collide

def test_admin_rejects_root_identities_for_sub_accounts(server_factory):
    """A sub-account may not take the root account's uin, nor a key the root's
    secret id (private server: a failure here must not break the shared one)."""
    srv = server_factory("collide").start()
    r = H.admin_request(srv, "POST", "users", {"uin": ROOT_UIN})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    sid, skey = H.unique_secret_pair()
    r = H.admin_request(srv, "POST", "users", {"uin": ROOT_UIN, "secret_id": sid, "secret_key": skey})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    e = service_error(srv.client(sid, skey).list_buckets)
    assert (e.get_status_code(), e.get_error_code()) == (403, "InvalidAccessKeyId")

    uin = H.unique_uin()
    r = H.admin_request(srv, "POST", "users", {"uin": uin, "secret_id": H.ROOT_SECRET_ID,
                                               "secret_key": "hijack0123456789abcdef"})
    assert r.status_code == 409 and r.json()["code"] == "KeyAlreadyExists", (r.status_code, r.text)
    r = H.admin_request(srv, "POST", "users", {"uin": uin})
    assert r.status_code == 200, r.text
    r = H.admin_request(srv, "POST", "users/%s/keys" % uin, {"secret_id": H.ROOT_SECRET_ID,
                                                            "secret_key": "hijack0123456789abcdef"})
    assert r.status_code == 409 and r.json()["code"] == "KeyAlreadyExists", (r.status_code, r.text)
    # the root key is still the root's
    b = H.unique_bucket()
    srv.client().create_bucket(Bucket=b)
    assert srv.client().get_bucket_acl(Bucket=b)["Owner"]["ID"] == ROOT_PRINCIPAL
    assert [str(u["uin"]) for u in H.admin_ok(srv, "GET", "users")["users"]] == [uin]


def test_admin_rejects_other_root_identities(tenants):
    r = H.admin_request(tenants, "POST", "users", {"uin": B_UIN})
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    uin = H.unique_uin()
    r = H.admin_request(tenants, "POST", "users", {"uin": uin, "secret_id": B_SECRET_ID,
                                                   "secret_key": "hijack0123456789abcdef"})
    assert r.status_code == 409 and r.json()["code"] == "KeyAlreadyExists", (r.status_code, r.text)
    r = H.admin_request(tenants, "POST", "users", {"uin": uin, "secret_id": CFG_SUB_ID,
                                                   "secret_key": "hijack0123456789abcdef"})
    assert r.status_code == 409 and r.json()["code"] == "KeyAlreadyExists", (r.status_code, r.text)
    H.admin_request(tenants, "DELETE", "users/" + uin)
    # B's key still belongs to B
    assert _b_client(tenants).list_buckets() is not None


def test_admin_invalid_arguments(cosd, sub):
    r = H.admin_request(cosd, "POST", "users", {"secret_id": "AKIDnouin000000000000000000"})
    assert r.status_code == 400 and r.json()["code"] == "InvalidArgument", (r.status_code, r.text)
    r = H.admin_request(cosd, "POST", "users", raw_body=b"{broken")
    assert r.status_code == 400, (r.status_code, r.text)
    r = H.admin_request(cosd, "PUT", "keys/" + sub.secret_id, {"enabled": "nope"})
    assert r.status_code == 400, (r.status_code, r.text)
    r = H.admin_request(cosd, "POST", "users/%s/keys" % H.unique_uin(), {})
    assert r.status_code == 404 and r.json()["code"] == "NoSuchUser", (r.status_code, r.text)
    import uuid
    g = "v" + uuid.uuid4().hex[:12]
    H.admin_ok(cosd, "POST", "groups", {"name": g})
    try:
        r = H.admin_request(cosd, "PUT", "groups/%s/members/%s" % (g, H.unique_uin()))
        assert r.status_code == 404 and r.json()["code"] == "NoSuchUser", (r.status_code, r.text)
        r = H.admin_request(cosd, "PUT", "groups/%s/policies/bad" % g, raw_body=b"[]")
        assert r.status_code == 400 and r.json()["code"] == "MalformedPolicy", (r.status_code, r.text)
        # a deleted user leaves its groups
        H.admin_ok(cosd, "PUT", "groups/%s/members/%s" % (g, sub.uin))
        assert H.admin_request(cosd, "DELETE", "users/" + sub.uin).status_code == 204
        r = H.admin_request(cosd, "DELETE", "groups/%s/members/%s" % (g, sub.uin))
        assert r.status_code == 404, (r.status_code, r.text)
    finally:
        H.admin_request(cosd, "DELETE", "groups/" + g)


def test_admin_path_on_a_bucket_host_is_an_object_key(cosd, client, bucket):
    """/_cosd/admin/... is the admin API only on a non-bucket host; on a bucket
    host it is an ordinary key."""
    client.put_object(Bucket=bucket, Key="_cosd/admin/users", Body=b"just an object")
    assert get_body(client, bucket, "_cosd/admin/users") == b"just an object"
    assert list_keys(client, bucket) == ["_cosd/admin/users"]


# ================================================================ more ACL and multipart cases

def test_acl_xml_body_without_xsi_type(cosd, client, bucket, sub):
    """Spec 03 §4.7: Node bodies omit xsi:type; CanonicalUser is inferred from ID, Group from URI."""
    body = ('<AccessControlPolicy><Owner><ID>%s</ID></Owner><AccessControlList>'
            '<Grant><Grantee><ID>%s</ID></Grantee><Permission>FULL_CONTROL</Permission></Grant>'
            '<Grant><Grantee><ID>%s</ID></Grantee><Permission>READ</Permission></Grant>'
            '<Grant><Grantee><URI>%s</URI></Grantee><Permission>READ</Permission></Grant>'
            '</AccessControlList></AccessControlPolicy>') % (ROOT_PRINCIPAL, ROOT_PRINCIPAL, sub.principal,
                                                             ALL_USERS_URI)
    r = H.signed_request(cosd, "PUT", cosd.vhost(bucket), params={"acl": ""}, data=body.encode(),
                         headers={"Content-Type": "application/xml"})
    assert r.status_code == 200, r.text
    acl = client.get_bucket_acl(Bucket=bucket)
    assert acl["CannedACL"] == "public-read", acl
    assert any(g["Grantee"].get("ID") == sub.principal and g["Grantee"].get("Type") == "CanonicalUser"
               and g["Permission"] == "READ" for g in _grants(acl)), _grants(acl)


def test_bucket_write_grant_allows_multipart(cosd, client, bucket, sub):
    client.put_bucket_acl(Bucket=bucket, GrantWrite='id="%s"' % sub.principal)
    c = sub.client
    up = c.create_multipart_upload(Bucket=bucket, Key="mp")
    part = c.upload_part(Bucket=bucket, Key="mp", UploadId=up["UploadId"], PartNumber=1, Body=b"parts")
    c.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                                MultipartUpload={"Part": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert get_body(client, bucket, "mp") == b"parts"


def test_no_grant_cannot_touch_someone_elses_upload(cosd, client, bucket, sub):
    up = client.create_multipart_upload(Bucket=bucket, Key="mp")
    try:
        assert_denied(sub.client.create_multipart_upload, Bucket=bucket, Key="mp2")
        assert_denied(sub.client.upload_part, Bucket=bucket, Key="mp", UploadId=up["UploadId"],
                      PartNumber=1, Body=b"intruder")
        assert_denied(sub.client.list_parts, Bucket=bucket, Key="mp", UploadId=up["UploadId"])
        assert_denied(sub.client.abort_multipart_upload, Bucket=bucket, Key="mp", UploadId=up["UploadId"])
        assert_denied(sub.client.list_multipart_uploads, Bucket=bucket)
        assert client.list_parts(Bucket=bucket, Key="mp", UploadId=up["UploadId"]).get("Part") in (None, [])
    finally:
        client.abort_multipart_upload(Bucket=bucket, Key="mp", UploadId=up["UploadId"])


def test_disabled_key_presigned_url(cosd, client, bucket, sub):
    import requests
    from urllib.parse import urlsplit
    from qcloud_cos import CosConfig, CosS3Client
    client.put_object(Bucket=bucket, Key="p", Body=b"p")
    sub.put_policy("r", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "*"))))
    signer = CosS3Client(CosConfig(Region=cosd.region, SecretId=sub.secret_id, SecretKey=sub.secret_key,
                                   Scheme="http"), retry=0)
    parts = urlsplit(signer.get_presigned_url(Bucket=bucket, Key="p", Method="GET", Expired=300))
    fetch = lambda: requests.get(cosd.base_url + parts.path + "?" + parts.query,
                                 headers={"Host": parts.netloc}, timeout=30)
    assert fetch().status_code == 200
    H.admin_ok(cosd, "PUT", "keys/" + sub.secret_id, {"enabled": False})
    assert_raw_error(fetch(), 403, "InvalidAccessKeyId")


def test_head_object_is_its_own_action(cosd, client, bucket, sub_factory):
    """Seed 'Querying object metadata': HEAD Object is name/cos:HeadObject."""
    client.put_object(Bucket=bucket, Key="doc/h", Body=b"head me")
    header_only, getter = sub_factory(), sub_factory()
    header_only.put_policy("h", policy_doc(stmt("allow", "name/cos:HeadObject", cos_resource(bucket, "doc/*"))))
    getter.put_policy("g", policy_doc(stmt("allow", "name/cos:GetObject", cos_resource(bucket, "doc/*"))))
    assert header_only.client.head_object(Bucket=bucket, Key="doc/h")["Content-Length"] == "7"
    assert_denied(header_only.client.get_object, Bucket=bucket, Key="doc/h")
    assert get_body(getter.client, bucket, "doc/h") == b"head me"
    assert service_error(getter.client.head_object, Bucket=bucket, Key="doc/h").get_status_code() == 403


def test_content_length_condition_on_append(cosd, client, bucket, sub):
    sub.put_policy("small", policy_doc(stmt(
        "allow", "name/cos:AppendObject", cos_resource(bucket, "*"),
        condition={"numeric_less_than_equal": {"cos:content-length": 10}})))
    sub.client.append_object(Bucket=bucket, Key="a", Position=0, Data=b"0123456789")
    assert_denied(sub.client.append_object, Bucket=bucket, Key="a", Position=10, Data=b"0123456789a")
    sub.client.append_object(Bucket=bucket, Key="a", Position=10, Data=b"abc")
    assert get_body(client, bucket, "a") == b"0123456789abc"


@pytest.mark.parametrize("principal", [{"qcs": ["*"]}, "*"], ids=["qcs-star", "star"])
def test_star_principal_is_anonymous_too(cosd, client, bucket, put_bucket_policy, principal):
    client.put_object(Bucket=bucket, Key="pub/a", Body=b"star")
    put_bucket_policy(bucket, {"version": "2.0", "statement": [{
        "principal": principal, "effect": "allow", "action": ["name/cos:GetObject"],
        "resource": [cos_resource(bucket, "pub/*")]}]})
    r = H.anon_get(cosd, bucket, "pub/a")
    assert r.status_code == 200 and r.content == b"star", (r.status_code, r.text[:300])


def test_bucket_tagging_and_get_service_by_tag(cosd, client, bucket_factory, sub):
    """Bucket tags through the SDK, and a sub-account allowed GetService only for one tag
    (seed 002:2147-2230): list_buckets(TagKey, TagValue) answers the tagged buckets."""
    tagged = bucket_factory()
    plain = bucket_factory()
    client.put_bucket_tagging(Bucket=tagged, Tagging={"TagSet": {"Tag": [
        {"Key": "team", "Value": "a"}, {"Key": "env", "Value": "dev"}]}})
    got = client.get_bucket_tagging(Bucket=tagged)
    tags = got["TagSet"]["Tag"]
    assert [(t["Key"], t["Value"]) for t in tags] == [("team", "a"), ("env", "dev")]
    with pytest.raises(CosServiceError) as e:
        client.get_bucket_tagging(Bucket=plain)
    assert e.value.get_status_code() == 404 and e.value.get_error_code() == "NoSuchTagSet"

    sub.put_policy("by-tag", policy_doc(stmt(
        "allow", ["name/cos:GetService"], "*",
        condition={"for_any_value:string_equal": {"qcs:resource_tag": ["team&a"]}})))
    listed = sub.client.list_buckets(TagKey="team", TagValue="a")
    names = [b["Name"] for b in listed["Buckets"]["Bucket"]] if listed.get("Buckets") else []
    assert tagged in names and plain not in names, names
    for kwargs in ({"TagKey": "team", "TagValue": "b"}, {}):
        with pytest.raises(CosServiceError) as e:
            sub.client.list_buckets(**kwargs)
        assert e.value.get_error_code() == "AccessDenied", kwargs

    client.delete_bucket_tagging(Bucket=tagged)
    with pytest.raises(CosServiceError) as e:
        client.get_bucket_tagging(Bucket=tagged)
    assert e.value.get_error_code() == "NoSuchTagSet"
