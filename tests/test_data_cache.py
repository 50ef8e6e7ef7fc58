"""The parquet cache: round trip with provenance, atomic writes, corrupt files reported."""

import errno
import os

import numpy as np
import pandas as pd
import pytest

from smallcaps.data import DataError, Provenance, cache, provenance
from smallcaps.data.provenance import attach


def frame(n=5, start="2024-01-02") -> pd.DataFrame:
    idx = pd.bdate_range(start, periods=n, name="date")
    c = np.linspace(100, 104, n)
    df = pd.DataFrame({"open": c, "high": c + 1, "low": c - 1, "close": c, "adj_close": c,
                       "volume": np.full(n, 1000.0)}, index=idx)
    return attach(df, Provenance(name="IWM", source="test", origin="download"))


def test_round_trip_keeps_provenance(tmp_path):
    cache.write("IWM", frame(), Provenance(name="IWM", source="unit test", origin="download",
                                           retrieved="2026-01-01T00:00:00"), folder=tmp_path)
    back = cache.read("IWM", folder=tmp_path)
    pd.testing.assert_frame_equal(back, frame(), check_freq=False)
    prov = provenance(back)
    assert prov.origin == "cache" and prov.source == "unit test" and prov.retrieved.startswith("2026")
    assert cache.info("IWM", folder=tmp_path).origin == "download"
    # one file: the provenance lives in the parquet file's own metadata
    assert [p.name for p in tmp_path.iterdir() if not p.name.startswith(".")] == ["IWM.parquet"]


def test_invalid_data_never_replaces_good_file(tmp_path):
    good = frame()
    cache.write("IWM", good, provenance(good), folder=tmp_path)
    before = (tmp_path / "IWM.parquet").read_bytes()
    bad = frame()
    bad.iloc[2, bad.columns.get_loc("high")] = 1.0  # high < low
    with pytest.raises(DataError, match="high < low"):
        cache.write("IWM", bad, provenance(good), folder=tmp_path)
    assert (tmp_path / "IWM.parquet").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_failed_write_leaves_old_file_intact(tmp_path, monkeypatch):
    good = frame()
    cache.write("IWM", good, provenance(good), folder=tmp_path)
    before = (tmp_path / "IWM.parquet").read_bytes()

    def boom(*a, **k):
        raise OSError(errno.EIO, "I/O error")

    monkeypatch.setattr(cache.pq, "write_table", boom)
    with pytest.raises(cache.CacheError, match="I/O error.*unchanged"):
        cache.write("IWM", frame(8), provenance(good), folder=tmp_path)
    assert (tmp_path / "IWM.parquet").read_bytes() == before
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_crash_during_replace_leaves_old_file(tmp_path, monkeypatch):
    good = frame()
    cache.write("IWM", good, provenance(good), folder=tmp_path)
    before = (tmp_path / "IWM.parquet").read_bytes()
    monkeypatch.setattr(os, "replace", lambda *a: (_ for _ in ()).throw(OSError("crash")))
    with pytest.raises(cache.CacheError, match="crash"):
        cache.write("IWM", frame(9), provenance(good), folder=tmp_path)
    monkeypatch.undo()
    assert (tmp_path / "IWM.parquet").read_bytes() == before


def test_corrupt_file_is_reported(tmp_path):
    good = frame()
    cache.write("IWM", good, provenance(good), folder=tmp_path)
    (tmp_path / "IWM.parquet").write_bytes(b"PAR1 this is not parquet")
    with pytest.raises(cache.CacheCorrupt, match="IWM: cache file .* is corrupt"):
        cache.read("IWM", folder=tmp_path)


def test_corrupt_cache_rebuilt_from_its_snapshot(tmp_path, monkeypatch, snapshot_dir):
    from smallcaps.cli import main
    from smallcaps.data import load

    monkeypatch.setenv("SMALLCAPS_CACHE", str(tmp_path))
    assert main(["data", "snapshot", str(snapshot_dir)]) == 0
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT")
    # damage the rows but not the footer (which says where the data came from)
    path = tmp_path / "RUT.parquet"
    raw = bytearray(path.read_bytes())
    raw[200:400] = bytes(200)
    path.write_bytes(bytes(raw))
    with pytest.raises(cache.CacheCorrupt):
        cache.read("RUT")
    with pytest.warns(UserWarning, match="corrupt|integrity"):
        df = load("RUT")
    assert len(df) == 9811 and provenance(df).origin == "cache"
    assert cache.read("RUT").loc["2021-03-26", "close"] == 2221.48


def test_cache_dir_from_env(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_CACHE", str(tmp_path / "x"))
    assert cache.cache_dir() == tmp_path / "x"
    assert cache.data_path("cot:russell2000").name == "cot__russell2000.parquet"
