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
# # Weekly briefing
#
# The week's note on a small-cap index in plain language, written only from computed
# facts: the close and the weekly change, where price sits against its 50- and 200-day
# averages, key levels and the nearest range edge, the levels tested during the week,
# relative strength against large caps and tech, and the latest sentiment readings as
# they had been published by the date of the note. Every sentence cites the facts it
# states; each section's table is right below it. Facts that cannot be computed are
# left out and listed at the end.

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
as_of: str = ""  # date of the note (ISO), or empty for the last date in the data
symbols: list = ["RUT", "SPX", "NDX"]  # the index of the note, then benchmarks for relative strength
short_interest: str = "IWM"  # ETF whose short interest is reported (IWM, QQQ or SPY)
contract: str = "russell2000"  # CFTC futures market (russell2000, sp500 or nasdaq100)
chart_months: int = 12  # months of history in the chart

# %% slideshow={"slide_type": "skip"}
import pandas as pd
from IPython.display import Markdown, display

import smallcaps as sc

sc.charts.notebook_setup()  # figures drawn once, as SVG (report and slides)
p = sc.params.check(
    as_of=(as_of, sc.params.date(optional=True)),
    symbols=(symbols, sc.params.symbol_list(min_len=1)),
    short_interest=(short_interest, sc.params.choice("IWM", "QQQ", "SPY")),
    contract=(contract, sc.params.choice("russell2000", "sp500", "nasdaq100")),
    chart_months=(chart_months, sc.params.integer(min=1, max=240)),
)
pd.set_option("display.max_colwidth", 80)
b = None  # the note every section below shows a part of
with sc.section("The weekly note"):
    b = sc.briefing.weekly_briefing(p["as_of"], p["symbols"],
                                    short_interest=p["short_interest"], contract=p["contract"])
    b.check()  # every number in the note is a fact shown in the tables
    display(Markdown(f"**{b.symbol}, the week to {b.as_of:%Y-%m-%d}**"))
NO_NOTE = "There is no note to show (see the sentence above)"

# %% [markdown] slideshow={"slide_type": "slide"}
# ## The note

# %% slideshow={"slide_type": "-"}
with sc.section("The note"):
    display(Markdown(sc.sections.require(b, NO_NOTE).text()))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Price: close, weekly change, moving averages

# %% slideshow={"slide_type": "-"}
with sc.section("Price"):
    display(sc.sections.require(b, NO_NOTE).section("price"))

# %% slideshow={"slide_type": "subslide"}
with sc.section("Price chart"):
    sc.sections.require(b, NO_NOTE)
    ex = sc.widgets.price_explorer(
        b.symbol, start=f"{b.as_of - pd.DateOffset(months=p['chart_months']):%Y-%m-%d}",
        end=f"{b.as_of:%Y-%m-%d}", windows=[50, 200], as_of=f"{b.as_of:%Y-%m-%d}")
    print(sc.data.provenance(sc.data.load(b.symbol, as_of=b.as_of)).describe())

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Levels: support, resistance, ranges and this week's tests

# %% slideshow={"slide_type": "-"}
with sc.section("Levels"):
    display(sc.sections.require(b, NO_NOTE).section("levels"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Relative strength

# %% slideshow={"slide_type": "-"}
with sc.section("Relative strength"):
    display(sc.sections.require(b, NO_NOTE).section("relative"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Sentiment, as published by the date of the note

# %% slideshow={"slide_type": "-"}
with sc.section("Sentiment"):
    display(sc.sections.require(b, NO_NOTE).section("sentiment"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Where the numbers come from

# %% slideshow={"slide_type": "-"}
with sc.section("Sources"):
    for line in sc.sections.require(b, NO_NOTE).provenance:
        print(line)

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Left out
#
# Facts that could not be computed for this date, and why (a series not loaded, too short,
# or whose latest published reading is too old to be this week's news).

# %% slideshow={"slide_type": "-"}
with sc.section("Left out"):
    display(sc.tables.table(sc.sections.require(b, NO_NOTE).missing_frame(),
                            "Facts left out, and why", source=list(b.provenance),
                            empty="nothing was left out"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the data says
#
# The note above, in one block with the facts each sentence cites in brackets.

# %% slideshow={"slide_type": "-"}
with sc.section("What the data says"):
    print(sc.sections.require(b, NO_NOTE).text(refs=True))
