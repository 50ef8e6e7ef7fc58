"""Unit roots and cointegration: same numbers as statsmodels, planted answers found."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps.stats import adf, cointegration, engle_granger, johansen, kpss, unit_roots


def _rw(n: int, seed: int) -> pd.Series:
    rng = np.random.default_rng(seed)
    return pd.Series(np.cumsum(rng.normal(size=n)), pd.date_range("2000-01-31", periods=n, freq="ME"))


def _coint_pair(n: int = 300, seed: int = 0) -> tuple[pd.Series, pd.Series]:
    """x a random walk; y = 2 + 0.8 x + AR(1) noise with phi 0.5 (stationary spread)."""
    rng = np.random.default_rng(seed)
    x = np.cumsum(rng.normal(size=n))
    u = np.zeros(n)
    e = rng.normal(scale=0.8, size=n)
    for t in range(1, n):
        u[t] = 0.5 * u[t - 1] + e[t]
    idx = pd.date_range("2000-01-31", periods=n, freq="ME")
    return pd.Series(x, idx, name="x"), pd.Series(2 + 0.8 * x + u, idx, name="y")


def test_adf_and_kpss_match_statsmodels():
    from statsmodels.tsa.stattools import adfuller
    from statsmodels.tsa.stattools import kpss as sm_kpss

    s = _rw(250, 1)
    for reg in ("c", "ct"):
        a = adf(s, regression=reg)
        stat, p, lags, nobs, crit, _ = adfuller(s.to_numpy(), regression=reg, autolag="AIC",
                                                result_object=False)
        assert (a.statistic, a.p_value, a.lags, a.nobs) == pytest.approx((stat, p, lags, nobs))
        assert a.critical["5%"] == pytest.approx(crit["5%"])
        k = kpss(s, regression=reg)
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kstat, kp, klags, kcrit = sm_kpss(s.to_numpy(), regression=reg, nlags="auto",
                                              result_object=False)
        assert (k.statistic, k.p_value, k.lags) == pytest.approx((kstat, kp, klags))
    assert "unit root" in a.null and "stationary" in k.null
    assert a.summary().loc[0, "test"] == "ADF"


def test_verdicts_random_walk_and_white_noise():
    idx = pd.date_range("2000-01-31", periods=400, freq="ME")
    walk_ok = noise_ok = 0
    for seed in range(30):
        rng = np.random.default_rng(seed)
        frame = pd.DataFrame({"walk": np.cumsum(rng.normal(size=400)),
                              "noise": rng.normal(size=400)}, index=idx)
        rep = unit_roots(frame, level_regression="c")
        walk_ok += rep.verdicts["walk"] == "I(1)"
        noise_ok += rep.verdicts["noise"] == "I(0)"
    # each verdict needs two 5 % tests to agree: most, not all, samples qualify
    assert walk_ok >= 20 and noise_ok >= 23
    s = rep.summary()
    assert len(s) == 8 and set(s["test"]) == {"ADF", "KPSS"}
    assert s["null"].str.len().min() > 20


def test_engle_granger_and_johansen_match_statsmodels():
    from statsmodels.tsa.stattools import coint
    from statsmodels.tsa.vector_ar.vecm import coint_johansen

    x, y = _coint_pair(300, 2)
    eg = engle_granger(y, x)
    stat, p, crit = coint(y.to_numpy(), x.to_numpy(), trend="c", autolag="aic")
    assert eg.statistic == pytest.approx(stat) and eg.p_value == pytest.approx(p)
    assert eg.critical["5%"] == pytest.approx(crit[1])
    assert eg.beta == pytest.approx(0.8, abs=0.05)
    jo = johansen(pd.concat([y, x], axis=1), k_ar_diff=2)
    ref = coint_johansen(pd.concat([y, x], axis=1).to_numpy(), 0, 2)
    np.testing.assert_allclose(jo.table["trace"], ref.lr1)
    np.testing.assert_allclose(jo.table["max_eig"], ref.lr2)
    np.testing.assert_allclose(jo.table["trace_crit_95"], ref.cvt[:, 1])
    assert "at most 0" in jo.table.loc[0, "null"]


def test_cointegrated_pair_is_found():
    found = 0
    for seed in range(20):
        x, y = _coint_pair(300, seed)
        res = cointegration(y, x)
        found += res.found
        assert res.johansen.k_ar_diff >= 0 and "AIC" in res.johansen.lag_choice
    assert found >= 18
    assert "cointegrated" in res.conclusion()
    assert len(res.summary()) == 4


def test_independent_walks_rarely_cointegrated():
    false = 0
    for seed in range(40):
        res = cointegration(_rw(300, 1000 + seed).rename("a"), _rw(300, 2000 + seed).rename("b"))
        false += res.found
    assert false / 40 <= 0.15


def test_errors_name_the_input():
    with pytest.raises(ValueError, match="need at least 20"):
        adf(pd.Series(np.arange(10.0)), name="short")
    with pytest.raises(ValueError, match="constant"):
        kpss(pd.Series(np.ones(50)), name="flat")
    with pytest.raises(TypeError, match="data"):
        johansen(pd.DataFrame({"a": np.arange(50.0)}))
