"""The real app served by uvicorn on a free port in a thread, over a real SQLite store."""

from __future__ import annotations

import socket
import threading
import time
from pathlib import Path
from typing import Any

import uvicorn

from trackboard.server import create_app
from trackboard.settings import Settings
from trackboard.store.sqlite import SqliteStore


class LiveServer:
    """``create_app(...)`` listening on 127.0.0.1; ``store`` is the server's store."""

    def __init__(self, folder: Path, **options: Any) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.store = SqliteStore(folder / "server.db")
        self.media = folder / "media"
        app = create_app(self.store, Settings(root=self.media), **options)
        self._sock = socket.socket()
        self._sock.bind(("127.0.0.1", 0))
        self._sock.listen(64)
        self.port = int(self._sock.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app, http="h11", ws="none", lifespan="on", log_level="warning", access_log=False
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._sock]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 20
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the test server did not start")
            time.sleep(0.01)

    def close(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._sock.close()
        self.store.close()
