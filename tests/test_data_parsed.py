"""Snapshot CSVs are parsed once and kept: the same frame back, a changed file parsed again,
a broken file never kept, an unusable cache folder no obstacle."""

from __future__ import annotations

import pickle
import shutil

import pandas as pd
import pytest

from smallcaps.data import DataError, load
from smallcaps.data import parsed as P

GOOD = "date,open,high,low,close,adj_close,volume\n" + "".join(
    f"2024-01-{d:02d},{100 + d},{101 + d},{99 + d},{100.5 + d},{100.5 + d},{1000 * d}\n"
    for d in (2, 3, 4, 5, 8))


@pytest.fixture
def snap(tmp_path, monkeypatch):
    folder = tmp_path / "snap"
    (folder / "market").mkdir(parents=True)
    (folder / "market" / "IWM.csv").write_text(GOOD)
    monkeypatch.setenv("SMALLCAPS_SNAPSHOT", str(folder))
    monkeypatch.setenv("SMALLCAPS_CACHE", str(tmp_path / "cache"))
    monkeypatch.setenv("SMALLCAPS_OFFLINE", "1")
    return folder


def _entries(tmp_path):
    return sorted((tmp_path / "cache" / P.FOLDER).glob("*.pkl"))


def test_a_second_load_reads_the_kept_frame_and_gives_the_same_answer(snap, tmp_path, monkeypatch):
    first = load("IWM")
    assert len(_entries(tmp_path)) == 1
    # the kept entry is what the second load uses: parsing is not called again
    monkeypatch.setattr("smallcaps.data.snapshot.read_prices_csv",
                        lambda *a, **k: pytest.fail("parsed again"))
    second = load("IWM")
    pd.testing.assert_frame_equal(first, second, check_exact=True)
    assert first.attrs == second.attrs
    second.loc[second.index[0], "close"] = -1.0  # callers get their own copy
    assert load("IWM")["close"].iloc[0] == first["close"].iloc[0]


def test_a_changed_file_is_parsed_again_and_replaces_the_old_entry(snap, tmp_path):
    load("IWM")
    old = _entries(tmp_path)
    (snap / "market" / "IWM.csv").write_text(GOOD.replace("108.5,108.5", "108.75,108.75"))
    assert load("IWM")["close"].iloc[-1] == 108.75
    new = _entries(tmp_path)
    assert len(new) == 1 and new != old


def test_a_file_breaking_a_rule_raises_every_time_and_is_never_kept(snap, tmp_path):
    (snap / "market" / "IWM.csv").write_text(GOOD.replace("2024-01-05,105", "2024-01-05,abc"))
    for _ in range(2):
        with pytest.raises(DataError, match="unparsable number"):
            load("IWM")
    assert _entries(tmp_path) == []


def test_a_damaged_entry_is_ignored_and_rewritten(snap, tmp_path):
    ref = load("IWM")
    entry = _entries(tmp_path)[0]
    entry.write_bytes(b"not a pickle")
    pd.testing.assert_frame_equal(load("IWM"), ref, check_exact=True)
    assert isinstance(pickle.loads(entry.read_bytes()), pd.DataFrame)


def test_an_unusable_cache_folder_only_costs_the_parse(snap, tmp_path, monkeypatch):
    blocker = tmp_path / "cache-is-a-file"
    blocker.write_text("")  # no folder can be made under it, whoever runs the test
    monkeypatch.setenv("SMALLCAPS_CACHE", str(blocker))
    for _ in range(2):
        assert load("IWM")["close"].iloc[0] == 102.5
    assert blocker.read_text() == ""


def test_the_key_covers_the_catalog_entry_and_the_parsing_code(snap, tmp_path, monkeypatch):
    path = snap / "market" / "IWM.csv"
    data = path.read_bytes()
    a = P.entry(path, data, "prices IWM")
    assert P.entry(path, data, "prices IWM") == a
    assert P.entry(path, data, "prices SPY") != a
    assert P.entry(path, data + b"\n", "prices IWM") != a
    monkeypatch.setattr(P, "_code_key", lambda: "other code")
    assert P.entry(path, data, "prices IWM") != a


def test_real_snapshot_series_are_the_same_from_the_parse_and_from_the_cache(
        snapshot_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_SNAPSHOT", str(snapshot_dir))
    monkeypatch.setenv("SMALLCAPS_CACHE", str(tmp_path / "cache"))
    names = ["RUT", "margin_debt", "cot:russell2000", "putcall", "short_interest:IWM"]
    parsed = {n: load(n) for n in names}
    assert len(_entries(tmp_path)) == len(names)
    shutil.copytree(tmp_path / "cache", tmp_path / "kept")
    for n in names:  # from the kept entries: equal, with the same provenance
        again = load(n)
        pd.testing.assert_frame_equal(again, parsed[n], check_exact=True)
        assert again.attrs == parsed[n].attrs
    assert sorted(p.name for p in _entries(tmp_path)) == sorted(
        p.name for p in (tmp_path / "kept" / P.FOLDER).glob("*.pkl"))
