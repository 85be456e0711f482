"""A small HTTP client for a trackboard server, on the standard library only.

The training process loads it in online mode, so it must stay light: ``urllib`` (which honours
the usual proxy variables) with redirects turned off. A redirect is answered as an error
instead of being followed, since following one could carry the key to another host.

The API key goes in ``Authorization: Bearer <key>`` and only on requests whose host and port
are the base URL's (DECISIONS 9); it never appears in a URL, a log line, an error message or
the client's ``repr``.

Failures come back as two exceptions: :class:`~trackboard.errors.ServerError` for an answer with
a non-2xx status (the message taken from the server's ``{"error": {"message": ...}}`` body) and
:class:`~trackboard.errors.TransportError` when no answer came (refused, reset, timed out).
:class:`Backoff` turns a run of failures into waits: 0.5 s doubling to 30 s with jitter, or the
server's ``Retry-After`` on a 429 or 503.
"""

from __future__ import annotations

import email.utils
import http.client
import json as json_module
import random
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import IO, Any

from trackboard.errors import InvalidInputError, ServerError, TransportError
from trackboard.settings import server_host

FIRST_DELAY = 0.5
MAX_DELAY = 30.0
JITTER = 0.25
"""Each wait is shortened by up to this fraction, at random, so clients that failed together
do not come back together."""
MAX_RETRY_AFTER = 600.0
"""A ``Retry-After`` longer than this is taken as this: a misconfigured proxy should not park
an upload for hours."""
RETRY_AFTER_STATUSES = (429, 503)
USER_AGENT = "trackboard"
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Reply:
    """A 2xx answer: status, headers (names lower-cased) and the raw body."""

    status: int
    headers: Mapping[str, str]
    body: bytes

    def json(self) -> Any:
        """The body decoded as JSON; a body that is not JSON is a :class:`ServerError`."""
        try:
            return json_module.loads(self.body)
        except ValueError as exc:
            snippet = self.body[:200].decode("utf-8", "replace")
            raise ServerError(self.status, f"the answer is not JSON: {snippet!r}") from exc


class ServerClient:
    """Requests to one trackboard server at ``base_url``, with an optional API key.

    ``path`` in :meth:`request` is relative to the base URL (``/api/v1/...``); a full URL is
    accepted too (a link the server handed out), and gets the key only when its host and port
    are the base URL's.
    """

    def __init__(self, base_url: str, api_key: str | None = None, *, timeout: float = 30.0) -> None:
        parts = urllib.parse.urlsplit(base_url.strip())
        if parts.scheme not in _DEFAULT_PORTS or not parts.hostname:
            raise InvalidInputError(
                f"server URL {base_url!r} must be http:// or https:// with a host name"
            )
        if parts.username or parts.password:
            raise InvalidInputError(
                "the server URL must not carry a user name or password; pass the API key instead"
            )
        self.base_url = urllib.parse.urlunsplit(
            (parts.scheme, parts.netloc, parts.path.rstrip("/"), "", "")
        )
        self.api_key = api_key or None
        self.timeout = timeout
        self._home = _host_port(self.base_url)
        self._opener = urllib.request.build_opener(_NoRedirect)

    def __repr__(self) -> str:
        key = "with a key" if self.api_key else "without a key"
        return f"ServerClient({self.base_url!r}, {key})"

    @property
    def host(self) -> str:
        """``host:port`` of the server: the key's address in the credentials file."""
        return server_host(self.base_url)

    def url_for(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """The full URL of ``path`` (relative to the base URL, or already absolute)."""
        url = path if "://" in path else self.base_url + "/" + path.lstrip("/")
        query = _query(params)
        if query:
            url += ("&" if "?" in url else "?") + query
        return url

    def sends_key_to(self, url: str) -> bool:
        """Whether a request to ``url`` carries the key: only to the base URL's host and port."""
        return self.api_key is not None and _host_port(url) == self._home

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        body: bytes | IO[bytes] | None = None,
        content_type: str | None = None,
        params: Mapping[str, Any] | None = None,
        timeout: float | None = None,
    ) -> Reply:
        """Send one request and return its 2xx answer.

        ``json`` is encoded as the body (``application/json``); ``body`` is sent as is, bytes or
        a binary file positioned at its start. Raises :class:`ServerError` for any other status
        and :class:`TransportError` when no answer came. Nothing is retried here: callers decide
        (the uploader with :class:`Backoff`).
        """
        url = self.url_for(path, params)
        headers = {"User-Agent": USER_AGENT, "Accept": "application/json"}
        data: bytes | IO[bytes] | None = body
        if json is not None:
            if body is not None:
                raise InvalidInputError("request() takes json= or body=, not both")
            data = json_module.dumps(json, allow_nan=False).encode("utf-8")
            content_type = content_type or "application/json"
        if data is not None:
            headers["Content-Type"] = content_type or "application/octet-stream"
            headers["Content-Length"] = str(_length(data))
        req = urllib.request.Request(url, data=data, headers=headers, method=method.upper())
        if self.sends_key_to(url):
            # An unredirected header: urllib leaves it off any follow-up request.
            req.add_unredirected_header("Authorization", f"Bearer {self.api_key}")
        where = f"{method.upper()} {_without_query(url)}"
        try:
            with self._opener.open(req, timeout=self.timeout if timeout is None else timeout) as r:
                return Reply(r.status, _headers(r.headers), r.read())
        except urllib.error.HTTPError as exc:
            raise _server_error(exc, where) from None
        except urllib.error.URLError as exc:
            raise TransportError(f"{where}: cannot reach the server: {exc.reason}") from None
        except (OSError, http.client.HTTPException) as exc:
            reason = str(exc) or type(exc).__name__
            raise TransportError(f"{where}: the connection failed: {reason}") from None


def retry_delays(
    *, first: float = FIRST_DELAY, cap: float = MAX_DELAY, rng: random.Random | None = None
) -> Iterator[float]:
    """Endless waits between retries: ``first`` doubling up to ``cap``, each with jitter.

    The n-th wait lies in ``[(1 - JITTER) * d, d]`` where ``d = min(cap, first * 2**n)``, so a
    wait never exceeds ``cap``.
    """
    pick = rng or random.Random()
    step = first
    while True:
        yield step * (1.0 - JITTER * pick.random())
        step = min(cap, step * 2.0)


class Backoff:
    """The wait before the next try, after a run of failures; :meth:`reset` after a success."""

    def __init__(
        self,
        *,
        first: float = FIRST_DELAY,
        cap: float = MAX_DELAY,
        rng: random.Random | None = None,
    ) -> None:
        self._first = first
        self._cap = cap
        self._rng = rng
        self._delays = retry_delays(first=first, cap=cap, rng=rng)

    def next_delay(self, error: BaseException | None = None) -> float:
        """The server's ``Retry-After`` when ``error`` is a 429 or 503 that gave one, else the
        next exponential wait."""
        exponential = next(self._delays)
        if (
            isinstance(error, ServerError)
            and error.status in RETRY_AFTER_STATUSES
            and error.retry_after is not None
        ):
            return min(max(error.retry_after, 0.0), MAX_RETRY_AFTER)
        return exponential

    def reset(self) -> None:
        self._delays = retry_delays(first=self._first, cap=self._cap, rng=self._rng)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """``Retry-After`` as seconds from now: delay-seconds or an HTTP date; None when absent or
    unreadable."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))


def error_message(status: int, body: bytes, reason: str = "") -> tuple[str, Any]:
    """The message of an error answer, and its decoded JSON payload (None when not JSON).

    The server's errors are ``{"error": {"type": ..., "message": ...}}``; a bare
    ``{"error": "..."}`` is read too, and anything else is quoted (shortened).
    """
    payload: Any = None
    try:
        payload = json_module.loads(body) if body else None
    except ValueError:
        payload = None
    if isinstance(payload, dict):
        error = payload.get("error")
        if isinstance(error, dict) and isinstance(error.get("message"), str):
            return error["message"], payload
        if isinstance(error, str):
            return error, payload
        if isinstance(payload.get("detail"), str):
            return payload["detail"], payload
    text = body[:300].decode("utf-8", "replace").strip()
    return (text or reason or http.client.responses.get(status, "error")), payload


# ------------------------------------------------------------------------------ internals
class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """Redirects come back as errors: following one could send a body or key elsewhere."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _server_error(exc: urllib.error.HTTPError, where: str) -> ServerError:
    try:
        body = exc.read()
    except (OSError, http.client.HTTPException):
        body = b""
    status = exc.code
    message, payload = error_message(status, body, str(exc.reason or ""))
    if 300 <= status < 400:
        target = exc.headers.get("Location", "") if exc.headers else ""
        message = (
            f"the server redirects to {target or 'another address'}; "
            "configure that URL as the server URL"
        )
    retry_after = parse_retry_after(exc.headers.get("Retry-After") if exc.headers else None)
    return ServerError(status, message, retry_after, payload, where=where)


def _host_port(url: str) -> tuple[str, int]:
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    try:
        port = parts.port
    except ValueError:
        port = None
    return host, port if port is not None else _DEFAULT_PORTS.get(parts.scheme, 0)


def _query(params: Mapping[str, Any] | None) -> str:
    if not params:
        return ""
    pairs: list[tuple[str, str]] = []
    for key, value in params.items():
        if value is None:
            continue
        values = value if isinstance(value, list | tuple) else [value]
        for item in values:
            text = ("true" if item else "false") if isinstance(item, bool) else str(item)
            pairs.append((key, text))
    return urllib.parse.urlencode(pairs)


def _without_query(url: str) -> str:
    return url.split("?", 1)[0]


def _headers(message: Any) -> dict[str, str]:
    return {str(k).lower(): str(v) for k, v in message.items()}


def _length(data: bytes | IO[bytes]) -> int:
    if isinstance(data, bytes | bytearray | memoryview):
        return len(data)
    here = data.tell()
    end = data.seek(0, 2)
    data.seek(here)
    return end - here
