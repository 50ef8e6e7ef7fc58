"""Cointegration robustness table against direct statsmodels calls, planted pairs and RUT.

References: ``statsmodels.tsa.stattools.coint`` and ``coint_johansen`` called here
directly on the same data; a planted cointegrated pair; independent random walks.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from statsmodels.tsa.stattools import coint
from statsmodels.tsa.vector_ar.vecm import coint_johansen

from smallcaps.stats.unitroot import cointegration_robustness


def _pair(seed: int, tied: bool, n: int = 300):
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2000-01-31", periods=n, freq="ME")
    x = np.cumsum(rng.normal(0, 1, n))
    y = 0.8 * x + rng.normal(0, 0.5, n) if tied else np.cumsum(rng.normal(0, 1, n))
    return pd.Series(y, idx, name="y"), pd.Series(x, idx, name="x")


def test_rows_equal_statsmodels():
    y, x = _pair(0, True)
    r = cointegration_robustness(y, x, lags=(1, 2, 4), det_orders=(0, 1))
    t = r.table
    eg = t[(t["test"] == "Engle-Granger") & (t["trend"] == "ct") & (t["specification"] == "x on y")].iloc[0]
    stat, p, crit = coint(x.to_numpy(), y.to_numpy(), trend="ct", autolag="aic")
    assert eg["statistic"] == pytest.approx(stat) and eg["p_value"] == pytest.approx(p)
    assert eg["crit_5pct"] == pytest.approx(crit[1])
    for _, row in t[t["test"] == "Johansen trace"].iterrows():
        det = {"none": -1, "constant": 0, "constant + trend": 1}[row["deterministic"]]
        ref = coint_johansen(np.column_stack([y, x]), det, int(row["lags"]))
        assert row["statistic"] == pytest.approx(ref.lr1[0])
        assert row["crit_5pct"] == pytest.approx(ref.cvt[0, 1])
        rank = next((k for k in range(2) if ref.lr1[k] <= ref.cvt[k, 1]), 2)
        assert row["rank"] == rank and row["rejects"] == (rank == 1)
    assert len(t) == 4 + 3 * 2


def test_planted_pair_is_robust_and_random_walks_are_not():
    tied = cointegration_robustness(*_pair(1, True), det_orders=(0,))
    assert tied.verdict == "robust"
    assert tied.conclusion().startswith("cointegrated on every specification")
    free = cointegration_robustness(*_pair(2, False), det_orders=(0,))
    assert free.verdict in ("none", "fragile")
    assert not free.conclusion().startswith("cointegrated")


def test_long_lags_skipped_with_a_note_and_bad_input():
    y, x = _pair(3, True, n=40)
    r = cointegration_robustness(y, x, lags=(1, 12))
    assert "Johansen with 12 lags skipped: 40 observations" in r.notes
    with pytest.raises(ValueError, match="det_orders: 2"):
        cointegration_robustness(y, x, det_orders=(2,))
    with pytest.raises(ValueError, match="need at least 30"):
        cointegration_robustness(y.iloc[:10], x.iloc[:10])


@pytest.mark.snapshot
def test_rut_margin_debt_conclusion_follows_the_table(snapshot_dir):
    import smallcaps as sc

    m = sc.stats.to_monthly(sc.data.load("RUT"), "month_end")
    md = sc.data.load("margin_debt")["debit_balances_margin_accounts"]
    df = pd.concat([np.log(m), np.log(md)], axis=1, join="inner").loc["1997":"2025-04"].dropna()
    r = cointegration_robustness(df.iloc[:, 0], df.iloc[:, 1], names=("RUT", "margin debt"))
    c = r.counts()
    jo = r.table[r.table["test"] == "Johansen trace"]
    assert c["Johansen trace"] == (int((jo["rank"] == 1).sum()), len(jo))
    # Johansen's answer moves with the lag choice on this pair: the verdict says so
    assert 0 < c["Johansen trace"][0] < c["Johansen trace"][1]
    assert r.verdict == "fragile" and "depends on the specification" in r.conclusion()
