"""Two ``trackboard server`` replicas on one PostgreSQL database and one media folder.

A deployment behind a load balancer sends each request to either replica, so everything a
client does through one must be seen, at once and unchanged, through the other: runs uploaded
with ``trackboard sync`` through A are read through B (runs, series, history, files, the
change cursor); edits through B are seen by A, whose per-process caches must not answer with
what they held before; a dashboard session made on A signs in on B (sessions live in the
database); sweep claims taken through both at once never hand out a run twice. Both replicas
start at the same moment on a new schema, so they also race to migrate it.
"""

from __future__ import annotations

import json
import os
import queue
import secrets
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from tests.conftest import drop_schema, pg_url, require_postgres

from trackboard.records import HistoryRow
from trackboard.runlog.codec import encode_frames
from trackboard.store.migrate import load_migrations

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

USER = "alice"
FRAMES = "application/x-trackboard-frames"


@dataclass
class Replicas:
    a: str
    b: str
    key: str
    db: str
    schema: str
    media: Path
    home: Path
    env: dict[str, str]

    def client(self, url: str) -> httpx.Client:
        return httpx.Client(
            base_url=f"{url}/api/v1", headers={"Authorization": f"Bearer {self.key}"}, timeout=30
        )


def _lines(stream: Any, out: queue.Queue[str]) -> None:
    for line in stream:
        out.put(line)


def _start(db: str, media: Path, cwd: Path, env: dict[str, str]) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "trackboard.cli", "server", "--db", db]
    return subprocess.Popen(
        [*command, "--media", str(media), "--port", "0"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def _address(proc: subprocess.Popen[str]) -> str:
    """The URL the server prints once it listens; its output when it never does."""
    lines: queue.Queue[str] = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True).start()
    seen: list[str] = []
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            continue
        seen.append(line)
        if "dashboard at http://" in line:
            return line.rsplit(" ", 1)[-1].strip()
    time.sleep(0.5)
    while not lines.empty():
        seen.append(lines.get())
    raise AssertionError(f"the server did not start (exit {proc.poll()}): {''.join(seen)}")


def _cli(env: dict[str, str], cwd: Path, *args: str) -> str:
    proc = subprocess.run(
        [sys.executable, "-m", "trackboard.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"trackboard {' '.join(args)}: {proc.stdout}{proc.stderr}"
    return proc.stdout


@pytest.fixture
def replicas(tmp_path: Path) -> Iterator[Replicas]:
    require_postgres()
    schema = f"tb_two_{secrets.token_hex(6)}"
    base = pg_url()
    db = f"{base}{'&' if '?' in base else '?'}schema={schema}"
    media = tmp_path / "media"
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TRACKBOARD_", "WANDB_"))}
    env |= {"TRACKBOARD_DIR": str(home), "TRACKBOARD_SILENT": "true"}
    # Both at once on a schema that does not exist yet: they race to create and migrate it.
    procs = [_start(db, media, tmp_path, env) for _ in range(2)]
    try:
        a, b = (_address(proc) for proc in procs)
        _cli(env, tmp_path, "users", "add", "--db", db, USER)
        key = _cli(env, tmp_path, "keys", "create", "--db", db, USER).strip()
        yield Replicas(a, b, key, db, schema, media, home, env)
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
            if proc.stdout is not None:
                proc.stdout.close()
        drop_schema(schema)


LOG_RUN = """
import numpy as np
import trackboard

run = trackboard.init(entity={entity!r}, project={project!r}, id="r1", name="first")
for step in range(20):
    trackboard.log({{"loss": 1.0 / (step + 1)}})
trackboard.log({{"img": trackboard.Image(np.full((4, 4, 3), 200, dtype=np.uint8))}})
trackboard.finish()
"""


def upload_run(replicas: Replicas, url: str, project: str) -> Path:
    """Log run ``r1`` locally, then ``trackboard sync`` it to ``url``; its run folder."""
    work = replicas.home.parent / f"work-{project}"
    work.mkdir()
    run_script_env(replicas, LOG_RUN.format(entity=USER, project=project), work)
    folder = replicas.home / USER / project / "r1"
    assert (folder / "run.log").is_file(), sorted(replicas.home.rglob("*"))
    _cli(replicas.env, work, "sync", str(folder), "--url", url, "--key", replicas.key)
    return folder


def run_script_env(replicas: Replicas, source: str, cwd: Path) -> None:
    """Run ``source`` in a fresh interpreter with the replicas' environment."""
    script = cwd / "script.py"
    script.write_text(source)
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=cwd,
        env=replicas.env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, f"script failed: {proc.stdout}{proc.stderr}"


def series_runs(answer: httpx.Response) -> dict[str, tuple[int, float]]:
    """Per run of a binary series answer: its bucket count and its last bucket's last step."""
    assert answer.status_code == 200, answer.text
    body = answer.content
    (length,) = struct.unpack_from("<I", body, 0)
    header = json.loads(body[4 : 4 + length])
    total = header["total"]
    xs = struct.unpack_from(f"<{total}d", body, 4 + length)
    return {r["id"]: (r["n"], xs[r["offset"] + r["n"] - 1]) for r in header["runs"] if r["n"]}


def test_replicas_migrate_a_new_schema_once(replicas: Replicas) -> None:
    import psycopg

    with psycopg.connect(pg_url()) as conn:
        rows = conn.execute(
            f"SELECT version, name FROM {replicas.schema}.schema_migrations ORDER BY version"
        ).fetchall()
    expected = [(m.version, m.name) for m in load_migrations("postgresql")]
    assert rows == expected
    for url in (replicas.a, replicas.b):
        assert httpx.get(f"{url}/api/v1/health", timeout=10).status_code == 200


def test_stores_opened_at_once_on_a_new_schema_migrate_it_once() -> None:
    """Eight processes' worth of store openings released together on an empty schema."""
    require_postgres()
    from trackboard.store.postgres import PostgresStore

    schema = f"tb_mig_{secrets.token_hex(6)}"
    start = threading.Barrier(8)

    def open_one(_: int) -> list[int]:
        start.wait()
        store = PostgresStore(pg_url(), schema=schema, pool_size=1)
        try:
            return store.applied_migrations
        finally:
            store.close()

    try:
        with ThreadPoolExecutor(8) as pool:
            applied = list(pool.map(open_one, range(8)))
        versions = [m.version for m in load_migrations("postgresql")]
        assert sorted(v for found in applied for v in found) == versions
        assert sum(1 for found in applied if found) == 1
    finally:
        drop_schema(schema)


def test_a_nul_in_a_name_is_a_400_on_postgresql(replicas: Replicas) -> None:
    """PostgreSQL text cannot hold NUL: a name carrying one is bad input (400), not a 500."""
    with replicas.client(replicas.a) as a:
        for target in (
            f"/projects/{USER}/p%00x/runs",
            f"/projects/{USER}/p/runs/r%00/files/a.txt",
            f"/projects/{USER}/p/views/v%00",
            f"/projects/{USER}/p/series?key=lo%00ss",
        ):
            answer = a.get(target)
            assert answer.status_code == 400, (target, answer.text)
            assert "NUL" in answer.json()["error"]["message"]
        # Inside JSON values a NUL is only an escape: stored and given back as it was.
        saved = a.put(f"/projects/{USER}/p/views/v", json={"settings": {"title": "a\u0000b"}})
        assert saved.status_code in (200, 201), saved.text
        assert a.get(f"/projects/{USER}/p/views/v").json()["settings"] == {"title": "a\u0000b"}


def test_a_run_uploaded_through_a_is_read_through_b(replicas: Replicas) -> None:
    project = f"p{secrets.token_hex(4)}"
    folder = upload_run(replicas, replicas.a, project)
    with replicas.client(replicas.b) as b:
        path = f"/projects/{USER}/{project}"
        runs = b.get(f"{path}/runs").json()["runs"]
        assert [(r["id"], r["name"], r["state"]) for r in runs] == [("r1", "first", "finished")]
        assert runs[0]["last_step"] == 20
        history = b.get(f"{path}/runs/r1/history", params={"keys": "loss"})
        assert history.status_code == 200, history.text
        assert "loss" in history.text
        assert series_runs(b.get(f"{path}/series", params={"key": "loss", "runs": "r1"})) == {
            "r1": (20, 19.0)
        }
        changed = b.get(f"{path}/changes", params={"since": 0}).json()
        assert [r["id"] for r in changed["runs"]] == ["r1"]
        files = [f["path"] for f in b.get(f"{path}/runs/r1/files").json()["files"]]
        images = [p for p in files if p.endswith(".png")]
        assert images, files
        served = b.get(f"{path}/runs/r1/files/{images[0]}")
        assert served.status_code == 200
        assert served.content == (folder / "files" / images[0]).read_bytes()


def test_writes_through_one_replica_are_seen_by_the_other(replicas: Replicas) -> None:
    project = f"p{secrets.token_hex(4)}"
    upload_run(replicas, replicas.a, project)
    path = f"/projects/{USER}/{project}"
    with replicas.client(replicas.a) as a, replicas.client(replicas.b) as b:
        # A reads (and caches) the series and the cursor first.
        query = {"key": "loss", "runs": "r1"}
        assert series_runs(a.get(f"{path}/series", params=query)) == {"r1": (20, 19.0)}
        cursor = a.get(f"{path}/changes", params={"since": 0}).json()["cursor"]
        # B gets more history (a resumed session) and an edit.
        rows = [
            HistoryRow(
                seq=i, step=100 + i, timestamp=time.time(), runtime=1.0, values={"loss": 0.5}
            )
            for i in range(10)
        ]
        posted = b.post(
            f"{path}/runs/r1/records",
            params={"session": "later"},
            content=encode_frames(rows),
            headers={"Content-Type": FRAMES},
        )
        assert posted.status_code == 200, posted.text
        assert posted.json()["cursor"] == 9
        edited = b.patch(f"{path}/runs/r1", json={"name": "renamed", "tags": ["best"]})
        assert edited.status_code == 200, edited.text
        # A answers with the new data, not what it held before.
        assert series_runs(a.get(f"{path}/series", params=query)) == {"r1": (30, 109.0)}
        run = a.get(f"{path}/runs/r1").json()
        assert (run["name"], run["tags"], run["last_step"]) == ("renamed", ["best"], 109)
        later = a.get(f"{path}/changes", params={"since": cursor}).json()
        assert [r["name"] for r in later["runs"]] == ["renamed"]
        assert a.get(f"{path}/runs/r1/sessions").json()["sessions"]["later"] == 9


def test_a_session_made_on_one_replica_works_on_the_other(replicas: Replicas) -> None:
    with httpx.Client(base_url=f"{replicas.a}/api/v1", timeout=30) as a:
        signed = a.post("/sessions", json={"key": replicas.key})
        assert signed.status_code in (200, 201), signed.text
        csrf = signed.json()["csrf_token"]
        cookies = dict(a.cookies)
    assert cookies
    with httpx.Client(base_url=f"{replicas.b}/api/v1", timeout=30, cookies=cookies) as b:
        me = b.get("/me")
        assert me.status_code == 200, me.text
        assert USER in me.text
        project = f"p{secrets.token_hex(4)}"
        view = b.put(
            f"/projects/{USER}/{project}/views/mine",
            json={"settings": {"x": 1}},
            headers={"X-CSRF-Token": csrf},
        )
        assert view.status_code in (200, 201), view.text
        assert (
            b.put(f"/projects/{USER}/{project}/views/mine", json={"settings": {"x": 2}}).status_code
            == 403
        )  # the cookie alone may not write
        # Signing out on B ends the session on A too.
        assert b.delete("/sessions", headers={"X-CSRF-Token": csrf}).status_code in (200, 204)
    with httpx.Client(base_url=f"{replicas.a}/api/v1", timeout=30, cookies=cookies) as a:
        assert a.get("/me").status_code == 401


GRID = {
    "method": "grid",
    "metric": {"name": "acc", "goal": "maximize"},
    "parameters": {"lr": {"values": [0.1, 0.01, 0.001, 0.0001]}, "layers": {"values": [1, 2, 3]}},
}


def test_sweep_claims_through_both_replicas_never_collide(replicas: Replicas) -> None:
    project = f"p{secrets.token_hex(4)}"
    path = f"/projects/{USER}/{project}/sweeps"
    with replicas.client(replicas.a) as a:
        created = a.post(path, json={"config": GRID})
        assert created.status_code == 201, created.text
        sweep_id = created.json()["id"]

    def agent(index: int) -> list[tuple[str, str]]:
        """Claim, then finish the run, alternating replicas, until the grid is done."""
        taken: list[tuple[str, str]] = []
        with replicas.client(replicas.a) as a, replicas.client(replicas.b) as b:
            sides = (a, b) if index % 2 else (b, a)
            for turn in range(100):
                claimer, ender = sides[turn % 2], sides[(turn + 1) % 2]
                answer = claimer.post(f"{path}/{sweep_id}/claims", json={"agent_id": f"ag{index}"})
                assert answer.status_code == 200, answer.text
                claim = answer.json()
                if claim["run_id"] is None:
                    if claim["state"] != "running":
                        return taken
                    time.sleep(0.05)  # other agents' runs are still going
                    continue
                taken.append((claim["run_id"], json.dumps(claim["params"], sort_keys=True)))
                ended = ender.patch(
                    f"{path}/{sweep_id}/claims/{claim['run_id']}",
                    json={"agent_id": f"ag{index}", "state": "finished"},
                )
                assert ended.status_code == 200, ended.text
        raise AssertionError(f"agent {index} never saw the sweep finish")

    with ThreadPoolExecutor(6) as pool:
        claims = [c for found in pool.map(agent, range(6)) for c in found]
    run_ids = [run_id for run_id, _ in claims]
    params = [p for _, p in claims]
    assert len(claims) == 12
    assert len(set(run_ids)) == 12
    assert len(set(params)) == 12
    with replicas.client(replicas.b) as b:
        detail = b.get(f"{path}/{sweep_id}").json()
        assert detail["run_count"] == 12
