"""Local CSV adapter: NFIB headers mapped, any encoding, validated before anything is stored."""

from __future__ import annotations

import pandas as pd
import pytest

from smallcaps.data import DataError, cache, load, provenance
from smallcaps.data.sources import local_csv

NFIB = ("monthyear,OPT_INDEX,Capex Plans,Hiring Plans\n"
        "2025-01,102.8,21,19\n2025-02,100.7,20,18\n2025-03,97.4,19,15\n")


def test_nfib_headers_mapped_and_stored(tmp_path, monkeypatch):
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    f = tmp_path / "nfib.csv"
    f.write_text(NFIB)
    df = local_csv.import_file(f, "nfib", date_column="monthyear")
    assert list(df.columns) == ["optimism", "capex_plans", "hiring_plans", "published"]
    assert df.index[-1] == pd.Timestamp("2025-03-31")
    # NFIB: second Tuesday of the next month
    assert df.loc["2025-03-31", "published"] == pd.Timestamp("2025-04-08")
    loaded = load("nfib", as_of="2025-04-07")
    assert loaded.index[-1] == pd.Timestamp("2025-02-28")
    assert provenance(loaded).origin == "cache"


def test_windows_1252_file(tmp_path):
    f = tmp_path / "vendor.csv"
    text = "date,Optimism Index\u00ae\n2025-01-31,102.8\n2025-02-28,100.7\n2025-03-31,97.4\n"
    f.write_bytes(text.encode("cp1252"))
    with pytest.raises(UnicodeDecodeError):
        f.read_bytes().decode("utf-8")
    df = local_csv.read(f, "nfib", mapping={"Optimism Index\u00ae": "optimism"})
    assert df["optimism"].tolist() == [102.8, 100.7, 97.4]
    assert provenance(df).location == str(f.resolve())
    assert "transcoded" in provenance(df).notes[0]


def test_bad_file_stores_nothing(tmp_path):
    f = tmp_path / "nfib.csv"
    f.write_text(NFIB.replace("100.7", "1OO.7"))
    with pytest.raises(DataError, match="unparsable number in column 'optimism'"):
        local_csv.import_file(f, "nfib", date_column="monthyear")
    assert not cache.exists("nfib")
    with pytest.raises(DataError, match="does not exist"):
        local_csv.read(tmp_path / "missing.csv", "nfib")


def test_default_mapping_only_for_nfib():
    assert local_csv.default_mapping(["OPT_INDEX", "Hiring Plans", "x"], "nfib") == \
        {"OPT_INDEX": "optimism", "Hiring Plans": "hiring_plans"}
    assert local_csv.default_mapping(["OPT_INDEX"], "RUT") is None
