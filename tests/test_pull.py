"""``smallcaps data pull``: refresh policy, incremental downloads, fallback to the cache.

The network is replaced everywhere: the HTTP layer by a canned transport serving
the real sample files (or failing), yfinance by a function serving snapshot rows.
Backoff never sleeps. "Cache intact" is checked on file bytes and mtimes.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from smallcaps.cli import main
from smallcaps.data import DataError, cache, load, provenance
from smallcaps.data import snapshot as snap
from smallcaps.data.catalog import spec
from smallcaps.data.pointintime import published_dates
from smallcaps.data.provenance import Provenance, attach
from smallcaps.data.pull import exit_status, format_summary, pull
from smallcaps.data.sources import _http, yahoo
from smallcaps.data.sources._http import CannedTransport, Response

NOW = pd.Timestamp("2026-08-24 12:00", tz="UTC")


# --- helpers ---------------------------------------------------------------------------------


def fingerprint() -> dict[str, tuple[bytes, int]]:
    folder = cache.cache_dir()
    if not folder.is_dir():
        return {}
    # the series and their records; folders (backups, parsed snapshot files) are not series
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in sorted(folder.iterdir())
            if p.is_file()}


def seed(snapshot_dir: Path, name: str, end: str | None = None, *, origin: str = "download",
         retrieved: str = "2026-08-01T00:00:00+00:00", transform=None) -> pd.DataFrame:
    """Put the snapshot's series (up to ``end``) in the cache as if downloaded earlier."""
    df = snap.read(snapshot_dir, spec(name))
    if end is not None:
        df = df[df.index <= pd.Timestamp(end)]
    if transform is not None:
        df = transform(df.copy())
    prov = Provenance(name=name, source="test seed", origin=origin, retrieved=retrieved)
    df = attach(df.copy(), prov)
    cache.write(name, df, prov)
    return df


def snapshot_prices(snapshot_dir: Path, name: str) -> pd.DataFrame:
    return snap.read(snapshot_dir, spec(name))


class FakeYF:
    """Stands in for yfinance: serves snapshot rows in [start, end] and records the calls."""

    def __init__(self, snapshot_dir: Path, name: str, edit=None):
        self.frame = snapshot_prices(snapshot_dir, name)
        self.edit = edit
        self.calls: list[tuple[pd.Timestamp | None, pd.Timestamp | None]] = []

    def __call__(self, ticker, start, end, timeout):
        self.calls.append((start, end))
        s = self.frame
        if start is not None:
            s = s[s.index >= start]
        if end is not None:
            s = s[s.index <= end]
        if self.edit is not None:
            s = self.edit(s.copy())
        out = pd.DataFrame({"Open": s["open"], "High": s["high"], "Low": s["low"],
                            "Close": s["close"], "Adj Close": s["adj_close"].fillna(s["close"]),
                            "Volume": s["volume"].fillna(0)})
        out.index = s.index.tz_localize("America/New_York")
        return out


def yf_down(*args, **kwargs):
    raise ConnectionError("Failed to resolve 'query1.finance.yahoo.com'")


@pytest.fixture
def waits(monkeypatch):
    recorded: list[float] = []
    monkeypatch.setitem(_http._state, "sleep", recorded.append)
    return recorded


@pytest.fixture
def offline(monkeypatch, waits):
    """No network at all: HTTP layer and yfinance both fail."""
    t = _http.offline_transport()
    monkeypatch.setitem(_http._state, "transport", t)
    monkeypatch.setattr(yahoo, "_yf_history", yf_down)
    return t


@pytest.fixture
def no_snapshot(monkeypatch):
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)


def use(monkeypatch, routes) -> CannedTransport:
    t = CannedTransport(routes)
    monkeypatch.setitem(_http._state, "transport", t)
    return t


def by_name(results):
    return {r.name: r for r in results}


# --- no network --------------------------------------------------------------------------------


def test_offline_pull_keeps_every_cache_file(snapshot_dir, offline, no_snapshot, capsys):
    names = ["RUT", "IWM", "margin_debt", "cot:russell2000", "putcall"]
    for n in names:
        seed(snapshot_dir, n, origin="snapshot", retrieved="snapshot file dated 2026-08-21")
    before = fingerprint()
    assert len(before) == 2 * len(names)

    results = pull(force=True, now=NOW)
    assert fingerprint() == before  # no byte and no mtime changed, no file added
    res = by_name(results)
    for n in names:
        assert res[n].status == "cache" and res[n].usable
        assert "using cached data retrieved" in res[n].message()
        assert res[n].warnings
    assert res["SPX"].status == "failed" and not res["SPX"].usable
    assert res["nfib"].status == "import only" and not res["nfib"].required
    assert exit_status(results) == 1  # SPX etc. have nothing usable

    assert exit_status(pull(names, force=True, now=NOW)) == 0
    assert fingerprint() == before

    # the command line: a clear line per series, exit 0 when every named series is usable
    assert main(["data", "pull", "--no-progress", "--force", *names]) == 0
    out = capsys.readouterr().out
    for n in names:
        assert any(line.startswith(n) and "sources failed; using cached data" in line
                   for line in out.splitlines())
    assert "warning: RUT: Yahoo Finance (yfinance): yfinance failed" in out
    assert "unreachable earlier in this run" in out  # later series do not wait again
    assert fingerprint() == before


def test_offline_with_empty_cache_exits_non_zero(offline, no_snapshot, capsys):
    assert main(["data", "pull", "--no-progress"]) == 1
    out = capsys.readouterr().out
    assert "RUT" in out and "FAILED: every source failed and nothing is cached" in out
    assert "import a CSV with smallcaps data import FILE --as nfib" in out
    assert fingerprint() == {}


def test_offline_with_snapshot_is_usable(snapshot_dir, offline):
    results = pull(now=NOW)
    assert exit_status(results) == 0
    res = by_name(results)
    assert res["RUT"].status == "snapshot" and res["RUT"].usable
    assert res["short_interest:IWM"].usable
    assert fingerprint() == {}


def test_offline_backoff_does_not_sleep_for_real(offline, no_snapshot, waits):
    pull(["putcall"], now=NOW)
    assert waits == _http.backoff_delays(_http.CONNECT_RETRIES)  # recorded, not slept
    assert len(offline.calls) == _http.CONNECT_RETRIES + 1


def test_unknown_name_fails_before_any_download(offline):
    # RUTT would be a valid ticker (any symbol can be pulled); RUT_X cannot be one
    with pytest.raises(DataError, match="unknown series name.*'RUT'"):
        pull(["RUT_X"])
    assert offline.calls == []


# --- incremental prices ------------------------------------------------------------------------


def test_incremental_price_pull(snapshot_dir, monkeypatch, offline, no_snapshot):
    seed(snapshot_dir, "RUT", "2026-07-31")
    fake = FakeYF(snapshot_dir, "RUT")
    monkeypatch.setattr(yahoo, "_yf_history", fake)
    res = pull(["RUT"], now=NOW)[0]
    assert fake.calls == [(pd.Timestamp("2026-07-17"), None)]  # last cached date - 14 days
    full = snapshot_prices(snapshot_dir, "RUT")
    assert res.status == "updated" and res.source == "Yahoo Finance (yfinance)"
    assert res.new_rows == int((full.index > "2026-07-31").sum()) == 15
    assert res.last_date == "2026-08-21"
    got = load("RUT")
    pd.testing.assert_frame_equal(got, full, check_freq=False)
    prov = provenance(got)
    assert prov.origin == "cache" and prov.source == "Yahoo Finance (yfinance)"
    assert any(n.startswith("incremental: ") for n in prov.notes)


def test_unfinished_session_is_not_stored(snapshot_dir, monkeypatch, offline, no_snapshot):
    seed(snapshot_dir, "RUT", "2026-07-31")
    monkeypatch.setattr(yahoo, "_yf_history", FakeYF(snapshot_dir, "RUT"))
    during = pd.Timestamp("2026-08-21 15:00", tz="America/New_York")
    res = pull(["RUT"], now=during)[0]
    assert res.last_date == "2026-08-20"
    assert any("unfinished bar" in w for w in res.warnings)


def test_split_in_cached_history_triggers_full_download(snapshot_dir, monkeypatch, offline,
                                                        no_snapshot):
    def before_split(df):  # the cache was taken before a 2:1 split: prices twice as high
        df[["open", "high", "low", "close", "adj_close"]] *= 2
        return df

    seed(snapshot_dir, "IWM", "2026-07-31", transform=before_split)
    fake = FakeYF(snapshot_dir, "IWM")
    monkeypatch.setattr(yahoo, "_yf_history", fake)
    res = pull(["IWM"], now=NOW)[0]
    assert fake.calls == [(pd.Timestamp("2026-07-17"), None), (None, None)]
    assert any("full history re-downloaded: close on" in w for w in res.warnings)
    pd.testing.assert_frame_equal(load("IWM"), snapshot_prices(snapshot_dir, "IWM"),
                                  check_freq=False)


def test_invalid_download_never_replaces_cache(snapshot_dir, monkeypatch, offline, no_snapshot):
    seed(snapshot_dir, "RUT", "2026-07-31")
    before = fingerprint()

    def corrupt(df):
        df.iloc[-1, df.columns.get_loc("close")] = -1.0
        return df

    monkeypatch.setattr(yahoo, "_yf_history", FakeYF(snapshot_dir, "RUT", edit=corrupt))
    res = pull(["RUT"], now=NOW)[0]
    assert res.status == "cache" and res.usable
    assert any("non-positive price" in w for w in res.warnings)
    assert fingerprint() == before


# --- Stooq fallback ---------------------------------------------------------------------------


def _rebase(as_of: str):
    """adj_close as Yahoo showed it on ``as_of`` (backward adjustment rescales by a constant)."""
    def f(df):
        k = df.loc[as_of, "close"] / df.loc[as_of, "adj_close"]
        df["adj_close"] = df["adj_close"] * k
        return df
    return f


def test_stooq_extends_a_cache_it_agrees_with(snapshot_dir, fixtures_dir, monkeypatch, waits,
                                              no_snapshot):
    monkeypatch.setattr(yahoo, "_yf_history", yf_down)
    t = use(monkeypatch, {"finance.yahoo.com": 500,
                          "stooq.com": (fixtures_dir / "stooq_spy_us_d.csv").read_bytes()})
    seed(snapshot_dir, "SPY", "2026-04-10", transform=_rebase("2026-04-10"),
         retrieved="2026-04-10T23:00:00+00:00")
    res = pull(["SPY"], now=pd.Timestamp("2026-04-20 12:00", tz="UTC"))[0]
    assert res.status == "updated" and res.source == "Stooq"
    assert res.new_rows == 5 and res.last_date == "2026-04-17"
    assert sum("finance.yahoo.com" in u for u in t.urls()) == _http.DEFAULT_RETRIES + 1
    assert any("500" in w for w in res.warnings)
    assert any("dividend-adjusted" in w for w in res.warnings)
    got = load("SPY")
    real = snapshot_prices(snapshot_dir, "SPY")
    assert (got.loc["2026-04-13":, "close"] == real.loc["2026-04-13":"2026-04-17", "close"]).all()
    assert (got.loc[:"2026-03-26", "close"] == real.loc[:"2026-03-26", "close"]).all()


def test_stooq_disagreeing_with_cache_is_refused(snapshot_dir, fixtures_dir, monkeypatch, waits,
                                                 no_snapshot):
    monkeypatch.setattr(yahoo, "_yf_history", yf_down)
    use(monkeypatch, {"finance.yahoo.com": 503,
                      "stooq.com": (fixtures_dir / "stooq_spy_us_d.csv").read_bytes()})
    # adj_close on the snapshot's later basis
    seed(snapshot_dir, "SPY", "2026-04-10", retrieved="2026-04-10T23:00:00+00:00")
    before = fingerprint()
    res = pull(["SPY"], now=pd.Timestamp("2026-04-20 12:00", tz="UTC"))[0]
    assert res.status == "cache"
    assert any("Stooq disagrees with the cached history (adj_close on" in w for w in res.warnings)
    assert fingerprint() == before


# --- refresh policy ---------------------------------------------------------------------------


def test_refresh_policy(snapshot_dir, monkeypatch, offline, no_snapshot):
    seed(snapshot_dir, "RUT", "2026-07-31")
    fake = FakeYF(snapshot_dir, "RUT")
    monkeypatch.setattr(yahoo, "_yf_history", fake)
    assert pull(["RUT"])[0].status == "updated"
    retrieved = pd.Timestamp(cache.info("RUT").retrieved)
    assert len(fake.calls) == 1

    res = pull(["RUT"], max_age_hours=12, now=retrieved + pd.Timedelta(hours=1))[0]
    assert res.status == "fresh" and "1.0 h" in res.message() and len(fake.calls) == 1
    res = pull(["RUT"], max_age_hours=12, force=True, now=retrieved + pd.Timedelta(hours=1))[0]
    assert res.status == "up to date" and len(fake.calls) == 2
    res = pull(["RUT"], max_age_hours=12, now=retrieved + pd.Timedelta(hours=13))[0]
    assert res.status == "up to date" and len(fake.calls) == 3


def test_cli_max_age_hours(snapshot_dir, monkeypatch, offline, no_snapshot, capsys):
    seed(snapshot_dir, "RUT", "2026-07-31")
    fake = FakeYF(snapshot_dir, "RUT")
    monkeypatch.setattr(yahoo, "_yf_history", fake)
    assert main(["data", "pull", "RUT", "--no-progress"]) == 0
    assert main(["data", "pull", "RUT", "--no-progress", "--max-age-hours", "24"]) == 0
    out = capsys.readouterr().out
    assert "skipped: cache refreshed" in out and len(fake.calls) == 1
    assert main(["data", "pull", "RUT", "--no-progress", "--max-age-hours", "-1"]) == 2


# --- whole-file sources -----------------------------------------------------------------------


def _finra_routes(xlsx: bytes):
    page = b'<a href="/sites/default/files/2025-03/margin-statistics.xlsx">Margin Statistics</a>'
    return {"margin-statistics.xlsx": xlsx, "margin-accounts/margin-statistics": page}


def test_finra_pull_then_point_in_time(fixtures_dir, monkeypatch, waits, no_snapshot):
    xlsx = (fixtures_dir / "finra_margin-statistics_2025-02.xlsx").read_bytes()
    use(monkeypatch, _finra_routes(xlsx))
    res = pull(["margin_debt"], now=NOW)[0]
    assert res.status == "updated" and res.new_rows == 338 and res.last_date == "2025-02-28"
    md = load("margin_debt", as_of="2025-04-30")
    assert md.index[-1] <= pd.Timestamp("2025-03-31")
    assert md.index[-1] == pd.Timestamp("2025-02-28")  # the sample ends there
    assert provenance(md).as_of == "2025-04-30" and provenance(md).origin == "cache"
    # February's numbers came out on 2025-03-21: not known on the 20th
    assert load("margin_debt", as_of="2025-03-20").index[-1] == pd.Timestamp("2025-01-31")

    # a later file with a renamed column: clear warning, cache untouched
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(xlsx))
    wb.worksheets[0]["C1"] = "Free Credit (Cash)"
    buf = io.BytesIO()
    wb.save(buf)
    use(monkeypatch, _finra_routes(buf.getvalue()))
    before = fingerprint()
    res = pull(["margin_debt"], force=True, now=NOW)[0]
    assert res.status == "cache"
    assert any("free credit balances in customers' cash accounts" in w and "renamed" in w
               for w in res.warnings)
    assert fingerprint() == before


@pytest.fixture
def cboe_files(fixtures_dir):
    return {p: (fixtures_dir / f"cboe_{p}pc.csv").read_bytes() for p in ("total", "equity", "index")}


def _cboe_routes(files, total=None):
    return {"totalpc.csv": files["total"] if total is None else total,
            "equitypc.csv": files["equity"], "indexpc.csv": files["index"]}


def test_cboe_timeout_then_success(snapshot_dir, cboe_files, monkeypatch, waits, no_snapshot):
    seed(snapshot_dir, "putcall")
    use(monkeypatch, _cboe_routes(cboe_files, total=[TimeoutError, cboe_files["total"]]))
    res = pull(["putcall"], now=NOW)[0]
    assert res.status == "up to date" and res.new_rows == 0  # the archive ends 2019-10-04
    assert waits == [1.0]
    snapshot_pc = snap.read(snapshot_dir, spec("putcall"))
    pd.testing.assert_frame_equal(load("putcall").drop(columns="published"),
                                  snapshot_pc.drop(columns="published"), check_freq=False)


@pytest.mark.parametrize("bad, expect", [
    (Response("", 200, b"DATE,CALLS\n1/2/2019, 5", {"Content-Length": "999999"}), "truncated body"),
    (b"<!DOCTYPE html><html><head><title>Service Unavailable</title></head></html>",
     "HTML page instead of CSV"),
    (500, "HTTP 500"),
])
def test_cboe_failures_keep_cache(snapshot_dir, cboe_files, monkeypatch, waits, no_snapshot,
                                  bad, expect):
    seed(snapshot_dir, "putcall", "2019-06-28")
    before = fingerprint()
    use(monkeypatch, _cboe_routes(cboe_files, total=bad))
    res = pull(["putcall"], force=True, now=NOW)[0]
    assert res.status == "cache" and res.usable
    assert any(expect in w for w in res.warnings)
    assert fingerprint() == before


def test_cboe_fills_missing_dates(snapshot_dir, cboe_files, monkeypatch, waits, no_snapshot):
    seed(snapshot_dir, "putcall", "2019-06-28")
    use(monkeypatch, _cboe_routes(cboe_files))
    res = pull(["putcall"], now=NOW)[0]
    assert res.status == "updated" and res.last_date == "2019-10-04"
    full = snap.read(snapshot_dir, spec("putcall"))
    assert res.new_rows == int((full.index > "2019-06-28").sum())


# --- CFTC -------------------------------------------------------------------------------------


def _zip(member: str, data: bytes) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(member, data)
    return buf.getvalue()


def test_cot_incremental_pull_keeps_both_contracts(snapshot_dir, fixtures_dir, monkeypatch, waits,
                                                   no_snapshot):
    tff17 = (fixtures_dir / "cftc_tff_futures_only_FinFut17_russell_trimmed.txt").read_bytes()
    tff25 = (fixtures_dir / "cftc_tff_futures_only_FinFutYY_2025_trimmed.txt").read_bytes()
    header_only = _zip("FinFutYY.txt", tff25.splitlines(keepends=True)[0])
    t = use(monkeypatch, {"fut_fin_txt_2017.zip": _zip("FinFut17.txt", tff17),
                          "fut_fin_txt_2025.zip": _zip("FinFutYY.txt", tff25),
                          "fut_fin_txt_": header_only})
    seed(snapshot_dir, "cot:russell2000", "2017-06-27")  # ICE only, as the snapshot cache holds
    res = pull(["cot:russell2000"], now=NOW)[0]
    assert res.status == "updated", res.warnings
    assert not any("2006_2016" in u for u in t.urls())  # only the years after the cache
    assert t.urls()[0].endswith("fut_fin_txt_2017.zip")
    new17 = cache.read("cot:russell2000").loc["2017-06-28":"2017-12-31"]
    assert res.new_rows == len(new17) + 17
    weekly = load("cot:russell2000")
    assert weekly.index.is_unique and weekly.index[-1] == pd.Timestamp("2025-04-29")
    code = weekly["cftc_contract_market_code"]
    assert (code.loc["2017-07-01":"2017-09-05"] == "23977A").all()
    assert (code.loc["2017-09-12":] == "239742").all()
    every = load("cot:russell2000", contracts="all")
    first_cme = every[every["cftc_contract_market_code"] == "239742"].iloc[0]
    assert first_cme.name == pd.Timestamp("2017-08-15") and not first_cme["is_primary"]
    lag = (every["published"] - every.index).dt.days
    assert lag.isin([3, 4]).mean() > 0.9  # Tue/Mon -> Fri, later in holiday weeks
    assert (lag >= 3).all()
    assert (every["published"] == published_dates(every.index, "cftc_cot")).all()


def test_summary_lists_each_series(snapshot_dir, offline, no_snapshot):
    seed(snapshot_dir, "margin_debt")
    text = format_summary(pull(["margin_debt", "RUT"], force=True, now=NOW))
    lines = text.splitlines()
    assert lines[0].split()[:5] == ["series", "status", "new", "last", "date"]
    assert any(ln.startswith("margin_debt") and "2026-05-31" in ln and "cache" in ln for ln in lines)
    assert any(ln.startswith("RUT") and "FAILED" in ln for ln in lines)
    assert "1 with no usable data" in lines[-1]
