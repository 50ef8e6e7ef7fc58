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
# # Fact check
#
# A market note is a list of checkable statements: "the 50-day lies at 1,991", "down
# 29.7% from November's all-time high", "crossed 2,100 five times in ten sessions". A
# claims file (YAML, see `docs/claims.md`) writes each one down with what to measure;
# here the kit measures every claim with its own functions, using **only the data
# published by the note's date** (`as_of`), and gives a verdict: *verified* (within
# tolerance), *refuted* (with the kit's value and the nearest reading that would match:
# the other basis, a nearby session) or *not checkable* (the data are missing or were
# not yet published, and which). Each refuted claim gets a small chart of what the data
# say around its date. The same check runs from the command line:
# `smallcaps check FILE`.

# %% slideshow={"slide_type": "skip"} tags=["parameters"]
claims: str = ""  # claims file (YAML); empty for the example note shipped with the kit
as_of: str = ""  # override the file's as_of date (ISO); empty keeps the file's own

# %% slideshow={"slide_type": "skip"}
import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import Markdown, display

import smallcaps as sc

sc.charts.notebook_setup()  # figures drawn once, as SVG (report and slides)

p = sc.params.check(
    claims=(claims, sc.claims.file_param()),
    as_of=(as_of, sc.params.date(optional=True)),
)
sc.sections.demo_note("claims are never checked against synthetic data; without real data every claim is not checkable.")
report = sc.claims.check(p["claims"], as_of=p["as_of"])
source = p["claims"].source or str(p["claims"].path)
display(Markdown(f"**{source}**: {report.summary()}"))

# %% [markdown] slideshow={"slide_type": "slide"}
# ## Verdicts
#
# One row per claim: what the note says, what it expects, the kit's value and the
# verdict. The note explains refuted and not-checkable claims.

# %% slideshow={"slide_type": "-"}
pd.set_option("display.max_colwidth", 120)
table = report.to_frame()
colours = {"verified": "#2e7d32", "refuted": "#c62828", "not_checkable": "#8a8f98"}
display(table.style.hide(axis="index").map(
    lambda v: f"color: {colours.get(v, 'inherit')}; font-weight: bold", subset=["verdict"]))
print(f"Claims file: {p['claims'].path}")
print("Data used (as published by "
      f"{report.as_of:%Y-%m-%d}):" if report.as_of is not None else "Data used (all data):")
for line in report.data():
    print(f"  {line}")

# %% [markdown] slideshow={"slide_type": "slide"}
# ## What the data say around each refuted claim

# %% slideshow={"slide_type": "-"}
refuted = [r for r in report.results if r.verdict == "refuted"]
if not refuted:
    print("No claim is refuted: nothing to show.")
for r in refuted:
    reason = sc.claims.why_no_chart(r, report)
    if reason:
        print(reason)
        continue
    display(Markdown(f"**{r.id}**: {r.note}"))
    fig = sc.claims.claim_chart(r, report)
    plt.show()
