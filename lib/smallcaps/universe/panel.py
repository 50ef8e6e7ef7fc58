"""Many symbols at once: wide (dates x symbols) price frames.

:func:`load_panel` reads every requested symbol in one pass from the snapshot's
long-format ``universe/prices_daily.parquet`` and ``universe/etf_prices_daily.parquet``
(one filtered parquet read each, pivoted with numpy, not a loop over symbols), then
from ``market/<SYMBOL>.csv`` and the cache for the few symbols left. Symbols found
nowhere stay as all-NaN columns and are listed in ``Panel.missing``: nothing is
dropped silently. Nothing is downloaded here; see :func:`smallcaps.universe.pull_prices`.
"""

from __future__ import annotations

import dataclasses
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..data import cache as _cache
from ..data import snapshot as _snap
from ..data.catalog import PRICE_COLUMNS, is_ticker
from ..data.catalog import spec as get_spec
from ..data.errors import DataError
from ..data.provenance import Provenance, attach

__all__ = ["FIELDS", "Panel", "load_panel", "panel", "panel_dates"]

FIELDS = PRICE_COLUMNS  # open, high, low, close, adj_close, volume


@dataclass
class Panel:
    """Wide price frames of many symbols on one date index.

    Attributes
    ----------
    frames : ``{field: DataFrame}``, each indexed by ``date`` with one column per
        requested symbol (in the order asked), NaN where a symbol has no row.
    symbols : the requested symbols (upper case).
    missing : symbols with no price data anywhere (all-NaN columns).
    sources : ``{symbol: where it was read}`` ("snapshot prices_daily.parquet", ...).
    provenance : one :class:`~smallcaps.data.Provenance` for the whole panel.

    ``panel.close``, ``panel.high`` ... return ``frames[field]``.
    """

    frames: dict[str, pd.DataFrame]
    symbols: list[str]
    missing: list[str] = field(default_factory=list)
    sources: dict[str, str] = field(default_factory=dict)
    provenance: Provenance | None = None

    def __getattr__(self, name: str) -> pd.DataFrame:
        frames = self.__dict__.get("frames", {})
        if name in frames:
            return frames[name]
        if name in FIELDS:
            raise AttributeError(f"field {name!r} was not loaded; load_panel(..., fields=[{name!r}, ...])")
        raise AttributeError(name)

    @property
    def index(self) -> pd.DatetimeIndex:
        return next(iter(self.frames.values())).index

    def coverage(self) -> pd.Series:
        """Number of symbols with a close (or the first field) on each date."""
        f = self.frames.get("close", next(iter(self.frames.values())))
        return f.notna().sum(axis=1).rename("symbols_with_prices")


def _norm_symbols(symbols: Iterable[str]) -> list[str]:
    if isinstance(symbols, str):
        symbols = [symbols]
    out = []
    for s in symbols:
        if not isinstance(s, str) or not s.strip():
            raise DataError(repr(s), "a panel symbol must be a non-empty string")
        # odd symbols of a membership file ('AFIN US') are kept: they end up in ``missing``
        out.append(s.strip().upper())
    if not out:
        raise DataError("panel", "no symbols given")
    return list(dict.fromkeys(out))


def _read_long(path: Path, wanted: set[str], fields: Sequence[str], start, end) -> pd.DataFrame:
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    # filtered while reading (pyarrow's dataset scanner, in parallel): half the time of
    # reading the columns whole and filtering the table after
    keep = pc.field("ticker").isin(pa.array(sorted(wanted), type=pa.string()))
    if start is not None:
        keep = keep & (pc.field("date") >= pa.scalar(start.date(), pa.date32()))
    if end is not None:
        keep = keep & (pc.field("date") <= pa.scalar(end.date(), pa.date32()))
    table = pq.read_table(path, columns=["date", "ticker", *fields], filters=keep,
                          read_dictionary=["ticker"])  # a categorical: cheap to map to columns
    return table.to_pandas(date_as_object=False)


def load_panel(
    symbols: Iterable[str],
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    fields: Sequence[str] = ("open", "high", "low", "close", "adj_close", "volume"),
    snapshot: str | Path | None = None,
) -> Panel:
    """Read many symbols' daily prices into one :class:`Panel`.

    Parameters
    ----------
    symbols : tickers (case-insensitive), e.g. ``sc.universe.members("russell2000", ...)``.
    start, end : inclusive date bounds (default: all rows).
    fields : which of open, high, low, close, adj_close, volume to load.
    snapshot : snapshot folder (default ``SMALLCAPS_SNAPSHOT``).

    Returns
    -------
    Panel
        One wide frame per field on the union of the symbols' dates.

    Raises
    ------
    DataError
        An invalid symbol or field, or bad dates. Symbols without data are not an
        error: they are listed in ``Panel.missing``.
    """
    syms = _norm_symbols(symbols)
    fields = list(dict.fromkeys(fields))
    bad = [f for f in fields if f not in FIELDS]
    if bad or not fields:
        raise DataError("panel", f"unknown field(s) {', '.join(map(repr, bad)) or '(none)'}",
                        hint=f"use some of {', '.join(FIELDS)}")
    s = pd.Timestamp(start) if start is not None else None
    e = pd.Timestamp(end) if end is not None else None
    if s is not None and e is not None and s > e:
        raise DataError("panel", f"start {s.date()} is after end {e.date()}")
    folder = Path(snapshot).expanduser() if snapshot is not None else _snap.snapshot_from_env()

    parts: list[pd.DataFrame] = []
    sources: dict[str, str] = {}
    left = set(syms)
    locations: list[str] = []
    if folder is not None:
        # market/ CSVs first (the kit's own curated files win over the bulk files); the
        # folder is listed once rather than asked about each of thousands of symbols
        market = folder / "market"
        csvs = {f.name for f in market.glob("*.csv")} if market.is_dir() else set()
        for sym in sorted(left):
            if not is_ticker(sym):
                continue
            p = market / f"{sym.lstrip('^')}.csv"
            if p.name in csvs and p.is_file():
                try:
                    one = _snap.read(folder, get_spec(sym))
                except DataError:
                    continue
                parts.append(_long_from_frame(one, sym, fields, s, e))
                sources[sym] = f"snapshot {p}"
                left.discard(sym)
        for rel in _snap.PRICE_PARQUETS:
            p = folder / rel
            if not left or not p.is_file():
                continue
            have = left & _snap.parquet_tickers(p)
            if not have:
                continue
            long = _read_long(p, have, fields, s, e)
            parts.append(long)
            for sym in have:
                sources[sym] = f"snapshot {p}"
            left -= have
            locations.append(str(p))
    cached = _cache.present(s for s in left if is_ticker(s))
    for sym in sorted(cached):
        try:
            one = _cache.read(sym)
        except DataError as exc:
            warnings.warn(f"{sym}: cached prices unusable: {exc}", stacklevel=2)
            continue
        parts.append(_long_from_frame(one, sym, fields, s, e))
        sources[sym] = f"cache {_cache.data_path(sym)}"
        left.discard(sym)

    frames = _pivot(parts, syms, fields)
    idx = next(iter(frames.values())).index
    have_rows = frames[fields[0]].notna().any(axis=0)
    missing = [sym for sym in syms if not bool(have_rows[sym])]
    notes = [f"{len(syms) - len(missing)} of {len(syms)} symbols have prices"]
    if missing:
        notes.append(f"{len(missing)} without prices: {', '.join(missing[:20])}"
                     + (" ..." if len(missing) > 20 else ""))
    if folder is not None and any(str(folder / _snap.UNIVERSE_PRICES) in v for v in sources.values()):
        doc = _snap.provenance_doc(folder, folder / _snap.UNIVERSE_PRICES)
        if doc is not None:
            notes.append(f"provenance: {doc[0]}, section {doc[1]!r}")
        notes.append("member prices are a 2024-03 download of listed symbols: survivorship-biased "
                     "before 2023 (coverage rises from about 68% of members in 2019 to 98% in 2023)")
    prov = Provenance(name=f"panel of {len(syms)} symbols", source="Yahoo Finance (via snapshot/cache)",
                      origin="snapshot" if folder is not None else "cache",
                      location="; ".join(locations) or (str(folder) if folder else str(_cache.cache_dir())),
                      units="price per share", frequency="daily", notes=tuple(notes))
    for f, df in frames.items():
        frames[f] = attach(df, dataclasses.replace(prov, name=f"{prov.name}: {f}"))
    return Panel(frames=frames, symbols=syms, missing=missing, sources=sources,
                 provenance=Provenance.from_dict(frames[fields[0]].attrs["provenance"]) if len(idx) else prov)


def _long_from_frame(df: pd.DataFrame, sym: str, fields: Sequence[str], s, e) -> pd.DataFrame:
    d = df
    if s is not None:
        d = d[d.index >= s]
    if e is not None:
        d = d[d.index <= e]
    out = pd.DataFrame({f: d[f].to_numpy() if f in d else np.nan for f in fields})
    out.insert(0, "ticker", sym)
    out.insert(0, "date", d.index.to_numpy())
    return out


def _pivot(parts: list[pd.DataFrame], syms: list[str], fields: Sequence[str]) -> dict[str, pd.DataFrame]:
    cols = pd.Index(syms, name="symbol")
    if not parts:
        empty = pd.DatetimeIndex([], name="date")
        return {f: pd.DataFrame(np.empty((0, len(syms))), index=empty, columns=cols) for f in fields}
    dates = np.concatenate([part["date"].to_numpy().astype("datetime64[ns]") for part in parts])
    # row of each date: hashed (factorize) then ranked, not sorted whole (np.unique)
    codes, uniq = pd.factorize(dates)
    order = np.argsort(uniq)
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    r = rank[codes]
    uniq = uniq[order]
    # ticker -> column through each part's categorical codes (one dict lookup per symbol,
    # not per row; the parquet parts arrive as categoricals)
    col_of = {t: i for i, t in enumerate(syms)}
    c = np.concatenate([_columns(part["ticker"], col_of) for part in parts])
    idx = pd.DatetimeIndex(uniq, name="date")
    out = {}
    for f in fields:
        arr = np.full((len(uniq), len(syms)), np.nan, order="F")  # columns contiguous
        arr[r, c] = np.concatenate([part[f].to_numpy(dtype="float64") for part in parts])
        out[f] = pd.DataFrame(arr, index=idx, columns=cols)
    return out


def _columns(tickers: pd.Series, col_of: dict[str, int]) -> np.ndarray:
    """Column of each row's ticker (a parquet part's categories may list tickers that the
    date and symbol filters left without rows: only those in use are looked up)."""
    cat = pd.Categorical(tickers)
    used = np.bincount(cat.codes[cat.codes >= 0], minlength=len(cat.categories)) > 0
    lookup = np.full(len(cat.categories), -1, dtype=np.int64)
    for i in np.flatnonzero(used):
        lookup[i] = col_of[str(cat.categories[i])]
    return lookup[cat.codes]


def panel(
    symbols: Iterable[str],
    field: str = "close",
    start: str | pd.Timestamp | None = None,
    end: str | pd.Timestamp | None = None,
    *,
    snapshot: str | Path | None = None,
) -> pd.DataFrame:
    """One field of many symbols as a wide frame (dates x symbols).

    Same reading rules as :func:`load_panel`; symbols without data are all-NaN
    columns and are named in ``df.attrs["missing"]``.
    """
    p = load_panel(symbols, start, end, fields=[field], snapshot=snapshot)
    df = p.frames[field]
    df.attrs["missing"] = list(p.missing)
    return df


def panel_dates(
    symbols: Iterable[str],
    end: str | pd.Timestamp | None = None,
    *,
    snapshot: str | Path | None = None,
) -> tuple[pd.DatetimeIndex, list[str], Provenance | None]:
    """The dates :func:`load_panel` would return for ``symbols`` (up to ``end``),
    read from the date and ticker columns only.

    Returns (dates, symbols without prices, provenance); used to give every chunk
    of a chunked computation the same calendar.
    """
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    syms = _norm_symbols(symbols)
    e = pd.Timestamp(end) if end is not None else None
    folder = Path(snapshot).expanduser() if snapshot is not None else _snap.snapshot_from_env()
    left = set(syms)
    dates: list[np.ndarray] = []
    if folder is not None:
        for rel in _snap.PRICE_PARQUETS:
            p = folder / rel
            if not left or not p.is_file():
                continue
            have = left & _snap.parquet_tickers(p)
            if have:
                t = pq.read_table(p, columns=["date", "ticker"])
                t = t.filter(pc.is_in(t["ticker"], value_set=pa.array(sorted(have))))
                dates.append(np.unique(t["date"].to_numpy().astype("datetime64[ns]")))
                left -= have
    rest = sorted(s for s in left if is_ticker(s))
    if rest:
        small = load_panel(rest, end=e, fields=["close"], snapshot=snapshot)
        dates.append(small.close.index.to_numpy("datetime64[ns]"))
        left -= set(rest) - set(small.missing)
    idx = pd.DatetimeIndex(np.unique(np.concatenate(dates)) if dates else np.array([], "datetime64[ns]"),
                           name="date")
    if e is not None:
        idx = idx[idx <= e]
    missing = [s for s in syms if s in left]
    prov = None
    if folder is not None:
        doc = _snap.provenance_doc(folder, folder / _snap.UNIVERSE_PRICES)
        notes = [f"provenance: {doc[0]}, section {doc[1]!r}"] if doc else []
        prov = Provenance(name=f"panel of {len(syms)} symbols", source="Yahoo Finance (via snapshot/cache)",
                          origin="snapshot", location=str(folder / _snap.UNIVERSE_PRICES),
                          notes=tuple(notes))
    return idx, missing, prov
