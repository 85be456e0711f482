"""Fixtures for the media tests: a run's files folder to bind media into."""

from __future__ import annotations

from pathlib import Path

import pytest
from media_helpers import Bound


@pytest.fixture
def bound(tmp_path: Path) -> Bound:
    files = tmp_path / "run" / "files"
    files.mkdir(parents=True)
    return Bound(files)
