"""Every percentage sentence of the briefing, against an independent computation.

The numbers printed in each sentence are parsed back from the text and compared
with values computed here from the snapshot CSVs read directly with pandas (closes,
margin debt, COT and short-interest rows): the base of each percentage is the one
the sentence names ("X% below the close" is relative to the close).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from smallcaps import briefing

DATES = ["2021-03-19", "2022-06-17", "2024-11-29", "2025-05-23"]
NUM = r"([\d,]+\.\d+)"


def _n(s: str) -> float:
    return float(s.replace(",", ""))


def _close(snapshot_dir, file: str, as_of: str) -> pd.Series:
    df = pd.read_csv(snapshot_dir / "market" / file, parse_dates=["date"], index_col="date")
    return df["close"].astype(float).loc[:as_of]


@pytest.fixture(scope="module", params=DATES)
def case(request, snapshot_dir):
    b = briefing.weekly_briefing(request.param, ["RUT", "SPX"])
    rut = _close(snapshot_dir, "RUT.csv", request.param)
    return request.param, b, rut, snapshot_dir


def _sentences(b, needle: str) -> list[str]:
    return [s.text for s in b.sentences if needle in s.text]


def _check(shown: float, want: float) -> None:
    # the text rounds to one decimal
    assert abs(shown - round(abs(want), 1)) <= 0.051, (shown, want)


@pytest.mark.snapshot
def test_range_edge_distance_is_relative_to_the_close(case):
    _, b, rut, _ = case
    c = rut.iloc[-1]
    texts = _sentences(b, "nearest edge")
    assert texts, "no range sentence"
    for t in texts:
        m = re.search(rf"edge, {NUM}, is {NUM}% (above|below) the close", t)
        edge, pct, side = _n(m.group(1)), _n(m.group(2)), m.group(3)
        _check(pct, 100 * (edge / c - 1))
        assert side == ("above" if edge > c else "below")
        lo, hi = (_n(x) for x in re.search(rf"{NUM} to {NUM}", t).groups())
        assert edge == (lo if abs(c - lo) <= abs(c - hi) else hi)


@pytest.mark.snapshot
def test_weekly_change_averages_high_and_levels(case):
    as_of, b, rut, _ = case
    c = rut.iloc[-1]
    t = _sentences(b, "a weekly change of")[0]
    prev = rut[rut.index < rut.index[-1] - pd.Timedelta(days=rut.index[-1].weekday())].iloc[-1]
    m = re.search(rf"weekly change of ([+-][\d.]+)% \(([+-][\d,.]+) points\) from {NUM}", t)
    assert _n(m.group(3)) == pytest.approx(prev, abs=0.005)
    assert float(m.group(1)) == pytest.approx(round(100 * (c / prev - 1), 1), abs=0.051)
    assert _n(m.group(2)) == pytest.approx(round(c - prev, 2), abs=0.006)

    t = _sentences(b, "-day average")[0]
    for pct, side, w, avg in re.findall(rf"([\d.]+)% (above|below) its (\d+)-day average \({NUM}\)", t):
        ref = rut.iloc[-int(w):].mean()
        assert _n(avg) == pytest.approx(ref, abs=0.006)
        _check(float(pct), 100 * (c / ref - 1))
        assert side == ("above" if c >= ref else "below")

    for t in _sentences(b, "all-time closing high of"):
        m = re.search(rf"It is ([\d.]+)% below the all-time closing high of {NUM}", t)
        assert _n(m.group(2)) == pytest.approx(rut.max(), abs=0.005)
        _check(float(m.group(1)), 100 * (c / rut.max() - 1))

    for t in _sentences(b, "swing points"):
        for lvl, pct, side in re.findall(rf"at {NUM} \([^)]*\), ([\d.]+)% (above|below) the close", t):
            _check(float(pct), 100 * (_n(lvl) / c - 1))
            assert side == ("above" if _n(lvl) > c else "below")


@pytest.mark.snapshot
def test_relative_percentages(case):
    as_of, b, rut, snap = case
    spx = _close(snap, "GSPC.csv", as_of)
    t = _sentences(b, "Against SPX")[0]
    m = re.search(r"by ([\d.]+) percentage points this week \(RUT ([+-][\d.]+)%, SPX ([+-][\d.]+)%\)"
                  r"; year to date the RUT/SPX ratio is ([+-][\d.]+)%", t)
    wk = rut.index[-1] - pd.Timedelta(days=rut.index[-1].weekday())
    prev = rut.index[rut.index < wk][-1]
    ra, rb = 100 * (rut.iloc[-1] / rut[prev] - 1), 100 * (spx.iloc[-1] / spx[prev] - 1)
    _check(abs(float(m.group(2))), ra)
    _check(abs(float(m.group(3))), rb)
    _check(float(m.group(1)), ra - rb)
    base = rut.index[rut.index.year < rut.index[-1].year][-1]
    ytd = 100 * ((rut.iloc[-1] / spx.iloc[-1]) / (rut[base] / spx[base]) - 1)
    assert float(m.group(4)) == pytest.approx(round(ytd, 1), abs=0.051)


@pytest.mark.snapshot
def test_sentiment_percentages(case):
    as_of, b, _, snap = case
    for t in _sentences(b, "FINRA margin debt"):
        md = pd.read_csv(snap / "sentiment" / "margin_debt.csv", parse_dates=["date"],
                         index_col="date")["debit_balances_margin_accounts"].astype(float)
        ref = pd.Timestamp(re.search(r"month to (\d{4}-\d\d-\d\d)", t).group(1))
        md = md.loc[:ref]
        m = re.search(r"([+-][\d.]+)% over twelve months", t)
        yoy = 100 * (md.iloc[-1] / md.iloc[-13] - 1)
        assert float(m.group(1)) == pytest.approx(round(yoy, 1), abs=0.051)
        m = re.search(r"([\d.]+)% below the record of (\d{4}-\d\d-\d\d)", t)
        if m:
            assert pd.Timestamp(m.group(2)) == md.idxmax()
            _check(float(m.group(1)), 100 * (md.iloc[-1] / md.max() - 1))
        else:
            assert md.iloc[-1] == md.max()
    for t in _sentences(b, "of open interest"):
        cot = pd.read_csv(snap / "sentiment" / "cot_russell2000_tff_futures_only.csv",
                          parse_dates=["date"], index_col="date")
        cot = cot[cot["is_primary"].astype(str).str.lower() == "true"]
        ref = pd.Timestamp(re.search(r"interest\) on (\d{4}-\d\d-\d\d)", t).group(1))
        row = cot.loc[ref]
        net = row["lev_money_long"] - row["lev_money_short"]
        m = re.search(r"\(([+-][\d.]+)% of open interest\)", t)
        assert float(m.group(1)) == pytest.approx(round(100 * net / row["open_interest"], 1), abs=0.051)
        held = int(re.search(r"\((\d+) of 156 weeks hold a report\)", t).group(1))
        window = cot.loc[ref - pd.Timedelta(days=7 * 156 - 4):ref]
        assert held == len(window)
    for t in _sentences(b, "short interest was"):
        si = pd.read_csv(snap / "sentiment" / "short_interest_IWM.csv", parse_dates=["settlement_date"],
                         index_col="settlement_date")["shares_short"].astype(float)
        ref = pd.Timestamp(re.search(r"the (\d{4}-\d\d-\d\d) settlement", t).group(1))
        s = si.loc[:ref]
        m = re.search(r"([+-][\d.]+)% from the previous report", t)
        assert float(m.group(1)) == pytest.approx(round(100 * (s.iloc[-1] / s.iloc[-2] - 1), 1),
                                                  abs=0.051)


@pytest.mark.snapshot
def test_every_percentage_sentence_is_covered(case):
    """No percentage sentence escapes the checks above (a new one must get a check)."""
    _, b, _, _ = case
    known = ("a weekly change of", "-day average", "all-time closing high", "swing points",
             "nearest edge", "Against ", "FINRA margin debt", "of open interest",
             "short interest was")
    for s in b.sentences:
        if "%" in s.text or "percentage points" in s.text:
            assert any(k in s.text for k in known), s.text
    assert np.isfinite(b["close"])


@pytest.mark.snapshot
def test_publication_dates_printed_are_true(case):
    """COT and short-interest dates are the real release days (CFTC/FINRA calendars);
    margin statistics have only a bound ("third week"), printed as "published by"."""
    from smallcaps.data.pointintime import published_dates

    as_of, b, _, _ = case
    for t in _sentences(b, "of open interest"):
        ref, pub = re.search(r"on (\d{4}-\d\d-\d\d) \(published (\d{4}-\d\d-\d\d)\)", t).groups()
        assert pd.Timestamp(pub) == published_dates(pd.DatetimeIndex([ref]), "cftc_cot")[0]
        assert pd.Timestamp(pub) <= pd.Timestamp(as_of)
    for t in _sentences(b, "short interest was"):
        ref, pub = re.search(r"the (\d{4}-\d\d-\d\d) settlement \(published (\d{4}-\d\d-\d\d)\)",
                             t).groups()
        assert pd.Timestamp(pub) == published_dates(pd.DatetimeIndex([ref]), "short_interest")[0]
        assert pd.Timestamp(pub) < pd.Timestamp(as_of)  # after-close release: usable next session
    for t in _sentences(b, "FINRA margin debt"):
        assert re.search(r"\(published by \d{4}-\d\d-\d\d\)", t)
