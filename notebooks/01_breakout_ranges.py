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
# # Breakouts, ranges and levels
#
# Strategists describe small caps in levels: "rangebound between 1700 and 1900 for nearly two
# years before breaking out", "2100 is resistance", "the 50-day lies at 1991", "a trendline of
# lower highs from the November record", "the 50% retracement", "RSI is oversold". This
# notebook turns each of those into a computed, dated fact for one index or ETF, draws them
# on one chart, and then tests the claim behind them: **after breakouts from ranges like
# these, did the next 20 and 60 days return more than an ordinary day's next 20 and 60?**
#
# Everything is computed on the full history up to `end` (nothing after it is used), and
# shown for the window `start` to `end`.

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
symbol: str = "RUT"  # price series: RUT, IWM, SPX, QQQ (any catalog price name)
start: str = "2022-01-01"  # first date shown (ISO), or empty for all history
end: str = ""  # last date used and shown (ISO), or empty for the latest
ma_windows: list = [50, 100, 200]  # moving-average lengths in trading days
range_min_bars: int = 120  # shortest trading range, in bars
range_max_width: float = 0.15  # widest range band, high / low - 1
range_coverage: float = 0.85  # share of closes the band must hold
swing_pct: float = 0.05  # zig-zag reversal for swing points and levels (fraction)
level_tolerance: float = 0.015  # swing points within this fraction form one level
horizons: list = [20, 60]  # forward returns measured after breakouts, in trading days
window: int = 20  # recent sessions for the level tests and the events list
rsi_window: int = 14  # RSI length in sessions (Wilder)

# %% slideshow={"slide_type": "skip"}
import pandas as pd
from IPython.display import Markdown, display

import smallcaps as sc

T = sc.technicals
sc.charts.notebook_setup()  # figures drawn once, as SVG (report and slides)
p = sc.params.check(
    symbol=(symbol, sc.params.symbol()),
    start=(start, sc.params.date(optional=True)),
    end=(end, sc.params.date(optional=True)),
    ma_windows=(ma_windows, sc.params.int_list(min=2, max=400, min_distinct=2,
                                               rule="at least two different moving-average lengths")),
    range_min_bars=(range_min_bars, sc.params.integer(min=20, max=1000)),
    range_max_width=(range_max_width, sc.params.number(min=0.02, max=1.0)),
    range_coverage=(range_coverage, sc.params.number(min=0.5, max=1.0)),
    swing_pct=(swing_pct, sc.params.number(min=0.005, max=0.5)),
    level_tolerance=(level_tolerance, sc.params.number(min=0.001, max=0.1)),
    horizons=(horizons, sc.params.int_list(min=1, max=250)),
    window=(window, sc.params.integer(min=2, max=250)),
    rsi_window=(rsi_window, sc.params.integer(min=2, max=100)),
    order=[("start", "end")],
)
pd.set_option("display.width", 160)
pd.set_option("display.float_format", "{:,.2f}".format)
RANGE = dict(min_bars=p["range_min_bars"], max_width=p["range_max_width"],
             coverage=p["range_coverage"])

# %% slideshow={"slide_type": "skip"}
try:
    prices = sc.data.load(p["symbol"], end=p["end"])
except sc.data.DataError as exc:
    print(f"{p['symbol']} could not be loaded ({exc}).")
    print("Carrying on with the synthetic demo series instead: every number below is made up.")
    prices = sc.demo.series(p["symbol"])
    if p["end"] is not None:
        prices = prices.loc[:p["end"]]
prov = sc.data.provenance(prices)
name = p["symbol"]
asof = prices.index[-1]
shown_start = p["start"] if p["start"] is not None else prices.index[0]
shown = prices.loc[shown_start:]
MIN_SHOWN = 30  # bars: fewer make no readable chart
if len(shown) < MIN_SHOWN:
    shown = prices.iloc[-MIN_SHOWN:]
    print(f"start={shown_start:%Y-%m-%d} leaves fewer than {MIN_SHOWN} bars before "
          f"{asof:%Y-%m-%d}: showing the last {len(shown)} bars instead.")
close = prices["close"]
last = close.iloc[-1]
print(f"{name}: {len(prices):,} bars, {prices.index[0]:%Y-%m-%d} to {asof:%Y-%m-%d}; "
      f"shown from {shown.index[0]:%Y-%m-%d}. Last close {last:,.2f}.")
print(prov.describe())
# results later sections build on; a section that cannot run leaves its result at None
kl = ranges = in_view = levels = near = fib = profile = state = rsi14 = study = dd_close = None
lines = []

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Trading ranges and how they ended
#
# A *range* is at least `range_min_bars` bars in which a band no wider than
# `range_max_width` holds `range_coverage` of the closes. Its exit is dated at the first
# close of the run that broke it (`exit_date`); that the range had ended was only certain
# on `known_date`, the close no band could absorb any more. Ranges are found on the whole
# history up to `end` and then cut to the window (`sc.technicals.key_levels`, the same
# answer the weekly briefing gives), so they never depend on `start`.

# %% slideshow={"slide_type": "-"}
with sc.section("Trading ranges"):
    kl = T.key_levels(prices, pct=p["swing_pct"], tolerance=p["level_tolerance"], **RANGE)
    ranges = kl.ranges
    in_view = kl.ranges_in(shown.index[0])
    cols = ["start", "end", "low", "high", "width", "bars", "coverage", "exit", "exit_date",
            "known_date", "retest_date", "back_inside"]
    display(sc.tables.table(in_view[cols], f"Trading ranges of {name} in the window",
                            units={"low": "price", "high": "price", "width": "pct",
                                   "bars": "int", "coverage": "pct0"},
                            source=prices, max_columns=10,
                            empty=f"no trading range of at least {p['range_min_bars']} bars "
                            f"overlaps the window {shown.index[0]:%Y-%m-%d} to {asof:%Y-%m-%d}"))
    print(f"{len(ranges)} ranges in the whole history, {len(in_view)} in the window; exits: "
          + (", ".join(f"{k} {v}" for k, v in ranges["exit"].value_counts().items()) or "none"))
    print(prov.describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Weekly candles with ranges"):
    fig = sc.charts.candles(prices, shown.index[0], asof, weekly=True, mas=(10, 40),
                            ranges=ranges, title=f"{name}: weekly candles, trading ranges shaded")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key levels and their tests
#
# Support and resistance from clustered swing points (a `swing_pct` zig-zag over the whole
# history up to `end`) of the last two years, round numbers near the last close, breakeven
# closes, and how price behaved at each level within 5% of the close and each round number
# over the last `window` sessions.

# %% slideshow={"slide_type": "-"}
with sc.section("Support and resistance"):
    kl = sc.sections.require(kl, "No levels: the trading-range scan above did not run")
    levels = kl.levels
    near = levels.assign(abs_dist=levels["distance"].abs().astype("float64"))
    near = near.nsmallest(6, "abs_dist").drop(columns="abs_dist")
    display(sc.tables.table(near.sort_values("level", ascending=False),
                            "Support and resistance nearest the close", source=prices,
                            columns=["level", "role", "distance", "touches", "first_touch",
                                     "last_touch", "low", "high"],
                            units={"level": "price", "low": "price", "high": "price",
                                   "distance": "pct", "touches": "int"},
                            empty=f"fewer than two swing points of {p['swing_pct']:.0%} cluster "
                            f"within {p['level_tolerance']:.1%} between "
                            f"{kl.levels_from:%Y-%m-%d} and {asof:%Y-%m-%d}"))
    print(kl.describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Breakeven levels"):
    breakouts = (in_view.loc[in_view["exit"] == "up", "exit_date"].dropna()
                 if in_view is not None else [])
    breakeven = T.breakeven_levels(prices, dates=list(breakouts))
    display(sc.tables.table(breakeven, "Breakeven closes",
                            units={"level": "price", "distance": "pct"}, source=prices,
                            empty="no breakeven levels for these dates"))

# %% slideshow={"slide_type": "-"}
with sc.section("Level tests"):
    rounds = T.round_numbers(close, count=2)
    recent = prices.index[-min(p["window"], len(prices))]
    close_by = near.loc[near["distance"].abs() <= 0.05, "level"] if near is not None else []
    tests = []
    for lv in list(close_by) + list(rounds["level"]):
        try:
            t = T.level_test(prices, lv, start=recent)
        except ValueError as exc:
            print(f"level {lv:,.2f}: {exc}")
            continue
        tests.append(t.to_frame())
    sc.sections.require(tests, "No level lies within reach of the last sessions to test")
    level_tests = pd.concat(tests, ignore_index=True).drop_duplicates("level")
    display(sc.tables.table(level_tests.sort_values("level", ascending=False),
                            f"How price behaved at each level over the last {p['window']} "
                            "sessions",
                            columns=["level", "sessions", "crossed", "closes_above",
                                     "closes_below", "close_flips", "first_cross", "last_cross",
                                     "last_close"],
                            units={"level": "price", "last_close": "price",
                                   "first_cross": "date", "last_cross": "date"},
                            source=prices, empty="no level within 5% of the close to test"))
    print(prov.describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Drawdown, pullbacks and the levels below the high

# %% slideshow={"slide_type": "-"}
with sc.section("Drawdown and pullbacks"):
    dd_close = T.drawdown(prices)
    dd_intra = T.drawdown(prices, "intraday")
    pulls = T.pullbacks(prices, threshold=0.10, basis="intraday")
    since = shown.index[0] - pd.Timedelta(days=365)
    display(sc.tables.table(pulls[pulls["peak_date"] >= since],
                            "Pullbacks of 10% or more (intraday) since a year before the window",
                            units={"peak": "price", "trough": "price", "depth": "pct",
                                   "bars_to_trough": "days", "bars_to_recover": "days"},
                            source=prices,
                            empty=f"no pullback of 10% or more from a peak since {since:%Y-%m-%d}"))
    for pct in (0.10, 0.20):
        print(T.level_below_high(prices, pct).describe())
    print(f"Drawdown from the all-time closing high: {dd_close.iloc[-1]:.1%} (intraday basis "
          f"{dd_intra.iloc[-1]:.1%}).")
    print(prov.describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Trendlines and Fibonacci
#
# A line of lower highs from the window's highest high (a resistance line on a log scale),
# a line of higher lows from the lowest low after it, and the Fibonacci retracements of the
# window's largest move.

# %% slideshow={"slide_type": "-"}
with sc.section("Trendlines"):
    anchors = {"lower_highs": shown["high"].idxmax(), "higher_lows": shown["low"].idxmin()}
    for kind, begin in anchors.items():
        what = "high" if kind == "lower_highs" else "low"
        age = len(prices.loc[begin:]) - 1
        if age < 10:
            print(f"No line of {kind.replace('_', ' ')}: the window's {what} was only {age} "
                  f"bars ago ({begin:%Y-%m-%d}).")
            continue
        try:
            tl = T.trendline(prices, kind, start=begin, end=asof)
        except ValueError as exc:
            print(f"No line of {kind.replace('_', ' ')}: {exc}")
            continue
        lines.append(tl)
        print(tl.describe() + f"; on {asof:%Y-%m-%d} the line is at {tl.value_at(asof):,.2f}")

# %% slideshow={"slide_type": "-"}
with sc.section("Fibonacci retracements"):
    fib = T.fib_swing(prices, shown.index[0], asof)
    a, b = ("high_date", "low_date") if fib.attrs["move"] == "down" else ("low_date", "high_date")
    print(f"Largest move in the window: {fib.attrs['move']}, {fib.attrs[a][:10]} to "
          f"{fib.attrs[b][:10]}")
    display(sc.tables.table(fib, "Fibonacci retracements of the largest move",
                            columns=["retracement", "level"], units={"level": "price"},
                            source=prices))
    print(prov.describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The chart
#
# Daily candles for the window with the moving averages (computed on the full history),
# trading ranges, the nearest levels, trendlines, Fibonacci levels, the volume profile
# (time at price for an index, which has no volume), recent events and RSI.

# %% slideshow={"slide_type": "-"}
with sc.section("The chart"):
    profile = T.volume_profile(prices, shown.index[0], asof)
    ev = T.events(prices, start=shown.index[0])
    marks = ev[ev["event"].str.contains("cross|key_reversal|all_time")] if len(ev) else None
    fig = sc.charts.candles(prices, shown.index[0], asof, mas=p["ma_windows"], ranges=ranges,
                            levels=near[["level", "role"]] if near is not None and len(near)
                            else None,
                            trendlines=lines, fib=fib, profile=profile, events=marks,
                            rsi=p["rsi_window"], log=True)
    print(profile.describe())
    print(prov.describe())

# %% slideshow={"slide_type": "skip"}
# the same window to explore in the HTML report (zoom, hover); slides keep the figure above
with sc.section("Interactive chart"):
    display(sc.charts.interactive_chart(
        pd.DataFrame({name: close, **{f"{w}-day SMA": T.sma(close, w) for w in p["ma_windows"]}})
        .loc[shown.index[0]:asof], f"{name}: close and moving averages (interactive)",
        source=prices, log=True))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Momentum and moving-average state

# %% slideshow={"slide_type": "-"}
with sc.section("Momentum and moving averages"):
    state = T.ma_order(prices, p["ma_windows"]).iloc[-1]
    rsi14 = T.rsi(prices, p["rsi_window"])
    macd = T.macd(prices).iloc[-1]
    rows = {f"{w}-day SMA": state[f"sma_{w}"] for w in sorted(p["ma_windows"])}
    table = pd.DataFrame({"value": rows})
    table["close vs average"] = [f"{last / v - 1:+.1%}" if pd.notna(v) else "not yet defined"
                                 for v in table["value"]]
    display(sc.tables.table(table, "Moving averages and the last close",
                            units={"value": "price"}, source=prices))
    print(f"Order of the averages (highest first): {state['order']}"
          + (" - a rising stack" if state["bullish"] else " - a falling stack"
             if state["bearish"] else ""))
    print(f"RSI({p['rsi_window']}) {rsi14.iloc[-1]:.1f}"
          + (" (overbought, above 70)" if rsi14.iloc[-1] > 70 else " (oversold, below 30)"
             if rsi14.iloc[-1] < 30 else "")
          + f"; MACD {macd['macd']:,.2f} vs signal {macd['signal']:,.2f}")
    print(prov.describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Recent events
#
# Gaps, outside days, key reversals, moving-average crosses and new closing highs over the
# last `window` sessions.

# %% slideshow={"slide_type": "-"}
with sc.section("Recent events"):
    recent_ev = T.events(prices, start=prices.index[-min(p["window"], len(prices))])
    display(sc.tables.table(recent_ev, f"Events of the last {p['window']} sessions",
                            units={"price": "price", "direction": "int"}, source=prices,
                            empty=f"no events in the last {p['window']} sessions"))
    print(prov.describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Does a breakout pay? An event study
#
# The claim behind drawing ranges is that a breakout leads to further gains. The test: every
# upside exit from a range in the whole history, dated on the close where it became known
# (`known_date`, so nothing is used before it was visible), against all days. Forward log
# returns over each horizon; intervals and p-values respect the overlap of forward windows
# (circular-shift randomization, `sc.stats.event_study`).

# %% slideshow={"slide_type": "-"}
with sc.section("Event study after upside breakouts"):
    ranges = sc.sections.require(ranges, "No ranges, so no breakouts to study")
    ups = ranges.loc[ranges["exit"] == "up", "known_date"].dropna()
    study = sc.stats.event_study(list(ups), prices, horizons=p["horizons"],
                                 name=f"{name} breakouts up")
    sc.pvalues.record_table("breakouts up vs all days", study.summary())
    display(sc.tables.table(
        study.summary()[["n_events", "mean", "baseline_mean", "difference", "ci_low", "ci_high",
                         "p_value", "hit_rate", "baseline_hit_rate"]],
        f"Forward returns after upside range breakouts of {name}, against all days",
        units={"n_events": "int", "mean": "pct", "baseline_mean": "pct", "difference": "pct",
               "ci_low": "pct", "ci_high": "pct", "p_value": "pvalue", "hit_rate": "pct0",
               "baseline_hit_rate": "pct0"}, source=prices))
    fig = sc.charts.event_study_chart(study, title=f"{name}: after upside range breakouts")

# %% slideshow={"slide_type": "-"}
with sc.section("Event study after breakdowns"):
    ranges = sc.sections.require(ranges, "No ranges, so no breakdowns to study")
    downs = ranges.loc[ranges["exit"] == "down", "known_date"].dropna()
    study_down = sc.stats.event_study(list(downs), prices, horizons=p["horizons"],
                                      name=f"{name} breakdowns")
    sc.pvalues.record_table("breakdowns vs all days", study_down.summary())
    display(sc.tables.table(
        study_down.summary()[["n_events", "mean", "baseline_mean", "difference", "p_value"]],
        f"Forward returns after downside range breaks of {name}, against all days",
        units={"n_events": "int", "mean": "pct", "baseline_mean": "pct", "difference": "pct",
               "p_value": "pvalue"}, source=prices))
    print(prov.describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the data says

# %% slideshow={"slide_type": "-"}
with sc.section("What the data says"):
    says = [f"{name} closed at {last:,.2f} on {asof:%Y-%m-%d}"
            + (f", {dd_close.iloc[-1]:.1%} from its all-time closing high." if dd_close is not None
               else ".")]
    cur = kl.latest_range if kl is not None else None
    if cur is not None and cur["exit"] == "open":
        says.append(f"It is in a trading range since {cur['start']:%Y-%m-%d} between "
                    f"{cur['low']:,.0f} and {cur['high']:,.0f} ({cur['bars']} bars).")
    elif cur is not None:
        says.append(f"The last range ({cur['start']:%Y-%m-%d} to {cur['end']:%Y-%m-%d}, "
                    f"{cur['low']:,.0f}-{cur['high']:,.0f}) ended {cur['exit']} on "
                    f"{cur['exit_date']:%Y-%m-%d}.")
    res = kl.resistance if kl is not None else None
    sup = kl.support if kl is not None else None
    if res is None:
        says.append("No swing-point resistance lies above the close in the last two years.")
    else:
        says.append(f"Nearest resistance {res['level']:,.0f} ({res['touches']} touches, last "
                    f"{res['last_touch']:%Y-%m-%d}).")
    if sup is not None:
        says.append(f"Nearest support {sup['level']:,.0f} ({sup['touches']} touches, last "
                    f"{sup['last_touch']:%Y-%m-%d}).")
    if state is not None:
        w_short = min(p["ma_windows"])
        sma_short = state[f"sma_{w_short}"]
        says.append((f"The {w_short}-day average is {sma_short:,.0f}; " if pd.notna(sma_short)
                     else "") + f"the averages rank {state['order']}; "
                    f"RSI({p['rsi_window']}) is {rsi14.iloc[-1]:.0f}.")
    if study is not None:
        for h, row in study.summary().iterrows():
            if pd.notna(row["difference"]):
                verdict = ("better than" if row["ci_low"] > row["baseline_mean"] else
                           "worse than" if row["ci_high"] < row["baseline_mean"] else
                           "not distinguishable from")
                says.append(f"After {int(row['n_events'])} upside breakouts, the next {h} days "
                            f"returned {row['mean']:+.1%} on average against "
                            f"{row['baseline_mean']:+.1%} for all days: {verdict} an ordinary "
                            f"day (p = {row['p_value']:.2f}).")
    display(Markdown("\n".join("- " + x for x in says)))
    print(prov.describe())
