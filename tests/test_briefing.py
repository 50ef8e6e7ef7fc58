"""Weekly briefing: facts against independent references, sentences traceable to the tables.

References: the snapshot CSVs read directly with pandas (closes), TA-Lib (moving
averages), scipy (percentile ranks), hand arithmetic on the COT rows.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from smallcaps import briefing, demo, technicals
from smallcaps.data import DataError

AS_OF = "2025-05-23"


def _csv(snapshot_dir, name: str) -> pd.DataFrame:
    df = pd.read_csv(snapshot_dir / "market" / f"{name}.csv", parse_dates=["date"], index_col="date")
    return df.loc[:AS_OF]


@pytest.fixture(scope="module")
def note():
    pytest.importorskip("talib")
    from conftest import SNAPSHOT

    if SNAPSHOT is None:
        pytest.skip("real data snapshot not found")
    return briefing.weekly_briefing(AS_OF, ["RUT", "SPX", "NDX"])


def _sentence_with(b: briefing.Briefing, key: str) -> briefing.Sentence:
    return next(s for s in b.sentences if key in s.facts)


# ------------------------------------------------------------------ acceptance on the snapshot


@pytest.mark.snapshot
def test_close_weekly_change_and_50_day_match_references_and_tables(note, snapshot_dir):
    import talib

    rut = _csv(snapshot_dir, "RUT")
    close = rut["close"].astype(float)
    assert note.as_of == pd.Timestamp(AS_OF)
    assert note["close"] == pytest.approx(2039.85, abs=1e-9)
    prev = close.loc[:"2025-05-16"].iloc[-1]  # the previous Friday's close
    assert note["prev_week_close"] == prev
    assert note["weekly_change_pct"] == pytest.approx(100 * (2039.85 / prev - 1), rel=1e-12)
    ref50 = talib.SMA(close.to_numpy(), 50)[-1]
    ref200 = talib.SMA(close.to_numpy(), 200)[-1]
    assert note["sma_50"] == pytest.approx(ref50, rel=1e-10)
    assert round(note["sma_50"]) == 1991
    assert note["sma_200"] == pytest.approx(ref200, rel=1e-10)

    first = _sentence_with(note, "close").text
    assert "2,039.85" in first and "2025-05-23" in first
    assert f"{note['weekly_change_pct']:+.1f}%" in first and "2025-05-16" in first
    assert "1,991.02" in _sentence_with(note, "sma_50").text
    table = note.table()
    assert table.loc["close", "value"] == "2,039.85"
    assert table.loc["sma_50", "value"] == "1,991.02"
    assert table.loc["weekly_change_pct", "value"] == f"{note['weekly_change_pct']:+.1f}%"
    note.check()


@pytest.mark.snapshot
def test_every_sentence_number_is_shown_in_the_tables(note):
    table = note.table()
    number = re.compile(r"\d{4}-\d{2}-\d{2}|\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?")
    exempt = re.compile(r"\b\d+-day\b|\b\d+ weeks\b|Russell 2000")
    for s in note.sentences:
        shown = " ".join(table.loc[list(s.facts), "value"])
        for token in number.findall(exempt.sub("", s.text)):
            assert token in number.findall(shown), (s.text, token)
    assert {s.table for s in note.sentences} == {"price", "levels", "relative", "sentiment"}


@pytest.mark.snapshot
def test_relative_strength_against_the_raw_closes(note, snapshot_dir):
    rut, spx = _csv(snapshot_dir, "RUT")["close"], _csv(snapshot_dir, "GSPC")["close"]
    week = "2025-05-16"
    spx_chg = 100 * (spx.iloc[-1] / spx.loc[week] - 1)
    rut_chg = 100 * (rut.iloc[-1] / rut.loc[week] - 1)
    assert note["spx_weekly_change_pct"] == pytest.approx(spx_chg, rel=1e-12)
    assert note["weekly_spread_vs_spx"] == pytest.approx(rut_chg - spx_chg, rel=1e-12)
    ratio = rut / spx
    ytd = 100 * (ratio.iloc[-1] / ratio.loc[:"2024-12-31"].iloc[-1] - 1)
    assert note["ytd_relative_vs_spx"] == pytest.approx(ytd, rel=1e-10)
    text = _sentence_with(note, "weekly_spread_vs_spx").text
    assert "underperformed" in text if rut_chg < spx_chg else "outperformed" in text


@pytest.mark.snapshot
def test_level_tests_of_the_week_count_the_sessions(note, snapshot_dir):
    rut = _csv(snapshot_dir, "RUT").loc["2025-05-19":AS_OF]
    keys = [k for k in note.facts if k.startswith("test_") and not k.endswith("_closes")]
    assert keys, "no level was tested"
    levels = {float(note.facts[k].shown.split(":")[0].replace(",", "")): k for k in keys}
    assert 2100.0 in levels  # the round number above the close
    for level, key in levels.items():
        crossed = int(((rut["low"] <= level) & (rut["high"] >= level)).sum())
        assert note[key] == crossed
        above, below = note[key + "_closes"]
        assert (above, below) == (int((rut["close"] > level).sum()), int((rut["close"] < level).sum()))
    lt = technicals.level_test(_csv(snapshot_dir, "RUT"), 2100.0, start="2025-05-19", end=AS_OF)
    assert note[levels[2100.0]] == lt.crossed == 2


@pytest.mark.snapshot
def test_sentiment_is_point_in_time_with_percentiles(note, snapshot_dir):
    from scipy import stats

    from smallcaps import data

    margin = data.load("margin_debt", as_of=AS_OF)
    debit = margin["debit_balances_margin_accounts"]
    assert note["margin_debt"] == pytest.approx(debit.iloc[-1] / 1e3)
    assert note.facts["margin_debt"].published <= pd.Timestamp(AS_OF)
    assert note["margin_percentile"] == pytest.approx(
        stats.percentileofscore(debit.to_numpy(), debit.iloc[-1], kind="rank"))
    assert note["margin_yoy"] == pytest.approx(100 * (debit.iloc[-1] / debit.iloc[-13] - 1))
    assert note["margin_from_record"] == pytest.approx(100 * (debit.iloc[-1] / debit.max() - 1))
    assert note["margin_record_date"] == f"{debit.idxmax():%Y-%m-%d}"
    cot = data.load("cot:russell2000", as_of=AS_OF)
    row = cot.iloc[-1]
    net = row["lev_money_long"] - row["lev_money_short"]
    assert note["cot_net"] == net
    assert note["cot_net_pct_oi"] == pytest.approx(100 * net / row["open_interest"])
    assert note.facts["cot_net"].published <= pd.Timestamp(AS_OF)
    # series with nothing recent are left out, listed, and never mentioned
    missing = dict(note.missing)
    assert "short interest" in missing and "2021-06-30" in missing["short interest"]
    assert "put/call ratio" in missing and "2019-10-04" in missing["put/call ratio"]
    text = note.text().lower()
    assert "short interest" not in text and "put/call" not in text


@pytest.mark.snapshot
def test_default_as_of_is_the_last_date_in_the_data(snapshot_dir):
    from smallcaps import data

    b = briefing.weekly_briefing(symbols=["RUT", "NDX"])
    assert b.as_of == data.load("RUT").index[-1]
    b.check()
    if data.load("NDX").index[-1] < b.as_of:  # NDX ends earlier in the snapshot
        assert any("NDX" in what for what, _ in b.missing)
        assert "NDX" not in b.text()


# ------------------------------------------------------------------ pure build on synthetic data


def _synthetic():
    mk = demo.market(seed=3)
    return mk.prices["SMALL"], mk.prices["LARGE"]


def test_build_on_synthetic_prices_computes_the_simple_facts():
    small, large = _synthetic()
    as_of = small.index[-30]
    b = briefing.build({"SMALL": small, "LARGE": large}, {}, as_of=as_of)
    close = small["close"].loc[:as_of]
    assert b["close"] == close.iloc[-1]
    assert b["sma_50"] == pytest.approx(close.iloc[-50:].mean(), rel=1e-12)
    assert b["sma_200"] == pytest.approx(close.iloc[-200:].mean(), rel=1e-12)
    assert b["closing_high"] == close.max()
    b.check()
    assert any("synthetic" in line.lower() for line in b.provenance)


def test_missing_benchmark_date_and_failed_loads_are_listed_not_invented():
    small, large = _synthetic()
    as_of = small.index[-1]
    stale_large = large.iloc[:-3]  # the benchmark has no close on as_of
    old_pc = pd.DataFrame({"total_put_volume": [1.0] * 30, "total_call_volume": [2.0] * 30},
                          index=pd.bdate_range("2019-01-01", periods=30, name="date"))
    b = briefing.build(
        {"SMALL": small, "LARGE": stale_large},
        {"short_interest:IWM": DataError("short_interest:IWM", "no data available"),
         "putcall": old_pc},
        as_of=as_of)
    missing = dict(b.missing)
    assert "LARGE has no close on" in missing["relative strength against LARGE"]
    assert "no data available" in missing["short interest"]
    assert "days old" in missing["put/call ratio"]
    assert not [s for s in b.sentences if s.table in ("relative", "sentiment")]
    assert not any(k.startswith(("si_", "putcall", "large")) for k in b.facts)
    b.check()


def test_check_catches_an_invented_number():
    small, _ = _synthetic()
    b = briefing.build({"SMALL": small})
    b.check()
    b.sentences.append(briefing.Sentence("SMALL will reach 9,999.00 next week.", ("close",), "price"))
    with pytest.raises(AssertionError, match="9,999.00"):
        b.check()
    b.sentences[-1] = briefing.Sentence("Bogus.", ("no_such_fact",), "price")
    with pytest.raises(AssertionError, match="unknown facts"):
        b.check()


def test_loader_is_asked_for_data_as_of_the_note():
    small, large = _synthetic()
    calls = []

    def loader(name, as_of=None):
        calls.append((name, as_of))
        if name in ("SMALL", "LARGE"):
            frame = small if name == "SMALL" else large
            return frame.loc[:as_of] if as_of is not None else frame
        raise DataError(name, "not in this test")

    as_of = small.index[-100]
    b = briefing.weekly_briefing(as_of, ["SMALL", "LARGE"], loader=loader)
    assert calls[0] == ("SMALL", as_of)
    assert all(a == as_of for _, a in calls)
    assert {n for n, _ in calls} >= {"short_interest:IWM", "cot:russell2000", "margin_debt", "putcall"}
    assert b["close"] == small["close"].loc[as_of]
    sections = b.section("price")
    assert "SMALL closed at" in repr(sections)
    assert "<table" in sections._repr_html_()


def test_bad_inputs_are_clear_errors():
    small, _ = _synthetic()
    with pytest.raises(ValueError, match="lists a series twice"):
        briefing.weekly_briefing(None, ["RUT", "RUT"])
    with pytest.raises(ValueError, match="no closes on or before"):
        briefing.build({"SMALL": small}, as_of="1990-01-01")
    with pytest.raises(ValueError, match="not among the prices"):
        briefing.build({"SMALL": small}, symbol="RUT")
    b = briefing.build({"SMALL": small})
    with pytest.raises(ValueError, match="section 'nope'"):
        b.section("nope")
    assert np.isfinite(b["weekly_change_pct"])
