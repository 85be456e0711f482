"""The upload routes against a real app on SQLite and PostgreSQL: records as run-log frames
(batches, replays, gaps, damage, identity from the URL), session cursors, body limits,
back-pressure, and run files written whole through the media store."""

from __future__ import annotations

import asyncio
import io
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pytest
from PIL import Image
from server_helpers import AppClient

from trackboard.records import ConfigUpdate, Exit, HistoryRow, Record, RunStart, SummaryUpdate
from trackboard.runlog import encode_frames
from trackboard.runlog.frames import HEADER_SIZE
from trackboard.server import create_app
from trackboard.server.limits import ServerLimits
from trackboard.server.media_store import FsspecMediaStore, MediaStore
from trackboard.settings import Settings
from trackboard.store.base import Store

ENTITY = "team"
PROJECT = "vision"
RUN = f"/api/v1/projects/{ENTITY}/{PROJECT}/runs/r1"
FRAMES = {"content-type": "application/x-trackboard-frames"}


@pytest.fixture
def store(any_store: Store) -> Store:
    """Every upload test runs on both backends: the cursor and the data share a transaction."""
    return any_store


def make_client(
    store: Store,
    tmp_path: Path,
    limits: ServerLimits | None = None,
    media_store: MediaStore | None = None,
) -> AppClient:
    settings = Settings(root=tmp_path / "root")
    return AppClient(create_app(store, settings, limits=limits, media_store=media_store))


@pytest.fixture
def client(store: Store, tmp_path: Path) -> AppClient:
    return make_client(store, tmp_path)


def session_records(session: str = "s1", entity: str = "local", rows: int = 6) -> list[Record]:
    """A finished session: start, config, ``rows`` history rows, a summary, exit."""
    t0 = 1_700_000_000.0
    records: list[Record] = [
        RunStart(
            seq=0,
            session=session,
            run_id="r1",
            entity=entity,
            project="elsewhere",
            start_time=t0,
            name="upload-me",
            tags=("a",),
        ),
        ConfigUpdate(seq=1, values={"lr": 0.1, "model": {"depth": 3}}),
    ]
    for step in range(rows):
        records.append(
            HistoryRow(
                seq=len(records),
                step=step,
                timestamp=t0 + step,
                runtime=float(step),
                values={"loss": 1.0 / (step + 1), "note": f"step {step}"},
            )
        )
    records.append(SummaryUpdate(seq=len(records), values={"best": 0.5}))
    records.append(
        Exit(seq=len(records), time=t0 + rows, runtime=float(rows), exit_code=0, state="finished")
    )
    return records


def batches(records: list[Record], count: int = 3) -> list[bytes]:
    size = -(-len(records) // count)
    return [encode_frames(records[i : i + size]) for i in range(0, len(records), size)]


def post(client: AppClient, body: bytes, session: str = "s1", **kwargs: Any) -> httpx.Response:
    return client.request(
        "POST",
        f"{RUN}/records",
        params={"session": session},
        content=body,
        headers=FRAMES,
        **kwargs,
    )


def snapshot(store: Store) -> tuple[Any, ...]:
    run = store.run(ENTITY, PROJECT, "r1")
    loss = store.series(run.pk, "loss")
    return (
        run.config,
        run.summary,
        run.state,
        loss.steps.tolist(),
        loss.values.tolist(),
        store.history_values(run.pk, ["note"]),
        store.sessions(ENTITY, PROJECT, "r1"),
    )


def test_three_batches_land_in_the_store(client: AppClient, store: Store) -> None:
    records = session_records()
    answers = [post(client, body) for body in batches(records)]
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert answers[-1].json() == {
        "session": "s1",
        "cursor": records[-1].seq,
        "applied": answers[-1].json()["applied"],
        "skipped": 0,
    }
    assert sum(a.json()["applied"] for a in answers) == len(records)
    cursors = [a.json()["cursor"] for a in answers]
    assert cursors == sorted(cursors) and cursors[-1] == len(records) - 1

    run = store.run(ENTITY, PROJECT, "r1")
    assert run.name == "upload-me"
    assert run.state == "finished"
    assert run.config == {"lr": 0.1, "model": {"depth": 3}}
    assert run.summary["best"] == 0.5
    assert run.summary["loss"] == pytest.approx(1.0 / 6)
    loss = store.series(run.pk, "loss")
    assert loss.steps.tolist() == list(range(6))
    np.testing.assert_allclose(loss.values, [1.0 / (s + 1) for s in range(6)])
    assert [v for _, _, v in store.history_values(run.pk, ["note"])] == [
        f"step {s}" for s in range(6)
    ]


def test_replayed_batches_apply_nothing_and_change_nothing(client: AppClient, store: Store) -> None:
    bodies = batches(session_records())
    for body in bodies:
        assert post(client, body).status_code == 200
    before = snapshot(store)
    for body in bodies:
        answer = post(client, body)
        assert answer.status_code == 200
        assert answer.json()["applied"] == 0
        assert answer.json()["skipped"] > 0
    assert snapshot(store) == before


def test_a_batch_after_a_gap_is_refused_with_the_cursor(client: AppClient, store: Store) -> None:
    records = session_records()
    first, _second, third = batches(records)
    assert post(client, first).status_code == 200
    cursor = store.cursor(ENTITY, PROJECT, "r1", "s1")
    before = snapshot(store)
    answer = post(client, third)
    assert answer.status_code == 409
    assert answer.json()["cursor"] == cursor
    assert f"seq {cursor + 1}" in answer.json()["error"]["message"]
    assert snapshot(store) == before
    assert store.cursor(ENTITY, PROJECT, "r1", "s1") == cursor


def test_a_batch_overlapping_the_cursor_bridges_a_hole_in_the_clients_log(
    client: AppClient, store: Store
) -> None:
    """Records lost to corruption in the client's run log: a batch that starts at a stored
    record carries the hole inside it and goes through, where one starting past it cannot."""
    records = session_records()
    assert post(client, encode_frames(records[:3])).status_code == 200
    assert post(client, encode_frames(records[4:])).status_code == 409
    answer = post(client, encode_frames(records[2:3] + records[4:]))
    assert answer.status_code == 200
    assert answer.json()["cursor"] == records[-1].seq
    assert answer.json()["skipped"] == 1
    assert store.run(ENTITY, PROJECT, "r1").state == "finished"


def test_a_corrupted_byte_refuses_the_whole_batch(client: AppClient, store: Store) -> None:
    records = session_records()
    good = encode_frames(records[:3])
    damaged = bytearray(good + encode_frames(records[3:6]))
    damaged[len(good) + HEADER_SIZE + 2] ^= 0xFF  # a payload byte of the fourth frame
    answer = post(client, bytes(damaged))
    assert answer.status_code == 400
    assert f"byte {len(good)}" in answer.json()["error"]["message"]
    assert store.sessions(ENTITY, PROJECT, "r1") == {}
    assert store.runs(ENTITY, PROJECT) == []


def test_a_torn_last_frame_refuses_the_whole_batch(client: AppClient, store: Store) -> None:
    body = encode_frames(session_records()[:4])
    answer = post(client, body[:-3])
    assert answer.status_code == 400
    assert "torn" in answer.json()["error"]["message"]
    assert store.runs(ENTITY, PROJECT) == []


def test_bytes_that_are_no_record_are_refused(client: AppClient, store: Store) -> None:
    from trackboard.runlog.frames import build_frame

    body = encode_frames(session_records()[:2]) + build_frame(b"\xc1 not msgpack")
    answer = post(client, body)
    assert answer.status_code == 400
    assert "frame at byte" in answer.json()["error"]["message"]
    assert store.runs(ENTITY, PROJECT) == []


def test_the_run_lands_under_the_url_not_the_run_start(client: AppClient, store: Store) -> None:
    records = session_records(entity="someone-else")
    assert post(client, encode_frames(records)).status_code == 200
    run = store.run(ENTITY, PROJECT, "r1")
    assert run.name == "upload-me"
    assert store.runs("someone-else", "elsewhere") == []


def test_a_run_start_of_another_session_is_refused(client: AppClient, store: Store) -> None:
    answer = post(client, encode_frames(session_records(session="s2")), session="s1")
    assert answer.status_code == 400
    assert "'s2'" in answer.json()["error"]["message"]
    assert store.runs(ENTITY, PROJECT) == []


def test_records_out_of_seq_order_are_refused(client: AppClient, store: Store) -> None:
    records = session_records()
    answer = post(client, encode_frames([records[0], records[2], records[1]]))
    assert answer.status_code == 400
    assert "seq order" in answer.json()["error"]["message"]
    assert store.runs(ENTITY, PROJECT) == []


def test_records_need_the_frames_content_type(client: AppClient, store: Store) -> None:
    answer = client.request(
        "POST",
        f"{RUN}/records",
        params={"session": "s1"},
        content=encode_frames(session_records()),
        headers={"content-type": "text/plain"},
    )
    assert answer.status_code == 415
    assert "application/x-trackboard-frames" in answer.json()["error"]["message"]
    assert store.runs(ENTITY, PROJECT) == []


def test_sessions_start_empty_and_follow_each_upload(client: AppClient, store: Store) -> None:
    assert client.get(f"{RUN}/sessions").json() == {"sessions": {}}
    one, two = session_records("s1"), session_records("s2", rows=2)
    post(client, encode_frames(one), session="s1")
    post(client, batches(two)[0], session="s2")
    cursor_two = store.cursor(ENTITY, PROJECT, "r1", "s2")
    assert client.get(f"{RUN}/sessions").json() == {
        "sessions": {"s1": len(one) - 1, "s2": cursor_two}
    }


def test_uploaded_runs_show_in_the_change_feed(client: AppClient) -> None:
    base = f"/api/v1/projects/{ENTITY}/{PROJECT}"
    cursor = client.get(f"{base}/changes").json()["cursor"]
    post(client, encode_frames(session_records()[:3]))
    changed = client.get(f"{base}/changes", params={"since": cursor}).json()["runs"]
    assert [r["id"] for r in changed] == ["r1"]


def test_more_keys_than_a_run_may_have_are_refused(client: AppClient, store: Store) -> None:
    start = session_records()[0]
    row = HistoryRow(
        seq=1, step=0, timestamp=1.0, runtime=0.0, values={f"k{i}": 1.0 for i in range(10_001)}
    )
    answer = post(client, encode_frames([start, row]))
    assert answer.status_code == 400
    assert "10000" in answer.json()["error"]["message"]
    assert store.cursor(ENTITY, PROJECT, "r1", "s1") <= 0


def test_a_body_over_the_limit_is_413(store: Store, tmp_path: Path) -> None:
    body = encode_frames(session_records(rows=50))
    client = make_client(store, tmp_path, ServerLimits(max_records_bytes=len(body) - 1))
    answer = post(client, body)
    assert answer.status_code == 413
    assert str(len(body) - 1) in answer.json()["error"]["message"]
    assert store.runs(ENTITY, PROJECT) == []
    small = encode_frames(session_records(rows=50)[:5])
    assert post(client, small).status_code == 200


def test_a_chunked_body_without_a_length_is_cut_at_the_limit(store: Store, tmp_path: Path) -> None:
    body = encode_frames(session_records(rows=50))
    client = make_client(store, tmp_path, ServerLimits(max_records_bytes=1000))

    async def pieces() -> AsyncIterator[bytes]:
        for i in range(0, len(body), 300):
            yield body[i : i + 300]

    answer = client.request(
        "POST", f"{RUN}/records", params={"session": "s1"}, content=pieces(), headers=FRAMES
    )
    assert answer.status_code == 413
    assert "1000" in answer.json()["error"]["message"]
    assert store.runs(ENTITY, PROJECT) == []


def test_a_lying_content_length_does_not_let_a_big_body_in(store: Store, tmp_path: Path) -> None:
    body = encode_frames(session_records(rows=50))
    client = make_client(store, tmp_path, ServerLimits(max_records_bytes=1000))

    async def pieces() -> AsyncIterator[bytes]:
        for i in range(0, len(body), 300):
            yield body[i : i + 300]

    answer = client.request(
        "POST",
        f"{RUN}/records",
        params={"session": "s1"},
        content=pieces(),
        headers={**FRAMES, "content-length": "10"},
    )
    assert answer.status_code == 413
    assert store.runs(ENTITY, PROJECT) == []


def test_uploads_beyond_the_inflight_limit_get_429(store: Store, tmp_path: Path) -> None:
    """Two uploads are held inside the server mid-body; a third is told to come back, and once
    the first two finish the same request goes through."""
    app = create_app(
        store, Settings(root=tmp_path / "root"), limits=ServerLimits(max_ingest_inflight=2)
    )
    one = session_records("s1")
    two = session_records("s2")

    async def scenario() -> tuple[list[int], httpx.Response, httpx.Response]:
        release = asyncio.Event()
        arrived = asyncio.Semaphore(0)

        def held(body: bytes) -> AsyncIterator[bytes]:
            async def gen() -> AsyncIterator[bytes]:
                yield body[:10]
                arrived.release()
                await release.wait()
                yield body[10:]

            return gen()

        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:

            def send(session: str, content: Any) -> Any:
                return c.post(
                    f"{RUN}/records", params={"session": session}, content=content, headers=FRAMES
                )

            first = asyncio.create_task(send("s1", held(encode_frames(one))))
            second = asyncio.create_task(send("s2", held(encode_frames(two))))
            for _ in range(2):
                await asyncio.wait_for(arrived.acquire(), 30)
            refused = await send("s3", encode_frames(session_records("s3")))
            release.set()
            statuses = [(await first).status_code, (await second).status_code]
            again = await send("s3", encode_frames(session_records("s3")))
            return statuses, refused, again

    statuses, refused, again = asyncio.run(scenario())
    assert refused.status_code == 429
    assert refused.headers["retry-after"] == "1"
    assert "2 uploads" in refused.json()["error"]["message"]
    assert statuses == [200, 200]
    assert again.status_code == 200
    assert set(store.sessions(ENTITY, PROJECT, "r1")) == {"s1", "s2", "s3"}


# -- files -----------------------------------------------------------------------------------


def png_bytes(size: tuple[int, int] = (40, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (0, 128, 255)).save(out, format="PNG")
    return out.getvalue()


def put(client: AppClient, path: str, data: Any, **kwargs: Any) -> httpx.Response:
    return client.request("PUT", f"{RUN}/files/{path}", content=data, **kwargs)


def test_a_file_put_is_served_back_and_listed(client: AppClient, tmp_path: Path) -> None:
    post(client, encode_frames(session_records()[:2]))
    rel = "media/images/pred_0_0123456789abcdef0123.png"
    data = png_bytes()
    answer = put(client, rel, data)
    assert answer.status_code == 200
    assert answer.json() == {"path": rel, "size": len(data)}
    assert put(client, rel, data).status_code == 200  # a repeat rewrites the same bytes
    on_disk = tmp_path / "root" / ENTITY / PROJECT / "r1" / "files" / rel
    assert on_disk.read_bytes() == data
    got = client.get(f"{RUN}/files/{rel}")
    assert got.status_code == 200
    assert got.content == data
    listed = client.get(f"{RUN}/files").json()["files"]
    assert [(f["path"], f["size"]) for f in listed] == [(rel, len(data))]


@pytest.mark.parametrize(
    "path",
    [
        "%2e%2e/run.log",
        "media/%2e%2e/%2e%2e/x",
        "%2Fetc%2Fpasswd",
        "a%5Cb",
        "a//b",
        "a/%2e/b",
        "x%00",
    ],
)
def test_file_paths_that_leave_the_files_folder_are_refused(
    client: AppClient, tmp_path: Path, path: str
) -> None:
    answer = put(client, path, b"evil")
    assert answer.status_code in (400, 404), answer.text
    if answer.status_code == 400:
        assert "bad file path" in answer.json()["error"]["message"]
    run_folder = tmp_path / "root" / ENTITY / PROJECT
    written = [p for p in (tmp_path / "root").rglob("*") if p.is_file()]
    assert written == [], (path, written, run_folder)


def test_a_file_over_the_limit_is_413_and_leaves_nothing(store: Store, tmp_path: Path) -> None:
    client = make_client(store, tmp_path, ServerLimits(max_file_bytes=100))
    answer = put(client, "big.bin", b"x" * 101)
    assert answer.status_code == 413
    assert "100 bytes" in answer.json()["error"]["message"]

    async def pieces() -> AsyncIterator[bytes]:
        for _ in range(5):
            yield b"y" * 40

    chunked = client.request("PUT", f"{RUN}/files/big.bin", content=pieces())
    assert chunked.status_code == 413
    assert [p for p in (tmp_path / "root").rglob("*") if p.is_file()] == []
    assert put(client, "small.bin", b"x" * 100).status_code == 200


def test_a_failed_rewrite_keeps_the_old_file(store: Store, tmp_path: Path) -> None:
    client = make_client(store, tmp_path, ServerLimits(max_file_bytes=100))
    assert put(client, "notes.txt", b"first").status_code == 200
    assert put(client, "notes.txt", b"z" * 500).status_code == 413
    post(client, encode_frames(session_records()[:1]))
    assert client.get(f"{RUN}/files/notes.txt").content == b"first"


def test_files_roundtrip_through_an_fsspec_media_store(store: Store, tmp_path: Path) -> None:
    media = FsspecMediaStore(f"memory://tb-test-{time.time_ns()}/media")
    client = make_client(store, tmp_path, media_store=media)
    post(client, encode_frames(session_records()[:2]))
    rel = "media/images/pred_0_0123456789abcdef0123.png"
    data = png_bytes()
    assert put(client, rel, data).status_code == 200
    assert put(client, "config.yaml", b"lr: 0.1\n").status_code == 200
    assert media.read(ENTITY, PROJECT, "r1", rel) == data
    listed = client.get(f"{RUN}/files").json()["files"]
    assert [f["path"] for f in listed] == ["config.yaml", rel]
    got = client.get(f"{RUN}/files/{rel}")
    assert got.status_code == 200
    assert got.content == data
    assert got.headers["content-type"] == "image/png"
    thumb = client.get(f"{RUN}/thumbnails/{rel}", params={"size": 20})
    assert thumb.status_code == 200
    with Image.open(io.BytesIO(thumb.content)) as img:
        assert img.size == (20, 10)
    assert client.get(f"{RUN}/files/nope.txt").status_code == 404
    assert not (tmp_path / "root").exists()
