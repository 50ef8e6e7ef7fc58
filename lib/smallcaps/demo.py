"""A seeded synthetic market with planted answers, for tests and the no-data fallback.

:func:`market` builds two daily OHLCV series, ``SMALL`` and ``LARGE``:

- ``SMALL`` follows a repeating plan of segments: an up-trend, a trading range
  (every bar's high and low inside a planted band) that ends in a breakout up, a
  trend, a second range that ends in a breakdown, and a decline whose swing
  highs touch a planted descending trendline (lower highs, straight on a log
  scale) until price breaks above it.
- ``LARGE = SMALL / R`` where the ratio ``R`` follows a two-state Markov chain of
  weekly drifts: regime 1 = small caps lead (R rises), regime 0 = they lag.

The planted truth is returned alongside in :class:`DemoTruth`. Everything built
from it carries provenance marked synthetic, and every chart of it says
SYNTHETIC DEMO DATA on the page.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .data import loader as _loader
from .data.catalog import PRICE_COLUMNS
from .data.catalog import spec as get_spec
from .data.errors import DataError
from .data.pointintime import add_release_columns
from .data.provenance import Provenance, attach

_DEMO_SOURCE = "smallcaps.demo (synthetic)"


@dataclass(frozen=True)
class PlantedRange:
    """A planted trading range: all bars from ``start`` to ``end`` lie in [low, high]."""

    start: pd.Timestamp
    end: pd.Timestamp
    low: float
    high: float
    exit: str  # "up" (breakout) or "down" (breakdown)
    exit_date: pd.Timestamp  # first close outside the band


@dataclass(frozen=True)
class PlantedTrendline:
    """A descending line through swing highs, straight in log price.

    ``log(value) = intercept + slope * bars_since_start``. Every high between
    ``start`` and the bar before ``break_date`` is at or below the line; the highs
    at ``touches`` are on it.
    """

    start: pd.Timestamp
    end: pd.Timestamp
    intercept: float
    slope: float
    touches: tuple[pd.Timestamp, ...]
    break_date: pd.Timestamp
    index: pd.DatetimeIndex = field(repr=False)
    kind: str = "lower_highs"

    def value_at(self, date: str | pd.Timestamp) -> float:
        """Line value on a trading date of the demo calendar."""
        pos = self.index.get_loc(pd.Timestamp(date)) - self.index.get_loc(self.start)
        return float(np.exp(self.intercept + self.slope * pos))


@dataclass(frozen=True)
class DemoTruth:
    """What :func:`market` planted."""

    ranges: tuple[PlantedRange, ...]
    trendlines: tuple[PlantedTrendline, ...]
    regimes: pd.Series  # weekly (W-FRI) state of SMALL/LARGE: 1 = small leads, 0 = lags
    regime_drift: tuple[float, float]  # weekly mean log change of the ratio in state 0, 1
    regime_vol: tuple[float, float]  # weekly sd of the log ratio change in state 0, 1
    transition: np.ndarray  # 2x2 weekly transition matrix, rows = from


@dataclass(frozen=True)
class DemoMarket:
    """Synthetic prices and their planted truth."""

    prices: dict[str, pd.DataFrame]
    truth: DemoTruth
    seed: int

    def __getitem__(self, key: str) -> pd.DataFrame:
        return self.prices[key]


def _ohlc(close: np.ndarray, rng: np.random.Generator, spread: float,
          cap_high: np.ndarray | None = None, floor_low: np.ndarray | None = None) -> tuple:
    prev = np.r_[close[0], close[:-1]]
    open_ = prev * np.exp(rng.normal(0, spread / 3, len(close)))
    hi = np.maximum(open_, close) * np.exp(np.abs(rng.normal(0, spread, len(close))))
    lo = np.minimum(open_, close) * np.exp(-np.abs(rng.normal(0, spread, len(close))))
    if cap_high is not None:
        m = ~np.isnan(cap_high)
        hi[m] = np.minimum(hi[m], cap_high[m])
        open_[m] = np.minimum(open_[m], hi[m])
    if floor_low is not None:
        m = ~np.isnan(floor_low)
        lo[m] = np.maximum(lo[m], floor_low[m])
        open_[m] = np.maximum(open_[m], lo[m])
    return open_, hi, lo


def market(seed: int = 0, start: str = "2010-01-04", n_bars: int = 2600,
           start_price: float = 1000.0) -> DemoMarket:
    """Build the seeded synthetic market.

    Parameters
    ----------
    seed : random seed; the same seed gives the same market and truth.
    start : first business day.
    n_bars : number of daily bars (at least 1,500: one full plan).
    start_price : first close of ``SMALL``.

    Returns
    -------
    DemoMarket
        ``prices["SMALL"]`` and ``prices["LARGE"]`` (contract OHLCV frames with
        synthetic provenance) and ``truth`` (:class:`DemoTruth`).
    """
    if n_bars < 1500:
        raise ValueError(f"n_bars={n_bars}: the demo plan needs at least 1500 bars")
    rng = np.random.default_rng(seed)
    idx = pd.bdate_range(start, periods=n_bars, name="date")
    close = np.empty(n_bars)
    cap = np.full(n_bars, np.nan)  # highest allowed high (range tops, trendline)
    floor = np.full(n_bars, np.nan)  # lowest allowed low (range bottoms)
    ranges: list[PlantedRange] = []
    lines: list[PlantedTrendline] = []
    p = start_price
    i = 0

    def trend(n: int, drift: float, vol: float = 0.009) -> None:
        nonlocal p, i
        n = min(n, n_bars - i)
        steps = drift + vol * rng.standard_normal(n)
        close[i:i + n] = p * np.exp(np.cumsum(steps))
        p = close[i + n - 1]
        i += n

    def trading_range(n: int, exit_dir: str) -> None:
        nonlocal p, i
        if i + n + 8 > n_bars:
            return trend(n_bars - i, 0.0004)
        mid, half = p, 0.06
        lo_band, hi_band = mid * (1 - half), mid * (1 + half)
        x, path = 0.0, []
        for _ in range(n):  # AR(1) inside the band, reaching towards the edges
            x = 0.93 * x + 0.3 * rng.standard_normal()
            path.append(np.clip(x, -1, 1))
        path = np.asarray(path)
        path[[n // 4, n // 2, 3 * n // 4]] = [0.92, -0.92, 0.92]  # edge touches
        close[i:i + n] = mid * (1 + half * 0.88 * path)
        cap[i:i + n], floor[i:i + n] = hi_band, lo_band
        first, last = idx[i], idx[i + n - 1]
        i += n
        sign = 1 if exit_dir == "up" else -1
        edge = hi_band if sign > 0 else lo_band
        out = edge * (1 + sign * np.linspace(0.02, 0.08, 8))  # decisive exit, no return
        close[i:i + 8] = out
        ranges.append(PlantedRange(first, last, lo_band, hi_band, exit_dir, idx[i]))
        p = close[i + 7]
        i += 8

    def descending_line(n: int = 300, period: int = 60) -> None:
        nonlocal p, i
        if i + n + 30 > n_bars:
            return trend(n_bars - i, 0.0004)
        k = -0.0009  # log slope per bar
        t = np.arange(n)
        line = p * 1.01 * np.exp(k * t)
        depth = 0.07 * (1 - np.cos(2 * np.pi * t / period)) / 2  # 0 at peaks
        noise = np.abs(rng.normal(0, 0.004, n))
        close[i:i + n] = line * np.exp(-depth - 0.006 - noise)
        cap[i:i + n] = line
        peaks = np.arange(0, n, period)
        touches = tuple(idx[i + pk] for pk in peaks)
        cap_touch = line[peaks]
        start_i = i
        i += n
        m = 30
        tail_t = np.arange(n, n + m)
        tail_line = p * 1.01 * np.exp(k * tail_t)
        close[i:i + m] = close[i - 1] * np.exp(np.linspace(0.01, 0.16, m))
        cap[i:i + m] = np.nan
        brk = i + int(np.argmax(close[i:i + m] > tail_line))
        cap[start_i + peaks] = cap_touch
        lines.append(PlantedTrendline(idx[start_i], idx[i - 1], float(np.log(p * 1.01)), k,
                                      touches, idx[brk], idx))
        p = close[i + m - 1]
        i += m

    while i < n_bars:
        trend(220, 0.0006)
        trading_range(160, "up")
        trend(180, 0.0005)
        trading_range(120, "down")
        trend(120, -0.0003)
        descending_line()
        trend(150, 0.0007)
    o, h, lo = _ohlc(close, rng, 0.006, cap, floor)
    # make the planted touches exact: the high of each touch bar sits on the line
    for ln in lines:
        for d in ln.touches:
            j = idx.get_loc(d)
            h[j] = ln.value_at(d)
            o[j] = min(o[j], h[j])
            close[j] = min(close[j], h[j])
    vol = rng.lognormal(13.5, 0.35, n_bars)
    for r in ranges:
        j = idx.get_loc(r.exit_date)
        vol[j:j + 3] *= 2.5  # breakouts come on volume
    small = pd.DataFrame({"open": o, "high": h, "low": lo, "close": close,
                          "adj_close": close, "volume": np.round(vol)}, index=idx)

    # relative-strength regimes of SMALL/LARGE on a weekly clock
    weeks = idx.to_period("W-FRI")
    week_ids = pd.Index(weeks.unique())
    P = np.array([[0.97, 0.03], [0.03, 0.97]])
    drift, wvol = (-0.006, 0.006), (0.010, 0.014)
    states = np.empty(len(week_ids), dtype=int)
    states[0] = 1
    for w in range(1, len(week_ids)):
        states[w] = rng.choice(2, p=P[states[w - 1]])
    day_state = states[week_ids.get_indexer(weeks)]
    mu = np.take(drift, day_state) / 5
    sd = np.take(wvol, day_state) / np.sqrt(5)
    log_r = np.cumsum(mu + sd * rng.standard_normal(n_bars))
    large_close = close / np.exp(log_r)
    o2, h2, l2 = _ohlc(large_close, rng, 0.005)
    large = pd.DataFrame({"open": o2, "high": h2, "low": l2, "close": large_close,
                          "adj_close": large_close, "volume": np.round(vol * 3)}, index=idx)
    regimes = pd.Series(states, index=week_ids.to_timestamp(how="end").normalize(), name="regime")
    regimes.index.name = "week"
    truth = DemoTruth(tuple(ranges), tuple(lines), regimes, drift, wvol, P)
    prices = {}
    for key, frame in (("SMALL", small), ("LARGE", large)):
        prov = Provenance(name=key, source=_DEMO_SOURCE, origin="demo",
                          location=f"smallcaps.demo.market(seed={seed})",
                          units="synthetic points", frequency="daily", synthetic=True)
        prices[key] = attach(frame, prov)
    return DemoMarket(prices, truth, seed)


# How demo.series() dresses the two demo symbols up as catalog series.
_DEMO_MAP = {
    "RUT": ("SMALL", 2.0, False), "IWM": ("SMALL", 0.2, True),
    "SPX": ("LARGE", 4.0, True), "SPY": ("LARGE", 0.4, True),
    "NDX": ("LARGE", 15.0, False), "QQQ": ("LARGE", 0.36, True),
    "COMPQ": ("LARGE", 12.0, True),
}


def series(name: str, end: str = "2026-08-21", n_bars: int = 4200) -> pd.DataFrame:
    """Synthetic stand-in for a catalog series (the last-resort fallback of ``load``).

    Price series are scaled copies of :func:`market`'s ``SMALL`` (RUT, IWM) or
    ``LARGE`` (the others); VIX is a mean-reverting series; ``margin_debt`` is a
    monthly series tied to ``SMALL``. Provenance is marked synthetic.

    Raises
    ------
    DataError
        For series the demo does not synthesise (COT, short interest, put/call,
        surveys).
    """
    sp = get_spec(name)
    start = pd.bdate_range(end=end, periods=n_bars)[0]
    mk = market(seed=zlib.crc32(b"smallcaps-demo") % 2**31, start=str(start.date()), n_bars=n_bars)
    if sp.name in _DEMO_MAP:
        key, scale, has_volume = _DEMO_MAP[sp.name]
        df = mk.prices[key][list(PRICE_COLUMNS)] * scale
        df["volume"] = mk.prices[key]["volume"] if has_volume else np.nan
        if sp.name in ("RUT", "SPX", "NDX", "COMPQ"):
            df["adj_close"] = np.nan
    elif sp.name == "VIX":
        rng = np.random.default_rng(11)
        x = np.empty(n_bars)
        x[0] = 18.0
        for t in range(1, n_bars):
            x[t] = x[t - 1] + 0.05 * (18 - x[t - 1]) + 1.2 * rng.standard_normal()
        c = np.clip(x, 9, None)
        df = pd.DataFrame({"open": c, "high": c * 1.03, "low": c * 0.97, "close": c,
                           "adj_close": np.nan, "volume": np.nan}, index=mk.prices["SMALL"].index)
    elif sp.name == "margin_debt":
        m = mk.prices["SMALL"]["close"].resample("ME").last()
        rng = np.random.default_rng(5)
        debit = 300 * m * np.exp(np.cumsum(rng.normal(0, 0.01, len(m))))
        df = pd.DataFrame({"debit_balances_margin_accounts": debit.round(),
                           "free_credit_cash_accounts": (debit * 0.2).round(),
                           "free_credit_margin_accounts": (debit * 0.25).round()})
        df.index.name = "date"
        add_release_columns(df, sp.release)
    else:
        raise DataError(sp.name, "not available as demo data",
                        hint="the demo synthesises prices and margin_debt only")
    prov = Provenance(name=sp.name, source=_DEMO_SOURCE, origin="demo",
                      location=f"smallcaps.demo.series({sp.name!r})", units=sp.units,
                      frequency=sp.frequency, synthetic=True)
    return attach(df, prov)


# demo data enters sc.data.load through its fallback hook (data/ does not import this module)
_loader.set_fallback(series)
