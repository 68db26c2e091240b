"""The legacy JSON API through raw requests: the JS v4 SDK's wire form (``?sign=<urlencoded>``,
browser multipart bodies, the JS-only ops ``copy`` and ``upload_slice_list``), every signature
error code, replay (also across a restart) and the request and slice-protocol errors. Signed
with ``cosd_harness.legacy_sign``; no Python 2 needed.
"""

import base64
import json
import time

import pytest
import requests

import cosd_harness as H
from json_helpers import *  # noqa: F401,F403 (fixtures jbucket and the raw-request helpers)

# ================================================================== JS v4 wire form (raw requests)

def test_js_upload_multipart_with_sign_query(cosd, client, jbucket):
    full, short = jbucket
    body = b"\x89PNG fake image bytes \x00\x01\x02"
    path = "/js/photo 1.png"
    jok(js_post(cosd, short, "/js/", multi(short, "/js/"), {"op": "create", "biz_attr": ""}))
    r = js_post(cosd, short, path, multi(short, path),
                {"op": "upload", "insertOnly": "1", "biz_attr": "from js"},
                ("fileContent", "photo 1.png", body, "image/png"))
    d = jok(r)["data"]
    assert {k: d.get(k) for k in ("access_url", "source_url", "url", "resource_path")} == urls_for(cosd, short, path)
    assert r.headers["Content-Type"].startswith("application/json")
    assert v5_body(client, full, "js/photo 1.png") == body
    # stat with ?sign=&op=stat (GET)
    st = jok(js_get(cosd, short, path, multi(short, path), op="stat"))["data"]
    assert st["sha"] == sha1hex(body) and st["biz_attr"] == "from js" and int(st["filesize"]) == len(body)
    # insertOnly=1 with other content: -177; insertOnly=0 replaces
    jerr(js_post(cosd, short, path, multi(short, path), {"op": "upload", "insertOnly": "1"},
                 ("fileContent", "photo 1.png", b"other", "image/png")), -177, 409)
    jok(js_post(cosd, short, path, multi(short, path), {"op": "upload", "insertOnly": "0"},
                ("fileContent", "photo 1.png", b"other", "image/png")))
    assert v5_body(client, full, "js/photo 1.png") == b"other"
    # the JS SDK's other forms: create (multipart), list (GET with order/pattern), delete (once, multipart)
    jok(js_post(cosd, short, "/js/dir/", multi(short, "/js/dir/"), {"op": "create", "biz_attr": ""}))
    lst = jok(js_get(cosd, short, "/js/", multi(short, "/js/"), op="list", num=20, context="", order=0,
                     pattern="eListBoth"))["data"]
    assert sorted(i["name"] for i in lst["infos"]) == ["dir/", "photo 1.png"]
    jok(js_post(cosd, short, path, once(short, path), {"op": "delete"}))
    assert v5_keys(client, full) == ["js/", "js/dir/"]
    # update with customHeaders as a JSON string (multipart)
    client.put_object(Bucket=full, Key="js/u.txt", Body=b"u")
    jok(js_post(cosd, short, "/js/u.txt", once(short, "/js/u.txt"),
                {"op": "update", "biz_attr": "jsattr", "authority": "eWPrivateRPublic",
                 "customHeaders": json.dumps({"Content-Type": "text/x-js", "x-cos-meta-js": "1"})}))
    head = client.head_object(Bucket=full, Key="js/u.txt")
    assert head["Content-Type"] == "text/x-js" and head["x-cos-meta-js"] == "1", head
    assert H.anon_get(cosd, full, "js/u.txt").status_code == 200


def test_js_copy(cosd, client, jbucket):
    full, short = jbucket
    client.put_object(Bucket=full, Key="cp/src.txt", Body=b"source")
    client.put_object(Bucket=full, Key="cp/exists.txt", Body=b"old")
    src = "/cp/src.txt"
    jok(js_post(cosd, short, src, multi(short, src),
                {"op": "copy", "dest_fileid": "/cp/dst.txt", "to_over_write": "0"}))
    jok(js_post(cosd, short, src, multi(short, src), {"op": "copy", "dest_fileid": "rel.txt", "to_over_write": "0"}))
    jerr(js_post(cosd, short, src, multi(short, src),
                 {"op": "copy", "dest_fileid": "/cp/exists.txt", "to_over_write": "0"}), -177, 409)
    assert v5_body(client, full, "cp/exists.txt") == b"old"
    jok(js_post(cosd, short, src, multi(short, src),
                {"op": "copy", "dest_fileid": "/cp/exists.txt", "to_over_write": "1"}))
    # a once signature is accepted for copy as well
    jok(js_post(cosd, short, src, once(short, src), {"op": "copy", "dest_fileid": "/cp/o.txt"}))
    for key in ("cp/src.txt", "cp/dst.txt", "cp/rel.txt", "cp/exists.txt", "cp/o.txt"):
        assert v5_body(client, full, key) == b"source", key
    jerr(js_post(cosd, short, "/cp/none.txt", multi(short, "/cp/none.txt"),
                 {"op": "copy", "dest_fileid": "/cp/z.txt"}), -197, 404)


def test_js_move_signed_multi_is_refused(cosd, client, jbucket):
    """cos-js-sdk-v4 moveFile signs with getAppSign (multi); the contract requires a
    once signature for move (-73). Pinned as the contract says (see the report)."""
    full, short = jbucket
    client.put_object(Bucket=full, Key="m.txt", Body=b"m")
    jerr(js_post(cosd, short, "/m.txt", multi(short, "/m.txt"),
                 {"op": "move", "dest_fileid": "/n.txt", "to_over_write": "0"}), -73, 403)
    jok(js_post(cosd, short, "/m.txt", once(short, "/m.txt"),
                {"op": "move", "dest_fileid": "/n.txt", "to_over_write": "0"}))
    assert v5_keys(client, full) == ["n.txt"]


def test_js_slice_upload_list_and_resume(cosd, client, jbucket):
    full, short = jbucket
    path = "/js/big.bin"
    slice_size = 512 * 1024
    data = gen(2 * slice_size + 100000, 11)
    parts = uploadparts(data, slice_size)
    whole = sha1hex(data)
    assert parts[-1]["datasha"] == whole

    def post(fields, content=None, offset=None):
        ff = None
        if content is not None:
            ff = ("fileContent", "blob", content, "application/octet-stream")
        return js_post(cosd, short, path, multi(short, path), fields, ff)

    jok(js_post(cosd, short, "/js/", multi(short, "/js/"), {"op": "create"}))
    # the JS SDK probes upload_slice_list first: nothing unfinished yet
    probe = post({"op": "upload_slice_list"}).json()
    assert not (probe.get("data") or {}).get("session"), probe

    init_fields = {"op": "upload_slice_init", "uploadparts": json.dumps(parts), "sha": whole,
                   "filesize": str(len(data)), "slice_size": str(slice_size), "biz_attr": "js slices",
                   "insertOnly": "1"}
    init = jok(post(init_fields))["data"]
    session = init["session"]
    assert init["slice_size"] == slice_size and init["serial_upload"] == 0 and int(init["offset"]) == 0, init

    def slice_fields(offset):
        return {"sliceSize": str(slice_size), "op": "upload_slice_data", "session": session,
                "offset": str(offset), "sha": whole}

    # the second slice first (the SHA-1 state chain lets slices arrive in any order)
    d1 = jok(post(slice_fields(slice_size), data[slice_size:2 * slice_size]))["data"]
    assert (d1["session"], int(d1["offset"]), int(d1["datalen"])) == (session, slice_size, slice_size), d1

    listed = jok(post({"op": "upload_slice_list"}))["data"]
    assert listed["session"] == session
    assert listed["slice_size"] == slice_size and listed["filesize"] == len(data), listed   # numbers (JS compares ===)
    assert listed["sha"].split("_")[0] == whole, listed
    assert [(p["offset"], p["datalen"]) for p in listed["listparts"]] == [(slice_size, slice_size)], listed

    # a second init of the same sha: -4019 with the unfinished session
    again = jerr(post(init_fields), -4019, 409)
    assert (again.get("data") or {}).get("session") == session, again

    # a slice whose content does not match its datasha
    bad = bytearray(data[:slice_size])
    bad[100] ^= 0xff
    jerr(post(slice_fields(0), bytes(bad)), -29138, 400)
    # an offset that is not a slice boundary (and so not in uploadparts either: the contract
    # does not order -29095 and -29136)
    bad_off = post(slice_fields(1000), data[1000:1000 + slice_size])
    assert bad_off.status_code == 400 and bad_off.json().get("code") in (-29095, -29136), bad_off.text
    # finishing early: slices missing
    jerr(post({"op": "upload_slice_finish", "session": session, "filesize": str(len(data)), "sha": whole}),
         -29144, 400)

    jok(post(slice_fields(0), data[:slice_size]))
    jok(post(slice_fields(2 * slice_size), data[2 * slice_size:]))
    listed = jok(post({"op": "upload_slice_list"}))["data"]
    assert sorted((p["offset"], p["datalen"]) for p in listed["listparts"]) == \
        [(p["offset"], p["datalen"]) for p in parts]

    fin = jok(post({"op": "upload_slice_finish", "session": session, "filesize": str(len(data)), "sha": whole}))
    assert fin["data"]["access_url"] == urls_for(cosd, short, path)["access_url"], fin
    assert v5_body(client, full, "js/big.bin") == data
    st = jok(js_get(cosd, short, path, multi(short, path), op="stat"))["data"]
    assert st["sha"] == whole and st["biz_attr"] == "js slices" and int(st["filesize"]) == len(data)
    probe = post({"op": "upload_slice_list"}).json()
    assert not (probe.get("data") or {}).get("session"), probe
    assert not client.list_multipart_uploads(Bucket=full).get("Upload")


def test_js_stat_sign_query_forms(cosd, client, jbucket):
    full, short = jbucket
    client.put_object(Bucket=full, Key="s.txt", Body=b"stat")
    # ?sign=<urlencoded>&op=stat
    assert int(jok(js_get(cosd, short, "/s.txt", multi(short, "/s.txt"), op="stat"))["data"]["filesize"]) == 4
    # a multi signature with an empty f
    assert jok(js_get(cosd, short, "/s.txt", multi(short, "/s.txt", f=""), op="stat"))["data"]["sha"] == ""
    # the Python SDK's form: Authorization header, op in the query
    jok(py_get(cosd, short, "/s.txt", multi(short, "/s.txt"), op="stat"))
    # list signed for a directory above the listed one
    client.put_object(Bucket=full, Key="sub/x.txt", Body=b"x")
    lst = jok(js_get(cosd, short, "/sub/", multi(short, "/"), op="list", num=10))["data"]
    assert [i["name"] for i in lst["infos"]] == ["x.txt"]
    # ... but not for a sibling
    jerr(js_get(cosd, short, "/sub/", multi(short, "/other/"), op="list", num=10), -63, 403)


# ================================================================== signature errors (raw requests)

def _put(client, full, key="e.txt"):
    client.put_object(Bucket=full, Key=key, Body=b"still here")


def _stat(cosd, short, sign):
    return js_get(cosd, short, "/e.txt", sign, op="stat") if sign is not None else \
        requests.get(json_url(cosd, short, "/e.txt"), params={"op": "stat"}, timeout=30)


def _delete(cosd, short, sign, path="/e.txt"):
    return py_post_json(cosd, short, path, sign, {"op": "delete"})


def _tampered(sign):
    raw = bytearray(base64.b64decode(sign))
    raw[3] ^= 0x01
    return base64.b64encode(bytes(raw)).decode()


NOW = lambda: int(time.time())  # noqa: E731

SIG_CASES = [
    # (id, code, request)
    ("no-sign", -81, lambda c, s: _stat(c, s, None)),
    ("not-base64", -97, lambda c, s: _stat(c, s, "!!!not base64!!!")),
    ("missing-fields", -97, lambda c, s: _stat(c, s, H.legacy_sign_plain(
        H.ROOT_SECRET_KEY, "a=%s&k=%s&e=%d" % (APPID, H.ROOT_SECRET_ID, NOW() + 300)))),
    ("unknown-secret-id", -47, lambda c, s: _stat(c, s, multi(s, "/e.txt", secret_id="AKIDnobodyHasThisKey0000000000",
                                                              secret_key="whatever"))),
    ("tampered-hmac", -48, lambda c, s: _stat(c, s, _tampered(multi(s, "/e.txt")))),
    ("wrong-secret-key", -48, lambda c, s: _stat(c, s, multi(s, "/e.txt", secret_key="wrong"))),
    ("wrong-appid", -70, lambda c, s: _stat(c, s, multi(s, "/e.txt", appid="1250000001"))),
    ("wrong-bucket", -61, lambda c, s: _stat(c, s, multi(s, "/e.txt", bucket="someotherbucket"))),
    ("expired-multi", -59, lambda c, s: _stat(c, s, multi(s, "/e.txt", now=NOW() - 400, expire_in=300))),
    ("multi-over-90-days", -53, lambda c, s: _stat(c, s, multi(s, "/e.txt", expire_in=91 * 86400))),
    ("f-other-path-multi", -63, lambda c, s: _stat(c, s, multi(s, "/other.txt"))),
    ("once-on-stat", -74, lambda c, s: _stat(c, s, once(s, "/e.txt"))),
    ("multi-on-delete", -73, lambda c, s: _delete(c, s, multi(s, "/e.txt"))),
    ("multi-on-update", -73, lambda c, s: py_post_json(c, s, "/e.txt", multi(s, "/e.txt"),
                                                       {"op": "update", "biz_attr": "x"})),
    ("once-without-f", -76, lambda c, s: _delete(c, s, once(s, "/e.txt", f=""))),
    ("once-other-file", -63, lambda c, s: _delete(c, s, once(s, "/other.txt"))),
    ("once-too-old", -96, lambda c, s: _delete(c, s, once(s, "/e.txt", now=NOW() - 2 * 86400))),
]


@pytest.mark.parametrize("code,request_fn", [c[1:] for c in SIG_CASES], ids=[c[0] for c in SIG_CASES])
def test_signature_errors(cosd, client, jbucket, code, request_fn):
    full, short = jbucket
    _put(client, full)
    jerr(request_fn(cosd, short), code, 403)
    assert v5_body(client, full, "e.txt") == b"still here"


def test_once_signature_replay(cosd, client, jbucket):
    full, short = jbucket
    _put(client, full)
    sign = once(short, "/e.txt")
    jok(_delete(cosd, short, sign))
    assert v5_missing(client, full, "e.txt")
    _put(client, full)
    jerr(_delete(cosd, short, sign), -77, 403)
    assert v5_body(client, full, "e.txt") == b"still here"
    # the same signature in the ?sign= form is the same signature
    jerr(js_post(cosd, short, "/e.txt", sign, {"op": "delete"}), -77, 403)
    # a fresh one works
    jok(_delete(cosd, short, once(short, "/e.txt")))
    assert v5_missing(client, full, "e.txt")


def test_once_signature_concurrent_replay(cosd, client, jbucket):
    """16 concurrent updates with one once signature: exactly one is served."""
    import concurrent.futures
    full, short = jbucket
    _put(client, full)
    sign = once(short, "/e.txt")

    def update(i):
        r = py_post_json(cosd, short, "/e.txt", sign, {"op": "update", "biz_attr": "try %d" % i})
        return r.status_code, r.json()["code"]

    with concurrent.futures.ThreadPoolExecutor(16) as ex:
        results = list(ex.map(update, range(16)))
    assert sorted(results) == [(200, 0)] + [(403, -77)] * 15, results
    st = jok(py_get(cosd, short, "/e.txt", multi(short, "/e.txt"), op="stat"))["data"]
    assert st["biz_attr"].startswith("try "), st


def test_once_signature_replay_after_restart(server_factory):
    server = server_factory("v4replay")
    server.start()
    c = server.client()
    full = H.unique_bucket("v4")
    short = full[:-(len(APPID) + 1)]
    c.create_bucket(Bucket=full)
    c.put_object(Bucket=full, Key="r.txt", Body=b"r")
    sign = once(short, "/r.txt")
    jok(_delete(server, short, sign, path="/r.txt"))
    server.stop()
    server.start()
    c = server.client()
    c.put_object(Bucket=full, Key="r.txt", Body=b"r again")
    jerr(_delete(server, short, sign, path="/r.txt"), -77, 403)
    assert v5_body(c, full, "r.txt") == b"r again"
    jok(_delete(server, short, once(short, "/r.txt"), path="/r.txt"))


# ================================================================== request errors (raw requests)

def test_request_errors(cosd, client, jbucket):
    full, short = jbucket
    client.put_object(Bucket=full, Key="q.txt", Body=b"q")
    m = lambda p: multi(short, p)  # noqa: E731
    jerr(py_post_json(cosd, short, "/q.txt", m("/q.txt"), {}), -5980, 400)
    jerr(py_post_json(cosd, short, "/q.txt", m("/q.txt"), {"op": "frobnicate"}), -5964, 400)
    r = requests.post(json_url(cosd, short, "/q.txt"), data=b"{not json",
                      headers={"Authorization": m("/q.txt"), "Content-Type": "application/json"}, timeout=30)
    jerr(r, -5975, 400)
    r = requests.put(json_url(cosd, short, "/q.txt"), data=b"x", headers={"Authorization": m("/q.txt")}, timeout=30)
    jerr(r, -5996, 405)
    # file path ending in '/', directory path not ending in '/'
    jerr(js_post(cosd, short, "/dir/", m("/dir/"), {"op": "upload"}, ("fileContent", "a", b"a", "text/plain")),
         -160, 400)
    jerr(py_post_json(cosd, short, "/newdir", m("/newdir"), {"op": "create"}), -161, 400)
    # upload without filecontent, with a wrong sha
    jerr(js_post(cosd, short, "/u.txt", m("/u.txt"), {"op": "upload"}), -5990, 400)
    jerr(js_post(cosd, short, "/u.txt", m("/u.txt"), {"op": "upload", "sha": sha1hex(b"something else")},
                 ("fileContent", "u.txt", b"content", "text/plain")), -4016, 409)
    assert v5_missing(client, full, "u.txt")
    # list num over 1000
    jerr(py_get(cosd, short, "/", m("/"), op="list", num=1001), -5966, 400)
    # the root cannot be deleted
    jerr(_delete(cosd, short, once(short, "/"), path="/"), -180, 400)
    # a bucket that does not exist
    ghost = "ghost" + full[3:13]
    jerr(js_get(cosd, ghost, "/q.txt", multi(ghost, "/q.txt"), op="stat"), -133, 404)
    # upload_slice_init without filesize, bad slice_size
    jerr(js_post(cosd, short, "/s.bin", m("/s.bin"), {"op": "upload_slice_init", "slice_size": "1048576"}),
         -5971, 400)
    jerr(js_post(cosd, short, "/s.bin", m("/s.bin"), {"op": "upload_slice_init", "filesize": "100",
                                                      "slice_size": "1000"}), -284, 400)
    assert v5_keys(client, full) == ["q.txt"]


def test_parameter_containers_names_and_sign_sources(cosd, client, jbucket):
    full, short = jbucket
    m = lambda p: multi(short, p)  # noqa: E731
    # the body overrides the query: ?op=stat + JSON {"op": "create"} creates the directory
    r = requests.post(json_url(cosd, short, "/made/") + "?op=stat", data=json.dumps({"op": "create"}),
                      headers={"Authorization": m("/made/"), "Content-Type": "application/json"}, timeout=30)
    jok(r)
    assert v5_keys(client, full) == ["made/"]
    # names match without case and underscores: FILE_CONTENT, insert_only, BizAttr
    jok(js_post(cosd, short, "/made/n.txt", m("/made/n.txt"), {"OP": "upload", "Biz_Attr": "named"},
                ("FILE_CONTENT", "n.txt", b"one", "text/plain")))
    st = jok(py_get(cosd, short, "/made/n.txt", m("/made/n.txt"), op="stat"))["data"]
    assert (st["biz_attr"], st["sha"]) == ("named", sha1hex(b"one")), st
    jerr(js_post(cosd, short, "/made/n.txt", m("/made/n.txt"), {"op": "upload", "insert_only": "1"},
                 ("fileContent", "n.txt", b"two", "text/plain")), -177, 409)
    jok(js_post(cosd, short, "/made/n.txt", m("/made/n.txt"), {"op": "upload", "insert_only": "0",
                                                               "bizattr": "replaced"},
                ("filecontent", "n.txt", b"two", "text/plain")))
    st = jok(py_get(cosd, short, "/made/n.txt", m("/made/n.txt"), op="stat"))["data"]
    assert (st["biz_attr"], st["sha"]) == ("replaced", sha1hex(b"two")), st
    # parameters in a multipart body with the signature in the query (the JS form), and
    # in the query with the signature in the header (the Python SDK's move form)
    jok(requests.post(json_url(cosd, short, "/made/n.txt"),
                      params={"op": "move", "dest_fileid": "m.txt", "to_over_write": "0"},
                      headers={"Authorization": once(short, "/made/n.txt"), "Content-Type": "application/json"},
                      timeout=30))
    assert v5_keys(client, full) == ["made/", "made/m.txt"]
    # the Authorization header is used when both are present
    url = js_url(cosd, short, "/made/m.txt", "!!garbage!!", op="stat")
    jok(requests.get(url, headers={"Authorization": m("/made/m.txt")}, timeout=30))
    url = js_url(cosd, short, "/made/m.txt", m("/made/m.txt"), op="stat")
    jerr(requests.get(url, headers={"Authorization": "!!garbage!!"}, timeout=30), -97, 403)
    # signature fields in another order (cos-nodejs-sdk-v5 getV4Auth: a b k t e r f)
    now = int(time.time())
    plain = "a=%s&b=%s&k=%s&t=%d&e=%d&r=%d&f=%s" % (APPID, short, H.ROOT_SECRET_ID, now, now + 900, 4242,
                                                    fileid(short, "/made/m.txt"))
    jok(js_get(cosd, short, "/made/m.txt", H.legacy_sign_plain(H.ROOT_SECRET_KEY, plain), op="stat"))


def test_limits(cosd, client, jbucket):
    full, short = jbucket
    m = lambda p: multi(short, p)  # noqa: E731
    jok(py_post_json(cosd, short, "/b1/", m("/b1/"), {"op": "create", "biz_attr": "x" * 4096}))
    jerr(py_post_json(cosd, short, "/b2/", m("/b2/"), {"op": "create", "biz_attr": "x" * 4097}), -5947, 400)
    jerr(py_get(cosd, short, "/", m("/"), op="list", num="abc"), -5966, 400)
    big = b"z" * (20 * MiB + 1)
    jerr(js_post(cosd, short, "/big.bin", m("/big.bin"), {"op": "upload"},
                 ("fileContent", "big.bin", big, "application/octet-stream")), -285, 413)
    assert v5_keys(client, full) == ["b1/"]


def test_slice_protocol_errors(cosd, client, jbucket):
    full, short = jbucket
    path = "/sl.bin"
    data = gen(3 * 64 * 1024 + 10, 21)

    def post(fields, content=None):
        ff = None if content is None else ("fileContent", "blob", content, "application/octet-stream")
        return js_post(cosd, short, path, multi(short, path), fields, ff)

    # sha without uploadparts; uploadparts inconsistent with filesize / slice_size
    jerr(post({"op": "upload_slice_init", "filesize": str(len(data)), "slice_size": "65536",
               "sha": sha1hex(data)}), -29133, 400)
    parts = uploadparts(data, 65536)
    jerr(post({"op": "upload_slice_init", "filesize": str(len(data) + 1), "slice_size": "65536",
               "sha": sha1hex(data), "uploadparts": json.dumps(parts)}), -29134, 400)
    jerr(post({"op": "upload_slice_init", "filesize": str(len(data)), "slice_size": "65536",
               "uploadparts": "[not json"}), -5975, 400)
    # a session without uploadparts
    init = jok(post({"op": "upload_slice_init", "filesize": str(len(data)), "slice_size": "65536"}))["data"]
    session = init["session"]
    jerr(post({"op": "upload_slice_data", "session": "no-such-session", "offset": "0"}, data[:65536]), -29096, 400)
    jerr(post({"op": "upload_slice_data", "session": session, "offset": "100"}, data[100:65636]), -29095, 400)
    for off in range(0, len(data), 65536):
        jok(post({"op": "upload_slice_data", "session": session, "offset": str(off)}, data[off:off + 65536]))
    jerr(post({"op": "upload_slice_finish", "session": session}), -29104, 400)
    jerr(post({"op": "upload_slice_finish", "session": session, "filesize": str(len(data) - 1)}), -175, 400)
    jerr(post({"op": "upload_slice_finish", "session": session, "filesize": str(len(data)),
               "sha": sha1hex(b"other")}), -4016, 409)
    fin = jok(post({"op": "upload_slice_finish", "session": session, "filesize": str(len(data))}))
    assert fin["data"]["access_url"] == urls_for(cosd, short, path)["access_url"]
    assert v5_body(client, full, "sl.bin") == data
    # computed on the way in without a declared sha
    st = jok(js_get(cosd, short, path, multi(short, path), op="stat"))["data"]
    assert st["sha"] == sha1hex(data), st
    # the session is gone
    jerr(post({"op": "upload_slice_data", "session": session, "offset": "0"}, data[:65536]), -29096, 400)

