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


def parse_dates(values: pd.Series | pd.Index, name: str, line_offset: int | None = None) -> pd.DatetimeIndex:
    """Parse ISO-like date text into a tz-naive DatetimeIndex named ``date``.

    Raises
    ------
    DataError
        "unparsable date" with the offending rows, or "missing date".
    """
    text = pd.Series(values, dtype="object").astype("string").str.strip()
    missing = text.isna() | (text == "")
    parsed = pd.to_datetime(text.where(~missing), errors="coerce", format="mixed")
    bad = parsed.isna() & ~missing
    if missing.any():
        rows = [f"line {p + line_offset}" if line_offset is not None else str(p)
                for p in np.flatnonzero(missing.to_numpy())]
        raise DataError(name, "missing date", rows)
    if bad.any():
        rows = [f"line {p + line_offset} ({text.iloc[p]!r})" if line_offset is not None
                else repr(text.iloc[p]) for p in np.flatnonzero(bad.to_numpy())]
        raise DataError(name, "unparsable date", rows)
    idx = pd.DatetimeIndex(parsed)
    if idx.tz is not None:
        idx = idx.tz_localize(None)
    return idx.rename("date")


def parse_numbers(
    frame: pd.DataFrame, columns: Iterable[str], name: str, line_offset: int | None = None
) -> pd.DataFrame:
    """Convert text columns to float64; empty cells become NaN, anything else unparsable raises."""
    out = frame.copy()
    for col in columns:
        raw = out[col]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            out[col] = raw.astype("float64")
            continue
        text = raw.astype("string").str.strip().str.replace(",", "", regex=False)
        empty = text.isna() | (text == "")
        num = pd.to_numeric(text.where(~empty), errors="coerce")
        bad = num.isna() & ~empty
        if bad.any():
            rows = _labels(out.index, bad.to_numpy(), line_offset)
            examples = ", ".join(repr(v) for v in raw[bad].head(3))
            raise DataError(name, f"unparsable number in column {col!r} ({examples})", rows)
        out[col] = num.astype("float64")
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
