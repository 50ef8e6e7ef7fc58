"""Vectorised kernels: running sums and first-order recursive smoothing.

The recursive averages (EMA, Wilder's smoothing) are run through
``scipy.signal.lfilter``, a C loop, with the seed passed as the filter's initial
state; nothing here loops in Python.
"""

from __future__ import annotations

import numpy as np


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
    tail = out[n - 1:]
    tail[0] = values[:n].sum()
    np.subtract(values[n:], values[:-n], out=tail[1:])
    np.cumsum(tail, out=tail)
    tail /= n
    return out


def smooth(values: np.ndarray, alpha: float, seed: float) -> np.ndarray:
    """First-order recursive smoothing seeded with ``seed``.

    ``y_0 = seed`` and ``y_t = y_{t-1} + alpha * (x_t - y_{t-1})`` for ``t >= 1``
    (``values[0]`` is not used: it is the bar the seed belongs to). The filter's
    initial state is chosen so that its first output is the seed, which saves a copy.
    """
    from scipy.signal import lfilter

    if len(values) == 0:
        return np.empty(0)
    zi = np.array([seed - alpha * values[0]])
    out, _ = lfilter(np.array([alpha]), np.array([1.0, alpha - 1.0]), values, zi=zi)
    out[0] = seed
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
    out[first:] = smooth(values[first:], alpha, values[seed_start: first + 1].mean())
    return out
