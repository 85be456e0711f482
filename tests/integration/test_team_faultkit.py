"""The fault harness itself: each fault really happens, so the fault tests built on it prove
something (a proxy that never cut anything would let any client pass)."""

from __future__ import annotations

import socket
import socketserver
import threading
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pytest
from team_faultkit import (
    Fault,
    FaultProxy,
    PrivatePostgres,
    chaos,
    fault_proxy,
    private_postgres,
    server_process,
    wait_until,
)
from team_writers import Load, exactly_once_problems, stored_points

from trackboard.store import open_store
from trackboard.store.base import RunChanges, SeriesColumns

ANSWER = bytes(range(256)) * 400  # 102,400 bytes


class _Upstream(socketserver.ThreadingTCPServer):
    """Reads a 4-byte length and that many bytes, records them, answers ANSWER and closes."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.received: list[bytes] = []


class _Handler(socketserver.BaseRequestHandler):
    def handle(self) -> None:
        sock: socket.socket = self.request
        data = b""
        try:
            while len(data) < 4 or len(data) < 4 + int.from_bytes(data[:4], "big"):
                chunk = sock.recv(65536)
                if not chunk:
                    break
                data += chunk
        finally:
            self.server.received.append(data)  # type: ignore[attr-defined]
        if len(data) >= 4 and len(data) == 4 + int.from_bytes(data[:4], "big"):
            sock.sendall(ANSWER)


@pytest.fixture
def upstream() -> Iterator[_Upstream]:
    server = _Upstream()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()


def exchange(proxy: FaultProxy, body: bytes, timeout: float = 10) -> bytes:
    """Send a framed request through the proxy; everything that came back before EOF."""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=timeout) as sock:
        sock.sendall(len(body).to_bytes(4, "big") + body)
        answer = b""
        while chunk := sock.recv(65536):
            answer += chunk
        return answer


def address(server: _Upstream) -> tuple[str, int]:
    host, port = server.server_address[:2]
    return str(host), int(port)


def test_proxy_passes_requests_and_answers_whole(upstream: _Upstream) -> None:
    body = b"x" * 50_000
    with fault_proxy(address(upstream)) as proxy:
        assert exchange(proxy, body) == ANSWER
    assert upstream.received == [len(body).to_bytes(4, "big") + body]
    assert proxy.planned == {"pass": 1} and not proxy.faults


def test_proxy_cuts_an_answer_after_the_given_bytes(upstream: _Upstream) -> None:
    with fault_proxy(address(upstream), lambda _n: Fault("cut_response", after=1000)) as proxy:
        try:
            answer = exchange(proxy, b"hello")
        except ConnectionResetError:
            answer = None
    # The server got the whole request (it committed), the client at most the first 1000 bytes.
    assert upstream.received == [b"\x00\x00\x00\x05hello"]
    assert answer is None or (ANSWER.startswith(answer) and len(answer) <= 1000)
    assert proxy.faults["cut_response"] == 1


def test_a_cut_beyond_the_stream_passes_it_whole_and_does_not_count(upstream: _Upstream) -> None:
    plan = lambda _n: Fault("cut_response", after=len(ANSWER))  # noqa: E731
    with fault_proxy(address(upstream), plan) as proxy:
        assert exchange(proxy, b"hi") == ANSWER
    assert proxy.planned == {"cut_response": 1} and not proxy.faults


def test_proxy_cuts_a_request_in_its_body(upstream: _Upstream) -> None:
    body = b"y" * 100_000
    plan = lambda _n: Fault("cut_request", after=3000)  # noqa: E731
    with fault_proxy(address(upstream), plan) as proxy, _Quiet():
        assert exchange(proxy, body) == b""  # no answer to a request that never ended
    wait_until(lambda: bool(upstream.received), 10, "the upstream saw the cut request")
    assert upstream.received == [(len(body).to_bytes(4, "big") + body)[:3000]]


class _Quiet:
    """Swallows the connection errors a cut may surface as, whichever side sees it first."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> bool:
        return kind is not None and issubclass(kind, (ConnectionError, BrokenPipeError))


def test_proxy_resets_stalls_and_refuses(upstream: _Upstream) -> None:
    faults = iter([Fault("reset"), Fault("stall", seconds=30)])
    with fault_proxy(address(upstream), lambda _n: next(faults)) as proxy:
        with pytest.raises(ConnectionResetError):
            exchange(proxy, b"a")
        with pytest.raises(TimeoutError):
            exchange(proxy, b"b", timeout=0.5)
        proxy.refuse()
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", proxy.port), timeout=5)
        proxy.plan = lambda _n: Fault()
        proxy.accept()
        assert exchange(proxy, b"c") == ANSWER
    assert proxy.planned == {"reset": 1, "stall": 1, "pass": 1}
    assert proxy.faults == {"reset": 1, "stall": 1, "refused": 1}
    assert upstream.received == [b"\x00\x00\x00\x01c"]


def test_chaos_is_seeded_and_mixes_faults() -> None:
    first, second = chaos(7), chaos(7)
    plans = [[first(n) for n in range(63)], [second(n) for n in range(63)]]
    assert plans[0] == plans[1]
    kinds = [fault.kind for fault in plans[0]]
    assert kinds[:7] == ["pass", "cut_request", "pass", "cut_response", "pass", "reset", "pass"]
    assert kinds.count("pass") == 36 and kinds.count("cut_response") == 9
    cuts = [f.after for f in plans[0] if f.kind == "cut_request"]
    assert all(20 <= c <= 140 for c in cuts[::2]) and all(300 <= c <= 8_000 for c in cuts[1::2])
    assert all(0 <= f.after <= 150 for f in plans[0] if f.kind == "cut_response")
    assert len(set(cuts)) > 5


@pytest.mark.slow
def test_private_postgres_keeps_committed_rows_across_a_crash() -> None:
    import psycopg

    with private_postgres() as cluster:
        assert isinstance(cluster, PrivatePostgres)
        assert cluster.port != 5432
        with psycopg.connect(cluster.url, autocommit=True) as conn:
            conn.execute("CREATE TABLE t (n int)")
            conn.execute("INSERT INTO t SELECT generate_series(1, 1000)")
        cluster.crash()
        assert not cluster.running()
        with pytest.raises(psycopg.OperationalError):
            psycopg.connect(cluster.url, connect_timeout=2)
        cluster.start()
        with psycopg.connect(cluster.url) as conn:
            assert conn.execute("SELECT count(*), sum(n) FROM t").fetchone() == (1000, 500500)
        folder = cluster.folder
    assert not folder.exists()


@pytest.mark.slow
def test_server_process_survives_kill_9_and_restarts_on_its_port(tmp_path: Path) -> None:
    db = tmp_path / "team.db"
    with server_process(str(db), tmp_path) as server:
        first_pid, port = server.pid, server.port
        assert httpx.get(f"{server.url}/api/v1/projects", timeout=10).status_code in (200, 401)
        server.kill()
        assert not server.answers()
        server.start()
        assert server.pid != first_pid and server.port == port
        assert server.answers()
    assert not server.answers()


def test_exactly_once_check_reports_lost_wrong_and_missing(tmp_path: Path) -> None:
    """The final check of every fault test fails on a store that lost or changed points."""
    db = str(tmp_path / "check.db")
    load = Load("checked", runs=2, keys=1, steps=10)
    steps = np.array([s for s in range(10) if s != 4], dtype=np.int64)
    values = (steps * 0.25).astype(np.float64)
    values[0] = 99.0
    store = open_store(db)
    try:
        store.append(
            RunChanges(
                entity="local",
                project="checked",
                run_id="w000",
                session="s",
                first_seq=0,
                last_seq=0,
                start={"name": "w000"},
                series={"k0": SeriesColumns(steps, values, np.zeros(len(steps)))},
            )
        )
    finally:
        store.close()
    assert stored_points(db, load) == 9
    problems = exactly_once_problems(db, load)
    assert problems[0] == "runs not in the store: w001"
    assert "w000/k0: 9 points, 9 distinct steps" in problems[1]
    assert problems[-1] == "in all: 11 points lost, 0 duplicated, 0 wrong"
    steps = np.arange(10, dtype=np.int64)
    values = (steps * 0.25).astype(np.float64)
    values[3] = -1.0
    store = open_store(db)
    try:
        store.append(
            RunChanges(
                entity="local",
                project="checked",
                run_id="w001",
                session="s",
                first_seq=0,
                last_seq=0,
                start={"name": "w001"},
                series={"k0": SeriesColumns(steps, values + 1, np.zeros(10))},
            )
        )
    finally:
        store.close()
    assert exactly_once_problems(db, load)[1] == "w001/k0: 1 values differ from those logged"
