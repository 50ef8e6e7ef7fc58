"""Cboe put/call ratio history CSVs (total, equity, index).

Files (``https://cdn.cboe.com/resources/options/volume_and_call_put_ratios/``
``totalpc.csv``, ``equitypc.csv``, ``indexpc.csv``):

- line 1: Cboe's long disclaimer (trailing commas; Windows-1252 bytes in some
  sibling files, so the text is not assumed to be UTF-8);
- line 2: ``, PRODUCT: TOTAL,,EXCHANGE: Cboe,``;
- line 3: header ``DATE,CALLS,PUTS,TOTAL,P/C Ratio`` (equity and index files say
  ``CALL,PUT``);
- dates ``M/D/YYYY`` up to 2012-06-08, then zero-padded ``MM/DD/YYYY`` with a
  space after each comma.

Cboe stopped updating these archives on 2019-10-04, so a pull brings no new rows
after that date; the series is kept for its history.

The three files are combined into the ``putcall`` contract: for each product
``p`` in total, equity, index the columns ``p_pc_ratio``, ``p_call_volume``,
``p_put_volume``, ``p_total_volume`` (contracts).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import pandas as pd

from ..catalog import spec as get_spec
from ..errors import DataError
from . import _http
from ._common import csv_frame, finish_series, window

SOURCE = "Cboe put/call ratio history"
BASE_URL = "https://cdn.cboe.com/resources/options/volume_and_call_put_ratios/"
FILES = {"total": "totalpc.csv", "equity": "equitypc.csv", "index": "indexpc.csv"}
PRODUCTS = tuple(FILES)

_HEADER = {
    "calls": "call_volume", "call": "call_volume",
    "puts": "put_volume", "put": "put_volume",
    "total": "total_volume",
    "p/c ratio": "pc_ratio",
}

__all__ = ["combine", "fetch", "parse_pc_csv"]


def _product_in(text: str) -> str | None:
    m = re.search(r"PRODUCT:\s*([A-Za-z ]+?)\s*(,|$)", text[:5000], re.M)
    return m.group(1).strip().lower() if m else None


def parse_pc_csv(content: bytes | str, product: str | None = None, *,
                 series: str = "putcall") -> pd.DataFrame:
    """Parse one Cboe put/call CSV.

    Parameters
    ----------
    content : the raw file.
    product : "total", "equity" or "index"; default the ``PRODUCT:`` line of the
        file. When both are given they must agree.
    series : name for error messages.

    Returns
    -------
    DataFrame indexed by date (ascending) with float columns
    ``<product>_pc_ratio``, ``_call_volume``, ``_put_volume``, ``_total_volume``.

    Raises
    ------
    DataError
        HTML page, no ``DATE`` header, a truncated last line, the wrong product,
        unparsable dates or numbers, or calls + puts != total on some day.
    """
    text = _http.decode_text(content)
    if isinstance(content, bytes):
        _http.check_kind(content, "csv", series)
    found = _product_in(text)
    if product is None:
        if found is None:
            raise DataError(series, "no 'PRODUCT:' line in the Cboe file; pass product=")
        product = found
    product = product.lower()
    if product not in PRODUCTS:
        raise DataError(series, f"unknown Cboe product {product!r}", hint=f"use one of {PRODUCTS}")
    if found is not None and found != product:
        raise DataError(series, f"file is the Cboe {found.upper()} file, expected {product.upper()}")
    label = f"{series} ({product})"
    raw, first_line = csv_frame(text, label, header_startswith="DATE,")
    raw.columns = [c.strip().lower() for c in raw.columns]
    raw = raw[[c for c in raw.columns if c and not c.startswith("unnamed")]]
    missing = [h for h in ("date", "p/c ratio") if h not in raw.columns]
    if not any(h in raw.columns for h in ("calls", "call")):
        missing.append("CALLS")
    if not any(h in raw.columns for h in ("puts", "put")):
        missing.append("PUTS")
    if "total" not in raw.columns:
        missing.append("TOTAL")
    if missing:
        raise DataError(label, f"Cboe file lacks column(s) {', '.join(missing)}",
                        hint=f"columns found: {', '.join(raw.columns)}")
    raw = raw[raw["date"] != ""]
    dates = pd.to_datetime(raw["date"], format="%m/%d/%Y", errors="coerce")
    bad = dates.isna()
    if bad.any():
        pos = bad.to_numpy().nonzero()[0]
        raise DataError(label, "unparsable date (expected M/D/YYYY)",
                        [f"line {p + first_line} ({raw['date'].iloc[p]!r})" for p in pos])
    out = pd.DataFrame(index=pd.DatetimeIndex(dates.to_numpy(), name="date"))
    for src, dst in _HEADER.items():
        if src in raw.columns:
            vals = raw[src].str.replace(",", "", regex=False)
            num = pd.to_numeric(vals.where(vals != ""), errors="coerce")
            nbad = num.isna() & (vals != "")
            if nbad.any():
                pos = nbad.to_numpy().nonzero()[0]
                raise DataError(label, f"unparsable number in column {src!r}",
                                [f"line {p + first_line} ({vals.iloc[p]!r})" for p in pos])
            out[f"{product}_{dst}"] = num.to_numpy(dtype="float64")
    calls, puts, total = (out[f"{product}_{k}"] for k in ("call_volume", "put_volume", "total_volume"))
    off = (calls + puts - total).abs() > 0.5
    if off.any():
        raise DataError(label, "calls + puts != total", [d.date().isoformat() for d in out.index[off]])
    cols = [f"{product}_{k}" for k in ("pc_ratio", "call_volume", "put_volume", "total_volume")]
    return out[cols]


def combine(parts: Mapping[str, pd.DataFrame], *, url: str = "", series: str = "putcall") -> pd.DataFrame:
    """Join the parsed product frames into the ``putcall`` contract (outer join on date).

    Products not given are left as NaN columns, so the contract's columns are
    always present.
    """
    sp = get_spec(series)
    frames = [parts[p] for p in PRODUCTS if p in parts]
    if not frames:
        raise DataError(sp.name, "no Cboe product files to combine")
    out = pd.concat(frames, axis=1, join="outer", sort=True)
    for col in sp.columns:
        if col not in out.columns:
            out[col] = float("nan")
    notes = ["Cboe archives end 2019-10-04; volume to 2012-05-31 is OCC cleared volume",
             "from 2012-06-11 equity and index exclude exchange-traded products"]
    missing = [p for p in PRODUCTS if p not in parts]
    if missing:
        notes.append(f"product file(s) not available: {', '.join(missing)}")
    return finish_series(out[list(sp.columns)], sp, SOURCE, url, notes)


def fetch(name: str = "putcall", start: Any = None, end: Any = None, **http: Any) -> pd.DataFrame:
    """Download the three Cboe files and return the ``putcall`` contract frame.

    Each file holds the whole history, so ``start``/``end`` only trim the result.
    """
    sp = get_spec(name)
    parts: dict[str, pd.DataFrame] = {}
    urls = []
    for product, file in FILES.items():
        url = BASE_URL + file
        resp = _http.get(url, series=sp.name, expect="csv", **http)
        parts[product] = parse_pc_csv(resp.content, product, series=sp.name)
        urls.append(url)
    out = combine(parts, url=" ".join(urls), series=sp.name)
    s = pd.Timestamp(start) if start is not None else None
    e = pd.Timestamp(end) if end is not None else None
    return window(out, s, e) if (s is not None or e is not None) else out
