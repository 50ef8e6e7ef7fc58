"""``data import``: implausible values refused, imports that never masquerade.

Each refused file gets a clear error naming the file, the line and the rule, and the
cache is unchanged (checked on bytes).
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from smallcaps.cli import main
from smallcaps.data import DataError, cache, import_csv, load, provenance, read_csv
from smallcaps.data import registry as reg
from smallcaps.data import snapshot as snap
from smallcaps.data.catalog import spec


@pytest.fixture(autouse=True)
def no_snapshot(monkeypatch):
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    monkeypatch.setenv("SMALLCAPS_OFFLINE", "1")


def csv(tmp_path, text: str, name: str = "bars.csv"):
    p = tmp_path / name
    p.write_text(text)
    return p


def bars(dates, close=100.0) -> str:
    lines = ["date,open,high,low,close,volume"]
    for i, d in enumerate(dates):
        c = close + i
        lines.append(f"{d},{c},{c + 1},{c - 1},{c},1000")
    return "\n".join(lines) + "\n"


def cache_bytes():
    folder = cache.cache_dir()
    if not folder.is_dir():
        return {}
    return {p.name: p.read_bytes() for p in folder.rglob("*") if p.is_file()
            and not p.name.endswith(".lock")}


# --- implausible values ---------------------------------------------------------------------


def test_decimal_comma_is_refused_not_read_as_thousands(tmp_path):
    f = csv(tmp_path, 'date,open,high,low,close\n2024-01-02,45.1,46,45,45.5\n'
                      '2024-01-03,"45,53","46,00","45,00","45,53"\n')
    with pytest.raises(DataError, match=r"bars\.csv.*decimal comma.*line 3") as info:
        read_csv(f, "IWM")
    assert "'45,53'" in str(info.value)
    semi = csv(tmp_path, "date;open;high;low;close\n2024-01-02;45,53;46;45;45,53\n", "semi.csv")
    with pytest.raises(DataError, match=r"semi\.csv.*decimal comma.*line 2"):
        read_csv(semi, "IWM")
    ok = csv(tmp_path, 'date,open,high,low,close,volume\n2024-01-02,1,2,0.5,1.5,"1,234,567"\n', "ok.csv")
    assert read_csv(ok, "IWM")["volume"].iloc[0] == 1234567  # real thousands separators


def test_ambiguous_day_month_order_needs_a_format(tmp_path):
    days = ["01/06/2000", "02/06/2000", "05/06/2000", "06/06/2000", "07/06/2000",
            "08/06/2000", "09/06/2000", "12/06/2000"]
    f = csv(tmp_path, bars(days))
    with pytest.raises(DataError, match="ambiguous day/month order") as info:
        read_csv(f, "IWM")
    assert "--date-format '%d/%m/%Y'" in str(info.value) and "bars.csv" in str(info.value)
    df = read_csv(f, "IWM", date_format="%d/%m/%Y")
    assert df.index[0] == pd.Timestamp("2000-06-01") and df.index[-1] == pd.Timestamp("2000-06-12")
    assert main(["data", "import", str(f), "--as", "IWM", "--date-format", "%d/%m/%Y"]) == 0

    proven = csv(tmp_path, bars(["12/06/2000", "13/06/2000"]), "proven.csv")
    assert list(read_csv(proven, "IWM").index.day) == [12, 13]  # 13 proves day first
    mixed = csv(tmp_path, bars(["13/06/2000", "06/14/2000"]), "mixed.csv")
    with pytest.raises(DataError, match="mix day-first and month-first"):
        read_csv(mixed, "IWM")
    wrong = csv(tmp_path, bars(["2000-06-13"]), "wrong.csv")
    with pytest.raises(DataError, match="does not match --date-format.*line 2"):
        read_csv(wrong, "IWM", date_format="%d/%m/%Y")


def test_time_stamps_with_offsets_keep_their_session(tmp_path):
    # 16:00 in New York stamped in UTC (21:00Z), an evening stamp that is Saturday in UTC,
    # and offsets that change across the DST switch in one file
    f = csv(tmp_path, bars(["2024-01-04T21:00:00Z", "2024-01-05T20:00:00-05:00",
                            "2024-03-08T16:00:00-05:00", "2024-03-11T16:00:00-04:00"]))
    df = read_csv(f, "IWM")
    assert list(df.index.strftime("%Y-%m-%d")) == ["2024-01-04", "2024-01-05", "2024-03-08",
                                                   "2024-03-11"]
    midnight = csv(tmp_path, bars(["2024-01-04T00:00:00Z", "2024-01-05T00:00:00Z"]), "mid.csv")
    assert list(read_csv(midnight, "IWM").index.day) == [4, 5]  # date labels stay as given


def test_weekend_bars_are_refused(tmp_path):
    f = csv(tmp_path, bars(["2024-01-05", "2024-01-06", "2024-01-08"]))
    with pytest.raises(DataError, match=r"Saturday or Sunday.*line 3 \(2024-01-06\)"):
        read_csv(f, "IWM")


def test_two_bars_a_day_and_minute_bars_are_not_a_daily_series(tmp_path):
    f = csv(tmp_path, bars(["2024-01-02 10:00", "2024-01-02 15:00", "2024-01-03 16:00"]))
    with pytest.raises(DataError, match=r"more than one row on 1 date.*line 2.*line 3"):
        read_csv(f, "IWM")
    minutes = [t for day in ("2024-01-02", "2024-01-03", "2024-01-04")
               for t in pd.date_range(f"{day} 09:30", periods=390, freq="min")]
    m = csv(tmp_path, bars([t.isoformat(sep=" ") for t in minutes]), "minutes.csv")
    with pytest.raises(DataError, match="more than one row on 3 date"):
        read_csv(m, "IWM")


def test_infinite_prices_and_implausible_years(tmp_path):
    f = csv(tmp_path, "date,open,high,low,close\n2024-01-02,1,inf,0.5,1\n")
    with pytest.raises(DataError, match=r"infinite value in column 'high'.*line 2"):
        read_csv(f, "IWM")
    old = csv(tmp_path, bars(["1500-01-02", "2024-01-02"]), "old.csv")
    with pytest.raises(DataError, match=r"before 1800.*line 2"):
        read_csv(old, "IWM")
    future = csv(tmp_path, bars(["2024-01-02", "2099-01-02"]), "future.csv")
    with pytest.raises(DataError, match=r"in the future.*line 3"):
        read_csv(future, "IWM")


# --- never shrink, never masquerade ---------------------------------------------------------


def test_one_row_cannot_replace_a_long_history_without_replace(tmp_path, capsys):
    days = pd.bdate_range("2000-01-03", periods=6598)
    f = csv(tmp_path, bars([d.date().isoformat() for d in days]), "hist.csv")
    import_csv(f, "IWM")
    before = cache_bytes()
    f.write_text(bars(["2026-08-03"]))
    assert main(["data", "import", str(f), "--as", "IWM"]) == 2
    err = capsys.readouterr().err
    assert "--replace" in err and "6,598" in err and "Traceback" not in err
    assert cache_bytes() == before

    # with --replace: stored, and the old history is kept as a dated backup
    assert main(["data", "import", str(f), "--as", "IWM", "--replace"]) == 0
    assert "backups/" in capsys.readouterr().out
    assert len(cache.read("IWM")) == 1
    (backup,) = cache.backups_dir().glob("IWM.*.parquet")
    shutil.copy(backup, cache.data_path("IWM"))  # restoring is a copy back
    assert len(cache.read("IWM")) == 6598


def test_import_over_another_origin_needs_replace(snapshot_dir, tmp_path, capsys):
    real = snap.read(snapshot_dir, spec("IWM"))
    cache.write("IWM", real, provenance(real))
    before = cache_bytes()
    aapl = csv(tmp_path, bars(["2024-01-02", "2024-01-03"], close=185.0), "aapl.csv")
    assert main(["data", "import", str(aapl), "--as", "IWM"]) == 2
    err = capsys.readouterr().err
    assert "--replace" in err and "Yahoo Finance" in err and "not from this file" in err
    assert cache_bytes() == before

    assert main(["data", "import", str(aapl), "--as", "iwm", "--replace"]) == 0
    capsys.readouterr()
    df = load("IWM")
    prov = provenance(df)
    assert prov.source == "import of aapl.csv" and prov.origin == "cache"
    assert "import of aapl.csv" in prov.describe()
    assert any("usual source" in n for n in prov.notes)
    assert main(["data", "show", "IWM"]) == 0
    assert "source: import of aapl.csv" in capsys.readouterr().out
    # a pull never mixes downloads into an import
    from smallcaps.data.pull import pull

    res = pull(["IWM"], force=True)[0]
    assert res.status == "imported" and "import of aapl.csv" in res.message()
    # and the same file again (same origin, same coverage) needs no --replace
    assert main(["data", "import", str(aapl), "--as", "IWM"]) == 0


def test_import_creates_new_series(tmp_path, capsys):
    survey = csv(tmp_path, "month,value\n2024-01,51.2\n2024-02,52.0\n2024-03,49.8\n", "pmi.csv")
    assert main(["data", "import", str(survey), "--as", "my_pmi", "--kind", "series",
                 "--frequency", "monthly", "--units", "index points"]) == 0
    entry = reg.get("my_pmi")
    assert entry.kind == "series" and entry.frequency == "monthly" and entry.units == "index points"
    df = load("my_pmi")
    assert list(df["value"]) == [51.2, 52.0, 49.8] and df.index[-1] == pd.Timestamp("2024-03-31")
    assert provenance(df).source == "import of pmi.csv"

    aapl = csv(tmp_path, bars(["2024-01-02", "2024-01-03"], close=185.0), "aapl.csv")
    assert main(["data", "import", str(aapl), "--as", "AAPL"]) == 0  # a ticker: prices
    got = load("aapl")
    assert provenance(got).source == "import of aapl.csv" and np.isclose(got["close"].iloc[0], 185)
    assert reg.get("AAPL").kind == "prices" and not reg.get("AAPL").yahoo

    with pytest.raises(DataError, match="--kind"):
        import_csv(survey, "my_other_thing")
    with pytest.raises(DataError, match="path characters"):
        import_csv(survey, "../evil", kind="series", frequency="monthly")


def test_snapshot_with_mixed_offsets_is_read(tmp_path, capsys):
    folder = tmp_path / "snap"
    (folder / "market").mkdir(parents=True)
    (folder / "market" / "RUT.csv").write_text(
        "date,open,high,low,close,adj_close,volume\n"
        "2024-03-08T00:00:00-05:00,2000,2010,1990,2005,,\n"
        "2024-03-11T00:00:00-04:00,2005,2015,1995,2010,,\n")
    code = main(["data", "snapshot", str(folder)])
    out = capsys.readouterr().out
    assert "Traceback" not in out
    assert code == 0, out
    assert list(cache.read("RUT").index.strftime("%Y-%m-%d")) == ["2024-03-08", "2024-03-11"]


def test_snapshot_load_keeps_imports_and_longer_histories(snapshot_dir, tmp_path, capsys):
    small = tmp_path / "snap"  # a snapshot with one series keeps the test quick
    (small / "market").mkdir(parents=True)
    shutil.copy(snapshot_dir / spec("IWM").snapshot_file, small / "market")
    aapl = csv(tmp_path, bars(["2024-01-02", "2024-01-03"], close=185.0), "aapl.csv")
    import_csv(aapl, "IWM")
    before = cache_bytes()
    assert main(["data", "snapshot", str(small)]) == 0
    out = capsys.readouterr().out
    assert "IWM" in out and "kept the cache: it holds an import of aapl.csv" in out
    assert {k: v for k, v in cache_bytes().items() if k.startswith("IWM")} == \
        {k: v for k, v in before.items() if k.startswith("IWM")}
    assert main(["data", "snapshot", str(small), "--replace"]) == 0
    assert provenance(load("IWM")).source != "import of aapl.csv"
    assert list(cache.backups_dir().glob("IWM.*.parquet"))
