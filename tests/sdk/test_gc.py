"""Content-addressed chunks shared between objects: concurrent PUT/overwrite/
copy/DELETE of identical content must keep reference counts exact, and the
chunk collector (run with a 1 s grace period here) must never delete a chunk
that a live object still uses, while reclaiming the ones nobody uses.

Uses its own server (COSD_GC_GRACE_SECS=1, COSD_GC_INTERVAL_SECS=1).
"""

import os
import random
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

import cosd_harness as H

MIB = 1024 * 1024
GC_WAIT = 4.0      # > grace (1 s) + interval (1 s), with margin


def fsck_summary(server):
    r = server.run_cli("fsck", "--data-dir", server.data_dir)
    out = (r.stdout + r.stderr).decode("utf-8", "replace")
    nums = {m.group(1): int(m.group(2)) for m in re.finditer(r"([a-z][a-z ]+):\s*(\d+)", out)}
    return r.returncode, out, nums


def check_all(client, bucket, expected):
    def one(item):
        key, want = item
        got = H.read_body(client.get_object(Bucket=bucket, Key=key))
        return key, (H.md5hex(got), len(got)) == want

    with ThreadPoolExecutor(8) as ex:
        bad = [k for k, ok in ex.map(one, expected.items()) if not ok]
    assert not bad, "objects corrupted or lost: %r" % bad[:20]
    listed = {}
    marker = ""
    while True:
        rt = client.list_objects(Bucket=bucket, Marker=marker)
        for c in rt.get("Contents", []):
            listed[c["Key"]] = (c["ETag"].strip('"'), int(c["Size"]))
        if rt["IsTruncated"] != "true":
            break
        marker = rt["NextMarker"]
    assert listed == expected


def test_shared_chunks_refcounts_and_gc(server_factory):
    server = server_factory("gc", COSD_GC_GRACE_SECS="1", COSD_GC_INTERVAL_SECS="1")
    server.start()
    client = server.client(session=requests.Session())
    bucket = H.unique_bucket("gc")
    client.create_bucket(Bucket=bucket)

    a = os.urandom(5 * MIB + 100)                       # 2 chunks
    d = a[:4 * MIB] + os.urandom(700 * 1024)            # shares its first chunk with a
    c = os.urandom(9 * MIB)                             # 3 chunks
    b = os.urandom(300 * 1024)
    e = os.urandom(2000)                                # inline
    payloads = [a, b, c, d, e]
    state_of = {id(p): (H.md5hex(p), len(p)) for p in payloads}

    workers, keys_per_worker = 6, 5
    final = {}
    lock = threading.Lock()
    deadline = time.monotonic() + 2.5

    def worker(w):
        cl = server.client(session=requests.Session())
        rnd = random.Random(w)
        mine = {}
        keys = ["w%d/k%d" % (w, j) for j in range(keys_per_worker)]
        while time.monotonic() < deadline:
            key = rnd.choice(keys)
            op = rnd.random()
            if op < 0.55:
                p = rnd.choice(payloads)
                cl.put_object(Bucket=bucket, Key=key, Body=p)
                mine[key] = state_of[id(p)]
            elif op < 0.75 and set(mine) - {key}:
                src = rnd.choice(sorted(set(mine) - {key}))
                cl.copy_object(Bucket=bucket, Key=key,
                               CopySource={"Bucket": bucket, "Key": src, "Region": H.REGION})
                mine[key] = mine[src]
            else:
                cl.delete_object(Bucket=bucket, Key=key)
                mine.pop(key, None)
        with lock:
            final.update(mine)

    with ThreadPoolExecutor(workers) as ex:
        list(ex.map(worker, range(workers)))
    assert final, "no objects left to check"

    check_all(client, bucket, final)
    time.sleep(GC_WAIT)                  # let the collector run over everything released so far
    check_all(client, bucket, final)

    # cross-bucket sharing: copies survive deletion of the whole source bucket
    other = H.unique_bucket("gc2")
    client.create_bucket(Bucket=other)
    client.put_object(Bucket=bucket, Key="src/a", Body=a)
    client.put_object(Bucket=bucket, Key="src/c", Body=c)
    client.copy_object(Bucket=other, Key="copy/a", CopySource={"Bucket": bucket, "Key": "src/a", "Region": H.REGION})
    client.copy_object(Bucket=other, Key="copy/c", CopySource={"Bucket": bucket, "Key": "src/c", "Region": H.REGION})
    client.put_object(Bucket=other, Key="plain/d", Body=d)
    H.empty_bucket(client, bucket)
    client.delete_bucket(Bucket=bucket)
    time.sleep(GC_WAIT)
    check_all(client, other, {"copy/a": state_of[id(a)], "copy/c": state_of[id(c)],
                              "plain/d": state_of[id(d)]})

    # delete most of it; what remains must survive another collection
    client.delete_object(Bucket=other, Key="copy/c")
    client.delete_object(Bucket=other, Key="copy/a")
    time.sleep(GC_WAIT)
    check_all(client, other, {"plain/d": state_of[id(d)]})
    server.stop()

    rc, out, nums = fsck_summary(server)
    print(out)
    assert rc == 0, out
    assert nums.get("dangling references") == 0, out
    assert nums.get("refcount mismatches", 0) == 0, out
    assert nums.get("corrupt records", 0) == 0, out
    # only d's two chunks (one of them shared with a) are still referenced;
    # everything else was released more than GC_WAIT ago and must be reclaimed.
    assert nums.get("orphaned chunks") == 0, "collector did not reclaim unreferenced chunks:\n" + out
