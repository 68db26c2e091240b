"""The command line."""

import argparse

from .common import ROOT


def parse_args(argv):
    ap = argparse.ArgumentParser(
        description="Benchmark cosd against moto and s3s-fs with the cosd-bench load generator.")
    ap.add_argument("--quick", action="store_true",
                    help="small sizes and one round (a few minutes)")
    ap.add_argument("--update-docs", action="store_true",
                    help="rewrite the results section of docs/performance.md")
    ap.add_argument("--rounds", type=int, help="palindromic rounds (default: 1 quick, 3 full)")
    ap.add_argument("--duration", type=float,
                    help="seconds per timed run (default: 0.5 quick, 10 full)")
    ap.add_argument("--warmup-duration", type=float,
                    help="seconds per discarded warm-up run (default: 0.2 quick, 2 full)")
    ap.add_argument("--startup-objects", type=int,
                    help="objects in the pre-filled data dir (default: 2000 quick, 100000 full)")
    ap.add_argument("--startup-rounds", type=int, help="start-ups per system (3 quick, 5 full)")
    ap.add_argument("--list-keys", type=int, help="keys of the LIST workloads (5000 / 100000)")
    ap.add_argument("--lifecycle-objects", type=int,
                    help="objects of the lifecycle workload's bucket (20000 / 200000; the issue "
                    "asks about 1,000,000)")
    ap.add_argument("--systems", default="cosd,moto,s3s-fs",
                    help="comma-separated systems to run (default: cosd,moto,s3s-fs; "
                    "cosd-base is another cosd build, from COSD_BASE_BIN)")
    ap.add_argument("--only", help="comma-separated workload ids or prefixes/globs to run; "
                    "also `startup`, `limits`, `responder` (default: everything)")
    ap.add_argument("--out", default=str(ROOT / "bench-results"),
                    help="output directory (default: bench-results/)")
    ap.add_argument("--work-dir", default=None,
                    help="where temporary data dirs go (default: the system temp dir)")
    ap.add_argument("--run-timeout", type=float, default=1800,
                    help="seconds before one cosd-bench run is abandoned (default 1800)")
    ap.add_argument("--keep", action="store_true", help="keep data dirs and server logs")
    ap.add_argument("--render", metavar="JSON",
                    help="only render an existing results JSON to Markdown (and --update-docs)")
    ap.add_argument("--list", action="store_true", help="list the workloads and exit")
    a = ap.parse_args(argv)
    q = a.quick
    a.rounds = a.rounds or (1 if q else 3)
    a.duration = a.duration or (0.5 if q else 10.0)
    a.warmup_duration = a.warmup_duration or (0.2 if q else 2.0)
    a.startup_objects = a.startup_objects or (2000 if q else 100000)
    a.startup_rounds = a.startup_rounds or (3 if q else 5)
    a.list_keys = a.list_keys or (5000 if q else 100000)
    a.lifecycle_objects = a.lifecycle_objects or (20000 if q else 200000)
    if a.rounds < 1 or a.duration <= 0 or a.startup_rounds < 1:
        ap.error("--rounds, --duration and --startup-rounds must be positive")
    return a
