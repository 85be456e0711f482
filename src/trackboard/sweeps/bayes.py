"""Bayesian search: a Gaussian process over the prior runs, expected improvement picks the next.

:func:`suggest` implements the search-method interface of :mod:`trackboard.sweeps.search`:

1. **Targets.** Every run of the sweep gives one observation (in the minimising sign: negated
   for ``maximize``). A finished run with a metric gives its best value. A failed, crashed or
   killed run, or a finished one that never logged the metric, is imputed by ``metric.impute``:
   ``best`` (its own best), ``latest`` (its last value) or ``worst`` (the worst value any ended
   run logged); with nothing logged anywhere it is left out. Running and pending runs are
   imputed by ``metric.impute_while_running`` when set, else they are *pending points*: the
   model believes its own prediction there ("kriging believer"), so parallel agents spread out.
2. **Model.** A Gaussian process with a Matern 5/2 kernel on the features of
   :mod:`trackboard.sweeps.space` (log axes in log, categoricals one-hot), one length scale per
   parameter, the amplitude profiled out and the length scales and noise chosen on a grid by
   marginal likelihood. Only numpy: no runtime dependency beyond the core ones.
3. **Choice.** Candidates are prior draws plus perturbations of the best runs so far; the one
   with the largest expected improvement over the best observation wins. Until two runs have
   observations, a prior draw is returned.

In a *finite* space (every parameter categorical, ``int_uniform`` or bounded-quantised) a
configuration that any run of the sweep already has, whatever its state, is never proposed,
and ``None`` is returned once every configuration has been used. ``None`` is returned too
when a run reached ``metric.target``. ``docs/design/0003-sweep-search.md`` records why this
engine and how well it does.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from trackboard.errors import SweepConfigError
from trackboard.sweeps.search import TERMINAL_STATES, Suggestion, target_reached
from trackboard.sweeps.space import Space, axis_lookups, index_key

if TYPE_CHECKING:
    from trackboard.sweeps.search import PriorRun
    from trackboard.sweeps.spec import MetricSpec, SweepSpec

_LENGTH_SCALES: Final = np.geomspace(0.04, 4.0, 11)
_NOISES: Final = (1e-6, 1e-4, 1e-2, 1e-1)
_SQRT5: Final = math.sqrt(5.0)
_erf: Final[Callable[[np.ndarray], np.ndarray]] = np.frompyfunc(math.erf, 1, 1)


@dataclass(frozen=True)
class BayesSettings:
    """The knobs of the search; the defaults are what the benchmark chose."""

    initial_random: int = 2
    prior_candidates: int = 1000
    local_candidates: int = 500
    local_parents: int = 5
    max_observations: int = 150
    enumerate_limit: int = 20_000
    refine_passes: int = 2


@dataclass(frozen=True)
class Observations:
    """Training data: each row's parameter values, its target (minimising sign), pending rows."""

    values: list[list[Any]]
    targets: list[float]
    pending: list[list[Any]]


def suggest(
    spec: SweepSpec, runs: Sequence[PriorRun], rng: np.random.Generator
) -> Suggestion | None:
    """The next run's parameters, or ``None`` when done (see the module docstring)."""
    return suggest_with(spec, runs, rng, BayesSettings())


def suggest_with(
    spec: SweepSpec,
    runs: Sequence[PriorRun],
    rng: np.random.Generator,
    settings: BayesSettings,
) -> Suggestion | None:
    """:func:`suggest` with explicit :class:`BayesSettings`."""
    if spec.metric is None:
        raise SweepConfigError("metric: required for method bayes (name and goal to optimise)")
    space = Space.from_spec(spec)
    if not space.dimensions:
        raise SweepConfigError("parameters: method bayes needs at least one non-constant parameter")
    if target_reached(spec, runs):
        return None
    data = observations(space, spec.metric, runs)
    candidates = _candidates(space, runs, data, rng, settings)
    if not candidates:
        return None
    if len(data.targets) < max(2, settings.initial_random):
        prior_draws = min(len(candidates), settings.prior_candidates)
        choice = candidates[int(rng.integers(prior_draws))]
        return Suggestion(params=space.params(choice), info={"warnings": ["random start"]})
    return _best_by_expected_improvement(space, spec.metric, data, candidates, rng, settings)


def observations(space: Space, metric: MetricSpec, runs: Sequence[PriorRun]) -> Observations:
    """The targets the model is fitted on (rules in the module docstring)."""
    sign = -1.0 if metric.goal == "maximize" else 1.0
    logged = [
        sign * v
        for run in runs
        if run.state in TERMINAL_STATES
        for v in (*run.history, *([] if run.metric is None else [run.metric]))
        if math.isfinite(v)
    ]
    worst = max(logged) if logged else None
    values: list[list[Any]] = []
    targets: list[float] = []
    pending: list[list[Any]] = []
    for run in runs:
        row = space.values_of(run.config)
        if run.state == "finished" and run.metric is not None:
            target: float | None = sign * run.metric
        elif run.state in TERMINAL_STATES:
            target = _impute(metric.impute, run, sign, worst)
        elif metric.impute_while_running is not None:
            target = _impute(metric.impute_while_running, run, sign, worst)
        else:
            pending.append(row)
            continue
        if target is not None and not math.isfinite(target):
            target = worst
        if target is not None:
            values.append(row)
            targets.append(target)
    return Observations(values=values, targets=targets, pending=pending)


def _impute(how: str, run: PriorRun, sign: float, worst: float | None) -> float | None:
    if how == "best" and run.metric is not None:
        return sign * run.metric
    if how == "latest" and run.history:
        return sign * run.history[-1]
    return worst


def _candidates(
    space: Space,
    runs: Sequence[PriorRun],
    data: Observations,
    rng: np.random.Generator,
    settings: BayesSettings,
) -> list[list[Any]]:
    """Configurations to score; in a finite space only unused ones (empty when exhausted)."""
    axes = space.choices()
    if axes is None:
        return _drawn(space, data, rng, settings)
    lookups = axis_lookups(axes)
    used = {index_key(space.values_of(run.config), lookups) for run in runs}
    used = {key for key in used if -1 not in key}
    size = math.prod(len(axis) for axis in axes)
    if len(used) >= size:
        return []
    wanted = settings.prior_candidates + settings.local_candidates
    if size <= settings.enumerate_limit:
        free = [key for key in itertools.product(*(range(len(a)) for a in axes)) if key not in used]
        if len(free) > wanted:
            free = [free[int(i)] for i in rng.choice(len(free), size=wanted, replace=False)]
        return [[axis[i] for axis, i in zip(axes, key, strict=True)] for key in free]
    for _ in range(20):
        drawn = [
            row for row in _drawn(space, data, rng, settings) if index_key(row, lookups) not in used
        ]
        if drawn:
            return drawn
    return []


def _drawn(
    space: Space, data: Observations, rng: np.random.Generator, settings: BayesSettings
) -> list[list[Any]]:
    """Prior draws, plus perturbations of the best observed configurations."""
    rows = [space.sample(rng) for _ in range(settings.prior_candidates)]
    if not data.targets:
        return rows
    order = np.argsort(data.targets)[: settings.local_parents]
    scales = (0.02, 0.08, 0.25)
    for i in range(settings.local_candidates):
        parent = data.values[int(order[i % len(order)])]
        scale = scales[int(rng.integers(len(scales)))]
        rows.append(
            [
                dim.perturb(value, scale, rng)
                for dim, value in zip(space.dimensions, parent, strict=True)
            ]
        )
    return rows


def _best_by_expected_improvement(
    space: Space,
    metric: MetricSpec,
    data: Observations,
    candidates: list[list[Any]],
    rng: np.random.Generator,
    settings: BayesSettings,
) -> Suggestion:
    values, targets = data.values, np.asarray(data.targets, dtype=float)
    if len(targets) > settings.max_observations:
        keep = _subset(targets, settings.max_observations, rng)
        values, targets = [values[i] for i in keep], targets[keep]
    mean, std = float(targets.mean()), float(targets.std()) + 1e-6
    y = (targets - mean) / std
    x = space.feature_matrix(values)
    process = GaussianProcess.fit(x, y, space.groups, settings.refine_passes)
    if data.pending:
        pending = space.feature_matrix(data.pending)
        believed, _ = process.predict(pending)
        process = process.refit(np.vstack([x, pending]), np.concatenate([y, believed]))
    mu, sigma = process.predict(space.feature_matrix(candidates))
    best = float(y.min())
    z = (best - mu) / (sigma + 1e-9)
    cdf = 0.5 * (1.0 + _erf(z / math.sqrt(2.0)).astype(float))
    pdf = np.exp(-0.5 * z * z) / math.sqrt(2.0 * math.pi)
    improvement = (best - mu) * cdf + sigma * pdf
    pick = int(np.argmax(improvement))
    sign = -1.0 if metric.goal == "maximize" else 1.0
    info = {
        "success_probability": float(cdf[pick]),
        "predicted_value": sign * (float(mu[pick]) * std + mean),
        "predicted_value_std_dev": float(sigma[pick]) * std,
        "expected_improvement": float(improvement[pick]) * std,
        "warnings": [],
    }
    return Suggestion(params=space.params(candidates[pick]), info=info)


def _subset(targets: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """The best third of ``size`` observations, the rest drawn at random from the others."""
    order = np.argsort(targets)
    best = order[: size // 3]
    rest = rng.choice(order[size // 3 :], size=size - len(best), replace=False)
    return np.concatenate([best, rest])


@dataclass(frozen=True)
class GaussianProcess:
    """A fitted zero-mean GP on standardised targets: Matern 5/2, one length scale per group.

    ``column_scales`` holds each feature column's length scale; the kernel is
    ``amplitude * (matern(r) + noise * I)`` with ``r`` the scaled distance.
    """

    x: np.ndarray
    column_scales: np.ndarray
    noise: float
    amplitude: float
    alpha: np.ndarray
    chol_inverse: np.ndarray

    @classmethod
    def fit(
        cls, x: np.ndarray, y: np.ndarray, groups: Sequence[slice], passes: int
    ) -> GaussianProcess:
        """Choose length scales and noise by marginal likelihood and fit (see the class)."""
        per_group = [_squared_distances(x[:, g], x[:, g]) for g in groups]
        best = (-math.inf, np.ones(len(groups)), _NOISES[0])
        for scale, noise in itertools.product(_LENGTH_SCALES, _NOISES):
            scales = np.full(len(groups), scale)
            score = _log_likelihood(per_group, y, scales, noise)
            if score > best[0]:
                best = (score, scales, noise)
        for _ in range(passes if len(groups) > 1 else 0):
            for index in range(len(groups)):
                for scale in _LENGTH_SCALES:
                    scales = best[1].copy()
                    scales[index] = scale
                    score = _log_likelihood(per_group, y, scales, best[2])
                    if score > best[0]:
                        best = (score, scales, best[2])
        columns = np.concatenate(
            [np.full(g.stop - g.start, s) for g, s in zip(groups, best[1], strict=True)]
        )
        return cls._solve(x, y, columns, best[2])

    def refit(self, x: np.ndarray, y: np.ndarray) -> GaussianProcess:
        """The same kernel on other data (used to add pending points)."""
        return self._solve(x, y, self.column_scales, self.noise)

    def predict(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Posterior mean and standard deviation of the latent function at ``x``."""
        cross = _matern(_squared_distances(x / self.column_scales, self.x / self.column_scales))
        mean = cross @ self.alpha
        v = self.chol_inverse @ cross.T
        variance = self.amplitude * np.clip(1.0 - np.sum(v * v, axis=0), 1e-12, None)
        return mean, np.sqrt(variance)

    @classmethod
    def _solve(
        cls, x: np.ndarray, y: np.ndarray, columns: np.ndarray, noise: float
    ) -> GaussianProcess:
        scaled = x / columns
        gram = _matern(_squared_distances(scaled, scaled)) + noise * np.eye(len(y))
        chol = _cholesky(gram)
        chol_inverse = np.linalg.inv(chol)
        alpha = chol_inverse.T @ (chol_inverse @ y)
        amplitude = max(float(y @ alpha) / len(y), 1e-12)
        return cls(x, columns, noise, amplitude, alpha, chol_inverse)


def _log_likelihood(
    per_group: Sequence[np.ndarray], y: np.ndarray, scales: np.ndarray, noise: float
) -> float:
    """Log marginal likelihood with the amplitude profiled out (constants dropped)."""
    squared = sum((d / (s * s) for d, s in zip(per_group, scales, strict=True)), np.zeros(()))
    gram = _matern(squared) + noise * np.eye(len(y))
    try:
        chol = np.linalg.cholesky(gram)
    except np.linalg.LinAlgError:
        return -math.inf
    solved = np.linalg.solve(chol, y)
    amplitude = max(float(solved @ solved) / len(y), 1e-300)
    return -0.5 * len(y) * math.log(amplitude) - float(np.sum(np.log(np.diag(chol))))


def _cholesky(gram: np.ndarray) -> np.ndarray:
    jitter = 0.0
    for _ in range(6):
        try:
            return np.linalg.cholesky(gram + jitter * np.eye(len(gram)))
        except np.linalg.LinAlgError:
            jitter = max(jitter * 10.0, 1e-8)
    return np.linalg.cholesky(gram + 1e-2 * np.eye(len(gram)))


def _squared_distances(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    squared: np.ndarray = (
        np.sum(a * a, axis=1)[:, None] + np.sum(b * b, axis=1)[None, :] - 2.0 * (a @ b.T)
    )
    return np.clip(squared, 0.0, None, out=squared)


def _matern(squared: np.ndarray) -> np.ndarray:
    r = _SQRT5 * np.sqrt(squared)
    kernel: np.ndarray = (1.0 + r + r * r / 3.0) * np.exp(-r)
    return kernel


__all__ = ["BayesSettings", "GaussianProcess", "Observations", "observations", "suggest"]
