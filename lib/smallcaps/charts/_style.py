"""The kit's plot style and the provenance footer every figure carries.

Every chart function in :mod:`smallcaps.charts` ends with :func:`finish`, which
writes under the figure where its data came from (source, as-of, parameters) and,
when any input is synthetic, stamps "SYNTHETIC DEMO DATA" across it.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator, Mapping
from typing import Any

from ..data.provenance import SYNTHETIC_LABEL, is_synthetic, provenance

__all__ = ["COLORS", "column_bars", "finish", "kit_style", "notebook_setup", "source_line",
           "wrap_to_width"]

# matplotlib >= 3.11 logs "findfont: Failed to find font weight medium" for styles that
# ask for weights DejaVu lacks; the kit uses only normal/bold, and keeps the log quiet.
logging.getLogger("matplotlib.font_manager").setLevel(logging.ERROR)

COLORS: dict[str, Any] = {  # one colour per role; "series" is a cycle
    "price": "#1f3b5c",
    "up": "#2e7d32",
    "down": "#c62828",
    "accent": "#ef6c00",
    "muted": "#8a8f98",
    "band": "#dce6f2",
    "series": ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b"],
}

RC: dict[str, Any] = {
    "figure.figsize": (11, 5.5),
    "figure.dpi": 100,
    "savefig.dpi": 110,
    "font.size": 10,
    "font.weight": "normal",
    "axes.titleweight": "bold",
    "axes.labelweight": "normal",
    "axes.titlesize": 12,
    "axes.grid": True,
    "grid.alpha": 0.25,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "legend.frameon": False,
}


@contextlib.contextmanager
def kit_style() -> Iterator[None]:
    """Context manager applying the kit's matplotlib rcParams."""
    import matplotlib as mpl

    with mpl.rc_context(RC):
        try:
            yield
        finally:
            interactive = mpl.rcParams["interactive"]
    # The first figure resolves the backend inside the context; in Jupyter that turns
    # interactive mode on, and restoring the old value would stop later figures from
    # being shown inline.
    mpl.rcParams["interactive"] = interactive


def _wrap_wide_titles(fig: Any) -> bool:
    """Break a title wider than the figure into lines of about equal length; True if any.

    ``tight_layout()`` makes room around the axes but cannot fit a title wider than
    the figure itself (a long symbol or parameter text), which would then be cut at
    the figure's edge.
    """
    import textwrap

    renderer = fig.canvas.get_renderer() if hasattr(fig.canvas, "get_renderer") else None
    if renderer is None:
        return False
    width = fig.bbox.width * 0.98
    texts = [t for ax in fig.axes for t in (ax.title, getattr(ax, "_left_title", None),
                                           getattr(ax, "_right_title", None)) if t is not None]
    if getattr(fig, "_suptitle", None) is not None:
        texts.append(fig._suptitle)
    changed = False
    for t in texts:
        text = t.get_text()
        if not text or "\n" in text:
            continue
        extent = t.get_window_extent(renderer)
        if extent.width > width:
            lines = int(extent.width // width) + 1
            # the narrowest wrap into that many lines (balanced lines read best)
            chars = -(-len(text) // lines)
            wrapped = textwrap.wrap(text, width=chars)
            while len(wrapped) > lines:
                chars += 1
                wrapped = textwrap.wrap(text, width=chars)
            t.set_text("\n".join(wrapped))
            changed = True
    return changed


def wrap_to_width(text: str, fontsize: float, width: float) -> str:
    """``text`` with its lines broken at spaces so that each fits ``width`` points.

    Each word is measured once (the width of a line is the sum of its words and
    spaces). matplotlib's own ``wrap=True`` measures every prefix of a line at every
    draw: on a long source line, more time than drawing the rest of the chart.
    """
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import text_to_path

    prop = FontProperties(size=fontsize)
    widths: dict[str, float] = {}

    def measure(s: str) -> float:
        if s not in widths:
            widths[s] = text_to_path.get_text_width_height_descent(s, prop, ismath=False)[0]
        return widths[s]

    space = measure("x x") - measure("xx")
    out = []
    for line in text.split("\n"):
        words = line.split(" ")
        current, used = [words[0]], measure(words[0])
        for word in words[1:]:
            w = measure(word)
            if used + space + w > width:
                out.append(" ".join(current))
                current, used = [word], w
            else:
                current.append(word)
                used += space + w
        out.append(" ".join(current))
    return "\n".join(out)


def _laid_out(fig: Any) -> bool:
    """True when ``fig.tight_layout()`` has placed everything inside the figure.

    matplotlib leaves a placeholder layout engine on a figure after ``tight_layout()``
    (and none on a figure never laid out).
    """
    from matplotlib.layout_engine import PlaceHolderLayoutEngine

    return isinstance(fig.get_layout_engine(), PlaceHolderLayoutEngine)


# no creation time stamped into each SVG (reruns differ less)
_SVG_METADATA = {"Date": None}
_INLINE_BACKENDS = ("inline", "module://matplotlib_inline.backend_inline")


def figure_svg(fig: Any) -> str | None:
    """The SVG of ``fig`` as the notebooks record it (one draw when the kit laid it out).

    IPython prints a figure with ``bbox_inches="tight"``, and matplotlib then draws it
    twice: once, drawing nothing, to measure it, once for real. A figure the kit's charts
    laid out with ``tight_layout()`` already fits its canvas, so it is printed at its own
    size in one draw (0.1-0.2 s less per figure, measured); any other figure is cropped
    to its content as before.
    """
    from IPython.core.pylabtools import print_figure

    if _laid_out(fig) or getattr(fig, "_smallcaps_own_size", False):
        fig.set_layout_engine(None)  # the placeholder engine alone forces the measuring draw
        fig._smallcaps_own_size = True  # shown again: the same size again
        return print_figure(fig, "svg", bbox_inches=None, metadata=_SVG_METADATA)
    return print_figure(fig, "svg", metadata=_SVG_METADATA)


def notebook_setup() -> None:
    """In a notebook, record each figure once, as SVG (see :func:`figure_svg`).

    The HTML report and the reveal.js deck both show the SVG (crisp on a projector and
    when zoomed). Drawing one format, not PNG and SVG, halves the drawing time of
    every figure, and with the inline backend pyplot's extra draw after each cell is
    switched off (the inline backend still shows every figure at the end of its cell).
    Outside IPython this does nothing.
    """
    try:
        from IPython import get_ipython
    except ImportError:  # pragma: no cover
        return
    ip = get_ipython()
    if ip is None:
        return
    import matplotlib
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure
    from matplotlib_inline.backend_inline import set_matplotlib_formats

    set_matplotlib_formats("svg")
    ip.display_formatter.formatters["image/svg+xml"].for_type(Figure, figure_svg)
    if matplotlib.rcParams["backend"] in _INLINE_BACKENDS:
        # pyplot's after-cell hook draws every changed figure once more, on an Agg canvas
        # nobody sees, before the inline backend prints it as SVG (a third of a chart
        # cell's time, measured); the inline backend's own hook still shows each figure.
        # Resolve the backend now, so that the hook is in place to be removed.
        plt.switch_backend(matplotlib.rcParams["backend"])
        plt.uninstall_repl_displayhook()


def mpf_style() -> Any:
    """The kit style for mplfinance (weights that exist in DejaVu Sans)."""
    import mplfinance as mpf

    mc = mpf.make_marketcolors(up=COLORS["up"], down=COLORS["down"], inherit=True)
    rc = {k: v for k, v in RC.items() if not k.startswith("figure.")}
    return mpf.make_mpf_style(base_mpf_style="default", marketcolors=mc, rc=rc, gridstyle=":")


def _fmt(value: Any) -> str:
    """Dates as ISO days, everything else as str."""
    if hasattr(value, "isoformat") and getattr(value, "hour", 0) == 0 and getattr(value, "minute", 0) == 0:
        return value.date().isoformat() if hasattr(value, "date") else value.isoformat()
    return str(value)


def source_line(*objs: Any, params: Mapping[str, Any] | None = None) -> str:
    """Provenance of each object that carries one, plus the parameters, as footer text."""
    lines = []
    seen = set()
    for o in objs:
        try:
            text = provenance(o).describe()
        except ValueError:
            continue
        if text not in seen:
            seen.add(text)
            lines.append(text)
    if params:
        lines.append("parameters: " + ", ".join(f"{k}={_fmt(v)}" for k, v in params.items()))
    return "\n".join(lines)


def shade_states(ax: Any, states: Any, which: Any, color: str, label: str,
                 alpha: float = 0.13) -> None:
    """Shade on ``ax`` each run of consecutive dates where ``states == which``.

    A run is drawn from the date before its first member (so a one-bar run still has
    width) to its last member; only the first run carries ``label`` for the legend.
    """
    import numpy as np

    on = (states == which).to_numpy()
    if not on.any():
        return
    idx = states.index
    starts = np.flatnonzero(on & ~np.r_[False, on[:-1]])
    ends = np.flatnonzero(on & ~np.r_[on[1:], False])
    for k, (i, j) in enumerate(zip(starts, ends, strict=True)):
        left = idx[i - 1] if i > 0 else idx[i]
        ax.axvspan(left, idx[j], color=color, alpha=alpha, lw=0, label=label if k == 0 else None)


def _plain_number(value: float, _pos: int | None = None) -> str:
    if value <= 0:
        return ""
    if value >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}"


def _plain_log_labels(ax: Any) -> None:
    """Label a log price axis with plain numbers (2,000 not 2x10^3), enough of them to read.

    Under about one decade (a price chart of a few years) the ticks are round numbers
    chosen like a linear axis's (1,600 1,800 2,000 ... ), so the axis never shows only
    one or two labels; up to four decades the 1-2-5 ticks are labelled; wider, the
    powers of ten.
    """
    import math

    from matplotlib.ticker import FuncFormatter, LogLocator, MaxNLocator, NullFormatter, NullLocator

    lo, hi = ax.get_ylim()
    if not (lo > 0 and hi > 0):
        return
    decades = math.log10(hi / lo)
    if decades < 1.0:
        ax.yaxis.set_major_locator(MaxNLocator(nbins=7, steps=[1, 2, 2.5, 5, 10]))
        ax.yaxis.set_minor_locator(NullLocator())
        ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
        ax.yaxis.set_minor_formatter(NullFormatter())
    elif decades < 4:
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_minor_locator(LogLocator(base=10, subs=tuple(range(2, 10))))
        ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
        ax.yaxis.set_minor_formatter(NullFormatter())
    else:
        ax.yaxis.set_major_formatter(FuncFormatter(_plain_number))
        ax.yaxis.set_minor_formatter(NullFormatter())


def finish(fig: Any, *objs: Any, params: Mapping[str, Any] | None = None, synthetic: bool = False) -> Any:
    """Stamp provenance (and a synthetic-data label when needed) on ``fig``; return it.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
    *objs : the pandas objects plotted; those with provenance are listed.
    params : parameters that shaped the figure (windows, thresholds...).
    synthetic : force the synthetic label (for data made in a test or notebook).
    """
    relabelled = False
    for ax in fig.axes:
        if ax.get_yscale() == "log":
            _plain_log_labels(ax)
            relabelled = True
    wrapped = _wrap_wide_titles(fig)
    if (relabelled or wrapped) and _laid_out(fig):
        # plain labels are wider than 10^n ones, wrapped titles taller: lay out again
        fig.tight_layout()
    text = source_line(*objs, params=params)
    if text:
        text = wrap_to_width(text, 7, fig.get_figwidth() * 72 * 0.98)
        n = text.count("\n") + 1
        fig.text(0.01, 0.005, text, fontsize=7, color=COLORS["muted"], ha="left", va="bottom")
        # room below the axes for the tick labels (about 0.45 in) and the footer's lines
        # (7 points, 1.25 spacing), in inches: the same on a short and a tall figure
        need = (0.45 + n * 7 * 1.25 / 72) / fig.get_figheight()
        fig.subplots_adjust(bottom=max(fig.subplotpars.bottom, min(need, 0.6)))
    if synthetic or is_synthetic(*objs):
        fig.text(0.5, 0.5, SYNTHETIC_LABEL, fontsize=34, color="#c62828", alpha=0.25,
                 ha="center", va="center", rotation=20, weight="bold")
        fig.text(0.99, 0.99, SYNTHETIC_LABEL, fontsize=10, color="#c62828", ha="right",
                 va="top", weight="bold")
    fig._smallcaps_finished = True  # tests check that every chart went through finish()
    return fig


def column_bars(ax: Any, index: Any, values: Any, width: float, color: Any,
                edgecolor: Any = None, label: str | None = None, alpha: float = 1.0) -> Any:
    """Bars from 0 to ``values`` at dates ``index``, ``width`` days wide, as ONE collection.

    ``ax.bar`` makes one patch per bar, and drawing hundreds of them is about six times
    slower than one collection of the same rectangles (measured on the weekly charts).
    ``color`` is one colour or one per bar. Returns the collection.
    """
    import matplotlib.dates as mdates
    import numpy as np
    from matplotlib.collections import PolyCollection

    x = mdates.date2num(index)
    v = np.asarray(values, dtype="float64")
    keep = np.isfinite(v)
    x, v = x[keep], v[keep]
    colors = color if isinstance(color, str) else np.asarray(color)[keep]
    half = width / 2.0
    verts = np.stack([np.column_stack([x - half, np.zeros_like(v)]),
                      np.column_stack([x - half, v]),
                      np.column_stack([x + half, v]),
                      np.column_stack([x + half, np.zeros_like(v)])], axis=1)
    coll = PolyCollection(verts, facecolors=colors, edgecolors=edgecolor if edgecolor is not None
                          else "none", linewidths=0.5 if edgecolor is not None else 0,
                          alpha=alpha, label=label)
    ax.add_collection(coll)
    ax.xaxis_date()
    if len(v):
        ax.update_datalim([(x.min() - half, min(0.0, v.min())), (x.max() + half, max(0.0, v.max()))])
        ax.autoscale_view()
    return coll
