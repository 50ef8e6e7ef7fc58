"""Percentile ranks against scipy, z-scores against numpy, records, the extreme-reading
detector on planted series (no look-ahead), and publication-date alignment of events."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import smallcaps as sc


def _series(n=300, seed=3, ties=True, freq="B"):
    rng = np.random.default_rng(seed)
    vals = rng.integers(0, 25, size=n).astype(float) if ties else rng.normal(size=n)
    return pd.Series(vals, index=pd.date_range("2020-01-01", periods=n, freq=freq))


@pytest.mark.parametrize("kind", ["rank", "weak", "strict", "mean"])
@pytest.mark.parametrize("window", [20, None])
def test_percentile_rank_matches_scipy_rows_and_expanding(kind, window):
    x = _series()
    x.iloc[[5, 50, 51]] = np.nan
    got = sc.sentiment.percentile_rank(x, window, min_periods=10, kind=kind)
    a = x.to_numpy()
    for i in range(len(a)):
        lo = 0 if window is None else max(0, i - window + 1)
        w = a[lo : i + 1]
        w = w[~np.isnan(w)]
        if np.isnan(a[i]) or len(w) < 10:
            assert np.isnan(got.iloc[i])
        else:
            assert got.iloc[i] == pytest.approx(stats.percentileofscore(w, a[i], kind=kind), abs=1e-12)


def test_percentile_rank_calendar_window_matches_scipy():
    x = _series(freq="W-TUE", ties=False, n=200)
    x = x.drop(x.index[60:110])  # a year-long hole
    got = sc.sentiment.percentile_rank(x, "361D", min_periods=5)
    for i, t in enumerate(x.index):
        w = x[(x.index > t - pd.Timedelta("361D")) & (x.index <= t)].to_numpy()
        if len(w) < 5:
            assert np.isnan(got.iloc[i])
        else:
            assert got.iloc[i] == pytest.approx(stats.percentileofscore(w, x.iloc[i], kind="rank"))
    # right after the hole the window holds only post-hole readings (not 52 rows back)
    first_after = x.index[60]
    assert np.isnan(got.loc[first_after])


def test_rolling_zscore_matches_numpy():
    x = _series(ties=False)
    got = sc.sentiment.rolling_zscore(x, 30)
    a = x.to_numpy()
    for i in (29, 100, 299):
        w = a[i - 29 : i + 1]
        assert got.iloc[i] == pytest.approx((a[i] - w.mean()) / w.std(ddof=1))
    assert got.iloc[:29].isna().all()
    # equal to scipy's zscore of the window, last element
    assert got.iloc[200] == pytest.approx(stats.zscore(a[171:201], ddof=1)[-1])


def test_highest_and_lowest_since_planted():
    idx = pd.date_range("2021-01-15", periods=8, freq="SMS")
    x = pd.Series([100, 120, 90, 110, 115, 130, 95, 85.0], index=idx)
    hi = sc.sentiment.highest_since(x)
    lo = sc.sentiment.lowest_since(x)
    assert pd.isna(hi.iloc[0]) and pd.isna(hi.iloc[1])  # 120: a record
    assert hi.iloc[3] == idx[1]  # 110: highest since the 120 reading
    assert hi.iloc[4] == idx[1]
    assert pd.isna(hi.iloc[5])  # 130: record
    assert lo.iloc[6] == idx[2]  # 95: lowest since the 90 reading
    assert pd.isna(lo.iloc[7])  # 85: record low


def _planted_highs():
    """A gently falling series (no new highs by itself) with spikes on planted dates."""
    rng = np.random.default_rng(11)
    n = 600
    idx = pd.bdate_range("2015-01-01", periods=n)
    x = pd.Series(50 - 0.01 * np.arange(n) + rng.uniform(0, 0.005, n), index=idx)
    planted = [150, 320, 321, 322, 480]  # one three-day spell, each day above the one before
    x.iloc[planted] += [10, 10, 10.5, 11, 10]
    return x, idx[[150, 320, 480]]


def test_detector_finds_planted_high_spells_percentile():
    x, onsets = _planted_highs()
    ex = sc.sentiment.detect_extremes(x, method="percentile", window=100, high=99, low=1)
    assert list(ex.events("high")) == list(onsets)
    # the spell counts once as an onset but three times as readings
    assert int((ex.table["side"] == 1).sum()) == 5
    assert ex.table["score"].iloc[:99].isna().all()
    s = ex.summary()
    assert s.loc[ex.name, "high_onsets"] == 3


def test_detector_finds_planted_lows_zscore():
    x, _ = _planted_highs()
    y = -x  # rising series with dips on the planted dates
    ex = sc.sentiment.detect_extremes(y, method="zscore", window=100, high=4, low=-4)
    assert list(ex.events("low")) == list(x.index[[150, 320, 480]])
    assert len(ex.events("high")) == 0
    assert list(ex.events("both", onset=False)) == list(x.index[[150, 320, 321, 322, 480]])


def test_detector_has_no_look_ahead():
    x = _series(ties=False, n=400)
    full = sc.sentiment.detect_extremes(x, window=60).table
    for k in (80, 250):
        cut = sc.sentiment.detect_extremes(x.iloc[:k], window=60).table
        pd.testing.assert_frame_equal(full.iloc[:k], cut)
    # changing the future does not change the past
    y = x.copy()
    y.iloc[300:] *= 10
    pd.testing.assert_frame_equal(sc.sentiment.detect_extremes(y, window=60).table.iloc[:300],
                                  full.iloc[:300])


def test_detector_bad_input_is_named():
    x = _series()
    with pytest.raises(ValueError, match="method"):
        sc.sentiment.detect_extremes(x, method="quantile")
    with pytest.raises(ValueError, match="low .* must be below high"):
        sc.sentiment.detect_extremes(x, high=10, low=90)
    with pytest.raises(ValueError, match="percentiles must lie in 0-100"):
        sc.sentiment.detect_extremes(x, high=120)
    with pytest.raises(ValueError, match="duplicate dates"):
        sc.sentiment.percentile_rank(pd.concat([x.iloc[:3], x.iloc[:3]]))
    with pytest.raises(ValueError, match="ascending"):
        sc.sentiment.percentile_rank(x.iloc[::-1])
    with pytest.raises(TypeError, match="DatetimeIndex"):  # a wrong type
        sc.sentiment.percentile_rank(pd.Series([1.0, 2.0]))
    with pytest.raises(ValueError, match="numeric"):
        sc.sentiment.percentile_rank(pd.Series(["a", "b"], index=x.index[:2]))
    with pytest.raises(ValueError, match="window"):
        sc.sentiment.percentile_rank(x, "soon")
    with pytest.raises(ValueError, match="kind"):
        sc.sentiment.percentile_rank(x, 10, kind="median")
    with pytest.raises(ValueError, match="weeks"):
        sc.sentiment.weeks_window(1)


def test_weeks_window_holds_n_reports_across_holiday_shifts():
    tues = pd.date_range("2020-01-07", periods=20, freq="W-TUE")
    dates = tues.tolist()
    dates[10] = dates[10] - pd.Timedelta(days=1)  # a Monday report
    x = pd.Series(np.arange(20.0), index=pd.DatetimeIndex(dates))
    for t in range(8, 20):
        n = x.rolling(sc.sentiment.weeks_window(8)).count().iloc[t]
        assert n == 8


def test_published_events_move_to_first_trading_day_after_release():
    ref = pd.DatetimeIndex(["2024-03-05", "2024-03-12", "2024-03-19"])  # COT Tuesdays
    published = pd.Series(ref + pd.Timedelta(days=3), index=ref)  # Fridays
    published.iloc[1] = pd.Timestamp("2024-03-16")  # a Saturday release
    days = pd.bdate_range("2024-03-01", "2024-03-21")
    out = sc.sentiment.published_events(ref, published, days)
    assert list(out.index) == [pd.Timestamp("2024-03-08"), pd.Timestamp("2024-03-18")]
    assert list(out["ref_date"]) == list(ref[:2])  # the third is published after the last day
    assert (out.index >= out["published"]).all()
    with pytest.raises(ValueError, match="no publication date"):
        sc.sentiment.published_events(pd.DatetimeIndex(["2024-01-02"]), published, days)


@pytest.mark.snapshot
def test_short_interest_events_are_never_before_publication():
    si = sc.data.load("short_interest:IWM")
    prices = sc.data.load("IWM")
    ex = sc.sentiment.detect_extremes(si["shares_short"], window=None, min_periods=4, high=80, low=20)
    ev = sc.sentiment.published_events(ex.events("both", onset=False), si["published"], prices)
    assert len(ev)
    assert (ev.index > ev["ref_date"] + pd.Timedelta(days=7)).all()  # ~8 business days later
    assert ev.index.isin(prices.index).all()


def test_extreme_event_study_starts_at_publication_not_reference_date():
    """A jump between the reference date and the release must not be captured."""
    days = pd.bdate_range("2018-01-01", periods=800)
    weekly = pd.date_range("2018-01-02", periods=150, freq="W-TUE")
    rng = np.random.default_rng(4)
    x = pd.Series(rng.normal(size=150), index=weekly)
    spikes = [60, 100, 130]
    x.iloc[spikes] = [8.0, 9.0, 10.0]
    published = pd.Series(weekly + pd.Timedelta(days=3), index=weekly)  # Friday releases
    # prices: flat, but up 10 % on the Wednesday after each spike's Tuesday (before release)
    close = pd.Series(100.0, index=days)
    for i in spikes:
        jump_day = weekly[i] + pd.Timedelta(days=1)
        close.loc[jump_day:] *= 1.10
    prices = pd.DataFrame({"close": close})
    ex = sc.sentiment.detect_extremes(x, window=50, high=99, low=1)
    assert list(ex.events("high")) == list(weekly[spikes])
    res = sc.sentiment.extreme_event_study(ex, prices, published, side="high", horizons=(5, 10))
    s = res.summary()
    assert s.loc[5, "n_events"] == 3
    assert s.loc[5, "mean"] == pytest.approx(0.0, abs=1e-12)  # the jump was before the release
    # dated at the reference date instead, the study would have seen the jumps
    naive = sc.stats.event_study(ex.events("high"), prices, (5,), kind="simple")
    assert naive.summary().loc[5, "mean"] == pytest.approx(0.10)
    entries = res.to_frame().index
    assert list(entries) == list(weekly[spikes] + pd.Timedelta(days=3))
    table = sc.sentiment.event_table({("x", "high"): res})
    assert list(table.index) == [("x", "high", 5), ("x", "high", 10)]
    assert {"n_events", "mean", "baseline_mean", "p_value"} <= set(table.columns)


def test_latest_readings_table():
    x, _ = _planted_highs()
    ex_hi = sc.sentiment.detect_extremes(x.iloc[:151], window=100, high=99, low=1, name="spiky")
    ex_short = sc.sentiment.detect_extremes(x.iloc[:50], window=100, name="short")
    t = sc.sentiment.latest_readings({"spiky": ex_hi, "short": ex_short})
    assert t.loc["spiky", "reading"] == "high extreme"
    assert t.loc["spiky", "date"] == x.index[150]
    assert t.loc["short", "reading"] == "not scored"
    assert t.loc["short", "last_data"] == x.index[49]


def test_latest_readings_of_nothing_is_an_empty_table():
    t = sc.sentiment.latest_readings({})
    assert t.empty and "reading" in t.columns
