"""The seam between ``Run.log`` and :mod:`trackboard.media`, loaded only when media are logged."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any


def bind_media(
    key: str,
    value: Any,
    files_dir: Path,
    step: int | str,
    warn: Callable[[str], None],
    writer: Any = None,
) -> Any:
    """Write the files of a media ``value`` logged under ``key`` at ``step``; its reference.

    ``files_dir`` is the run's ``files/`` folder; ``step`` the step of the row the value joins
    (``"summary"`` for a summary assignment); ``writer`` the run's background
    :class:`~trackboard.media.base.FileWriter` (files are written at once without one).
    """
    from trackboard.media.base import Target
    from trackboard.media.binding import bind

    return bind(key, value, Target(files_dir, step, warn, writer))


def file_writer() -> Any:
    """A new background writer for one run's media files."""
    from trackboard.media.base import FileWriter

    return FileWriter()
