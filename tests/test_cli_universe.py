"""``smallcaps data add|remove|members`` and ``data pull holdings:IWM --as-of``."""

from __future__ import annotations

import json

import pytest

from smallcaps.cli import main
from smallcaps.data.sources import _http


def test_add_and_remove_a_ticker(_private_cache, capsys):
    assert main(["data", "add", "aapl"]) == 0
    doc = json.loads((_private_cache / "registry.json").read_text())
    assert doc["series"]["AAPL"]["yahoo"] == "AAPL" and doc["series"]["AAPL"]["stooq"] == "aapl.us"
    assert main(["data", "add", "AAPL", "--description", "Apple"]) == 2
    assert "--replace" in capsys.readouterr().err
    assert main(["data", "add", "AAPL", "--description", "Apple", "--replace"]) == 0
    assert main(["data", "add", "../evil"]) == 2
    assert "path characters" in capsys.readouterr().err
    assert main(["data", "list"]) == 0
    assert "AAPL" in capsys.readouterr().out
    assert main(["data", "remove", "aapl"]) == 0
    assert main(["data", "remove", "aapl"]) == 1


def test_members_cli(snapshot_dir, capsys):
    assert main(["data", "members", "russell2000", "--as-of", "2023-12-29"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("russell2000: 1967 members as of 2023-12-29 (observation 2023-12-29)")


def test_pull_holdings_as_of_offline(fixtures_dir, _private_cache, capsys):
    body = (fixtures_dir / "ishares_IWM_holdings_2025-05-13_trimmed.csv").read_bytes()
    canned = _http.CannedTransport({"asOfDate=20250513": body})
    with _http.override(canned, sleep=lambda s: None):
        assert main(["data", "pull", "holdings:IWM", "--as-of", "2025-05-13"]) == 0
    assert "as of 2025-05-13" in capsys.readouterr().out
    assert (_private_cache / "holdings" / "IWM_2025-05-13.csv").read_bytes() == body
    with _http.override(_http.CannedTransport({}), sleep=lambda s: None):
        assert main(["data", "pull", "holdings:IWM", "--as-of", "2025-05-14"]) == 1
    assert "FAILED" in capsys.readouterr().out


@pytest.mark.parametrize("name", ["ZZZQX", "short_interest:ZZZQX"])
def test_offline_load_error_names_symbol_attempts_and_import(name):
    import smallcaps as sc

    with pytest.raises(sc.data.DataError) as err:
        sc.data.load(name)
    msg = str(err.value)
    assert name.upper() in msg.upper() and "tried" in msg and "cache" in msg
    assert "SMALLCAPS_OFFLINE" in msg and f"smallcaps data import FILE --as {name}" in msg


def test_pull_members_uses_the_bulk_puller(_private_cache, monkeypatch, capsys):
    from smallcaps.data import pull

    udir = _private_cache / "universes"
    udir.mkdir()
    (udir / "two.txt").write_text("AAA\nBBB\n")
    seen = []

    def fake(name, **kw):
        seen.append(name)
        return pull.PullResult(name=name, status="failed", error="offline")

    monkeypatch.setattr(pull, "pull_one", fake)
    assert main(["data", "pull-members", "two", "--no-progress"]) == 1  # nothing usable
    assert sorted(seen) == ["AAA", "BBB"]
    assert "two: 2 member symbols: 2 failed" in capsys.readouterr().out


def test_load_any_ticker_online_pulls_validates_caches_and_registers(monkeypatch, _private_cache,
                                                                     fixtures_dir):
    """'Online' through canned answers: yfinance fails, Yahoo's chart API serves the real
    AAPL capture; load() pulls it, caches it with provenance and records AAPL."""
    import smallcaps as sc
    from smallcaps.data.sources import yahoo

    monkeypatch.delenv("SMALLCAPS_OFFLINE")
    monkeypatch.setattr(yahoo, "_yf_history",
                        lambda *a, **k: (_ for _ in ()).throw(ConnectionError("yfinance down")))
    body = (fixtures_dir / "yahoo_chart_v8_AAPL_2020-08-31_2020-11-07.body.json").read_bytes()
    canned = _http.CannedTransport({"/v8/finance/chart/AAPL": body})
    with _http.override(canned, sleep=lambda s: None):
        df = sc.data.load("aapl", start="2020-09-01", end="2020-11-06")
    assert canned.urls() and "AAPL" in canned.urls()[0]
    prov = sc.data.provenance(df)
    assert prov.name == "AAPL" and prov.source.startswith("Yahoo")
    assert len(df) > 40 and df["close"].notna().all()
    assert (_private_cache / "AAPL.parquet").is_file()
    assert "AAPL" in sc.data.registry.entries()
    # the next load reads the cache, with no request
    n = len(canned.calls)
    with _http.override(canned, sleep=lambda s: None):
        again = sc.data.load("AAPL", start="2020-09-01", end="2020-11-06")
    assert len(canned.calls) == n and sc.data.provenance(again).origin == "cache"
