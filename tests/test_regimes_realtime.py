"""Regimes as known then: expanding-window refits, filtered probabilities only.

References: a planted two-regime Markov-switching series (known states and
parameters); the same call on data cut at a date (no look-ahead); statsmodels'
own filter run with the refit's parameters.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps import regimes


def _planted(n: int = 400, seed: int = 4):
    rng = np.random.default_rng(seed)
    p_stay = 0.98
    s = np.zeros(n, dtype=int)
    for t in range(1, n):
        s[t] = s[t - 1] if rng.random() < p_stay else 1 - s[t - 1]
    mu, sd = np.array([-1.0, 1.0]), np.array([1.0, 1.0])
    y = mu[s] + sd[s] * rng.normal(size=n)
    idx = pd.date_range("2000-01-07", periods=n + 1, freq="W-FRI")
    ratio = pd.Series(np.exp(np.r_[0.0, np.cumsum(y / 100)]), idx, name="A/B")
    return ratio, pd.Series(s, idx[1:])


@pytest.fixture(scope="module")
def planted():
    ratio, truth = _planted()
    return ratio, truth, regimes.realtime(ratio, 2, refit_every=40)


def test_recovers_the_planted_regimes_in_real_time(planted):
    ratio, truth, rt = planted
    st = rt.states
    assert st.index[0] == ratio.index[1 + regimes.min_observations(2)]
    agree = float((st == truth.reindex(st.index)).mean())
    assert agree > 0.85
    last = rt.refits.iloc[-1]
    assert last["mean_leading"] == pytest.approx(1.0, abs=0.25)
    assert last["mean_lagging"] == pytest.approx(-1.0, abs=0.25)
    assert not rt.refits["leading_flip"].any() and rt.refits["order_by_mean"].all()
    assert len(rt.refits) == int(np.ceil((400 - 120) / 40))


def test_no_look_ahead_same_answer_on_data_cut_at_a_date(planted):
    ratio, _, rt = planted
    cut = ratio.index[300]
    again = regimes.realtime(ratio.loc[:cut], 2, refit_every=40)
    common = again.probabilities.index
    assert common[-1] == cut
    np.testing.assert_allclose(again.probabilities.to_numpy(),
                               rt.probabilities.loc[common].to_numpy(), atol=1e-10)


def test_probabilities_are_statsmodels_filtered_with_the_refit_parameters(planted):
    from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

    ratio, _, rt = planted
    y = regimes.log_changes(ratio).to_numpy()
    for j in (0, 4):
        r0 = rt.refits.iloc[j]
        n0, n1 = int(r0["n_obs"]), int(rt.refits.iloc[j + 1]["n_obs"])
        mod = MarkovRegression(y[:n1], k_regimes=2, trend="c", switching_variance=True)
        want = np.asarray(mod.filter(np.array(r0["params"])).filtered_marginal_probabilities)
        want = want[n0:n1][:, list(r0["regime_order"])]
        np.testing.assert_allclose(rt.probabilities.iloc[n0 - 120:n1 - 120].to_numpy(), want,
                                   atol=1e-12)
    # the first refit's likelihood is the optimum a full multi-start fit finds on that data
    full = regimes.fit(ratio.iloc[: int(rt.refits.iloc[0]["n_obs"]) + 1], 2, n_starts=4)
    assert rt.refits.iloc[0]["llf"] == pytest.approx(full.llf, abs=0.05)


def test_agreement_with_a_full_sample_fit(planted):
    ratio, _, rt = planted
    full = regimes.fit(ratio, 2, n_starts=1)
    ag = rt.agreement(full)
    assert list(ag.index) == ["smoothed (full sample)", "filtered (full-sample parameters)"]
    assert (ag["periods"] == len(rt.states)).all()
    assert ag.loc["smoothed (full sample)", "agree"] > 0.8


def test_bad_parameters():
    ratio, _ = _planted(200)
    with pytest.raises(ValueError, match="refit_every: expected an integer >= 1"):
        regimes.realtime(ratio, 2, refit_every=0)
    with pytest.raises(ValueError, match="first=50: the model needs at least 120"):
        regimes.realtime(ratio, 2, first=50)
    with pytest.raises(ValueError, match="first=500: the window holds only 200"):
        regimes.realtime(ratio, 2, first=500)


def test_three_regimes_survive_parameters_at_their_bounds():
    # three planted regimes; statsmodels' EM drives some transition probabilities to
    # 0 or 1, where its parameter transform fails: the fit must still finish
    rng = np.random.default_rng(7)
    n = 420
    s = np.repeat([0, 1, 2, 1, 0, 2, 1], n // 7)
    y = np.array([-1.0, 0.0, 1.0])[s] + rng.normal(0, 0.8, n)
    idx = pd.date_range("2000-01-07", periods=n + 1, freq="W-FRI")
    ratio = pd.Series(np.exp(np.r_[0.0, np.cumsum(y / 100)]), idx)
    rt = regimes.realtime(ratio, 3, refit_every=60)
    assert rt.labels == ("lagging", "neutral", "leading")
    assert np.isfinite(rt.refits["llf"]).all()
    assert np.allclose(rt.probabilities.sum(axis=1), 1.0)
