"""Crash safety: SIGKILL the server in the middle of a write stream, restart it
on the same data dir, and check that

* every acknowledged PUT is readable with exactly the acknowledged bytes,
* every acknowledged DELETE is gone,
* a key whose request was in flight at the kill holds either the old or the
  new complete content (never a partial/mixed object),
* listings agree with the objects,
* ``cosd fsck`` finds no dangling chunk references, ``fsck --repair`` removes
  orphaned chunks, and repair does not lose live data, including the parts of a
  multipart upload and of a JSON API slice session left open through the crashes.

Uses its own server instance and data dir (not the shared session server).
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

WRITERS = 4
RUN_SECONDS = 3.0
INLINE_MAX = 4096              # cosd default inline_threshold: smaller objects live in the metadata store
SMALL_MAX = 64 * 1024          # "large" = comfortably inside chunk files
LARGE_MAX = 3 * 1024 * 1024


class Writer(threading.Thread):
    """Owns the keys w<idx>/...; records a result only after the SDK call
    returned success. State per key: (md5hex, size) or None (= absent)."""

    def __init__(self, idx, server, bucket, stop, killed, cycle=0, initial=None):
        threading.Thread.__init__(self, name="crash-writer-%d-%d" % (cycle, idx), daemon=True)
        self.idx = idx
        self.cycle = cycle
        self.bucket = bucket
        self.stop_ev = stop
        self.killed = killed
        self.client = server.client(retry=0, session=requests.Session())
        self.rnd = random.Random(1000 * (cycle + 1) + idx)
        self.state = dict(initial or {})   # key -> acknowledged state
        self.inflight = None       # (key, old_state, new_state) of the unacknowledged request
        self.acked = {"put": 0, "overwrite": 0, "delete": 0, "large": 0}
        self.error_before_kill = None
        self.next_id = 0

    def payload(self):
        r = self.rnd
        p = r.random()
        if p < 0.3:
            n = r.randint(1024, INLINE_MAX)
        elif p < 0.6:
            n = r.randint(INLINE_MAX + 1, SMALL_MAX)
        else:   # log-uniform 64 KiB .. 3 MiB
            n = int(math.exp(r.uniform(math.log(SMALL_MAX + 1), math.log(LARGE_MAX))))
        return os.urandom(n)

    def live_keys(self):
        return [k for k, v in self.state.items() if v is not None]

    def run(self):
        while not self.stop_ev.is_set():
            live = self.live_keys()
            p = self.rnd.random()
            if p < 0.5 or len(live) < 3:
                op, key = "put", "w%d/c%d-%05d" % (self.idx, self.cycle, self.next_id)
                self.next_id += 1
            elif p < 0.8:
                op, key = "overwrite", self.rnd.choice(live)
            else:
                op, key = "delete", self.rnd.choice(live)
            old = self.state.get(key)
            data = None
            if op == "delete":
                new = None
            else:
                data = self.payload()
                new = (H.md5hex(data), len(data))
            self.inflight = (key, old, new)
            try:
                if op == "delete":
                    self.client.delete_object(Bucket=self.bucket, Key=key)
                else:
                    rt = self.client.put_object(Bucket=self.bucket, Key=key, Body=data)
                    if rt.get("ETag") != '"%s"' % new[0]:
                        self.error_before_kill = "bad ETag %r for %s" % (rt.get("ETag"), key)
                        return
            except Exception as e:  # server killed (or a real error, see below)
                if not self.killed.is_set():
                    self.error_before_kill = "%s on %s %s: %r" % (type(e).__name__, op, key, e)
                return
            self.state[key] = new
            self.inflight = None
            self.acked[op] += 1
            if new is not None and new[1] > SMALL_MAX:
                self.acked["large"] += 1


def fetch_state(client, bucket, key):
    try:
        got = client.get_object(Bucket=bucket, Key=key)
    except CosServiceError as e:
        if e.get_status_code() == 404:
            return None
        raise
    data = H.read_body(got)
    assert got["Content-Length"] == str(len(data))
    return (H.md5hex(data), len(data))


def list_all(client, bucket):
    out = {}
    marker = ""
    while True:
        rt = client.list_objects(Bucket=bucket, Marker=marker, MaxKeys=1000)
        for c in rt.get("Contents", []):
            out[c["Key"]] = (c["ETag"].strip('"'), int(c["Size"]))
        if rt["IsTruncated"] != "true":
            return out
        marker = rt["NextMarker"]


def verify(server, bucket, writers, label, static):
    """Returns {key: actual_state}; asserts against the acknowledged history.
    ``static``: {key: state} of objects not touched by the writers."""
    client = server.client(retry=1, session=requests.Session())
    expected = {k: {v} for k, v in static.items()}
    for w in writers:
        for key, st in w.state.items():
            expected[key] = {st}
        if w.inflight is not None:
            key, old, new = w.inflight
            expected[key] = {old, new}

    keys = sorted(expected)
    with ThreadPoolExecutor(8) as ex:
        actual = dict(zip(keys, ex.map(lambda k: fetch_state(client, bucket, k), keys)))

    problems = []
    for key in keys:
        if actual[key] not in expected[key]:
            problems.append("%s: got %r, allowed %r" % (key, actual[key], sorted(expected[key], key=repr)))
    assert not problems, "[%s] %d of %d keys wrong after crash:\n  %s" % (
        label, len(problems), len(keys), "\n  ".join(problems[:30]))

    listed = list_all(client, bucket)
    present = {k: v for k, v in actual.items() if v is not None}
    assert sorted(listed) == sorted(present), "[%s] listing disagrees with GETs: only listed %r, only readable %r" % (
        label, sorted(set(listed) - set(present))[:20], sorted(set(present) - set(listed))[:20])
    for k, v in present.items():
        assert listed[k] == v, "[%s] list entry for %s is %r, object is %r" % (label, k, listed[k], v)
    return actual


def fsck(server, *extra):
    r = server.run_cli("fsck", "--data-dir", server.data_dir, *extra)
    out = (r.stdout + r.stderr).decode("utf-8", "replace")
    dangling = re.search(r"dangling references:\s*(\d+)", out)
    orphaned = re.search(r"orphaned chunks:\s*(\d+)", out)
    return r.returncode, out, (int(dangling.group(1)) if dangling else None), \
        (int(orphaned.group(1)) if orphaned else None)


def run_writers_and_kill(server, bucket, cycle, initial_states):
    stop, killed = threading.Event(), threading.Event()
    writers = [Writer(i, server, bucket, stop, killed, cycle, initial_states[i]) for i in range(WRITERS)]
    for w in writers:
        w.start()
    time.sleep(RUN_SECONDS)
    killed.set()
    server.kill()                       # kill -9 while the writers are still going
    stop.set()
    for w in writers:
        w.join(60)
        assert not w.is_alive(), "writer %d hung after the kill" % w.idx
    errors = [w.error_before_kill for w in writers if w.error_before_kill]
    assert not errors, "requests failed before the kill:\n" + "\n".join(errors)
    totals = {k: sum(w.acked[k] for w in writers) for k in writers[0].acked}
    print("cycle %d: acknowledged before kill: %r; in flight: %d"
          % (cycle, totals, sum(w.inflight is not None for w in writers)))
    assert totals["put"] >= 10 and totals["large"] >= 2, "too little traffic to be meaningful: %r" % totals
    return writers


def test_sigkill_mid_stream_then_restart_and_fsck(server_factory):
    server = server_factory("crash")
    server.start()
    setup = server.client(retry=1, session=requests.Session())
    bucket = H.unique_bucket("crash")
    setup.create_bucket(Bucket=bucket)
    # one pre-existing object outside the writers' key space
    static_body = os.urandom(200000)
    setup.put_object(Bucket=bucket, Key="static.bin", Body=static_body)
    static = {"static.bin": (H.md5hex(static_body), len(static_body))}
    # An open multipart upload and an open slice session stay in flight through both crashes.
    work = _open_upload_and_slice_session(server, bucket)

    states = [{} for _ in range(WRITERS)]
    for cycle in range(2):
        # second cycle: crash again while overwriting/deleting what survived the first
        writers = run_writers_and_kill(server, bucket, cycle, states)
        server.start()                  # restart on the same data dir
        actual = verify(server, bucket, writers, "cycle %d, after restart" % cycle, static)
        # what the server now holds is the new acknowledged baseline
        states = [{k: v for k, v in actual.items() if k.startswith("w%d/" % i)} for i in range(WRITERS)]

    client = server.client(retry=1, session=requests.Session())
    # the restarted server accepts writes
    body = os.urandom(300000)
    assert client.put_object(Bucket=bucket, Key="after-restart.bin", Body=body)["ETag"] == H.etag_of(body)
    assert H.read_body(client.get_object(Bucket=bucket, Key="after-restart.bin")) == body
    client.delete_object(Bucket=bucket, Key="after-restart.bin")
    server.stop()

    # ---- offline consistency check
    rc, out, dangling, orphaned = fsck(server)
    print(out)
    assert dangling is not None and orphaned is not None, "unexpected fsck output:\n" + out
    assert dangling == 0, out
    assert rc == 0, out
    corrupt = re.search(r"corrupt records:\s*(\d+)", out)
    assert corrupt is None or int(corrupt.group(1)) == 0, out

    rc, out, _, _ = fsck(server, "--repair")
    print(out)
    assert rc == 0, "fsck --repair failed:\n" + out

    rc, out, dangling, orphaned = fsck(server)
    print(out)
    assert rc == 0, out
    assert dangling == 0, out
    assert orphaned == 0, "orphaned chunks remain after --repair:\n" + out
    mismatches = re.search(r"refcount mismatches:\s*(\d+)", out)
    assert mismatches is None or int(mismatches.group(1)) == 0, out

    # ---- repair must not have removed anything live
    server.start()
    final_static = dict(static)
    for st in states:
        final_static.update(st)
    verify(server, bucket, [], "after fsck --repair", final_static)
    _finish_open_work(server, bucket, work)
    server.stop()


def test_fsck_clean_data_dir(server_factory):
    """fsck on a freshly used, cleanly stopped data dir: exit 0, nothing to report."""
    server = server_factory("clean")
    server.start()
    c = server.client(retry=1, session=requests.Session())
    bucket = H.unique_bucket("clean")
    c.create_bucket(Bucket=bucket)
    c.put_object(Bucket=bucket, Key="small", Body=b"x" * 100)
    c.put_object(Bucket=bucket, Key="large", Body=os.urandom(2 * 1024 * 1024))
    c.put_object(Bucket=bucket, Key="large", Body=os.urandom(1024 * 1024))   # overwrite
    c.put_object(Bucket=bucket, Key="gone", Body=os.urandom(500 * 1024))
    c.delete_object(Bucket=bucket, Key="gone")
    assert server.stop() == 0, "graceful shutdown on SIGTERM should exit 0"
    rc, out, dangling, orphaned = fsck(server)
    assert dangling is not None and orphaned is not None, "unexpected fsck output:\n" + out
    assert rc == 0, out
    assert dangling == 0, out


def _open_upload_and_slice_session(server, bucket):
    """An open multipart upload (2 parts, 6 MiB) and a JSON API slice session with one of its
    two slices, neither finished. Returns what finishing them needs."""
    import json as _json
    from json_helpers import js_post, multi, sha1hex, uploadparts
    client = server.client(retry=1, session=requests.Session())
    parts_data = [os.urandom(3 * 1024 * 1024), os.urandom(3 * 1024 * 1024)]
    up = client.create_multipart_upload(Bucket=bucket, Key="open/upload.bin")["UploadId"]
    etags = []
    for i, d in enumerate(parts_data):
        etags.append({"PartNumber": i + 1,
                      "ETag": client.upload_part(Bucket=bucket, Key="open/upload.bin", Body=d,
                                                 PartNumber=i + 1, UploadId=up)["ETag"]})
    short = bucket[:-len("-" + H.APPID)]
    path = "/sliced.bin"
    slice_size = 1024 * 1024
    sliced = os.urandom(2 * slice_size)
    whole = sha1hex(sliced)

    def post(fields, content=None):
        ff = None if content is None else ("fileContent", "blob", content, "application/octet-stream")
        r = js_post(server, short, path, multi(short, path), fields, ff)
        assert r.status_code == 200 and r.json().get("code") == 0, r.text
        return r.json()["data"]

    session = post({"op": "upload_slice_init", "uploadparts": _json.dumps(uploadparts(sliced, slice_size)),
                    "sha": whole, "filesize": str(len(sliced)), "slice_size": str(slice_size)})["session"]
    post({"op": "upload_slice_data", "session": session, "offset": "0", "sha": whole}, sliced[:slice_size])
    return {"upload_id": up, "etags": etags, "parts": parts_data, "post": post, "session": session,
            "sliced": sliced, "slice_size": slice_size, "whole": whole}


def _finish_open_work(server, bucket, w):
    client = server.client(retry=1, session=requests.Session())
    client.complete_multipart_upload(Bucket=bucket, Key="open/upload.bin", UploadId=w["upload_id"],
                                     MultipartUpload={"Part": w["etags"]})
    got = H.read_body(client.get_object(Bucket=bucket, Key="open/upload.bin"))
    assert got == b"".join(w["parts"]), "the completed upload lost its parts' bytes (%d bytes read)" % len(got)
    s = w["slice_size"]
    w["post"]({"op": "upload_slice_data", "session": w["session"], "offset": str(s), "sha": w["whole"]},
              w["sliced"][s:])
    w["post"]({"op": "upload_slice_finish", "session": w["session"], "filesize": str(len(w["sliced"])),
               "sha": w["whole"]})
    assert H.read_body(client.get_object(Bucket=bucket, Key="sliced.bin")) == w["sliced"]


def _fsck_clean(server, label):
    rc, out, dangling, orphaned = fsck(server)
    mismatches = re.search(r"refcount mismatches:\s*(\d+)", out)
    assert (rc, dangling, orphaned, mismatches and int(mismatches.group(1))) == (0, 0, 0, 0), \
        "[%s] fsck must count the parts of open uploads and slice sessions:\n%s" % (label, out)
    assert re.search(r"upload parts:\s*3\b", out), out


def test_fsck_repair_keeps_open_uploads_and_slice_sessions(server_factory):
    """A cleanly stopped store and a killed one, each with an open multipart upload and an open
    JSON API slice session: fsck reports them clean, --repair deletes none of their chunks, and
    both finish afterwards with every byte."""
    for how in ("stop", "kill"):
        server = server_factory("open-" + how)
        server.start()
        client = server.client(retry=1, session=requests.Session())
        bucket = H.unique_bucket("open")
        client.create_bucket(Bucket=bucket)
        work = _open_upload_and_slice_session(server, bucket)
        if how == "stop":
            assert server.stop() == 0
        else:
            server.kill()
        _fsck_clean(server, how)
        rc, out, _, _ = fsck(server, "--repair")
        assert rc == 0, out
        _fsck_clean(server, how + ", after --repair")
        server.start()
        _finish_open_work(server, bucket, work)
        server.stop()
