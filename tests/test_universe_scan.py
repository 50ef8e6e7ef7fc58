"""sc.universe.scan and `smallcaps scan`: facts equal the per-symbol functions, point in
time, filters, coverage, Dask chunks and the CLI."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps import relative
from smallcaps import technicals as T
from smallcaps.universe.screen import (
    FILTERS,
    apply_filters,
    forward_returns,
    hit_summary,
    past_exits,
    scan,
    scan_panel,
)
from tests.test_technicals_panel import _synthetic_panel


@pytest.fixture(scope="module")
def synthetic():
    high, low, close, _ = _synthetic_panel(seed=21, n_sym=10, n=1300)
    rng = np.random.default_rng(2)
    bench = pd.DataFrame({"close": 100 * np.exp(np.cumsum(rng.normal(0.0002, 0.01, len(close))))},
                         index=close.index)
    return {"high": high, "low": low, "close": close}, bench


def test_scan_panel_facts_equal_per_symbol_functions(synthetic):
    frames, bench = synthetic
    table = scan_panel(frames, bench)
    close = frames["close"]
    assert len(table) == close.shape[1]
    for sym in close.columns:
        f = pd.DataFrame({k: v[sym] for k, v in frames.items()}).dropna()
        row = table.loc[sym]
        assert row["last_bar"] == f.index[-1]
        assert row["sessions_stale"] == len(close.loc[f.index[-1]:]) - 1
        if len(f) >= 120:
            last = T.find_ranges(f).iloc[-1]
            state = {"open": "in_range", "up": "exited_up", "down": "exited_down"}[last["exit"]]
            assert row["range_state"] == state
            assert row["range_low"] == last["low"] and row["range_high"] == last["high"]
            assert (pd.isna(row["exit_known"]) and pd.isna(last["known_date"])) or \
                row["exit_known"] == last["known_date"]
        else:
            assert pd.isna(row["range_state"])
        if len(f) >= 252:
            nh = T.new_highs(f, 252)
            assert row["new_high_52w"] == nh.iloc[-1]
            assert row["last_high_52w"] == (nh[nh].index[-1] if nh.any() else pd.NaT) or \
                (pd.isna(row["last_high_52w"]) and not nh.any())
            assert row["new_low_52w"] == T.new_highs(-f["close"], 252).iloc[-1]
        if len(f) >= 200:
            assert row["sma_200"] == T.sma(f, 200).iloc[-1]
            assert row["above_200"] == (f["close"].iloc[-1] > T.sma(f, 200).iloc[-1])
        assert row["rsi_14"] == T.rsi(f, 14).iloc[-1]
        if len(f) < 300:  # too short for the weekly rotation: no value, as the reference raises
            assert pd.isna(row["quadrant"])
            continue
        lat = relative.rotation({sym: f["close"]}, bench).latest().loc[sym]
        assert row["rs_ratio"] == lat["rs_ratio"] and row["quadrant"] == lat["quadrant"]


def test_scan_panel_reads_nothing_after_as_of(synthetic):
    frames, bench = synthetic
    day = frames["close"].index[1000]
    cut = {k: v.loc[:day] for k, v in frames.items()}
    # garbage after the date must not change (or break) anything
    spoiled = {k: v.copy() for k, v in frames.items()}
    for v in spoiled.values():
        v.loc[v.index > day] = v.loc[v.index > day] * 3.0
    b2 = bench.copy()
    b2.loc[b2.index > day] = 1.0
    a = scan_panel(spoiled, b2, as_of=day)
    b = scan_panel(cut, bench.loc[:day])
    pd.testing.assert_frame_equal(a, b)
    assert (a["last_bar"] <= day).all()


def test_calendar_in_attrs_is_shared_by_derived_frames_not_copied(synthetic):
    # pandas deep-copies attrs into every derived object; the calendar must be shared
    import copy

    frames, bench = synthetic
    table = scan_panel(frames, bench, as_of=frames["close"].index[1100])
    cal = table.attrs["calendar"]
    assert list(pd.DatetimeIndex(cal)) == list(frames["close"].index[:1101])
    assert copy.deepcopy(cal) is cal
    assert table["close"].attrs["calendar"] is cal  # one column taken
    assert apply_filters(table, ["exit_up:5"]).attrs["calendar"] == cal
    with pytest.raises((TypeError, AttributeError)):
        cal[0] = pd.Timestamp(0)  # immutable, so sharing is safe


def test_filters(synthetic):
    frames, bench = synthetic
    table = scan_panel(frames, bench, as_of=frames["close"].index[1100])
    cal = pd.DatetimeIndex(table.attrs["calendar"])
    up5 = apply_filters(table, ["exit_up:5"])
    exp = table[(table["range_state"] == "exited_up")
                & (cal.searchsorted(table["exit_known"].fillna(pd.Timestamp(0)), "right")
                   > len(cal) - 5)]
    assert list(up5.index) == list(exp.index)
    imp = apply_filters(table, ["quadrant=improving", "above_200"])
    assert list(apply_filters(table, ["quadrant:improving", "above_200"]).index) == list(imp.index)
    assert ((imp["quadrant"] == "improving") & imp["above_200"].astype(bool)).all()
    assert len(apply_filters(table, [lambda t: t["rsi_14"] > 50])) == (table["rsi_14"] > 50).sum()
    with pytest.raises(ValueError, match="not a known filter; known: exit_up"):
        apply_filters(table, ["breakout_up"])
    only_rsi = scan_panel(frames, bench, detectors=["rsi"])
    with pytest.raises(ValueError, match="needs column 'quadrant'.*add its detector"):
        apply_filters(only_rsi, ["quadrant=leading"])
    with pytest.raises(ValueError, match="unknown 'ranges2'"):
        scan_panel(frames, bench, detectors=["ranges2"])
    assert "exit_up[:N]" in FILTERS


# --------------------------------------------------------------------------- real data


@pytest.mark.snapshot
def test_scan_russell2000_point_in_time_with_coverage(snapshot_dir):
    res = scan("russell2000", "2023-12-29", filters=["exit_up:5"], snapshot=snapshot_dir)
    cov = res.coverage
    assert 1900 <= cov.members <= 2050
    assert cov.with_prices == len(res.table) and cov.with_prices + len(cov.missing) == cov.members
    assert cov.on_date / cov.members > 0.95
    assert "coverage" in cov.describe() and "survivorship" in cov.describe()
    assert (res.table["last_bar"] <= pd.Timestamp("2023-12-29")).all()
    assert len(res.hits) > 0
    assert (res.hits["exit_known"] > pd.Timestamp("2023-12-20")).all()
    # members of an earlier date: a point-in-time member list, prices cut there
    early = scan("russell2000", "2020-06-30", detectors=["highs_lows"], snapshot=snapshot_dir)
    assert early.coverage.on_date / early.coverage.members < 0.85  # survivorship, stated
    assert (early.table["last_bar"] <= pd.Timestamp("2020-06-30")).all()


@pytest.mark.snapshot
def test_scan_on_dask_chunks_equals_one_pass(snapshot_dir):
    from distributed import Client, LocalCluster

    from smallcaps.universe import members

    syms = members("russell2000", as_of="2022-06-30", snapshot=snapshot_dir)[:30]
    one = scan(syms, "2022-06-30", snapshot=snapshot_dir)
    with LocalCluster(n_workers=1, threads_per_worker=1, processes=True, host="127.0.0.1",
                      dashboard_address=None) as cluster, Client(cluster) as client:
        chunked = scan(syms, "2022-06-30", snapshot=snapshot_dir, scheduler=client,
                       chunk_size=7)
    pd.testing.assert_frame_equal(chunked.table, one.table)
    assert chunked.coverage == one.coverage


@pytest.mark.snapshot
def test_cli_scan_prints_table_with_coverage_and_known_dates(snapshot_dir, tmp_path, capsys):
    from smallcaps.cli import main

    out = tmp_path / "screen.csv"
    rc = main(["scan", "russell2000", "--as-of", "2023-12-29", "--filter", "exit_up:5",
               "--csv", str(out), "--snapshot", str(snapshot_dir)])
    text = capsys.readouterr().out
    assert rc == 0
    assert "coverage" in text and "exit_known" in text and "Known dates" in text
    csv = pd.read_csv(out, index_col="symbol")
    assert len(csv) > 0 and (csv["range_state"] == "exited_up").all()
    rc = main(["scan", "russell2000", "--as-of", "2023-12-29", "--filter", "nonsense",
               "--snapshot", str(snapshot_dir)])
    err = capsys.readouterr().err
    assert rc == 2 and "not a known filter" in err and "Traceback" not in err


def test_past_exits_point_in_time_and_forward_returns(synthetic):
    frames, _ = synthetic
    close = frames["close"]
    mask = pd.DataFrame(True, index=close.index, columns=close.columns)
    mask.loc[:close.index[600], "S00"] = False  # S00 joins the universe later
    full = past_exits(frames, mask)
    ref = T.find_ranges(pd.DataFrame({k: v["S01"] for k, v in frames.items()}).dropna())
    ref = ref[ref["exit"] != "open"]
    assert list(full.loc[full["symbol"] == "S01", "known_date"]) == list(ref["known_date"])
    assert (full.loc[full["symbol"] == "S00", "known_date"] > close.index[600]).all()
    day = close.index[900]
    cut = past_exits(frames, mask, end=day)
    pd.testing.assert_frame_equal(cut, full[full["known_date"] <= day].reset_index(drop=True))
    fr = forward_returns(close, full, (20,), member_mask=mask)
    e = fr.iloc[0]
    t = close.index.get_loc(e["known_date"])
    assert e["ret_20"] == pytest.approx(close[e["symbol"]].iloc[t + 20] / e["close_known"] - 1)
    members = mask.iloc[t][mask.iloc[t]].index
    avg = (close[members].iloc[t + 20] / close[members].iloc[t] - 1).mean()
    assert e["universe_20"] == pytest.approx(avg)
    summ = hit_summary(fr, (20,))
    assert summ.loc[20, "events"] == fr["ret_20"].notna().sum()


@pytest.mark.snapshot
def test_scan_and_breadth_give_one_answer(snapshot_dir):
    """The scan's new highs/lows and moving-average states are the breadth counts."""
    import smallcaps as sc

    day = "2022-06-30"
    t = scan("russell2000", day, detectors=["highs_lows", "moving_averages"],
             snapshot=snapshot_dir).table
    b = sc.breadth.breadth("russell2000", start="2022-06-01", end=day,
                           snapshot=snapshot_dir).loc[day]
    assert int(t["new_high_52w"].sum()) == b["new_52w_highs"]
    assert int(t["new_low_52w"].sum()) == b["new_52w_lows"]
    assert t["above_200"].notna().sum() == b["n_200d"]
    assert t["above_200"].sum() / t["above_200"].notna().sum() * 100 == pytest.approx(
        b["pct_above_200d"])


@pytest.mark.snapshot
def test_scan_says_why_a_filter_cannot_pass(snapshot_dir):
    res = scan("russell2000", "2018-03-01", detectors=["highs_lows"], filters=["new_high"],
               snapshot=snapshot_dir)
    assert res.hits.empty
    assert "needs by 2018-03-01 (52-week highs and lows need 252 bars)" in res.describe()
