"""Server-made thumbnails of logged images, cached on disk.

A thumbnail is a PNG at most ``size`` pixels on its longer side (an image already that small
is converted, not enlarged), kept in ``cache_dir`` under a name made from the source path,
its size and modification time and ``size``, so a changed source gets a new thumbnail. When
the cache cannot be written (a read-only root) the thumbnail is still made and returned.
Pillow is loaded on first use.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

from trackboard.errors import InvalidInputError

MIN_SIZE = 16
MAX_SIZE = 1024
DEFAULT_SIZE = 256


def check_size(size: int) -> int:
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InvalidInputError(f"size must be in {MIN_SIZE}..{MAX_SIZE} pixels, got {size}")
    return size


def make_thumbnail(source: Path, size: int) -> bytes:
    """PNG bytes of ``source`` scaled to fit ``size`` x ``size``; InvalidInputError when it
    is not an image Pillow can read."""
    from PIL import Image, UnidentifiedImageError

    check_size(size)
    try:
        with Image.open(source) as opened:
            opened.seek(0)  # the first frame of an animation
            opened.thumbnail((size, size))
            img: Image.Image = opened
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA")
            out = io.BytesIO()
            img.save(out, format="PNG")
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise InvalidInputError(f"{source.name} is not an image: {exc}") from None
    return out.getvalue()


def thumbnail(source: Path, size: int, cache_dir: Path | None) -> bytes:
    """The thumbnail of ``source``, from ``cache_dir`` when made before."""
    stat = source.stat()
    ident = f"{source}\0{stat.st_size}\0{stat.st_mtime_ns}\0{size}".encode()
    name = hashlib.sha256(ident).hexdigest()[:32] + ".png"
    cached = None if cache_dir is None else cache_dir / name
    if cached is not None and cached.is_file():
        return cached.read_bytes()
    data = make_thumbnail(source, size)
    if cached is not None:
        _write_quietly(cached, data)
    return data


def _write_quietly(path: Path, data: bytes) -> None:
    """Write ``path`` atomically; a cache that cannot be written is no error."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except OSError:
        pass
