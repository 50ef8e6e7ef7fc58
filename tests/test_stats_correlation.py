"""correlation_report: matches statsmodels, flags spurious level correlation, monthly sampling."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps.stats import align_monthly, correlation_report, spurious_benchmark, to_monthly
from smallcaps.stats.correlation import newey_west_lags


def _monthly_walks(n: int = 240, seed: int = 0, corr: float = 0.0) -> tuple[pd.Series, pd.Series]:
    rng = np.random.default_rng(seed)
    e1 = rng.normal(0.005, 0.04, n)
    e2 = corr * e1 + np.sqrt(1 - corr**2) * rng.normal(0.005, 0.04, n)
    idx = pd.date_range("2000-01-31", periods=n, freq="ME", name="date")
    return (pd.Series(100 * np.exp(np.cumsum(e1)), idx, name="a"),
            pd.Series(50 * np.exp(np.cumsum(e2)), idx, name="b"))


def test_statistics_match_statsmodels_directly():
    import statsmodels.api as sm
    from statsmodels.stats.stattools import durbin_watson

    x, y = _monthly_walks(300, seed=1, corr=0.5)
    rep = correlation_report(x, y, tests=False, hac_lags=4)
    t = rep.summary()
    lx, ly = np.log(x.to_numpy()), np.log(y.to_numpy())
    assert t.loc["levels", "r"] == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-12)
    assert t.loc["log levels", "r"] == pytest.approx(np.corrcoef(lx, ly)[0, 1], abs=1e-12)
    fit = sm.OLS(y.to_numpy(), sm.add_constant(x.to_numpy())).fit()
    assert t.loc["levels", "r_squared"] == pytest.approx(fit.rsquared)
    assert t.loc["levels", "durbin_watson"] == pytest.approx(durbin_watson(fit.resid))
    dx, dy = np.diff(lx), np.diff(ly)
    zx, zy = (dx - dx.mean()) / dx.std(), (dy - dy.mean()) / dy.std()
    hac = sm.OLS(zy, sm.add_constant(zx)).fit(cov_type="HAC", cov_kwds={"maxlags": 4})
    r = np.corrcoef(dx, dy)[0, 1]
    assert t.loc["log changes", "r"] == pytest.approx(r, abs=1e-12)
    assert hac.params[1] == pytest.approx(r, abs=1e-12)  # the slope trick is exact
    half = 1.959963984540054 * hac.bse[1]
    assert t.loc["log changes", "ci_low"] == pytest.approx(r - half)
    assert t.loc["log changes", "ci_high"] == pytest.approx(r + half)
    assert t.loc["log changes", "p_value"] == pytest.approx(hac.pvalues[1])
    fit_c = sm.OLS(dy, sm.add_constant(dx)).fit()
    assert t.loc["log changes", "durbin_watson"] == pytest.approx(durbin_watson(fit_c.resid))
    # detrended: each log series minus its own OLS trend
    tt = sm.add_constant(np.arange(len(lx), dtype=float))
    rx = sm.OLS(lx, tt).fit().resid
    ry = sm.OLS(ly, tt).fit().resid
    assert t.loc["detrended log levels", "r"] == pytest.approx(np.corrcoef(rx, ry)[0, 1], abs=1e-10)
    # rolling correlation of changes equals pandas on the same data
    d = rep.to_frame()
    expect = pd.Series(dx, x.index[1:]).rolling(36).corr(pd.Series(dy, x.index[1:]))
    pd.testing.assert_series_equal(d["rolling_corr_changes"].iloc[1:], expect, check_names=False)


def test_independent_random_walks_level_corr_high_change_corr_low_flag_raised():
    levels, changes, flags = [], [], []
    for seed in range(60):  # 60 independent pairs pin the medians well inside the bounds
        x, y = _monthly_walks(240, seed=seed)
        t = correlation_report(x, y, tests=False).summary()
        levels.append(abs(t.loc["levels", "r"]))
        changes.append(abs(t.loc["log changes", "r"]))
        flags.append(bool(t.loc["levels", "spurious_flag"]))
    levels, changes = np.array(levels), np.array(changes)
    assert np.median(levels) > 0.4          # "often high"
    assert (levels > 0.7).mean() > 0.2
    assert np.median(changes) < 0.06        # near zero: sd of r is 1/sqrt(239) ~ 0.065
    assert np.mean(flags) > 0.8             # R^2 > DW for most unrelated walks
    # and the change interval covers zero at about the nominal rate
    x, y = _monthly_walks(240, seed=3)
    rep = correlation_report(x, y, tests=False)
    assert rep.spurious == bool(rep.summary().loc["levels", "spurious_flag"])


def test_truly_related_changes_not_flagged_and_interval_covers_truth():
    hits = 0
    for seed in range(40):
        x, y = _monthly_walks(240, seed=100 + seed, corr=0.6)
        t = correlation_report(x, y, tests=False).summary().loc["log changes"]
        hits += t["ci_low"] <= 0.6 <= t["ci_high"]
        assert not t["spurious_flag"]
    assert hits >= 34  # ~95 % coverage; 34/40 leaves room for chance


def test_block_bootstrap_interval_is_seeded_and_sensible():
    x, y = _monthly_walks(200, seed=4, corr=0.4)
    a = correlation_report(x, y, tests=False, ci_method="block_bootstrap", seed=1).summary()
    b = correlation_report(x, y, tests=False, ci_method="block_bootstrap", seed=1).summary()
    pd.testing.assert_frame_equal(a, b)
    row = a.loc["log changes"]
    assert row["ci_low"] < row["r"] < row["ci_high"]
    assert 0.1 < row["ci_high"] - row["ci_low"] < 0.5
    assert row["ci_method"].startswith("block bootstrap (block 6)")  # ceil(199^(1/3)) = 6


def test_monthly_sampling_month_end_and_mean():
    idx = pd.bdate_range("2020-01-01", "2020-03-31", name="date")
    s = pd.Series(np.arange(len(idx), dtype=float) + 1, idx, name="px")
    me = to_monthly(s, "month_end")
    mn = to_monthly(s, "mean")
    assert list(me.index) == list(pd.to_datetime(["2020-01-31", "2020-02-29", "2020-03-31"]))
    assert me.iloc[0] == s.loc["2020-01"].iloc[-1]
    assert mn.iloc[1] == pytest.approx(s.loc["2020-02"].mean())
    # a month still in progress is dropped
    part = s.loc[:"2020-03-13"]
    assert to_monthly(part).index[-1] == pd.Timestamp("2020-02-29")
    assert len(to_monthly(part, drop_partial=False)) == 3
    # a monthly series dated on calendar month-ends (2026-05-31 is a Sunday) is complete
    monthly = pd.Series([1.0, 2.0, 3.0], pd.to_datetime(["2026-03-31", "2026-04-30", "2026-05-31"]))
    assert len(to_monthly(monthly)) == 3
    first_of_month = pd.Series([1.0, 2.0, 3.0], pd.to_datetime(["2026-03-01", "2026-04-01", "2026-05-01"]))
    assert list(to_monthly(first_of_month).index) == list(monthly.index)
    # price frame input and end given as a month include the whole month
    frame = pd.DataFrame({"close": s})
    y = pd.Series(1.0 + np.arange(3), me.index)
    al = align_monthly(frame, y, end="2020-02")
    assert list(al.index) == list(me.index[:2])
    with pytest.raises(ValueError, match="basis"):
        to_monthly(s, "median")


def test_short_window_gives_clear_error():
    x, y = _monthly_walks(120)
    with pytest.raises(ValueError, match=r"only 24 common monthly observations.*need at least 36"):
        correlation_report(x, y, start="2003-01", end="2004-12")
    with pytest.raises(ValueError, match="ci_method"):
        correlation_report(x, y, ci_method="jackknife")
    with pytest.raises(TypeError, match="x: needs a DatetimeIndex"):  # a wrong type
        correlation_report(x.reset_index(drop=True), y)


def test_report_with_tests_renders_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    x, y = _monthly_walks(200, seed=9, corr=0.5)
    rep = correlation_report(x, y, max_lag=6)
    assert rep.unit_roots is not None and rep.cointegration is not None
    assert len(rep.leadlag.ccf.table) == 13
    html = rep._repr_html_()
    assert "log changes" in html and "Correlation of a and b" in html
    assert "Level correlation" in rep.headline()
    assert len(rep.plot().lines) >= 3
    rep.plot(kind="scatter")
    assert newey_west_lags(340) == 5


@pytest.mark.snapshot
def test_rut_margin_level_correlation_is_0_984(snapshot_dir):
    import smallcaps as sc

    rut = sc.data.load("RUT")
    margin = sc.data.load("margin_debt")["debit_balances_margin_accounts"]
    rep = correlation_report(rut, margin, basis="month_end", start="1997-01", end="2025-04",
                             tests=False)
    assert round(rep.value("levels"), 3) == 0.984
    assert rep.sample["n_obs"] == 340
    assert rep.sample["start"] == "1997-01" and rep.sample["end"] == "2025-04"
    assert rep.spurious
    # changes correlate far less than levels
    assert rep.value("log changes") < rep.value("levels") - 0.2


def test_spurious_benchmark_matches_a_loop_and_theory():
    b = spurious_benchmark(120, n_sims=400, seed=3)
    rng = np.random.default_rng(3)
    steps = rng.normal(size=(2, 400, 120))
    lv = steps.cumsum(axis=2)
    assert b["levels"].iloc[7] == pytest.approx(np.corrcoef(lv[0, 7], lv[1, 7])[0, 1])
    assert b["changes"].iloc[7] == pytest.approx(np.corrcoef(steps[0, 7, 1:], steps[1, 7, 1:])[0, 1])
    # changes of independent walks: r ~ N(0, 1/n); levels: far wider
    assert b["changes"].std() == pytest.approx(1 / np.sqrt(119), rel=0.15)
    assert b["levels"].abs().median() > 4 * b["changes"].abs().median()
    # common drift makes unrelated levels look even more alike
    d = spurious_benchmark(120, n_sims=400, drift=(0.3, 0.3), seed=3)
    assert d["levels"].median() > 0.8
    with pytest.raises(ValueError, match="n_obs"):
        spurious_benchmark(5)
