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

    q = dsub.add_parser("import", help="validated import of a local CSV (e.g. the NFIB survey)")
    q.add_argument("file", type=Path)
    q.add_argument("--as", dest="name", required=True, help="catalog name, e.g. nfib")
    q.add_argument("--map", action="append", default=[], metavar="SRC=DST",
                   help="rename a source column, e.g. --map 'OPT_INDEX=optimism' (repeatable)")
    q.add_argument("--date-column", help="name of the date column")
    q.set_defaults(func=cmd_import)

    q = dsub.add_parser("snapshot", help="load every series of a snapshot folder into the cache")
    q.add_argument("folder", type=Path)
    q.set_defaults(func=cmd_snapshot)

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
    from ..data import import_csv, provenance

    mapping = {}
    for item in args.map:
        if "=" not in item:
            print(f"smallcaps: error: --map {item!r} must look like SRC=DST", file=sys.stderr)
            return 2
        src, dst = item.split("=", 1)
        mapping[src.strip()] = dst.strip()
    df = import_csv(args.file, args.name, mapping=mapping or None, date_column=args.date_column)
    prov = provenance(df)
    print(f"imported {prov.rows:,} rows of {prov.name} ({prov.first} to {prov.last}) "
          f"columns: {', '.join(c for c in df.columns if c not in ('published', 'usable_from'))}")
    return 0


def cmd_snapshot(args: argparse.Namespace) -> int:
    from ..data import CATALOG, DataError, cache, provenance, snapshot

    folder = args.folder.expanduser()
    if not folder.is_dir():
        print(f"smallcaps: error: snapshot folder {folder} does not exist", file=sys.stderr)
        return 2
    loaded = failed = 0
    for name, sp in CATALOG.items():
        if not snapshot.has_series(folder, sp):
            print(f"  {name:<20} not in snapshot")
            continue
        try:
            df = snapshot.read(folder, sp)
            cache.write(name, df, provenance(df))
        except DataError as exc:
            failed += 1
            print(f"  {name:<20} FAILED: {exc}")
            continue
        loaded += 1
        prov = provenance(df)
        print(f"  {name:<20} {prov.rows:>6,} rows {prov.first} .. {prov.last}")
    print(f"{loaded} series cached in {cache.cache_dir()}" + (f", {failed} failed" if failed else ""))
    return 1 if failed or not loaded else 0
