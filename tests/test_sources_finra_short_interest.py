"""FINRA equity short interest files: parser on the real otce sample, fetch offline, catalog names."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps.data import DataError
from smallcaps.data.sources import _http
from smallcaps.data.sources import finra_short_interest as fsi

# Built from FINRA's published layout of the consolidated short interest files
# (https://cdn.finra.org/equity/otcmarket/biweekly/shrtYYYYMMDD.csv, the field names of
# the consolidatedShortInterest dataset): NOT a real download, values invented.
CDN_SAMPLE = (
    "accountingYearMonthNumber|symbolCode|issueName|issuerServicesGroupExchangeCode|marketClassCode|"
    "currentShortPositionQuantity|previousShortPositionQuantity|stockSplitFlag|averageDailyVolumeQuantity|"
    "daysToCoverQuantity|revisionFlag|changePercent|changePreviousNumber|settlementDate\n"
    "20240815|IWM|iShares Russell 2000 ETF|A|ARCA|98000000|95000000||30000000|3.27||3.16|3000000|2024-08-15\n"
    "20240815|AAPL|Apple Inc. Common Stock|A|NASDAQ|120000000|118000000||55000000|2.18||1.69|2000000|2024-08-15\n"
    "20240815|ZZZ|Zero Volume Co|A|OTC|10|10||0|999.99||0.00|0|2024-08-15\n"
)


def test_parse_real_otce_export(fixtures_dir):
    df = fsi.parse_file((fixtures_dir / "finra_otce_equity_short_interest_2024-08-15_trimmed.csv").read_bytes())
    assert len(df) == 70  # header + 70 lines in the trimmed sample
    assert (df["settlement_date"] == pd.Timestamp("2024-08-15")).all()  # DD-MM-YYYY read right
    row = df[df["symbol"] == "AABB"].iloc[0]
    assert row["shares_short"] == 135611 and row["previous_shares_short"] == 1550761
    assert row["change_pct"] == pytest.approx(-91.26)
    assert row["avg_daily_volume"] == 37540046 and row["days_to_cover"] == pytest.approx(1.0)
    # 999.99 days to cover (zero volume) is no number, not a record
    assert np.isnan(df[df["symbol"] == "AAALY"].iloc[0]["days_to_cover"])
    # quoted names with commas stay in one field
    assert df["symbol"].str.fullmatch(r"[A-Z0-9.\-]+").all()
    assert (df["market"] == "U").all()


def test_parse_cdn_pipe_layout():
    df = fsi.parse_file(CDN_SAMPLE)
    assert list(df["symbol"]) == ["IWM", "AAPL", "ZZZ"]
    assert df.loc[0, "shares_short"] == 98_000_000 and df.loc[0, "days_to_cover"] == pytest.approx(3.27)
    assert np.isnan(df.loc[2, "days_to_cover"])


def test_not_a_finra_file():
    with pytest.raises(DataError, match="HTML"):
        fsi.parse_file(b"<!DOCTYPE html><html><title>Access denied</title></html>")
    with pytest.raises(DataError, match="no symbol"):
        fsi.parse_file("a,b\n1,2\n")
    bad = CDN_SAMPLE.replace("98000000", "9.8e7x")
    with pytest.raises(DataError, match="shares_short.*line 2"):
        fsi.parse_file(bad)


def test_settlement_candidates_are_weekdays():
    c = fsi.settlement_candidates("2024-06-01", "2024-08-31")
    assert c == [pd.Timestamp(d) for d in ("2024-06-14", "2024-06-28", "2024-07-15", "2024-07-31",
                                           "2024-08-15", "2024-08-30")]


def test_fetch_offline_steps_back_over_missing_dates_and_caches(_private_cache):
    day = pd.Timestamp("2024-08-15")
    body_a = CDN_SAMPLE
    body_b = CDN_SAMPLE.replace("2024-08-15", "2024-07-31").replace("98000000", "95000000")
    canned = _http.CannedTransport({
        "shrt20240815": body_a,
        "shrt20240731": 404, "shrt20240730": body_b.replace("2024-07-31", "2024-07-30"),
    })
    with _http.override(canned, sleep=lambda s: None):
        df = fsi.fetch("short_interest:iwm", start="2024-07-20", end="2024-08-20")
    assert list(df.index) == [pd.Timestamp("2024-07-30"), day]
    assert list(df["shares_short"]) == [95_000_000, 98_000_000]
    # disseminated after the close of the 7th NYSE session after settlement: 2024-08-15 ->
    # 16, 19, 20, 21, 22, 23, 26 August
    assert df["published"].iloc[-1] == pd.Timestamp("2024-08-26")
    assert sc.data.provenance(df).source == fsi.SOURCE
    assert (fsi.files_dir() / "shrt20240815.csv").is_file()
    # a second symbol reuses the cached files: no new request
    n = len(canned.calls)
    with _http.override(canned, sleep=lambda s: None):
        aapl = fsi.fetch("short_interest:AAPL", start="2024-07-20", end="2024-08-20")
    assert len(canned.calls) == n + 0 and aapl["shares_short"].iloc[-1] == 120_000_000
    with _http.override(canned, sleep=lambda s: None), pytest.raises(DataError, match="none of FINRA"):
        fsi.fetch("short_interest:NOPE", start="2024-07-20", end="2024-08-20")


def test_short_interest_for_any_symbol_is_a_catalog_name():
    from smallcaps.data.sources import plan

    sp = sc.data.spec("short_interest:xbi")
    assert sp.name == "short_interest:XBI" and sp.release == "short_interest"
    assert [s.module for s in plan(sp)] == ["finra_short_interest"]
    with pytest.raises(DataError, match="short_interest:XBI.*smallcaps data pull short_interest:XBI"):
        sc.data.load("short_interest:XBI")  # offline in tests: a clear error


def test_fred_catalog_series_offline(fixtures_dir):
    from smallcaps.data.sources import fred

    body = "observation_date,NFCI\n2025-07-04,-0.52\n2025-07-11,-0.53\n2025-07-18,\n"
    with _http.override(_http.CannedTransport({"fredgraph.csv": body}), sleep=lambda s: None):
        df = fred.fetch_catalog("fred:nfci")
    assert list(df["value"]) == [-0.52, -0.53]  # the empty (holiday-like) row is dropped
    # NFCI for the week ending Friday is released the next Wednesday
    assert list(df["published"]) == [pd.Timestamp("2025-07-09"), pd.Timestamp("2025-07-16")]


def test_universe_short_interest_point_in_time(_private_cache):
    """Planted files: two settlement dates, membership changes between them."""
    folder = fsi.files_dir()
    folder.mkdir(parents=True)
    head = CDN_SAMPLE.splitlines()[0]

    def line(sym, short, vol, dtc, day):
        return f"0|{sym}|x|A|NYSE|{short}|0||{vol}|{dtc}||0|0|{day}"

    (folder / "shrt20240628.csv").write_text("\n".join([
        head, line("AAA", 100, 50, 2.0, "2024-06-28"), line("BBB", 300, 100, 3.0, "2024-06-28"),
        line("CCC", 1000, 10, 100.0, "2024-06-28")]) + "\n")
    (folder / "shrt20240715.csv").write_text("\n".join([
        head, line("AAA", 200, 50, 4.0, "2024-07-15"), line("BBB", 300, 100, 3.0, "2024-07-15"),
        line("CCC", 1000, 10, 100.0, "2024-07-15")]) + "\n")
    udir = sc.universe.universes_dir()
    udir.mkdir(parents=True)
    # CCC joins on 2024-07-01: not a member at the June settlement
    (udir / "mini.csv").write_text("ticker,start_date,end_date\nAAA,2024-01-01,\nBBB,2024-01-01,\n"
                                   "CCC,2024-07-01,\nDDD,2024-01-01,\n")
    out = sc.universe.universe_short_interest("mini", shares_outstanding=pd.Series({"AAA": 1000, "BBB": 3000}))
    june, july = out.index
    assert out.loc[june, "members"] == 3 and out.loc[june, "members_with_data"] == 2  # DDD has no row
    assert out.loc[june, "shares_short"] == 400 and out.loc[june, "days_to_cover"] == pytest.approx(400 / 150)
    assert out.loc[july, "members"] == 4 and out.loc[july, "shares_short"] == 1500
    assert out.loc[july, "days_to_cover"] == pytest.approx(1500 / 160)
    assert out.loc[june, "short_pct_shares_out"] == pytest.approx(10.0)
    assert out.loc[july, "short_pct_shares_out"] == pytest.approx(12.5)
    assert np.isnan(out.loc[june, "days_to_cover_pctile"]) and out.loc[july, "days_to_cover_pctile"] == 100.0
    # 7th NYSE session after 2024-07-15: 16, 17, 18, 19, 22, 23, 24 July
    assert out.loc[july, "published"] == pd.Timestamp("2024-07-24")
    with pytest.raises(DataError, match="no FINRA short interest file"):
        sc.universe.universe_short_interest("mini", start="2020-01-01", end="2020-12-31")
