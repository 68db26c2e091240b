"""Output: the results JSON, its Markdown rendering and the generated section of
docs/performance.md (--update-docs)."""

import json

from .common import CONTRACT_NOTES, DOC_BEGIN, DOC_END, METRICS, ROOT, KiB, log


def save(results, out_dir, stamp):
    out_dir.mkdir(parents=True, exist_ok=True)
    results["contract_notes"] = list(CONTRACT_NOTES)
    jp = out_dir / f"{stamp}.json"
    tmp = jp.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(results, indent=1, sort_keys=False) + "\n")
    tmp.replace(jp)
    return jp


def fmt(v, kind):
    if v is None:
        return "—"
    if kind == "int":
        return f"{v:,.0f}"
    if kind == "f1":
        return f"{v:,.1f}"
    if kind == "f2":
        return f"{v:,.2f}"
    if kind == "f3":
        return f"{v:,.3f}"
    if kind == "ratio":
        return f"{v:.2f}×"
    if kind == "pct":
        return f"{v * 100:.0f}%"
    return str(v)


def fmt_kib(k):
    return "—" if k is None else f"{k / KiB:,.1f} MiB"


def render_markdown(res):
    L = []
    sysinfo = res["systems"]
    active = [n for n, s in sysinfo.items() if not s.get("skipped")]
    peers = [n for n in active if n != "cosd"]
    m = res["machine"]
    cfg = res["config"]
    g = res.get("git") or {}
    L.append(f"Run {res['started']} ({cfg['mode']} mode, {cfg['rounds']} palindromic round(s) "
             f"after one discarded warm-up; timed runs {cfg['duration']:g} s), "
             f"commit `{g.get('commit')}`{' (dirty tree)' if g.get('dirty') else ''}.")
    L.append("")
    L.append(f"Machine: {m.get('nproc')} CPUs ({m.get('cpu_model')}), Linux {m.get('kernel')}, "
             f"{m.get('mem_total_gib')} GiB RAM, data dirs on {m.get('filesystem')}.")
    L.append("")
    L.append("| system | version | durability |")
    L.append("|---|---|---|")
    for n, s in sysinfo.items():
        if s.get("skipped"):
            L.append(f"| {n} | — | skipped: {s['skipped']} |")
        else:
            L.append(f"| {n} | {s.get('version') or '?'} | {s['durability']} |")
    L.append("")

    L.append("### Workloads")
    L.append("")
    L.append("Each value is the median over rounds; each ratio the median of per-round ratios "
             "cosd/peer. ↑ higher is better, ↓ lower is better (a ratio below 1 then favours "
             "cosd).")
    L.append("")
    head = "| workload | metric | " + " | ".join(active) + " | " + " | ".join(
        f"cosd/{p}" for p in peers) + " |"
    L.append(head.replace("|  |", "|"))
    L.append("|" + "---|" * 2 + "---:|" * (len(active) + len(peers)))
    for e in res["workloads"]:
        first = True
        for k in e["metrics"]:
            label, kind, up = METRICS[k]
            cells = [fmt(e["medians"].get(n, {}).get(k), kind) for n in active]
            rcells = [fmt(e["ratios"].get(p, {}).get(k), "ratio") for p in peers]
            title = e["title"] if first else ""
            L.append(f"| {title} | {label} {'↑' if up else '↓'} | " + " | ".join(cells + rcells)
                     + " |")
            first = False
        bad = [f"{n}: {e['medians'][n]['errors']} errors" for n in active
               if e["medians"].get(n, {}).get("errors")]
        bad += [f"{n}: {e['medians'][n]['failed_runs']} failed runs" for n in active
                if e["medians"].get(n, {}).get("failed_runs")]
        if bad:
            L.append(f"| | ⚠ {'; '.join(bad)} |" + " |" * (len(active) + len(peers)))
    L.append("")

    st = res.get("startup") or {}
    if st:
        L.append("### Start-up and memory")
        L.append("")
        L.append("Ready = from spawning the process to its first answered request "
                 "(`cosd-bench ready`), median of the start-up rounds; idle RSS just after.")
        L.append("")
        L.append("| system | ready, empty dir | idle RSS, empty | ready, filled dir | "
                 "idle RSS, filled | peak RSS (workload) |")
        L.append("|---|---:|---:|---:|---:|---|")
        mem = res.get("memory") or {}
        for n in active:
            v = st.get(n, {})
            e, f = v.get("empty", {}), v.get("filled")
            filled_ms = (f"{fmt(f.get('ready_ms_median'), 'f1')} ms ({f['objects']:,} objects)"
                         if f else "n/a")
            filled_rss = fmt_kib(f.get("idle_rss_kib_median")) if f else "n/a"
            pk = mem.get(n, {})
            peak = (f"{fmt_kib(pk.get('peak_rss_kib'))} ({pk.get('peak_rss_group')})"
                    if pk.get("peak_rss_kib") else "—")
            L.append(f"| {n} | {fmt(e.get('ready_ms_median'), 'f1')} ms | "
                     f"{fmt_kib(e.get('idle_rss_kib_median'))} | {filled_ms} | {filled_rss} | "
                     f"{peak} |")
        L.append("")

    lim = res.get("limits")
    fr = res.get("fractions") or {}
    if lim:
        L.append("### This machine's limits and cosd as a fraction of them")
        L.append("")
        L.append("| limit | value |")
        L.append("|---|---:|")
        for k, label in (("md5_gbps", "MD5, one core"), ("sha256_gbps", "SHA-256, one core"),
                         ("blake3_gbps", "BLAKE3, one core"), ("crc64_gbps", "CRC64, one core"),
                         ("loopback_gbps", "loopback TCP, one stream")):
            if k in lim:
                L.append(f"| {label} | {fmt(lim[k], 'f2')} GB/s |")
        if "fsync_new_file_per_s" in lim:
            L.append(f"| new file + fsync, one thread | "
                     f"{fmt(lim['fsync_new_file_per_s'], 'int')}/s |")
        if "durable_write_mibps" in lim:
            L.append(f"| durable 4 MiB writes, 16 threads (new files, O_DIRECT + fdatasync) | "
                     f"{fmt(lim['durable_write_mibps'], 'f1')} MiB/s |")
        L.append("")
    if fr:
        L.append("| cosd measure | of | fraction |")
        L.append("|---|---|---:|")
        for k, v in fr.items():
            kind = "ratio" if k == "multipart_over_single" else "pct"
            L.append(f"| {v['desc'].split(' / ')[0]} | {v['desc'].split(' / ')[1]} | "
                     f"{fmt(v['value'], kind)} |")
        L.append("")
    resp = res.get("responder") or {}
    if resp:
        L.append("The generator against a do-nothing responder (its own ceiling): " + "; ".join(
            f"{wid} {fmt(v.get('ops_per_s'), 'int')} ops/s using "
            f"{fmt(v.get('client_cpu_s'), 'f2')} s client CPU in {fmt(v.get('secs'), 'f1')} s"
            for wid, v in resp.items()) + ".")
        L.append("")

    tg = res.get("targets") or []
    if tg:
        L.append("### Targets of issue #8")
        L.append("")
        L.append("| target | measured | met |")
        L.append("|---|---:|:---:|")
        for t in tg:
            kind = {"ops/s": "int", "×": "ratio", "fraction": "pct", "ms": "f2",
                    "MiB": "f1"}[t["unit"]]
            unit = {"ops/s": " ops/s", "ms": " ms", "MiB": " MiB"}.get(t["unit"], "")
            meas = fmt(t["measured"], kind) + (unit if t["measured"] is not None else "")
            met = {True: "yes", False: "no", None: "—"}[t["met"]]
            L.append(f"| {t['target']} | {meas} | {met} |")
        L.append("")
    for rs in res.get("restarts") or []:
        L.append(f"⚠ {rs['system']} stopped during `{rs['group']}` (exit {rs['exit']}) and was "
                 f"restarted on the same data dir.")
        L.append("")
    notes = res.get("contract_notes") or []
    if notes:
        L.append("Load-generator output deviating from its contract: " + "; ".join(notes) + ".")
        L.append("")
    return "\n".join(L)


def update_docs(md, res):
    path = ROOT / "docs" / "performance.md"
    text = path.read_text() if path.exists() else ""
    block = f"{DOC_BEGIN}\n\n{md.rstrip()}\n\n{DOC_END}"
    if DOC_BEGIN in text and DOC_END in text:
        pre, rest = text.split(DOC_BEGIN, 1)
        post = rest.split(DOC_END, 1)[1]
        text = pre + block + post
    else:
        text = text.rstrip() + "\n\n## Latest results\n\n" + block + "\n"
    path.write_text(text)
    log(f"updated {path}")
