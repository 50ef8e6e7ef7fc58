"""``smallcaps data add|remove|members``, and ``holdings:FUND`` for ``data pull``.

- ``smallcaps data add NAME`` registers a series (a ticker by default) in the user
  registry beside the cache (:mod:`smallcaps.data.registry`), so it is listed by
  ``data list`` and keeps its description; ``--replace`` overwrites an entry.
- ``smallcaps data remove NAME`` unregisters it (cached data is kept).
- ``smallcaps data members UNIVERSE [--as-of DATE]`` prints a universe's members.
- ``smallcaps data pull-members UNIVERSE [--start --end]`` pulls the members' prices
  (:func:`smallcaps.universe.pull_prices`: concurrent, polite, resumable).
- ``smallcaps data pull holdings:IWM [--as-of DATE]`` downloads an iShares holdings
  file into ``<cache>/holdings/`` (handled by :func:`pull_holdings_names`).
"""

from __future__ import annotations

import argparse
import sys


def add_universe_parsers(dsub: argparse._SubParsersAction) -> None:
    q = dsub.add_parser("add", help="register a series (any ticker, or a plain series) in the user registry")
    q.add_argument("name", help="ticker or series name (letters, digits, . - _ ^ = :)")
    q.add_argument("--kind", default=None, choices=("prices", "series"),
                   help="prices (default for a ticker) or series (a plain value series)")
    q.add_argument("--yahoo", help="Yahoo Finance ticker when it differs from NAME")
    q.add_argument("--stooq", help="Stooq ticker (default: name.us for US tickers)")
    q.add_argument("--frequency", default="daily", choices=("daily", "weekly", "semi-monthly", "monthly"))
    q.add_argument("--units", default=None)
    q.add_argument("--description", default=None)
    q.add_argument("--source", default=None, help="who publishes it (default: Yahoo Finance for prices)")
    q.add_argument("--replace", action="store_true", help="overwrite an existing registry entry")
    q.set_defaults(func=cmd_add)

    q = dsub.add_parser("remove", help="remove a series from the user registry (cached data is kept)")
    q.add_argument("name")
    q.set_defaults(func=cmd_remove)

    q = dsub.add_parser("pull-members",
                        help="pull daily prices of a universe's members (concurrent, polite, resumable)")
    q.add_argument("universe", nargs="?", default="russell2000")
    q.add_argument("--start", default=None, help="members at any time from this date (default: all)")
    q.add_argument("--end", default=None, help="... up to this date (default: today)")
    q.add_argument("--per-host", type=int, default=2, help="symbols in flight at once (default 2)")
    q.add_argument("--max-age-hours", type=float, default=24.0,
                   help="skip symbols pulled less than N hours ago: re-running resumes (default 24)")
    q.add_argument("--no-progress", action="store_true", help="no progress bar")
    q.set_defaults(func=cmd_pull_members)

    q = dsub.add_parser("members", help="members of a universe on a date (point in time)")
    q.add_argument("universe", nargs="?", default="russell2000")
    q.add_argument("--as-of", dest="as_of", default=None, help="date (default: today)")
    q.set_defaults(func=cmd_members)


def cmd_add(args: argparse.Namespace) -> int:
    import dataclasses

    from ..data import registry
    from ..data.catalog import PRICE_COLUMNS, SeriesSpec, is_ticker, stooq_ticker, ticker_spec

    name = registry.validate_name(args.name)
    kind = args.kind or ("prices" if is_ticker(name) else "series")
    if kind == "prices":
        base = ticker_spec(args.yahoo or name)
        sp = dataclasses.replace(
            base, name=name.upper() if is_ticker(name) else name,
            stooq=args.stooq if args.stooq is not None else stooq_ticker(args.yahoo or name),
            units=args.units or base.units, source=args.source or base.source,
            description=args.description or f"{name} daily prices (registered)",
            frequency=args.frequency, columns=PRICE_COLUMNS)
    else:
        sp = SeriesSpec(name=name, kind="series", frequency=args.frequency, units=args.units or "",
                        source=args.source or "user", description=args.description or name,
                        release="same_day", import_only=True)
    stored = registry.add(sp, replace=args.replace)
    print(f"registered {stored.name} ({stored.kind}, {stored.frequency}, source {stored.source}) "
          f"in {registry.registry_path()}")
    if stored.kind == "prices":
        print(f"fetch it with: smallcaps data pull {stored.name}")
    else:
        print(f"fill it with: smallcaps data import FILE --as {stored.name}")
    return 0


def cmd_remove(args: argparse.Namespace) -> int:
    from ..data import registry

    if registry.remove(args.name):
        print(f"removed {args.name} from {registry.registry_path()} (cached data kept)")
        return 0
    print(f"smallcaps: error: {args.name} is not in the registry {registry.registry_path()}",
          file=sys.stderr)
    return 1


def cmd_members(args: argparse.Namespace) -> int:
    from ..universe import membership

    m = membership(args.universe)
    day = args.as_of or __import__("pandas").Timestamp.today().normalize()
    names = m.members(day)
    obs = m.observation_date(day)
    when = f"observation {obs:%Y-%m-%d}" if obs is not None else "static list"
    print(f"{m.name}: {len(names)} members as of {day} ({when})")
    print(" ".join(names))
    return 0 if names else 1


def cmd_pull_members(args: argparse.Namespace) -> int:
    from ..universe import membership, pull_prices

    m = membership(args.universe)
    symbols = m.ever(args.start, args.end)
    if not symbols:
        print(f"smallcaps: error: {m.name} has no members in that window", file=sys.stderr)
        return 2
    out = pull_prices(symbols, per_host=args.per_host, max_age_hours=args.max_age_hours,
                      progress=not args.no_progress)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(out.attrs["summary"].items()))
    print(f"{m.name}: {len(symbols)} member symbols: {summary}")
    failed = out[out["status"].isin(["failed", "invalid"])]
    for sym, row in failed.head(20).iterrows():
        print(f"  {sym:<10} {row['status']}: {row['message']}")
    if len(failed) > 20:
        print(f"  ... and {len(failed) - 20} more")
    return 0 if len(failed) < len(out) else 1


def split_holdings(names: list[str]) -> tuple[list[str], list[str]]:
    """(``holdings:FUND`` names, the others)."""
    hold = [n for n in names if n.lower().startswith("holdings:")]
    return hold, [n for n in names if n not in hold]


def pull_holdings_names(names: list[str], as_of: str | None) -> int:
    """Pull iShares holdings files for ``holdings:FUND`` names; returns an exit status."""
    from ..data.errors import DataError
    from ..universe import equity_tickers, pull_holdings, read_holdings

    status = 0
    for n in names:
        fund = n.split(":", 1)[1].upper()
        try:
            path = pull_holdings(fund, as_of=as_of)
        except DataError as exc:
            print(f"  {n:<20} FAILED: {exc}")
            status = 1
            continue
        df = read_holdings(path)
        print(f"  {n:<20} {len(equity_tickers(df)):>6,} equity holdings as of {df.attrs['as_of']} -> {path}")
    return status


def register_pulled(results) -> None:
    """Record symbols pulled for the first time (outside the built-in catalog) in the registry."""
    from ..data import registry
    from ..data.catalog import CATALOG
    from ..data.catalog import spec as get_spec
    from ..data.errors import DataError

    for r in results:
        if r.name in CATALOG or r.status not in ("updated", "up to date"):
            continue
        try:
            registry.add(get_spec(r.name))
        except DataError:
            pass  # registered earlier with other fields: leave the user's entry alone
