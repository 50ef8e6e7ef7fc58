"""Validated import of a local CSV into the cache (surveys such as NFIB, vendor files)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from . import cache
from .catalog import spec as get_spec
from .errors import DataError
from .pointintime import add_release_columns
from .provenance import Provenance, attach
from .validation import parse_dates, validate_prices, validate_series

_DATE_NAMES = ("date", "observation_date", "month", "period", "year_month", "settlement_date")


def read_csv(
    path: str | Path,
    name: str,
    mapping: Mapping[str, str] | None = None,
    date_column: str | None = None,
) -> pd.DataFrame:
    """Read a local CSV into the contract of catalog series ``name`` (not stored).

    Parameters
    ----------
    path : the CSV file (UTF-8, BOM tolerated).
    name : catalog name it is imported as (e.g. "nfib", "RUT").
    mapping : source column -> kit column renames, e.g.
        ``{"OPT_INDEX": "optimism", "Capex Plans": "capex_plans"}``. Columns are
        otherwise lower-cased with spaces replaced by underscores.
    date_column : the date column (default: the first of date, observation_date,
        month, period, year_month, settlement_date that is present).

    Returns
    -------
    DataFrame validated like any other source, with provenance (origin ``import``)
    and, for non-price series, the ``published`` column.

    Raises
    ------
    DataError
        Unreadable file, no date column, unparsable values, duplicate or unsorted
        dates, or (prices) any of the OHLC rules.
    """
    sp = get_spec(name)
    path = Path(path)
    label = f"{sp.name} (import of {path.name})"
    if not path.is_file():
        raise DataError(label, f"file {path} does not exist")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise DataError(label, f"cannot read as CSV: {exc}") from None
    if mapping:
        unknown = [k for k in mapping if k not in raw.columns]
        if unknown:
            raise DataError(label, f"mapping names column(s) not in the file: {', '.join(unknown)}",
                            hint=f"columns found: {', '.join(raw.columns)}")
        raw = raw.rename(columns=dict(mapping))
    raw.columns = [str(c).strip().lower().replace(" ", "_") for c in raw.columns]
    col = date_column.lower() if date_column else next((c for c in _DATE_NAMES if c in raw.columns), None)
    if col is None or col not in raw.columns:
        raise DataError(label, "no date column", hint=f"name it with date_column=; columns: {', '.join(raw.columns)}")
    raw.index = parse_dates(raw.pop(col), label, 2)
    if sp.kind == "prices":
        df = validate_prices(raw, label, 2)
    else:
        df = validate_series(raw, label, sp if sp.columns else None, line_offset=2)
        if sp.frequency == "monthly":
            df.index = (df.index.to_period("M").to_timestamp(how="end").normalize()).rename("date")
        add_release_columns(df, sp.release)
    prov = Provenance(name=sp.name, source=sp.source, origin="import", location=str(path.resolve()),
                      retrieved=pd.Timestamp.now().isoformat(timespec="seconds"),
                      units=sp.units, frequency=sp.frequency)
    return attach(df, prov)


def import_csv(
    path: str | Path,
    name: str,
    mapping: Mapping[str, str] | None = None,
    date_column: str | None = None,
) -> pd.DataFrame:
    """Read a local CSV (see :func:`read_csv`) and store it in the cache atomically.

    Nothing is written unless the whole file validates.
    """
    df = read_csv(path, name, mapping=mapping, date_column=date_column)
    from .provenance import provenance

    cache.write(get_spec(name).name, df, provenance(df))
    return df
