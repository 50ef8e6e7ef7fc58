"""Peak and trough dating, and the lead or lag between two series' turns.

:func:`date_turning_points` uses the threshold ("zig-zag") rule: a peak is
dated at the highest value since the last trough once the series has fallen at
least ``threshold`` (a fraction) below it; a trough symmetrically once it has
risen ``threshold`` above the low. Turns therefore alternate, and each carries
the date it became *known* (``confirmed``), which matters for point-in-time
use. This is the amplitude criterion of Pagan and Sossounov (2003)'s bull and
bear dating without their duration censoring (optional here via
``min_duration``).

:func:`match_turning_points` pairs each turn of one series with the nearest turn
of the same kind in the other, and :func:`compare_turning_points` does both.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ._results import Result, get_ax

__all__ = [
    "TurningPointComparison",
    "compare_turning_points",
    "date_turning_points",
    "match_turning_points",
    "turning_points_by_basis",
]


def date_turning_points(
    series: pd.Series,
    threshold: float = 0.10,
    *,
    min_duration: int = 0,
) -> pd.DataFrame:
    """Date peaks and troughs with a percentage threshold (zig-zag).

    Scanning forward, the running extreme since the last turn is the
    candidate; when the value falls to ``peak * (1 - threshold)`` or below, the
    candidate high is a confirmed peak (and the search switches to a trough),
    and when it rises to ``trough * (1 + threshold)`` or above, the candidate
    low is a confirmed trough. The last, unconfirmed candidate is not reported,
    nor is a turn on the first observation (a sample boundary).
    With ``min_duration > 0``, a phase (peak to trough or trough to peak)
    shorter than that many periods is removed together with its end point,
    keeping the more extreme of the two turns it separated.

    Parameters
    ----------
    series : positive values with a DatetimeIndex (NaN dropped).
    threshold : fractional move that confirms a turn, in (0, 1).
    min_duration : shortest phase in periods (0 = no censoring).

    Returns
    -------
    DataFrame indexed by turn date (``date``) with ``kind`` ("peak" /
    "trough"), ``value``, ``confirmed`` (the date the threshold was crossed)
    and ``change`` (fractional move from the previous turn).
    """
    if not isinstance(series, pd.Series) or not isinstance(series.index, pd.DatetimeIndex):
        raise TypeError("series: expected a Series with a DatetimeIndex")
    if not (0 < threshold < 1):
        raise ValueError(f"threshold: must be a fraction in (0, 1), got {threshold!r}")
    s = series.astype(float).dropna().sort_index()
    if len(s) < 3:
        raise ValueError(f"series: {len(s)} values; need at least 3")
    if (s <= 0).any():
        raise ValueError("series: values must be positive for percentage thresholds")
    v = s.to_numpy()
    turns: list[tuple[int, str, int]] = []  # (position, kind, confirmed position)
    hi_i = lo_i = 0
    mode = 0  # 0 unknown, 1 looking for a peak, -1 looking for a trough
    for i in range(1, len(v)):
        if v[i] > v[hi_i]:
            hi_i = i
        if v[i] < v[lo_i]:
            lo_i = i
        if mode >= 0 and v[i] <= v[hi_i] * (1 - threshold) and (mode == 1 or hi_i < i):
            turns.append((hi_i, "peak", i))
            mode, lo_i = -1, i
        elif mode <= 0 and v[i] >= v[lo_i] * (1 + threshold) and (mode == -1 or lo_i < i):
            turns.append((lo_i, "trough", i))
            mode, hi_i = 1, i
    # the first observation is a sample boundary, not a dated turn (the series
    # may have been higher or lower before the data start)
    turns = [t for t in turns if t[0] > 0]
    if min_duration > 0:
        changed = True
        while changed and len(turns) > 2:
            changed = False
            for j in range(1, len(turns)):
                if turns[j][0] - turns[j - 1][0] < min_duration:
                    # drop the short phase: remove turn j and the next one of the
                    # other kind, so kinds keep alternating; keep the more extreme
                    if j + 1 < len(turns):
                        a, b = turns[j - 1], turns[j + 1]
                        better = a if ((a[1] == "peak" and v[a[0]] >= v[b[0]]) or
                                       (a[1] == "trough" and v[a[0]] <= v[b[0]])) else b
                        turns = turns[:j - 1] + [better] + turns[j + 2:]
                    else:
                        turns = turns[:j]
                    changed = True
                    break
    idx = pd.DatetimeIndex([s.index[t[0]] for t in turns], name="date")
    out = pd.DataFrame({
        "kind": [t[1] for t in turns],
        "value": [v[t[0]] for t in turns],
        "confirmed": pd.DatetimeIndex([s.index[t[2]] for t in turns]),
    }, index=idx)
    out["change"] = out["value"].pct_change()
    out.attrs = dict(series.attrs)
    return out


def _period_diff(a: pd.Timestamp, b: pd.Timestamp, unit: str) -> int:
    if unit == "months":
        return (b.year - a.year) * 12 + (b.month - a.month)
    if unit == "weeks":
        return int(round((b - a).days / 7))
    return int((b - a).days)


def match_turning_points(
    a: pd.DataFrame,
    b: pd.DataFrame,
    max_distance: int = 6,
    *,
    unit: str = "months",
    names: tuple[str, str] = ("a", "b"),
) -> pd.DataFrame:
    """Pair each turn of ``a`` with the nearest same-kind turn of ``b``.

    Parameters
    ----------
    a, b : outputs of :func:`date_turning_points`.
    max_distance : largest gap (in ``unit``) for a match.
    unit : "months", "weeks" or "days".
    names : labels of a and b for the columns.

    Returns
    -------
    DataFrame with ``kind``, ``<a>_date``, ``<b>_date`` (NaT when unmatched),
    ``lead`` = date of b's turn minus date of a's turn in ``unit`` (positive:
    **a turned first**, i.e. a leads b), and ``leader``. Each turn of b is used
    at most once (closest pairs first).
    """
    if unit not in ("months", "weeks", "days"):
        raise ValueError(f"unit: must be months, weeks or days, got {unit!r}")
    na, nb = names
    cands = []
    for da, ra in a.iterrows():
        for db, rb in b.iterrows():
            if ra["kind"] != rb["kind"]:
                continue
            d = _period_diff(da, db, unit)
            if abs(d) <= max_distance:
                cands.append((abs(d), da, db, d))
    cands.sort(key=lambda t: (t[0], t[1]))
    used_a: dict[pd.Timestamp, tuple[pd.Timestamp, int]] = {}
    used_b: set[pd.Timestamp] = set()
    for _, da, db, d in cands:
        if da in used_a or db in used_b:
            continue
        used_a[da] = (db, d)
        used_b.add(db)
    rows = []
    for da, ra in a.iterrows():
        db, d = used_a.get(da, (pd.NaT, np.nan))
        leader = "" if pd.isna(db) else (na if d > 0 else nb if d < 0 else "same period")
        rows.append({"kind": ra["kind"], f"{na}_date": da, f"{nb}_date": db, "lead": d,
                     "leader": leader})
    return pd.DataFrame(rows)


@dataclass(frozen=True, eq=False)
class TurningPointComparison(Result):
    """Turning points of two series and how they line up.

    Attributes: ``turns_x``, ``turns_y`` (from :func:`date_turning_points`),
    ``matches`` (from :func:`match_turning_points`, ``lead`` > 0: x turned
    first), ``x``, ``y`` (the series), names, thresholds, unit.
    """

    turns_x: pd.DataFrame
    turns_y: pd.DataFrame
    matches: pd.DataFrame
    x: pd.Series
    y: pd.Series
    names: tuple[str, str]
    thresholds: tuple[float, float]
    unit: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Turning points of {self.names[0]} and {self.names[1]}"

    def summary(self) -> pd.DataFrame:
        """Matched turns: kind, both dates, lead (in ``unit``; > 0: x first), leader."""
        return self.matches.copy()

    def to_frame(self) -> pd.DataFrame:
        """All turns of both series, with a ``series`` column."""
        return pd.concat([self.turns_x.assign(series=self.names[0]),
                          self.turns_y.assign(series=self.names[1])], sort=True).sort_index()

    def near(self, date: str | pd.Timestamp, kind: str = "peak", within: int = 6) -> pd.DataFrame:
        """Matches whose x or y turn of ``kind`` is within ``within`` units of ``date``."""
        d = pd.Timestamp(date)
        m = self.matches[self.matches["kind"] == kind]
        keep = []
        for _, r in m.iterrows():
            dates = [r[f"{self.names[0]}_date"], r[f"{self.names[1]}_date"]]
            keep.append(any(pd.notna(t) and abs(_period_diff(d, t, self.unit)) <= within
                            for t in dates))
        return m[np.array(keep, dtype=bool)] if len(m) else m

    def plot(self, ax: Any = None) -> Any:
        """Both series on log scales (twin axes) with peaks (v) and troughs (^) marked."""
        from ..charts._style import COLORS

        ax = get_ax(ax)
        ax2 = ax.twinx()
        for axis, s, turns, color, nm in ((ax, self.x, self.turns_x, COLORS["price"], self.names[0]),
                                          (ax2, self.y, self.turns_y, COLORS["accent"], self.names[1])):
            axis.plot(s.index, s.to_numpy(), color=color, lw=1.2, label=nm)
            axis.set_yscale("log")
            pk = turns[turns["kind"] == "peak"]
            tr = turns[turns["kind"] == "trough"]
            axis.plot(pk.index, pk["value"].to_numpy(), "v", color=color, ms=7)
            axis.plot(tr.index, tr["value"].to_numpy(), "^", color=color, ms=7)
            axis.set_ylabel(f"{nm} (log scale)", color=color)
        ax2.grid(False)
        ax.set_title(f"{self.title} (v peak, ^ trough)")
        return ax


def compare_turning_points(
    x: pd.Series,
    y: pd.Series,
    threshold: float = 0.10,
    *,
    threshold_y: float | None = None,
    max_distance: int = 6,
    min_duration: int = 0,
    unit: str = "months",
    names: tuple[str, str] | None = None,
) -> TurningPointComparison:
    """Date turns of x and y (own thresholds allowed) and match them.

    ``lead`` in the summary is in ``unit``: positive when x turned before y.
    """
    nx, ny = names if names is not None else (str(x.name or "x"), str(y.name or "y"))
    ty = threshold if threshold_y is None else threshold_y
    tx_ = date_turning_points(x, threshold, min_duration=min_duration)
    ty_ = date_turning_points(y, ty, min_duration=min_duration)
    m = match_turning_points(tx_, ty_, max_distance, unit=unit, names=(nx, ny))
    return TurningPointComparison(tx_, ty_, m, x.astype(float).dropna(), y.astype(float).dropna(),
                                  (nx, ny), (threshold, ty), unit)


_BASES = ("month_end", "mean")


def _monthly(daily: pd.Series, basis: str) -> pd.Series:
    s = daily.astype(float).dropna()
    out = s.resample("ME").last() if basis == "month_end" else s.resample("ME").mean()
    return out.dropna()


def _sign_word(lead: float, names: tuple[str, str]) -> str:
    if pd.isna(lead):
        return "no matching turn"
    if lead == 0:
        return "same month"
    n = abs(int(lead))
    who = names[0] if lead > 0 else names[1]
    return f"{who} first by {n} month{'s' if n != 1 else ''}"


def turning_points_by_basis(
    x_daily: pd.Series,
    y_monthly: pd.Series,
    threshold: float = 0.10,
    *,
    threshold_y: float | None = None,
    max_distance: int = 6,
    names: tuple[str, str] = ("x", "y"),
) -> pd.DataFrame:
    """Lead or lag of each turn of ``y`` against ``x`` on every monthly basis of ``x``.

    A daily series becomes monthly by its month-end close or its monthly average,
    and a lead of a few months can change sign with that choice (a daily closing
    high early in a month, a month-end close below the previous one...). For each
    turn of the monthly series ``y`` this lists the matched turn of ``x`` on both
    bases and the daily extreme of ``x`` (highest close for a peak, lowest for a
    trough) from a month before the earliest matched monthly turn of ``x`` to a
    month after the latest (within ``max_distance`` months of ``y``'s turn when no
    basis matched).

    Parameters
    ----------
    x_daily : daily series (e.g. index closes).
    y_monthly : monthly series on month-end dates (e.g. margin debt).
    threshold, threshold_y : zig-zag thresholds of x and y (see
        :func:`date_turning_points`; ``threshold_y`` defaults to ``threshold``).
    max_distance : largest gap in months for a match, and half-width of the
        window searched for the daily extreme.
    names : labels of x and y.

    Returns
    -------
    DataFrame, one row per turn of ``y``: ``kind``, ``<y>_date``, for each basis
    ``<x>_date_<basis>`` and ``lead_<basis>`` (months, > 0: x turned first),
    ``<x>_daily_extreme`` (date), ``daily_value`` and ``lead_daily`` (months
    between the extreme's month and y's turn month), ``depends_on_basis`` (True
    when the leads that exist do not all have the same sign, zero counting as its
    own sign) and ``statement``, one sentence saying so.
    """
    nx, ny = names
    if not isinstance(x_daily, pd.Series) or not isinstance(y_monthly, pd.Series):
        raise TypeError("x_daily, y_monthly: expected pandas Series with a DatetimeIndex")
    x = x_daily.astype(float).dropna()
    y = y_monthly.astype(float).dropna()
    ty = threshold if threshold_y is None else threshold_y
    turns_y = date_turning_points(y, ty)
    rows = []
    matched = {}
    for b in _BASES:
        tx = date_turning_points(_monthly(x, b), threshold)
        m = match_turning_points(turns_y, tx, max_distance, unit="months", names=(ny, nx))
        matched[b] = m.set_index(f"{ny}_date")
    for d, r in turns_y.iterrows():
        row: dict[str, Any] = {"kind": r["kind"], f"{ny}_date": d}
        leads = []
        for b in _BASES:
            mr = matched[b].loc[d]
            xd = mr[f"{nx}_date"]
            # match_turning_points gives lead > 0 when y (first name) turned first
            lead = -mr["lead"] if pd.notna(mr["lead"]) else np.nan
            row[f"{nx}_date_{b}"] = xd
            row[f"lead_{b}"] = lead
            leads.append(lead)
        # the daily extreme around the matched monthly turns (one month either side),
        # or within max_distance months of y's turn when no basis matched
        found = [row[f"{nx}_date_{b}"] for b in _BASES if pd.notna(row[f"{nx}_date_{b}"])]
        if found:
            lo = min(found).to_period("M").to_timestamp() - pd.DateOffset(months=1)
            hi = max(found).to_period("M").to_timestamp(how="end") + pd.DateOffset(months=1)
        else:
            lo = (d - pd.DateOffset(months=max_distance)).to_period("M").to_timestamp()
            hi = d + pd.DateOffset(months=max_distance)
        win = x.loc[(x.index >= lo) & (x.index <= hi)]
        if len(win):
            ed = win.idxmax() if r["kind"] == "peak" else win.idxmin()
            lead_d = _period_diff(ed, d, "months")  # > 0: x's extreme came first
            row.update({f"{nx}_daily_extreme": ed, "daily_value": float(win.loc[ed]),
                        "lead_daily": lead_d})
            leads.append(lead_d)
        else:
            row.update({f"{nx}_daily_extreme": pd.NaT, "daily_value": np.nan,
                        "lead_daily": np.nan})
        signs = {int(np.sign(v)) for v in leads if pd.notna(v)}
        row["depends_on_basis"] = len(signs) > 1
        parts = [f"month-end: {_sign_word(row['lead_month_end'], names)}",
                 f"monthly average: {_sign_word(row['lead_mean'], names)}",
                 f"daily extreme {row[f'{nx}_daily_extreme']:%Y-%m-%d}: "
                 f"{_sign_word(row['lead_daily'], names)}" if pd.notna(row[f"{nx}_daily_extreme"])
                 else "daily extreme: none in the window"]
        verdict = ("the lead/lag changes sign with the basis" if row["depends_on_basis"]
                   else "the same sign on every basis")
        row["statement"] = (f"{ny} {r['kind']} {d:%Y-%m}: " + "; ".join(parts) + f"; {verdict}.")
        rows.append(row)
    out = pd.DataFrame(rows)
    out.attrs = dict(x_daily.attrs)
    return out
