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
# # Data tour: what smallcaps knows, and where it came from
#
# Every series the kit can load, how much of it there is, the gaps in it, and where each
# number came from. The chart at the end shows a price series with its 50- and 200-day
# averages, computed on the full history before the window is cut.

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
symbol: str = "RUT"  # price series to chart (a catalog name)
start: str = "2018-01-01"  # first date shown (ISO), or empty for all history
end: str = ""  # last date shown (ISO), or empty for the latest
ma_windows: list = [50, 200]  # moving-average lengths in trading days

# %% slideshow={"slide_type": "skip"}
import pandas as pd
from IPython.display import Markdown, display

import smallcaps as sc

sc.charts.notebook_setup()  # figures drawn once, as SVG (report and slides)
p = sc.params.check(
    symbol=(symbol, sc.params.symbol()),
    start=(start, sc.params.date(optional=True)),
    end=(end, sc.params.date(optional=True)),
    ma_windows=(ma_windows, sc.params.int_list(min=2, max=400)),
    order=[("start", "end")],
)
pd.set_option("display.width", 140)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The catalog
#
# Named series, their frequency and units, who publishes them, and the release rule used
# for point-in-time analysis (when each observation became public).

# %% slideshow={"slide_type": "-"}
with sc.section("The catalog"):
    display(sc.tables.table(sc.data.catalog()[["kind", "frequency", "units", "source", "release"]],
                            "The catalog: every named series",
                            source="smallcaps.data.catalog (the kit's registry)"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Coverage
#
# For each series: where it was loaded from, first and last date, rows, and runs of
# missing observations against its own calendar (NYSE sessions for daily series, from the
# exchange calendar, so holidays and market closures such as 2001-09-11..14 are not gaps;
# weekly slots for COT reports...). Nothing is interpolated. A series that cannot be
# loaded is listed as such.

# %% slideshow={"slide_type": "-"}
rows, provenances, missing, frames = [], {}, {}, {}
coverage = None
with sc.section("Coverage"):
    for name, spec in sc.data.CATALOG.items():
        try:
            df = sc.data.load(name)
        except sc.data.DataError as exc:
            rows.append({"series": name, "origin": "not loaded", "first": None, "last": None,
                         "rows": 0, "gap runs": None, "missing": None})
            missing[name] = str(exc)
            continue
        prov = sc.data.provenance(df)
        cov = sc.data.coverage(df, spec.frequency)
        rows.append({"series": name, "origin": prov.origin, "first": cov["first"],
                     "last": cov["last"], "rows": cov["rows"], "gap runs": cov["gap_runs"],
                     "missing": cov["missing"]})
        provenances[name] = prov
        frames[name] = df  # loaded once: the gaps below reuse it
    coverage = pd.DataFrame(rows).set_index("series")
    display(sc.tables.table(coverage, "Coverage of every catalog series",
                            units={"first": "date", "last": "date", "rows": "int",
                                   "gap runs": "int", "missing": "int"},
                            source="smallcaps.data.load of each catalog series (each one's "
                                   "provenance is listed below)"))

# %% slideshow={"slide_type": "-"}
with sc.section("Coverage chart"):
    fig = sc.charts.coverage_bars(sc.sections.require(coverage, "No coverage table to draw"))
    print("source: " + "; ".join(f"{name}: {prov.source}, {prov.origin}, {prov.retrieved}"
                                 for name, prov in provenances.items()))

# %% slideshow={"slide_type": "-"}
for why in missing.values():
    print(f"not loaded: {why}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Provenance
#
# Source, origin (snapshot, cache, download, import or synthetic demo), retrieval, range
# and the known quirks of each loaded series.

# %% slideshow={"slide_type": "-"}
with sc.section("Provenance"):
    sc.sections.require(provenances, "No series could be loaded, so there is no provenance")
    for prov in provenances.values():
        print(prov.describe())
        for note in prov.public_notes():
            print("    note:", note)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Gaps in detail
#
# The runs of missing observations of each series with any (daily series: NYSE sessions
# missing from the file; exchange holidays and closures are not sessions).

# %% slideshow={"slide_type": "-"}
with sc.section("Gaps in detail"):
    gap_tables = {}
    for name, df in frames.items():
        g = sc.data.gaps(df.index, sc.data.spec(name).frequency)
        if len(g):
            gap_tables[name] = g
    if gap_tables:
        display(sc.tables.table(pd.concat(gap_tables, names=["series", "run"])
                                .reset_index(level="run", drop=True),
                                "Runs of missing observations", max_columns=8,
                                source=[provenances[n] for n in gap_tables]))
    else:
        print("No gaps in any loaded series.")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Price and moving averages

# %% slideshow={"slide_type": "-"}
prices = None
with sc.section("Price and moving averages"):
    prices = sc.data.load(p["symbol"], end=p["end"])
    sc.sections.in_window(prices, p["start"], p["end"], f"{p['symbol']} prices")
    fig = sc.charts.price_with_averages(prices, windows=p["ma_windows"], start=p["start"],
                                        end=p["end"], log=p["start"] is None)
    print(sc.data.provenance(prices).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the data says

# %% slideshow={"slide_type": "-"}
with sc.section("What the data says"):
    close = sc.sections.require(prices, f"{p['symbol']} is not loaded")["close"]
    last_date = close.index[-1]
    lines = [f"{p['symbol']} closed at {close.iloc[-1]:,.2f} on {last_date:%Y-%m-%d}."]
    for w in p["ma_windows"]:
        avg = close.rolling(w, min_periods=w).mean().iloc[-1]
        if pd.notna(avg):
            side = "above" if close.iloc[-1] > avg else "below"
            lines.append(f"It is {abs(close.iloc[-1] / avg - 1):.1%} {side} its {w}-day "
                         f"average ({avg:,.2f}).")
        else:
            lines.append(f"Its {w}-day average needs {w} closes; the data up to "
                         f"{last_date:%Y-%m-%d} has {len(close)}.")
    display(Markdown("\n".join("- " + x for x in lines)))
    print(sc.data.provenance(prices).describe())
