"""CFTC Commitments of Traders annual files, futures only.

Two reports:

- Traders in Financial Futures (TFF): dealer, asset manager, leveraged funds and
  other reportables; ``https://www.cftc.gov/files/dea/history/fut_fin_txt_YYYY.zip``
  (``FinFutYY.txt`` inside), with 2006-2016 bundled in ``fut_fin_txt_2006_2016.zip``.
- Legacy: noncommercial / commercial; ``deacotYYYY.zip`` (``annual.txt``), with
  1986-2016 bundled in ``deacot1986_2016.zip``.

Both are comma-separated with quoted headers and names, CRLF line endings and
space-padded numbers. Old and new files name the same market differently
("E-MINI RUSSELL 2000 INDEX - CHICAGO MERCANTILE EXCHANGE" became "RUSSELL
E-MINI - CHICAGO MERCANTILE EXCHANGE"), so rows are selected by CFTC contract
market code, never by name:

=================  =====================================================
catalog name       contract codes
=================  =====================================================
cot:russell2000    239742 (CME E-mini Russell 2000), 23977A (ICE, 2008-18)
cot:sp500          13874A (CME E-mini S&P 500)
cot:nasdaq100      209742 (CME E-mini Nasdaq-100)
=================  =====================================================

``is_primary``: where a series has two contracts reporting in the same week
(the Russell 2000 move from ICE back to CME in 2017-18), the one with the larger
open interest that week is primary. This is the rule of the kit's snapshot: ICE
stays primary until 2017-09-05 although CME reports from 2017-08-15; CME is
primary from 2017-09-12. The value columns are the report's ``*_All`` columns.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..catalog import spec as get_spec
from ..errors import DataError
from ..validation import parse_dates
from . import _http
from ._common import csv_frame, finish_series, window

SOURCE_TFF = "CFTC Commitments of Traders, Traders in Financial Futures (futures only)"
SOURCE_LEGACY = "CFTC Commitments of Traders, legacy report (futures only)"
BASE_URL = "https://www.cftc.gov/files/dea/history/"
FIRST_YEAR = {"tff": 2006, "legacy": 1986}
BUNDLE = {"tff": "fut_fin_txt_2006_2016.zip", "legacy": "deacot1986_2016.zip"}
BUNDLE_LAST_YEAR = 2016

CONTRACTS: dict[str, tuple[str, ...]] = {
    "cot:russell2000": ("239742", "23977A"),
    "cot:sp500": ("13874A",),
    "cot:nasdaq100": ("209742",),
}

# normalised source header -> contract column
_TFF = {
    "market_and_exchange_names": "market_and_exchange_name",
    "cftc_contract_market_code": "cftc_contract_market_code",
    "open_interest_all": "open_interest",
    "dealer_positions_long_all": "dealer_long",
    "dealer_positions_short_all": "dealer_short",
    "dealer_positions_spread_all": "dealer_spread",
    "asset_mgr_positions_long_all": "asset_mgr_long",
    "asset_mgr_positions_short_all": "asset_mgr_short",
    "asset_mgr_positions_spread_all": "asset_mgr_spread",
    "lev_money_positions_long_all": "lev_money_long",
    "lev_money_positions_short_all": "lev_money_short",
    "lev_money_positions_spread_all": "lev_money_spread",
    "other_rept_positions_long_all": "other_rept_long",
    "other_rept_positions_short_all": "other_rept_short",
    "other_rept_positions_spread_all": "other_rept_spread",
    "tot_rept_positions_long_all": "tot_rept_long",
    "tot_rept_positions_short_all": "tot_rept_short",
    "nonrept_positions_long_all": "nonrept_long",
    "nonrept_positions_short_all": "nonrept_short",
    "traders_tot_all": "traders_total",
}
_LEGACY = {
    "market_and_exchange_names": "market_and_exchange_name",
    "cftc_contract_market_code": "cftc_contract_market_code",
    "open_interest_all": "open_interest",
    "noncommercial_positions_long_all": "noncomm_long",
    "noncommercial_positions_short_all": "noncomm_short",
    "noncommercial_positions_spreading_all": "noncomm_spread",
    "commercial_positions_long_all": "comm_long",
    "commercial_positions_short_all": "comm_short",
    "total_reportable_positions_long_all": "tot_rept_long",
    "total_reportable_positions_short_all": "tot_rept_short",
    "nonreportable_positions_long_all": "nonrept_long",
    "nonreportable_positions_short_all": "nonrept_short",
    "traders_total_all": "traders_total",
}
_DATE_HEADERS = ("report_date_as_yyyy_mm_dd", "as_of_date_in_form_yyyy_mm_dd",
                 "report_date_as_mm_dd_yyyy")
_TEXT = ("market_and_exchange_name", "cftc_contract_market_code")

__all__ = ["CONTRACTS", "fetch", "fetch_legacy", "mark_primary", "parse", "parse_legacy",
           "parse_tff", "read_zip", "select", "urls_for"]


def _norm(header: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", header.strip().lower()).strip("_")


def read_zip(content: bytes, series: str = "CFTC") -> str:
    """The text of the report inside a CFTC zip (all ``.txt`` members joined, one header)."""
    _http.check_kind(content, "zip", series)
    try:
        zf = zipfile.ZipFile(io.BytesIO(content))
        members = [m for m in zf.namelist() if m.lower().endswith((".txt", ".csv"))]
        if not members:
            raise DataError(series, f"CFTC zip has no .txt report (members: {zf.namelist()})")
        texts = [_http.decode_text(zf.read(m)) for m in sorted(members)]
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise DataError(series, f"cannot open the CFTC zip ({exc}); truncated download?") from None
    first, *rest = texts
    out = [first.rstrip("\r\n")]
    for t in rest:  # later members repeat the header line
        lines = t.splitlines()
        out.extend(lines[1:])
    return "\n".join(out) + "\n"


def parse(content: bytes | str, report: str = "tff",
          codes: Iterable[str] | None = None, series: str = "CFTC") -> pd.DataFrame:
    """Parse a CFTC futures-only annual text file (TFF or legacy).

    Parameters
    ----------
    content : the text file (or a zip holding it).
    report : "tff" or "legacy".
    codes : keep only these contract market codes (default: all rows).
    series : name for error messages.

    Returns
    -------
    DataFrame indexed by report date (ascending; ties ordered by code, so the
    index is not unique when several contracts are kept) with
    ``market_and_exchange_name``, ``cftc_contract_market_code`` (str) and float
    position columns (TFF: dealer/asset_mgr/lev_money/other_rept long, short,
    spread; tot_rept and nonrept long/short; legacy: noncomm long/short/spread,
    comm long/short, tot_rept and nonrept long/short) plus ``open_interest`` and
    ``traders_total``.

    Raises
    ------
    DataError
        HTML instead of the file, a truncated file, a missing column (named),
        unparsable numbers or dates.
    """
    if report not in ("tff", "legacy"):
        raise DataError(series, f"report must be 'tff' or 'legacy', got {report!r}")
    if isinstance(content, bytes) and content.startswith(b"PK"):
        content = read_zip(content, series)
    raw, first_line = csv_frame(content, series)
    raw.columns = [_norm(c) for c in raw.columns]
    mapping = _TFF if report == "tff" else _LEGACY
    date_col = next((c for c in _DATE_HEADERS if c in raw.columns), None)
    missing = [h for h in mapping if h not in raw.columns]
    if date_col is None:
        missing.insert(0, "report date (Report_Date_as_YYYY-MM-DD)")
    if missing:
        other = _LEGACY if report == "tff" else _TFF
        hint = ("this looks like the " + ("legacy" if report == "tff" else "TFF")
                + " report; use report=" + ("'legacy'" if report == "tff" else "'tff'")
                if all(h in raw.columns for h in other) else
                f"columns found: {', '.join(raw.columns[:12])}...")
        raise DataError(series, f"CFTC {report} file is missing column(s) {', '.join(missing)}",
                        hint=hint)
    raw["cftc_contract_market_code"] = raw["cftc_contract_market_code"].str.strip()
    if codes is not None:
        keep = raw["cftc_contract_market_code"].isin([str(c).strip() for c in codes]).to_numpy()
        raw = raw[keep]
    if raw.empty:
        raise DataError(series, "no rows for contract code(s) "
                        + ", ".join(sorted(map(str, codes or []))) + " in the CFTC file")
    out = raw[list(mapping)].rename(columns=mapping)
    for col in out.columns:
        if col not in _TEXT:
            out[col] = out[col].replace(".", "")
    dates = parse_dates(raw[date_col].reset_index(drop=True), series)
    out.index = pd.DatetimeIndex(dates, name="date")
    out = out.sort_values(["cftc_contract_market_code"], kind="stable")
    out = out.sort_index(kind="stable")
    dup = out.reset_index().duplicated(["date", "cftc_contract_market_code"], keep="last")
    out = out[~dup.to_numpy()]
    numeric = [c for c in out.columns if c not in _TEXT]
    for col in numeric:
        text = out[col].astype("string").str.replace(",", "", regex=False).str.strip()
        num = pd.to_numeric(text.where(text != ""), errors="coerce")
        bad = num.isna() & (text != "") & text.notna()
        if bad.any():
            raise DataError(series, f"unparsable number in column {col!r}",
                            [f"{d.date()} ({v!r})" for d, v in zip(out.index[bad.to_numpy()],
                                                                    text[bad], strict=True)])
        out[col] = num.astype("float64")
    return out


def parse_tff(content: bytes | str, codes: Iterable[str] | None = None,
              series: str = "CFTC TFF") -> pd.DataFrame:
    """Parse a Traders in Financial Futures futures-only file (see :func:`parse`)."""
    return parse(content, "tff", codes, series)


def parse_legacy(content: bytes | str, codes: Iterable[str] | None = None,
                 series: str = "CFTC legacy") -> pd.DataFrame:
    """Parse a legacy futures-only file (``annual.txt``; see :func:`parse`)."""
    return parse(content, "legacy", codes, series)


def mark_primary(frame: pd.DataFrame) -> pd.Series:
    """``is_primary`` per row: the contract with the largest open interest on its date.

    Ties go to the first row of the date. Rows of a date with a single contract
    are primary.
    """
    oi = frame["open_interest"].to_numpy(dtype="float64", na_value=-1.0)
    dates = frame.index.to_numpy()
    tmp = pd.DataFrame({"d": dates, "oi": oi, "pos": np.arange(len(frame))})
    best = tmp.sort_values(["d", "oi", "pos"], ascending=[True, False, True],
                           kind="stable").drop_duplicates("d")["pos"]
    flag = np.zeros(len(frame), dtype=bool)
    flag[best.to_numpy()] = True
    return pd.Series(flag, index=frame.index, name="is_primary")


def select(parsed: pd.DataFrame, name: str, *, url: str = "",
           notes: Sequence[str] = ()) -> pd.DataFrame:
    """The catalog series ``name`` (e.g. "cot:russell2000") from a parsed TFF frame.

    Keeps the series' contract codes, marks ``is_primary`` and returns the
    contract frame (every contract's rows; ``load`` picks the primary ones) with
    ``published`` (Tuesday positions -> Friday release) and provenance.
    """
    sp = get_spec(name)
    if sp.name not in CONTRACTS:
        raise DataError(sp.name, "not a CFTC positioning series")
    codes = CONTRACTS[sp.name]
    rows = parsed[parsed["cftc_contract_market_code"].isin(codes).to_numpy()]
    if rows.empty:
        raise DataError(sp.name, f"no rows for contract code(s) {', '.join(codes)} in the CFTC data")
    rows = rows.copy()
    rows["is_primary"] = mark_primary(rows).to_numpy()
    cols = [c for c in sp.columns if c != "published"]
    missing = [c for c in cols if c not in rows.columns]
    if missing:
        raise DataError(sp.name, f"missing column(s) {', '.join(missing)}")
    unique = not rows.index.has_duplicates
    return finish_series(rows[cols], sp, sp.source, url,
                         (*notes, "contracts matched by CFTC code: " + ", ".join(codes)),
                         text_columns=_TEXT, bool_columns=("is_primary",), unique=unique)


def urls_for(start_year: int, end_year: int, report: str = "tff") -> list[str]:
    """Annual-file URLs covering ``start_year..end_year`` (the 2016-and-earlier bundle once)."""
    first = FIRST_YEAR[report]
    out: list[str] = []
    if start_year <= BUNDLE_LAST_YEAR:
        out.append(BASE_URL + BUNDLE[report])
    for year in range(max(start_year, BUNDLE_LAST_YEAR + 1, first), end_year + 1):
        out.append(BASE_URL + (f"fut_fin_txt_{year}.zip" if report == "tff"
                               else f"deacot{year}.zip"))
    return out


def _download(urls: list[str], report: str, codes: Sequence[str], series: str,
              http: dict[str, Any]) -> tuple[pd.DataFrame, list[str], list[str]]:
    parts: list[pd.DataFrame] = []
    used: list[str] = []
    notes: list[str] = []
    this_year = pd.Timestamp.now().year
    for url in urls:
        try:
            resp = _http.get(url, series=series, expect="zip", **http)
        except _http.FetchError as exc:
            if exc.status == 404 and url.endswith(f"{this_year}.zip"):
                notes.append(f"no {this_year} file yet ({url})")
                continue
            raise
        try:
            parts.append(parse(resp.content, report, codes, series))
        except DataError as exc:
            if exc.rule.startswith(("no rows for contract", "no data rows")):
                continue  # that year's file does not carry these contracts
            raise
        used.append(url)
    if not parts:
        raise DataError(series, "no rows for contract code(s) " + ", ".join(codes)
                        + " in the CFTC files " + ", ".join(urls))
    frame = pd.concat(parts)
    frame = frame.reset_index().drop_duplicates(["date", "cftc_contract_market_code"], keep="last")
    frame = frame.sort_values(["date", "cftc_contract_market_code"], kind="stable").set_index("date")
    return frame, used, notes


def _request(name: str, start: Any, end: Any, report: str):
    """Catalog entry, date bounds and annual-file URLs of a COT download (``report``:
    "tff" or "legacy"); the years run from ``start`` (default: the report's first
    year) to ``end`` (default: this year)."""
    sp = get_spec(name)
    if sp.name not in CONTRACTS:
        raise DataError(sp.name, "not a CFTC positioning series")
    s = pd.Timestamp(start) if start is not None else None
    e = pd.Timestamp(end) if end is not None else None
    y0 = s.year if s is not None else FIRST_YEAR[report]
    y1 = e.year if e is not None else pd.Timestamp.now().year
    return sp, s, e, urls_for(y0, y1, report)


def fetch(name: str, start: str | pd.Timestamp | None = None,
          end: str | pd.Timestamp | None = None, **http: Any) -> pd.DataFrame:
    """Download TFF positioning for a catalog series from the CFTC annual files.

    Only the years from ``start`` (default: 2006, the first TFF year) to ``end``
    (default: this year) are fetched; the report of the current year is the file
    the CFTC updates every Friday.
    """
    sp, s, e, urls = _request(name, start, end, "tff")
    frame, used, notes = _download(urls, "tff", CONTRACTS[sp.name], sp.name, http)
    frame = window(frame, s, e)
    if frame.empty:
        raise DataError(sp.name, "no CFTC rows in the requested window")
    return select(frame, sp.name, url=" ".join(used), notes=notes)


def fetch_legacy(name: str, start: str | pd.Timestamp | None = None,
                 end: str | pd.Timestamp | None = None, **http: Any) -> pd.DataFrame:
    """Legacy-report positions (noncommercial / commercial) for a catalog COT series.

    Not a catalog series itself: returned as a plain frame (not validated
    against a catalog entry), with ``is_primary`` and ``published`` columns.
    """
    sp, s, e, urls = _request(name, start, end, "legacy")
    frame, used, notes = _download(urls, "legacy", CONTRACTS[sp.name], sp.name, http)
    frame = window(frame, s, e).copy()
    frame["is_primary"] = mark_primary(frame).to_numpy()
    from ..pointintime import published_dates
    from ..provenance import Provenance, attach
    from ._common import now_iso

    frame["published"] = published_dates(frame.index, "cftc_cot")
    prov = Provenance(name=f"{sp.name} (legacy)", source=SOURCE_LEGACY, origin="download",
                      location=" ".join(used), retrieved=now_iso(), units="contracts",
                      frequency="weekly", notes=tuple(notes))
    return attach(frame, prov)
