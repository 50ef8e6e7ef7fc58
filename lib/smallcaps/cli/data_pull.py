"""``smallcaps data pull [NAME...]``: refresh the cache from the public sources."""

from __future__ import annotations

import argparse
import sys


def add_pull_parser(subparsers: argparse._SubParsersAction) -> None:
    """Add the ``pull`` action under ``smallcaps data``."""
    from .._core.pull_limits import (
        DEFAULT_DEADLINE,
        DEFAULT_MAX_AGE_HOURS,
        DEFAULT_REQUEST_DEADLINE,
        DEFAULT_TIMEOUT,
    )

    q = subparsers.add_parser(
        "pull",
        help="download new data from the public sources into the cache",
        description=(
            "Refresh catalog series (all by default) from Yahoo Finance / Stooq, FINRA, "
            "the CFTC and Cboe. Only missing dates are fetched where the source allows it; "
            "a failed or invalid download never replaces the cache, and a download that "
            "covers less history than the cache is refused. Every request and the whole "
            "pull have a deadline; series cut short are named in the summary. Exits 1 "
            "when a series has no usable data at all (neither cache nor snapshot) or a "
            "deadline was reached."
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
    q.add_argument("--deadline", type=float, default=DEFAULT_DEADLINE, metavar="SECONDS",
                   help="total time for the whole pull; series not reached in time keep their "
                        f"cache and are reported as timed out (default {DEFAULT_DEADLINE:g})")
    q.add_argument("--request-deadline", type=float, default=DEFAULT_REQUEST_DEADLINE,
                   metavar="SECONDS",
                   help="total time for one request, retries and Retry-After waits included "
                        f"(default {DEFAULT_REQUEST_DEADLINE:g})")
    q.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                   help="time one HTTP attempt may take end to end, however slowly the "
                        f"server sends (default {DEFAULT_TIMEOUT:g}; raise it on a slow link "
                        "for large files such as the CFTC history bundle of --full)")
    q.add_argument("--no-progress", action="store_true", help="no progress bar")
    q.set_defaults(func=cmd_pull)


def cmd_pull(args: argparse.Namespace) -> int:
    from ..data.pull import exit_status, format_summary, pull

    if args.max_age_hours is not None and args.max_age_hours < 0:
        print("smallcaps: error: --max-age-hours must be >= 0", file=sys.stderr)
        return 2
    for flag, value in (("--deadline", args.deadline), ("--request-deadline",
                        args.request_deadline), ("--timeout", args.timeout)):
        if not value > 0:
            print(f"smallcaps: error: {flag} must be a positive number of seconds",
                  file=sys.stderr)
            return 2
    from ..data.sources import _http
    from .data_universe import pull_holdings_names, register_pulled, split_holdings

    holdings, names = split_holdings(args.names or [])
    # one deadline for everything this command downloads, holdings files included
    with _http.deadline_scope(args.deadline), _http.request_limits(args.timeout,
                                                                   args.request_deadline):
        status = pull_holdings_names(holdings, args.as_of) if holdings else 0
        if holdings and not names:
            return status
        results = pull(names or None, max_age_hours=args.max_age_hours, force=args.force,
                       full=args.full, progress=not args.no_progress, deadline=args.deadline,
                       request_deadline=args.request_deadline, timeout=args.timeout)
    register_pulled(results)
    print(format_summary(results))
    return max(exit_status(results), status)
