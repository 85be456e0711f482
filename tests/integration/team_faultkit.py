"""The team server's fault harness: a private PostgreSQL cluster, a TCP fault proxy and a
``trackboard server`` subprocess that can be killed and restarted on the same port.

Each piece is real (a real ``postgres``, real sockets, a real server process), so a fault test
proves what a training machine meets on a bad day: a crashed database, a server killed without
warning, a network that cuts requests and answers in the middle. Nothing here ever touches the
shared PostgreSQL server on 5432 (DECISIONS 23): the cluster lives in a temporary folder on its
own port.
"""

from __future__ import annotations

import asyncio
import contextlib
import glob
import itertools
import os
import random
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Coroutine, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest

T = TypeVar("T")


def free_port() -> int:
    """A TCP port nobody listens on now (the OS's pick; it may be taken again later, rarely)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def missing(reason: str) -> None:
    """Skip a test that needs something this machine lacks, or fail under CI (DECISIONS 21)."""
    if os.environ.get("CI"):
        pytest.fail(reason)
    pytest.skip(reason)


def wait_until(check: Callable[[], bool], timeout: float, what: str) -> None:
    """Poll ``check`` every 50 ms until it is true; an AssertionError naming ``what`` after
    ``timeout`` seconds (bounds every wait, never a timing assertion)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"{what}: not true within {timeout:g} s")


# -- a private PostgreSQL cluster -------------------------------------------------------------


def postgres_bin(name: str) -> Path | None:
    """``initdb`` or ``pg_ctl`` on PATH, else from the newest /usr/lib/postgresql/*/bin."""
    found = shutil.which(name)
    if found:
        return Path(found)

    def version(path: str) -> int:
        part = Path(path).parts[-3]
        return int(part) if part.isdigit() else 0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=version)
    return Path(candidates[-1]) if candidates else None


class PrivatePostgres:
    """A throw-away PostgreSQL cluster: ``initdb`` in a temporary folder, its own port.

    ``initdb`` and ``postgres`` refuse to run as root, so under root (CI containers) every
    command runs as the ``postgres`` OS user through ``runuser`` and the folder is handed to it;
    the folder sits in the system temporary directory because pytest's own (mode 0700, owned by
    root) is out of that user's reach. ``fsync`` is off: a crash here is a process crash
    (``pg_ctl stop -m immediate``), which loses nothing the OS already holds, and the cluster
    is thrown away afterwards.
    """

    def __init__(self) -> None:
        initdb, pg_ctl = postgres_bin("initdb"), postgres_bin("pg_ctl")
        if initdb is None or pg_ctl is None:
            missing("PostgreSQL's initdb and pg_ctl are not installed (apt-get install postgresql)")
        assert initdb is not None and pg_ctl is not None
        self._initdb, self._pg_ctl = initdb, pg_ctl
        self._as_user: list[str] = []
        if os.geteuid() == 0:
            runuser = shutil.which("runuser")
            if runuser is None or not _has_user("postgres"):
                missing("running as root, and no `postgres` OS user and runuser to run initdb as")
            self._as_user = [str(runuser), "-u", "postgres", "--"]
        self.folder = Path(tempfile.mkdtemp(prefix="trackboard-pg-"))
        self.data = self.folder / "data"
        self.log = self.folder / "postgres.log"
        self.port = free_port()
        if self._as_user:
            shutil.chown(self.folder, user="postgres", group="postgres")
        options = "-A trust -U postgres -E UTF8 --no-sync --no-instructions"
        self._run(self._initdb, "-D", self.data, *options.split())

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, program: Path, *args: object, check: bool = True) -> str:
        proc = subprocess.run(
            [*self._as_user, str(program), *map(str, args)],
            capture_output=True,
            text=True,
            timeout=120,
            cwd=self.folder,
        )
        if check and proc.returncode != 0:
            log = self.log.read_text(errors="replace")[-3000:] if self.log.exists() else ""
            raise RuntimeError(
                f"{program.name} failed ({proc.returncode}): {proc.stdout}{proc.stderr}\n{log}"
            )
        return proc.stdout

    def start(self) -> None:
        """Start the cluster and wait until it accepts connections (same port every time)."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c unix_socket_directories='{self.folder}' -c max_connections=200"
        )
        self._run(
            self._pg_ctl, "start", "-w", "-t", "60", "-D", self.data, "-l", self.log, "-o", options
        )

    def stop(self, mode: str = "fast") -> None:
        """``fast``: a clean shutdown; ``immediate``: every server process quits at once, as in
        a crash; the next start recovers from the write-ahead log."""
        self._run(self._pg_ctl, "stop", "-w", "-t", "60", "-D", self.data, "-m", mode)

    def crash(self) -> None:
        self.stop("immediate")

    def running(self) -> bool:
        proc = subprocess.run(
            [*self._as_user, str(self._pg_ctl), "status", "-D", str(self.data)],
            capture_output=True,
            timeout=30,
            cwd=self.folder,
        )
        return proc.returncode == 0

    def close(self) -> None:
        if self.data.exists() and self.running():
            self.stop("immediate")
        shutil.rmtree(self.folder, ignore_errors=True)


def _has_user(name: str) -> bool:
    import pwd

    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


@contextlib.contextmanager
def private_postgres() -> Iterator[PrivatePostgres]:
    """A started private cluster, stopped and deleted afterwards."""
    cluster = PrivatePostgres()
    try:
        cluster.start()
        yield cluster
    finally:
        cluster.close()


# -- a TCP fault proxy --------------------------------------------------------------------------


@dataclass(frozen=True)
class Fault:
    """What the proxy does to one connection.

    - ``pass``: forward both ways until either side closes;
    - ``cut_request``: forward ``after`` bytes of the request stream, then close both sides
      (the server sees a request end in the middle);
    - ``cut_response``: forward ``after`` bytes of the answer stream, then close both sides (the
      server may have committed what the client never hears about);
    - ``stall``: accept, read and forward nothing, hold the connection for ``seconds``;
    - ``reset``: accept and reset the connection at once (RST).
    """

    kind: str = "pass"
    after: int = 0
    seconds: float = 0.0

    def __post_init__(self) -> None:
        kinds = ("pass", "cut_request", "cut_response", "stall", "reset")
        if self.kind not in kinds:
            raise ValueError(f"unknown fault {self.kind!r}; one of {', '.join(kinds)}")


PASS = Fault()

Plan = Callable[[int], Fault]
"""The fault for the n-th connection (0-based)."""


PATTERN = ("pass", "cut_request", "pass", "cut_response", "pass", "reset", "pass")
"""Of odd length: a client that retries with two requests (ask the cursor, send) must not
meet the same fault on every send, as with a period of two it would, for ever."""


def chaos(
    seed: int,
    *,
    request_bytes: Sequence[tuple[int, int]] = ((20, 140), (300, 8_000)),
    answer_bytes: tuple[int, int] = (0, 150),
    pattern: Sequence[str] = PATTERN,
) -> Plan:
    """A plan that faults three connections in seven, in turn cutting a request, cutting an
    answer and resetting (connection ``n`` gets ``pattern[n % len(pattern)]``); where a cut
    lands is drawn from ``seed``. Request cuts take the ranges of ``request_bytes`` in turn:
    by default one in the request line and headers (every request is longer, so it always
    hits), the next in a records body. An answer is cut at a byte in ``answer_bytes``, inside
    its status line and headers, so the server committed what the client never hears about.
    Passing most connections keeps a client's backoff short, so the test stays short while
    every kind of fault hits often."""
    rng = random.Random(seed)
    lock = threading.Lock()
    request_cuts = itertools.cycle(request_bytes)

    def plan(index: int) -> Fault:
        kind = pattern[index % len(pattern)]
        if kind not in ("cut_request", "cut_response"):
            return Fault(kind)
        with lock:
            low, high = answer_bytes if kind == "cut_response" else next(request_cuts)
            return Fault(kind, after=rng.randint(low, high))

    return plan


class FaultProxy:
    """A TCP proxy on ``127.0.0.1:port`` in front of ``upstream``, injecting :class:`Fault` s.

    ``plan`` picks each new connection's fault; ``refuse()`` closes the listening socket so
    connections are refused outright until ``accept()``. ``planned`` counts the faults drawn,
    ``faults`` those that hit: a cut only counts once its byte limit was reached with the
    stream still open (a test asserts faults really hit, so it cannot pass on a quiet network).
    It runs its own event loop in a daemon thread; ``close()`` ends it.
    """

    def __init__(self, upstream: tuple[str, int], plan: Plan | None = None) -> None:
        self.upstream = upstream
        self.plan: Plan = plan or (lambda _n: PASS)
        self.port = free_port()
        self.planned: Counter[str] = Counter()
        self.faults: Counter[str] = Counter()
        self.connections = 0
        self._lock = threading.Lock()
        self._loop = asyncio.new_event_loop()
        self._server: asyncio.Server | None = None
        self._tasks: set[asyncio.Task[Any]] = set()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._thread.start()
        self.accept()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def _call(self, coro: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coro, self._loop).result(30)

    def accept(self) -> None:
        """Listen (again) on the same port."""
        if self._server is None:
            self._server = self._call(
                asyncio.start_server(self._handle, "127.0.0.1", self.port, reuse_address=True)
            )

    def refuse(self) -> None:
        """Stop listening: connections are refused (ECONNREFUSED) until ``accept()``.
        Connections already open carry on."""
        server, self._server = self._server, None
        if server is not None:

            async def close() -> None:
                server.close()

            self._call(close())
            with self._lock:
                self.faults["refused"] += 1

    def close(self) -> None:
        server, self._server = self._server, None

        async def cancel_all() -> None:
            if server is not None:
                server.close()
            for task in list(self._tasks):
                task.cancel()
            await asyncio.gather(*self._tasks, return_exceptions=True)

        self._call(cancel_all())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
        self._loop.close()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        with self._lock:
            index = self.connections
            self.connections += 1
        fault = self.plan(index)
        with self._lock:
            self.planned[fault.kind] += 1
            if fault.kind in ("reset", "stall"):
                self.faults[fault.kind] += 1  # these hit as soon as they begin
        try:
            if await self._serve(fault, reader, writer):
                with self._lock:
                    self.faults[fault.kind] += 1
        except (ConnectionError, OSError, asyncio.IncompleteReadError):
            pass
        except asyncio.CancelledError:
            pass  # close() ends what is still open; nothing waits for this task's result
        finally:
            self._tasks.discard(task)
            writer.close()

    async def _serve(
        self, fault: Fault, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Carry out ``fault`` on one connection; whether a cut hit (its stream went past the
        limit)."""
        if fault.kind == "reset":
            _reset(writer)
            return False
        if fault.kind == "stall":
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(_discard(reader), fault.seconds)
            return False
        up_reader, up_writer = await asyncio.open_connection(*self.upstream)
        request_limit = fault.after if fault.kind == "cut_request" else None
        answer_limit = fault.after if fault.kind == "cut_response" else None
        pumps = [
            asyncio.ensure_future(_pump(reader, up_writer, request_limit)),
            asyncio.ensure_future(_pump(up_reader, writer, answer_limit)),
        ]
        cut = False
        try:
            # Either side closing (or a cut) ends the connection, as a transparent proxy would.
            done, _ = await asyncio.wait(pumps, return_when=asyncio.FIRST_COMPLETED)
            cut = any(not p.cancelled() and p.exception() is None and p.result() for p in done)
            for pump in pumps:
                pump.cancel()
            await asyncio.gather(*pumps, return_exceptions=True)
        finally:
            if cut:
                _reset(up_writer)
                _reset(writer)
            up_writer.close()
        return cut


async def _pump(
    reader: asyncio.StreamReader, writer: asyncio.StreamWriter, limit: int | None
) -> bool:
    """Copy until EOF (False), or until more than ``limit`` bytes came: then only the first
    ``limit`` go through and it returns True, the cut (with ``limit`` 0, once the first byte
    came: an answer cut at 0 was still begun, so the server had done the work)."""
    sent = 0
    while True:
        chunk = await reader.read(65536)
        if not chunk:
            with contextlib.suppress(OSError):
                writer.write_eof()
            return False
        if limit is not None and sent + len(chunk) > limit:
            writer.write(chunk[: limit - sent])
            await writer.drain()
            return True
        writer.write(chunk)
        await writer.drain()
        sent += len(chunk)


async def _discard(reader: asyncio.StreamReader) -> None:
    while await reader.read(65536):
        pass
    await asyncio.sleep(3600)  # the client closed its side; keep ours open until the timeout


def _reset(writer: asyncio.StreamWriter) -> None:
    """Close with an RST, not a FIN: the peer sees ECONNRESET."""
    sock = writer.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    writer.transport.abort()


@contextlib.contextmanager
def fault_proxy(upstream: tuple[str, int], plan: Plan | None = None) -> Iterator[FaultProxy]:
    proxy = FaultProxy(upstream, plan)
    try:
        yield proxy
    finally:
        proxy.close()


# -- a trackboard server process --------------------------------------------------------------


class ServerProcess:
    """``trackboard server --db URL --port P`` in a subprocess, on a port fixed at creation so
    a restart comes back where clients already point. ``kill()`` is ``kill -9``: no shutdown,
    no flush, in-flight requests die with it."""

    def __init__(
        self,
        db: str,
        folder: Path,
        *,
        port: int | None = None,
        no_auth: bool = True,
        args: Sequence[str] = (),
        env: dict[str, str] | None = None,
    ) -> None:
        self.db = db
        self.folder = folder
        self.port = port or free_port()
        self.args = list(args)
        if no_auth:
            self.args.append("--no-auth")
        self.env = dict(env if env is not None else os.environ)
        self.log = folder / f"server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        assert self.proc is not None, "the server is not running"
        return self.proc.pid

    def start(self, timeout: float = 60) -> None:
        """Start the server and wait until it answers HTTP."""
        assert self.proc is None or self.proc.poll() is not None, "already running"
        self.starts += 1
        with self.log.open("ab") as log:
            log.write(f"--- start {self.starts}\n".encode())
            log.flush()
            self.proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "trackboard.cli",
                    "server",
                    "--db",
                    self.db,
                    "--port",
                    str(self.port),
                    *self.args,
                ],
                cwd=self.folder,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(
                    f"trackboard server exited ({self.proc.returncode}):\n{self.output()}"
                )
            if self.answers():
                return
            time.sleep(0.1)
        self.kill()
        raise RuntimeError(
            f"trackboard server did not answer within {timeout:g} s:\n{self.output()}"
        )

    def answers(self) -> bool:
        """Whether the server answers HTTP (any status: with auth on, 401 still means up)."""
        try:
            httpx.get(f"{self.url}/api/v1/projects", timeout=2)
        except httpx.HTTPError:
            return False
        return True

    def kill(self) -> None:
        """``kill -9`` the server and reap it."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGKILL)
            self.proc.wait(30)

    def stop(self) -> int:
        """SIGTERM (a clean shutdown); the exit status."""
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        return int(self.proc.returncode)

    def restart(self, timeout: float = 60) -> None:
        """``kill -9``, then start again on the same port."""
        self.kill()
        self.start(timeout)

    def output(self) -> str:
        return self.log.read_text(errors="replace")[-4000:] if self.log.exists() else ""


@contextlib.contextmanager
def server_process(
    db: str, folder: Path, *, no_auth: bool = True, args: Sequence[str] = ()
) -> Iterator[ServerProcess]:
    """A started server, killed afterwards."""
    server = ServerProcess(db, folder, no_auth=no_auth, args=args)
    try:
        server.start()
        yield server
    finally:
        server.kill()
