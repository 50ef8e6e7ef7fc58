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
# # Screening the Russell 2000: breakouts, new highs and rotation
#
# Which members are breaking out of a trading range on a given day, which made a 52-week
# high, which moved into the "improving" or "leading" quadrant against IWM? This notebook
# runs the kit's universe scan (`sc.universe.scan`) on one date, point in time: the members
# *of that date* and their prices up to that date, nothing later. Then it asks how such a
# screen did in the past: **after members broke out of ranges (dated when the exit became
# known), did they beat the other members over the next 20 and 60 sessions?**
#
# Member prices are a 2024 download of listed symbols: the earlier years miss members that
# were later acquired or delisted (survivorship bias). Coverage is printed with every result.

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
universe: str = "russell2000"  # universe name: russell2000
as_of: str = "2023-12-29"  # date of the screen (ISO)
benchmark: str = "IWM"  # rotation benchmark: IWM, RUT, SPY (any catalog price name)
recent: int = 5  # sessions counted as recent for breakouts and new highs
top: int = 12  # names drawn in the small multiples
history_start: str = "2019-06-28"  # first date of the historical check (ISO)
horizons: list = [20, 60]  # forward sessions measured after past breakouts

# %% slideshow={"slide_type": "skip"}
import pandas as pd
from IPython.display import display

import smallcaps as sc
from smallcaps.charts.screen import small_multiples
from smallcaps.universe import screen

sc.charts.notebook_setup()  # figures drawn once, as SVG (report and slides)

p = sc.params.check(
    universe=(universe, sc.params.choice("russell2000", "r2k", "iwm")),
    as_of=(as_of, sc.params.date()),
    benchmark=(benchmark, sc.params.symbol()),
    recent=(recent, sc.params.integer(min=1, max=60)),
    top=(top, sc.params.integer(min=1, max=40)),
    history_start=(history_start, sc.params.date()),
    horizons=(horizons, sc.params.int_list(min=1, max=250)),
    order=[("history_start", "as_of")],
)
sc.sections.demo_note("the demo has no universe members, so the screen needs the real snapshot; nothing below is computed from synthetic prices.")
pd.set_option("display.width", 180)
pd.set_option("display.max_columns", 30)
pd.set_option("display.float_format", "{:,.2f}".format)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The scan on the date
#
# One row per member with prices: the state of its latest trading range (and the session
# the exit became known), 52-week highs and lows, the 50/200-day averages, RSI and the
# weekly RS-Ratio / RS-Momentum quadrant against the benchmark.

# %% slideshow={"slide_type": "-"}
result = None
SCAN_SOURCE = (f"smallcaps scan of {p['universe']} members on {p['as_of']:%Y-%m-%d}, "
               "snapshot:universe/prices_daily.parquet and snapshot:universe/r2k_membership.csv")
try:
    result = sc.universe.scan(p["universe"], p["as_of"], benchmark=p["benchmark"])
    print(result.coverage.describe())
except (ValueError, sc.data.DataError) as exc:
    print(f"The scan could not run for {p['universe']} on {p['as_of']:%Y-%m-%d}: {exc}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Breakouts and new highs of the last sessions

# %% slideshow={"slide_type": "-"}
SHOW = ["close", "range_low", "range_high", "range_bars", "exit_known", "sessions_since_exit",
        "retest_date", "new_high_52w", "rsi_14", "quadrant"]
breakouts = pd.DataFrame()
if result is None:
    print("No screen: the scan did not run (see above).")
else:
    t = result.table
    breakouts = screen.apply_filters(t, [f"exit_up:{p['recent']}"]).sort_values(
        ["exit_known", "rs_ratio"], ascending=False)
    highs = screen.apply_filters(t, [f"new_high:{p['recent']}"])
    downs = screen.apply_filters(t, [f"exit_down:{p['recent']}"])
    print(f"In the {p['recent']} sessions to {p['as_of']:%Y-%m-%d}: {len(breakouts)} members "
          f"exited a range upward, {len(downs)} downward, {len(highs)} made a 52-week closing "
          f"high ({len(t)} members scanned).")
    display(sc.tables.table(
        breakouts[[c for c in SHOW if c in t.columns]].head(25),
        f"Members that exited a range upward in the {p['recent']} sessions to "
        f"{p['as_of']:%Y-%m-%d} (latest exit first, at most 25)",
        units={"close": "price", "range_low": "price", "range_high": "price",
               "range_bars": "days", "exit_known": "date", "sessions_since_exit": "days",
               "retest_date": "date", "new_high_52w": "text", "rsi_14": "ratio",
               "quadrant": "text"},
        labels={"range_bars": "range bars", "exit_known": "exit known",
                "sessions_since_exit": "sessions since", "retest_date": "retest",
                "new_high_52w": "52-week high", "rsi_14": "RSI 14"},
        source=SCAN_SOURCE, max_columns=11,
        empty="no member exited a range upward in those sessions"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Quadrant changes against the benchmark
#
# Weekly rotation (RS-Ratio, RS-Momentum around 100): rows are last week's quadrant,
# columns this week's. Members that just moved into *improving* or *leading* follow.

# %% slideshow={"slide_type": "-"}
if result is None or "quadrant" not in result.table.columns:
    print("No rotation: the scan did not run or had no rotation detector.")
elif result.table["quadrant"].isna().all():
    print(f"No member has enough weekly history against {p['benchmark']} for the rotation.")
else:
    t = result.table
    moves = pd.crosstab(t["previous_quadrant"].fillna("(none)"), t["quadrant"].fillna("(none)"))
    display(sc.tables.table(
        moves.rename_axis(index="last week"),
        f"Members by quadrant against {p['benchmark']}: last week (rows) and this week (columns)",
        units={c: "int" for c in moves.columns}, source=SCAN_SOURCE,
        empty="no member has a quadrant this week"))
    # rotation weeks are labelled by their Friday, which may lie after as_of while the
    # week is in progress: the week is named by the last session the scan saw instead
    week = f"the week to {t['last_bar'].max():%Y-%m-%d}"
    for q in ("improving", "leading"):
        into = screen.apply_filters(t, [f"into={q}"]).sort_values("rs_momentum", ascending=False)
        print(f"{len(into)} members moved into '{q}' in {week}"
              + (": " + ", ".join(into.index[:15]) if len(into) else "."))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The top names
#
# The most recent upward range exits (ties: the highest RS-Ratio), last 250 sessions:
# the band of the range they left and the session the exit became known (dashed).

# %% slideshow={"slide_type": "-"}
if result is None or breakouts.empty:
    print("No small multiples: no member broke out of a range in the recent sessions.")
else:
    names = list(breakouts.index[: p["top"]])
    closes = sc.universe.panel(names, "close", end=p["as_of"])
    fig = small_multiples(closes, result.table, names,
                          title=f"Range breakouts among {p['universe']} members, "
                                f"{p['as_of']:%Y-%m-%d}",
                          params={"as_of": f"{p['as_of']:%Y-%m-%d}", "recent": p["recent"]})

# %% [markdown] slideshow={"slide_type": "slide"}
# ## How did such breakouts do?
#
# Every upward range exit of a member since `history_start`, dated on the close where it
# became known (the range is computed on each member's whole history, so an exit is the same
# on data cut at its known date), counted only if the symbol was a member that day. Forward
# returns from that close, against the equal-weight average of all members from the same
# day. Then the kit's event study on the benchmark: did days with many breakouts among
# members precede better benchmark returns than ordinary days?

# %% slideshow={"slide_type": "-"}
hist = None
try:
    mship = sc.universe.membership(p["universe"])
    names = mship.ever(p["history_start"], p["as_of"])
    panel = sc.universe.load_panel(names, end=p["as_of"], fields=["high", "low", "close"])
    mask = pd.DataFrame(mship.mask(panel.index, list(panel.close.columns)),
                        index=panel.index, columns=panel.close.columns)
    exits = screen.past_exits(panel.frames, mask, start=p["history_start"], end=p["as_of"])
    ups = exits[exits["exit"] == "up"]
    hist = screen.forward_returns(panel.close, ups, p["horizons"], member_mask=mask)
    print(f"{len(ups)} upward range exits among members from {p['history_start']:%Y-%m-%d} "
          f"to {p['as_of']:%Y-%m-%d} ({ups['symbol'].nunique()} symbols).")
    summ = screen.hit_summary(hist, p["horizons"])
    display(sc.tables.table(
        summ.reset_index(), f"Forward returns after upward range exits of members, {p['history_start']:%Y-%m-%d} "
        f"to {p['as_of']:%Y-%m-%d}, against the equal-weight members",
        units={"horizon": "days", "events": "int", "mean": "pct", "median": "pct",
               "members_mean": "pct", "mean_excess": "pct", "beat_members": "pct"},
        labels={"horizon": "sessions ahead", "members_mean": "members' mean",
                "mean_excess": "mean excess", "beat_members": "share beating members"},
        source=panel.provenance if panel.provenance is not None else
        f"smallcaps past range exits of {p['universe']} members, "
        "snapshot:universe/prices_daily.parquet",
        empty="no upward range exit with a forward return in the window"))
    print(panel.provenance.describe() if panel.provenance is not None else "")
except (ValueError, sc.data.DataError) as exc:
    print(f"No history: {exc}")

# %% slideshow={"slide_type": "-"}
if hist is None or hist.empty:
    print("No event study: no past breakouts to study.")
else:
    daily = hist.groupby("known_date").size()
    busy = daily[daily >= daily.quantile(0.9)].index
    try:
        bench_prices = sc.data.load(p["benchmark"], end=p["as_of"])
        study = sc.stats.event_study(list(busy), bench_prices, horizons=p["horizons"],
                                     name=f"days with >= {int(daily.quantile(0.9))} member breakouts")
        display(sc.tables.table(
            study.summary()[["n_events", "mean", "baseline_mean", "difference", "ci_low",
                             "ci_high", "p_value"]].reset_index(),
            f"Forward returns of {p['benchmark']} after days with at least "
            f"{int(daily.quantile(0.9))} member breakouts, against all days",
            units={"horizon": "days", "n_events": "int", "mean": "pct", "baseline_mean": "pct",
                   "difference": "pct", "ci_low": "pct", "ci_high": "pct", "p_value": "pvalue"},
            labels={"n_events": "events", "baseline_mean": "all days", "ci_low": "CI low",
                    "ci_high": "CI high", "p_value": "p-value"},
            source=bench_prices, empty="no horizon with a forward return to compare"))
        fig = sc.charts.event_study_chart(study, title=f"{p['benchmark']} after days with many "
                                                       "member breakouts")
    except (ValueError, sc.data.DataError) as exc:
        print(f"No event study: {exc}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Notes
#
# - Point in time: members of each date from the membership observations read forward;
#   range exits dated by `known_date`; no bar after the screen's date is read.
# - Survivorship: member prices come from symbols listed in March 2024, so members that
#   disappeared earlier are missing and the past looks healthier than it was (coverage
#   printed above).
# - The rotation is an open approximation of RRG-style RS-Ratio / RS-Momentum (see
#   docs/relative.md); the week label is a Friday even when the week is still in progress.
