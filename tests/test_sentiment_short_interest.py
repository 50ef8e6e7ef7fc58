"""Short interest: changes against the source's own change column (acceptance), days
to cover by hand, records, percentiles, gaps never bridged, clear errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import smallcaps as sc
from smallcaps.data import DataError


def _si(values, dates):
    return pd.DataFrame({"shares_short": np.asarray(values, dtype=float)},
                        index=pd.DatetimeIndex(dates, name="date"))


@pytest.mark.snapshot
@pytest.mark.parametrize("symbol", ["IWM", "QQQ", "SPY"])
def test_changes_match_source_change_column(symbol):
    si = sc.data.load(f"short_interest:{symbol}", start="2020-11-30", end="2021-06-30")
    assert len(si) == 15
    chk = sc.sentiment.change_check(si)
    assert chk["match"].iloc[1:].astype(bool).all(), chk[chk["match"] == False]  # noqa: E712
    assert pd.isna(chk["match"].iloc[0])  # the first change refers to a report before the data
    # independent: the source's % change against plain arithmetic on the levels
    s = si["shares_short"]
    np.testing.assert_allclose(chk["computed_pct"].iloc[1:], (s.iloc[1:].to_numpy() / s.iloc[:-1].to_numpy() - 1) * 100)
    assert (chk["computed_pct"].iloc[1:] - si["change_from_prior_pct"].iloc[1:]).abs().max() < 0.05


@pytest.mark.snapshot
def test_iwm_metrics_on_snapshot():
    si = sc.data.load("short_interest:IWM")
    prices = sc.data.load("IWM")
    m = sc.sentiment.short_interest_metrics(si, prices, periods=(1, 2, 4))
    # the source's worked example: 108.96M / 92.65M - 1 = +17.6 %
    assert m.loc["2020-12-15", "change_1_pct"] == pytest.approx(17.6, abs=0.01)
    s = si["shares_short"]
    assert m["change_4_pct"].iloc[4] == pytest.approx(100 * (s.iloc[4] / s.iloc[0] - 1))
    assert m["change_2_shares"].iloc[5] == s.iloc[5] - s.iloc[3]
    # days to cover by hand: 20 trading days of volume ending on the settlement date
    vol = prices.loc[:"2021-03-31", "volume"].iloc[-20:]
    assert m.loc["2021-03-31", "days_to_cover"] == pytest.approx(s.loc["2021-03-31"] / vol.mean())
    # 2021-05-28 -> 2021-06-15: 130.12M -> 130.52M, the highest of the data so far
    assert pd.isna(m.loc["2021-06-15", "highest_since"])
    assert m.loc["2021-06-30", "highest_since"] == pd.Timestamp("2021-06-15")
    assert (m["published"] > m.index).all()
    assert len(sc.sentiment.report_gaps(si)) == 0


def test_days_to_cover_uses_last_trading_day_on_or_before_settlement():
    days = pd.bdate_range("2024-01-01", periods=30)
    prices = pd.DataFrame({"close": 1.0, "volume": np.arange(1, 31) * 1000.0}, index=days)
    si = _si([50_000, 90_000], [days[4], pd.Timestamp("2024-02-10")])  # second is a Saturday
    out = sc.sentiment.days_to_cover(si, prices, adv_window=5)
    assert out["adv"].iloc[0] == pytest.approx(np.mean([1000, 2000, 3000, 4000, 5000]))
    last = prices.loc[:"2024-02-10", "volume"].iloc[-5:].mean()
    assert out["days_to_cover"].iloc[1] == pytest.approx(90_000 / last)
    early = sc.sentiment.days_to_cover(si, prices, adv_window=10)
    assert np.isnan(early["days_to_cover"].iloc[0])  # not enough volume history yet


def test_changes_are_not_bridged_across_a_missing_report():
    dates = ["2021-01-15", "2021-01-29", "2021-02-12", "2021-03-15", "2021-03-31", "2021-04-15"]
    si = _si([100, 110, 121, 50, 60, 66], dates)  # 2021-02-26 is missing
    m = sc.sentiment.short_interest_metrics(si, periods=(1, 2))
    assert m["change_1_pct"].iloc[1] == pytest.approx(10.0)
    assert np.isnan(m["change_1_pct"].iloc[3])  # 2021-02-12 -> 2021-03-15 spans two periods
    assert np.isnan(m["change_2_pct"].iloc[4])
    assert m["change_2_pct"].iloc[5] == pytest.approx(32.0)
    assert list(sc.sentiment.report_gaps(si)) == [pd.Timestamp("2021-02-28")]


def test_percentile_over_lookback_matches_scipy():
    rng = np.random.default_rng(5)
    dates = pd.date_range("2015-01-15", periods=120, freq="SMS")
    si = _si(rng.integers(50, 150, 120) * 1e6, dates)
    m = sc.sentiment.short_interest_metrics(si, lookback=24)
    v = si["shares_short"].to_numpy()
    for i in (23, 60, 119):
        assert m["percentile"].iloc[i] == pytest.approx(stats.percentileofscore(v[i - 23 : i + 1], v[i]))
    assert m["percentile"].iloc[:23].isna().all()


def test_bad_short_interest_input_is_named():
    with pytest.raises(DataError, match="missing column 'shares_short'"):
        sc.sentiment.short_interest_metrics(pd.DataFrame({"x": [1.0]}, index=pd.DatetimeIndex(["2021-01-15"])))
    with pytest.raises(DataError, match="negative shares short.*2021-01-29"):
        sc.sentiment.short_interest_metrics(_si([5, -1], ["2021-01-15", "2021-01-29"]))
    with pytest.raises(DataError, match="unique and ascending"):
        sc.sentiment.short_interest_metrics(_si([5, 6], ["2021-01-29", "2021-01-15"]))
    idx_prices = pd.DataFrame({"close": [1.0, 2.0], "volume": [np.nan, np.nan]},
                              index=pd.bdate_range("2021-01-14", periods=2))
    with pytest.raises(DataError, match="volume is missing on every day"):
        sc.sentiment.days_to_cover(_si([5], ["2021-01-15"]), idx_prices)
    with pytest.raises(ValueError, match="periods"):
        sc.sentiment.short_interest_metrics(_si([5], ["2021-01-15"]), periods=(0,))
