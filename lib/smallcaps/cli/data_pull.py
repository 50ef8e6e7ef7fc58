"""``smallcaps data pull [NAME...]``: refresh the cache from the public sources."""

from __future__ import annotations

import argparse
import sys


def add_pull_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``pull`` action under ``smallcaps data``."""
    from ..data.pull import DEFAULT_MAX_AGE_HOURS

    q = subparsers.add_parser(
        "pull",
        help="download new data from the public sources into the cache",
        description=(
            "Refresh catalog series (all by default) from Yahoo Finance / Stooq, FINRA, "
            "the CFTC and Cboe. Only missing dates are fetched where the source allows it; "
            "a failed or invalid download never replaces the cache. Exits non-zero only "
            "when a series has no usable data at all (neither cache nor snapshot)."
        ),
    )
    q.add_argument("names", nargs="*", metavar="NAME",
                   help="catalog names (default: every series), e.g. RUT margin_debt cot:russell2000; "
                        "any ticker (AAPL); short_interest:SYMBOL; holdings:IWM (iShares holdings file)")
    q.add_argument("--as-of", dest="as_of", default=None, metavar="DATE",
                   help="holdings:FUND only: the holdings date to ask iShares for (default: latest)")
    q.add_argument("--max-age-hours", type=float, default=DEFAULT_MAX_AGE_HOURS, metavar="N",
                   help=f"skip series downloaded less than N hours ago (default {DEFAULT_MAX_AGE_HOURS:g})")
    q.add_argument("--force", action="store_true", help="refresh even series that are fresh")
    q.add_argument("--full", action="store_true",
                   help="download the whole history instead of only the missing dates")
    q.add_argument("--no-progress", action="store_true", help="no progress bar")
    q.set_defaults(func=cmd_pull)


def cmd_pull(args: argparse.Namespace) -> int:
    from ..data.pull import exit_status, format_summary, pull

    if args.max_age_hours is not None and args.max_age_hours < 0:
        print("smallcaps: error: --max-age-hours must be >= 0", file=sys.stderr)
        return 2
    from .data_universe import pull_holdings_names, register_pulled, split_holdings

    holdings, names = split_holdings(args.names or [])
    status = pull_holdings_names(holdings, args.as_of) if holdings else 0
    if holdings and not names:
        return status
    results = pull(names or None, max_age_hours=args.max_age_hours, force=args.force,
                   full=args.full, progress=not args.no_progress)
    register_pulled(results)
    print(format_summary(results))
    return max(exit_status(results), status)
