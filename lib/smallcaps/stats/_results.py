"""Base class shared by the statistics result objects.

Every result of :mod:`smallcaps.stats` carries

- ``summary()``: the headline table (a DataFrame),
- ``to_frame()``: the detailed data behind it (a DataFrame),
- ``_repr_html_()``: title, notes and the summary, for notebooks,
- ``plot(ax=None)``: a matplotlib Axes with the result drawn on it,
- ``notes``: plain-language caveats (tuple of str) gathered while computing.
"""

from __future__ import annotations

import html
from typing import Any

import pandas as pd


class Result:
    """Common behaviour of statistics results (subclasses are dataclasses)."""

    title: str = "result"

    def summary(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def to_frame(self) -> pd.DataFrame:  # pragma: no cover - abstract
        raise NotImplementedError

    def plot(self, ax: Any = None) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def _notes(self) -> tuple[str, ...]:
        return tuple(getattr(self, "notes", ()) or ())

    def _repr_html_(self) -> str:
        notes = "".join(f"<li>{html.escape(n)}</li>" for n in self._notes())
        notes_html = f"<ul>{notes}</ul>" if notes else ""
        table = self.summary().to_html(float_format=lambda v: f"{v:.4g}", na_rep="")
        return f"<h4>{html.escape(self.title)}</h4>{table}{notes_html}"

    def __str__(self) -> str:
        with pd.option_context("display.width", 120, "display.max_columns", 30):
            body = self.summary().to_string(float_format=lambda v: f"{v:.4g}")
        notes = "".join(f"\n  note: {n}" for n in self._notes())
        return f"{self.title}\n{body}{notes}"


def get_ax(ax: Any = None, figsize: tuple[float, float] = (9, 4.5)) -> Any:
    """``ax`` itself, or the axes of a new figure in the kit style."""
    if ax is not None:
        return ax
    import matplotlib.pyplot as plt

    from ..charts._style import kit_style

    with kit_style():
        _, ax = plt.subplots(figsize=figsize)
    return ax
