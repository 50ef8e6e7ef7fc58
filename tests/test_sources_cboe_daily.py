"""Cboe daily market statistics JSON (put/call ratios after 2019), offline.

The sample is built from the layout documented in the snapshot's
PROVENANCE-universe.md (section I): NOT a real Cboe download, values invented.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from smallcaps.data import DataError
from smallcaps.data.sources import _http, cboe_daily, plan


def _doc(equity: str, total: str, index: str | None = "1.20") -> str:
    ratios = [{"name": "TOTAL PUT/CALL RATIO", "value": total},
              {"name": "EXCHANGE TRADED PRODUCTS PUT/CALL RATIO", "value": "1.50"},
              {"name": "EQUITY PUT/CALL RATIO", "value": equity},
              {"name": "CBOE VOLATILITY INDEX (VIX) PUT/CALL RATIO", "value": "0.40"}]
    if index is not None:
        ratios.insert(1, {"name": "INDEX PUT/CALL RATIO", "value": index})
    return json.dumps({"ratios": ratios,
                       "SUM OF ALL PRODUCTS": [{"name": "VOLUME", "call": 100, "put": 80, "total": 180}],
                       "EQUITY OPTIONS": [{"name": "VOLUME", "call": 60, "put": 36, "total": 96}]})


def test_parse_layout_sample():
    out = cboe_daily.parse_daily_options(_doc("0.60", "0.85"), "2024-05-01")
    assert out == {"equity_pc_ratio": 0.60, "total_pc_ratio": 0.85, "index_pc_ratio": 1.20}
    out = cboe_daily.parse_daily_options(_doc("0.60", "0.85", index=None), "2024-05-01")
    assert np.isnan(out["index_pc_ratio"])


def test_bad_documents_are_named():
    with pytest.raises(DataError, match="2024-05-01.*HTML"):
        cboe_daily.parse_daily_options(b"<html><title>Not Found</title></html>", "2024-05-01")
    with pytest.raises(DataError, match="no 'ratios'"):
        cboe_daily.parse_daily_options('{"data": []}', "2024-05-01")
    with pytest.raises(DataError, match="EQUITY PUT/CALL RATIO.*'n/a'"):
        cboe_daily.parse_daily_options(_doc("n/a", "0.85"), "2024-05-01")


def test_fetch_skips_holidays_and_dates_rows():
    canned = _http.CannedTransport({
        "2024-05-24_daily": _doc("0.61", "0.90"), "2024-05-27_daily": 404,  # Memorial Day
        "2024-05-28_daily": _doc("0.70", "1.00"),
    })
    with _http.override(canned, sleep=lambda s: None):
        df = cboe_daily.fetch("putcall_ratios", start="2024-05-24", end="2024-05-28")
    assert list(df.index) == [pd.Timestamp("2024-05-24"), pd.Timestamp("2024-05-28")]
    assert list(df["equity_pc_ratio"]) == [0.61, 0.70]
    assert (df["published"] == df.index).all()
    assert [s.module for s in plan("putcall_ratios")] == ["cboe_daily"]
