"""Turning points on both monthly bases and the daily extreme (RUT vs FINRA margin debt).

References: monthly series built here with plain pandas groupby, the daily closing
high of RUT in 2021 (2021-11-08, snapshot), margin debt's record of 2021-10.
"""

from __future__ import annotations

import pandas as pd
import pytest

import smallcaps as sc
from smallcaps.stats.turning_points import date_turning_points, turning_points_by_basis


@pytest.fixture(scope="module")
def table(snapshot_dir):
    rut = pd.read_csv(snapshot_dir / "market" / "RUT.csv", parse_dates=["date"],
                      index_col="date")["close"].loc["1997":"2025-04"]
    md = sc.data.load("margin_debt")["debit_balances_margin_accounts"].loc[:"2025-04"]
    return rut, md, turning_points_by_basis(rut, md, 0.08, names=("RUT", "margin debt"))


@pytest.mark.snapshot
def test_2021_peak_changes_sign_with_the_basis(table):
    rut, md, t = table
    row = t.set_index("margin debt_date").loc["2021-10-31"]
    assert row["kind"] == "peak"
    # month-end closes: RUT's zig-zag peak, computed independently with groupby
    me = rut.groupby(rut.index.to_period("M")).last()
    me.index = me.index.to_timestamp(how="end").normalize()
    avg = rut.groupby(rut.index.to_period("M")).mean()
    avg.index = avg.index.to_timestamp(how="end").normalize()
    pk_me = date_turning_points(me, 0.08)
    pk_avg = date_turning_points(avg, 0.08)
    assert row["RUT_date_month_end"] in pk_me.index and row["RUT_date_mean"] in pk_avg.index
    assert row["RUT_date_month_end"] == pd.Timestamp("2021-06-30") and row["lead_month_end"] == 4
    assert row["RUT_date_mean"] == pd.Timestamp("2021-11-30") and row["lead_mean"] == -1
    assert row["RUT_daily_extreme"] == pd.Timestamp("2021-11-08") == rut.loc["2021"].idxmax()
    assert row["daily_value"] == rut.loc["2021"].max() and row["lead_daily"] == -1
    assert row["depends_on_basis"]
    assert "changes sign with the basis" in row["statement"]
    assert "RUT first by 4 months" in row["statement"]
    assert "margin debt first by 1 month" in row["statement"]


@pytest.mark.snapshot
def test_consistent_turns_say_so(table):
    _, _, t = table
    same = t[~t["depends_on_basis"]]
    assert len(same) > 0
    for _, r in same.iterrows():
        signs = {int(pd.Series([v]).apply(lambda z: (z > 0) - (z < 0)).iloc[0])
                 for v in (r["lead_month_end"], r["lead_mean"], r["lead_daily"]) if pd.notna(v)}
        assert len(signs) <= 1 and "the same sign on every basis" in r["statement"]


def test_bad_inputs():
    with pytest.raises(TypeError, match="expected pandas Series"):
        turning_points_by_basis([1, 2, 3], pd.Series(dtype=float))
