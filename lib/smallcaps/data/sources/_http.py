"""The one HTTP layer every source adapter uses.

``get(url)`` sends a GET with a clear user agent and retries on HTTP 429 and 5xx,
on timeouts, dropped connections and truncated bodies, following a
:class:`urllib3.util.Retry` policy (its counters, status list and ``Retry-After``
parsing, seconds or an HTTP date). It raises :class:`FetchError` (a
:class:`~smallcaps.data.DataError`) naming the URL and what went wrong when it
gives up. Other 4xx answers are not retried.

Time is bounded twice:

- ``timeout``: the seconds one attempt may take end to end (connecting, waiting,
  and receiving the whole body), so a server that trickles bytes is cut off;
- ``deadline``: the seconds the whole request may take, every retry and wait
  included. A :func:`deadline_scope` (``smallcaps data pull`` opens one for the
  pull) caps every request inside it, so nothing runs past the pull's deadline.

Backoff before retry ``k`` (``k = 1, 2, ...``)::

    wait_k = min(max_backoff, backoff * 2 ** (k - 1))

or the server's ``Retry-After`` when given. A ``Retry-After`` that does not fit in
what is left of the deadline is not waited for: the request gives up at once and
says so.

Nothing here touches the network at import time: ``requests`` is imported the first
time a real request is made. The network is reached only through a *transport*,
a callable ``transport(url, headers, timeout) -> Response`` that must answer or
raise within ``timeout`` seconds; tests replace it (``set_transport`` /
``override``) with one that serves a sample file or raises, and replace ``sleep``
so that backoff never really waits.
"""

from __future__ import annotations

import contextlib
import contextvars
import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..errors import DataError

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
# seconds one attempt may take end to end (connect, silence and the whole body)
DEFAULT_TIMEOUT = 30.0
# seconds one request may take, every retry and backoff wait included
DEFAULT_DEADLINE = 120.0
DEFAULT_RETRIES = 4  # attempts = retries + 1
# refused / unresolvable connections rarely heal within seconds: give up sooner
CONNECT_RETRIES = 2
DEFAULT_BACKOFF = 1.0
MAX_BACKOFF = 60.0


def user_agent() -> str:
    """``smallcaps/<version> (+research kit)``."""
    from ..._version import __version__

    return f"smallcaps/{__version__} (+research kit)"


class FetchError(DataError):
    """A download failed: network error, HTTP error, truncated or wrong-kind body.

    Attributes
    ----------
    url : the URL requested.
    status : the last HTTP status (None when no answer was received).
    attempts : how many requests were made.
    outage : True when the source did not answer usefully at all (no connection,
        timeouts, 429/5xx to the end): other requests to it will likely fail too.
    timed_out : True when the request ran out of its deadline (or its last
        attempt timed out).
    reason : what went wrong in a few words, without the URL and the hint.
    """

    def __init__(self, series: str, rule: str, *, url: str = "", status: int | None = None,
                 attempts: int = 0, hint: str | None = None, outage: bool = False,
                 timed_out: bool = False) -> None:
        self.url = url
        self.status = status
        self.attempts = attempts
        self.outage = outage
        self.timed_out = timed_out
        self.reason = rule
        super().__init__(series, rule, hint=hint)


@dataclass(frozen=True)
class Response:
    """A received HTTP answer (what a transport returns)."""

    url: str
    status: int
    content: bytes
    headers: Mapping[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        low = name.lower()
        for k, v in self.headers.items():
            if k.lower() == low:
                return v
        return None

    @property
    def text(self) -> str:
        """The body decoded with :func:`decode_text`."""
        return decode_text(self.content)


Transport = Callable[[str, Mapping[str, str], float], Response]


class _RetryableError(Exception):
    """Raised by transports for a timeout or a dropped connection (retried)."""


class TransportTimeout(_RetryableError):
    """The server did not answer within the timeout."""


class TransportConnectionError(_RetryableError):
    """DNS failure, refused or reset connection, incomplete read."""


def requests_transport(session: Any = None) -> Transport:
    """A transport built on ``requests`` (imported lazily).

    The body is streamed and the attempt is abandoned as soon as ``timeout``
    seconds have passed since it started, however slowly the bytes arrive.

    Parameters
    ----------
    session : a ``requests.Session`` (or anything with the same ``get``); a new
        session is created on first use when None.
    """
    state: dict[str, Any] = {"session": session}

    def transport(url: str, headers: Mapping[str, str], timeout: float) -> Response:
        import requests

        if state["session"] is None:
            state["session"] = requests.Session()
        start = time.monotonic()
        end = start + timeout
        session = state["session"]
        try:
            # the headers too may trickle in: the request itself runs under the budget
            finished, r = _bounded(lambda: session.get(url, headers=dict(headers),
                                                       timeout=timeout, stream=True), timeout)
            if not finished:
                raise TransportTimeout(f"no complete answer headers within {timeout:.3g} s")
            try:
                content = _read_body(r, end, timeout)
            finally:
                r.close()
        except requests.exceptions.Timeout as exc:
            raise TransportTimeout(str(exc)) from exc
        except (requests.exceptions.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise TransportConnectionError(_brief(str(exc), url)) from exc
        except requests.exceptions.RequestException as exc:  # redirects, invalid URLs...
            raise TransportConnectionError(f"{type(exc).__name__}: {_brief(str(exc), url)}"
                                           ) from exc
        except OSError as exc:
            if isinstance(exc, TimeoutError):
                raise TransportTimeout(str(exc)) from exc
            raise TransportConnectionError(_brief(str(exc), url)) from exc
        return Response(url=r.url or url, status=r.status_code, content=content,
                        headers=dict(r.headers))

    return transport


def _read_body(r: Any, end: float, timeout: float) -> bytes:
    """Read a streamed ``requests`` body, giving up when the clock passes ``end``."""
    import requests

    chunks: list[bytes] = []
    raw = r.raw
    while True:
        left = end - time.monotonic()
        if left <= 0:
            raise TransportTimeout(f"body still arriving after {timeout:g} s "
                                   f"({sum(map(len, chunks)):,} bytes received)")
        _shrink_socket_timeout(raw, left)
        try:
            # read1 returns whatever has arrived (read(n) would wait for n bytes)
            chunk = (raw.read1(65536, decode_content=True) if hasattr(raw, "read1")
                     else raw.read(65536, decode_content=True))
        except Exception as exc:  # urllib3 read errors: timeouts, protocol errors
            name = type(exc).__name__.lower()
            if "timeout" in name or isinstance(exc, TimeoutError):
                if time.monotonic() >= end:
                    raise TransportTimeout(f"body still arriving after {timeout:g} s") from exc
                raise TransportTimeout(str(exc)) from exc
            raise requests.exceptions.ChunkedEncodingError(str(exc)) from exc
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)


def _shrink_socket_timeout(raw: Any, seconds: float) -> None:
    """Make the next socket read wait at most ``seconds`` (best effort)."""
    conn = getattr(raw, "_connection", None) or getattr(raw, "connection", None)
    sock = getattr(conn, "sock", None)
    if sock is not None:
        with contextlib.suppress(OSError, ValueError):
            sock.settimeout(max(0.05, seconds))


def _brief(message: str, url: str) -> str:
    """A one-line reason from a verbose urllib3/requests connection error."""
    host = urlsplit(url).hostname or url
    low = message.lower()
    if "failed to resolve" in low or "name or service not known" in low or "nameresolution" in low:
        return f"cannot resolve host {host} (no network or DNS)"
    if "connection refused" in low:
        return f"connection refused by {host}"
    if "connection reset" in low or "remotedisconnected" in low or "connection aborted" in low:
        return f"connection to {host} dropped"
    if "ssl" in low or "certificate" in low:
        return f"TLS/SSL error talking to {host}: {message[:160]}"
    return message[:200]


_state: dict[str, Any] = {"transport": None, "sleep": time.sleep, "clock": time.monotonic}
# (timeout, deadline) used by get() when the caller gives none (set by request_limits)
_limits: contextvars.ContextVar[tuple[float, float]] = contextvars.ContextVar(
    "smallcaps_http_limits", default=(DEFAULT_TIMEOUT, DEFAULT_DEADLINE))


@contextlib.contextmanager
def request_limits(timeout: float | None = None, deadline: float | None = None) -> Iterator[None]:
    """Default per-attempt ``timeout`` and per-request ``deadline`` of :func:`get` in the block."""
    cur = _limits.get()
    token = _limits.set((cur[0] if timeout is None else float(timeout),
                         cur[1] if deadline is None else float(deadline)))
    try:
        yield
    finally:
        _limits.reset(token)


def limits() -> tuple[float, float]:
    """The current default (per-attempt timeout, per-request deadline) in seconds."""
    return _limits.get()


# absolute clock reading after which no request may run (set by deadline_scope)
_scope_end: contextvars.ContextVar[float | None] = contextvars.ContextVar(
    "smallcaps_http_deadline", default=None)


@contextlib.contextmanager
def deadline_scope(seconds: float | None) -> Iterator[None]:
    """Cap every request made inside the block at ``seconds`` from now, in total.

    Nested scopes keep the earlier end. ``None`` leaves the current cap.
    """
    if seconds is None:
        yield
        return
    end = _state["clock"]() + max(0.0, float(seconds))
    outer = _scope_end.get()
    token = _scope_end.set(end if outer is None else min(outer, end))
    try:
        yield
    finally:
        _scope_end.reset(token)


def remaining() -> float | None:
    """Seconds left in the current :func:`deadline_scope` (None: no scope)."""
    end = _scope_end.get()
    return None if end is None else max(0.0, end - _state["clock"]())


def call_with_deadline(func: Callable[[], Any], seconds: float, *, series: str,
                       what: str) -> Any:
    """Run ``func()`` (a library call whose own HTTP the kit does not control, e.g.
    yfinance) and give up after ``seconds`` or the scope's deadline, whichever is
    first. The call is left to finish in a daemon thread; its result is discarded.

    Raises
    ------
    FetchError
        ``timed_out=True`` when it did not return in time; whatever ``func`` raised
        otherwise is re-raised.
    """
    left = remaining()
    limit = seconds if left is None else min(seconds, left)
    if limit <= 0:
        raise FetchError(series, f"{what}: not started, the pull's deadline has passed",
                         timed_out=True, outage=True)
    finished, value = _bounded(func, limit)
    if not finished:
        raise FetchError(series, f"{what}: no answer within {limit:.3g} s (deadline)",
                         timed_out=True, outage=True)
    return value


def _bounded(func: Callable[[], Any], seconds: float) -> tuple[bool, Any]:
    """Run ``func()`` in a daemon thread for at most ``seconds``: (finished, its value).

    What ``func`` raises is re-raised here; a call still running after ``seconds``
    is abandoned (its result is discarded).
    """
    box: dict[str, Any] = {}

    def run() -> None:
        try:
            box["value"] = func()
        except BaseException as exc:  # handed to the caller's thread
            box["error"] = exc

    worker = threading.Thread(target=run, name="smallcaps-bounded-call", daemon=True)
    worker.start()
    worker.join(max(0.0, seconds))
    if worker.is_alive():
        return False, None
    if "error" in box:
        raise box["error"]
    return True, box.get("value")


def set_transport(transport: Transport | None) -> Transport | None:
    """Install the transport used by :func:`get` (None restores ``requests``); returns the old one."""
    old = _state["transport"]
    _state["transport"] = transport
    return old


def set_sleep(sleep: Callable[[float], Any] | None) -> Callable[[float], Any]:
    """Install the function used to wait between retries (None restores ``time.sleep``)."""
    old = _state["sleep"]
    _state["sleep"] = sleep or time.sleep
    return old


@contextlib.contextmanager
def override(transport: Transport | None = None,
             sleep: Callable[[float], Any] | None = None,
             clock: Callable[[], float] | None = None) -> Iterator[None]:
    """Temporarily replace the transport, the sleep function and/or the clock."""
    old = dict(_state)
    if transport is not None:
        _state["transport"] = transport
    if sleep is not None:
        _state["sleep"] = sleep
    if clock is not None:
        _state["clock"] = clock
    try:
        yield
    finally:
        _state.update(old)


def _current_transport() -> Transport:
    if _state["transport"] is None:
        _state["transport"] = requests_transport()
    return _state["transport"]


def backoff_delays(retries: int, backoff: float = DEFAULT_BACKOFF,
                   max_backoff: float = MAX_BACKOFF) -> list[float]:
    """The waits before each retry: ``min(max_backoff, backoff * 2**(k-1))``, k = 1..retries."""
    policy = _policy(retries, backoff, max_backoff)
    out = []
    for _ in range(retries):
        policy = policy.increment("GET", "", error=_read_error(""))
        out.append(policy.get_backoff_time())
    return out


def _retry_class() -> type:
    from urllib3.util.retry import Retry

    class KitRetry(Retry):
        """urllib3's Retry, waiting ``backoff`` before the first retry as well
        (urllib3 retries the first time at once; a rate-limited source deserves a pause)."""

        def get_backoff_time(self) -> float:
            n = len(self.history)
            if n == 0:
                return 0.0
            return float(min(self.backoff_max, self.backoff_factor * 2 ** (n - 1)))

    return KitRetry


def _policy(retries: int, backoff: float, max_backoff: float) -> Any:
    return _retry_class()(
        total=retries, connect=min(retries, CONNECT_RETRIES), read=retries, status=retries,
        other=0, redirect=0, status_forcelist=sorted(RETRY_STATUS), allowed_methods=None,
        backoff_factor=backoff, backoff_max=max_backoff, backoff_jitter=0.0,
        respect_retry_after_header=True, raise_on_status=False)


def _read_error(message: str) -> Exception:
    from urllib3.exceptions import ProtocolError

    return ProtocolError(message)


def _timeout_error(url: str, message: str) -> Exception:
    from urllib3.exceptions import ReadTimeoutError

    return ReadTimeoutError(None, url, message)  # type: ignore[arg-type]


def _connect_error(message: str) -> Exception:
    from urllib3.exceptions import NewConnectionError

    return NewConnectionError(None, message)  # type: ignore[arg-type]


def _as_urllib3(resp: Response) -> Any:
    import io

    from urllib3.response import HTTPResponse

    return HTTPResponse(body=io.BytesIO(b""), headers=dict(resp.headers), status=resp.status,
                        preload_content=False, decode_content=False)


def _retry_after(resp: Response, policy: Any = None) -> float | None:
    """Seconds asked for by ``Retry-After`` (seconds or an HTTP date); None if absent
    or unreadable."""
    from urllib3.exceptions import InvalidHeader

    policy = policy or _policy(0, DEFAULT_BACKOFF, MAX_BACKOFF)
    value = resp.header("Retry-After")
    if value is None:
        return None
    try:
        return float(policy.parse_retry_after(value.strip()))
    except (InvalidHeader, ValueError, TypeError, OverflowError):
        return None


def build_url(url: str, params: Mapping[str, Any] | None = None) -> str:
    if not params:
        return url
    sep = "&" if "?" in url else "?"
    return url + sep + urlencode({k: v for k, v in params.items() if v is not None})


def get(
    url: str,
    *,
    params: Mapping[str, Any] | None = None,
    series: str = "",
    expect: str | None = None,
    timeout: float | None = None,
    deadline: float | None = None,
    retries: int = DEFAULT_RETRIES,
    backoff: float = DEFAULT_BACKOFF,
    max_backoff: float = MAX_BACKOFF,
    headers: Mapping[str, str] | None = None,
    transport: Transport | None = None,
    sleep: Callable[[float], Any] | None = None,
) -> Response:
    """GET ``url`` with retries; return the :class:`Response` of a 2xx answer.

    Parameters
    ----------
    url, params : the address and its query parameters.
    series : name used in error messages (catalog name or source label).
    expect : "csv", "xlsx", "zip" or "json": the body must look like that (an
        HTML page, e.g. an error or a login wall served with status 200, raises).
    timeout : seconds one attempt may take end to end (default
        :data:`DEFAULT_TIMEOUT`, or the enclosing :func:`request_limits`).
    deadline : seconds the whole request may take, retries and waits included
        (default :data:`DEFAULT_DEADLINE`, or the enclosing :func:`request_limits`);
        also capped by an enclosing :func:`deadline_scope`.
    retries : how many times to retry after the first attempt (connection
        failures: at most :data:`CONNECT_RETRIES`).
    backoff, max_backoff : the exponential backoff (see the module docstring).
    headers : extra request headers (the user agent is always set).
    transport, sleep : override the installed transport / sleep for this call.

    Raises
    ------
    FetchError
        No 2xx answer after the retries or within the deadline, a non-retryable
        HTTP error, a body shorter than its ``Content-Length`` on every attempt, or
        a body of the wrong kind.
    """
    from urllib3.exceptions import MaxRetryError

    full = build_url(url, params)
    label = series or full
    send = transport or _current_transport()
    wait = sleep or _state["sleep"]
    clock = _state["clock"]
    hdrs = {"User-Agent": user_agent(), "Accept": "*/*"}
    if headers:
        hdrs.update(headers)
    default_timeout, default_deadline = _limits.get()
    timeout = default_timeout if timeout is None else timeout
    deadline = default_deadline if deadline is None else deadline
    start = clock()
    end: float | None = start + deadline
    scope = _scope_end.get()
    if scope is not None:
        end = scope if end is None else min(end, scope)
    policy = _policy(retries, backoff, max_backoff)
    problem = ""
    status: int | None = None
    attempt = 0
    timed_out = False

    def fail(rule: str, *, out_of_time: bool) -> FetchError:
        where = "" if full in rule else f" ({full})"
        err = FetchError(label, f"download failed after {attempt} attempt(s): {rule}{where}",
                         url=full, status=status, attempts=attempt, timed_out=out_of_time,
                         outage=not rule.startswith("truncated"),
                         hint="the source may be down or rate-limiting; try again later")
        err.reason = rule
        return err

    while True:
        left = None if end is None else end - clock()
        if left is not None and left <= 0:
            raise fail((problem + "; " if problem else "")
                       + f"deadline of {end - start:.0f} s reached", out_of_time=True)
        budget = timeout if left is None else min(timeout, left)
        attempt += 1
        retry_wait: float | None = None
        error: Exception | None = None
        answer = None
        try:
            resp = send(full, hdrs, budget)
        except (TransportTimeout, TimeoutError) as exc:
            problem = f"timed out after {budget:.3g} s"
            if str(exc).startswith(("body still arriving", "no complete answer headers")):
                problem = str(exc)  # the transport's own words say more
            timed_out = True
            error = _timeout_error(full, problem)
        except (TransportConnectionError, OSError) as exc:
            problem = f"connection failed ({exc})"
            timed_out = False
            error = _connect_error(problem)
        else:
            status = resp.status
            timed_out = False
            if 200 <= resp.status < 300:
                expected_len = resp.header("Content-Length")
                if (expected_len and expected_len.strip().isdigit()
                        and not resp.header("Content-Encoding")
                        and len(resp.content) < int(expected_len)):
                    problem = (f"truncated body ({len(resp.content):,} of "
                               f"{int(expected_len):,} bytes)")
                    error = _read_error(problem)
                else:
                    if expect:
                        check_kind(resp, expect, label)
                    return resp
            elif policy.is_retry("GET", resp.status, resp.header("Retry-After") is not None):
                problem = f"HTTP {resp.status}"
                answer = _as_urllib3(resp)
                retry_wait = _retry_after(resp, policy)
            else:
                raise FetchError(label, f"HTTP {resp.status} from {full}", url=full,
                                 status=resp.status, attempts=attempt,
                                 hint=_status_hint(resp.status))
        try:
            policy = policy.increment("GET", full, response=answer, error=error)
        except MaxRetryError:
            raise fail(problem, out_of_time=timed_out) from None
        pause = retry_wait if retry_wait is not None else policy.get_backoff_time()
        left = None if end is None else end - clock()
        if left is not None and pause >= left:
            asked = (f"the server asks to retry after {pause:.0f} s"
                     if retry_wait is not None else f"the next retry is due in {pause:.0f} s")
            raise fail(f"{problem}; {asked}, beyond the deadline ({max(left, 0):.0f} s left)",
                       out_of_time=True)
        if pause > 0:
            wait(pause)


def _status_hint(status: int) -> str | None:
    return {
        401: "the source now requires a login or key",
        403: "the source refused the request (blocked or needs a browser session)",
        404: "the file is not at this address (moved, or not published yet)",
    }.get(status)


_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body|<\?xml[^>]*>\s*<html)", re.I)


def looks_like_html(content: bytes) -> bool:
    """True if the body is an HTML page (error pages, login walls, captchas)."""
    head = content[:2048].lstrip(b"\xef\xbb\xbf")
    return bool(_HTML_START.match(head))


def html_title(content: bytes) -> str:
    m = re.search(rb"<title[^>]*>(.*?)</title>", content[:20000], re.I | re.S)
    if not m:
        return ""
    return " ".join(decode_text(m.group(1)).split())[:120]


def check_kind(resp: Response | bytes, expect: str, series: str) -> None:
    """Raise :class:`FetchError` if the body is not of the expected kind.

    An HTML page instead of data is the usual sign of an error page, a moved
    file or a bot wall served with status 200.
    """
    content = resp.content if isinstance(resp, Response) else resp
    url = resp.url if isinstance(resp, Response) else ""
    kind = {"csv": "CSV", "xlsx": "an xlsx spreadsheet", "zip": "a zip archive",
            "json": "JSON"}.get(expect, expect)
    if not content.strip():
        raise FetchError(series, f"empty body instead of {kind}" + (f" from {url}" if url else ""),
                         url=url)
    if looks_like_html(content):
        title = html_title(content)
        raise FetchError(series, f"got an HTML page instead of {kind}"
                         + (f" (title: {title!r})" if title else "") + (f" from {url}" if url else ""),
                         url=url, hint="the file moved, the source is down, or it blocks scripts")
    if expect in ("xlsx", "zip") and not content.startswith(b"PK"):
        raise FetchError(series, f"body is not {kind} (does not start with a zip header)"
                         + (f" from {url}" if url else ""), url=url)


def decode_text(content: bytes | str) -> str:
    """Bytes to text: UTF-8 (BOM dropped), else Windows-1252, else Latin-1.

    Cboe's older files carry Windows-1252 characters in their disclaimers; no
    byte sequence fails Latin-1, so this never raises.
    """
    if isinstance(content, str):
        return content.lstrip("\ufeff")
    for enc in ("utf-8-sig", "cp1252"):
        try:
            return content.decode(enc)
        except UnicodeDecodeError:
            continue
    return content.decode("latin-1")


class CannedTransport:
    """A transport that serves canned answers instead of the network.

    For tests and offline replays of recorded files. ``routes`` maps a URL
    substring to an answer; the first matching key wins. An answer is bytes or
    str (status 200), an int (that status, empty body), a :class:`Response`, an
    exception instance or class (raised), a callable ``url -> answer``, or a list
    of answers served one per request (the last one repeats). URLs matching no
    route raise a connection error, so nothing can leak to the network.

    Attributes
    ----------
    calls : list of (url, headers, timeout) received.
    """

    def __init__(self, routes: Mapping[str, Any] | None = None) -> None:
        self.routes = {k: (list(v) if isinstance(v, list) else v) for k, v in (routes or {}).items()}
        self.calls: list[tuple[str, dict[str, str], float]] = []

    def urls(self) -> list[str]:
        return [c[0] for c in self.calls]

    def __call__(self, url: str, headers: Mapping[str, str], timeout: float) -> Response:
        self.calls.append((url, dict(headers), timeout))
        for key, answer in self.routes.items():
            if key in url:
                if isinstance(answer, list):
                    answer = answer.pop(0) if len(answer) > 1 else answer[0]
                return self._serve(url, answer)
        raise TransportConnectionError(f"offline: no route for {url}")

    def _serve(self, url: str, answer: Any) -> Response:
        if isinstance(answer, BaseException):
            raise answer
        if isinstance(answer, type) and issubclass(answer, BaseException):
            raise answer(f"canned failure for {url}")
        if isinstance(answer, Response):
            return answer if answer.url else Response(url, answer.status, answer.content,
                                                      answer.headers)
        if isinstance(answer, int):
            return Response(url, answer, b"")
        if isinstance(answer, str):
            return Response(url, 200, answer.encode())
        if isinstance(answer, (bytes, bytearray)):
            return Response(url, 200, bytes(answer))
        if callable(answer):
            return self._serve(url, answer(url))
        raise TypeError(f"unsupported canned answer {type(answer).__name__}")


def offline_transport() -> CannedTransport:
    """A transport with no routes: every request fails like a dead network."""
    return CannedTransport()
