"""``Video``: a clip stored as a GIF (from numpy) or copied from a file.

From numpy (or a torch tensor): ``(time, channel, height, width)`` or
``(batch, time, channel, height, width)``; a batch is tiled into a grid (padded with black
clips to a power of two, as wandb does). Pixels follow the :class:`Image` normalisation rule.
Frames are encoded as an animated GIF with Pillow at ``fps`` frames per second (default 4);
other formats from numpy raise :class:`ValueError` (no video encoder is bundled). From a path,
``mp4``, ``webm``, ``ogg`` and ``gif`` files are copied as is. The row keeps
``{"_type": "video-file", "path", "sha256", "size", "width", "height", "format", "caption"?}``
(width and height are None for copied non-GIF files); a list keeps
``{"_type": "videos", "count", "videos": [refs]}``.
"""

from __future__ import annotations

import io
import os
from typing import Any, ClassVar

from trackboard.media.base import Media, Target, caption_text, read_path, store_bytes
from trackboard.media.image import to_uint8

FILE_FORMATS = ("gif", "mp4", "webm", "ogg")
DEFAULT_FPS = 4


class Video(Media):
    """A video to log; see the module docstring for what ``data_or_path`` may be."""

    _log_type: ClassVar[str] = "video-file"

    def __init__(
        self,
        data_or_path: Any,
        caption: Any = None,
        fps: int | None = None,
        format: str | None = None,
    ) -> None:
        self.caption = caption_text(caption)
        self.fps = DEFAULT_FPS if fps is None else fps
        self.width: int | None
        self.height: int | None
        if isinstance(data_or_path, str | os.PathLike):
            self._from_path(data_or_path)
        else:
            if format is not None and format.lower() != "gif":
                raise ValueError(
                    f"Video: format {format!r} cannot be encoded from arrays; only 'gif' can"
                )
            if not isinstance(self.fps, int | float) or self.fps <= 0:
                raise ValueError(f"Video: fps must be a positive number, got {fps!r}")
            self._data, self.width, self.height = _gif(data_or_path, self.fps)
            self.format = "gif"

    def _from_path(self, path: str | os.PathLike[str]) -> None:
        name = os.fspath(path)
        fmt = os.path.splitext(name)[1].lower().lstrip(".")
        if fmt not in FILE_FORMATS:
            raise ValueError(
                f"Video: {name!r} must be one of {', '.join(FILE_FORMATS)} (by its extension)"
            )
        self._data = read_path(path, "Video")
        self.format = fmt
        self.width = self.height = None
        if fmt == "gif":
            from PIL import Image as PILImage

            with PILImage.open(io.BytesIO(self._data)) as pil:
                self.width, self.height = pil.size

    def _store(self, target: Target, key: str) -> dict[str, Any]:
        stored = store_bytes(target, "videos", key, self._data, "." + self.format)
        ref = stored.reference("video-file")
        ref.update(width=self.width, height=self.height, format=self.format)
        if self.caption is not None:
            ref["caption"] = self.caption
        return ref

    @classmethod
    def group(cls, key: str, videos: list[Video], target: Target) -> dict[str, Any]:
        """A list of videos under one key: ``{"_type": "videos", ...}``."""
        return {
            "_type": "videos",
            "count": len(videos),
            "videos": [video.bind(target, key) for video in videos],
        }

    def __repr__(self) -> str:
        return f"<Video {self.format}>"


def _frames(data: Any) -> Any:
    """The clip as (time, height, width, channels) ``uint8``, a batch tiled into a grid."""
    import numpy as np

    if hasattr(data, "detach"):
        data = data.detach().cpu().numpy()
    clip = np.asarray(data)
    if clip.ndim == 4:
        clip = clip[None]
    if clip.ndim != 5 or clip.shape[2] not in (1, 3, 4) or 0 in clip.shape:
        raise ValueError(
            f"Video: arrays must be (time, channel, height, width) or (batch, time, channel, "
            f"height, width) with 1, 3 or 4 channels, got shape {list(clip.shape)}"
        )
    if clip.dtype.kind not in "biuf":
        raise ValueError(f"Video: pixel values must be numbers, got dtype {clip.dtype}")
    clip = to_uint8(clip)
    batch, time, channels, height, width = clip.shape
    padded = 1 << (batch - 1).bit_length()
    if padded > batch:
        filler = np.zeros((padded - batch, time, channels, height, width), dtype=np.uint8)
        clip = np.concatenate([clip, filler])
    rows = 1 << ((padded.bit_length() - 1) // 2)
    cols = padded // rows
    grid = clip.reshape(rows, cols, time, channels, height, width)
    grid = grid.transpose(2, 0, 4, 1, 5, 3).reshape(time, rows * height, cols * width, channels)
    return grid


def _gif(data: Any, fps: float) -> tuple[bytes, int, int]:
    from PIL import Image as PILImage

    frames = _frames(data)
    if frames.shape[-1] == 1:
        frames = frames[..., 0]
    images = [PILImage.fromarray(frame) for frame in frames]
    buffer = io.BytesIO()
    images[0].save(
        buffer,
        format="gif",
        save_all=True,
        append_images=images[1:],
        duration=max(1, round(1000 / fps)),
        loop=0,
    )
    height, width = frames.shape[1], frames.shape[2]
    return buffer.getvalue(), int(width), int(height)
