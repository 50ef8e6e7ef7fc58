"""``smallcaps check FILE``: fact-check a claims file with the data public on its date.

Exit status: 0 every claim verified, 1 any refuted, 3 none refuted but some not
checkable (data missing or not yet published), 2 a bad file (every problem listed,
naming the claim id and the field; nothing else printed).

Examples::

    smallcaps check note.yaml
    smallcaps check note.yaml --json
    smallcaps check note.yaml --as-of 2025-05-16
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # pandas is imported by the checks themselves, not by the command line
    import pandas as pd


# column widths of the table (text and note wrap; the rest are short)
_WIDTHS = {"id": 14, "text": 34, "expected": 18, "kit value": 18, "verdict": 13, "note": 44}


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "check", help="fact-check a claims file (YAML) against the data",
        description="Check each claim of FILE with only the data published by its as_of "
                    "date and print a verdict table (verified / refuted / not_checkable). "
                    "Exit status 0: all verified; 1: any refuted; 2: bad file; 3: some not "
                    "checkable, none refuted. The file format is described in docs/claims.md.")
    p.add_argument("file", type=Path, help="claims file (YAML)")
    p.add_argument("--json", action="store_true",
                   help="print a JSON list of {id, kind, verdict, value, expected, note}")
    p.add_argument("--as-of", dest="as_of", help="override the file's as_of date (YYYY-MM-DD)")
    p.set_defaults(func=cmd_check)


def format_table(frame: pd.DataFrame, width: int | None = None) -> str:
    """The verdict table as plain text with wrapped cells."""
    widths = dict(_WIDTHS)
    if width is not None:  # give the note what the terminal has left
        fixed = sum(v for k, v in widths.items() if k != "note") + 2 * (len(widths) - 1)
        widths["note"] = max(24, width - fixed)
    cols = list(widths)
    lines = ["  ".join(c.ljust(widths[c]) for c in cols).rstrip(),
             "  ".join("-" * widths[c] for c in cols)]
    for row in frame[cols].itertuples(index=False):
        cells = [textwrap.wrap(str(v), widths[c]) or [""] for c, v in zip(cols, row, strict=True)]
        for i in range(max(len(x) for x in cells)):
            lines.append("  ".join((x[i] if i < len(x) else "").ljust(widths[c])
                                   for c, x in zip(cols, cells, strict=True)).rstrip())
    return "\n".join(lines)


def cmd_check(args: argparse.Namespace) -> int:
    from .. import claims
    from ..params import ParameterError, date

    try:
        as_of = date(optional=True)("--as-of", args.as_of or "")
        report = claims.check(args.file, as_of=as_of)
    except claims.ClaimsFileError as exc:
        print(f"smallcaps: error: {exc}", file=sys.stderr)
        return 2
    except ParameterError as exc:
        print(f"smallcaps: error: {exc}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(report.to_json(), indent=2))
    else:
        src = report.file.source or str(args.file)
        print(f"{src}: {report.summary()}")
        print(format_table(report.to_frame(), shutil.get_terminal_size((160, 24)).columns))
    return report.exit_code
