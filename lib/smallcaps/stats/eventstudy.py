"""Event studies: forward returns after events against all days' forward returns.

The question an event study answers here is simple: *after this kind of day,
did the index do better or worse over the next h bars than it does after an
ordinary day?* :func:`event_study` measures the forward return after each event,
compares the average with the unconditional average over every day of the same
price history, puts an interval around the event mean (circular-shift
randomization or cluster bootstrap), and tests the difference with a test that
respects the clustering of events in time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core.inputs import dated_series
from ._results import Result, get_ax

__all__ = ["EventStudyResult", "event_study"]


@dataclass(frozen=True, eq=False)
class EventStudyResult(Result):
    """Outcome of :func:`event_study`.

    Attributes
    ----------
    table : summary by horizon (see :meth:`summary`).
    events : per-event forward returns (see :meth:`to_frame`).
    path : mean cumulative forward return by bar after entry (0..max horizon),
        columns ``event`` (mean over the events that have that many bars after
        them), ``baseline`` (mean over all days) and ``n_events``.
    counts : how the input events were reduced: ``given`` (distinct input
        dates), ``outside`` (before the first or after the last price bar),
        ``same_bar`` (merged because they fell on the same bar), ``declustered``
        (removed by ``min_gap``), ``kept``.
    params : the options used (horizons, kind, entry_lag, min_gap, n_boot, ci,
        seed, column).
    notes : plain-language caveats.
    name : label used in titles.
    """

    table: pd.DataFrame
    events: pd.DataFrame
    path: pd.DataFrame
    counts: dict[str, int]
    params: dict[str, Any]
    notes: tuple[str, ...] = field(default_factory=tuple)
    name: str = "events"

    @property
    def title(self) -> str:  # type: ignore[override]
        kind = "log" if self.params.get("kind") == "log" else "simple"
        return f"Event study: {self.name} ({self.counts.get('kept', 0)} events, {kind} forward returns)"

    @property
    def n_events(self) -> int:
        """Number of events kept (before dropping those too close to the end)."""
        return int(self.counts.get("kept", 0))

    def summary(self) -> pd.DataFrame:
        """One row per horizon (index ``horizon``, in bars).

        Columns
        -------
        n_events : events with a full horizon of data after them.
        n_dropped_end : events dropped because fewer than ``horizon`` bars follow.
        n_clusters : groups of events whose forward windows overlap (the
            bootstrap resamples these groups).
        mean, median, hit_rate : of the events' forward returns (hit rate =
            share > 0).
        baseline_mean, baseline_median, baseline_hit_rate, baseline_n : the same
            over every day of the price history with a full horizon after it.
        difference : ``mean - baseline_mean``.
        ci_low, ci_high : interval for the event mean (``params['interval']``).
        diff_ci_low, diff_ci_high : the same interval minus the baseline mean.
        p_value : two-sided circular-shift test of ``difference == 0``.
        note : why a statistic is missing, if it is.
        """
        return self.table.copy()

    def to_frame(self) -> pd.DataFrame:
        """Per-event table indexed by the event bar (``event``).

        Columns ``entry`` (bar whose close is the starting price), ``entry_price``
        and ``ret_<h>`` for each horizon (NaN when fewer than ``h`` bars follow).
        """
        return self.events.copy()

    def plot(self, ax: Any = None) -> Any:
        """Mean cumulative forward return after events vs all days.

        Lines: the event path and the baseline path (bar 0 = entry close); error
        bars: the interval of the event mean at each horizon.

        Returns
        -------
        matplotlib.axes.Axes
        """
        from ..charts._style import COLORS

        ax = get_ax(ax)
        scale = 100.0
        p = self.path
        ax.plot(p.index, p["event"] * scale, color=COLORS["accent"], lw=1.6,
                label=f"after {self.name} (n={self.n_events})")
        ax.plot(p.index, p["baseline"] * scale, color=COLORS["muted"], lw=1.2, ls="--",
                label="all days")
        t = self.table.dropna(subset=["mean"])
        if len(t):
            lo = (t["mean"] - t["ci_low"]).clip(lower=0).fillna(0) * scale
            hi = (t["ci_high"] - t["mean"]).clip(lower=0).fillna(0) * scale
            ax.errorbar(t.index, t["mean"] * scale, yerr=[lo.to_numpy(), hi.to_numpy()], fmt="o",
                        color=COLORS["accent"], capsize=4,
                        label=f"{round(self.params['ci'] * 100)}% interval ({self.params['interval']})")
        ax.axhline(0, color="black", lw=0.6)
        kind = "log" if self.params.get("kind") == "log" else "simple"
        ax.set_xlabel("bars after entry")
        ax.set_ylabel(f"mean cumulative {kind} return (%)")
        ax.set_title(self.title)
        ax.legend(loc="best")
        return ax


# --------------------------------------------------------------------------- inputs


def _price_series(prices: pd.Series | pd.DataFrame, column: str) -> pd.Series:
    """Positive finite prices on clean dates (:mod:`smallcaps._core.inputs`); missing
    values are dropped."""
    return dated_series(prices, "prices", column, dropna=True, positive=True, min_obs=3)


def _event_dates(events: Any) -> pd.DatetimeIndex:
    if isinstance(events, pd.DataFrame):
        raise TypeError("events: pass a boolean Series or a list/DatetimeIndex of dates, not a DataFrame")
    if isinstance(events, pd.Series):
        if not isinstance(events.index, pd.DatetimeIndex):
            raise ValueError("events: a boolean Series needs a DatetimeIndex")
        vals = events
        if vals.dtype != bool:
            non_null = vals.dropna()
            ok = non_null.isin([True, False, 0, 1]).all() if len(non_null) else True
            if not ok:
                raise ValueError(
                    "events: a Series must be boolean (True on event days); "
                    f"got dtype {vals.dtype} with values other than 0/1"
                )
            vals = (vals == 1).fillna(False).astype(bool)
        dates = events.index[vals.to_numpy()]
    else:
        try:
            dates = pd.DatetimeIndex(pd.to_datetime(list(events) if not isinstance(
                events, pd.DatetimeIndex) else events))
        except (TypeError, ValueError) as exc:
            raise ValueError(f"events: could not read the event dates ({exc})") from None
    if dates.tz is not None:
        raise ValueError("events: dates must be tz-naive like the price index")
    return dates.dropna().unique().sort_values()


def _horizons(horizons: int | Iterable[int]) -> tuple[int, ...]:
    hs = (horizons,) if isinstance(horizons, (int, np.integer)) else tuple(horizons)
    if not hs:
        raise ValueError("horizons: give at least one horizon (bars)")
    out = []
    for h in hs:
        if isinstance(h, bool) or not isinstance(h, (int, np.integer)) or h < 1:
            raise ValueError(f"horizons: each must be a positive integer number of bars, got {h!r}")
        out.append(int(h))
    return tuple(sorted(set(out)))


# --------------------------------------------------------------------------- statistics


def _clusters(entries: np.ndarray, h: int) -> np.ndarray:
    """Cluster id per (sorted) entry: a new cluster starts when the gap is >= h bars."""
    if len(entries) == 0:
        return np.zeros(0, dtype=int)
    return np.concatenate([[0], np.cumsum(np.diff(entries) >= h)])


def _cluster_bootstrap(values: np.ndarray, cluster: np.ndarray, n_boot: int,
                       rng: np.random.Generator) -> np.ndarray:
    """Bootstrap distribution of the mean, resampling whole clusters with replacement."""
    k = int(cluster.max()) + 1
    sums = np.bincount(cluster, weights=values, minlength=k)
    sizes = np.bincount(cluster, minlength=k).astype(float)
    draw = rng.integers(0, k, size=(n_boot, k))
    return sums[draw].sum(axis=1) / sizes[draw].sum(axis=1)


def _shift_null(fwd: np.ndarray, pos: np.ndarray, n_perm: int,
                rng: np.random.Generator) -> np.ndarray:
    """Means of the event pattern rotated by random offsets around the valid days."""
    m = len(fwd)
    if m - 1 <= n_perm:
        shifts = np.arange(1, m)
    else:
        shifts = rng.integers(1, m, size=n_perm)
    out = np.empty(len(shifts))
    chunk = max(1, 2_000_000 // max(len(pos), 1))
    for i in range(0, len(shifts), chunk):
        s = shifts[i:i + chunk]
        out[i:i + chunk] = fwd[(pos[None, :] + s[:, None]) % m].mean(axis=1)
    return out


def event_study(
    events: pd.Series | pd.DatetimeIndex | Sequence[Any],
    prices: pd.Series | pd.DataFrame,
    horizons: int | Iterable[int] = (20, 60),
    *,
    kind: Literal["log", "simple"] = "log",
    column: str = "close",
    entry_lag: int = 0,
    min_gap: int | None = None,
    n_boot: int = 2000,
    ci: float = 0.95,
    seed: int | None = 0,
    min_events: int = 5,
    interval: Literal["shift", "cluster"] = "shift",
    name: str | None = None,
) -> EventStudyResult:
    """Forward returns after events, against the forward returns of all days.

    For each event on bar ``t`` the forward return over ``h`` bars is measured
    from the close of the entry bar ``e = t + entry_lag`` to the close ``h`` bars
    later:

    .. math::

        r_h(e) = \\ln(P_{e+h} / P_e) \\quad (\\text{kind="log"}), \\qquad
        r_h(e) = P_{e+h} / P_e - 1 \\quad (\\text{kind="simple"}).

    The baseline is the same quantity for every bar of the price history that has
    ``h`` bars after it (the unconditional distribution), and the result reports
    ``difference = mean(events) - mean(all days)``.

    Uncertainty
    -----------
    Forward windows of events closer than ``h`` bars overlap, so their returns
    are not independent, and signals often fire on runs of consecutive days.
    Both the test and the default interval therefore resample the *event
    pattern as a whole*.

    The **p-value** comes from a circular-shift (rotation) test: the whole
    event pattern is shifted by a random offset around the valid days, which
    keeps the number and spacing of events (their clustering) and breaks only
    their link to the dates. Under the null that event timing carries no
    information, the observed mean is a draw from these shifted means; the
    two-sided p-value is ``(1 + #{|shifted - baseline| >= |observed - baseline|})
    / (1 + n_shifts)``. When the history has no more than ``n_boot`` possible
    offsets all of them are used (an exact test). Averaged over all offsets the
    shifted mean equals the baseline mean, so the null is centred on it.

    ``interval="shift"`` (default) inverts that test: with ``D`` the shifted
    means minus their average, the interval for the difference is
    ``[d - q_{1-a/2}(D), d - q_{a/2}(D)]`` (a location-shift randomization
    interval, consistent with the p-value), and the interval of the event mean
    adds the baseline mean back. ``interval="cluster"`` is a **cluster
    bootstrap**: events are grouped into clusters (a new cluster starts when
    the next event is at least ``h`` bars after the previous one) and whole
    clusters are resampled with replacement (a block bootstrap whose blocks
    are the overlapping runs of events; Cameron, Gelbach and Miller 2008),
    giving percentile intervals. In simulations with events independent of
    prices both have close to nominal coverage for sparse events, but with
    events in runs (about ten episodes of ten days in 2,500 bars) the cluster
    bootstrap's 95 % interval excluded zero 11-16 % of the time against 5 %
    for the shift interval: prefer the default unless events are many and
    sparse. ``diff_ci_*`` treat the baseline mean as the fixed reference.

    Event handling
    --------------
    - Event dates that are not bars (weekends, holidays, a publication date) move
      to the next bar: a fact published on a non-trading day can first be acted
      on at the next close. Events before the first bar or after the last bar
      are dropped (``counts['outside']``); events landing on the same bar are
      merged (``counts['same_bar']``).
    - ``min_gap`` de-clusters: scanning forward in time, an event is kept only if
      it is at least ``min_gap`` bars after the last kept event
      (``counts['declustered']``). Useful for signals that fire on many
      consecutive days; ``min_gap=h`` gives non-overlapping windows.
    - Events with fewer than ``h`` bars after the entry are dropped for that
      horizon and counted in ``n_dropped_end`` of the summary.
    - Too few events: with fewer than ``min_events`` events (or fewer than two
      clusters for ``interval="cluster"``) at a horizon, the mean, median and hit rate are still reported
      but the interval and p-value are NaN and ``note`` says why. With no events
      at all every statistic is NaN and the notes say so; nothing is raised, so
      a notebook whose signal never fires carries on.

    Parameters
    ----------
    events : boolean Series (True on event days; NaN counts as False) with a
        DatetimeIndex, or a DatetimeIndex / list of dates.
    prices : close Series, or a price frame (``column`` is used). Missing values
        are dropped; the index must be a unique, ascending, tz-naive
        DatetimeIndex and prices positive. Use ``column="adj_close"`` for ETF
        total returns.
    horizons : bars ahead (one int or several).
    kind : "log" (default) or "simple" returns, as fractions (0.05 = 5 %).
    column : column of a price frame to use (default "close").
    entry_lag : bars between the event bar and the entry close (0 = the event
        bar's own close, right for signals known at that close; 1 = next close).
    min_gap : de-clustering gap in bars (None = keep every event).
    n_boot : bootstrap replications (and the number of random shifts for the
        test).
    ci : interval coverage, e.g. 0.95.
    seed : seed of the random generator (results are reproducible).
    min_events : fewest events for an interval and a test.
    interval : "shift" (randomization interval, default) or "cluster"
        (cluster bootstrap); see Uncertainty.
    name : label for titles (default: the events Series' name or "events").

    Returns
    -------
    EventStudyResult
        ``.summary()`` by horizon, ``.to_frame()`` per event, ``.plot(ax)``,
        ``.counts``, ``.notes``.

    Raises
    ------
    ValueError, TypeError
        Naming the input (``events``, ``prices``, ``horizons`` ...) and the problem.

    Examples
    --------
    >>> import smallcaps as sc                                   # doctest: +SKIP
    >>> rut = sc.data.load("RUT")                                # doctest: +SKIP
    >>> new_high = rut["close"] >= rut["close"].cummax()         # doctest: +SKIP
    >>> res = sc.stats.event_study(new_high, rut, (20, 60), min_gap=20)  # doctest: +SKIP
    >>> res.summary()[["n_events", "mean", "baseline_mean", "p_value"]]  # doctest: +SKIP

    References
    ----------
    MacKinlay, A. C. (1997), "Event Studies in Economics and Finance", *Journal
    of Economic Literature* 35(1). Cameron, Gelbach and Miller (2008),
    "Bootstrap-based improvements for inference with clustered errors", *REStat*.
    """
    if kind not in ("log", "simple"):
        raise ValueError(f"kind: must be 'log' or 'simple', got {kind!r}")
    if not (0 < ci < 1):
        raise ValueError(f"ci: must be between 0 and 1, got {ci!r}")
    if isinstance(n_boot, bool) or not isinstance(n_boot, (int, np.integer)) or n_boot < 100:
        raise ValueError(f"n_boot: must be an integer >= 100, got {n_boot!r}")
    if isinstance(entry_lag, bool) or not isinstance(entry_lag, (int, np.integer)) or entry_lag < 0:
        raise ValueError(f"entry_lag: must be a non-negative integer, got {entry_lag!r}")
    if min_gap is not None and (not isinstance(min_gap, (int, np.integer)) or min_gap < 1):
        raise ValueError(f"min_gap: must be a positive integer number of bars or None, got {min_gap!r}")
    if interval not in ("shift", "cluster"):
        raise ValueError(f"interval: must be 'shift' or 'cluster', got {interval!r}")
    if not isinstance(min_events, (int, np.integer)) or min_events < 2:
        raise ValueError(f"min_events: must be an integer >= 2, got {min_events!r}")
    hs = _horizons(horizons)
    px = _price_series(prices, column)
    dates = _event_dates(events)
    if name is None:
        name = str(events.name) if isinstance(events, pd.Series) and events.name is not None else "events"

    idx = px.index
    n = len(px)
    logp = np.log(px.to_numpy())
    counts = {"given": len(dates)}
    inside = (dates >= idx[0]) & (dates <= idx[-1])
    counts["outside"] = int((~inside).sum())
    pos = idx.searchsorted(dates[inside], side="left")
    uniq = np.unique(pos)
    counts["same_bar"] = int(len(pos) - len(uniq))
    if min_gap is not None and len(uniq):
        kept = [uniq[0]]
        for p_ in uniq[1:]:
            if p_ - kept[-1] >= min_gap:
                kept.append(p_)
        kept_arr = np.asarray(kept, dtype=int)
    else:
        kept_arr = uniq.astype(int)
    counts["declustered"] = int(len(uniq) - len(kept_arr))
    entries_all = kept_arr + int(entry_lag)
    has_entry = entries_all <= n - 1
    counts["no_entry_bar"] = int((~has_entry).sum())
    kept_arr = kept_arr[has_entry]
    entries_all = entries_all[has_entry]
    counts["kept"] = len(kept_arr)

    def to_ret(x: np.ndarray) -> np.ndarray:
        return x if kind == "log" else np.expm1(x)

    rng = np.random.default_rng(seed)
    alpha = (1 - ci) / 2
    rows = []
    per_event = pd.DataFrame(
        {"entry": idx[entries_all], "entry_price": px.to_numpy()[entries_all]},
        index=pd.DatetimeIndex(idx[kept_arr], name="event"),
    )
    notes: list[str] = []
    for h in hs:
        m = n - h  # bars with a full horizon after them
        fwd = to_ret(logp[h:] - logp[:-h]) if m > 0 else np.zeros(0)
        ok = entries_all < m
        e = entries_all[ok]
        col = np.full(len(entries_all), np.nan)
        col[ok] = fwd[e]
        per_event[f"ret_{h}"] = col
        vals = fwd[e]
        row: dict[str, Any] = {
            "horizon": h,
            "n_events": len(e),
            "n_dropped_end": int((~ok).sum()),
            "baseline_n": int(m) if m > 0 else 0,
        }
        row["baseline_mean"] = float(fwd.mean()) if m > 0 else np.nan
        row["baseline_median"] = float(np.median(fwd)) if m > 0 else np.nan
        row["baseline_hit_rate"] = float((fwd > 0).mean()) if m > 0 else np.nan
        cl = _clusters(e, h)
        row["n_clusters"] = int(cl.max()) + 1 if len(e) else 0
        row.update(mean=np.nan, median=np.nan, hit_rate=np.nan, difference=np.nan,
                   ci_low=np.nan, ci_high=np.nan, diff_ci_low=np.nan, diff_ci_high=np.nan,
                   p_value=np.nan, note="")
        if m <= 1:
            row["note"] = f"price history too short for a {h}-bar horizon"
        elif len(e) == 0:
            row["note"] = "no events with a full horizon"
        else:
            row["mean"] = float(vals.mean())
            row["median"] = float(np.median(vals))
            row["hit_rate"] = float((vals > 0).mean())
            row["difference"] = row["mean"] - row["baseline_mean"]
            if len(e) < min_events:
                row["note"] = f"only {len(e)} events (< min_events={min_events}): no interval or test"
            elif interval == "cluster" and row["n_clusters"] < 2:
                row["note"] = "all events in one overlapping cluster: no interval or test"
            else:
                null = _shift_null(fwd, e, n_boot, rng)
                dev = np.abs(null - row["baseline_mean"])
                obs = abs(row["difference"])
                row["p_value"] = float((1 + np.sum(dev >= obs - 1e-15)) / (1 + len(null)))
                if interval == "shift":
                    q_lo, q_hi = np.quantile(null - null.mean(), [alpha, 1 - alpha])
                    d_lo, d_hi = row["difference"] - q_hi, row["difference"] - q_lo
                    row["diff_ci_low"], row["diff_ci_high"] = float(d_lo), float(d_hi)
                    row["ci_low"] = float(d_lo) + row["baseline_mean"]
                    row["ci_high"] = float(d_hi) + row["baseline_mean"]
                else:
                    boot = _cluster_bootstrap(vals, cl, n_boot, rng)
                    lo, hi = np.quantile(boot, [alpha, 1 - alpha])
                    row["ci_low"], row["ci_high"] = float(lo), float(hi)
                    row["diff_ci_low"] = float(lo) - row["baseline_mean"]
                    row["diff_ci_high"] = float(hi) - row["baseline_mean"]
        rows.append(row)

    cols = ["n_events", "n_dropped_end", "n_clusters", "mean", "median", "hit_rate",
            "baseline_mean", "baseline_median", "baseline_hit_rate", "baseline_n", "difference",
            "ci_low", "ci_high", "diff_ci_low", "diff_ci_high", "p_value", "note"]
    table = pd.DataFrame(rows).set_index("horizon")[cols]

    # mean cumulative path 0..max horizon
    hmax = hs[-1]
    ks = np.arange(0, min(hmax, n - 1) + 1)
    ev_path, base_path, n_path = [], [], []
    for k in ks:
        if k == 0:
            ev_path.append(0.0)
            base_path.append(0.0)
            n_path.append(len(entries_all))
            continue
        fk = to_ret(logp[k:] - logp[:-k])
        ek = entries_all[entries_all < n - k]
        ev_path.append(float(fk[ek].mean()) if len(ek) else np.nan)
        base_path.append(float(fk.mean()))
        n_path.append(len(ek))
    path = pd.DataFrame({"event": ev_path, "baseline": base_path, "n_events": n_path},
                        index=pd.Index(ks, name="bars"))

    if counts["given"] == 0:
        notes.append("no event dates were given")
    elif counts["kept"] == 0:
        notes.append("no event falls inside the price history")
    notes.append(
        f"{counts['given']} event dates given; {counts['outside']} outside the price history, "
        f"{counts['same_bar']} on a bar already counted, {counts['declustered']} removed by "
        f"min_gap={min_gap}, {counts['no_entry_bar']} without an entry bar; {counts['kept']} kept"
    )
    for h, r in table.iterrows():
        if r["n_dropped_end"]:
            notes.append(f"{h} bars: {int(r['n_dropped_end'])} event(s) too close to the end, dropped")
    notes.append(
        f"{kind} returns of '{column}' from the entry close (entry_lag={entry_lag}); interval: "
        f"{'circular-shift randomization' if interval == 'shift' else 'cluster bootstrap'} "
        f"({n_boot} draws, seed={seed}); p-value: circular-shift test"
    )
    params = {"horizons": list(hs), "kind": kind, "column": column, "entry_lag": int(entry_lag),
              "min_gap": min_gap, "n_boot": int(n_boot), "ci": float(ci), "seed": seed,
              "min_events": int(min_events), "interval": interval}
    per_event.attrs = dict(px.attrs) if isinstance(prices, pd.Series) else dict(prices.attrs)
    return EventStudyResult(table=table, events=per_event, path=path, counts=counts,
                            params=params, notes=tuple(notes), name=name)
