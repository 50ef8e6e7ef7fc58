"""Refresh the cache from the live public sources: ``smallcaps data pull``.

For each catalog series:

1. **Refresh policy.** A series whose cache was downloaded less than
   ``max_age_hours`` ago is skipped unless ``force``.
2. **Sources in order** (:func:`smallcaps.data.sources.plan`): prices try
   yfinance, then Yahoo's chart API, then Stooq; margin debt FINRA; positioning
   the CFTC; put/call Cboe.
3. **Incremental.** Where the source can fetch a date range (prices, CFTC
   years) only the dates after the cached ones are fetched, with an overlap of a
   few days/weeks that must agree with the cache. A disagreement on the overlap
   (a split or a dividend changed Yahoo's history, or Stooq's dividend-adjusted
   closes differ from Yahoo's) triggers a full download from a source that
   keeps the split-only close, and never a silent splice. FINRA and Cboe
   publish the whole history in one file: the new file wins where both have a
   date, cached dates missing from the new file are kept (with a warning).
4. **Atomic and validated.** The merged frame goes through
   :func:`smallcaps.data.cache.write`, which validates before replacing
   anything: a download that fails validation never replaces the cache.
5. **Never shrinks.** A download that replaces cached rows (a full download,
   a restated overlap, a re-published file) must cover the cached range: it
   may not start later or end earlier than the cache, nor drop more than
   :data:`MAX_DROPPED_SHARE` of the cached dates. Otherwise it is refused and
   the cache kept. Accepted revisions are recorded in the provenance
   (``restatements``: which columns changed, from which date, how many rows).
6. **One bad answer is one failed source.** Any failure of a source (network,
   an unexpected JSON shape, a corrupt spreadsheet) is reported for that series
   and the next source is tried; later series are pulled as usual.
7. **Deadlines.** Every request has a total deadline (``request_deadline``,
   retries and waits included), and the pull has one (``deadline``); series
   not reached in time are reported as timed out and keep their cache.
8. **Fallback.** When every source fails, the cached data stays as it was and
   the summary says how old it is; a series is *usable* when the cache or the
   snapshot has it. :func:`exit_status` is non-zero when a series the pull is
   responsible for has nothing usable, or when a deadline cut the pull short.
9. **One writer.** The merge and write of a series happen under its cache lock;
   if another process changed the cache during the download, its version wins
   and this download is not stored.
"""

from __future__ import annotations

import dataclasses
import math
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import numpy as np
import pandas as pd

from .._core.pull_limits import (
    DEFAULT_DEADLINE,
    DEFAULT_MAX_AGE_HOURS,
    DEFAULT_REQUEST_DEADLINE,
    DEFAULT_TIMEOUT,
)
from . import cache
from .catalog import CATALOG, SeriesSpec
from .catalog import spec as get_spec
from .errors import DataError
from .pointintime import add_release_columns
from .provenance import Provenance, attach, provenance

# a replacement may drop at most this share of the cached dates (vendors withdraw a bad bar)
MAX_DROPPED_SHARE = cache.MAX_DROPPED_SHARE
PRICE_OVERLAP = pd.Timedelta(days=14)
COT_OVERLAP = pd.Timedelta(days=28)
# relative difference above which an overlapping close/adj_close counts as changed
OVERLAP_TOLERANCE = 5e-4
MARKET_TZ = "America/New_York"
# a daily bar is final once the vendor has settled it, some time after the 16:00 close
BAR_FINAL_HOUR = 18

__all__ = ["PullResult", "exit_status", "format_summary", "merge_prices", "merge_rows",
           "pull", "pull_one"]


@dataclass
class PullResult:
    """What happened to one series.

    status : "updated" (new data stored), "up to date" (fetched, nothing new),
        "fresh" (skipped: cache younger than the refresh limit), "cache" (every
        source failed; the cached data is kept), "snapshot" (sources failed or
        none exists; the snapshot has it), "no source" (no public feed; nothing
        cached), "import only" (e.g. NFIB), "imported" (the cache holds an import:
        left alone), "timed out" (a deadline ended the
        attempt; any cached data is kept), "failed" (nothing usable).
    timed_out : what ran out of time (empty when nothing did).
    """

    name: str
    status: str
    source: str = ""
    new_rows: int = 0
    rows: int = 0
    last_date: str = ""
    age: str = ""
    usable: bool = False
    required: bool = True
    warnings: list[str] = field(default_factory=list)
    error: str = ""
    timed_out: str = ""

    def message(self) -> str:
        """One line for the summary."""
        s = self.status
        if s == "updated":
            return f"{self.new_rows:,} new row(s) from {self.source}"
        if s == "up to date":
            return f"no new rows from {self.source}"
        if s == "fresh":
            return f"skipped: cache refreshed {self.age} ago (use --force to refresh)"
        if s == "cache":
            return f"sources failed; using cached data retrieved {self.age} ago"
        if s == "snapshot":
            return "not downloaded; the snapshot has it" + (f" ({self.error})" if self.error else "")
        if s == "import only":
            return (f"no public feed: import a CSV with smallcaps data import FILE --as {self.name}"
                    + ("; cached import kept" if self.usable else ""))
        if s == "imported":
            return (f"cached data is an {self.source}: pull never mixes downloads into an "
                    f"import (delete {cache.data_path(self.name)} to download it instead)")
        if s == "timed out":
            return ("TIMED OUT (see below)"
                    + ("; cached data kept" if self.usable else "; nothing usable"))
        if s == "no source":
            return "no public source adapter" + ("; cached data kept" if self.usable else
                                                 "; nothing cached")
        return f"FAILED: {self.error}"


# ---------------------------------------------------------------------------
# merging


class _NeedsFull(Exception):
    """The overlap disagrees with the cache: a full download is needed."""


def _rel_diff(a: pd.Series, b: pd.Series) -> pd.Series:
    both = a.notna() & b.notna()
    d = (a[both] - b[both]).abs() / b[both].abs().clip(lower=1e-12)
    return d


def merge_prices(base: pd.DataFrame | None, new: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Extend cached prices ``base`` with a newer window ``new``.

    The windows must overlap on at least one date, and on the overlap ``close``
    and ``adj_close`` must agree within :data:`OVERLAP_TOLERANCE` (relative);
    otherwise the history was restated (split, dividend, different vendor
    adjustment) and :class:`_NeedsFull` is raised. ``new`` wins on the overlap.

    Returns
    -------
    (merged frame, notes)
    """
    if base is None or base.empty:
        return new, []
    common = base.index.intersection(new.index)
    if len(common) == 0:
        raise _NeedsFull(f"no overlap between cached data (to {base.index[-1].date()}) "
                         f"and the download (from {new.index[0].date()})")
    for col in ("close", "adj_close"):
        d = _rel_diff(new.loc[common, col], base.loc[common, col])
        if len(d) and float(d.max()) > OVERLAP_TOLERANCE:
            worst = d.idxmax()
            raise _NeedsFull(f"{col} on {worst.date()} changed from {base.at[worst, col]:g} "
                             f"to {new.at[worst, col]:g} (split, dividend or restatement)")
    merged = merge_rows(base, new)
    kept = int((base.index < new.index[0]).sum())
    return merged, [f"incremental: {kept:,} cached rows kept, {len(new):,} downloaded"]


def merge_rows(base: pd.DataFrame | None, new: pd.DataFrame,
               key: Sequence[str] = ()) -> pd.DataFrame:
    """Union of ``base`` and ``new`` on (date, *key); ``new`` wins where both have a row.

    The result is sorted by date (then key); provenance attrs of ``new`` are kept.
    """
    if base is None or base.empty:
        return new
    cols = list(new.columns)
    b = base.reindex(columns=cols).reset_index()
    n = new.reset_index()
    date = n.columns[0]
    b = b.rename(columns={b.columns[0]: date})
    keys = [date, *key]
    b_keys = pd.MultiIndex.from_frame(b[keys])
    n_keys = pd.MultiIndex.from_frame(n[keys])
    keep = ~b_keys.isin(n_keys)
    both = pd.concat([b[keep], n], ignore_index=True)
    both = both.sort_values(keys, kind="stable").set_index(date)
    both.index = pd.DatetimeIndex(both.index, name="date")
    for col in cols:  # concat with an all-NaN part can widen dtypes
        if col in new.columns and new[col].dtype != both[col].dtype:
            try:
                both[col] = both[col].astype(new[col].dtype)
            except (TypeError, ValueError):
                pass
    both.attrs = dict(new.attrs)
    return both


def _new_keys(base: pd.DataFrame | None, merged: pd.DataFrame, key: Sequence[str] = ()) -> int:
    if base is None or base.empty:
        return len(merged)

    def keys(df: pd.DataFrame) -> pd.MultiIndex:
        frame = df.reset_index()
        return pd.MultiIndex.from_frame(frame[[frame.columns[0], *key]])

    return int((~keys(merged).isin(keys(base))).sum())


def _drop_unfinished(df: pd.DataFrame, now: pd.Timestamp) -> tuple[pd.DataFrame, list[str]]:
    """Drop today's bar (New York) while the session is not final yet."""
    ny = now.tz_convert(MARKET_TZ) if now.tzinfo is not None else now.tz_localize(MARKET_TZ)
    today = pd.Timestamp(ny.date())
    limit = today if ny.hour < BAR_FINAL_HOUR else today + pd.Timedelta(days=1)
    late = df.index >= limit
    if not late.any():
        return df, []
    out = df[~late]
    out.attrs = dict(df.attrs)
    return out, [f"dropped {int(late.sum())} unfinished bar(s) dated {today.date()} or later"]


# ---------------------------------------------------------------------------
# the pull


def _age_hours(prov: Provenance | None, now: pd.Timestamp) -> float | None:
    """Hours since the cached series was retrieved (None if unknown)."""
    ts = None
    if prov is not None and prov.retrieved:
        try:
            ts = pd.Timestamp(prov.retrieved)
        except (ValueError, TypeError):
            ts = None
    if ts is None or ts is pd.NaT:
        return None
    if ts.tzinfo is None:  # naive stamps (e.g. from data import) are local time
        ts = ts.tz_localize(datetime.now().astimezone().tzinfo)
    return max(0.0, (now - ts).total_seconds() / 3600)


def _file_age_hours(name: str, now: pd.Timestamp) -> float | None:
    p = cache.data_path(name)
    try:
        mtime = pd.Timestamp(p.stat().st_mtime, unit="s", tz="UTC")
    except OSError:
        return None
    return max(0.0, (now - mtime).total_seconds() / 3600)


def human_age(hours: float | None) -> str:
    if hours is None or not math.isfinite(hours):
        return "an unknown time"
    if hours < 1:
        return f"{max(1, round(hours * 60))} min"
    if hours < 48:
        return f"{hours:.1f} h"
    return f"{hours / 24:.0f} days"


def _snapshot_has(sp: SeriesSpec) -> bool:
    from . import snapshot as _snap

    try:
        folder = _snap.snapshot_from_env()
    except DataError:
        return False
    return folder is not None and _snap.has_series(folder, sp)


def _finalise(sp: SeriesSpec, merged: pd.DataFrame, prov: Provenance) -> pd.DataFrame:
    """Recompute derived columns (published, is_primary) over the merged frame."""
    out = merged.copy()
    if sp.kind == "cot" and "open_interest" in out.columns:
        from .sources.cftc import mark_primary

        out["is_primary"] = mark_primary(out).to_numpy()
    if sp.kind != "prices":
        add_release_columns(out, sp.release)
    return attach(out, prov)


def pull_one(
    name: str,
    *,
    max_age_hours: float | None = DEFAULT_MAX_AGE_HOURS,
    force: bool = False,
    full: bool = False,
    now: pd.Timestamp | None = None,
    required: bool = True,
    down: dict[str, str] | None = None,
    deadline: float | None = None,
) -> PullResult:
    """Refresh one catalog series; never raises for a source failure (see :class:`PullResult`).

    ``deadline`` bounds this series' downloads in seconds; by default the enclosing
    pull's deadline, or :data:`DEFAULT_DEADLINE` when called on its own (an
    on-demand ``load``), so no call can hang.

    ``down`` maps source labels found unreachable earlier in the same run to the
    reason; those sources are skipped (and sources found unreachable now are
    added), so an offline pull does not wait on every series. Requests are bounded
    by the enclosing :func:`smallcaps.data.sources._http.deadline_scope` (``pull``
    opens one).
    """
    from .sources import _http

    if deadline is None and _http.remaining() is None:
        deadline = DEFAULT_DEADLINE
    with _http.deadline_scope(deadline):
        return _pull_one(name, max_age_hours=max_age_hours, force=force, full=full, now=now,
                         required=required, down=down)


def _pull_one(name: str, *, max_age_hours: float | None, force: bool, full: bool,
              now: pd.Timestamp | None, required: bool,
              down: dict[str, str] | None) -> PullResult:
    from .sources import _http, plan
    from .sources._http import FetchError

    down = {} if down is None else down

    sp = get_spec(name)
    now = pd.Timestamp.now(tz="UTC") if now is None else (
        now if now.tzinfo is not None else now.tz_localize("UTC"))
    res = PullResult(name=sp.name, status="failed", required=required)

    base: pd.DataFrame | None = None
    stored: Provenance | None = None
    # fingerprint first: a writer slipping in after it makes the final check fail safe
    base_sig = cache.signature(sp.name)
    if cache.exists(sp.name):
        try:
            base, stored = cache.read_with_record(sp.name)
        except DataError as exc:
            res.warnings.append(f"cached file unusable, will be replaced: {exc}")
    if base is not None:
        age = _age_hours(stored, now)
        res.age = human_age(age if age is not None else _file_age_hours(sp.name, now))
        res.rows, res.last_date = len(base), base.index[-1].date().isoformat()
        res.usable = True
        if stored is not None and stored.origin == "import":
            res.status, res.source = "imported", stored.source
            return res
        fresh = (age is not None and stored is not None and stored.origin == "download"
                 and max_age_hours is not None and age < max_age_hours)
        if fresh and not force:
            res.status = "fresh"
            res.source = stored.source if stored else ""
            return res

    sources = plan(sp)
    if not sources:
        in_snapshot = _snapshot_has(sp)
        res.usable = res.usable or in_snapshot
        res.status = ("import only" if sp.import_only else
                      "no source" if base is not None or not in_snapshot else "snapshot")
        if res.status == "snapshot":
            res.error = "no public source adapter"
        return res

    errors: list[str] = []
    timed_out: list[str] = []
    for src in sources:
        if src.label in down:
            errors.append(f"{src.label}: skipped, {down[src.label]}")
            if down[src.label].startswith("timed out"):
                timed_out.append(f"{src.label} (timed out earlier in this run)")
            continue
        left = _http.remaining()
        if left is not None and left <= 0:
            errors.append(f"{src.label}: not tried, the pull's deadline was reached")
            timed_out.append(f"{src.label} (not tried: pull deadline)")
            continue
        start = None
        if base is not None and src.incremental and not full:
            overlap = PRICE_OVERLAP if sp.kind == "prices" else COT_OVERLAP
            start = base.index[-1] - overlap
        try:
            fetch: Callable[..., pd.DataFrame] = src.fetcher()
            new, notes = _fetch_and_merge(sp, fetch, src, base, start, full, now)
            prov = dataclasses.replace(provenance(new), notes=tuple(
                dict.fromkeys((*provenance(new).notes, *notes))))
            final = _finalise(sp, new, prov)
            _check_no_shrink(sp, base, final)
            final = _record_restatement(sp, base, stored, final, src.label, notes, now)
        except DataError as exc:
            errors.append(f"{src.label}: {_short(exc)}")
            if isinstance(exc, FetchError) and exc.timed_out:
                timed_out.append(f"{src.label} ({exc.reason})")
            if isinstance(exc, FetchError) and exc.outage:
                why = ("timed out" if exc.timed_out else "unreachable")
                down[src.label] = f"{why} earlier in this run ({exc.reason[:100]})"
            continue
        except Exception as exc:  # an answer of an unexpected shape: this source failed
            errors.append(f"{src.label}: unexpected answer, not used "
                          f"({_type_name(exc)}: {str(exc)[:160]})")
            continue
        try:
            with cache.locked(sp.name):
                if cache.signature(sp.name) != base_sig:
                    raise DataError(sp.name, "another process changed the cache during this "
                                             "pull; its version was kept")
                if base is None and cache.exists(sp.name):  # damaged: kept for inspection
                    saved = cache.backup(sp.name)
                    if saved is not None:
                        res.warnings.append(f"the unusable cache file was kept as "
                                            f"backups/{saved.name}")
                cache.write(sp.name, final, provenance(final))
        except cache.CacheError as exc:
            errors.append(f"{src.label}: downloaded, but {_short(exc)}")
            break  # the next source would meet the same cache
        except DataError as exc:
            errors.append(f"{src.label}: download not stored: {_short(exc)}")
            if "another process" in exc.rule:
                break
            continue
        res.new_rows = _new_keys(base, final, ("cftc_contract_market_code",)
                                 if sp.kind == "cot" else ())
        res.status = "updated" if res.new_rows else "up to date"
        res.source = src.label
        res.rows, res.last_date = len(final), final.index[-1].date().isoformat()
        res.age, res.usable = "", True
        res.warnings.extend(errors)  # earlier sources that failed
        res.warnings.extend(n for n in notes if not n.startswith("incremental"))
        if src.adjusted_close:
            res.warnings.append(
                f"{src.label} closes are dividend-adjusted: " + (
                    "rows were added only after checking they agree with the cache"
                    if base is not None and not full else
                    "close holds the adjusted close (not Yahoo's split-only close)"))
        return res

    res.warnings.extend(errors)
    if timed_out:
        res.timed_out = "; ".join(timed_out)
    if base is not None:
        res.status = "timed out" if timed_out else "cache"
    elif _snapshot_has(sp):
        res.status, res.usable = ("timed out" if timed_out else "snapshot"), True
        res.error = "every source failed"
    else:
        res.status, res.usable = ("timed out" if timed_out else "failed"), False
        res.error = "every source failed and nothing is cached (see the warnings)"
    return res


def _type_name(exc: BaseException) -> str:
    t = type(exc)
    return t.__qualname__ if t.__module__ == "builtins" else f"{t.__module__}.{t.__qualname__}"


def _check_no_shrink(sp: SeriesSpec, base: pd.DataFrame | None, final: pd.DataFrame) -> None:
    """Refuse a result that covers less history than the cache (see the module docstring)."""
    loss = cache.history_loss(base, final, MAX_DROPPED_SHARE)
    if loss is None:
        return
    raise DataError(sp.name, loss.replace("the replacement", "the download", 1)
                    + ": a pull never shrinks history, the cache is kept",
                    hint="if the source really withdrew this history, import a file covering it "
                         "or remove the cached series first")


def _changed_rows(base: pd.DataFrame, final: pd.DataFrame) -> tuple[pd.DatetimeIndex, list[str]]:
    """Dates (on both) whose numeric values differ beyond the overlap tolerance, and columns."""
    if base.index.has_duplicates or final.index.has_duplicates:
        return pd.DatetimeIndex([]), []
    common = base.index.intersection(final.index)
    cols = [c for c in final.columns if c in base.columns and c != "published"
            and pd.api.types.is_numeric_dtype(final[c]) and pd.api.types.is_numeric_dtype(base[c])
            and not pd.api.types.is_bool_dtype(final[c])]
    if not len(common) or not cols:
        return pd.DatetimeIndex([]), []
    a = final.loc[common, cols].to_numpy(dtype="float64")
    b = base.loc[common, cols].to_numpy(dtype="float64")
    with np.errstate(invalid="ignore", divide="ignore"):
        rel = np.abs(a - b) / np.maximum(np.abs(b), 1e-12)
    diff = (rel > OVERLAP_TOLERANCE) | (np.isnan(a) != np.isnan(b))
    diff &= ~(np.isnan(a) & np.isnan(b))
    rows = diff.any(axis=1)
    changed_cols = [c for c, hit in zip(cols, diff.any(axis=0), strict=True) if hit]
    return pd.DatetimeIndex(common[rows]), changed_cols


def _record_restatement(sp: SeriesSpec, base: pd.DataFrame | None, stored: Provenance | None,
                        final: pd.DataFrame, source: str, notes: Sequence[str],
                        now: pd.Timestamp) -> pd.DataFrame:
    """Carry earlier restatements forward and add this one, if cached rows changed."""
    prov = provenance(final)
    earlier = tuple(stored.restatements) if stored is not None else ()
    entry = None
    if base is not None and not base.empty:
        dates, cols = _changed_rows(base, final)
        dropped = base.index.unique().difference(final.index.unique())
        if len(dates) or len(dropped):
            first = min([*dates[:1], *dropped[:1]])
            reason = next((n for n in notes if n.startswith("full history")), "") or (
                "the source re-published its history with revised values")
            entry = {"detected": now.isoformat(timespec="seconds"), "source": source,
                     "from": first.date().isoformat(), "rows": int(len(dates)),
                     "columns": cols, "dropped": int(len(dropped)), "reason": reason}
    restated = (*earlier, entry) if entry else earlier
    if not restated:
        return final
    notes_out = prov.notes
    if entry:
        notes_out = (*notes_out, f"restated from {entry['from']}: {entry['rows']} row(s) changed"
                     + (f" ({', '.join(entry['columns'])})" if entry["columns"] else "")
                     + (f", {entry['dropped']} date(s) withdrawn" if entry["dropped"] else "")
                     + f" by {source}")
    out = final.copy()
    return attach(out, dataclasses.replace(prov, restatements=restated[-50:],
                                           notes=tuple(dict.fromkeys(notes_out))))


def _short(exc: DataError) -> str:
    """The error message without the leading series name (the summary already shows it)."""
    msg = str(exc)
    prefix = f"{exc.series}: "
    return msg[len(prefix):] if msg.startswith(prefix) else msg


def _fetch_and_merge(sp: SeriesSpec, fetch: Callable[..., pd.DataFrame], src: Any,
                     base: pd.DataFrame | None, start: pd.Timestamp | None, full: bool,
                     now: pd.Timestamp) -> tuple[pd.DataFrame, list[str]]:
    """Download from one source and merge with the cache; raises DataError to try the next."""
    new = fetch(sp.name, start=start)
    notes: list[str] = []
    if sp.kind == "prices":
        new, dropped = _drop_unfinished(new, now)
        notes.extend(dropped)
        if new.empty:
            raise DataError(sp.name, "the download holds no finished session")
        if base is None or full:
            return new, notes
        try:
            merged, more = merge_prices(base, new)
            return merged, notes + more
        except _NeedsFull as why:
            if src.adjusted_close:
                raise DataError(sp.name, f"{src.label} disagrees with the cached history ({why}); "
                                         "cache kept") from None
            if start is None:
                raise DataError(sp.name, f"download disagrees with the cache ({why})") from None
            whole = fetch(sp.name, start=None)
            whole, dropped = _drop_unfinished(whole, now)
            return whole, notes + dropped + [f"full history re-downloaded: {why}"]
    key: tuple[str, ...] = ("cftc_contract_market_code",) if sp.kind == "cot" else ()
    if base is None or full:
        return new, notes
    merged = merge_rows(base, new, key)
    if not src.incremental:
        n_old = _count_missing(base, new, key)
        if n_old:
            notes.append(f"{n_old} cached row(s) absent from the new file were kept")
        changed = _count_revised(base, new, key)
        if changed:
            notes.append(f"the source revised {changed} earlier row(s)")
    return merged, notes


def _count_missing(base: pd.DataFrame, new: pd.DataFrame, key: Sequence[str]) -> int:
    return _new_keys(new, base, key)


def _count_revised(base: pd.DataFrame, new: pd.DataFrame, key: Sequence[str]) -> int:
    if key:
        return 0
    common = base.index.intersection(new.index)
    cols = [c for c in new.columns if c not in ("published", "usable_from") and c in base.columns
            and pd.api.types.is_numeric_dtype(new[c])]
    if not len(common) or not cols:
        return 0
    a = base.loc[common, cols].to_numpy(dtype="float64")
    b = new.loc[common, cols].to_numpy(dtype="float64")
    diff = ~((a == b) | (np.isnan(a) & np.isnan(b)))
    return int(diff.any(axis=1).sum())


def pull(
    names: Iterable[str] | None = None,
    *,
    max_age_hours: float | None = DEFAULT_MAX_AGE_HOURS,
    force: bool = False,
    full: bool = False,
    progress: bool = False,
    now: pd.Timestamp | None = None,
    deadline: float | None = DEFAULT_DEADLINE,
    request_deadline: float = DEFAULT_REQUEST_DEADLINE,
    timeout: float = DEFAULT_TIMEOUT,
) -> list[PullResult]:
    """Refresh several catalog series (default: all) from their public sources.

    Parameters
    ----------
    names : catalog names; default every series in the catalog.
    max_age_hours : skip series downloaded less than this many hours ago
        (None: never skip).
    force : refresh even fresh series.
    full : download the whole history instead of only the missing dates (the
        result must still cover the cached history).
    progress : show a tqdm progress bar on stderr.
    now : the current time (tests); default the clock.
    deadline : seconds the whole pull may take (None: no limit); series not
        reached in time are reported as timed out and keep their cache.
    request_deadline : seconds one request may take, retries and waits included.
    timeout : seconds one HTTP attempt may take end to end.

    Returns
    -------
    One :class:`PullResult` per series, in order.

    Raises
    ------
    DataError
        Only for an unknown series name or a non-positive limit (before anything
        is downloaded).
    """
    explicit = names is not None
    wanted = [get_spec(n).name for n in names] if names is not None else list(CATALOG)
    wanted = list(dict.fromkeys(wanted))
    for label, value in (("deadline", deadline), ("request deadline", request_deadline),
                         ("timeout", timeout)):
        if value is not None and not (value > 0 and math.isfinite(value)):
            raise DataError("pull", f"{label} must be a positive number of seconds, got {value!r}")
    from tqdm.auto import tqdm

    from .sources import _http, plan

    results: list[PullResult] = []
    down: dict[str, str] = {}
    bar = tqdm(wanted, desc="pull", unit="series", file=sys.stderr, disable=not progress,
               leave=False)
    with _http.deadline_scope(deadline), _http.request_limits(timeout, request_deadline):
        for name in bar:
            bar.set_postfix_str(name)
            required = explicit or bool(plan(name))
            left = _http.remaining()
            if left is not None and left <= 0 and plan(name):
                usable = cache.exists(name) or _snapshot_has(get_spec(name))
                results.append(PullResult(
                    name=name, status="timed out", required=required, usable=usable,
                    timed_out=f"not tried: the pull's deadline of {deadline:g} s was reached"))
                continue
            try:
                res = pull_one(name, max_age_hours=max_age_hours, force=force, full=full,
                               now=now, required=required, down=down)
            except Exception as exc:  # never let one series stop the others
                msg = str(exc) if isinstance(exc, DataError) else f"{_type_name(exc)}: {exc}"
                res = PullResult(name=name, status="failed", error=msg, required=required,
                                 usable=_usable_after_error(name))
            results.append(res)
    bar.close()
    return results


def _usable_after_error(name: str) -> bool:
    try:
        return cache.exists(name) or _snapshot_has(get_spec(name))
    except Exception:
        return False


def exit_status(results: Sequence[PullResult]) -> int:
    """1 when some required series has nothing usable or a deadline cut a series
    short; else 0."""
    bad = any(r.required and not r.usable for r in results)
    late = any(r.status == "timed out" for r in results)
    return 1 if bad or late else 0


def format_summary(results: Sequence[PullResult]) -> str:
    """The per-series summary printed by ``smallcaps data pull``."""
    rows = [("series", "status", "new", "last date", "source", "message")]
    for r in results:
        rows.append((r.name, r.status, f"{r.new_rows:,}" if r.status in ("updated", "up to date")
                     else "-", r.last_date or "-", r.source or "-", r.message()))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = []
    for row in rows:
        lines.append("  ".join(c.ljust(w) for c, w in zip(row[:5], widths, strict=True))
                     + "  " + row[5])
    lines.insert(1, "  ".join("-" * w for w in widths) + "  " + "-" * 7)
    for r in results:
        for w in r.warnings:
            lines.append(f"  warning: {r.name}: {w}")
    n_bad = sum(1 for r in results if r.required and not r.usable)
    n_upd = sum(1 for r in results if r.status == "updated")
    n_cache = sum(1 for r in results if r.status == "cache")
    tail = f"{n_upd} updated"
    if n_cache:
        tail += f", {n_cache} kept from cache after source failures"
    if n_bad:
        tail += f", {n_bad} with no usable data"
    late = [r for r in results if r.status == "timed out"]
    if late:
        tail += f", {len(late)} timed out"
    lines.append(tail + f"; cache: {cache.cache_dir()}")
    for r in late:
        lines.append(f"timed out: {r.name}: {r.timed_out}")
    return "\n".join(lines)
