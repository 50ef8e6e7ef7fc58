"""Record the p-values a notebook computes, so a grid of runs can be honest about them.

A notebook that tests something calls::

    sc.pvalues.record_table("upside breakouts", study.summary())   # one per row (horizon)
    sc.pvalues.record("granger margin->price", 0.03, lag=2)

When the runner executes the notebook it names a file in ``SMALLCAPS_PVALUE_LOG``
(:func:`smallcaps.config.pvalue_log`); each call appends one JSON line to it and the
run's manifest lists them under ``pvalues``. The index page of a reports folder then
shows, for a ``--grid`` batch, the Benjamini-Hochberg adjusted value of each test
across all the combinations tried. Outside the runner (no log configured) the calls
do nothing, so notebooks run the same in JupyterLab.

This module knows nothing about the runner: it only writes to the configured file.
"""

from __future__ import annotations

import json
import math
import warnings
from typing import Any

from . import config

__all__ = ["record", "record_table"]


def _plain(value: Any) -> Any:
    """A JSON-friendly scalar (numpy scalars and timestamps become plain values / text)."""
    if hasattr(value, "item") and callable(value.item):
        try:
            value = value.item()
        except (ValueError, TypeError):
            pass
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def record(test: str, p: float, **context: Any) -> None:
    """Append one p-value to the run's p-value log (nothing happens outside the runner).

    Parameters
    ----------
    test : what was tested; the same text across a grid names one family of tries.
    p : the p-value in [0, 1]; NaN (a test that could not be computed) is skipped.
    **context : plain values that tell tests of one family apart (``horizon=20``).

    Raises
    ------
    ValueError
        ``p`` is outside [0, 1], or ``test`` is empty.
    """
    if not isinstance(test, str) or not test.strip():
        raise ValueError("pvalues.record: name the test (a non-empty string)")
    value = float(p)
    if math.isnan(value):
        return
    if not 0.0 <= value <= 1.0:
        raise ValueError(f"pvalues.record: {test!r} has p = {value!r}, outside [0, 1]")
    path = config.pvalue_log()
    if path is None:
        return
    line = {"test": test.strip(), "p": value, **{str(k): _plain(v) for k, v in context.items()}}
    try:
        with open(path, "a", encoding="utf-8") as fh:
            fh.write(json.dumps(line) + "\n")
    except OSError as exc:  # the log is an aid, never a reason to fail a notebook
        warnings.warn(f"could not record a p-value in {path}: {exc}", stacklevel=2)


def record_table(test: str, table: Any, column: str = "p_value", key: str | None = None) -> None:
    """Record every row's ``column`` of a results table (e.g. an event study's summary).

    Parameters
    ----------
    test : what was tested.
    table : a DataFrame with a ``column`` of p-values.
    column : the p-value column.
    key : the column that tells rows apart (default: the index, recorded under the
        index's name, e.g. ``horizon``, or as ``row``).
    """
    if table is None or column not in getattr(table, "columns", ()):
        return
    for label, row in table.iterrows():
        if key is not None and key in table.columns:
            ctx = {key: row[key]}
        else:
            ctx = {str(table.index.name or "row"): label}
        record(test, row[column], **ctx)
