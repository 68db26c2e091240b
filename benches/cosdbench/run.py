"""The whole run: the shared context, the machine and git description, and main(), which
measures what was selected, saves the results as it goes and renders them."""

import datetime
import json
import os
import platform
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .cli import parse_args
from .common import BUCKET, CONTRACT_NOTES, REGION, ROOT, TARGET, BenchError, MiB, log
from .generator import Generator
from .limits import derive, run_responder
from .render import render_markdown, save, update_docs
from .rounds import run_group, summarize
from .startup import run_startup
from .systems import detect_systems
from .workloads import selected, workloads


class Context:
    def __init__(self, args):
        self.args = args
        self.quick = args.quick
        self.work_dir = Path(tempfile.mkdtemp(prefix="cosd-bench-", dir=args.work_dir))
        self.live = set()
        self.restarts = []
        self.gen = None


def machine_info(work_dir):
    info = {"nproc": None, "cpu_model": None, "kernel": platform.release(),
            "mem_total_gib": None, "filesystem": None, "python": platform.python_version()}
    try:
        info["nproc"] = int(subprocess.run(["nproc"], capture_output=True, text=True).stdout)
    except Exception:  # noqa: BLE001
        info["nproc"] = os.cpu_count()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu_model"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                info["mem_total_gib"] = round(int(line.split()[1]) / MiB, 1)
    except OSError:
        pass
    for argv in (["findmnt", "-n", "-o", "FSTYPE", "-T", str(work_dir)],
                 ["stat", "-f", "-c", "%T", str(work_dir)]):
        try:
            fs = subprocess.run(argv, capture_output=True, text=True).stdout.strip()
        except Exception:  # noqa: BLE001
            fs = ""
        if fs:
            info["filesystem"] = fs
            break
    return info


def git_info():
    def git(*a):
        try:
            return subprocess.run(["git", "-C", str(ROOT), *a], capture_output=True, text=True,
                                  timeout=10).stdout.strip()
        except Exception:  # noqa: BLE001
            return ""
    return {"commit": git("rev-parse", "--short=12", "HEAD") or None,
            "dirty": bool(git("status", "--porcelain", "--untracked-files=no"))}


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    if args.render:
        res = json.loads(Path(args.render).read_text())
        md = render_markdown(res)
        print(md)
        if args.update_docs:
            update_docs(md, res)
        return 0

    class Cfg:
        quick = args.quick
        duration = args.duration
        warmup_duration = args.warmup_duration
        list_keys = args.list_keys
        lifecycle_objects = args.lifecycle_objects
    all_ws = workloads(Cfg)
    if args.list:
        for w in all_ws:
            print(f"{w.id:14} {w.workload:14} {w.params}  ({w.title})")
        print("startup, responder, limits")
        return 0

    bench_bin = Path(os.environ.get("COSD_BENCH_BIN", str(TARGET / "release" / "cosd-bench")))
    if not (bench_bin.is_file() and os.access(bench_bin, os.X_OK)):
        log(f"the load generator {bench_bin} is missing: build it (cargo build --release "
            f"--bin cosd-bench) or set COSD_BENCH_BIN")
        return 2
    systems = detect_systems(args)
    for s in systems:
        if s.skip_reason:
            log(f"skipping {s.name}: {s.skip_reason}")
    if systems[0].skip_reason:
        log("cosd itself is not available; nothing to measure")
        return 2
    active = [s for s in systems if not s.skip_reason]

    def on_term(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")
    signal.signal(signal.SIGTERM, on_term)
    signal.signal(signal.SIGINT, on_term)  # also when started in the background

    ctx = Context(args)
    ctx.gen = Generator(bench_bin)
    started = datetime.datetime.now(datetime.timezone.utc)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    out_dir = Path(args.out)
    results = {
        "format": 1,
        "started": started.strftime("%Y-%m-%d %H:%M UTC"),
        "finished": None,
        "machine": machine_info(ctx.work_dir),
        "git": git_info(),
        "generator": {"bin": str(bench_bin)},
        "systems": {s.name: s.info() for s in systems},
        "config": {"mode": "quick" if args.quick else "full", "rounds": args.rounds,
                   "duration": args.duration, "warmup_duration": args.warmup_duration,
                   "startup_objects": args.startup_objects,
                   "startup_rounds": args.startup_rounds, "list_keys": args.list_keys,
                   "lifecycle_objects": args.lifecycle_objects,
                   "only": args.only, "bucket": BUCKET, "region": REGION},
        "limits": None,
        "responder": None,
        "startup": {},
        "memory": {},
        "startup_samples_per_group": {},
        "workloads": [],
        "restarts": ctx.restarts,
    }
    log(f"systems: {', '.join(s.name for s in active)}; work dir {ctx.work_dir}")
    t_start = time.monotonic()
    rc = 0
    try:
        if selected(args, "limits"):
            log("limits: measuring this machine")
            try:
                results["limits"] = ctx.gen.limits()
                log(f"  {results['limits']}")
            except BenchError as e:
                log(f"  limits failed: {e}")
                results["limits_error"] = str(e)
            save(results, out_dir, stamp)
        if selected(args, "startup"):
            run_startup(ctx, active, results["startup"])
            for name, v in results["startup"].items():
                results["memory"].setdefault(name, {})["idle_rss_kib"] = \
                    (v.get("empty") or {}).get("idle_rss_kib_median")
            save(results, out_dir, stamp)
        if selected(args, "responder"):
            try:
                results["responder"] = run_responder(ctx, results)
            except BenchError as e:
                log(f"responder failed: {e}")
                results["responder_error"] = str(e)
            save(results, out_dir, stamp)
        groups = []
        for w in all_ws:
            if not selected(args, w.id):
                continue
            if groups and groups[-1][0].group == w.group:
                groups[-1].append(w)
            else:
                groups.append([w])
        for gws in groups:
            try:
                entries = run_group(ctx, active, gws, results, results["memory"],
                                    results["startup_samples_per_group"])
            except BenchError as e:
                log(f"group {gws[0].group} failed: {e}")
                entries = [{"id": w.id, "title": w.title, "workload": w.workload,
                            "params": w.params, "metrics": w.metrics, "error": str(e),
                            "samples": {}} for w in gws]
            for e in entries:
                summarize(e, active)
                results["workloads"].append(e)
            save(results, out_dir, stamp)
    except KeyboardInterrupt:
        log("interrupted; writing what was measured")
        rc = 130
    finally:
        for inst in list(ctx.live):
            inst.stop()
        if not args.keep:
            shutil.rmtree(ctx.work_dir, ignore_errors=True)
        else:
            log(f"kept {ctx.work_dir}")
    results["finished"] = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M UTC")
    results["elapsed_s"] = round(time.monotonic() - t_start, 1)
    for e in results["workloads"]:
        if "medians" not in e:
            summarize(e, active)
    derive(results)
    jp = save(results, out_dir, stamp)
    md = render_markdown(results)
    mp = out_dir / f"{stamp}.md"
    mp.write_text(f"# cosd benchmark, {results['started']}\n\n{md}\n")
    print(md)
    log(f"wrote {jp} and {mp} in {results['elapsed_s']:.0f} s")
    if CONTRACT_NOTES:
        log("cosd-bench deviated from its contract:\n  - " + "\n  - ".join(CONTRACT_NOTES))
    if args.update_docs:
        if rc == 0 and not args.only:
            update_docs(md, results)
        else:
            log("docs/performance.md not updated: the run was partial (--only or interrupted)")
    return rc
