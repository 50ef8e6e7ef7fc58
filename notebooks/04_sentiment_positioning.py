# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: -jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] slideshow={"slide_type": "slide"}
# # Sentiment and positioning: do the extremes predict anything?
#
# Small-cap commentary leans on contrarian sentiment: short interest "at the highest since
# 2022", leveraged funds "heavily net short" Russell 2000 futures, a put/call ratio
# "historically low", small-business optimism "at the Covid low". This notebook puts each
# reading against its own history, marks where it is extreme, and asks whether extremes
# were followed by unusual index returns over the next 1, 3 and 6 months, dating every
# reading on the day it was **published**, not the day it refers to.

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
symbol: str = "IWM"  # ETF for short interest and days to cover: IWM, QQQ or SPY
contract: str = "russell2000"  # CFTC futures market: russell2000, sp500 or nasdaq100
group: str = "lev_money"  # TFF trader group for the study: lev_money, asset_mgr, dealer, other_rept
lookback: int = 156  # weeks of history each reading is ranked against (calendar window)
high_pct: float = 90.0  # percentile at or above which a reading is a high extreme
low_pct: float = 10.0  # percentile at or below which a reading is a low extreme
putcall_window: int = 10  # days in the put/call moving average
start: str = ""  # first date shown and studied (ISO), or empty for all history
end: str = ""  # last date shown and studied (ISO), or empty for the latest

# %% slideshow={"slide_type": "skip"}
import pandas as pd
from IPython.display import Markdown, display

import smallcaps as sc

sc.charts.notebook_setup()  # figures drawn once, as SVG (report and slides)
p = sc.params.check(
    symbol=(symbol, sc.params.symbol(allow=["IWM", "QQQ", "SPY"])),
    contract=(contract, sc.params.choice("russell2000", "sp500", "nasdaq100")),
    group=(group, sc.params.choice("lev_money", "asset_mgr", "dealer", "other_rept")),
    lookback=(lookback, sc.params.integer(min=26, max=1040)),
    high_pct=(high_pct, sc.params.number(min=50, max=100)),
    low_pct=(low_pct, sc.params.number(min=0, max=50)),
    putcall_window=(putcall_window, sc.params.integer(min=1, max=63)),
    start=(start, sc.params.date(optional=True)),
    end=(end, sc.params.date(optional=True)),
    order=[("start", "end"), ("low_pct", "high_pct")],
)
INDEX_OF = {"IWM": "RUT", "QQQ": "NDX", "SPY": "SPX"}  # the index each ETF tracks
MARKETS = {"russell2000": "Russell 2000", "sp500": "S&P 500", "nasdaq100": "Nasdaq-100"}
HORIZONS = (21, 63, 126)  # trading days: about 1, 3 and 6 months
window = sc.sentiment.weeks_window(p["lookback"])  # the same calendar window for every series
label = sc.sentiment.GROUP_LABELS[p["group"]]
pd.set_option("display.width", 160)
pd.set_option("display.float_format", "{:,.2f}".format)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## What is loaded, and what is missing
#
# Every series with its span, and the holes in it. Nothing is interpolated: a missing
# week stays missing, and the changes around it are left blank.

# %% slideshow={"slide_type": "-"}
try_load = sc.sections.try_load  # a series, or one line saying why not

index_name = INDEX_OF[p["symbol"]]
index_px = try_load(index_name)
etf = try_load(p["symbol"])
cot = try_load(f"cot:{p['contract']}")
cot_all = {m: try_load(f"cot:{m}") for m in MARKETS}
si = try_load(f"short_interest:{p['symbol']}")
pc = try_load("putcall")
nfib = try_load("nfib")

rows = []
for name, df in [(index_name, index_px), (p["symbol"], etf), (f"cot:{p['contract']}", cot),
                 (f"short_interest:{p['symbol']}", si), ("putcall", pc), ("nfib", nfib)]:
    if df is None:
        rows.append({"series": name, "first": None, "last": None, "rows": 0, "gaps": "not loaded"})
        continue
    if name.startswith("cot:"):
        runs = sc.sentiment.missing_week_runs(df)
        gaps = f"{int(runs['weeks'].sum())} report weeks missing in {len(runs)} runs" if len(runs) else "none"
    elif name.startswith("short_interest:"):
        miss = sc.sentiment.report_gaps(df)
        gaps = f"{len(miss)} settlement dates missing" if len(miss) else "none inside the span"
    else:
        g = sc.data.gaps(df.index, sc.data.spec(name).frequency)
        gaps = f"{int(g['missing'].sum())} days missing in {len(g)} runs" if len(g) else "none"
    rows.append({"series": name, "first": df.index[0].date(), "last": df.index[-1].date(),
                 "rows": len(df), "gaps": gaps})
coverage = pd.DataFrame(rows).set_index("series")
display(sc.tables.table(coverage, "Coverage of the sentiment and positioning series",
                        units={"first": "date", "last": "date", "rows": "int"},
                        source=[d for d in (cot, si, pc, nfib) if d is not None]))
for df in (index_px, etf):  # where the prices come from (synthetic demo data says so)
    if df is not None:
        print(sc.data.provenance(df).describe())
# results later sections build on; a section that cannot run leaves its result at None
pos = si_m = pc_m = ex_pc = None
extremes, published, results = {}, {}, {}
current = events = None

# %% slideshow={"slide_type": "-"}
with sc.section("Missing report weeks"):
    if cot is not None:
        print(f"COT report weeks missing from cot:{p['contract']} (weekly Tuesday grid vs "
              "reports present):")
        display(sc.tables.table(sc.sentiment.missing_week_runs(cot), "Missing COT report weeks",
                                source=cot, empty="no report week is missing"))
        print(sc.data.provenance(cot).describe())
    if si is not None:
        print(f"Short interest covers only {si.index[0]:%Y-%m-%d} to {si.index[-1]:%Y-%m-%d} "
              f"({len(si)} reports): ranks and event counts from it are thin.")
    if pc is not None:
        print(f"The Cboe put/call archive ends on {pc.index[-1]:%Y-%m-%d}: there is no later "
              "reading.")
    if nfib is None:
        print("NFIB small-business survey: not loaded (no public feed; import a CSV with "
              "`smallcaps data import nfib.csv --as nfib`). The survey rows below are skipped.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Futures positioning
#
# Net long = longs minus shorts of each trader group in the CFTC Traders in Financial
# Futures report (spread positions offset and are left out). Grey bands are weeks with no
# report in the data.

# %% slideshow={"slide_type": "-"}
with sc.section("Futures positioning chart"):
    sc.sections.require(index_px, f"{index_name} prices are not loaded, so no chart")
    sc.sections.in_window(cot, p["start"], p["end"], f"COT reports for {p['contract']}")
    fig = sc.charts.positioning_bars(cot, index_px, groups=("lev_money", "asset_mgr", "dealer"),
                                     start=p["start"], end=p["end"])
    print(sc.data.provenance(cot).describe())
    print(sc.data.provenance(index_px).describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Futures positioning"):
    sc.sections.require(cot, f"cot:{p['contract']} is not loaded")
    pos = sc.sentiment.positioning_metrics(cot, p["group"], p["lookback"])
    cols = ["net", "net_pct_oi", "long_chg", "short_chg", "cot_index", "zscore", "percentile"]
    print(f"{label} in {MARKETS[p['contract']]} futures, last 8 reports (changes are week "
          f"over week; COT index, z-score and percentile over {p['lookback']} weeks):")
    display(sc.tables.table(sc.sections.in_window(pos, None, p["end"], "COT reports")[cols].tail(8),
                            f"{label}: the last 8 reports",
                            units={"net": "contracts", "net_pct_oi": "pct",
                                   "long_chg": "contracts", "short_chg": "contracts",
                                   "cot_index": "ratio", "zscore": "ratio",
                                   "percentile": "pct0"}, source=cot))
    print(sc.data.provenance(cot).describe())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ### Russell 2000, S&P 500 and Nasdaq-100 side by side

# %% slideshow={"slide_type": "-"}
with sc.section("Markets side by side"):
    frames = {MARKETS[m]: df for m, df in cot_all.items() if df is not None}
    sc.sections.require(frames, "No COT market is loaded")
    upto = {k: sc.sections.in_window(df, None, p["end"], f"{k} COT reports")
            for k, df in frames.items()}  # the latest report by `end`
    display(sc.tables.table(
        sc.sentiment.latest_positioning(upto, groups=("lev_money", "asset_mgr", "dealer"),
                                        weeks=p["lookback"]),
        "Latest positioning by market and trader group", source=list(frames.values())))
    wide = sc.sentiment.compare_markets(frames, p["group"], "net_pct_oi", p["lookback"])
    sc.sections.in_window(wide, p["start"], p["end"], "COT reports")
    fig = sc.charts.positioning_comparison(
        wide, start=p["start"], end=p["end"], sources=list(frames.values()),
        title=f"{label}: net position as % of open interest")
    for df in frames.values():
        print(sc.data.provenance(df).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Short interest
#
# Shares sold short in the ETF at each settlement date, the change since earlier reports,
# and days to cover (shares short / average daily volume over 20 trading days).

# %% slideshow={"slide_type": "-"}
with sc.section("Short interest"):
    sc.sections.require(si, f"short_interest:{p['symbol']} is not loaded")
    si_m = sc.sentiment.short_interest_metrics(si, etf, periods=(1, 2, 4))
    chk = sc.sentiment.change_check(si)
    print(f"computed changes match the source's own change column on "
          f"{int(chk['match'].sum())} of {int(chk['match'].notna().sum())} reports")
    shown_si = sc.sections.in_window(si_m, p["start"], p["end"], "short-interest reports")
    display(sc.tables.table(shown_si.drop(columns=["published"]).tail(6),
                            f"Short interest in {p['symbol']}: the last 6 reports", source=si))
    fig = sc.charts.short_interest_chart(si_m, etf, start=p["start"], end=p["end"])
    print(sc.data.provenance(si).describe())
    print(sc.data.provenance(etf).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Put/call ratios
#
# Cboe equity put/call volume ratio, averaged over a few days; red marks readings in the
# top of their trailing range (fear), green in the bottom (complacency).

# %% slideshow={"slide_type": "-"}
with sc.section("Put/call ratios"):
    sc.sections.require(pc, "The Cboe put/call series is not loaded")
    pc_m = sc.sentiment.putcall_metrics(pc, "equity", windows=(p["putcall_window"],))
    pc_col = f"avg_{p['putcall_window']}"
    ex_pc = sc.sentiment.detect_extremes(pc_m[pc_col], window=window, high=p["high_pct"],
                                         low=p["low_pct"],
                                         name=f"equity put/call, {p['putcall_window']}-day average")
    sc.sections.in_window(pc_m, p["start"], p["end"], "put/call readings")
    fig = sc.charts.putcall_chart(ex_pc, ratio=pc_m["ratio"], start=p["start"], end=p["end"])
    print(sc.data.provenance(pc).describe())

# %% [markdown] slideshow={"slide_type": "subslide"}
# ## Survey data (NFIB)

# %% slideshow={"slide_type": "-"}
with sc.section("Survey data (NFIB)"):
    sc.sections.require(nfib, "NFIB optimism, capex plans and hiring plans: not loaded, so "
                              "not shown")
    display(sc.tables.table(sc.sentiment.survey_latest(nfib, lookback=window),
                            "NFIB survey: the latest readings", source=nfib))
    print(sc.data.provenance(nfib).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where each series stands now
#
# Each reading's percentile within the trailing window (the short-interest history is too
# short for that window, so it is ranked within the reports available). Grey cells in the
# strip are months with no reading.

# %% slideshow={"slide_type": "-"}
with sc.section("Where each series stands"):
    if pos is not None:
        name = f"{label}, {MARKETS[p['contract']]} (net % OI)"
        extremes[name] = sc.sentiment.detect_extremes(pos["net_pct_oi"], window=window,
                                                      high=p["high_pct"], low=p["low_pct"],
                                                      name=name)
        published[name] = cot["published"]
    if si is not None:
        name = f"{p['symbol']} short interest"
        extremes[name] = sc.sentiment.detect_extremes(si["shares_short"], window=None,
                                                      min_periods=6, high=p["high_pct"],
                                                      low=p["low_pct"], name=name)
        published[name] = (si["usable_from"] if "usable_from" in si
                           else si["published"])  # after-close release
    if ex_pc is not None:
        extremes[ex_pc.name] = ex_pc
        published[ex_pc.name] = pc["published"]
    if nfib is not None:
        for col in sc.sentiment.survey_columns(nfib):
            name = f"NFIB {col}"
            extremes[name] = sc.sentiment.detect_extremes(nfib[col], window=window,
                                                          high=p["high_pct"], low=p["low_pct"],
                                                          name=name)
            published[name] = nfib["published"]
    sc.sections.require(extremes, "No sentiment series is loaded, so none can be ranked")
    current = sc.sentiment.latest_readings({k: e.between(None, p["end"])
                                            for k, e in extremes.items()})
    display(sc.tables.table(current, "Current readings against their own history",
                            source=[d for d in (cot, si, pc, nfib) if d is not None],
                            empty="no series to read"))
    for d in (cot, si, pc, nfib):
        if d is not None:
            print(sc.data.provenance(d).describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Sentiment heat strip"):
    sc.sections.require(extremes, "No sentiment series is loaded, so there is no strip")
    fig = sc.charts.sentiment_heat_strip({k: e.table["score"] for k, e in extremes.items()},
                                         start=p["start"], end=p["end"],
                                         sources=[d for d in (cot, si, pc, nfib) if d is not None])

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Event study: index returns after extremes
#
# For each series, the first reading of every extreme spell is dated at the first trading
# day on or after its publication (COT: the Friday after the Tuesday; short interest:
# about eight business days after settlement; put/call: the same day). Forward returns of
# the index from that close over 21, 63 and 126 trading days are compared with the forward
# returns after every day; the p-value comes from a circular-shift test that keeps the
# clustering of the events.

# %% slideshow={"slide_type": "-"}
with sc.section("Event study after extremes"):
    sc.sections.require(index_px, f"{index_name} prices are not loaded, so no event study")
    sc.sections.require(extremes, "No sentiment series is loaded, so no event study")
    prices = index_px.loc[: p["end"]] if p["end"] is not None else index_px
    for name, ex in extremes.items():
        for side in ("high", "low"):
            results[(name, side)] = sc.sentiment.extreme_event_study(
                ex.between(p["start"], p["end"]), prices, published[name], side=side,
                horizons=HORIZONS)
    events = sc.sentiment.event_table(results)
    shown = events.copy()
    for c in ("mean", "baseline_mean", "difference", "hit_rate"):
        shown[c] = 100 * shown[c]
    print(f"forward simple returns of {index_name} in % (hit rate: share of positive returns)")
    display(sc.tables.table(shown.drop(columns=["note"]),
                            f"Forward returns of {index_name} after sentiment extremes, in %",
                            units={"mean": "points", "baseline_mean": "points",
                                   "difference": "points", "hit_rate": "points"},
                            source=index_px, max_columns=10,
                            empty="no extreme reading in the window to study"))
    print(sc.data.provenance(index_px).describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Returns after extremes, chart"):
    first = {k: r for k, r in results.items() if k[0] == next(iter(extremes), None)}
    if not any(r.n_events for r in first.values()):
        sc.sections.skip(f"No extreme of {next(iter(extremes), 'any series')} in the window, "
                         "so no chart of returns after them")
    fig = sc.charts.event_panels(first, sources=[d for d in (index_px, cot) if d is not None],
                                 title=f"{index_name} after extremes of {next(iter(extremes))}")
    print(sc.data.provenance(index_px).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the data says

# %% slideshow={"slide_type": "-"}
with sc.section("What the data says"):
    lines = []
    latest_price = index_px.index[-1] if index_px is not None else pd.Timestamp.today()
    if p["end"] is not None:
        latest_price = min(latest_price, p["end"])
    for name, row in (current.iterrows() if current is not None else []):
        if pd.isna(row["last_data"]):
            lines.append(f"- {name}: no reading on or before {latest_price:%Y-%m-%d}.")
            continue
        if pd.isna(row["date"]):
            lines.append(f"- {name}: too little history to rank (last data "
                         f"{row['last_data']:%Y-%m-%d}).")
            continue
        old = row["last_data"] < latest_price - pd.Timedelta(days=120)
        stale = " - an old reading: the data end there" if old else ""
        lines.append(f"- {name}: {row['value']:,.2f} on {row['date']:%Y-%m-%d}, percentile "
                     f"{row['score']:.0f} ({row['reading']}){stale}.")
    upto = pos.loc[: p["end"]].dropna(subset=["net"]) if pos is not None else None
    if upto is not None and len(upto):
        last = upto.iloc[-1]
        lines.append(f"- {label} in {MARKETS[p['contract']]} futures were net "
                     f"{'long' if last['net'] > 0 else 'short'} {abs(last['net']):,.0f} contracts "
                     f"({last['net_pct_oi']:+.1f} % of open interest) on "
                     f"{upto.index[-1]:%Y-%m-%d}; week-over-week longs {last['long_chg']:+,.0f}, "
                     f"shorts {last['short_chg']:+,.0f}.")
    if si_m is not None and len(si_m.loc[: p["end"]]):
        last = si_m.loc[: p["end"]].iloc[-1]
        if pd.isna(last["highest_since"]):
            since = "the highest in the data"
        elif pd.isna(last["lowest_since"]):
            since = "the lowest in the data"
        elif last["highest_since"] < last["lowest_since"]:
            since = f"the highest since {last['highest_since']:%Y-%m-%d}"
        else:
            since = f"the lowest since {last['lowest_since']:%Y-%m-%d}"
        dtc = last.get("days_to_cover", float("nan"))
        dtc_text = "" if pd.isna(dtc) else f"; {dtc:.1f} days to cover"
        chg = last["change_1_pct"]
        chg_text = "no prior report" if pd.isna(chg) else f"{chg:+.1f} % vs the prior report"
        lines.append(f"- {p['symbol']} short interest: {last['shares_short'] / 1e6:,.1f} million "
                     f"shares on {last.name:%Y-%m-%d} ({chg_text}; {since}{dtc_text}).")
    if events is not None and len(events):
        sig = events[(events["p_value"] < 0.05)]
        tested = int(events["p_value"].notna().sum())
        lines.append(f"- Event study: {len(sig)} of {tested} tested (series, side, horizon) cells "
                     f"differ from all days at the 5 % level"
                     + (": " + "; ".join(f"{a} {b} {h}d ({100 * r['difference']:+.1f} pp, "
                                         f"n={int(r['n_events'])})"
                                         for (a, b, h), r in sig.iterrows()) if len(sig) else "")
                     + f". About {0.05 * tested:.1f} would be expected by chance alone, and cells "
                     "that share a series overlap.")
    if not lines:
        lines.append("- No sentiment series could be loaded, so there is nothing to read yet "
                     "(see the coverage table at the top).")
    display(Markdown("\n".join(lines)))
