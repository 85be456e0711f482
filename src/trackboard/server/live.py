"""Keep the store up to date with a root's run logs while the server runs (``trackboard ui``).

A background thread runs :meth:`RootFollower.follow`; :class:`LiveFollower` starts it with
the app and stops it (and waits for it) when the app shuts down.
"""

from __future__ import annotations

import threading

from trackboard.ingest.follow import RootFollower


class LiveFollower:
    def __init__(self, follower: RootFollower, interval: float = 1.0) -> None:
        self.follower = follower
        self.interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        self._thread = threading.Thread(
            target=self.follower.follow,
            args=(self._stop, self.interval),
            name="trackboard-follow",
            daemon=True,
        )
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
