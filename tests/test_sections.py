"""sc.section: a notebook section renders or says in one sentence why it cannot."""

from __future__ import annotations

import pandas as pd
import pytest

import smallcaps as sc
from smallcaps import sections


@pytest.fixture(autouse=True)
def _fresh():
    sections.clear_failures()
    yield
    sections.clear_failures()


def test_unavailable_prints_its_sentence_and_carries_on(capsys):
    ran_after = []
    with sc.section("Short interest"):
        sections.require(pd.DataFrame(), "No short-interest reports in the window")
        ran_after.append("inside")  # never reached
    ran_after.append("next section")
    out = capsys.readouterr().out
    assert out == "No short-interest reports in the window.\n"
    assert ran_after == ["next section"]
    assert sections.failures() == []


def test_in_window_names_the_window_and_the_data_span(capsys):
    si = pd.Series([1.0, 2.0], index=pd.to_datetime(["2020-11-30", "2021-06-30"]))
    with sc.section("Short interest"):
        sections.in_window(si, "2022-01-01", "2025-03-18", "short-interest reports")
    assert capsys.readouterr().out.strip() == (
        "No short-interest reports between 2022-01-01 and 2025-03-18: this data covers "
        "2020-11-30 to 2021-06-30.")
    assert len(sections.in_window(si, "2021-01-01", None, "reports")) == 1


def test_a_kit_value_error_is_the_sentence(capsys):
    prices = sc.demo.series("RUT").iloc[:50]
    with sc.section("Trading ranges"):
        sc.technicals.find_ranges(prices, min_bars=120)
    out = capsys.readouterr().out
    assert out.startswith("Trading ranges is not shown: find_ranges(min_bars=120) needs at least")
    assert out.count("\n") == 1 and "Traceback" not in out
    assert sections.failures() == []


def test_a_bug_is_raised_in_strict_mode(monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STRICT", "1")
    with pytest.raises(KeyError):
        with sc.section("Levels"):
            {}["missing"]
    assert [f.error for f in sections.failures()] == ["KeyError"]


def test_a_bug_is_one_sentence_and_recorded_outside_strict_mode(monkeypatch, capsys):
    monkeypatch.setenv("SMALLCAPS_STRICT", "0")
    with sc.section("Levels"):
        pd.DataFrame({"x": ["a"]}).nsmallest(1, "x")  # a TypeError raised inside pandas
    out = capsys.readouterr().out
    assert out.startswith("Levels is not shown: an internal error stopped it (TypeError")
    assert out.rstrip().endswith("please report it.") and out.count("\n") == 1
    assert [f.title for f in sections.failures()] == ["Levels"]


def test_a_value_error_from_pandas_counts_as_a_bug(monkeypatch):
    monkeypatch.setenv("SMALLCAPS_STRICT", "1")
    with pytest.raises(ValueError, match="No objects to concatenate"):
        with sc.section("Level tests"):
            pd.concat([])


def test_keyboard_interrupt_is_never_caught():
    with pytest.raises(KeyboardInterrupt):
        with sc.section("Anything"):
            raise KeyboardInterrupt


def test_require_passes_values_through():
    df = pd.DataFrame({"a": [1]})
    assert sections.require(df, "x") is df
    assert sections.require(0, "x") == 0  # only None or empty counts as missing
    with pytest.raises(sections.Unavailable, match="nothing"):
        sections.require(None, "nothing")
    with pytest.raises(sections.Unavailable):
        sections.require([], "nothing")


def test_try_load_returns_the_series_or_says_why_not(capsys, monkeypatch):
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    monkeypatch.setenv("SMALLCAPS_OFFLINE", "1")
    assert sc.sections.try_load("RUT") is None
    said = capsys.readouterr().out
    assert said.startswith("NOT LOADED - ") and "RUT" in said
    monkeypatch.setenv("SMALLCAPS_DEMO", "1")
    df = sc.sections.try_load("RUT")
    assert df is not None and len(df) > 100 and capsys.readouterr().out == ""
