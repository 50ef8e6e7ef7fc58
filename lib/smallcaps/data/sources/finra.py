"""FINRA margin statistics (``margin-statistics.xlsx``).

Layout of FINRA's workbook: one sheet, ``Customer Margin Balances``; header
``Year-Month | Debit Balances in Customers' Securities Margin Accounts | Free
Credit Balances in Customers' Cash Accounts | Free Credit Balances in Customers'
Securities Margin Accounts``; rows newest first; values in US$ millions; the
last column is empty before 2010-02 (the NYSE member-firm era).

Columns are matched by their full header text (case and spacing ignored), so a
renamed or missing column raises :class:`DataError` naming it rather than being
mistaken for another.

The download address changes when FINRA re-files the workbook, so
:func:`fetch` first reads the margin statistics page and follows its ``.xlsx``
link, then falls back to the last known direct address.
"""

from __future__ import annotations

import io
import re
import zipfile
from typing import Any
from urllib.parse import urljoin

import pandas as pd

from ..catalog import spec as get_spec
from ..errors import DataError
from . import _http
from ._common import finish_series

SOURCE = "FINRA margin statistics"
PAGE_URL = "https://www.finra.org/rules-guidance/key-topics/margin-accounts/margin-statistics"
DIRECT_URL = "https://www.finra.org/sites/default/files/2021-03/margin-statistics.xlsx"
SHEET = "Customer Margin Balances"

# header text (normalised) -> contract column
COLUMNS = {
    "year-month": "date",
    "debit balances in customers' securities margin accounts": "debit_balances_margin_accounts",
    "free credit balances in customers' cash accounts": "free_credit_cash_accounts",
    "free credit balances in customers' securities margin accounts": "free_credit_margin_accounts",
}

__all__ = ["fetch", "find_xlsx_link", "parse_xlsx"]


def _norm(text: Any) -> str:
    t = str(text).replace("\u2019", "'").replace("\xa0", " ")
    return " ".join(t.split()).strip().lower()


def parse_xlsx(content: bytes, name: str = "margin_debt", *, url: str = "") -> pd.DataFrame:
    """Parse FINRA's margin statistics workbook into the ``margin_debt`` contract.

    Returns
    -------
    DataFrame indexed by month-end date (ascending) with
    ``debit_balances_margin_accounts``, ``free_credit_cash_accounts``,
    ``free_credit_margin_accounts`` (US$ millions, float; NaN where FINRA's cell
    is empty) and ``published`` (third week of the next month).

    Raises
    ------
    DataError
        Not an xlsx (HTML page, truncated download), no ``Customer Margin
        Balances`` sheet, a missing or renamed column (named in the message), an
        unparsable month or number, or duplicate months.
    """
    sp = get_spec(name)
    _http.check_kind(content, "xlsx", sp.name)
    try:
        book = pd.read_excel(io.BytesIO(content), sheet_name=None, header=None, dtype=object,
                             engine="openpyxl", keep_default_na=False, na_values=[])
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise DataError(sp.name, f"cannot read the FINRA workbook ({type(exc).__name__}: {exc}); "
                                 "truncated or corrupt download?") from None
    sheet = next((k for k in book if _norm(k) == _norm(SHEET)), None)
    if sheet is None:
        raise DataError(sp.name, f"FINRA workbook has no sheet {SHEET!r}",
                        hint=f"sheets found: {', '.join(book)}")
    grid = book[sheet]
    # the header row is the first row whose first cell reads Year-Month
    hdr = next((i for i in range(min(len(grid), 20)) if _norm(grid.iat[i, 0]) == "year-month"), None)
    if hdr is None:
        raise DataError(sp.name, "FINRA sheet has no 'Year-Month' header in column A",
                        hint="the workbook layout changed")
    headers = [_norm(h) for h in grid.iloc[hdr]]
    body = grid.iloc[hdr + 1:].reset_index(drop=True)
    body.columns = headers
    missing = [h for h in COLUMNS if h not in headers]
    if missing:
        found = [str(h) for h in grid.iloc[hdr] if str(h) != "nan"]
        raise DataError(sp.name, "FINRA workbook is missing column(s) "
                        + "; ".join(repr(m) for m in missing) + " (renamed?)",
                        hint=f"columns found: {'; '.join(found)}")
    body = body[list(COLUMNS)].rename(columns=COLUMNS)
    blank = body.isna() | body.astype("string").apply(lambda c: c.str.strip() == "")
    body = body[~blank.all(axis=1).to_numpy()]
    first_line = hdr + 2  # spreadsheet row of the first data row
    months = body.pop("date").astype("string").str.strip()
    bad = ~months.str.fullmatch(r"\d{4}-\d{2}").fillna(False)
    if bad.any():
        rows = [f"row {p + first_line} ({months.iloc[p]!r})" for p in bad.to_numpy().nonzero()[0]]
        raise DataError(sp.name, "unparsable Year-Month in the FINRA sheet", rows)
    idx = pd.PeriodIndex(months.to_numpy(), freq="M").to_timestamp(how="end").normalize()
    body.index = pd.DatetimeIndex(idx, name="date")
    body = body.astype(object).where(body.notna(), "")
    body = body.iloc[::-1]  # FINRA lists newest first
    notes = ["FINRA lists newest first; sorted ascending",
             "free_credit_margin_accounts is empty before 2010-02 (FINRA's sheet has none)"]
    return finish_series(body, sp, SOURCE, url, notes)


_LINK = re.compile(r"""href=["']([^"']*margin-statistics[^"']*\.xlsx)["']""", re.I)


def find_xlsx_link(html: bytes | str, base: str = PAGE_URL) -> str | None:
    """The absolute URL of the margin statistics workbook linked from FINRA's page."""
    m = _LINK.search(_http.decode_text(html))
    return urljoin(base, m.group(1)) if m else None


def fetch(name: str = "margin_debt", start: Any = None, end: Any = None,
          **http: Any) -> pd.DataFrame:
    """Download and parse FINRA's workbook (the whole history; FINRA revises old months).

    ``start``/``end`` are accepted for a uniform adapter signature and ignored:
    the workbook always carries the full history.
    """
    sp = get_spec(name)
    url = DIRECT_URL
    try:
        page = _http.get(PAGE_URL, series=sp.name, **http)
        url = find_xlsx_link(page.content) or DIRECT_URL
    except DataError:
        pass  # the page is only a pointer; try the known address
    resp = _http.get(url, series=sp.name, expect="xlsx", **http)
    return parse_xlsx(resp.content, sp.name, url=url)
