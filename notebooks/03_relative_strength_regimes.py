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
# # Relative strength and its regimes
#
# Small-cap calls lean on relative strength: *"the long-term relative strength of the RUT
# against the SPX is bumping into a trendline that has marked lower highs since 2014"*,
# *"changes in long-term relative strength typically take years, not months"*. This notebook
# draws the ratio line, finds that trendline, fits regime models to the ratio and asks how
# long its regimes last, sets the models against a naive moving-average rule, and checks
# whether being in a leading regime said anything about the next quarter. It closes with a
# year-to-date table, the widest daily spreads and a rotation view.

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
numerator: str = "RUT"  # ratio numerator (a catalog price series)
denominator: str = "SPX"  # ratio denominator (a different catalog price series)
frequency: str = "weekly"  # clock of the ratio and the regime model: daily, weekly or monthly
start: str = "1987-01-01"  # first date of the ratio (ISO), empty for all common history
end: str = ""  # last date (ISO), empty for the latest common date
n_regimes: int = 2  # Markov regimes: 2 or 3
n_starts: int = 6  # starting values tried for the regime model (best likelihood kept)
refit_every: int = 52  # periods between refits of the real-time ("as known then") regime path
baseline_window: int = 40  # periods of the naive moving-average rule (40 weeks ~ 200 days)
horizon: int = 13  # forward horizon in periods (13 weeks is a quarter)
trendline_start: str = "2014-01-01"  # where to look for the line of lower highs (ISO)
trend_tolerance: float = 0.005  # how close the ratio must come to the line to touch it (0.5%)
swing_pct: float = 0.20  # reversal that ends a long-term relative-strength leg (20%)
ytd_year: int = 2023  # year of the year-to-date table
ytd_as_of: str = "2023-06-07"  # YTD through this date (ISO), empty for the year end or latest
ytd_symbols: list = ["SPX", "COMPQ", "IWM", "RUT", "QQQ"]  # rows of the YTD table

# %% slideshow={"slide_type": "skip"}
import pandas as pd
from IPython.display import Markdown, display

import smallcaps as sc

sc.charts.notebook_setup()  # figures drawn once, as SVG (report and slides)
p = sc.params.check(
    numerator=(numerator, sc.params.symbol()),
    denominator=(denominator, sc.params.symbol()),
    frequency=(frequency, sc.params.choice("daily", "weekly", "monthly")),
    start=(start, sc.params.date(optional=True)),
    end=(end, sc.params.date(optional=True)),
    n_regimes=(n_regimes, sc.params.integer(min=2, max=3)),
    n_starts=(n_starts, sc.params.integer(min=1, max=20)),
    refit_every=(refit_every, sc.params.integer(min=4, max=520)),
    baseline_window=(baseline_window, sc.params.integer(min=2, max=520)),
    horizon=(horizon, sc.params.integer(min=1, max=260)),
    trendline_start=(trendline_start, sc.params.date(optional=True)),
    trend_tolerance=(trend_tolerance, sc.params.number(min=0.0005, max=0.1)),
    swing_pct=(swing_pct, sc.params.number(min=0.02, max=0.9)),
    ytd_year=(ytd_year, sc.params.integer(min=1950, max=2100)),
    ytd_as_of=(ytd_as_of, sc.params.date(optional=True)),
    ytd_symbols=(ytd_symbols, sc.params.symbol_list()),
    order=[("start", "end")],
    different=[("numerator", "denominator")],  # a ratio needs two series
    same_year=[("ytd_as_of", "ytd_year")],
)

# the data and the window, checked before any model is fitted
a = sc.data.load(p["numerator"])
b = sc.data.load(p["denominator"])
try:
    ratio = sc.relative.ratio(a, b, frequency=p["frequency"], start=p["start"], end=p["end"])
    sc.regimes.check_window(ratio, p["n_regimes"])
except ValueError as exc:
    raise sc.params.ParameterError("start", f"window too short for the model: {exc}") from None
legs = sc.relative.aligned(a, b, frequency=p["frequency"], start=p["start"], end=p["end"])
unit = {"daily": "days", "weekly": "weeks", "monthly": "months"}[p["frequency"]]
pd.set_option("display.width", 140)
pd.set_option("display.precision", 2)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The ratio line
#
# The ratio of the two closes on their common dates, sampled at the end of each period, on
# a log scale (equal percentage moves look equal). A rising line means the numerator is
# beating the denominator.


# %% slideshow={"slide_type": "-"}
prov = sc.data.provenance(ratio)
# results later sections build on; a section that cannot run leaves its result at None
line = fit = dur = mean_len = base = comparison = complete = breaks = study_model = None
rt = share = None
ytd = ytd_end = top = recent = None
ytd_prices = {}
NO_FIT = "This needs the regime model above, which could not be fitted"
with sc.section("The ratio line"):
    print(f"{ratio.name}: {len(ratio):,} {p['frequency']} closes, {ratio.index[0]:%Y-%m-%d} to {ratio.index[-1]:%Y-%m-%d}")
    for note in prov.public_notes():
        print("note:", note)
    fig = sc.charts.ratio_chart(ratio, probabilities=False)
    print(prov.describe())

# %% slideshow={"slide_type": "skip"}
# the ratio to explore in the HTML report (zoom, hover); slides keep the figure above
with sc.section("The ratio line, interactive"):
    display(sc.charts.interactive_chart(ratio, f"{ratio.name} (interactive)", source=ratio, log=True))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The trendline of lower highs
#
# A line from the ratio's highest point since the chosen start through a later, lower high,
# that the ratio respected on the way (`sc.technicals.trendline` on the ratio, log scale).
# Touches are where the ratio came back to the line; a break is a close above it.

# %% slideshow={"slide_type": "-"}
with sc.section("The trendline of lower highs"):
    ratio_frame = pd.DataFrame({"high": ratio, "low": ratio, "close": ratio})
    line = None
    try:
        line = sc.technicals.trendline(ratio_frame, kind="lower_highs", start=p["trendline_start"],
                                       tolerance=p["trend_tolerance"])
    except ValueError as exc:
        print(f"no trendline of lower highs: {exc}")
    if line is not None:
        print(line.describe())  # the slope's unit follows the bars (a week on weekly bars)
        print("touches:", ", ".join(f"{d:%Y-%m-%d}" for d in line.touches))
        print("closes above the line:", ", ".join(f"{d:%Y-%m-%d}" for d in line.breaks) or "none")
        last = ratio.index[-1]
        print(f"latest {ratio.name} {ratio.iloc[-1]:.4f} vs the line {line.value_at(last):.4f} "
              f"({ratio.iloc[-1] / line.value_at(last) - 1:+.1%})")
        fig = sc.charts.ratio_chart(ratio, trendline=line, touches=line.touches,
                                    start=p["trendline_start"], probabilities=False,
                                    title=f"{ratio.name}: the line of lower highs")
        print(prov.describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Regimes: Markov switching on the ratio's changes
#
# A model in which the ratio's log change each period has a mean and a volatility that
# depend on a hidden regime, and the regime persists from one period to the next with a
# fitted probability (Hamilton 1989; `statsmodels` MarkovRegression, switching mean and
# variance, the best of several starting values). Regimes are named by their mean: the
# lowest is *lagging*, the highest *leading*. A regime with staying probability *p* lasts
# on average 1 / (1 - p) periods.

# %% slideshow={"slide_type": "-"}
with sc.section("The regime model"):
    fit = sc.regimes.fit(ratio, p["n_regimes"], n_starts=p["n_starts"], legs=legs)
    display(sc.tables.table(
        fit.summary(), fit.title,
        columns=["regime", "mean_annual_pct", "sd_annual_pct", "t_mean", "share_of_time",
                 "p_stay", "expected_years", "n_spells", "mean_spell_years"],
        units={"mean_annual_pct": "ratio", "sd_annual_pct": "ratio", "t_mean": "ratio",
               "share_of_time": "pct0", "p_stay": "stat", "expected_years": "ratio",
               "n_spells": "int", "mean_spell_years": "ratio"},
        labels={"mean_annual_pct": "mean change, % a year",
                "sd_annual_pct": "volatility, % a year", "t_mean": "t of the mean",
                "p_stay": "p(stay)", "expected_years": "expected length, years",
                "mean_spell_years": "mean complete spell, years"},
        source=ratio))

# %% slideshow={"slide_type": "-"}
with sc.section("Regime durations"):
    sc.sections.require(fit, NO_FIT)
    dur = fit.expected_durations()
    summ = fit.summary()
    per_year = fit.ppy
    lines = []
    for lab in fit.labels:
        lines.append(f"{lab:>8}: expected {dur.loc[lab, 'periods']:.0f} {unit} "
                     f"({dur.loc[lab, 'years']:.2f} years); observed complete spells average "
                     f"{summ.loc[lab, 'mean_spell_periods']:.0f} {unit} ({summ.loc[lab, 'mean_spell_years']:.2f} years) "
                     f"over {summ.loc[lab, 'n_spells']} spells; mean change {summ.loc[lab, 'mean_annual_pct']:+.1f}% a year, "
                     f"volatility {summ.loc[lab, 'sd_annual_pct']:.1f}% a year")
    all_spells = fit.spells()
    mean_len = all_spells.loc[~all_spells["censored"], "periods"].mean()
    print("\n".join(lines))
    print(f"mean regime length (all complete spells): {mean_len:.0f} {unit} = {mean_len / per_year:.2f} years")
    print("\ntransition probabilities (rows: from, columns: to)")
    print(fit.transition.round(3).to_string())
    print(sc.data.provenance(ratio).describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Ratio chart with regimes"):
    sc.sections.require(fit, NO_FIT)
    fig = sc.charts.ratio_chart(ratio, fit, title=f"{ratio.name}: {fit.k_regimes} regimes (shaded: most likely regime)")
    print(sc.data.provenance(ratio).describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Longest spells"):
    sc.sections.require(fit, NO_FIT)
    spells = fit.spells()
    print(f"longest spells of each regime ({unit}):")
    display(sc.tables.table(spells.sort_values("periods", ascending=False).groupby("label", sort=False)
                            .head(3).sort_values(["state", "periods"], ascending=[True, False]),
                            f"Longest spells of each regime ({unit})", units={"periods": "int"},
                            source=ratio, empty="no complete spell of any regime"))
    print(sc.data.provenance(ratio).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Regimes as known then
#
# The shaded regimes above come from one fit on the whole sample and smoothed
# probabilities: both use the future. The real-time path refits the model on an expanding
# window every `refit_every` periods and, until the next refit, reads each period's regime
# from the *filtered* probabilities (data up to that period) under those parameters only.
# Regimes keep their names across refits by matching each refit's regimes to the previous
# ones (closest mean and volatility). The event study below uses this path.

# %% slideshow={"slide_type": "-"}
with sc.section("Regimes as known then"):
    sc.sections.require(fit, NO_FIT)
    rt = sc.regimes.realtime(ratio, p["n_regimes"], refit_every=p["refit_every"])
    agree = rt.agreement(fit)
    share = agree.loc["smoothed (full sample)", "agree"]
    print(f"{len(rt.refits)} refits, every {p['refit_every']} {unit}, from {rt.refits['date'].iloc[0]:%Y-%m-%d} "
          f"({int(rt.refits['n_obs'].iloc[0])} {unit} of data); the real-time regime agrees with the "
          f"full-sample smoothed one in {share:.0%} of {int(agree['periods'].iloc[0]):,} {unit}")
    for note in rt.notes:
        print("note:", note)
    display(sc.tables.table(agree, "Real-time regimes against the full-sample paths",
                            units={"periods": "int", "agree": "pct0"},
                            labels={"agree": "same regime"}, source=ratio))
    ax = rt.plot()

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Against a naive baseline
#
# The simplest regime rule: the ratio above its moving average = leading, below = lagging.
# The table sets it beside the model on persistence (mean length of complete spells, switches
# per year) and on the ratio's change over the next `horizon` periods. The model's smoothed
# regimes use the whole sample (they know the future); the filtered ones use only the data up
# to each date, but with parameters fitted on the whole sample; the real-time path above is
# the fair comparison for "what came next".

# %% slideshow={"slide_type": "-"}
with sc.section("Against a naive baseline"):
    sc.sections.require(fit, NO_FIT)
    base = sc.regimes.baseline(ratio, p["baseline_window"], legs=legs)
    comparison = sc.regimes.compare(fit, base, horizon=p["horizon"])
    display(sc.tables.table(comparison, "Markov regimes against the moving-average rule",
                            source=ratio))
    print(f"forward change = 100 ln(ratio[t+{p['horizon']}] / ratio[t]), {p['horizon']} {unit} ahead")
    print(sc.data.provenance(ratio).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Long-term legs and breaks in the trend
#
# Two more ways to measure how long relative strength keeps its direction: the legs between
# reversals of at least `swing_pct` in the ratio (a zig-zag filter), and the segments of
# constant drift chosen by a structural-break search (Bai-Perron style dynamic programming
# with BIC).

# %% slideshow={"slide_type": "-"}
with sc.section("Long-term legs and breaks"):
    sc.sections.require(fit, NO_FIT)
    swings = sc.technicals.swing_points(ratio, method="zigzag", pct=p["swing_pct"], basis="close")
    legs_table = swings.assign(years=swings["bars"] / fit.ppy).rename(columns={"bars": unit})
    complete = legs_table.dropna(subset=["years"])
    complete = complete[complete["confirmed"].notna()]
    if len(complete):
        display(sc.tables.table(legs_table, f"Legs of the ratio between reversals of {p['swing_pct']:.0%}",
                                units={unit: "int", "years": "ratio"}, source=ratio,
                                empty="no reversal that large in the sample"))
        print(f"{len(complete)} confirmed legs of >= {p['swing_pct']:.0%}: median {complete['years'].median():.1f} years, "
              f"shortest {complete['years'].min():.1f}, longest {complete['years'].max():.1f}")
    else:
        print(f"No confirmed leg: {ratio.name} never reversed by {p['swing_pct']:.0%} between "
              f"{ratio.index[0]:%Y-%m-%d} and {ratio.index[-1]:%Y-%m-%d}.")
    breaks = sc.regimes.structural_breaks(ratio)
    print(f"structural breaks in the drift (BIC): {breaks.attrs['n_breaks']}")
    display(sc.tables.table(breaks, "Segments of constant drift (structural breaks, BIC)",
                            source=ratio, empty="no break in the drift"))
    print(sc.data.provenance(ratio).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Did the leading regime say anything about the next quarter?
#
# An event study (`sc.stats.event_study`) of the ratio's forward log change after every period
# spent in the leading regime as known at the time (the real-time path: expanding-window
# refits, filtered probabilities), and after every
# period with the ratio above its moving average, against all periods. The interval and
# p-value come from circular shifts of the whole pattern, which respects the clustering of
# consecutive periods in one regime.

# %% slideshow={"slide_type": "-"}
with sc.section("Event study of the leading regime"):
    sc.sections.require(fit, NO_FIT)
    sc.sections.require(rt, "This needs the real-time regime path above, which is not available")
    sc.sections.require(base, "This needs the moving-average baseline above, which is not available")
    in_leading = (rt.states == fit.k_regimes - 1).reindex(ratio.index, fill_value=False)
    above_avg = (base.states == 1).reindex(ratio.index, fill_value=False)
    study_model = sc.stats.event_study(in_leading, ratio, horizons=(p["horizon"],),
                                       name=f"{fit.labels[-1]} regime (as known then)")
    study_base = sc.stats.event_study(above_avg, ratio, horizons=(p["horizon"],),
                                      name=f"above {p['baseline_window']}-period average")
    sc.pvalues.record_table("ratio after leading regime (as known then)", study_model.summary())
    sc.pvalues.record_table("ratio above its baseline average", study_base.summary())
    display(sc.tables.table(pd.concat({"markov leading (real time)": study_model.summary(),
                                       f"above {p['baseline_window']} avg": study_base.summary()},
                                      names=["signal"]),
                            f"Forward change of the ratio {p['horizon']} {unit} ahead (100 ln)",
                            units={"n_events": "int", "p_value": "pvalue"}, source=ratio))
    ax = study_model.plot()
    print(sc.data.provenance(ratio).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Year to date
#
# Returns from the last close of the prior year, on price (close) and, for ETFs, total return
# (adj_close, dividends reinvested). Indices have no total-return series here.

# %% slideshow={"slide_type": "-"}
with sc.section("Year to date"):
    ytd_prices = {}
    for name in p["ytd_symbols"]:
        try:
            ytd_prices[name] = sc.data.load(name)
        except sc.data.DataError as exc:
            print(f"not loaded: {exc}")
    ytd = sc.relative.ytd_returns(ytd_prices, p["ytd_year"], p["ytd_as_of"], basis="both")
    display(sc.tables.table(ytd, f"{p['ytd_year']} year to date", source=list(ytd_prices.values()),
                            empty="no symbol could be loaded"))
    ytd_end = ytd["as_of_date"].max()
    perf = sc.relative.performance(ytd_prices, start=f"{p['ytd_year'] - 1}-12-31", end=ytd_end)
    fig = sc.charts.performance_chart(perf, title=f"{p['ytd_year']} year to date through {ytd_end:%Y-%m-%d} (price)")
    print(sc.data.provenance(ytd).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The widest daily spreads
#
# The daily return of the numerator minus that of the denominator, in percentage points, and
# for each of the widest days the last earlier day with a spread at least as wide in the same
# direction ("the widest since ...").

# %% slideshow={"slide_type": "-"}
with sc.section("The widest daily spreads"):
    spread = sc.relative.return_spread(a, b)
    top = sc.relative.spread_extremes(spread, 10)
    display(sc.tables.table(top, "The widest daily spreads", units={"spread_pp": "points"},
                            source=spread))
    recent_start = spread.index[-1] - pd.DateOffset(years=2)
    recent = sc.relative.spread_extremes(spread, 5, start=recent_start)
    display(sc.tables.table(recent, "The widest daily spreads of the last two years",
                            units={"spread_pp": "points"}, source=spread))
    fig = sc.charts.spread_chart(spread, n_extremes=5, start=recent_start)
    print(sc.data.provenance(spread).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Rotation
#
# An open approximation of a relative rotation graph against the denominator: RS-Ratio (the
# smoothed log ratio's z-score over 26 periods, + 100) and RS-Momentum (the z-score of its
# 4-period change, + 100). Symbols tend to move clockwise: leading, weakening, lagging,
# improving.

# %% slideshow={"slide_type": "-"}
with sc.section("Rotation"):
    rot_symbols = [s for s in dict.fromkeys([p["numerator"], *ytd_prices]) if s != p["denominator"]]
    rot_prices = {s: (a if s == p["numerator"] else ytd_prices[s]) for s in rot_symbols}
    rot = sc.relative.rotation(rot_prices, b, frequency=p["frequency"])
    display(sc.tables.table(rot.latest(), "Rotation: the latest RS-Ratio and RS-Momentum",
                            source=rot.frame))
    fig = sc.charts.rotation_chart(rot, tail=12)
    print(sc.data.provenance(rot.frame).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the data says

# %% slideshow={"slide_type": "-"}
with sc.section("What the data says"):
    says = []
    if fit is not None and dur is not None:
        lab_lo, lab_hi = fit.labels[0], fit.labels[-1]
        expected = ", ".join(f"{dur.loc[lab, 'periods']:.0f} {unit} ({lab})" for lab in fit.labels)
        model_years = mean_len / fit.ppy
        says.append(
            f"The {fit.k_regimes}-regime model of {ratio.name} ({p['frequency']}, {ratio.index[0]:%Y} to "
            f"{ratio.index[-1]:%Y}) expects regimes to last {expected}; its complete regime spells "
            f"average {mean_len:.0f} {unit}, {model_years:.1f} years.")
        if any("volatility regimes" in n for n in fit.notes):
            says.append("Its regimes differ in volatility, not in direction: their mean changes cannot be told "
                        "apart, so the model finds calm and turbulent spells of the ratio rather than "
                        "leadership regimes.")
    if base is not None and comparison is not None:
        bsum = base.summary()
        says.append(f"The {p['baseline_window']}-period moving-average rule switches "
                    f"{comparison.loc[(f'above/below {base.window} avg', fit.labels[-1]), 'switches_per_year']:.1f} "
                    f"times a year; its spells average {bsum['mean_spell_periods'].mean():.0f} {unit}.")
    if complete is not None and len(complete):
        leg_years = complete["years"].median()
        says.append(f"Measured as legs between {p['swing_pct']:.0%} reversals, relative strength kept its "
                    f"direction for a median {leg_years:.1f} years ({len(complete)} legs).")
        if fit is not None and mean_len is not None:
            verdict = ("support" if leg_years >= 1 else "do not support")
            says.append(f"'Years, not months': the long legs {verdict} it; the regimes the {p['frequency']} "
                        f"model detects last {'years' if mean_len / fit.ppy >= 1 else 'months'} on average.")
    if breaks is not None:
        says.append(f"The structural-break search finds {breaks.attrs['n_breaks']} break(s) in the ratio's "
                    f"drift (the {p['frequency']} noise is large against the drifts).")
    if rt is not None and share is not None:
        says.append(f"The real-time regime path ({len(rt.refits)} expanding-window refits) agrees with the "
                    f"full-sample smoothed path in {share:.0%} of {unit}.")
    if study_model is not None:
        row = study_model.summary().iloc[0]
        signif = "a difference" if row["p_value"] < 0.05 else "no reliable difference"
        says.append(f"Periods in the {fit.labels[-1]} regime (as known then) were followed over {p['horizon']} "
                    f"{unit} by a mean log change of {100 * row['mean']:+.2f}% in the ratio against "
                    f"{100 * row['baseline_mean']:+.2f}% for all periods (p = {row['p_value']:.2f}): {signif}.")
    if line is not None:
        says.append(f"Trendline: {line.describe()}.")
    if ytd is not None and ytd_end is not None and pd.notna(ytd_end):
        yt = ytd.dropna(subset=["price_pct"])
        says.append(f"{p['ytd_year']} YTD through {ytd_end:%Y-%m-%d} (price): " +
                    ", ".join(f"{s} {v:+.2f}%" for s, v in yt["price_pct"].items()) + ".")
    if top is not None and recent is not None and len(top) and len(recent):
        w, rw = top.iloc[0], recent.iloc[0]
        since = (f"the widest since {rw['largest_since']:%Y-%m-%d}" if pd.notna(rw["largest_since"])
                 else "the widest in the data")
        says.append(f"Widest daily spread ({p['numerator']} minus {p['denominator']}): {w['spread_pp']:+.2f} pp "
                    f"on {top.index[0]:%Y-%m-%d}; in the last two years {rw['spread_pp']:+.2f} pp on "
                    f"{recent.index[0]:%Y-%m-%d}, {since}.")
    says = sc.sections.require(says, "No result above could be computed, so there is nothing to sum up")
    display(Markdown("\n".join("- " + x for x in says)))
    print(sc.data.provenance(ratio).describe())
