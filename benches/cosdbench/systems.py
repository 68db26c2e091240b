"""The servers under test (cosd, moto, s3s-fs): how each is started, one running instance,
and which of them are available on this machine."""

import ctypes
import os
import re
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .common import ACCESS_KEY, CACHE, ROOT, SECRET_KEY, TARGET, BenchError, log


def _child_setup():
    """Runs in each spawned server: die with the orchestrator (PR_SET_PDEATHSIG = SIGKILL)."""
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)
    except Exception:  # noqa: BLE001 - best effort
        pass


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def proc_status_kib(pid, field):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def du_bytes(path):
    out = subprocess.run(["du", "-sb", str(path)], capture_output=True, text=True, check=True)
    return int(out.stdout.split()[0])


def tool_version(argv):
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=20)
        return (out.stdout.strip() or out.stderr.strip()).splitlines()[0]
    except Exception:  # noqa: BLE001
        return None


class System:
    """A server under test: how to start it and what it promises."""

    def __init__(self, name, binary, durable, durability, has_data_dir):
        self.name = name
        self.binary = Path(binary)
        self.durable = durable
        self.durability = durability
        self.has_data_dir = has_data_dir
        self.skip_reason = None
        self.version = None

    def argv_env(self, port, data_dir):
        raise NotImplementedError

    def info(self):
        return {"bin": str(self.binary), "version": self.version, "durable": self.durable,
                "durability": self.durability, "skipped": self.skip_reason}


class Cosd(System):
    def __init__(self, binary, name="cosd"):
        sync = cosd_sync_writes()
        super().__init__(
            name, binary, sync,
            f"sync_writes = {str(sync).lower()}"
            + (" (metadata log fdatasync'd before every write is acknowledged, with group commit: "
               "acknowledged writes survive power loss)"
               if sync else " (no fsync: not durable)"),
            True)

    def argv_env(self, port, data_dir):
        env = dict(os.environ)
        env["COSD_ROOT_SECRET_ID"] = ACCESS_KEY
        env["COSD_ROOT_SECRET_KEY"] = SECRET_KEY
        env["COSD_TLS_LISTEN"] = ""  # plain HTTP only, as the peers
        return ([str(self.binary), "serve", "--listen", f"127.0.0.1:{port}",
                 "--data-dir", str(data_dir)], env)


class Moto(System):
    def __init__(self, binary):
        super().__init__("moto", binary, False, "not durable (objects kept in memory)", False)

    def argv_env(self, port, data_dir):
        return [str(self.binary), "-H", "127.0.0.1", "-p", str(port)], dict(os.environ)


class S3sFs(System):
    def __init__(self, binary):
        super().__init__("s3s-fs", binary, False,
                         "not durable (plain files, never fsync'd)", True)

    def argv_env(self, port, data_dir):
        env = dict(os.environ)
        env.pop("RUST_LOG", None)  # its default filter logs errors only
        return ([str(self.binary), "--host", "127.0.0.1", "--port", str(port),
                 "--access-key", ACCESS_KEY, "--secret-key", SECRET_KEY, str(data_dir)], env)


def cosd_sync_writes():
    """The effective `sync_writes`: COSD_SYNC_WRITES if set, else config/default.toml's value."""
    env = os.environ.get("COSD_SYNC_WRITES")
    if env is not None:
        return env.strip().lower() in ("1", "true", "yes", "on")
    try:
        text = (ROOT / "config" / "default.toml").read_text()
        m = re.search(r"^\s*sync_writes\s*=\s*(true|false)", text, re.M)
        if m:
            return m.group(1) == "true"
    except OSError:
        pass
    return True


class Instance:
    """One running server process with its own port and (optionally) data directory."""

    def __init__(self, ctx, system, data_dir=None, tag="", env=None):
        self.ctx = ctx
        self.env = env or {}  # extra environment (a workload's, e.g. a short lifecycle day)
        self.system = system
        self.port = None
        self.proc = None
        self.ready_ms = None
        self.tag = tag
        if system.has_data_dir:
            self.data_dir = Path(data_dir) if data_dir else Path(
                tempfile.mkdtemp(prefix=f"{system.name}-", dir=ctx.work_dir))
        else:
            self.data_dir = None
        self.log_path = Path(tempfile.mkstemp(prefix=f"{system.name}-", suffix=".log",
                                              dir=ctx.work_dir)[1])

    @property
    def endpoint(self):
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self):
        return self.proc.pid

    def start(self):
        """Spawns the server, then `cosd-bench ready` at once; returns its `ms`."""
        if self.data_dir is not None:
            self.data_dir.mkdir(parents=True, exist_ok=True)
        last_err = None
        for _attempt in range(3):  # a free port can be taken between probe and bind
            self.port = free_port()
            argv, env = self.system.argv_env(self.port, self.data_dir)
            env = dict(env, **self.env)
            logf = open(self.log_path, "ab")
            t0 = time.monotonic()
            self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT, preexec_fn=_child_setup,
                                         start_new_session=True)
            logf.close()
            self.ctx.live.add(self)
            try:
                self.ready_ms = self.ctx.gen.ready(self.endpoint, timeout_ms=60000,
                                                   alive=self.alive)
                self.wall_ready_ms = (time.monotonic() - t0) * 1000
                return self.ready_ms
            except BenchError as e:
                last_err = e
                alive = self.proc.poll() is None
                self.stop()
                if alive:
                    break
        raise BenchError(f"{self.system.name} did not become ready: {last_err}; "
                         f"log tail:\n{tail(self.log_path)}")

    def rss_kib(self):
        return proc_status_kib(self.pid, "VmRSS")

    def hwm_kib(self):
        return proc_status_kib(self.pid, "VmHWM")

    def du(self):
        return du_bytes(self.data_dir) if self.data_dir is not None else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self):
        if self.proc is None:
            return
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=40)
            except subprocess.TimeoutExpired:
                log(f"{self.system.name} (pid {self.pid}) ignored SIGTERM for 40 s; SIGKILL")
                self.proc.kill()
                self.proc.wait()
        self.ctx.live.discard(self)


def tail(path, n=15):
    try:
        return "\n".join(Path(path).read_text(errors="replace").splitlines()[-n:])
    except OSError:
        return ""


def detect_systems(args):
    cosd_bin = os.environ.get("COSD_BIN", str(TARGET / "release" / "cosd"))
    s3s_bin = os.environ.get("S3S_FS_BIN", str(CACHE / "bin" / "s3s-fs"))
    moto_bin = os.environ.get("MOTO_SERVER", str(CACHE / "venv" / "bin" / "moto_server"))
    # `cosd-base`: another build of cosd (COSD_BASE_BIN, e.g. the previous commit's), run as a
    # peer so a change is reported as ratios against it in the same run.
    base_bin = os.environ.get("COSD_BASE_BIN", "")
    systems = [Cosd(cosd_bin), Moto(moto_bin), S3sFs(s3s_bin), Cosd(base_bin, "cosd-base")]
    wanted = set(args.systems.split(","))
    for s in systems:
        if s.name not in wanted:
            s.skip_reason = "not selected (--systems)"
        elif not (s.binary.is_file() and os.access(s.binary, os.X_OK)):
            env = {"cosd": "COSD_BIN", "moto": "MOTO_SERVER", "s3s-fs": "S3S_FS_BIN",
                   "cosd-base": "COSD_BASE_BIN"}[s.name]
            s.skip_reason = f"{s.binary} not found (set {env}"
            s.skip_reason += {"cosd": ", or build it: scripts/bench builds it)",
                              "cosd-base": " to another cosd build)",
                              "moto": ", or let scripts/bench create the venv)",
                              "s3s-fs": ", or let scripts/bench `cargo install` it)"}[s.name]
        if s.skip_reason is None:
            if s.name == "moto":
                py = s.binary.parent / "python"
                s.version = tool_version([str(py), "-c",
                                          "import moto; print('moto ' + moto.__version__)"])
            else:
                s.version = tool_version([str(s.binary), "--version"])
    return systems
