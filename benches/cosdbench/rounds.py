"""Running workloads: one sample, a dedup sample on a fresh instance, a group of workloads on
fresh instances (warm-up, then palindromic rounds), and the medians and paired ratios that
summarise the samples."""

import os
import shutil
import statistics
import time

from . import lifecycle, list_versions, sse
from .common import METRICS, BenchError, MiB, log, note_contract
from .render import fmt
from .systems import Instance, tail


def median(xs):
    xs = [x for x in xs if isinstance(x, (int, float))]
    return statistics.median(xs) if xs else None


def metric_value(sample, key):
    if sample is None or "error" in sample:
        return None
    v = sample.get(key)
    return v if isinstance(v, (int, float)) and not isinstance(v, bool) else None


def paired_ratio(a_samples, b_samples, key):
    ratios = []
    for a, b in zip(a_samples, b_samples):
        va, vb = metric_value(a, key), metric_value(b, key)
        if va is not None and vb:
            ratios.append(va / vb)
    return median(ratios)


def palindrome(systems):
    """cosd, peers..., reversed peers..., cosd: each sample position is balanced in time."""
    peers = [s for s in systems if s.name != "cosd"]
    cosd = [s for s in systems if s.name == "cosd"]
    return cosd + peers + peers[::-1] + cosd


def run_sample(ctx, inst, w, params, label):
    # Write back every system's dirty pages first: s3s-fs leaves its objects to the kernel's
    # writeback (it never syncs), which would otherwise land in the next system's timed run.
    os.sync()
    run = list_versions.run if w.workload == "list-versions" else ctx.gen.run
    if w.workload == "sse":
        def run(*a, **k):
            return sse.run(ctx.gen, *a, **k)
    if w.workload == "lifecycle":
        def run(*a, **k):
            return lifecycle.run(ctx.gen, *a, **k)
    try:
        r = run(inst.endpoint, w.workload, params, server_pid=inst.pid, label=label,
                timeout=ctx.args.run_timeout)
    except BenchError as e:
        log(f"  {label}: ERROR {e}")
        if not inst.alive():
            log(f"  {inst.system.name} died; log tail:\n{tail(inst.log_path)}")
        return {"error": str(e)}
    if w.workload.startswith("list") and r.get("server_cpu_s") is not None and r.get("ops"):
        # ops are whole listings of --keys objects; the target is server time per 1000
        r["server_cpu_ms_per_1000_keys"] = r["server_cpu_s"] * 1e3 / (
            r["ops"] * params["keys"] / 1000)
    shown = [m for m in w.metrics if m in r] or ["ops_per_s", "mib_per_s"]
    summary = ", ".join(f"{METRICS[m][0]} {fmt(r.get(m), METRICS[m][1])}" for m in shown)
    if r.get("errors"):
        summary += f", ERRORS {r['errors']}"
    log(f"  {label}: {summary}")
    return r


def run_dedup_sample(ctx, system, w, label):
    inst = Instance(ctx, system, tag=w.id)
    try:
        try:
            inst.start()
        except BenchError as e:
            log(f"  {label}: ERROR {e}")
            return {"error": str(e)}, None
        before = inst.du()
        r = run_sample(ctx, inst, w, w.params, label)
        if "error" in r:
            return r, inst.hwm_kib()
        time.sleep(0.2)
        if before is not None:
            after = inst.du()
            growth = after - before
            uploaded = r.get("bytes_uploaded")
            if uploaded is None:
                note_contract("`run --workload dedup` output has no `bytes_uploaded` field; "
                              "the orchestrator uses ops x size")
                uploaded = (r.get("ops") or 0) * w.params["size"]
            r["bytes_uploaded_used"] = uploaded
            r["disk_before_bytes"] = before
            r["disk_after_bytes"] = after
            r["disk_growth_mib"] = growth / MiB
            r["disk_growth_per_uploaded"] = growth / uploaded if uploaded else None
            log(f"  {label}: data dir grew {growth / MiB:.1f} MiB for {uploaded / MiB:.0f} MiB "
                f"uploaded")
        else:
            r["disk_growth_mib"] = None
            r["disk_growth_note"] = "in memory: no data directory"
            log(f"  {label}: no data dir (in memory); disk growth not applicable")
        return r, inst.hwm_kib()
    finally:
        inst.stop()
        cleanup_dir(ctx, inst.data_dir)


def cleanup_dir(ctx, d):
    if d is not None and not ctx.args.keep:
        shutil.rmtree(d, ignore_errors=True)


def run_group(ctx, systems, group_ws, results, memory, startups):
    """Fresh instances for every system; warm-up; palindromic rounds; peak RSS."""
    gid = group_ws[0].group
    order = palindrome(systems)
    rounds = ctx.args.rounds
    entries = {}
    for w in group_ws:
        entries[w.id] = {"id": w.id, "title": w.title, "workload": w.workload,
                         "params": w.params, "metrics": w.metrics, "warmup": {},
                         "samples": {s.name: [] for s in systems}}
    if group_ws[0].fresh_per_round:
        w = group_ws[0]
        for r in range(rounds):
            for s in order:
                res, hwm = run_dedup_sample(ctx, s, w, f"{w.id} {s.name} r{r + 1}")
                entries[w.id]["samples"][s.name].append(res)
                note_peak(memory, s.name, hwm, w.id)
        return [entries[w.id] for w in group_ws]

    insts = {}
    try:
        for s in list(systems):
            inst = Instance(ctx, s, tag=gid, env=group_ws[0].env)
            try:
                ms = inst.start()
            except BenchError as e:
                if s.name == "cosd":
                    raise
                # a peer that cannot start costs its column in this group, not the group
                log(f"{gid}: {e}")
                for w in group_ws:
                    entries[w.id]["samples"][s.name] = [{"error": str(e)}]
                systems = [x for x in systems if x is not s]
                order = [x for x in order if x is not s]
                continue
            startups.setdefault(s.name, []).append(ms)
            insts[s.name] = inst
        for w in group_ws:
            log(f"{w.id}: {w.title}")
            runs_on = [s for s in systems if w.targets is None or s.name in w.targets]
            if w.warm is not None:
                for s in runs_on:
                    revive(ctx, insts, s, gid)
                    entries[w.id]["warmup"][s.name] = run_sample(
                        ctx, insts[s.name], w, w.warm, f"{w.id} {s.name} warm-up")
            for r in range(rounds):
                for s in [s for s in order if s in runs_on]:
                    revive(ctx, insts, s, gid)
                    res = run_sample(ctx, insts[s.name], w, w.params, f"{w.id} {s.name} r{r + 1}")
                    entries[w.id]["samples"][s.name].append(res)
        for s in systems:
            note_peak(memory, s.name, insts[s.name].hwm_kib(), gid)
    finally:
        for inst in insts.values():
            inst.stop()
            cleanup_dir(ctx, inst.data_dir)
    return [entries[w.id] for w in group_ws]


def revive(ctx, insts, system, gid):
    """Restarts a server that died during the group (same data dir), so one crash costs one
    sample rather than the rest of the group; the crash stays visible as failed runs."""
    inst = insts[system.name]
    if inst.alive():
        return
    log(f"{system.name} is not running (exit {inst.proc.returncode}); restarting it. Log tail:\n"
        f"{tail(inst.log_path)}")
    ctx.restarts.append({"system": system.name, "group": gid,
                         "exit": inst.proc.returncode, "log_tail": tail(inst.log_path)})
    inst.stop()
    fresh = Instance(ctx, system, data_dir=inst.data_dir, tag=gid, env=inst.env)
    fresh.start()
    insts[system.name] = fresh


def note_peak(memory, name, hwm, where):
    if hwm is None:
        return
    m = memory.setdefault(name, {})
    m.setdefault("peak_rss_kib_by_group", {})[where] = max(
        hwm, m.get("peak_rss_kib_by_group", {}).get(where, 0))
    if hwm > (m.get("peak_rss_kib") or 0):
        m["peak_rss_kib"] = hwm
        m["peak_rss_group"] = where


def summarize(entry, systems):
    cosd = entry["samples"].get("cosd", [])
    entry["medians"] = {}
    entry["ratios"] = {}
    keys = set(entry["metrics"]) | {"ops_per_s", "mib_per_s", "p50_us", "p99_us", "p999_us",
                                    "server_cpu_us_per_op", "server_cpu_s_per_gib",
                                    "client_cpu_s", "errors"}
    if entry["workload"].startswith("list"):
        keys.add("ms_per_1000_keys")
    for s in systems:
        samples = entry["samples"].get(s.name, [])
        entry["medians"][s.name] = {k: median([metric_value(x, k) for x in samples])
                                    for k in sorted(keys)}
        entry["medians"][s.name]["errors"] = sum(metric_value(x, "errors") or 0 for x in samples)
        entry["medians"][s.name]["failed_runs"] = sum(1 for x in samples if "error" in x)
        if s.name != "cosd":
            entry["ratios"][s.name] = {k: paired_ratio(cosd, samples, k) for k in sorted(keys)
                                       if k != "errors"}
