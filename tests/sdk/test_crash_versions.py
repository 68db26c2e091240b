"""Crash safety of versions (contract: docs/versioning.md; modelled on test_crash.py): writer
threads stream versioned PUTs (inline, chunked and > 1 MiB bodies, some bodies repeated so
versions share chunks), plain DELETEs (delete markers) and DELETEs by version id into a
versioned bucket; the server is SIGKILLed mid-stream and restarted on the same data dir. Then

* every acknowledged version and marker is listed by GET /?versions under its acknowledged id,
  each key's entries newest first with exactly one IsLatest, and nothing else is listed except
  what the one request in flight per writer may have done,
* every acknowledged version reads back by id with the acknowledged bytes, every marker by id
  is 405, every version deleted by id is gone (404 NoSuchVersion),
* ``cosd fsck`` finds no dangling reference, ``fsck --repair`` leaves no orphan and no refcount
  mismatch, and repair keeps every noncurrent version's chunks.

Uses its own server and data dir.
"""

import math
import os
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests
from qcloud_cos.cos_exception import CosServiceError

import cosd_harness as H
import versioning_helpers as V

WRITERS = 4
KEYS_PER_WRITER = 5
RUN_SECONDS = 3.0
INLINE_MAX = 4096               # cosd's default inline threshold
MiB = 1024 * 1024


def payload(rnd):
    p = rnd.random()
    if p < 0.35:
        n = rnd.randint(0, INLINE_MAX)
    elif p < 0.75:
        n = rnd.randint(INLINE_MAX + 1, 256 * 1024)
    else:                       # > 1 MiB, log-uniform up to 2.5 MiB
        n = int(math.exp(rnd.uniform(math.log(MiB + 1), math.log(2.5 * MiB))))
    return os.urandom(n)


class Writer(threading.Thread):
    """Owns keys w<idx>/k<j>. ``history[key]``: the acknowledged versions and markers still
    present, oldest first, as dicts (kind, vid, md5, size). ``removed``: acknowledged
    deletes by id. ``inflight``: the one unacknowledged request at the kill, if any."""

    def __init__(self, idx, server, bucket, stop, killed):
        threading.Thread.__init__(self, name="vcrash-writer-%d" % idx, daemon=True)
        self.idx = idx
        self.bucket = bucket
        self.stop_ev = stop
        self.killed = killed
        self.client = server.client(retry=0, session=requests.Session())
        self.rnd = random.Random(4242 + idx)
        self.keys = ["w%d/k%d" % (idx, j) for j in range(KEYS_PER_WRITER)]
        self.history = {k: [] for k in self.keys}
        self.removed = []
        self.inflight = None
        self.pool = []              # earlier bodies, reused so that versions share chunks
        self.acked = {"put": 0, "large": 0, "marker": 0, "remove": 0, "reused": 0}
        self.error_before_kill = None

    def _fail(self, msg):
        if not self.killed.is_set():
            self.error_before_kill = msg

    def run(self):
        c = self.client
        while not self.stop_ev.is_set():
            r = self.rnd.random()
            live = [(k, e) for k in self.keys for e in self.history[k]]
            key = self.rnd.choice(self.keys)
            if r < 0.6 or not live:
                if self.pool and self.rnd.random() < 0.15:
                    data = self.rnd.choice(self.pool)
                    reused = True
                else:
                    data = payload(self.rnd)
                    reused = False
                md5 = H.md5hex(data)
                self.inflight = {"op": "put", "key": key, "md5": md5, "size": len(data)}
                try:
                    rt = c.put_object(Bucket=self.bucket, Key=key, Body=data)
                except Exception as e:
                    return self._fail("put %s: %r" % (key, e))
                vid = V.vid(rt)
                if rt.get("ETag") != '"%s"' % md5 or not vid or vid == "null":
                    return self._fail("put %s: ETag %r version %r" % (key, rt.get("ETag"), vid))
                self.history[key].append({"kind": "Version", "vid": vid, "md5": md5, "size": len(data)})
                self.acked["put"] += 1
                self.acked["reused"] += reused
                if len(data) > MiB:
                    self.acked["large"] += 1
                if not reused and len(data) > INLINE_MAX:
                    self.pool = (self.pool + [data])[-3:]
            elif r < 0.8:
                self.inflight = {"op": "marker", "key": key}
                try:
                    rt = c.delete_object(Bucket=self.bucket, Key=key)
                except Exception as e:
                    return self._fail("delete %s: %r" % (key, e))
                vid = V.vid(rt)
                if H.hget(rt, "x-cos-delete-marker") != "true" or not vid or vid == "null":
                    return self._fail("delete %s: answer %r" % (key, rt))
                self.history[key].append({"kind": "DeleteMarker", "vid": vid})
                self.acked["marker"] += 1
            else:
                key, entry = self.rnd.choice(live)
                self.inflight = {"op": "remove", "key": key, "vid": entry["vid"]}
                try:
                    rt = c.delete_object(Bucket=self.bucket, Key=key, VersionId=entry["vid"])
                except Exception as e:
                    return self._fail("delete %s?versionId=%s: %r" % (key, entry["vid"], e))
                if V.vid(rt) != entry["vid"]:
                    return self._fail("delete by id %s: answered version %r" % (entry["vid"], V.vid(rt)))
                self.history[key].remove(entry)
                self.removed.append((key, entry))
                self.acked["remove"] += 1
            self.inflight = None


def list_entries(server, bucket, page=300):
    """Every entry of GET /?versions (raw, pages of ``page``), in document order."""
    out, km, vm = [], "", ""
    while True:
        params = {"max-keys": page}
        if km:
            params["key-marker"] = km
        if vm:
            params["version-id-marker"] = vm
        res = V.raw_list_versions(server, bucket, **params)
        out += res["entries"]
        if res.get("IsTruncated") != "true":
            return out
        km, vm = res["NextKeyMarker"], res.get("NextVersionIdMarker", "")


def _shape(entries):
    return [(e["kind"], e["vid"], e.get("etag", e.get("md5"))) for e in entries]


def _listed_shape(entries):
    return [(e["kind"], e["VersionId"], e["ETag"].strip('"') if e["kind"] == "Version" else None) for e in entries]


def _matches(got, want):
    return len(got) == len(want) and all(w[1] == "*" and g[0] == w[0] and g[2] == w[2] or g == w
                                         for g, w in zip(got, want))


def verify(server, bucket, owners, label):
    """``owners``: objects with .keys, .history, .removed, .inflight (Writers, or the static
    set). Returns the number of versions read back."""
    client = server.client(retry=1, session=requests.Session())
    listed = list_entries(server, bucket)
    by_key = {}
    for e in listed:
        by_key.setdefault(e["Key"], []).append(e)
    known = set()
    problems, reads = [], []
    for o in owners:
        for key in o.keys:
            known.add(key)
            got = by_key.get(key, [])
            want = list(reversed(_shape(o.history[key])))
            candidates = [want]
            inf = o.inflight if o.inflight and o.inflight["key"] == key else None
            if inf and inf["op"] == "put":
                candidates.append([("Version", "*", inf["md5"])] + want)
            elif inf and inf["op"] == "marker":
                candidates.append([("DeleteMarker", "*", None)] + want)
            elif inf and inf["op"] == "remove":
                candidates.append([w for w in want if w[1] != inf["vid"]])
            gs = _listed_shape(got)
            if not any(_matches(gs, c) for c in candidates):
                problems.append("%s: listed (newest first) %r, acknowledged %r, in flight %r" % (key, gs, want, inf))
                continue
            latest = [e["IsLatest"] for e in got]
            if latest and latest != ["true"] + ["false"] * (len(latest) - 1):
                problems.append("%s: IsLatest %r" % (key, latest))
            acked_md5 = {e["vid"]: (e["md5"], e["size"]) for e in o.history[key] if e["kind"] == "Version"}
            for e in got:
                if e["kind"] == "Version":
                    exp = acked_md5.get(e["VersionId"], (inf or {}).get("md5") and (inf["md5"], inf["size"]))
                    if int(e["Size"]) != exp[1]:
                        problems.append("%s %s: listed Size %s, acknowledged %d" % (key, e["VersionId"], e["Size"], exp[1]))
                    reads.append((key, e["VersionId"], "Version", exp))
                else:
                    reads.append((key, e["VersionId"], "DeleteMarker", None))
            # the latest
            reads.append((key, None, got[0]["kind"] if got else None,
                          acked_md5.get(got[0]["VersionId"], inf and inf.get("md5") and (inf["md5"], inf["size"]))
                          if got and got[0]["kind"] == "Version" else None))
            for rkey, entry in o.removed:
                if rkey == key:
                    reads.append((key, entry["vid"], "removed", None))
    stray = sorted(set(by_key) - known)
    if stray:
        problems.append("listed keys nobody wrote: %r" % stray[:20])
    assert not problems, "[%s] %d problems in the version listing:\n  %s" % (
        label, len(problems), "\n  ".join(problems[:30]))

    def read(item):
        key, version_id, kind, exp = item
        kw = {"VersionId": version_id} if version_id else {}
        try:
            got = client.get_object(Bucket=bucket, Key=key, **kw)
            data = H.read_body(got)
            if kind != "Version":
                return "%s %s (%s): readable (%d bytes)" % (key, version_id, kind, len(data))
            if (H.md5hex(data), len(data)) != exp:
                return "%s %s: read md5/size %r, acknowledged %r" % (key, version_id, (H.md5hex(data), len(data)), exp)
            if version_id and V.vid(got) != version_id:
                return "%s %s: answered x-cos-version-id %r" % (key, version_id, V.vid(got))
        except CosServiceError as e:
            status, code = e.get_status_code(), e.get_error_code()
            want = {"Version": None, None: (404, "NoSuchKey"),
                    "DeleteMarker": (405, "MethodNotAllowed") if version_id else (404, "NoSuchKey"),
                    "removed": (404, "NoSuchVersion")}[kind]
            if (status, code) != want:
                return "%s %s (%s): %s %s, expected %r" % (key, version_id, kind, status, code, want)
        return None

    with ThreadPoolExecutor(8) as ex:
        errors = [x for x in ex.map(read, reads) if x]
    assert not errors, "[%s] %d of %d reads wrong:\n  %s" % (label, len(errors), len(reads), "\n  ".join(errors[:30]))
    return sum(1 for r in reads if r[2] == "Version" and r[1])


def fsck(server, *extra):
    r = server.run_cli("fsck", "--data-dir", server.data_dir, *extra)
    out = (r.stdout + r.stderr).decode("utf-8", "replace")

    def count(name):
        m = re.search(name + r":\s*(\d+)", out)
        return int(m.group(1)) if m else None

    return r.returncode, out, {n: count(n) for n in ("dangling references", "orphaned chunks",
                                                     "refcount mismatches", "corrupt records")}


class Static(object):
    """Versions written before the stream, outside the writers' keys."""

    def __init__(self):
        self.keys, self.history, self.removed, self.inflight = [], {}, [], None

    def add(self, key, kind, vid, data=None, etag=None):
        if key not in self.history:
            self.keys.append(key)
            self.history[key] = []
        e = {"kind": kind, "vid": vid}
        if data is not None:
            e.update(md5=H.md5hex(data), size=len(data))
        if etag is not None:
            e["etag"] = etag.strip('"')
        self.history[key].append(e)


def test_sigkill_during_versioned_writes_keeps_every_acknowledged_version(server_factory):
    server = server_factory("vcrash")
    server.start()
    c = server.client(retry=1, session=requests.Session())
    bucket = H.unique_bucket("vcrash")
    c.create_bucket(Bucket=bucket)
    static = Static()
    # a null version from before versioning, then versions on top of it
    pre = os.urandom(300000)
    c.put_object(Bucket=bucket, Key="static/pre", Body=pre)
    static.add("static/pre", "Version", "null", pre)
    c.put_bucket_versioning(Bucket=bucket, Status="Enabled")
    for body in (os.urandom(2 * MiB), b"small", os.urandom(2 * MiB)):
        static.add("static/pre", "Version", V.vid(c.put_object(Bucket=bucket, Key="static/pre", Body=body)), body)
    static.add("static/pre", "DeleteMarker", V.vid(c.delete_object(Bucket=bucket, Key="static/pre")))

    stop, killed = threading.Event(), threading.Event()
    writers = [Writer(i, server, bucket, stop, killed) for i in range(WRITERS)]
    t0 = time.monotonic()
    for w in writers:
        w.start()
    time.sleep(RUN_SECONDS)
    killed.set()
    server.kill()                       # kill -9 with requests in flight
    stop.set()
    for w in writers:
        w.join(60)
        assert not w.is_alive(), "writer %d hung after the kill" % w.idx
    errors = [w.error_before_kill for w in writers if w.error_before_kill]
    assert not errors, "requests failed before the kill:\n" + "\n".join(errors)
    totals = {k: sum(w.acked[k] for w in writers) for k in writers[0].acked}
    print("acknowledged before the kill: %r; in flight: %r" % (totals, [w.inflight for w in writers]))
    assert totals["put"] >= 20 and totals["marker"] >= 3 and totals["remove"] >= 3 and totals["large"] >= 2, \
        "too little traffic to be meaningful: %r" % totals

    server.start()                      # same data dir
    owners = writers + [static]
    n = verify(server, bucket, owners, "after restart")
    print("versions read back: %d (%.1f s)" % (n, time.monotonic() - t0))

    # the restarted server keeps versioning: one more version and one more removal
    c = server.client(retry=1, session=requests.Session())
    body = os.urandom(1500000)
    v_after = V.vid(c.put_object(Bucket=bucket, Key="static/pre", Body=body))
    static.add("static/pre", "Version", v_after, body)
    first = static.history["static/pre"][1]
    c.delete_object(Bucket=bucket, Key="static/pre", VersionId=first["vid"])
    static.history["static/pre"].remove(first)
    static.removed.append(("static/pre", first))
    # settle the in-flight requests: what the server now holds is the new baseline
    for w in writers:
        if w.inflight:
            _settle_inflight(server, bucket, w)
    verify(server, bucket, owners, "after restart, settled")
    assert server.stop() == 0

    rc, out, counts = fsck(server)
    print(out)
    assert counts["dangling references"] == 0, out
    assert counts["corrupt records"] in (None, 0), out
    assert rc == 0, out
    rc, out, _ = fsck(server, "--repair")
    print(out)
    assert rc == 0, "fsck --repair failed:\n" + out
    rc, out, counts = fsck(server)
    print(out)
    assert rc == 0 and counts["dangling references"] == 0, out
    assert counts["orphaned chunks"] == 0, "orphaned chunks remain after --repair:\n" + out
    assert counts["refcount mismatches"] in (None, 0), out

    # repair must not have released any version's chunks
    server.start()
    verify(server, bucket, owners, "after fsck --repair")
    server.stop()


def _settle_inflight(server, bucket, w):
    """Replace a writer's in-flight request by what the listing shows it did."""
    inf, key = w.inflight, w.inflight["key"]
    listed = [e for e in list_entries(server, bucket) if e["Key"] == key]
    known = {e["vid"] for e in w.history[key]}
    if inf["op"] in ("put", "marker"):
        new = [e for e in listed if e["VersionId"] not in known]
        if new:
            (e,) = new
            entry = {"kind": e["kind"], "vid": e["VersionId"]}
            if inf["op"] == "put":
                entry.update(md5=inf["md5"], size=inf["size"])
            w.history[key].append(entry)
    else:
        if inf["vid"] not in {e["VersionId"] for e in listed}:
            entry = [e for e in w.history[key] if e["vid"] == inf["vid"]][0]
            w.history[key].remove(entry)
            w.removed.append((key, entry))
    w.inflight = None


def test_fsck_counts_noncurrent_versions_after_a_clean_stop(server_factory):
    """Noncurrent versions and markers are chunk references: a clean store with many of them
    fscks clean, --repair removes nothing, and every version still reads back."""
    server = server_factory("vclean")
    server.start()
    c = server.client(retry=1, session=requests.Session())
    bucket = H.unique_bucket("vclean")
    c.create_bucket(Bucket=bucket)
    c.put_bucket_versioning(Bucket=bucket, Status="Enabled")
    static = Static()
    shared = os.urandom(1200000)
    for key in ("a", "b"):
        for body in (shared, os.urandom(5000), b"tiny", shared):
            static.add(key, "Version", V.vid(c.put_object(Bucket=bucket, Key=key, Body=body)), body)
        static.add(key, "DeleteMarker", V.vid(c.delete_object(Bucket=bucket, Key=key)))
    # remove one copy of the shared body: the other versions keep their chunks
    gone = static.history["a"][0]
    c.delete_object(Bucket=bucket, Key="a", VersionId=gone["vid"])
    static.history["a"].remove(gone)
    static.removed.append(("a", gone))
    assert server.stop() == 0
    for extra in ((), ("--repair",), ()):
        rc, out, counts = fsck(server, *extra)
        assert rc == 0, out
        assert counts["dangling references"] == 0 and counts["orphaned chunks"] == 0, out
        assert counts["refcount mismatches"] in (None, 0), out
    server.start()
    verify(server, bucket, [static], "clean stop, after fsck --repair")
    server.stop()


def test_every_write_path_keeps_chunk_references_exact(server_factory):
    """PUT, copy (also onto its own key), multipart (also with UploadPartCopy from a version),
    null-version replacement by each of them in a Suspended bucket, markers and removals by id:
    after a clean stop fsck finds every reference and every refcount exact, and nothing needs
    repair; after a restart every version reads back."""
    server = server_factory("vpaths")
    server.start()
    c = server.client(retry=1, session=requests.Session())
    bucket = H.unique_bucket("vpaths")
    c.create_bucket(Bucket=bucket)
    st = Static()

    def put(key, body):
        rt = c.put_object(Bucket=bucket, Key=key, Body=body)
        st.add(key, "Version", V.vid(rt) or "null", body)
        return V.vid(rt)

    def copy(key, src_key, src_vid, body):
        rt = c.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": src_key, "Region": H.REGION,
                                                               "VersionId": src_vid})
        st.add(key, "Version", V.vid(rt), body)

    def multipart(key, parts, copy_from=None):
        up = c.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
        etags = []
        for i, p in enumerate(parts):
            etags.append({"PartNumber": i + 1, "ETag": c.upload_part(Bucket=bucket, Key=key, Body=p, PartNumber=i + 1,
                                                                     UploadId=up)["ETag"]})
        body = b"".join(parts)
        if copy_from:
            src_key, src_vid, src_body = copy_from
            n = len(parts) + 1
            rt = c.upload_part_copy(Bucket=bucket, Key=key, PartNumber=n, UploadId=up,
                                    CopySource={"Bucket": bucket, "Key": src_key, "Region": H.REGION,
                                                "VersionId": src_vid})
            etags.append({"PartNumber": n, "ETag": rt["ETag"]})
            body += src_body
        rt = c.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=up, MultipartUpload={"Part": etags})
        st.add(key, "Version", V.vid(rt), body, etag=rt["ETag"])

    def replace_null(key):
        """In a Suspended bucket the new null version replaces the old one in the history."""
        hist = st.history[key]
        nulls = [e for e in hist[:-1] if e["vid"] == "null"]
        for e in nulls:         # gone from the listing; "null" now names the new one
            hist.remove(e)

    def remove(key, entry):
        c.delete_object(Bucket=bucket, Key=key, VersionId=entry["vid"])
        st.history[key].remove(entry)
        st.removed.append((key, entry))

    big = [os.urandom(1536 * 1024) for _ in range(4)]
    put("a", big[0])                                     # null, unversioned
    c.put_bucket_versioning(Bucket=bucket, Status="Enabled")
    va1 = put("a", big[1])
    copy("b", "a", va1, big[1])                          # shares a's chunks
    copy("a", "a", "null", big[0])                       # restore the null version's bytes as a new version
    multipart("m", [os.urandom(5 * MiB), big[2]], copy_from=("a", va1, big[1]))
    st.add("a", "DeleteMarker", V.vid(c.delete_object(Bucket=bucket, Key="a")))
    put("small", b"inline")
    put("small", os.urandom(3000))

    c.put_bucket_versioning(Bucket=bucket, Status="Suspended")
    put("a", big[3])                                     # null again: the old null (big[0]) is replaced
    replace_null("a")
    multipart("a", [os.urandom(5 * MiB), b"tail"])       # null, replaced by a multipart upload
    replace_null("a")
    vb = [e for e in st.history["b"]][0]["vid"]
    copy("a", "b", vb, big[1])                           # null, replaced by a copy
    replace_null("a")
    put("small", b"null small")
    st.add("small", "DeleteMarker", V.vid(c.delete_object(Bucket=bucket, Key="small")))   # null marker
    replace_null("small")

    c.put_bucket_versioning(Bucket=bucket, Status="Enabled")
    remove("a", st.history["a"][0])                      # va1: b and m still hold its bytes
    remove("b", st.history["b"][0])
    multi = [e for e in st.history["small"] if e["kind"] == "Version"][:1]
    c.delete_objects(Bucket=bucket, Delete={"Object": [{"Key": "small", "VersionId": e["vid"]} for e in multi],
                                            "Quiet": "true"})
    for e in multi:
        st.history["small"].remove(e)
        st.removed.append(("small", e))
    verify(server, bucket, [st], "before the stop")
    assert server.stop() == 0

    rc, out, counts = fsck(server)
    print(out)
    assert rc == 0, out
    assert counts["dangling references"] == 0, out
    assert counts["refcount mismatches"] in (None, 0), "a removed or replaced version kept (or lost) a reference:\n" + out
    assert counts["corrupt records"] in (None, 0), out
    rc, out, counts = fsck(server, "--repair")
    assert rc == 0, out
    rc, out, counts = fsck(server)
    assert counts["orphaned chunks"] == 0 and counts["dangling references"] == 0, out
    server.start()
    verify(server, bucket, [st], "after restart and fsck --repair")
    server.stop()


def test_versioning_and_lock_state_survive_a_restart(server_factory):
    import datetime
    import s3_harness as S3
    server = server_factory("vstate")
    server.start()
    s3 = S3.named_client(server, "defaults")
    c = server.client(retry=1, session=requests.Session())
    plain, locked = S3.unique_bucket(), S3.unique_bucket()
    s3.create_bucket(Bucket=plain)
    s3.put_bucket_versioning(Bucket=plain, VersioningConfiguration={"Status": "Suspended"})
    s3.create_bucket(Bucket=locked, ObjectLockEnabledForBucket=True)
    s3.put_object_lock_configuration(Bucket=locked, ObjectLockConfiguration={
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}})
    until = (datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(days=1)).replace(microsecond=0)
    v1 = s3.put_object(Bucket=locked, Key="k", Body=b"x", ObjectLockMode="COMPLIANCE",
                       ObjectLockRetainUntilDate=until, ObjectLockLegalHoldStatus="ON")["VersionId"]
    v2 = s3.put_object(Bucket=locked, Key="k", Body=b"y")["VersionId"]
    server.kill()
    server.start()
    s3 = S3.named_client(server, "defaults")
    c = server.client(retry=1, session=requests.Session())
    assert s3.get_bucket_versioning(Bucket=plain)["Status"] == "Suspended"
    assert s3.get_bucket_versioning(Bucket=locked)["Status"] == "Enabled"
    assert s3.get_object_lock_configuration(Bucket=locked)["ObjectLockConfiguration"] == {
        "ObjectLockEnabled": "Enabled", "Rule": {"DefaultRetention": {"Mode": "GOVERNANCE", "Days": 2}}}
    assert s3.get_object_retention(Bucket=locked, Key="k", VersionId=v1)["Retention"] == {
        "Mode": "COMPLIANCE", "RetainUntilDate": until}
    assert s3.get_object_legal_hold(Bucket=locked, Key="k", VersionId=v1)["LegalHold"]["Status"] == "ON"
    assert s3.get_object_retention(Bucket=locked, Key="k", VersionId=v2)["Retention"]["Mode"] == "GOVERNANCE"
    for v in (v1, v2):
        try:
            s3.delete_object(Bucket=locked, Key="k", VersionId=v)
            raise AssertionError("a locked version was deleted after the restart")
        except S3.ClientError as e:
            assert S3.err(e)[:2] == (403, "AccessDenied")
    assert V.vid(c.put_object(Bucket=plain, Key="n", Body=b"x")) in (None, "null")
    server.stop()


GC_WAIT = 4.0      # > grace (1 s) + interval (1 s), with margin (as test_gc.py)


def test_collector_keeps_noncurrent_versions_and_reclaims_removed_ones(server_factory):
    """The chunk collector (1 s grace) must treat every version and every suspended-era
    replacement correctly: noncurrent versions keep their chunks through collections; versions
    removed by id, replaced null versions and deleted buckets' versions are reclaimed."""
    server = server_factory("vgc", COSD_GC_GRACE_SECS="1", COSD_GC_INTERVAL_SECS="1")
    server.start()
    c = server.client(retry=1, session=requests.Session())
    bucket = H.unique_bucket("vgc")
    c.create_bucket(Bucket=bucket)
    c.put_bucket_versioning(Bucket=bucket, Status="Enabled")
    st = Static()
    bodies = [os.urandom(5 * MiB + 1000), os.urandom(1200 * 1024), os.urandom(20000)]
    for key in ("x", "y"):
        for body in bodies + [bodies[0]]:
            st.add(key, "Version", V.vid(c.put_object(Bucket=bucket, Key=key, Body=body)), body)
        st.add(key, "DeleteMarker", V.vid(c.delete_object(Bucket=bucket, Key=key)))
    # x: remove the oldest copy of bodies[0] and bodies[1]; y keeps all of them
    for e in [e for e in st.history["x"] if e["kind"] == "Version"][:2]:
        c.delete_object(Bucket=bucket, Key="x", VersionId=e["vid"])
        st.history["x"].remove(e)
        st.removed.append(("x", e))
    # a null version replaced twice in a Suspended bucket
    c.put_bucket_versioning(Bucket=bucket, Status="Suspended")
    for body in (os.urandom(2 * MiB), os.urandom(2 * MiB)):
        c.put_object(Bucket=bucket, Key="z", Body=body)
    st.add("z", "Version", "null", body)
    time.sleep(GC_WAIT)
    verify(server, bucket, [st], "after a collection")

    # remove everything of y and z by id: only x's versions stay
    for key in ("y", "z"):
        for e in list(st.history[key]):
            c.delete_object(Bucket=bucket, Key=key, VersionId=e["vid"])
            st.history[key].remove(e)
            if e["vid"] != "null":
                st.removed.append((key, e))
    time.sleep(GC_WAIT)
    verify(server, bucket, [st], "after a second collection")
    assert server.stop() == 0
    rc, out, counts = fsck(server)
    print(out)
    assert rc == 0 and counts["dangling references"] == 0, out
    assert counts["refcount mismatches"] in (None, 0), out
    assert counts["orphaned chunks"] == 0, "the collector did not reclaim removed versions' chunks:\n" + out
