"""Universes: point-in-time membership, iShares holdings parser, panels."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

import smallcaps as sc
from smallcaps.data import DataError, registry  # noqa: F401
from smallcaps.universe import holdings as hold
from smallcaps.universe.membership import from_intervals, read_intervals

# --- iShares holdings files (both layouts) -------------------------------------------------


def test_classic_layout_iwm_fixture(fixtures_dir):
    df = sc.universe.read_holdings(fixtures_dir / "ishares_IWM_holdings_2025-05-13_trimmed.csv")
    assert df.attrs["as_of"] == "2025-05-13"
    assert df.attrs["layout"] == "classic"
    assert df.attrs["shares_outstanding"] == 303_600_000.0
    # 39 holdings lines kept in the trimmed file; the footer is not a holding
    assert len(df) == 39
    assert set(df["asset_class"]) >= {"Equity", "Cash", "Money Market", "Futures"}
    assert {"MOGA", "GEFB", "CRDA"} <= set(df["ticker"])  # class shares without a separator
    assert (df["ticker"] == "").sum() >= 1  # '-' tickers become empty
    row = df[df["ticker"] == "SFM"].iloc[0]
    assert row["market_value"] == pytest.approx(409_233_878.82)
    assert row["quantity"] == 2_582_406 and row["price"] == pytest.approx(158.47)
    # market value = quantity x price on equity rows with a price (2-decimal rounding of price)
    eq = df[(df["asset_class"] == "Equity") & (df["price"] > 0)]
    assert np.allclose(eq["market_value"], eq["quantity"] * eq["price"], rtol=0,
                       atol=eq["quantity"] * 0.005 + 0.01)
    tick = sc.universe.equity_tickers(df)
    assert "XTSLA" not in tick and "USD" not in tick and "" not in tick


def test_newer_layout_ijr_fixture(fixtures_dir):
    df = sc.universe.read_holdings(fixtures_dir / "ishares_IJR_holdings_2026-06-19.csv")
    assert df.attrs["as_of"] == "2026-06-19"
    assert df.attrs["layout"] == "newer"
    assert df.attrs["shares_outstanding"] is None  # "-" in the preamble
    assert {"type", "weight_pct", "notional_weight_pct"} <= set(df.columns)
    cash = df[df["ticker"] == "USD"].iloc[0]
    assert cash["quantity"] < 0  # the USD CASH row has a negative quantity
    form = df[df["ticker"] == "FORM"].iloc[0]
    assert form["weight_pct"] == pytest.approx(0.66) and form["notional_weight_pct"] == pytest.approx(0.65)
    assert 500 < len(sc.universe.equity_tickers(df)) < 700


def test_full_snapshot_holdings_count(snapshot_dir):
    # PROVENANCE-universe.md section A: 1,933 equity tickers on 2025-05-13, 1,920 on 2026-05-05
    for name, n in (("IWM_2025-05-13.csv", 1933), ("IWM_2026-05-05.csv", 1920)):
        df = sc.universe.read_holdings(snapshot_dir / "universe" / "holdings" / name)
        assert len(sc.universe.equity_tickers(df)) == n


def test_not_a_holdings_file_is_named(tmp_path):
    p = tmp_path / "page.csv"
    p.write_text("<html><body>Service unavailable</body></html>")
    with pytest.raises(DataError, match="page.csv.*Ticker"):
        sc.universe.read_holdings(p)
    p.write_text('iShares X\nFund Holdings as of,"sometime"\n\nTicker,Name,Asset Class,Market Value,Quantity,Price\n')
    with pytest.raises(DataError, match="Fund Holdings as of"):
        sc.universe.read_holdings(p)


def test_holdings_url_asks_for_a_past_date():
    url = sc.universe.holdings_url("IWM", "2025-05-13")
    assert url.startswith("https://www.ishares.com/us/products/239710/")
    assert "fileType=csv" in url and "asOfDate=20250513" in url
    with pytest.raises(DataError, match="holdings:XYZ"):
        sc.universe.holdings_url("XYZ")


def test_pull_holdings_offline_on_the_fixture(fixtures_dir, _private_cache):
    from smallcaps.data.sources import _http

    body = (fixtures_dir / "ishares_IWM_holdings_2025-05-13_trimmed.csv").read_bytes()
    url = sc.universe.holdings_url("IWM", "2025-05-13")
    canned = _http.CannedTransport({url: body})
    with _http.override(canned):
        path = sc.universe.pull_holdings("IWM", as_of="2025-05-13")
    assert canned.urls() == [url]
    assert path == _private_cache / "holdings" / "IWM_2025-05-13.csv"
    assert path.read_bytes() == body  # stored byte-identical
    files = hold.holdings_files("IWM", snapshot=None)
    assert list(files) == [pd.Timestamp("2025-05-13")]
    m = sc.universe.membership("russell2000", snapshot=_private_cache / "no-snapshot")
    assert "SFM" in m.members("2025-05-13") and m.members("2025-05-12") == []


# --- membership ------------------------------------------------------------------------------


def test_snapshot_semantics_carry_forward():
    df = pd.DataFrame({"ticker": ["A", "B", "C"],
                       "start_date": pd.to_datetime(["2020-03-31", "2020-03-31", "2020-06-30"]),
                       "end_date": pd.to_datetime(["2020-06-30", None, None])})
    m = from_intervals(df, "t", "snapshots")
    assert m.members("2020-03-30") == []
    assert m.members("2020-03-31") == ["A", "B"]
    assert m.members("2020-05-15") == ["A", "B"]          # latest observation: 2020-03-31
    assert m.members("2020-06-30") == ["A", "B", "C"]
    assert m.members("2021-01-01") == ["A", "B", "C"]     # A seen last at 2020-06-30
    mask = m.mask(pd.DatetimeIndex(["2020-03-30", "2020-04-01", "2020-07-01"]), ["C", "A", "ZZZ"])
    assert mask.tolist() == [[False, False, False], [False, True, False], [True, True, False]]


def test_exact_semantics():
    df = pd.DataFrame({"ticker": ["A"], "start_date": pd.to_datetime(["2020-01-15"]),
                       "end_date": pd.to_datetime(["2020-03-10"])})
    m = from_intervals(df, "t", "exact")
    assert m.members("2020-01-14") == [] and m.members("2020-01-15") == ["A"]
    assert m.members("2020-03-10") == ["A"] and m.members("2020-03-11") == []


def test_bad_interval_files_name_the_line(tmp_path):
    p = tmp_path / "u.csv"
    p.write_text("ticker,start_date,end_date\nAAA,2020-01-01,\nBBB,2020-05-01,2020-01-01\n")
    with pytest.raises(DataError, match="end_date before start_date.*line 3"):
        read_intervals(p)
    p.write_text("ticker,start_date,end_date\nAAA,01/02/2020,\n")
    with pytest.raises(DataError, match="unparsable date.*line 2"):
        read_intervals(p)


def test_user_list_universe(_private_cache, tmp_path):
    folder = sc.universe.universes_dir()
    folder.mkdir(parents=True)
    (folder / "banks.txt").write_text("# regional banks\nkre, zion\nCMA  # comerica\n\nzion\n")
    assert sc.universe.members("banks", as_of="2001-01-01") == ["CMA", "KRE", "ZION"]
    m = sc.universe.membership("banks")
    assert m.static and "not point in time" in m.describe()
    bad = tmp_path / "bad.txt"
    bad.write_text("AAPL\nnot a/ticker\n")
    with pytest.raises(DataError, match="line 2"):
        sc.universe.membership(str(bad))
    with pytest.raises(DataError, match="unknown universe"):
        sc.universe.members("no_such_universe", as_of="2020-01-01")


@pytest.mark.snapshot
def test_russell2000_members_per_quarter_end(snapshot_dir):
    intervals = read_intervals(snapshot_dir / "universe" / "r2k_membership.csv")
    m = sc.universe.membership("russell2000")
    # PROVENANCE-universe.md C.7: members at each quarter-end snapshot
    published = {"2019-03-29": 2000, "2020-03-31": 1978, "2021-06-30": 1994, "2022-12-30": 1951,
                 "2023-03-31": 1924, "2023-12-29": 1967, "2024-06-28": 2027}
    for day, n in published.items():
        assert len(m.members(day)) == n, day
    assert 1900 <= len(sc.universe.members("russell2000", as_of="2023-12-29")) <= 2050
    # every quarter-end observation 2011-2026 within the documented range 1,924..2,115
    quarter_ends = [d for d in m.dates if d.month in (3, 6, 9, 12) and d.day >= 28]
    counts = [len(m.members(d)) for d in quarter_ends]
    assert len(quarter_ends) >= 58 and min(counts) >= 1900 and max(counts) <= 2120
    # no member before its start date, on any trading day sampled
    first_start = intervals.groupby("ticker")["start_date"].min()
    days = pd.bdate_range("2011-01-03", "2026-07-31", freq="2B")
    mask = m.mask(days, list(first_start.index))
    starts = first_start.to_numpy("datetime64[ns]")
    assert not (mask & (days.values[:, None] < starts[None, :])).any()
    # the dated holdings files inside the intervals' span add detail only when asked:
    # TRAX is held from the 2026-04-23 file, before its interval starts (2026-06-30)
    merged = sc.universe.membership("russell2000", holdings="merge")
    assert "TRAX" not in merged.members("2026-04-10") and "TRAX" in merged.members("2026-04-23")
    assert "TRAX" not in m.members("2026-04-23") and "TRAX" in m.members("2026-06-30")
    assert len(merged.members("2025-05-13")) == 1933  # the file's equity tickers
    assert len(sc.universe.membership("russell2000", holdings="ignore").dates) == 60


def test_holdings_class_shares_take_the_interval_spelling():
    from smallcaps.universe.membership import _from_sets, merge

    base = from_intervals(pd.DataFrame({"ticker": ["HEI-A", "AAA"],
                                        "start_date": pd.to_datetime(["2020-03-31"] * 2),
                                        "end_date": pd.to_datetime([None, None])}), "t")
    extra = _from_sets("t", [pd.Timestamp("2020-05-13")], [{"HEIA", "AAA", "NEW"}], ("holdings x",))
    m = merge(base, extra)
    assert m.members("2020-05-13") == ["AAA", "HEI-A", "NEW"]
    assert m.members("2020-04-01") == ["AAA", "HEI-A"]


# --- panels ----------------------------------------------------------------------------------


@pytest.mark.snapshot
def test_panel_reads_many_symbols_at_once(snapshot_dir):
    syms = ["AA", "ELVN", "IJR", "IWM", "not listed", "ZZZZQ"]
    p = sc.universe.load_panel(syms, start="2021-01-01", end="2021-03-31", fields=["close", "volume"])
    assert list(p.close.columns) == ["AA", "ELVN", "IJR", "IWM", "NOT LISTED", "ZZZZQ"]
    assert p.missing == ["NOT LISTED", "ZZZZQ"]
    assert p.close.index.min() >= pd.Timestamp("2021-01-04") and p.close.index.max() <= pd.Timestamp("2021-03-31")
    # the same numbers as the one-symbol loader, whichever file they come from
    for sym in ("AA", "IJR", "IWM"):
        one = sc.data.load(sym, start="2021-01-01", end="2021-03-31")
        pd.testing.assert_series_equal(p.close[sym].dropna(), one["close"], check_names=False,
                                       check_index_type=False)
    assert "prices_daily.parquet" in p.sources["AA"] and "market" in p.sources["IWM"]
    with pytest.raises(AttributeError, match="high"):
        _ = p.high
    wide = sc.universe.panel(["AA", "ZZZZQ"], field="close", start="2021-01-01", end="2021-01-31")
    assert wide.attrs["missing"] == ["ZZZZQ"] and wide["AA"].notna().all()


def test_ticker_in_universe_parquet_loads_by_symbol(snapshot_dir):
    df = sc.data.load("aa", start="2023-01-03", end="2023-01-31")
    prov = sc.data.provenance(df)
    assert prov.origin == "snapshot" and prov.location.endswith("prices_daily.parquet")
    assert any("PROVENANCE-universe.md" in n and "C." in n for n in prov.notes)


# --- bulk pulls ------------------------------------------------------------------------------


def test_bulk_pull_is_concurrent_polite_and_resumable(monkeypatch):
    import threading
    import time

    from smallcaps.data import cache, pull
    from smallcaps.data.provenance import Provenance

    state = {"now": 0, "max": 0, "calls": []}
    lock = threading.Lock()

    def fake_pull_one(name, *, max_age_hours=None, force=False, down=None, **kw):
        with lock:
            state["now"] += 1
            state["max"] = max(state["max"], state["now"])
            state["calls"].append(name)
        try:
            if max_age_hours is not None and cache.exists(name):
                return pull.PullResult(name=name, status="fresh", usable=True)
            time.sleep(0.02)
            if name == "BAD":
                return pull.PullResult(name=name, status="failed", error="Yahoo: 404")
            idx = pd.bdate_range("2024-01-01", periods=3, name="date")
            df = pd.DataFrame({"open": 1.0, "high": 1.0, "low": 1.0, "close": 1.0,
                               "adj_close": 1.0, "volume": 1.0}, index=idx)
            cache.write(name, df, Provenance(name=name, source="test", origin="download"))
            return pull.PullResult(name=name, status="updated", source="test", new_rows=3, rows=3)
        finally:
            with lock:
                state["now"] -= 1

    monkeypatch.setattr(pull, "pull_one", fake_pull_one)
    syms = ["AAA", "BBB", "CCC", "DDD", "BAD", "odd name"]
    out = sc.universe.pull_prices(syms, per_host=2, min_interval=0.0, progress=False)
    assert state["max"] <= 2 and state["max"] >= 1
    assert out.loc["AAA", "status"] == "updated" and out.loc["BAD", "status"] == "failed"
    assert out.loc["ODD NAME", "status"] == "invalid" and "ODD NAME" not in state["calls"]
    assert "AAA" in sc.data.registry.entries()  # first pull records the ticker
    # an interrupted run resumes: what is cached and fresh is skipped
    again = sc.universe.pull_prices(syms, per_host=2, min_interval=0.0, progress=False)
    assert (again.loc[["AAA", "BBB", "CCC", "DDD"], "status"] == "fresh").all()
    assert again.loc["BAD", "status"] == "failed"


def test_bulk_pull_stops_on_interrupt_and_resumes(monkeypatch):
    from smallcaps.data import cache, pull
    from smallcaps.data.provenance import Provenance

    calls = []
    interrupted = []

    def fake(name, *, max_age_hours=None, force=False, down=None, **kw):
        calls.append(name)
        if max_age_hours is not None and cache.exists(name):
            return pull.PullResult(name=name, status="fresh", usable=True)
        if name == "CCC" and not interrupted:
            interrupted.append(name)
            raise RuntimeError("interrupted")  # stands in for Ctrl-C reaching the pull
        idx = pd.bdate_range("2024-01-01", periods=2, name="date")
        df = pd.DataFrame({c: 1.0 for c in ("open", "high", "low", "close", "adj_close", "volume")},
                          index=idx)
        cache.write(name, df, Provenance(name=name, source="test", origin="download"))
        return pull.PullResult(name=name, status="updated", source="test", new_rows=2, rows=2)

    monkeypatch.setattr(pull, "pull_one", fake)
    syms = ["AAA", "BBB", "CCC", "DDD", "EEE", "FFF", "GGG", "HHH"]
    with pytest.raises(RuntimeError, match="interrupted"):
        sc.universe.pull_prices(syms, per_host=1, min_interval=0.0, progress=False)
    assert len(calls) <= 5  # the symbols not started were dropped
    calls.clear()
    out = sc.universe.pull_prices(syms, per_host=1, min_interval=0.0, progress=False)
    assert (out.loc[["AAA", "BBB"], "status"] == "fresh").all()
    assert (out.loc[["CCC", "HHH"], "status"] == "updated").all()


def test_panel_reads_cached_symbols_without_a_snapshot(_private_cache, monkeypatch):
    from smallcaps.data import cache
    from smallcaps.data.provenance import Provenance

    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)
    idx = pd.bdate_range("2024-01-02", periods=5, name="date")
    for sym, base in (("ABC", 10.0), ("XYZ", 20.0)):
        df = pd.DataFrame({"open": base, "high": base + 1, "low": base - 1, "close": base,
                           "adj_close": base, "volume": 1000.0}, index=idx)
        cache.write(sym, df, Provenance(name=sym, source="test", origin="download"))
    assert cache.present(["ABC", "XYZ", "NOPE", "bad/../name"]) == {"ABC", "XYZ"}
    p = sc.universe.load_panel(["xyz", "ABC", "NOPE"], fields=["close"])
    assert p.missing == ["NOPE"]
    assert p.close["ABC"].tolist() == [10.0] * 5 and p.close["XYZ"].tolist() == [20.0] * 5
    assert p.sources["ABC"].startswith("cache ")
