"""``data pull`` under faults: shrinking downloads, restatements, unexpected answers,
deadlines. Offline: canned transports, a fake yfinance, local servers on 127.0.0.1.
"""

from __future__ import annotations

import io
import threading
import time
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pandas as pd
import pytest
from test_pull import (
    NOW,
    FakeYF,
    _cboe_routes,
    _finra_routes,
    by_name,
    fingerprint,
    seed,
    use,
)

from smallcaps.cli import main
from smallcaps.data import cache, provenance
from smallcaps.data.pull import exit_status, format_summary, pull
from smallcaps.data.sources import _http, yahoo

pytestmark = pytest.mark.snapshot


@pytest.fixture
def waits(monkeypatch):
    recorded: list[float] = []
    monkeypatch.setitem(_http._state, "sleep", recorded.append)
    return recorded


@pytest.fixture
def cboe_files(fixtures_dir):
    return {p: (fixtures_dir / f"cboe_{p}pc.csv").read_bytes() for p in ("total", "equity", "index")}


@pytest.fixture
def no_snapshot(monkeypatch):
    monkeypatch.delenv("SMALLCAPS_SNAPSHOT", raising=False)


def restate(factor: float, since: str = "1900-01-01", keep_last: int | None = None):
    """A yfinance edit: adj_close scaled from ``since``; only the last rows of a full
    download when ``keep_last`` (the vendor glitch that shrank SPY to 15 rows)."""

    def edit(s: pd.DataFrame) -> pd.DataFrame:
        s.loc[s.index >= pd.Timestamp(since), "adj_close"] *= factor
        return s

    def call(fake: FakeYF):
        inner = fake.__call__

        def wrapped(ticker, start, end, timeout):
            out = inner(ticker, start, end, timeout)
            if start is None and keep_last is not None:
                out = out.iloc[-keep_last:]
            return out
        return wrapped

    return edit, call


# --- a pull never shrinks history -------------------------------------------------------------


def test_restated_overlap_with_a_short_full_download_keeps_the_cache(
        snapshot_dir, monkeypatch, waits, no_snapshot, capsys):
    cached = seed(snapshot_dir, "SPY", "2026-07-31")
    before = fingerprint()
    edit, wrap = restate(1.01, keep_last=15)
    fake = FakeYF(snapshot_dir, "SPY", edit=edit)
    monkeypatch.setattr(yahoo, "_yf_history", wrap(fake))
    use(monkeypatch, {})  # the chart API and Stooq are unreachable
    res = pull(["SPY"], force=True, now=NOW)[0]
    assert res.status == "cache" and res.usable
    assert any("never shrinks history" in w and "15 rows" in w for w in res.warnings)
    assert fingerprint() == before
    assert len(cache.read("SPY")) == len(cached) > 8000

    # --full asks for the whole history: the same short answer is refused the same way
    res = pull(["SPY"], force=True, full=True, now=NOW)[0]
    assert res.status == "cache" and fingerprint() == before
    assert main(["data", "pull", "SPY", "--force", "--full", "--no-progress"]) == 0
    assert "never shrinks history" in capsys.readouterr().out


def test_a_download_missing_the_start_of_history_is_refused(snapshot_dir, monkeypatch, waits,
                                                             no_snapshot):
    seed(snapshot_dir, "RUT", "2026-07-31")
    before = fingerprint()
    fake = FakeYF(snapshot_dir, "RUT", edit=lambda s: s[s.index >= "2000-01-01"])
    monkeypatch.setattr(yahoo, "_yf_history", fake)
    use(monkeypatch, {})
    res = pull(["RUT"], force=True, full=True, now=NOW)[0]
    assert res.status == "cache"
    assert any("the cache holds 1987-09-10" in w for w in res.warnings)
    assert fingerprint() == before


def test_accepted_restatement_is_recorded_in_provenance(snapshot_dir, monkeypatch, waits,
                                                         no_snapshot):
    cached = seed(snapshot_dir, "SPY", "2026-07-31")
    edit, _ = restate(0.99, since="2020-01-02")
    monkeypatch.setattr(yahoo, "_yf_history", FakeYF(snapshot_dir, "SPY", edit=edit))
    use(monkeypatch, {})
    res = pull(["SPY"], force=True, now=NOW)[0]
    assert res.status == "updated"
    stored = cache.info("SPY")
    (entry,) = stored.restatements
    assert entry["from"] == "2020-01-02" and entry["columns"] == ["adj_close"]
    assert entry["rows"] == int((cached.index >= "2020-01-02").sum())
    assert entry["source"] == "Yahoo Finance (yfinance)" and entry["dropped"] == 0
    assert any(n.startswith("restated from 2020-01-02") for n in stored.notes)
    back = cache.read("SPY")
    assert len(back) >= len(cached)  # nothing lost
    assert provenance(back).restatements == stored.restatements


# --- one bad answer does not stop a pull ------------------------------------------------------


def _corrupt_xlsx(xlsx: bytes) -> bytes:
    """The workbook with one member's compressed bytes damaged (a zlib error on read)."""
    src = zipfile.ZipFile(io.BytesIO(xlsx))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for info in src.infolist():
            z.writestr(info, src.read(info.filename))
    raw = bytearray(out.getvalue())
    z = zipfile.ZipFile(io.BytesIO(bytes(raw)))
    big = max(z.infolist(), key=lambda i: i.compress_size)
    start = big.header_offset + 30 + len(big.filename.encode()) + len(big.extra)
    for k in range(start + 10, start + min(big.compress_size, 400)):
        raw[k] ^= 0x5A
    return bytes(raw)


def test_unexpected_answers_fail_one_source_and_the_pull_goes_on(
        snapshot_dir, fixtures_dir, cboe_files, monkeypatch, waits, no_snapshot):
    from test_pull import yf_down

    monkeypatch.setattr(yahoo, "_yf_history", yf_down)
    odd_json = (b'{"chart":{"result":[{"meta":{"symbol":"SPY"},"timestamp":[1700000000],'
                b'"indicators":{"quote":{"open":[1.0]}}}],"error":null}}')  # quote is no list
    xlsx = (fixtures_dir / "finra_margin-statistics_2025-02.xlsx").read_bytes()
    use(monkeypatch, {"finance.yahoo.com": odd_json,
                      "stooq.com": (fixtures_dir / "stooq_spy_us_d.csv").read_bytes(),
                      **_finra_routes(_corrupt_xlsx(xlsx)), **_cboe_routes(cboe_files)})
    results = pull(["SPY", "margin_debt", "putcall"], now=pd.Timestamp("2026-04-20 12:00",
                                                                       tz="UTC"))
    res = by_name(results)
    assert res["SPY"].status == "updated" and res["SPY"].source == "Stooq"
    assert any("Yahoo Finance (chart API)" in w and "KeyError" in w for w in res["SPY"].warnings)
    assert res["margin_debt"].status == "failed" and not res["margin_debt"].usable
    assert any("FINRA" in w and ("zlib.error" in w or "corrupt" in w)
               for w in res["margin_debt"].warnings)
    assert res["putcall"].status == "updated"  # the series after the bad one was pulled
    summary = format_summary(results)
    assert "KeyError" in summary and "FINRA" in summary
    assert not cache.exists("margin_debt")


# --- deadlines ---------------------------------------------------------------------------------


class _Silent(BaseHTTPRequestHandler):
    def log_message(self, *args):
        pass

    def do_GET(self):
        time.sleep(30)


@pytest.fixture
def silent_server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Silent)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


def test_a_server_that_never_answers_ends_within_the_deadline(
        snapshot_dir, silent_server, monkeypatch, no_snapshot, capsys):
    for name in ("RUT", "IWM", "putcall"):
        seed(snapshot_dir, name, "2019-06-28")
    before = fingerprint()
    real = _http.requests_transport()
    # every address goes to the silent server; yfinance hangs as well
    monkeypatch.setitem(_http._state, "transport",
                        lambda url, headers, timeout: real(silent_server + "/x", headers, timeout))
    gate = threading.Event()
    monkeypatch.setattr(yahoo, "_yf_history", lambda *a: gate.wait(60))
    t0 = time.monotonic()
    code = main(["data", "pull", "RUT", "IWM", "putcall", "--force", "--no-progress",
                 "--deadline", "4", "--request-deadline", "1.5", "--timeout", "1"])
    took = time.monotonic() - t0
    gate.set()
    out = capsys.readouterr().out
    assert code == 1
    assert took < 4 + 2.5, took
    assert fingerprint() == before
    assert "timed out" in out and "timed out: RUT" in out
    assert "Traceback" not in out


def test_pull_deadline_reports_series_not_reached(snapshot_dir, monkeypatch, no_snapshot):
    seed(snapshot_dir, "RUT", "2026-07-31")
    seed(snapshot_dir, "IWM", "2026-07-31")
    before = fingerprint()

    def slow(*a):
        time.sleep(1.2)
        raise ConnectionError("slow and failing")

    monkeypatch.setattr(yahoo, "_yf_history", slow)
    monkeypatch.setitem(_http._state, "transport", _http.offline_transport())
    monkeypatch.setitem(_http._state, "sleep", lambda s: None)
    results = pull(["RUT", "IWM", "SPX"], force=True, now=NOW, deadline=1.0)
    res = by_name(results)
    assert res["IWM"].status == "timed out" and res["IWM"].usable
    assert "deadline" in res["IWM"].timed_out
    assert res["SPX"].status == "timed out" and not res["SPX"].usable
    assert exit_status(results) == 1
    assert "timed out: IWM" in format_summary(results)
    assert fingerprint() == before


def test_pull_options_are_in_help(capsys):
    with pytest.raises(SystemExit):
        main(["data", "pull", "--help"])
    text = capsys.readouterr().out
    for opt in ("--deadline", "--request-deadline", "--timeout"):
        assert opt in text
    assert "default 600" in text and "default 120" in text and "default 30" in text
    assert main(["data", "pull", "--deadline", "0"]) == 2


def test_a_writer_in_between_wins_and_the_download_is_not_stored(snapshot_dir, monkeypatch,
                                                                  waits, no_snapshot):
    seed(snapshot_dir, "RUT", "2026-06-30")
    fake = FakeYF(snapshot_dir, "RUT")

    def racing(ticker, start, end, timeout):
        # another process (say, a data import) replaces the cache during the download
        seed(snapshot_dir, "RUT", "2026-07-31", origin="import", retrieved="2026-08-01T00:00:00")
        return fake(ticker, start, end, timeout)

    monkeypatch.setattr(yahoo, "_yf_history", racing)
    use(monkeypatch, {})
    res = pull(["RUT"], force=True, now=NOW)[0]
    assert res.status == "cache"
    assert any("another process changed the cache" in w for w in res.warnings)
    stored = cache.info("RUT")
    assert stored.origin == "import" and stored.last == "2026-07-31"  # its version was kept


def test_a_damaged_cache_is_replaced_by_a_good_download_and_kept_aside(
        snapshot_dir, monkeypatch, waits, no_snapshot):
    seed(snapshot_dir, "RUT", "2026-07-31")
    path = cache.data_path("RUT")
    path.write_bytes(path.read_bytes()[:-100])  # truncated: footer gone
    damaged = path.read_bytes()
    monkeypatch.setattr(yahoo, "_yf_history", FakeYF(snapshot_dir, "RUT"))
    use(monkeypatch, {})
    res = pull(["RUT"], force=True, now=NOW)[0]
    assert res.status == "updated"
    assert any("unusable" in w for w in res.warnings)
    (kept,) = cache.backups_dir().glob("RUT.*.parquet")
    assert kept.read_bytes() == damaged
    assert len(cache.read("RUT")) > 9000


def test_one_series_on_its_own_is_bounded_too(snapshot_dir, monkeypatch, waits, no_snapshot):
    from smallcaps.data.pull import pull_one

    seed(snapshot_dir, "RUT", "2026-07-31")
    before = fingerprint()
    gate = threading.Event()
    monkeypatch.setattr(yahoo, "_yf_history", lambda *a: gate.wait(30))
    use(monkeypatch, {})
    t0 = time.monotonic()
    res = pull_one("RUT", force=True, now=NOW, deadline=1.0)
    gate.set()
    assert time.monotonic() - t0 < 2.5
    assert res.status == "timed out" and res.usable and "yfinance" in res.timed_out
    assert fingerprint() == before
