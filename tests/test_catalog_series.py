"""The series added with issue 11 load from the real snapshot, each citing its own PROVENANCE section."""

from __future__ import annotations

import pandas as pd
import pytest

import smallcaps as sc

pytestmark = pytest.mark.snapshot


def _doc(df) -> str:
    return next(n for n in sc.data.provenance(df).notes if n.startswith("provenance:"))


@pytest.mark.parametrize("symbol", ["IJR", "KRE", "iwn", "IWO", "VTWO", "XBI"])
def test_etf_prices_load_by_symbol(symbol):
    df = sc.data.load(symbol)
    prov = sc.data.provenance(df)
    assert list(df.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert df.index[0] == pd.Timestamp("2016-04-28") and df.index[-1] == pd.Timestamp("2021-04-27")
    assert len(df) == 1258 and prov.source == "Yahoo Finance" and prov.origin == "snapshot"
    assert "PROVENANCE-universe.md" in _doc(df) and "etf_prices_daily.parquet" in _doc(df)


def test_each_file_cites_the_document_that_names_it():
    # market/ has its own PROVENANCE; sentiment files are documented at the top level
    assert "market/PROVENANCE.md" in _doc(sc.data.load("RUT")) and "RUT.csv" in _doc(sc.data.load("RUT"))
    assert "PROVENANCE-sentiment.md" in _doc(sc.data.load("margin_debt"))
    # putcall_cboe.csv is mentioned in PROVENANCE-universe.md too (a cross-check), but
    # documented in PROVENANCE-sentiment.md
    assert "PROVENANCE-sentiment.md" in _doc(sc.data.load("putcall"))
    assert "PROVENANCE-universe.md" in _doc(sc.data.load("putcall_ratios"))
    assert "PROVENANCE-universe.md" in _doc(sc.data.load("fred:NFCI"))
    assert "section 'F." in _doc(sc.data.load("breadth:nasdaq_new_highs"))
    assert "short_interest_{IWM,QQQ,SPY}" in _doc(sc.data.load("short_interest:QQQ"))


def test_fred_series_are_dated_when_published():
    hy = sc.data.load("fred:BAMLH0A0HYM2")
    assert hy.loc["2020-03-23", "value"] == pytest.approx(10.87)
    assert hy.loc["2020-03-23", "published"] == pd.Timestamp("2020-03-24")
    nfci = sc.data.load("fred:NFCI", as_of="2025-07-22")
    assert nfci.index[-1] == pd.Timestamp("2025-07-11")  # 2025-07-18 is released on 07-23
    t = sc.data.load("fred:T10Y2Y")
    assert t.loc["2023-07-03", "value"] == pytest.approx(-1.08)


def test_putcall_after_2019():
    pc = sc.data.load("putcall_ratios", start="2019-10-07")
    assert pc.index[-1] == pd.Timestamp("2026-04-17")
    assert pc["equity_pc_ratio"].notna().all()
    assert pc["total_pc_ratio"].last_valid_index() == pd.Timestamp("2026-03-12")
    old = sc.data.load("putcall", start="2006-11-01")
    both = pc.index.intersection(old.index)
    assert len(both) == 0  # the archive ends 2019-10-04; the ycharts rows continue it
    full = sc.data.load("putcall_ratios", start="2006-11-01", end="2019-10-04")
    common = full.index.intersection(old.index)
    assert (full.loc[common, "equity_pc_ratio"] == old.loc[common, "equity_pc_ratio"]).all()


def test_vendor_breadth_reference_lines():
    adv = sc.data.load("breadth:nyse_advancing_issues")
    assert adv.index[0] == pd.Timestamp("1991-12-02") and adv["value"].min() > 0
    assert sc.data.spec("breadth:sp500_pct_above_200dma").units == "percent"
