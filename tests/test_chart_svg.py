"""How notebooks record figures: one SVG draw for the kit's laid-out charts, nothing cut.

``charts.figure_svg`` prints a figure that ``tight_layout()`` placed at its own size
(no measuring draw); that is only right if everything lies inside the figure, which
``charts.finish`` ensures (log axes relabelled, over-wide titles wrapped, then laid
out again). The reference for "inside" is matplotlib's own tight bounding box.
"""

from __future__ import annotations

import re

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from IPython.core.pylabtools import print_figure

import smallcaps as sc  # tests/conftest.py selects the Agg backend
from smallcaps.charts._style import _laid_out, figure_svg


def _series(seed: int, name: str) -> pd.Series:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2000-01-31", periods=150, freq="ME", name="date")
    return pd.Series(1000 * np.exp(np.cumsum(rng.normal(0.005, 0.05, 150))), idx, name=name)


def _overflow_inches(fig) -> float:
    """How far the drawn content reaches outside the figure (0 when it fits).

    Footer texts wrap at the figure's edge when drawn, so their unwrapped extent is
    left out, as matplotlib's own layout does.
    """
    hidden = [t for t in fig.texts if t.get_wrap()]
    for t in hidden:
        t.set_visible(False)
    try:
        fig.canvas.draw()
        bb = fig.get_tightbbox()
    finally:
        for t in hidden:
            t.set_visible(True)
    w, h = fig.get_size_inches()
    return float(max(0.0, -bb.x0, -bb.y0, bb.x1 - w, bb.y1 - h))


def _svg_size_pt(svg: str) -> tuple[float, float]:
    m = re.search(r'<svg[^>]*width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    assert m, svg[:300]
    return float(m.group(1)), float(m.group(2))


def _charts():
    x, y = _series(1, "IDX"), _series(2, "MARGIN DEBT")
    tp = sc.stats.compare_turning_points(x, y, 0.2)
    es = sc.stats.event_study(x.index[::10], x, (3, 6), min_events=3)
    long_title = ("Event study of every session in which breadth was washed out by the "
                  "reading of the long moving average, with the forward paths of the index "
                  "and of the equal-weight members")
    return {
        "dual log (plain labels are wider)": sc.charts.dual_log_chart(x, y),
        "turning points": sc.charts.turning_points_chart(tp),
        "event study, long title": sc.charts.event_study_chart(es, title=long_title),
    }


@pytest.mark.parametrize("name", list(_charts()))
def test_finished_charts_fit_their_figure(name):
    fig = _charts()[name]
    assert _laid_out(fig), "the kit's charts are laid out with tight_layout()"
    assert _overflow_inches(fig) < 0.01
    plt.close("all")


def test_an_over_wide_title_is_wrapped_not_cut():
    fig = _charts()["event study, long title"]
    title = fig.axes[0].get_title()
    assert "\n" in title and title.replace("\n", " ").startswith("Event study of every session")
    plt.close("all")


def test_laid_out_figures_print_at_their_own_size_others_cropped():
    fig = _charts()["turning points"]
    w, h = fig.get_size_inches()
    svg = figure_svg(fig)
    assert _svg_size_pt(svg) == pytest.approx((72 * w, 72 * h), abs=0.5)
    assert "<path" in svg
    again = figure_svg(fig)  # shown again: the same size, and no creation time in either
    assert _svg_size_pt(again) == _svg_size_pt(svg)
    assert "<dc:date>" not in svg and "<dc:date>" not in again
    plt.close("all")

    # a figure nobody laid out is cropped to its content, as IPython does by default
    fig, ax = plt.subplots(figsize=(6, 4))
    ax.plot([1, 2, 3])
    assert not _laid_out(fig)
    assert _svg_size_pt(figure_svg(fig)) == pytest.approx(_svg_size_pt(print_figure(fig, "svg")),
                                                          abs=0.5)
    assert _svg_size_pt(figure_svg(fig))[0] < 72 * 6
    plt.close("all")
