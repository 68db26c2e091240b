"""The generator's own ceiling (the do-nothing responder) and what is derived from the
results: cosd as a fraction of the machine's limits and of that ceiling, and the targets of
issue #8."""

from .common import BenchError, KiB, MiB, log
from .generator import Responder
from .render import fmt
from .rounds import median, metric_value


def run_responder(ctx, results):
    """The generator's own ceiling: a do-nothing server, 4 KiB PUT and GET at c16."""
    resp = Responder(ctx)
    out = {}
    try:
        resp.start()
        log(f"responder at {resp.addr}")
        for wid, wl, p in (
                ("put-4k-c16", "put", {"size": 4 * KiB, "concurrency": 16}),
                ("get-4k-c16", "get", {"size": 4 * KiB, "concurrency": 16, "keys": 200})):
            samples = []
            for i in range(ctx.args.rounds * 2 + 1):  # first one discarded
                try:
                    r = ctx.gen.run(resp.endpoint, wl, dict(p, duration=ctx.args.duration if i
                                                            else ctx.args.warmup_duration),
                                    server_pid=resp.pid, label=f"responder {wid}",
                                    timeout=ctx.args.run_timeout)
                except BenchError as e:
                    r = {"error": str(e)}
                log(f"  responder {wid}{' warm-up' if i == 0 else ''}: "
                    f"{fmt(r.get('ops_per_s'), 'int')} ops/s, client CPU {r.get('client_cpu_s')} s")
                if i:
                    samples.append(r)
            out[wid] = {"samples": samples,
                        "ops_per_s": median([metric_value(x, "ops_per_s") for x in samples]),
                        "client_cpu_s": median([metric_value(x, "client_cpu_s")
                                                for x in samples]),
                        "secs": median([metric_value(x, "secs") for x in samples])}
    finally:
        resp.stop()
    return out


def derive(results):
    """cosd as a fraction of the machine's limits and of the generator's ceiling; targets."""
    w = {e["id"]: e for e in results["workloads"]}
    lim = results.get("limits") or {}

    def cosd(wid, key):
        e = w.get(wid)
        return e["medians"].get("cosd", {}).get(key) if e and "medians" in e else None

    def ratio(wid, peer, key):
        e = w.get(wid)
        return e["ratios"].get(peer, {}).get(key) if e and "ratios" in e else None

    d = {}

    def frac(name, num, den, desc):
        d[name] = {"value": (num / den) if (num is not None and den) else None,
                   "numerator": num, "denominator": den, "desc": desc}

    md5 = lim.get("md5_gbps")
    loop = lim.get("loopback_gbps")
    put_big = cosd("put-big-c1", "mib_per_s")
    mp_big = cosd("put-big-mp8", "mib_per_s")
    get_big = cosd("get-big-c1", "mib_per_s")
    # *_gbps are taken as 10^9 bytes per second (see docs/performance.md)
    frac("put_big_of_md5", put_big * MiB / 1e9 if put_big else None, md5,
         "single-stream PUT / one-core MD5 rate")
    frac("multipart_over_single", mp_big, put_big, "multipart 8-way PUT / single-stream PUT")
    frac("multipart_of_disk", mp_big, lim.get("durable_write_mibps"),
         "multipart 8-way PUT / durable 4 MiB writes, 16 threads")
    frac("get_big_of_loopback", get_big * MiB / 1e9 if get_big else None, loop,
         "single-stream GET / loopback TCP throughput")
    resp = results.get("responder") or {}
    for wid in ("put-4k-c16", "get-4k-c16"):
        frac(f"{wid}_of_responder", cosd(wid, "ops_per_s"),
             (resp.get(wid) or {}).get("ops_per_s"),
             f"cosd {wid} ops/s / the same against the do-nothing responder")
    results["fractions"] = d

    st = results.get("startup", {}).get("cosd", {})
    filled = st.get("filled", {})
    idle = (st.get("empty") or {}).get("idle_rss_kib_median")
    n = filled.get("objects")
    tg = []

    def target(desc, measured, unit, ok):
        tg.append({"target": desc, "measured": measured, "unit": unit,
                   "met": None if measured is None else bool(ok(measured))})

    target("4 KiB PUT c16 ≥ 10,000/s, durable", cosd("put-4k-c16", "ops_per_s"), "ops/s",
           lambda v: v >= 10000 and results["systems"]["cosd"]["durable"])
    target("4 KiB PUT c16 ≥ 2× s3s-fs", ratio("put-4k-c16", "s3s-fs", "ops_per_s"), "×",
           lambda v: v >= 2)
    target("4 KiB PUT c16 ≥ 15× moto", ratio("put-4k-c16", "moto", "ops_per_s"), "×",
           lambda v: v >= 15)
    target("4 KiB GET c16 ≥ 25,000/s", cosd("get-4k-c16", "ops_per_s"), "ops/s",
           lambda v: v >= 25000)
    target("single-stream PUT ≥ 85% of one-core MD5", d["put_big_of_md5"]["value"], "fraction",
           lambda v: v >= 0.85)
    target("multipart 8-way PUT ≥ 1.5× single-stream", d["multipart_over_single"]["value"], "×",
           lambda v: v >= 1.5)
    target("cached GET ≥ 50% of loopback", d["get_big_of_loopback"]["value"], "fraction",
           lambda v: v >= 0.5)
    target(f"LIST ≤ 3 ms per 1000 keys ({results['config']['list_keys']:,} keys)",
           cosd("list", "ms_per_1000_keys"), "ms", lambda v: v <= 3)
    target(f"ready < 100 ms on a {n:,}-object data dir" if n else "ready < 100 ms (filled dir)",
           filled.get("ready_ms_median"), "ms", lambda v: v < 100)
    target("idle RSS < 40 MiB", idle / KiB if idle else None, "MiB", lambda v: v < 40)
    results["targets"] = tg
