"""One table style for the kit: every table a notebook or report shows goes through :func:`table`.

A table is formatted by the unit of each column (fractions as percentages, counts and
contracts as integers with thousands separators, prices to their tick, dates without
times), keeps no raw 0, 1, 2 index, carries a caption above and a source line under it,
shows at most the columns that fit a screen (the others are named under it) and, when
there is nothing to show, a sentence instead of an empty frame.

>>> import smallcaps as sc
>>> sc.tables.table(ranges, "Trading ranges in the window",                 # doctest: +SKIP
...                 units={"low": "price", "high": "price", "width": "pct"}, source=prices)

The HTML is a pandas ``Styler`` (no extra dependency) with the kit's CSS inlined in the
output, so exported reports keep the style offline.
"""

from __future__ import annotations

import html as _html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

__all__ = ["UNITS", "Table", "format_value", "table"]

#: Units a column can be given, and how each is written.
UNITS: dict[str, str] = {
    "pct": "a fraction shown as a percentage, 1 decimal (-0.1 -> -10.0%)",
    "pct0": "a fraction shown as a whole percentage (-0.1 -> -10%)",
    "pct2": "a fraction shown as a percentage, 2 decimals",
    "points": "percentage points already in percent (12.5 -> 12.5 pp)",
    "int": "a count, contracts or shares: integer with thousands separators",
    "contracts": "futures contracts: integer with thousands separators",
    "number": "a plain quantity: thousands separators, 2 decimals",
    "ratio": "a ratio or coefficient: 2 decimals",
    "stat": "a test statistic or correlation: 3 decimals",
    "pvalue": "a p-value: 3 decimals, '<0.001' below",
    "price": "a price: thousands separators and 2 decimals (price:0.25 sets the tick)",
    "money": "US dollars, whole: $1,234,567",
    "money_m": "US dollars in millions: $1,234.5m",
    "date": "a date without its time: 2025-05-23",
    "days": "a number of days or bars: integer",
    "text": "text as it is",
}

_CSS = """
<style>
.sc-table { margin: 0.6em 0 1.2em 0; max-width: 100%; }
.sc-table table { border-collapse: collapse; font-size: 13px; max-width: 100%;
  font-variant-numeric: tabular-nums; table-layout: auto; }
.sc-table caption { caption-side: top; text-align: left; font-weight: bold; font-size: 14px;
  padding: 0 0 6px 0; color: #1f2933; }
.sc-table th, .sc-table td { padding: 3px 9px; border-bottom: 1px solid #e1e4e8;
  vertical-align: top; overflow-wrap: anywhere; }
/* headers break between words only: "anywhere" let narrow columns split "regime" */
.sc-table thead th { background: #f3f5f7; text-align: right; white-space: normal;
  overflow-wrap: break-word; }
.sc-table thead th.sc-text { text-align: left; }
.sc-table td.sc-num { text-align: right; white-space: nowrap; }
.sc-table td.sc-text, .sc-table th.row_heading { text-align: left; max-width: 28em; }
.sc-table .sc-source, .sc-table .sc-more { font-size: 11px; color: #6b7280; margin: 4px 0 0 0; }
.sc-table .sc-synthetic { color: #c62828; font-weight: bold; }
.sc-empty { font-style: italic; color: #374151; }
</style>
"""

_NUMERIC_UNITS = {"pct", "pct0", "pct2", "points", "int", "contracts", "number", "ratio", "stat",
                  "pvalue", "price", "money", "money_m", "days"}


def _decimals_of_tick(tick: float) -> int:
    text = f"{tick:.10f}".rstrip("0")
    return len(text.split(".")[1]) if "." in text else 0


def format_value(value: Any, unit: str) -> str:
    """``value`` written in ``unit`` (one of :data:`UNITS`, or ``price:<tick>``); '' for missing.

    Raises
    ------
    ValueError
        An unknown unit.
    """
    base, _, arg = unit.partition(":")
    if base not in UNITS:
        raise ValueError(f"unit {unit!r} is not one of {', '.join(UNITS)} (or price:<tick>)")
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return ""
    if base == "text":
        return str(value)
    if base == "date":
        try:
            return pd.Timestamp(value).strftime("%Y-%m-%d")
        except (ValueError, TypeError):
            return str(value)
    try:
        x = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(x):
        return ""
    if base == "pct":
        return f"{x:.1%}"
    if base == "pct0":
        return f"{x:.0%}"
    if base == "pct2":
        return f"{x:.2%}"
    if base == "points":
        return f"{x:,.1f} pp"
    if base in ("int", "contracts", "days"):
        return f"{round(x):,d}"
    if base == "number":
        return f"{x:,.2f}"
    if base == "ratio":
        return f"{x:,.2f}"
    if base == "stat":
        return f"{x:.3f}"
    if base == "pvalue":
        return "<0.001" if x < 0.001 else f"{x:.3f}"
    if base == "price":
        tick = float(arg) if arg else 0.01
        nd = _decimals_of_tick(tick)
        return f"{round(x / tick) * tick:,.{nd}f}"
    if base == "money":
        return f"-${abs(x):,.0f}" if x < 0 else f"${x:,.0f}"
    if base == "money_m":
        return f"-${abs(x) / 1e6:,.1f}m" if x < 0 else f"${x / 1e6:,.1f}m"
    raise AssertionError(base)  # pragma: no cover  (every unit above returns)


def _guess_unit(s: pd.Series) -> str:
    """The unit of a column nobody named: p-values by name, then dates, integers,
    booleans, floats, text by dtype."""
    name = str(s.name).lower()
    if pd.api.types.is_float_dtype(s) and name.replace(" ", "_") in ("p_value", "pvalue", "p"):
        return "pvalue"
    if pd.api.types.is_datetime64_any_dtype(s):
        return "date"
    if pd.api.types.is_bool_dtype(s):
        return "text"
    if pd.api.types.is_integer_dtype(s):
        return "int"
    if pd.api.types.is_float_dtype(s):
        v = s.dropna()
        if len(v) and bool(np.all(np.isclose(v, np.round(v)))) and v.abs().max() >= 100:
            return "int"
        return "number"
    non_null = s.dropna()
    if len(non_null) and all(isinstance(v, (pd.Timestamp, np.datetime64)) for v in non_null):
        return "date"
    return "text"


def _source_text(source: Any, df: pd.DataFrame) -> tuple[str, bool]:
    """(source line, synthetic?) from a string, a Provenance, pandas objects, or the frame."""
    from .charts._style import source_line
    from .data.provenance import Provenance, is_synthetic, public_location

    objs: Sequence[Any]
    if source is None:
        objs = [df]
    elif isinstance(source, (list, tuple)):
        objs = source
    else:
        objs = [source]
    lines: list[str] = []
    synthetic = False
    for o in objs:
        if isinstance(o, str):
            lines.append(public_location(o))
            synthetic = synthetic or "SYNTHETIC" in o.upper()
        elif isinstance(o, Provenance):
            lines.append(o.describe())
            synthetic = synthetic or o.synthetic
        else:
            text = source_line(o)
            if text:
                lines.append(text)
            synthetic = synthetic or is_synthetic(o)
    seen: list[str] = []
    for line in lines:
        for part in line.splitlines():
            if part and part not in seen:
                seen.append(part)
    return "; ".join(seen), synthetic


@dataclass
class Table:
    """A formatted table ready to display (``_repr_html_`` in notebooks, ``str`` in a terminal).

    Attributes
    ----------
    frame : the rows and columns shown (already cut to ``max_columns``), values untouched.
    caption, source : the caption above and the source line under the table.
    units : column -> unit used.
    hidden : columns left out to fit the screen.
    empty : the sentence shown when ``frame`` has no rows.
    synthetic : True when any source is synthetic demo data.
    """

    frame: pd.DataFrame
    caption: str
    source: str
    units: dict[str, str]
    hidden: list[str] = field(default_factory=list)
    empty: str = ""
    synthetic: bool = False

    @property
    def is_empty(self) -> bool:
        return len(self.frame) == 0 or self.frame.shape[1] == 0

    def formatted(self) -> pd.DataFrame:
        """The shown frame with every cell written as text in its unit."""
        out = pd.DataFrame(index=self.frame.index)
        for col in self.frame.columns:
            unit = self.units[str(col)]
            out[col] = [format_value(v, unit) for v in self.frame[col]]
        return out

    def _caption_html(self) -> str:
        cap = _html.escape(self.caption)
        if self.synthetic:
            cap = f"<span class='sc-synthetic'>SYNTHETIC DEMO DATA</span> &middot; {cap}"
        return cap

    def _repr_html_(self) -> str:
        if self.is_empty:
            return (f"{_CSS}<div class='sc-table'><p class='sc-empty'><b>{self._caption_html()}"
                    f"</b>: {_html.escape(self.empty)}</p>"
                    f"<p class='sc-source'>source: {_html.escape(self.source)}</p></div>")
        shown = self.formatted()
        styler = shown.style.set_caption(self._caption_html())
        num_cols = [c for c in shown.columns if self.units[str(c)].split(":")[0] in _NUMERIC_UNITS]
        text_cols = [c for c in shown.columns if c not in num_cols]
        if num_cols:
            styler = styler.set_td_classes(pd.DataFrame(
                [["sc-num" if c in num_cols else "sc-text" for c in shown.columns]] * len(shown),
                index=shown.index, columns=shown.columns))
        elif text_cols:
            styler = styler.set_td_classes(pd.DataFrame(
                [["sc-text"] * len(shown.columns)] * len(shown), index=shown.index,
                columns=shown.columns))
        if text_cols:
            styler = styler.set_table_styles(
                {c: [{"selector": "th.col_heading", "props": "text-align: left;"}]
                 for c in text_cols}, overwrite=False)
        if not _keep_index(self.frame.index):
            styler = styler.hide(axis="index")
        body = styler.to_html(table_attributes="class='sc-tab'", escape=True)
        # pandas' Styler escapes the caption too; the synthetic span is ours, so restore it
        body = body.replace(_html.escape(self._caption_html()), self._caption_html())
        more = ""
        if self.hidden:
            more = (f"<p class='sc-more'>{len(self.hidden)} more column(s) not shown: "
                    f"{_html.escape(', '.join(self.hidden))}</p>")
        return (f"{_CSS}<div class='sc-table'>{body}{more}"
                f"<p class='sc-source'>source: {_html.escape(self.source)}</p></div>")

    def __str__(self) -> str:
        head = ("SYNTHETIC DEMO DATA: " if self.synthetic else "") + self.caption
        if self.is_empty:
            return f"{head}: {self.empty}\nsource: {self.source}"
        shown = self.formatted()
        text = shown.to_string(index=_keep_index(self.frame.index))
        more = f"\n{len(self.hidden)} more column(s) not shown: {', '.join(self.hidden)}" \
            if self.hidden else ""
        return f"{head}\n{text}{more}\nsource: {self.source}"

    __repr__ = __str__


def _keep_index(index: pd.Index) -> bool:
    """False for a raw positional index (0, 1, 2...), which says nothing to a reader."""
    if isinstance(index, pd.RangeIndex):
        return False
    if pd.api.types.is_integer_dtype(index) and index.name is None:
        return False
    return True


def _index_to_columns(df: pd.DataFrame, units: dict[str, str]) -> pd.DataFrame:
    """Named or dated indexes become ordinary first columns, so they get units and headers.

    An unnamed date level is called "date"; other unnamed levels get a blank header
    (distinct runs of spaces, so pandas keeps them apart); a name already used by a
    column gets a trailing space.
    """
    if not _keep_index(df.index):
        return df.reset_index(drop=True)
    taken = {str(c) for c in df.columns}
    names = []
    for i, (n, level) in enumerate(zip(df.index.names, _levels(df.index), strict=True)):
        if n is None:
            n = "date" if isinstance(level, pd.DatetimeIndex) else " " * (i + 1)
        n = str(n)
        while n in taken:
            n += " "
        taken.add(n)
        names.append(n)
    out = df.copy()
    out.index = out.index.set_names(names)
    return out.reset_index()


def _levels(index: pd.Index) -> list[pd.Index]:
    if isinstance(index, pd.MultiIndex):
        return [index.get_level_values(k) for k in range(index.nlevels)]
    return [index]


def table(
    df: pd.DataFrame | pd.Series,
    caption: str,
    *,
    units: Mapping[str, str] | None = None,
    source: Any = None,
    columns: Sequence[str] | None = None,
    max_columns: int = 9,
    empty: str | None = None,
    labels: Mapping[str, str] | None = None,
) -> Table:
    """Format ``df`` for a screen: the one table function of the kit.

    Parameters
    ----------
    df : the rows to show (a Series is shown as one column).
    caption : one line above the table saying what it is.
    units : column -> unit (see :data:`UNITS`; ``price:0.25`` for a tick). Columns not
        named get a unit from their dtype (dates, integers, 2-decimal numbers, text).
    source : where the numbers came from: pandas objects carrying provenance, a
        ``Provenance``, a string, or a list of them (default: ``df``'s own provenance).
        Local paths are never printed.
    columns : the columns to show, in order (default: all, up to ``max_columns``).
    max_columns : most columns shown; the rest are named under the table.
    empty : the sentence shown instead of an empty table (default: "nothing to show").
    labels : column -> header text (e.g. ``{"n_events": "events"}``).

    Returns
    -------
    Table
        Displays as styled HTML in a notebook, as aligned text with ``print``.

    Raises
    ------
    ValueError
        An unknown unit, or ``units``/``columns`` naming a column ``df`` does not have.
    """
    if isinstance(df, pd.Series):
        df = df.to_frame(df.name if df.name is not None else "value")
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"table: expected a DataFrame or Series, got {type(df).__name__}")
    units = dict(units or {})
    src, synthetic = _source_text(source, df)
    frame = _index_to_columns(df, units)
    frame.columns = [str(c) for c in frame.columns]
    if columns is not None:
        missing = [c for c in columns if c not in frame.columns]
        if missing:
            raise ValueError(f"table {caption!r}: columns {missing} are not in the frame "
                             f"(it has {list(frame.columns)})")
        frame = frame[list(columns)]
    unknown = [c for c in units if c not in frame.columns]
    if unknown:
        raise ValueError(f"table {caption!r}: units name columns {unknown} that are not in the "
                         f"frame (it has {list(frame.columns)})")
    hidden = [str(c) for c in frame.columns[max_columns:]]
    frame = frame.iloc[:, :max_columns]
    used = {}
    for c in frame.columns:
        unit = units.get(c) or _guess_unit(frame[c])
        format_value(0, unit) if unit.split(":")[0] != "date" else None  # validates the unit
        used[c] = unit
    # headers read as words: "closes_above" -> "closes above", unless labels say otherwise
    labels = {**{c: c.replace("_", " ") for c in frame.columns if "_" in c}, **(labels or {})}
    if labels:
        rename = {c: labels[c] for c in frame.columns if c in labels}
        frame = frame.rename(columns=rename)
        used = {rename.get(c, c): u for c, u in used.items()}
    return Table(frame=frame, caption=caption, source=src or "computed by smallcaps", units=used,
                 hidden=hidden, empty=empty or "nothing to show", synthetic=synthetic)
