"""The HTTP layer against real misbehaving servers on 127.0.0.1: silent, trickling,
rate-limiting with Retry-After (seconds or an HTTP date). Every test is bounded in time.
"""

from __future__ import annotations

import email.utils
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from smallcaps.data.sources import _http
from smallcaps.data.sources._http import CannedTransport, FetchError, Response

CSV = b"date,value\n2024-01-02,1.5\n"


class _Handler(BaseHTTPRequestHandler):
    behaviour = "ok"
    hits: list[str] = []

    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):
        type(self).hits.append(self.path)
        kind = self.path.strip("/").split("?")[0]
        try:
            if kind == "silent":
                time.sleep(30)
            elif kind == "trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/csv")
                self.send_header("Content-Length", "100000")
                self.end_headers()
                for _ in range(300):
                    self.wfile.write(b"x")
                    self.wfile.flush()
                    time.sleep(0.2)
            elif kind == "slow-headers":
                for byte in b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n":
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()
                    time.sleep(0.2)
            elif kind == "retry-hour":
                self.send_response(429)
                self.send_header("Retry-After", "3600")
                self.end_headers()
            elif kind == "retry-date":
                if len([h for h in type(self).hits if "retry-date" in h]) == 1:
                    self.send_response(503)
                    when = email.utils.formatdate(time.time() + 2, usegmt=True)
                    self.send_header("Retry-After", when)
                    self.end_headers()
                else:
                    self._ok()
            else:
                self._ok()
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _ok(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(CSV)))
        self.end_headers()
        self.wfile.write(CSV)


@pytest.fixture
def server() -> Iterator[str]:
    _Handler.hits = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        httpd.shutdown()
        httpd.server_close()


@pytest.fixture
def real_transport(monkeypatch):
    monkeypatch.setitem(_http._state, "transport", _http.requests_transport())


def test_a_normal_answer_through_the_real_stack(server, real_transport):
    assert _http.get(f"{server}/ok", expect="csv").content == CSV


def test_silent_server_ends_within_the_request_deadline(server, real_transport):
    t0 = time.monotonic()
    with pytest.raises(FetchError) as info:
        _http.get(f"{server}/silent", timeout=0.7, deadline=2.0, backoff=0.1)
    took = time.monotonic() - t0
    assert info.value.timed_out and took < 3.5
    assert "timed out" in str(info.value) or "deadline" in str(info.value)
    assert "\n" not in str(info.value)  # one line


def test_trickling_server_cannot_hold_an_attempt_past_its_timeout(server, real_transport):
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="body still arriving after 1 s") as info:
        _http.get(f"{server}/trickle", timeout=1.0, deadline=1.5, retries=0)
    assert info.value.timed_out
    assert time.monotonic() - t0 < 2.5


def test_headers_trickling_in_cannot_hold_an_attempt(server, real_transport):
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="no complete answer headers within 1 s") as info:
        _http.get(f"{server}/slow-headers", timeout=1.0, deadline=1.5, retries=0)
    assert info.value.timed_out and time.monotonic() - t0 < 2.5


def test_retry_after_an_hour_gives_up_at_once(server, real_transport):
    waits: list[float] = []
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="retry after 3600 s, beyond the deadline") as info:
        _http.get(f"{server}/retry-hour", deadline=60, sleep=waits.append)
    assert time.monotonic() - t0 < 2 and waits == [] and len(_Handler.hits) == 1
    assert info.value.status == 429 and info.value.timed_out


def test_retry_after_as_an_http_date_is_honoured(server, real_transport):
    waits: list[float] = []
    resp = _http.get(f"{server}/retry-date", sleep=waits.append)
    assert resp.content == CSV and len(_Handler.hits) == 2
    assert len(waits) == 1 and 0.0 < waits[0] <= 3.0  # about 2 s, from the date


def test_retry_after_parsing_seconds_and_dates():
    future = email.utils.formatdate(time.time() + 30, usegmt=True)
    assert 27 <= _http._retry_after(Response("", 503, b"", {"Retry-After": future})) <= 31
    assert _http._retry_after(Response("", 503, b"", {"Retry-After": "7"})) == 7
    assert _http._retry_after(Response("", 503, b"", {"Retry-After": "soon"})) is None
    assert _http._retry_after(Response("", 503, b"")) is None


def test_deadline_scope_caps_every_request_inside():
    clock = [0.0]

    def tick(seconds):
        clock[0] += seconds

    t = CannedTransport({"x": 503})
    with _http.override(transport=t, sleep=tick, clock=lambda: clock[0]):
        with _http.deadline_scope(5.0):
            with pytest.raises(FetchError, match="beyond the deadline|deadline of") as info:
                _http.get("https://example.test/x", deadline=100, backoff=1.0, retries=10)
    assert info.value.timed_out
    assert clock[0] <= 5.0  # never waited past the scope's end
    assert len(t.calls) == 3  # waits 1, 2 then the next (4) would cross 5 s


def test_call_with_deadline_abandons_a_hanging_library_call():
    gate = threading.Event()
    t0 = time.monotonic()
    with pytest.raises(FetchError, match="no answer within 1 s") as info:
        _http.call_with_deadline(lambda: gate.wait(20), 1.0, series="IWM", what="yfinance IWM")
    gate.set()
    assert info.value.timed_out and time.monotonic() - t0 < 2.5
    assert _http.call_with_deadline(lambda: 42, 1.0, series="x", what="y") == 42
    with pytest.raises(ZeroDivisionError):
        _http.call_with_deadline(lambda: 1 / 0, 1.0, series="x", what="y")


def test_refused_connection_is_quick_and_one_line(real_transport):
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()  # nothing listens there now
    waits: list[float] = []
    with pytest.raises(FetchError) as info:
        _http.get(f"http://127.0.0.1:{port}/x", sleep=waits.append)
    assert info.value.attempts == _http.CONNECT_RETRIES + 1
    assert "connection refused" in str(info.value) and "\n" not in str(info.value)
