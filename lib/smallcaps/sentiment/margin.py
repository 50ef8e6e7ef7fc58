"""FINRA margin debt: level, growth, distance from the record, drawdown.

FINRA publishes month-end customer margin balances of its member firms (US$
millions): debit balances in margin accounts ("margin debt"), and free credit
balances in cash and in margin accounts. Figures for a month come out in the
third week of the next month; the ``published`` column of
``sc.data.load("margin_debt")`` holds that date and is carried through here so
that any predictive use can align on it (``sc.data.align_published``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .._core.inputs import dated_series

__all__ = ["DEBIT", "MarginRecord", "margin_metrics", "margin_record"]

DEBIT = "debit_balances_margin_accounts"
_CREDIT = ("free_credit_cash_accounts", "free_credit_margin_accounts")


def _margin_series(margin: pd.DataFrame | pd.Series, column: str) -> pd.Series:
    """Positive balances on clean month-end dates (:mod:`smallcaps._core.inputs`)."""
    s = dated_series(margin, "margin", column, positive=True)
    if s.dropna().empty:
        raise ValueError(f"margin: column {column!r} has no values")
    return s


def margin_metrics(
    margin: pd.DataFrame | pd.Series,
    *,
    column: str = DEBIT,
    deflator: pd.Series | None = None,
    deflator_name: str = "deflator",
) -> pd.DataFrame:
    """Monthly margin-debt metrics.

    Columns
    -------
    level : the balance (US$ millions; deflated if ``deflator`` is given).
    nominal : the undeflated balance.
    mom, yoy : month-over-month and year-over-year change, ``L_t / L_{t-k} - 1``
        (k = 1, 12 rows; the data are monthly without gaps).
    log_change : ``ln(L_t / L_{t-1})``.
    record : the running record high ``max_{s<=t} L_s``; ``record_date`` its month.
    pct_from_record : ``L_t / record_t - 1`` (0 at a record, negative below it):
        the drawdown from the peak so far.
    below_record : ``record_t - L_t`` in the level's units.
    months_since_record : months since ``record_date``.
    net_credit : free credit balances (cash + margin accounts) minus debit
        balances, when those columns are present (negative = investors owe
        more than they hold in cash at brokers).
    published : publication date, carried over when present.

    Parameters
    ----------
    margin : the ``margin_debt`` frame from ``sc.data.load`` or a Series.
    column : balance column to use.
    deflator : optional price index (e.g. CPI) with a DatetimeIndex. It is put
        on month-ends (last value of each month), aligned to the margin dates and
        rebased to 1 at the last margin date, so the deflated level is in
        money of that month: ``level_t = nominal_t * D_last / D_t``.
    deflator_name : label recorded in ``attrs["deflated_by"]``.
    """
    s = _margin_series(margin, column)
    out = pd.DataFrame(index=s.index)
    out["nominal"] = s
    level = s
    if deflator is not None:
        if not isinstance(deflator, pd.Series) or not isinstance(deflator.index, pd.DatetimeIndex):
            raise TypeError("deflator: expected a Series with a DatetimeIndex")
        d = deflator.astype(float).dropna().resample("ME").last()
        d = d.reindex(s.index.to_period("M").to_timestamp("M"))
        d.index = s.index
        if d.isna().any():
            missing = s.index[d.isna().to_numpy()]
            raise ValueError(f"deflator: no value for {len(missing)} margin months, first "
                             f"{missing[0]:%Y-%m}, last {missing[-1]:%Y-%m}; cut the margin "
                             "series to the deflator's range")
        if (d <= 0).any():
            raise ValueError("deflator: values must be positive")
        level = s * d.iloc[-1] / d
    out["level"] = level
    out["mom"] = level.pct_change(fill_method=None)
    out["yoy"] = level.pct_change(12, fill_method=None)
    out["log_change"] = np.log(level).diff()
    rec = level.cummax()
    out["record"] = rec
    is_rec = level.eq(rec) & level.notna()
    rec_date = pd.Series(pd.NaT, index=s.index, dtype="datetime64[ns]")
    rec_date[is_rec.to_numpy()] = s.index[is_rec.to_numpy()]
    out["record_date"] = rec_date.ffill()
    out["pct_from_record"] = level / rec - 1
    out["below_record"] = rec - level
    out["months_since_record"] = [
        (i.year - r.year) * 12 + (i.month - r.month) if pd.notna(r) else np.nan
        for i, r in zip(out.index, out["record_date"], strict=True)
    ]
    if isinstance(margin, pd.DataFrame) and all(c in margin.columns for c in _CREDIT):
        out["net_credit"] = margin[list(_CREDIT)].astype(float).sum(axis=1) - margin[DEBIT].astype(float)
    if isinstance(margin, pd.DataFrame) and "published" in margin.columns:
        out["published"] = margin["published"]
        if "usable_from" in margin.columns:
            out["usable_from"] = margin["usable_from"]
    out.attrs = dict(getattr(margin, "attrs", {}))
    if deflator is not None:
        out.attrs["deflated_by"] = deflator_name
    return out


@dataclass(frozen=True)
class MarginRecord:
    """Where a month stands against the record set before it.

    Attributes: ``date`` and ``value`` of the month; ``record_date`` and
    ``record_value``, the highest balance strictly before that month;
    ``pct_below`` = value / record - 1 (negative below the record; positive
    when the month itself sets a new record); ``below`` = record - value.
    """

    date: pd.Timestamp
    value: float
    record_date: pd.Timestamp
    record_value: float
    pct_below: float
    below: float
    units: str = "US$ millions"

    @property
    def is_record(self) -> bool:
        return bool(self.value > self.record_value)

    def describe(self) -> str:
        """One sentence."""
        if self.is_record:
            return (f"{self.date:%B %Y}: {self.value:,.0f} ({self.units}), a new record, "
                    f"{self.pct_below:+.1%} above the previous high of {self.record_value:,.0f} "
                    f"({self.record_date:%B %Y}).")
        return (f"{self.date:%B %Y}: {self.value:,.0f} ({self.units}), {abs(self.pct_below):.1%} "
                f"({self.below:,.0f}) below the record of {self.record_value:,.0f} set in "
                f"{self.record_date:%B %Y}.")

    def to_dict(self) -> dict[str, Any]:
        return {"date": self.date, "value": self.value, "record_date": self.record_date,
                "record_value": self.record_value, "pct_below": self.pct_below,
                "below": self.below}


def margin_record(
    margin: pd.DataFrame | pd.Series,
    date: str | pd.Timestamp | None = None,
    *,
    column: str = DEBIT,
) -> MarginRecord:
    """The balance of one month against the record high set before it.

    Parameters
    ----------
    margin : the ``margin_debt`` frame or a Series.
    date : the month (any day in it, e.g. ``"2025-04"``); default the last month.
    column : balance column.
    """
    s = _margin_series(margin, column).dropna()
    if date is None:
        t = s.index[-1]
    else:
        period = pd.Timestamp(date).to_period("M")
        hits = s.index[s.index.to_period("M") == period]
        if len(hits) == 0:
            raise ValueError(f"date: no margin figure for {period} (data {s.index[0]:%Y-%m} "
                             f"to {s.index[-1]:%Y-%m})")
        t = hits[0]
    before = s.loc[: t - pd.Timedelta(days=1)]
    if before.empty:
        raise ValueError(f"date: {t:%Y-%m} is the first month; there is no earlier record")
    rdate = before.idxmax()
    rval = float(before.max())
    val = float(s.loc[t])
    return MarginRecord(t, val, rdate, rval, val / rval - 1, rval - val)
