"""The catalog of named series: what each is, where it comes from, when it is published."""

from __future__ import annotations

import difflib
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
    kind : "prices", "margin_debt", "short_interest", "cot", "putcall" or "survey".
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


def _price(name: str, file: str, yahoo: str, stooq: str, desc: str, units: str) -> SeriesSpec:
    return SeriesSpec(
        name=name, kind="prices", frequency="daily", units=units,
        source="Yahoo Finance", description=desc, snapshot_file=f"market/{file}",
        yahoo=yahoo, stooq=stooq, release="same_day", columns=PRICE_COLUMNS,
    )  # fmt: skip


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
        name="nfib", kind="survey", frequency="monthly", units="index (1986=100); net % of firms",
        source="NFIB Small Business Economic Trends (local CSV import)",
        description="NFIB optimism index, capex plans, hiring plans: no public feed, import a CSV",
        snapshot_file="macro/nfib_optimism.csv", release="nfib", columns=(), import_only=True,
    ),  # fmt: skip
)

CATALOG: dict[str, SeriesSpec] = {s.name: s for s in _ENTRIES}


def catalog() -> pd.DataFrame:
    """The catalog as a table.

    Returns
    -------
    pandas.DataFrame
        One row per series, indexed by name, with columns kind, frequency, units,
        source, description, release (publication rule) and import_only.
    """
    rows = []
    for spec in CATALOG.values():
        d = asdict(spec)
        rows.append({k: d[k] for k in (
            "name", "kind", "frequency", "units", "source", "description", "release",
            "import_only")})  # fmt: skip
    return pd.DataFrame(rows).set_index("name")


def spec(name: str) -> SeriesSpec:
    """The catalog entry for ``name`` (case-insensitive).

    Raises
    ------
    DataError
        If the name is not in the catalog; the message lists close matches.
    """
    if not isinstance(name, str):
        raise DataError(repr(name), "series name must be a string")
    if name in CATALOG:
        return CATALOG[name]
    folded = {k.lower(): k for k in CATALOG}
    if name.lower() in folded:
        return CATALOG[folded[name.lower()]]
    close = difflib.get_close_matches(name.lower(), list(folded), n=3, cutoff=0.5)
    hint = (
        "Did you mean " + " or ".join(repr(folded[c]) for c in close) + "?"
        if close
        else "See smallcaps.data.catalog() for the names."
    )
    raise DataError(name, "unknown series name", hint=hint)


def price_names() -> list[str]:
    """Names of the daily price series in the catalog."""
    return [s.name for s in CATALOG.values() if s.kind == "prices"]
