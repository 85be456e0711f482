"""``run.archived`` saved with ``Run.update()`` reads back through a fresh Api."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_script

import trackboard

SCRIPT = """
import trackboard as wandb

for index in range(2):
    run = wandb.init(project="arch")
    wandb.log({"loss": float(index)})
    wandb.finish()
"""


def test_run_archived_persists_through_update(root: Path) -> None:
    run_script(SCRIPT, root.parent)
    run = trackboard.Api().runs("arch")[0]
    assert run.archived is False
    run.archived = True
    run.update()
    runs = {r.id: r.archived for r in trackboard.Api().runs("arch")}
    assert runs[run.id] is True
    assert sorted(runs.values()) == [False, True], "archived runs are still listed"
    again = trackboard.Api().run(f"arch/{run.id}")
    again.archived = False
    again.update()
    assert trackboard.Api().run(f"arch/{run.id}").archived is False
