"""Panel (2-D) detectors: the per-symbol technicals over thousands of symbols at once.

A *panel* is one wide DataFrame per price field: a DatetimeIndex of dates (rows) and one
column per symbol, NaN where a symbol has no bar (before its listing, after it stops
trading, on a missing day). Every function here gives, for each symbol, exactly what the
per-symbol function gives on that symbol's own bars (the column with its missing rows
dropped); the per-symbol functions stay the reference and the readable statement of
each method:

=====================  ==============================================================
panel function          per-symbol reference (called on ``column.dropna()``)
=====================  ==============================================================
:func:`find_ranges`     :func:`smallcaps.technicals.find_ranges` (exits, ``known_date``,
                        retests, failed breakouts)
:func:`new_highs`       :func:`smallcaps.technicals.new_highs`
:func:`new_lows`        ``new_highs(-close)`` (a close below every earlier close)
:func:`sma`, :func:`ema`, :func:`rsi`   :func:`smallcaps.technicals.sma` / ``ema`` / ``rsi``
:func:`ma_crosses`      :func:`smallcaps.technicals.ma_crosses`
:func:`rotation`        :func:`smallcaps.relative.rotation` (RS-Ratio, RS-Momentum, quadrant)
=====================  ==============================================================

How the equality is kept: each symbol's bars are *packed* (its valid values moved to the
front of its row, in date order), so sequential calculations see the same sequence of
numbers as on the per-symbol series, then unpacked onto the panel's dates. The range scan
is a numba port of the per-symbol scan, run symbol after symbol inside one compiled loop
(an incrementally sorted window instead of sorting every window); rotation, new highs and
lows are pandas rolling/exponential windows over the packed 2-D frame; the moving
averages and RSI call the same compiled kernels as the per-symbol functions. A symbol with
too few bars for a calculation gets no value (the per-symbol function would raise); the
result says which (``attrs["short"]``).

Point in time: every calculation only looks back, so cutting the panel at a date and
computing gives the values of the full computation up to that date, except the range
retests and failed-breakout dates, which are only known once they happen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.indexers import BaseIndexer

from ._checks import check_fraction, check_window
from ._filters import COMPILED_FROM, rolling_mean, seeded_ema, wilder_rsi
from .ranges import _COLUMNS as _RANGE_COLUMNS

__all__ = ["PanelRotation", "check_panel", "ema", "find_ranges", "ma_crosses", "ma_state",
           "new_highs", "new_lows", "rotation", "rotation_latest", "rsi", "sma", "warm_compiled"]


# --------------------------------------------------------------------------- inputs


def check_panel(frame: Any, arg: str = "close", positive: bool = True) -> pd.DataFrame:
    """Check a wide panel: DatetimeIndex ascending and unique, unique symbol columns,
    numeric values, finite or missing, and (``positive``) above zero.

    Raises
    ------
    TypeError, ValueError
        Naming ``arg``, and the symbol and date of the first bad value.
    """
    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"{arg}: expected a wide DataFrame (dates x symbols), "
                        f"got {type(frame).__name__}")
    idx = frame.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise TypeError(f"{arg}: needs a DatetimeIndex of dates, got {type(idx).__name__}")
    if not idx.is_monotonic_increasing:
        raise ValueError(f"{arg}: dates are not in ascending order (sort the index first)")
    if not idx.is_unique:
        dup = idx[idx.duplicated()][:3]
        raise ValueError(f"{arg}: duplicate dates ({', '.join(f'{d:%Y-%m-%d}' for d in dup)})")
    if not frame.columns.is_unique:
        dup = frame.columns[frame.columns.duplicated()][:3]
        raise ValueError(f"{arg}: duplicate symbols ({', '.join(map(str, dup))})")
    bad_dtype = [c for c, t in frame.dtypes.items()
                 if not pd.api.types.is_numeric_dtype(t) or pd.api.types.is_bool_dtype(t)]
    if bad_dtype:
        raise ValueError(f"{arg}: symbol {bad_dtype[0]!r} has non-numeric values "
                         f"(dtype {frame[bad_dtype[0]].dtype})")
    v = frame.to_numpy(dtype="float64", na_value=np.nan)
    bad = np.isinf(v) | ((v <= 0) if positive else False)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        rule = "finite and above zero" if positive else "finite"
        raise ValueError(f"{arg}: {int(bad.sum())} value(s) not {rule} (first: symbol "
                         f"{frame.columns[j]!r} on {idx[i]:%Y-%m-%d}, value {float(v[i, j])})")
    return frame


@dataclass(frozen=True)
class _Packed:
    """Each symbol's valid bars moved to the front of its row (symbols x bars, C order)."""

    values: np.ndarray          # (S, T) float64, NaN after counts[j]
    rows: np.ndarray            # (S, T) int64 position of each packed bar in the index
    counts: np.ndarray          # (S,) number of valid bars

    def take(self, frame_values: np.ndarray) -> np.ndarray:
        """Pack another field (T, S) with the same positions."""
        out = np.take_along_axis(frame_values.T, self.rows, axis=1)
        out[np.arange(self.values.shape[1])[None, :] >= self.counts[:, None]] = np.nan
        return np.ascontiguousarray(out)

    def unpack(self, packed: np.ndarray, fill: Any = np.nan) -> np.ndarray:
        """Back onto the panel's dates: a (T, S) array, ``fill`` where a symbol has no bar."""
        from ._panel_kernels import unpack_into

        s, t = packed.shape
        out = np.full((t, s), fill, dtype=packed.dtype)
        unpack_into(packed, self.rows, self.counts, out)
        return out

    def last(self, packed: np.ndarray) -> np.ndarray:
        """Each symbol's value on its last bar (NaN for a symbol without bars)."""
        js = np.arange(len(self.counts))
        v = packed[js, np.maximum(self.counts - 1, 0)]
        return np.where(self.counts > 0, v, np.nan) if v.dtype.kind == "f" else v


def _pack(values: np.ndarray, valid: np.ndarray) -> _Packed:
    """Pack (T, S) ``values`` where ``valid``."""
    v = values.T
    ok = valid.T
    order = np.argsort(~ok, axis=1, kind="stable")  # valid bars first, in date order
    packed = np.ascontiguousarray(np.take_along_axis(v, order, axis=1), dtype="float64")
    counts = ok.sum(axis=1)
    packed[np.arange(v.shape[1])[None, :] >= counts[:, None]] = np.nan
    return _Packed(packed, order.astype("int64", copy=False), counts.astype("int64"))


def _pack_close(close: pd.DataFrame) -> _Packed:
    v = close.to_numpy(dtype="float64", na_value=np.nan)
    return _pack(v, np.isfinite(v))


def _wide(values: np.ndarray, like: pd.DataFrame, short: Sequence[str] = (),
          name: str = "") -> pd.DataFrame:
    out = pd.DataFrame(values, index=like.index, columns=like.columns, copy=False)
    out.attrs = dict(like.attrs)
    out.attrs["short"] = list(short)
    if name:
        out.attrs["indicator"] = name
    return out


def _short(like: pd.DataFrame, counts: np.ndarray, need: int) -> list[str]:
    return [str(c) for c in like.columns[counts < need]]


# --------------------------------------------------------------------------- indicators


def _rows(p: _Packed, need: int, fn) -> np.ndarray:
    out = np.full(p.values.shape, np.nan)
    for j in np.flatnonzero(p.counts >= need):
        m = p.counts[j]
        out[j, :m] = fn(p.values[j, :m])
    return out


# Whole-panel forms of the per-symbol filters. Below COMPILED_FROM bars the per-symbol
# functions use pandas' windows on one Series; pandas applies the same kernel to each
# column of a frame, so one call on the packed (bars x symbols) frame gives the same
# numbers as a call per symbol without a Series and a window object per symbol.


def _valid_only(out: np.ndarray, p: _Packed, need: int) -> np.ndarray:
    """NaN after each row's bars and on rows with fewer than ``need`` bars (as :func:`_rows`)."""
    out = np.array(out, order="C")  # pandas may hand back a read-only view
    t = np.arange(out.shape[1])
    out[(t[None, :] >= p.counts[:, None]) | (p.counts[:, None] < need)] = np.nan
    return out


def _smooth_rows(x: np.ndarray, alpha: float) -> np.ndarray:
    """:func:`._filters.smooth` of each row, whose seed is already in column 0."""
    return pd.DataFrame(x.T).ewm(alpha=alpha, adjust=False).mean().to_numpy().T


class _RowWindows(BaseIndexer):
    """Trailing windows of ``window_size`` values on rows of ``row`` values laid end to
    end, cut at the start of each row (so no window mixes two symbols)."""

    def get_window_bounds(self, num_values: int = 0, min_periods: int | None = None,
                          center: bool | None = None, closed: str | None = None,
                          step: int | None = None) -> tuple[np.ndarray, np.ndarray]:
        t = np.arange(num_values, dtype="int64")
        end = t + 1
        return np.maximum(end - self.window_size, t - t % self.row), end


def _rolling_rows(x: np.ndarray, n: int, how: str, **kw: Any) -> np.ndarray:
    """``pd.Series(row).rolling(n, min_periods=n).<how>(**kw)`` of every row of ``x`` (S, T).

    The same numbers, bit for bit, as pandas' window on each row or on each column of
    ``x.T``: pandas starts its running sums afresh where a window does not overlap
    the one before, which is where a row starts. One window call over all rows
    instead of one per symbol (pandas recomputes the bounds for every column).
    """
    s, t = x.shape
    flat = pd.Series(np.ascontiguousarray(x, dtype="float64").ravel(), copy=False)
    r = flat.rolling(_RowWindows(window_size=n, row=t), min_periods=n)
    return getattr(r, how)(**kw).to_numpy().reshape(s, t)


def _sma_rows(p: _Packed, n: int) -> np.ndarray:
    if p.values.shape[1] >= COMPILED_FROM or p.values.shape[1] < n:
        return _rows(p, n, lambda x: rolling_mean(x, n))
    return _valid_only(_rolling_rows(p.values, n, "mean"), p, n)


def _ema_rows(p: _Packed, n: int) -> np.ndarray:
    s, t = p.values.shape
    if t >= COMPILED_FROM or t < n:
        return _rows(p, n, lambda x: seeded_ema(x, n, 2.0 / (n + 1)))
    x = p.values[:, n - 1:].copy()
    x[:, 0] = p.values[:, :n].mean(axis=1)  # the seed: the mean of the first n values
    out = np.full((s, t), np.nan)
    out[:, n - 1:] = _smooth_rows(x, 2.0 / (n + 1))
    return _valid_only(out, p, n)


def _rsi_rows(p: _Packed, n: int) -> np.ndarray:
    s, t = p.values.shape
    if t >= COMPILED_FROM or t <= n:
        return _rows(p, n + 1, lambda x: wilder_rsi(x, n))
    d = np.diff(p.values, axis=1)  # d[:, i - 1] is the change into bar i
    a = np.abs(d)
    dd, aa = d[:, n - 1:].copy(), a[:, n - 1:].copy()
    dd[:, 0], aa[:, 0] = d[:, :n].sum(axis=1) / n, a[:, :n].sum(axis=1) / n
    dd, aa = _smooth_rows(dd, 1.0 / n), _smooth_rows(aa, 1.0 / n)
    out = np.full((s, t), np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        r = np.clip(50.0 * (1.0 + dd / aa), 0.0, 100.0)
    out[:, n:] = np.where(aa < 1e-14, 50.0, r)
    return _valid_only(out, p, n + 1)


def sma(close: pd.DataFrame, window: int = 50) -> pd.DataFrame:
    """Simple moving average of every symbol (as :func:`smallcaps.technicals.sma`).

    Returns
    -------
    Wide DataFrame like ``close``; NaN where a symbol has no bar or fewer than
    ``window`` bars so far. ``attrs["short"]`` lists symbols with fewer than ``window``
    bars in all.
    """
    n = check_window(window)
    check_panel(close, positive=False)
    p = _pack_close(close)
    vals = _sma_rows(p, n)
    return _wide(p.unpack(vals), close, _short(close, p.counts, n), f"sma_{n}")


def ema(close: pd.DataFrame, window: int = 20) -> pd.DataFrame:
    """Exponential moving average seeded like TA-Lib (as :func:`smallcaps.technicals.ema`)."""
    n = check_window(window)
    check_panel(close, positive=False)
    p = _pack_close(close)
    vals = _ema_rows(p, n)
    return _wide(p.unpack(vals), close, _short(close, p.counts, n), f"ema_{n}")


def rsi(close: pd.DataFrame, window: int = 14) -> pd.DataFrame:
    """Wilder's RSI of every symbol, seeded like TA-Lib (as :func:`smallcaps.technicals.rsi`)."""
    n = check_window(window)
    check_panel(close, positive=False)
    p = _pack_close(close)
    vals = _rsi_rows(p, n)
    return _wide(p.unpack(vals), close, _short(close, p.counts, n + 1), f"rsi_{n}")


def _ma_packed(p: _Packed, n: int, kind: str) -> np.ndarray:
    if kind == "sma":
        return _sma_rows(p, n)
    if kind == "ema":
        return _ema_rows(p, n)
    raise ValueError(f"kind={kind!r}: must be 'sma' or 'ema'")


def _packed_frame(p: _Packed, values: np.ndarray | None = None) -> pd.DataFrame:
    """The packed rows as a (bars x symbols) frame for pandas' column-wise windows."""
    return pd.DataFrame((p.values if values is None else values).T)


def new_highs(close: pd.DataFrame, window: int | None = 252) -> pd.DataFrame:
    """New closing highs of every symbol (as :func:`smallcaps.technicals.new_highs`).

    A close above every earlier close of the symbol (``window=None``: all-time in the
    data given) or above its previous ``window - 1`` closes (252 = 52 weeks).

    Returns
    -------
    Boolean wide DataFrame like ``close`` (False where the symbol has no bar).
    """
    check_panel(close, positive=False)
    return _new_extremes(close, window, sign=1.0)


def new_lows(close: pd.DataFrame, window: int | None = 252) -> pd.DataFrame:
    """New closing lows: a close below every earlier close (all-time) or below the
    previous ``window - 1`` closes. Same as ``new_highs`` of the negated closes."""
    check_panel(close, positive=False)
    return _new_extremes(close, window, sign=-1.0)


def _extremes_packed(p: _Packed, window: int | None, sign: float) -> np.ndarray:
    """(S, T) bool: new closing highs (sign 1) or lows (sign -1) on the packed rows."""
    from ._panel_kernels import new_extremes

    n = 0 if window is None else check_window(window, "window", minimum=2)
    v = p.values if sign > 0 else np.ascontiguousarray(-p.values)
    out = np.zeros(v.shape, dtype=bool)
    new_extremes(v, p.counts, n, out)
    return out


def _new_extremes(close: pd.DataFrame, window: int | None, sign: float) -> pd.DataFrame:
    p = _pack_close(close)
    hit = _extremes_packed(p, window, sign)
    out = _wide(p.unpack(hit, fill=False), close)
    out.attrs["indicator"] = f"{'high' if sign > 0 else 'low'}_{window or 'all_time'}"
    return out


def ma_crosses(close: pd.DataFrame, fast: int = 50, slow: int = 200,
               kind: str = "sma") -> pd.DataFrame:
    """Crosses of a fast moving average over a slow one, for every symbol
    (as :func:`smallcaps.technicals.ma_crosses`).

    Returns
    -------
    Long DataFrame ``symbol, date, kind`` ("golden_cross"/"death_cross" for 50/200,
    "bullish_cross"/"bearish_cross" otherwise), ``fast, slow``, by symbol then date.
    """
    f, s = _fast_slow(fast, slow)
    check_panel(close, positive=False)
    p = _pack_close(close)
    return _crosses(close, p, _ma_packed(p, f, kind), _ma_packed(p, s, kind), f, s)


def _fast_slow(fast: int, slow: int) -> tuple[int, int]:
    f, s = check_window(fast, "fast"), check_window(slow, "slow")
    if f >= s:
        raise ValueError(f"fast={f} must be shorter than slow={s}")
    return f, s


def _crosses(close: pd.DataFrame, p: _Packed, mf: np.ndarray, ms: np.ndarray, f: int,
             s: int) -> pd.DataFrame:
    diff = mf - ms
    ok = np.isfinite(diff)
    above = diff > 0
    hit = np.zeros_like(ok)
    hit[:, 1:] = ok[:, 1:] & ok[:, :-1] & (above[:, 1:] != above[:, :-1])
    sym, pos = np.nonzero(hit)
    bull = above[sym, pos]
    golden = (f, s) == (50, 200)
    names = np.where(bull, "golden_cross" if golden else "bullish_cross",
                     "death_cross" if golden else "bearish_cross")
    out = pd.DataFrame({"symbol": close.columns[sym].astype(str),
                        "date": close.index[p.rows[sym, pos]], "kind": names,
                        "fast": mf[sym, pos], "slow": ms[sym, pos]})
    out.attrs = dict(close.attrs)
    return out


def ma_state(close: pd.DataFrame, windows: Sequence[int] = (50, 200),
             kind: str = "sma") -> pd.DataFrame:
    """Moving-average state of every symbol on its last bar.

    Returns
    -------
    DataFrame indexed by symbol: ``date`` (the symbol's last bar), ``close``, one
    column per average (``sma_50``...), ``above_<n>`` (close above it), and for the
    first two windows ``<fast>_above_<slow>``, ``last_cross`` (kind of the latest cross
    of the two, as :func:`ma_crosses`) and ``last_cross_date``. NaN/None where a symbol
    has too few bars.
    """
    check_panel(close, positive=False)
    return _ma_state(close, _pack_close(close), windows, kind)


def _ma_state(close: pd.DataFrame, p: _Packed, windows: Sequence[int],
              kind: str) -> pd.DataFrame:
    ws = [check_window(w, "windows") for w in windows]
    if not ws:
        raise ValueError("windows: give at least one moving-average length")
    live = p.counts > 0
    js = np.arange(len(p.counts))
    out = pd.DataFrame(index=pd.Index(close.columns.astype(str), name="symbol"))
    out["date"] = pd.Series(close.index[p.rows[js, np.maximum(p.counts - 1, 0)]],
                            index=out.index).where(live)
    cl = p.last(p.values)
    out["close"] = cl
    mas = {}
    for w in ws:
        mas[w] = _ma_packed(p, w, kind)
        ma = p.last(mas[w])
        out[f"{kind}_{w}"] = ma
        out[f"above_{w}"] = pd.array(np.where(np.isfinite(ma), cl > ma, pd.NA), dtype="boolean")
    if len(ws) >= 2 and ws[0] < ws[1]:
        f, s = ws[0], ws[1]
        a, b = out[f"{kind}_{f}"].to_numpy(), out[f"{kind}_{s}"].to_numpy()
        out[f"{f}_above_{s}"] = pd.array(np.where(np.isfinite(a) & np.isfinite(b), a > b,
                                                  pd.NA), dtype="boolean")
        cr = _crosses(close, p, mas[f], mas[s], f, s)
        lastx = cr.groupby("symbol").tail(1).set_index("symbol")
        out["last_cross"] = lastx["kind"].reindex(out.index)
        out["last_cross_date"] = lastx["date"].reindex(out.index)
    out.attrs = dict(close.attrs)
    return out


# --------------------------------------------------------------------------- ranges


def _range_kernels():
    from ._panel_kernels import scan, window_stats

    return window_stats, scan


def find_ranges(high: pd.DataFrame, low: pd.DataFrame, close: pd.DataFrame, *,
                min_bars: int = 120, max_width: float = 0.15, coverage: float = 0.85,
                confirm: int | None = None, flatness: float = 0.5, retest_bars: int = 40,
                tolerance: float = 0.01, chunk: int = 256) -> pd.DataFrame:
    """Trading ranges and their exits for every symbol (as
    :func:`smallcaps.technicals.find_ranges` on each symbol's bars, whole history).

    Parameters
    ----------
    high, low, close : wide panels on the same dates and symbols. A bar counts when all
        three are present.
    min_bars, max_width, coverage, confirm, flatness, retest_bars, tolerance : as
        :func:`smallcaps.technicals.find_ranges`.
    chunk : symbols per compiled pass (bounds the memory of the window statistics).

    Returns
    -------
    Long DataFrame: ``symbol`` and the columns of ``find_ranges`` (``start, end, low,
    high, width, bars, coverage, exit, exit_date, exit_close, known_date, retest_date,
    back_inside``), by symbol then start. ``attrs["short"]`` lists the symbols with
    fewer than ``min_bars`` bars (no range can be found; ``find_ranges`` would raise).
    """
    m = check_window(min_bars, "min_bars", minimum=5)
    w = check_fraction(max_width, "max_width", 0.0, 5.0)
    q = check_fraction(coverage, "coverage", 0.5, 1.0)
    k = 0 if confirm is None else check_window(confirm, "confirm")
    fl = check_fraction(flatness, "flatness", 0.0, 10.0)
    rb = check_window(retest_bars, "retest_bars")
    tol = check_fraction(tolerance, "tolerance", 0.0, 0.5, inclusive_lo=True)
    chunk = check_window(chunk, "chunk")
    for name, fr in (("high", high), ("low", low), ("close", close)):
        check_panel(fr, name)
    if not (high.index.equals(close.index) and low.index.equals(close.index)
            and high.columns.equals(close.columns) and low.columns.equals(close.columns)):
        raise ValueError("high, low, close: the three panels need the same dates and symbols")
    window_stats, scan = _range_kernels()
    t = np.arange(m) - (m - 1) / 2.0
    tt = float((t * t).sum())
    cv, hv, lv = (f.to_numpy(dtype="float64", na_value=np.nan) for f in (close, high, low))
    valid = np.isfinite(cv) & np.isfinite(hv) & np.isfinite(lv)
    parts = []
    short: list[str] = []
    for a in range(0, cv.shape[1], chunk):
        sl = slice(a, a + chunk)
        p = _pack(cv[:, sl], valid[:, sl])
        short += [str(x) for x in close.columns[sl][p.counts < m]]
        if not (p.counts >= m).any():
            continue
        hp, lp = p.take(hv[:, sl]), p.take(lv[:, sl])
        with np.errstate(invalid="ignore", divide="ignore"):
            y = np.log(p.values)
        width = np.full(p.values.shape, np.inf)
        drift = np.full(p.values.shape, np.inf)
        window_stats(p.values, y, p.counts, m, q, w, t, tt, width, drift)
        with np.errstate(invalid="ignore"):
            ok = (width <= w) & (drift <= fl * np.log1p(width))
        cap = p.values.shape[1] // m + 2
        out_i = np.full((len(p.counts), cap, 7), -1, dtype="int64")
        out_f = np.full((len(p.counts), cap, 3), np.nan)
        nfound = np.zeros(len(p.counts), dtype="int64")
        scan(p.values, hp, lp, p.counts, ok, m, q, w, k, rb, tol, out_i, out_f, nfound)
        parts.append(_range_rows(close, sl, p, out_i, out_f, nfound))
    cols = ["symbol", *_RANGE_COLUMNS]
    out = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=cols)
    for col in ("start", "end", "exit_date", "known_date", "retest_date", "back_inside"):
        out[col] = pd.to_datetime(out[col])
    out["bars"] = out["bars"].astype("int64")
    out = out[cols]
    out.attrs = dict(close.attrs)
    out.attrs["short"] = short
    return out


def _range_rows(close: pd.DataFrame, sl: slice, p: _Packed, out_i: np.ndarray,
                out_f: np.ndarray, nfound: np.ndarray) -> pd.DataFrame:
    sym = np.repeat(np.arange(len(nfound)), nfound)
    r = np.concatenate([np.arange(x) for x in nfound]) if len(nfound) else np.zeros(0, int)
    ii, ff = out_i[sym, r], out_f[sym, r]
    idx = close.index

    def dates(col: int) -> pd.DatetimeIndex:
        pos = ii[:, col]
        rows = p.rows[sym, np.maximum(pos, 0)]
        d = idx[rows]
        return d.where(pos >= 0, pd.NaT)

    lo, hi = ff[:, 0], ff[:, 1]
    x = ii[:, 2]
    cvals = p.values[sym, np.maximum(x, 0)]
    direction = ii[:, 6]
    return pd.DataFrame({
        "symbol": close.columns[sl][sym].astype(str),
        "start": dates(0), "end": dates(1), "low": lo, "high": hi, "width": hi / lo - 1.0,
        "bars": ii[:, 1] - ii[:, 0] + 1, "coverage": ff[:, 2],
        "exit": np.where(direction > 0, "up", np.where(direction < 0, "down", "open")),
        "exit_date": dates(2), "exit_close": np.where(x >= 0, cvals, np.nan),
        "known_date": dates(3), "retest_date": dates(4), "back_inside": dates(5)})


# --------------------------------------------------------------------------- rotation


_QUADRANT_NAMES = np.array([None, "leading", "weakening", "lagging", "improving"], dtype=object)


def _quadrant_codes(rr: np.ndarray, rm: np.ndarray) -> np.ndarray:
    """0 undefined, 1 leading, 2 weakening, 3 lagging, 4 improving (as ``rotation``)."""
    with np.errstate(invalid="ignore"):
        up_r, up_m = rr > 100, rm > 100
    code = np.where(up_r, np.where(up_m, 1, 2), np.where(up_m, 4, 3))
    return np.where(np.isfinite(rr) & np.isfinite(rm), code, 0).astype("int8")


def _latest_points(rr: np.ndarray, rm: np.ndarray) -> dict[str, np.ndarray]:
    """Per row (symbol) of (S, W) arrays: position of the last defined point, of the one
    before, the first of the current quadrant spell, and the quadrant codes there."""
    codes = _quadrant_codes(rr, rm)
    valid = codes > 0
    col = np.arange(rr.shape[1])[None, :]
    last = np.where(valid, col, -1).max(axis=1)
    prev = np.where(valid & (col < last[:, None]), col, -1).max(axis=1)
    js = np.arange(rr.shape[0])
    cur = codes[js, np.maximum(last, 0)]
    other = np.where(valid & (codes != cur[:, None]) & (col < last[:, None]), col, -1).max(axis=1)
    since = np.where(valid & (col > other[:, None]), col, rr.shape[1]).min(axis=1)
    prev_code = np.where(prev >= 0, codes[js, np.maximum(prev, 0)], 0)
    return {"last": last, "prev": prev, "since": since, "code": cur, "prev_code": prev_code}


def _latest_frame(symbols: pd.Index, dates_at, rr: np.ndarray, rm: np.ndarray) -> pd.DataFrame:
    pts = _latest_points(rr, rm)
    ok = pts["last"] >= 0
    js = np.flatnonzero(ok)
    last, since = pts["last"][js], pts["since"][js]
    out = pd.DataFrame({
        "symbol": symbols[js].astype(str), "date": dates_at(js, last),
        "rs_ratio": rr[js, last], "rs_momentum": rm[js, last],
        "quadrant": _QUADRANT_NAMES[pts["code"][js]],
        "previous_quadrant": _QUADRANT_NAMES[pts["prev_code"][js]],
        "quadrant_since": dates_at(js, since)})
    return out.set_index("symbol")


@dataclass(frozen=True)
class PanelRotation:
    """RRG-style rotation of every symbol of a panel against one benchmark.

    Attributes
    ----------
    rs, rs_ratio, rs_momentum : wide frames on the period calendar (NaN where a symbol
        has no period or is still in its warm-up).
    quadrant : wide object frame ("leading", "weakening", "lagging", "improving" or None).
    benchmark, window, lag, smooth, frequency : as :func:`smallcaps.relative.rotation`.
    short : symbols with fewer periods than the rotation needs (all NaN).
    """

    rs: pd.DataFrame
    rs_ratio: pd.DataFrame
    rs_momentum: pd.DataFrame
    quadrant: pd.DataFrame
    benchmark: str
    window: int
    lag: int
    smooth: int
    frequency: str
    short: list[str] = field(default_factory=list)

    def to_frame(self, symbols: Sequence[str] | None = None) -> pd.DataFrame:
        """Long frame indexed by (date, symbol), as ``Rotation.frame``."""
        cols = list(self.rs.columns if symbols is None else symbols)
        parts = []
        for s in cols:
            f = pd.DataFrame({"rs": self.rs[s], "rs_ratio": self.rs_ratio[s],
                              "rs_momentum": self.rs_momentum[s],
                              "quadrant": self.quadrant[s].astype(object)})
            f = f[self.rs[s].notna()]
            f["symbol"] = str(s)
            parts.append(f)
        frame = pd.concat(parts).reset_index().set_index(["date", "symbol"]).sort_index()
        return frame

    def latest(self) -> pd.DataFrame:
        """Per symbol, the last defined point: ``date`` (period label), ``rs_ratio``,
        ``rs_momentum``, ``quadrant``, ``previous_quadrant`` (at the defined point
        before) and ``quadrant_since`` (the first period of the current quadrant spell)."""
        idx = self.rs.index
        return _latest_frame(self.rs.columns, lambda js, pos: idx[pos],
                             self.rs_ratio.to_numpy().T, self.rs_momentum.to_numpy().T)


def _rotation_arrays(prices: pd.DataFrame, benchmark: pd.DataFrame | pd.Series, window: int,
                     lag: int, smooth: int, frequency: str, basis: str):
    """The rotation on packed period rows: (period index, packed, rs, rr, rm, enough, name)."""
    from ..relative import _QUADRANTS, FREQUENCIES, _basis, _frequency, _name, _prices  # noqa: F401

    for label, v, lo in (("window", window, 5), ("lag", lag, 1), ("smooth", smooth, 1)):
        if isinstance(v, bool) or not isinstance(v, int) or v < lo:
            raise ValueError(f"{label}: expected an integer >= {lo}, got {v!r}")
    freq = _frequency(frequency)
    bname = _name(benchmark, "benchmark")
    b, _ = _prices(benchmark, _basis(basis), bname)
    x = prices.to_numpy(dtype="float64", na_value=np.nan)
    bv = b.reindex(prices.index).to_numpy()
    ratio = pd.DataFrame(x / bv[:, None], index=prices.index, columns=prices.columns)
    rule = FREQUENCIES[freq]
    if rule is not None:
        # the last common close of each period, per symbol (NaN-skipping last)
        ratio = ratio.resample(rule).last()
    ratio.index.name = "date"
    rv = ratio.to_numpy()
    p = _pack(rv, np.isfinite(rv))
    need = 2 * window + lag - 1
    frame = _packed_frame(p, np.log(p.values))
    rs = frame.ewm(span=smooth, adjust=False).mean()

    def z(v: pd.DataFrame) -> pd.DataFrame:
        rows = v.to_numpy().T
        mu = _rolling_rows(rows, window, "mean").T
        sd = _rolling_rows(rows, window, "std", ddof=0).T
        return (v - mu) / np.where(sd > 0, sd, np.nan)

    rr = 100.0 + z(rs)
    rm = 100.0 + z(rr - rr.shift(lag))
    enough = p.counts >= need
    # beyond a symbol's last period the packed rows are padding (the EMA carries its last
    # value into them): blank them, and whole symbols too short for the rotation
    pad = (np.arange(p.values.shape[1])[None, :] >= p.counts[:, None]) | ~enough[:, None]
    arrs = []
    for f in (rs, rr, rm):
        v = f.to_numpy().T.copy()
        v[pad] = np.nan
        arrs.append(v)
    return ratio.index, p, arrs[0], arrs[1], arrs[2], enough, bname, freq


def rotation(prices: pd.DataFrame, benchmark: pd.DataFrame | pd.Series, *, window: int = 26,
             lag: int = 4, smooth: int = 5, frequency: str = "weekly",
             basis: str = "price") -> PanelRotation:
    """RS-Ratio, RS-Momentum and quadrant of every symbol against ``benchmark``
    (as :func:`smallcaps.relative.rotation` with each symbol's column as a Series).

    Parameters
    ----------
    prices : wide panel of closes (or adjusted closes: pick the basis when building it).
    benchmark : price frame or Series; ``basis`` picks its column as in ``rotation``.
    window, lag, smooth, frequency : as :func:`smallcaps.relative.rotation`.

    Returns
    -------
    PanelRotation
    """
    check_panel(prices, "prices")
    idx, p, rs, rr, rm, enough, bname, freq = _rotation_arrays(prices, benchmark, window, lag,
                                                               smooth, frequency, basis)
    a_rs, a_rr, a_rm = (p.unpack(v) for v in (rs, rr, rm))
    quad = _QUADRANT_NAMES[_quadrant_codes(a_rr, a_rm)]
    short = [str(c) for c in prices.columns[~enough]]

    def wide(v: np.ndarray, dtype: Any = None) -> pd.DataFrame:
        out = pd.DataFrame(v, index=idx, columns=prices.columns, dtype=dtype)
        out.attrs = dict(prices.attrs)
        return out

    return PanelRotation(wide(a_rs), wide(a_rr), wide(a_rm), wide(quad, object), bname, window,
                         lag, smooth, freq, short)


def rotation_latest(prices: pd.DataFrame, benchmark: pd.DataFrame | pd.Series, *,
                    window: int = 26, lag: int = 4, smooth: int = 5, frequency: str = "weekly",
                    basis: str = "price") -> pd.DataFrame:
    """``rotation(...).latest()`` without building the wide frames (what a screen needs)."""
    check_panel(prices, "prices")
    idx, p, rs, rr, rm, *_ = _rotation_arrays(prices, benchmark, window, lag, smooth,
                                              frequency, basis)
    return _latest_frame(prices.columns, lambda js, pos: idx[p.rows[js, pos]], rr, rm)


def warm_compiled() -> None:
    """Load the compiled kernels of the panel functions (numba's on-disk cache, or a
    compilation the first time) with the argument types real panels give.

    Runs the range scan and the new highs and lows on a tiny synthetic panel; the
    results are dropped. The runner's kernel zygote calls it, so that kernels forked
    from it start with the kernels loaded (about a second less on a first scan).
    """
    idx = pd.bdate_range("2020-01-01", periods=300)
    steps = np.random.default_rng(0).normal(0.0, 0.01, (300, 3))
    close = pd.DataFrame(100.0 * np.exp(np.cumsum(steps, axis=0)), index=idx,
                         columns=["A", "B", "C"])
    close.iloc[:40, 2] = np.nan  # symbols with different histories, as in a universe
    find_ranges(close * 1.01, close * 0.99, close, min_bars=60)
    new_highs(close)
    new_lows(close)
