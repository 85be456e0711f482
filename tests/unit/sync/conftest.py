"""Fixtures: the real app on a free port (``serve``, ``live``)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sync_helpers import LiveServer


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """``serve(**create_app options)``: a started server, closed after the test."""
    servers: list[LiveServer] = []

    def start(**options: Any) -> LiveServer:
        server = LiveServer(tmp_path / f"server{len(servers)}", **options)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def live(serve: Callable[..., LiveServer]) -> LiveServer:
    """A server without keys."""
    return serve()
