"""``load()``: one entry point for every catalog series.

Resolution order, first hit wins:

1. the snapshot folder given as ``snapshot=`` or by ``SMALLCAPS_SNAPSHOT``;
2. the local cache (filled by ``smallcaps data pull``, ``data snapshot`` or
   ``data import``); a corrupt cache file is reported and rebuilt from the snapshot
   it came from when that still exists, never silently used;
3. synthetic demo data, only when asked for (``demo=True`` or ``SMALLCAPS_DEMO=1``),
   and then labelled SYNTHETIC DEMO DATA in its provenance and on every figure.

Otherwise a :class:`DataError` says how to get the data.
"""

from __future__ import annotations

import dataclasses
import json
import warnings
from pathlib import Path

import pandas as pd

from .. import config
from . import cache
from . import snapshot as _snap
from .catalog import spec as get_spec
from .errors import DataError
from .pointintime import add_release_columns, cut_as_of
from .provenance import Provenance, attach, provenance


def _to_ts(value, what: str, name: str) -> pd.Timestamp | None:
    if value is None:
        return None
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise DataError(name, f"{what} {value!r} is not a date (use ISO format, e.g. 2024-01-31)") from None
    if ts is pd.NaT:
        raise DataError(name, f"{what} {value!r} is not a date")
    return ts.tz_localize(None) if ts.tzinfo is not None else ts


def demo_enabled() -> bool:
    """Whether ``SMALLCAPS_DEMO`` allows synthetic demo data (``smallcaps.config.demo``)."""
    return config.demo()


def _from_cache(name: str) -> pd.DataFrame | None:
    if not cache.exists(name):
        return None
    try:
        return cache.read(name)
    except cache.CacheCorrupt as exc:
        warnings.warn(str(exc), stacklevel=3)
        stored = cache.info(name)
        if stored is not None and stored.origin == "snapshot" and Path(stored.location).is_file():
            folder = Path(stored.location).parents[1]
            df = _snap.read(folder, get_spec(name))
            cache.write(name, df, provenance(df))
            warnings.warn(f"{name}: cache rebuilt from snapshot {folder}", stacklevel=3)
            return cache.read(name)
        raise


def _log(prov: Provenance) -> None:
    # set by the runner: every load() appends its provenance as a JSON line, so each
    # run's manifest lists the data a notebook actually read
    path = config.provenance_log()
    if path is None:
        return
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(prov.to_dict(), default=str) + "\n")
    except OSError as exc:  # the log is an aid, never a reason to fail a load
        warnings.warn(f"could not record provenance in {path}: {exc}", stacklevel=3)


def load(
    name: str,
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    as_of: str | pd.Timestamp | None = None,
    snapshot: str | Path | None = None,
    contracts: str = "primary",
    demo: bool | None = None,
) -> pd.DataFrame:
    """Load a catalog series as a validated frame with provenance.

    Parameters
    ----------
    name : catalog name ("RUT", "IWM", "margin_debt", "cot:russell2000", ...);
        case-insensitive. Unknown names raise with close matches.
    start, end : inclusive date bounds (ISO strings or Timestamps).
    as_of : point in time: keep only what was usable at this date's close (for
        prices, rows up to the date; for slow series, rows whose ``usable_from``,
        else ``published``, date is on or before it).
    snapshot : read this snapshot folder instead of ``$SMALLCAPS_SNAPSHOT``.
    contracts : COT only: "primary" (one row per week, default) or "all" (both
        Russell contracts during the 2017-18 ICE -> CME switch).
    demo : True to fall back to synthetic demo data when no real data exists
        (default: the ``SMALLCAPS_DEMO`` environment variable).

    Returns
    -------
    pandas.DataFrame
        Prices: DatetimeIndex ``date``; float columns open, high, low, close,
        adj_close, volume. Other series: their value columns plus ``published``
        (and ``usable_from`` for releases after the close), recomputed from the
        release calendars on every load.
        ``df.attrs["provenance"]`` describes the origin (see
        :func:`smallcaps.data.provenance`).

    Raises
    ------
    DataError
        Unknown name, bad dates, no data available, invalid data, or an empty
        window.
    """
    sp = get_spec(name)
    name = sp.name
    start_ts = _to_ts(start, "start", name)
    end_ts = _to_ts(end, "end", name)
    as_of_ts = _to_ts(as_of, "as_of", name)
    if start_ts is not None and end_ts is not None and start_ts > end_ts:
        raise DataError(name, f"start {start_ts.date()} is after end {end_ts.date()}")

    folder = Path(snapshot).expanduser() if snapshot is not None else _snap.snapshot_from_env()
    if folder is not None and not folder.is_dir():
        raise DataError(name, f"snapshot folder {folder} does not exist")
    df = None
    if folder is not None and _snap.has_series(folder, sp):
        df = _snap.read(folder, sp, contracts=contracts)
    if df is None:
        df = _from_cache(name)
        if df is not None and sp.kind == "cot" and contracts != "all" and "is_primary" in df:
            # pulled COT caches keep every contract's rows; pick the primary one per week
            df = attach(df[df["is_primary"].astype(bool).to_numpy()].copy(), provenance(df))
    if df is None and (demo if demo is not None else demo_enabled()):
        from .. import demo as demo_mod

        df = demo_mod.series(name)
    if df is None:
        where = f"snapshot {folder}" if folder is not None else "no snapshot configured"
        hint = (f"import it with: smallcaps data import FILE --as {name}" if sp.import_only else
                f"fetch it with: smallcaps data pull {name}, or point SMALLCAPS_SNAPSHOT at a snapshot folder")
        raise DataError(name, f"no data available ({where}; not in cache {cache.cache_dir()})", hint=hint)

    prov = provenance(df)
    if sp.kind != "prices" and sp.release != "same_day":
        # release dates from today's calendars, also for caches written under older rules
        df = attach(add_release_columns(df.copy(), sp.release), prov)
    if as_of_ts is not None:
        df = cut_as_of(df, as_of_ts, name)
        prov = dataclasses.replace(prov, as_of=as_of_ts.date().isoformat())
    if start_ts is not None or end_ts is not None:
        mask = pd.Series(True, index=df.index)
        if start_ts is not None:
            mask &= df.index >= start_ts
        if end_ts is not None:
            mask &= df.index <= end_ts
        df = df[mask.to_numpy()]
    if df.empty:
        window = f"{start_ts.date() if start_ts is not None else '...'} to {end_ts.date() if end_ts is not None else '...'}"
        raise DataError(name, f"empty result for the requested window {window}",
                        hint=f"data covers {prov.first} to {prov.last}")
    df = attach(df.copy(), prov)
    _log(provenance(df))
    return df


def available(name: str, snapshot: str | Path | None = None) -> str | None:
    """Where ``name`` would be loaded from ("snapshot" or "cache"), or None."""
    sp = get_spec(name)
    folder = Path(snapshot) if snapshot is not None else _snap.snapshot_from_env()
    if folder is not None and _snap.has_series(folder, sp):
        return "snapshot"
    if cache.exists(sp.name):
        return "cache"
    return None
