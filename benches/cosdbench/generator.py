"""The load generator `cosd-bench` (src/bin/cosd-bench): its `ready`, `limits` and `run`
subcommands, checked against their output contract, and its do-nothing `responder`."""

import json
import re
import select
import subprocess
import time
from pathlib import Path

from .common import (ACCESS_KEY, BUCKET, LIMIT_KEYS, REGION, RUN_KEYS, SECRET_KEY, BenchError,
                     note_contract)
from .systems import _child_setup


class Generator:
    def __init__(self, binary):
        self.binary = Path(binary)

    def _json(self, argv, timeout, what):
        try:
            out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            raise BenchError(f"{what}: timed out after {timeout:.0f} s")
        if out.returncode != 0:
            raise BenchError(f"{what}: exit {out.returncode}: {out.stderr.strip()[-800:]}")
        text = out.stdout.strip()
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            lines = [ln for ln in text.splitlines() if ln.strip()]
            if lines:
                try:
                    obj = json.loads(lines[-1])
                    note_contract(f"`{what.split(':')[0]}` printed more than one JSON object on "
                                  f"stdout ({len(lines)} lines); the last line was used")
                    return obj
                except json.JSONDecodeError:
                    pass
            raise BenchError(f"{what}: stdout is not JSON: {text[:300]!r}")

    def ready(self, endpoint, timeout_ms, alive=lambda: True):
        """`cosd-bench ready`; gives up at once when `alive()` turns false (the server died)."""
        p = subprocess.Popen([str(self.binary), "ready", "--endpoint", endpoint,
                              "--timeout-ms", str(timeout_ms)], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        deadline = time.monotonic() + timeout_ms / 1000 + 15
        while True:
            try:
                out, err = p.communicate(timeout=0.05)
                break
            except subprocess.TimeoutExpired:
                if not alive() or time.monotonic() > deadline:
                    p.kill()
                    p.communicate()
                    raise BenchError("the server exited before answering" if not alive()
                                     else f"ready: timed out after {timeout_ms} ms")
        if p.returncode != 0:
            raise BenchError(f"ready: exit {p.returncode}: {err.strip()[-500:]}")
        try:
            obj = json.loads(out.strip())
        except json.JSONDecodeError:
            raise BenchError(f"ready: stdout is not JSON: {out[:200]!r}")
        if not isinstance(obj, dict) or "ms" not in obj:
            note_contract(f"`ready` printed {obj!r}, expected {{\"ms\": ...}}")
            raise BenchError("ready: no `ms` in its output")
        return float(obj["ms"])

    def limits(self):
        obj = self._json([str(self.binary), "limits"], 600, "limits")
        missing = [k for k in LIMIT_KEYS if k not in obj]
        if missing:
            note_contract(f"`limits` output lacks {missing}")
        return obj

    def run(self, endpoint, workload, params, server_pid=None, label=None, timeout=1800,
            bucket=BUCKET):
        argv = [str(self.binary), "run", "--endpoint", endpoint, "--access-key", ACCESS_KEY,
                "--secret-key", SECRET_KEY, "--region", REGION, "--bucket", bucket,
                "--workload", workload]
        for k, v in params.items():
            argv += [f"--{k.replace('_', '-')}", fmt_arg(v)]
        if server_pid is not None:
            argv += ["--server-pid", str(server_pid)]
        if label:
            argv += ["--label", label]
        obj = self._json(argv, timeout, f"run {workload}")
        if not isinstance(obj, dict):
            raise BenchError(f"run {workload}: printed {obj!r}")
        self.check_run(obj, workload, params, server_pid, label)
        return obj

    def check_run(self, obj, workload, params, server_pid, label):
        keys = RUN_KEYS + (["ms_per_1000_keys"] if workload.startswith("list") else [])
        missing = [k for k in keys if k not in obj]
        if missing:
            note_contract(f"`run --workload {workload}` output lacks {missing}")
        if obj.get("workload") not in (None, workload):
            note_contract(f"`run --workload {workload}` reports \"workload\": "
                          f"{obj.get('workload')!r}")
        if label and obj.get("label") not in (None, label):
            note_contract(f"`run` reports label {obj.get('label')!r}, was given {label!r}")
        if server_pid is not None and obj.get("server_cpu_s") is None:
            note_contract(f"`run --workload {workload}` gave server_cpu_s = null with --server-pid")
        if "concurrency" in params and obj.get("concurrency") not in (None, params["concurrency"]):
            note_contract(f"`run --workload {workload} --concurrency {params['concurrency']}` "
                          f"reports concurrency {obj.get('concurrency')!r}")
        if "size" in params and obj.get("size") not in (None, params["size"]):
            note_contract(f"`run --workload {workload} --size {params['size']}` reports size "
                          f"{obj.get('size')!r}")


def fmt_arg(v):
    if isinstance(v, float):
        return f"{v:g}"
    return str(v)


class Responder:
    def __init__(self, ctx):
        self.ctx = ctx
        self.proc = None
        self.addr = None

    def start(self):
        self.proc = subprocess.Popen([str(self.ctx.gen.binary), "responder", "--listen",
                                      "127.0.0.1:0"], stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL,
                                     preexec_fn=_child_setup, start_new_session=True)
        self.ctx.live.add(self)
        ready, _, _ = select.select([self.proc.stdout], [], [], 20)
        if not ready:
            self.stop()
            raise BenchError("responder printed nothing within 20 s")
        line = self.proc.stdout.readline().decode(errors="replace").strip()
        m = re.match(r"listening\s+(?:https?://)?(\S+)$", line)
        if not m:
            self.stop()
            note_contract(f"`responder` first line is {line!r}, expected `listening <addr>`")
            raise BenchError(f"responder: unexpected first line {line!r}")
        self.addr = m.group(1)
        if line.startswith("listening http"):
            note_contract(f"`responder` prints a URL ({line!r}) rather than a bare address")

    @property
    def endpoint(self):
        return f"http://{self.addr}"

    @property
    def pid(self):
        return self.proc.pid

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.ctx.live.discard(self)
