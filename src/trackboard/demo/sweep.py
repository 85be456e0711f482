"""The seed's sweep: ``sweep(sweep_config, project=...)`` then ``agent(sweep_id, train, count=6)``.

Six runs of the CNN of :mod:`trackboard.demo.cnn` (group ``sweep``) in function mode, a random
search over the learning rate and the batch size that maximizes ``val_acc``. Each run is as
short as :data:`SWEEP_EPOCHS` epochs allow, so the demo stays quick.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import trackboard
from trackboard.demo.digits import PROJECT, Digits

SWEEP_COUNT = 6
SWEEP_EPOCHS = 3
"""The most epochs a sweep run trains (fewer when the demo asks for fewer)."""
SWEEP_CONFIG: dict[str, Any] = {
    "method": "random",
    "metric": {"name": "val_acc", "goal": "maximize"},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 0.001, "max": 0.03},
        "batch_size": {"values": [32, 64, 128]},
    },
}
SWEPT_KEYS = tuple(SWEEP_CONFIG["parameters"])


def run_sweep(data: Digits, *, epochs: int, dir: str | Path | None = None) -> str:
    """Create the sweep in the demo project and run its :data:`SWEEP_COUNT` jobs here.

    Returns the sweep's id.
    """
    from trackboard.demo.cnn import train_cnn

    sweep_id = trackboard.sweep(SWEEP_CONFIG, project=PROJECT, dir=dir)

    def train() -> None:
        train_cnn(data, epochs=min(epochs, SWEEP_EPOCHS), group="sweep", dir=dir)

    trackboard.agent(sweep_id, function=train, project=PROJECT, count=SWEEP_COUNT, dir=dir)
    return sweep_id
