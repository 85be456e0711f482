"""The team server under attack: a real ``trackboard server`` process with keys, a media folder
and two users' projects, driven over raw HTTP so that paths reach it exactly as written.

What must hold: no request path reads or writes outside the run's files (``..``, encoded
dots and slashes, absolute paths, backslashes, NUL, symbolic links); filter, order and other
query text is data, never SQL (refused with 400, or answered from the caller's project only,
with every run still there); another user's private project does not exist for you; API keys
appear neither in the server's output nor in URLs; files carry ``nosniff``, and HTML and SVG
are sandboxed.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import struct
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlsplit

import pytest
from cli_process import Served, serving

from trackboard.ingest.apply import apply_records
from trackboard.records import ConfigUpdate, Exit, HistoryRow, Record, RunStart
from trackboard.store.sqlite import SqliteStore

SECRET = b"outside-the-media-root"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00"
    b"\x90wS\xde\x00\x00\x00\x0cIDATx\x9cc\xf8\xcf\xc0\x00\x00\x03\x01\x01\x00\xc9\xfe\x92\xef"
    b"\x00\x00\x00\x00IEND\xaeB`\x82"
)
HASH = "0123456789abcdef0123"


@dataclass
class Team:
    """The running server, its folders and the users' keys."""

    url: str
    base: Path
    media: Path
    outside: Path
    db: Path
    keys: dict[str, str]
    served: Served

    def request(
        self,
        method: str,
        target: str,
        *,
        user: str | None = "alice",
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> tuple[int, dict[str, str], bytes]:
        """One request with ``target`` sent byte for byte (no client-side normalisation)."""
        parts = urlsplit(self.url)
        conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        sent = dict(headers or {})
        if user is not None:
            sent["Authorization"] = f"Bearer {self.keys[user]}"
        try:
            conn.putrequest(method, target, skip_accept_encoding=True)
            for name, value in sent.items():
                conn.putheader(name, value)
            if body is not None:
                conn.putheader("Content-Length", str(len(body)))
            conn.endheaders(body)
            answer = conn.getresponse()
            return answer.status, {k.lower(): v for k, v in answer.getheaders()}, answer.read()
        finally:
            conn.close()

    def json(self, method: str, target: str, **kwargs: Any) -> tuple[int, Any]:
        status, _, body = self.request(method, target, **kwargs)
        return status, json.loads(body) if body else None


def _run(store: SqliteStore, entity: str, project: str, run_id: str, name: str) -> None:
    records: list[Record] = [
        RunStart(
            seq=0,
            session="s1",
            run_id=run_id,
            entity=entity,
            project=project,
            start_time=1000.0,
            name=name,
        ),
        ConfigUpdate(seq=1, values={"lr": 0.1}),
    ]
    for step in range(5):
        records.append(
            HistoryRow(
                seq=len(records),
                step=step,
                timestamp=1000.0 + step,
                runtime=float(step),
                values={"loss": 1.0 / (step + 1)},
            )
        )
    records.append(Exit(seq=len(records), time=1010.0, runtime=10.0, exit_code=0, state="finished"))
    apply_records(store, records)


def seed(db: Path, media: Path, outside: Path) -> dict[str, str]:
    """alice/vision (private, two runs, files), bob/secret (private), bob/open (shared)."""
    store = SqliteStore(db)
    try:
        keys = {}
        for user in ("alice", "bob"):
            store.add_user(user)
            keys[user], _ = store.create_key(user, "tests")
        _run(store, "alice", "vision", "a1", "alice-run")
        _run(store, "alice", "vision", "a2", "alice-run-2")
        _run(store, "bob", "secret", "b1", "bob-secret-run")
        _run(store, "bob", "open", "o1", "bob-open-run")
        store.set_project_visibility("bob", "open", "shared")
    finally:
        store.close()
    outside.mkdir()
    (outside / "secret.txt").write_bytes(SECRET)
    (outside / "secret.png").write_bytes(PNG)
    for entity, project, run_id in (("alice", "vision", "a1"), ("bob", "secret", "b1")):
        files = media / entity / project / run_id / "files"
        (files / "media" / "images").mkdir(parents=True)
        (files / "media" / "images" / f"img_0_{HASH}.png").write_bytes(PNG)
        (files / "media" / "html").mkdir()
        (files / "media" / "html" / f"page_0_{HASH}.html").write_text("<script>1</script>")
        (files / "plot.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
        (files / "notes.txt").write_text("run notes")
        (files / "media" / "table").mkdir()
        table = {"columns": ["name", "score"], "data": [["x", 1], ["y", 2], [entity, 3]]}
        (files / "media" / "table" / f"t_0_{HASH}.table.json").write_text(json.dumps(table))
    a1 = media / "alice" / "vision" / "a1" / "files"
    (a1 / "link.txt").symlink_to(outside / "secret.txt")
    (a1 / "link.png").symlink_to(outside / "secret.png")
    (a1 / "linkdir").symlink_to(outside, target_is_directory=True)
    return keys


@pytest.fixture(scope="module")
def team(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Team]:
    base = tmp_path_factory.mktemp("security")
    media, outside, db = base / "media", base / "outside", base / "team.db"
    keys = seed(db, media, outside)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKBOARD_", "WANDB_"))}
    env["TRACKBOARD_DIR"] = str(base / "home")
    args = ("server", "--db", str(db), "--media", str(media), "--port", "0")
    with serving(base, *args, env=env, stop_gracefully=True) as served:
        yield Team(served.url, base, media, outside, db, keys, served)


def server_output(team: Team, expect: str) -> str:
    """What the server printed so far (stdout and stderr), read until ``expect`` shows."""
    text = team.served.output_until(expect)
    assert expect in text, text
    return text


RUN = "/api/v1/projects/alice/vision/runs/a1"

ESCAPES = [
    "../../../../outside/secret.txt",
    "media/../../../../../outside/secret.txt",
    "..%2F..%2F..%2F..%2Foutside%2Fsecret.txt",
    "%2e%2e/%2e%2e/%2e%2e/%2e%2e/outside/secret.txt",
    "%2E%2E%2F%2E%2E%2F%2E%2E%2F%2E%2E%2Foutside%2Fsecret.txt",
    "..%5C..%5C..%5C..%5Coutside%5Csecret.txt",
    "media%5C..%5C..%5Cnotes.txt",
    "notes.txt%00.png",
    "media/images/img_0_" + HASH + ".png%00",
    "link.txt",
    "link.png",
    "linkdir/secret.txt",
    "linkdir/secret.png",
    "./notes.txt",
    "media//images/img_0_" + HASH + ".png",
]
"""Paths under ``.../files/`` or ``.../thumbnails/`` that must not be served."""

LITERAL = "%252e%252e/%252e%252e/outside/secret.txt"
"""Decoded once, as a server must: a folder named ``%2e%2e``, harmless inside the run."""


def absolute_paths(team: Team) -> list[str]:
    secret = str(team.outside / "secret.txt")
    return ["/" + secret.lstrip("/"), quote(secret, safe=""), "%2F" + quote(secret.lstrip("/"))]


@pytest.mark.slow
def test_file_reads_never_leave_the_run_files(team: Team) -> None:
    status, _, body = team.request("GET", f"{RUN}/files/notes.txt")
    assert (status, body) == (200, b"run notes")
    for path in [*ESCAPES, *absolute_paths(team), LITERAL]:
        for route in ("files", "thumbnails"):
            status, _, body = team.request("GET", f"{RUN}/{route}/{path}")
            assert status in (400, 404), (route, path, status, body[:200])
            assert SECRET not in body and PNG not in body
    # The run's own name cannot climb either: it is looked up, never joined to a folder.
    for run in ("..", "..%2F..%2Fbob%2Fsecret%2Fb1", "%2e%2e", "a1%2F..%2F..%2F..%2Fbob"):
        target = f"/api/v1/projects/alice/vision/runs/{run}/files/notes.txt"
        status, _, body = team.request("GET", target)
        assert status in (400, 404), (run, status, body[:200])


def outside_state(team: Team) -> list[tuple[str, bytes]]:
    """Everything in the folder beside the media root, and the base folder's other entries."""
    found = [
        (p.relative_to(team.base).as_posix(), p.read_bytes() if p.is_file() else b"")
        for p in sorted(team.outside.rglob("*"))
    ]
    return found + [
        (p.name, b"") for p in sorted(team.base.iterdir()) if not p.name.startswith("team.db")
    ]


@pytest.mark.slow
def test_file_writes_never_leave_the_run_files(team: Team) -> None:
    before = outside_state(team)
    media_before = set(team.media.rglob("*"))
    headers = {"Content-Type": "application/octet-stream"}
    for path in ESCAPES + absolute_paths(team) + ["linkdir/new.txt", "linkdir/sub/new.txt"]:
        status, _, body = team.request(
            "PUT", f"{RUN}/files/{path}", body=b"written-by-a-test", headers=headers
        )
        assert status in (400, 404, 409), (path, status, body[:200])
    assert outside_state(team) == before
    assert (team.outside / "secret.txt").read_bytes() == SECRET
    written = [p for p in team.media.rglob("*") if p not in media_before and p.is_file()]
    assert all(b"written-by-a-test" not in p.read_bytes() for p in written), written
    # A double-encoded path is a plain name: it stays inside the run's files.
    status, _, body = team.request("PUT", f"{RUN}/files/{LITERAL}", body=b"x", headers=headers)
    if status == 200:
        assert (team.media / "alice/vision/a1/files/%2e%2e/%2e%2e/outside/secret.txt").is_file()
    assert outside_state(team) == before
    # A plain path is still accepted and lands in the run's files.
    status, _, body = team.request(
        "PUT", f"{RUN}/files/uploads/ok.txt", body=b"fine", headers=headers
    )
    assert status in (200, 201, 204), body
    assert (team.media / "alice/vision/a1/files/uploads/ok.txt").read_bytes() == b"fine"


@pytest.mark.slow
def test_files_carry_nosniff_and_active_content_is_sandboxed(team: Team) -> None:
    cases = {
        f"media/images/img_0_{HASH}.png": "image/png",
        f"media/html/page_0_{HASH}.html": "text/html",
        "plot.svg": "image/svg",
        "notes.txt": "text/plain",
    }
    for path, kind in cases.items():
        status, headers, _ = team.request("GET", f"{RUN}/files/{path}")
        assert status == 200, path
        assert headers["content-type"].startswith(kind), (path, headers)
        assert headers["x-content-type-options"] == "nosniff", path
        if kind in ("text/html", "image/svg"):
            assert "sandbox" in headers["content-security-policy"], path
    status, headers, body = team.request(
        "GET", f"{RUN}/thumbnails/media/images/img_0_{HASH}.png?size=16"
    )
    assert status == 200 and body.startswith(b"\x89PNG")
    assert headers["x-content-type-options"] == "nosniff"


def claimed_png(width: int, height: int) -> bytes:
    """A few kilobytes of PNG whose header claims ``width`` x ``height`` grey pixels."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 64, 9)
    return PNG[:8] + chunk(b"IHDR", header) + chunk(b"IDAT", rows) + chunk(b"IEND", b"")


@pytest.mark.slow
def test_an_image_claiming_a_huge_size_gets_no_thumbnail(team: Team) -> None:
    """A decompression bomb is a 400 (and no gigabytes decoded); the server goes on."""
    for width, height in ((30_000, 30_000), (9_000, 9_000)):
        path = f"media/images/bomb_{width}_{HASH}.png"
        status, _, body = team.request(
            "PUT", f"{RUN}/files/{path}", body=claimed_png(width, height)
        )
        assert status in (200, 201, 204), body
        status, _, body = team.request("GET", f"{RUN}/thumbnails/{path}?size=64")
        assert status == 400, (width, status, body[:200])
        assert b"pixels" in body
    status, _, body = team.request("GET", f"{RUN}/thumbnails/media/images/img_0_{HASH}.png")
    assert status == 200 and body.startswith(b"\x89PNG")


def run_ids(team: Team, target: str, user: str = "alice") -> tuple[int, list[str]]:
    status, body = team.json("GET", target, user=user)
    if status != 200:
        return status, []
    return status, sorted(r["id"] for r in body["runs"])


INJECTIONS = [
    "x' OR '1'='1",
    'x" OR "1"="1',
    "'; DROP TABLE runs; --",
    "1; DELETE FROM projects",
    "%' OR 1=1 --",
    "\\'; SELECT * FROM api_keys; --",
    "bob",
]


@pytest.mark.slow
def test_filters_and_orders_are_data_not_sql(team: Team) -> None:
    listed = "/api/v1/projects/alice/vision/runs"
    assert run_ids(team, listed) == (200, ["a1", "a2"])
    filters: list[Any] = []
    for text in INJECTIONS:
        filters += [
            {"display_name": text},
            {"displayName": {"$in": [text]}},
            {f"config.{text}": 1},
            {text: {"$ne": None}},
            {"$or": [{"state": text}, {f"summary_metrics.{text}": {"$gt": 0}}]},
            {"config.lr": {text: 1}},
            {"tags": {"$regex": text}},
        ]
    for flt in filters:
        target = f"{listed}?filter={quote(json.dumps(flt), safe='')}"
        status, ids = run_ids(team, target)
        assert status in (200, 400), (flt, status)
        assert set(ids) <= {"a1", "a2"}, (flt, ids)
    for text in [*INJECTIONS, "+created_at; DROP TABLE runs", "-config.lr'--", '+summary."x']:
        status, ids = run_ids(team, f"{listed}?order={quote(text, safe='')}")
        assert status in (200, 400), (text, status)
        assert set(ids) <= {"a1", "a2"}, (text, ids)
    for text in INJECTIONS:
        for target in (
            f"/api/v1/projects/alice/vision/keys?runs={quote(text, safe='')}",
            f"/api/v1/projects/alice/vision/series?key={quote(text, safe='')}",
            f"{RUN}/history?keys={quote(text, safe='')}",
            f"/api/v1/projects/alice/vision/changes?since={quote(text, safe='')}",
        ):
            status, _, body = team.request("GET", target)
            assert status in (200, 400, 404), (target, status, body[:200])
            assert b"bob-secret-run" not in body
    # A logged table's own filter and sort are text matched in Python, never SQL.
    table = f"{RUN}/table?path=media/table/t_0_{HASH}.table.json"
    for text in INJECTIONS:
        for param in ("filter", "sort"):
            status, _, body = team.request("GET", f"{table}&{param}={quote(text, safe='')}")
            assert status in (200, 400), (param, text, status)
            assert b"bob" not in body or text == "bob", body[:200]
    status, page = team.json("GET", table)
    assert status == 200 and len(page["rows"]) == 3, page
    # A filter nested too deep for the JSON parser is a 400, not a crash.
    status, _, _ = team.request("GET", f"{listed}?filter={'%5B' * 100_000}")
    assert status in (400, 414, 431), status
    deep = '{"$or":[' * 400 + '{"state":"finished"}' + "]}" * 400
    status, _, _ = team.request("GET", f"{listed}?filter={quote(deep, safe='')}")
    assert status == 400, status
    # Everything is still there, for both users.
    assert run_ids(team, listed) == (200, ["a1", "a2"])
    assert run_ids(team, "/api/v1/projects/bob/secret/runs", "bob") == (200, ["b1"])
    status, me = team.json("GET", "/api/v1/me", user="bob")
    assert status == 200 and "bob" in json.dumps(me)


PRIVATE = "/api/v1/projects/bob/secret"


@pytest.mark.slow
def test_another_users_private_project_does_not_exist_for_you(team: Team) -> None:
    status, body = team.json("GET", "/api/v1/projects")
    assert status == 200
    names = {(p["entity"], p["name"]) for p in body["projects"]}
    assert ("alice", "vision") in names and ("bob", "open") in names
    assert ("bob", "secret") not in names
    reads = [
        f"{PRIVATE}/runs",
        f"{PRIVATE}/runs/b1",
        f"{PRIVATE}/runs/b1/files",
        f"{PRIVATE}/runs/b1/files/notes.txt",
        f"{PRIVATE}/runs/b1/thumbnails/media/images/img_0_{HASH}.png",
        f"{PRIVATE}/runs/b1/history?keys=loss",
        f"{PRIVATE}/keys",
        f"{PRIVATE}/series?key=loss",
        f"{PRIVATE}/changes?since=0",
        f"{PRIVATE}/media?key=img",
        f"{PRIVATE}/sweeps",
        f"{PRIVATE}/views",
        f"{PRIVATE}/runs/b1/sessions",
    ]
    for target in reads:
        status, _, body = team.request("GET", target)
        assert status == 404, (target, status)
        assert b"bob-secret-run" not in body and b"run notes" not in body
    json_headers = {"Content-Type": "application/json"}
    writes = [
        ("PATCH", f"{PRIVATE}/runs/b1", b'{"name": "pwned"}', json_headers),
        ("PATCH", PRIVATE, b'{"visibility": "shared"}', json_headers),
        ("PUT", f"{PRIVATE}/runs/b1/files/x.txt", b"pwned", {}),
        ("PUT", f"{PRIVATE}/views/mine", b'{"settings": {}}', json_headers),
        ("POST", f"{PRIVATE}/sweeps", b'{"config": {"method": "random"}}', json_headers),
        ("DELETE", f"{PRIVATE}/runs/b1", None, {}),
        ("DELETE", PRIVATE, None, {}),
        (
            "POST",
            f"{PRIVATE}/runs/b2/records?session=s1",
            b"",
            {"Content-Type": "application/x-trackboard-frames"},
        ),
    ]
    for method, target, body, headers in writes:
        status, _, answer = team.request(method, target, body=body, headers=headers)
        assert status == 404, (method, target, status, answer[:200])
    # The shared project reads, but does not write, for a non-member.
    assert run_ids(team, "/api/v1/projects/bob/open/runs") == (200, ["o1"])
    status, _, _ = team.request(
        "PATCH", "/api/v1/projects/bob/open/runs/o1", body=b'{"name": "x"}', headers=json_headers
    )
    assert status == 403
    # Nothing changed for bob.
    status, run = team.json("GET", f"{PRIVATE}/runs/b1", user="bob")
    assert status == 200 and run["name"] == "bob-secret-run"
    assert not (team.media / "bob/secret/b1/files/x.txt").exists()
    status, _, _ = team.request("GET", f"{PRIVATE}/runs", user=None)
    assert status == 401


@pytest.mark.slow
def test_keys_never_reach_the_log_or_a_url(team: Team) -> None:
    alice, bob = team.keys["alice"], team.keys["bob"]
    wrong = alice[:-4] + ("AAAA" if not alice.endswith("AAAA") else "BBBB")
    # Keys in a URL are refused before anything else, with or without a valid header.
    for query in (f"api_key={alice}", f"token={alice}", f"{alice}=1", f"filter={quote(bob)}"):
        status, _, body = team.request("GET", f"/api/v1/projects?{query}")
        assert status == 400, (query, status)
        assert alice.encode() not in body and bob.encode() not in body
    # A wrong key and a malformed header are 401s that do not echo the key.
    for header in (f"Bearer {wrong}", f"Basic {alice}", wrong):
        status, headers, body = team.request(
            "GET", "/api/v1/projects", user=None, headers={"Authorization": header}
        )
        assert status == 401
        assert wrong.encode() not in body and alice.encode() not in body
        assert headers.get("www-authenticate", "").startswith("Bearer")
    # Signing in trades the key (in the body) for a cookie that is not the key.
    body = json.dumps({"key": alice}).encode()
    status, headers, answer = team.request(
        "POST",
        "/api/v1/sessions",
        user=None,
        body=body,
        headers={"Content-Type": "application/json"},
    )
    assert status in (200, 201), answer
    assert alice.encode() not in answer
    cookie = headers.get("set-cookie", "")
    assert "httponly" in cookie.lower() and "samesite=strict" in cookie.lower()
    assert alice not in cookie
    # An error inside a request with a valid key (a bad filter) logs no key either, nor does
    # a malformed request carrying keys, which the server does log.
    team.request("GET", "/api/v1/projects/alice/vision/runs?filter=%7B")
    parts = urlsplit(team.url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as sock:
        sock.sendall(
            f"GET /api/v1/projects?api_key={alice} HTTP/1.1\r\nHost: x\r\n"
            f"Authorization: Bearer {bob}\r\nbroken header {wrong}\r\n\r\n".encode()
        )
        assert sock.recv(65536).startswith(b"HTTP/1.1 400")
    output = server_output(team, "Invalid HTTP request")
    for key in (alice, bob, wrong):
        assert key not in output
        assert key[-20:] not in output
