"""Builds the web dashboard into the package when a wheel or editable install is made.

Runs `npm ci` (when web/node_modules is missing or older than the lock file) and `npm run build`
in web/ whenever src/trackboard/server/static/index.html is missing or older than the newest
dashboard source. Set TRACKBOARD_SKIP_FRONTEND=1 to skip it (the server then says how to build).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

ROOT = Path(__file__).resolve().parent
WEB = ROOT / "web"
INDEX = ROOT / "src" / "trackboard" / "server" / "static" / "index.html"


def _newest_source_mtime() -> float:
    paths = [WEB / "index.html", WEB / "package-lock.json", *WEB.glob("vite.config.*")]
    paths += [p for p in (WEB / "src").rglob("*") if p.is_file()]
    return max((p.stat().st_mtime for p in paths if p.exists()), default=0.0)


def bundle_is_stale() -> bool:
    return not INDEX.is_file() or INDEX.stat().st_mtime < _newest_source_mtime()


def dependencies_are_stale() -> bool:
    modules = WEB / "node_modules"
    lock = WEB / "package-lock.json"
    return not modules.is_dir() or modules.stat().st_mtime < lock.stat().st_mtime


class CustomBuildHook(BuildHookInterface):  # type: ignore[type-arg]
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if os.environ.get("TRACKBOARD_SKIP_FRONTEND") == "1":
            return
        if not (WEB / "package.json").is_file():
            # A wheel built from an sdist: the bundle already comes with it.
            return
        if not bundle_is_stale():
            return
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "Building trackboard's web dashboard needs Node.js 20.19+ and npm, which were not "
                "found on PATH. Install Node.js (https://nodejs.org), or set "
                "TRACKBOARD_SKIP_FRONTEND=1 to install without the dashboard."
            )
        if dependencies_are_stale():
            self._npm(npm, "ci", "--no-audit", "--no-fund")
            (WEB / "node_modules").touch()
        self._npm(npm, "run", "build")
        if not INDEX.is_file():
            raise RuntimeError(f"npm run build did not produce {INDEX}")

    def _npm(self, npm: str, *args: str) -> None:
        self.app.display_info(f"trackboard: npm {' '.join(args)} (in web/)")
        result = subprocess.run([npm, *args], cwd=WEB, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"`npm {' '.join(args)}` failed in {WEB} (exit {result.returncode})")
