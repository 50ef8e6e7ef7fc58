"""Helpers shared by the source adapters: CSV text reading, the contract check, provenance."""

from __future__ import annotations

import io
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..catalog import SeriesSpec
from ..errors import DataError
from ..pointintime import add_release_columns
from ..provenance import Provenance, attach
from ..validation import validate_prices, validate_series
from ._http import check_kind, decode_text


def now_iso() -> str:
    """Current time as an ISO timestamp with UTC offset (the ``retrieved`` field)."""
    return pd.Timestamp.now(tz="UTC").isoformat(timespec="seconds")


def csv_frame(content: bytes | str, series: str, *, skip_lines: int = 0,
              header_startswith: str | None = None) -> tuple[pd.DataFrame, int]:
    """Read CSV text (any line endings, BOM, space padding) into an all-string frame.

    Parameters
    ----------
    content : the raw body.
    series : name for error messages.
    skip_lines : lines to drop before the header.
    header_startswith : find the header as the first line starting with this text
        (case-insensitive), skipping disclaimers above it.

    Returns
    -------
    (frame, first_data_line): string cells stripped of spaces; the file line number
    of the first data row, for error messages.

    Raises
    ------
    DataError
        HTML instead of CSV, no header, or a last line with fewer fields than the
        header (a truncated download).
    """
    if isinstance(content, bytes):
        check_kind(content, "csv", series)
    text = decode_text(content)
    lines = text.splitlines()
    if header_startswith is not None:
        want = header_startswith.lower()
        pos = next((i for i, ln in enumerate(lines) if ln.strip().lower().startswith(want)), None)
        if pos is None:
            raise DataError(series, f"no header line starting with {header_startswith!r}",
                            hint="the file layout changed or this is not the expected file")
        skip_lines = pos
    body = [ln for ln in lines[skip_lines:]]
    while body and not body[-1].strip():
        body.pop()
    if len(body) < 2:
        raise DataError(series, "no data rows in the file")
    n_header = len(_split(body[0]))
    n_last = len(_split(body[-1]))
    if n_last < n_header:
        raise DataError(series, f"last line has {n_last} of {n_header} fields (truncated download?)",
                        [f"line {skip_lines + len(body)}"])
    try:
        frame = pd.read_csv(io.StringIO("\n".join(body)), dtype=str, keep_default_na=False,
                            skipinitialspace=True)
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(series, f"cannot parse as CSV: {exc}") from None
    frame.columns = [str(c).strip() for c in frame.columns]
    for col in frame.columns:
        frame[col] = frame[col].astype("string").str.strip()
    return frame, skip_lines + 2


def _split(line: str) -> list[str]:
    import csv

    return next(csv.reader([line]), [])


def snap_float32(values: pd.Series) -> pd.Series:
    """Snap float32 noise (``168.97000122070312``) to the shortest decimal (``168.97``).

    Only applied when every value is exactly representable in float32, i.e. the
    source sent float32 numbers; otherwise the values are returned unchanged.
    """
    arr = values.to_numpy(dtype="float64", na_value=np.nan)
    f32 = arr.astype(np.float32)
    finite = np.isfinite(arr)
    if not np.array_equal(f32[finite].astype(np.float64), arr[finite]):
        return values.astype("float64")
    snapped = np.full(arr.shape, np.nan)
    snapped[finite] = f32[finite].astype(str).astype(np.float64)
    return pd.Series(snapped, index=values.index, name=values.name)


def finish_prices(df: pd.DataFrame, spec: SeriesSpec | str, source: str, url: str,
                  notes: Sequence[str] = (), line_offset: int | None = None) -> pd.DataFrame:
    """Validate a price frame against the contract and attach download provenance.

    ``spec`` is the catalog entry, or a plain name for a ticker outside the catalog.
    """
    name = spec if isinstance(spec, str) else spec.name
    units = "" if isinstance(spec, str) else spec.units
    df = df.copy()
    df.index = pd.DatetimeIndex(df.index).rename("date")
    out = validate_prices(df, name, line_offset)
    prov = Provenance(name=name, source=source, origin="download", location=url,
                      retrieved=now_iso(), units=units, frequency="daily", notes=tuple(notes))
    return attach(out, prov)


def finish_series(df: pd.DataFrame, spec: SeriesSpec, source: str, url: str,
                  notes: Sequence[str] = (), text_columns: Sequence[str] = (),
                  bool_columns: Sequence[str] = (), unique: bool = True) -> pd.DataFrame:
    """Validate a non-price frame, add ``published`` (the catalog's release rule), attach provenance."""
    df = df.copy()
    df.index = pd.DatetimeIndex(df.index).rename("date")
    out = validate_series(df, spec.name, spec if spec.columns else None,
                          text_columns=text_columns, bool_columns=bool_columns, unique=unique)
    add_release_columns(out, spec.release)
    prov = Provenance(name=spec.name, source=source, origin="download", location=url,
                      retrieved=now_iso(), units=spec.units, frequency=spec.frequency,
                      notes=tuple(notes))
    return attach(out, prov)


def window(df: pd.DataFrame, start: pd.Timestamp | None, end: pd.Timestamp | None) -> pd.DataFrame:
    """Rows with start <= date <= end (either bound optional)."""
    mask = np.ones(len(df), dtype=bool)
    if start is not None:
        mask &= df.index >= pd.Timestamp(start)
    if end is not None:
        mask &= df.index <= pd.Timestamp(end)
    if mask.all():
        return df
    out = df[mask]
    if out.attrs.get("provenance"):
        out = attach(out.copy(), Provenance.from_dict(out.attrs["provenance"]))
    return out


def repair_ohlc(df: pd.DataFrame, tolerance: float = 0.005) -> tuple[pd.DataFrame, list[str]]:
    """Widen high/low to contain open and close when they miss by a rounding-sized amount.

    Vendors round OHLC fields independently, so an open can sit a hair above the
    high. Misses up to ``tolerance`` (relative) are repaired:
    ``high = max(high, open, close)``, ``low = min(low, open, close)``; larger
    misses are left for validation to reject.

    Returns
    -------
    (frame, dates): the repaired copy and the ISO dates that were changed.
    """
    out = df.copy()
    o, h, lo, c = (out[k] for k in ("open", "high", "low", "close"))
    top = pd.concat([o, c], axis=1).max(axis=1)
    bottom = pd.concat([o, c], axis=1).min(axis=1)
    fix_hi = (top > h) & (top <= h * (1 + tolerance))
    fix_lo = (bottom < lo) & (bottom >= lo * (1 - tolerance))
    out.loc[fix_hi, "high"] = top[fix_hi]
    out.loc[fix_lo, "low"] = bottom[fix_lo]
    changed = out.index[(fix_hi | fix_lo).to_numpy()]
    return out, [d.date().isoformat() for d in changed]
