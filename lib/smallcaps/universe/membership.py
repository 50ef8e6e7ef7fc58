"""Point-in-time universe membership.

A :class:`Membership` is a list of dated observations (which tickers were in the
universe on that date), read forward: on a date ``d`` the members are those of the
**latest observation on or before d**. That is exactly what was known on ``d``; a
ticker is never a member before the first observation that lists it.

Observations come from

- **membership intervals** ``ticker,start_date,end_date`` (the snapshot's
  ``universe/r2k_membership.csv``): with ``kind="snapshots"`` (default for the
  Russell 2000 file) every start and end date is a holdings snapshot, and a ticker is
  in each snapshot its interval spans (an empty ``end_date`` = still a member at the
  last snapshot); with ``kind="exact"`` the interval is the membership itself
  (member on ``start_date <= d <= end_date``);
- **dated iShares holdings files** (``universe/holdings/IWM_<date>.csv`` in a
  snapshot, ``<cache>/holdings/`` after ``smallcaps data pull holdings:IWM``): the
  equity tickers of each file are one observation (by default only files dated after
  the intervals' last snapshot, see ``holdings=`` of :func:`membership`). iShares
  writes class shares without a separator (``MOGA``); they are matched to the
  intervals' spelling (``MOG-A``) when that is the only reading;
- a **plain list** of tickers (a user universe): one observation with no date, i.e.
  the same members on every date (not point in time, and said so in its provenance).

Universes by name (:func:`membership`): ``russell2000`` (aliases ``r2k``, ``iwm``)
from the snapshot and the cache; any other name is looked up as
``<cache>/universes/<name>.txt`` (list) or ``.csv`` (intervals), and a path to such
a file works too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .. import config
from ..data import snapshot as _snap
from ..data.catalog import is_ticker
from ..data.errors import DataError
from . import holdings as _holdings

__all__ = ["Membership", "from_holdings", "from_intervals", "from_list", "members", "membership",
           "read_intervals", "read_list", "universe_param", "universes_dir"]

ALIASES = {"russell2000": "russell2000", "r2k": "russell2000", "iwm": "russell2000",
           "rut": "russell2000"}
R2K_INTERVALS = "universe/r2k_membership.csv"
_FAR_FUTURE = pd.Timestamp("2262-01-01")


@dataclass(frozen=True)
class Membership:
    """Dated observations of a universe, read forward (see the module docstring).

    Attributes
    ----------
    name : the universe's name.
    dates : observation dates, ascending (a single ``NaT``-free date of
        1900-01-01 for a static list).
    tickers : every ticker that is ever a member, sorted.
    matrix : bool array (len(dates), len(tickers)): member at each observation.
    sources : where the observations came from (files, with their role).
    notes : caveats to carry into provenance (gaps, static list...).
    """

    name: str
    dates: pd.DatetimeIndex
    tickers: tuple[str, ...]
    matrix: np.ndarray
    sources: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)
    static: bool = False

    def _rows(self, when: pd.DatetimeIndex) -> np.ndarray:
        return np.searchsorted(self.dates.values, pd.DatetimeIndex(when).values, side="right") - 1

    def members(self, as_of: str | pd.Timestamp) -> list[str]:
        """Tickers that were members on ``as_of`` (latest observation on or before it)."""
        ts = _date(as_of, self.name)
        row = int(self._rows(pd.DatetimeIndex([ts]))[0])
        if row < 0:
            return []
        return [t for t, m in zip(self.tickers, self.matrix[row], strict=True) if m]

    def observation_date(self, as_of: str | pd.Timestamp) -> pd.Timestamp | None:
        """The observation that ``members(as_of)`` reads (None before the first)."""
        row = int(self._rows(pd.DatetimeIndex([_date(as_of, self.name)]))[0])
        return None if row < 0 or self.static else self.dates[row]

    def mask(self, dates: pd.DatetimeIndex, tickers: list[str] | tuple[str, ...]) -> np.ndarray:
        """Bool array (len(dates), len(tickers)): member on each date (one vectorised lookup)."""
        rows = self._rows(pd.DatetimeIndex(dates))
        col_of = {t: i for i, t in enumerate(self.tickers)}
        cols = np.array([col_of.get(str(t).upper(), -1) for t in tickers], dtype=np.int64)
        out = np.zeros((len(rows), len(cols)), dtype=bool)
        ok_r = rows >= 0
        ok_c = cols >= 0
        if ok_r.any() and ok_c.any():
            sub = self.matrix[np.ix_(rows[ok_r], cols[ok_c])]
            out[np.ix_(np.flatnonzero(ok_r), np.flatnonzero(ok_c))] = sub
        return out

    def ever(self, start: str | pd.Timestamp | None = None,
             end: str | pd.Timestamp | None = None) -> list[str]:
        """Tickers that are members on at least one date of ``[start, end]``."""
        lo = self._rows(pd.DatetimeIndex([_date(start, self.name)]))[0] if start is not None else 0
        hi = self._rows(pd.DatetimeIndex([_date(end, self.name)]))[0] if end is not None else len(self.dates) - 1
        lo = max(int(lo), 0)
        if hi < 0:
            return []
        any_member = self.matrix[lo:int(hi) + 1].any(axis=0)
        return [t for t, m in zip(self.tickers, any_member, strict=True) if m]

    def counts(self) -> pd.Series:
        """Number of members at each observation date."""
        return pd.Series(self.matrix.sum(axis=1), index=self.dates, name="members")

    def describe(self) -> str:
        """One line for a footer: name, observations, range, sources."""
        if self.static:
            return f"{self.name}: static list of {len(self.tickers)} tickers (not point in time)"
        return (f"{self.name}: {len(self.dates)} membership observations "
                f"{self.dates[0]:%Y-%m-%d} .. {self.dates[-1]:%Y-%m-%d}, {len(self.tickers)} tickers; "
                + "; ".join(self.sources))


def _date(value, name: str) -> pd.Timestamp:
    try:
        ts = pd.Timestamp(value)
    except (ValueError, TypeError):
        raise DataError(name, f"{value!r} is not a date (use ISO format, e.g. 2023-12-29)") from None
    if ts is pd.NaT:
        raise DataError(name, f"{value!r} is not a date")
    return ts.tz_localize(None).normalize() if ts.tzinfo is not None else ts.normalize()


def read_intervals(path: str | Path) -> pd.DataFrame:
    """Read and validate a ``ticker,start_date,end_date`` membership file.

    Returns
    -------
    DataFrame with ``ticker`` (upper case), ``start_date`` and ``end_date``
    (``NaT`` for an open interval).

    Raises
    ------
    DataError
        Missing columns, empty ticker, unparsable date or ``end_date`` before
        ``start_date``: the file, the line and the rule are named.
    """
    p = Path(path)
    try:
        raw = pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise DataError(str(p), f"cannot read the membership file ({type(exc).__name__}: {exc})") from None
    raw.columns = [c.strip().lower() for c in raw.columns]
    missing = [c for c in ("ticker", "start_date", "end_date") if c not in raw.columns]
    if missing:
        raise DataError(p.name, f"membership file lacks column(s) {', '.join(missing)}",
                        hint="expected header ticker,start_date,end_date")
    lines = np.arange(len(raw)) + 2
    tick = raw["ticker"].str.strip().str.upper()
    if (tick == "").any():
        raise DataError(p.name, "empty ticker", [f"line {n}" for n in lines[(tick == "").to_numpy()]])
    start = pd.to_datetime(raw["start_date"].str.strip(), errors="coerce", format="ISO8601")
    end_txt = raw["end_date"].str.strip()
    end = pd.to_datetime(end_txt.where(end_txt != "", None), errors="coerce", format="ISO8601")
    bad = start.isna() | (end.isna() & (end_txt != ""))
    if bad.any():
        raise DataError(p.name, "unparsable date (use YYYY-MM-DD; end_date may be empty)",
                        [f"line {n}" for n in lines[bad.to_numpy()]])
    rev = end.notna() & (end < start)
    if rev.any():
        raise DataError(p.name, "end_date before start_date", [f"line {n}" for n in lines[rev.to_numpy()]])
    return pd.DataFrame({"ticker": tick, "start_date": start, "end_date": end})


def from_intervals(df: pd.DataFrame, name: str, kind: str = "snapshots",
                   source: str = "") -> Membership:
    """Membership from intervals (see the module docstring for ``kind``)."""
    if kind not in ("snapshots", "exact"):
        raise DataError(name, f"kind must be 'snapshots' or 'exact', got {kind!r}")
    if df.empty:
        raise DataError(name, "no membership intervals")
    tickers = tuple(sorted(df["ticker"].unique()))
    col = {t: i for i, t in enumerate(tickers)}
    starts = df["start_date"].to_numpy("datetime64[ns]")
    ends = df["end_date"].to_numpy("datetime64[ns]")
    if kind == "snapshots":
        obs = np.unique(np.concatenate([starts, ends[~np.isnat(ends)]]))
        ends_eff = np.where(np.isnat(ends), np.datetime64(_FAR_FUTURE), ends)
    else:
        after = ends[~np.isnat(ends)] + np.timedelta64(1, "D")
        obs = np.unique(np.concatenate([starts, after]))
        ends_eff = np.where(np.isnat(ends), np.datetime64(_FAR_FUTURE), ends)
    matrix = np.zeros((len(obs), len(tickers)), dtype=bool)
    cols = np.array([col[t] for t in df["ticker"]])
    # each interval covers a contiguous run of observations: mark it row-range by row-range
    lo = np.searchsorted(obs, starts, side="left")
    hi = np.searchsorted(obs, ends_eff, side="right")
    for c, a, b in zip(cols, lo, hi, strict=True):  # intervals, not symbols: ~7k cheap slices
        matrix[a:b, c] = True
    notes = []
    if kind == "snapshots":
        gaps = np.diff(obs).astype("timedelta64[D]").astype(int)
        for i in np.flatnonzero(gaps > 100):
            notes.append(f"no observation between {pd.Timestamp(obs[i]):%Y-%m-%d} and "
                         f"{pd.Timestamp(obs[i + 1]):%Y-%m-%d}: members carried forward")
    return Membership(name=name, dates=pd.DatetimeIndex(obs), tickers=tickers, matrix=matrix,
                      sources=(f"intervals {source} ({kind})",) if source else (f"intervals ({kind})",),
                      notes=tuple(notes))


def from_holdings(files: dict[pd.Timestamp, Path], name: str) -> Membership:
    """Membership observed in dated holdings files (equity tickers of each file)."""
    if not files:
        raise DataError(name, "no holdings files")
    obs, sets = [], []
    for _, path in sorted(files.items()):
        df = _holdings.read_holdings(path)
        obs.append(pd.Timestamp(df.attrs["as_of"]))
        sets.append(set(_holdings.equity_tickers(df)))
    return _from_sets(name, obs, sets, tuple(f"holdings {p}" for p in files.values()))


def _from_sets(name: str, obs: list[pd.Timestamp], sets: list[set[str]],
               sources: tuple[str, ...], notes: tuple[str, ...] = ()) -> Membership:
    order = np.argsort(np.array(obs, dtype="datetime64[ns]"), kind="stable")
    tickers = tuple(sorted(set().union(*sets)))
    col = {t: i for i, t in enumerate(tickers)}
    matrix = np.zeros((len(obs), len(tickers)), dtype=bool)
    for r, i in enumerate(order):
        matrix[r, [col[t] for t in sets[i]]] = True
    return Membership(name=name, dates=pd.DatetimeIndex([obs[i] for i in order]), tickers=tickers,
                      matrix=matrix, sources=sources, notes=notes)


def merge(base: Membership, extra: Membership) -> Membership:
    """Add ``extra``'s observations to ``base`` (same date: the union of both).

    ``extra``'s tickers written without a class separator (``MOGA``) take ``base``'s
    spelling (``MOG-A``) when exactly one base ticker reads that way.
    """
    squash: dict[str, list[str]] = {}
    for t in base.tickers:
        squash.setdefault(re.sub(r"[-. ]", "", t), []).append(t)
    base_set = set(base.tickers)

    def spell(t: str) -> str:
        if t in base_set:
            return t
        cands = squash.get(t, [])
        return cands[0] if len(cands) == 1 else t

    obs = {d: {base.tickers[j] for j in np.flatnonzero(base.matrix[i])}
           for i, d in enumerate(base.dates)}
    for i, d in enumerate(extra.dates):
        obs.setdefault(d, set()).update(spell(extra.tickers[j]) for j in np.flatnonzero(extra.matrix[i]))
    dates = sorted(obs)
    return _from_sets(base.name, dates, [obs[d] for d in dates], base.sources + extra.sources,
                      base.notes + extra.notes)


def read_list(path: str | Path) -> list[str]:
    """Tickers of a plain list file: one per line (commas or spaces also separate),
    ``#`` starts a comment; upper-cased, duplicates dropped, order kept.

    Raises
    ------
    DataError
        A token that is not a ticker (the line is named) or an empty list.
    """
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise DataError(str(p), f"cannot read the list ({exc.strerror})") from None
    out: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        for tok in re.split(r"[,\s;]+", line.split("#", 1)[0]):
            if not tok:
                continue
            if not is_ticker(tok):
                raise DataError(p.name, f"{tok!r} is not a ticker", [f"line {n}"])
            out.append(tok.upper())
    if not out:
        raise DataError(p.name, "the list holds no tickers")
    return list(dict.fromkeys(out))


def from_list(tickers: list[str], name: str, source: str = "") -> Membership:
    """A static universe: the same members on every date (not point in time)."""
    ts = tuple(sorted({t.upper() for t in tickers}))
    return Membership(name=name, dates=pd.DatetimeIndex([pd.Timestamp("1900-01-01")]), tickers=ts,
                      matrix=np.ones((1, len(ts)), dtype=bool),
                      sources=(f"list {source}",) if source else ("list",),
                      notes=("static list: the same members on every date, not point in time",),
                      static=True)


def universes_dir(folder: Path | None = None) -> Path:
    """Folder of user universes: ``<cache>/universes`` (``<name>.txt`` or ``<name>.csv``)."""
    return Path(folder or config.cache()) / "universes"


def _stamp(paths) -> tuple:
    out = []
    for p in paths:
        try:
            st = Path(p).stat()
            out.append((str(p), st.st_mtime_ns, st.st_size))
        except OSError:
            out.append((str(p), None, None))
    return tuple(out)


_MEMO: dict[tuple, Membership] = {}


HOLDINGS_MODES = ("extend", "merge", "ignore")


def _russell2000(snapshot: Path | None, holdings: str) -> Membership:
    # memoised on the source files' names, times and sizes: a new or changed file is read again
    if holdings not in HOLDINGS_MODES:
        raise DataError("russell2000", f"holdings must be one of {', '.join(HOLDINGS_MODES)}, "
                                       f"got {holdings!r}")
    files = _holdings.holdings_files("IWM", snapshot=snapshot) if holdings != "ignore" else {}
    key = ("russell2000", holdings, _stamp([Path(snapshot) / R2K_INTERVALS] if snapshot else []),
           _stamp(files.values()))
    if key not in _MEMO:
        if len(_MEMO) > 8:
            _MEMO.clear()
        _MEMO[key] = _build_russell2000(snapshot, files, holdings)
    return _MEMO[key]


def _build_russell2000(snapshot: Path | None, files: dict[pd.Timestamp, Path],
                       holdings: str) -> Membership:
    parts: list[Membership] = []
    if snapshot is not None and (Path(snapshot) / R2K_INTERVALS).is_file():
        path = Path(snapshot) / R2K_INTERVALS
        parts.append(from_intervals(read_intervals(path), "russell2000", "snapshots", str(path)))
    if parts and holdings == "extend":
        # the intervals are the reference; dated files only extend them past their last snapshot
        last = parts[0].dates[-1]
        files = {d: p for d, p in files.items() if d > last}
    if files:
        parts.append(from_holdings(files, "russell2000"))
    if not parts:
        raise DataError("russell2000", "no membership data: neither universe/r2k_membership.csv in a "
                        "snapshot nor IWM holdings files in the snapshot or the cache",
                        hint="point SMALLCAPS_SNAPSHOT at a snapshot, or run: smallcaps data pull "
                             "holdings:IWM --as-of DATE (several dates)")
    out = parts[0]
    for extra in parts[1:]:
        out = merge(out, extra)
    note = ("IWM fund holdings, not FTSE Russell's index list: reconstitution shows up at the "
            "next holdings snapshot; names are as iShares wrote them on each date")
    return Membership(out.name, out.dates, out.tickers, out.matrix, out.sources, (*out.notes, note))


def membership(universe: str = "russell2000", *, snapshot: str | Path | None = None,
               holdings: str = "extend") -> Membership:
    """The :class:`Membership` of a universe by name or file.

    Parameters
    ----------
    universe : ``"russell2000"`` (or ``r2k``, ``iwm``), the name of a user universe
        in ``<cache>/universes/`` (``NAME.txt`` list or ``NAME.csv`` intervals), or
        a path to such a file.
    snapshot : snapshot folder (default ``SMALLCAPS_SNAPSHOT``).
    holdings : Russell 2000 only, how dated IWM holdings files join the intervals:
        ``"extend"`` (default) adds the files dated after the intervals' last snapshot
        (and uses the files alone when there are no intervals), so every name's first
        membership is its interval's ``start_date``; ``"merge"`` adds every file as an
        observation (more detail between quarter-ends: names held between two
        snapshots appear from the file's date, before their interval starts);
        ``"ignore"`` uses the intervals only.

    Raises
    ------
    DataError
        Unknown universe (the places looked in are named) or a bad file.
    """
    if not isinstance(universe, str) or not universe.strip():
        raise DataError(repr(universe), "universe must be a name or a file path")
    folder = Path(snapshot).expanduser() if snapshot is not None else _snap.snapshot_from_env()
    key = universe.strip()
    if key.lower() in ALIASES:
        return _russell2000(folder, holdings)
    candidates = [Path(key).expanduser()] if ("/" in key or key.endswith((".txt", ".csv"))) else []
    if re.fullmatch(r"[A-Za-z0-9_.-]+", key):
        candidates += [universes_dir() / f"{key}.txt", universes_dir() / f"{key}.csv"]
    for p in candidates:
        if p.is_file():
            if p.suffix.lower() == ".csv":
                return from_intervals(read_intervals(p), p.stem, "exact", str(p))
            return from_list(read_list(p), p.stem, str(p))
    raise DataError(key, "unknown universe",
                    hint=f"use 'russell2000', or a list (NAME.txt) / intervals (NAME.csv) file in "
                         f"{universes_dir()}, or a path to one; looked for: "
                         + ", ".join(str(c) for c in candidates))


def members(universe: str = "russell2000", as_of: str | pd.Timestamp | None = None, *,
            snapshot: str | Path | None = None, holdings: str = "extend") -> list[str]:
    """Tickers that were members of ``universe`` on ``as_of``, point in time.

    Parameters
    ----------
    universe : see :func:`membership`.
    as_of : the date (default: today). Members are those of the latest membership
        observation on or before it; a ticker is never returned before its first.
    snapshot : snapshot folder (default ``SMALLCAPS_SNAPSHOT``).
    holdings : see :func:`membership`.

    Returns
    -------
    list of str, sorted (empty before the first observation).
    """
    m = membership(universe, snapshot=snapshot, holdings=holdings)
    return m.members(pd.Timestamp.today().normalize() if as_of is None else as_of)


def universe_param(snapshot: str | Path | None = None):
    """A :func:`smallcaps.params.check` validator for a universe parameter: the name must
    be known (``russell2000`` ...) or name a readable list/intervals file; a known
    universe whose data is missing passes (the caller reports it where it is used)."""

    def validate(name: str, value) -> str:
        from ..params import ParameterError

        if not isinstance(value, str) or not value.strip():
            raise ParameterError(name, f"expected a universe name or file, got {value!r}")
        try:
            membership(value, snapshot=snapshot)
        except DataError as exc:
            if exc.rule.startswith("unknown universe") or value.strip().endswith((".txt", ".csv")):
                raise ParameterError(name, str(exc)) from None
            # a known universe whose data is missing: the notebook says so where it is used
        return value.strip()

    return validate
