"""Lead/lag: cross-correlation equals statsmodels', planted leads found, Granger as statsmodels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps.stats import (
    cross_correlation,
    granger,
    lead_lag,
    predictive_regression,
    toda_yamamoto,
)


def _lead_pair(n: int = 400, lead: int = 3, seed: int = 0, phi: float = 0.0):
    """x AR(1) with phi; y_t = 0.6 x_{t-lead} + noise: x leads y by `lead`."""
    rng = np.random.default_rng(seed)
    e = rng.normal(size=n + lead)
    x = np.zeros(n + lead)
    for t in range(1, n + lead):
        x[t] = phi * x[t - 1] + e[t]
    y = 0.6 * x[:n] + rng.normal(size=n)
    idx = pd.date_range("1990-01-31", periods=n, freq="ME")
    return pd.Series(x[lead:], idx, name="x"), pd.Series(y, idx, name="y")


def test_raw_ccf_matches_statsmodels():
    from statsmodels.tsa.stattools import ccf

    x, y = _lead_pair(300, 2, seed=1)
    res = cross_correlation(x, y, 8, prewhiten=False)
    fwd = ccf(y.to_numpy(), x.to_numpy(), adjusted=False, fft=False)  # corr(y_{t+k}, x_t)
    bwd = ccf(x.to_numpy(), y.to_numpy(), adjusted=False, fft=False)  # corr(x_{t+k}, y_t)
    for k in range(0, 9):
        assert res.table.loc[k, "raw"] == pytest.approx(fwd[k], abs=1e-12)
        assert res.table.loc[-k, "raw"] == pytest.approx(bwd[k], abs=1e-12)


def test_planted_lead_found_at_the_right_lag_after_prewhitening():
    x, y = _lead_pair(400, 3, seed=2, phi=0.8)
    res = cross_correlation(x, y, 8)
    assert res.ar_order >= 1
    assert res.peak_lag == 3
    sig = res.significant_lags()
    assert 3 in sig
    # persistence smears the raw correlogram over many lags; prewhitening does not
    raw_sig = (res.table["raw"].abs() > res.table["band"]).sum()
    assert raw_sig > len(sig) + 3
    assert res.table.loc[3, "band"] == pytest.approx(1.959963984540054 / np.sqrt(res.nobs))


def test_granger_matches_statsmodels_and_finds_direction():
    from statsmodels.tsa.stattools import grangercausalitytests

    x, y = _lead_pair(400, 1, seed=3)
    g = granger(x, y, 6)
    t = g.summary().set_index("direction")
    p = int(t.loc["x -> y", "lag"])
    ref = grangercausalitytests(pd.concat([y, x], axis=1).to_numpy(), [p])[p][0]["ssr_ftest"]
    assert t.loc["x -> y", "statistic"] == pytest.approx(ref[0])
    assert t.loc["x -> y", "p_value"] == pytest.approx(ref[1])
    assert t.loc["x -> y", "p_value"] < 0.001
    assert t.loc["y -> x", "p_value"] > 0.01
    assert "chosen by AIC" in g.lag_choice
    g2 = granger(x, y, lag=2)
    assert g2.summary()["lag"].eq(2).all() and "given" in g2.lag_choice


def test_toda_yamamoto_on_levels():
    import statsmodels.api as sm

    rng = np.random.default_rng(5)
    n = 400
    x = np.cumsum(rng.normal(size=n))
    y = np.zeros(n)
    for t in range(1, n):
        y[t] = y[t - 1] + 0.5 * (x[t - 1] - x[t - 2] if t >= 2 else 0) + rng.normal()
    idx = pd.date_range("1990-01-31", periods=n, freq="ME")
    xs, ys = pd.Series(x, idx, name="x"), pd.Series(y, idx, name="y")
    ty = toda_yamamoto(xs, ys, lag=2, d_max=1).summary().set_index("direction")
    assert ty.loc["x -> y", "p_value"] < 0.001
    assert ty.loc["y -> x", "p_value"] > 0.01
    # the same Wald statistic from a hand-built regression
    df = pd.DataFrame({"y": ys, "x": xs})
    X = pd.DataFrame({f"y{i}": df["y"].shift(i) for i in (1, 2, 3)} |
                     {f"x{i}": df["x"].shift(i) for i in (1, 2, 3)})
    fit = sm.OLS(df["y"].iloc[3:], sm.add_constant(X).iloc[3:]).fit()
    w = fit.wald_test("x1 = 0, x2 = 0", use_f=False, scalar=True)
    assert ty.loc["x -> y", "statistic"] == pytest.approx(float(w.statistic))


def test_lead_lag_combines_and_plots():
    import matplotlib

    matplotlib.use("Agg")
    x, y = _lead_pair(300, 2, seed=7)
    ll = lead_lag(x, y, 6)
    s = ll.summary()
    assert "peak cross-correlation" in set(s["direction"])
    assert ll.ccf.peak_lag == 2
    ax = ll.plot()
    assert len(ax.patches) >= 13


def test_predictive_regression_matches_statsmodels_and_respects_publication():
    import statsmodels.api as sm

    rng = np.random.default_rng(11)
    n = 21 * 200
    bars = pd.bdate_range("2000-01-03", periods=n, name="date")
    logp = np.cumsum(rng.normal(0.0003, 0.01, n))
    px = pd.Series(100 * np.exp(logp), bars)
    month_end = pd.Series(bars, bars).groupby(bars.to_period("M")).last().iloc[:-8]
    ref = pd.DatetimeIndex(month_end.to_numpy())
    pos = bars.get_indexer(ref)
    # the signal is the return of the 10 bars AFTER its reference date: pure look-ahead
    signal = pd.Series(logp[pos + 10] - logp[pos], ref, name="peek")
    published = pd.Series(bars[pos + 15], ref)  # public 15 bars later
    bad = predictive_regression(signal, px, (1,), align="reference").summary().loc[1]
    good = predictive_regression(signal, px, (1,), published=published).summary().loc[1]
    assert bad["t_hac"] > 5
    assert abs(good["t_hac"]) < 3
    # same numbers as statsmodels on the same rows
    d = predictive_regression(signal, px, (1,), published=published).to_frame()
    entry = bars.get_indexer(pd.DatetimeIndex(d["entry"]))
    fwd = logp[entry + 21] - logp[entry]
    fit = sm.OLS(fwd, sm.add_constant(d["signal"].to_numpy())).fit(cov_type="HAC",
                                                                   cov_kwds={"maxlags": 1})
    assert good["slope"] == pytest.approx(fit.params[1])
    assert good["t_hac"] == pytest.approx(fit.tvalues[1])
    assert (d["entry"] >= pd.DatetimeIndex(published.to_numpy())).all()
    with pytest.raises(ValueError, match="published"):
        predictive_regression(signal, px, (1,))


def test_errors():
    x, y = _lead_pair(30, 1)
    with pytest.raises(ValueError, match="max_lag"):
        cross_correlation(x, y, 0)
    with pytest.raises(ValueError, match="common observations"):
        cross_correlation(x.iloc[:10], y.iloc[:10], 2)
    with pytest.raises(TypeError, match="x: expected a pandas Series"):
        granger(x.to_numpy(), y)
