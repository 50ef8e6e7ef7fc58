"""Cboe put/call archives: disclaimer lines, two date styles, space padding, three products."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from smallcaps.data import DataError, provenance
from smallcaps.data.catalog import spec
from smallcaps.data.snapshot import read_series_csv
from smallcaps.data.sources import _http, cboe
from smallcaps.data.sources._http import CannedTransport


@pytest.fixture
def files(fixtures_dir) -> dict[str, bytes]:
    return {p: (fixtures_dir / f"cboe_{p}pc.csv").read_bytes() for p in cboe.PRODUCTS}


def test_each_file_parses(files):
    for product, body in files.items():
        df = cboe.parse_pc_csv(body)  # product read from the PRODUCT: line
        assert list(df.columns) == [f"{product}_{k}" for k in
                                    ("pc_ratio", "call_volume", "put_volume", "total_volume")]
        assert df.index[0] == pd.Timestamp("2006-11-01") and df.index[-1] == pd.Timestamp("2019-10-04")
        assert df.index.is_unique and df.index.is_monotonic_increasing
        data_lines = body.decode().splitlines()[3:]
        assert len(df) == len([ln for ln in data_lines if ln.strip()])
        # both date styles: M/D/YYYY before 2012-06-11, MM/DD/YYYY with spaces after
        assert pd.Timestamp("2012-06-08") in df.index and pd.Timestamp("2012-06-11") in df.index
        ratio = df[f"{product}_put_volume"] / df[f"{product}_call_volume"]
        assert (ratio - df[f"{product}_pc_ratio"]).abs().max() <= 0.005 + 1e-9


def test_known_rows(files):
    eq = cboe.parse_pc_csv(files["equity"])
    assert eq.loc["2012-10-10"].tolist() == [0.71, 762456, 538309, 1300765]
    ix = cboe.parse_pc_csv(files["index"])
    assert ix.loc["2019-10-04"].tolist() == [1.51, 783827, 1180047, 1963874]


def test_combined_equals_snapshot(files, snapshot_dir):
    parts = {p: cboe.parse_pc_csv(b, p) for p, b in files.items()}
    df = cboe.combine(parts)
    snap = read_series_csv(snapshot_dir / "sentiment" / "putcall_cboe.csv", spec("putcall"))
    pd.testing.assert_frame_equal(df.drop(columns="published"), snap.drop(columns="published"),
                                  check_freq=False)
    assert (df["published"] == df.index).all()  # same-day release
    assert "2019-10-04" in provenance(df).notes[0]


def test_missing_product_leaves_nan_columns(files):
    df = cboe.combine({"total": cboe.parse_pc_csv(files["total"])})
    assert df["equity_pc_ratio"].isna().all() and df["total_pc_ratio"].notna().all()
    assert any("not available: equity, index" in n for n in provenance(df).notes)


def test_windows_1252_disclaimer_is_read(files):
    body = files["index"].replace(b"Cboe Volume", "Cboe\u00ae Volume".encode("cp1252"), 1)
    with pytest.raises(UnicodeDecodeError):
        body.decode("utf-8")
    pd.testing.assert_frame_equal(cboe.parse_pc_csv(body), cboe.parse_pc_csv(files["index"]))


def test_wrong_product_and_inconsistent_totals(files):
    with pytest.raises(DataError, match="file is the Cboe EQUITY file, expected TOTAL"):
        cboe.parse_pc_csv(files["equity"], "total")
    bad = files["equity"].replace(b"10/10/2012, 762456, 538309, 1300765",
                                  b"10/10/2012, 762456, 538309, 1300766", 1)
    with pytest.raises(DataError, match=r"calls \+ puts != total.*2012-10-10"):
        cboe.parse_pc_csv(bad)


def test_bad_date_and_truncation(files):
    bad = files["total"].replace(b"\n11/2/2006,", b"\n11/31/2006,", 1)
    with pytest.raises(DataError, match=r"unparsable date.*'11/31/2006'"):
        cboe.parse_pc_csv(bad)
    body = files["total"].rstrip(b"\n")
    with pytest.raises(DataError, match="truncated download"):
        cboe.parse_pc_csv(body[: body.rindex(b",")])


def test_fetch_three_files(files):
    t = CannedTransport({f"/{cboe.FILES[p]}": files[p] for p in cboe.PRODUCTS})
    df = cboe.fetch(start="2019-01-01", transport=t, sleep=lambda s: None)
    assert [u.rsplit("/", 1)[1] for u in t.urls()] == ["totalpc.csv", "equitypc.csv", "indexpc.csv"]
    assert df.index[0] == pd.Timestamp("2019-01-02") and df.notna().all().all()
    assert provenance(df).first == "2019-01-02"


def test_fetch_html_error_page_fails_cleanly(files):
    page = b"<!DOCTYPE html><html><head><title>Access Denied</title></head></html>"
    t = CannedTransport({"totalpc.csv": page, "pc.csv": files["equity"]})
    with pytest.raises(_http.FetchError, match="HTML page instead of CSV.*Access Denied"):
        cboe.fetch(transport=t, sleep=lambda s: None)


def test_nan_free_volumes(files):
    df = cboe.parse_pc_csv(files["total"])
    assert not np.isnan(df.to_numpy()).any()
