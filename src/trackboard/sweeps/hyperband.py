"""Hyperband early termination: bands, per-band thresholds and which running runs to stop.

The rules are wandb's (``early_terminate: {type: hyperband, ...}``):

* An *iteration* is one finite logged value of the sweep's metric; a run's history is the list of
  those values in logging order (``_step`` plays no part, non-finite values are left out).
* Bands come from ``max_iter`` and ``s`` (divide ``max_iter`` by ``eta`` up to ``s`` times, keep
  the integer part of each quotient that is at least 1, ascending) or from ``min_iter``
  (``min_iter * eta**k`` truncated to int, for k = 0..99).
* The threshold of band ``b`` uses every run of the sweep, whatever its state: the ``b``-th value
  of each run that has at least ``b`` values (negated when the goal is ``maximize``), sorted
  ascending; the threshold is the element at index ``int(n / eta)``, so roughly the best
  ``1/eta`` of the runs keep going. A band no run has reached has threshold ``+inf``.
* Only running runs are judged, at the largest band their history has reached. In strict mode
  (the default) the run's value at that band is compared; otherwise its best value so far. A value
  strictly worse than the threshold stops the run.

Everything here is a pure function of its inputs; the controller supplies the histories.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from trackboard.errors import SweepConfigError

if TYPE_CHECKING:
    from trackboard.sweeps.search import PriorRun
    from trackboard.sweeps.spec import HyperbandSpec

MIN_ITER_BAND_COUNT: Final = 100
"""How many bands ``min_iter`` produces (wandb's constant)."""


@dataclass(frozen=True)
class StopDecision:
    """A running run that should stop, with the figures that decided it.

    ``step`` is the run's iteration count (finite metric values logged so far); ``value`` and
    ``threshold`` are in the metric's own sign.
    """

    run_id: str
    step: int
    band: int
    value: float
    threshold: float

    @property
    def reason(self) -> str:
        """The info line to store as the run's stop reason (wandb's wording)."""
        return (
            f"Run: {self.run_id} Step: {self.step} "
            f"(Band: {self.band} Metric: {self.value} Threshold: {self.threshold}) STOP"
        )


def compute_bands(hyperband: HyperbandSpec) -> list[int]:
    """The ascending band list; ``max_iter`` with ``s`` wins over ``min_iter``.

    With ``max_iter`` and ``s``, ``max_iter`` is divided by ``eta`` ``int(s)`` times, stopping
    early below 1, and the integer part of each quotient is kept: ``max_iter=27, s=2, eta=3``
    gives ``[3, 9]``. With ``min_iter`` the bands are ``int(min_iter * eta**k)`` for
    ``k = 0..99``. Raises :class:`SweepConfigError` when the fields give no band at all.
    """
    eta = hyperband.eta
    bands: list[int] = []
    if hyperband.max_iter is not None and hyperband.s is not None:
        band = float(hyperband.max_iter)
        for _ in range(int(hyperband.s)):
            band /= eta
            if band < 1:
                break
            bands.append(int(band))
        bands.sort()
    elif hyperband.min_iter is not None:
        band = float(hyperband.min_iter)
        for _ in range(MIN_ITER_BAND_COUNT):
            bands.append(int(band))
            band *= eta
    if not bands:
        raise SweepConfigError(
            "early_terminate: hyperband needs min_iter, or max_iter and s giving at least one "
            f"band (max_iter={hyperband.max_iter}, s={hyperband.s}, eta={eta} give none)"
        )
    return bands


def thresholds(
    hyperband: HyperbandSpec, runs: Sequence[PriorRun], *, maximize: bool = False
) -> list[float]:
    """One threshold per band of :func:`compute_bands`, negated when ``maximize``."""
    histories = [_signed_history(run.history, maximize) for run in runs]
    result: list[float] = []
    for band in compute_bands(hyperband):
        values = sorted(history[band - 1] for history in histories if len(history) >= band)
        result.append(values[int(len(values) / hyperband.eta)] if values else math.inf)
    return result


def stop_decisions(
    hyperband: HyperbandSpec, runs: Sequence[PriorRun], *, maximize: bool = False
) -> list[StopDecision]:
    """A decision for each running run hyperband stops now, in the order of ``runs``.

    ``runs`` are all the sweep's runs, any state: they all count towards the thresholds, and
    only those whose state is ``running`` are judged. ``PriorRun.name`` is the run id.
    """
    bands = compute_bands(hyperband)
    limits = thresholds(hyperband, runs, maximize=maximize)
    sign = -1.0 if maximize else 1.0
    decisions: list[StopDecision] = []
    for run in runs:
        if run.state != "running":
            continue
        history = _signed_history(run.history, maximize)
        reached = [i for i, band in enumerate(bands) if band <= len(history)]
        if not reached:
            continue
        index = reached[-1]
        value = history[bands[index] - 1] if hyperband.strict else min(history)
        if value > limits[index]:
            decisions.append(
                StopDecision(
                    run_id=run.name,
                    step=len(history),
                    band=bands[index],
                    value=sign * value,
                    threshold=sign * limits[index],
                )
            )
    return decisions


def should_stop(
    hyperband: HyperbandSpec, runs: Sequence[PriorRun], *, maximize: bool = False
) -> list[str]:
    """The ids of the running runs hyperband stops now (see :func:`stop_decisions`)."""
    return [decision.run_id for decision in stop_decisions(hyperband, runs, maximize=maximize)]


def _signed_history(history: Sequence[float], maximize: bool) -> list[float]:
    sign = -1.0 if maximize else 1.0
    return [sign * float(v) for v in history if math.isfinite(v)]


__all__ = [
    "MIN_ITER_BAND_COUNT",
    "StopDecision",
    "compute_bands",
    "should_stop",
    "stop_decisions",
    "thresholds",
]
