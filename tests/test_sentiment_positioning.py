"""CFTC positioning: net positions and % of open interest against hand computations on
the raw CFTC files, the CFTC's own %-of-OI and change columns, the 2017 ICE -> CME
switch, COT index bounds, missing weeks and the legacy report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps.data import DataError
from smallcaps.sentiment import positioning as pos

TFF_2025 = "cftc_tff_futures_only_FinFutYY_2025_trimmed.txt"
TFF_2017 = "cftc_tff_futures_only_FinFut17_russell_trimmed.txt"
LEGACY_2025 = "cftc_legacy_futures_only_annual_2025_trimmed.txt"

RAW_GROUP = {"dealer": "Dealer", "asset_mgr": "Asset_Mgr", "lev_money": "Lev_Money",
             "other_rept": "Other_Rept"}


def _raw(fixtures_dir, name: str) -> pd.DataFrame:
    """A raw CFTC annual file read with plain pandas (independent of the kit's parser)."""
    df = pd.read_csv(fixtures_dir / name, skipinitialspace=True, dtype={"CFTC_Contract_Market_Code": str,
                                                                       "CFTC Contract Market Code": str})
    df.columns = [c.strip() for c in df.columns]
    return df


def _tff_frame(raw: pd.DataFrame, code: str) -> pd.DataFrame:
    """Rows of one contract renamed into the kit's COT columns (the input of the functions)."""
    r = raw[raw["CFTC_Contract_Market_Code"].str.strip() == code]
    out = pd.DataFrame(index=pd.DatetimeIndex(pd.to_datetime(r["Report_Date_as_YYYY-MM-DD"]), name="date"))
    out["cftc_contract_market_code"] = code
    out["open_interest"] = r["Open_Interest_All"].to_numpy(dtype=float)
    for g, raw_g in RAW_GROUP.items():
        for side in ("Long", "Short", "Spread"):
            out[f"{g}_{side.lower()}"] = r[f"{raw_g}_Positions_{side}_All"].to_numpy(dtype=float)
    return out.sort_index()


@pytest.fixture(scope="module")
def raw2025(fixtures_dir):
    return _raw(fixtures_dir, TFF_2025)


@pytest.mark.parametrize("code", ["239742", "13874A", "209742"])
def test_net_and_pct_of_oi_match_hand_computation_on_raw_rows(raw2025, code):
    frame = _tff_frame(raw2025, code)
    got = sc.sentiment.net_positions(frame)
    r = raw2025[raw2025["CFTC_Contract_Market_Code"] == code].copy()
    r.index = pd.to_datetime(r["Report_Date_as_YYYY-MM-DD"])
    r = r.sort_index()
    assert len(got) == len(r) == 17
    for g, raw_g in RAW_GROUP.items():
        net = r[f"{raw_g}_Positions_Long_All"] - r[f"{raw_g}_Positions_Short_All"]
        np.testing.assert_array_equal(got[f"{g}_net"].to_numpy(), net.to_numpy(dtype=float))
        pct = 100.0 * net / r["Open_Interest_All"]
        np.testing.assert_allclose(got[f"{g}_net_pct_oi"].to_numpy(), pct.to_numpy(), rtol=1e-12)
        # the CFTC's own %-of-OI columns are rounded to 0.1 each
        cftc_pct = r[f"Pct_of_OI_{raw_g}_Long_All"] - r[f"Pct_of_OI_{raw_g}_Short_All"]
        assert np.abs(got[f"{g}_net_pct_oi"].to_numpy() - cftc_pct.to_numpy()).max() <= 0.1 + 1e-9


@pytest.mark.parametrize("code", ["239742", "13874A", "209742"])
def test_week_over_week_changes_match_cftc_change_columns(raw2025, code):
    frame = _tff_frame(raw2025, code)
    got = sc.sentiment.net_positions(frame)
    r = raw2025[raw2025["CFTC_Contract_Market_Code"] == code].copy()
    r.index = pd.to_datetime(r["Report_Date_as_YYYY-MM-DD"])
    r = r.sort_index()
    # the first week's change refers to a report outside the file: NaN, not guessed
    assert got[["lev_money_long_chg", "lev_money_short_chg"]].iloc[0].isna().all()
    for g, raw_g in RAW_GROUP.items():
        for side in ("Long", "Short"):
            np.testing.assert_array_equal(
                got[f"{g}_{side.lower()}_chg"].to_numpy()[1:],
                r[f"Change_in_{raw_g}_{side}_All"].to_numpy(dtype=float)[1:],
            )


@pytest.mark.snapshot
def test_snapshot_rows_equal_the_raw_cftc_sample(raw2025):
    cot = sc.data.load("cot:russell2000", start="2025-01-01", end="2025-04-30")
    got = sc.sentiment.net_positions(cot)
    r = raw2025[raw2025["CFTC_Contract_Market_Code"] == "239742"].copy()
    r.index = pd.to_datetime(r["Report_Date_as_YYYY-MM-DD"])
    r = r.sort_index()
    assert list(got.index) == list(r.index)
    net = r["Lev_Money_Positions_Long_All"] - r["Lev_Money_Positions_Short_All"]
    np.testing.assert_array_equal(got["lev_money_net"].to_numpy(), net.to_numpy(dtype=float))
    # a documented sample value (PROVENANCE-sentiment.md, 2025-03-25): 65,195 - 84,465
    assert got.loc["2025-03-25", "lev_money_net"] == 65195 - 84465
    assert got.loc["2025-03-25", "lev_money_net_pct_oi"] == pytest.approx(100 * (65195 - 84465) / 399445)
    lag = (got["published"] - got.index).dt.days
    assert lag.drop(pd.Timestamp("2025-01-07")).eq(3).all()  # Tuesday -> Friday
    assert lag.loc["2025-01-07"] == 6  # Thu 01-09 national day of mourning: Monday release


@pytest.mark.snapshot
def test_every_report_week_has_lev_money_net_and_missing_weeks_are_listed():
    cot = sc.data.load("cot:russell2000")
    m = sc.sentiment.positioning_metrics(cot, "lev_money")
    assert m.index.equals(cot.index)
    assert m[["net", "net_pct_oi"]].notna().all().all()
    runs = sc.sentiment.missing_week_runs(cot)
    # the snapshot's documented gaps: all of 2016, 2023-03-07..2023-12-26, 2025-05-06..2025-12-30
    assert [(str(a.date()), str(b.date()), n) for a, b, n in runs.itertuples(index=False)] == [
        ("2016-01-05", "2016-12-27", 52), ("2023-03-07", "2023-12-26", 43),
        ("2025-05-06", "2025-12-30", 35)]
    missing = sc.sentiment.missing_weeks(cot)
    weeks = sc.sentiment.report_week(cot.index)
    grid = pd.date_range(weeks.min(), weeks.max(), freq="W-TUE")
    assert len(missing) + weeks.nunique() == len(grid)
    assert not set(missing) & set(weeks)
    # nothing was interpolated: no row on a missing week
    assert not m.index.isin(missing).any()
    # changes are never taken across a gap: the first report after each run has none
    after = [cot.index[cot.index > b][0] for b in runs["last_missing"]]
    assert m.loc[after, ["long_chg", "short_chg"]].isna().all().all()


def test_missing_weeks_holiday_monday_counts_as_its_week():
    dates = pd.DatetimeIndex(["2024-01-02", "2024-01-09", "2024-01-22", "2024-01-30", "2024-02-20"])
    # 2024-01-22 is a Monday: it is the report of the week of Tuesday 2024-01-23
    miss = sc.sentiment.missing_weeks(dates)
    assert list(miss) == [pd.Timestamp("2024-01-16"), pd.Timestamp("2024-02-06"),
                          pd.Timestamp("2024-02-13")]
    runs = sc.sentiment.missing_week_runs(dates)
    assert runs["weeks"].tolist() == [1, 2]
    assert list(sc.sentiment.missing_weeks(dates, end="2024-03-05")[-2:]) == [
        pd.Timestamp("2024-02-27"), pd.Timestamp("2024-03-05")]


# --------------------------------------------------------------------------- switch


def test_contract_switch_from_raw_2017_file(fixtures_dir):
    raw = _raw(fixtures_dir, TFF_2017)
    both = pd.concat([_tff_frame(raw, "23977A"), _tff_frame(raw, "239742")]).sort_index(kind="stable")
    with pytest.raises(DataError, match="more than one report row per date"):
        sc.sentiment.net_positions(both)
    # primary = larger open interest that week (the snapshot's rule), decided in plain pandas
    oi_max = both.groupby(level=0)["open_interest"].transform("max")
    both["is_primary"] = both["open_interest"].to_numpy() == oi_max.to_numpy()
    got = sc.sentiment.net_positions(both)
    assert got.index.is_unique and len(got) == 52
    assert set(got.loc[:"2017-09-05", "contract"]) == {"23977A"}
    assert set(got.loc["2017-09-12":, "contract"]) == {"239742"}
    # no change across the switch; changes resume the week after on the new contract
    assert np.isnan(got.loc["2017-09-12", "lev_money_long_chg"])
    cme = raw[raw["CFTC_Contract_Market_Code"] == "239742"].set_index(
        pd.to_datetime(raw.loc[raw["CFTC_Contract_Market_Code"] == "239742", "Report_Date_as_YYYY-MM-DD"]))
    assert got.loc["2017-09-19", "lev_money_long_chg"] == float(
        cme.loc["2017-09-19", "Change_in_Lev_Money_Long_All"])
    ice = raw[raw["CFTC_Contract_Market_Code"] == "23977A"].set_index(
        pd.to_datetime(raw.loc[raw["CFTC_Contract_Market_Code"] == "23977A", "Report_Date_as_YYYY-MM-DD"]))
    row = ice.loc["2017-09-05"]
    assert got.loc["2017-09-05", "lev_money_net"] == (float(row["Lev_Money_Positions_Long_All"])
                                                      - float(row["Lev_Money_Positions_Short_All"]))


@pytest.mark.snapshot
def test_snapshot_contract_switch_uses_is_primary():
    allrows = sc.data.load("cot:russell2000", contracts="all")
    assert not allrows.index.is_unique
    got = sc.sentiment.net_positions(allrows)
    primary = sc.data.load("cot:russell2000")
    pd.testing.assert_frame_equal(got, sc.sentiment.net_positions(primary), check_like=True)
    assert got.loc["2017-09-05", "contract"] == "23977A"
    assert got.loc["2017-09-12", "contract"] == "239742"
    assert got.loc["2017-09-12", ["lev_money_long_chg", "asset_mgr_short_chg"]].isna().all()
    assert got.loc["2017-09-19", ["lev_money_long_chg"]].notna().all()


def test_cot_frame_errors_name_the_problem():
    idx = pd.DatetimeIndex(["2024-01-02", "2024-01-09"])
    bad = pd.DataFrame({"open_interest": [100.0, 0.0], "lev_money_long": [1.0, 2.0],
                        "lev_money_short": [1.0, 2.0]}, index=idx)
    with pytest.raises(DataError, match="open interest is missing or not positive.*2024-01-09"):
        sc.sentiment.net_positions(bad, groups=("lev_money",))
    with pytest.raises(DataError, match="missing column 'dealer_long'"):
        sc.sentiment.net_positions(bad.assign(open_interest=1.0))
    with pytest.raises(ValueError, match="unknown group 'hedgies'"):
        sc.sentiment.net_positions(bad.assign(open_interest=1.0), groups=("hedgies",))
    with pytest.raises(TypeError, match="expected a DataFrame"):
        sc.sentiment.net_positions([1, 2])


# --------------------------------------------------------------------------- COT index


def test_cot_index_bounds_and_hand_value():
    rng = np.random.default_rng(7)
    idx = pd.date_range("2015-01-06", periods=400, freq="W-TUE")
    x = pd.Series(rng.normal(size=400).cumsum(), index=idx)
    ci = sc.sentiment.cot_index(x, weeks=52)
    valid = ci.dropna()
    assert len(valid) == 400 - 25  # min_periods = 26
    assert valid.between(0, 100).all()
    assert (valid == 0).any() and (valid == 100).any()
    t = 300
    w = x.iloc[t - 51 : t + 1]
    assert ci.iloc[t] == pytest.approx(100 * (x.iloc[t] - w.min()) / (w.max() - w.min()))
    # a steadily rising series is always at the top of its range
    up = pd.Series(np.arange(60.0), index=idx[:60])
    assert (sc.sentiment.cot_index(up, weeks=10).dropna() == 100).all()
    # a flat window has no range: NaN, not 0 or 50
    assert sc.sentiment.cot_index(pd.Series(5.0, index=idx[:20]), weeks=10).isna().all()


def test_cot_index_window_is_calendar_weeks_not_rows():
    idx = pd.date_range("2015-01-06", periods=30, freq="W-TUE")
    idx = idx.delete(slice(10, 20))  # ten missing weeks
    x = pd.Series(np.r_[np.full(10, 100.0), np.arange(20.0)][:20], index=idx)
    ci = sc.sentiment.cot_index(x, weeks=8, min_periods=2)
    # the first report after the gap is alone in its 8-week window (min_periods=2): NaN
    assert np.isnan(ci.iloc[10])
    # then the rising readings top their window: the 100s are more than 8 weeks back
    assert (ci.iloc[11:] == 100.0).all()
    # a window of 8 rows would have reached back to the 100s instead
    rows = x.rolling(8, min_periods=2)
    by_rows = 100 * (x - rows.min()) / (rows.max() - rows.min())
    assert by_rows.iloc[12] == pytest.approx(2.0)


@pytest.mark.snapshot
def test_snapshot_cot_index_within_bounds_for_three_markets():
    for market in ("russell2000", "sp500", "nasdaq100"):
        m = sc.sentiment.positioning_metrics(sc.data.load(f"cot:{market}"), "asset_mgr", weeks=104)
        assert m["cot_index"].dropna().between(0, 100).all()
        assert m["percentile"].dropna().between(0, 100).all()
        assert m["cot_index"].notna().sum() > 300


@pytest.mark.snapshot
def test_compare_markets_and_latest_table():
    frames = {k: sc.data.load(f"cot:{v}") for k, v in
              [("Russell 2000", "russell2000"), ("S&P 500", "sp500"), ("Nasdaq-100", "nasdaq100")]}
    wide = sc.sentiment.compare_markets(frames, "lev_money", "net_pct_oi")
    assert list(wide.columns) == list(frames)
    r = sc.sentiment.net_positions(frames["S&P 500"])
    pd.testing.assert_series_equal(wide["S&P 500"].dropna(), r["lev_money_net_pct_oi"],
                                   check_names=False)
    latest = sc.sentiment.latest_positioning(frames, groups=("lev_money", "asset_mgr"))
    assert latest.shape[0] == 6
    assert (latest["date"] == pd.Timestamp("2026-08-04")).all()
    with pytest.raises(ValueError, match="measure"):
        sc.sentiment.compare_markets(frames, measure="nope")


# --------------------------------------------------------------------------- legacy


def test_legacy_noncommercial_net_from_raw_headers(fixtures_dir):
    raw = _raw(fixtures_dir, LEGACY_2025)
    with pytest.raises(DataError, match="several contracts"):
        sc.sentiment.legacy_net_positions(raw.set_index(pd.to_datetime(raw["As of Date in Form YYYY-MM-DD"])))
    for code in ("239742", "13874A", "209742"):
        r = raw[raw["CFTC Contract Market Code"].str.strip() == code].copy()
        r.index = pd.to_datetime(r["As of Date in Form YYYY-MM-DD"])
        r = r.sort_index()
        got = sc.sentiment.legacy_net_positions(r)
        assert len(got) == 11
        net = r["Noncommercial Positions-Long (All)"] - r["Noncommercial Positions-Short (All)"]
        np.testing.assert_array_equal(got["noncommercial_net"].to_numpy(), net.to_numpy(dtype=float))
        pct = r["% of OI-Noncommercial-Long (All)"] - r["% of OI-Noncommercial-Short (All)"]
        assert np.abs(got["noncommercial_net_pct_oi"].to_numpy() - pct.to_numpy()).max() <= 0.1 + 1e-9
        np.testing.assert_array_equal(got["commercial_long_chg"].to_numpy()[1:],
                                      r["Change in Commercial-Long (All)"].to_numpy(dtype=float)[1:])
        np.testing.assert_array_equal(got["nonrept_short_chg"].to_numpy()[1:],
                                      r["Change in Nonreportable-Short (All)"].to_numpy(dtype=float)[1:])
        # legacy and TFF agree on open interest (same contract, same week)
        assert (got["open_interest"] == r["Open Interest (All)"].to_numpy()).all()


def test_legacy_accepts_snake_case_and_reports_missing_columns():
    idx = pd.date_range("2025-01-07", periods=3, freq="W-TUE")
    df = pd.DataFrame({"open_interest": [100.0, 110, 120], "noncommercial_long": [30.0, 35, 20],
                       "noncommercial_short": [10.0, 20, 40]}, index=idx)
    got = sc.sentiment.legacy_net_positions(df, groups=("noncommercial",))
    assert got["noncommercial_net"].tolist() == [20.0, 15.0, -20.0]
    assert got["noncommercial_net_pct_oi"].iloc[2] == pytest.approx(-20 / 120 * 100)
    assert got["noncommercial_short_chg"].tolist()[1:] == [10.0, 20.0]
    with pytest.raises(DataError, match="missing legacy column.*commercial_long"):
        sc.sentiment.legacy_net_positions(df)
    m = sc.sentiment.positioning_metrics(df, "noncommercial", weeks=2, legacy=True, min_periods=2)
    assert m["cot_index"].tolist()[1:] == [0.0, 0.0]


def test_positioning_metrics_scores_have_no_look_ahead(raw2025):
    frame = _tff_frame(raw2025, "13874A")
    full = sc.sentiment.positioning_metrics(frame, "asset_mgr", weeks=8, min_periods=4)
    cut = sc.sentiment.positioning_metrics(frame.iloc[:10], "asset_mgr", weeks=8, min_periods=4)
    pd.testing.assert_frame_equal(full.iloc[:10], cut)


def test_group_labels_cover_all_groups():
    assert set(pos.TFF_GROUPS) | set(pos.LEGACY_GROUPS) <= set(pos.GROUP_LABELS)


def test_kit_parser_output_feeds_net_positions(fixtures_dir):
    """The CFTC adapter's frames (TFF and legacy) go straight into the positioning tools."""
    from smallcaps.data.sources import cftc

    raw = _raw(fixtures_dir, LEGACY_2025)
    r = raw[raw["CFTC Contract Market Code"].str.strip() == "13874A"].copy()
    r.index = pd.to_datetime(r["As of Date in Form YYYY-MM-DD"])
    r = r.sort_index()
    legacy = cftc.parse_legacy((fixtures_dir / LEGACY_2025).read_bytes())
    one = legacy[legacy["cftc_contract_market_code"] == "13874A"]
    got = sc.sentiment.legacy_net_positions(one)
    net = r["Noncommercial Positions-Long (All)"] - r["Noncommercial Positions-Short (All)"]
    np.testing.assert_array_equal(got["noncommercial_net"].to_numpy(), net.to_numpy(dtype=float))
    # several contracts with is_primary (what fetch_legacy returns): one row per week
    marked = legacy.assign(is_primary=cftc.mark_primary(legacy).to_numpy())
    prim = sc.sentiment.legacy_net_positions(marked)
    assert prim.index.is_unique and set(prim["contract"]) == {"13874A"}  # the largest OI
    tff = cftc.parse_tff((fixtures_dir / TFF_2025).read_bytes(), codes=["239742"])
    mine = sc.sentiment.net_positions(tff)
    hand = _tff_frame(_raw(fixtures_dir, TFF_2025), "239742")
    np.testing.assert_array_equal(mine["asset_mgr_net"].to_numpy(),
                                  (hand["asset_mgr_long"] - hand["asset_mgr_short"]).to_numpy())
