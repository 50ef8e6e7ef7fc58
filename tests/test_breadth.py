"""Breadth: planted answers on synthetic panels, a naive pandas reference, the real snapshot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps.breadth import breadth_from_panel, episodes
from smallcaps.data import DataError


def _planted(n_days: int = 300):
    """4 rising symbols, 6 falling ones, 1 member without prices; 2 risers leave at day 280."""
    idx = pd.bdate_range("2020-01-01", periods=n_days, name="date")
    t = np.arange(n_days, dtype=float)
    cols = {}
    for i in range(4):
        cols[f"UP{i}"] = 50 + 0.1 * t + i
    for i in range(6):
        cols[f"DN{i}"] = 200 - 0.2 * t - i
    cols["NOPX"] = np.full(n_days, np.nan)
    close = pd.DataFrame(cols, index=idx)
    member = pd.DataFrame(True, index=idx, columns=close.columns)
    member.loc[idx[280]:, ["UP0", "UP1"]] = False
    return close, member


def test_planted_answers():
    close, member = _planted()
    b = breadth_from_panel(close, member)
    d = close.index
    # day 260: all 10 priced members have 252 sessions; risers above their averages
    row = b.loc[d[260]]
    assert row["members_listed"] == 11 and row["members"] == 10 and row["members_without_prices"] == 1
    assert row["pct_above_50d"] == pytest.approx(40.0) and row["pct_above_200d"] == pytest.approx(40.0)
    assert row["new_52w_highs"] == 4 and row["new_52w_lows"] == 6 and row["n_52w"] == 10
    assert row["advances"] == 4 and row["declines"] == 6 and row["unchanged"] == 0
    # before 200 sessions nobody has a 200-day average; before 252 no high/low window
    assert np.isnan(b.loc[d[150], "pct_above_200d"]) and b.loc[d[150], "n_200d"] == 0
    assert b.loc[d[150], "pct_above_50d"] == pytest.approx(40.0)
    assert b.loc[d[250], "n_52w"] == 0 and b.loc[d[251], "n_52w"] == 10
    # after two risers leave: 2 of 8 above
    row = b.loc[d[290]]
    assert row["members_listed"] == 9 and row["members"] == 8
    assert row["pct_above_200d"] == pytest.approx(25.0) and row["advances"] == 2
    # A/D line: cumulative (4 - 6) per day, then (2 - 6)
    assert b["ad_line"].iloc[279] == -2 * 279 and b["ad_line"].iloc[290] == -2 * 279 - 4 * 11
    # coverage: 10 of 11 listed
    assert b.loc[d[10], "coverage_pct"] == pytest.approx(100 * 10 / 11)


def test_equal_weight_index_and_mcclellan_reference():
    rng = np.random.default_rng(3)
    idx = pd.bdate_range("2021-01-01", periods=120, name="date")
    close = pd.DataFrame(100 * np.exp(np.cumsum(rng.normal(0, 0.02, (120, 5)), axis=0)),
                         index=idx, columns=list("ABCDE"))
    member = pd.DataFrame(True, index=idx, columns=close.columns)
    member.loc[idx[60]:, "E"] = False
    b = breadth_from_panel(close, member, windows=(10,), hl_window=20)
    ret = close.pct_change().where(member)
    ew = ret.mean(axis=1)
    assert np.allclose(b["ew_return"].iloc[1:], ew.iloc[1:])
    assert b["ew_index"].iloc[-1] == pytest.approx(100 * (1 + ew.iloc[1:]).prod())
    adv = (ret > 0).sum(axis=1)
    dec = (ret < 0).sum(axis=1)
    rana = (1000 * (adv - dec) / (adv + dec)).where(adv + dec > 0, 0.0)
    osc = rana.ewm(alpha=0.1, adjust=False).mean() - rana.ewm(alpha=0.05, adjust=False).mean()
    assert np.allclose(b["mcclellan_oscillator"], osc)


def _naive(close: pd.DataFrame, member: pd.DataFrame, w: int, hl: int) -> pd.DataFrame:
    """Per-symbol pandas loop: the independent reference (also used by the benchmark)."""
    above = pd.DataFrame(0, index=close.index, columns=["above", "n", "hi", "lo", "n_hl", "adv", "dec"])
    for sym in close.columns:
        s = close[sym].dropna()
        sma = s.rolling(w).mean().reindex(close.index)
        prev_max = s.shift(1).rolling(hl - 1).max().reindex(close.index)
        prev_min = s.shift(1).rolling(hl - 1).min().reindex(close.index)
        c = close[sym]
        m = member[sym]
        has = m & c.notna()
        above["n"] += (has & sma.notna()).astype(int)
        above["above"] += (has & (c > sma)).astype(int)
        above["n_hl"] += (has & prev_max.notna()).astype(int)
        above["hi"] += (has & (c > prev_max)).astype(int)
        above["lo"] += (has & (c < prev_min)).astype(int)
        d = c - c.shift(1)
        above["adv"] += (has & (d > 0)).astype(int)
        above["dec"] += (has & (d < 0)).astype(int)
    return above


def test_matches_naive_pandas_loop_with_gaps_and_turnover():
    rng = np.random.default_rng(11)
    n, k = 700, 40
    idx = pd.bdate_range("2015-01-01", periods=n, name="date")
    px = 50 * np.exp(np.cumsum(rng.normal(0, 0.02, (n, k)), axis=0))
    px[rng.random((n, k)) < 0.01] = np.nan           # scattered missing days
    px[:200, :5] = np.nan                             # late listings
    px[500:, 5:8] = np.nan                            # delistings
    close = pd.DataFrame(np.round(px, 2), index=idx, columns=[f"S{i}" for i in range(k)])
    member = pd.DataFrame(rng.random((n, k)) < 0.8, index=idx, columns=close.columns)
    b = breadth_from_panel(close, member, windows=(30,), hl_window=100)
    ref = _naive(close, member, 30, 100)
    assert (b["n_30d"] == ref["n"]).all()
    assert (b["pct_above_30d"].fillna(-1) == (100 * ref["above"] / ref["n"]).fillna(-1)).all()
    assert (b["n_100d"] == ref["n_hl"]).all()
    assert (b["new_100d_highs"] == ref["hi"]).all() and (b["new_100d_lows"] == ref["lo"]).all()
    assert (b["advances"] == ref["adv"]).all() and (b["declines"] == ref["dec"]).all()


def test_intraday_basis_uses_highs_and_lows():
    close, member = _planted()
    high = close + 1.0
    low = close - 1.0
    high.iloc[270, 4] = 10_000.0  # a falling stock spikes intraday: a new intraday high
    b = breadth_from_panel(close, member, high=high, low=low)
    assert b["new_52w_highs"].iloc[270] == 5
    assert breadth_from_panel(close, member)["new_52w_highs"].iloc[270] == 4


def test_episodes():
    s = pd.Series([30, 25, 15, 18, 25, 10, 12, 40.0], index=pd.bdate_range("2020-01-01", periods=8))
    assert list(episodes(s, below=20)) == [s.index[2], s.index[5]]
    assert list(episodes(s, below=20, min_gap=3)) == [s.index[2]]
    assert list(episodes(pd.Series([10.0, 30, 10], index=s.index[:3]), below=20)) == [s.index[2]]
    with pytest.raises(DataError):
        episodes(s)


def test_bad_parameters_are_named():
    with pytest.raises(DataError, match="windows"):
        sc.breadth.breadth("russell2000", windows=(1,))
    with pytest.raises(DataError, match="basis"):
        sc.breadth.breadth("russell2000", basis="hourly")
    with pytest.raises(DataError, match="after end"):
        sc.breadth.breadth("russell2000", start="2020-01-01", end="2019-01-01")


# --- the real snapshot -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def r2k_breadth(snapshot_dir):
    return sc.breadth.breadth("russell2000", start="2019-01-01", snapshot=snapshot_dir)


@pytest.mark.snapshot
def test_runs_over_every_trading_day_of_the_prices(r2k_breadth, snapshot_dir):
    import pyarrow.parquet as pq

    days = pq.read_table(snapshot_dir / "universe" / "prices_daily.parquet", columns=["date"])
    days = pd.DatetimeIndex(np.unique(days["date"].to_numpy().astype("datetime64[ns]")))
    days = days[days >= "2019-01-01"]
    b = r2k_breadth
    assert b.index.equals(pd.DatetimeIndex(days, name="date"))
    assert b.index[-1] == pd.Timestamp("2024-03-08")
    # members reported: members listed >= members with prices, and the gap is shown
    assert (b["members_listed"] >= b["members"]).all()
    assert b["members_without_prices"].iloc[0] > 500 and b["members_without_prices"].iloc[-1] < 100
    # coverage on quarter-end snapshots as documented (PROVENANCE-universe.md C.7)
    assert b.loc["2019-03-29", "members"] == 1369 and b.loc["2023-12-29", "members"] == 1926
    assert b.attrs["coverage"]["members_never_priced"] > 0
    assert b["pct_above_200d"].between(0, 100).all()
    # March 2020: participation collapsed; late 2020: broad rally
    assert b.loc["2020-03-23", "pct_above_200d"] < 10
    assert b.loc["2020-12-31", "pct_above_200d"] > 80
    assert b.loc["2020-03-16", "new_52w_lows"] > 500


@pytest.mark.snapshot
def test_readings_do_not_depend_on_start(r2k_breadth, snapshot_dir):
    later = sc.breadth.breadth("russell2000", start="2022-06-01", end="2022-12-30",
                               snapshot=snapshot_dir)
    same = r2k_breadth.loc[later.index]
    pd.testing.assert_frame_equal(later, same, check_exact=False, rtol=1e-12)


@pytest.mark.snapshot
def test_readings_known_by_end_do_not_change_later(r2k_breadth, snapshot_dir):
    # the whole history up to ``end`` is computed, then cut: cutting at 2021-06-30 gives the
    # same readings as the full run on those dates (no later data leaks in)
    early = sc.breadth.breadth("russell2000", start="2021-01-04", end="2021-06-30",
                               snapshot=snapshot_dir)
    pd.testing.assert_frame_equal(early, r2k_breadth.loc[early.index], check_exact=False, rtol=1e-12)


@pytest.mark.snapshot
def test_dask_chunks_give_the_same_result(r2k_breadth, snapshot_dir):
    d = sc.breadth.breadth("russell2000", start="2019-01-01", snapshot=snapshot_dir,
                           engine="dask", chunk_size=700, scheduler="sync")
    pd.testing.assert_frame_equal(d, r2k_breadth, check_exact=False, rtol=1e-10)
    assert d.attrs["coverage"]["members_never_priced"] == r2k_breadth.attrs["coverage"]["members_never_priced"]
