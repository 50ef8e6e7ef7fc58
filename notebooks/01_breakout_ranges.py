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
sc.charts.notebook_setup()  # figures as PNG (report) and SVG (slides)
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
if len(shown) < 30:
    raise ValueError(f"start={shown_start:%Y-%m-%d} leaves {len(shown)} bars to show; "
                     "choose an earlier start")
close = prices["close"]
last = close.iloc[-1]
print(f"{name}: {len(prices):,} bars, {prices.index[0]:%Y-%m-%d} to {asof:%Y-%m-%d}; "
      f"shown from {shown.index[0]:%Y-%m-%d}. Last close {last:,.2f}.")
print(prov.describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Trading ranges and how they ended
#
# A *range* is at least `range_min_bars` bars in which a band no wider than
# `range_max_width` holds `range_coverage` of the closes. Its exit is dated at the first
# close of the run that broke it (`exit_date`); that the range had ended was only certain
# on `known_date`, the close no band could absorb any more.

# %% slideshow={"slide_type": "-"}
ranges = T.find_ranges(prices, **RANGE)
in_view = ranges[ranges["end"] >= shown.index[0]]
cols = ["start", "end", "low", "high", "width", "bars", "coverage", "exit", "exit_date",
        "known_date", "retest_date", "back_inside"]
display(sc.tables.table(in_view[cols], f"Trading ranges of {name} in the window",
                        units={"low": "price", "high": "price", "width": "pct", "bars": "int",
                               "coverage": "pct0"}, source=prices, max_columns=10,
                        empty="no trading range overlaps the window"))
print(f"{len(ranges)} ranges in the whole history, {len(in_view)} in the window; exits: "
      + ", ".join(f"{k} {v}" for k, v in ranges["exit"].value_counts().items()))
print(prov.describe())

# %% slideshow={"slide_type": "-"}
fig = sc.charts.candles(prices, shown.index[0], asof, weekly=True, mas=(10, 40),
                        ranges=ranges, title=f"{name}: weekly candles, trading ranges shaded")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Key levels and their tests
#
# Support and resistance from clustered swing points (a `swing_pct` zig-zag) inside the
# window, round numbers near the last close, breakeven closes, and how price behaved at
# each level within 5% of the close and each round number over the last `window` sessions.

# %% slideshow={"slide_type": "-"}
swings = T.swing_points(shown, pct=p["swing_pct"])
levels = T.support_resistance(shown, pct=p["swing_pct"], tolerance=p["level_tolerance"])
near = levels.assign(abs_dist=levels["distance"].abs()).nsmallest(6, "abs_dist")
display(sc.tables.table(near.drop(columns="abs_dist").sort_values("level", ascending=False),
                        "Support and resistance nearest the close", source=prices,
                        columns=["level", "role", "distance", "touches", "first_touch",
                                 "last_touch", "low", "high"],
                        units={"level": "price", "low": "price", "high": "price",
                               "distance": "pct", "touches": "int"},
                        empty="no clustered swing levels in the window"))
rounds = T.round_numbers(close, count=2)
breakouts = in_view.loc[in_view["exit"] == "up", "exit_date"].dropna()
breakeven = T.breakeven_levels(prices, dates=list(breakouts))
display(sc.tables.table(breakeven, "Breakeven closes", units={"level": "price", "distance": "pct"},
                        source=prices, empty="no breakeven levels for these dates"))
recent = prices.index[-min(p["window"], len(prices))]
tests = []
close_by = near.loc[near["distance"].abs() <= 0.05, "level"]
for lv in list(close_by) + list(rounds["level"]):
    try:
        t = T.level_test(prices, lv, start=recent)
    except ValueError as exc:
        print(f"level {lv:,.2f}: {exc}")
        continue
    tests.append(t.to_frame())
level_tests = pd.concat(tests, ignore_index=True).drop_duplicates("level")
display(sc.tables.table(level_tests.sort_values("level", ascending=False),
                        f"How price behaved at each level over the last {p['window']} sessions",
                        columns=["level", "sessions", "crossed", "closes_above", "closes_below",
                                 "close_flips", "first_cross", "last_cross", "last_close"],
                        units={"level": "price", "last_close": "price", "first_cross": "date",
                               "last_cross": "date"},
                        source=prices, empty="no level within 5% of the close to test"))
print(prov.describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Drawdown, pullbacks and the levels below the high

# %% slideshow={"slide_type": "-"}
dd_close = T.drawdown(prices)
dd_intra = T.drawdown(prices, "intraday")
pulls = T.pullbacks(prices, threshold=0.10, basis="intraday")
display(sc.tables.table(pulls[pulls["peak_date"] >= shown.index[0] - pd.Timedelta(days=365)],
                        "Pullbacks of 10% or more (intraday) since a year before the window",
                        units={"peak": "price", "trough": "price", "depth": "pct",
                               "bars_to_trough": "days", "bars_to_recover": "days"},
                        source=prices, empty="no pullback of 10% or more in that time"))
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
lines = []
anchors = {"lower_highs": shown["high"].idxmax(), "higher_lows": shown["low"].idxmin()}
for kind, begin in anchors.items():
    what = "high" if kind == "lower_highs" else "low"
    age = len(prices.loc[begin:]) - 1
    if age < 10:
        print(f"No line of {kind.replace('_', ' ')}: the window's {what} was only {age} bars ago "
              f"({begin:%Y-%m-%d}).")
        continue
    try:
        tl = T.trendline(prices, kind, start=begin, end=asof)
    except ValueError as exc:
        print(f"No line of {kind.replace('_', ' ')}: {exc}")
        continue
    lines.append(tl)
    print(tl.describe() + f"; on {asof:%Y-%m-%d} the line is at {tl.value_at(asof):,.2f}")
fib = T.fib_swing(prices, shown.index[0], asof)
a, b = ("high_date", "low_date") if fib.attrs["move"] == "down" else ("low_date", "high_date")
print(f"Largest move in the window: {fib.attrs['move']}, {fib.attrs[a][:10]} to {fib.attrs[b][:10]}")
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
profile = T.volume_profile(prices, shown.index[0], asof)
ev = T.events(prices, start=shown.index[0])
marks = ev[ev["event"].str.contains("cross|key_reversal|all_time")]
fig = sc.charts.candles(prices, shown.index[0], asof, mas=p["ma_windows"], ranges=ranges,
                        levels=near[["level", "role"]], trendlines=lines, fib=fib,
                        profile=profile, events=marks, rsi=p["rsi_window"], log=True)
print(profile.describe())
print(prov.describe())

# %% slideshow={"slide_type": "skip"}
# the same window to explore in the HTML report (zoom, hover); slides keep the figure above
sc.charts.interactive_chart(
    pd.DataFrame({name: close, **{f"{w}-day SMA": T.sma(close, w) for w in p["ma_windows"]}})
    .loc[shown.index[0]:asof], f"{name}: close and moving averages (interactive)",
    source=prices, log=True)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Momentum and moving-average state

# %% slideshow={"slide_type": "-"}
state = T.ma_order(prices, p["ma_windows"]).iloc[-1]
rsi14 = T.rsi(prices, p["rsi_window"])
macd = T.macd(prices).iloc[-1]
rows = {f"{w}-day SMA": state[f"sma_{w}"] for w in sorted(p["ma_windows"])}
table = pd.DataFrame({"value": rows})
table["close vs average"] = [f"{last / v - 1:+.1%}" for v in table["value"]]
display(sc.tables.table(table, "Moving averages and the last close", units={"value": "price"},
                        source=prices))
print(f"Order of the averages (highest first): {state['order']}"
      + (" - a rising stack" if state["bullish"] else " - a falling stack" if state["bearish"]
         else ""))
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
ups = ranges.loc[ranges["exit"] == "up", "known_date"].dropna()
downs = ranges.loc[ranges["exit"] == "down", "known_date"].dropna()
study = None
try:
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
except ValueError as exc:
    print(f"No event study: {exc}")
try:
    study_down = sc.stats.event_study(list(downs), prices, horizons=p["horizons"],
                                      name=f"{name} breakdowns")
    sc.pvalues.record_table("breakdowns vs all days", study_down.summary())
    display(sc.tables.table(
        study_down.summary()[["n_events", "mean", "baseline_mean", "difference", "p_value"]],
        f"Forward returns after downside range breaks of {name}, against all days",
        units={"n_events": "int", "mean": "pct", "baseline_mean": "pct", "difference": "pct",
               "p_value": "pvalue"}, source=prices))
except ValueError as exc:
    print(f"No breakdown study: {exc}")
print(prov.describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the data says

# %% slideshow={"slide_type": "-"}
says = [f"{name} closed at {last:,.2f} on {asof:%Y-%m-%d}, {dd_close.iloc[-1]:.1%} from its "
        "all-time closing high."]
cur = ranges.iloc[-1] if len(ranges) else None
if cur is not None and cur["exit"] == "open":
    says.append(f"It is in a trading range since {cur['start']:%Y-%m-%d} between "
                f"{cur['low']:,.0f} and {cur['high']:,.0f} ({cur['bars']} bars).")
elif cur is not None:
    says.append(f"The last range ({cur['start']:%Y-%m-%d} to {cur['end']:%Y-%m-%d}, "
                f"{cur['low']:,.0f}-{cur['high']:,.0f}) ended {cur['exit']} on "
                f"{cur['exit_date']:%Y-%m-%d}.")
sup = levels[levels["role"] == "support"].head(1)
res = levels[levels["role"] == "resistance"].tail(1)
if not len(res):
    says.append("No swing-point resistance lies above the close in the window.")
else:
    says.append(f"Nearest resistance {res['level'].iloc[0]:,.0f} ({res['touches'].iloc[0]} "
                f"touches, last {res['last_touch'].iloc[0]:%Y-%m-%d}).")
if len(sup):
    says.append(f"Nearest support {sup['level'].iloc[0]:,.0f} ({sup['touches'].iloc[0]} "
                f"touches, last {sup['last_touch'].iloc[0]:%Y-%m-%d}).")
w_short = min(p["ma_windows"])
says.append(f"The {w_short}-day average is {state[f'sma_{w_short}']:,.0f}; the averages rank "
            f"{state['order']}; RSI({p['rsi_window']}) is {rsi14.iloc[-1]:.0f}.")
if study is not None:
    for h, row in study.summary().iterrows():
        if pd.notna(row["difference"]):
            verdict = "better than" if row["ci_low"] > row["baseline_mean"] else \
                "worse than" if row["ci_high"] < row["baseline_mean"] else "not distinguishable from"
            says.append(f"After {int(row['n_events'])} upside breakouts, the next {h} days "
                        f"returned {row['mean']:+.1%} on average against {row['baseline_mean']:+.1%} "
                        f"for all days: {verdict} an ordinary day (p = {row['p_value']:.2f}).")
display(Markdown("\n".join("- " + x for x in says)))
print(prov.describe())
