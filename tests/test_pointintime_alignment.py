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

# --- release rules, against real schedules and an independent trading calendar -------------
# The NYSE sessions used as the reference are the snapshot's own S&P 500 trading days
# (Yahoo history), independent of the exchange_calendars package the kit uses.


@pytest.fixture(scope="module")
def sessions(snapshot_dir) -> list[dt.date]:
    return [d.date() for d in sc.data.load("SPX", start="2000-01-01").index]


def _nth_session_after(sessions: list[dt.date], ref: dt.date, n: int) -> dt.date:
    later = [d for d in sessions if d > ref]
    return later[n - 1]


# CFTC: the "original publish date" column of the CFTC's catch-up schedule of 2025-11-18
# (normal-calendar dates, holiday weeks included) and the 2024 and 2015 holiday releases.
_CFTC_ORIGINAL = {
    "2025-09-30": "2025-10-03", "2025-10-07": "2025-10-10", "2025-10-14": "2025-10-17",
    "2025-10-21": "2025-10-24", "2025-10-28": "2025-10-31", "2025-11-04": "2025-11-07",
    "2025-11-10": "2025-11-14", "2025-11-18": "2025-11-21", "2025-11-25": "2025-12-01",
    "2025-12-02": "2025-12-05", "2025-12-09": "2025-12-12", "2025-12-16": "2025-12-19",
    "2025-12-23": "2025-12-29", "2025-12-30": "2026-01-05", "2026-01-06": "2026-01-09",
    "2026-01-13": "2026-01-16", "2026-01-20": "2026-01-23",
    "2024-06-18": "2024-06-24", "2024-07-02": "2024-07-08", "2024-11-26": "2024-12-02",
    "2024-12-24": "2024-12-30", "2015-06-30": "2015-07-06",
}  # fmt: skip


def test_cot_rule_reproduces_the_cftc_normal_calendar(monkeypatch):
    from smallcaps.data import pointintime

    monkeypatch.setattr(pointintime, "COT_EXCEPTIONAL_RELEASES", {})
    got = published_dates(pd.DatetimeIndex(list(_CFTC_ORIGINAL)), "cftc_cot")
    assert [d.date().isoformat() for d in got] == list(_CFTC_ORIGINAL.values())


def test_cot_shutdown_backlogs_follow_the_cftc_schedules():
    got = published_dates(pd.DatetimeIndex(["2018-12-24", "2019-02-26", "2019-03-05",
                                            "2025-09-30", "2025-12-23", "2026-01-20"]), "cftc_cot")
    want = ["2019-02-01", "2019-03-05", "2019-03-08", "2025-11-19", "2026-01-09", "2026-01-23"]
    assert [d.date().isoformat() for d in got] == want
    # 2013: no per-report schedule found; an upper bound after the backlog cleared
    got13 = published_dates(pd.DatetimeIndex(["2013-10-01", "2013-10-15", "2013-11-19"]), "cftc_cot")
    assert list(got13) == [pd.Timestamp("2013-11-22")] * 2 + [pd.Timestamp("2013-11-22")]


def test_cot_ordinary_weeks_release_on_friday():
    from pandas.tseries.holiday import USFederalHolidayCalendar

    from smallcaps.data.calendars import FEDERAL_AD_HOC_CLOSURES

    closed = set(USFederalHolidayCalendar().holidays("2015-01-01", "2027-01-31").date)
    closed |= {pd.Timestamp(d).date() for d, _ in FEDERAL_AD_HOC_CLOSURES}
    tues = pd.date_range("2015-01-06", "2026-12-29", freq="W-TUE")
    shutdowns = ((tues > "2018-12-20") & (tues < "2019-03-01")) | ((tues > "2025-09-29") & (tues < "2026-01-21"))
    quiet = pd.DatetimeIndex([d for d, s in zip(tues, shutdowns, strict=True) if not s and not
                              {(d + pd.Timedelta(days=k)).date() for k in (1, 2, 3)} & closed])
    assert len(quiet) > 500
    got = published_dates(quiet, "cftc_cot")
    assert ((got - quiet) == pd.Timedelta(days=3)).all()
    busy = tues.difference(quiet)[~shutdowns[tues.isin(tues.difference(quiet))]]
    assert ((published_dates(busy, "cftc_cot") - busy) > pd.Timedelta(days=3)).all()


def test_short_interest_seventh_session_after_settlement(snapshot_dir, sessions):
    si = sc.data.load("short_interest:IWM")
    for ref, pub, usable in zip(si.index, si["published"], si["usable_from"], strict=True):
        assert pub.date() == _nth_session_after(sessions, ref.date(), 7)
        assert usable.date() == _nth_session_after(sessions, pub.date(), 1)
    # FINRA's schedule: 2020-12-15 settlement disseminated 2020-12-24 (Christmas Day not counted)
    assert si.loc["2020-12-15", "published"] == pd.Timestamp("2020-12-24")
    assert si.loc["2020-12-15", "usable_from"] == pd.Timestamp("2020-12-28")


def test_no_short_interest_usable_before_the_session_after_dissemination(snapshot_dir):
    si = sc.data.load("short_interest:IWM")
    for ref, row in si.iterrows():
        try:
            day_of = sc.data.load("short_interest:IWM", as_of=row["published"]).index
        except DataError:  # the first report: nothing usable yet at all
            day_of = pd.DatetimeIndex([])
        assert ref not in day_of
        al = sc.data.align_published(si, pd.DatetimeIndex([row["published"], row["usable_from"]]))
        assert al["ref_date"].iloc[0] != ref and al["ref_date"].iloc[1] == ref


def test_finra_margin_never_before_any_reading_of_third_week(sessions):
    months = pd.date_range("2001-01-31", "2025-12-31", freq="ME")
    got = published_dates(months, "finra_margin")
    for ref, pub in zip(months, got, strict=True):
        y, m = (ref.year + 1, 1) if ref.month == 12 else (ref.year, ref.month + 1)
        days = [dt.date(y, m, k) for k in range(1, 29)]
        mondays = [d for d in days if d.weekday() == 0]
        third_full_friday = mondays[2] + dt.timedelta(days=4)
        want = third_full_friday if third_full_friday in sessions else _nth_session_after(
            sessions, third_full_friday, 1)
        assert pub.date() == want
        assert pub.date() >= dt.date(y, m, 19)  # later than days 15-21 read as "third week"
    usable = sc.data.pointintime.usable_dates(months, "finra_margin")
    assert (usable > got).all()


def test_nfib_second_tuesday():
    months = pd.date_range("2000-01-31", "2026-12-31", freq="ME")
    got = published_dates(months, "nfib")
    for ref, pub in zip(months, got, strict=True):
        y, m = (ref.year + 1, 1) if ref.month == 12 else (ref.year, ref.month + 1)
        tuesdays = [dt.date(y, m, k) for k in range(1, 15) if dt.date(y, m, k).weekday() == 1]
        assert pub.date() == tuesdays[1]


def test_same_day_and_name():
    days = pd.bdate_range("2024-01-01", "2024-12-31")
    got = published_dates(days, "same_day")
    assert got.equals(days.rename("published"))


def test_unknown_rule():
    with pytest.raises(DataError, match="unknown release rule"):
        published_dates(pd.DatetimeIndex(["2024-01-31"]), "whenever")


def test_cot_acceptance_on_the_snapshot(snapshot_dir):
    cot = sc.data.load("cot:russell2000")
    assert cot.loc["2024-06-18", "published"] == pd.Timestamp("2024-06-24")
    assert (cot["published"] >= cot.index).all()
    cut = sc.data.load("cot:russell2000", as_of="2019-01-11")
    assert cut.index.max() <= pd.Timestamp("2018-12-18")
    assert sc.data.load("cot:russell2000", as_of="2019-02-01").index.max() == pd.Timestamp("2018-12-24")


# --- load(as_of=) on the snapshot ------------------------------------------------------------


@pytest.mark.parametrize("as_of", ["2025-04-30", "2025-05-01", "2025-05-20"])
def test_margin_debt_as_of_never_shows_april(snapshot_dir, as_of):
    md = sc.data.load("margin_debt", as_of=as_of)
    assert md.index[-1] == pd.Timestamp("2025-03-31")  # April: Fri 2025-05-23, usable 05-27
    assert md.loc["2025-03-31", "debit_balances_margin_accounts"] == 880_316
    assert (md["published"] <= pd.Timestamp(as_of)).all()
    assert sc.data.provenance(md).as_of == as_of


def test_margin_debt_as_of_release_day(snapshot_dir):
    # April 2025: Friday of May's third full week (05-23), usable after Memorial Day
    assert sc.data.load("margin_debt", as_of="2025-05-23").index[-1] == pd.Timestamp("2025-03-31")
    assert sc.data.load("margin_debt", as_of="2025-05-27").index[-1] == pd.Timestamp("2025-04-30")
    assert sc.data.load("margin_debt", as_of="2025-04-25").index[-1] == pd.Timestamp("2025-02-28")


def test_cot_and_short_interest_as_of(snapshot_dir):
    cot = sc.data.load("cot:russell2000", as_of="2025-03-27")  # Thursday
    assert cot.index[-1] == pd.Timestamp("2025-03-18")
    assert sc.data.load("cot:russell2000", as_of="2025-03-28").index[-1] == pd.Timestamp("2025-03-25")
    si = sc.data.load("short_interest:IWM", as_of="2020-12-24")
    # 2020-12-15 settlement: disseminated after the close of 2020-12-24, usable 12-28
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
        usable = series["usable_from"] if "usable_from" in series else series["published"]
        known = series[usable <= t]
        out.append(np.nan if known.empty else known.sort_values("published")[col].iloc[-1])
    return out


def test_margin_on_daily_prices_uses_only_published_numbers(snapshot_dir):
    md = sc.data.load("margin_debt")
    rut = sc.data.load("RUT", start="2024-06-01", end="2025-06-30")
    al = sc.data.align_published(md, rut, columns=["debit_balances_margin_accounts"])
    assert al.index.equals(rut.index)
    assert (al["published"] < al.index).all()  # after-close release: usable next session
    assert (al["ref_date"] < al.index).all()  # month-end numbers are always late
    col = "debit_balances_margin_accounts"
    sample = rut.index[::7]
    assert np.allclose(al.loc[sample, col].to_numpy(), _brute_force(md, sample, col))
    # the week of the March release
    assert al.loc["2025-04-25", col] == 918_144  # February still the latest
    assert al.loc["2025-04-28", col] == 880_316  # March: released Fri 04-25, usable Monday
    assert al.loc["2025-04-28", "ref_date"] == pd.Timestamp("2025-03-31")


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
    last_pub = si["usable_from"].iloc[-1]
    fresh = days[(days >= last_pub) & (days - last_pub <= pd.Timedelta("30D"))]
    stale = days[days - last_pub > pd.Timedelta("30D")]
    assert al.loc[fresh, "shares_short"].notna().all()
    assert al.loc[stale, "shares_short"].isna().all() and len(stale) > 0


def test_alignment_requires_published_column(snapshot_dir):
    rut = sc.data.load("RUT", start="2025-01-01")
    with pytest.raises(DataError, match="no 'published' column"):
        sc.data.align_published(rut, rut.index)


def test_release_is_exact_only_where_the_date_is_known():
    from smallcaps.data.pointintime import release_is_exact

    assert not release_is_exact(pd.DatetimeIndex(["2025-03-31"]), "finra_margin").any()
    got = release_is_exact(pd.DatetimeIndex(["2013-10-08", "2018-12-24", "2024-06-18"]), "cftc_cot")
    assert got.tolist() == [False, True, True]
    assert release_is_exact(pd.DatetimeIndex(["2021-01-15"]), "short_interest").all()


def test_a_cache_written_under_old_rules_gets_todays_release_dates(snapshot_dir, tmp_path):
    from smallcaps.data import cache

    md = sc.data.load("margin_debt")
    stale = md.drop(columns="usable_from").copy()
    stale["published"] = stale.index + pd.Timedelta(days=21)  # an old, too-early rule
    cache.write("margin_debt", stale, sc.data.provenance(md))
    empty = tmp_path / "no_snapshot"
    empty.mkdir()
    got = sc.data.load("margin_debt", snapshot=empty)
    assert (got["published"] == md["published"]).all()
    assert (got["usable_from"] == md["usable_from"]).all()


def test_market_closures_are_not_data_gaps():
    closures = pd.DatetimeIndex(["2001-09-11", "2001-09-12", "2001-09-13", "2001-09-14",
                                 "2012-10-29", "2012-10-30", "2004-06-11", "2007-01-02",
                                 "2018-12-05", "2025-01-09"])
    # a weekday history missing the closures and the regular NYSE holidays
    from pandas.tseries.holiday import USFederalHolidayCalendar

    days = pd.bdate_range("2000-01-03", "2025-12-31")
    hol = USFederalHolidayCalendar().holidays("2000-01-01", "2025-12-31")
    idx = days.difference(closures).difference(hol)
    g = sc.data.gaps(idx, "daily")
    # what remains are the federal holidays the NYSE trades on (Columbus, Veterans Day):
    # the file is missing real sessions there, and those are reported
    assert set(g["first_missing"]).isdisjoint(set(closures))
    assert pd.Timestamp("2024-10-14") in set(g["first_missing"])  # Columbus Day: NYSE open
    assert g["missing"].max() == 1


@pytest.mark.snapshot
def test_snapshot_price_files_have_no_gaps_since_1970(snapshot_dir):
    for name in ("RUT", "SPX", "IWM", "VIX"):
        idx = sc.data.load(name).index
        g = sc.data.gaps(idx[idx >= "1970-01-01"], "daily")
        assert g.empty, (name, g.head())
