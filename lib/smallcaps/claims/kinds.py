"""The claim kinds shipped with the kit.

Each kind reads the question from ``check`` and answers it with the kit's own
library function (``sc.technicals``, ``sc.relative``, ``sc.sentiment``,
``sc.stats``): one answer per question, never a second implementation. Units:
percentages in percent (-29.7 for a 29.7% fall), spreads in percentage points,
dates as Timestamps, counts as integers. See docs/claims.md for every kind.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from .. import relative, technicals
from ..sentiment import margin as _margin
from ..sentiment import short_interest as _si
from .context import Context
from .registry import Measurement, NotCheckable, register

_PCT = 0.01  # default floor for percent outputs: one basis point of a percent figure

_OTHER_BASIS = {"close": "intraday", "intraday": "close", "price": "total", "total": "price"}
_BASIS_TEXT = {"close": "closing basis", "intraday": "intraday basis (lows against highs)",
               "price": "price-return basis", "total": "total-return basis (adj_close)"}


def _num(x: Any) -> float | None:
    x = float(x)
    return None if not np.isfinite(x) else x


def _date(x: Any) -> pd.Timestamp | None:
    return None if x is None or pd.isna(x) else pd.Timestamp(x)


def _on_dates(df: pd.DataFrame, d: pd.Timestamp, measure: Callable[[pd.Timestamp], dict],
              k: int = 3) -> list[tuple[str, dict]]:
    """The outputs on nearby sessions (only where they exist)."""
    out = []
    for alt in Context.nearby(df, d, k):
        try:
            out.append((f"on {alt:%Y-%m-%d}", measure(alt)))
        except (NotCheckable, KeyError, ValueError):
            continue
    return out


# --------------------------------------------------------------------------- prices


_COLUMN_TEXT = {"close": "the close", "open": "the open", "high": "the intraday high",
                "low": "the intraday low", "adj_close": "the adjusted close", "volume": "volume"}


@register("close", outputs={"value": "number"}, required=("symbol", "date"),
          optional=("column",), tolerance="0.01%")
def close(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """A price column (close by default) on a date."""
    sym, col = check["symbol"], check.get("column", "close")
    df = ctx.prices(sym)
    d = ctx.session(df, check["date"], sym)
    if col not in df.columns or df[col].isna().all():
        raise NotCheckable(f"{sym} has no {col!r} column in the data")

    def measure(day: pd.Timestamp, c: str = col) -> dict:
        v = _num(df.at[day, c])
        if v is None:
            raise NotCheckable(f"{sym}: no {c} on {day:%Y-%m-%d}")
        return {"value": v}

    values = measure(d)
    alts = [(_COLUMN_TEXT[c] + " instead of " + _COLUMN_TEXT[col], measure(d, c))
            for c in ("close", "high", "low", "open", "adj_close")
            if c != col and c in df.columns and pd.notna(df.at[d, c])]
    return Measurement(values, alts + _on_dates(df, d, measure), "", d, sym)


_INDICATORS = {"sma": technicals.sma, "ema": technicals.ema, "rsi": technicals.rsi,
               "atr": technicals.atr}
_INDICATOR_TEXT = {"sma": "simple", "ema": "exponential", "rsi": "RSI", "atr": "ATR"}


@register("indicator", outputs={"value": "number"},
          required=("symbol", "indicator", "window", "date"), tolerance="0.01%")
def indicator(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """SMA, EMA, Wilder RSI or ATR of a window on a date, on the whole history to as_of."""
    sym, ind, n = check["symbol"], check["indicator"], int(check["window"])
    df = ctx.prices(sym)
    d = ctx.session(df, check["date"], sym)

    def series(name: str) -> pd.Series:
        return _INDICATORS[name](df if name == "atr" else df["close"], n)

    line = series(ind)
    v = _num(line.loc[d])
    if v is None:
        have = int(df.index.get_loc(d)) + 1
        raise NotCheckable(f"{ind.upper()}({n}) of {sym} needs more history: {have} sessions "
                           f"to {d:%Y-%m-%d}")
    alts: list[tuple[str, dict]] = []
    twin = {"sma": "ema", "ema": "sma"}.get(ind)
    if twin:
        tv = _num(series(twin).loc[d])
        if tv is not None:
            alts.append((f"the {n}-day {_INDICATOR_TEXT[twin]} average", {"value": tv}))
    for alt in Context.nearby(df, d):
        av = _num(line.loc[alt])
        if av is not None:
            alts.append((f"on {alt:%Y-%m-%d}", {"value": av}))
    return Measurement({"value": v}, alts, "", d, sym)


@register("drawdown", outputs={"pct": "number", "peak_date": "date", "peak": "number"},
          required=("symbol", "date"), optional=("basis", "since"), tolerance=_PCT)
def drawdown(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """Percent below the running high (close basis: closes; intraday: low vs highs)."""
    sym, basis = check["symbol"], check.get("basis", "close")
    df = ctx.prices(sym)
    d = ctx.session(df, check["date"], sym)
    since = check.get("since")

    def on(b: str) -> Callable[[pd.Timestamp], dict]:
        dd = technicals.drawdown(df, b, start=since)
        peak_leg = df["close" if b == "close" else "high"].loc[dd.index]

        def measure(day: pd.Timestamp) -> dict:
            upto = peak_leg.loc[:day]
            return {"pct": 100.0 * float(dd.loc[day]), "peak_date": upto.idxmax(),
                    "peak": float(upto.max())}

        return measure

    measure = on(basis)
    other = _OTHER_BASIS[basis]
    alts = [(f"on the {_BASIS_TEXT[other]}", on(other)(d))]
    return Measurement(measure(d), alts + _on_dates(df, d, measure), "", d, sym)


def _perf(df: pd.DataFrame, sym: str, start: pd.Timestamp, end: pd.Timestamp, basis: str
          ) -> float:
    line = relative.performance({sym: df}, start=start, end=end, basis=basis)
    used = line.attrs.get("basis", {}).get(sym, basis)
    if basis == "total" and used != "total":
        raise NotCheckable(f"{sym} has no total-return series (adj_close) in the data")
    return float(line[sym].iloc[-1]) - 100.0


@register("change", outputs={"pct": "number"}, required=("symbol",),
          optional=("start", "end", "sessions", "date", "basis"), tolerance=_PCT)
def change(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """Percent change from the close of ``start`` to ``end``, or over ``sessions`` to ``date``."""
    sym, basis = check["symbol"], check.get("basis", "price")
    df = ctx.prices(sym)
    idx = df.index
    if "sessions" in check:
        end = ctx.session(df, check["date"], sym)
        pos = idx.get_loc(end) - int(check["sessions"])
        if pos < 0:
            raise NotCheckable(f"{sym}: fewer than {check['sessions']} sessions before {end:%Y-%m-%d}")
        start = idx[pos]
    else:  # from start to end (or to date)
        end = ctx.session(df, check.get("end", check.get("date")), sym)
        start = ctx.session(df, check["start"], sym)
        if start >= end:
            raise NotCheckable(f"{sym}: start {start:%Y-%m-%d} is not before {end:%Y-%m-%d}")

    def measure(s: pd.Timestamp, e: pd.Timestamp, b: str = basis) -> dict:
        return {"pct": _perf(df, sym, s, e, b)}

    values = measure(start, end)
    alts: list[tuple[str, dict]] = []
    try:
        alts.append((f"on the {_BASIS_TEXT[_OTHER_BASIS[basis]]}",
                     measure(start, end, _OTHER_BASIS[basis])))
    except NotCheckable:
        pass
    sp = idx.get_loc(start)
    if sp > 0:
        alts.append((f"from the close of {idx[sp - 1]:%Y-%m-%d} (counting {start:%Y-%m-%d}'s move)",
                     measure(idx[sp - 1], end)))
    if sp + 1 < idx.get_loc(end):
        alts.append((f"from the close of {idx[sp + 1]:%Y-%m-%d}", measure(idx[sp + 1], end)))
    for alt in Context.nearby(df, end):
        if alt > start:
            alts.append((f"to {alt:%Y-%m-%d}", measure(start, alt)))
    return Measurement(values, alts, f"close {start:%Y-%m-%d} to close {end:%Y-%m-%d}", end, sym)


@register("ytd", outputs={"pct": "number"}, required=("symbol", "date"), optional=("basis",),
          tolerance=_PCT)
def ytd(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """Year-to-date return (price, or total from adj_close) to a date."""
    sym, basis = check["symbol"], check.get("basis", "price")
    df = ctx.prices(sym)
    d = ctx.session(df, check["date"], sym)

    def measure(day: pd.Timestamp, b: str = basis) -> dict:
        t = relative.ytd_returns({sym: df}, as_of=day, basis=b)
        if b == "total" and t.at[sym, "basis"] != "total":
            raise NotCheckable(f"{sym} has no total-return series (adj_close) in the data; "
                               "use basis: price")
        return {"pct": float(t.at[sym, "return_pct"])}

    try:
        values = measure(d)
    except ValueError as exc:
        raise NotCheckable(str(exc)) from None
    alts: list[tuple[str, dict]] = []
    try:
        alts.append((f"on the {_BASIS_TEXT[_OTHER_BASIS[basis]]}",
                     measure(d, _OTHER_BASIS[basis])))
    except (NotCheckable, ValueError):
        pass
    alts += _on_dates(df, d, measure)
    return Measurement(values, alts, "", d, sym)


@register("level_test",
          outputs={"crosses": "count", "closes_above": "count", "closes_below": "count",
                   "close_flips": "count", "first_cross": "date", "last_cross": "date"},
          required=("symbol", "level", "sessions", "date"))
def level_test(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """How a level was tested in the last N sessions to a date: intraday crosses
    (low <= level <= high), closes above / below, close flips."""
    sym, level, n = check["symbol"], float(check["level"]), int(check["sessions"])
    df = ctx.prices(sym)
    d = ctx.session(df, check["date"], sym)
    idx = df.index

    def measure(end: pd.Timestamp, m: int = n) -> dict:
        pos = idx.get_loc(end)
        if pos - m + 1 < 0:
            raise NotCheckable(f"{sym}: fewer than {m} sessions to {end:%Y-%m-%d}")
        try:
            t = technicals.level_test(df, level, start=idx[pos - m + 1], end=end)
        except ValueError as exc:
            raise NotCheckable(str(exc)) from None
        return {"crosses": t.crossed, "closes_above": t.closes_above,
                "closes_below": t.closes_below, "close_flips": t.close_flips,
                "first_cross": t.first_cross, "last_cross": t.last_cross}

    values = measure(d)
    alts: list[tuple[str, dict]] = []
    for m in (n - 1, n + 1):
        if m >= 1:
            try:
                alts.append((f"over {m} sessions", measure(d, m)))
            except NotCheckable:
                pass
    alts += _on_dates(df, d, measure, k=2)
    start = idx[idx.get_loc(d) - n + 1]
    return Measurement(values, alts, f"sessions {start:%Y-%m-%d} to {d:%Y-%m-%d}", d, sym)


@register("spread", outputs={"spread_pp": "number", "largest_since": "date",
                             "a_pct": "number", "b_pct": "number"},
          required=("a", "b", "date"), optional=("basis",), tolerance=_PCT)
def spread(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """Daily return of A minus B (percentage points) on a date, and the last earlier
    day with a spread at least as wide in the same direction (NaT: widest in the data)."""
    a, b, basis = check["a"], check["b"], check.get("basis", "price")
    da, db = ctx.prices(a), ctx.prices(b)
    d = ctx.session(da, check["date"], a, exact=True)
    ctx.session(db, check["date"], b, exact=True)

    def table(bs: str) -> pd.DataFrame:
        return relative.return_spread(da, db, basis=bs)

    t = table(basis)
    ca, cb = t.columns[0], t.columns[1]

    def measure(day: pd.Timestamp, tt: pd.DataFrame = t) -> dict:
        r = tt.loc[day]
        return {"spread_pp": float(r["spread_pp"]), "largest_since": _date(r["largest_since"]),
                "a_pct": float(r[ca]), "b_pct": float(r[cb])}

    if d not in t.index:
        raise NotCheckable(f"{a} and {b} have no common session on {d:%Y-%m-%d}")
    values = measure(d)
    alts: list[tuple[str, dict]] = []
    other = _OTHER_BASIS[basis]
    has_total = all("adj_close" in x and x["adj_close"].notna().any() for x in (da, db))
    if other == "price" or has_total:
        alts.append((f"on the {_BASIS_TEXT[other]}", measure(d, table(other))))
    alts += _on_dates(t, d, measure)
    since = values["largest_since"]
    note = ("the widest in the data so far" if since is None else
            f"widest since {since:%Y-%m-%d}")
    return Measurement(values, alts, note, d, a)


# event names of claims files -> names in sc.technicals.events
_EVENTS = {
    "gap_up": {"gap_up"}, "gap_down": {"gap_down"},
    "outside_day": {"bullish_outside", "bearish_outside", "neutral_outside"},
    "bullish_outside_day": {"bullish_outside"}, "bearish_outside_day": {"bearish_outside"},
    "bullish_key_reversal": {"bullish_key_reversal"},
    "bearish_key_reversal": {"bearish_key_reversal"},
    "golden_cross": {"golden_cross"}, "death_cross": {"death_cross"},
    "new_closing_high": {"all_time_closing_high"},
}
# other spellings people write
_EVENT_ALIASES = {"bullish_outside": "bullish_outside_day", "bearish_outside": "bearish_outside_day",
                  "positive_outside_day": "bullish_outside_day",
                  "negative_outside_day": "bearish_outside_day",
                  "all_time_closing_high": "new_closing_high", "new_high": "new_closing_high"}
_EVENT_TWIN = {"gap_up": "gap_down", "gap_down": "gap_up",
               "bullish_outside_day": "bearish_outside_day",
               "bearish_outside_day": "bullish_outside_day",
               "bullish_key_reversal": "bearish_key_reversal",
               "bearish_key_reversal": "bullish_key_reversal"}
EVENT_NAMES = (*_EVENTS, *_EVENT_ALIASES)


@register("event", outputs={"occurred": "bool"}, required=("symbol", "event", "date"),
          optional=("window",))
def event(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """Whether a bar event happened on a date: gaps, outside days, key reversals, 50/200
    crosses, a new closing high (all-time in the data, or over ``window`` sessions)."""
    sym = check["symbol"]
    name = _EVENT_ALIASES.get(check["event"], check["event"])
    df = ctx.prices(sym)
    d = ctx.session(df, check["date"], sym, exact=True)
    win = check.get("window")
    lo = Context.nearby(df, d)
    first, last = min([d, *lo]), max([d, *lo])
    table = technicals.events(df, start=first, end=last, high_window=int(win or 252))

    def names_for(ev: str) -> set[str]:
        if ev == "new_closing_high" and win:
            return {"all_time_closing_high", f"{int(win)}_day_closing_high"}
        return _EVENTS[ev]

    def happened(day: pd.Timestamp, ev: str = name) -> bool:
        return bool(table.loc[table["date"] == day, "event"].isin(names_for(ev)).any())

    occurred = happened(d)
    alts: list[tuple[str, dict]] = []
    if not occurred:
        twin = _EVENT_TWIN.get(name)
        if twin and happened(d, twin):
            alts.append((f"a {twin.replace('_', ' ')} happened instead", {"occurred": True}))
        for alt in lo:
            if happened(alt):
                alts.append((f"on {alt:%Y-%m-%d}", {"occurred": True}))
    on_day = table.loc[table["date"] == d]
    note = "; ".join(f"{r.event}: {r.detail}" for r in on_day.itertuples()) or "no bar event"
    return Measurement({"occurred": occurred}, alts, note, d, sym)


def _order_text(text: str) -> str:
    return " > ".join(p.strip() for p in str(text).split(">"))


@register("ma_order", outputs={"order": "text", "bullish": "bool", "bearish": "bool"},
          required=("symbol", "windows", "date"), optional=("average",))
def ma_order(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """The order of moving averages on a date, highest first ("50 > 100 > 200")."""
    sym, avg = check["symbol"], check.get("average", "sma")
    ws = [int(w) for w in check["windows"]]
    df = ctx.prices(sym)
    d = ctx.session(df, check["date"], sym)

    def frame(kind: str) -> pd.DataFrame:
        return technicals.ma_order(df, ws, kind=kind)

    t = frame(avg)

    def measure(day: pd.Timestamp, tt: pd.DataFrame = t) -> dict:
        r = tt.loc[day]
        if not r["order"]:
            raise NotCheckable(f"{sym}: the {max(ws)}-day average needs more history "
                               f"than the data to {day:%Y-%m-%d}")
        return {"order": r["order"], "bullish": bool(r["bullish"]), "bearish": bool(r["bearish"])}

    values = measure(d)
    cols = [c for c in t.columns if c.startswith(f"{avg}_")]
    note = ", ".join(f"{c.split('_')[1]}-day {t.at[d, c]:,.2f}" for c in cols)
    twin = "ema" if avg == "sma" else "sma"
    alts = [(f"with {_INDICATOR_TEXT[twin]} averages", measure(d, frame(twin)))]
    return Measurement(values, alts + _on_dates(df, d, measure), note, d, sym)


# --------------------------------------------------------------------------- statistics

_VALUE_COLUMN = {"margin_debt": _margin.DEBIT, "short_interest": "shares_short"}
_TRANSFORMS = {"levels": "levels", "log_levels": "log levels", "detrended": "detrended log levels",
               "log_changes": "log changes"}
_TRANSFORM_ALIASES = {"log levels": "log_levels", "detrended log levels": "detrended",
                      "detrended_log_levels": "detrended", "log changes": "log_changes",
                      "changes": "log_changes", "returns": "log_changes"}


def _series_for(name: str, ctx: Context) -> pd.Series:
    from ..data.catalog import spec

    df = ctx.series(name)
    kind = spec(name).kind
    col = "close" if kind == "prices" else _VALUE_COLUMN.get(kind)
    if col is None:
        raise NotCheckable(f"{name}: correlation claims take prices, margin_debt or short "
                           f"interest, not {kind} series")
    s = df[col].astype("float64").dropna()
    s.name = name
    s.attrs = dict(df.attrs)
    return s


@register("correlation", outputs={"r": "number"}, required=("a", "b", "start", "end"),
          optional=("basis", "transform"), tolerance=0.005)
def correlation(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """Pearson correlation of two series on calendar months (month-end or mean basis)
    between two dates, of levels, log levels, detrended log levels or log changes."""
    from ..stats import correlation_report

    a, b = _series_for(check["a"], ctx), _series_for(check["b"], ctx)
    basis = check.get("basis", "month_end")
    tr = _TRANSFORM_ALIASES.get(check.get("transform", "levels"), check.get("transform", "levels"))
    start, end = pd.Timestamp(check["start"]), pd.Timestamp(check["end"])
    for s in (a, b):
        if s.index[-1] < end.to_period("M").to_timestamp(how="start"):
            full = ctx.full(str(s.name))
            after = full is not None and full.index[-1] >= end.to_period("M").to_timestamp(how="start")
            why = (f"was not yet published at as_of {ctx.as_of:%Y-%m-%d}" if after
                   else "is not in the data")
            raise NotCheckable(f"{s.name} for {end:%Y-%m} {why} (last value {s.index[-1]:%Y-%m-%d})")

    def report(bs: str) -> Any:
        try:
            return correlation_report(a, b, basis=bs, start=start, end=end, tests=False,
                                      names=(check["a"], check["b"]), min_obs=12)
        except ValueError as exc:
            raise NotCheckable(str(exc)) from None

    rep = report(basis)
    values = {"r": rep.value(_TRANSFORMS[tr])}
    alts = [(f"of {label}", {"r": rep.value(label)}) for key, label in _TRANSFORMS.items()
            if key != tr]
    other = "mean" if basis == "month_end" else "month_end"
    alts.append((f"on monthly {'averages' if other == 'mean' else 'month-end values'}",
                 {"r": report(other).value(_TRANSFORMS[tr])}))
    s = rep.sample
    note = f"{s['n_obs']} months, {s['start']} to {s['end']}"
    return Measurement(values, alts, note, end, None)


# --------------------------------------------------------------------------- ranges


@register("range", outputs={"low": "number", "high": "number", "exit": "text",
                            "exit_date": "date", "start": "date", "end": "date"},
          required=("symbol", "start", "end"),
          optional=("min_bars", "max_width", "coverage"), tolerance="0.1%")
def trading_range(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """The trading range the kit finds over a period (``find_ranges`` on the whole history
    to as_of, the range overlapping the period most): band low/high and its exit."""
    sym = check["symbol"]
    df = ctx.prices(sym)
    start, end = pd.Timestamp(check["start"]), pd.Timestamp(check["end"])
    ctx.session(df, end, sym)
    opts = {k: check[k] for k in ("min_bars", "max_width", "coverage") if k in check}
    try:
        ranges = technicals.find_ranges(df, **opts)
    except ValueError as exc:
        raise NotCheckable(f"{sym}: {exc}") from None
    overlap = (np.minimum(ranges["end"], end) - np.maximum(ranges["start"], start)).dt.days
    settings = ", ".join(f"{k}={v}" for k, v in opts.items()) or "default settings"
    if ranges.empty or overlap.max() < 0:
        values: dict[str, Any] = dict.fromkeys(("low", "high", "exit", "exit_date", "start", "end"))
        return Measurement(values, [], f"the kit finds no trading range between {start:%Y-%m-%d} "
                           f"and {end:%Y-%m-%d} ({settings})", end, sym)
    r = ranges.loc[overlap.idxmax()]
    values = {"low": float(r["low"]), "high": float(r["high"]), "exit": str(r["exit"]),
              "exit_date": _date(r["exit_date"]), "start": r["start"], "end": r["end"]}
    note = (f"range {r['start']:%Y-%m-%d} to {r['end']:%Y-%m-%d}, {int(r['bars'])} bars, "
            f"width {r['width']:.1%} ({settings})")
    return Measurement(values, [], note, r["end"], sym)


# --------------------------------------------------------------------------- sentiment


def _published_later(ctx: Context, name: str, when: pd.Timestamp, what: str) -> NotCheckable:
    """Why a report is missing: published after as_of, or not in the data at all."""
    full = ctx.full(name)
    if full is not None and when in full.index:
        pub_text = _release_text(name, full, when)
        return NotCheckable(f"{what} had not been published by as_of "
                            f"{ctx.as_of:%Y-%m-%d}{pub_text}")
    span = ("" if full is None else
            f" (data {full.index[0]:%Y-%m-%d} to {full.index[-1]:%Y-%m-%d})")
    return NotCheckable(f"{what} is not in the data{span}")


def _release_text(name: str, full: pd.DataFrame, when: pd.Timestamp) -> str:
    """" (published D)" where the release day is known exactly, " (published by D,
    usable from U)" where the kit's date is a conservative bound (FINRA margin)."""
    if "published" not in full.columns:
        return ""
    from ..data import spec
    from ..data.pointintime import release_is_exact

    pub = pd.Timestamp(full.at[when, "published"])
    usable = pd.Timestamp(full.at[when, "usable_from"]) if "usable_from" in full.columns else pub
    exact = bool(release_is_exact(pd.DatetimeIndex([when]), spec(name).release)[0])
    text = f" (published {pub:%Y-%m-%d}" if exact else f" (published by {pub:%Y-%m-%d}"
    return text + (f", usable from {usable:%Y-%m-%d})" if usable != pub else ")")


_UNITS = {"millions": 1.0, "billions": 1e-3, "trillions": 1e-6}


@register("margin_record",
          outputs={"value": "number", "change": "number", "yoy": "number",
                   "pct_from_record": "number", "record_date": "date", "is_record": "bool"},
          required=("date",), optional=("units",), tolerance=_PCT,
          aliases={"change_pct": "change", "mom": "change", "yoy_pct": "yoy"})
def margin_record(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """FINRA margin debt (debit balances) for a report month: the value, its change from
    the previous month and year, and where it stands against the record set before it."""
    month = pd.Timestamp(check["date"]).to_period("M")
    scale = _UNITS[check.get("units", "millions")]
    what = f"FINRA margin debt for {month:%B %Y}"
    full = ctx.full("margin_debt")
    when = None
    if full is not None:
        hits = full.index[full.index.to_period("M") == month]
        when = hits[0] if len(hits) else None
    try:
        m = ctx.series("margin_debt")
    except NotCheckable:
        if when is None:
            raise
        raise _published_later(ctx, "margin_debt", when, what) from None
    if month not in set(m.index.to_period("M")):
        raise _published_later(ctx, "margin_debt", when if when is not None else
                               month.to_timestamp(how="end").normalize(), what)
    rec = _margin.margin_record(m, month.to_timestamp())
    met = _margin.margin_metrics(m).loc[rec.date]
    values = {"value": rec.value * scale, "change": 100.0 * float(met["mom"]),
              "yoy": 100.0 * float(met["yoy"]), "pct_from_record": 100.0 * rec.pct_below,
              "record_date": rec.record_date, "is_record": rec.is_record}
    pub = m.at[rec.date, "published"] if "published" in m.columns else None
    note = rec.describe() + (f" Published {pd.Timestamp(pub):%Y-%m-%d}." if pub is not None else "")
    return Measurement(values, [], note, rec.date, None)


def _released_on(df: pd.DataFrame, d: pd.Timestamp) -> np.ndarray:
    """Rows whose report came out on ``d``: its publication day (after the close) or the
    first session that could use it, the day vendors show it."""
    hit = np.zeros(len(df), dtype=bool)
    for col in ("published", "usable_from"):
        if col in df.columns:
            hit |= (df[col] == d).to_numpy()
    return hit


@register("short_interest",
          outputs={"value": "number", "change": "number", "change_shares": "number"},
          required=("symbol", "date"), tolerance="0.01%",
          aliases={"shares": "value", "change_pct": "change"})
def short_interest(check: Mapping[str, Any], ctx: Context) -> Measurement:
    """Exchange short interest in an ETF (shares) for a report and its change from the
    previous report (percent and shares). ``date`` is the settlement date, or the
    publication date of the report."""
    sym = check["symbol"]
    name = f"short_interest:{sym}"
    d = pd.Timestamp(check["date"])
    what = f"{sym} short interest for settlement {d:%Y-%m-%d}"
    try:
        si = ctx.series(name)
    except NotCheckable:
        raise _published_later(ctx, name, d, what) from None
    note = ""
    if d not in si.index and _released_on(si, d).any():
        settle = si.index[_released_on(si, d)][-1]
        note = f"report for settlement {settle:%Y-%m-%d}, released {d:%Y-%m-%d}"
        d = settle
    if d not in si.index:
        full = ctx.full(name)
        if full is not None and _released_on(full, d).any():
            d = full.index[_released_on(full, d)][-1]
        raise _published_later(ctx, name, d, f"{sym} short interest for settlement {d:%Y-%m-%d}")
    met = _si.short_interest_metrics(si, periods=(1,)).loc[d]
    values = {"value": float(met["shares_short"]), "change": _num(met["change_1_pct"]),
              "change_shares": _num(met["change_1_shares"])}
    if values["change"] is None:
        note = "; ".join(x for x in (note, "no previous report in the data") if x)
    return Measurement(values, [], note, d, None)
