"""Put/call ratios: daily ratio against Cboe's published ratio, N-day average and
cumulative ratios by hand, extremes of the 10-day ratio on the real history."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps.data import DataError


def _pc(puts, calls):
    idx = pd.bdate_range("2019-01-01", periods=len(puts))
    return pd.DataFrame({"total_put_volume": np.asarray(puts, float),
                         "total_call_volume": np.asarray(calls, float)}, index=idx)


def test_average_and_cumulative_ratios_by_hand():
    puts = [100, 200, 50, 300, 80]
    calls = [100, 100, 100, 600, 40]
    m = sc.sentiment.putcall_metrics(_pc(puts, calls), windows=(3,))
    assert m["ratio"].tolist() == [1.0, 2.0, 0.5, 0.5, 2.0]
    assert np.isnan(m["avg_3"].iloc[1])
    assert m["avg_3"].iloc[2] == pytest.approx((1 + 2 + 0.5) / 3)
    assert m["cum_3"].iloc[2] == pytest.approx(350 / 300)
    # the volume-weighted cumulative ratio differs from the average when volumes differ
    assert m["cum_3"].iloc[4] == pytest.approx((50 + 300 + 80) / (100 + 600 + 40))
    assert m["avg_3"].iloc[4] == pytest.approx(1.0)


def test_zero_call_day_is_nan_not_inf():
    m = sc.sentiment.putcall_metrics(_pc([10, 20], [5, 0]), windows=(1,))
    assert np.isnan(m["ratio"].iloc[1]) and np.isfinite(m["ratio"].iloc[0])


def test_bad_putcall_input_is_named():
    with pytest.raises(ValueError, match="product"):
        sc.sentiment.putcall_metrics(_pc([1], [1]), product="vix")
    with pytest.raises(DataError, match="missing column.*equity_put_volume"):
        sc.sentiment.putcall_metrics(_pc([1], [1]), product="equity")
    with pytest.raises(DataError, match="negative total volume"):
        sc.sentiment.putcall_metrics(_pc([1, -1], [1, 1]))
    with pytest.raises(ValueError, match="windows"):
        sc.sentiment.putcall_metrics(_pc([1], [1]), windows=(0,))


@pytest.mark.snapshot
@pytest.mark.parametrize("product", ["total", "equity", "index"])
def test_daily_ratio_reproduces_cboe_ratio(product):
    pc = sc.data.load("putcall")
    r = sc.sentiment.putcall_ratio(pc, product)
    # Cboe publishes the ratio rounded to two decimals
    assert (r - pc[f"{product}_pc_ratio"]).abs().max() <= 0.005 + 1e-9


@pytest.mark.snapshot
def test_cumulative_ratio_on_real_days_and_extremes():
    pc = sc.data.load("putcall")
    m = sc.sentiment.putcall_metrics(pc, "equity", windows=(10,))
    day = pc.index.get_loc(pd.Timestamp("2008-10-10"))
    sl = pc.iloc[day - 9 : day + 1]
    assert m["cum_10"].iloc[day] == pytest.approx(sl["equity_put_volume"].sum() / sl["equity_call_volume"].sum())
    ex = sc.sentiment.detect_extremes(m["avg_10"], window="1092D", high=95, low=5)
    t = ex.table
    assert t["score"].dropna().between(0, 100).all()
    # the high-fear end in October 2008 is a high extreme of the equity put/call ratio
    assert (t.loc["2008-10-01":"2008-10-31", "side"] == 1).any()
    assert m.index[-1] == pd.Timestamp("2019-10-04")  # the archive ends here
