"""``smallcaps scan``: screen a universe's members on one date (see docs/scan.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

#: Columns printed by default (the CSV has them all), in this order when present.
SHOWN = ["last_bar", "close", "range_state", "range_low", "range_high", "exit_known",
         "sessions_since_exit", "retest_date", "new_high_52w", "last_high_52w", "above_200",
         "last_cross", "last_cross_date", "rsi_14", "rs_ratio", "rs_momentum", "quadrant",
         "quadrant_since"]


def add_parser(sub: argparse._SubParsersAction) -> None:
    from ..universe.screen import DETECTORS, FILTERS

    p = sub.add_parser(
        "scan", help="screen a universe on a date: range breakouts, 52-week highs/lows, "
                     "moving averages, RSI, rotation against a benchmark",
        description="Members of the universe on the date (point in time), their prices up to "
                    "that date only, one row per member with the facts and the dates they became "
                    "known, and the universe's coverage.\n\nFilters (all must hold):\n"
                    + "\n".join(f"  {k:<44} {v}" for k, v in FILTERS.items()),
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("universe", help="universe name (russell2000, a user universe) or "
                                    "comma-separated symbols")
    p.add_argument("--as-of", help="date of the screen (default today)")
    p.add_argument("--filter", action="append", default=[], metavar="FILTER",
                   help="e.g. exit_up:5, new_high, quadrant=improving, into=leading, rsi>70 "
                        "(repeatable)")
    p.add_argument("--detectors", default=",".join(DETECTORS),
                   help=f"comma-separated, some of {', '.join(DETECTORS)} (default all)")
    p.add_argument("--benchmark", default="IWM", help="rotation benchmark symbol (default IWM)")
    p.add_argument("--sort", help="column to sort by (default: the most recent exit, then "
                                  "RS-Ratio)")
    p.add_argument("--ascending", action="store_true", help="sort ascending")
    p.add_argument("--top", type=int, default=40, help="rows printed (default 40; 0 = all)")
    p.add_argument("--csv", type=Path, help="write the whole table (filtered rows) to this CSV")
    p.add_argument("--snapshot", type=Path, help="snapshot folder (default $SMALLCAPS_SNAPSHOT)")
    p.add_argument("--scheduler", help="run by symbol chunks on Dask: 'local' or a scheduler "
                                       "address (tcp://host:8786)")
    p.add_argument("--chunk-size", type=int, default=500, help="symbols per Dask task")
    p.set_defaults(func=cmd_scan)


def cmd_scan(args: argparse.Namespace) -> int:
    import pandas as pd

    from ..universe.screen import scan

    name: str = args.universe
    target: str | list[str] = name
    if "," in name:
        target = [s for s in name.split(",") if s.strip()]
    elif _is_plain_ticker(name, args.snapshot):
        target = [name]  # one symbol, not a universe name
    try:
        res = scan(target, args.as_of, detectors=args.detectors, filters=args.filter,
                   benchmark=args.benchmark, snapshot=args.snapshot,
                   scheduler=args.scheduler, chunk_size=args.chunk_size)
    except ValueError as exc:
        print(f"smallcaps scan: error: {exc}", file=sys.stderr)
        return 2
    hits = res.hits
    if args.sort:
        if args.sort not in hits.columns:
            print(f"smallcaps scan: error: --sort {args.sort!r} is not a column; columns: "
                  f"{', '.join(hits.columns)}", file=sys.stderr)
            return 2
        hits = hits.sort_values(args.sort, ascending=args.ascending, kind="stable")
    else:
        keys = [k for k in ("exit_known", "rs_ratio") if k in hits.columns]
        if keys:
            hits = hits.sort_values(keys, ascending=args.ascending, kind="stable",
                                    na_position="last")
    print(res.describe())
    print(f"Known dates: exit_known, last_high_52w, last_cross_date, quadrant_since are the "
          f"sessions each fact became known; nothing after {res.coverage.as_of:%Y-%m-%d} was read.")
    if hits.empty:
        print("No member passes the filters on this date.")
    else:
        cols = [c for c in SHOWN if c in hits.columns]
        shown = hits[cols] if args.top == 0 else hits[cols].head(args.top)
        with pd.option_context("display.width", 250, "display.max_columns", 40,
                               "display.max_rows", 10_000, "display.float_format", "{:,.2f}".format):
            print(_dates(shown).to_string())
        if args.top and len(hits) > args.top:
            print(f"... {len(hits) - args.top} more rows (--top 0 for all, --csv for every column)")
    if args.csv is not None:
        out = hits.copy()
        out.to_csv(args.csv)
        print(f"wrote {len(out)} rows x {out.shape[1]} columns to {args.csv}")
    return 0


def _is_plain_ticker(name: str, snapshot) -> bool:
    """True when ``name`` is not a universe the kit knows but looks like a ticker."""
    from ..data.catalog import is_ticker
    from ..data.errors import DataError
    from ..universe import membership

    try:
        membership(name, snapshot=snapshot)
    except DataError:
        return is_ticker(name)
    return False


def _dates(df):
    import pandas as pd

    out = df.copy()
    for c in out.columns:
        if pd.api.types.is_datetime64_any_dtype(out[c]):
            out[c] = out[c].dt.strftime("%Y-%m-%d").fillna("")
    return out
