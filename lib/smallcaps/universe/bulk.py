"""Bulk price pulls for a universe: concurrent, polite, resumable, with a progress bar.

:func:`pull_prices` runs :func:`smallcaps.data.pull.pull_one` for many symbols in a
small thread pool. Politeness: every symbol's first source is Yahoo Finance, so the
pool never has more than ``per_host`` symbols in flight, and request starts are
spaced by at least ``min_interval`` seconds. A source found unreachable is skipped
for the remaining symbols (shared ``down`` map of ``pull_one``).

Resuming: each symbol is written to the cache atomically as soon as it is fetched,
and a symbol pulled less than ``max_age_hours`` ago is skipped, so re-running the
same call after an interruption continues where it stopped.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed

import pandas as pd

from ..data import registry
from ..data.catalog import CATALOG, is_ticker
from ..data.catalog import spec as get_spec
from ..data.errors import DataError

__all__ = ["pull_prices"]


class _Spacer:
    """At least ``interval`` seconds between the starts of two requests (thread-safe)."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self._next = 0.0
        self._lock = threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            start = max(now, self._next)
            self._next = start + self.interval
        if start > now:
            time.sleep(start - now)


def pull_prices(
    symbols: Iterable[str],
    *,
    per_host: int = 2,
    min_interval: float = 0.25,
    max_age_hours: float | None = 24.0,
    force: bool = False,
    progress: bool = True,
) -> pd.DataFrame:
    """Pull daily prices of many symbols into the cache.

    Parameters
    ----------
    symbols : tickers (case-insensitive); symbols that are not valid tickers are
        reported as ``invalid`` and not requested.
    per_host : at most this many symbols in flight at once (all start at Yahoo).
    min_interval : seconds between the starts of two symbols' pulls.
    max_age_hours : skip symbols cached less than this long ago (resume).
    force : pull even fresh symbols.
    progress : show a tqdm progress bar on stderr.

    Returns
    -------
    DataFrame indexed by symbol with ``status`` (as
    :class:`smallcaps.data.pull.PullResult`, plus ``invalid``), ``source``,
    ``new_rows``, ``rows``, ``last_date`` and ``message``; ``attrs["summary"]``
    counts the statuses.
    """
    from tqdm.auto import tqdm

    from ..data.pull import PullResult, pull_one

    if per_host < 1:
        raise DataError("pull_prices", f"per_host must be at least 1, got {per_host}")
    syms = list(dict.fromkeys(s.strip().upper() for s in symbols if isinstance(s, str)))
    rows: dict[str, dict] = {}
    todo = []
    for s in syms:
        if is_ticker(s):
            todo.append(s)
        else:
            rows[s] = {"status": "invalid", "source": "", "new_rows": 0, "rows": 0, "last_date": "",
                       "message": "not a valid ticker"}
    down: dict[str, str] = {}
    spacer = _Spacer(min_interval)

    def one(sym: str) -> PullResult:
        spacer.wait()
        try:
            return pull_one(sym, max_age_hours=None if force else max_age_hours, force=force,
                            down=down)
        except DataError as exc:
            return PullResult(name=sym, status="failed", error=str(exc))

    bar = tqdm(total=len(todo), desc="pull prices", unit="symbol", file=sys.stderr,
               disable=not progress, leave=False)
    try:
        with ThreadPoolExecutor(max_workers=per_host) as pool:
            futures = {pool.submit(one, s): s for s in todo}
            for fut in as_completed(futures):
                sym = futures[fut]
                res = fut.result()
                rows[sym] = {"status": res.status, "source": res.source, "new_rows": res.new_rows,
                             "rows": res.rows, "last_date": res.last_date, "message": res.message()}
                if res.status in ("updated", "up to date") and sym not in CATALOG:
                    try:  # a first pull records the ticker among the user's series
                        registry.add(get_spec(sym))
                    except DataError:
                        pass  # already registered with another origin: leave it
                bar.update(1)
                bar.set_postfix_str(sym)
    finally:
        bar.close()
    out = pd.DataFrame.from_dict(rows, orient="index").reindex(syms)
    out.index.name = "symbol"
    out.attrs["summary"] = out["status"].value_counts().to_dict()
    return out
