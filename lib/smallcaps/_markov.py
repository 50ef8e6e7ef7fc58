"""statsmodels' Markov-switching regression with an analytic score.

:mod:`smallcaps.regimes` fits ``MarkovRegression(trend="c", switching_variance=True)``.
statsmodels maximises its likelihood with BFGS on a complex-step numerical gradient:
one complex Hamilton filter per parameter per gradient, about 85% of a fit (measured
on RUT/SPX weekly). This subclass returns the same gradient from one real filter and
one smoother pass, by Fisher's identity (the score is the expected complete-data
score given the data; Hamilton 1990, section 3), and computes the logistic transform
of the transition probabilities without scipy's ``logsumexp`` (same formula).
Everything else (filter, smoother, EM steps, optimiser, covariance) is statsmodels'.

The tests check the score against statsmodels' own numerical one at random points,
and the transform against statsmodels' transform.

References
----------
Hamilton, J. D. (1990), "Analysis of time series subject to changes in regime",
Journal of Econometrics 45, 39-70.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import numpy as np


@cache
def model_class() -> type:
    """The subclass of statsmodels' ``MarkovRegression`` (statsmodels imported on first use)."""
    from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression
    from statsmodels.tsa.regime_switching.markov_switching import cy_kim_smoother_log

    class FastScoreMarkovRegression(MarkovRegression):
        """``MarkovRegression`` with an analytic score (constant trend, no exog, no TVTP)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            if self.tvtp or self._k_exog != 1 or self.order != 0:
                raise ValueError("the analytic score covers a switching constant only")
            pos = np.arange(self.k_params)
            k = self.k_regimes
            self._p_idx = [pos[self.parameters[b, "regime_transition"]] for b in range(k)]
            self._mu_idx = np.array([pos[self.parameters[i, "exog"]][0] for i in range(k)])
            self._var_idx = (np.array([pos[self.parameters[i, "variance"]][0] for i in range(k)])
                             if self.switching_variance else pos[self.parameters["variance"]])

        def transform_params(self, unconstrained: Any) -> np.ndarray:
            # statsmodels' transform: a logistic (softmax with the last regime as base)
            # per "from" regime, squared variances; logsumexp of [0, u] written out
            # (stabilised by the largest real part, so complex steps still work)
            u = np.asarray(unconstrained)
            c = u.astype(np.promote_types(np.float64, u.dtype), copy=True)
            for idx in self._p_idx:
                t = u[idx]
                m = max(0.0, float(np.max(t.real)))
                c[idx] = np.exp(t - (m + np.log(np.exp(-m) + np.sum(np.exp(t - m)))))
            c[self._var_idx] = u[self._var_idx] ** 2
            return c

        def score(self, params: Any, transformed: bool = True) -> np.ndarray:
            """Gradient of the log-likelihood; analytic for the optimiser's parameters."""
            params = np.array(params, ndmin=1)
            if transformed or np.iscomplexobj(params):
                return super().score(params, transformed=transformed)
            return self._score_unconstrained(params)

        def _score_unconstrained(self, u: np.ndarray) -> np.ndarray:
            k = self.k_regimes
            theta = self.transform_params(u)
            out = self._filter(theta)
            trans, pi0 = out[0], out[1]
            # statsmodels filters the pair (S_t, S_{t-1}): its predicted and filtered
            # arrays are joint; the smoother returns the marginal Pr(S_t | all data)
            filtered = out[3].reshape(k, -1, out[3].shape[-1]).sum(axis=1)
            predicted = out[4].reshape(k, -1, out[4].shape[-1]).sum(axis=1)
            smoothed = cy_kim_smoother_log(trans, out[7], out[8])[1]
            P = trans[:, :, 0]  # P[a, b] = Pr(S_t = a | S_{t-1} = b)
            grad = np.zeros(self.k_params)

            # means and variances: expected Gaussian scores under the smoothed regimes
            y = np.asarray(self.endog, dtype=float).ravel()
            mu = theta[self._mu_idx]
            var = theta[self._var_idx] if self.switching_variance else np.repeat(theta[self._var_idx], k)
            resid = y[None, :] - mu[:, None]
            grad[self._mu_idx] = np.sum(smoothed * resid, axis=1) / var
            g_var = np.sum(smoothed * (resid**2 / (2 * var[:, None] ** 2) - 1 / (2 * var[:, None])), axis=1)
            if self.switching_variance:
                grad[self._var_idx] = g_var * 2 * u[self._var_idx]
            else:
                grad[self._var_idx] = np.sum(g_var) * 2 * u[self._var_idx]

            # transitions: expected counts N[a, b] of b -> a moves, the first from the
            # regime at t = -1 (distributed as pi0, as in statsmodels' filter)
            prev = np.column_stack([pi0, filtered[:, :-1]])
            ratio = np.divide(smoothed, predicted, out=np.zeros_like(smoothed), where=predicted > 0)
            N = P * (ratio @ prev.T)
            w0 = pi0 * (P.T @ ratio[:, 0])  # Pr(S_{-1} = b | all data)
            # d pi0 / dP through the steady-state system A pi0 = e (statsmodels' pinv)
            A_pinv = np.linalg.pinv(np.r_[np.eye(k) - P, np.ones((1, k))])[:, :k]
            for b in range(k):
                col = P[:, b]
                for m, j in enumerate(self._p_idx[b]):
                    d_col = col * ((np.arange(k) == m) - col[m])  # d P[:, b] / d u_{b, m}
                    d_pi = A_pinv @ (d_col * pi0[b])
                    grad[j] = (N[m, b] - col[m] * N[:, b].sum()
                               + float(np.sum(w0 * d_pi / np.maximum(pi0, 1e-300))))
            return grad

    return FastScoreMarkovRegression
