"""Futures positioning from the CFTC Commitments of Traders reports.

Traders in Financial Futures (TFF) groups: dealers (``dealer``), asset managers
(``asset_mgr``), leveraged funds (``lev_money``) and other reportables
(``other_rept``); the legacy report splits traders into non-commercials
(speculators), commercials and non-reportables. For a group ``g`` in a report week:

- net long ``net_g = long_g - short_g`` (contracts; spread positions are
  offsetting and left out, as in the CFTC's own net figures);
- net as % of open interest ``100 * net_g / open_interest``;
- week-over-week change of longs (new longs when positive) and shorts (new shorts
  when positive): ``long_g(t) - long_g(t-1 week)``, only between consecutive
  weekly reports of the same contract (NaN across a missing week or a contract
  switch: nothing is interpolated);
- COT index over ``N`` weeks: ``100 * (x - min) / (max - min)`` of the last ``N``
  weekly readings including this one (0 = most bearish of the window, 100 = most
  bullish), the usual "COT index" of Larry Williams' *Trade Stocks & Commodities
  with the Insiders* (2005);
- z-score and percentile over the same window (see :mod:`.extremes`).

Windows are calendar spans (``7N - 3`` days, :func:`~.extremes.weeks_window`), so
a 156-week window never stretches across a missing year to reach older reports.

The Russell 2000 futures moved from ICE (``23977A``) to CME (``239742``) in 2017;
both were reported for a while. :func:`primary_rows` keeps the primary contract
of each week (``is_primary``, the larger open interest), and changes are never
computed across the switch.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from ..data.errors import DataError
from .extremes import percentile_rank, rolling_zscore, weeks_window

__all__ = [
    "GROUP_LABELS",
    "LEGACY_GROUPS",
    "TFF_GROUPS",
    "compare_markets",
    "cot_index",
    "latest_positioning",
    "legacy_net_positions",
    "missing_week_runs",
    "missing_weeks",
    "net_positions",
    "positioning_metrics",
    "primary_rows",
    "report_week",
]

TFF_GROUPS: tuple[str, ...] = ("dealer", "asset_mgr", "lev_money", "other_rept")
LEGACY_GROUPS: tuple[str, ...] = ("noncommercial", "commercial", "nonrept")

GROUP_LABELS: dict[str, str] = {
    "dealer": "Dealers",
    "asset_mgr": "Asset managers",
    "lev_money": "Leveraged funds",
    "other_rept": "Other reportables",
    "nonrept": "Non-reportables",
    "noncommercial": "Non-commercials",
    "commercial": "Commercials",
}

# consecutive weekly reports are 7 days apart; holiday weeks move a report by a day
_MAX_WEEK_GAP = pd.Timedelta(days=9)


def _name(df: pd.DataFrame, default: str = "cot") -> str:
    return str((df.attrs.get("provenance") or {}).get("name", default))


def _check_frame(cot: pd.DataFrame, what: str) -> None:
    if not isinstance(cot, pd.DataFrame):
        raise TypeError(f"{what}: expected a DataFrame of COT reports, got {type(cot).__name__}")
    if not isinstance(cot.index, pd.DatetimeIndex):
        raise DataError(_name(cot, what), "index must be the report dates (a DatetimeIndex)")
    if cot.empty:
        raise DataError(_name(cot, what), "no report rows")


def primary_rows(cot: pd.DataFrame) -> pd.DataFrame:
    """One report per week: the primary contract's row.

    Frames loaded with ``contracts="all"`` carry every contract (two Russell
    contracts in 2017-18); rows with ``is_primary`` False are dropped. A frame
    without ``is_primary`` must already have one row per date.

    Raises
    ------
    DataError
        When more than one row per date remains, naming the dates.
    """
    _check_frame(cot, "cot")
    out = cot
    if "is_primary" in cot.columns:
        flag = cot["is_primary"]
        if flag.isna().any():
            raise DataError(_name(cot), "is_primary has missing values",
                            rows=[str(d.date()) for d in cot.index[flag.isna().to_numpy()]])
        out = cot[flag.astype(bool).to_numpy()]
    dup = out.index[out.index.duplicated()].unique()
    if len(dup):
        raise DataError(_name(cot), "more than one report row per date (several contracts?)",
                        rows=[str(d.date()) for d in dup],
                        hint="keep one contract per week (is_primary) or filter cftc_contract_market_code")
    if not out.index.is_monotonic_increasing:
        out = out.sort_index()
    return out


def _num(df: pd.DataFrame, col: str, name: str) -> pd.Series:
    if col not in df.columns:
        raise DataError(name, f"missing column {col!r}",
                        hint=f"columns present: {', '.join(map(str, df.columns[:30]))}")
    try:
        return pd.to_numeric(df[col], errors="raise").astype(float)
    except (ValueError, TypeError):
        raise DataError(name, f"column {col!r} is not numeric") from None


def _consecutive(index: pd.DatetimeIndex, contract: pd.Series | None) -> np.ndarray:
    """True where the previous row is the previous week's report of the same contract."""
    gap = pd.Series(index, index=index).diff()
    ok = (gap <= _MAX_WEEK_GAP).to_numpy().copy()
    if contract is not None:
        c = contract.astype(str).to_numpy()
        same = np.r_[False, c[1:] == c[:-1]]
        ok &= same
    return ok


def _net_table(
    df: pd.DataFrame, groups: Sequence[str], cols: Mapping[str, tuple[str, str]], oi_col: str, name: str
) -> pd.DataFrame:
    oi = _num(df, oi_col, name)
    bad = oi.index[(oi <= 0).to_numpy() | oi.isna().to_numpy()]
    if len(bad):
        raise DataError(name, "open interest is missing or not positive",
                        rows=[str(d.date()) for d in bad])
    contract = df["cftc_contract_market_code"] if "cftc_contract_market_code" in df.columns else None
    ok = _consecutive(df.index, contract)
    out = pd.DataFrame(index=df.index)
    if contract is not None:
        out["contract"] = contract.astype(str).to_numpy()
    out["open_interest"] = oi
    for g in groups:
        if g not in cols:
            raise ValueError(f"groups: unknown group {g!r}; choose from {', '.join(cols)}")
        lc, sc_ = cols[g]
        lg, sh = _num(df, lc, name), _num(df, sc_, name)
        net = lg - sh
        out[f"{g}_long"] = lg
        out[f"{g}_short"] = sh
        out[f"{g}_net"] = net
        out[f"{g}_net_pct_oi"] = 100.0 * net / oi
        out[f"{g}_long_chg"] = lg.diff().where(ok)
        out[f"{g}_short_chg"] = sh.diff().where(ok)
        out[f"{g}_net_chg"] = net.diff().where(ok)
    if "published" in df.columns:
        out["published"] = df["published"]
        if "usable_from" in df.columns:
            out["usable_from"] = df["usable_from"]
    out.attrs = dict(df.attrs)
    return out


def net_positions(cot: pd.DataFrame, groups: Sequence[str] = TFF_GROUPS) -> pd.DataFrame:
    """Net long positions by TFF group, in contracts and % of open interest.

    Parameters
    ----------
    cot : a COT frame as loaded by ``sc.data.load("cot:...")`` (columns
        ``{group}_long``, ``{group}_short``, ``open_interest``); frames with several
        contracts per week are reduced with :func:`primary_rows`.
    groups : any of :data:`TFF_GROUPS` and ``"nonrept"``.

    Returns
    -------
    DataFrame on the report dates with ``contract`` (when known), ``open_interest``
    and, per group ``g``: ``g_long``, ``g_short``, ``g_net`` = long - short,
    ``g_net_pct_oi`` = 100 * net / open interest, ``g_long_chg``, ``g_short_chg``,
    ``g_net_chg`` (week-over-week; NaN after a missing week or a contract switch),
    plus ``published`` when the input has it.
    """
    df = primary_rows(cot)
    cols = {g: (f"{g}_long", f"{g}_short") for g in (*TFF_GROUPS, "nonrept")}
    return _net_table(df, groups, cols, "open_interest", _name(cot))


# ----------------------------------------------------------------------- legacy report


def _norm(col: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", str(col).strip().lower()).strip("_")


_LEGACY_PATTERNS = {
    # canonical name: regex on the normalised column name ("All" columns only)
    "open_interest": r"^open_interest(_all)?$",
    "noncommercial_long": r"^(noncommercial|noncomm)(_positions)?_long(_all)?$",
    "noncommercial_short": r"^(noncommercial|noncomm)(_positions)?_short(_all)?$",
    "commercial_long": r"^(commercial|comm)(_positions)?_long(_all)?$",
    "commercial_short": r"^(commercial|comm)(_positions)?_short(_all)?$",
    "nonrept_long": r"^(nonreportable|nonrept)(_positions)?_long(_all)?$",
    "nonrept_short": r"^(nonreportable|nonrept)(_positions)?_short(_all)?$",
    "cftc_contract_market_code": r"^cftc_contract_market_code$",
}


def _legacy_columns(df: pd.DataFrame, name: str) -> dict[str, str]:
    found: dict[str, str] = {}
    normed = {c: _norm(c) for c in df.columns}
    for canon, pat in _LEGACY_PATTERNS.items():
        hits = [c for c, n in normed.items() if re.match(pat, n)]
        if len(hits) > 1:
            raise DataError(name, f"several columns could be {canon!r}: {hits}")
        if hits:
            found[canon] = hits[0]
    return found


def legacy_net_positions(
    legacy: pd.DataFrame, groups: Sequence[str] = LEGACY_GROUPS
) -> pd.DataFrame:
    """Net long positions from the CFTC legacy report (non-commercials, commercials, non-reportables).

    Parameters
    ----------
    legacy : one row per report date (DatetimeIndex) with open interest and the
        long/short columns of each group. Accepted names: snake case
        (``noncommercial_long``, ``commercial_short``, ``nonrept_long``,
        ``open_interest``...) or the CFTC headers ("Noncommercial Positions-Long
        (All)", "Open Interest (All)"...). If ``cftc_contract_market_code`` is
        present the frame must hold a single contract, unless an ``is_primary``
        column picks one row per week (as ``sources.cftc.fetch_legacy`` returns).
        The kit's parser (``smallcaps.data.sources.cftc.parse_legacy``) names
        them ``noncomm_long``, ``comm_short``...: accepted too.
    groups : any of :data:`LEGACY_GROUPS`.

    Returns
    -------
    DataFrame as :func:`net_positions` for the legacy groups: ``noncommercial_net``
    is the classic "speculators' net position".
    """
    name = _name(legacy, "legacy COT")
    _check_frame(legacy, name)
    found = _legacy_columns(legacy, name)
    need = ["open_interest"] + [f"{g}_{s}" for g in groups for s in ("long", "short")]
    for g in groups:
        if g not in LEGACY_GROUPS:
            raise ValueError(f"groups: unknown legacy group {g!r}; choose from {', '.join(LEGACY_GROUPS)}")
    missing = [c for c in need if c not in found]
    if missing:
        raise DataError(name, f"missing legacy column(s) {', '.join(missing)}",
                        hint=f"columns present: {', '.join(map(str, legacy.columns[:20]))}")
    df = legacy.rename(columns={v: k for k, v in found.items()})
    if "cftc_contract_market_code" in df.columns and "is_primary" not in df.columns:
        codes = df["cftc_contract_market_code"].astype(str).str.strip().unique()
        if len(codes) > 1:
            raise DataError(name, f"several contracts in one frame ({', '.join(codes)})",
                            hint="select one cftc_contract_market_code first")
    df = primary_rows(df)
    cols = {g: (f"{g}_long", f"{g}_short") for g in LEGACY_GROUPS}
    return _net_table(df, groups, cols, "open_interest", name)


# ----------------------------------------------------------------------- history scores


def cot_index(x: pd.Series, weeks: int = 156, *, min_periods: int | None = None) -> pd.Series:
    """COT index: where this week's reading sits in the range of the last ``weeks`` weeks.

    ``100 * (x_t - min(W)) / (max(W) - min(W))`` over the readings ``W`` of the
    window ``(t - (7*weeks - 3) days, t]`` (this week's included), so it lies in
    [0, 100]. NaN where the window holds fewer than ``min_periods`` readings
    (default: half of ``weeks``) or the range is zero.

    References
    ----------
    L. Williams, *Trade Stocks & Commodities with the Insiders: Secrets of the COT
    Report*, Wiley, 2005.
    """
    window = weeks_window(weeks)
    if not isinstance(x, pd.Series) or not isinstance(x.index, pd.DatetimeIndex):
        raise TypeError("x: expected a Series on report dates (DatetimeIndex)")
    if not x.index.is_unique or not x.index.is_monotonic_increasing:
        raise ValueError("x: report dates must be unique and ascending (use primary_rows first)")
    mp = max(2, weeks // 2) if min_periods is None else int(min_periods)
    v = pd.to_numeric(x, errors="raise").astype(float)
    lo = v.rolling(window, min_periods=mp).min()
    hi = v.rolling(window, min_periods=mp).max()
    rng = hi - lo
    out = (100.0 * ((v - lo) / rng.where(rng > 0))).where(v.notna())  # divide first: exact 0 and 100
    out.name = "cot_index"
    out.attrs = dict(x.attrs)
    return out


def positioning_metrics(
    cot: pd.DataFrame,
    group: str = "lev_money",
    weeks: int = 156,
    *,
    min_periods: int | None = None,
    legacy: bool = False,
) -> pd.DataFrame:
    """One group's positioning with its history scores.

    Parameters
    ----------
    cot : COT frame (TFF, or legacy with ``legacy=True``).
    group : a TFF group (``lev_money``...) or, for legacy, ``noncommercial``...
    weeks : history window for the COT index, z-score and percentile.
    min_periods : fewest readings in the window (default: half of ``weeks``).

    Returns
    -------
    DataFrame on report dates: ``net``, ``net_pct_oi``, ``long_chg``,
    ``short_chg``, ``net_chg``, ``open_interest``, ``cot_index`` (of the net %
    of open interest, which stays comparable as open interest grows),
    ``zscore`` and ``percentile`` (of the same), ``window_reports`` (reports with
    a value inside the ``weeks`` window ending at each date, at most ``weeks``),
    ``published`` (and ``usable_from``) when known.
    """
    table = legacy_net_positions(cot, (group,)) if legacy else net_positions(cot, (group,))
    mp = max(2, weeks // 2) if min_periods is None else int(min_periods)
    pct = table[f"{group}_net_pct_oi"]
    out = pd.DataFrame({
        "net": table[f"{group}_net"],
        "net_pct_oi": pct,
        "long_chg": table[f"{group}_long_chg"],
        "short_chg": table[f"{group}_short_chg"],
        "net_chg": table[f"{group}_net_chg"],
        "open_interest": table["open_interest"],
        "cot_index": cot_index(pct, weeks, min_periods=mp),
        "zscore": rolling_zscore(pct, weeks_window(weeks), min_periods=mp),
        "percentile": percentile_rank(pct, weeks_window(weeks), min_periods=mp),
        # how many reports the window really holds (gaps in the source shrink it)
        "window_reports": pct.rolling(weeks_window(weeks)).count().astype(int),
    })  # fmt: skip
    if "published" in table.columns:
        out["published"] = table["published"]
        if "usable_from" in table.columns:
            out["usable_from"] = table["usable_from"]
    out.attrs = dict(cot.attrs)
    return out


def compare_markets(
    frames: Mapping[str, pd.DataFrame],
    group: str = "lev_money",
    measure: str = "net_pct_oi",
    weeks: int = 156,
) -> pd.DataFrame:
    """One positioning measure for several markets side by side.

    Parameters
    ----------
    frames : label -> COT frame, e.g. ``{"Russell 2000": cot_rut, "S&P 500": cot_spx}``.
    group : TFF group.
    measure : a column of :func:`positioning_metrics` (``net``, ``net_pct_oi``,
        ``cot_index``, ``zscore``, ``percentile``...).

    Returns
    -------
    DataFrame with one column per market on the union of report dates (NaN where
    a market has no report that week).
    """
    if not frames:
        raise ValueError("frames: give at least one market")
    cols = {}
    for label, cot in frames.items():
        m = positioning_metrics(cot, group, weeks)
        if measure not in m.columns:
            raise ValueError(f"measure: {measure!r} is not one of {', '.join(m.columns)}")
        cols[label] = m[measure]
    return pd.concat(cols, axis=1, sort=True)


def latest_positioning(
    frames: Mapping[str, pd.DataFrame],
    groups: Sequence[str] = ("lev_money", "asset_mgr", "dealer"),
    weeks: int = 156,
) -> pd.DataFrame:
    """The latest report of each market and group against its history.

    Returns
    -------
    DataFrame indexed by (market, group) with ``date``, ``net``, ``net_pct_oi``,
    ``long_chg``, ``short_chg``, ``cot_index``, ``zscore``, ``percentile``.
    """
    rows = []
    for label, cot in frames.items():
        for g in groups:
            m = positioning_metrics(cot, g, weeks)
            last = m.iloc[-1]
            rows.append({"market": label, "group": GROUP_LABELS.get(g, g), "date": m.index[-1],
                         **{k: last[k] for k in ("net", "net_pct_oi", "long_chg", "short_chg",
                                                 "cot_index", "zscore", "percentile")}})
    return pd.DataFrame(rows).set_index(["market", "group"])


# ----------------------------------------------------------------------- coverage


def report_week(dates: pd.DatetimeIndex) -> pd.DatetimeIndex:
    """The Tuesday of each report date's week (Monday-Sunday weeks).

    COT positions are as of Tuesday; in holiday weeks the CFTC uses the Monday
    (or another day of that week), which maps to the same Tuesday.
    """
    d = pd.DatetimeIndex(dates).normalize()
    return pd.DatetimeIndex(d - pd.to_timedelta(d.day_of_week, unit="D") + pd.Timedelta(days=1))


def missing_weeks(
    cot: pd.DataFrame | pd.DatetimeIndex,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DatetimeIndex:
    """Report weeks with no report: the weekly Tuesday grid minus the weeks present.

    Parameters
    ----------
    cot : COT frame (or its report dates).
    start, end : the grid's span (default: first to last report).

    Returns
    -------
    DatetimeIndex of the Tuesdays with no report (named ``missing_week``).
    Nothing is filled in.
    """
    idx = cot.index if isinstance(cot, (pd.DataFrame, pd.Series)) else pd.DatetimeIndex(cot)
    if len(idx) == 0:
        raise DataError("cot", "no report dates")
    present = report_week(idx).unique()
    first = report_week([pd.Timestamp(start)])[0] if start is not None else present.min()
    last = report_week([pd.Timestamp(end)])[0] if end is not None else present.max()
    grid = pd.date_range(first, last, freq="W-TUE")
    return pd.DatetimeIndex(grid.difference(present), name="missing_week")


def missing_week_runs(
    cot: pd.DataFrame | pd.DatetimeIndex,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Runs of consecutive missing report weeks: ``first_missing``, ``last_missing``, ``weeks``."""
    miss = missing_weeks(cot, start, end)
    cols = ["first_missing", "last_missing", "weeks"]
    if len(miss) == 0:
        return pd.DataFrame(columns=cols)
    new_run = np.r_[True, np.diff(miss.to_numpy()) != np.timedelta64(7, "D")]
    run = np.cumsum(new_run)
    s = pd.Series(miss, index=run)
    out = s.groupby(level=0).agg(first_missing="min", last_missing="max", weeks="count")
    return out.reset_index(drop=True)[cols]
