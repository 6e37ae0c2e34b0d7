"""Medians over repeated runs, the service and its raw SQL taken turn about."""

from __future__ import annotations

import gc
import statistics
import time
from dataclasses import asdict, dataclass

from kiosk.bench.ops import Operation

WARMUP = 2
BUDGET_SECONDS = 20.0  # per operation, after warm-up (the verify is allowed its 3 runs)


@dataclass
class Result:
    name: str
    screen: str
    median_ms: float | None = None
    raw_median_ms: float | None = None
    ratio: float | None = None
    target: str = ""
    passed: bool | None = None
    runs: int = 0
    note: str = ""

    def as_dict(self) -> dict:
        return asdict(self)


def _ms(fn, i) -> float:
    t = time.perf_counter()
    fn(i)
    return (time.perf_counter() - t) * 1000


def target_text(op: Operation) -> str:
    if op.target_ms >= 1000:
        text = f"< {op.target_ms / 1000:g} s"
    else:
        text = f"< {op.target_ms:g} ms"
    if op.ratio_target is not None:
        text += f", <= {op.ratio_target:g}x raw"
    return text


def measure(op: Operation, repeat: int | None = None, budget: float = BUDGET_SECONDS) -> Result:
    """Time one operation: warm up, then alternate service and raw runs; medians."""
    result = Result(op.name, op.screen, target=target_text(op))
    if op.service is None:
        result.note = f"missing: {op.missing}"
        return result
    n = repeat or op.repeat
    warm = 0 if op.repeat <= 3 else WARMUP
    run = 0
    try:
        for _ in range(warm):
            op.service(run)
            if op.raw:
                op.raw(run)
            run += 1
        own, raw = [], []
        gc.collect()
        started = time.perf_counter()
        while len(own) < n:
            own.append(_ms(op.service, run))
            if op.raw:
                raw.append(_ms(op.raw, run))
            run += 1
            if len(own) >= 5 and time.perf_counter() - started > budget:
                break
    except Exception as exc:  # report it in the table; the other operations still run
        result.note = f"error: {type(exc).__name__}: {exc}"[:300]
        result.passed = False
        return result
    result.runs = len(own)
    result.median_ms = round(statistics.median(own), 2)
    ok = result.median_ms < op.target_ms
    if raw:
        result.raw_median_ms = round(statistics.median(raw), 2)
        result.ratio = round(result.median_ms / max(result.raw_median_ms, 1e-6), 2)
        if op.ratio_target is not None:
            ok = ok and result.ratio <= op.ratio_target
    result.passed = ok
    return result
