"""``trackboard server`` for real: uploads over a socket to a subprocess, with the upload
flags (``--media``, ``--max-request-mb``, ``--max-file-mb``) taking effect."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from cli_process import serving

from trackboard.records import HistoryRow, Record, RunStart
from trackboard.runlog import encode_frames

FRAMES = {"content-type": "application/x-trackboard-frames"}


def records(first: int, last: int) -> list[Record]:
    out: list[Record] = []
    for seq in range(first, last + 1):
        if seq == 0:
            out.append(
                RunStart(seq=0, session="s1", run_id="r1", entity="x", project="y", start_time=1.0)
            )
        else:
            out.append(
                HistoryRow(
                    seq=seq, step=seq - 1, timestamp=1.0 + seq, runtime=seq, values={"v": seq}
                )
            )
    return out


@pytest.fixture
def server(tmp_path: Path, root: Path) -> Iterator[str]:
    args = ["server", "--db", str(tmp_path / "server.db"), "--port", "0", "--no-auth"]
    args += ["--media", str(tmp_path / "media"), "--max-request-mb", "0.01"]
    args += ["--max-file-mb", "0.001"]
    with serving(root.parent, *args) as served:
        url = served.url
        yield url


def test_uploads_reach_the_store_and_the_media_folder(server: str, tmp_path: Path) -> None:
    run = f"{server}/api/v1/projects/team/vision/runs/r1"
    with httpx.Client(timeout=30) as http:
        assert http.get(f"{run}/sessions").json() == {"sessions": {}}
        for first, last in ((0, 9), (10, 19), (20, 29)):
            answer = http.post(
                f"{run}/records",
                params={"session": "s1"},
                content=encode_frames(records(first, last)),
                headers=FRAMES,
            )
            assert answer.status_code == 200, answer.text
            assert answer.json()["cursor"] == last
        assert http.get(f"{run}/sessions").json() == {"sessions": {"s1": 29}}
        detail = http.get(run).json()
        assert detail["summary"]["v"] == 29

        put = http.put(f"{run}/files/media/a.txt", content=b"hello")
        assert put.status_code == 200
        assert (tmp_path / "media/team/vision/r1/files/media/a.txt").read_bytes() == b"hello"
        assert http.get(f"{run}/files/media/a.txt").content == b"hello"

        big = http.put(f"{run}/files/big.bin", content=b"x" * 2000)
        assert big.status_code == 413
        assert "1048 bytes" in big.json()["error"]["message"]
        body = encode_frames(records(30, 400))
        assert len(body) > 10_485
        too_long = http.post(
            f"{run}/records", params={"session": "s1"}, content=body, headers=FRAMES
        )
        assert too_long.status_code == 413
        assert "10485 bytes" in too_long.json()["error"]["message"]

        def chunks() -> Iterator[bytes]:  # no Content-Length: the server counts as it reads
            for start in range(0, len(body), 1000):
                yield body[start : start + 1000]

        chunked = http.post(
            f"{run}/records", params={"session": "s1"}, content=chunks(), headers=FRAMES
        )
        assert chunked.status_code == 413
        assert http.get(f"{run}/sessions").json() == {"sessions": {"s1": 29}}
