"""A run's ``files`` folder to bind media into, for the media tests."""

from __future__ import annotations

from pathlib import Path

from trackboard.media.base import Target


class Bound:
    """A :class:`Target` at step 3 under a fresh ``files`` folder, collecting warnings."""

    def __init__(self, files_dir: Path) -> None:
        self.files_dir = files_dir
        self.warnings: list[str] = []
        self.target = Target(files_dir, 3, self.warnings.append)

    def file(self, ref: dict[str, object]) -> Path:
        """The file a reference points at."""
        path = ref["path"]
        assert isinstance(path, str)
        return self.files_dir / path


__all__ = ["Bound"]
