"""``save()``: copying files into the run's ``files/`` folder, as ``wandb.save`` does.

A relative glob keeps its relative path (``save("ckpt/*.pt")`` -> ``files/ckpt/a.pt``); with
``base_path`` the path is taken relative to it; an absolute glob without ``base_path`` keeps only
the file name. Nothing outside ``files/`` is ever written.
"""

from __future__ import annotations

import glob as _glob
import os
import shutil
from pathlib import Path

from trackboard.errors import InvalidInputError

POLICIES = ("live", "end", "now")


def save_files(
    glob_str: str | os.PathLike[str],
    files_dir: Path,
    base_path: str | os.PathLike[str] | None = None,
    policy: str = "live",
) -> list[str]:
    """Copy the files matching ``glob_str`` into ``files_dir``; the paths of the copies."""
    if policy not in POLICIES:
        raise InvalidInputError(f"save policy must be one of {', '.join(POLICIES)}, got {policy!r}")
    pattern = os.fspath(glob_str)
    if not pattern:
        raise InvalidInputError("save() needs a file path or glob")
    if base_path is not None:
        base = Path(base_path).expanduser().absolute()
        full = pattern if os.path.isabs(pattern) else os.path.join(base, pattern)
    elif os.path.isabs(pattern):
        full, base = pattern, None
    else:
        full, base = os.path.abspath(pattern), Path.cwd()
    saved: list[str] = []
    root = files_dir.absolute()
    for match in sorted(_glob.glob(full, recursive=True)):
        source = Path(match)
        if not source.is_file():
            continue
        relative = _relative(source, base)
        target = (root / relative).absolute()
        if root not in target.parents:
            relative = Path(source.name)
            target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if source.absolute() != target:
            shutil.copy2(source, target)
        saved.append(str(target))
    return saved


def _relative(source: Path, base: Path | None) -> Path:
    if base is None:
        return Path(source.name)
    try:
        return source.absolute().relative_to(base)
    except ValueError:
        return Path(source.name)
