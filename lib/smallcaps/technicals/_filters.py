"""Running sums and first-order recursive smoothing, in two forms.

Below ``COMPILED_FROM`` points (every daily history: 12k bars of RUT, 25k of SPX) the
recursions run in pandas' compiled window code (``rolling().mean()``,
``ewm(adjust=False)``) seeded like TA-Lib, which matches TA-Lib to about 1e-13 and
needs no compilation: a fresh process pays nothing before its first indicator.
From ``COMPILED_FROM`` points on, the loops are compiled with numba (on first use,
cached on disk), the same one-pass arithmetic as TA-Lib's C loops. Outputs are
allocated by numpy, not inside the compiled code: numpy asks the kernel for huge pages
on large arrays, which makes first-touch page faults on a 10-million-point output
several times cheaper. numba is imported lazily so that ``import smallcaps`` stays
light.
"""

from __future__ import annotations

from functools import cache

import numpy as np
import pandas as pd

COMPILED_FROM = 200_000
"""Series at least this long use the numba kernels; shorter ones the pandas form."""


@cache
def _kernels():
    import numba

    # "contract" lets LLVM fuse a*b + c into one FMA (no other fast-math liberties, so
    # NaN and infinity behave as usual); with the update written as beta*y + alpha*x the
    # loop-carried dependency is that single instruction
    jit = numba.njit(cache=True, nogil=True, error_model="numpy", fastmath={"contract"})

    @jit
    def rolling_mean_into(values, n, out):
        s = 0.0
        for i in range(n):
            s += values[i]
        out[n - 1] = s / n
        for i in range(n, len(values)):
            s += values[i] - values[i - n]
            out[i] = s / n

    @jit
    def smooth_into(values, alpha, seed, out):
        beta = 1.0 - alpha
        y = seed
        out[0] = y
        for i in range(1, len(values)):
            y = beta * y + alpha * values[i]
            out[i] = y

    @jit
    def wilder_rsi_into(x, n, out):
        # Wilder RSI as 50 (1 + D / A), D and A the smoothed change and |change|
        alpha = 1.0 / n
        s1 = 0.0
        s2 = 0.0
        for i in range(1, n + 1):
            d = x[i] - x[i - 1]
            s1 += d
            s2 += abs(d)
        dd = s1 / n
        aa = s2 / n
        for i in range(n):
            out[i] = np.nan
        beta = 1.0 - alpha
        for i in range(n, len(x)):
            if i > n:
                d = x[i] - x[i - 1]
                dd = beta * dd + alpha * d
                aa = beta * aa + alpha * abs(d)
            if aa < 1e-14:
                out[i] = 50.0  # no movement at all: neither gains nor losses
            else:
                r = 50.0 * (1.0 + dd / aa)
                out[i] = 0.0 if r < 0.0 else (100.0 if r > 100.0 else r)

    @jit
    def wilder_atr_into(h, lo, c, n, out):
        # true range TR_i = max(h_i, c_{i-1}) - min(lo_i, c_{i-1}), then Wilder's average;
        # returns the sum of every input, which is finite only if all inputs are
        # (a NaN high or low would otherwise lose the comparisons silently)
        chk = h[0] + lo[0] + c[0]
        for i in range(n):
            out[i] = np.nan
        s = 0.0
        for i in range(1, n + 1):
            p = c[i - 1]
            chk += h[i] + lo[i] + c[i]
            s += (h[i] if h[i] > p else p) - (lo[i] if lo[i] < p else p)
        y = s / n
        out[n] = y
        alpha = 1.0 / n
        beta = 1.0 - alpha
        for i in range(n + 1, len(c)):
            p = c[i - 1]
            chk += h[i] + lo[i] + c[i]
            tr = (h[i] if h[i] > p else p) - (lo[i] if lo[i] < p else p)
            y = beta * y + alpha * tr
            out[i] = y
        return chk

    return rolling_mean_into, smooth_into, wilder_rsi_into, wilder_atr_into


def rolling_mean(values: np.ndarray, n: int) -> np.ndarray:
    """Trailing mean of ``n`` values; the first ``n - 1`` outputs are NaN.

    Running-sum form, the same arithmetic as TA-Lib's SMA:
    ``S_t = S_{t-1} + x_t - x_{t-n}``, ``SMA_t = S_t / n``.
    """
    out = np.empty(len(values), dtype="float64")
    out[: n - 1] = np.nan
    if len(values) < n:
        out[:] = np.nan
        return out
    if len(values) < COMPILED_FROM:
        out[n - 1:] = pd.Series(values, copy=False).rolling(n).mean().to_numpy()[n - 1:]
        return out
    _kernels()[0](np.ascontiguousarray(values, dtype="float64"), n, out)
    return out


def smooth(values: np.ndarray, alpha: float, seed: float,
           out: np.ndarray | None = None) -> np.ndarray:
    """First-order recursive smoothing seeded with ``seed``.

    ``y_0 = seed`` and ``y_t = y_{t-1} + alpha * (x_t - y_{t-1})`` for ``t >= 1``
    (``values[0]`` is not used: it is the bar the seed belongs to). ``out`` may be
    given (a float64 array of the same length, ``values`` itself included) to avoid
    an allocation.
    """
    if out is None:
        out = np.empty(len(values), dtype="float64")
    if 0 < len(values) < COMPILED_FROM:
        x = np.array(values, dtype="float64")
        x[0] = seed
        out[:] = pd.Series(x, copy=False).ewm(alpha=alpha, adjust=False).mean().to_numpy()
    elif len(values):
        _kernels()[1](np.ascontiguousarray(values, dtype="float64"), float(alpha), float(seed), out)
    return out


def seeded_ema(values: np.ndarray, n: int, alpha: float, seed_start: int = 0) -> np.ndarray:
    """EMA whose first value is the SMA of ``values[seed_start:seed_start + n]``.

    Output is NaN before position ``seed_start + n - 1``. TA-Lib seeds its EMA this
    way (``seed_start = 0``); its MACD seeds the fast EMA later so that both EMAs
    start on the same bar.
    """
    first = seed_start + n - 1
    out = np.empty(len(values), dtype="float64")
    if first >= len(values):
        out[:] = np.nan
        return out
    out[:first] = np.nan
    smooth(values[first:], alpha, values[seed_start: first + 1].mean(), out=out[first:])
    return out


def wilder_rsi(values: np.ndarray, n: int) -> np.ndarray:
    """Wilder's RSI of ``values`` (no missing values), seeded like TA-Lib.

    ``D`` and ``A`` are Wilder averages (``alpha = 1/n``) of the change ``d`` and of
    ``|d|``, seeded with the mean of the first ``n`` of each; since average gain
    ``G = (A + D) / 2`` and average loss ``L = (A - D) / 2``,
    ``RSI = 100 G / (G + L) = 50 (1 + D / A)``. The first ``n`` outputs are NaN; a
    stretch with no change at all gives 50.
    """
    out = np.empty(len(values), dtype="float64")
    if len(values) <= n:
        out[:] = np.nan
        return out
    if len(values) < COMPILED_FROM:
        x = np.asarray(values, dtype="float64")
        d = np.diff(x)  # d[i - 1] is the change into bar i
        alpha = 1.0 / n
        dd = smooth(d[n - 1:], alpha, d[:n].sum() / n)
        aa = smooth(np.abs(d[n - 1:]), alpha, np.abs(d[:n]).sum() / n)
        out[:n] = np.nan
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.clip(50.0 * (1.0 + dd / aa), 0.0, 100.0)
        out[n:] = np.where(aa < 1e-14, 50.0, r)
        return out
    _kernels()[2](np.ascontiguousarray(values, dtype="float64"), n, out)
    return out


def wilder_atr(high: np.ndarray, low: np.ndarray, close: np.ndarray, n: int) -> np.ndarray:
    """Wilder's average true range, seeded like TA-Lib, in one pass.

    ``TR_t = max(h_t, c_{t-1}) - min(l_t, c_{t-1})`` for ``t >= 1``;
    ``ATR_n = mean(TR_1 .. TR_n)`` and ``ATR_t = ATR_{t-1} + (TR_t - ATR_{t-1}) / n``.
    The first ``n`` outputs are NaN. Needs at least ``n + 1`` bars.

    Raises
    ------
    ValueError
        If any input value is missing or infinite.
    """
    out = np.empty(len(close), dtype="float64")
    if len(close) < COMPILED_FROM:
        h, lo, c = (np.asarray(a, dtype="float64") for a in (high, low, close))
        if not np.isfinite(h.sum() + lo.sum() + c.sum()):
            raise ValueError("high, low and close must not have missing or infinite values")
        p = c[:-1]
        tr = np.maximum(h[1:], p) - np.minimum(lo[1:], p)  # tr[i - 1] is TR of bar i
        out[:n] = np.nan
        out[n:] = smooth(tr[n - 1:], 1.0 / n, tr[:n].sum() / n)
        return out
    arrays = (np.ascontiguousarray(a, dtype="float64") for a in (high, low, close))
    if not np.isfinite(_kernels()[3](*arrays, n, out)):
        raise ValueError("high, low and close must not have missing or infinite values")
    return out
