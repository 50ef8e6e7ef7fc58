"""The shared HTTP layer: retries with backoff, timeouts, truncation, HTML pages, no network.

The network is never touched: every request goes to a canned transport, and the
backoff sleep is replaced by a recorder, so retries cost no time.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from smallcaps.data import DataError
from smallcaps.data.sources import _http
from smallcaps.data.sources._http import CannedTransport, FetchError, Response

ROOT = Path(__file__).resolve().parents[1]
URL = "https://example.test/data.csv"
CSV = b"date,value\n2024-01-02,1.5\n"


@pytest.fixture
def waits():
    """Recorded backoff waits (instead of sleeping)."""
    return []


def get(transport, waits, **kw):
    return _http.get(URL, transport=transport, sleep=waits.append, **kw)


def test_success_sends_user_agent_and_timeout(waits):
    t = CannedTransport({"data.csv": CSV})
    resp = get(t, waits, timeout=7.5)
    assert resp.content == CSV and resp.status == 200
    (url, headers, timeout), = t.calls
    assert url == URL and timeout == 7.5
    assert headers["User-Agent"].startswith("smallcaps/") and "research kit" in headers["User-Agent"]
    assert waits == []


def test_429_then_success_honours_retry_after(waits):
    t = CannedTransport({"data.csv": [Response("", 429, b"slow down", {"Retry-After": "3"}),
                                      Response("", 200, CSV)]})
    resp = get(t, waits, expect="csv")
    assert resp.content == CSV
    assert len(t.calls) == 2
    assert waits == [3.0]  # the server's Retry-After, not the default backoff


def test_500_forever_gives_up_after_retries_with_exponential_backoff(waits):
    t = CannedTransport({"data.csv": 500})
    with pytest.raises(FetchError) as info:
        get(t, waits, retries=4, backoff=0.5)
    err = info.value
    assert isinstance(err, DataError)
    assert err.status == 500 and err.attempts == 5 and len(t.calls) == 5
    assert "HTTP 500" in str(err) and URL in str(err)
    # min(max_backoff, backoff * 2**(k-1)), k = 1..retries
    assert waits == [0.5, 1.0, 2.0, 4.0]


def test_backoff_is_capped():
    assert _http.backoff_delays(6, backoff=10, max_backoff=45) == [10, 20, 40, 45, 45, 45]


def test_timeout_is_retried_then_reported(waits):
    t = CannedTransport({"data.csv": [TimeoutError, _http.TransportTimeout("read timed out"),
                                      Response("", 200, CSV)]})
    assert get(t, waits).content == CSV
    assert len(t.calls) == 3 and len(waits) == 2

    t = CannedTransport({"data.csv": TimeoutError})
    with pytest.raises(FetchError, match="timed out after 5 s"):
        get(t, waits, timeout=5, retries=2)
    assert len(t.calls) == 3


def test_connection_error_is_retried(waits):
    t = CannedTransport({"data.csv": [ConnectionResetError("reset by peer"), Response("", 200, CSV)]})
    assert get(t, waits).content == CSV
    assert len(t.calls) == 2


def test_404_is_not_retried(waits):
    t = CannedTransport({"data.csv": 404})
    with pytest.raises(FetchError, match="HTTP 404") as info:
        get(t, waits)
    assert len(t.calls) == 1 and waits == []
    assert "moved" in str(info.value)


def test_truncated_body_is_retried_then_reported(waits):
    short = Response("", 200, CSV[:10], {"Content-Length": str(len(CSV))})
    t = CannedTransport({"data.csv": [short, Response("", 200, CSV, {"Content-Length": str(len(CSV))})]})
    assert get(t, waits).content == CSV
    assert len(t.calls) == 2

    t = CannedTransport({"data.csv": short})
    with pytest.raises(FetchError, match=r"truncated body \(10 of 26 bytes\)"):
        get(t, waits, retries=1)


def test_html_page_instead_of_csv_is_a_clear_error(waits):
    page = b"<!DOCTYPE html>\n<html><head><title>Service Unavailable</title></head><body>x</body></html>"
    t = CannedTransport({"data.csv": page})
    with pytest.raises(FetchError, match="HTML page instead of CSV.*Service Unavailable"):
        get(t, waits, expect="csv")
    assert len(t.calls) == 1  # a 200 page is not retried


def test_xlsx_expectation_rejects_non_zip(waits):
    t = CannedTransport({"data.csv": b"date,value\n"})
    with pytest.raises(FetchError, match="not an xlsx"):
        get(t, waits, expect="xlsx")


def test_unrouted_url_fails_like_a_dead_network(waits):
    with pytest.raises(FetchError, match="connection failed"):
        _http.get("https://nowhere.test/x", transport=_http.offline_transport(),
                  sleep=waits.append, retries=1)


def test_override_installs_transport_for_adapters(waits):
    t = CannedTransport({"data.csv": CSV})
    with _http.override(transport=t, sleep=waits.append):
        assert _http.get(URL).content == CSV
    assert t.urls() == [URL]


def test_decode_text_handles_bom_and_windows_1252():
    assert _http.decode_text(b"\xef\xbb\xbfDATE,X") == "DATE,X"
    assert _http.decode_text("Cboe\u00ae data".encode("cp1252")) == "Cboe\u00ae data"
    assert _http.decode_text(b"\x81\x8d") == "\x81\x8d"  # undefined in cp1252: latin-1


def test_build_url_encodes_params():
    assert _http.build_url("https://x.test/a", {"s": "^spx", "i": "d", "skip": None}) == \
        "https://x.test/a?s=%5Espx&i=d"


def test_no_network_library_imported_by_sources():
    """Importing every adapter loads neither requests nor yfinance (lazy, no network at import)."""
    code = (
        "import sys\n"
        "import smallcaps.data.pull, smallcaps.cli.data_pull\n"
        "from smallcaps.data.sources import yahoo, stooq, finra, cftc, cboe, fred, local_csv\n"
        "bad = [m for m in ('requests', 'yfinance', 'urllib3', 'curl_cffi') if m in sys.modules]\n"
        "print(','.join(bad))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={"PYTHONPATH": str(ROOT / "lib"), "PATH": "/usr/bin:/bin"},
                         check=True)
    assert out.stdout.strip() == ""


def test_connection_errors_are_summarised():
    verbose = ("HTTPSConnectionPool(host='stooq.com', port=443): Max retries exceeded with url: "
               "/q/d/l/?s=spy.us (Caused by NameResolutionError(\"Failed to resolve 'stooq.com'\"))")
    assert _http._brief(verbose, "https://stooq.com/q/d/l/?s=spy.us") == \
        "cannot resolve host stooq.com (no network or DNS)"
    assert _http._brief("[Errno 111] Connection refused", "https://x.test/a") == \
        "connection refused by x.test"
