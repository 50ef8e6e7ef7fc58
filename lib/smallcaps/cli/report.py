"""``smallcaps report``: HTML or reveal.js slides of a run, or of a notebook run now.

Examples::

    smallcaps report reports/01_breakout_ranges__symbol-IWM.manifest.json --to slides
    smallcaps report 01_breakout_ranges__symbol-IWM --to html --code   # a run in reports/
    smallcaps report notebooks/05_weekly_briefing.ipynb --to html -p as_of 2025-05-23
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "report", help="export a run (or a notebook, run first) as HTML or slides",
        description="Export an executed run as one self-contained HTML file (code hidden for "
                    "presenting, --code for reviewing) or reveal.js slides. A source notebook "
                    "is executed first with the runner's parameter checks.")
    p.add_argument("target", help="run manifest, executed notebook, run name, or source notebook")
    p.add_argument("--to", choices=("html", "slides"), default="html")
    p.add_argument("--code", action="store_true", help="keep the code (reviewing)")
    p.add_argument("--out-dir", type=Path, default=Path("reports"),
                   help="reports folder for run names and new runs (default reports)")
    p.add_argument("-o", "--output", type=Path, help="file to write (default: beside the run)")
    p.add_argument("-p", "--param", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                   help="parameter for a source notebook (repeatable)")
    p.add_argument("--reveal-prefix",
                   help="where slides load reveal.js from (URL or local folder; default CDN, "
                        "with a built-in offline viewer as fallback)")
    p.set_defaults(func=cmd_report)


def cmd_report(args: argparse.Namespace) -> int:
    from ..run import report as reports

    try:
        path = reports.report(args.target, to=args.to, code=args.code, out_dir=args.out_dir,
                              parameters=dict(args.param) or None, out=args.output,
                              reveal_prefix=args.reveal_prefix)
    except reports.IncompleteRun as exc:
        print(f"smallcaps: error: {exc}", file=sys.stderr)
        return 1
    except reports.FailedRunReport as exc:
        print(f"smallcaps: error: {exc}", file=sys.stderr)
        print(exc.written.resolve())
        return 1
    except (FileNotFoundError, RuntimeError) as exc:
        print(f"smallcaps: error: {exc}", file=sys.stderr)
        return 1 if isinstance(exc, RuntimeError) else 2
    except ValueError as exc:
        from ..params import ParameterError

        if isinstance(exc, ParameterError):
            raise
        print(f"smallcaps: error: {exc}", file=sys.stderr)
        return 2
    print(path.resolve())
    return 0
