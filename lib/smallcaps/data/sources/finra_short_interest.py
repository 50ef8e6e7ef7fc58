"""FINRA equity short interest: consolidated twice-monthly files (key-free).

FINRA publishes short interest for every equity (exchange-listed since the June
2021 consolidation, and OTC) at each settlement date, in one file per date::

    https://cdn.finra.org/equity/otcmarket/biweekly/shrt<YYYYMMDD>.csv

pipe-delimited, header ``accountingYearMonthNumber|symbolCode|issueName|
issuerServicesGroupExchangeCode|marketClassCode|currentShortPositionQuantity|
previousShortPositionQuantity|stockSplitFlag|averageDailyVolumeQuantity|
daysToCoverQuantity|revisionFlag|changePercent|changePreviousNumber|settlementDate``
(the field names of FINRA's ``consolidatedShortInterest`` API dataset). The
``otce.finra.org`` page exports the same data as CSV with other names
(``issueSymbolIdentifier, settlementDate`` as ``DD-MM-YYYY``,
``currentShortShareNumber``, ``previousShortShareNumber``, ``changePercent``,
``percentageChangefromPreviousShort`` (the change in *shares*),
``averageShortShareNumber`` (average daily volume), ``daysToCoverNumber``,
999.99 when the volume is 0). :func:`parse_file` reads both.

Settlement dates are the middle and the end of each month (the exact dates follow
FINRA's calendar); :func:`settlement_candidates` proposes the 15th and the last
weekday and :func:`fetch_file` steps back over weekdays until a file exists. Each
downloaded file is kept in ``<cache>/finra_short_interest/`` (one file serves every
symbol), so a series for another symbol, or a universe aggregate, reuses it.

Publication (release rule ``short_interest`` of
:mod:`smallcaps.data.pointintime`): about eight business days after settlement.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ... import config
from ..catalog import spec as get_spec
from ..errors import DataError
from . import _http
from ._common import finish_series

SOURCE = "FINRA consolidated equity short interest"
FILE_URL = "https://cdn.finra.org/equity/otcmarket/biweekly/shrt{date:%Y%m%d}.csv"
FIRST_CONSOLIDATED = pd.Timestamp("2021-06-15")  # exchange-listed symbols from here on
DEFAULT_HISTORY_DAYS = 2 * 365

# source field name (lower case) -> contract column
FIELDS = {
    "symbolcode": "symbol", "issuesymbolidentifier": "symbol",
    "settlementdate": "settlement_date",
    "issuename": "issue_name",
    "marketclasscode": "market", "marketcategorycode": "market",
    "currentshortpositionquantity": "shares_short", "currentshortsharenumber": "shares_short",
    "previousshortpositionquantity": "previous_shares_short",
    "previousshortsharenumber": "previous_shares_short",
    "changepercent": "change_pct",
    "averagedailyvolumequantity": "avg_daily_volume", "averageshortsharenumber": "avg_daily_volume",
    "daystocoverquantity": "days_to_cover", "daystocovernumber": "days_to_cover",
}  # fmt: skip
_NUMERIC = ("shares_short", "previous_shares_short", "change_pct", "avg_daily_volume",
            "days_to_cover")

__all__ = ["FILE_URL", "fetch", "fetch_file", "files_dir", "parse_file", "series_from_files",
           "settlement_candidates"]


def _dates(values: pd.Series, name: str) -> pd.Series:
    text = values.astype(str).str.strip()
    for fmt in ("%Y-%m-%d", "%d-%m-%Y", "%Y%m%d", "%m/%d/%Y"):
        out = pd.to_datetime(text, format=fmt, errors="coerce")
        if out.notna().all():
            return out
    bad = text[pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").isna()]
    raise DataError(name, "unparsable settlementDate",
                    [f"line {i + 2} ({v!r})" for i, v in bad.head(10).items()],
                    hint="expected YYYY-MM-DD (FINRA files) or DD-MM-YYYY (otce.finra.org export)")


def parse_file(content: bytes | str, name: str = "FINRA short interest") -> pd.DataFrame:
    """Parse a FINRA short interest file (CDN pipe file or otce CSV export).

    Returns
    -------
    DataFrame, one row per symbol and settlement date: ``symbol`` (upper case),
    ``settlement_date``, ``issue_name``, ``market``, ``shares_short``,
    ``previous_shares_short``, ``change_pct``, ``avg_daily_volume`` and
    ``days_to_cover`` (NaN where FINRA writes 999.99 for a zero volume).

    Raises
    ------
    DataError
        An HTML page, a header without the symbol / settlement date / short
        position fields (the header found is shown), or unreadable numbers or
        dates (the lines are named).
    """
    raw = content if isinstance(content, bytes) else content.encode()
    if _http.looks_like_html(raw):
        raise DataError(name, f"got an HTML page, not a short interest file ({_http.html_title(raw)})")
    text = _http.decode_text(raw)
    first = text.split("\n", 1)[0]
    sep = "|" if first.count("|") > first.count(",") else ","
    try:
        df = pd.read_csv(io.StringIO(text), sep=sep, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(name, f"cannot read the file as CSV ({exc})") from None
    rename = {c: FIELDS[c.strip().lower()] for c in df.columns if c.strip().lower() in FIELDS}
    df = df.rename(columns=rename)
    missing = [c for c in ("symbol", "settlement_date", "shares_short") if c not in df.columns]
    if missing:
        raise DataError(name, f"not a FINRA short interest file: no {', '.join(missing)} field",
                        hint=f"header found: {first.strip()[:200]}")
    df = df[[c for c in dict.fromkeys(rename.values()) if c in df.columns]].copy()
    df["symbol"] = df["symbol"].str.strip().str.upper()
    df = df[df["symbol"] != ""]
    df["settlement_date"] = _dates(df["settlement_date"], name)
    for col in _NUMERIC:
        if col not in df:
            df[col] = np.nan
            continue
        num = pd.to_numeric(df[col].str.replace(",", "").str.strip().replace("", np.nan),
                            errors="coerce")
        bad = num.isna() & df[col].str.strip().ne("")
        if bad.any():
            raise DataError(name, f"unreadable number in {col}",
                            [f"line {i + 2} ({df[col][i]!r})" for i in df.index[bad][:10]])
        df[col] = num.astype("float64")
    df.loc[df["days_to_cover"] >= 999.99, "days_to_cover"] = np.nan
    for col in ("issue_name", "market"):
        if col not in df:
            df[col] = ""
    return df.reset_index(drop=True)


def files_dir(folder: Path | None = None) -> Path:
    """Where downloaded FINRA files are kept: ``<cache>/finra_short_interest``."""
    return Path(folder or config.cache()) / "finra_short_interest"


def settlement_candidates(start: Any, end: Any) -> list[pd.Timestamp]:
    """Mid-month (15th) and month-end dates between ``start`` and ``end``, rolled back
    to a weekday: the first guess at each FINRA settlement date."""
    s, e = pd.Timestamp(start).normalize(), pd.Timestamp(end).normalize()
    out = []
    for month in pd.period_range(s, e, freq="M"):
        for day in (month.to_timestamp(how="start") + pd.Timedelta(days=14),
                    month.to_timestamp(how="end").normalize()):
            while day.weekday() >= 5:
                day -= pd.Timedelta(days=1)
            if s <= day <= e:
                out.append(day)
    return out


def fetch_file(candidate: pd.Timestamp, *, folder: Path | None = None, max_back: int = 4,
               **http: Any) -> tuple[Path | None, pd.Timestamp | None]:
    """The FINRA file for the settlement near ``candidate`` (cached, else downloaded).

    Tries ``candidate`` and up to ``max_back`` earlier weekdays (holidays move
    settlement dates). Returns (path, settlement date) or (None, None) when FINRA
    has no file for any of them (e.g. not published yet).

    Raises
    ------
    FetchError
        Network failure other than "no such file" (the caller reports it).
    """
    from ..cache import _atomic_write_bytes

    folder = files_dir(folder)
    days: list[pd.Timestamp] = []
    day = pd.Timestamp(candidate).normalize()
    while len(days) < max_back + 1:
        if day.weekday() < 5:
            days.append(day)
        day -= pd.Timedelta(days=1)
    for day in days:  # a file cached earlier for any of these days answers without a request
        target = folder / f"shrt{day:%Y%m%d}.csv"
        if target.is_file():
            return target, day
    for day in days:
        url = FILE_URL.format(date=day)
        try:
            resp = _http.get(url, series="short interest", retries=1, **http)
        except _http.FetchError as exc:
            if exc.status in (403, 404):
                continue
            raise
        parse_file(resp.content, url)  # never store a page that is not a FINRA file
        target = folder / f"shrt{day:%Y%m%d}.csv"
        _atomic_write_bytes(target, lambda fh, body=resp.content: fh.write(body))
        return target, day
    return None, None


def series_from_files(symbol: str, paths: list[Path]) -> pd.DataFrame:
    """One symbol's rows of several FINRA files: ``shares_short`` and
    ``change_from_prior_pct`` by settlement date (ascending)."""
    sym = symbol.upper()
    rows = []
    for p in paths:
        df = parse_file(p.read_bytes(), p.name)
        rows.append(df[df["symbol"] == sym])
    hit = pd.concat(rows) if rows else pd.DataFrame()
    if hit.empty:
        return pd.DataFrame(columns=["shares_short", "change_from_prior_pct"],
                            index=pd.DatetimeIndex([], name="date"))
    hit = hit.sort_values("settlement_date").drop_duplicates("settlement_date", keep="last")
    out = pd.DataFrame({"shares_short": hit["shares_short"].to_numpy(),
                        "change_from_prior_pct": hit["change_pct"].to_numpy()},
                       index=pd.DatetimeIndex(hit["settlement_date"], name="date"))
    return out


def fetch(name: str, start: Any = None, end: Any = None, **http: Any) -> pd.DataFrame:
    """``short_interest:SYMBOL`` from FINRA's files (downloading the dates not cached).

    ``start`` defaults to two years back (each settlement file holds the whole market,
    a few MB; it is kept and serves every other symbol); ``end`` to today.

    Raises
    ------
    DataError
        Not a short interest series, no file reachable, or the symbol is in none
        of the files (FINRA has no short interest for it in that window).
    """
    sp = get_spec(name)
    if sp.kind != "short_interest":
        raise DataError(sp.name, "not a short interest series")
    sym = re.sub(r"^short_interest:", "", sp.name, flags=re.I)
    e = pd.Timestamp(end) if end is not None else pd.Timestamp.today().normalize()
    s = pd.Timestamp(start) if start is not None else e - pd.Timedelta(days=DEFAULT_HISTORY_DAYS)
    paths: list[Path] = []
    for cand in settlement_candidates(s, e):
        path, _ = fetch_file(cand, **http)
        if path is not None:
            paths.append(path)
    if not paths:
        raise _http.FetchError(sp.name, f"no FINRA short interest file found between {s.date()} and {e.date()}",
                               url=FILE_URL.format(date=e))
    df = series_from_files(sym, paths)
    if df.empty:
        raise DataError(sp.name, f"{sym} is in none of FINRA's {len(paths)} short interest files "
                                 f"{s.date()} .. {e.date()}",
                        hint="check the symbol; FINRA lists exchange-listed symbols from 2021-06")
    notes = [f"{len(paths)} FINRA settlement files read from {files_dir()}",
             "exchange-listed symbols are in FINRA's consolidated files from 2021-06 onward"]
    return finish_series(df, sp, SOURCE, FILE_URL.format(date=df.index[-1]), notes)
