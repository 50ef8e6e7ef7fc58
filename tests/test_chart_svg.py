"""How notebooks record figures: one SVG draw for the kit's laid-out charts, nothing cut.

``charts.figure_svg`` prints a figure that ``tight_layout()`` placed at its own size
(no measuring draw); that is only right if everything lies inside the figure, which
``charts.finish`` ensures (log axes relabelled, over-wide titles wrapped, then laid
out again). The reference for "inside" is matplotlib's own tight bounding box.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest
from IPython.core.pylabtools import print_figure

import smallcaps as sc  # tests/conftest.py selects the Agg backend
from smallcaps.charts._style import _laid_out, figure_svg, wrap_to_width


def _series(seed: int, name: str) -> pd.Series:
    rng = np.random.default_rng(seed)
    idx = pd.date_range("2000-01-31", periods=150, freq="ME", name="date")
    return pd.Series(1000 * np.exp(np.cumsum(rng.normal(0.005, 0.05, 150))), idx, name=name)


def _overflow_inches(fig) -> float:
    """How far the drawn content reaches outside the figure (0 when it fits), footer
    included (``charts.finish`` breaks its lines to the figure's width)."""
    fig.canvas.draw()
    bb = fig.get_tightbbox()
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


def _width_pt(text: str, size: float) -> float:
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    return text_to_path.get_text_width_height_descent(text, FontProperties(size=size), False)[0]


def test_wrapped_lines_fit_keep_every_word_and_break_only_when_needed():
    text = ("RUT: Yahoo Finance; snapshot:market/RUT.csv; retrieved snapshot vintage 2026-08-21 "
            "(latest date PROVENANCE.md records for market/RUT.csv); 1987-09-10 to 2026-08-21\n"
            "parameters: window=26, lag=4 supercalifragilisticexpialidocious-without-spaces")
    width = 180.0
    out = wrap_to_width(text, 7, width)
    lines = out.split("\n")
    assert out.replace("\n", " ").split(" ") == text.replace("\n", " ").split(" ")
    assert "vintage 2026-08-21" in out.replace("\n", " ") and lines[0].startswith("RUT:")
    # the text's own line break stays one: "2026-08-21" ends a line of the output
    assert any(ln.endswith("to 2026-08-21") for ln in lines)
    for i, ln in enumerate(lines):
        if " " in ln:
            assert _width_pt(ln, 7) <= width + 0.5, ln
        nxt = lines[i + 1].split(" ")[0] if i + 1 < len(lines) else None
        if nxt and not ln.endswith("2026-08-21"):  # greedy: the next word did not fit
            assert _width_pt(f"{ln} {nxt}", 7) > width - 0.5
    assert wrap_to_width("short line", 7, width) == "short line"


def test_a_long_footer_is_broken_into_lines_inside_the_figure():
    x = _series(3, "IDX")
    fig, ax = plt.subplots()
    ax.plot(x.index, x.to_numpy())
    fig.tight_layout()
    params = {f"parameter_{i}": "a value that takes room" for i in range(12)}
    fig = sc.charts.finish(fig, x, params=params)
    footer = [t for t in fig.texts if t.get_position() == (0.01, 0.005)]
    assert footer and footer[0].get_text().count("\n") >= 2
    assert not footer[0].get_wrap()  # broken once here, not measured again at every draw
    assert _overflow_inches(fig) < 0.01
    plt.close("all")


_SHELL = """
import json, sys
import matplotlib
matplotlib.use("module://matplotlib_inline.backend_inline")
from IPython.core.interactiveshell import InteractiveShell
ip = InteractiveShell.instance()
ip.enable_gui = lambda gui=None: None  # no event loop in a plain shell
import matplotlib.backends.backend_agg as agg
draws, shown = [], []
real = agg.FigureCanvasAgg.draw
agg.FigureCanvasAgg.draw = lambda self, *a, **k: (draws.append(1), real(self, *a, **k))[1]
ip.display_pub.publish = lambda data, metadata=None, **kw: shown.append(sorted(data))
ip.run_cell("import smallcaps as sc")
if sys.argv[1] == "setup":
    ip.run_cell("sc.charts.notebook_setup()")
ip.run_cell("import matplotlib.pyplot as plt\\nfig, ax = plt.subplots()\\nax.plot([1, 2, 3])")
ip.run_cell("x = 1")
print(json.dumps({"agg_draws": len(draws), "shown": shown}))
"""


@pytest.mark.parametrize("setup", ["setup", "none"])
def test_in_ipython_a_figure_is_drawn_once_as_svg_after_notebook_setup(setup):
    # pyplot draws every changed figure after each cell on an Agg canvas nobody sees,
    # before the inline backend prints it; notebook_setup turns that draw off and the
    # figure is still shown once, as SVG (the control run shows the extra draw)
    env = {k: v for k, v in os.environ.items() if k != "MPLBACKEND"}
    out = subprocess.run([sys.executable, "-c", _SHELL, setup], capture_output=True, text=True,
                         timeout=120, env=env)
    assert out.returncode == 0, out.stderr
    got = json.loads(out.stdout.strip().splitlines()[-1])
    # without the setup: pyplot's draw and PNG printing (a measuring draw and the real one)
    assert (got["agg_draws"] == 0) if setup == "setup" else (got["agg_draws"] >= 1)
    figures = [d for d in got["shown"] if "image/svg+xml" in d or "image/png" in d]
    assert len(figures) == 1
    if setup == "setup":
        assert "image/svg+xml" in figures[0] and "image/png" not in figures[0]
