"""smallcaps.regimes: Markov-switching regimes of a ratio, spells, durations, baseline, breaks.

Planted answers: smallcaps.demo.market() plants a two-state Markov chain of weekly
drifts in SMALL/LARGE and returns the true states; statsmodels is the reference
for the likelihood and the expected durations.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import regimes as rg
from smallcaps import relative as rel


@pytest.fixture(scope="module")
def demo():
    m = sc.demo.market(seed=0)
    r = rel.ratio(m["SMALL"], m["LARGE"], frequency="weekly")
    legs = rel.aligned(m["SMALL"], m["LARGE"], frequency="weekly")
    return m, r, legs, rg.fit(r, 2, legs=legs)


def _agreement(states: pd.Series, truth: pd.Series) -> tuple[float, int]:
    common = states.index.intersection(truth.index)
    return float((states.loc[common] == truth.loc[common]).mean()), len(common)


def test_planted_regimes_are_recovered(demo):
    m, r, _, f = demo
    agree, n = _agreement(f.states, m.truth.regimes)
    print(f"demo seed 0: smoothed-state agreement with the planted regimes {agree:.1%} over {n} weeks")
    assert n > 500
    assert agree >= 0.88
    # parameters near the planted ones (percent per week)
    drift = 100 * np.array(m.truth.regime_drift)
    vol = 100 * np.array(m.truth.regime_vol)
    np.testing.assert_allclose(f.means, drift, atol=0.2)
    np.testing.assert_allclose(f.sigmas, vol, rtol=0.25)
    np.testing.assert_allclose(np.diag(f.transition), np.diag(m.truth.transition), atol=0.04)
    # the real-time (filtered) path agrees less, but still well above chance
    agree_rt, _ = _agreement(f.realtime_states, m.truth.regimes)
    assert 0.75 <= agree_rt <= agree + 1e-9


@pytest.mark.parametrize("seed", [1, 2])
def test_planted_regimes_other_seeds(seed):
    m = sc.demo.market(seed=seed)
    f = rg.fit(rel.ratio(m["SMALL"], m["LARGE"], frequency="weekly"), 2, n_starts=3)
    agree, n = _agreement(f.states, m.truth.regimes)
    print(f"demo seed {seed}: agreement {agree:.1%} over {n} weeks")
    assert agree >= 0.88


def test_labels_follow_the_mean_and_flip_with_the_inverse_ratio(demo):
    _, r, _, f = demo
    assert f.labels == ("lagging", "leading")
    assert f.means[0] < f.means[1]
    inv = rg.fit(1.0 / r, 2)
    np.testing.assert_allclose(inv.means, -f.means[::-1], atol=1e-3)
    # the inverse ratio's leading regime is the original's lagging one
    common = f.states.index
    assert ((1 - inv.states.loc[common]) == f.states).mean() > 0.98


def test_expected_durations_match_transition_matrix_and_statsmodels(demo):
    _, r, _, f = demo
    P = f.transition.to_numpy()
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-10)
    d = f.expected_durations()
    np.testing.assert_allclose(d["periods"], 1.0 / (1.0 - np.diag(P)))
    np.testing.assert_allclose(d["years"], d["periods"] / 52)
    # statsmodels' own fit (default start) reaches the same optimum here: compare its numbers
    from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

    y = 100 * np.log(r).diff().dropna()
    res = MarkovRegression(y.to_numpy(), k_regimes=2, trend="c", switching_variance=True).fit(disp=False)
    assert f.llf >= res.llf - 1e-6  # the best of several starts is never worse than the default
    order = np.argsort(np.asarray(res.params)[2:4])
    np.testing.assert_allclose(d["periods"].to_numpy(), np.asarray(res.expected_durations)[order],
                               rtol=1e-3)
    np.testing.assert_allclose(f.smoothed.sum(axis=1), 1.0, atol=1e-9)
    assert f.llf == max(v for v in f.start_llfs if np.isfinite(v))
    assert len(f.start_llfs) == 6


def test_summary_spells_and_frame(demo):
    m, r, legs, f = demo
    s = f.summary()
    assert list(s.index) == ["lagging", "leading"]
    assert s["share_of_time"].sum() == pytest.approx(1.0)
    assert s.loc["leading", "mean_annual_pct"] == pytest.approx(52 * f.means[1])
    sp = f.spells()
    assert {"SMALL_return_pct", "LARGE_return_pct", "censored"} <= set(sp.columns)
    assert sp["periods"].sum() == len(f.changes)
    assert sp["censored"].iloc[0] and sp["censored"].iloc[-1] and not sp["censored"].iloc[1:-1].any()
    # each spell's ratio change equals the two legs' returns combined
    one = sp.iloc[3]
    assert 100 * ((1 + one.SMALL_return_pct / 100) / (1 + one.LARGE_return_pct / 100) - 1) == \
        pytest.approx(one.ratio_change_pct)
    fr = f.to_frame()
    assert {"p_lagging", "p_leading", "filtered_p_leading", "state", "realtime_state"} <= set(fr.columns)
    assert "Markov switching" in str(f) and "<table" in f._repr_html_()


def test_spells_hand_example():
    idx = pd.date_range("2020-01-03", periods=8, freq="W-FRI")
    ratio = pd.Series([1.0, 1.1, 1.21, 1.0, 0.9, 0.9, 1.8, 1.8], index=idx)
    states = pd.Series([np.nan, 1, 1, 0, 0, 0, 1, 1], index=idx)
    sp = rg.spells(states, ratio, labels=("lagging", "leading"))
    assert sp[["state", "periods"]].values.tolist() == [[1, 2], [0, 3], [1, 2]]
    assert sp["start"].tolist() == [idx[1], idx[3], idx[6]]
    assert sp["ratio_change_pct"].tolist() == pytest.approx([21.0, 100 * (0.9 / 1.21 - 1), 100.0])
    assert sp["censored"].tolist() == [True, False, True]
    assert sp["years"].iloc[1] == pytest.approx(3 / 52)


def test_baseline_and_compare_hand_checks(demo):
    _, r, legs, f = demo
    b = rg.baseline(r, 10, legs=legs)
    sma = r.rolling(10).mean()
    exp = (r > sma).astype(float).where(sma.notna())
    pd.testing.assert_series_equal(b.states, exp, check_names=False)
    assert b.states.iloc[:9].isna().all()
    c = rg.compare(f, b, horizon=4)
    fwd = 100 * np.log(r.shift(-4) / r)
    lead = f.states[f.states == 1].index
    want = fwd.reindex(lead).dropna().mean()
    assert c.loc[("markov smoothed", "leading"), "fwd_mean_pct"] == pytest.approx(want)
    assert c.loc[("all periods", "all"), "fwd_mean_pct"] == pytest.approx(fwd.dropna().mean())
    # on the planted chain the model's regimes persist longer than the 10-week-average rule's
    assert c.loc[("markov smoothed", "leading"), "mean_spell_periods"] > \
        c.loc[("above/below 10 avg", "leading"), "mean_spell_periods"]
    assert c.loc[("markov smoothed", "leading"), "switches_per_year"] < \
        c.loc[("above/below 10 avg", "leading"), "switches_per_year"]


def test_three_regimes_on_a_planted_three_state_chain():
    rng = np.random.default_rng(5)
    P = np.array([[0.96, 0.04, 0.0], [0.02, 0.96, 0.02], [0.0, 0.04, 0.96]])
    mu, sd = np.array([-1.5, 0.0, 1.5]), np.array([0.8, 0.6, 0.8])
    n = 700
    s = np.empty(n, dtype=int)
    s[0] = 1
    for t in range(1, n):
        s[t] = rng.choice(3, p=P[s[t - 1]])
    y = mu[s] + sd[s] * rng.standard_normal(n)
    idx = pd.date_range("2005-01-07", periods=n + 1, freq="W-FRI")
    ratio = pd.Series(np.exp(np.r_[0, np.cumsum(y)] / 100), index=idx, name="X/Y")
    f = rg.fit(ratio, 3, n_starts=1)  # well separated: the default start finds it
    assert f.labels == ("lagging", "neutral", "leading")
    truth = pd.Series(s, index=idx[1:])
    agree, _ = _agreement(f.states, truth)
    assert agree >= 0.85
    np.testing.assert_allclose(f.means, mu, atol=0.35)


def test_bad_inputs_fail_before_any_fit(monkeypatch):
    import smallcaps._markov as markov

    def boom(*a, **k):
        raise AssertionError("the model must not be built on bad input")

    monkeypatch.setattr(markov, "model_class", boom)
    idx = pd.date_range("2020-01-03", periods=100, freq="W-FRI")
    short = pd.Series(np.exp(np.random.default_rng(0).normal(0, 0.02, 100).cumsum()), index=idx)
    with pytest.raises(ValueError, match=r"99 weekly changes .* too short for a 2-regime model.*at least 120"):
        rg.fit(short, 2)
    with pytest.raises(ValueError, match="k_regimes: expected 2 or 3"):
        rg.fit(short, 4)
    with pytest.raises(TypeError, match="ratio: expected a Series"):  # a wrong type
        rg.fit(short.to_frame(), 2)
    with pytest.raises(ValueError, match="positive"):
        rg.fit(-short, 2)
    with pytest.raises(ValueError, match="n_starts"):
        rg.fit(short, 2, n_starts=0)
    assert rg.min_observations(2) == 120 and rg.min_observations(3) == 240


def test_structural_breaks_find_planted_drift_changes():
    rng = np.random.default_rng(2)
    mu = np.r_[np.full(150, 0.5), np.full(200, -0.6), np.full(150, 0.3)]
    y = mu + rng.normal(0, 1.0, 500)
    idx = pd.date_range("2000-01-07", periods=501, freq="W-FRI")
    ratio = pd.Series(np.exp(np.r_[0, np.cumsum(y)] / 100), index=idx)
    b = rg.structural_breaks(ratio)
    assert b.attrs["n_breaks"] == 2
    starts = b["start"].iloc[1:].tolist()
    assert abs(idx.get_loc(starts[0]) - 151) <= 8 and abs(idx.get_loc(starts[1]) - 351) <= 8
    np.testing.assert_allclose(b["mean_pct"], [0.5, -0.6, 0.3], atol=0.2)
    assert b["periods"].sum() == 500
    # pure noise: no break survives BIC
    flat = pd.Series(np.exp(np.r_[0, np.cumsum(rng.normal(0, 1.0, 500))] / 100), index=idx)
    assert rg.structural_breaks(flat).attrs["n_breaks"] == 0


def test_periods_per_year_and_window_errors():
    assert rg.periods_per_year(pd.bdate_range("2020-01-01", periods=30)) == 252
    assert rg.periods_per_year(pd.date_range("2020-01-03", periods=30, freq="W-FRI")) == 52
    assert rg.periods_per_year(pd.date_range("2020-01-31", periods=30, freq="ME")) == 12
    with pytest.raises(ValueError, match="not daily, weekly or monthly"):
        rg.periods_per_year(pd.date_range("2020-01-01", periods=30, freq="QE"))
    idx = pd.date_range("2020-01-03", periods=30, freq="W-FRI")
    with pytest.raises(ValueError, match="too short for a 40-period average"):
        rg.baseline(pd.Series(1.0 + np.arange(30), index=idx), 40)
