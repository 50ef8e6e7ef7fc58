"""Validated import of a local CSV into the cache (surveys such as NFIB, vendor files).

Rules (each broken rule is a :class:`DataError` naming the file, the line and the rule):

- **Dates.** ISO dates are read as such; numeric day/month dates (``01/06/2000``)
  only when the file proves the order (a day above 12 somewhere), else
  ``date_format`` (``--date-format '%d/%m/%Y'``) is required. Time stamps with a
  time-zone offset are dated in New York time (stamps all at midnight UTC are
  date labels). Dates before 1800 or in the future are refused; daily prices on
  a Saturday or Sunday are refused (a time-zone slip).
- **One row per date** in a daily series: two bars on one date (intraday bars)
  are refused.
- **Numbers.** A comma is only a thousands separator (``1,234.5``); ``45,53`` is
  refused, as are infinite values; prices follow the OHLC rules.
- **Never masquerade, never shrink.** Replacing a cached series whose origin is
  not this file (a download, the snapshot, an import of another file) or that
  holds history the file does not cover needs ``replace=True``
  (``--replace``). The replaced data is first copied to
  ``<cache>/backups/<name>.<UTC time>.parquet`` (restore it by copying it back).
- **Provenance names the import**: source ``import of <file name>``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from . import cache
from .catalog import SeriesSpec, register
from .catalog import spec as get_spec
from .errors import DataError
from .pointintime import add_release_columns
from .provenance import Provenance, attach, provenance
from .validation import (
    check_one_row_per_day,
    check_plausible_dates,
    parse_dates,
    validate_prices,
    validate_series,
)

_DATE_NAMES = ("date", "observation_date", "month", "period", "year_month", "settlement_date")
_FIRST_LINE = 2  # the header is line 1
KINDS = ("prices", "series")
FREQUENCIES = ("daily", "weekly", "semi-monthly", "monthly", "quarterly", "annual")

__all__ = ["import_csv", "import_source", "new_spec", "read_csv", "store"]


def import_source(path: str | Path) -> str:
    """The provenance ``source`` of an import: ``import of <file name>``."""
    return f"import of {Path(path).name}"


def new_spec(name: str, kind: str, frequency: str | None = None, units: str = "",
             source: str = "", description: str = "") -> SeriesSpec:
    """The catalog entry of a user series created by an import.

    Parameters
    ----------
    name : a valid series name (:func:`smallcaps.data.registry.validate_name`).
    kind : "prices" (daily OHLC bars) or "series" (numeric columns).
    frequency : daily, weekly, semi-monthly, monthly, quarterly or annual
        (prices: daily).
    units : units of the values (prices: "price in the file's currency" unless given).
    source : who published the numbers (default: ``import of <file>`` set by the caller).

    The entry carries no Yahoo/Stooq ticker: an imported series is never extended
    by downloads (``data pull`` leaves imports alone).
    """
    from . import registry
    from .catalog import PRICE_COLUMNS

    name = registry.validate_name(name)
    if kind not in KINDS:
        raise DataError(name, f"kind must be one of {', '.join(KINDS)}, got {kind!r}")
    frequency = frequency or ("daily" if kind == "prices" else None)
    if frequency not in FREQUENCIES:
        raise DataError(name, f"frequency must be one of {', '.join(FREQUENCIES)}",
                        hint="give it with --frequency")
    if kind == "prices" and frequency != "daily":
        raise DataError(name, "price series are daily bars (--frequency daily)")
    return SeriesSpec(name=name, kind=kind, frequency=frequency,
                      units=units or ("price in the file's currency" if kind == "prices" else ""),
                      source=source or "user import",
                      description=description or f"user series imported from a file ({kind}, "
                                                 f"{frequency})",
                      release="same_day", columns=PRICE_COLUMNS if kind == "prices" else ())


def _resolve_spec(name: str, kind: str | None, frequency: str | None, units: str | None,
                  path: Path) -> tuple[SeriesSpec, bool]:
    """(spec, is_new): a built-in or registered series, or a new user series.

    A name that is neither (an unregistered ticker such as ``AAPL``, or a free
    name with ``kind``) becomes a new series: prices by default for a ticker,
    else ``kind`` (and ``frequency``) must be given.
    """
    from . import registry
    from .catalog import CATALOG

    if not isinstance(name, str):
        raise DataError(repr(name), "series name must be a string")
    known: SeriesSpec | None = None
    folded = {k.lower(): k for k in CATALOG}
    if name.lower() in folded:
        known = CATALOG[folded[name.lower()]]
    else:
        known = registry.get(name)
    if known is not None:
        if kind is not None and (kind == "prices") != (known.kind == "prices"):
            raise DataError(known.name, f"is a {known.kind} series, not {kind}")
        if frequency is not None and frequency != known.frequency:
            raise DataError(known.name, f"is a {known.frequency} series, not {frequency}")
        return known, False
    if kind is None:
        try:
            guess = get_spec(name)  # an on-demand ticker: imported as prices
        except DataError as exc:
            raise DataError(name, exc.rule, hint=(
                (exc.hint + " " if exc.hint else "") + "To create a new series, give its kind "
                "(--kind prices or --kind series) and, for a plain series, --frequency and "
                "--units")) from None
        kind = "prices" if guess.kind == "prices" else None
        if kind is None:
            raise DataError(name, "not a series an import can create",
                            hint="give --kind prices or --kind series")
        name = guess.name
    return new_spec(name, kind, frequency, units or "", source=import_source(path)), True


def read_csv(
    path: str | Path,
    name: str,
    mapping: Mapping[str, str] | None = None,
    date_column: str | None = None,
    *,
    date_format: str | None = None,
    kind: str | None = None,
    frequency: str | None = None,
    units: str | None = None,
    now: pd.Timestamp | None = None,
) -> pd.DataFrame:
    """Read a local CSV into the contract of series ``name`` (not stored).

    Parameters
    ----------
    path : the CSV file (UTF-8, BOM tolerated).
    name : catalog name it is imported as (e.g. "nfib", "RUT"), or a new name
        when ``kind`` is given.
    mapping : source column -> kit column renames, e.g.
        ``{"OPT_INDEX": "optimism", "Capex Plans": "capex_plans"}``. Columns are
        otherwise lower-cased with spaces replaced by underscores.
    date_column : the date column (default: the first of date, observation_date,
        month, period, year_month, settlement_date that is present).
    date_format : ``strptime`` format of the dates (needed when the day/month
        order is ambiguous), e.g. ``"%d/%m/%Y"``.
    kind, frequency, units : describe a new series (see :func:`new_spec`).
    now : today's date for the "no future dates" rule (tests); default the clock.

    Returns
    -------
    DataFrame validated like any other source, with provenance (origin
    ``import``, source ``import of <file>``) and, for non-price series, the
    ``published`` column.

    Raises
    ------
    DataError
        Any rule of the module docstring, naming the file and the lines.
    """
    path = Path(path)
    sp, _ = _resolve_spec(name, kind, frequency, units, path)
    label = f"{sp.name} ({import_source(path)})"
    if not path.is_file():
        raise DataError(label, f"file {path} does not exist" if not path.exists()
                        else f"{path} is not a file")
    try:
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                          skip_blank_lines=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError, OSError) as exc:
        raise DataError(label, f"cannot read as CSV: {exc}") from None
    if len(raw.columns) == 1 and ";" in str(raw.columns[0]):
        # a semicolon-separated export (common with decimal commas): read it as such, so
        # its numbers meet the decimal-comma rule instead of vanishing into one column
        raw = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig",
                          skip_blank_lines=False, sep=";")
    raw = raw[~(raw == "").all(axis=1).to_numpy()] if len(raw.columns) else raw
    lines = raw.index.to_numpy() + _FIRST_LINE  # file line of each row, blank lines skipped
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
    if raw.empty:
        raise DataError(label, "no rows")
    contiguous = bool((lines == pd.RangeIndex(len(lines)) + _FIRST_LINE).all())
    offset = _FIRST_LINE if contiguous else None
    # positions name file lines unless blank lines were dropped in between (then dates do)
    idx = parse_dates(raw.pop(col), label, offset, date_format=date_format, strict=True)
    today = (now or pd.Timestamp.now()).normalize()
    latest = today + (pd.Timedelta(days=1) if sp.kind == "prices" else pd.Timedelta(days=31))
    if sp.frequency == "daily":
        idx = check_one_row_per_day(idx, label, offset)
    else:
        idx = idx.normalize().rename("date")
    check_plausible_dates(idx, label, offset, latest=latest, weekdays_only=sp.kind == "prices")
    raw.index = idx
    if sp.kind == "prices":
        df = validate_prices(raw, label, offset)
    else:
        df = validate_series(raw, label, sp if sp.columns else None, line_offset=offset)
        if sp.frequency == "monthly":
            df.index = (df.index.to_period("M").to_timestamp(how="end").normalize()).rename("date")
            check_plausible_dates(df.index, label, None, latest=latest)
        add_release_columns(df, sp.release)
    notes = [f"imported from {path.name}"]
    if sp.source and not sp.import_only and sp.source != "user import" \
            and not sp.source.startswith("import of"):
        notes.append(f"not from the catalog's usual source ({sp.source})")
    prov = Provenance(name=sp.name, source=import_source(path), origin="import",
                      location=str(path.resolve()),
                      retrieved=pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds"),
                      units=sp.units, frequency=sp.frequency, notes=tuple(notes))
    return attach(df, prov)


def _replace_problem(sp: SeriesSpec, df: pd.DataFrame, source: str) -> str | None:
    """Why importing ``df`` over the cached series needs --replace (None: it may)."""
    if not cache.exists(sp.name):
        return None
    stored = cache.info(sp.name)
    try:
        old = cache.read(sp.name)
    except DataError as exc:
        return f"the cached {sp.name} is unreadable ({exc.rule})"
    if stored is None:
        return f"the cached {sp.name} has no provenance record"
    if stored.origin != "import" or stored.source != source:
        return (f"the cached {sp.name} comes from {stored.source} ({stored.origin}, "
                f"{len(old):,} rows {stored.first} to {stored.last}), not from this file")
    loss = cache.history_loss(old, df)
    return None if loss is None else loss.replace("the replacement", "the file", 1)


def store(df: pd.DataFrame, name: str, *, replace: bool = False,
          new: SeriesSpec | None = None) -> Path | None:
    """Store an imported frame as series ``name`` under the rules of the module docstring.

    Parameters
    ----------
    df : a frame from :func:`read_csv` (provenance origin ``import``).
    replace : allow replacing a series of another origin, or one holding history
        the frame does not cover.
    new : the spec of a new user series, added to the user registry.

    Returns
    -------
    The backup of the replaced data (None when nothing was replaced).

    Raises
    ------
    DataError
        Replacement refused (the message names ``--replace``); nothing changed.
    """
    prov = provenance(df)
    sp = new if new is not None else get_spec(name)
    with cache.locked(sp.name):
        why = _replace_problem(sp, df, prov.source)
        if why is not None and not replace:
            raise DataError(f"{sp.name} ({prov.source})", f"refusing to replace: {why}",
                            hint="add --replace (replace=True) to replace it; the current data "
                                 f"is then kept as a dated backup in {cache.backups_dir()}")
        if new is not None:
            register(new, replace=replace)
        saved = cache.backup(sp.name) if cache.exists(sp.name) else None
        if saved is not None:
            prov = dataclasses.replace(prov, notes=(*prov.notes,
                                                    f"replaced data kept as backups/{saved.name}"))
        cache.write(sp.name, df, prov)
    return saved


def import_csv(
    path: str | Path,
    name: str,
    mapping: Mapping[str, str] | None = None,
    date_column: str | None = None,
    *,
    date_format: str | None = None,
    replace: bool = False,
    kind: str | None = None,
    frequency: str | None = None,
    units: str | None = None,
) -> pd.DataFrame:
    """Read a local CSV (see :func:`read_csv`) and store it in the cache atomically.

    Nothing is written unless the whole file validates and the replacement rules
    allow it (see :func:`store`). The returned frame's provenance notes name the
    backup of any replaced data.
    """
    path = Path(path)
    sp, is_new = _resolve_spec(name, kind, frequency, units, path)
    df = read_csv(path, sp.name, mapping=mapping, date_column=date_column,
                  date_format=date_format, kind=kind, frequency=frequency, units=units) \
        if not is_new else _read_new(path, sp, mapping, date_column, date_format)
    saved = store(df, sp.name, replace=replace, new=sp if is_new else None)
    if saved is not None:
        prov = provenance(df)
        df = attach(df, dataclasses.replace(prov, notes=(
            *prov.notes, f"replaced data kept as backups/{saved.name}")))
    return df


def _read_new(path: Path, sp: SeriesSpec, mapping, date_column, date_format) -> pd.DataFrame:
    return read_csv(path, sp.name, mapping=mapping, date_column=date_column,
                    date_format=date_format, kind=sp.kind, frequency=sp.frequency,
                    units=sp.units)
