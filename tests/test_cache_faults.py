"""The cache under faults: data and provenance as one unit, readers vs writers, OS errors.

Every fault is reproduced offline (injected OS errors, a writer in a second process,
files damaged or swapped on disk) and each test checks that good data survives.
"""

from __future__ import annotations

import errno
import json
import os
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from smallcaps.cli import main, os_error_message
from smallcaps.data import DataError, Provenance, cache, load, provenance
from smallcaps.data.provenance import attach


def frame(n=5, start="2024-01-02", base=100.0, name="IWM", source="test") -> pd.DataFrame:
    idx = pd.bdate_range(start, periods=n, name="date")
    c = np.linspace(base, base + 4, n)
    df = pd.DataFrame({"open": c, "high": c + 1, "low": c - 1, "close": c, "adj_close": c,
                       "volume": np.full(n, 1000.0)}, index=idx)
    return attach(df, Provenance(name=name, source=source, origin="download"))


def put(name="IWM", n=5, source="test", folder=None, **kw) -> pd.DataFrame:
    df = frame(n, name=name, source=source, **kw)
    cache.write(name, df, provenance(df), folder=folder)
    return df


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()
            and not p.name.endswith(".lock")}


# --- data and provenance are one unit -------------------------------------------------------


def test_provenance_lives_inside_the_parquet_file(tmp_path):
    put(folder=tmp_path, source="Yahoo Finance")
    meta = pq.read_schema(tmp_path / "IWM.parquet").metadata
    record = json.loads(meta[cache.META_KEY])
    check = json.loads(meta[cache.CHECK_KEY])
    assert record["source"] == "Yahoo Finance" and record["rows"] == 5
    assert check["series"] == "IWM" and check["rows"] == 5 and len(check["sha256"]) == 64
    assert not (tmp_path / "IWM.provenance.json").exists()


def test_file_copied_over_another_series_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_CACHE", str(tmp_path))
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    put("IWM", n=6, base=200)
    put("VIX", n=9, base=20)
    (tmp_path / "IWM.parquet").write_bytes((tmp_path / "VIX.parquet").read_bytes())
    with pytest.raises(cache.CacheCorrupt, match="holds series 'VIX', not 'IWM'"):
        cache.read("IWM")
    with pytest.raises(cache.CacheCorrupt, match="VIX"):
        load("IWM", fetch=False)
    assert len(cache.read("VIX")) == 9  # the other series is unaffected


def test_rows_changed_behind_the_record_fail_the_integrity_check(tmp_path):
    put(folder=tmp_path)
    path = tmp_path / "IWM.parquet"
    table = pq.read_table(path)
    df = table.to_pandas()
    df.iloc[2, df.columns.get_loc("close")] += 0.5  # same rows, same dates, other content
    edited = pa.Table.from_pandas(df, preserve_index=True).replace_schema_metadata(
        table.schema.metadata)
    pq.write_table(edited, path)
    with pytest.raises(cache.CacheCorrupt, match="integrity check \\(sha256"):
        cache.read("IWM", folder=tmp_path)
    # a shorter table with the old record: the row count is named
    pq.write_table(pa.Table.from_pandas(df.iloc[:3], preserve_index=True)
                   .replace_schema_metadata(table.schema.metadata), path)
    with pytest.raises(cache.CacheCorrupt, match="rows: recorded 5, found 3"):
        cache.read("IWM", folder=tmp_path)


@pytest.mark.parametrize("fail_at", ["fsync", "replace"])
def test_killed_between_steps_leaves_old_data_with_its_own_provenance(tmp_path, monkeypatch,
                                                                      fail_at):
    put(folder=tmp_path, n=5, source="old")
    before = files(tmp_path)

    def boom(*a, **k):
        raise KeyboardInterrupt  # what a kill looks like to the writer, mid-write

    monkeypatch.setattr(os, fail_at, boom)
    with pytest.raises(KeyboardInterrupt):
        put(folder=tmp_path, n=50, source="new import")
    monkeypatch.undo()
    assert files(tmp_path) == before
    back = cache.read("IWM", folder=tmp_path)
    assert len(back) == 5 and provenance(back).source == "old"


def test_temporary_files_of_killed_writers_are_cleaned(tmp_path):
    put(folder=tmp_path)
    stale = tmp_path / ".IWM.parquet.abc123.tmp"
    stale.write_bytes(b"half a file")
    other = tmp_path / ".SPY.parquet.zzz.tmp"
    other.write_bytes(b"another series' writer")
    put(folder=tmp_path, n=7)
    assert not stale.exists()
    assert other.exists()  # only the series' own lock holder may remove its temporaries
    assert len(cache.read("IWM", folder=tmp_path)) == 7


# --- OS errors become kit errors; the old file stays ----------------------------------------


@pytest.mark.parametrize("code, words", [
    (errno.ENOSPC, "is full"),
    (errno.EACCES, "not writable"),
    (errno.EROFS, "not writable"),
])
def test_os_errors_while_writing_are_kit_errors(tmp_path, monkeypatch, code, words):
    put(folder=tmp_path, source="good")
    before = files(tmp_path)

    def fail(*a, **k):
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(os, "fsync", fail)  # a full disk shows up when the data is flushed
    with pytest.raises(cache.CacheError, match=words) as info:
        put(folder=tmp_path, n=9)
    assert isinstance(info.value, DataError) and "unchanged" in str(info.value)
    monkeypatch.undo()
    assert files(tmp_path) == before
    assert not list(tmp_path.glob(".*.tmp"))


def test_read_only_cache_still_reads_and_refuses_writes_clearly(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_CACHE", str(tmp_path))
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    put(source="good")
    before = files(tmp_path)

    def denied(*a, **k):
        raise PermissionError(errno.EACCES, "Permission denied", str(tmp_path / "x"))

    # the lock file and the temporary file cannot be created, as in a read-only folder
    monkeypatch.setattr(tempfile, "mkstemp", denied)
    monkeypatch.setattr(os, "open", denied)
    df = load("IWM", fetch=False)  # readers take no lock and write nothing
    assert provenance(df).source == "good"
    with pytest.raises(cache.CacheError, match="not writable"):
        put(n=9)
    monkeypatch.undo()
    assert files(tmp_path) == before


def test_cache_path_that_is_a_file(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "cachefile"
    blocker.write_text("not a folder")
    monkeypatch.setenv("SMALLCAPS_CACHE", str(blocker))
    with pytest.raises(cache.CacheError, match="is a file, not a folder"):
        put()
    monkeypatch.setenv("SMALLCAPS_CACHE", str(blocker / "sub"))
    with pytest.raises(cache.CacheError, match=f"{blocker} is a file"):
        put()
    csv = tmp_path / "x.csv"
    csv.write_text("date,open,high,low,close\n2024-01-02,1,2,0.5,1.5\n")
    assert main(["data", "import", str(csv), "--as", "IWM"]) == 2
    err = capsys.readouterr().err
    assert "is a file" in err and "Traceback" not in err
    assert blocker.read_text() == "not a folder"


def test_out_path_that_is_a_file_is_one_line(tmp_path, monkeypatch, capsys):
    target = tmp_path / "reports"
    target.write_text("a file")
    with pytest.raises(FileExistsError) as info:
        target.mkdir(parents=True, exist_ok=True)
    assert os_error_message(info.value) == f"{target} is a file, but a folder is needed there"
    with pytest.raises(OSError) as info:
        (target / "run1").mkdir(parents=True, exist_ok=True)
    assert os_error_message(info.value).startswith(f"{target} is a file")

    # the command line turns it into one line and exit 1 (run's --out folder)
    from smallcaps import runner

    def batch(specs, out, **kw):
        Path(out).mkdir(parents=True, exist_ok=True)

    monkeypatch.setattr(runner, "run_batch", batch)
    code = main(["run", "01_breakout_ranges", "--out", str(target), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1 and f"{target} is a file" in err and "Traceback" not in err


# --- foreign or damaged records are reported, never used ------------------------------------


def _legacy(folder: Path, df: pd.DataFrame, record) -> None:
    pq.write_table(pa.Table.from_pandas(df, preserve_index=True), folder / "IWM.parquet")
    (folder / "IWM.provenance.json").write_text(json.dumps(record))


def test_legacy_provenance_file_holding_a_list(tmp_path):
    df = frame()
    df.attrs = {}
    _legacy(tmp_path, df, [{"name": "IWM"}])
    with pytest.raises(cache.CacheCorrupt, match="JSON list, not an object"):
        cache.read("IWM", folder=tmp_path)
    assert cache.info("IWM", folder=tmp_path) is None


def test_legacy_files_are_read_when_they_agree(tmp_path):
    df = frame()
    prov = provenance(df)
    df.attrs = {}
    _legacy(tmp_path, df, prov.to_dict())
    back = cache.read("IWM", folder=tmp_path)
    assert len(back) == 5 and "legacy" in " ".join(provenance(back).notes)
    _legacy(tmp_path, df.iloc[:3], prov.to_dict())  # the side file describes other rows
    with pytest.raises(cache.CacheCorrupt, match="does not match its provenance file"):
        cache.read("IWM", folder=tmp_path)


def test_time_zone_aware_index(tmp_path):
    df = frame()
    prov = provenance(df)
    aware = df.tz_localize("America/New_York")
    with pytest.raises(DataError, match="time zone"):
        cache.write("IWM", aware, prov, folder=tmp_path)
    assert not (tmp_path / "IWM.parquet").exists()
    aware.attrs = {}
    rec = dict(prov.to_dict(), rows=5, first="2024-01-02", last="2024-01-08")
    _legacy(tmp_path, aware, rec)
    with pytest.raises(cache.CacheCorrupt, match="time zone"):
        cache.read("IWM", folder=tmp_path)


def test_a_reader_never_rebuilds_over_data_it_cannot_verify(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_CACHE", str(tmp_path))
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    put(source="download")
    path = tmp_path / "IWM.parquet"
    raw = bytearray(path.read_bytes())
    raw[100:140] = bytes(40)
    path.write_bytes(bytes(raw))
    damaged = path.read_bytes()
    with pytest.raises(cache.CacheCorrupt):
        load("IWM", fetch=False)
    assert path.read_bytes() == damaged  # reported, not replaced by anything


# --- readers never fight writers ------------------------------------------------------------


WRITER = textwrap.dedent("""
    import sys, time
    import numpy as np, pandas as pd
    from smallcaps.data import Provenance, cache
    from smallcaps.data.provenance import attach

    def frame(n, source):
        idx = pd.bdate_range("2000-01-03", periods=n, name="date")
        c = np.linspace(100, 104, n)
        df = pd.DataFrame({"open": c, "high": c + 1, "low": c - 1, "close": c,
                           "adj_close": c, "volume": np.full(n, 1000.0)}, index=idx)
        return attach(df, Provenance(name="IWM", source=source, origin="download"))

    versions = [frame(300, "A-300"), frame(1200, "B-1200")]
    end = time.monotonic() + float(sys.argv[1])
    k = 0
    while time.monotonic() < end:
        df = versions[k % 2]
        cache.write("IWM", df, Provenance(name="IWM", source=df.attrs["provenance"]["source"],
                                          origin="download"))
        k += 1
    print(k)
""")


def test_reader_sees_one_consistent_version_while_a_writer_replaces_it(tmp_path, monkeypatch):
    monkeypatch.setenv("SMALLCAPS_CACHE", str(tmp_path))
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    put(n=300, source="A-300")
    writes: list[str] = []
    monkeypatch.setattr(cache, "write", lambda *a, **k: writes.append(a[0]))  # a reader's write
    env = dict(os.environ, SMALLCAPS_CACHE=str(tmp_path))
    proc = subprocess.Popen([sys.executable, "-c", WRITER, "3"], env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    reads = 0
    seen = set()
    try:
        deadline = time.monotonic() + 20
        while proc.poll() is None and time.monotonic() < deadline:
            df = load("IWM", fetch=False)
            src = provenance(df).source
            assert src in ("A-300", "B-1200")
            assert len(df) == int(src.split("-")[1]), "rows of one version, provenance of another"
            seen.add(src)
            reads += 1
    finally:
        out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert int(out) > 5 and reads > 20
    assert seen == {"A-300", "B-1200"}  # both versions were observed, each consistent
    assert writes == []  # the reader never wrote
