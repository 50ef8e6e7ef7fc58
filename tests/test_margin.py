"""Margin debt metrics: formulas, record distance, deflation, real FINRA facts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps.sentiment.margin import DEBIT, margin_metrics, margin_record


def _frame() -> pd.DataFrame:
    idx = pd.date_range("2019-01-31", periods=30, freq="ME", name="date")
    debit = 100 + 10 * np.sin(np.arange(30) / 3.0) + np.arange(30)
    return pd.DataFrame({
        DEBIT: debit,
        "free_credit_cash_accounts": np.full(30, 20.0),
        "free_credit_margin_accounts": np.full(30, 5.0),
        "published": idx + pd.Timedelta(days=21),
    }, index=idx)


def test_metrics_formulas():
    df = _frame()
    m = margin_metrics(df)
    lv = df[DEBIT]
    pd.testing.assert_series_equal(m["yoy"], lv / lv.shift(12) - 1, check_names=False)
    pd.testing.assert_series_equal(m["mom"], lv / lv.shift(1) - 1, check_names=False)
    assert m["log_change"].iloc[5] == pytest.approx(np.log(lv.iloc[5] / lv.iloc[4]))
    rec = lv.cummax()
    pd.testing.assert_series_equal(m["record"], rec, check_names=False)
    pd.testing.assert_series_equal(m["pct_from_record"], lv / rec - 1, check_names=False)
    assert (m["pct_from_record"] <= 0).all()
    assert (m.loc[m["pct_from_record"] == 0, "months_since_record"] == 0).all()
    # a month below the record points back at the record month
    below = m[m["pct_from_record"] < 0].iloc[0]
    rd = below["record_date"]
    assert m.loc[rd, "level"] == below["record"]
    assert below["months_since_record"] == (below.name.year - rd.year) * 12 + below.name.month - rd.month
    assert m["net_credit"].iloc[0] == pytest.approx(25 - lv.iloc[0])
    pd.testing.assert_series_equal(m["published"], df["published"])


def test_deflation_rebases_to_last_month():
    df = _frame()
    daily = pd.Series(np.linspace(1.0, 2.0, 1000),
                      pd.date_range("2018-12-01", periods=1000, freq="D"), name="cpi")
    m = margin_metrics(df, deflator=daily, deflator_name="cpi")
    d_me = daily.resample("ME").last().reindex(df.index)
    expect = df[DEBIT] * d_me.iloc[-1] / d_me
    pd.testing.assert_series_equal(m["level"], expect, check_names=False)
    assert m["level"].iloc[-1] == pytest.approx(df[DEBIT].iloc[-1])
    assert m.attrs["deflated_by"] == "cpi"
    with pytest.raises(ValueError, match="deflator: no value"):
        margin_metrics(df, deflator=daily.loc["2020-06":])


def test_record_distance():
    df = _frame()
    lv = df[DEBIT]
    t = lv.index[-3]
    rec = margin_record(df, t.strftime("%Y-%m"))
    prior = lv.loc[:t].iloc[:-1]
    assert rec.record_value == prior.max() and rec.record_date == prior.idxmax()
    assert rec.pct_below == pytest.approx(lv.loc[t] / prior.max() - 1)
    assert str(round(abs(rec.pct_below) * 100, 1)) in rec.describe() or rec.is_record
    with pytest.raises(ValueError, match="no margin figure"):
        margin_record(df, "1990-01")
    with pytest.raises(ValueError, match="first month"):
        margin_record(df, "2019-01")


def test_bad_input():
    df = _frame()
    with pytest.raises(ValueError, match="margin: a frame needs a 'debt' column"):
        margin_metrics(df, column="debt")
    bad = df.copy()
    bad.iloc[3, 0] = -5.0
    with pytest.raises(ValueError, match="values must be positive"):
        margin_metrics(bad)
    with pytest.raises(TypeError, match="margin"):
        margin_metrics([1, 2, 3])


@pytest.mark.snapshot
def test_finra_record_and_april_2025(snapshot_dir):
    import smallcaps as sc

    md = sc.data.load("margin_debt")
    rec = margin_record(md, "2025-04")
    assert rec.record_date == pd.Timestamp("2025-01-31")
    assert rec.record_value == 937_253
    assert rec.value == 850_558
    assert rec.pct_below == pytest.approx(850_558 / 937_253 - 1)
    assert "9.2% (86,695) below the record of 937,253 set in January 2025" in rec.describe()
    m = margin_metrics(md).loc[:"2025-04"]
    assert m.loc["2021-10-31", "level"] == 935_862  # the October 2021 peak
    assert m.loc["2025-04-30", "record_date"] == pd.Timestamp("2025-01-31")
    assert sc.sentiment.margin_record is margin_record
