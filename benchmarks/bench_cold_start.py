"""A cold process computing sma, ema, rsi and atr on a 12k-row series: kit vs TA-Lib.

Goal: the kit's process within 1.2x of the same process with TA-Lib. Both processes
build the same 12,000-row price frame (RUT's history is about that long) with pandas,
then compute the four indicators once: a fresh kernel's first technicals cell. Below
``COMPILED_FROM`` points the kit runs the recursions in pandas' compiled window code
(no numba import, no compilation), so a fresh process pays nothing extra. Each side
is a fresh interpreter; the best and the median of N runs are reported.

Usage::

    .venv/bin/python benchmarks/bench_cold_start.py
"""

from __future__ import annotations

import sys

from _fresh import measure  # benchmarks/ is on the path when a script runs

RUNS = 7
GOAL = 1.2

SETUP = """
import numpy as np, pandas as pd
rng = np.random.default_rng(0)
n = 12_000
c = 1000 * np.exp(np.cumsum(rng.normal(0, 0.01, n)))
h = c * np.exp(np.abs(rng.normal(0, 0.005, n)))
lo = c * np.exp(-np.abs(rng.normal(0, 0.005, n)))
df = pd.DataFrame({"open": c, "high": h, "low": lo, "close": c},
                  index=pd.bdate_range("1980-01-01", periods=n, name="date"))
"""
CASES = {
    "pandas only (setup)": SETUP,
    "TA-Lib": SETUP + """
import talib
a = (df["high"].to_numpy(), df["low"].to_numpy(), df["close"].to_numpy())
out = [pd.Series(talib.SMA(a[2], 50), df.index), pd.Series(talib.EMA(a[2], 50), df.index),
       pd.Series(talib.RSI(a[2], 14), df.index), pd.Series(talib.ATR(*a, 14), df.index)]
""",
    "smallcaps": SETUP + """
from smallcaps import technicals as T
out = [T.sma(df, 50), T.ema(df, 50), T.rsi(df, 14), T.atr(df, 14)]
""",
}



def main() -> int:
    res = {name: measure(code, RUNS) for name, code in CASES.items()}
    print(f"fresh process, 12,000 rows, sma/ema/rsi/atr once; best and median of {RUNS}")
    print(f"{'case':<22}{'best s':>9}{'median s':>10}")
    for name, (best, med) in res.items():
        print(f"{name:<22}{best:>9.3f}{med:>10.3f}")
    ratio = res["smallcaps"][0] / res["TA-Lib"][0]
    print(f"smallcaps / TA-Lib (best): {ratio:.2f} (goal <= {GOAL}) "
          f"{'ok' if ratio <= GOAL else 'over'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
