"""The `sse` workload (cosd only), driven from Python: PUT and GET of one 256 MiB object in a
plain bucket and in a bucket whose default encryption is SSE-S3 (`?encryption` AES256), on the
same cosd instance, alternating plain / encrypted / encrypted / plain (A-B-B-A) so drift of the
machine cancels out. Each leg is one `cosd-bench run` (PUT: one object, single stream; GET: the
object read for `duration` seconds, single stream). The answer has the shape of a `cosd-bench
run` answer whose `mib_per_s` is the encrypted PUT's, plus the medians of each leg and the
ratios encrypted / plain (`put_sse_over_plain`, `get_sse_over_plain`; the goal is >= 0.8)."""

import statistics

from .common import BenchError
from .list_versions import S3Conn

SBUCKET = "benchsse-1250000000"
PBUCKET = "benchplain-1250000000"
ENCRYPTION = (b"<ServerSideEncryptionConfiguration><Rule><ApplyServerSideEncryptionByDefault>"
              b"<SSEAlgorithm>AES256</SSEAlgorithm></ApplyServerSideEncryptionByDefault></Rule>"
              b"</ServerSideEncryptionConfiguration>")


def run(gen, endpoint, workload, params, server_pid=None, label=None, timeout=1800):
    size, duration = params["size"], params.get("duration", 5)
    c = S3Conn(endpoint)
    for b in (SBUCKET, PBUCKET):
        c.ok("PUT", f"/{b}", want=(200, 409))
    c.ok("PUT", f"/{SBUCKET}", [("encryption", "")], ENCRYPTION)
    if b"AES256" not in c.ok("GET", f"/{SBUCKET}", [("encryption", "")]):
        raise BenchError("the encrypted bucket has no default encryption")
    legs = {"put": ({"size": size, "concurrency": 1, "count": 1}, "put"),
            "get": ({"size": size, "concurrency": 1, "keys": 1, "duration": duration}, "get")}
    out = {k: {"plain": [], "sse": []} for k in legs}
    cpu = {k: {"plain": [], "sse": []} for k in legs}
    for op, (p, wl) in legs.items():
        for mode in ("plain", "sse", "sse", "plain"):
            bucket = SBUCKET if mode == "sse" else PBUCKET
            r = gen.run(endpoint, wl, p, server_pid=server_pid,
                        label=f"{label}:{op}:{mode}" if label else None, timeout=timeout,
                        bucket=bucket)
            if r.get("errors"):
                raise BenchError(f"{op} {mode}: {r['errors']} errors")
            out[op][mode].append(r["mib_per_s"])
            cpu[op][mode].append(r.get("server_cpu_s_per_gib"))
    med = {op: {m: statistics.median(v) for m, v in d.items()} for op, d in out.items()}
    # Paired A-B-B-A: the first plain with the first sse, the second with the second.
    ratio = {op: statistics.median([out[op]["sse"][i] / out[op]["plain"][1 - i]
                                    for i in (0, 1)]) for op in out}

    def cpu_med(op, m):
        xs = [x for x in cpu[op][m] if isinstance(x, (int, float))]
        return statistics.median(xs) if xs else None

    return {
        "workload": workload, "label": label, "concurrency": 1, "size": size,
        "ops": 8, "errors": 0, "secs": None, "ops_per_s": None,
        "mib_per_s": med["put"]["sse"], "p50_us": None, "p99_us": None, "p999_us": None,
        "client_cpu_s": None, "server_cpu_s": None, "server_cpu_us_per_op": None,
        "server_cpu_s_per_gib": cpu_med("put", "sse"),
        "put_plain_mib_s": med["put"]["plain"], "put_sse_mib_s": med["put"]["sse"],
        "get_plain_mib_s": med["get"]["plain"], "get_sse_mib_s": med["get"]["sse"],
        "put_sse_over_plain": ratio["put"], "get_sse_over_plain": ratio["get"],
        "put_plain_cpu_s_per_gib": cpu_med("put", "plain"),
        "get_plain_cpu_s_per_gib": cpu_med("get", "plain"),
        "get_sse_cpu_s_per_gib": cpu_med("get", "sse"),
    }
