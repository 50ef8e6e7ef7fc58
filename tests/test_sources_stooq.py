"""Stooq adapter on the real SPY download (CRLF, split- and dividend-adjusted prices)."""

from __future__ import annotations

import pandas as pd
import pytest

from smallcaps.data import DataError, provenance
from smallcaps.data.snapshot import read_prices_csv
from smallcaps.data.sources import _http, stooq
from smallcaps.data.sources._http import CannedTransport


@pytest.fixture
def spy_body(fixtures_dir) -> bytes:
    return (fixtures_dir / "stooq_spy_us_d.csv").read_bytes()


def test_parse_real_file(spy_body):
    assert b"\r\n" in spy_body  # the sample keeps Stooq's CRLF
    df = stooq.parse_csv(spy_body, "SPY")
    lines = [ln for ln in spy_body.decode().splitlines()[1:] if ln.strip()]
    assert len(df) == len(lines) == 2839
    assert df.index[0] == pd.Timestamp("2015-01-02") and df.index[-1] == pd.Timestamp("2026-04-17")
    assert df.loc["2015-01-02", "close"] == 172.069
    first = lines[0].split(",")
    assert df.iloc[0][["open", "high", "low", "close", "volume"]].tolist() == [float(v) for v in first[1:]]
    # dividend-adjusted: close and adj_close carry the same adjusted number, and it is said
    assert (df["adj_close"] == df["close"]).all()
    assert any("NOT the unadjusted close" in n for n in provenance(df).notes)


def test_adjusted_history_vs_unadjusted_snapshot(spy_body, snapshot_dir):
    """After the last ex-dividend date Stooq's close is the traded close; before, it is scaled."""
    df = stooq.parse_csv(spy_body, "SPY")
    snap = read_prices_csv(snapshot_dir / "market" / "SPY.csv", "SPY")
    assert df.loc["2026-04-17", "close"] == snap.loc["2026-04-17", "close"] == 710.14
    assert df.loc["2015-01-02", "close"] < 0.9 * snap.loc["2015-01-02", "close"]


def test_no_data_and_limit_messages():
    with pytest.raises(DataError, match="No data"):
        stooq.parse_csv(b"No data", "SPY")
    with pytest.raises(_http.FetchError, match="hits limit"):
        stooq.parse_csv(b"Exceeded the daily hits limit", "SPY")


def test_truncated_last_line_is_reported(spy_body):
    cut = spy_body[: spy_body.rindex(b",")]  # the last line loses its volume field
    with pytest.raises(DataError, match="last line has 5 of 6 fields"):
        stooq.parse_csv(cut, "SPY")


def test_bad_number_names_line(spy_body):
    bad = spy_body.replace(b"2015-01-05,171.006", b"2015-01-05,17I.006", 1)
    with pytest.raises(DataError, match=r"column 'open'.*line 3 \(2015-01-05\)"):
        stooq.parse_csv(bad, "SPY")


def test_html_instead_of_csv():
    with pytest.raises(_http.FetchError, match="HTML page"):
        stooq.parse_csv(b"<!doctype html><html><title>stooq</title></html>", "SPY")


def test_fetch_builds_url_and_trims(spy_body):
    t = CannedTransport({"stooq.com/q/d/l/": spy_body})
    df = stooq.fetch("SPY", "2026-04-01", "2026-04-17", transport=t, sleep=lambda s: None)
    assert df.index[0] == pd.Timestamp("2026-04-01") and len(df) == 12
    assert t.urls()[0] == "https://stooq.com/q/d/l/?s=spy.us&i=d&d1=20260401&d2=20260417"


def test_catalog_series_without_stooq_ticker():
    with pytest.raises(DataError, match="Stooq has no ticker"):
        stooq.ticker_for("RUT")
