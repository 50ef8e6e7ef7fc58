"""Panel detectors and the universe scan on 2,000 synthetic symbols x 25 years.

Targets (this 2-core machine): ranges under 10 s, rotation under 3 s, the whole default
scan under 15 s and under 3 GB peak memory. Each line prints the panel time, the
per-symbol loop measured in the same run on a sample of symbols and extrapolated to all
of them, and the ratio. Usage::

    .venv/bin/python benchmarks/bench_scan.py [n_symbols] [n_bars] [sample]

The synthetic panel: geometric random walks whose volatility switches between calm
stretches (which form trading ranges) and trending ones, symbols listed at staggered
dates (leading NaN) as in a real universe. Panel times are the best of two runs (the
machine is shared). The first panel call compiles numba's
loops (or loads them from the on-disk cache); a warm-up on a few symbols excludes it.
Peak memory is the process's maximum resident set size (``ru_maxrss``), which includes
the synthetic panel itself.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

TARGETS = {"ranges": 10.0, "rotation": 3.0, "scan": 15.0}
MEMORY_GB = 3.0
PANEL_RUNS = 2  # best of two for the panel side; the per-symbol loops run once


def synthetic_panel(n_sym: int, n_bars: int, seed: int = 0) -> dict[str, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range(end="2024-12-31", periods=n_bars, name="date")
    regime = rng.random((n_bars // 60 + 1, n_sym)) < 0.4  # calm 60-bar blocks
    vol = np.where(np.repeat(regime, 60, axis=0)[:n_bars], 0.004, 0.022)
    drift = np.where(np.repeat(regime, 60, axis=0)[:n_bars], 0.0, 0.0004)
    close = 20.0 * np.exp(np.cumsum(rng.normal(drift, vol), axis=0))
    spread = np.abs(rng.normal(0, 0.006, close.shape))
    high, low = close * (1 + spread), close * (1 - spread)
    listed = rng.integers(0, n_bars // 3, n_sym) * (rng.random(n_sym) < 0.3)
    cols = [f"SYM{j:04d}" for j in range(n_sym)]
    out = {}
    for name, v in (("high", high), ("low", low), ("close", close)):
        v[np.arange(n_bars)[:, None] < listed[None, :]] = np.nan
        out[name] = pd.DataFrame(v, index=idx, columns=cols)
    bench = pd.Series(np.exp(np.cumsum(rng.normal(0.0002, 0.011, n_bars))) * 200, index=idx,
                      name="BENCH")
    out["benchmark"] = bench.to_frame("close")
    return out


def timed(fn, runs: int = 1) -> tuple[float, object]:
    """Best of ``runs`` wall-clock times (the machine is shared: the best run is the one
    least disturbed by other processes) and the result."""
    best, out = float("inf"), None
    for _ in range(runs):
        t0 = time.perf_counter()
        out = fn()
        best = min(best, time.perf_counter() - t0)
    return best, out


def line(name: str, panel_s: float, ref_s: float, n: int, k: int, target: float) -> bool:
    ref_all = ref_s / k * n
    ok = panel_s < target
    print(f"{name:<9} panel {panel_s:6.2f} s | per-symbol loop {ref_s:6.2f} s on {k} symbols "
          f"-> {ref_all:7.1f} s for {n} | ratio {ref_all / panel_s:5.1f}x | target < {target:g} s "
          f"{'met' if ok else 'MISSED'}")
    return ok


def main(n_sym: int = 2000, n_bars: int = 6300, sample: int = 20) -> int:
    from smallcaps import relative
    from smallcaps.technicals import find_ranges, panel

    p = synthetic_panel(n_sym, n_bars)
    h, lo, c, b = p["high"], p["low"], p["close"], p["benchmark"]
    cols = list(c.columns[:sample])
    small = {k: v[cols[:3]].iloc[-600:] for k, v in (("high", h), ("low", lo), ("close", c))}
    panel.find_ranges(small["high"], small["low"], small["close"])  # compile / load the cache
    panel.rotation(small["close"], b)
    print(f"{n_sym} synthetic symbols x {n_bars} daily bars; per-symbol loops on {sample} "
          "symbols, extrapolated")
    ok = True

    t_ranges, ranges = timed(lambda: panel.find_ranges(h, lo, c), PANEL_RUNS)
    t_ref, _ = timed(lambda: [find_ranges(pd.DataFrame({"high": h[s], "low": lo[s],
                                                        "close": c[s]}).dropna())
                              for s in cols])
    ok &= line("ranges", t_ranges, t_ref, n_sym, sample, TARGETS["ranges"])
    print(f"          {len(ranges)} ranges found")

    t_rot, _ = timed(lambda: panel.rotation(c, b), PANEL_RUNS)
    t_ref, _ = timed(lambda: [relative.rotation({s: c[s].dropna()}, b) for s in cols])
    ok &= line("rotation", t_rot, t_ref, n_sym, sample, TARGETS["rotation"])

    try:
        from smallcaps.universe.screen import scan_panel
    except ImportError:
        print("scan      not measured: smallcaps.universe.screen is not available")
    else:
        frames = {"high": h, "low": lo, "close": c}
        scan_panel(small, benchmark=b)
        t_scan, table = timed(lambda: scan_panel(frames, benchmark=b), PANEL_RUNS)
        t_ref, _ = timed(lambda: _per_symbol_scan(frames, b, cols))
        ok &= line("scan", t_scan, t_ref, n_sym, sample, TARGETS["scan"])
        print(f"          {len(table)} rows in the screen table")
    peak_gb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024**2
    mem_ok = peak_gb < MEMORY_GB
    print(f"peak memory {peak_gb:.2f} GB (target < {MEMORY_GB:g} GB) "
          f"{'met' if mem_ok else 'MISSED'}")
    return 0 if ok and mem_ok else 1


def _per_symbol_scan(frames: dict[str, pd.DataFrame], bench: pd.DataFrame,
                     cols: list[str]) -> None:
    """What the default scan computes, one symbol at a time with the per-symbol functions."""
    from smallcaps import relative
    from smallcaps import technicals as T

    for s in cols:
        f = pd.DataFrame({k: v[s] for k, v in frames.items()}).dropna()
        T.find_ranges(f)
        T.new_highs(f, 252)
        T.new_highs(-f["close"], 252)
        T.sma(f, 50)
        T.sma(f, 200)
        T.ma_crosses(f, 50, 200)
        T.rsi(f, 14)
        relative.rotation({s: f["close"]}, bench)


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:])))
