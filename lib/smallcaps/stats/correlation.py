"""Correlation done right: levels versus changes, with honest intervals.

Two trending series nearly always show a high correlation of levels, whether
or not they are related (Granger and Newbold 1974; Phillips 1986).
:func:`correlation_report` therefore puts the level correlation that headlines
quote next to the figures that can carry an inference: the correlation of log
changes with a HAC (Newey-West) or moving-block-bootstrap interval, the
correlation of detrended series, rolling correlations, and the
Granger-Newbold warning sign of a spurious regression, R^2 > Durbin-Watson.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from .._core.inputs import dated_series
from ._results import Result, get_ax

__all__ = [
    "CorrelationReport",
    "align_monthly",
    "correlation_report",
    "spurious_benchmark",
    "to_monthly",
]

Basis = Literal["month_end", "mean"]


# --------------------------------------------------------------------------- inputs


def _as_series(obj: Any, what: str, column: str = "close") -> pd.Series:
    """The input policy of :mod:`smallcaps._core.inputs`; missing values are dropped
    (monthly sampling and alignment work on the observations there are)."""
    s = dated_series(obj, what, column, dropna=True)
    if isinstance(obj, pd.DataFrame) and s.name == column:
        s.name = obj.attrs.get("provenance", {}).get("name", column)
    return s


def _series_name(s: pd.Series, default: str) -> str:
    if s.name is not None and str(s.name) not in ("close", "value"):
        return str(s.name)
    return str(s.attrs.get("provenance", {}).get("name", s.name or default))


def to_monthly(
    series: pd.Series | pd.DataFrame,
    basis: Basis = "month_end",
    *,
    column: str = "close",
    drop_partial: bool = True,
) -> pd.Series:
    """Calendar-monthly values of a daily (or already monthly) series.

    Parameters
    ----------
    series : Series, or a price frame (``column`` is used).
    basis : ``"month_end"`` = the last available value of each month (a
        month-end close); ``"mean"`` = the average of the month's values.
    column : column of a frame.
    drop_partial : for daily-like data (median spacing under 20 days), drop the
        final month when the data stop more than three days before its last
        business day (a month still in progress). Monthly data are never cut.

    Returns
    -------
    Series indexed by calendar month-end dates, named like the input; ``attrs``
    carry the input's provenance plus ``monthly_basis``.
    """
    if basis not in ("month_end", "mean"):
        raise ValueError(f"basis: must be 'month_end' or 'mean', got {basis!r}")
    s = _as_series(series, "series", column)
    if s.empty:
        raise ValueError("series: no values")
    grouped = s.resample("ME")
    out = (grouped.last() if basis == "month_end" else grouped.mean()).dropna()
    daily_like = len(s) > 1 and pd.Series(s.index).diff().median() < pd.Timedelta(days=20)
    if drop_partial and daily_like and len(out):
        last_obs = s.index[-1]
        last_bday = pd.offsets.BMonthEnd().rollback(last_obs + pd.offsets.MonthEnd(0))
        if (last_bday - last_obs).days > 3:
            out = out.iloc[:-1]
    out.index.name = "date"
    out.attrs = dict(getattr(series, "attrs", {}))
    out.attrs["monthly_basis"] = basis
    out.name = s.name
    return out


def _slice(s: pd.DataFrame, start: Any, end: Any, monthly: bool) -> pd.DataFrame:
    lo = pd.Timestamp(start) if start is not None else None
    hi = pd.Timestamp(end) if end is not None else None
    if hi is not None and monthly:
        hi = hi + pd.offsets.MonthEnd(0)
    return s.loc[lo:hi]


def align_monthly(
    x: pd.Series | pd.DataFrame,
    y: pd.Series | pd.DataFrame,
    basis: Basis = "month_end",
    *,
    freq: str | None = "ME",
    start: Any = None,
    end: Any = None,
    column: str = "close",
) -> pd.DataFrame:
    """Both series on common calendar months (inner join), columns ``x`` and ``y``.

    ``freq=None`` skips resampling and joins on the given dates. ``end`` given
    as a month (``"2025-04"`` or any day in it) includes that whole month.
    """
    if freq not in ("ME", None):
        raise ValueError(f"freq: only 'ME' (calendar month) or None are supported, got {freq!r}")
    xs = _as_series(x, "x", column)
    ys = _as_series(y, "y", column)
    if freq == "ME":
        xs = to_monthly(xs, basis)
        ys = to_monthly(ys, basis)
    df = pd.concat({"x": xs, "y": ys}, axis=1, join="inner", sort=True).dropna()
    return _slice(df, start, end, monthly=freq == "ME")


# --------------------------------------------------------------------------- statistics


def newey_west_lags(n: int) -> int:
    """Newey-West (1994) rule of thumb: ``floor(4 (n / 100)^(2/9))``."""
    return int(np.floor(4 * (n / 100.0) ** (2.0 / 9.0)))


def _hac_corr(a: np.ndarray, b: np.ndarray, lags: int, ci: float) -> tuple[float, float, float, float]:
    """r, HAC standard error, p-value of r = 0, interval half-width.

    Both series are standardised (population sd), so the OLS slope of ``b`` on
    ``a`` equals Pearson's r; its Newey-West standard error (statsmodels
    ``cov_type="HAC"``) gives the interval ``r +- z * se``.
    """
    from scipy import stats as sst
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: 0.5 s less to import
    from statsmodels.tools.tools import add_constant

    za = (a - a.mean()) / a.std()
    zb = (b - b.mean()) / b.std()
    fit = OLS(zb, add_constant(za)).fit(cov_type="HAC", cov_kwds={"maxlags": lags})
    r = float(fit.params[1])
    se = float(fit.bse[1])
    z = float(sst.norm.ppf(0.5 + ci / 2))
    return r, se, float(fit.pvalues[1]), z * se


def _block_bootstrap_corr(a: np.ndarray, b: np.ndarray, block: int, n_boot: int, ci: float,
                          seed: int | None) -> tuple[float, float]:
    """Moving-block bootstrap percentile interval of Pearson's r (pairs kept together)."""
    n = len(a)
    rng = np.random.default_rng(seed)
    n_blocks = int(np.ceil(n / block))
    starts = rng.integers(0, n - block + 1, size=(n_boot, n_blocks))
    idx = (starts[:, :, None] + np.arange(block)[None, None, :]).reshape(n_boot, -1)[:, :n]
    aa, bb = a[idx], b[idx]
    aa = aa - aa.mean(axis=1, keepdims=True)
    bb = bb - bb.mean(axis=1, keepdims=True)
    r = (aa * bb).sum(axis=1) / np.sqrt((aa**2).sum(axis=1) * (bb**2).sum(axis=1))
    alpha = (1 - ci) / 2
    lo, hi = np.quantile(r, [alpha, 1 - alpha])
    return float(lo), float(hi)


def _ols_r2_dw(y: np.ndarray, x: np.ndarray) -> tuple[float, float]:
    """R^2 and Durbin-Watson of the OLS regression y = a + b x + e."""
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: 0.5 s less to import
    from statsmodels.stats.stattools import durbin_watson
    from statsmodels.tools.tools import add_constant

    fit = OLS(y, add_constant(x)).fit()
    return float(fit.rsquared), float(durbin_watson(fit.resid))


def _detrend(v: np.ndarray) -> np.ndarray:
    t = np.arange(len(v), dtype=float)
    coef = np.polyfit(t, v, 1)
    return v - np.polyval(coef, t)


# --------------------------------------------------------------------------- result


@dataclass(frozen=True, eq=False)
class CorrelationReport(Result):
    """Outcome of :func:`correlation_report`.

    Attributes
    ----------
    table : one row per transformation (see :meth:`summary`).
    data : the aligned sample and its transformations (see :meth:`to_frame`).
    sample : dict: x, y (names), start, end, n_obs, frequency, basis, how
        (in words), window, hac_lags, ci, ci_method.
    unit_roots, cointegration, leadlag : results of the follow-up tests when
        ``tests=True`` (else None): :class:`~smallcaps.stats.unitroot.UnitRootReport`,
        :class:`~smallcaps.stats.unitroot.CointegrationResult`,
        :class:`~smallcaps.stats.leadlag.LeadLagResult`.
    notes : plain-language caveats and the spurious-regression warning.
    """

    table: pd.DataFrame
    data: pd.DataFrame
    sample: dict[str, Any]
    unit_roots: Any = None
    cointegration: Any = None
    leadlag: Any = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        s = self.sample
        return (f"Correlation of {s['x']} and {s['y']}: {s['n_obs']} {s['frequency']} observations "
                f"({s['basis_text']}), {s['start']} to {s['end']}")

    def summary(self) -> pd.DataFrame:
        """One row per transformation (index ``transform``).

        Rows: ``levels``, ``log levels``, ``detrended log levels`` (each log
        series minus its own OLS linear time trend) and ``log changes``.

        Columns: ``n``, ``r`` (Pearson), ``ci_low``, ``ci_high`` and ``p_value``
        (HAC or block bootstrap, for the stationary-looking transformations
        only: an interval on the correlation of trending levels is not
        meaningful), ``ci_method``, ``r_squared`` and ``durbin_watson`` of the
        OLS regression of y on x in that form, and ``spurious_flag`` (R^2 > DW,
        Granger and Newbold's rule of thumb).
        """
        return self.table.copy()

    def to_frame(self) -> pd.DataFrame:
        """The aligned sample: ``x``, ``y``, ``log_x``, ``log_y``, ``dlog_x``,
        ``dlog_y``, ``detrended_x``, ``detrended_y``, ``rolling_corr_changes``,
        ``rolling_corr_levels`` (over ``sample['window']`` periods)."""
        return self.data.copy()

    def value(self, transform: str = "levels") -> float:
        """The correlation for one transformation."""
        return float(self.table.loc[transform, "r"])

    @property
    def spurious(self) -> bool:
        """True when the level (or log-level) regression has R^2 > DW."""
        return bool(self.table.loc[["levels", "log levels"], "spurious_flag"].fillna(False).any())

    def headline(self) -> str:
        """The figures in one paragraph, in words."""
        t = self.table
        s = self.sample
        lv = t.loc["levels"]
        ch = t.loc["log changes"]
        text = (f"Level correlation {lv['r']:.3f} over {s['n_obs']} {s['frequency']} observations "
                f"({s['basis_text']}, {s['start']} to {s['end']}); correlation of log changes "
                f"{ch['r']:.3f}")
        if np.isfinite(ch["ci_low"]):
            text += (f" ({round(s['ci'] * 100)}% {ch['ci_method']} interval {ch['ci_low']:.2f} "
                     f"to {ch['ci_high']:.2f})")
        text += f"; detrended log levels {t.loc['detrended log levels', 'r']:.3f}."
        if self.spurious:
            lr = t.loc["levels"]
            text += (f" The level regression has R^2 {lr['r_squared']:.2f} above its Durbin-Watson "
                     f"statistic {lr['durbin_watson']:.2f}: the classic sign of a spurious "
                     "regression between trending series.")
        return text

    def plot(self, ax: Any = None, kind: str = "rolling") -> Any:
        """``kind="rolling"``: rolling correlation of log changes and of log levels;
        ``kind="scatter"``: log changes of y against x. Returns the Axes."""
        from ..charts._style import COLORS

        ax = get_ax(ax)
        d = self.data
        s = self.sample
        if kind == "rolling":
            ax.plot(d.index, d["rolling_corr_levels"], color=COLORS["muted"], lw=1.2,
                    label=f"log levels ({s['window']}-period rolling)")
            ax.plot(d.index, d["rolling_corr_changes"], color=COLORS["accent"], lw=1.5,
                    label=f"log changes ({s['window']}-period rolling)")
            ch = self.table.loc["log changes"]
            ax.axhline(ch["r"], color=COLORS["accent"], lw=0.8, ls="--",
                       label=f"full-sample change correlation {ch['r']:.2f}")
            ax.axhline(0, color="black", lw=0.6)
            ax.set_ylim(-1.05, 1.05)
            ax.set_ylabel("correlation")
            ax.set_title(f"Rolling correlation, {s['x']} vs {s['y']}")
        elif kind == "scatter":
            ax.scatter(d["dlog_x"] * 100, d["dlog_y"] * 100, s=10, color=COLORS["price"], alpha=0.6)
            ax.set_xlabel(f"{s['x']} log change (%)")
            ax.set_ylabel(f"{s['y']} log change (%)")
            ax.set_title(f"Log changes, r = {self.table.loc['log changes', 'r']:.2f}")
        else:
            raise ValueError(f"kind: must be 'rolling' or 'scatter', got {kind!r}")
        ax.legend(loc="best") if kind == "rolling" else None
        return ax


# --------------------------------------------------------------------------- main


def correlation_report(
    x: pd.Series | pd.DataFrame,
    y: pd.Series | pd.DataFrame,
    *,
    basis: Basis = "month_end",
    freq: str | None = "ME",
    start: Any = None,
    end: Any = None,
    column: str = "close",
    window: int = 36,
    ci: float = 0.95,
    ci_method: Literal["hac", "block_bootstrap"] = "hac",
    hac_lags: int | None = None,
    block: int | None = None,
    n_boot: int = 2000,
    seed: int | None = 0,
    min_obs: int = 36,
    tests: bool = True,
    max_lag: int = 12,
    names: tuple[str, str] | None = None,
) -> CorrelationReport:
    """How closely two series move together, and how much of that is trend.

    Both inputs are put on calendar months (``basis``: month-end values or
    monthly averages; already-monthly series are unchanged), joined on common
    months and cut to ``[start, end]``. Then, for the transformations
    levels, log levels, detrended log levels and log changes:

    - Pearson's r;
    - for detrended levels and log changes, an interval and p-value:
      ``ci_method="hac"`` standardises both series and regresses one on the
      other (slope = r) with a Newey-West covariance
      (``statsmodels`` ``cov_type="HAC"``, ``maxlags = hac_lags`` or the
      Newey-West rule ``floor(4 (n/100)^(2/9))``), interval ``r +- z se``;
      ``ci_method="block_bootstrap"`` resamples blocks of consecutive pairs
      (block length ``block`` or ``ceil(n^(1/3))``; Kunsch 1989) and takes
      percentiles (p-value NaN);
    - the R^2 and Durbin-Watson statistic of the OLS regression of y on x in
      that form, and ``spurious_flag = R^2 > DW`` (Granger and Newbold 1974:
      a high R^2 with strongly autocorrelated residuals is the signature of a
      regression between unrelated random walks).

    Rolling correlations of log changes and of log levels over ``window``
    periods are in :meth:`CorrelationReport.to_frame`. With ``tests=True``
    the report also carries unit-root tests (ADF, KPSS) of both series,
    cointegration tests (Engle-Granger both ways, Johansen) on log levels,
    and the lead/lag analysis (prewhitened cross-correlation over
    ``+-max_lag`` and Granger causality both ways on log changes).

    Parameters
    ----------
    x, y : Series or price frames (``column``) with a DatetimeIndex.
    basis : "month_end" or "mean": how daily values become monthly.
    freq : "ME" (calendar months, default) or None (use the dates as given).
    start, end : sample limits; ``end`` as a month includes the whole month.
    column : column of a price frame.
    window : rolling window in periods.
    ci : interval coverage.
    ci_method : "hac" or "block_bootstrap".
    hac_lags : Newey-West lags (default: the rule of thumb).
    block, n_boot, seed : block bootstrap settings.
    min_obs : fewest common observations accepted (36 months by default).
    tests : run the unit-root, cointegration and lead/lag follow-ups.
    max_lag : lead/lag range in periods.
    names : labels for x and y (default: series names / provenance names).

    Returns
    -------
    CorrelationReport

    Raises
    ------
    ValueError
        When the common sample has fewer than ``min_obs`` observations (naming
        the window), or an option is invalid.

    References
    ----------
    Granger, C. W. J. and Newbold, P. (1974), "Spurious regressions in
    econometrics", *Journal of Econometrics* 2, 111-120. Newey, W. and West, K.
    (1987, 1994). Kunsch, H. R. (1989), "The jackknife and the bootstrap for
    general stationary observations", *Annals of Statistics* 17.
    """
    if ci_method not in ("hac", "block_bootstrap"):
        raise ValueError(f"ci_method: must be 'hac' or 'block_bootstrap', got {ci_method!r}")
    if not (0 < ci < 1):
        raise ValueError(f"ci: must be between 0 and 1, got {ci!r}")
    if not isinstance(window, (int, np.integer)) or window < 3:
        raise ValueError(f"window: must be an integer >= 3, got {window!r}")
    if not isinstance(min_obs, (int, np.integer)) or min_obs < 8:
        raise ValueError(f"min_obs: must be an integer >= 8, got {min_obs!r}")
    xs = _as_series(x, "x", column)
    ys = _as_series(y, "y", column)
    xname, yname = names if names is not None else (_series_name(xs, "x"), _series_name(ys, "y"))
    df = align_monthly(xs, ys, basis, freq=freq, start=start, end=end)
    n = len(df)
    if n < min_obs:
        span = f"{df.index[0]:%Y-%m} to {df.index[-1]:%Y-%m}" if n else "the requested window"
        unit = "monthly " if freq == "ME" else ""
        raise ValueError(
            f"sample: only {n} common {unit}observations of {xname} and {yname} in {span} "
            f"(start={start}, end={end}); need at least {min_obs}. Widen start/end."
        )
    notes: list[str] = []
    xv, yv = df["x"].to_numpy(), df["y"].to_numpy()
    positive = bool((xv > 0).all() and (yv > 0).all())
    lags = int(hac_lags) if hac_lags is not None else newey_west_lags(n)
    blk = int(block) if block is not None else int(np.ceil(n ** (1 / 3)))

    data = df.copy()
    if positive:
        data["log_x"], data["log_y"] = np.log(xv), np.log(yv)
    else:
        notes.append("a series has non-positive values: log transformations are skipped "
                     "and changes are first differences")
        data["log_x"], data["log_y"] = np.nan, np.nan
    lx = data["log_x"] if positive else data["x"]
    ly = data["log_y"] if positive else data["y"]
    data["dlog_x"], data["dlog_y"] = lx.diff(), ly.diff()
    data["detrended_x"] = _detrend(lx.to_numpy())
    data["detrended_y"] = _detrend(ly.to_numpy())
    data["rolling_corr_changes"] = data["dlog_x"].rolling(window).corr(data["dlog_y"])
    data["rolling_corr_levels"] = lx.rolling(window).corr(ly)

    rows = []

    def add(name: str, a: np.ndarray, b: np.ndarray, interval: bool) -> None:
        ok = np.isfinite(a) & np.isfinite(b)
        a, b = a[ok], b[ok]
        row: dict[str, Any] = {"transform": name, "n": len(a)}
        if len(a) < 3 or np.std(a) == 0 or np.std(b) == 0:
            row.update(r=np.nan, ci_low=np.nan, ci_high=np.nan, p_value=np.nan, ci_method="",
                       r_squared=np.nan, durbin_watson=np.nan, spurious_flag=np.nan)
            rows.append(row)
            return
        row["r"] = float(np.corrcoef(a, b)[0, 1])
        row.update(ci_low=np.nan, ci_high=np.nan, p_value=np.nan, ci_method="")
        if interval:
            if ci_method == "hac":
                _, _, pv, half = _hac_corr(a, b, lags, ci)
                row.update(ci_low=max(-1.0, row["r"] - half), ci_high=min(1.0, row["r"] + half),
                           p_value=pv, ci_method=f"HAC (Newey-West, {lags} lags)")
            else:
                lo, hi = _block_bootstrap_corr(a, b, blk, n_boot, ci, seed)
                row.update(ci_low=lo, ci_high=hi, ci_method=f"block bootstrap (block {blk})")
        r2, dw = _ols_r2_dw(b, a)
        row.update(r_squared=r2, durbin_watson=dw, spurious_flag=bool(r2 > dw))
        rows.append(row)

    add("levels", xv, yv, interval=False)
    if positive:
        add("log levels", data["log_x"].to_numpy(), data["log_y"].to_numpy(), interval=False)
    else:
        rows.append({"transform": "log levels", "n": 0})
    add("detrended log levels", data["detrended_x"].to_numpy(), data["detrended_y"].to_numpy(),
        interval=True)
    add("log changes", data["dlog_x"].to_numpy(), data["dlog_y"].to_numpy(), interval=True)
    cols = ["n", "r", "ci_low", "ci_high", "p_value", "ci_method", "r_squared", "durbin_watson",
            "spurious_flag"]
    table = pd.DataFrame(rows).set_index("transform").reindex(columns=cols)

    lev = table.loc["levels"]
    if pd.notna(lev["spurious_flag"]) and bool(lev["spurious_flag"]):
        notes.append(
            f"spurious-regression warning: levels R^2 {lev['r_squared']:.3f} > Durbin-Watson "
            f"{lev['durbin_watson']:.3f} (Granger-Newbold): the level correlation says little"
        )
    det = table.loc["detrended log levels"]
    if pd.notna(det["spurious_flag"]) and bool(det["spurious_flag"]):
        notes.append(
            f"the detrended series are still very persistent (R^2 {det['r_squared']:.2f} > DW "
            f"{det['durbin_watson']:.2f}): removing a straight trend does not make them "
            "stationary, so their interval is optimistic"
        )
    notes.append("intervals are given only for detrended levels and changes; trending levels "
                 "have no meaningful sampling interval for r")
    freq_text = "monthly" if freq == "ME" else "as given"
    basis_text = ("month-end values" if basis == "month_end" else "monthly averages") \
        if freq == "ME" else "dates as given"
    sample = {
        "x": xname, "y": yname,
        "start": f"{df.index[0]:%Y-%m}" if freq == "ME" else f"{df.index[0]:%Y-%m-%d}",
        "end": f"{df.index[-1]:%Y-%m}" if freq == "ME" else f"{df.index[-1]:%Y-%m-%d}",
        "n_obs": n, "frequency": freq_text, "basis": basis if freq == "ME" else None,
        "basis_text": basis_text, "window": int(window), "hac_lags": lags, "ci": float(ci),
        "ci_method": ci_method, "block": blk,
    }
    data.attrs = {"x_provenance": xs.attrs.get("provenance"),
                  "y_provenance": ys.attrs.get("provenance")}

    ur = coint = ll = None
    if tests:
        from .leadlag import lead_lag
        from .unitroot import cointegration, unit_roots

        levels = pd.DataFrame({xname: lx, yname: ly})
        ur = unit_roots(levels, names_note="log levels" if positive else "levels")
        coint = cointegration(levels[yname], levels[xname], names=(yname, xname))
        ll = lead_lag(data["dlog_x"].rename(xname), data["dlog_y"].rename(yname),
                      max_lag=max_lag)
    return CorrelationReport(table=table, data=data, sample=sample, unit_roots=ur,
                             cointegration=coint, leadlag=ll, notes=tuple(notes))


def spurious_benchmark(
    n_obs: int,
    *,
    n_sims: int = 1000,
    drift: tuple[float, float] = (0.0, 0.0),
    seed: int | None = 0,
) -> pd.DataFrame:
    """Correlations of *independent* random walks: what "no relation" looks like.

    Simulates ``n_sims`` pairs of independent Gaussian random walks of length
    ``n_obs`` with steps ``N(drift_i, 1)`` (drift in standard deviations per
    step: a series whose log changes average 0.7 % with 5 % volatility has
    drift 0.14) and returns Pearson's r of their levels and of their changes.
    Comparing a real level correlation with the ``levels`` column shows how
    often unrelated trending series get as close (Granger and Newbold 1974).

    Returns
    -------
    DataFrame with columns ``levels`` and ``changes`` (one row per simulation).
    """
    if not isinstance(n_obs, (int, np.integer)) or n_obs < 10:
        raise ValueError(f"n_obs: must be an integer >= 10, got {n_obs!r}")
    if not isinstance(n_sims, (int, np.integer)) or n_sims < 10:
        raise ValueError(f"n_sims: must be an integer >= 10, got {n_sims!r}")
    rng = np.random.default_rng(seed)
    steps = rng.normal(size=(2, n_sims, n_obs)) + np.asarray(drift, dtype=float)[:, None, None]
    levels = steps.cumsum(axis=2)

    def rowcorr(a: np.ndarray, b: np.ndarray) -> np.ndarray:
        a = a - a.mean(axis=1, keepdims=True)
        b = b - b.mean(axis=1, keepdims=True)
        return (a * b).sum(axis=1) / np.sqrt((a**2).sum(axis=1) * (b**2).sum(axis=1))

    return pd.DataFrame({"levels": rowcorr(levels[0], levels[1]),
                         "changes": rowcorr(steps[0][:, 1:], steps[1][:, 1:])})
