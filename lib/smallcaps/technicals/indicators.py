"""Moving averages and oscillators, equal to TA-Lib after the warm-up bars.

Every function takes a close Series (or a price frame, whose ``close`` is used),
returns pandas objects on the same index, and reproduces TA-Lib's seeding so the
values agree with TA-Lib, not just converge to it:

- EMA starts with the simple average of the first ``n`` values;
- Wilder's RSI and ATR start with the simple average of the first ``n`` gains,
  losses or true ranges, then smooth with ``alpha = 1 / n``.

Leading missing values are skipped (so an indicator of an indicator works); a
missing value inside the series is an error, because a recursive average cannot
step over it.

References
----------
J. Welles Wilder, *New Concepts in Technical Trading Systems* (1978): RSI, ATR.
J. Bollinger, *Bollinger on Bollinger Bands* (2001).
G. Appel, *Technical Analysis: Power Tools for Active Investors* (2005): MACD.
TA-Lib, https://ta-lib.org (``ta_SMA.c``, ``ta_EMA.c``, ``ta_RSI.c``, ``ta_ATR.c``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ._checks import as_close, check_fraction, check_window, keep_attrs, price_frame, valid_block
from ._filters import rolling_mean, seeded_ema, wilder_atr, wilder_rsi

__all__ = ["atr", "bollinger", "ema", "macd", "rsi", "sma", "true_range", "wma"]


def _out(values: np.ndarray, src: pd.Series, name: str) -> pd.Series:
    # copy=False: pandas 3 copies arrays into a new Series by default; this one is ours
    return keep_attrs(pd.Series(values, index=src.index, name=name, copy=False), src)


def _place(first: int, block_out: np.ndarray, total: int) -> np.ndarray:
    if first == 0 and len(block_out) == total:
        return block_out
    out = np.full(total, np.nan)
    out[first:] = block_out
    return out


def sma(close: pd.Series | pd.DataFrame, window: int = 50) -> pd.Series:
    """Simple moving average.

    ``SMA_t = (x_t + x_{t-1} + ... + x_{t-n+1}) / n``; NaN for the first ``n - 1``
    valid bars.

    Parameters
    ----------
    close : Series, or a price frame (its ``close`` column).
    window : n, in bars (>= 1).

    Returns
    -------
    Series named ``sma_<n>``.

    Raises
    ------
    ValueError
        If the series has fewer than ``window`` valid values or a gap inside it.
    """
    s = as_close(close)
    n = check_window(window)
    first, block = valid_block(s, "close", n, f"sma(window={n})")
    return _out(_place(first, rolling_mean(block, n), len(s)), s, f"sma_{n}")


def ema(close: pd.Series | pd.DataFrame, window: int = 20) -> pd.Series:
    """Exponential moving average, seeded like TA-Lib.

    ``EMA_{n-1} = SMA_{n-1}`` and ``EMA_t = EMA_{t-1} + k (x_t - EMA_{t-1})`` with
    ``k = 2 / (n + 1)``; NaN for the first ``n - 1`` valid bars. (pandas'
    ``ewm(adjust=False)`` instead seeds with the first value, so it differs early on.)

    Parameters
    ----------
    close : Series, or a price frame (its ``close`` column).
    window : n, in bars (>= 1).

    Returns
    -------
    Series named ``ema_<n>``.
    """
    s = as_close(close)
    n = check_window(window)
    first, block = valid_block(s, "close", n, f"ema(window={n})")
    return _out(_place(first, seeded_ema(block, n, 2.0 / (n + 1)), len(s)), s, f"ema_{n}")


def wma(close: pd.Series | pd.DataFrame, window: int = 20) -> pd.Series:
    """Linearly weighted moving average.

    ``WMA_t = sum_{j=0}^{n-1} (n - j) x_{t-j} / (n (n + 1) / 2)``; the newest bar
    has weight ``n``, the oldest weight 1.

    Returns
    -------
    Series named ``wma_<n>``.
    """
    s = as_close(close)
    n = check_window(window)
    first, block = valid_block(s, "close", n, f"wma(window={n})")
    weights = np.arange(n, 0, -1, dtype="float64") / (n * (n + 1) / 2.0)
    vals = np.full(len(block), np.nan)
    vals[n - 1:] = np.convolve(block, weights, mode="valid")
    return _out(_place(first, vals, len(s)), s, f"wma_{n}")


def rsi(close: pd.Series | pd.DataFrame, window: int = 14) -> pd.Series:
    """Wilder's relative strength index, seeded like TA-Lib.

    With ``d_t = x_t - x_{t-1}``, gains ``g_t = max(d_t, 0)`` and losses
    ``l_t = max(-d_t, 0)``: ``G_n`` and ``L_n`` are the simple means of the first
    ``n`` gains and losses, then ``G_t = G_{t-1} + (g_t - G_{t-1}) / n`` (likewise
    ``L``), and ``RSI_t = 100 G_t / (G_t + L_t)``. The first value is on the
    ``n``-th change (bar ``n``), as in TA-Lib.

    Computed as ``RSI = 50 (1 + D / A)`` where ``D`` and ``A`` are the same
    smoothing of ``d`` and ``|d|`` (since ``G - L = D`` and ``G + L = A``).
    Where there was no change at all over the smoothing memory (``A = 0``) the RSI
    is 50 (TA-Lib reports 0 there).

    Returns
    -------
    Series named ``rsi_<n>``, between 0 and 100.
    """
    s = as_close(close)
    n = check_window(window)
    first, block = valid_block(s, "close", n + 1, f"rsi(window={n})")
    vals = wilder_rsi(block, n)
    return _out(_place(first, vals, len(s)), s, f"rsi_{n}")


def true_range(prices: pd.DataFrame) -> pd.Series:
    """Wilder's true range.

    ``TR_t = max(H_t, C_{t-1}) - min(L_t, C_{t-1})``, i.e. the largest of
    ``H - L``, ``|H - C_{t-1}|`` and ``|L - C_{t-1}|``; NaN on the first bar.
    """
    df = price_frame(prices, need=("high", "low", "close"), min_rows=2,
                     what="true_range")
    h, lo, c = (df[k].to_numpy(dtype="float64") for k in ("high", "low", "close"))
    return keep_attrs(pd.Series(_true_range(h, lo, c), index=df.index, name="true_range"), df)


def _true_range(h: np.ndarray, lo: np.ndarray, c: np.ndarray) -> np.ndarray:
    out = np.empty(len(h))
    out[0] = np.nan
    prev = c[:-1]
    np.maximum(h[1:], prev, out=out[1:])
    out[1:] -= np.minimum(lo[1:], prev)
    return out


def atr(prices: pd.DataFrame, window: int = 14) -> pd.Series:
    """Wilder's average true range, seeded like TA-Lib.

    ``ATR_n = mean(TR_1..TR_n)`` and ``ATR_t = ATR_{t-1} + (TR_t - ATR_{t-1}) / n``;
    the first value is on bar ``n`` (the first bar has no true range).

    Parameters
    ----------
    prices : price frame with ``high``, ``low``, ``close``.
    window : n, in bars (>= 1).

    Returns
    -------
    Series named ``atr_<n>``, in price units.
    """
    n = check_window(window)
    df = price_frame(prices, need=("high", "low", "close"), min_rows=n + 1,
                     what=f"atr(window={n})", check_missing=False)
    try:
        out = wilder_atr(*(df[k].to_numpy(dtype="float64") for k in ("high", "low", "close")), n)
    except ValueError:
        price_frame(prices, need=("high", "low", "close"), what=f"atr(window={n})")  # names a gap
        raise ValueError(f"prices: high, low or close has an infinite value; atr(window={n}) "
                         "needs finite prices") from None
    return keep_attrs(pd.Series(out, index=df.index, name=f"atr_{n}", copy=False), df)


def bollinger(close: pd.Series | pd.DataFrame, window: int = 20, k: float = 2.0) -> pd.DataFrame:
    """Bollinger bands: an SMA plus and minus ``k`` population standard deviations.

    ``mid = SMA_n``, ``sd_t = sqrt(mean((x - mid_t)^2))`` over the window (ddof 0,
    as TA-Lib's BBANDS), ``upper = mid + k sd``, ``lower = mid - k sd``,
    ``width = (upper - lower) / mid``, ``pct_b = (x - lower) / (upper - lower)``.

    Returns
    -------
    DataFrame with columns ``middle, upper, lower, width, pct_b``.
    """
    s = as_close(close)
    n = check_window(window, minimum=2)
    kk = check_fraction(k, "k", 0.0, 10.0)
    first, block = valid_block(s, "close", n, f"bollinger(window={n})")
    mid = rolling_mean(block, n)
    sd = pd.Series(block).rolling(n).std(ddof=0).to_numpy()
    up, lo = mid + kk * sd, mid - kk * sd
    with np.errstate(invalid="ignore", divide="ignore"):
        width = (up - lo) / mid
        pct_b = np.where(up > lo, (block - lo) / (up - lo), 0.5)
    pct_b[np.isnan(mid)] = np.nan
    cols = {"middle": mid, "upper": up, "lower": lo, "width": width, "pct_b": pct_b}
    out = pd.DataFrame({k_: _place(first, v, len(s)) for k_, v in cols.items()}, index=s.index)
    return keep_attrs(out, s)


def macd(close: pd.Series | pd.DataFrame, fast: int = 12, slow: int = 26,
         signal: int = 9) -> pd.DataFrame:
    """Moving average convergence/divergence, as TA-Lib computes it.

    ``macd = EMA_fast - EMA_slow``, ``signal = EMA_signal(macd)``,
    ``hist = macd - signal``. Both EMAs start on the same bar (``slow - 1``): as in
    TA-Lib, the fast EMA is seeded with the mean of the ``fast`` values ending
    there. All three columns start on bar ``slow + signal - 2``.

    Returns
    -------
    DataFrame with columns ``macd, signal, hist``.
    """
    s = as_close(close)
    f, sl, sg = (check_window(v, name) for v, name in ((fast, "fast"), (slow, "slow"),
                                                       (signal, "signal")))
    if f >= sl:
        raise ValueError(f"fast={f} must be shorter than slow={sl}")
    need = sl + sg - 1
    first, block = valid_block(s, "close", need, f"macd({f}, {sl}, {sg})")
    e_slow = seeded_ema(block, sl, 2.0 / (sl + 1))
    e_fast = seeded_ema(block, f, 2.0 / (f + 1), seed_start=sl - f)
    line = e_fast - e_slow
    sig = np.full(len(block), np.nan)
    sig[sl - 1:] = seeded_ema(line[sl - 1:], sg, 2.0 / (sg + 1))
    line[: need - 1] = np.nan
    out = pd.DataFrame({"macd": _place(first, line, len(s)),
                        "signal": _place(first, sig, len(s)),
                        "hist": _place(first, line - sig, len(s))}, index=s.index)
    return keep_attrs(out, s)
