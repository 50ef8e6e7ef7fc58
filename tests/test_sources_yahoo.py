"""Yahoo Finance adapter: the raw v8 chart JSON parser on real captures, and the yfinance
path with yfinance replaced (it is never called in tests)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from smallcaps.data import DataError, provenance
from smallcaps.data.snapshot import read_prices_csv
from smallcaps.data.sources import _http, yahoo
from smallcaps.data.sources._http import CannedTransport

AAPL = "yahoo_chart_v8_AAPL_2020-08-31_2020-11-07"
QQQ = "yahoo_chart_v8_QQQ_2020-01-01_2020-01-03"


@pytest.fixture
def aapl_body(fixtures_dir) -> bytes:
    return (fixtures_dir / f"{AAPL}.body.json").read_bytes()


def test_chart_body_parses_to_contract(aapl_body, fixtures_dir):
    df = yahoo.parse_chart(aapl_body)
    assert list(df.columns) == ["open", "high", "low", "close", "adj_close", "volume"]
    assert df.index.name == "date" and df.index.is_monotonic_increasing and df.index.is_unique
    assert (df.dtypes == "float64").all()
    assert len(df) == 49
    raw = json.loads(aapl_body)["chart"]["result"][0]
    # session dates in New York time, from the UTC opening instants
    first = pd.Timestamp(raw["timestamp"][0], unit="s", tz="UTC").tz_convert("America/New_York")
    assert df.index[0] == pd.Timestamp(first.date()) == pd.Timestamp("2020-08-31")
    assert df.index[-1] == pd.Timestamp("2020-11-06")
    assert (df.index.day_of_week < 5).all()
    # float32 noise snapped to the shortest decimal; values equal to the float32 inputs
    q = raw["indicators"]["quote"][0]
    assert df["close"].iloc[0] == 129.04
    assert np.allclose(df["close"], np.array(q["close"], dtype=float), rtol=1e-7)
    assert np.allclose(df["adj_close"], raw["indicators"]["adjclose"][0]["adjclose"], rtol=1e-7)
    # close (split-adjusted) and adj_close (dividends too) are kept apart
    assert (df["adj_close"] < df["close"]).all()
    assert provenance(df).source.startswith("Yahoo Finance")


def test_capture_and_body_agree(aapl_body, fixtures_dir):
    capture = json.loads((fixtures_dir / f"{AAPL}.capture.json").read_text())
    assert capture["response"]["status"] == 200
    from_capture = yahoo.parse_chart(capture["response"]["bodyJson"])
    pd.testing.assert_frame_equal(from_capture, yahoo.parse_chart(aapl_body))


def test_qqq_bar_matches_the_snapshot(fixtures_dir, snapshot_dir):
    df = yahoo.parse_chart((fixtures_dir / f"{QQQ}.body.json").read_bytes(), "QQQ")
    assert len(df) == 1 and df.index[0] == pd.Timestamp("2020-01-02")
    snap = read_prices_csv(snapshot_dir / "market" / "QQQ.csv", "QQQ").loc["2020-01-02"]
    for col in ("open", "high", "low", "close", "volume"):
        assert df[col].iloc[0] == snap[col], col


def test_index_has_no_adj_close_and_rut_no_volume(fixtures_dir):
    body = json.loads((fixtures_dir / f"{QQQ}.body.json").read_text())
    body["chart"]["result"][0]["meta"]["instrumentType"] = "INDEX"
    body["chart"]["result"][0]["meta"]["symbol"] = "^RUT"
    df = yahoo.parse_chart(body, "RUT")
    assert df["adj_close"].isna().all()
    assert df["volume"].isna().all()  # ^RUT volume is a copy of S&P 500 volume


def test_null_bars_dropped_and_noted(aapl_body):
    body = json.loads(aapl_body)
    q = body["chart"]["result"][0]["indicators"]["quote"][0]
    for k in q:
        q[k][3] = None
    df = yahoo.parse_chart(body)
    assert len(df) == 48 and pd.Timestamp("2020-09-03") not in df.index
    assert any("dropped 1 bar" in n for n in provenance(df).notes)


def test_yahoo_error_object_and_bad_bodies(aapl_body):
    err = {"chart": {"result": None, "error": {"code": "Not Found",
                                               "description": "No data found, symbol may be delisted"}}}
    with pytest.raises(DataError, match="symbol may be delisted"):
        yahoo.parse_chart(json.dumps(err).encode(), "NOPE")
    with pytest.raises(DataError, match="not valid JSON.*truncated"):
        yahoo.parse_chart(aapl_body[: len(aapl_body) // 2])
    with pytest.raises(DataError, match="HTML page"):
        yahoo.parse_chart(b"<html><title>Yahoo! - Error</title></html>")
    body = json.loads(aapl_body)
    body["chart"]["result"][0]["indicators"]["quote"][0]["close"].pop()
    with pytest.raises(DataError, match="close has 48 values for 49 timestamps"):
        yahoo.parse_chart(body)


def test_bad_bar_is_rejected_not_repaired(aapl_body):
    body = json.loads(aapl_body)
    q = body["chart"]["result"][0]["indicators"]["quote"][0]
    q["high"][5] = q["low"][5] * 0.5  # high far below low: a broken bar, not rounding
    with pytest.raises(DataError, match="high < low"):
        yahoo.parse_chart(body)


def test_rounding_sized_ohlc_miss_is_widened(aapl_body):
    body = json.loads(aapl_body)
    q = body["chart"]["result"][0]["indicators"]["quote"][0]
    q["open"][2] = q["high"][2] + 0.01
    df = yahoo.parse_chart(body)
    assert df["high"].iloc[2] == pytest.approx(q["open"][2])
    assert any("widened high/low" in n for n in provenance(df).notes)


def test_fetch_chart_goes_through_http_layer(aapl_body):
    t = CannedTransport({"/v8/finance/chart/": aapl_body})
    df = yahoo.fetch_chart("AAPL", "2020-09-01", "2020-10-30", transport=t, sleep=lambda s: None)
    assert df.index[0] == pd.Timestamp("2020-09-01") and df.index[-1] == pd.Timestamp("2020-10-30")
    url = t.urls()[0]
    assert url.startswith("https://query2.finance.yahoo.com/v8/finance/chart/AAPL?")
    p1 = int(pd.Timestamp("2020-09-01").timestamp())
    assert f"period1={p1}" in url and "interval=1d" in url
    assert provenance(df).location == url


def test_chart_url_quotes_index_tickers():
    assert "/chart/%5ERUT?" in yahoo.chart_url("^RUT", pd.Timestamp("2024-01-01"), None)


# --- yfinance path (yfinance replaced) -------------------------------------------------------


def _yf_frame(snapshot_dir, symbol_file: str, start=None, end=None) -> pd.DataFrame:
    """What yfinance.history(auto_adjust=False) returns, built from the snapshot."""
    snap = read_prices_csv(snapshot_dir / "market" / symbol_file, symbol_file)
    if start is not None:
        snap = snap[snap.index >= start]
    if end is not None:
        snap = snap[snap.index <= end]
    out = pd.DataFrame({"Open": snap["open"], "High": snap["high"], "Low": snap["low"],
                        "Close": snap["close"], "Adj Close": snap["adj_close"].fillna(snap["close"]),
                        "Volume": snap["volume"].fillna(0)})
    out.index = snap.index.tz_localize("America/New_York").rename("Date")
    return out


def test_fetch_via_yfinance_keeps_close_and_adj_close_apart(monkeypatch, snapshot_dir):
    calls = []

    def fake(ticker, start, end, timeout):
        calls.append((ticker, start, end))
        return _yf_frame(snapshot_dir, "IWM.csv", start, end)

    monkeypatch.setattr(yahoo, "_yf_history", fake)
    df = yahoo.fetch("IWM", "2024-01-02", "2024-12-31")
    assert calls == [("IWM", pd.Timestamp("2024-01-02"), pd.Timestamp("2024-12-31"))]
    snap = read_prices_csv(snapshot_dir / "market" / "IWM.csv", "IWM").loc["2024-01-02":"2024-12-31"]
    pd.testing.assert_frame_equal(df, snap, check_freq=False)
    assert (df["adj_close"] < df["close"]).any()


def test_fetch_index_via_yfinance(monkeypatch, snapshot_dir):
    monkeypatch.setattr(yahoo, "_yf_history",
                        lambda t, s, e, timeout: _yf_frame(snapshot_dir, "RUT.csv", s, e))
    df = yahoo.fetch("RUT", "2025-01-02", "2025-01-31")
    assert df["adj_close"].isna().all() and df["volume"].isna().all()
    assert len(df) == 20


def test_yfinance_failure_is_a_fetch_error(monkeypatch):
    def boom(*a, **k):
        raise RuntimeError("YFRateLimitError: Too Many Requests")

    monkeypatch.setattr(yahoo, "_yf_history", boom)
    with pytest.raises(_http.FetchError, match="yfinance failed for \\^GSPC.*Too Many Requests"):
        yahoo.fetch("SPX")
    monkeypatch.setattr(yahoo, "_yf_history", lambda *a, **k: pd.DataFrame())
    with pytest.raises(_http.FetchError, match="no rows"):
        yahoo.fetch("SPX")


def test_auto_adjusted_frame_is_refused(snapshot_dir):
    frame = _yf_frame(snapshot_dir, "SPY.csv", pd.Timestamp("2024-01-02"), pd.Timestamp("2024-01-10"))
    with pytest.raises(DataError, match="Adj Close"):
        yahoo.from_history(frame.drop(columns="Adj Close"), "SPY")


def test_non_price_name_is_refused():
    with pytest.raises(DataError, match="not a price series"):
        yahoo.ticker_for("margin_debt")


def test_chart_json_of_an_unknown_layout_is_a_clear_error():
    from smallcaps.data import DataError
    from smallcaps.data.sources.yahoo import parse_chart

    odd = {"chart": {"result": [{"meta": {"symbol": "SPY"}, "timestamp": [1700000000],
                                 "indicators": {"quote": {"open": [1.0]}}}], "error": None}}
    with pytest.raises(DataError, match="unexpected Yahoo chart JSON layout \\(KeyError"):
        parse_chart(odd, "SPY")
    with pytest.raises(DataError, match="unexpected Yahoo chart JSON layout"):
        parse_chart({"chart": {"result": ["not an object"]}}, "SPY")
