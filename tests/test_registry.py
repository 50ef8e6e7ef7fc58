"""The user series registry and catalog name resolution (built-in -> registry -> ticker)."""

from __future__ import annotations

import dataclasses
import json
import threading

import pytest

from smallcaps.data import DataError, registry
from smallcaps.data.catalog import SeriesSpec, spec


def _user(name: str, **kw) -> SeriesSpec:
    base = dict(name=name, kind="series", frequency="monthly", units="index",
                source="import of survey.csv", description="a user's survey")
    base.update(kw)
    return SeriesSpec(**base)


def test_add_entries_remove_roundtrip(_private_cache):
    assert registry.entries() == {}
    registry.add(_user("My_Survey"))
    got = registry.entries()
    assert list(got) == ["My_Survey"] and got["My_Survey"].source == "import of survey.csv"
    # persisted as documented JSON beside the cache
    doc = json.loads((_private_cache / "registry.json").read_text())
    assert doc["version"] == 1 and doc["series"]["My_Survey"]["units"] == "index"
    # case-insensitive lookup, first spelling kept
    assert registry.get("my_survey").name == "My_Survey"
    assert spec("MY_SURVEY").name == "My_Survey"
    assert registry.remove("my_SURVEY") is True
    assert registry.entries() == {}
    assert registry.remove("my_survey") is False


def test_add_refuses_a_different_entry_without_replace():
    registry.add(_user("survey"))
    registry.add(_user("SURVEY"))  # identical up to case: a no-op
    with pytest.raises(DataError, match="already registered.*replace"):
        registry.add(_user("Survey", units="percent"))
    registry.add(_user("Survey", units="percent"), replace=True)
    assert registry.get("survey").units == "percent"
    assert len(registry.entries()) == 1


@pytest.mark.parametrize("bad", ["../etc", "a/b", "a\\b", "", " ", ".hidden", "x y", "a*b", "é"])
def test_names_with_path_or_odd_characters_are_refused(bad):
    with pytest.raises(DataError):
        registry.add(_user(bad))


def test_built_in_names_cannot_be_registered():
    with pytest.raises(DataError, match="built-in"):
        registry.add(_user("rut"))


def test_corrupt_registry_is_reported_with_its_path(_private_cache):
    (_private_cache / "registry.json").write_text("{not json")
    with pytest.raises(DataError, match="registry.json"):
        registry.entries()


def test_concurrent_adds_keep_every_entry():
    errors: list[Exception] = []

    def add(i: int) -> None:
        try:
            registry.add(_user(f"s{i}"))
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=add, args=(i,)) for i in range(12)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(registry.entries()) == sorted(f"s{i}" for i in range(12))


def test_spec_resolution_order():
    assert spec("iwm").name == "IWM" and spec("iwm").snapshot_file == "market/IWM.csv"
    aapl = spec("aapl")
    assert (aapl.name, aapl.kind, aapl.yahoo, aapl.stooq) == ("AAPL", "prices", "AAPL", "aapl.us")
    assert spec("brk.b").stooq == "brk-b.us"
    assert spec("^gdaxi").stooq == ""
    si = spec("short_interest:aapl")
    assert (si.name, si.kind, si.release) == ("short_interest:AAPL", "short_interest", "short_interest")
    assert spec("short_interest:IWM").snapshot_file == "sentiment/short_interest_IWM.csv"
    # a registered entry wins over the ticker interpretation
    registry.add(dataclasses.replace(spec("AAPL"), source="import of aapl.csv"))
    assert spec("aapl").source == "import of aapl.csv"


def test_unknown_non_ticker_names_get_close_matches():
    with pytest.raises(DataError, match="margin_debt"):
        spec("margin_dbt")
    with pytest.raises(DataError, match="path characters"):
        spec("../IWM")
