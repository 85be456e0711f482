"""``Html``: an HTML page stored as ``media/html/<key>_<step>_<hash>.html``.

``data`` is HTML text, a path to an ``.html`` file (read unless ``data_is_not_path``) or a
file-like object. The row keeps ``{"_type": "html-file", "path", "sha256", "size"}``. The
dashboard shows it in a sandboxed frame, never inline. ``inject`` is accepted for wandb
compatibility; no stylesheet is added.
"""

from __future__ import annotations

import os
from typing import Any, ClassVar

from trackboard.media.base import Media, Target, store_bytes


class Html(Media):
    """An HTML document to log."""

    _log_type: ClassVar[str] = "html-file"

    def __init__(self, data: Any, inject: bool = True, data_is_not_path: bool = False) -> None:
        if hasattr(data, "read"):
            text = data.read()
        elif isinstance(data, os.PathLike) or (
            isinstance(data, str)
            and not data_is_not_path
            and data.lower().endswith((".html", ".htm"))
            and os.path.isfile(data)
        ):
            with open(data, encoding="utf-8") as source:
                text = source.read()
        else:
            text = data
        if isinstance(text, bytes):
            text = text.decode("utf-8")
        if not isinstance(text, str):
            raise TypeError(
                f"Html: data must be HTML text, a path or a file, got {type(data).__name__}"
            )
        self.html = text

    def _store(self, target: Target, key: str) -> dict[str, Any]:
        return store_bytes(target, "html", key, self.html.encode("utf-8"), ".html").reference(
            "html-file"
        )

    def __repr__(self) -> str:
        return f"<Html {len(self.html)} characters>"
