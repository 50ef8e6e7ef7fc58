"""The real snapshot loads for every catalog series with the documented rows and dates."""

import pandas as pd
import pytest

import smallcaps as sc

pytestmark = pytest.mark.snapshot

# rows, first and last date per price series, from the snapshot's PROVENANCE file
EXPECTED = {
    "RUT": (9811, "1987-09-10", "2026-08-21"),
    "IWM": (6598, "2000-05-26", "2026-08-21"),
    "SPX": (24777, "1927-12-30", "2026-08-21"),
    "NDX": (10272, "1985-10-01", "2026-07-10"),
    "QQQ": (6906, "1999-03-10", "2026-08-21"),
    "SPY": (8448, "1993-01-29", "2026-08-21"),
    "COMPQ": (14003, "1971-02-05", "2026-08-21"),
    "VIX": (9230, "1990-01-02", "2026-08-21"),
}


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_price_series_rows_and_dates(name, snapshot_dir):
    df = sc.data.load(name)
    rows, first, last = EXPECTED[name]
    assert len(df) == rows
    assert df.index[0] == pd.Timestamp(first)
    assert df.index[-1] == pd.Timestamp(last)
    assert df.index.name == "date" and df.index.is_monotonic_increasing and df.index.is_unique
    assert df.index.tz is None
    assert list(df.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert all(df[c].dtype == "float64" for c in df.columns)
    prov = sc.data.provenance(df)
    assert prov.origin == "snapshot" and prov.rows == rows and prov.first == first
    assert not prov.synthetic


def test_acceptance_facts(snapshot_dir):
    rut = sc.data.load("RUT")
    assert rut.loc["2021-03-26", "close"] == 2221.48
    iwm = sc.data.load("IWM", start="2021-03-01", end="2021-03-31")
    assert iwm["close"].max() == 234.42
    assert iwm["close"].idxmax() == pd.Timestamp("2021-03-15")


def test_index_volume_empty_and_etf_adjusted(snapshot_dir):
    assert sc.data.load("RUT")["volume"].isna().all()
    assert sc.data.load("RUT")["adj_close"].isna().all()
    iwm = sc.data.load("IWM", start="2024-01-01", end="2024-12-31")
    assert iwm["volume"].notna().all()
    # dividends make the total-return series lower than the price series in the past
    assert (iwm["adj_close"] < iwm["close"]).all()


def test_sentiment_series(snapshot_dir):
    md = sc.data.load("margin_debt")
    assert len(md) == 353 and md.index[0] == pd.Timestamp("1997-01-31")
    assert md.loc["2025-01-31", "debit_balances_margin_accounts"] == 937253
    assert md["free_credit_margin_accounts"].loc[:"2010-01-31"].isna().all()
    assert (md["published"] > md.index).all()
    si = sc.data.load("short_interest:IWM")
    assert len(si) == 15 and si.index[0] == pd.Timestamp("2020-11-30")
    cot = sc.data.load("cot:russell2000")
    assert cot.index.is_unique and cot["is_primary"].all() and len(cot) == 475
    both = sc.data.load("cot:russell2000", contracts="all")
    assert len(both) == 518 and set(both["cftc_contract_market_code"]) == {"239742", "23977A"}
    pc = sc.data.load("putcall")
    assert pc.index[-1] == pd.Timestamp("2019-10-04") and pc.notna().all().all()


def test_start_end_and_as_of(snapshot_dir):
    df = sc.data.load("SPX", start="2020-01-01", end="2020-12-31")
    assert df.index[0] >= pd.Timestamp("2020-01-01") and df.index[-1] <= pd.Timestamp("2020-12-31")
    md = sc.data.load("margin_debt", as_of="2025-04-30")
    assert md.index[-1] <= pd.Timestamp("2025-03-31")
    assert (md["published"] <= pd.Timestamp("2025-04-30")).all()
    assert sc.data.provenance(md).as_of == "2025-04-30"
    with pytest.raises(sc.data.DataError, match="empty result"):
        sc.data.load("RUT", start="1970-01-01", end="1980-01-01")


def test_unknown_name_suggests(snapshot_dir):
    with pytest.raises(sc.data.DataError, match="unknown series name.*'RUT'"):
        sc.data.load("RUTT")
    with pytest.raises(sc.data.DataError, match="short_interest:IWM"):
        sc.data.load("short_interest:IMW")


def test_case_insensitive(snapshot_dir):
    assert len(sc.data.load("rut", start="2024-01-01")) == len(sc.data.load("RUT", start="2024-01-01"))


def test_snapshot_into_cache_and_back(snapshot_dir, tmp_path, monkeypatch):
    from smallcaps.cli import main

    monkeypatch.setenv("SMALLCAPS_CACHE", str(tmp_path / "c"))
    assert main(["data", "snapshot", str(snapshot_dir)]) == 0  # nfib absent: listed, not a failure
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT")
    df = sc.data.load("RUT")
    prov = sc.data.provenance(df)
    assert prov.origin == "cache" and len(df) == 9811
    assert df.loc["2021-03-26", "close"] == 2221.48
    assert len(sc.data.load("cot:sp500")) == 475
