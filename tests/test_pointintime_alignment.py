"""Point in time: release rules, ``load(..., as_of=)`` and alignment by publication date.

Release rules are checked against independent, calendar-walking implementations;
the alignment against a brute-force "latest published on or before t" search, so
no analysis can use a number before it was public.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps.data import DataError
from smallcaps.data.pointintime import published_dates

# --- release rules, re-derived by walking the calendar --------------------------------------


def _next_weekday(d: dt.date) -> dt.date:
    while d.weekday() >= 5:
        d += dt.timedelta(days=1)
    return d


def _finra(ref: dt.date) -> dt.date:
    """Third week of the following month: its 21st, moved to a weekday."""
    y, m = (ref.year + 1, 1) if ref.month == 12 else (ref.year, ref.month + 1)
    return _next_weekday(dt.date(y, m, 21))


def _short_interest(ref: dt.date) -> dt.date:
    """Eight business days (weekdays) after settlement."""
    d, n = ref, 0
    while n < 8:
        d += dt.timedelta(days=1)
        n += d.weekday() < 5
    return d


def _cot(ref: dt.date) -> dt.date:
    """The Friday on or after the report date."""
    d = ref
    while d.weekday() != 4:
        d += dt.timedelta(days=1)
    return d


def _nfib(ref: dt.date) -> dt.date:
    """Second Tuesday of the following month."""
    y, m = (ref.year + 1, 1) if ref.month == 12 else (ref.year, ref.month + 1)
    tuesdays = [dt.date(y, m, k) for k in range(1, 15) if dt.date(y, m, k).weekday() == 1]
    return tuesdays[1]


@pytest.mark.parametrize("rule, reference, dates", [
    ("finra_margin", _finra, pd.date_range("1997-01-31", "2026-12-31", freq="ME")),
    ("short_interest", _short_interest, pd.date_range("2019-01-15", "2026-12-31", freq="SMS")),
    ("cftc_cot", _cot, pd.date_range("2015-01-06", "2026-12-29", freq="W-TUE")),
    ("cftc_cot", _cot, pd.DatetimeIndex(["2024-12-30", "2025-05-26"])),  # holiday-week Mondays
    ("nfib", _nfib, pd.date_range("2000-01-31", "2026-12-31", freq="ME")),
    ("same_day", lambda d: d, pd.bdate_range("2024-01-01", "2024-12-31")),
])
def test_release_rules(rule, reference, dates):
    got = published_dates(dates, rule)
    want = pd.DatetimeIndex([reference(d.date()) for d in dates])
    assert (got == want).all()
    assert (got >= dates).all()
    assert got.name == "published"


def test_unknown_rule():
    with pytest.raises(DataError, match="unknown release rule"):
        published_dates(pd.DatetimeIndex(["2024-01-31"]), "whenever")


# --- load(as_of=) on the snapshot ------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["2025-04-30", "2025-05-01", "2025-05-20"])
def test_margin_debt_as_of_never_shows_april(snapshot_dir, as_of):
    md = sc.data.load("margin_debt", as_of=as_of)
    assert md.index[-1] == pd.Timestamp("2025-03-31")  # April came out on 2025-05-21
    assert md.loc["2025-03-31", "debit_balances_margin_accounts"] == 880_316
    assert (md["published"] <= pd.Timestamp(as_of)).all()
    assert sc.data.provenance(md).as_of == as_of


def test_margin_debt_as_of_release_day(snapshot_dir):
    assert sc.data.load("margin_debt", as_of="2025-05-21").index[-1] == pd.Timestamp("2025-04-30")
    assert sc.data.load("margin_debt", as_of="2025-04-18").index[-1] == pd.Timestamp("2025-02-28")


def test_cot_and_short_interest_as_of(snapshot_dir):
    cot = sc.data.load("cot:russell2000", as_of="2025-03-27")  # Thursday
    assert cot.index[-1] == pd.Timestamp("2025-03-18")
    assert sc.data.load("cot:russell2000", as_of="2025-03-28").index[-1] == pd.Timestamp("2025-03-25")
    si = sc.data.load("short_interest:IWM", as_of="2020-12-24")
    # 2020-12-15 settlement: 8 business days later is 2020-12-25 (a holiday, still counted)
    assert si.index[-1] == pd.Timestamp("2020-11-30")
    assert sc.data.load("short_interest:IWM", as_of="2020-12-28").index[-1] == pd.Timestamp("2020-12-15")


def test_prices_as_of_cut_on_the_date(snapshot_dir):
    rut = sc.data.load("RUT", as_of="2025-04-30")
    assert rut.index[-1] == pd.Timestamp("2025-04-30")


def test_as_of_before_any_publication(snapshot_dir):
    with pytest.raises(DataError, match="nothing had been published by 1997-02-01"):
        sc.data.load("margin_debt", as_of="1997-02-01")


# --- alignment onto a daily index ------------------------------------------------------------


def _brute_force(series: pd.DataFrame, dates: pd.DatetimeIndex, col: str) -> list[float]:
    out = []
    for t in dates:
        known = series[series["published"] <= t]
        out.append(np.nan if known.empty else known.sort_values("published")[col].iloc[-1])
    return out


def test_margin_on_daily_prices_uses_only_published_numbers(snapshot_dir):
    md = sc.data.load("margin_debt")
    rut = sc.data.load("RUT", start="2024-06-01", end="2025-06-30")
    al = sc.data.align_published(md, rut, columns=["debit_balances_margin_accounts"])
    assert al.index.equals(rut.index)
    assert (al["published"] <= al.index).all()
    assert (al["ref_date"] < al.index).all()  # month-end numbers are always late
    col = "debit_balances_margin_accounts"
    sample = rut.index[::7]
    assert np.allclose(al.loc[sample, col].to_numpy(), _brute_force(md, sample, col))
    # the week of the March release
    assert al.loc["2025-04-17", col] == 918_144  # February still the latest
    assert al.loc["2025-04-21", col] == 880_316  # March, published that Monday
    assert al.loc["2025-04-21", "ref_date"] == pd.Timestamp("2025-03-31")


def test_cot_shows_up_on_friday(snapshot_dir):
    cot = sc.data.load("cot:russell2000", start="2025-01-01")
    rut = sc.data.load("RUT", start="2025-03-20", end="2025-04-04")
    al = sc.data.align_published(cot, rut, columns=["lev_money_long", "lev_money_short"])
    tue = cot.loc["2025-03-25"]
    for day in ("2025-03-25", "2025-03-26", "2025-03-27"):
        assert al.loc[day, "ref_date"] == pd.Timestamp("2025-03-18")
    assert al.loc["2025-03-28", "ref_date"] == pd.Timestamp("2025-03-25")
    assert al.loc["2025-03-28", "lev_money_long"] == tue["lev_money_long"] == 65_195


def test_max_age_blanks_stale_values(snapshot_dir):
    si = sc.data.load("short_interest:IWM")
    days = pd.bdate_range("2021-06-01", "2021-09-30")
    al = sc.data.align_published(si, days, columns=["shares_short"], max_age="30D")
    last_pub = si["published"].iloc[-1]
    fresh = days[(days >= last_pub) & (days - last_pub <= pd.Timedelta("30D"))]
    stale = days[days - last_pub > pd.Timedelta("30D")]
    assert al.loc[fresh, "shares_short"].notna().all()
    assert al.loc[stale, "shares_short"].isna().all() and len(stale) > 0


def test_alignment_requires_published_column(snapshot_dir):
    rut = sc.data.load("RUT", start="2025-01-01")
    with pytest.raises(DataError, match="no 'published' column"):
        sc.data.align_published(rut, rut.index)
