"""FINRA margin statistics workbook: the real export, a renamed column, broken downloads."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from smallcaps.data import DataError, provenance
from smallcaps.data.catalog import spec
from smallcaps.data.snapshot import read_series_csv
from smallcaps.data.sources import _http, finra
from smallcaps.data.sources._http import CannedTransport

XLSX = "finra_margin-statistics_2025-02.xlsx"


@pytest.fixture
def xlsx(fixtures_dir) -> bytes:
    return (fixtures_dir / XLSX).read_bytes()


def test_sample_parses_to_338_months(xlsx):
    df = finra.parse_xlsx(xlsx)
    assert len(df) == 338
    assert df.index[0] == pd.Timestamp("1997-01-31") and df.index[-1] == pd.Timestamp("2025-02-28")
    assert df.index.is_monotonic_increasing and df.index.is_unique  # FINRA lists newest first
    assert (df.index == df.index.to_period("M").to_timestamp(how="end").normalize()).all()
    assert len(pd.period_range("1997-01", "2025-02", freq="M")) == 338  # no month missing
    assert df.loc["2025-01-31", "debit_balances_margin_accounts"] == 937_253
    assert df.loc["2021-10-31", "debit_balances_margin_accounts"] == 935_862
    assert list(df.columns) == ["debit_balances_margin_accounts", "free_credit_cash_accounts",
                                "free_credit_margin_accounts", "published", "usable_from"]


def test_empty_column_before_2010_02(xlsx):
    df = finra.parse_xlsx(xlsx)
    col = df["free_credit_margin_accounts"]
    assert col.loc[:"2010-01-31"].isna().all()
    assert col.loc["2010-02-28":].notna().all()
    assert df["debit_balances_margin_accounts"].notna().all()


def test_published_third_week_of_next_month(xlsx):
    df = finra.parse_xlsx(xlsx)
    pub = df["published"]
    nxt = df.index.to_period("M") + 1
    assert (pub.dt.to_period("M") == nxt).all()
    # Friday of the third full week (day 19-25), a later session when that is a holiday
    assert pub.dt.day.between(19, 28).all() and (pub.dt.day_of_week < 5).all()
    assert (df["usable_from"] > pub).all()


def test_same_numbers_as_snapshot(xlsx, snapshot_dir):
    df = finra.parse_xlsx(xlsx)
    snap = read_series_csv(snapshot_dir / "sentiment" / "margin_debt.csv", spec("margin_debt"))
    cols = ["debit_balances_margin_accounts", "free_credit_cash_accounts",
            "free_credit_margin_accounts"]
    a = df[cols].to_numpy()
    b = snap.loc[df.index, cols].to_numpy()
    assert np.array_equal(np.isnan(a), np.isnan(b))
    assert np.array_equal(a[~np.isnan(a)], b[~np.isnan(b)])


def _edit(xlsx: bytes, cell: str, value) -> bytes:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    wb.worksheets[0][cell] = value
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_renamed_column_names_it(xlsx):
    bad = _edit(xlsx, "B1", "Debit Balances (US$ bn)")
    with pytest.raises(DataError) as info:
        finra.parse_xlsx(bad)
    msg = str(info.value)
    assert "missing column(s) \"debit balances in customers' securities margin accounts\"" in msg
    assert "renamed" in msg and "Debit Balances (US$ bn)" in msg


def test_bad_month_and_number(xlsx):
    with pytest.raises(DataError, match=r"unparsable Year-Month.*row 2 \('Feb 2025'\)"):
        finra.parse_xlsx(_edit(xlsx, "A2", "Feb 2025"))
    with pytest.raises(DataError, match="unparsable number in column 'free_credit_cash_accounts'"):
        finra.parse_xlsx(_edit(xlsx, "C3", "n/a"))


def test_truncated_and_html_downloads(xlsx):
    with pytest.raises(DataError, match="truncated or corrupt"):
        finra.parse_xlsx(xlsx[: len(xlsx) // 2])
    with pytest.raises(_http.FetchError, match="HTML page instead of an xlsx"):
        finra.parse_xlsx(b"<!DOCTYPE html><html><title>Page Not Found | FINRA.org</title></html>")


def test_find_link_on_statistics_page():
    page = ('<a href="/sites/default/files/2025-03/margin-statistics.xlsx">Download</a>'
            '<a href="/other.pdf">x</a>')
    assert finra.find_xlsx_link(page) == \
        "https://www.finra.org/sites/default/files/2025-03/margin-statistics.xlsx"
    assert finra.find_xlsx_link("<html>nothing</html>") is None


def test_fetch_follows_page_link(xlsx):
    page = b'<html><a href="/sites/default/files/2025-03/margin-statistics.xlsx">xlsx</a></html>'
    t = CannedTransport({"margin-statistics.xlsx": xlsx, "key-topics/margin-accounts": page})
    df = finra.fetch(transport=t, sleep=lambda s: None)
    assert t.urls() == [finra.PAGE_URL,
                        "https://www.finra.org/sites/default/files/2025-03/margin-statistics.xlsx"]
    assert len(df) == 338 and provenance(df).location.endswith("2025-03/margin-statistics.xlsx")
    assert provenance(df).origin == "download" and provenance(df).retrieved


def test_fetch_falls_back_to_direct_url_when_page_fails(xlsx):
    t = CannedTransport({"margin-statistics.xlsx": xlsx, "key-topics/margin-accounts": 403})
    df = finra.fetch(transport=t, sleep=lambda s: None)
    assert t.urls()[-1] == finra.DIRECT_URL and len(df) == 338
