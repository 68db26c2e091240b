"""Concurrent writers/readers on the same key: a reader only ever sees one
complete version, and the final state is one of the written versions."""

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import requests

import cosd_harness as H


def test_concurrent_overwrites_and_reads_are_atomic(cosd, bucket):
    key = "hot/object.bin"
    # mix of small (inline) and large (chunked) versions
    sizes = [1000, 50000, 70000, 300000, 1500000, 2500000, 20, 900000]
    versions = [os.urandom(n) for n in sizes]
    digests = {H.md5hex(v): len(v) for v in versions}
    setup = cosd.client()
    setup.put_object(Bucket=bucket, Key=key, Body=versions[0])

    stop = threading.Event()
    bad_reads = []
    reads = [0]

    def reader():
        c = cosd.client(session=requests.Session())
        while not stop.is_set():
            got = c.get_object(Bucket=bucket, Key=key)
            data = H.read_body(got)
            md5 = H.md5hex(data)
            if md5 not in digests or got["ETag"] != '"%s"' % md5 or got["Content-Length"] != str(len(data)):
                bad_reads.append((len(data), md5, got.get("ETag"), got.get("Content-Length")))
            reads[0] += 1

    def writer(i):
        c = cosd.client(session=requests.Session())
        for n in range(6):
            v = versions[(i + n) % len(versions)]
            assert c.put_object(Bucket=bucket, Key=key, Body=v)["ETag"] == H.etag_of(v)

    readers = [threading.Thread(target=reader, daemon=True) for _ in range(3)]
    for t in readers:
        t.start()
    try:
        with ThreadPoolExecutor(4) as ex:
            list(ex.map(writer, range(4)))
        time.sleep(0.2)
    finally:
        stop.set()
        for t in readers:
            t.join(30)
    assert reads[0] > 0
    assert not bad_reads, "readers saw torn/mismatched objects: %r" % bad_reads[:5]

    final = H.read_body(setup.get_object(Bucket=bucket, Key=key))
    assert H.md5hex(final) in digests
    head = setup.head_object(Bucket=bucket, Key=key)
    assert head["ETag"] == H.etag_of(final)
    listed = setup.list_objects(Bucket=bucket)["Contents"]
    assert [(c["Key"], c["ETag"], c["Size"]) for c in listed] == [(key, H.etag_of(final), str(len(final)))]


def test_concurrent_puts_distinct_keys(cosd, bucket):
    c = cosd.client()
    bodies = {"p/%03d" % i: os.urandom(1000 + i * 997) for i in range(120)}

    def put(item):
        k, v = item
        return c.put_object(Bucket=bucket, Key=k, Body=v)["ETag"] == H.etag_of(v)

    with ThreadPoolExecutor(12) as ex:
        assert all(ex.map(put, bodies.items()))
    listed = {x["Key"]: (x["ETag"], int(x["Size"])) for x in c.list_objects(Bucket=bucket)["Contents"]}
    assert listed == {k: (H.etag_of(v), len(v)) for k, v in bodies.items()}


def test_concurrent_create_same_bucket(cosd, client):
    """Exactly one of several racing CreateBucket calls wins; the rest get 409."""
    from qcloud_cos.cos_exception import CosServiceError
    name = H.unique_bucket()
    results = []

    def create(_):
        c = cosd.client(session=requests.Session())
        try:
            c.create_bucket(Bucket=name)
            return "ok"
        except CosServiceError as e:
            return (e.get_status_code(), e.get_error_code())

    try:
        with ThreadPoolExecutor(6) as ex:
            results = list(ex.map(create, range(6)))
    finally:
        H.destroy_bucket(client, name)
    assert results.count("ok") == 1, results
    assert all(r == (409, "BucketAlreadyOwnedByYou") for r in results if r != "ok"), results
