"""Real-time regime path (expanding-window refits) against one full-sample fit, same run.

Goal: the whole real-time path (yearly refits of a weekly ratio) within 4x the time of
one full-sample multi-start fit (``sc.regimes.fit``, 6 starts). Prints both times, the
ratio, and the likelihood of the last refit against a full fit on the same data (the
screening must find the same optimum). It also times one statsmodels fit with its
numerical (complex-step) score against the kit's model with the analytic score
(``smallcaps._markov``), same data and start, and prints both likelihoods. Usage::

    .venv/bin/python benchmarks/bench_regimes_realtime.py [n_weeks]

Data: a planted two-regime weekly series (SYNTHETIC), so it runs without the snapshot.
"""

from __future__ import annotations

import sys
import time
import warnings

import numpy as np
import pandas as pd

GOAL = 4.0


def planted(n: int, seed: int = 0) -> pd.Series:
    rng = np.random.default_rng(seed)
    s = np.zeros(n, dtype=int)
    for t in range(1, n):
        s[t] = s[t - 1] if rng.random() < 0.985 else 1 - s[t - 1]
    y = np.array([-0.3, 0.3])[s] + np.array([2.0, 1.5])[s] * rng.normal(size=n)
    idx = pd.date_range("1987-01-02", periods=n + 1, freq="W-FRI")
    return pd.Series(np.exp(np.r_[0.0, np.cumsum(y / 100)]), idx, name="A/B (synthetic)")


def main(n: int = 2000) -> int:
    from smallcaps import regimes

    warnings.simplefilter("ignore")
    ratio = planted(n)
    t0 = time.perf_counter()
    full = regimes.fit(ratio, 2, n_starts=6)
    t_full = time.perf_counter() - t0
    t0 = time.perf_counter()
    rt = regimes.realtime(ratio, 2, refit_every=52)
    t_rt = time.perf_counter() - t0
    ratio_t = t_rt / t_full
    print(f"full-sample fit (6 starts): {t_full:.2f} s; real-time path ({len(rt.refits)} refits): "
          f"{t_rt:.2f} s; ratio {ratio_t:.2f} (goal <= {GOAL})")
    last = regimes.realtime(ratio, 2, refit_every=n, first=n - 1)
    print(f"llf of a single refit on all but the last change: {last.refits['llf'].iloc[0]:.3f}; "
          f"full multi-start fit on the same data: {regimes.fit(ratio.iloc[:-1], 2).llf:.3f}; "
          f"all data, full fit: {full.llf:.3f}")
    from statsmodels.tsa.regime_switching.markov_regression import MarkovRegression

    from smallcaps._markov import model_class

    y = regimes.check_window(ratio, 2).to_numpy()
    times, llfs = {}, {}
    for name, cls in (("statsmodels (numerical score)", MarkovRegression),
                      ("kit (analytic score)", model_class())):
        t0 = time.perf_counter()
        res = cls(y, k_regimes=2, trend="c", switching_variance=True).fit(disp=False, maxiter=200)
        times[name], llfs[name] = time.perf_counter() - t0, float(res.llf)
    (ref, t_ref), (kit, t_kit) = times.items()
    print(f"one fit from the default start: {ref} {t_ref:.2f} s (llf {llfs[ref]:.4f}); "
          f"{kit} {t_kit:.2f} s (llf {llfs[kit]:.4f}); speed-up {t_ref / t_kit:.1f}x")
    return 0 if ratio_t <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main(*(int(a) for a in sys.argv[1:])))
