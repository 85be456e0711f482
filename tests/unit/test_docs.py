"""The docs stay true to the code: every command and setting is documented."""

from __future__ import annotations

import argparse
import dataclasses
from pathlib import Path

from trackboard.cli import build_parser
from trackboard.settings import Settings

DOCS = Path(__file__).resolve().parents[2] / "docs"


def _commands() -> list[str]:
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return sorted(sub.choices)


def test_every_cli_command_has_a_section_in_cli_docs() -> None:
    text = (DOCS / "cli.md").read_text()
    missing = [c for c in _commands() if f"## `trackboard {c}`" not in text]
    assert not missing, f"docs/cli.md lacks: {missing}"


def test_every_cli_option_is_mentioned_in_cli_docs() -> None:
    text = (DOCS / "cli.md").read_text()
    parser = build_parser()
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    missing = [
        f"{name} {opt}"
        for name, cmd in sub.choices.items()
        for action in cmd._actions
        for opt in action.option_strings
        if opt.startswith("--") and opt != "--help" and opt not in text
    ]
    assert not missing, f"docs/cli.md lacks: {missing}"


def test_every_setting_is_in_the_settings_table() -> None:
    text = (DOCS / "sdk.md").read_text()
    fields = [f.name for f in dataclasses.fields(Settings) if f.name != "extra"]
    missing = [f for f in fields if f"`{f}`" not in text]
    assert not missing, f"docs/sdk.md settings table lacks: {missing}"
