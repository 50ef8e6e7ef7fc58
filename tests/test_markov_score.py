"""smallcaps._markov: the analytic score against statsmodels' own numerical one.

Reference: statsmodels' ``MarkovRegression.score`` (a complex-step derivative of its
Hamilton-filter likelihood) and its ``fit``. Data: planted two- and three-regime
series (synthetic, seeded), so no snapshot is needed.
"""

from __future__ import annotations

import numpy as np
import pytest
from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

from smallcaps._markov import model_class


def _planted(k: int, n: int = 600, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    stay = 0.97
    s = np.zeros(n, dtype=int)
    for t in range(1, n):
        s[t] = s[t - 1] if rng.random() < stay else rng.choice([i for i in range(k) if i != s[t - 1]])
    means = np.linspace(-0.5, 0.5, k)
    sds = np.linspace(2.0, 1.0, k)
    return means[s] + sds[s] * rng.normal(size=n)


@pytest.mark.parametrize("k", [2, 3])
@pytest.mark.parametrize("switching_variance", [True, False])
def test_score_equals_statsmodels_numerical_score(k, switching_variance):
    y = _planted(k, seed=k)
    ref = MarkovRegression(y, k_regimes=k, trend="c", switching_variance=switching_variance)
    fast = model_class()(y, k_regimes=k, trend="c", switching_variance=switching_variance)
    rng = np.random.default_rng(10 + k)
    points = [ref.untransform_params(np.asarray(ref.start_params))]
    points += [rng.normal(0, 1, ref.k_params) for _ in range(4)]
    for u in points:
        want = ref.score(u, transformed=False)
        got = fast.score(u, transformed=False)
        np.testing.assert_allclose(got, want, rtol=1e-8, atol=1e-8 * np.max(np.abs(want)))
    # the constrained-parameter score is statsmodels' own (not the analytic path)
    theta = np.asarray(ref.start_params)
    np.testing.assert_allclose(fast.score(theta), ref.score(theta), rtol=1e-10)


@pytest.mark.parametrize("k", [2, 3])
def test_transform_equals_statsmodels_transform_also_for_complex_steps(k):
    y = _planted(k)
    ref = MarkovRegression(y, k_regimes=k, trend="c", switching_variance=True)
    fast = model_class()(y, k_regimes=k, trend="c", switching_variance=True)
    rng = np.random.default_rng(3)
    for scale in (0.5, 5.0, 50.0):  # large values test the stabilised logsumexp
        u = rng.normal(0, scale, ref.k_params)
        np.testing.assert_allclose(fast.transform_params(u), ref.transform_params(u), rtol=1e-13)
        uc = u + 1e-20j * rng.normal(size=u.size)
        np.testing.assert_allclose(fast.transform_params(uc).imag, ref.transform_params(uc).imag,
                                   rtol=1e-10, atol=1e-40)


@pytest.mark.parametrize("k", [2, 3])
def test_fit_reaches_statsmodels_optimum(k):
    y = _planted(k, n=800, seed=7)
    ref = MarkovRegression(y, k_regimes=k, trend="c", switching_variance=True).fit(disp=False, maxiter=500)
    got = model_class()(y, k_regimes=k, trend="c", switching_variance=True).fit(disp=False, maxiter=500)
    assert got.llf == pytest.approx(ref.llf, abs=1e-6)
    np.testing.assert_allclose(np.asarray(got.params), np.asarray(ref.params), atol=1e-4)


def test_other_specifications_are_refused():
    y = _planted(2)
    with pytest.raises(ValueError, match="switching constant only"):
        model_class()(y, k_regimes=2, trend="n", exog=np.c_[np.ones(y.size), np.arange(y.size)])
