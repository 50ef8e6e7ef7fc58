"""``smallcaps data``: list, show, import, snapshot (and pull, from data_pull)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("data", help="the data catalog and cache")
    dsub = p.add_subparsers(dest="data_command", metavar="ACTION")
    dsub.required = True

    q = dsub.add_parser("list", help="catalog series and where each would load from")
    q.set_defaults(func=cmd_list)

    q = dsub.add_parser("show", help="provenance, range, rows and gaps of one series")
    q.add_argument("name")
    q.add_argument("--snapshot", type=Path, help="snapshot folder (default $SMALLCAPS_SNAPSHOT)")
    q.set_defaults(func=cmd_show)

    q = dsub.add_parser(
        "import", help="validated import of a local CSV (e.g. the NFIB survey)",
        description="Import a CSV into the cache as a catalog series or a new series. Every "
                    "row is checked (dates, one row per date, numbers, prices); a broken rule "
                    "names the file, the line and the rule, and nothing is stored. Replacing "
                    "a series of another origin, or one holding history the file does not "
                    "cover, needs --replace; the replaced data is kept in <cache>/backups.")
    q.add_argument("file", type=Path)
    q.add_argument("--as", dest="name", required=True,
                   help="catalog name (e.g. nfib) or a new name (with --kind)")
    q.add_argument("--map", action="append", default=[], metavar="SRC=DST",
                   help="rename a source column, e.g. --map 'OPT_INDEX=optimism' (repeatable)")
    q.add_argument("--date-column", help="name of the date column")
    q.add_argument("--date-format", metavar="FORMAT",
                   help="strptime format of the dates, e.g. '%%d/%%m/%%Y'; needed when the "
                        "day/month order is ambiguous")
    q.add_argument("--replace", action="store_true",
                   help="replace a cached series of another origin, or one holding history "
                        "the file does not cover (a dated backup is kept)")
    q.add_argument("--kind", choices=("prices", "series"),
                   help="create a new series: daily OHLC prices or a plain numeric series")
    q.add_argument("--frequency",
                   choices=("daily", "weekly", "semi-monthly", "monthly", "quarterly", "annual"),
                   help="frequency of a new series (prices: daily)")
    q.add_argument("--units", help="units of a new series, e.g. 'US$ per share', 'percent'")
    q.set_defaults(func=cmd_import)

    q = dsub.add_parser(
        "snapshot", help="load every series of a snapshot folder into the cache",
        description="Copy every series of a snapshot folder into the cache. A cached series "
                    "that is an import, or holds history the snapshot lacks (a later pull), "
                    "is kept unless --replace is given (then a dated backup is kept).")
    q.add_argument("folder", type=Path)
    q.add_argument("--replace", action="store_true",
                   help="replace cached imports and longer cached histories too")
    q.set_defaults(func=cmd_snapshot)

    from .data_universe import add_universe_parsers

    add_universe_parsers(dsub)

    try:
        from .data_pull import add_pull_parser
    except ModuleNotFoundError as exc:
        if exc.name != f"{__package__}.data_pull":
            raise
    else:
        add_pull_parser(dsub)


def cmd_list(args: argparse.Namespace) -> int:
    from ..data import available, catalog

    cat = catalog()
    cat["available"] = [available(n) or "-" for n in cat.index]
    print(cat[["kind", "frequency", "units", "source", "available"]].to_string())
    return 0


def cmd_show(args: argparse.Namespace) -> int:
    from ..data import load, provenance, spec
    from ..data.coverage import gaps

    sp = spec(args.name)
    df = load(sp.name, snapshot=args.snapshot)
    prov = provenance(df)
    print(f"{sp.name}: {sp.description}")
    print(f"  kind {sp.kind}, {sp.frequency}, units: {sp.units}, release rule: {sp.release}")
    print(f"  source: {prov.source}")
    print(f"  origin: {prov.origin} {prov.location}")
    if prov.retrieved:
        print(f"  retrieved: {prov.retrieved}")
    print(f"  range: {prov.first} to {prov.last}, {prov.rows:,} rows")
    for note in prov.notes:
        print(f"  note: {note}")
    for r in prov.restatements:
        print(f"  restated {r.get('detected', '')[:10]} by {r.get('source', '?')}: from "
              f"{r.get('from')}, {r.get('rows', 0)} row(s) changed"
              + (f" ({', '.join(r.get('columns') or [])})" if r.get("columns") else "")
              + (f", {r.get('dropped')} date(s) withdrawn" if r.get("dropped") else ""))
    runs = gaps(df.index, sp.frequency)
    if len(runs):
        print(f"  gaps ({len(runs)} runs, {int(runs['missing'].sum())} missing):")
        for r in runs.head(20).itertuples():
            print(f"    {r.first_missing:%Y-%m-%d} .. {r.last_missing:%Y-%m-%d} ({r.missing} missing)")
        if len(runs) > 20:
            print(f"    ... and {len(runs) - 20} more runs")
    else:
        print("  gaps: none")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    from ..data import DataError, cache_dir, import_csv, provenance, spec

    mapping = {}
    for item in args.map:
        if "=" not in item:
            print(f"smallcaps: error: --map {item!r} must look like SRC=DST", file=sys.stderr)
            return 2
        src, dst = item.split("=", 1)
        mapping[src.strip()] = dst.strip()
    df = import_csv(args.file, args.name, mapping=mapping or None, date_column=args.date_column,
                    date_format=args.date_format, replace=args.replace, kind=args.kind,
                    frequency=args.frequency, units=args.units)
    prov = provenance(df)
    print(f"imported {prov.rows:,} rows of {prov.name} ({prov.first} to {prov.last}) "
          f"columns: {', '.join(c for c in df.columns if c not in ('published', 'usable_from'))}; "
          f"source: {prov.source}")
    for note in prov.notes:
        if note.startswith("replaced data kept"):
            print(f"  {note} (in {cache_dir()})")
    try:
        from ..data import snapshot

        folder = snapshot.snapshot_from_env()
        if folder is not None and snapshot.has_series(folder, spec(prov.name)):
            print(f"  note: the snapshot {folder} also holds {prov.name}, and load() reads the "
                  "snapshot first; unset SMALLCAPS_SNAPSHOT to use this import")
    except DataError:
        pass
    return 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    from ..data import CATALOG, DataError, cache, provenance, snapshot

    folder = args.folder.expanduser()
    if not folder.is_dir():
        print(f"smallcaps: error: snapshot folder {folder} does not exist", file=sys.stderr)
        return 2
    loaded = failed = kept = 0
    for name, sp in CATALOG.items():
        if not snapshot.has_series(folder, sp):
            print(f"  {name:<20} not in snapshot")
            continue
        try:
            df = snapshot.read(folder, sp)
            with cache.locked(name):
                why = _snapshot_conflict(name, df)
                if why is not None and not args.replace:
                    print(f"  {name:<20} kept the cache: {why} (--replace to replace it)")
                    kept += 1
                    continue
                if why is not None:
                    cache.backup(name)
                cache.write(name, df, provenance(df))
        except cache.CacheError as exc:  # the next series would meet the same cache
            print(f"smallcaps: error: {exc}", file=sys.stderr)
            return 2
        except DataError as exc:
            failed += 1
            print(f"  {name:<20} FAILED: {exc}")
            continue
        except Exception as exc:  # a file the reader did not foresee: report, go on
            failed += 1
            print(f"  {name:<20} FAILED: {type(exc).__name__}: {exc}")
            continue
        loaded += 1
        prov = provenance(df)
        print(f"  {name:<20} {prov.rows:>6,} rows {prov.first} .. {prov.last}")
    print(f"{loaded} series cached in {cache.cache_dir()}" + (f", {failed} failed" if failed else "")
          + (f", {kept} kept as they were" if kept else ""))
    return 1 if failed or not (loaded or kept) else 0


def _snapshot_conflict(name: str, df) -> str | None:
    """Why loading the snapshot's ``df`` over the cached ``name`` would lose data."""
    from ..data import DataError, cache

    if not cache.exists(name):
        return None
    try:
        old, stored = cache.read_with_record(name)
    except DataError:
        return None  # an unusable cache file is replaced
    if stored.origin == "import":
        return f"it holds an {stored.source}"
    return cache.history_loss(old, df)
