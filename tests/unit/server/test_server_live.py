"""The follower thread of ``trackboard ui`` starts and stops with the app."""

from __future__ import annotations

import threading
from pathlib import Path

from trackboard.ingest.follow import RootFollower
from trackboard.server.live import LiveFollower
from trackboard.store.sqlite import SqliteStore


def test_live_follower_polls_until_stopped(store: SqliteStore, tmp_path: Path) -> None:
    polled = threading.Event()

    class Counting(RootFollower):
        def poll(self):  # type: ignore[no-untyped-def]
            polled.set()
            return super().poll()

    live = LiveFollower(Counting(store, tmp_path / "root"), interval=0.01)
    live.start()
    thread = live._thread
    assert thread is not None and thread.is_alive()
    assert polled.wait(5)
    live.stop()
    assert not thread.is_alive()
    assert live._thread is None
