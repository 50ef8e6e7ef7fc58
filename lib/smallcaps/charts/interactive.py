"""Interactive twins of the main price and ratio charts, for the HTML report.

A static matplotlib figure reads well on a slide and on paper; exploring a long history
needs zoom and hover. :func:`interactive_chart` draws the same lines with Bokeh (pan, wheel
and box zoom, a hover read-out of date and values) as one HTML block that carries
Bokeh's JavaScript inline: it survives nbconvert's HTML export and opens offline, no
CDN. The deck export drops these blocks (``sc-interactive``): slides keep the static
figure.
"""

from __future__ import annotations

import html as _html
from dataclasses import dataclass
from typing import Any

import pandas as pd

from ._style import COLORS

__all__ = ["Interactive", "interactive_chart"]

MARKER_CLASS = "sc-interactive"


@dataclass
class Interactive:
    """An interactive chart block: displays as HTML in a notebook and an HTML report."""

    html: str
    title: str

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"<interactive chart: {self.title}>"


def _bokeh_js() -> str:
    from bokeh.resources import Resources

    res = Resources(mode="inline", components=["bokeh"])
    return "\n".join(res.js_raw)


def interactive_chart(data: pd.Series | pd.DataFrame, title: str, *, source: Any = None,
                log: bool = False, ylabel: str | None = None, height: int = 380) -> Interactive:
    """An interactive line chart of ``data`` (a series, or a frame of lines on one axis).

    Parameters
    ----------
    data : dated values; a frame draws one line per column (e.g. close and its averages).
    title : the chart's title.
    source : pandas objects carrying provenance for the source line (default ``data``).
    log : log value axis.
    ylabel : value-axis label.
    height : height in pixels (the width follows the page).

    Returns
    -------
    Interactive
        Displays as a self-contained HTML block.

    Raises
    ------
    ValueError
        ``data`` is empty or not indexed by dates.
    """
    from bokeh.embed import components
    from bokeh.models import ColumnDataSource, HoverTool
    from bokeh.plotting import figure

    from ._style import source_line

    frame = data.to_frame(data.name or "value") if isinstance(data, pd.Series) else data
    if not isinstance(frame.index, pd.DatetimeIndex):
        raise ValueError("interactive: data must be indexed by dates")
    frame = frame.dropna(how="all")
    if frame.empty:
        raise ValueError(f"interactive: no values to draw for {title!r}")
    cols = [str(c) for c in frame.columns]
    src = ColumnDataSource({"date": frame.index, **{f"y{k}": frame.iloc[:, k].to_numpy()
                                                    for k in range(len(cols))}})
    fig = figure(title=title, x_axis_type="datetime", y_axis_type="log" if log else "linear",
                 height=height, sizing_mode="stretch_width",
                 tools="pan,wheel_zoom,box_zoom,reset,save", active_scroll="wheel_zoom",
                 toolbar_location="above")
    palette = [COLORS["price"], *COLORS["series"]]
    for k, name in enumerate(cols):
        fig.line("date", f"y{k}", source=src, legend_label=name, line_width=1.6 if k == 0 else 1.1,
                 color=palette[k % len(palette)])
    fig.add_tools(HoverTool(tooltips=[("date", "@date{%F}"),
                                      *[(name, f"@y{k}{{0,0.00}}") for k, name in enumerate(cols)]],
                            formatters={"@date": "datetime"}, mode="vline"))
    fig.legend.location = "top_left"
    fig.legend.click_policy = "hide"
    fig.yaxis.axis_label = ylabel or ""
    script, div = components(fig)
    line = source_line(*(source if isinstance(source, (list, tuple)) else
                         [source if source is not None else data]))
    foot = (f"<p style='font-size:11px;color:#6b7280;margin:4px 0 0 0'>source: "
            f"{_html.escape(line.replace(chr(10), '; '))}</p>" if line else "")
    help_text = ("<p style='font-size:11px;color:#6b7280;margin:2px 0'>Interactive: drag to pan, "
                 "wheel to zoom, hover for values, click a legend entry to hide it. Slides "
                 "and print use the static figure.</p>")
    js = _bokeh_js().replace("</script", "<\\/script")
    block = (f"<div class='{MARKER_CLASS}' style='max-width:100%'>"
             f"<script>if (typeof Bokeh === 'undefined') {{ {js} }}</script>"
             f"{div}{script}{help_text}{foot}</div>")
    return Interactive(html=block, title=title)
