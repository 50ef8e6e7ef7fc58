"""Small multiples of a screen's names: one small close chart per symbol, with the
range band it broke out of and the date the exit became known."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from ._style import COLORS, finish, kit_style


def small_multiples(close: pd.DataFrame, table: pd.DataFrame, symbols: Sequence[str], *,
                    bars: int = 250, cols: int = 4, title: str = "",
                    params: Mapping[str, Any] | None = None) -> Any:
    """A grid of close charts of ``symbols`` over their last ``bars`` sessions.

    Parameters
    ----------
    close : wide close panel (dates x symbols), cut at the screen's date.
    table : the scan table (``range_low``, ``range_high``, ``range_start``,
        ``exit_known``, ``quadrant`` used when present).
    symbols : which symbols, in order (at most a few dozen).
    bars : sessions shown per chart.

    Returns
    -------
    matplotlib Figure (provenance footer stamped).
    """
    import matplotlib.pyplot as plt

    syms = [s for s in symbols if s in close.columns]
    if not syms:
        raise ValueError("symbols: none of them is in the close panel")
    n = len(syms)
    ncol = min(cols, n)
    nrow = math.ceil(n / ncol)
    with kit_style():
        fig, axes = plt.subplots(nrow, ncol, figsize=(3.2 * ncol, 2.3 * nrow + 0.6),
                                 squeeze=False)
        for ax, sym in zip(axes.flat, syms, strict=False):
            s = close[sym].dropna().iloc[-bars:]
            ax.plot(s.index, s.to_numpy(), color=COLORS.get("price", "#1f4e79"), lw=1.0)
            row = table.loc[sym] if sym in table.index else None
            label = sym
            if row is not None and pd.notna(row.get("range_low", float("nan"))):
                lo_d = max(pd.Timestamp(row["range_start"]), s.index[0])
                hi_d = (pd.Timestamp(row["exit_known"]) if pd.notna(row.get("exit_known"))
                        else s.index[-1])
                ax.fill_between([lo_d, hi_d], row["range_low"], row["range_high"],
                                color=COLORS.get("muted", "#888888"), alpha=0.2, lw=0)
                if pd.notna(row.get("exit_known")):
                    ax.axvline(row["exit_known"], color="#2e7d32", lw=0.8, ls="--")
            if row is not None and isinstance(row.get("quadrant"), str):
                label += f" ({row['quadrant']})"
            ax.set_title(label, fontsize=9)
            ax.tick_params(labelsize=7)
            ax.xaxis.set_major_locator(plt.MaxNLocator(3))
        for ax in list(axes.flat)[n:]:
            ax.set_visible(False)
        if title:
            fig.suptitle(title, fontsize=11)
        fig.tight_layout()
    return finish(fig, close, params=params)
