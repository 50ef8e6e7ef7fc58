"""CFTC Commitments of Traders: TFF and legacy annual files, matched on contract codes."""

from __future__ import annotations

import io
import zipfile

import pandas as pd
import pytest

from smallcaps.data import DataError, provenance
from smallcaps.data.catalog import spec
from smallcaps.data.snapshot import read_series_csv
from smallcaps.data.sources import _http, cftc
from smallcaps.data.sources._http import CannedTransport

TFF25 = "cftc_tff_futures_only_FinFutYY_2025_trimmed.txt"
TFF17 = "cftc_tff_futures_only_FinFut17_russell_trimmed.txt"
LEG25 = "cftc_legacy_futures_only_annual_2025_trimmed.txt"
SNAP = {"cot:russell2000": "cot_russell2000_tff_futures_only.csv",
        "cot:sp500": "cot_sp500_emini_tff_futures_only.csv",
        "cot:nasdaq100": "cot_nasdaq100_emini_tff_futures_only.csv"}


@pytest.fixture
def raw(fixtures_dir):
    return lambda name: (fixtures_dir / name).read_bytes()


def _zip(member: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(member, data)
    return buf.getvalue()


def _snapshot(snapshot_dir, name: str) -> pd.DataFrame:
    return read_series_csv(snapshot_dir / "sentiment" / SNAP[name], spec(name), contracts="all")


def test_2025_tff_nets_for_all_three_contracts(raw):
    parsed = cftc.parse_tff(raw(TFF25))
    assert b"\r\n" in raw(TFF25)
    assert sorted(parsed["cftc_contract_market_code"].unique()) == ["13874A", "209742", "239742"]
    for name in cftc.CONTRACTS:
        df = cftc.select(parsed, name)
        assert len(df) == 17 and df.index.is_unique and df["is_primary"].all()
        assert df.index[0] == pd.Timestamp("2025-01-07") and df.index[-1] == pd.Timestamp("2025-04-29")
        lev = df["lev_money_long"] - df["lev_money_short"]
        am = df["asset_mgr_long"] - df["asset_mgr_short"]
        assert lev.notna().all() and am.notna().all()
        # the report's identities hold on every row
        assert (df["tot_rept_long"] + df["nonrept_long"] == df["open_interest"]).all()
        groups = ["dealer", "asset_mgr", "lev_money", "other_rept"]
        assert (sum(df[f"{g}_long"] + df[f"{g}_spread"] for g in groups) == df["tot_rept_long"]).all()
    r = cftc.select(parsed, "cot:russell2000").loc["2025-03-25"]
    assert (r["asset_mgr_long"], r["asset_mgr_short"]) == (169_967, 130_364)
    assert (r["lev_money_long"], r["lev_money_short"]) == (65_195, 84_465)
    assert r["open_interest"] == 399_445
    assert r["published"] == pd.Timestamp("2025-03-28")  # Tuesday -> Friday


@pytest.mark.parametrize("name", list(SNAP))
def test_2025_equals_snapshot(raw, snapshot_dir, name):
    df = cftc.select(cftc.parse_tff(raw(TFF25)), name)
    snap = _snapshot(snapshot_dir, name)
    snap = snap[(snap.index >= df.index[0]) & (snap.index <= df.index[-1])]
    pd.testing.assert_frame_equal(df.drop(columns="published"), snap.drop(columns="published"),
                                  check_dtype=False, check_freq=False)


def test_2017_switch_from_ice_to_cme(raw, snapshot_dir):
    df = cftc.select(cftc.parse_tff(raw(TFF17)), "cot:russell2000")
    codes = df.groupby("cftc_contract_market_code").apply(lambda g: (g.index.min(), g.index.max()),
                                                          include_groups=False)
    assert codes["239742"][0] == pd.Timestamp("2017-08-15")  # CME's first report
    assert codes["23977A"][1] == pd.Timestamp("2017-12-26")  # ICE still reporting at year end
    names = set(df["market_and_exchange_name"])
    assert names == {"E-MINI RUSSELL 2000 INDEX - CHICAGO MERCANTILE EXCHANGE",
                     "RUSSELL 2000 MINI INDEX FUTURE - ICE FUTURES U.S."}
    primary = df[df["is_primary"]]
    assert primary.index.is_unique and len(primary) == df.index.nunique()
    switch = primary["cftc_contract_market_code"]
    assert (switch.loc[:"2017-09-05"] == "23977A").all()
    assert (switch.loc["2017-09-12":] == "239742").all()
    # the same rule as the snapshot: every row, every column, is_primary included
    snap = _snapshot(snapshot_dir, "cot:russell2000")
    snap = snap[(snap.index >= "2017-01-01") & (snap.index <= "2017-12-31")]
    pd.testing.assert_frame_equal(df.drop(columns="published"), snap.drop(columns="published"),
                                  check_dtype=False, check_freq=False)


def test_new_and_old_names_matched_by_code(raw):
    both = pd.concat([cftc.parse_tff(raw(TFF17)), cftc.parse_tff(raw(TFF25))])
    df = cftc.select(both, "cot:russell2000")
    cme = df[df["cftc_contract_market_code"] == "239742"]
    assert {"E-MINI RUSSELL 2000 INDEX - CHICAGO MERCANTILE EXCHANGE",
            "RUSSELL E-MINI - CHICAGO MERCANTILE EXCHANGE"} == set(cme["market_and_exchange_name"])


def test_legacy_report(raw):
    leg = cftc.parse_legacy(raw(LEG25))
    assert len(leg) == 33 and leg["cftc_contract_market_code"].value_counts().eq(11).all()
    assert (leg["noncomm_long"] + leg["noncomm_spread"] + leg["comm_long"]
            == leg["tot_rept_long"]).all()
    assert (leg["tot_rept_short"] + leg["nonrept_short"] == leg["open_interest"]).all()
    # open interest is the same number in the TFF report for the same week and contract
    tff = cftc.parse_tff(raw(TFF25))
    key = ["date", "cftc_contract_market_code"]
    m = leg.reset_index()[key + ["open_interest"]].merge(
        tff.reset_index()[key + ["open_interest"]], on=key, suffixes=("_leg", "_tff"))
    assert len(m) == 33 and (m["open_interest_leg"] == m["open_interest_tff"]).all()


def test_wrong_report_type_is_explained(raw):
    with pytest.raises(DataError, match="missing column.*looks like the legacy report"):
        cftc.parse_tff(raw(LEG25))


def test_zip_and_broken_downloads(raw):
    z = _zip("FinFutYY.txt", raw(TFF25))
    pd.testing.assert_frame_equal(cftc.parse_tff(z), cftc.parse_tff(raw(TFF25)))
    with pytest.raises(DataError, match="truncated download"):
        cftc.parse_tff(z[: len(z) // 2])
    with pytest.raises(_http.FetchError, match="HTML page"):
        cftc.read_zip(b"<html><head><title>CFTC | Page not found</title></head></html>")
    text = raw(TFF25)
    with pytest.raises(DataError, match="truncated download"):
        cftc.parse_tff(text[: text.rindex(b"\r\n", 0, len(text) - 2) + 60])


def test_unknown_code_and_bad_number(raw):
    with pytest.raises(DataError, match="no rows for contract code"):
        cftc.parse_tff(raw(TFF25), codes=["999999"])
    bad = raw(TFF25).replace(b"  399445,", b"  399X45,", 1)
    with pytest.raises(DataError, match="unparsable number in column 'open_interest'.*2025-03-25"):
        cftc.parse_tff(bad)


def test_urls():
    assert cftc.urls_for(2015, 2018) == [
        "https://www.cftc.gov/files/dea/history/fut_fin_txt_2006_2016.zip",
        "https://www.cftc.gov/files/dea/history/fut_fin_txt_2017.zip",
        "https://www.cftc.gov/files/dea/history/fut_fin_txt_2018.zip"]
    assert cftc.urls_for(2024, 2025, "legacy")[-1] == \
        "https://www.cftc.gov/files/dea/history/deacot2025.zip"


def test_fetch_years_through_http(raw):
    t = CannedTransport({"fut_fin_txt_2017.zip": _zip("FinFut17.txt", raw(TFF17)),
                         "fut_fin_txt_2018.zip": _zip("FinFutYY.txt", raw(TFF25))})
    df = cftc.fetch("cot:russell2000", "2017-06-01", "2018-12-31", transport=t,
                    sleep=lambda s: None)
    assert t.urls() == [cftc.BASE_URL + "fut_fin_txt_2017.zip", cftc.BASE_URL + "fut_fin_txt_2018.zip"]
    assert df.index[0] == pd.Timestamp("2017-06-06")
    assert not df.index.is_unique  # both contracts kept through the switch
    assert provenance(df).origin == "download"
    assert "fut_fin_txt_2017.zip" in provenance(df).location


def test_legacy_fetch(raw):
    t = CannedTransport({"deacot2025.zip": _zip("annual.txt", raw(LEG25))})
    df = cftc.fetch_legacy("cot:sp500", "2025-01-01", "2025-12-31", transport=t,
                           sleep=lambda s: None)
    assert len(df) == 11 and df["is_primary"].all()
    # Fridays, except the report of 2025-01-07: Thursday 01-09 was a national day of
    # mourning (federal offices closed), so it came out on Monday 2025-01-13
    pub = df["published"]
    assert pub.loc["2025-01-07"] == pd.Timestamp("2025-01-13")
    assert (pub.drop(pd.Timestamp("2025-01-07")).dt.day_of_week == 4).all()
