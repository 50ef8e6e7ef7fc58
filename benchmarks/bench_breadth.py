"""Breadth over 2,000 symbols x 25 years of synthetic daily bars, against a naive loop.

Goal: the kit's one-pass breadth (``smallcaps.breadth.breadth_from_panel``: % above
the 50- and 200-day averages, 52-week highs/lows, advances/declines, McClellan,
equal-weight index) under 5 s and under 2 GB peak memory on the 2-core machine.
Prints the kit's time, the peak resident memory of the process, and the ratio
against a naive per-symbol pandas loop measured in the same run. The naive loop is
timed on a subset of the symbols (default 200: the full 2,000 would take minutes)
and scaled linearly by the symbol count, which is how its cost grows (one
independent pass per symbol); the two are also checked to agree on that subset.

Usage::

    .venv/bin/python benchmarks/bench_breadth.py [n_symbols] [n_years] [naive_subset]

SYNTHETIC DATA: random-walk prices with listings, delistings, missing days and
membership turnover; no real symbol is involved.
"""

from __future__ import annotations

import resource
import sys
import time

import numpy as np
import pandas as pd

GOAL_SECONDS = 5.0
GOAL_BYTES = 2 * 1024**3


def synthetic(n_sym: int, n_years: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    rng = np.random.default_rng(seed)
    n = 252 * n_years
    idx = pd.bdate_range("2000-01-03", periods=n, name="date")
    ret = rng.normal(0.0003, 0.02, (n, n_sym)).astype(np.float64)
    close = 30.0 * np.exp(np.cumsum(ret, axis=0))
    listed = rng.integers(0, n // 2, n_sym)
    delisted = listed + rng.integers(n // 4, n, n_sym)
    rows = np.arange(n)[:, None]
    close[(rows < listed) | (rows >= delisted)] = np.nan
    close[rng.random((n, n_sym)) < 0.002] = np.nan  # halts / missing days
    # membership changes once a year: about 8% of names swap in and out
    member = np.empty((n, n_sym), dtype=bool)
    state = rng.random(n_sym) < 0.9
    for y in range(n_years):
        flip = rng.random(n_sym) < 0.08
        state = state ^ flip
        member[y * 252:(y + 1) * 252] = state
    cols = [f"S{i:04d}" for i in range(n_sym)]
    return (pd.DataFrame(close, index=idx, columns=cols),
            pd.DataFrame(member, index=idx, columns=cols))


def naive(close: pd.DataFrame, member: pd.DataFrame) -> pd.DataFrame:
    """One symbol at a time with pandas: the reference a user would write first."""
    acc = pd.DataFrame(0, index=close.index,
                       columns=["n50", "a50", "n200", "a200", "nhl", "hi", "lo", "adv", "dec"])
    for sym in close.columns:
        s = close[sym].dropna()
        c, m = close[sym], member[sym]
        has = m & c.notna()
        for w, n_col, a_col in ((50, "n50", "a50"), (200, "n200", "a200")):
            sma = s.rolling(w).mean().reindex(close.index)
            acc[n_col] += (has & sma.notna()).astype(int)
            acc[a_col] += (has & (c > sma)).astype(int)
        prev_max = s.shift(1).rolling(251).max().reindex(close.index)
        prev_min = s.shift(1).rolling(251).min().reindex(close.index)
        acc["nhl"] += (has & prev_max.notna()).astype(int)
        acc["hi"] += (has & (c > prev_max)).astype(int)
        acc["lo"] += (has & (c < prev_min)).astype(int)
        d = c.diff()
        acc["adv"] += (has & (d > 0)).astype(int)
        acc["dec"] += (has & (d < 0)).astype(int)
    return acc


def peak_rss_bytes() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024  # Linux: kilobytes


def main(n_sym: int = 2000, n_years: int = 25, subset: int = 200) -> int:
    from smallcaps.breadth import breadth_from_panel

    print("SYNTHETIC DATA: random-walk panel, no real symbols")
    close, member = synthetic(n_sym, n_years)
    print(f"panel: {close.shape[0]:,} days x {close.shape[1]:,} symbols "
          f"({close.notna().to_numpy().mean():.0%} priced cells)")
    # compile (or load the numba on-disk cache) outside the timing
    breadth_from_panel(close.iloc[:300, :5], member.iloc[:300, :5])

    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        b = breadth_from_panel(close, member)
        times.append(time.perf_counter() - t0)
    kit = min(times)
    peak = peak_rss_bytes()

    cols = close.columns[:subset]
    t0 = time.perf_counter()
    ref = naive(close[cols], member[cols])
    naive_subset = time.perf_counter() - t0
    naive_full = naive_subset * n_sym / len(cols)
    check = breadth_from_panel(close[cols], member[cols])
    agree = bool((check["n_200d"] == ref["n200"]).all() and (check["advances"] == ref["adv"]).all()
                 and (check["new_52w_highs"] == ref["hi"]).all()
                 and np.allclose(check["pct_above_50d"].fillna(-1),
                                 (100 * ref["a50"] / ref["n50"]).fillna(-1)))

    print(f"kit breadth (numba, one pass):  {kit:7.2f} s  (best of {len(times)})")
    print(f"peak resident memory:           {peak / 1024**3:7.2f} GB (whole process, data included)")
    print(f"naive pandas loop:              {naive_subset:7.2f} s for {len(cols)} symbols, "
          f"~{naive_full:.1f} s scaled to {n_sym}")
    print(f"ratio naive / kit:              {naive_full / kit:7.1f}x")
    print(f"kit == naive on the subset:     {agree}")
    print(f"rows: {len(b):,}; last day: {b.iloc[-1][['members', 'pct_above_200d']].to_dict()}")
    ok = kit < GOAL_SECONDS and peak < GOAL_BYTES and agree
    print(f"goal (< {GOAL_SECONDS:g} s, < 2 GB, agreement): {'met' if ok else 'NOT met'}")
    return 0 if ok else 1


if __name__ == "__main__":
    args = [int(a) for a in sys.argv[1:4]]
    sys.exit(main(*args))
