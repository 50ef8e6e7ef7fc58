"""Unit roots and cointegration, each null hypothesis stated in words.

- :func:`adf` (augmented Dickey-Fuller; H0: unit root) and :func:`kpss`
  (Kwiatkowski-Phillips-Schmidt-Shin; H0: stationary) on one series; the two
  nulls are opposite, so reading them together is more informative than either.
- :func:`unit_roots`: both tests on the levels and first differences of each
  column of a frame, with an order-of-integration verdict.
- :func:`engle_granger` (H0: no cointegration) and :func:`johansen` (sequential
  trace test for the cointegration rank), combined by :func:`cointegration`.

All statistics come from ``statsmodels`` (imported inside the functions).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd

from ._results import Result, get_ax

__all__ = [
    "CointegrationResult",
    "CointegrationRobustness",
    "EngleGrangerResult",
    "JohansenResult",
    "UnitRootReport",
    "UnitRootTest",
    "adf",
    "cointegration",
    "cointegration_robustness",
    "engle_granger",
    "johansen",
    "kpss",
    "unit_roots",
]

_TREND_WORDS = {"c": "a constant", "ct": "a constant and a linear trend", "n": "nothing"}


def _clean(x: Any, what: str, min_obs: int = 20) -> pd.Series:
    if isinstance(x, pd.DataFrame):
        raise TypeError(f"{what}: expected one series, got a DataFrame")
    s = pd.Series(x, dtype=float) if not isinstance(x, pd.Series) else x.astype(float)
    s = s.dropna()
    if len(s) < min_obs:
        raise ValueError(f"{what}: {len(s)} observations; need at least {min_obs} for this test")
    if not np.all(np.isfinite(s.to_numpy())):
        raise ValueError(f"{what}: contains infinite values")
    if s.std() == 0:
        raise ValueError(f"{what}: the series is constant")
    return s


# --------------------------------------------------------------------------- single tests


@dataclass(frozen=True, eq=False)
class UnitRootTest(Result):
    """One unit-root or stationarity test.

    Attributes
    ----------
    test : "ADF" or "KPSS".
    series : name of the series tested.
    statistic, p_value : the test statistic and its p-value (KPSS p-values are
        interpolated in a table and bounded to [0.01, 0.10]).
    lags : lags used (ADF: augmentation lags; KPSS: Newey-West bandwidth).
    nobs : observations used.
    critical : critical values {"1%": ..., "5%": ..., "10%": ...}.
    regression : deterministic terms ("c", "ct").
    null : the null hypothesis in words.
    alpha : level for ``reject``.
    notes : caveats.
    """

    test: str
    series: str
    statistic: float
    p_value: float
    lags: int
    nobs: int
    critical: dict[str, float]
    regression: str
    null: str
    alpha: float = 0.05
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"{self.test} test on {self.series}"

    @property
    def reject(self) -> bool:
        """True when the null is rejected at ``alpha``."""
        return bool(self.p_value < self.alpha)

    @property
    def stationary(self) -> bool:
        """What the test says about stationarity at ``alpha``."""
        return self.reject if self.test == "ADF" else not self.reject

    def reading(self) -> str:
        """The conclusion in words."""
        pct = f"{self.alpha:.0%}"
        if self.test == "ADF":
            return (f"unit root rejected at {pct}: looks stationary" if self.reject
                    else f"unit root not rejected at {pct}: no evidence of stationarity")
        return (f"stationarity rejected at {pct}: looks like a unit root" if self.reject
                else f"stationarity not rejected at {pct}")

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "series": self.series, "test": self.test, "statistic": self.statistic,
            "p_value": self.p_value, "lags": self.lags, "nobs": self.nobs,
            "crit_5pct": self.critical.get("5%", np.nan), "regression": self.regression,
            "null": self.null, "reading": self.reading(),
        }])

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"critical": self.critical})

    def plot(self, ax: Any = None) -> Any:
        """The statistic against its 1/5/10 % critical values."""
        from ..charts._style import COLORS

        ax = get_ax(ax, figsize=(6, 3))
        names = list(self.critical)
        ax.barh(names, [self.critical[k] for k in names], color=COLORS["band"],
                edgecolor=COLORS["price"], label="critical values")
        ax.axvline(self.statistic, color=COLORS["accent"], lw=2, label="statistic")
        ax.set_title(f"{self.title}: {self.reading()}")
        ax.legend(loc="best")
        return ax


def adf(
    x: pd.Series | np.ndarray,
    *,
    regression: Literal["c", "ct", "n"] = "c",
    autolag: str | None = "AIC",
    maxlag: int | None = None,
    alpha: float = 0.05,
    name: str | None = None,
) -> UnitRootTest:
    """Augmented Dickey-Fuller test (Said and Dickey 1984).

    Regression: ``dx_t = a (+ b t) + g x_{t-1} + sum_i c_i dx_{t-i} + e_t``; the
    statistic is the t-ratio of ``g``, compared with Dickey-Fuller (MacKinnon
    1994/2010) critical values. **H0: the series has a unit root** (g = 0; it
    wanders without returning to a mean); rejection is evidence of
    stationarity. Lags chosen by ``autolag`` (AIC) up to ``maxlag``
    (statsmodels' default ``12 (n/100)^(1/4)``).

    Calls ``statsmodels.tsa.stattools.adfuller`` with the same arguments.
    """
    from statsmodels.tsa.stattools import adfuller

    s = _clean(x, name or "x")
    label = name or str(getattr(x, "name", None) or "x")
    stat, p, lags, nobs, crit, _ = adfuller(s.to_numpy(), maxlag=maxlag, regression=regression,
                                            autolag=autolag, result_object=False)
    null = (f"{label} has a unit root (not stationary) around {_TREND_WORDS[regression]}; "
            "rejecting it is evidence of stationarity")
    return UnitRootTest("ADF", label, float(stat), float(p), int(lags), int(nobs),
                        {k: float(v) for k, v in crit.items()}, regression, null, alpha)


def kpss(
    x: pd.Series | np.ndarray,
    *,
    regression: Literal["c", "ct"] = "c",
    nlags: str | int = "auto",
    alpha: float = 0.05,
    name: str | None = None,
) -> UnitRootTest:
    """KPSS stationarity test (Kwiatkowski, Phillips, Schmidt and Shin 1992).

    The statistic is ``sum_t S_t^2 / (n^2 s^2)`` with ``S_t`` the partial sums of
    the residuals from a regression on a constant (or constant and trend) and
    ``s^2`` a Newey-West long-run variance. **H0: the series is stationary**
    (around a level, or a trend for ``"ct"``); rejection is evidence of a unit
    root. p-values are interpolated in the published table and bounded to
    [0.01, 0.10]; the notes say when the bound was hit.

    Calls ``statsmodels.tsa.stattools.kpss`` with the same arguments.
    """
    from statsmodels.tools.sm_exceptions import InterpolationWarning
    from statsmodels.tsa.stattools import kpss as sm_kpss

    s = _clean(x, name or "x")
    label = name or str(getattr(x, "name", None) or "x")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", InterpolationWarning)
        stat, p, lags, crit = sm_kpss(s.to_numpy(), regression=regression, nlags=nlags,
                                      result_object=False)
    notes = ()
    if any(issubclass(w.category, InterpolationWarning) for w in caught):
        side = "smaller" if p <= 0.01 else "greater"
        notes = (f"p-value outside the KPSS table: the true p-value is {side} than {p:.2f}",)
    crit = {k: float(v) for k, v in crit.items() if k in ("1%", "5%", "10%")}
    level = "a trend" if regression == "ct" else "a constant level"
    null = f"{label} is stationary around {level}; rejecting it is evidence of a unit root"
    return UnitRootTest("KPSS", label, float(stat), float(p), int(lags), len(s), crit,
                        regression, null, alpha, notes)


@dataclass(frozen=True, eq=False)
class UnitRootReport(Result):
    """ADF and KPSS on levels and first differences of several series.

    ``tests`` holds every :class:`UnitRootTest`; ``verdicts`` maps each series to
    "I(0)", "I(1)" or "unclear".
    """

    tests: tuple[UnitRootTest, ...]
    forms: tuple[str, ...]
    verdicts: dict[str, str]
    notes: tuple[str, ...] = field(default_factory=tuple)
    title: str = "Unit-root tests (ADF: H0 unit root; KPSS: H0 stationary)"

    def summary(self) -> pd.DataFrame:
        """Rows per series, form (level / difference) and test."""
        rows = []
        for t, form in zip(self.tests, self.forms, strict=True):
            r = t.summary().iloc[0].to_dict()
            r["form"] = form
            r["verdict"] = self.verdicts.get(t.series.split(" (")[0], "")
            rows.append(r)
        cols = ["series", "form", "test", "statistic", "p_value", "lags", "crit_5pct",
                "regression", "reading", "null", "verdict"]
        return pd.DataFrame(rows)[cols]

    def to_frame(self) -> pd.DataFrame:
        return self.summary()

    def plot(self, ax: Any = None) -> Any:
        """p-values of each test with the 5 % line."""
        from ..charts._style import COLORS

        ax = get_ax(ax)
        s = self.summary()
        labels = s["series"] + " " + s["form"] + " " + s["test"]
        ax.barh(labels, s["p_value"], color=[COLORS["series"][0] if t == "ADF" else COLORS["series"][1]
                                             for t in s["test"]])
        ax.axvline(0.05, color="black", lw=0.8, ls="--")
        ax.set_xlabel("p-value")
        ax.set_title(self.title)
        return ax


def unit_roots(
    data: pd.DataFrame | pd.Series,
    *,
    level_regression: Literal["c", "ct"] = "ct",
    alpha: float = 0.05,
    names_note: str | None = None,
) -> UnitRootReport:
    """ADF and KPSS on the level and first difference of each column.

    Levels are tested with ``level_regression`` (default constant + trend, as
    trending market series need), differences with a constant. Verdict per
    series: "I(1)" when the level looks non-stationary by both tests (ADF does
    not reject, KPSS rejects) and the difference stationary by both; "I(0)" when
    the level looks stationary by both; otherwise "unclear".

    Parameters
    ----------
    data : frame (one column per series) or a single series.
    level_regression : deterministic terms for the level tests.
    alpha : test level.
    names_note : text appended to names, e.g. "log levels".
    """
    frame = data.to_frame() if isinstance(data, pd.Series) else data
    if not isinstance(frame, pd.DataFrame) or frame.shape[1] == 0:
        raise TypeError("data: expected a DataFrame with one column per series, or a Series")
    tests, forms, verdicts = [], [], {}
    for col in frame.columns:
        s = frame[col].dropna()
        nm = str(col)
        lvl_a = adf(s, regression=level_regression, alpha=alpha, name=nm)
        lvl_k = kpss(s, regression=level_regression, alpha=alpha, name=nm)
        d = s.diff().dropna()
        dif_a = adf(d, regression="c", alpha=alpha, name=nm)
        dif_k = kpss(d, regression="c", alpha=alpha, name=nm)
        level_form = names_note or "level"
        tests += [lvl_a, lvl_k, dif_a, dif_k]
        forms += [level_form, level_form, "first difference", "first difference"]
        if lvl_a.stationary and lvl_k.stationary:
            verdicts[nm] = "I(0)"
        elif (not lvl_a.stationary and not lvl_k.stationary
              and dif_a.stationary and dif_k.stationary):
            verdicts[nm] = "I(1)"
        else:
            verdicts[nm] = "unclear"
    notes = tuple(n for t in tests for n in t.notes)
    return UnitRootReport(tuple(tests), tuple(forms), verdicts, notes)


# --------------------------------------------------------------------------- cointegration


@dataclass(frozen=True, eq=False)
class EngleGrangerResult(Result):
    """Engle-Granger two-step cointegration test of ``y`` on ``x``.

    Attributes: statistic (ADF t on the residual), p_value (MacKinnon 2010),
    critical (1/5/10 %), beta (OLS slope of y on x), alpha_ (intercept),
    residual (the spread), y, x (names), null, alpha.
    """

    y: str
    x: str
    statistic: float
    p_value: float
    critical: dict[str, float]
    beta: float
    intercept: float
    residual: pd.Series
    trend: str
    null: str
    alpha: float = 0.05
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Engle-Granger: {self.y} on {self.x}"

    @property
    def reject(self) -> bool:
        return bool(self.p_value < self.alpha)

    def reading(self) -> str:
        pct = f"{self.alpha:.0%}"
        return (f"no-cointegration rejected at {pct}: {self.y} and {self.x} look cointegrated"
                if self.reject else f"no-cointegration not rejected at {pct}")

    def summary(self) -> pd.DataFrame:
        return pd.DataFrame([{
            "test": "Engle-Granger", "direction": f"{self.y} on {self.x}",
            "statistic": self.statistic, "p_value": self.p_value,
            "crit_5pct": self.critical.get("5%", np.nan), "beta": self.beta,
            "null": self.null, "reading": self.reading(),
        }])

    def to_frame(self) -> pd.DataFrame:
        return self.residual.to_frame("residual")

    def plot(self, ax: Any = None) -> Any:
        """The residual (spread) of the cointegrating regression."""
        from ..charts._style import COLORS

        ax = get_ax(ax)
        r = self.residual
        ax.plot(r.index, r.to_numpy(), color=COLORS["price"], lw=1.1)
        ax.axhline(0, color="black", lw=0.6)
        ax.set_title(f"{self.title}: residual {self.y} - {self.beta:.2f} x {self.x}")
        return ax


def engle_granger(
    y: pd.Series,
    x: pd.Series,
    *,
    trend: Literal["c", "ct"] = "c",
    maxlag: int | None = None,
    autolag: str | None = "aic",
    alpha: float = 0.05,
    names: tuple[str, str] | None = None,
) -> EngleGrangerResult:
    """Engle and Granger (1987) two-step test.

    Step 1: OLS ``y_t = a + b x_t + u_t``. Step 2: ADF test (no constant) on
    ``u_t`` with MacKinnon (2010) cointegration critical values. **H0: no
    cointegration** (the residual has a unit root: the two series drift apart
    without bound); rejection means a stable long-run relation. The result
    depends on which series is on the left, so :func:`cointegration` runs both.

    Calls ``statsmodels.tsa.stattools.coint(y, x, trend, maxlag=, autolag=)``.
    """
    from statsmodels.regression.linear_model import OLS  # not statsmodels.api: 0.5 s less to import
    from statsmodels.tools.tools import add_constant
    from statsmodels.tsa.stattools import coint

    yn, xn = names if names is not None else (str(y.name or "y"), str(x.name or "x"))
    df = pd.concat({"y": _clean(y, yn), "x": _clean(x, xn)}, axis=1, join="inner").dropna()
    if len(df) < 20:
        raise ValueError(f"{yn}, {xn}: {len(df)} common observations; need at least 20")
    stat, p, crit = coint(df["y"].to_numpy(), df["x"].to_numpy(), trend=trend, maxlag=maxlag,
                          autolag=autolag)
    exog = add_constant(df["x"].to_numpy())
    if trend == "ct":
        exog = np.column_stack([exog, np.arange(len(df), dtype=float)])
    fit = OLS(df["y"].to_numpy(), exog).fit()
    resid = pd.Series(fit.resid, index=df.index, name="residual")
    null = (f"{yn} and {xn} are not cointegrated: the residual of {yn} regressed on {xn} "
            "has a unit root")
    return EngleGrangerResult(yn, xn, float(stat), float(p),
                              dict(zip(("1%", "5%", "10%"), map(float, crit), strict=True)),
                              float(fit.params[1]), float(fit.params[0]), resid, trend, null, alpha)


@dataclass(frozen=True, eq=False)
class JohansenResult(Result):
    """Johansen (1991) cointegration rank test.

    ``table`` has one row per null rank r: trace and max-eigenvalue statistics
    with their 90/95/99 % critical values; ``rank`` is the rank chosen by the
    sequential trace test at 5 %; ``k_ar_diff`` the lagged differences used and
    how they were chosen.
    """

    table: pd.DataFrame
    rank: int
    rank_max_eig: int
    k_ar_diff: int
    lag_choice: str
    det_order: int
    names: tuple[str, ...]
    eigenvectors: pd.DataFrame
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        return (f"Johansen test ({', '.join(self.names)}): rank {self.rank} by the trace test "
                f"at 5% (k_ar_diff={self.k_ar_diff})")

    def summary(self) -> pd.DataFrame:
        return self.table.copy()

    def to_frame(self) -> pd.DataFrame:
        return self.eigenvectors.copy()

    def plot(self, ax: Any = None) -> Any:
        """Trace statistics against their 95 % critical values by null rank."""
        from ..charts._style import COLORS

        ax = get_ax(ax, figsize=(6, 3.5))
        t = self.table
        pos = np.arange(len(t))
        ax.bar(pos - 0.2, t["trace"], width=0.4, color=COLORS["series"][0], label="trace")
        ax.bar(pos + 0.2, t["trace_crit_95"], width=0.4, color=COLORS["band"],
               edgecolor=COLORS["price"], label="95% critical value")
        ax.set_xticks(pos, [f"r <= {r}" for r in t.index])
        ax.set_title(self.title)
        ax.legend(loc="best")
        return ax


def johansen(
    data: pd.DataFrame,
    *,
    det_order: int = 0,
    k_ar_diff: int | None = None,
    max_lags: int = 12,
) -> JohansenResult:
    """Johansen trace and maximum-eigenvalue tests of the cointegration rank.

    For each r = 0..k-1 the trace test's **H0: at most r cointegrating
    relations** (against more than r); the max-eigenvalue test's H0: exactly r
    (against r + 1). The rank is the first r whose trace statistic is below its
    95 % critical value (sequential procedure). ``k_ar_diff`` (lagged
    differences in the VECM) defaults to the VAR lag order chosen by AIC on the
    levels (``statsmodels`` ``VAR.select_order``, up to ``max_lags``) minus one.

    Calls ``statsmodels.tsa.vector_ar.vecm.coint_johansen(data, det_order,
    k_ar_diff)``; ``det_order``: -1 none, 0 constant, 1 linear trend.
    """
    from statsmodels.tsa.api import VAR
    from statsmodels.tsa.vector_ar.vecm import coint_johansen

    if not isinstance(data, pd.DataFrame) or data.shape[1] < 2:
        raise TypeError("data: expected a DataFrame with at least two series (columns)")
    df = data.astype(float).dropna()
    if len(df) < 30:
        raise ValueError(f"data: {len(df)} complete rows; the Johansen test needs at least 30")
    if k_ar_diff is None:
        ml = int(min(max_lags, max(1, len(df) // 10)))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p = int(VAR(df.to_numpy()).select_order(ml).aic)
        k = max(p - 1, 0)
        lag_choice = f"VAR lag order {max(p, 1)} by AIC (up to {ml}) -> {k} lagged differences"
    else:
        k = int(k_ar_diff)
        lag_choice = f"{k} lagged differences (given)"
    res = coint_johansen(df.to_numpy(), det_order, k)
    kk = df.shape[1]
    table = pd.DataFrame({
        "eigenvalue": res.eig,
        "trace": res.lr1, "trace_crit_90": res.cvt[:, 0], "trace_crit_95": res.cvt[:, 1],
        "trace_crit_99": res.cvt[:, 2],
        "max_eig": res.lr2, "max_eig_crit_95": res.cvm[:, 1],
        "null": [f"at most {r} cointegrating relation(s) among {kk} series" for r in range(kk)],
    }, index=pd.Index(range(kk), name="rank_r"))
    table["trace_reject_5pct"] = table["trace"] > table["trace_crit_95"]
    rank = next((r for r in range(kk) if not table.loc[r, "trace_reject_5pct"]), kk)
    me = table["max_eig"] > table["max_eig_crit_95"]
    rank_me = next((r for r in range(kk) if not me.loc[r]), kk)
    evec = pd.DataFrame(res.evec, index=list(map(str, df.columns)),
                        columns=[f"v{i}" for i in range(kk)])
    return JohansenResult(table, int(rank), int(rank_me), k, lag_choice, det_order,
                          tuple(map(str, df.columns)), evec)


@dataclass(frozen=True, eq=False)
class CointegrationResult(Result):
    """Engle-Granger both ways and Johansen on a pair.

    ``found`` is True when the Johansen trace test selects rank >= 1 *and* at
    least one Engle-Granger direction rejects no-cointegration at 5 %.
    """

    eg_yx: EngleGrangerResult
    eg_xy: EngleGrangerResult
    johansen: JohansenResult
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Cointegration of {self.eg_yx.y} and {self.eg_yx.x}: {self.conclusion()}"

    @property
    def found(self) -> bool:
        return bool(self.johansen.rank >= 1 and (self.eg_yx.reject or self.eg_xy.reject))

    def conclusion(self) -> str:
        if self.found:
            return "cointegrated (both Engle-Granger and Johansen reject no cointegration)"
        if self.johansen.rank >= 1 or self.eg_yx.reject or self.eg_xy.reject:
            return "mixed evidence (the tests disagree): no firm long-run relation"
        return "no evidence of cointegration at 5%"

    def summary(self) -> pd.DataFrame:
        j = self.johansen.table
        rows = [self.eg_yx.summary().iloc[0].to_dict(), self.eg_xy.summary().iloc[0].to_dict()]
        for r in j.index:
            rows.append({
                "test": "Johansen trace", "direction": f"r <= {r}", "statistic": j.loc[r, "trace"],
                "p_value": np.nan, "crit_5pct": j.loc[r, "trace_crit_95"], "beta": np.nan,
                "null": j.loc[r, "null"],
                "reading": "rejected at 5%" if j.loc[r, "trace_reject_5pct"] else "not rejected at 5%",
            })
        return pd.DataFrame(rows)

    def to_frame(self) -> pd.DataFrame:
        return self.eg_yx.to_frame()

    def plot(self, ax: Any = None) -> Any:
        return self.eg_yx.plot(ax)


def cointegration(
    y: pd.Series,
    x: pd.Series,
    *,
    trend: Literal["c", "ct"] = "c",
    det_order: int = 0,
    k_ar_diff: int | None = None,
    names: tuple[str, str] | None = None,
) -> CointegrationResult:
    """Engle-Granger in both directions plus Johansen on the pair ``(y, x)``.

    Feed log levels of price-like series. See :func:`engle_granger` and
    :func:`johansen` for the nulls; :attr:`CointegrationResult.found` requires
    both procedures to agree.
    """
    yn, xn = names if names is not None else (str(y.name or "y"), str(x.name or "x"))
    df = pd.concat({yn: pd.Series(y, dtype=float), xn: pd.Series(x, dtype=float)}, axis=1,
                   join="inner").dropna()
    eg1 = engle_granger(df[yn], df[xn], trend=trend, names=(yn, xn))
    eg2 = engle_granger(df[xn], df[yn], trend=trend, names=(xn, yn))
    jo = johansen(df, det_order=det_order, k_ar_diff=k_ar_diff)
    return CointegrationResult(eg1, eg2, jo)


_DET_WORDS = {-1: "none", 0: "constant", 1: "constant + trend"}


@dataclass(frozen=True, eq=False)
class CointegrationRobustness(Result):
    """Cointegration of a pair across specifications, and the conclusion they support.

    ``table`` has one row per specification: Engle-Granger both ways with a
    constant (``c``) and with a constant and trend (``ct``), and Johansen for
    every lag choice (lagged differences in the VECM) and deterministic term
    (none, constant, constant + trend), with the statistic, the 5 % critical value
    or p-value, whether it finds a relation at 5 % (``rejects``) and a ``reading``.
    """

    table: pd.DataFrame
    names: tuple[str, str]
    n_obs: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"Cointegration of {self.names[0]} and {self.names[1]} across specifications"

    def counts(self) -> dict[str, tuple[int, int]]:
        """(specifications rejecting no-cointegration, specifications) per test."""
        out = {}
        for test, g in self.table.groupby("test", sort=False):
            out[str(test)] = (int(g["rejects"].sum()), len(g))
        return out

    @property
    def verdict(self) -> str:
        """``"robust"`` (every Johansen specification finds a relation and Engle-Granger
        rejects in at least one direction for each trend), ``"none"`` (no specification
        rejects) or ``"fragile"`` (anything in between)."""
        t = self.table
        eg = t[t["test"] == "Engle-Granger"]
        jo = t[t["test"] == "Johansen trace"]
        if not t["rejects"].any():
            return "none"
        eg_ok = all(g["rejects"].any() for _, g in eg.groupby("trend"))
        if eg_ok and jo["rejects"].all():
            return "robust"
        return "fragile"

    def conclusion(self) -> str:
        """One sentence that follows the table."""
        c = self.counts()
        eg = c.get("Engle-Granger", (0, 0))
        jo = c.get("Johansen trace", (0, 0))
        tally = (f"Engle-Granger rejects no-cointegration in {eg[0]} of {eg[1]} tests "
                 f"(both directions, constant / constant + trend), Johansen finds a relation in "
                 f"{jo[0]} of {jo[1]} specifications (lags x deterministic terms), "
                 f"{self.n_obs} observations")
        if self.verdict == "robust":
            return f"cointegrated on every specification: {tally}"
        if self.verdict == "none":
            return f"no evidence of cointegration on any specification: {tally}"
        return (f"no firm long-run relation: the answer depends on the specification ({tally})")

    def summary(self) -> pd.DataFrame:
        return self.table.copy()

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax: Any = None) -> Any:
        """Johansen trace statistic over its 5 % critical value, by lag and deterministic term."""
        ax = get_ax(ax)
        jo = self.table[self.table["test"] == "Johansen trace"]
        for det, g in jo.groupby("deterministic", sort=False):
            ax.plot(g["lags"].to_numpy(), (g["statistic"] / g["crit_5pct"]).to_numpy(), "o-",
                    label=str(det))
        ax.axhline(1.0, color="black", lw=0.8)
        ax.set_xlabel("lagged differences in the VECM")
        ax.set_ylabel("trace statistic / 5% critical value (r = 0)")
        ax.set_title(self.title)
        ax.legend()
        return ax


def cointegration_robustness(
    y: pd.Series,
    x: pd.Series,
    *,
    lags: tuple[int, ...] = (1, 2, 3, 6, 12),
    det_orders: tuple[int, ...] = (-1, 0, 1),
    trends: tuple[str, ...] = ("c", "ct"),
    names: tuple[str, str] | None = None,
    alpha: float = 0.05,
) -> CointegrationRobustness:
    """Engle-Granger both ways and Johansen across lag choices and deterministic terms.

    One lag choice can make or break a cointegration finding, so the conclusion
    is read from the whole table (:meth:`CointegrationRobustness.conclusion`).
    Engle-Granger: ``statsmodels.tsa.stattools.coint`` (lag by AIC), H0 no
    cointegration, for ``trends`` ("c", "ct") and both directions. Johansen:
    ``coint_johansen(data, det_order, k_ar_diff)`` for every ``lags`` x
    ``det_orders``; "rejects" means the sequential trace test at 5 % selects
    exactly one relation (full rank, both series stationary, is not counted).

    Parameters
    ----------
    y, x : the two series (log levels of price-like series).
    lags : lagged differences tried in the VECM (values >= the sample allows are skipped,
        with a note).
    det_orders : Johansen deterministic terms: -1 none, 0 constant, 1 linear trend.
    trends : Engle-Granger deterministic terms.
    names : labels (default: the Series names).
    alpha : level of the Engle-Granger tests (the Johansen values are at 5 %).
    """
    yn, xn = names if names is not None else (str(y.name or "y"), str(x.name or "x"))
    df = pd.concat({yn: pd.Series(y, dtype=float), xn: pd.Series(x, dtype=float)}, axis=1,
                   join="inner").dropna()
    if len(df) < 30:
        raise ValueError(f"{yn}, {xn}: {len(df)} common observations; need at least 30")
    rows, notes = [], []
    for trend in trends:
        if trend not in ("c", "ct"):
            raise ValueError(f"trends: {trend!r} is not 'c' or 'ct'")
        for a, b in ((yn, xn), (xn, yn)):
            eg = engle_granger(df[a], df[b], trend=trend, alpha=alpha, names=(a, b))  # type: ignore[arg-type]
            rows.append({"test": "Engle-Granger", "specification": f"{a} on {b}", "trend": trend,
                         "deterministic": "constant" if trend == "c" else "constant + trend",
                         "lags": np.nan, "statistic": eg.statistic, "crit_5pct": eg.critical["5%"],
                         "p_value": eg.p_value, "rank": np.nan, "rejects": eg.reject,
                         "reading": eg.reading()})
    max_k = len(df) // 4
    for det in det_orders:
        if det not in _DET_WORDS:
            raise ValueError(f"det_orders: {det!r} is not -1, 0 or 1")
        for k in lags:
            if k >= max_k:
                notes.append(f"Johansen with {k} lags skipped: {len(df)} observations")
                continue
            jo = johansen(df, det_order=det, k_ar_diff=int(k))
            # a relation is rank 1 exactly: full rank says both series are (trend-)
            # stationary on their own, which is not a cointegration finding
            reading = ("one cointegrating relation" if jo.rank == 1 else
                       "no relation (r = 0 not rejected)" if jo.rank == 0 else
                       "full rank: each series looks stationary, not cointegration")
            rows.append({"test": "Johansen trace", "specification": f"{k} lagged differences",
                         "trend": "", "deterministic": _DET_WORDS[det], "lags": int(k),
                         "statistic": float(jo.table.loc[0, "trace"]),
                         "crit_5pct": float(jo.table.loc[0, "trace_crit_95"]), "p_value": np.nan,
                         "rank": jo.rank, "rejects": jo.rank == 1, "reading": reading})
    table = pd.DataFrame(rows)
    return CointegrationRobustness(table, (yn, xn), len(df), tuple(dict.fromkeys(notes)))
