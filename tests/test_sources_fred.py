"""FRED graph CSV in its current (observation_date) and legacy (DATE, '.') layouts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps.data import DataError, provenance
from smallcaps.data.sources import _http, fred
from smallcaps.data.sources._http import CannedTransport

CURRENT = "fred_fredgraph_FEDFUNDS_MORTGAGE30US_monthly.csv"
LEGACY = "fred_fredgraph_legacy_DEXJPUS_DJIA_daily.csv"


def test_current_layout(fixtures_dir):
    body = (fixtures_dir / CURRENT).read_bytes()
    df = fred.parse_fredgraph(body)
    assert list(df.columns) == ["FEDFUNDS", "MORTGAGE30US"]
    assert df.index[0] == pd.Timestamp("1999-12-01") and df.index[-1] == pd.Timestamp("2025-11-01")
    assert len(df) == len(body.decode().splitlines()) - 1
    assert df.notna().all().all() and (df.dtypes == "float64").all()
    assert df.loc["2000-01-01"].tolist() == [5.45, 8.21]
    assert provenance(df).name == "FEDFUNDS,MORTGAGE30US"


def test_legacy_layout_dots_are_missing(fixtures_dir):
    body = (fixtures_dir / LEGACY).read_bytes()
    df = fred.parse_fredgraph(body)
    lines = body.decode().splitlines()
    assert lines[0] == "DATE,DEXJPUS,DJIA"
    dotted = sum(1 for ln in lines[1:] if "." in ln.split(",")[1:])
    assert dotted == 121 == int(df.isna().any(axis=1).sum())
    assert np.isnan(df.loc["2010-07-05"]).all()  # US holiday: both '.'
    assert np.isnan(df.loc["2010-10-11", "DEXJPUS"]) and df.loc["2010-10-11", "DJIA"] == 11010.34
    assert df.loc["2010-06-18"].tolist() == [90.79, 10450.64]


def test_bad_cells(fixtures_dir):
    body = (fixtures_dir / CURRENT).read_bytes()
    with pytest.raises(DataError, match=r"unparsable number in column 'FEDFUNDS'.*line 3 \('n/a'\)"):
        fred.parse_fredgraph(body.replace(b"2000-01-01,5.45", b"2000-01-01,n/a", 1))
    with pytest.raises(DataError, match="no observation_date or DATE"):
        fred.parse_fredgraph(b"when,X\n2020-01-01,1\n")
    with pytest.raises(DataError, match="duplicate date"):
        fred.parse_fredgraph(b"DATE,X\n2020-01-01,1\n2020-01-01,2\n")


def test_fetch_url_and_html(fixtures_dir):
    t = CannedTransport({"fredgraph.csv": (fixtures_dir / CURRENT).read_bytes()})
    df = fred.fetch(["FEDFUNDS", "MORTGAGE30US"], start="2020-01-01", transport=t,
                    sleep=lambda s: None)
    assert t.urls() == ["https://fred.stlouisfed.org/graph/fredgraph.csv?"
                        "id=FEDFUNDS%2CMORTGAGE30US&cosd=2020-01-01"]
    assert len(df) == 312
    t = CannedTransport({"fredgraph.csv": b"<html><title>FRED Error</title></html>"})
    with pytest.raises(_http.FetchError, match="HTML page"):
        fred.fetch("FEDFUNDS", transport=t, sleep=lambda s: None)
