#!/usr/bin/env python3
"""cosd benchmark orchestrator (issue #8).

Starts cosd and its peers (moto, s3s-fs) fresh on free ports with temporary data directories,
drives them with the `cosd-bench` load generator (src/bin/cosd-bench), and writes a Markdown table
plus the raw JSON to bench-results/<timestamp>.{md,json}; `--update-docs` also rewrites the table
section of docs/performance.md. Python standard library only; it builds and installs nothing
(scripts/bench does that).

Method: every workload group gets fresh instances of every system; each system runs one
discarded (scaled-down) warm-up, then `--rounds` palindromic rounds (cosd, moto, s3s-fs, s3s-fs,
moto, cosd: A-B-B-A generalised to several peers). A system's value is the median of its
samples; a ratio is the median of the per-position ratios cosd[i]/peer[i], so slow drift of the
machine cancels out.

Paths come from the environment: COSD_BIN, COSD_BENCH_BIN (default $CARGO_TARGET_DIR/release/...,
CARGO_TARGET_DIR defaulting to ~/.cache/cosd-target), S3S_FS_BIN (~/.cache/cosd-bench/bin/s3s-fs),
MOTO_SERVER (~/.cache/cosd-bench/venv/bin/moto_server). A missing peer is skipped with a reason.

The code lives in benches/cosdbench/, one module per concern (see its __init__.py); this file
is only the entry point that scripts/bench runs.
"""

import sys
from pathlib import Path

if str(Path(__file__).resolve().parent) not in sys.path:
    sys.path.insert(0, str(Path(__file__).resolve().parent))

from cosdbench.run import main as run_main  # noqa: E402


def main(argv=None):
    return run_main(argv)


if __name__ == "__main__":
    sys.exit(main())
