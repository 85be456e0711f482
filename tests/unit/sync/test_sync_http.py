"""ServerClient against real HTTP servers on free ports: where the key goes, how errors read."""

from __future__ import annotations

import json
import random
import socket
import threading
import time
from collections.abc import Iterator
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from trackboard.errors import InvalidInputError, RemoteError, ServerError, TransportError
from trackboard.sync.http import (
    JITTER,
    MAX_DELAY,
    Backoff,
    ServerClient,
    parse_retry_after,
    retry_delays,
)

KEY = "tb_" + "k" * 40


class Recorder:
    """A tiny server: records each request and answers from a table of canned replies."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.replies: dict[str, tuple[int, dict[str, str], bytes]] = {}
        self.delay = 0.0
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                recorder.requests.append(
                    {
                        "method": self.command,
                        "path": self.path,
                        "headers": {k.lower(): v for k, v in self.headers.items()},
                        "body": body,
                    }
                )
                if recorder.delay:
                    time.sleep(recorder.delay)
                path = self.path.split("?", 1)[0]
                status, headers, out = recorder.replies.get(path, (200, {}, b'{"ok": true}'))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(out)))
                self.end_headers()
                self.wfile.write(out)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def home() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.close()


@pytest.fixture
def other() -> Iterator[Recorder]:
    server = Recorder()
    yield server
    server.close()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_key_is_sent_as_bearer_header_to_its_own_host(home: Recorder) -> None:
    client = ServerClient(home.url, KEY)
    reply = client.request("GET", "/api/v1/me")
    assert reply.status == 200 and reply.json() == {"ok": True}
    sent = home.requests[0]
    assert sent["headers"]["authorization"] == f"Bearer {KEY}"
    assert KEY not in sent["path"]


def test_key_is_not_sent_to_another_port_of_the_same_host(home: Recorder, other: Recorder) -> None:
    client = ServerClient(home.url, KEY)
    client.request("GET", other.url + "/api/v1/files/a.png")
    assert "authorization" not in other.requests[0]["headers"]
    assert not client.sends_key_to(other.url)
    assert client.sends_key_to(home.url + "/anything")


def test_redirect_is_an_error_and_the_key_never_follows_it(home: Recorder, other: Recorder) -> None:
    home.replies["/api/v1/me"] = (302, {"Location": other.url + "/api/v1/me"}, b"")
    client = ServerClient(home.url, KEY)
    with pytest.raises(ServerError) as info:
        client.request("GET", "/api/v1/me")
    assert info.value.status == 302
    assert other.url in info.value.message
    assert other.requests == []


def test_no_authorization_header_without_a_key(home: Recorder) -> None:
    ServerClient(home.url).request("GET", "/api/v1/me")
    assert "authorization" not in home.requests[0]["headers"]


def test_json_body_and_params_are_encoded(home: Recorder) -> None:
    client = ServerClient(home.url + "/", KEY)
    client.request(
        "POST", "api/v1/x", json={"a": [1, 2]}, params={"session": "s 1", "skip": None, "k": True}
    )
    sent = home.requests[0]
    assert sent["path"] == "/api/v1/x?session=s+1&k=true"
    assert sent["headers"]["content-type"] == "application/json"
    assert json.loads(sent["body"]) == {"a": [1, 2]}


def test_raw_body_goes_with_its_content_type(home: Recorder) -> None:
    ServerClient(home.url).request(
        "PUT", "/f", body=b"\x00\x01frames", content_type="application/x-trackboard-frames"
    )
    sent = home.requests[0]
    assert sent["body"] == b"\x00\x01frames"
    assert sent["headers"]["content-type"] == "application/x-trackboard-frames"


def test_error_message_comes_from_the_json_error_body(home: Recorder) -> None:
    body = {"error": {"type": "NotFoundError", "message": "run abc not found in team/proj"}}
    home.replies["/api/v1/runs"] = (404, {}, json.dumps(body).encode())
    with pytest.raises(ServerError) as info:
        ServerClient(home.url, KEY).request("GET", "/api/v1/runs", params={"key": "v"})
    error = info.value
    assert error.status == 404
    assert error.message == "run abc not found in team/proj"
    assert error.payload == body
    assert "GET " in str(error) and "/api/v1/runs" in str(error)
    assert KEY not in str(error)
    assert isinstance(error, RemoteError)


def test_conflict_payload_carries_the_cursor(home: Recorder) -> None:
    body = {"error": "batch starts at 12, the session's cursor is 7", "cursor": 7}
    home.replies["/records"] = (409, {}, json.dumps(body).encode())
    with pytest.raises(ServerError) as info:
        ServerClient(home.url).request("POST", "/records", body=b"x")
    assert info.value.status == 409
    assert info.value.payload == body
    assert info.value.message.startswith("batch starts at 12")


def test_non_json_error_body_is_quoted(home: Recorder) -> None:
    home.replies["/x"] = (502, {}, b"<html>bad gateway</html>")
    with pytest.raises(ServerError) as info:
        ServerClient(home.url).request("GET", "/x")
    assert info.value.status == 502
    assert "bad gateway" in info.value.message
    assert info.value.payload is None


def test_retry_after_is_read_from_a_429(home: Recorder) -> None:
    home.replies["/busy"] = (429, {"Retry-After": "3"}, b'{"error": {"message": "busy"}}')
    with pytest.raises(ServerError) as info:
        ServerClient(home.url).request("POST", "/busy", body=b"")
    assert info.value.retry_after == 3.0
    assert Backoff().next_delay(info.value) == 3.0


def test_connection_refused_is_a_transport_error() -> None:
    client = ServerClient(f"http://127.0.0.1:{_free_port()}", KEY, timeout=2)
    with pytest.raises(TransportError) as info:
        client.request("GET", "/api/v1/me")
    assert "cannot reach" in str(info.value)
    assert KEY not in str(info.value)


def test_slow_server_is_a_transport_error_after_the_timeout(home: Recorder) -> None:
    home.delay = 1.0
    with pytest.raises(TransportError):
        ServerClient(home.url, timeout=0.2).request("GET", "/slow")


def test_bad_base_urls_are_refused_with_the_reason() -> None:
    with pytest.raises(InvalidInputError, match="http:// or https://"):
        ServerClient("localhost:8080")
    with pytest.raises(InvalidInputError, match="user name or password"):
        ServerClient("http://me:secret@host:1")


def test_repr_and_host_do_not_show_the_key() -> None:
    client = ServerClient("https://Tracker.Example.com/", KEY)
    assert KEY not in repr(client)
    assert client.host == "tracker.example.com:443"
    assert client.base_url == "https://Tracker.Example.com"


def test_retry_delays_double_from_half_a_second_to_thirty_with_jitter() -> None:
    delays = retry_delays(rng=random.Random(7))
    got = [next(delays) for _ in range(10)]
    nominal = [0.5, 1, 2, 4, 8, 16, 30, 30, 30, 30]
    for value, top in zip(got, nominal, strict=True):
        assert (1 - JITTER) * top <= value <= top
    assert max(got) <= MAX_DELAY
    assert len(set(got)) == len(got)  # jittered, not the bare nominal values


def test_backoff_resets_after_success_and_honours_retry_after_only_on_429_and_503() -> None:
    backoff = Backoff(rng=random.Random(1))
    first = [backoff.next_delay() for _ in range(4)]
    assert first[-1] > 3.0
    backoff.reset()
    assert backoff.next_delay() <= 0.5
    assert backoff.next_delay(ServerError(503, "down", retry_after=12.0)) == 12.0
    assert backoff.next_delay(ServerError(500, "boom", retry_after=12.0)) < 12.0
    assert backoff.next_delay(ServerError(429, "busy", retry_after=1e9)) == 600.0


def test_retry_after_reads_seconds_and_http_dates() -> None:
    now = time.time()
    assert parse_retry_after("5") == 5.0
    assert parse_retry_after(None) is None
    assert parse_retry_after("soon") is None
    later = parse_retry_after(formatdate(now + 20, usegmt=True), now=now)
    assert later is not None and 18.0 <= later <= 21.0
