"""The catalog of named series: what each is, where it comes from, when it is published.

:func:`spec` resolves a name in this order, case-insensitively:

1. the built-in catalog below (:data:`CATALOG`, the documented named series);
2. series a user registered (:mod:`smallcaps.data.registry`, a JSON file beside the
   cache: ``smallcaps data add``, ``data import --as NEWNAME``, first pull of a ticker);
3. ``short_interest:SYMBOL`` for any symbol (FINRA consolidated short interest);
4. any valid Yahoo Finance / Stooq ticker (``AAPL``, ``BRK-B``, ``^RUT``): an
   on-demand daily price series, read from a snapshot or the cache when there, else
   pulled by ``smallcaps data pull SYMBOL``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import asdict, dataclass

import pandas as pd

from .errors import DataError

PRICE_COLUMNS = ("open", "high", "low", "close", "adj_close", "volume")


@dataclass(frozen=True)
class SeriesSpec:
    """One catalog entry.

    Attributes
    ----------
    name : catalog name used by ``load``.
    kind : "prices", "margin_debt", "short_interest", "cot", "putcall", "survey",
        "macro" (FRED), "breadth" (vendor breadth counts/percentages) or "series"
        (a user's plain series).
    frequency : "daily", "weekly", "semi-monthly" or "monthly".
    units : units of the values.
    source : the public source that publishes it.
    description : one sentence.
    snapshot_file : path inside a snapshot folder ("" when no snapshot carries it).
    yahoo : Yahoo Finance ticker (prices only).
    stooq : Stooq ticker (prices only, fallback source).
    release : publication rule, see :mod:`smallcaps.data.pointintime`.
    columns : value columns of the loaded frame (besides the index).
    import_only : True when there is no public feed (e.g. NFIB); fill by ``data import``.
    """

    name: str
    kind: str
    frequency: str
    units: str
    source: str
    description: str
    snapshot_file: str = ""
    yahoo: str = ""
    stooq: str = ""
    release: str = "same_day"
    columns: tuple[str, ...] = ()
    import_only: bool = False


_COT_COLUMNS = (
    "market_and_exchange_name", "cftc_contract_market_code", "open_interest",
    "dealer_long", "dealer_short", "dealer_spread",
    "asset_mgr_long", "asset_mgr_short", "asset_mgr_spread",
    "lev_money_long", "lev_money_short", "lev_money_spread",
    "other_rept_long", "other_rept_short", "other_rept_spread",
    "tot_rept_long", "tot_rept_short", "nonrept_long", "nonrept_short",
    "traders_total", "is_primary",
)  # fmt: skip

_PUTCALL_COLUMNS = tuple(
    f"{p}_{c}"
    for p in ("total", "equity", "index")
    for c in ("pc_ratio", "call_volume", "put_volume", "total_volume")
)


_PUTCALL_RATIO_COLUMNS = ("equity_pc_ratio", "total_pc_ratio", "index_pc_ratio")


def _price(name: str, file: str, yahoo: str, stooq: str, desc: str, units: str) -> SeriesSpec:
    return SeriesSpec(
        name=name, kind="prices", frequency="daily", units=units,
        source="Yahoo Finance", description=desc, snapshot_file=f"market/{file}",
        yahoo=yahoo, stooq=stooq, release="same_day", columns=PRICE_COLUMNS,
    )  # fmt: skip


def _etf(name: str, desc: str) -> SeriesSpec:
    # the snapshot's universe/etf_prices_daily.parquet (one Yahoo download, 2016-04 .. 2021-04)
    return SeriesSpec(
        name=name, kind="prices", frequency="daily", units="US$ per share",
        source="Yahoo Finance", description=desc,
        snapshot_file="universe/etf_prices_daily.parquet", yahoo=name, stooq=f"{name.lower()}.us",
        release="same_day", columns=PRICE_COLUMNS,
    )  # fmt: skip


def _fred(series_id: str, desc: str, units: str, frequency: str, release: str) -> SeriesSpec:
    return SeriesSpec(
        name=f"fred:{series_id}", kind="macro", frequency=frequency, units=units,
        source=f"FRED (Federal Reserve Bank of St. Louis), series {series_id}",
        description=desc, snapshot_file=f"macro/fred_{series_id}.csv", release=release,
        columns=("value",),
    )  # fmt: skip


def _breadth(file: str, desc: str, units: str, source: str) -> SeriesSpec:
    return SeriesSpec(
        name=f"breadth:{file}", kind="breadth", frequency="daily", units=units, source=source,
        description=desc, snapshot_file=f"breadth/{file}.csv", release="same_day",
        columns=("value",),
    )  # fmt: skip


_TV = "TradingView end-of-day export"
_INV = "Investing.com end-of-day download"

_ENTRIES: tuple[SeriesSpec, ...] = (
    _price("RUT", "RUT.csv", "^RUT", "", "Russell 2000 index (no volume)", "index points"),
    _price("IWM", "IWM.csv", "IWM", "iwm.us", "iShares Russell 2000 ETF", "US$ per share"),
    _price("SPX", "GSPC.csv", "^GSPC", "^spx", "S&P 500 index", "index points"),
    _price("NDX", "NDX.csv", "^NDX", "^ndx", "Nasdaq-100 index (no volume)", "index points"),
    _price("QQQ", "QQQ.csv", "QQQ", "qqq.us", "Invesco QQQ (Nasdaq-100 ETF)", "US$ per share"),
    _price("SPY", "SPY.csv", "SPY", "spy.us", "SPDR S&P 500 ETF", "US$ per share"),
    _price("COMPQ", "IXIC.csv", "^IXIC", "^ndq", "Nasdaq Composite index", "index points"),
    _price("VIX", "VIX.csv", "^VIX", "", "Cboe Volatility Index (no volume)", "index points"),
    SeriesSpec(
        name="margin_debt", kind="margin_debt", frequency="monthly", units="US$ millions",
        source="FINRA margin statistics",
        description="Debit balances in customers' securities margin accounts, and free credit balances",
        snapshot_file="sentiment/margin_debt.csv", release="finra_margin",
        columns=("debit_balances_margin_accounts", "free_credit_cash_accounts",
                 "free_credit_margin_accounts"),
    ),  # fmt: skip
    *(
        SeriesSpec(
            name=f"short_interest:{sym}", kind="short_interest", frequency="semi-monthly",
            units="shares", source="Exchange short interest reports (FINRA / Nasdaq / NYSE Arca)",
            description=f"Short interest in {sym} shares at each settlement date",
            snapshot_file=f"sentiment/short_interest_{sym}.csv", release="short_interest",
            columns=("shares_short", "change_from_prior_pct"),
        )
        for sym in ("IWM", "QQQ", "SPY")
    ),  # fmt: skip
    SeriesSpec(
        name="cot:russell2000", kind="cot", frequency="weekly", units="contracts",
        source="CFTC Commitments of Traders, Traders in Financial Futures (futures only)",
        description="Russell 2000 E-mini positioning (ICE 23977A until the 2017 switch, then CME 239742)",
        snapshot_file="sentiment/cot_russell2000_tff_futures_only.csv", release="cftc_cot",
        columns=_COT_COLUMNS,
    ),  # fmt: skip
    SeriesSpec(
        name="cot:sp500", kind="cot", frequency="weekly", units="contracts",
        source="CFTC Commitments of Traders, Traders in Financial Futures (futures only)",
        description="E-mini S&P 500 positioning (CME 13874A)",
        snapshot_file="sentiment/cot_sp500_emini_tff_futures_only.csv", release="cftc_cot",
        columns=_COT_COLUMNS,
    ),  # fmt: skip
    SeriesSpec(
        name="cot:nasdaq100", kind="cot", frequency="weekly", units="contracts",
        source="CFTC Commitments of Traders, Traders in Financial Futures (futures only)",
        description="Nasdaq-100 E-mini positioning (CME 209742)",
        snapshot_file="sentiment/cot_nasdaq100_emini_tff_futures_only.csv", release="cftc_cot",
        columns=_COT_COLUMNS,
    ),  # fmt: skip
    SeriesSpec(
        name="putcall", kind="putcall", frequency="daily", units="ratio; contracts",
        source="Cboe put/call ratio history",
        description="Cboe total, equity and index put/call ratios and volumes",
        snapshot_file="sentiment/putcall_cboe.csv", release="same_day",
        columns=_PUTCALL_COLUMNS,
    ),  # fmt: skip
    SeriesSpec(
        name="putcall_ratios", kind="putcall", frequency="daily", units="ratio",
        source="Cboe put/call ratios (ycharts history; equals Cboe's archive where both exist)",
        description="Cboe equity put/call ratio 2003-10 onward; total and index ratios 2006-11 "
                    "onward (to 2026-03 in the snapshot)",
        snapshot_file="sentiment/putcall_equity_ycharts.csv", release="same_day",
        columns=_PUTCALL_RATIO_COLUMNS,
    ),  # fmt: skip
    _etf("IJR", "iShares Core S&P Small-Cap ETF"),
    _etf("IWN", "iShares Russell 2000 Value ETF"),
    _etf("IWO", "iShares Russell 2000 Growth ETF"),
    _etf("VTWO", "Vanguard Russell 2000 ETF"),
    _etf("KRE", "SPDR S&P Regional Banking ETF"),
    _etf("XBI", "SPDR S&P Biotech ETF"),
    _fred("BAMLH0A0HYM2", "ICE BofA US High Yield Index option-adjusted spread",
          "percent", "daily", "next_business_day"),
    _fred("T10Y2Y", "10-year minus 2-year Treasury constant maturity yield spread",
          "percentage points", "daily", "next_business_day"),
    _fred("NFCI", "Chicago Fed National Financial Conditions Index (week ending Friday)",
          "index (0 = average; positive = tighter)", "weekly", "nfci"),
    _breadth("nyse_advancing_issues", "NYSE advancing issues (USI:ADV)", "issues", _TV),
    _breadth("nyse_declining_issues", "NYSE declining issues (USI:DECL)", "issues", _TV),
    _breadth("nyse_unchanged_issues", "NYSE unchanged issues (USI:UCHG)", "issues", _TV),
    _breadth("nasdaq_new_highs", "Nasdaq new 52-week highs (MAHN; 0.01 means zero)", "issues", _TV),
    _breadth("nasdaq_new_lows", "Nasdaq new 52-week lows (MALN; 0.01 means zero)", "issues", _TV),
    _breadth("pct_all_stocks_above_200dma", "% of all US stocks above their 200-day MA (MMTH)",
             "percent", _TV),
    _breadth("sp500_pct_above_200dma", "% of S&P 500 members above their 200-day MA (S5TH; "
             "sparse before 2007)", "percent", _INV),
    _breadth("sp500_pct_above_100dma", "% of S&P 500 members above their 100-day MA (S5OH)",
             "percent", _INV),
    SeriesSpec(
        name="nfib", kind="survey", frequency="monthly", units="index (1986=100); net % of firms",
        source="NFIB Small Business Economic Trends (local CSV import)",
        description="NFIB optimism index, capex plans, hiring plans: no public feed, import a CSV",
        snapshot_file="macro/nfib_optimism.csv", release="nfib", columns=(), import_only=True,
    ),  # fmt: skip
)

CATALOG: dict[str, SeriesSpec] = {s.name: s for s in _ENTRIES}


def catalog(registered: bool = True) -> pd.DataFrame:
    """The catalog as a table.

    Parameters
    ----------
    registered : also list the user's registered series
        (:mod:`smallcaps.data.registry`).

    Returns
    -------
    pandas.DataFrame
        One row per series, indexed by name, with columns kind, frequency, units,
        source, description, release (publication rule), import_only and entry
        ("built-in" or "registered"). Any ticker and ``short_interest:SYMBOL``
        also load without being listed here.
    """
    specs = [(s, "built-in") for s in CATALOG.values()]
    if registered:
        from . import registry

        specs += [(s, "registered") for s in registry.entries().values()]
    rows = []
    for sp, entry in specs:
        d = asdict(sp)
        row = {k: d[k] for k in (
            "name", "kind", "frequency", "units", "source", "description", "release",
            "import_only")}  # fmt: skip
        row["entry"] = entry
        rows.append(row)
    return pd.DataFrame(rows).set_index("name")


# a Yahoo Finance / Stooq ticker: indexes (^RUT), class shares (BRK-B, BRK.B),
# futures and currencies (ES=F, EURUSD=X); at most 20 characters
TICKER_PATTERN = re.compile(r"\^?[A-Z0-9][A-Z0-9.\-=]{0,19}")
SHORT_INTEREST_PREFIX = "short_interest:"


def is_ticker(text: str) -> bool:
    """Whether ``text`` (case-insensitive) has the shape of a Yahoo/Stooq ticker."""
    return isinstance(text, str) and bool(TICKER_PATTERN.fullmatch(text.strip().upper()))


def stooq_ticker(ticker: str) -> str:
    """Stooq's name for a US ticker (``brk-b.us``), or "" for indexes and futures."""
    t = ticker.upper()
    if t.startswith("^") or "=" in t:
        return ""
    return f"{t.lower().replace('.', '-')}.us"


def ticker_spec(ticker: str) -> SeriesSpec:
    """The on-demand daily price series of any Yahoo Finance / Stooq ticker.

    Raises
    ------
    DataError
        If ``ticker`` does not have the shape of a ticker.
    """
    t = ticker.strip().upper() if isinstance(ticker, str) else ticker
    if not is_ticker(t):
        raise DataError(repr(ticker), "not a valid ticker",
                        hint="letters, digits and . - = (optionally a leading ^), at most 20 characters")
    return SeriesSpec(
        name=t, kind="prices", frequency="daily", units="price in the listing currency",
        source="Yahoo Finance", description=f"{t} daily prices (any ticker, on demand)",
        yahoo=t, stooq=stooq_ticker(t), release="same_day", columns=PRICE_COLUMNS,
    )  # fmt: skip


def short_interest_spec(symbol: str) -> SeriesSpec:
    """``short_interest:SYMBOL``: FINRA consolidated short interest of any symbol."""
    sym = symbol.strip().upper()
    if not is_ticker(sym) or sym.startswith("^"):
        raise DataError(f"{SHORT_INTEREST_PREFIX}{symbol}", "not a valid stock or ETF symbol")
    key = f"{SHORT_INTEREST_PREFIX}{sym}"
    if key in CATALOG:
        return CATALOG[key]
    return SeriesSpec(
        name=key, kind="short_interest", frequency="semi-monthly", units="shares",
        source="FINRA consolidated equity short interest",
        description=f"Short interest in {sym} shares at each settlement date",
        snapshot_file=f"sentiment/short_interest_{sym}.csv", release="short_interest",
        columns=("shares_short", "change_from_prior_pct"),
    )  # fmt: skip


def spec(name: str) -> SeriesSpec:
    """The catalog entry for ``name`` (case-insensitive).

    Resolution: built-in catalog, then the user registry
    (:func:`smallcaps.data.registry.entries`), then ``short_interest:SYMBOL``, then
    any valid ticker as an on-demand daily price series (:func:`ticker_spec`).

    Raises
    ------
    DataError
        If the name is not a string, has path characters, or matches none of the
        above; the message lists close matches.
    """
    if not isinstance(name, str):
        raise DataError(repr(name), "series name must be a string")
    if name in CATALOG:
        return CATALOG[name]
    folded = {k.lower(): k for k in CATALOG}
    if name.lower() in folded:
        return CATALOG[folded[name.lower()]]
    from . import registry

    clean = registry.validate_name(name)
    user = registry.get(clean)
    if user is not None:
        return user
    if clean.lower().startswith(SHORT_INTEREST_PREFIX):
        return short_interest_spec(clean[len(SHORT_INTEREST_PREFIX):])
    if is_ticker(clean):
        return ticker_spec(clean)
    if clean.lower().startswith("holdings:"):
        raise DataError(name, "fund holdings are files, not a series",
                        hint="fetch with: smallcaps data pull holdings:IWM --as-of DATE; read with "
                             "sc.universe.read_holdings or sc.universe.members('russell2000', as_of=...)")
    raise DataError(name, "unknown series name", hint=close_matches_hint(name))


def close_matches_hint(name: str) -> str:
    """'Did you mean ...?' for ``name`` among the built-in and registered names."""
    from . import registry

    names = list(CATALOG)
    try:
        names += list(registry.entries())
    except DataError:
        pass
    folded = {k.lower(): k for k in names}
    close = difflib.get_close_matches(name.lower(), list(folded), n=3, cutoff=0.6)
    return ("Did you mean " + " or ".join(repr(folded[c]) for c in close) + "?" if close
            else "See smallcaps.data.catalog() for the names.")


def price_names() -> list[str]:
    """Names of the daily price series in the catalog."""
    return [s.name for s in CATALOG.values() if s.kind == "prices"]
