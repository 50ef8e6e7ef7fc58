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
# # Breadth and participation inside the Russell 2000
#
# The index can rise while most of its members do not. This notebook counts, day by day,
# how many of the index's members were above their 50- and 200-day averages, how many made
# new 52-week highs or lows, how many rose or fell, and how an equal-weight basket of the
# members did against IWM. Membership is **point in time**: on each date only the names
# that were members then (per the latest IWM holdings snapshot on or before it) are
# counted. Members without a price that day are counted and shown, never dropped, because
# the member price file is a 2024 download: names that were delisted or acquired earlier
# are missing, which flatters the early years. Finally one claim is tested: did
# washed-out breadth precede better-than-usual 3- and 6-month Russell 2000 returns?

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
universe: str = "russell2000"  # membership: russell2000, or a list/intervals file in the cache universes folder
start: str = "2019-01-01"  # first date shown and studied (ISO)
end: str = ""  # last date (as of), or empty for the latest member prices
windows: list = [50, 200]  # moving-average lengths in sessions (the last one is used for washed out)
washed_out: float = 20.0  # percent of members above their long average at or below which breadth is washed out
index: str = "RUT"  # index whose forward returns the event study measures
fund: str = "IWM"  # fund the equal-weight members are compared with

# %% slideshow={"slide_type": "skip"}
import pandas as pd
from IPython.display import display

import smallcaps as sc

sc.charts.notebook_setup()  # figures drawn once, as SVG (report and slides)

p = sc.params.check(
    universe=(universe, sc.universe.universe_param()),
    start=(start, sc.params.date(optional=True)),
    end=(end, sc.params.date(optional=True)),
    windows=(windows, sc.params.int_list(min=2, max=400)),
    washed_out=(washed_out, sc.params.number(min=1, max=99)),
    index=(index, sc.params.symbol()),
    fund=(fund, sc.params.symbol()),
    order=[("start", "end")],
)
sc.sections.demo_note("the demo has no universe members, so breadth, new highs and lows and component short interest need the real snapshot; only index prices may be synthetic here.")
LONG = max(p["windows"])
HORIZONS = (63, 126)  # trading days: about 3 and 6 months
pd.set_option("display.width", 160)
pd.set_option("display.float_format", "{:,.1f}".format)


try_load = sc.sections.try_load  # a series, or one line saying why not


# %% [markdown] slideshow={"slide_type": "slide"}
# ## Members and coverage
#
# Members listed by the membership data on each date, and how many of them have a price
# that day. Every reading below rests on the second number.

# %% slideshow={"slide_type": "-"}
b = None
try:
    b = sc.breadth.breadth(p["universe"], start=p["start"], end=p["end"], windows=p["windows"])
except sc.data.DataError as exc:
    print(f"Breadth cannot be computed: {exc}")
idx_px = try_load(p["index"])
fund_px = try_load(p["fund"])
if b is not None:
    cov = b.attrs["coverage"]
    q = b[["members_listed", "members", "members_without_prices", "coverage_pct"]]
    quarter_ends = q.groupby(q.index.to_period("Q")).tail(1)
    print(f"{cov['membership']}")
    display(sc.tables.table(
        quarter_ends.assign(coverage_pct=quarter_ends["coverage_pct"] / 100),
        f"Members with prices at each quarter's last session ({len(b):,} sessions, "
        f"{b.index[0]:%Y-%m-%d} to {b.index[-1]:%Y-%m-%d})",
        units={"members_listed": "int", "members": "int", "members_without_prices": "int",
               "coverage_pct": "pct"},
        labels={"members_listed": "members listed", "members": "members with prices",
                "members_without_prices": "without prices", "coverage_pct": "coverage"},
        source=b, empty="no session of breadth in the window"))
    print(f"{cov['members_never_priced']} symbols were members in the window but never had a price "
          f"while members; coverage rose from {cov['coverage_pct_first']}% to {cov['coverage_pct_last']}%.")
    fig = sc.charts.coverage_chart(b)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Participation: members above their averages, with the index
#
# Dashed: vendor breadth lines for other universes (S&P 500 members above their 200-day
# average; all US stocks above their 200-day average), as reference only.

# %% slideshow={"slide_type": "-"}
refs = {}
for name, label in (("breadth:sp500_pct_above_200dma", "S&P 500 members above 200-day (vendor)"),
                    ("breadth:pct_all_stocks_above_200dma", "all US stocks above 200-day (vendor)")):
    ref = try_load(name)
    if ref is not None:
        refs[label] = ref["value"]
if b is not None:
    fig = sc.charts.participation_chart(b, idx_px, windows=p["windows"], threshold=p["washed_out"],
                                        references=refs, index_name=p["index"],
                                        params={"windows": p["windows"]})
    last = b.iloc[-1]
    print(f"On {b.index[-1]:%Y-%m-%d}: " + ", ".join(
        f"{last[f'pct_above_{w}d']:.1f}% of members above their {w}-day average" for w in p["windows"])
          + f" ({int(last['members'])} members with prices).")
    print(sc.breadth.provenance_line(b))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## New 52-week highs and lows

# %% slideshow={"slide_type": "-"}
if b is not None:
    fig = sc.charts.highs_lows_chart(b)
    hl = b[["new_52w_highs", "new_52w_lows", "n_52w"]]
    display(sc.tables.table(
        pd.concat([hl.nlargest(3, "new_52w_lows"), hl.nlargest(3, "new_52w_highs")]),
        "Sessions with the most new 52-week lows (first three) and highs (last three)",
        units={"new_52w_highs": "int", "new_52w_lows": "int", "n_52w": "int"},
        labels={"new_52w_highs": "new 52-week highs", "new_52w_lows": "new 52-week lows",
                "n_52w": "members with 52 weeks of prices"},
        source=b, empty="no member has 52 weeks of prices in the window"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Advance/decline line and McClellan oscillator

# %% slideshow={"slide_type": "-"}
if b is not None:
    fig = sc.charts.ad_line_chart(b)
    display(sc.tables.table(
        b[["advances", "declines", "unchanged", "ad_line", "mcclellan_oscillator"]].tail(5),
        "Advances, declines and the A/D line over the last five sessions",
        units={"advances": "int", "declines": "int", "unchanged": "int", "ad_line": "int",
               "mcclellan_oscillator": "number"},
        labels={"ad_line": "A/D line", "mcclellan_oscillator": "McClellan oscillator"},
        source=b, empty="no session of breadth in the window"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Equal-weight members against the fund

# %% slideshow={"slide_type": "-"}
if b is not None and fund_px is not None:
    common = b.index.intersection(fund_px.index)
    if len(common) < 2:
        print(f"{p['fund']} prices do not overlap the breadth dates, so the comparison is not shown.")
    else:
        fig = sc.charts.equal_weight_chart(b, fund_px, fund_name=p["fund"])
        ew = b.loc[common, "ew_index"]
        fr = fund_px.loc[common, "adj_close"]
        print(f"{common[0]:%Y-%m-%d} to {common[-1]:%Y-%m-%d}: equal-weight members "
              f"{100 * (ew.iloc[-1] / ew.iloc[0] - 1):+.1f}%, {p['fund']} {100 * (fr.iloc[-1] / fr.iloc[0] - 1):+.1f}% "
              "(total returns; the members' early years are survivorship-biased upward).")
elif b is not None:
    print(f"{p['fund']} prices are not loaded, so the comparison is not shown.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Short interest of the members
#
# FINRA's twice-monthly short interest of each member, summed over the members of each
# settlement date. It needs FINRA's settlement files in the cache
# (`smallcaps data pull short_interest:IWM` online fetches them).

# %% slideshow={"slide_type": "-"}
try:
    si_u = sc.universe.universe_short_interest(p["universe"], start=p["start"], end=p["end"])
except sc.data.DataError as exc:
    si_u = None
    print(f"Component short interest is not shown: {exc.rule}.")
if si_u is not None:
    si_shown = si_u.drop(columns=["published"]).tail(6)
    si_units = {}
    for c in si_shown.columns:  # percent columns (0-100) become fractions shown as %
        if c.endswith("_pctile") or c == "short_pct_shares_out":
            si_shown[c] = si_shown[c] / 100
            si_units[c] = "pct0" if c.endswith("_pctile") else "pct2"
        elif "days_to_cover" in c:
            si_units[c] = "ratio"
        else:
            si_units[c] = "int"
    display(sc.tables.table(
        si_shown, f"Short interest summed over the {p['universe']} members, last six settlement dates",
        units=si_units, source=si_u,
        empty="no FINRA settlement date with member short positions in the window"))
    print(sc.data.provenance(si_u).describe())
si_etf = try_load(f"short_interest:{p['fund']}")
if si_etf is not None:
    print(f"{p['fund']} itself: {si_etf['shares_short'].iloc[-1] / 1e6:,.1f} million shares short on "
          f"{si_etf.index[-1]:%Y-%m-%d} ({len(si_etf)} reports {si_etf.index[0]:%Y-%m-%d} to "
          f"{si_etf.index[-1]:%Y-%m-%d}; fund-level, not the members').")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Did washed-out breadth precede better returns?
#
# Events: every session on which the share of members above their long average was at or
# below the washed-out level, and, separately, only the first session of each such spell.
# Breadth is known at the close, so the forward return runs from that close. Forward
# simple returns of the index over 63 and 126 sessions are compared with those after every
# session of the index since the first breadth reading; the p-value comes from a
# circular-shift test that keeps the clustering of the events.

# %% slideshow={"slide_type": "-"}
studies = {}
if b is not None and idx_px is not None:
    share = b[f"pct_above_{LONG}d"].dropna()
    every = share.index[(share <= p["washed_out"]).to_numpy()]
    first = sc.breadth.episodes(share, below=p["washed_out"] + 1e-9)
    prices = idx_px.loc[share.index[0]:]
    for label, ev in (("every washed-out session", every), ("first session of each spell", first)):
        if len(ev) == 0:
            print(f"{label}: no session at or below {p['washed_out']:g}% in this window, nothing to test.")
            continue
        studies[label] = sc.stats.event_study(ev, prices, horizons=HORIZONS, kind="simple",
                                              name=f"{label} (<= {p['washed_out']:g}% above {LONG}-day)")
    for label, r in studies.items():
        t = r.summary()
        display(sc.tables.table(
            t[["n_events", "n_clusters", "mean", "baseline_mean", "difference", "p_value",
               "note"]].reset_index(),
            f"{label}: forward simple returns of {p['index']} against all sessions "
            f"({r.n_events} events kept)",
            units={"horizon": "days", "n_events": "int", "n_clusters": "int", "mean": "pct", "baseline_mean": "pct",
                   "difference": "pct", "p_value": "pvalue", "note": "text"},
            labels={"n_events": "events", "n_clusters": "spells", "baseline_mean": "all sessions",
                    "p_value": "p-value"},
            source=[idx_px, b], empty="no horizon with a forward return to compare"))
    print(sc.data.provenance(idx_px).describe())
elif b is not None:
    print(f"{p['index']} prices are not loaded, so the event study is not run.")

# %% slideshow={"slide_type": "-"}
if studies:
    r = next(iter(studies.values()))
    fig = sc.charts.event_path_chart(r, b, idx_px, params={"washed_out": p["washed_out"], "window": LONG})

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the data says

# %% slideshow={"slide_type": "-"}
lines = []
if b is None:
    lines.append("- Breadth could not be computed (see the first section), so there is nothing to read.")
else:
    last = b.iloc[-1]
    lines.append(f"- {last[f'pct_above_{LONG}d']:.1f}% of {int(last['members'])} members with prices were "
                 f"above their {LONG}-day average on {b.index[-1]:%Y-%m-%d}; the low in the window was "
                 f"{b[f'pct_above_{LONG}d'].min():.1f}% on {b[f'pct_above_{LONG}d'].idxmin():%Y-%m-%d}.")
    lines.append(f"- Coverage: {b.attrs['coverage']['coverage_pct_first']}% of members had prices at the "
                 f"start and {b.attrs['coverage']['coverage_pct_last']}% at the end; the early readings "
                 "leave out mostly delisted or acquired names.")
    for label, r in studies.items():
        t = r.summary()
        cells = [f"{h} sessions: {100 * row['difference']:+.1f} pp vs all days (p = {row['p_value']:.2f}, "
                 f"n = {int(row['n_events'])})" for h, row in t.iterrows() if pd.notna(row["p_value"])]
        if cells:
            lines.append(f"- Washed-out breadth, {label}: " + "; ".join(cells) + ".")
        else:
            lines.append(f"- Washed-out breadth, {label}: too few events for a test "
                         f"({t['note'].dropna().iloc[0] if t['note'].notna().any() else 'see table'}).")
    if studies:
        lines.append("- A handful of episodes in five years (one crash, one bear market) cannot settle the "
                     "claim: read the differences as descriptive, not as an edge.")
print("\n".join(lines))
