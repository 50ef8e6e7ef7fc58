"""Lead and lag between two series, without fooling ourselves.

- :func:`cross_correlation`: the cross-correlogram of *prewhitened* changes
  (Box and Jenkins): the autocorrelation of x is removed with an AR filter and
  the same filter is applied to y, so a peak at lag k reflects x leading y, not
  the persistence of either series. Band: +-z / sqrt(n).
- :func:`granger`: Granger causality both ways on stationary data, with the lag
  chosen by an information criterion and shown.
- :func:`toda_yamamoto`: the Toda-Yamamoto (1995) variant for levels that may be
  integrated or cointegrated.
- :func:`lead_lag`: cross-correlation and Granger together.
- :func:`predictive_regression`: does a slow series (e.g. margin-debt growth)
  predict the next months' returns, using each number only from the day it was
  published.

Convention everywhere: **lag k > 0 means x leads y by k periods**, i.e. the
correlation of x_t with y_{t+k}.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._results import Result, get_ax

__all__ = [
    "CrossCorrelationResult",
    "GrangerResult",
    "LeadLagResult",
    "PredictiveResult",
    "cross_correlation",
    "granger",
    "lead_lag",
    "predictive_regression",
    "toda_yamamoto",
]


def _pair(x: Any, y: Any, min_obs: int = 24) -> tuple[pd.DataFrame, str, str]:
    for what, v in (("x", x), ("y", y)):
        if not isinstance(v, pd.Series):
            raise TypeError(f"{what}: expected a pandas Series, got {type(v).__name__}")
    xn = str(x.name) if x.name is not None else "x"
    yn = str(y.name) if y.name is not None else "y"
    if xn == yn:
        xn, yn = f"{xn} (x)", f"{yn} (y)"
    df = pd.concat({xn: x.astype(float), yn: y.astype(float)}, axis=1, join="inner").dropna()
    if len(df) < min_obs:
        raise ValueError(f"x, y: {len(df)} common observations; need at least {min_obs}")
    return df, xn, yn


def _ccf_values(a: np.ndarray, b: np.ndarray, lags: np.ndarray) -> np.ndarray:
    """corr(a_t, b_{t+k}) for each k, with full-sample means and divisor n
    (the usual sample cross-correlation, as in statsmodels ``ccf(adjusted=False)``)."""
    n = len(a)
    da, db = a - a.mean(), b - b.mean()
    denom = n * a.std() * b.std()
    out = np.empty(len(lags))
    for i, k in enumerate(lags):
        out[i] = (da[: n - k] * db[k:]).sum() / denom if k >= 0 else (da[-k:] * db[: n + k]).sum() / denom
    return out


def _ar_filter(x: np.ndarray, max_order: int, order: int | None) -> tuple[np.ndarray, int]:
    """AR coefficients of x (constant included, order by AIC unless given)."""
    from statsmodels.tsa.ar_model import AutoReg, ar_select_order

    if order is None:
        sel = ar_select_order(x, maxlag=max_order, ic="aic", trend="c")
        lags = sel.ar_lags
        p = int(max(lags)) if lags else 0
    else:
        p = int(order)
    if p == 0:
        return np.zeros(0), 0
    fit = AutoReg(x, lags=p, trend="c").fit()
    return np.asarray(fit.params[1:]), p


def _apply_filter(v: np.ndarray, phi: np.ndarray) -> np.ndarray:
    p = len(phi)
    if p == 0:
        return v.copy()
    out = v[p:].copy()
    for i in range(1, p + 1):
        out -= phi[i - 1] * v[p - i: len(v) - i]
    return out


@dataclass(frozen=True, eq=False)
class CrossCorrelationResult(Result):
    """Cross-correlogram of (prewhitened) x and y.

    ``table``: index ``lag`` (k > 0: x leads y by k), columns ``ccf``
    (prewhitened), ``raw`` (unfiltered), ``band`` (+-z/sqrt(n)), ``significant``.
    """

    table: pd.DataFrame
    x: str
    y: str
    ar_order: int
    nobs: int
    ci: float
    prewhitened: bool
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        pw = f"prewhitened with AR({self.ar_order}) of {self.x}" if self.prewhitened else "raw"
        return f"Cross-correlation of {self.x} and {self.y} ({pw}; lag > 0: {self.x} leads)"

    @property
    def peak_lag(self) -> int:
        """Lag with the largest absolute (prewhitened) correlation."""
        return int(self.table["ccf"].abs().idxmax())

    def summary(self) -> pd.DataFrame:
        return self.table.copy()

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def significant_lags(self) -> list[int]:
        return [int(k) for k in self.table.index[self.table["significant"]]]

    def plot(self, ax: Any = None) -> Any:
        """Bars of the correlation by lag with the +-band."""
        from ..charts._style import COLORS

        ax = get_ax(ax)
        t = self.table
        colors = [COLORS["accent"] if s else COLORS["series"][0] for s in t["significant"]]
        ax.bar(t.index, t["ccf"], color=colors, width=0.7)
        ax.plot(t.index, t["raw"], "o", ms=3, color=COLORS["muted"], label="raw (not prewhitened)")
        band = float(t["band"].iloc[0])
        ax.axhspan(-band, band, color=COLORS["band"], alpha=0.6,
                   label=f"{round(self.ci * 100)}% band for no correlation")
        ax.axhline(0, color="black", lw=0.6)
        ax.axvline(0, color="black", lw=0.4, ls=":")
        ax.set_xlabel(f"lag k (k > 0: {self.x} leads {self.y} by k)")
        ax.set_ylabel("correlation")
        ax.set_title(self.title)
        ax.legend(loc="best")
        return ax


def cross_correlation(
    x: pd.Series,
    y: pd.Series,
    max_lag: int = 12,
    *,
    prewhiten: bool = True,
    ar_order: int | None = None,
    max_ar: int = 12,
    ci: float = 0.95,
) -> CrossCorrelationResult:
    """Cross-correlation of x and y over lags -max_lag..max_lag.

    .. math:: r_{xy}(k) = \\frac{\\sum_t (x_t - \\bar x)(y_{t+k} - \\bar y)}{n\\, s_x s_y}

    With ``prewhiten=True`` (Box-Jenkins) an AR(p) model is fitted to x
    (``statsmodels`` ``AutoReg``; p by AIC up to ``max_ar`` unless ``ar_order``
    is given), x is replaced by its residuals and y is passed through the same
    filter ``y_t - sum_i phi_i y_{t-i}``. Under no cross-correlation the
    prewhitened coefficients are approximately N(0, 1/n), so the band is
    ``+-z/sqrt(n)``; a coefficient outside it is flagged ``significant``
    (expect about 5 % of lags outside by chance at 95 %). Feed stationary data
    (changes, not levels).

    Returns
    -------
    CrossCorrelationResult
    """
    from scipy import stats as sst

    if not isinstance(max_lag, (int, np.integer)) or max_lag < 1:
        raise ValueError(f"max_lag: must be a positive integer, got {max_lag!r}")
    df, xn, yn = _pair(x, y, min_obs=max(24, 3 * max_lag))
    a, b = df[xn].to_numpy(), df[yn].to_numpy()
    lags = np.arange(-max_lag, max_lag + 1)
    raw = _ccf_values(a, b, lags)
    p = 0
    if prewhiten:
        phi, p = _ar_filter(a, max_ar, ar_order)
        fa, fb = _apply_filter(a, phi), _apply_filter(b, phi)
        if p:
            fa = fa - fa.mean()
        pw = _ccf_values(fa, fb, lags)
        n = len(fa)
    else:
        pw, n = raw, len(a)
    band = float(sst.norm.ppf(0.5 + ci / 2) / np.sqrt(n))
    table = pd.DataFrame({"ccf": pw, "raw": raw, "band": band},
                         index=pd.Index(lags, name="lag"))
    table["significant"] = table["ccf"].abs() > band
    return CrossCorrelationResult(table, xn, yn, p, n, ci, prewhiten)


# --------------------------------------------------------------------------- Granger


@dataclass(frozen=True, eq=False)
class GrangerResult(Result):
    """Granger causality tests both ways.

    ``table``: one row per direction with the lag used, statistic, degrees of
    freedom, p-value, the null in words and the reading at 5 %.
    """

    table: pd.DataFrame
    lag_choice: str
    method: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"{self.method} ({self.lag_choice})"

    def summary(self) -> pd.DataFrame:
        return self.table.copy()

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        from ..charts._style import COLORS

        ax = get_ax(ax, figsize=(6, 3))
        t = self.table
        ax.barh(t["direction"], t["p_value"], color=COLORS["series"][0])
        ax.axvline(0.05, color="black", ls="--", lw=0.8)
        ax.set_xlabel("p-value")
        ax.set_title(self.title)
        return ax


def _select_var_lag(df: pd.DataFrame, max_lag: int, ic: str) -> int:
    from statsmodels.tsa.api import VAR

    ml = int(min(max_lag, max(1, len(df) // 10)))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sel = VAR(df.to_numpy()).select_order(ml)
    return max(1, int(getattr(sel, ic)))


def granger(
    x: pd.Series,
    y: pd.Series,
    max_lag: int = 12,
    *,
    lag: int | None = None,
    ic: Literal["aic", "bic", "hqic", "fpe"] = "aic",
    alpha: float = 0.05,
) -> GrangerResult:
    """Granger causality in both directions on stationary series.

    The lag p is chosen by ``ic`` on a VAR of (x, y) (``statsmodels``
    ``VAR.select_order`` up to ``max_lag``, at least 1) unless ``lag`` is given.
    For "x -> y" the unrestricted regression is
    ``y_t = c + sum_{i<=p} a_i y_{t-i} + sum_{i<=p} b_i x_{t-i} + e_t`` and
    **H0: b_1 = ... = b_p = 0** (past x does not help predict y beyond y's own
    past), tested with the SSR-based F test; the same for "y -> x". Granger
    causality is predictive precedence, not causation. Feed changes, not
    trending levels (see :func:`toda_yamamoto` for levels).

    Calls ``statsmodels.tsa.stattools.grangercausalitytests(df[[y, x]], [p])``.
    """
    from statsmodels.tsa.stattools import grangercausalitytests

    df, xn, yn = _pair(x, y, min_obs=30)
    if lag is None:
        p = _select_var_lag(df, max_lag, ic)
        choice = f"lag {p} chosen by {ic.upper()} on a VAR, up to {max_lag}"
    else:
        p = int(lag)
        choice = f"lag {p} (given)"
    rows = []
    for cause, effect in ((xn, yn), (yn, xn)):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = grangercausalitytests(df[[effect, cause]].to_numpy(), [p])
        f, pv, df_den, df_num = res[p][0]["ssr_ftest"]
        rows.append({
            "direction": f"{cause} -> {effect}", "lag": p, "statistic": float(f),
            "df_num": int(df_num), "df_den": float(df_den), "p_value": float(pv),
            "null": f"past {cause} does not help predict {effect} beyond {effect}'s own past",
            "reading": (f"rejected at {alpha:.0%}: {cause} helps predict {effect}" if pv < alpha
                        else f"not rejected at {alpha:.0%}"),
        })
    return GrangerResult(pd.DataFrame(rows), choice, "Granger causality (F test)")


def toda_yamamoto(
    x: pd.Series,
    y: pd.Series,
    max_lag: int = 12,
    *,
    d_max: int = 1,
    lag: int | None = None,
    ic: Literal["aic", "bic", "hqic", "fpe"] = "aic",
    alpha: float = 0.05,
) -> GrangerResult:
    """Toda and Yamamoto (1995) causality test on levels.

    A VAR in levels with ``p + d_max`` lags is estimated equation by equation
    (OLS with a constant), p chosen by ``ic`` on the levels VAR (unless given)
    and ``d_max`` the highest suspected order of integration. The Wald test
    restricts only the first p lags of the cause to zero; the extra ``d_max``
    lags make the statistic asymptotically chi-squared(p) whether the series
    are stationary, integrated or cointegrated. **H0: the first p lags of the
    cause have zero coefficients** (no Granger causality).
    """
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: 0.5 s less to import
    from statsmodels.tools.tools import add_constant

    df, xn, yn = _pair(x, y, min_obs=30)
    if lag is None:
        p = _select_var_lag(df, max_lag, ic)
        choice = f"lag {p} by {ic.upper()} + {d_max} extra lag(s) (Toda-Yamamoto)"
    else:
        p = int(lag)
        choice = f"lag {p} (given) + {d_max} extra lag(s) (Toda-Yamamoto)"
    k = p + int(d_max)
    rows = []
    for cause, effect in ((xn, yn), (yn, xn)):
        cols = {}
        for i in range(1, k + 1):
            cols[f"{effect}_l{i}"] = df[effect].shift(i)
        for i in range(1, k + 1):
            cols[f"{cause}_l{i}"] = df[cause].shift(i)
        X = add_constant(pd.DataFrame(cols)).iloc[k:]
        fit = OLS(df[effect].iloc[k:], X).fit()
        R = np.zeros((p, X.shape[1]))
        for j in range(p):
            R[j, list(X.columns).index(f"{cause}_l{j + 1}")] = 1.0
        w = fit.wald_test(R, use_f=False, scalar=True)
        stat, pv = float(w.statistic), float(w.pvalue)
        rows.append({
            "direction": f"{cause} -> {effect}", "lag": p, "statistic": stat, "df_num": p,
            "df_den": np.nan, "p_value": pv,
            "null": f"the first {p} lags of {cause} do not enter the {effect} equation",
            "reading": (f"rejected at {alpha:.0%}: {cause} helps predict {effect}" if pv < alpha
                        else f"not rejected at {alpha:.0%}"),
        })
    return GrangerResult(pd.DataFrame(rows), choice, "Toda-Yamamoto Wald test (chi-squared)")


# --------------------------------------------------------------------------- combined


@dataclass(frozen=True, eq=False)
class LeadLagResult(Result):
    """Prewhitened cross-correlation plus Granger tests both ways."""

    ccf: CrossCorrelationResult
    granger: GrangerResult
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Lead/lag of {self.ccf.x} and {self.ccf.y}"

    def summary(self) -> pd.DataFrame:
        """The Granger table plus the peak of the cross-correlogram."""
        g = self.granger.summary()
        t = self.ccf.table
        peak = self.ccf.peak_lag
        extra = pd.DataFrame([{
            "direction": "peak cross-correlation", "lag": peak, "statistic": t.loc[peak, "ccf"],
            "p_value": np.nan,
            "null": "no cross-correlation at any lag (band +-z/sqrt(n))",
            "reading": ("outside the band" if t.loc[peak, "significant"] else "inside the band")
            + f"; lag > 0 means {self.ccf.x} leads",
        }])
        return pd.concat([g, extra], ignore_index=True)

    def to_frame(self) -> pd.DataFrame:
        return self.ccf.to_frame()

    def plot(self, ax: Any = None) -> Any:
        return self.ccf.plot(ax)


def lead_lag(x: pd.Series, y: pd.Series, max_lag: int = 12, *, ic: str = "aic",
             ci: float = 0.95) -> LeadLagResult:
    """:func:`cross_correlation` (prewhitened) and :func:`granger` on stationary x, y."""
    c = cross_correlation(x, y, max_lag, ci=ci)
    g = granger(x, y, max_lag, ic=ic)  # type: ignore[arg-type]
    return LeadLagResult(c, g)


# --------------------------------------------------------------------------- prediction


@dataclass(frozen=True, eq=False)
class PredictiveResult(Result):
    """Regression of forward returns on a signal known at the time.

    ``table``: one row per horizon: n, slope, HAC standard error, t, p-value,
    R^2, correlation, quantile means (``q_low_mean`` and ``q_high_mean``: mean
    forward return when the signal is in its bottom / top third).
    ``data``: per observation: reference date, decision date, entry date,
    signal, forward returns.
    """

    table: pd.DataFrame
    data: pd.DataFrame
    signal_name: str
    align: str
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        when = "publication date" if self.align == "published" else "reference date (look-ahead!)"
        return f"Forward returns on {self.signal_name}, aligned on the {when}"

    def summary(self) -> pd.DataFrame:
        return self.table.copy()

    def to_frame(self) -> pd.DataFrame:
        return self.data.copy()

    def plot(self, ax: Any = None, horizon: int | None = None) -> Any:
        """Scatter of forward return against the signal for one horizon with the OLS line."""
        from ..charts._style import COLORS

        ax = get_ax(ax)
        h = horizon if horizon is not None else int(self.table.index[0])
        d = self.data[["signal", f"fwd_{h}"]].dropna()
        ax.scatter(d["signal"], d[f"fwd_{h}"] * 100, s=12, color=COLORS["price"], alpha=0.6)
        row = self.table.loc[h]
        xs = np.linspace(d["signal"].min(), d["signal"].max(), 50)
        ax.plot(xs, (row["intercept"] + row["slope"] * xs) * 100, color=COLORS["accent"],
                label=f"slope {row['slope']:.3g}, t(HAC) {row['t_hac']:.2f}, R^2 {row['r_squared']:.3f}")
        ax.axhline(0, color="black", lw=0.6)
        ax.set_xlabel(self.signal_name)
        ax.set_ylabel(f"forward {h}-period return (%)")
        ax.set_title(self.title)
        ax.legend(loc="best")
        return ax


def predictive_regression(
    signal: pd.Series,
    prices: pd.Series | pd.DataFrame,
    horizons: Iterable[int] = (1, 3, 6),
    *,
    published: pd.Series | None = None,
    align: Literal["published", "reference"] = "published",
    bars_per_period: int = 21,
    column: str = "close",
    hac_lags: int | None = None,
) -> PredictiveResult:
    """Does a slow signal predict the next periods' returns, point in time?

    For each observation i of ``signal`` (indexed by reference date, e.g. the
    month the margin figure describes) the *decision date* is its publication
    date (``published``, e.g. ``sc.data.load("margin_debt")["published"]``)
    when ``align="published"``, or the reference date itself when
    ``align="reference"`` (which uses numbers before they were public: shown
    only to measure the look-ahead bias). The entry is the first bar on or
    after the decision date; the forward log return over ``h`` periods is
    ``ln(P[entry + h * bars_per_period] / P[entry])`` (21 trading days per
    month). Then, per horizon, OLS ``fwd_h = a + b signal + e`` with a
    Newey-West covariance with ``max(h, 1)`` lags (``hac_lags`` overrides),
    since overlapping windows make consecutive errors correlated.

    Returns
    -------
    PredictiveResult
        ``.summary()`` by horizon: n, slope, se_hac, t_hac, p_value, r_squared,
        corr, q_low_mean, q_high_mean, intercept.
    """
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: 0.5 s less to import
    from statsmodels.tools.tools import add_constant

    from .eventstudy import _price_series

    if not isinstance(signal, pd.Series) or not isinstance(signal.index, pd.DatetimeIndex):
        raise TypeError("signal: expected a Series with a DatetimeIndex of reference dates")
    if align not in ("published", "reference"):
        raise ValueError(f"align: must be 'published' or 'reference', got {align!r}")
    hs = [int(h) for h in horizons]
    if not hs or any(h < 1 for h in hs):
        raise ValueError(f"horizons: positive integers (periods) required, got {hs}")
    px = _price_series(prices, column)
    sig = signal.astype(float).dropna()
    if align == "published":
        if published is None:
            raise ValueError("published: needed for align='published' (the date each value "
                             "became public, e.g. the 'published' column of a loaded series)")
        pub = pd.to_datetime(pd.Series(published)).reindex(sig.index)
        if pub.isna().any():
            raise ValueError(f"published: missing for {pub.isna().sum()} signal dates")
        decision = pd.DatetimeIndex(pub.to_numpy())
    else:
        decision = sig.index
    pos = px.index.searchsorted(decision, side="left")
    ok = pos < len(px)
    logp = np.log(px.to_numpy())
    data = pd.DataFrame({"decision": decision, "signal": sig.to_numpy()},
                        index=pd.DatetimeIndex(sig.index, name="ref_date"))
    data["entry"] = pd.NaT
    data.loc[ok, "entry"] = px.index[pos[ok]]
    rows = []
    notes = []
    for h in hs:
        step = h * bars_per_period
        end = pos + step
        valid = ok & (end < len(px))
        fwd = np.full(len(sig), np.nan)
        fwd[valid] = logp[end[valid]] - logp[pos[valid]]
        data[f"fwd_{h}"] = fwd
        d = data[["signal", f"fwd_{h}"]].dropna()
        if len(d) < 12:
            notes.append(f"{h}: only {len(d)} observations; no regression")
            rows.append({"horizon": h, "n": len(d)})
            continue
        lags = int(hac_lags) if hac_lags is not None else max(h, 1)
        fit = OLS(d[f"fwd_{h}"].to_numpy(), add_constant(d["signal"].to_numpy())).fit(
            cov_type="HAC", cov_kwds={"maxlags": lags})
        q = d["signal"].quantile([1 / 3, 2 / 3])
        rows.append({
            "horizon": h, "n": len(d), "slope": float(fit.params[1]),
            "se_hac": float(fit.bse[1]), "t_hac": float(fit.tvalues[1]),
            "p_value": float(fit.pvalues[1]), "r_squared": float(fit.rsquared),
            "corr": float(np.corrcoef(d["signal"], d[f"fwd_{h}"])[0, 1]),
            "q_low_mean": float(d.loc[d["signal"] <= q.iloc[0], f"fwd_{h}"].mean()),
            "q_high_mean": float(d.loc[d["signal"] >= q.iloc[1], f"fwd_{h}"].mean()),
            "intercept": float(fit.params[0]), "hac_lags": lags,
        })
    table = pd.DataFrame(rows).set_index("horizon")
    notes.append(f"entry at the first close on or after the {align} date; "
                 f"{bars_per_period} bars per period; log returns")
    return PredictiveResult(table, data, str(signal.name or "signal"), align, tuple(notes))
