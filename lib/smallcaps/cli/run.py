"""``smallcaps run``: execute notebooks into reports (first version)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("run", help="execute notebooks with papermill into reports")
    p.add_argument("notebook", nargs="?", type=Path)
    p.add_argument("--all", action="store_true", help="run every notebook in notebooks/")
    p.add_argument("-p", "--param", nargs=2, action="append", default=[],
                   metavar=("NAME", "VALUE"), help="parameter (repeatable)")
    p.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    p.set_defaults(func=cmd_run)


def cmd_run(args: argparse.Namespace) -> int:
    import yaml

    from .. import runner

    if args.all == bool(args.notebook):
        print("smallcaps: error: give a NOTEBOOK or --all", file=sys.stderr)
        return 2
    params = {k: yaml.safe_load(v) for k, v in args.param}
    results = runner.run_all(args.out) if args.all else [runner.run(args.notebook, params, args.out)]
    for r in results:
        print(f"{r.status:>6}  {r.seconds:5.1f}s  {r.notebook.name} -> {r.html or r.executed}"
              + (f"  ({r.error})" if r.error else ""))
    print(f"reports in {args.out.resolve()}")
    return 0 if all(r.status == "ok" for r in results) else 1
