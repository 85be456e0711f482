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
MAX_PIXELS = 64_000_000
"""Larger images get no thumbnail (a 400): a file of a few kilobytes can claim any size, and
decoding it would take gigabytes of memory. The file itself is still served."""


def check_size(size: int) -> int:
    if not MIN_SIZE <= size <= MAX_SIZE:
        raise InvalidInputError(f"size must be in {MIN_SIZE}..{MAX_SIZE} pixels, got {size}")
    return size


def make_thumbnail(source: Path | bytes, size: int, name: str = "the file") -> bytes:
    """PNG bytes of ``source`` (a file, or an image's bytes called ``name``) scaled to fit
    ``size`` x ``size``; InvalidInputError when it is not an image Pillow can read."""
    from PIL import Image, UnidentifiedImageError

    check_size(size)
    if isinstance(source, Path):
        name = source.name
    try:
        with Image.open(source if isinstance(source, Path) else io.BytesIO(source)) as opened:
            if opened.width * opened.height > MAX_PIXELS:
                raise InvalidInputError(
                    f"{name} is {opened.width}x{opened.height} pixels: too large for a "
                    f"thumbnail (at most {MAX_PIXELS:,} pixels)"
                )
            opened.seek(0)  # the first frame of an animation
            opened.thumbnail((size, size))
            img: Image.Image = opened
            if img.mode not in ("RGB", "RGBA", "L", "LA"):
                img = img.convert("RGBA")
            out = io.BytesIO()
            img.save(out, format="PNG")
    except InvalidInputError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, ValueError) as exc:
        raise InvalidInputError(f"{name} is not an image: {exc}") from None
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
