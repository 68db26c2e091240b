"""The `lifecycle` workload (cosd only), driven from Python: how much a lifecycle pass over a
large bucket slows small requests. The instance runs with a 2-second lifecycle day
(COSD_LIFECYCLE_DAY_SECS=2, the workload's `env`), so the worker starts a pass every second.
Set-up (not timed): `objects` 16-byte objects under a fresh prefix of their own bucket
(cosd-bench's LIST fill, 16 connections; earlier runs' objects stay, and passes skip them by
prefix). Then four legs, idle / busy / busy / idle (A-B-B-A): each runs cosd-bench's
`mixed` workload (70% GET / 30% PUT of 4 KiB, 4 connections, `duration` seconds) on the
ordinary bench bucket. An idle leg first deletes the big bucket's lifecycle configuration; a
busy leg first sets one whose transition (to STANDARD_IA, then to ARCHIVE) is due for every
object, so the pass that starts within a second rewrites every object record, one commit each,
and then keeps rescanning. After a busy leg the workload waits until the pass has reached the
last key and reports the pass rate (counted from the PUT, so it includes the up to one second
before the pass starts). Answer: the medians of each kind of leg's p50/p99, the
paired ratios busy / idle (the goal: close to 1), and `pass_keys_per_s`."""

import base64
import hashlib
import statistics
import threading
import time

from .common import BUCKET, BenchError
from .list_versions import S3Conn

LBUCKET = "benchlc-1250000000"
LPREFIX = "bench-lifecycle"
DAY_SECS = 2
ENV = {"COSD_LIFECYCLE_DAY_SECS": str(DAY_SECS)}


def config(prefix, storage_class):
    return (b"<LifecycleConfiguration><Rule><ID>bench</ID><Filter><Prefix>" + prefix.encode()
            + b"/</Prefix></Filter><Status>Enabled</Status><Transition><Days>1</Days>"
            b"<StorageClass>" + storage_class.encode() + b"</StorageClass></Transition></Rule>"
            b"</LifecycleConfiguration>")


def head_class(c, key):
    status, _ = c.request("HEAD", f"/{LBUCKET}/{key}")
    if status != 200:
        raise BenchError(f"HEAD {key}: {status}")
    return c.last_headers.get("x-amz-storage-class", "STANDARD")


def watch_pass(endpoint, key, target, t0, out, timeout):
    """Polls `key` (the last one a pass reaches) until it is in `target`; appends the seconds
    since `t0` to `out`, or None on timeout."""
    c = S3Conn(endpoint)
    deadline = t0 + timeout
    while time.monotonic() < deadline:
        if head_class(c, key) == target:
            out.append(time.monotonic() - t0)
            return
        time.sleep(0.05)
    out.append(None)


def run(gen, endpoint, workload, params, server_pid=None, label=None, timeout=1800):
    objects, duration = params["objects"], params.get("duration", 5)
    c = S3Conn(endpoint)
    for b in (BUCKET, LBUCKET):
        c.ok("PUT", f"/{b}", want=(200, 409))
    # A fresh prefix each run: the previous run's objects are already in the coldest class.
    prefix = f"{LPREFIX}-{time.time_ns() // 1_000_000 % 10**10:010}"
    fill = gen.run(endpoint, "list", {"keys": objects, "prefix": prefix, "count": 1,
                                      "concurrency": 16}, label=f"{label}:fill" if label else None,
                   timeout=timeout, bucket=LBUCKET)
    if fill.get("errors"):
        raise BenchError(f"fill: {fill['errors']} errors")
    last = f"{prefix}/k{objects - 1:08}"
    leg = {"size": 4096, "concurrency": 4, "keys": 100, "duration": duration,
           "prefix": "bench-lifecycle-load"}
    samples = {"idle": [], "busy": []}
    rates = []
    for i, mode in enumerate(("idle", "busy", "busy", "idle")):
        if mode == "idle":
            # A fresh connection per call: a fill or leg over a large bucket outlasts the
            # server's idle timeout.
            S3Conn(endpoint).ok("DELETE", f"/{LBUCKET}", [("lifecycle", "")], want=(204,))
            time.sleep(1.5)  # a running pass stops at its next batch
            watcher = None
        else:
            target = "STANDARD_IA" if i == 1 else "ARCHIVE"
            body = config(prefix, target)
            md5 = base64.b64encode(hashlib.md5(body).digest()).decode()
            S3Conn(endpoint).ok("PUT", f"/{LBUCKET}", [("lifecycle", "")], body,
                 extra={"content-md5": md5})
            took = []
            watcher = threading.Thread(target=watch_pass,
                                       args=(endpoint, last, target, time.monotonic(), took,
                                             timeout))
            watcher.start()
        r = gen.run(endpoint, "mixed", leg, server_pid=server_pid,
                    label=f"{label}:{mode}{i}" if label else None, timeout=timeout)
        if r.get("errors"):
            raise BenchError(f"{mode} leg: {r['errors']} errors")
        samples[mode].append(r)
        if watcher is not None:
            watcher.join()
            if not took or took[0] is None:
                raise BenchError("the lifecycle pass did not reach the last key")
            # The pass starts within a second of the PUT (the worker's interval).
            rates.append(objects / max(1e-3, took[0]))

    def med(mode, key):
        return statistics.median(s[key] for s in samples[mode])

    def ratio(key):
        # Paired A-B-B-A: the first idle with the first busy, the second with the second.
        return statistics.median([samples["busy"][j][key] / samples["idle"][1 - j][key]
                                  for j in (0, 1) if samples["idle"][1 - j][key]])

    busy = samples["busy"]
    return {
        "workload": workload, "label": label, "concurrency": 4, "size": 4096,
        "ops": sum(s["ops"] for s in busy), "errors": 0, "secs": None,
        "ops_per_s": med("busy", "ops_per_s"), "mib_per_s": None,
        "p50_us": med("busy", "p50_us"), "p99_us": med("busy", "p99_us"), "p999_us": None,
        "client_cpu_s": None, "server_cpu_s": None, "server_cpu_us_per_op": None,
        "server_cpu_s_per_gib": None,
        "objects": objects,
        "idle_p50_us": med("idle", "p50_us"), "idle_p99_us": med("idle", "p99_us"),
        "busy_p50_us": med("busy", "p50_us"), "busy_p99_us": med("busy", "p99_us"),
        "p50_busy_over_idle": ratio("p50_us"), "p99_busy_over_idle": ratio("p99_us"),
        "ops_busy_over_idle": ratio("ops_per_s"),
        "pass_keys_per_s": statistics.median(rates),
    }
