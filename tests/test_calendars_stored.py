"""NYSE sessions and federal closures kept in the cache folder between processes.

Reference: the calendars computed directly from exchange_calendars and pandas'
holiday rules (the private builders). Every test has its own empty cache folder
(tests/conftest.py).
"""

from __future__ import annotations

import os

import numpy as np
import pandas as pd
import pytest

from smallcaps import config
from smallcaps.data import calendars as C


@pytest.fixture(autouse=True)
def _fresh_process_caches():
    C.nyse_sessions.cache_clear()
    C.federal_closures.cache_clear()
    yield
    C.nyse_sessions.cache_clear()
    C.federal_closures.cache_clear()


def _files() -> list:
    folder = config.cache() / "calendars"
    return sorted(folder.glob("*.npy")) if folder.is_dir() else []


def test_stored_calendars_equal_the_computed_ones():
    first = (C.nyse_sessions(), C.federal_closures())
    assert len(_files()) == 2
    C.nyse_sessions.cache_clear()
    C.federal_closures.cache_clear()
    again = (C.nyse_sessions(), C.federal_closures())  # read from the files
    pd.testing.assert_index_equal(again[0], C._nyse_sessions())
    pd.testing.assert_index_equal(again[1], C._federal_closures())
    pd.testing.assert_index_equal(again[0], first[0])
    # known facts either way: 2001-09-11 closed, 2012-10-29 closed, Juneteenth 2022 federal
    s = again[0]
    assert pd.Timestamp("2001-09-10") in s and pd.Timestamp("2001-09-11") not in s
    assert pd.Timestamp("2012-10-29") not in s and pd.Timestamp("2012-10-31") in s
    assert pd.Timestamp("2022-06-20") in again[1]


def test_a_damaged_file_is_computed_again_and_replaced():
    C.nyse_sessions()
    path = next(p for p in _files() if p.name.startswith("nyse-sessions"))
    path.write_bytes(b"not an array")
    C.nyse_sessions.cache_clear()
    pd.testing.assert_index_equal(C.nyse_sessions(), C._nyse_sessions())
    assert np.load(path).dtype == np.dtype("datetime64[ns]")  # replaced by a good file
    # an unsorted array is not trusted either
    np.save(path, np.array(["2020-01-03", "2020-01-02"], dtype="datetime64[ns]"))
    C.nyse_sessions.cache_clear()
    assert len(C.nyse_sessions()) > 30_000


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders")
def test_an_unwritable_cache_folder_only_costs_time(tmp_path, monkeypatch):
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    monkeypatch.setenv(config.CACHE, str(ro))
    pd.testing.assert_index_equal(C.nyse_sessions(), C._nyse_sessions())


def test_an_unwritable_cache_path_only_costs_time(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("a file where the cache folder should be")
    monkeypatch.setenv(config.CACHE, str(blocker))
    pd.testing.assert_index_equal(C.nyse_sessions(), C._nyse_sessions())
    pd.testing.assert_index_equal(C.federal_closures(), C._federal_closures())
