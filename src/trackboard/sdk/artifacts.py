"""Artifacts: versioned sets of files, as ``wandb.Artifact`` and ``run.log_artifact``.

A logged artifact version lives in ``<project folder>/.artifacts/<name>/v<N>/``: its files under
``files/`` and a ``manifest.json`` (type, description, metadata, each file's size and sha256,
the version's digest, the run that logged it). ``aliases.json`` beside the versions maps aliases
(``latest`` and the user's) to versions. Logging content identical to the latest version adds
aliases to it instead of making a new version, as wandb does. Writers on several processes are
serialised by a lock file, so versions are never skipped or taken twice.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import re
import shutil
import tempfile
import time
import weakref
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO, Any

from trackboard.errors import InvalidInputError, NotFoundError

_NAME = re.compile(r"^[A-Za-z0-9_.-]{1,128}$")
ARTIFACTS_FOLDER = ".artifacts"


def _check_name(name: str) -> str:
    if not isinstance(name, str) or not _NAME.match(name) or name in (".", ".."):
        raise InvalidInputError(
            f"artifact name {name!r} must be 1-128 letters, digits, '-', '_' or '.'"
        )
    return name


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


class Artifact:
    """A set of files to version: ``add_file``, ``add_dir``, ``new_file``, then log it."""

    def __init__(
        self,
        name: str,
        type: str,
        description: str | None = None,
        metadata: dict[str, Any] | None = None,
        incremental: bool = False,
        use_as: str | None = None,
    ) -> None:
        self.name = _check_name(name)
        self.type = type
        self.description = description
        self.metadata: dict[str, Any] = dict(metadata or {})
        self.version: str | None = None
        self.aliases: list[str] = []
        self.digest: str | None = None
        self._sources: dict[str, Path] = {}
        self._staging: Path | None = None
        self._stored: Path | None = None

    # -- building -----------------------------------------------------------------------
    def add_file(
        self, local_path: str | os.PathLike[str], name: str | None = None, **kwargs: Any
    ) -> str:
        source = Path(local_path)
        if not source.is_file():
            raise InvalidInputError(f"artifact {self.name}: {source} is not a file")
        entry = _entry_name(name if name is not None else source.name)
        self._sources[entry] = source.absolute()
        return entry

    def add_dir(
        self, local_path: str | os.PathLike[str], name: str | None = None, **kwargs: Any
    ) -> None:
        base = Path(local_path)
        if not base.is_dir():
            raise InvalidInputError(f"artifact {self.name}: {base} is not a directory")
        for path in sorted(base.rglob("*")):
            if path.is_file():
                relative = path.relative_to(base).as_posix()
                self.add_file(path, f"{name}/{relative}" if name else relative)

    @contextlib.contextmanager
    def new_file(
        self, name: str, mode: str = "x", encoding: str | None = None
    ) -> Iterator[IO[Any]]:
        entry = _entry_name(name)
        if self._staging is None:
            self._staging = Path(tempfile.mkdtemp(prefix="trackboard-artifact-"))
            weakref.finalize(self, shutil.rmtree, self._staging, ignore_errors=True)
        path = self._staging / entry
        path.parent.mkdir(parents=True, exist_ok=True)
        with path.open(mode, encoding=encoding) as handle:
            yield handle
        self._sources[entry] = path

    def add_reference(self, uri: str, name: str | None = None, **kwargs: Any) -> None:
        self.metadata.setdefault("_references", []).append({"uri": uri, "name": name})

    # -- reading a logged version -------------------------------------------------------
    @property
    def qualified_name(self) -> str:
        return f"{self.name}:{self.version}" if self.version else self.name

    source_name = qualified_name

    def files(self) -> list[str]:
        return sorted(self._sources)

    def get_path(self, name: str) -> Path:
        if self._stored is None:
            raise InvalidInputError(f"artifact {self.name} has not been logged or used yet")
        path = self._stored / "files" / _entry_name(name)
        if not path.is_file():
            raise NotFoundError(f"artifact {self.qualified_name} has no file {name!r}")
        return path

    def download(self, root: str | os.PathLike[str] | None = None, **kwargs: Any) -> str:
        """Copy the version's files to ``root`` (default ``./artifacts/<name>:<version>``)."""
        if self._stored is None:
            raise InvalidInputError(f"artifact {self.name} has not been logged or used yet")
        target = Path(root) if root is not None else Path("artifacts") / self.qualified_name
        shutil.copytree(self._stored / "files", target, dirs_exist_ok=True)
        return str(target)

    def wait(self, timeout: float | None = None) -> Artifact:
        return self

    def save(self) -> None:
        """Nothing to do: a logged artifact is saved when it is logged."""

    def __repr__(self) -> str:
        return f"<Artifact {self.qualified_name} ({self.type})>"


def _entry_name(name: str) -> str:
    parts = [p for p in Path(name).as_posix().split("/") if p not in ("", ".")]
    if not parts or ".." in parts:
        raise InvalidInputError(f"artifact file name {name!r} must stay inside the artifact")
    return "/".join(parts)


@contextlib.contextmanager
def _locked(folder: Path) -> Iterator[None]:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data: dict[str, Any] = json.loads(path.read_text())
    except FileNotFoundError:
        return {}
    return data


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=1, sort_keys=True))
    os.replace(tmp, path)


def log_artifact(
    project_dir: Path, artifact: Artifact, run_id: str, aliases: Sequence[str] = ()
) -> Artifact:
    """Store ``artifact`` as a new version (or alias the identical latest one)."""
    files = {entry: (source, _sha256(source)) for entry, source in artifact._sources.items()}
    digest = hashlib.sha256(
        "\n".join(f"{entry}:{sha}" for entry, (_, sha) in sorted(files.items())).encode()
    ).hexdigest()
    folder = project_dir / ARTIFACTS_FOLDER / artifact.name
    with _locked(folder):
        alias_map: dict[str, str] = _read_json(folder / "aliases.json")
        latest = alias_map.get("latest")
        manifest = _read_json(folder / latest / "manifest.json") if latest else {}
        if latest and manifest.get("digest") == digest and manifest.get("type") == artifact.type:
            version = latest
        else:
            version = f"v{len([p for p in folder.glob('v*') if p.is_dir()])}"
            stored = folder / version
            (stored / "files").mkdir(parents=True)
            for entry, (source, _sha) in files.items():
                target = stored / "files" / entry
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
            manifest = {
                "name": artifact.name,
                "type": artifact.type,
                "description": artifact.description,
                "metadata": artifact.metadata,
                "version": version,
                "digest": digest,
                "created_at": time.time(),
                "logged_by": run_id,
                "files": {
                    e: {"sha256": sha, "size": s.stat().st_size} for e, (s, sha) in files.items()
                },
            }
            _write_json(stored / "manifest.json", manifest)
        for alias in ("latest", *aliases):
            alias_map[alias] = version
        _write_json(folder / "aliases.json", alias_map)
    artifact.version = version
    artifact.digest = digest
    artifact.aliases = sorted(a for a, v in alias_map.items() if v == version)
    artifact._stored = folder / version
    return artifact


def use_artifact(
    root: Path, entity: str, project: str, spec: str, type: str | None = None
) -> Artifact:
    """The stored version named by ``spec``: ``name``, ``name:alias``, ``name:vN``, or
    ``entity/project/name:alias``."""
    path, _, alias = spec.partition(":")
    parts = path.split("/")
    if len(parts) == 3:
        entity, project, name = parts
    elif len(parts) == 2:
        project, name = parts
    else:
        name = parts[0]
    _check_name(name)
    folder = root / entity / project / ARTIFACTS_FOLDER / name
    alias_map = _read_json(folder / "aliases.json")
    alias = alias or "latest"
    version = alias if re.fullmatch(r"v\d+", alias) else alias_map.get(alias)
    if version is None or not (folder / version / "manifest.json").is_file():
        raise NotFoundError(f"artifact {entity}/{project}/{name}:{alias} not found")
    manifest = _read_json(folder / version / "manifest.json")
    if type is not None and manifest.get("type") != type:
        raise InvalidInputError(
            f"artifact {name}:{alias} has type {manifest.get('type')!r}, not {type!r}"
        )
    artifact = Artifact(
        name, manifest["type"], manifest.get("description"), manifest.get("metadata")
    )
    artifact.version = version
    artifact.digest = manifest.get("digest")
    artifact.aliases = sorted(a for a, v in alias_map.items() if v == version)
    artifact._stored = folder / version
    artifact._sources = {e: folder / version / "files" / e for e in manifest.get("files", {})}
    return artifact
