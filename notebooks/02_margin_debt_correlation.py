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
# # Margin debt and the Russell 2000: reproduce the 0.98, then test it properly
#
# A widely read note says FINRA margin debt has "a very tight correlation, 0.984 going back
# to January 1997" with the Russell 2000, that margin debt peaked in October 2021 a month
# before the index and in January 2025 (a record) two months after it, and that it fell to
# $850.6B in April 2025.
#
# A correlation between the *levels* of two series that both trend up proves little:
# unrelated random walks routinely show one (Granger and Newbold 1974). This notebook
# reproduces the headline number from the data, then asks what survives a proper test:
# changes instead of levels, unit roots and cointegration, lead and lag, turning points,
# and whether margin-debt growth said anything about the *next* months' returns, using
# each FINRA figure only from the session after it was published (FINRA: "the third week of
# the following month"; the kit takes the Friday of the third full week, the latest reading).

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
symbol: str = "RUT"  # index compared with margin debt (a price series: RUT, SPX, NDX, ...)
start: str = "1997-01"  # first month (FINRA's series starts in January 1997)
end: str = "2025-04"  # last month (ISO); empty means the latest available
basis: str = "month_end"  # daily closes -> monthly: 'month_end' (last close) or 'mean' (average)
max_lag: int = 12  # lead/lag range in months for the cross-correlogram and Granger tests
turn_threshold: float = 0.08  # fractional move that confirms a peak or trough (0.08 is 8 %)
horizons: list = [1, 3, 6]  # months ahead for the predictive test

# %% slideshow={"slide_type": "skip"}
import pandas as pd
from IPython.display import Markdown, display

import smallcaps as sc

sc.charts.notebook_setup()  # figures drawn once, as SVG (report and slides)
p = sc.params.check(
    symbol=(symbol, sc.params.symbol()),
    start=(start, sc.params.date(optional=True)),
    end=(end, sc.params.date(optional=True)),
    basis=(basis, sc.params.choice("month_end", "mean")),
    max_lag=(max_lag, sc.params.integer(min=1, max=36)),
    turn_threshold=(turn_threshold, sc.params.number(min=0.02, max=0.5)),
    horizons=(horizons, sc.params.int_list(min=1, max=24)),
    order=[("start", "end")],
    min_months=[("start", "end", 36)],  # the tests need at least 36 months
)
pd.set_option("display.width", 160)
pd.set_option("display.max_colwidth", 120)
pd.set_option("display.float_format", "{:,.4g}".format)


# %% [markdown] slideshow={"slide_type": "slide"}
# ## The data
#
# Daily closes of the index and FINRA's month-end debit balances in customers' margin
# accounts (US$ millions). If either series cannot be loaded the notebook says so and
# falls back to the kit's synthetic demo data, labelled as such on every figure.

# %% slideshow={"slide_type": "-"}
def load(name):
    try:
        return sc.data.load(name)
    except sc.data.DataError as exc:
        print(f"not available: {exc}\n  -> using SYNTHETIC demo data for {name} instead")
        return sc.data.load(name, demo=True)

prices = load(p["symbol"])
margin_df = load("margin_debt")
margin = margin_df[sc.sentiment.DEBIT].rename("margin debt")
index_m = sc.stats.to_monthly(prices, p["basis"]).rename(p["symbol"])
for obj in (prices, margin_df):
    print(sc.data.provenance(obj).describe())
# results later sections build on; a section that cannot run leaves its result at None
rep = s = window_idx = lo = hi = coint = robust = tp = peaks = rec = metrics = pr = None
NO_REPORT = "This needs the correlation report of the headline section, which is not available"


def params_used(**params):
    """The parameters behind the next table (its source line names the data)."""
    print("parameters:", ", ".join(f"{k}={v}" for k, v in params.items()))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 1. The headline number
#
# Month-end (or monthly-average) index closes against margin debt, over the common months
# in the window.

# %% slideshow={"slide_type": "-"}
with sc.section("The headline number"):
    rep = sc.stats.correlation_report(
        prices, margin, basis=p["basis"], start=p["start"], end=p["end"], max_lag=p["max_lag"],
        names=(p["symbol"], "margin debt"),
    )
    s = rep.sample
    window_idx = rep.to_frame().index
    lo, hi = window_idx[0], window_idx[-1]
    display(Markdown(f"**{rep.headline()}**"))
    params_used(basis=p["basis"], start=s["start"], end=s["end"])
    display(sc.tables.table(rep.summary(), "Correlation of levels and of changes",
                            source=[prices, margin_df]))

# %% slideshow={"slide_type": "-"}
with sc.section("Index and margin debt chart"):
    sc.sections.require(rep, NO_REPORT)
    fig = sc.charts.dual_log_chart(
        index_m.loc[window_idx[0]:window_idx[-1]], margin.loc[window_idx[0]:window_idx[-1]],
        names=(p["symbol"], "margin debt (US$ m)"),
        title=f"{p['symbol']} ({s['basis_text']}) and FINRA margin debt, log scales",
        params={"basis": p["basis"], "start": s["start"], "end": s["end"]},
    )
    print(sc.data.provenance(prices).describe())
    print(sc.data.provenance(margin_df).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 2. Why the level correlation misleads
#
# Both series grow at a few percent a year, so any two such series line up in levels. The
# left panel is the relation the headline describes; the right panel is what moves
# together month to month. The regression of one level on the other has an R² above its
# Durbin-Watson statistic: Granger and Newbold's sign of a spurious regression.
#
# For scale: independent random walks of the same length and drift, simulated below, give
# level correlations that are often large, while their changes are uncorrelated.

# %% slideshow={"slide_type": "-"}
with sc.section("Levels against changes"):
    sc.sections.require(rep, NO_REPORT)
    fig = sc.charts.levels_vs_changes(rep, params={"start": s["start"], "end": s["end"]})
    print(sc.data.provenance(prices).describe())
    print(sc.data.provenance(margin_df).describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Random-walk benchmark"):
    sc.sections.require(rep, NO_REPORT)
    d = rep.to_frame()
    drift = tuple(float(d[c].mean() / d[c].std()) for c in ("dlog_x", "dlog_y"))
    bench = sc.stats.spurious_benchmark(s["n_obs"], n_sims=2000, drift=drift, seed=0)
    level_r = rep.value("levels")
    share = float((bench["levels"].abs() >= abs(level_r)).mean())
    change_r = rep.value("log changes")
    share_c = float((bench["changes"].abs() >= abs(change_r)).mean())
    print(f"Independent random walks, {s['n_obs']} steps, drifts {drift[0]:.2f} and {drift[1]:.2f} sd per step "
          f"(SYNTHETIC simulation, 2,000 pairs):")
    print(f"  median |r| of levels {bench['levels'].abs().median():.2f}; share with |r| >= {abs(level_r):.3f}: {share:.1%}")
    print(f"  median |r| of changes {bench['changes'].abs().median():.3f}; share with |r| >= {abs(change_r):.3f}: {share_c:.1%}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 3. Unit roots and cointegration
#
# A level correlation means something only if the two series are *cointegrated*: tied
# by a long-run relation so that their gap keeps returning to normal. Each test states its
# null hypothesis in words. ADF: H0 = unit root; KPSS: H0 = stationary (opposite nulls,
# so they are read together). Engle-Granger: H0 = no cointegration; Johansen: H0 = at most
# r cointegrating relations.
#
# One lag choice can make or break a cointegration finding, so the conclusion is read from
# a robustness table: Engle-Granger both ways with a constant and with a trend, Johansen
# for 1, 2, 3, 6 and 12 lagged differences with no deterministic term, a constant, and a
# trend. A Johansen "relation" is rank 1 exactly (full rank means each series looks
# stationary on its own, which is not cointegration).

# %% slideshow={"slide_type": "-"}
with sc.section("Unit-root tests"):
    sc.sections.require(rep, NO_REPORT)
    params_used(basis=p["basis"], start=s["start"], end=s["end"])
    display(sc.tables.table(
        rep.unit_roots.summary()[["series", "form", "test", "statistic", "p_value", "reading",
                                  "null"]],
        "Unit-root tests of each series", units={"statistic": "stat", "p_value": "pvalue"},
        source=[prices, margin_df]))

# %% slideshow={"slide_type": "-"}
with sc.section("Cointegration"):
    sc.sections.require(rep, NO_REPORT)
    coint = rep.cointegration
    logs = rep.to_frame()
    robust = sc.stats.cointegration_robustness(
        logs["log_x"], logs["log_y"], names=(p["symbol"], "margin debt"))
    print("Conclusion from the table:", robust.conclusion() + ".")
    for note in robust.notes:
        print("note:", note)
    params_used(basis=p["basis"], start=s["start"], end=s["end"])
    display(sc.tables.table(
        robust.summary()[["test", "specification", "deterministic", "statistic", "crit_5pct",
                          "p_value", "rank", "rejects", "reading"]],
        "Cointegration of the log levels: Engle-Granger both ways, Johansen across lags "
        "and deterministic terms",
        units={"statistic": "stat", "crit_5pct": "stat", "p_value": "pvalue", "rank": "int"},
        source=[prices, margin_df]))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 4. Rolling correlation
#
# Over rolling windows, the correlation of monthly log changes against that of log
# levels. Levels hug 1 most of the time; changes move around a much lower level.

# %% slideshow={"slide_type": "-"}
with sc.section("Rolling correlation"):
    sc.sections.require(rep, NO_REPORT)
    fig = sc.charts.rolling_correlation_chart(rep, params={"start": s["start"], "end": s["end"]})
    print(sc.data.provenance(prices).describe())
    print(sc.data.provenance(margin_df).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 5. Which leads? Cross-correlation and Granger causality
#
# Monthly log changes, prewhitened (the index changes' own autocorrelation filtered out of
# both series) so that a spike at lag k > 0 means the index leads margin debt by k months,
# and k < 0 that margin debt leads. Granger tests both ways, with the lag chosen by AIC.

# %% slideshow={"slide_type": "-"}
with sc.section("Cross-correlogram"):
    sc.sections.require(rep, NO_REPORT)
    fig = sc.charts.cross_correlogram(rep.leadlag, sources=(prices, margin_df),
                                      params={"start": s["start"], "end": s["end"]})
    print(sc.data.provenance(prices).describe())
    print(sc.data.provenance(margin_df).describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Granger causality"):
    sc.sections.require(rep, NO_REPORT)
    print(rep.leadlag.granger.lag_choice)
    params_used(basis=p["basis"], max_lag=p["max_lag"])
    display(sc.tables.table(
        rep.leadlag.summary()[["direction", "lag", "statistic", "p_value", "reading", "null"]],
        "Granger causality, each direction",
        units={"lag": "int", "statistic": "stat", "p_value": "pvalue"},
        source=[prices, margin_df]))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 6. Turning points: Nov 2021 and Nov 2024
#
# Peaks and troughs of each series, dated when the series moves at least the threshold away
# from its extreme, and matched to the nearest turn of the same kind in the other series.
# A positive lead means the index turned first. Which month the index "peaked" depends on
# how daily closes become monthly: the daily closing high can fall in a month whose
# month-end close was not the highest. The table below therefore dates every margin-debt
# turn against the index on **both** bases (month-end close and monthly average) and
# against the index's daily extreme, and says when the lead or lag changes sign.

# %% slideshow={"slide_type": "-"}
with sc.section("Turning points"):
    sc.sections.require(rep, NO_REPORT)
    tp = sc.stats.compare_turning_points(
        index_m.loc[lo:hi], margin.loc[lo:hi], p["turn_threshold"], names=(p["symbol"], "margin debt"))
    fig = sc.charts.turning_points_chart(tp, params={"basis": p["basis"], "start": s["start"], "end": s["end"]})
    print(sc.data.provenance(prices).describe())
    print(sc.data.provenance(margin_df).describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Turning points on each basis"):
    sc.sections.require(rep, NO_REPORT)
    by_basis = sc.stats.turning_points_by_basis(
        prices["close"].loc[:hi], margin.loc[lo:hi], p["turn_threshold"],
        names=(p["symbol"], "margin debt"))
    by_basis = by_basis[by_basis["margin debt_date"] >= lo]
    peaks = by_basis[by_basis["margin debt_date"].isin(
        [d for d in by_basis["margin debt_date"] if any(
            abs((d - pd.Timestamp(w)).days) <= 92 for w in ("2021-10-31", "2025-01-31"))])]
    if peaks.empty:
        print("no margin-debt turn near 2021-10 or 2025-01 in this window")
    for text in peaks["statement"]:
        print(text)
    params_used(threshold=p["turn_threshold"], start=s["start"], end=s["end"])
    display(sc.tables.table(
        by_basis.drop(columns="statement").tail(8),
        "Turning points on each basis: month-end, monthly average and daily extreme",
        source=[prices, margin_df], empty="no matched turning points in this window"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 7. Margin debt against its record
#
# Level, year-over-year change and distance from the record high, from FINRA's figures.

# %% slideshow={"slide_type": "-"}
with sc.section("Margin debt against its record"):
    sc.sections.require(rep, NO_REPORT)
    metrics = sc.sentiment.margin_metrics(margin_df).loc[:hi]
    rec = sc.sentiment.margin_record(margin_df, hi)
    print(rec.describe())
    print(sc.data.provenance(margin_df).describe())
    display(sc.tables.table(
        metrics[["level", "yoy", "record", "record_date", "pct_from_record", "published",
                 "usable_from"]].tail(6), "Margin debt: the last 6 months (US$ millions)",
        units={"level": "int", "yoy": "pct", "record": "int", "record_date": "date",
               "pct_from_record": "pct", "published": "date", "usable_from": "date"},
        source=margin_df))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## 8. Does margin-debt growth say anything about the next months?
#
# The question that matters for an investor: with what was *known* at the time, did margin
# debt growth predict the index? Each month's year-over-year growth enters on the first
# session after FINRA published it (``usable_from``: the release time is not stated), and the forward log return of the index is measured
# over the next 1, 3 and 6 months (21 trading days each). The same regression aligned on
# the *reference* month (as if the figure were known on the last day of the month it
# describes) is shown for comparison: that version uses numbers three weeks before they
# existed. Forward returns may run past the window's end (they are the outcome, not the
# information).
#
# Then an event study: the publication dates of new margin-debt records, against all days.

# %% slideshow={"slide_type": "-"}
with sc.section("Predictive regression"):
    sc.sections.require(metrics, "This needs the margin-debt metrics above, which are not available")
    sig = metrics["yoy"].loc[lo:hi].dropna().rename("margin debt YoY growth")
    pub = metrics["usable_from"].reindex(sig.index)
    pr = sc.stats.predictive_regression(sig, prices, p["horizons"], published=pub)
    pr_ref = sc.stats.predictive_regression(sig, prices, p["horizons"], align="reference")
    both = pd.concat({"published (point in time)": pr.summary(),
                      "reference month (look-ahead)": pr_ref.summary()}, names=["aligned on"])
    params_used(horizons=p["horizons"], start=s["start"], end=s["end"])
    display(sc.tables.table(
        both[["n", "slope", "t_hac", "p_value", "r_squared", "q_low_mean", "q_high_mean"]],
        "Predictive regressions: point in time against the reference month",
        units={"n": "int", "slope": "stat", "t_hac": "ratio", "p_value": "pvalue",
               "r_squared": "pct", "q_low_mean": "pct", "q_high_mean": "pct"},
        source=[prices, margin_df]))

# %% slideshow={"slide_type": "-"}
with sc.section("Predictive regression chart"):
    sc.sections.require(pr, "No predictive regression to draw (see the section above)")
    fig = sc.charts.predictive_chart(pr, p["horizons"][-1], sources=(prices, margin_df),
                                     params={"start": s["start"], "end": s["end"]})
    print(sc.data.provenance(prices).describe())
    print(sc.data.provenance(margin_df).describe())

# %% slideshow={"slide_type": "-"}
with sc.section("Event study of margin-debt records"):
    sc.sections.require(metrics, "This needs the margin-debt metrics above, which are not available")
    records = metrics.loc[lo:hi]
    record_pub = pd.DatetimeIndex(records.loc[records["pct_from_record"] == 0, "usable_from"])
    es = sc.stats.event_study(record_pub, prices, (63, 126), name="margin-debt record published")
    sc.pvalues.record_table("after margin-debt records vs all days", es.summary())
    fig = sc.charts.event_study_chart(es)
    params_used(start=s["start"], end=s["end"])
    display(sc.tables.table(
        es.summary()[["n_events", "n_clusters", "mean", "baseline_mean", "difference",
                      "ci_low", "ci_high", "p_value", "note"]],
        "Event study of the index after margin-debt signals",
        units={"n_events": "int", "n_clusters": "int", "mean": "pct",
               "baseline_mean": "pct", "difference": "pct", "ci_low": "pct",
               "ci_high": "pct", "p_value": "pvalue"},
        source=[prices, margin_df], max_columns=10))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the data says

# %% slideshow={"slide_type": "-"}
with sc.section("What the data says"):
    sc.sections.require(rep, NO_REPORT)
    lines = [rep.headline()]
    if robust is not None:
        lines.append(f"Cointegration of the log levels: {robust.conclusion()}.")
    g = rep.leadlag.granger.summary().set_index("direction")
    for direction, row in g.iterrows():
        lines.append(f"Granger ({row['lag']} lags) {direction}: p = {row['p_value']:.3f} ({row['reading']}).")
    peak = rep.leadlag.ccf.peak_lag
    lines.append(f"The prewhitened cross-correlation peaks at lag {peak:+d} months "
                 f"(r = {rep.leadlag.ccf.table.loc[peak, 'ccf']:.2f}; lag > 0: {p['symbol']} leads).")
    if peaks is not None:
        lines += list(peaks["statement"])
    if rec is not None:
        lines.append(rec.describe())
    if pr is not None:
        h = p["horizons"][0]
        row = pr.summary().loc[h]
        lines.append(f"Point in time, margin-debt YoY growth explains {row['r_squared']:.1%} of the next "
                     f"{h}-month index return (slope t = {row['t_hac']:.2f}, HAC).")
    display(Markdown("\n".join("- " + x for x in lines)))
    print(sc.data.provenance(prices).describe())
    print(sc.data.provenance(margin_df).describe())
