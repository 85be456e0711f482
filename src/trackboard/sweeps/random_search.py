"""Random search: every parameter drawn independently from its distribution.

It never runs out: a random sweep ends on ``run_cap``, ``metric.target`` or an agent's
``count``. Constants are included in every suggestion.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from trackboard.sweeps.distributions import sample
from trackboard.sweeps.search import PriorRun, Suggestion, flatten_parameters, nest_values

if TYPE_CHECKING:
    import numpy as np

    from trackboard.sweeps.spec import SweepSpec


def suggest(
    spec: SweepSpec, runs: Sequence[PriorRun], rng: np.random.Generator
) -> Suggestion | None:
    """A fresh draw of every parameter (prior runs are ignored), in sorted path order."""
    flat = flatten_parameters(spec.parameters)
    return Suggestion(params=nest_values({path: sample(p, rng) for path, p in flat.items()}))


__all__ = ["suggest"]
