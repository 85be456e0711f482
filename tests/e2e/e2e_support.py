"""Helpers for the dashboard's browser tests: a real `trackboard ui` in a subprocess, runs
logged with the real SDK, and screenshots."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import textwrap
import threading
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

from playwright.sync_api import Page

CHROMIUM = os.environ.get("TRACKBOARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).parent / "artifacts"
STATIC_INDEX = Path(__file__).parents[2] / "src" / "trackboard" / "server" / "static" / "index.html"


def root_env(root: Path) -> dict[str, str]:
    """The environment of the server and of the scripts that log into ``root``."""
    return {**os.environ, "TRACKBOARD_DIR": str(root), "TRACKBOARD_SILENT": "true"}


def cli(env: dict[str, str], *args: str) -> str:
    """``trackboard ARGS`` to completion; its stripped output (it must succeed)."""
    done = subprocess.run(
        [sys.executable, "-m", "trackboard.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.strip()


class Server:
    """`trackboard ui` over a temporary root, in a subprocess (or another serving command,
    such as `trackboard server --db ... --root ROOT`)."""

    def __init__(
        self, root: Path, command: Sequence[str] = ("ui", "--port", "0", "--no-browser")
    ) -> None:
        self.root = root
        self.env = root_env(root)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trackboard.cli", *command],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.output: list[str] = []
        """Everything the server printed (its URL line included), kept up to date."""
        self.url = self._wait_for_url()
        # Keep reading the server's output so it never blocks on a full pipe.
        self._drainer = threading.Thread(target=self._drain, daemon=True)
        self._drainer.start()

    def _drain(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)

    def _wait_for_url(self) -> str:
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 30
        seen = self.output
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            if not line:
                if self.proc.poll() is not None:
                    break
                continue
            seen.append(line)
            match = re.search(r"https?://[\w.\-]+:\d+", line)
            if match:
                return match.group(0)
        self.stop()
        raise RuntimeError("the server did not print its URL:\n" + "".join(seen))

    def log(self, script: str, timeout: float = 60) -> None:
        """Runs `script` (Python using the SDK) against this server's root."""
        subprocess.run(
            [sys.executable, "-c", textwrap.dedent(script)],
            env=self.env,
            cwd=self.root,
            check=True,
            timeout=timeout,
            capture_output=True,
        )

    def start(self, script: str) -> subprocess.Popen[bytes]:
        """Starts `script` (Python using the SDK) in the background against this server's root."""
        return subprocess.Popen(
            [sys.executable, "-c", textwrap.dedent(script)],
            env=self.env,
            cwd=self.root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def wait_for_runs(self, project: str, count: int, timeout: float = 15) -> None:
        """Waits until the server has ingested `count` runs of `project` (it follows run logs)."""
        url = f"{self.url}/api/v1/projects/local/{project}/runs"
        deadline = time.monotonic() + timeout
        while True:
            with urllib.request.urlopen(url, timeout=5) as resp:
                runs = json.load(resp)["runs"]
            if len(runs) >= count and all(r["state"] != "running" for r in runs):
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"{project}: {len(runs)} of {count} runs after {timeout} s")
            time.sleep(0.1)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        drainer = getattr(self, "_drainer", None)
        if drainer is not None:
            drainer.join(timeout=5)
        if self.proc.stdout is not None:
            self.proc.stdout.close()


SEED = """
import math
import trackboard as wandb

for i, lr in enumerate([0.1, 0.03, 0.01]):
    run = wandb.init(project="{project}", name=f"run-{{i}}", config={{"lr": lr, "epochs": 60}},
                     tags=["seed"])
    for epoch in range(60):
        spike = 3.0 if (i == 1 and epoch == 40) else 0.0
        loss = math.exp(-epoch * lr) + spike + 0.01 * (epoch % 7)
        wandb.log({{"train_loss": loss}}, step=epoch)
    wandb.log({{"val_acc": 0.7 + 0.1 * i, "val_loss": 0.5 - 0.1 * i}})
    run.finish()
"""


def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path
