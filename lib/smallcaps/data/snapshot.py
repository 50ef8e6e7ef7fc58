"""Read a snapshot folder (the layout of ``../shared/data``) into contract frames.

Layout: ``market/SYMBOL.csv`` (Yahoo symbol names: GSPC.csv is SPX, IXIC.csv is
COMPQ) with ``date,open,high,low,close,adj_close,volume``; ``sentiment/*.csv``;
``macro/*.csv``; ``breadth/*.csv``; ``universe/`` (membership, holdings, and two
long-format parquet price files: ``prices_daily.parquet`` for index members and
``etf_prices_daily.parquet`` for ETFs, columns ``date, ticker, open, high, low, close,
adj_close, volume``); PROVENANCE files in a folder or at the top. The kit reads a
snapshot in place and never copies it into the repository.

Any ticker is looked up in ``market/<TICKER>.csv`` and then in the two parquet files
(:func:`locate`). Each series cites the PROVENANCE file (and its section) that
documents that file (:func:`provenance_doc`), not merely the first one found.
"""

from __future__ import annotations

import fnmatch
import functools
import io
import re
from pathlib import Path

import pandas as pd

from .. import config
from .catalog import PRICE_COLUMNS, SeriesSpec
from .errors import DataError
from .parsed import parsed
from .pointintime import add_release_columns
from .provenance import Provenance, attach
from .validation import check_columns, parse_dates, validate_prices, validate_series

_FIRST_DATA_LINE = 2  # header is line 1

_NOTES = {
    "RUT": ("index volume left empty (Yahoo's ^RUT volume is a copy of S&P 500 volume)",
            "opens equal the previous close on many days before 2007"),
    "NDX": ("no volume", "snapshot ends 2026-07-10, six weeks before the others"),
    "VIX": ("no volume", "three rows fall on US market holidays (2026-05-25, 06-19, 07-03)"),
    "IWM": ("close is split- but not dividend-adjusted; adj_close is total return",
            "2022-11-21..2026-07-10 unadjusted prices derived from adjusted data (see PROVENANCE)"),
    "QQQ": ("close is split- but not dividend-adjusted; adj_close is total return",),
    "SPY": ("close is unadjusted; adj_close is total return",),
}


def snapshot_from_env() -> Path | None:
    """The snapshot folder named by ``SMALLCAPS_SNAPSHOT``, if set.

    Raises
    ------
    DataError
        If the variable is set but does not name a folder.
    """
    p = config.snapshot()
    if p is None:
        return None
    if not p.is_dir():
        raise DataError(config.SNAPSHOT, f"snapshot folder {str(p)!r} does not exist")
    return p


UNIVERSE_PRICES = "universe/prices_daily.parquet"
ETF_PRICES = "universe/etf_prices_daily.parquet"
PRICE_PARQUETS = (ETF_PRICES, UNIVERSE_PRICES)


@functools.lru_cache(maxsize=16)
def _parquet_tickers(path: str, mtime_ns: int, size: int) -> frozenset[str]:
    # keyed on mtime and size: a replaced file is read again
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    # read as a dictionary column: the distinct tickers are each chunk's dictionary
    # entries in use, found among small integer codes instead of millions of strings
    col = pq.read_table(path, columns=["ticker"], read_dictionary=["ticker"]).column("ticker")
    return frozenset(t for chunk in col.chunks
                     for t in chunk.dictionary.take(pc.unique(chunk.indices)).to_pylist()
                     if t is not None)


def parquet_tickers(path: Path) -> frozenset[str]:
    """The tickers of a long-format price parquet file (empty when it does not exist)."""
    path = Path(path)
    try:
        st = path.stat()
    except OSError:
        return frozenset()
    return _parquet_tickers(str(path), st.st_mtime_ns, st.st_size)


def _symbol(spec: SeriesSpec) -> str:
    return (spec.yahoo or spec.name).upper()


def locate(folder: Path, spec: SeriesSpec) -> Path | None:
    """The snapshot file that holds ``spec``, or None.

    The catalog's ``snapshot_file`` first (a parquet file only if it lists the
    symbol); then, for price series, ``market/<ticker>.csv`` (without a leading ^)
    and the symbol's rows in ``universe/etf_prices_daily.parquet`` or
    ``universe/prices_daily.parquet``.
    """
    folder = Path(folder)
    candidates: list[str] = [spec.snapshot_file] if spec.snapshot_file else []
    if spec.kind == "prices":
        sym = _symbol(spec)
        candidates += [f"market/{sym.lstrip('^')}.csv", *PRICE_PARQUETS]
    for rel in dict.fromkeys(candidates):
        p = folder / rel
        if not p.is_file():
            continue
        if p.suffix == ".parquet" and spec.kind == "prices" and _symbol(spec) not in parquet_tickers(p):
            continue
        return p
    return None


def snapshot_file(folder: Path, spec: SeriesSpec) -> Path:
    """Path of ``spec``'s file in ``folder`` (the catalog's path when none exists)."""
    return locate(folder, spec) or Path(folder) / spec.snapshot_file


def has_series(folder: Path, spec: SeriesSpec) -> bool:
    return locate(folder, spec) is not None


def _heading_patterns(line: str) -> list[re.Pattern]:
    # backticked names in a heading -> regexes: `a_{X,Y}.csv` (alternatives), `IWM_<asof>.csv`
    # and `*.csv` (any part of a file name), `breadth/` (anything in the folder)
    out = []
    for tok in re.findall(r"`([^`]+)`", line):
        parts = re.split(r"(\{[^}]*\}|<[^>]*>|\*)", tok)
        rx = "".join(
            "(" + "|".join(re.escape(a) for a in p[1:-1].split(",")) + ")" if p.startswith("{")
            else "[^/]*" if p == "*" or p.startswith("<")
            else re.escape(p)
            for p in parts)
        out.append(re.compile(rx + (".*" if tok.endswith("/") else "")))
    return out


def provenance_doc(folder: Path, path: Path) -> tuple[Path, str] | None:
    """The PROVENANCE file documenting ``path``, and the heading of its section.

    PROVENANCE*.md files in the file's own folder come first, then those at the top
    of the snapshot. A file wins when one of its headings names the file (its
    relative path, a pattern such as ``short_interest_{IWM,QQQ,SPY}.csv`` or
    ``breadth/``, or, in the file's own folder, its name); then a summary-table row
    that starts with the path. A document that merely mentions the file (a
    cross-check) is used only when nothing names it. None when no document does.
    """
    folder, path = Path(folder), Path(path)
    try:
        rel = path.relative_to(folder).as_posix()
    except ValueError:
        rel = path.name
    local = sorted(path.parent.glob("PROVENANCE*.md"))
    docs = local + [d for d in sorted(folder.glob("PROVENANCE*.md")) if d not in local]
    best: tuple[int, Path, str] | None = None
    for doc in docs:
        try:
            lines = doc.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError):
            continue
        score, heading = 0, ""
        for line in lines:
            if line.startswith("#"):
                named = any(p.fullmatch(rel) for p in _heading_patterns(line)) or (
                    doc in local and re.search(rf"(^|[\s`]){re.escape(path.name)}([\s`(]|$)", line))
                if named and score < 3:
                    score, heading = 3, line.lstrip("#").strip()
            elif line.startswith("|") and f"`{rel}`" in line.split("|")[1] and score < 2:
                score = 2
            elif score < 1 and (rel in line or f"`{path.name}`" in line):
                score = 1
        if score and (best is None or score > best[0]):
            best = (score, doc, heading)
    return (best[1], best[2]) if best else None


def _read_text_csv(path: Path, name: str, data: bytes | None = None) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path if data is None else io.BytesIO(data), dtype=str,
                          keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(name, f"cannot parse {path.name} as CSV: {exc}") from None
    except pd.errors.EmptyDataError:
        raise DataError(name, f"{path.name} is empty") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw


def read_prices_csv(path: Path, name: str, data: bytes | None = None) -> pd.DataFrame:
    """Read and validate a price CSV (``date,open,high,low,close[,adj_close][,volume]``);
    ``data``: the file's bytes, when already read."""
    raw = _read_text_csv(path, name, data)
    check_columns(list(raw.columns), name, ("date", "open", "high", "low", "close"),
                  ("date", *PRICE_COLUMNS))
    raw.index = parse_dates(raw.pop("date"), name, _FIRST_DATA_LINE)
    return validate_prices(raw, name, _FIRST_DATA_LINE)


def read_series_csv(path: Path, spec: SeriesSpec, contracts: str = "primary") -> pd.DataFrame:
    """Read and validate a non-price CSV of the snapshot; adds the ``published`` column."""
    out = _parse_series_csv(path, spec, contracts)
    add_release_columns(out, spec.release)
    return out


def _parse_series_csv(path: Path, spec: SeriesSpec, contracts: str = "primary",
                      data: bytes | None = None) -> pd.DataFrame:
    """:func:`read_series_csv` without the release dates (those follow today's calendars)."""
    name = spec.name
    raw = _read_text_csv(path, name, data)
    text_cols: tuple[str, ...] = ()
    bool_cols: tuple[str, ...] = ()
    unique = True
    if spec.kind == "short_interest":
        raw = raw.rename(columns={"settlement_date": "date"})
        raw = raw.drop(columns=[c for c in ("symbol", "exchange", "source_commit") if c in raw])
    elif spec.kind == "margin_debt":
        raw = raw.drop(columns=[c for c in ("year_month",) if c in raw])
    elif spec.kind == "cot":
        raw = raw.drop(columns=[c for c in ("source_id",) if c in raw])
        if "is_primary" not in raw.columns:
            raw["is_primary"] = "True"
        text_cols = ("market_and_exchange_name", "cftc_contract_market_code")
        bool_cols = ("is_primary",)
        unique = contracts != "all"
    if "date" not in raw.columns:
        raise DataError(name, "missing column(s) date", hint=f"columns found: {', '.join(raw.columns)}")
    raw.index = parse_dates(raw.pop("date"), name, _FIRST_DATA_LINE)
    if spec.kind == "cot" and contracts != "all":
        primary = raw["is_primary"].str.strip().str.lower().isin(("true", "1"))
        raw = raw[primary.to_numpy()]
    elif spec.kind == "cot" and contracts not in ("all", "primary"):
        raise DataError(name, f"contracts must be 'primary' or 'all', got {contracts!r}")
    return validate_series(raw, name, spec if spec.columns else None, text_cols, bool_cols,
                           _FIRST_DATA_LINE, unique=unique)


def read_prices_parquet(path: Path, ticker: str, name: str) -> pd.DataFrame:
    """One ticker's rows of a long-format price parquet file, validated."""
    import pyarrow.parquet as pq

    cols = ["date", "open", "high", "low", "close", "adj_close", "volume"]
    try:
        table = pq.read_table(path, columns=cols, filters=[("ticker", "=", ticker)])
    except (OSError, ValueError) as exc:
        raise DataError(name, f"cannot read {path.name} ({type(exc).__name__}: {exc})") from None
    df = table.to_pandas()
    if df.empty:
        raise DataError(name, f"{path.name} has no rows for ticker {ticker}")
    df.index = pd.DatetimeIndex(pd.to_datetime(df.pop("date")), name="date")
    df = df.sort_index().astype("float64")
    return validate_prices(df, name)


def read(folder: Path, spec: SeriesSpec, contracts: str = "primary") -> pd.DataFrame:
    """Load one catalog series from a snapshot folder, validated, with provenance.

    Raises
    ------
    DataError
        If the folder has no file for the series, or the file breaks a rule.
    """
    folder = Path(folder)
    path = locate(folder, spec)
    if path is None:
        raise DataError(spec.name, f"not in snapshot {folder}",
                        hint=f"expected file {spec.snapshot_file or '(none: import only)'}")
    if spec.kind == "prices" and path.suffix == ".parquet":
        df = read_prices_parquet(path, _symbol(spec), spec.name)
    elif spec.kind == "prices":
        df = parsed(path, f"prices {spec.name}", lambda data: read_prices_csv(path, spec.name, data))
    else:
        df = parsed(path, f"{spec!r} contracts={contracts}",
                    lambda data: _parse_series_csv(path, spec, contracts, data))
        add_release_columns(df, spec.release)
    df.index.name = "date"
    notes = _NOTES.get(spec.name, ())
    doc = provenance_doc(folder, path)
    if doc is not None:
        notes = (*notes, f"provenance: {doc[0]}" + (f", section {doc[1]!r}" if doc[1] else ""))
    if path.suffix == ".parquet":
        notes = (*notes, f"rows of ticker {_symbol(spec)} in {path.name}")
    prov = Provenance(
        name=spec.name, source=spec.source, origin="snapshot", location=str(path),
        retrieved=_vintage(doc[0] if doc is not None else None, path, folder, df),
        units=spec.units, frequency=spec.frequency, notes=notes,
    )
    return attach(df, prov)


_ISO_DATE = re.compile(r"\b(19|20)\d\d-[01]\d-[0-3]\d\b")


def provenance_vintage(text: str, relpath: str) -> pd.Timestamp | None:
    """Latest date a PROVENANCE text records for one file (source commits, captures).

    The text is split at its markdown headings; sections whose heading names the
    file (``RUT.csv``, a path, or a glob such as ``sentiment/cot_*.csv``) are read,
    or the whole text when no heading names it. None when it holds no ISO date.
    """
    sections, head, body = [], "", []
    for line in text.splitlines():
        if line.startswith("#"):
            sections.append((head, "\n".join(body)))
            head, body = line, []
        else:
            body.append(line)
    sections.append((head, "\n".join(body)))
    name = relpath.rsplit("/", 1)[-1]

    def names_file(heading: str) -> bool:
        pats = [re.sub(r"\{[^}]*\}", "*", x)  # `short_interest_{IWM,QQQ}.csv` -> glob
                for x in (re.findall(r"`([^`]+)`", heading) or heading.split())]
        return any(fnmatch.fnmatch(relpath, p) or fnmatch.fnmatch(name, p.rsplit("/", 1)[-1])
                   for p in pats) or name in heading

    own = [h + "\n" + b for h, b in sections if h and names_file(h)]
    dates = [m.group(0) for m in _ISO_DATE.finditer("\n".join(own) if own else text)]
    valid = [d for d in pd.to_datetime(dates, errors="coerce") if not pd.isna(d)]
    return max(valid) if valid else None


def _vintage(prov_file: Path | None, path: Path, folder: Path, df: pd.DataFrame) -> str:
    """The snapshot's vintage for one file, from its PROVENANCE metadata (never an mtime)."""
    last = df.index.max()
    if prov_file is None:
        return f"snapshot vintage unknown (no PROVENANCE file); data to {last:%Y-%m-%d}"
    rel = path.relative_to(folder).as_posix() if path.is_relative_to(folder) else path.name
    when = provenance_vintage(prov_file.read_text(encoding="utf-8", errors="replace"), rel)
    if when is None:
        return f"snapshot vintage not stated in {prov_file.name}; data to {last:%Y-%m-%d}"
    return f"snapshot vintage {when:%Y-%m-%d} (latest date {prov_file.name} records for {rel})"
