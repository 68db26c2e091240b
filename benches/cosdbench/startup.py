"""Start-up time and idle memory, on empty data directories and, for cosd, on a pre-filled
one."""

import time

from .common import log, note_contract
from .render import fmt, fmt_kib
from .rounds import cleanup_dir, median, palindrome
from .systems import Instance, du_bytes


def start_and_measure(inst, settle):
    """Starts `inst`, lets it settle, reads its idle RSS and stops it: (ready ms, RSS KiB)."""
    try:
        ms = inst.start()
        time.sleep(settle)
        return ms, inst.rss_kib()
    finally:
        inst.stop()


def run_startup(ctx, systems, out):
    """Ready time and idle RSS on an empty data dir (every system) and, for cosd, on one
    pre-filled with --startup-objects objects (moto keeps nothing on disk and s3s-fs reads
    nothing at start, so filling theirs would only cost time)."""
    n_rounds = ctx.args.startup_rounds
    settle = 0.3 if ctx.quick else 2.0
    order = palindrome(systems)
    res = {s.name: {"empty": {"ready_ms": [], "idle_rss_kib": []}} for s in systems}
    log(f"startup: {n_rounds} rounds on empty data dirs")
    for r in range(max(1, (n_rounds + 1) // 2)):
        for s in order:
            if len(res[s.name]["empty"]["ready_ms"]) >= n_rounds:
                continue
            inst = Instance(ctx, s, tag="startup")
            try:
                ms, rss = start_and_measure(inst, settle)
            finally:
                cleanup_dir(ctx, inst.data_dir)
            res[s.name]["empty"]["ready_ms"].append(ms)
            res[s.name]["empty"]["idle_rss_kib"].append(rss)
            log(f"  {s.name}: ready in {ms:.1f} ms, idle RSS {fmt_kib(rss)}")
    n = ctx.args.startup_objects
    filled = [s for s in systems if s.name == "cosd"]
    dirs = {}
    for s in filled:
        inst = Instance(ctx, s, tag="prefill")
        try:
            inst.start()
            log(f"startup: filling {s.name} with {n:,} objects of 16 bytes")
            t0 = time.monotonic()
            r = ctx.gen.run(inst.endpoint, "put", {"count": n, "size": 16, "concurrency": 16},
                            server_pid=inst.pid, label=f"prefill {s.name}",
                            timeout=ctx.args.run_timeout)
            log(f"  filled in {time.monotonic() - t0:.1f} s ({fmt(r.get('ops_per_s'), 'int')} "
                f"ops/s, errors {r.get('errors')})")
            if r.get("ops") is not None and r.get("ops") != n:
                note_contract(f"`run --workload put --count {n}` reported ops = {r.get('ops')}")
            res[s.name]["prefill"] = r
        finally:
            inst.stop()
        dirs[s.name] = inst.data_dir
        res[s.name]["filled"] = {"objects": n, "ready_ms": [], "idle_rss_kib": [],
                                 "data_dir_bytes": du_bytes(inst.data_dir)}
    forder = palindrome(filled)
    for r in range(max(1, (n_rounds + 1) // 2)):
        for s in forder:
            f = res[s.name]["filled"]
            if len(f["ready_ms"]) >= n_rounds:
                continue
            inst = Instance(ctx, s, data_dir=dirs[s.name], tag="startup-filled")
            ms, rss = start_and_measure(inst, settle)
            f["ready_ms"].append(ms)
            f["idle_rss_kib"].append(rss)
            log(f"  {s.name} ({n:,} objects): ready in {ms:.1f} ms, idle RSS {fmt_kib(rss)}")
    for s in filled:
        cleanup_dir(ctx, dirs[s.name])
    for name, v in res.items():
        for kind in ("empty", "filled"):
            if kind in v:
                v[kind]["ready_ms_median"] = median(v[kind]["ready_ms"])
                v[kind]["idle_rss_kib_median"] = median(v[kind]["idle_rss_kib"])
    out.update(res)
