"""The uploader against the real app on a free port: exactly once, resumable, bounded."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sync_helpers import LiveServer

import trackboard
from trackboard.errors import RemoteError, ServerError
from trackboard.records import Exit, HistoryRow, Record, RunStart
from trackboard.runlog import encode_frames
from trackboard.runlog.frames import FILE_HEADER
from trackboard.server.limits import ServerLimits
from trackboard.server.media_store import LocalMediaStore
from trackboard.sync.http import ServerClient
from trackboard.sync.uploader import STATE_FILE, Uploader, is_uploaded, upload_entity

QUIET = {"x_disable_stats": True, "console": "off"}


def _log_run(steps: int, keys: int = 3, **values: Any) -> tuple[Path, str]:
    run = trackboard.init(project="p", settings=QUIET)
    for step in range(steps):
        run.log({f"k{k}": step * 10 + k for k in range(keys)} | values)
    run.finish()
    return Path(run.dir).parent, run.id


def _uploader(server: LiveServer, folder: Path, run_id: str, **options: Any) -> Uploader:
    return Uploader(folder, ServerClient(server.url), "local", "p", run_id, **options)


def _series(server: LiveServer, run_id: str, key: str, entity: str = "local") -> list[float]:
    pk = server.store.run(entity, "p", run_id).pk
    columns = server.store.series(pk, key)
    assert list(columns.steps) == list(range(len(columns)))
    return [float(v) for v in columns.values]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_every_record_arrives_once_and_a_second_upload_sends_nothing(
    root: Path, live: LiveServer
) -> None:
    folder, run_id = _log_run(300)
    first = _uploader(live, folder, run_id)
    first.run_to_completion()
    assert _series(live, run_id, "k2") == [step * 10 + 2 for step in range(300)]
    assert live.store.run("local", "p", run_id).state == "finished"
    assert first.pending().empty and is_uploaded(folder, first.client.host)
    sessions = live.store.sessions("local", "p", run_id)

    again = _uploader(live, folder, run_id)
    again.run_to_completion()
    assert again.progress.records == 0
    assert live.store.sessions("local", "p", run_id) == sessions
    assert len(_series(live, run_id, "k0")) == 300


def test_a_resumed_run_uploads_only_its_new_session(root: Path, live: LiveServer) -> None:
    folder, run_id = _log_run(50)
    _uploader(live, folder, run_id).run_to_completion()
    run = trackboard.init(project="p", id=run_id, resume="allow", settings=QUIET)
    for _ in range(20):
        run.log({"k0": -1.0})
    run.finish()
    second = _uploader(live, folder, run_id)
    second.run_to_completion()
    # The new session's RunStart, config, 20 rows and Exit; nothing of the first session.
    assert 22 <= second.progress.records <= 25
    assert len(live.store.sessions("local", "p", run_id)) == 2
    assert _series(live, run_id, "k0")[-1] == -1.0 and len(_series(live, run_id, "k0")) == 70


def test_upload_state_the_server_contradicts_is_not_trusted(root: Path, live: LiveServer) -> None:
    folder, run_id = _log_run(40)
    _uploader(live, folder, run_id).run_to_completion()
    live.store.delete_run(live.store.run("local", "p", run_id).pk)
    again = _uploader(live, folder, run_id)
    again.run_to_completion()  # upload.json says all is there; the server's cursors say not
    assert _series(live, run_id, "k1") == [step * 10 + 1 for step in range(40)]


def test_batches_the_server_finds_too_large_are_split(
    root: Path, serve: Callable[..., LiveServer]
) -> None:
    server = serve(limits=ServerLimits(max_records_bytes=16_000))
    folder, run_id = _log_run(600, keys=5)
    uploader = _uploader(server, folder, run_id)
    uploader.run_to_completion()
    assert _series(server, run_id, "k4") == [step * 10 + 4 for step in range(600)]
    assert uploader.pending().empty


def test_a_record_over_the_servers_limit_stops_the_upload_and_stays_local(
    root: Path, serve: Callable[..., LiveServer]
) -> None:
    server = serve(limits=ServerLimits(max_records_bytes=4_000))
    run = trackboard.init(project="p", settings=QUIET)
    run.log({"a": 1})
    run.log({"a": 2, "text": "x" * 8_000})
    run.log({"a": 3})
    run.finish()
    folder = Path(run.dir).parent
    before = (folder / "run.log").read_bytes()
    uploader = _uploader(server, folder, run.id)
    with pytest.raises(RemoteError, match=r"record seq \d+ of session .* over the server's limit"):
        uploader.run_to_completion()
    assert _series(server, run.id, "a") == [1.0]
    assert (folder / "run.log").read_bytes() == before
    assert uploader.pending().records >= 3


def test_a_busy_server_is_retried_after_its_retry_after(
    root: Path, serve: Callable[..., LiveServer]
) -> None:
    server = serve(limits=ServerLimits(max_ingest_inflight=0, retry_after_s=2))
    folder, run_id = _log_run(5)
    waits: list[float] = []
    with pytest.raises(ServerError) as info:
        _uploader(server, folder, run_id).run_to_completion(max_failures=3, sleep=waits.append)
    assert info.value.status == 429
    assert waits == [2.0, 2.0]


def test_files_are_put_once_and_again_when_they_change(root: Path, live: LiveServer) -> None:
    run = trackboard.init(project="p", settings=QUIET)
    run.log({"img": trackboard.Image(np.zeros((4, 4, 3), dtype=np.uint8))})
    run.finish()
    folder = Path(run.dir).parent
    notes = folder / "files" / "notes" / "a b.txt"
    notes.parent.mkdir()
    notes.write_text("first")
    (folder / "files" / "half.png.123-4.tmp").write_bytes(b"a media file being written")
    uploader = _uploader(live, folder, run.id)
    uploader.run_to_completion()
    assert uploader.progress.files == 2
    stored = live.media / "local" / "p" / run.id / "files"
    assert (stored / "notes" / "a b.txt").read_text() == "first"
    assert len(list((stored / "media" / "images").iterdir())) == 1
    assert not list(stored.glob("*.tmp"))

    again = _uploader(live, folder, run.id)
    again.run_to_completion()
    assert again.progress.files == 0
    notes.write_text("second, longer")
    again.run_to_completion()
    assert again.progress.files == 1
    assert (stored / "notes" / "a b.txt").read_text() == "second, longer"


def test_background_uploader_follows_a_live_run_and_drains_at_finish(
    root: Path, live: LiveServer
) -> None:
    run = trackboard.init(project="p", settings=QUIET)
    folder = Path(run.dir).parent
    uploader = _uploader(live, folder, run.id, poll_interval=0.05)
    uploader.start()
    for step in range(500):
        run.log({"loss": 1.0 / (step + 1)})
    run.finish()
    assert uploader.drain(20.0)
    uploader.close()
    assert _series(live, run.id, "loss") == [1.0 / (step + 1) for step in range(500)]
    assert uploader.pending().empty
    assert (
        json.loads((folder / STATE_FILE).read_text())["offset"]
        == (folder / "run.log").stat().st_size
    )


def test_drain_gives_up_at_its_timeout_when_the_server_is_down(root: Path) -> None:
    folder, run_id = _log_run(30)
    client = ServerClient(f"http://127.0.0.1:{_free_port()}", timeout=1.0)
    uploader = Uploader(folder, client, "local", "p", run_id, poll_interval=0.05)
    uploader.start()
    started = time.monotonic()
    assert not uploader.drain(0.5)
    assert time.monotonic() - started < 5.0
    uploader.close()
    left = uploader.pending()
    assert left.records >= 33 and uploader.error is None  # still worth retrying


def test_runs_of_the_default_entity_go_under_the_users_entity_with_its_key(
    root: Path, serve: Callable[..., LiveServer]
) -> None:
    server = serve(auth=True)
    server.store.add_user("alice")
    key, _row = server.store.create_key("alice")
    folder, run_id = _log_run(10)
    entity = upload_entity("local", "alice")
    assert entity == "alice" and upload_entity("team", "alice") == "team"
    Uploader(folder, ServerClient(server.url, key), entity, "p", run_id).run_to_completion()
    assert _series(server, run_id, "k0", entity="alice") == [step * 10.0 for step in range(10)]


def test_a_refused_key_stops_the_upload_without_retrying(
    root: Path, serve: Callable[..., LiveServer]
) -> None:
    server = serve(auth=True)
    server.store.add_user("alice")
    folder, run_id = _log_run(3)
    waits: list[float] = []
    uploader = Uploader(folder, ServerClient(server.url, "tb_not_a_key"), "alice", "p", run_id)
    with pytest.raises(ServerError) as info:
        uploader.run_to_completion(sleep=waits.append)
    assert info.value.status == 401 and waits == []


def _write_log(path: Path, records: list[Record]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(FILE_HEADER + encode_frames(records))


def test_records_missing_from_the_run_log_stop_the_upload_naming_them(
    root: Path, live: LiveServer
) -> None:
    folder = root / "local" / "p" / "gap"
    rows: list[Record] = [
        HistoryRow(seq=seq, step=seq - 1, timestamp=1.0, runtime=1.0, values={"a": seq})
        for seq in (1, 2, 3, 6, 7)
    ]
    start = RunStart(seq=0, session="s1", run_id="gap", entity="local", project="p", start_time=1)
    _write_log(folder / "run.log", [start, *rows, Exit(8, 2.0, 1.0, 0, "finished")])
    uploader = _uploader(live, folder, "gap", batch_bytes=1)  # one frame per batch
    with pytest.raises(RemoteError, match="no records 4 to 5 of session s1"):
        uploader.run_to_completion()
    assert live.store.sessions("local", "p", "gap") == {"s1": 3}


def test_a_file_rewritten_by_every_upload_is_left_for_later_not_sent_forever(
    root: Path, serve: Callable[..., LiveServer]
) -> None:
    # The server's media store is the client's own root: each PUT rewrites the file it sends.
    server = serve(media_store=LocalMediaStore(root))
    run = trackboard.init(project="p", settings=QUIET)
    run.log({"a": 1})
    run.finish()
    folder = Path(run.dir).parent
    (folder / "files" / "model.txt").write_text("weights")
    uploader = _uploader(server, folder, run.id)
    uploader.run_to_completion()
    assert uploader.progress.files == 0
    assert uploader.pending().files == 1
    assert (folder / "files" / "model.txt").read_text() == "weights"
