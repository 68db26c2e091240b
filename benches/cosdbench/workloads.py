"""The workload table (ids, parameters, warm-ups, metrics shown) and which of them --only
selects."""

import fnmatch

from . import lifecycle
from .common import DEDUPM, LARGE, LCM, LIST_PREFIX, LISTM, SMALL, SSEM, GiB, KiB, MiB


class Workload:
    def __init__(self, wid, title, workload, params, metrics, group=None, warm=None,
                 fresh_per_round=False, targets=None, env=None):
        self.id = wid
        self.title = title
        self.workload = workload
        self.params = params
        self.metrics = metrics
        self.group = group or wid
        self.warm = warm  # parameters of the discarded warm-up run (None: no warm-up)
        self.fresh_per_round = fresh_per_round
        self.targets = targets  # the systems it runs on (None: all)
        self.env = env  # extra server environment for the group's instances


def workloads(cfg):
    q = cfg.quick
    d = cfg.duration
    wd = cfg.warmup_duration
    big = 256 * MiB if q else 1 * GiB
    big_name = "256 MiB" if q else "1 GiB"
    get_keys = 100 if q else 1000
    list_keys = cfg.list_keys
    delete_count = 1000 if q else 10000

    def timed(extra):
        return dict(extra, duration=d)

    def warm_timed(extra):
        return dict(extra, duration=wd)

    ws = []
    for c in (1, 16, 64):
        p = {"size": 4 * KiB, "concurrency": c}
        ws.append(Workload(f"put-4k-c{c}", f"PUT 4 KiB, c{c}", "put", timed(p), SMALL,
                           warm=warm_timed(p)))
    for c in (1, 16, 64):
        p = {"size": 4 * KiB, "concurrency": c, "keys": get_keys}
        ws.append(Workload(f"get-4k-c{c}", f"GET 4 KiB, c{c}", "get", timed(p), SMALL,
                           warm=warm_timed(dict(p, keys=min(get_keys, 50)))))
    # At most 4 GiB a run as well as the duration: at 1.2 GB/s, seven 10-second runs into one
    # instance (warm-up and six samples) filled this machine's 68 GB of free disk.
    p = {"size": 1 * MiB, "concurrency": 16, "count": 4096}
    ws.append(Workload("put-1m-c16", "PUT 1 MiB, c16", "put", timed(p), LARGE + ["p99_us"],
                       warm=warm_timed(p)))
    p = {"size": 1 * MiB, "concurrency": 16, "keys": 32 if q else 64}
    ws.append(Workload("get-1m-c16", "GET 1 MiB, c16", "get", timed(p), LARGE + ["p99_us"],
                       warm=warm_timed(dict(p, keys=16))))
    ws.append(Workload("put-big-c1", f"PUT {big_name}, single stream", "put",
                       {"size": big, "concurrency": 1, "count": 1}, LARGE,
                       warm={"size": big // 8, "concurrency": 1, "count": 1}))
    # The warm-up sends 16 parts of 8 MiB (two per connection) in either mode: an eighth of
    # 256 MiB was only four parts, so the first timed sample of quick mode still paid for what
    # eight connections need the first time (a writer and segment each, buffers, the MD5
    # engine's thread) and ran ~10% slower than the rest.
    ws.append(Workload("put-big-mp8", f"PUT {big_name}, multipart 8 parts in parallel",
                       "put-multipart", {"size": big, "concurrency": 8}, LARGE,
                       warm={"size": 128 * MiB, "concurrency": 8}))
    ws.append(Workload("get-big-c1", f"GET {big_name}, single stream", "get",
                       {"size": big, "concurrency": 1, "keys": 1, "duration": d}, LARGE,
                       warm={"size": big // 8, "concurrency": 1, "keys": 1, "duration": wd}))
    # One group on one fixed prefix: the warm-up of `list` uploads the keys (the generator
    # fills a prefix that holds fewer than --keys objects), `list-delim` lists the same ones.
    p = {"keys": list_keys, "concurrency": 1, "prefix": LIST_PREFIX}
    # Up to 10 whole listings per run (server CPU time comes in 10 ms ticks), but no new one
    # after --duration: a slow peer lists 100k keys in tens of seconds.
    p = dict(p, count=10, duration=d)
    wp = dict(p, count=1, duration=wd)
    ws.append(Workload("list", f"LIST {list_keys:,} keys", "list", p, LISTM, group="list",
                       warm=wp))
    ws.append(Workload("list-delim", f"LIST {list_keys:,} keys, delimiter /", "list-delim",
                       p, LISTM, group="list", warm=wp))
    # cosd only (list_versions.py), in the same group: as many versions, 100 a key, listed
    # whole in turn with a plain LIST of the `list` row's objects; its warm-up writes them.
    p = {"keys": list_keys, "count": 10, "duration": d}
    ws.append(Workload("list-versions", f"LIST {list_keys:,} versions (100 a key) vs plain LIST",
                       "list-versions", p, LISTM + ["plain_ms_per_1000_keys",
                                                    "versions_over_plain"], group="list",
                       warm=dict(p, count=1, duration=wd), targets=("cosd", "cosd-base")))
    p = {"size": 4 * KiB, "concurrency": 16, "keys": get_keys}
    ws.append(Workload("mixed-4k-c16", "Mixed 70% GET / 30% PUT, 4 KiB, c16", "mixed",
                       timed(p), SMALL, warm=warm_timed(p)))
    ws.append(Workload("delete", f"DELETE {delete_count:,} objects, c16", "delete",
                       {"count": delete_count, "concurrency": 16, "size": 4 * KiB},
                       ["ops_per_s", "server_cpu_us_per_op"],
                       warm={"count": max(100, delete_count // 10), "concurrency": 16,
                             "size": 4 * KiB}))
    ws.append(Workload("dedup", "Dedup: the same 4 MiB uploaded 100 times", "dedup",
                       {"size": 4 * MiB, "count": 100, "concurrency": 4}, DEDUPM,
                       warm=None, fresh_per_round=True))
    # Server-side encryption (cosd only, sse.py): 256 MiB PUT and GET into an SSE-S3 default
    # bucket against a plain one on the same instance, A-B-B-A; reported as ratios.
    p = {"size": 256 * MiB, "duration": max(d, 2.0)}
    ws.append(Workload("sse-256m", "SSE-S3 PUT/GET 256 MiB vs unencrypted, single stream",
                       "sse", p, SSEM, warm={"size": 32 * MiB, "duration": wd},
                       targets=("cosd", "cosd-base")))
    # Lifecycle (cosd only, lifecycle.py): small-request latency while a lifecycle pass
    # rewrites every object of a large bucket, against idle, A-B-B-A; reported as ratios.
    n = cfg.lifecycle_objects
    p = {"objects": n, "duration": max(d, 2.0)}
    ws.append(Workload("lifecycle", f"GET/PUT 4 KiB latency during a lifecycle pass over "
                       f"{n:,} objects vs idle", "lifecycle", p, LCM, warm=None,
                       targets=("cosd", "cosd-base"), env=lifecycle.ENV))
    return ws


def selected(args, name):
    if not args.only:
        return True
    return any(fnmatch.fnmatch(name, pat) or name.startswith(pat)
               for pat in args.only.split(","))
