"""Read a snapshot folder (the layout of ``../shared/data``) into contract frames.

Layout: ``market/SYMBOL.csv`` (Yahoo symbol names: GSPC.csv is SPX, IXIC.csv is
COMPQ) with ``date,open,high,low,close,adj_close,volume``; ``sentiment/*.csv``;
``macro/*.csv``; each folder with a PROVENANCE file. The kit reads a snapshot in
place and never copies it into the repository.
"""

from __future__ import annotations

import fnmatch
import re
from pathlib import Path

import pandas as pd

from .. import config
from .catalog import PRICE_COLUMNS, SeriesSpec
from .errors import DataError
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


def snapshot_file(folder: Path, spec: SeriesSpec) -> Path:
    """Path of ``spec``'s file in ``folder`` (may not exist)."""
    return Path(folder) / spec.snapshot_file


def has_series(folder: Path, spec: SeriesSpec) -> bool:
    return bool(spec.snapshot_file) and snapshot_file(folder, spec).is_file()


def _read_text_csv(path: Path, name: str) -> pd.DataFrame:
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise DataError(name, f"cannot parse {path.name} as CSV: {exc}") from None
    except pd.errors.EmptyDataError:
        raise DataError(name, f"{path.name} is empty") from None
    raw.columns = [str(c).strip() for c in raw.columns]
    return raw


def read_prices_csv(path: Path, name: str) -> pd.DataFrame:
    """Read and validate a price CSV (``date,open,high,low,close[,adj_close][,volume]``)."""
    raw = _read_text_csv(path, name)
    check_columns(list(raw.columns), name, ("date", "open", "high", "low", "close"),
                  ("date", *PRICE_COLUMNS))
    raw.index = parse_dates(raw.pop("date"), name, _FIRST_DATA_LINE)
    return validate_prices(raw, name, _FIRST_DATA_LINE)


def read_series_csv(path: Path, spec: SeriesSpec, contracts: str = "primary") -> pd.DataFrame:
    """Read and validate a non-price CSV of the snapshot; adds the ``published`` column."""
    name = spec.name
    raw = _read_text_csv(path, name)
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
    out = validate_series(raw, name, spec if spec.columns else None, text_cols, bool_cols,
                          _FIRST_DATA_LINE, unique=unique)
    add_release_columns(out, spec.release)
    return out


def read(folder: Path, spec: SeriesSpec, contracts: str = "primary") -> pd.DataFrame:
    """Load one catalog series from a snapshot folder, validated, with provenance.

    Raises
    ------
    DataError
        If the folder has no file for the series, or the file breaks a rule.
    """
    folder = Path(folder)
    if not has_series(folder, spec):
        raise DataError(spec.name, f"not in snapshot {folder}",
                        hint=f"expected file {spec.snapshot_file or '(none: import only)'}")
    path = snapshot_file(folder, spec)
    if spec.kind == "prices":
        df = read_prices_csv(path, spec.name)
    else:
        df = read_series_csv(path, spec, contracts=contracts)
    df.index.name = "date"
    prov_file = next(iter(sorted(path.parent.glob("PROVENANCE*.md"))), None) or next(
        iter(sorted(folder.glob("PROVENANCE*.md"))), None)
    notes = _NOTES.get(spec.name, ())
    if prov_file is not None:
        notes = (*notes, f"provenance: {prov_file}")
    prov = Provenance(
        name=spec.name, source=spec.source, origin="snapshot", location=str(path),
        retrieved=_vintage(prov_file, path, folder, df),
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
