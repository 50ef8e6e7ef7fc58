"""The one HTTP layer every source adapter uses.

``get(url)`` sends a GET with a timeout and a clear user agent, retries with
exponential backoff on HTTP 429 and 5xx, on timeouts, dropped connections and
truncated bodies, and raises :class:`FetchError` (a
:class:`~smallcaps.data.DataError`) naming the URL and what went wrong when it gives
up. Other 4xx answers are not retried.

Backoff before attempt ``k + 1`` (``k = 1, 2, ...``)::

    wait_k = min(max_backoff, backoff * 2 ** (k - 1))

or the server's ``Retry-After`` seconds when given (capped at ``max_backoff``).

Nothing here touches the network at import time: ``requests`` is imported the first
time a real request is made. The network is reached only through a *transport*,
a callable ``transport(url, headers, timeout) -> Response``; tests replace it
(``set_transport`` / ``override``) with one that serves a sample file or raises,
and replace ``sleep`` so that backoff never really waits.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..errors import DataError

RETRY_STATUS = frozenset({429, 500, 502, 503, 504})
DEFAULT_TIMEOUT = 30.0
DEFAULT_RETRIES = 4  # attempts = retries + 1
# refused / unresolvable connections rarely heal within seconds: give up sooner
CONNECT_RETRIES = 2
DEFAULT_BACKOFF = 1.0
MAX_BACKOFF = 60.0


def user_agent() -> str:
    """``smallcaps/<version> (+research kit)``."""
    from ... import __version__

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
    """

    def __init__(self, series: str, rule: str, *, url: str = "", status: int | None = None,
                 attempts: int = 0, hint: str | None = None, outage: bool = False) -> None:
        self.url = url
        self.status = status
        self.attempts = attempts
        self.outage = outage
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
        try:
            r = state["session"].get(url, headers=dict(headers), timeout=timeout)
            content = r.content
        except requests.exceptions.Timeout as exc:
            raise TransportTimeout(str(exc)) from exc
        except (requests.exceptions.ConnectionError,
                requests.exceptions.ChunkedEncodingError,
                requests.exceptions.ContentDecodingError) as exc:
            raise TransportConnectionError(_brief(str(exc), url)) from exc
        return Response(url=r.url or url, status=r.status_code, content=content,
                        headers=dict(r.headers))

    return transport


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


_state: dict[str, Any] = {"transport": None, "sleep": time.sleep}


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
             sleep: Callable[[float], Any] | None = None) -> Iterator[None]:
    """Temporarily replace the transport and/or the sleep function."""
    old_t = _state["transport"]
    old_s = _state["sleep"]
    if transport is not None:
        _state["transport"] = transport
    if sleep is not None:
        _state["sleep"] = sleep
    try:
        yield
    finally:
        _state["transport"] = old_t
        _state["sleep"] = old_s


def _current_transport() -> Transport:
    if _state["transport"] is None:
        _state["transport"] = requests_transport()
    return _state["transport"]


def backoff_delays(retries: int, backoff: float = DEFAULT_BACKOFF,
                   max_backoff: float = MAX_BACKOFF) -> list[float]:
    """The waits before each retry: ``min(max_backoff, backoff * 2**(k-1))``, k = 1..retries."""
    return [min(max_backoff, backoff * 2 ** (k - 1)) for k in range(1, retries + 1)]


def _retry_after(resp: Response, max_backoff: float) -> float | None:
    value = resp.header("Retry-After")
    if value is None:
        return None
    try:
        return min(max_backoff, max(0.0, float(value.strip())))
    except ValueError:
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
    timeout: float = DEFAULT_TIMEOUT,
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
    timeout : seconds to wait for the server.
    retries : how many times to retry after the first attempt (connection
        failures: at most :data:`CONNECT_RETRIES`).
    backoff, max_backoff : the exponential backoff (see the module docstring).
    headers : extra request headers (the user agent is always set).
    transport, sleep : override the installed transport / sleep for this call.

    Raises
    ------
    FetchError
        No 2xx answer after the retries, a non-retryable HTTP error, a body
        shorter than its ``Content-Length`` on every attempt, or a body of the
        wrong kind.
    """
    full = build_url(url, params)
    label = series or full
    send = transport or _current_transport()
    wait = sleep or _state["sleep"]
    hdrs = {"User-Agent": user_agent(), "Accept": "*/*"}
    if headers:
        hdrs.update(headers)
    delays = backoff_delays(retries, backoff, max_backoff)
    problem = ""
    status: int | None = None
    connect_failures = 0
    attempt = 0
    while True:
        attempt += 1
        retry_wait: float | None = None
        try:
            resp = send(full, hdrs, timeout)
        except (TransportTimeout, TimeoutError):
            problem = f"timed out after {timeout:g} s"
        except (TransportConnectionError, OSError) as exc:
            connect_failures += 1
            problem = f"connection failed ({exc})"
        else:
            status = resp.status
            if 200 <= resp.status < 300:
                expected_len = resp.header("Content-Length")
                if (expected_len and expected_len.strip().isdigit()
                        and not resp.header("Content-Encoding")
                        and len(resp.content) < int(expected_len)):
                    problem = (f"truncated body ({len(resp.content):,} of "
                               f"{int(expected_len):,} bytes)")
                else:
                    if expect:
                        check_kind(resp, expect, label)
                    return resp
            elif resp.status in RETRY_STATUS:
                problem = f"HTTP {resp.status}"
                retry_wait = _retry_after(resp, max_backoff)
            else:
                raise FetchError(label, f"HTTP {resp.status} from {full}", url=full,
                                 status=resp.status, attempts=attempt,
                                 hint=_status_hint(resp.status))
        if attempt > retries or connect_failures > CONNECT_RETRIES:
            break
        wait(retry_wait if retry_wait is not None else delays[attempt - 1])
    where = "" if full in problem else f" ({full})"
    raise FetchError(label, f"download failed after {attempt} attempt(s): {problem}{where}",
                     url=full, status=status, attempts=attempt,
                     outage=not problem.startswith("truncated"),
                     hint="the source may be down or rate-limiting; try again later")


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
