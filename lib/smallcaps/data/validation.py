"""Validation rules for every frame that enters the kit.

Each rule raises :class:`~smallcaps.data.errors.DataError` naming the series, the
rows and the rule. Raw text is checked before it is converted, so an unparsable
cell is reported as such instead of turning silently into NaN.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from .catalog import PRICE_COLUMNS, SeriesSpec
from .errors import DataError

REQUIRED_PRICE_COLUMNS = ("open", "high", "low", "close")
# Relative tolerance for the OHLC consistency rules: sources round OHLC independently.
_OHLC_TOL = 1e-6


def _labels(index: pd.Index, mask: np.ndarray | pd.Series, line_offset: int | None) -> list[str]:
    """Row labels for a boolean mask: dates, plus file line numbers when known."""
    pos = np.flatnonzero(np.asarray(mask))
    out = []
    for p in pos[:10]:
        label = index[p]
        label = label.date().isoformat() if isinstance(label, pd.Timestamp) else str(label)
        out.append(f"line {p + line_offset} ({label})" if line_offset is not None else label)
    out.extend([""] * (len(pos) - len(out)))  # count the rest without formatting them
    return out


MARKET_TZ = "America/New_York"
# implausible dates: before this, or after today (+ a margin) in an import
EARLIEST_DATE = pd.Timestamp("1800-01-01")

_OFFSET = r"(?:Z|[+-]\d{2}:?\d{2})$"
_NUMERIC_DMY = r"^\s*(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})\s*$"


def _line_rows(text: pd.Series, mask: np.ndarray, line_offset: int | None) -> list[str]:
    return [f"line {p + line_offset} ({text.iloc[p]!r})" if line_offset is not None
            else repr(text.iloc[p]) for p in np.flatnonzero(mask)]


def _numeric_order(text: pd.Series, name: str, line_offset: int | None) -> str | None:
    """For dates like 01/06/2000: "%d/%m/%Y"-style order proven by the file, else raise."""
    parts = text.str.extract(_NUMERIC_DMY)
    if parts.isna().any(axis=None):
        return None  # not all numeric day/month dates: leave to the general parser
    a = parts[0].astype(int)
    b = parts[1].astype(int)
    day_first = bool((a > 12).any())
    month_first = bool((b > 12).any())
    sep = text.iloc[0].strip()[len(str(parts.iat[0, 0]))]
    year = "%Y" if len(str(parts.iat[0, 2])) == 4 else "%y"
    if day_first and month_first:
        rows = _line_rows(text, ((a > 12) | (b > 12)).to_numpy(), line_offset)
        raise DataError(name, "dates mix day-first and month-first order", rows,
                        hint="fix the file, or give the order with --date-format")
    if not day_first and not month_first:
        raise DataError(name, f"ambiguous day/month order in dates like {text.iloc[0].strip()!r} "
                              "(every day is 12 or less)",
                        hint=f"give the order with --date-format '%d{sep}%m{sep}{year}' (day "
                             f"first) or '%m{sep}%d{sep}{year}' (month first)")
    return f"%d{sep}%m{sep}{year}" if day_first else f"%m{sep}%d{sep}{year}"


def _to_session_dates(parsed: pd.Series, aware: bool) -> pd.Series:
    """Timestamps with a time zone -> the calendar date they belong to.

    Stamps that are all at midnight UTC are date labels (the vendor's day); any
    other instant is a moment in the market's day, dated in New York time, so a
    bar stamped 21:00 UTC (16:00 in New York) stays on its session.
    """
    if not aware:
        return parsed
    utc = parsed.dt.tz_convert("UTC")
    if bool((utc.dt.normalize() == utc).all()):
        return utc.dt.tz_localize(None)
    return parsed.dt.tz_convert(MARKET_TZ).dt.tz_localize(None)


def parse_dates(values: pd.Series | pd.Index, name: str, line_offset: int | None = None,
                *, date_format: str | None = None, strict: bool = False) -> pd.DatetimeIndex:
    """Parse date text into a tz-naive DatetimeIndex named ``date``.

    Dates with a time-zone offset (also mixed offsets in one file) are converted
    to the date they belong to (see :func:`_to_session_dates`); the time of day is
    kept (callers normalise daily data).

    Parameters
    ----------
    date_format : an explicit ``strptime`` format (e.g. ``%d/%m/%Y``); every row
        must match it.
    strict : refuse numeric day/month dates whose order the file does not prove
        (01/06/2000 could be 1 June or 6 January): used by ``data import``.

    Raises
    ------
    DataError
        "unparsable date" with the offending rows, "missing date", or an
        ambiguous day/month order (``strict``).
    """
    text = pd.Series(values, dtype="object").astype("string").str.strip().reset_index(drop=True)
    missing = (text.isna() | (text == "")).to_numpy()
    if missing.any():
        rows = [f"line {p + line_offset}" if line_offset is not None else str(p)
                for p in np.flatnonzero(missing)]
        raise DataError(name, "missing date", rows)
    fmt = date_format
    if fmt is None and strict:
        fmt = _numeric_order(text, name, line_offset)
    aware = bool(text.str.contains(_OFFSET, regex=True).any())
    try:
        if fmt is not None:
            parsed = pd.to_datetime(text, errors="coerce", format=fmt, utc=aware)
        else:
            try:
                parsed = pd.to_datetime(text, errors="raise", format="ISO8601", utc=aware)
            except (ValueError, TypeError):
                parsed = pd.to_datetime(text, errors="coerce", format="mixed", utc=aware)
    except (ValueError, TypeError, OverflowError) as exc:
        raise DataError(name, f"unparsable dates ({exc})") from None
    bad = parsed.isna().to_numpy()
    if bad.any():
        rule = f"date does not match --date-format {fmt!r}" if date_format else "unparsable date"
        raise DataError(name, rule, _line_rows(text, bad, line_offset))
    parsed = _to_session_dates(parsed, aware)
    idx = pd.DatetimeIndex(parsed)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return idx.rename("date")


def check_plausible_dates(index: pd.DatetimeIndex, name: str, line_offset: int | None = None,
                          *, latest: pd.Timestamp | None = None,
                          weekdays_only: bool = False) -> None:
    """Dates before 1800, after ``latest`` or (``weekdays_only``) on a weekend raise."""
    early = index < EARLIEST_DATE
    if early.any():
        raise DataError(name, f"date before {EARLIEST_DATE.year} (implausible)",
                        _labels(index, early, line_offset))
    if latest is not None:
        late = index > latest
        if late.any():
            raise DataError(name, f"date after {latest.date()} (in the future)",
                            _labels(index, late, line_offset))
    if weekdays_only:
        weekend = index.day_of_week >= 5
        if weekend.any():
            raise DataError(name, "bar dated on a Saturday or Sunday (markets are closed; "
                                  "time stamps in another time zone?)",
                            _labels(index, weekend, line_offset))


def check_one_row_per_day(index: pd.DatetimeIndex, name: str,
                          line_offset: int | None = None) -> pd.DatetimeIndex:
    """Daily data: one row per calendar date; return the index normalised to midnight."""
    days = index.normalize()
    dup = days.duplicated(keep=False)
    if dup.any():
        n = int(days[dup].nunique())
        raise DataError(name, f"more than one row on {n:,} date(s): intraday bars or duplicated "
                              "rows; a daily series holds one row per date",
                        _labels(index, dup, line_offset),
                        hint="resample to daily bars before importing")
    return days.rename("date")


_THOUSANDS = r"^[+-]?\d{1,3}(?:,\d{3})+(?:\.\d*)?$"


def parse_numbers(
    frame: pd.DataFrame, columns: Iterable[str], name: str, line_offset: int | None = None
) -> pd.DataFrame:
    """Convert text columns to float64; empty cells become NaN, anything else unparsable raises.

    A comma is read only as a thousands separator in groups of three
    (``1,234.5``); ``45,53`` (a decimal comma) raises rather than becoming 4553.
    Infinite values raise.
    """
    out = frame.copy()
    for col in columns:
        raw = out[col]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            num = raw.astype("float64")
        else:
            text = raw.astype("string").str.strip()
            comma = text.str.contains(",", regex=False).fillna(False)
            if comma.any():
                wrong = comma & ~text.str.fullmatch(_THOUSANDS).fillna(False)
                if wrong.any():
                    rows = _labels(out.index, wrong.to_numpy(), line_offset)
                    examples = ", ".join(repr(v) for v in raw[wrong.to_numpy()].head(3))
                    raise DataError(name, f"comma in column {col!r} is not a thousands separator "
                                          f"({examples}): decimal comma? use a dot for decimals",
                                    rows)
                text = text.str.replace(",", "", regex=False)
            empty = text.isna() | (text == "")
            num = pd.to_numeric(text.where(~empty), errors="coerce")
            bad = num.isna() & ~empty
            if bad.any():
                rows = _labels(out.index, bad.to_numpy(), line_offset)
                examples = ", ".join(repr(v) for v in raw[bad.to_numpy()].head(3))
                raise DataError(name, f"unparsable number in column {col!r} ({examples})", rows)
            num = num.astype("float64")
        inf = np.isinf(num.to_numpy(dtype="float64"))
        if inf.any():
            raise DataError(name, f"infinite value in column {col!r}",
                            _labels(out.index, inf, line_offset))
        out[col] = num
    return out


def check_columns(
    columns: Sequence[str], name: str, required: Sequence[str], allowed: Sequence[str]
) -> None:
    """Missing required columns or unexpected extra columns raise DataError."""
    missing = [c for c in required if c not in columns]
    if missing:
        raise DataError(name, f"missing column(s) {', '.join(missing)}",
                        hint=f"columns found: {', '.join(map(str, columns))}")
    extra = [c for c in columns if c not in allowed]
    if extra:
        raise DataError(name, f"unexpected column(s) {', '.join(map(str, extra))}",
                        hint=f"expected only: {', '.join(allowed)}")


def check_index(df: pd.DataFrame | pd.Series, name: str, line_offset: int | None = None,
                unique: bool = True) -> None:
    """Dates must be a DatetimeIndex, unique (when ``unique``) and ascending."""
    idx = df.index
    if not isinstance(idx, pd.DatetimeIndex):
        raise DataError(name, "index is not a DatetimeIndex")
    if unique:
        dup = idx.duplicated(keep=False)
        if dup.any():
            raise DataError(name, "duplicate date", _labels(idx, dup, line_offset))
    if len(idx) > 1:
        back = np.zeros(len(idx), dtype=bool)
        back[1:] = idx.asi8[1:] < idx.asi8[:-1]
        if back.any():
            raise DataError(name, "dates not in ascending order (unsorted index)",
                            _labels(idx, back, line_offset),
                            hint="sort the file by date")


def validate_prices(df: pd.DataFrame, name: str, line_offset: int | None = None) -> pd.DataFrame:
    """Check a price frame against the contract; return it with the canonical columns.

    Rules: columns (open, high, low, close required; adj_close, volume optional; no
    others), float values, DatetimeIndex unique and ascending, no missing close,
    prices > 0, high >= low, close and open within [low, high], volume >= 0.

    Parameters
    ----------
    df : DataFrame indexed by date.
    name : series name used in error messages.
    line_offset : when the frame came from a file, the line number of its first
        data row, so errors point at file lines.

    Returns
    -------
    DataFrame with columns open, high, low, close, adj_close, volume (float64;
    absent optional columns filled with NaN).
    """
    check_columns(list(df.columns), name, REQUIRED_PRICE_COLUMNS, PRICE_COLUMNS)
    out = parse_numbers(df, [c for c in PRICE_COLUMNS if c in df.columns], name, line_offset)
    for c in ("adj_close", "volume"):
        if c not in out.columns:
            out[c] = np.nan
    out = out[list(PRICE_COLUMNS)]
    check_index(out, name, line_offset)
    if out.empty:
        raise DataError(name, "no rows")
    o, h, lo, c = (out[k] for k in ("open", "high", "low", "close"))
    if c.isna().any():
        raise DataError(name, "missing close", _labels(out.index, c.isna(), line_offset))
    prices = out[["open", "high", "low", "close", "adj_close"]]
    nonpos = (prices <= 0).any(axis=1)
    if nonpos.any():
        raise DataError(name, "non-positive price", _labels(out.index, nonpos, line_offset))
    tol_hi = h * (1 + _OHLC_TOL)
    tol_lo = lo * (1 - _OHLC_TOL)
    inverted = (h < lo * (1 - _OHLC_TOL)).fillna(False)
    if inverted.any():
        raise DataError(name, "high < low", _labels(out.index, inverted, line_offset))
    outside = ((c > tol_hi) | (c < tol_lo)).fillna(False)
    if outside.any():
        raise DataError(name, "close outside [low, high]", _labels(out.index, outside, line_offset))
    o_out = ((o > tol_hi) | (o < tol_lo)).fillna(False)
    if o_out.any():
        raise DataError(name, "open outside [low, high]", _labels(out.index, o_out, line_offset))
    negvol = (out["volume"] < 0).fillna(False)
    if negvol.any():
        raise DataError(name, "negative volume", _labels(out.index, negvol, line_offset))
    return out


def validate_series(
    df: pd.DataFrame, name: str, spec: SeriesSpec | None = None,
    text_columns: Sequence[str] = (), bool_columns: Sequence[str] = (),
    line_offset: int | None = None, unique: bool = True,
) -> pd.DataFrame:
    """Check a non-price frame: expected columns, numeric values, dates unique and ascending.

    Columns listed in ``text_columns`` stay strings, ``bool_columns`` are parsed as
    booleans (True/False/1/0); all others must be numbers (empty cells -> NaN).
    """
    if spec is not None and spec.columns:
        expected = [c for c in spec.columns if c not in ("published", "usable_from")]
        optional = {"is_primary", "free_credit_margin_accounts", "change_from_prior_pct"}
        required = [c for c in expected if c not in optional]
        check_columns(list(df.columns), name, required, expected)
    numeric = [c for c in df.columns if c not in text_columns and c not in bool_columns]
    out = parse_numbers(df, numeric, name, line_offset)
    for col in bool_columns:
        if col in out.columns:
            text = out[col].astype("string").str.strip().str.lower()
            mapped = text.map({"true": True, "false": False, "1": True, "0": False})
            bad = mapped.isna()
            if bad.any():
                raise DataError(name, f"unparsable boolean in column {col!r}",
                                _labels(out.index, bad, line_offset))
            out[col] = mapped.astype(bool)
    for col in text_columns:
        if col in out.columns:
            out[col] = out[col].astype("string")
    check_index(out, name, line_offset, unique=unique)
    if out.empty:
        raise DataError(name, "no rows")
    return out
