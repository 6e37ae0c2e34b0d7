"""The bench's table (stdout) and JSON (--json FILE)."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path


def _fmt(value, unit: str = "") -> str:
    if value is None:
        return "-"
    if isinstance(value, float):
        text = f"{value:,.1f}" if value >= 100 else f"{value:.2f}"
    else:
        text = str(value)
    return text + unit


def _verdict(passed) -> str:
    return "-" if passed is None else ("PASS" if passed else "FAIL")


def table(report: dict) -> str:
    return _table(report) + (encrypted_table(report["encrypted"]) if report.get("encrypted") else "")


def _table(report: dict) -> str:
    lines = []
    ds = report.get("dataset", {})
    lines.append("kiosk bench" + (f": {ds['description']}" if ds.get("description") else ""))
    if ds.get("build_seconds") is not None:
        lines.append(f"dataset built in {ds['build_seconds']:.1f} s on {report['machine']['database']}")
    m = report.get("machine", {})
    if m.get("load_average"):
        end = m.get("load_average_end")
        lines.append(f"machine: {m.get('cpus')} CPUs, Python {m.get('python')}; load average "
                     f"{m['load_average'][0]:.1f} at the start" + (f", {end[0]:.1f} at the end" if end else "")
                     + " (other work on the machine slows every figure)")
    if ds.get("skipped"):
        lines.append("left out (not in this build): " + "; ".join(ds["skipped"]))
    lines.append("")
    ops = report.get("operations", [])
    if ops:
        w = max(len(o["name"]) for o in ops)
        head = f"{'operation':<{w}}  {'median':>10}  {'raw SQL':>10}  {'ratio':>6}  {'target':<22}  result"
        lines += [head, "-" * len(head)]
        for o in ops:
            unit = " ms"
            med, raw = o["median_ms"], o["raw_median_ms"]
            if med is not None and med >= 1000:
                med, raw, unit = med / 1000, (raw / 1000 if raw is not None else None), " s"
            verdict = _verdict(o["passed"]) if not o["note"].startswith("missing") else "MISSING"
            lines.append(f"{o['name']:<{w}}  {_fmt(med, unit):>10}  {_fmt(raw, unit):>10}  "
                         f"{_fmt(o['ratio'], 'x'):>6}  {o['target']:<22}  {verdict}")
            if o["note"]:
                lines.append(f"{'':<{w}}    {o['note']}")
        lines.append("")
    st = report.get("startup")
    if st:
        if "error" in st:
            lines.append(f"start-up: error: {st['error']}")
        else:
            lines.append(f"start-up to the login screen: {st['console_ms']:.0f} ms vs minimal Textual app "
                         f"{st['minimal_ms']:.0f} ms = {st['ratio']:.2f}x (target <= {st['ratio_target']}x): "
                         f"{_verdict(st['passed'])}")
            if st.get("cpu_ratio") is not None:
                load = st.get("load_average") or ()
                lines.append(f"  CPU time to the login screen: {st['console_cpu_ms']:.0f} ms vs "
                             f"{st['minimal_cpu_ms']:.0f} ms = {st['cpu_ratio']:.2f}x"
                             + (f" (load average {load[0]:.1f} -> {load[1]:.1f}; the wall clock also counts "
                                "the time other work held the CPU)" if len(load) == 2 else ""))
            lines.append(f"resident memory of one console: {_fmt(st['console_rss_mib'], ' MiB')} "
                         f"(minimal app {_fmt(st['minimal_rss_mib'], ' MiB')}; target < {st['rss_target_mib']:g} MiB): "
                         f"{_verdict(st['rss_passed'])}")
        lines.append("")
    for key in ("concurrency", "crash"):
        part = report.get(key)
        if part:
            lines.append(f"{key}: {_verdict(part.get('passed'))}: {part.get('summary', '')}")
    misses = report.get("misses", [])
    if misses:
        lines.append("misses:")
        lines += [f"  - {m}" for m in misses]
    elif report.get("operations"):
        lines.append("every target met")
    return "\n".join(lines).rstrip() + "\n"


def machine(database: str) -> dict:
    return {
        "cpus": os.cpu_count(),
        "python": platform.python_version(),
        "platform": platform.platform(),
        "database": database,
        "load_average": [round(x, 2) for x in os.getloadavg()],
    }


def write_json(report: dict, path: str) -> None:
    target = Path(path)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(json.dumps(report, indent=2, default=str) + "\n", encoding="utf-8")
    os.replace(tmp, target)


def compare(plain: dict, encrypted: dict) -> dict:
    """Each operation's median on the plain and on the encrypted database, and the ratio."""
    enc = {o["name"]: o for o in encrypted.get("operations", [])}
    rows = []
    for o in plain.get("operations", []):
        e = enc.get(o["name"])
        if e is None or o["median_ms"] is None or e["median_ms"] is None:
            continue
        ratio = round(e["median_ms"] / o["median_ms"], 2) if o["median_ms"] else None
        rows.append({"name": o["name"], "plain_ms": o["median_ms"], "encrypted_ms": e["median_ms"],
                     "ratio": ratio, "encrypted_passed": e["passed"]})
    out = {"operations": rows, "misses": encrypted.get("misses", []),
           "build_seconds": encrypted.get("dataset", {}).get("build_seconds")}
    if encrypted.get("startup", {}).get("console_ms") is not None:
        out["startup_ms"] = encrypted["startup"]["console_ms"]
        out["rss_mib"] = encrypted["startup"].get("console_rss_mib")
    return out


def encrypted_table(part: dict) -> str:
    rows = part.get("operations", [])
    if not rows:
        return ""
    w = max(len(r["name"]) for r in rows)
    head = f"{'operation (encrypted vs plain)':<{w}}  {'plain':>10}  {'encrypted':>10}  {'cost':>6}  result"
    lines = ["", head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r['name']:<{w}}  {_fmt(r['plain_ms'], ' ms'):>10}  {_fmt(r['encrypted_ms'], ' ms'):>10}  "
                     f"{_fmt(r['ratio'], 'x'):>6}  {_verdict(r['encrypted_passed'])}")
    if part.get("startup_ms") is not None:
        lines.append(f"start-up (encrypted): {part['startup_ms']:.0f} ms, resident memory {part.get('rss_mib')} MiB")
    if part.get("build_seconds") is not None:
        lines.append(f"dataset built (encrypted) in {part['build_seconds']:.1f} s")
    for miss in part.get("misses", []):
        lines.append(f"miss (encrypted): {miss}")
    return "\n".join(lines) + "\n"
