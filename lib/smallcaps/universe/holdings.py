"""iShares fund holdings files (the CSV behind "Detailed Holdings and Analytics").

Two column layouts are in use, both handled:

- **classic** (all IWM files 2025-2026): ``Ticker,Name,Sector,Asset Class,Market
  Value,Weight (%),Notional Value,Quantity,Price,Location,Exchange,Currency,FX Rate,
  Market Currency,Accrual Date``;
- **newer** (IJR 2026-06): ``Ticker,Name,Type,Sector,Asset Class,Market Value,
  Notional Value,Quantity,Price,Location,Exchange,Currency,FX Rate,Market Currency,
  Accrual Date,Market Weight,Notional Weight``.

Around the table: a preamble (fund name; ``Fund Holdings as of,"May 13, 2025"``;
``Inception Date``; ``Shares Outstanding`` (``"-"`` when not given); Stock/Bond/
Cash/Other), a line holding only a no-break space or nothing, and after the table
another such line and a quoted legal footer. A UTF-8 BOM may be present. Every field
is quoted, numbers carry thousands separators and ``-`` means missing.

Live files: iShares serves past dates through ``asOfDate=YYYYMMDD`` on the fund's
``.ajax?fileType=csv`` address (:func:`holdings_url`). :func:`pull_holdings` stores
the bytes unchanged as ``<cache>/holdings/<FUND>_<asof>.csv`` with a provenance JSON
beside it; :mod:`smallcaps.universe.membership` reads those and the snapshot's
``universe/holdings/`` files.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..data.errors import DataError

__all__ = ["FUNDS", "Fund", "holdings_files", "holdings_url", "parse_holdings", "pull_holdings",
           "read_holdings"]


@dataclass(frozen=True)
class Fund:
    """An iShares fund whose holdings file the kit knows how to ask for."""

    symbol: str
    product_id: str
    slug: str
    universe: str  # the index universe its equity holdings stand for

    @property
    def page(self) -> str:
        return f"https://www.ishares.com/us/products/{self.product_id}/{self.slug}"


FUNDS: dict[str, Fund] = {
    "IWM": Fund("IWM", "239710", "ishares-russell-2000-etf", "russell2000"),
    "IJR": Fund("IJR", "239774", "ishares-core-sp-smallcap-etf", "sp600"),
}
# the ajax component id of the holdings CSV on iShares product pages
_AJAX = "1467271812596.ajax"

_COLUMNS = {
    "ticker": "ticker", "name": "name", "type": "type", "sector": "sector",
    "asset class": "asset_class", "market value": "market_value", "weight (%)": "weight_pct",
    "market weight": "weight_pct", "notional weight": "notional_weight_pct",
    "notional value": "notional_value", "quantity": "quantity", "shares": "quantity",
    "price": "price", "location": "location", "exchange": "exchange", "currency": "currency",
    "fx rate": "fx_rate", "market currency": "market_currency", "accrual date": "accrual_date",
}  # fmt: skip
_NUMERIC = ("market_value", "weight_pct", "notional_weight_pct", "notional_value", "quantity",
            "price", "fx_rate")
_REQUIRED = ("ticker", "asset_class", "market_value", "quantity", "price")


def _norm(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").replace("\xa0", " ").split()).strip().lower()


def _number(value: str) -> float:
    v = value.replace("\xa0", "").replace(",", "").strip()
    return float(v) if v not in ("", "-", "--") else float("nan")


def parse_holdings(content: bytes | str, name: str = "holdings") -> pd.DataFrame:
    """Parse an iShares holdings CSV (either layout) into a frame.

    Parameters
    ----------
    content : the file's bytes (or text).
    name : label for error messages (file name or URL).

    Returns
    -------
    pandas.DataFrame
        One row per holding, columns ``ticker, name, sector, asset_class,
        market_value, weight_pct, notional_value, quantity, price, location,
        exchange, currency, fx_rate, market_currency`` (plus ``type`` and
        ``notional_weight_pct`` in the newer layout); numbers as float, ``-`` as
        NaN, a ticker of ``-`` as "". ``attrs``: ``as_of`` (ISO date), ``fund``
        (first preamble line), ``shares_outstanding`` (float or None), ``layout``
        ("classic" or "newer").

    Raises
    ------
    DataError
        Not an iShares holdings file (no ``Ticker,...`` header), no or an
        unparsable ``Fund Holdings as of`` date, a missing required column, or a
        number that cannot be read (the line is named).
    """
    text = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content
    text = text.lstrip("\ufeff")
    lines = text.splitlines()
    header_at = next((i for i, line in enumerate(lines) if _norm(line).startswith("ticker,")), None)
    if header_at is None:
        raise DataError(name, "not an iShares holdings file: no header line starting with 'Ticker,'")
    meta: dict[str, str] = {}
    for line in lines[:header_at]:
        row = next(csv.reader([line]), [])
        if len(row) >= 2:
            meta[_norm(row[0])] = row[1].strip()
    fund = _norm(lines[0]) and lines[0].replace("\ufeff", "").strip()
    as_of_text = meta.get("fund holdings as of", "")
    try:
        as_of = pd.Timestamp(pd.to_datetime(as_of_text, format="%b %d, %Y"))
    except (ValueError, TypeError):
        raise DataError(name, f"'Fund Holdings as of' date {as_of_text!r} is missing or unreadable",
                        hint="expected e.g. \"May 13, 2025\" in the preamble") from None
    shares_out = meta.get("shares outstanding", "")
    try:
        shares_outstanding = _number(shares_out) if shares_out else float("nan")
    except ValueError:
        shares_outstanding = float("nan")

    reader = csv.reader(io.StringIO("\n".join(lines[header_at:])))
    header = [_norm(h) for h in next(reader)]
    unknown = [h for h in header if h and h not in _COLUMNS]
    cols = [_COLUMNS.get(h, h.replace(" ", "_")) for h in header]
    missing = [c for c in _REQUIRED if c not in cols]
    if missing:
        raise DataError(name, f"iShares holdings file lacks column(s) {', '.join(missing)}",
                        hint=f"header found: {', '.join(header)}")
    rows: list[list[str]] = []
    line_numbers: list[int] = []
    for row in reader:
        if len(row) != len(header):
            break  # the no-break-space line and the legal footer end the table
        rows.append(row)
        line_numbers.append(header_at + 2 + len(rows) - 1)
    df = pd.DataFrame(rows, columns=cols)
    for col in _NUMERIC:
        if col in df:
            try:
                df[col] = [_number(v) for v in df[col]]
            except ValueError:
                bad = [f"line {ln} ({v!r})" for ln, v in zip(line_numbers, df[col], strict=True)
                       if not re.fullmatch(r"\s*(-|--|-?[\d,]*\.?\d*)\s*", str(v))]
                raise DataError(name, f"column {col!r} holds text that is not a number", bad) from None
    for col in df.columns:
        if df[col].dtype == object:
            df[col] = df[col].str.replace("\xa0", " ").str.strip()
    df["ticker"] = df["ticker"].where(df["ticker"] != "-", "")
    df = df.drop(columns=[c for c in ("accrual_date",) if c in df])
    df.attrs.update({
        "as_of": as_of.date().isoformat(), "fund": fund,
        "shares_outstanding": None if np.isnan(shares_outstanding) else shares_outstanding,
        "layout": "newer" if "type" in df.columns else "classic", "source": name,
        "unknown_columns": unknown,
    })  # fmt: skip
    return df


def read_holdings(path: str | Path) -> pd.DataFrame:
    """Read an iShares holdings file from disk (see :func:`parse_holdings`)."""
    p = Path(path)
    try:
        content = p.read_bytes()
    except OSError as exc:
        raise DataError(str(p), f"cannot read the holdings file ({exc.strerror})") from None
    return parse_holdings(content, p.name)


def equity_tickers(df: pd.DataFrame) -> list[str]:
    """The equity holdings' tickers (Asset Class ``Equity``, ticker not empty), sorted, unique."""
    eq = df[(df["asset_class"].str.lower() == "equity") & (df["ticker"] != "")]
    return sorted(set(eq["ticker"].str.upper()))


def holdings_url(fund: str = "IWM", as_of: str | pd.Timestamp | None = None) -> str:
    """The iShares address of a fund's holdings CSV, for a past date when ``as_of`` is given."""
    f = FUNDS.get(fund.upper())
    if f is None:
        raise DataError(f"holdings:{fund}", "no iShares address known for this fund",
                        hint=f"known funds: {', '.join(FUNDS)}")
    url = f"{f.page}/{_AJAX}?fileType=csv&fileName={f.symbol}_holdings&dataType=fund"
    if as_of is not None:
        url += f"&asOfDate={pd.Timestamp(as_of):%Y%m%d}"
    return url


def holdings_dir(folder: Path | None = None) -> Path:
    """The cache folder of pulled holdings files: ``<cache>/holdings``."""
    return Path(folder or config.cache()) / "holdings"


def holdings_files(fund: str = "IWM", snapshot: Path | None = None,
                   cache_folder: Path | None = None) -> dict[pd.Timestamp, Path]:
    """Dated holdings files of ``fund``: the snapshot's ``universe/holdings/`` and the cache's.

    Returns ``{as-of date: path}``, the file name's date (``IWM_2025-05-13.csv``);
    a cached file wins over a snapshot file of the same date.
    """
    out: dict[pd.Timestamp, Path] = {}
    folders = []
    if snapshot is not None:
        folders.append(Path(snapshot) / "universe" / "holdings")
    folders.append(holdings_dir(cache_folder))
    rx = re.compile(rf"{re.escape(fund.upper())}_(\d{{4}}-\d{{2}}-\d{{2}})\.csv", re.I)
    for folder in folders:
        if not folder.is_dir():
            continue
        for p in sorted(folder.iterdir()):
            m = rx.fullmatch(p.name)
            if m:
                out[pd.Timestamp(m.group(1))] = p
    return dict(sorted(out.items()))


def pull_holdings(fund: str = "IWM", as_of: str | pd.Timestamp | None = None, *,
                  folder: Path | None = None, **http) -> Path:
    """Download a fund's holdings file from iShares and store it in the cache.

    Parameters
    ----------
    fund : "IWM" (Russell 2000) or "IJR" (S&P SmallCap 600).
    as_of : the holdings date to ask for (default: the latest). iShares answers
        with the last business day on or before it; the file's own "Fund Holdings
        as of" date names the stored file.
    folder : cache folder (default: the kit's cache).
    http : options for :func:`smallcaps.data.sources._http.get`.

    Returns
    -------
    Path of the stored file ``<cache>/holdings/<FUND>_<asof>.csv``, byte-identical
    to what iShares served, with ``.provenance.json`` beside it.

    Raises
    ------
    DataError
        Network failure (:class:`~smallcaps.data.sources._http.FetchError`), or the
        answer is not a holdings file (an HTML page, an empty table).
    """
    from ..data.sources import _http
    from ..data.sources._common import now_iso

    url = holdings_url(fund, as_of)
    label = f"holdings:{fund.upper()}"
    resp = _http.get(url, series=label, expect="csv", **http)
    df = parse_holdings(resp.content, url)
    tickers = equity_tickers(df)
    if not tickers:
        raise DataError(label, f"the file served for {df.attrs['as_of']} has no equity holdings",
                        hint="iShares serves empty files for dates before its archive or in the future")
    target = holdings_dir(folder) / f"{fund.upper()}_{df.attrs['as_of']}.csv"
    target.parent.mkdir(parents=True, exist_ok=True)
    from ..data.cache import _atomic_write_bytes

    _atomic_write_bytes(target, lambda fh: fh.write(resp.content))
    meta = {"name": label, "source": "iShares (BlackRock) fund holdings", "origin": "download",
            "location": url, "retrieved": now_iso(), "as_of": df.attrs["as_of"],
            "equity_holdings": len(tickers), "shares_outstanding": df.attrs["shares_outstanding"]}
    prov_path = target.with_suffix(".provenance.json")
    _atomic_write_bytes(prov_path, lambda fh: fh.write(json.dumps(meta, indent=2).encode()))
    return target
