"""A run's charts read back through ``trackboard.Api``, for the ``trackboard.sklearn`` tests."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import trackboard


class Stored:
    """A finished run read back through :class:`trackboard.Api`: rows, config, chart tables."""

    def __init__(self, root: Path, run: Any) -> None:
        api = trackboard.Api(root=root)
        self.run = api.run(f"{run.entity}/{run.project}/{run.id}")
        self.rows: list[dict[str, Any]] = list(self.run.scan_history())
        self.config: dict[str, Any] = dict(self.run.config)

    def keys(self) -> list[str]:
        """The chart keys of each row, in step order (``_``-keys left out)."""
        return [k for row in self.rows for k in row if not k.startswith("_")]

    def table(self, key: str) -> dict[str, Any]:
        """The ``.table.json`` body of the last table logged under ``key``."""
        ref = next(row[key] for row in reversed(self.rows) if key in row)
        assert ref["_type"] == "table-file"
        folder = self.run.folder
        assert folder is not None
        body: dict[str, Any] = json.loads((folder / "files" / ref["path"]).read_text())
        return body

    def viz(self, key: str) -> Any:
        """The ``_wandb.viz`` entry of ``key``."""
        return self.config["_wandb"]["viz"][key]


class Session:
    """``start()`` an offline run; ``finish()`` it and read it back."""

    def __init__(self, tmp_path: Path) -> None:
        self.tmp_path = tmp_path
        self.current: Any = None

    def start(self) -> Any:
        self.current = trackboard.init(dir=self.tmp_path, mode="offline", project="sk")
        return self.current

    def finish(self) -> Stored:
        self.current.finish()
        return Stored(self.tmp_path / "trackboard", self.current)


__all__ = ["Session", "Stored"]
