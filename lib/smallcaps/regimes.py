"""Regimes of relative strength: Markov switching, spells, durations and a naive baseline.

The question: does relative strength (a ratio line such as RUT/SPX) move in
regimes that last years rather than months, and does knowing the regime say
anything about what comes next?

Model
-----
On the log changes of the ratio, in percent per period,
:math:`y_t = 100\\,\\ln(R_t / R_{t-1})`, :func:`fit` estimates a Markov-switching
mean and variance model (Hamilton 1989; Kim and Nelson 1999)

.. math::  y_t = \\mu_{S_t} + \\varepsilon_t,\\quad \\varepsilon_t \\sim N(0, \\sigma^2_{S_t}),
           \\quad P(S_t = j \\mid S_{t-1} = i) = p_{ij}

with ``statsmodels.tsa.regime_switching.MarkovRegression`` (``trend="c"``,
``switching_variance=True``), 2 or 3 regimes; BFGS gets the score analytically
(:mod:`smallcaps._markov`, equal to statsmodels' numerical score to 1e-12; fits
3-6x faster). The likelihood has local optima,
so the model is fitted from several starting values (statsmodels' default plus
seeded random ones) and the fit with the highest log-likelihood is kept.

Regimes are labelled by their mean, lowest first: regime 0 = the numerator
lagging (the ratio falls fastest), the last regime = the numerator leading.
When two regimes' means cannot be told apart (``|t| < 2``) but their variances
differ, the fit says so in ``notes``: the model has then found volatility
regimes, not leadership regimes.

Durations
---------
A regime with staying probability :math:`p_{ii}` lasts a geometric number of
periods with mean :math:`E[D_i] = 1 / (1 - p_{ii})` (Hamilton 1994, 22.4);
:meth:`RegimeFit.expected_durations` gives it in periods and years. The
*observed* spells of the most likely regime path are in :meth:`RegimeFit.spells`.

Baseline
--------
:func:`baseline` is the naive rule "the ratio above (below) its N-period
average = leading (lagging)"; :func:`compare` sets both side by side on
persistence (mean spell length, switches per year) and on the forward change
of the ratio over the next ``horizon`` periods.

Look-ahead: smoothed probabilities use the whole sample, and even the filtered
probabilities of :func:`fit` (:attr:`RegimeFit.filtered`) use parameters
estimated on the whole sample. For anything about "what came next", use
:func:`realtime`: expanding-window refits, filtered probabilities only, labels
aligned across refits.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import _markov
from ._core.inputs import dated_series
from .stats._results import Result, get_ax

__all__ = [
    "Baseline",
    "RealtimeRegimes",
    "RegimeFit",
    "baseline",
    "check_window",
    "compare",
    "fit",
    "log_changes",
    "min_observations",
    "n_params",
    "periods_per_year",
    "realtime",
    "spells",
    "structural_breaks",
]

_LABELS = {2: ("lagging", "leading"), 3: ("lagging", "neutral", "leading")}


# --------------------------------------------------------------------------- inputs


def n_params(k_regimes: int) -> int:
    """Free parameters of the switching mean-and-variance model: ``k(k-1) + 2k``."""
    return k_regimes * (k_regimes - 1) + 2 * k_regimes


def min_observations(k_regimes: int) -> int:
    """Fewest log changes :func:`fit` accepts: 20 per free parameter.

    120 for 2 regimes (about 2.3 years of weeks), 240 for 3 (about 4.6 years).
    Regimes that last years cannot be seen in a shorter window anyway.
    """
    _check_k(k_regimes)
    return 20 * n_params(k_regimes)


def _check_k(k_regimes: Any) -> int:
    if isinstance(k_regimes, bool) or not isinstance(k_regimes, (int, np.integer)) or k_regimes not in (2, 3):
        raise ValueError(f"k_regimes: expected 2 or 3, got {k_regimes!r}")
    return int(k_regimes)


def periods_per_year(index: pd.Index) -> int:
    """252, 52 or 12 from the median spacing of ``index`` (daily, weekly, monthly)."""
    if not isinstance(index, pd.DatetimeIndex) or len(index) < 3:
        raise ValueError("ratio: needs a DatetimeIndex with at least 3 dates to tell its frequency")
    days = float(np.median(np.diff(index.to_numpy()) / np.timedelta64(1, "D")))
    if days <= 3.5:
        return 252
    if 5 <= days <= 9:
        return 52
    if 26 <= days <= 35:
        return 12
    raise ValueError(f"ratio: median spacing of {days:.1f} days is not daily, weekly or monthly")


def _frequency_name(ppy: int) -> str:
    return {252: "daily", 52: "weekly", 12: "monthly"}[ppy]


def _ratio(ratio: Any) -> pd.Series:
    """A positive ratio line on clean dates (:mod:`smallcaps._core.inputs`), NaN dropped."""
    if not isinstance(ratio, pd.Series):
        raise TypeError(f"ratio: expected a Series (e.g. smallcaps.relative.ratio(a, b, "
                        f"frequency='weekly')), got {type(ratio).__name__}")
    return dated_series(ratio, "ratio", dropna=True, positive=True)


def log_changes(ratio: pd.Series) -> pd.Series:
    """``100 ln(R_t / R_{t-1})``: log changes of the ratio in percent per period."""
    r = _ratio(ratio)
    y = 100.0 * np.log(r).diff().dropna()
    y.name = "change_pct"
    return y


def check_window(ratio: pd.Series, k_regimes: int = 2) -> pd.Series:
    """Validate a ratio for :func:`fit` without fitting; returns its log changes.

    Raises
    ------
    ValueError
        If ``k_regimes`` is not 2 or 3, the ratio is not a positive Series on a
        daily/weekly/monthly DatetimeIndex, or it has fewer than
        :func:`min_observations` log changes (the message gives the window needed).
    """
    k = _check_k(k_regimes)
    y = log_changes(ratio)
    need = min_observations(k)
    if len(y) < need:
        if len(y) == 0:
            raise ValueError(f"ratio: no changes to fit; a {k}-regime model needs at least {need}")
        try:
            ppy = periods_per_year(y.index)
            span = f"{_frequency_name(ppy)} changes"
            years = f" (about {need / ppy:.1f} years at this frequency)"
        except ValueError:
            span, years = "changes", ""
        raise ValueError(
            f"ratio: {len(y)} {span} ({y.index[0]:%Y-%m-%d} to {y.index[-1]:%Y-%m-%d}) is too "
            f"short for a {k}-regime model ({n_params(k)} parameters); it needs at least "
            f"{need}{years}")
    periods_per_year(y.index)  # daily, weekly or monthly, or a clear error
    if float(y.std()) == 0.0:
        raise ValueError("ratio: the ratio never changes; there is nothing to fit")
    return y


# --------------------------------------------------------------------------- spells


def spells(states: pd.Series, ratio: pd.Series, *, legs: pd.DataFrame | None = None,
           labels: tuple[str, ...] | None = None, ppy: int | None = None) -> pd.DataFrame:
    """Runs of consecutive periods in the same state.

    The state at ``t`` describes the move from ``t-1`` to ``t``, so a spell from
    ``t_s`` to ``t_e`` covers the ratio's change ``R_{t_e} / R_{t_s - 1} - 1``.

    Parameters
    ----------
    states : integer states on the ratio's dates (NaN = undefined, ends a spell).
    ratio : the ratio line.
    legs : optional two price columns (numerator, denominator) on the same dates;
        adds each side's return over the spell.
    labels : state names (index = state).
    ppy : periods per year (default: inferred from the dates).

    Returns
    -------
    DataFrame
        ``state, label, start, end, periods, years, ratio_change_pct`` (+
        ``<leg>_return_pct`` for each leg) and ``censored`` (True for a spell cut
        by the start or end of the sample, whose true length is unknown).
    """
    r = _ratio(ratio)
    st = states.reindex(r.index)
    ppy = ppy or periods_per_year(r.index)
    valid = st.notna().to_numpy()
    vals = st.to_numpy(dtype=float)
    rows = []
    pos = np.flatnonzero(valid)
    if len(pos) == 0:
        return pd.DataFrame(columns=["state", "label", "start", "end", "periods", "years",
                                     "ratio_change_pct", "censored"])
    first_valid, last_valid = pos[0], pos[-1]
    i = first_valid
    n = len(r)
    rv = r.to_numpy()
    lv = legs.reindex(r.index) if legs is not None else None
    while i < n:
        if not valid[i]:
            i += 1
            continue
        j = i
        while j + 1 < n and valid[j + 1] and vals[j + 1] == vals[i]:
            j += 1
        s = int(vals[i])
        before = i - 1 if i > 0 else i
        row: dict[str, Any] = {
            "state": s, "label": labels[s] if labels else str(s),
            "start": r.index[i], "end": r.index[j], "periods": j - i + 1,
            "years": (j - i + 1) / ppy,
            "ratio_change_pct": 100.0 * (rv[j] / rv[before] - 1.0),
        }
        if lv is not None:
            for c in lv.columns:
                row[f"{c}_return_pct"] = 100.0 * (lv[c].iloc[j] / lv[c].iloc[before] - 1.0)
        row["censored"] = bool(i == first_valid or j == last_valid or i == 0)
        rows.append(row)
        i = j + 1
    return pd.DataFrame(rows)


def _mean_spell(sp: pd.DataFrame, state: int) -> tuple[float, int]:
    """Mean length of a state's complete (uncensored) spells, or of all if none is complete."""
    s = sp[sp["state"] == state]
    done = s[~s["censored"]]
    use = done if len(done) else s
    return (float(use["periods"].mean()) if len(use) else np.nan), int(len(s))


# --------------------------------------------------------------------------- the model


@dataclass(frozen=True, eq=False, repr=False)
class RegimeFit(Result):
    """A Markov-switching fit on a ratio's log changes; regimes sorted by mean.

    Attributes
    ----------
    ratio : the ratio line (input, positive).
    changes : its log changes, percent per period (the fitted data).
    k_regimes : 2 or 3.
    ppy : periods per year (52 for weekly).
    labels : regime names, lowest mean first ("lagging", ..., "leading").
    means, sigmas : per-regime mean and standard deviation of the change (%/period).
    mean_se : standard errors of the means (NaN if the Hessian failed).
    transition : k x k DataFrame, rows = from, columns = to (rows sum to 1).
    smoothed : P(S_t = i | all data), one column per label.
    filtered : P(S_t = i | data up to t), one column per label.
    llf, aic, bic : of the kept fit.
    start_llfs : log-likelihood of every start tried (NaN = failed).
    converged : whether the optimiser reported convergence for the kept fit.
    legs : optional numerator/denominator prices on the ratio's dates.
    notes : plain-language caveats.
    """

    ratio: pd.Series
    changes: pd.Series
    k_regimes: int
    ppy: int
    labels: tuple[str, ...]
    means: np.ndarray
    sigmas: np.ndarray
    mean_se: np.ndarray
    transition: pd.DataFrame
    smoothed: pd.DataFrame
    filtered: pd.DataFrame
    llf: float
    aic: float
    bic: float
    start_llfs: tuple[float, ...]
    converged: bool
    legs: pd.DataFrame | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __repr__(self) -> str:
        return str(self)

    @property
    def title(self) -> str:  # type: ignore[override]
        name = self.ratio.name or "ratio"
        return (f"{name}: {self.k_regimes}-regime Markov switching on {_frequency_name(self.ppy)} "
                f"log changes ({len(self.changes)} obs, best of {len(self.start_llfs)} starts)")

    @property
    def frequency(self) -> str:
        return _frequency_name(self.ppy)

    def expected_durations(self) -> pd.DataFrame:
        """``1 / (1 - p_ii)`` per regime, in periods and in years."""
        p = np.diag(self.transition.to_numpy())
        with np.errstate(divide="ignore"):
            d = 1.0 / (1.0 - p)
        return pd.DataFrame({"p_stay": p, "periods": d, "years": d / self.ppy},
                            index=pd.Index(self.labels, name="regime"))

    @property
    def states(self) -> pd.Series:
        """Most likely regime at each date from the smoothed probabilities (uses the whole sample)."""
        return pd.Series(np.argmax(self.smoothed.to_numpy(), axis=1), index=self.smoothed.index,
                         name="state")

    @property
    def realtime_states(self) -> pd.Series:
        """Most likely regime from the filtered probabilities (data up to each date only)."""
        return pd.Series(np.argmax(self.filtered.to_numpy(), axis=1), index=self.filtered.index,
                         name="state")

    def spells(self, realtime: bool = False) -> pd.DataFrame:
        """Spells of the most likely regime path (see :func:`spells`)."""
        st = self.realtime_states if realtime else self.states
        return spells(st, self.ratio, legs=self.legs, labels=self.labels, ppy=self.ppy)

    def summary(self) -> pd.DataFrame:
        """One row per regime.

        Columns: mean and sd of the change (%/period and annualised: mean x ppy,
        sd x sqrt(ppy)), t of the mean, share of time (mean smoothed probability),
        staying probability, expected duration (periods, years), number of spells
        and mean length of the complete ones (periods, years).
        """
        dur = self.expected_durations()
        sp = self.spells()
        rows = []
        for i, lab in enumerate(self.labels):
            ms, ns = _mean_spell(sp, i)
            rows.append({
                "regime": lab, "mean_pct": self.means[i], "mean_annual_pct": self.means[i] * self.ppy,
                "t_mean": self.means[i] / self.mean_se[i] if self.mean_se[i] > 0 else np.nan,
                "sd_pct": self.sigmas[i], "sd_annual_pct": self.sigmas[i] * np.sqrt(self.ppy),
                "share_of_time": float(self.smoothed.iloc[:, i].mean()),
                "p_stay": dur["p_stay"].iloc[i], "expected_periods": dur["periods"].iloc[i],
                "expected_years": dur["years"].iloc[i], "n_spells": ns,
                "mean_spell_periods": ms, "mean_spell_years": ms / self.ppy,
            })
        return pd.DataFrame(rows).set_index("regime")

    def to_frame(self) -> pd.DataFrame:
        """Per date: ratio, change, smoothed and filtered probabilities, both state paths."""
        out = pd.DataFrame({"ratio": self.ratio.reindex(self.changes.index), "change_pct": self.changes})
        for lab in self.labels:
            out[f"p_{lab}"] = self.smoothed[lab]
        for lab in self.labels:
            out[f"filtered_p_{lab}"] = self.filtered[lab]
        out["state"] = self.states
        out["realtime_state"] = self.realtime_states
        return out

    def plot(self, ax: Any = None) -> Any:
        """The ratio (log scale) shaded where the top regime is the most likely one."""
        from .charts._style import COLORS, shade_states

        ax = get_ax(ax)
        r = self.ratio
        ax.plot(r.index, r.to_numpy(), color=COLORS["price"], lw=1.0, label=str(r.name or "ratio"))
        shade_states(ax, self.states, self.k_regimes - 1, COLORS["up"], self.labels[-1])
        shade_states(ax, self.states, 0, COLORS["down"], self.labels[0])
        ax.set_yscale("log")
        ax.set_title(self.title)
        ax.legend(loc="best")
        return ax


def _random_start(names: list[str], y: np.ndarray, k: int, rng: np.random.Generator) -> np.ndarray:
    """Starting values in the model's natural parameter space, named like statsmodels."""
    stay = rng.uniform(0.75, 0.99)
    qs = np.quantile(y, (np.arange(k) + 0.5) / k)
    sd = float(np.std(y))
    means = np.sort(qs + rng.normal(0, 0.1 * sd, k)) * rng.uniform(0.1, 1.0)
    var = np.sort(np.var(y) * np.exp(rng.normal(0, 0.6, k)))
    rng.shuffle(var)
    out = []
    for n in names:
        if n.startswith("p["):
            i, j = (int(x) for x in n[2:-1].split("->"))
            out.append(stay if i == j else (1 - stay) / (k - 1))
        elif n.startswith("const["):
            out.append(means[int(n[6:-1])])
        elif n.startswith("sigma2["):
            out.append(var[int(n[7:-1])])
        else:  # pragma: no cover - the model has no other parameters
            raise RuntimeError(f"unexpected parameter {n}")
    return np.asarray(out, dtype=float)


def fit(ratio: pd.Series, k_regimes: int = 2, *, n_starts: int = 6, seed: int = 0,
        legs: pd.DataFrame | None = None, maxiter: int = 200) -> RegimeFit:
    """Fit a Markov-switching mean-and-variance model to a ratio's log changes.

    Parameters
    ----------
    ratio : positive ratio line on a daily, weekly or monthly DatetimeIndex
        (:func:`smallcaps.relative.ratio`); weekly is the intended use.
    k_regimes : 2 or 3.
    n_starts : starting values tried (statsmodels' own + ``n_starts - 1`` seeded
        random ones); the fit with the highest finite log-likelihood is kept.
    seed : seed of the random starts (the result is reproducible).
    legs : optional numerator/denominator price columns on the ratio's dates, for
        each side's return in :meth:`RegimeFit.spells`.
    maxiter : optimiser iterations per start.

    Returns
    -------
    RegimeFit

    Raises
    ------
    ValueError
        Before any fitting, for a bad ``k_regimes``/``n_starts``, a ratio that is
        not a positive dated Series, or a window shorter than
        :func:`min_observations` (see :func:`check_window`); after fitting, if no
        start converged to a finite likelihood.

    References
    ----------
    Hamilton, J. D. (1989), "A New Approach to the Economic Analysis of
    Nonstationary Time Series and the Business Cycle", Econometrica 57(2).
    Kim, C.-J. and Nelson, C. R. (1999), State-Space Models with Regime Switching.
    """
    k = _check_k(k_regimes)
    if isinstance(n_starts, bool) or not isinstance(n_starts, int) or n_starts < 1:
        raise ValueError(f"n_starts: expected a positive integer, got {n_starts!r}")
    y = check_window(ratio, k)
    r = _ratio(ratio)
    ppy = periods_per_year(r.index)
    if legs is not None:
        if not isinstance(legs, pd.DataFrame) or legs.shape[1] != 2:
            raise ValueError("legs: expected a DataFrame with two price columns (numerator, denominator)")
        legs = legs.reindex(r.index)

    MarkovRegression = _markov.model_class()  # statsmodels' model, analytic score

    mod = MarkovRegression(y.to_numpy(), k_regimes=k, trend="c", switching_variance=True)
    names = list(mod.param_names)
    rng = np.random.default_rng(seed)
    starts: list[np.ndarray | None] = [None] + [_random_start(names, y.to_numpy(), k, rng)
                                              for _ in range(n_starts - 1)]
    best, llfs = None, []
    for s in starts:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                res = mod.fit(start_params=s, disp=False, maxiter=maxiter)
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                llfs.append(float("nan"))
                continue
        llf = float(res.llf)
        llfs.append(llf)
        if np.isfinite(llf) and (best is None or llf > best.llf):
            best = res
    if best is None:
        raise ValueError(f"ratio: none of the {n_starts} starts gave a finite likelihood")

    params = pd.Series(np.asarray(best.params), index=names)
    const = np.array([params[f"const[{i}]"] for i in range(k)])
    sig2 = np.array([params[f"sigma2[{i}]"] for i in range(k)])
    order = np.argsort(const, kind="stable")
    # statsmodels: regime_transition[i, j] = P(S_t = i | S_{t-1} = j) (columns = from)
    P_from_to = np.asarray(best.regime_transition)[:, :, 0].T
    P = P_from_to[np.ix_(order, order)]
    labels = _LABELS[k]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cov = pd.DataFrame(np.asarray(best.cov_params()), index=names, columns=names)
        cidx = [f"const[{i}]" for i in order]
        cv = cov.loc[cidx, cidx].to_numpy()
        se = np.sqrt(np.where(np.diag(cv) > 0, np.diag(cv), np.nan))
    except (np.linalg.LinAlgError, ValueError):
        cv, se = np.full((k, k), np.nan), np.full(k, np.nan)
    idx = y.index
    sm = pd.DataFrame(np.asarray(best.smoothed_marginal_probabilities)[:, order], index=idx,
                      columns=list(labels))
    fl = pd.DataFrame(np.asarray(best.filtered_marginal_probabilities)[:, order], index=idx,
                      columns=list(labels))
    means, sigmas = const[order], np.sqrt(sig2[order])
    notes = _notes(means, sigmas, cv, labels, llfs, ppy)
    converged = bool(best.mle_retvals.get("converged", True)) if best.mle_retvals else True
    if not converged:
        notes.append("the optimiser did not report convergence for the best start")
    return RegimeFit(
        ratio=r, changes=y, k_regimes=k, ppy=ppy, labels=labels, means=means, sigmas=sigmas,
        mean_se=se, transition=pd.DataFrame(P, index=pd.Index(labels, name="from"),
                                             columns=pd.Index(labels, name="to")),
        smoothed=sm, filtered=fl, llf=float(best.llf), aic=float(best.aic), bic=float(best.bic),
        start_llfs=tuple(llfs), converged=converged, legs=legs, notes=tuple(notes),
    )


def _notes(means: np.ndarray, sigmas: np.ndarray, cv: np.ndarray, labels: tuple[str, ...],
           llfs: list[float], ppy: int) -> list[str]:
    notes = []
    k = len(means)
    for i in range(k - 1):
        var = cv[i, i] + cv[i + 1, i + 1] - 2 * cv[i, i + 1]
        if not np.isfinite(var) or var <= 0:
            continue
        t = (means[i + 1] - means[i]) / np.sqrt(var)
        if abs(t) < 2:
            ratio = max(sigmas[i], sigmas[i + 1]) / min(sigmas[i], sigmas[i + 1])
            notes.append(
                f"the means of '{labels[i]}' ({means[i]:+.3f} %/period) and '{labels[i + 1]}' "
                f"({means[i + 1]:+.3f}) are not distinguishable (t = {t:.1f}); their volatilities "
                f"differ by a factor {ratio:.1f}, so these are volatility regimes rather than "
                "leadership regimes")
    ok = np.array([v for v in llfs if np.isfinite(v)])
    if len(ok) > 1 and (ok.max() - np.sort(ok)[-2] > 0.5 or ok.max() - ok.min() > 0.5):
        n_best = int(np.sum(ok > ok.max() - 0.01))
        notes.append(f"starting values mattered: log-likelihoods ranged {ok.min():.1f} to "
                     f"{ok.max():.1f}; {n_best} of {len(llfs)} starts reached the best")
    return notes


# --------------------------------------------------------------------------- baseline


@dataclass(frozen=True, eq=False, repr=False)
class Baseline(Result):
    """The naive rule: ratio above its N-period average = leading, below = lagging.

    Attributes
    ----------
    ratio : the ratio line.
    average : its N-period simple moving average.
    states : 1 (above, "leading") / 0 (at or below, "lagging"); NaN in the warm-up.
    window : N.
    ppy : periods per year.
    legs : optional numerator/denominator prices.
    """

    ratio: pd.Series
    average: pd.Series
    states: pd.Series
    window: int
    ppy: int
    legs: pd.DataFrame | None = None
    labels: tuple[str, ...] = ("lagging", "leading")
    notes: tuple[str, ...] = field(default_factory=tuple)

    def __repr__(self) -> str:
        return str(self)

    @property
    def title(self) -> str:  # type: ignore[override]
        return f"{self.ratio.name or 'ratio'} above/below its {self.window}-period average"

    def spells(self) -> pd.DataFrame:
        return spells(self.states, self.ratio, legs=self.legs, labels=self.labels, ppy=self.ppy)

    def summary(self) -> pd.DataFrame:
        sp = self.spells()
        st = self.states.dropna()
        rows = []
        for i, lab in enumerate(self.labels):
            ms, ns = _mean_spell(sp, i)
            rows.append({"regime": lab, "share_of_time": float((st == i).mean()), "n_spells": ns,
                         "mean_spell_periods": ms, "mean_spell_years": ms / self.ppy})
        return pd.DataFrame(rows).set_index("regime")

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"ratio": self.ratio, "average": self.average, "state": self.states})

    def plot(self, ax: Any = None) -> Any:
        from .charts._style import COLORS, shade_states

        ax = get_ax(ax)
        ax.plot(self.ratio.index, self.ratio.to_numpy(), color=COLORS["price"], lw=1.0,
                label=str(self.ratio.name or "ratio"))
        ax.plot(self.average.index, self.average.to_numpy(), color=COLORS["accent"], lw=1.0,
                label=f"{self.window}-period average")
        shade_states(ax, self.states, 1, COLORS["up"], "above")
        ax.set_yscale("log")
        ax.set_title(self.title)
        ax.legend(loc="best")
        return ax


def baseline(ratio: pd.Series, window: int = 40, *, legs: pd.DataFrame | None = None) -> Baseline:
    """Ratio above/below its ``window``-period simple average (40 weeks ~ 200 days).

    ``state_t = 1`` if :math:`R_t > \\mathrm{SMA}_N(R)_t`, else 0; known at the
    close of ``t`` (no look-ahead); NaN for the first ``N - 1`` periods.
    """
    if isinstance(window, bool) or not isinstance(window, int) or window < 2:
        raise ValueError(f"window: expected an integer >= 2, got {window!r}")
    r = _ratio(ratio)
    if len(r) < window + 10:
        raise ValueError(f"ratio: {len(r)} periods is too short for a {window}-period average "
                         f"baseline (needs at least {window + 10})")
    avg = r.rolling(window, min_periods=window).mean()
    st = (r > avg).astype("float64").where(avg.notna())
    st.name = "state"
    if legs is not None:
        legs = legs.reindex(r.index)
    return Baseline(r, avg, st, window, periods_per_year(r.index), legs)


# --------------------------------------------------------------------------- comparison


def _forward(r: pd.Series, horizon: int) -> pd.Series:
    """``100 ln(R_{t+h} / R_t)``: the ratio's log change over the next ``h`` periods (%)."""
    return 100.0 * (np.log(r.shift(-horizon)) - np.log(r))


def compare(model: RegimeFit, base: Baseline, horizon: int = 13) -> pd.DataFrame:
    """Markov regimes and the naive baseline side by side.

    Rows: (method, regime) for ``markov smoothed`` (in-sample, looks ahead),
    ``markov filtered`` (real-time state path) and ``above/below N avg``; plus
    ``all periods`` as the unconditional reference.

    Columns
    -------
    share_of_time, n_spells, mean_spell_periods, mean_spell_years (complete
    spells), switches_per_year (state changes per year of the whole path),
    fwd_mean_pct (mean ``100 ln(R_{t+h}/R_t)`` over periods in the state),
    fwd_hit_rate (share of those > 0), n_fwd (periods with a full horizon ahead).
    Overlapping horizons make neighbouring forward changes dependent: use
    :func:`smallcaps.stats.event_study` for intervals.
    """
    if isinstance(horizon, bool) or not isinstance(horizon, int) or horizon < 1:
        raise ValueError(f"horizon: expected a positive integer, got {horizon!r}")
    r = model.ratio
    fwd = _forward(r, horizon)
    rows = []

    def add(method: str, states: pd.Series, labels: tuple[str, ...], ppy: int) -> None:
        st = states.dropna()
        sp = spells(st, r, labels=labels, ppy=ppy)
        switches = float((st.diff().fillna(0) != 0).sum()) / (len(st) / ppy)
        for i, lab in enumerate(labels):
            ms, ns = _mean_spell(sp, i)
            f = fwd.reindex(st.index)[st == i].dropna()
            rows.append({"method": method, "regime": lab, "share_of_time": float((st == i).mean()),
                         "n_spells": ns, "mean_spell_periods": ms, "mean_spell_years": ms / ppy,
                         "switches_per_year": switches, "fwd_mean_pct": float(f.mean()) if len(f) else np.nan,
                         "fwd_hit_rate": float((f > 0).mean()) if len(f) else np.nan, "n_fwd": len(f)})

    add("markov smoothed", model.states.astype(float), model.labels, model.ppy)
    add("markov filtered", model.realtime_states.astype(float), model.labels, model.ppy)
    add(f"above/below {base.window} avg", base.states.reindex(r.index), base.labels, base.ppy)
    f_all = fwd.dropna()
    rows.append({"method": "all periods", "regime": "all", "share_of_time": 1.0, "n_spells": np.nan,
                 "mean_spell_periods": np.nan, "mean_spell_years": np.nan, "switches_per_year": np.nan,
                 "fwd_mean_pct": float(f_all.mean()), "fwd_hit_rate": float((f_all > 0).mean()),
                 "n_fwd": len(f_all)})
    out = pd.DataFrame(rows).set_index(["method", "regime"])
    out.attrs["horizon"] = horizon
    return out


# --------------------------------------------------------------------------- structural breaks


def structural_breaks(ratio: pd.Series, max_breaks: int = 8, *, min_size: int | None = None,
                      penalty: str = "bic") -> pd.DataFrame:
    """Breaks in the drift of a ratio: optimal segments of constant mean log change.

    The log changes :math:`y_t = 100 \\ln(R_t/R_{t-1})` are split into ``m + 1``
    segments with their own mean, :math:`y_t = \\mu_j + \\varepsilon_t` (so the log
    ratio follows a continuous piecewise-linear trend), choosing the break dates
    that minimise the total residual sum of squares by dynamic programming over
    all admissible dates (Bai and Perron 2003, the global-minimiser algorithm).
    The number of breaks ``m <= max_breaks`` minimises BIC
    (``n ln(RSS/n) + (2m + 2) ln n``: m+1 means, m dates, one variance) or LWZ
    (Liu, Wu and Zidek 1997, a stricter penalty ``0.299 (ln n)^2.1`` per
    parameter). Variances are assumed equal across segments; with weekly ratio
    changes the noise is large against the drifts, so few breaks survive: that
    is informative, not a failure.

    Parameters
    ----------
    ratio : positive ratio line.
    max_breaks : largest number of breaks considered.
    min_size : shortest segment in periods (default 5 % of the sample, at least 10).
    penalty : "bic" or "lwz".

    Returns
    -------
    DataFrame
        One row per segment: ``start, end, periods, years, mean_pct`` (mean log
        change per period), ``trend_annual_pct`` (x periods per year) and
        ``ratio_change_pct`` (ratio change over the segment);
        ``attrs["n_breaks"]`` and ``attrs["criterion"]`` (by number of breaks).
    """
    y_s = log_changes(ratio)
    r = _ratio(ratio)
    n = len(y_s)
    if isinstance(max_breaks, bool) or not isinstance(max_breaks, int) or max_breaks < 0:
        raise ValueError(f"max_breaks: expected an integer >= 0, got {max_breaks!r}")
    if penalty not in ("bic", "lwz"):
        raise ValueError(f"penalty: {penalty!r} is not 'bic' or 'lwz'")
    h = min_size if min_size is not None else max(10, int(0.05 * n))
    if isinstance(h, bool) or not isinstance(h, int) or h < 3:
        raise ValueError(f"min_size: expected an integer >= 3, got {h!r}")
    if n < 2 * h:
        raise ValueError(f"ratio: {n} changes is too short for segments of at least {h}")
    max_breaks = min(max_breaks, n // h - 1)
    y = y_s.to_numpy()
    c1 = np.concatenate([[0.0], np.cumsum(y)])
    c2 = np.concatenate([[0.0], np.cumsum(y * y)])

    def ssr(i: np.ndarray | int, j: np.ndarray | int) -> np.ndarray:
        """RSS of y[i:j] about its mean (vectorised)."""
        s1 = c1[j] - c1[i]
        return np.maximum(c2[j] - c2[i] - s1 * s1 / (np.asarray(j) - np.asarray(i)), 0.0)

    cost = np.full((max_breaks + 1, n + 1), np.inf)
    arg = np.zeros((max_breaks + 1, n + 1), dtype=np.int64)
    js = np.arange(h, n + 1)
    cost[0, js] = ssr(0, js)
    for m in range(1, max_breaks + 1):
        for j in range((m + 1) * h, n + 1):
            i = np.arange(m * h, j - h + 1)
            tot = cost[m - 1, i] + ssr(i, j)
            b = int(np.argmin(tot))
            cost[m, j], arg[m, j] = tot[b], i[b]
    pen = np.log(n) if penalty == "bic" else 0.299 * np.log(n) ** 2.1
    crit = [n * np.log(cost[m, n] / n) + (2 * m + 2) * pen for m in range(max_breaks + 1)]
    m_best = int(np.argmin(crit))
    bounds, j = [n], n
    for m in range(m_best, 0, -1):
        j = int(arg[m, j])
        bounds.append(j)
    bounds = [0, *bounds[::-1]]
    ppy = periods_per_year(r.index)
    rv = r.reindex(y_s.index)
    rows = []
    for a, b in zip(bounds[:-1], bounds[1:], strict=True):
        before = r.loc[:y_s.index[a]].iloc[-2]  # the ratio just before the segment's first change
        mu = float(y[a:b].mean())
        rows.append({"start": y_s.index[a], "end": y_s.index[b - 1], "periods": b - a,
                     "years": (b - a) / ppy, "mean_pct": mu, "trend_annual_pct": mu * ppy,
                     "ratio_change_pct": 100.0 * (rv.iloc[b - 1] / before - 1.0)})
    out = pd.DataFrame(rows)
    out.attrs["n_breaks"] = m_best
    out.attrs["criterion"] = {m: float(v) for m, v in enumerate(crit)}
    return out


# --------------------------------------------------------------------------- real time


def _em(mod: Any, start: np.ndarray | None, iters: int) -> np.ndarray:
    # EM steps only. statsmodels' ``fit(em_iter=n, maxiter=0)`` runs the same steps and
    # then still evaluates a complex-step gradient for a BFGS that takes no step: about
    # 80% of a real-time run (measured). ``_fit_em`` is the (private) EM loop that
    # ``fit`` itself calls, with the arguments ``fit`` passes; tolerance=0 stops only
    # when a step fails to raise the likelihood, as in ``fit``.
    if start is None:
        start = mod.start_params
    return np.asarray(mod._fit_em(np.asarray(start, dtype=float), transformed=True,
                                  maxiter=iters, tolerance=0, return_params=True))


def _fit_params(mod: Any, starts: list[np.ndarray | None], em_screen: int = 5,
                em_round: int = 20, max_rounds: int = 10, tol: float = 1e-4,
                maxiter: int = 100) -> tuple[np.ndarray, float]:
    """Screen the starts with a few EM iterations, then maximise the likelihood
    from the best one only: the full multi-start fit's optimum in a fraction of the
    time (measurements, notebook 03). EM rounds finish the fit while they raise the
    likelihood; statsmodels' EM can stall (and lower it) with a transition
    probability at its bound, and then BFGS, as statsmodels' own fit, finishes."""
    screened = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for s in starts:
            try:
                pe = _em(mod, s, em_screen)
                llf = float(mod.loglike(pe))
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                continue
            if np.isfinite(llf):
                screened.append((llf, pe))
        if not screened:
            raise ValueError("no starting value gave a finite likelihood")
        llf, params = max(screened, key=lambda t: t[0])
        # EM rounds while they raise the likelihood (cheap, and a warm start converges
        # in a round or two); a round that lowers it is the stall: finish with BFGS
        for _ in range(max_rounds):
            try:
                nxt = _em(mod, params, em_round)
            except (np.linalg.LinAlgError, ValueError, FloatingPointError):
                break  # e.g. a transition probability at 0 or 1 ("could not untransform")
            new = float(mod.loglike(nxt))
            if not np.isfinite(new) or new < llf - 1e-9:
                break
            gain, params, llf = new - llf, nxt, new
            if gain < tol:
                return params, llf
        try:
            final = np.asarray(mod.fit(start_params=params, em_iter=0, maxiter=maxiter,
                                       cov_type="none", return_params=True, disp=False))
            new = float(mod.loglike(final))
        except (np.linalg.LinAlgError, ValueError, FloatingPointError):
            new = -np.inf
    if np.isfinite(new) and new >= llf:
        return final, new
    return params, llf


def _match_cost(perm: tuple[int, ...], means: np.ndarray, sds: np.ndarray, prev_means: np.ndarray,
                prev_sds: np.ndarray, scale: float) -> float:
    """Distance between a refit's regimes (in the order ``perm``) and the previous ones."""
    return float(sum(((means[perm[i]] - prev_means[i]) / scale) ** 2
                     + (np.log(sds[perm[i]]) - np.log(prev_sds[i])) ** 2 for i in range(len(perm))))


def _regime_params(params: np.ndarray, names: list[str], k: int) -> tuple[np.ndarray, np.ndarray]:
    p = pd.Series(params, index=names)
    return (np.array([p[f"const[{i}]"] for i in range(k)]),
            np.sqrt(np.array([p[f"sigma2[{i}]"] for i in range(k)])))


@dataclass(frozen=True, eq=False)
class RealtimeRegimes(Result):
    """Regimes as they were known then: expanding-window refits, filtered probabilities.

    Attributes
    ----------
    probabilities : P(S_t = regime | data up to t), with the parameters of the
        latest refit made on data up to a date on or before t (one column per label).
    refits : one row per refit: ``date`` (last observation used), ``n_obs``,
        ``llf``, per-regime ``mean_<label>`` and ``sd_<label>`` after alignment,
        ``params`` (statsmodels' parameter vector), ``regime_order`` (the
        statsmodels regime behind each label), ``order_by_mean`` (True when the aligned labels still sort by mean) and
        ``leading_flip`` (True when the regime with the highest mean is not the
        one carried as "leading" from the previous refit).
    labels : regime names (as in :func:`fit`).
    refit_every : periods between refits.
    ratio : the ratio line.
    """

    probabilities: pd.DataFrame
    refits: pd.DataFrame
    labels: tuple[str, ...]
    refit_every: int
    ratio: pd.Series
    ppy: int
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def title(self) -> str:  # type: ignore[override]
        return (f"{self.ratio.name or 'ratio'}: regimes as known then ({len(self.refits)} "
                f"expanding-window refits, every {self.refit_every} periods)")

    @property
    def states(self) -> pd.Series:
        """Most likely regime at each date from the real-time filtered probabilities."""
        pr = self.probabilities.dropna()
        return pd.Series(np.argmax(pr.to_numpy(), axis=1), index=pr.index, name="state")

    def agreement(self, full: RegimeFit) -> pd.DataFrame:
        """Agreement of the real-time path with a full-sample fit's smoothed path.

        Returns a one-row-per-comparison table: share of dates where the states
        agree, against the smoothed and the (in-sample) filtered paths, on the dates
        both cover.
        """
        rt = self.states
        rows = []
        for what, st in (("smoothed (full sample)", full.states),
                         ("filtered (full-sample parameters)", full.realtime_states)):
            common = rt.index.intersection(st.index)
            rows.append({"compared with": what, "periods": len(common),
                         "agree": float((rt.loc[common] == st.loc[common]).mean())
                         if len(common) else np.nan})
        return pd.DataFrame(rows).set_index("compared with")

    def summary(self) -> pd.DataFrame:
        return self.refits.copy()

    def to_frame(self) -> pd.DataFrame:
        out = self.probabilities.add_prefix("p_")
        out["state"] = self.states
        return out

    def plot(self, ax: Any = None) -> Any:
        """Real-time probability of the top regime, with the refit dates marked."""
        from .charts._style import COLORS

        ax = get_ax(ax)
        top = self.labels[-1]
        pr = self.probabilities[top]
        ax.plot(pr.index, pr.to_numpy(), color=COLORS["up"], lw=1.0,
                label=f"P({top}), as known then")
        for d in self.refits["date"]:
            ax.axvline(d, color="0.85", lw=0.5, zorder=0)
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(self.title)
        ax.legend(loc="best")
        return ax


def realtime(ratio: pd.Series, k_regimes: int = 2, *, refit_every: int = 52,
             first: int | None = None, n_starts: int = 3, seed: int = 0) -> RealtimeRegimes:
    """Regimes "as known then": expanding-window refits and filtered probabilities only.

    At each refit date (every ``refit_every`` periods, from ``first`` observations
    on) the model of :func:`fit` is re-estimated on the log changes up to that
    date; until the next refit, each period's regime probabilities are the
    *filtered* ones (data up to that period) under those parameters. Nothing after
    a date enters its probabilities: neither smoothing nor later parameters.

    Labels are aligned across refits by matching each refit's regimes to the
    previous one's (closest mean and log standard deviation, all permutations
    tried), so a regime keeps its name when its parameters drift; ``refits``
    records when the "leading" regime is no longer the one with the highest mean.

    Each refit screens its starts with a few EM iterations and maximises the
    likelihood from the best one only (see measurements: screening gave the full
    fit's likelihood in a fraction of the time): the first
    fit screens statsmodels' default and ``n_starts - 1`` seeded random starts,
    later ones the previous refit's parameters (a warm start) and the default.

    Parameters
    ----------
    ratio : positive ratio line (weekly is the intended use).
    k_regimes : 2 or 3.
    refit_every : periods between refits (52 = yearly on weekly data).
    first : observations in the first fit (default: :func:`min_observations`).
    n_starts : starting values screened in the first fit (at least 1).
    seed : seed of the random starts.

    Returns
    -------
    RealtimeRegimes
    """
    k = _check_k(k_regimes)
    for nm, v, lo in (("refit_every", refit_every, 1), ("n_starts", n_starts, 1)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)) or v < lo:
            raise ValueError(f"{nm}: expected an integer >= {lo}, got {v!r}")
    y = check_window(ratio, k)
    r = _ratio(ratio)
    n0 = min_observations(k) if first is None else int(first)
    if n0 < min_observations(k):
        raise ValueError(f"first={n0}: the model needs at least {min_observations(k)} observations")
    if n0 >= len(y):
        raise ValueError(f"first={n0}: the window holds only {len(y)} changes")

    MarkovRegression = _markov.model_class()  # statsmodels' model, analytic score

    yv = y.to_numpy()
    scale = float(np.std(yv)) or 1.0
    rng = np.random.default_rng(seed)
    labels = _LABELS[k]
    probs = np.full((len(yv), k), np.nan)
    rows: list[dict[str, Any]] = []
    prev_params: np.ndarray | None = None
    prev_ms: tuple[np.ndarray, np.ndarray] | None = None
    import itertools

    cuts = list(range(n0, len(yv), refit_every))
    for j, cut in enumerate(cuts):
        mod = MarkovRegression(yv[:cut], k_regimes=k, trend="c", switching_variance=True)
        names = list(mod.param_names)
        if prev_params is None:  # first fit: statsmodels' start and seeded random ones
            starts: list[np.ndarray | None] = [None] + [
                _random_start(names, yv[:cut], k, rng) for _ in range(n_starts - 1)]
        else:  # later fits: warm start from the previous refit, and statsmodels' start
            starts = [prev_params, None]
        params, llf = _fit_params(mod, starts)
        means, sds = _regime_params(params, names, k)
        if prev_ms is None:
            perm = tuple(np.argsort(means, kind="stable"))
        else:
            pm, ps = prev_ms
            perm = min(itertools.permutations(range(k)),
                       key=lambda pp: _match_cost(pp, means, sds, pm, ps, scale))
        am, asd = means[list(perm)], sds[list(perm)]
        prev_ms, prev_params = (am, asd), params
        # filtered probabilities up to the next refit, with these parameters only
        stop = cuts[j + 1] if j + 1 < len(cuts) else len(yv)
        fmod = MarkovRegression(yv[:stop], k_regimes=k, trend="c", switching_variance=True)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            fres = fmod.filter(params)
        fp = np.asarray(fres.filtered_marginal_probabilities)[:, list(perm)]
        probs[cut:stop] = fp[cut:stop]
        row: dict[str, Any] = {"date": y.index[cut - 1], "n_obs": cut, "llf": llf}
        for i, lab in enumerate(labels):
            row[f"mean_{lab}"], row[f"sd_{lab}"] = float(am[i]), float(asd[i])
        row["params"] = tuple(float(v) for v in params)  # statsmodels order and names
        row["regime_order"] = tuple(int(i) for i in perm)  # statsmodels regime of each label
        row["order_by_mean"] = bool(np.all(np.diff(am) > 0))
        row["leading_flip"] = int(np.argmax(am)) != k - 1
        rows.append(row)
    pr = pd.DataFrame(probs, index=y.index, columns=list(labels)).iloc[n0:]
    refits = pd.DataFrame(rows)
    notes = []
    flips = int(refits["leading_flip"].sum())
    if flips:
        notes.append(f"in {flips} of {len(refits)} refits the regime carried as "
                     f"'{labels[-1]}' no longer had the highest mean")
    return RealtimeRegimes(pr, refits, labels, int(refit_every), r, periods_per_year(r.index),
                           tuple(notes))
