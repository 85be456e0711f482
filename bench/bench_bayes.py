"""Bayesian search benchmark: which engine finds a noisy quadratic's minimum in 20 trials.

The function has one parameter of each kind a sweep searches: ``lr`` log-uniform on
``[1e-5, 1]``, ``layers`` an integer in ``[1, 10]`` and ``act`` a categorical of five values::

    f = ((log10(lr) + 2.5) / 1.5)**2 + ((layers - 5) / 3)**2 + offset[act] + N(0, 0.1**2)

(minimum 0 at lr = 10**-2.5, layers = 5, act = relu). Each engine runs ``--trials`` trials
sequentially for each of ``--seeds`` seeds; a trial's score is the noise-free value of the
configuration whose *observed* value was best after the last trial. The table gives the median
over seeds (and quartiles), how often the engine beat random search on the same seed, and the
median time one suggestion took.

Engines:

* ``random``: :mod:`trackboard.sweeps.random_search`.
* ``trackboard``: :mod:`trackboard.sweeps.bayes` as shipped (own numpy GP, Matern 5/2,
  length scales by marginal likelihood on a grid, EI over prior draws and local perturbations).
* ``trackboard, 5 random starts``: the same with five random trials before the model instead
  of two (wandb's number, the default).
* ``sklearn GP``: scikit-learn's ``GaussianProcessRegressor`` with wandb's settings
  (Matern nu=1.5, ``n_restarts_optimizer=2``, ``alpha=1e-7``, standardised targets, EI over
  1,000 prior draws, two random starts) on trackboard's features.
* ``optuna TPE``: optuna's default ``TPESampler`` through ask/tell (only when ``optuna`` can
  be imported; it is not a project dependency: ``pip install --target DIR optuna`` and run
  with ``PYTHONPATH=DIR``).

Usage::

    python bench/bench_bayes.py                # 40 seeds x 20 trials (a few minutes)
    python bench/bench_bayes.py --seeds 5      # quick look
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from trackboard.sweeps import bayes, random_search
from trackboard.sweeps.search import PriorRun, Suggestion
from trackboard.sweeps.space import Space
from trackboard.sweeps.spec import SweepSpec, parse_sweep_config

OFFSETS = {"relu": 0.0, "gelu": 0.2, "selu": 0.35, "tanh": 0.5, "sigmoid": 1.0}
NOISE = 0.1
CONFIG: dict[str, Any] = {
    "method": "bayes",
    "metric": {"name": "loss", "goal": "minimize"},
    "parameters": {
        "lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0},
        "layers": {"min": 1, "max": 10},
        "act": {"values": list(OFFSETS)},
    },
}

Engine = Callable[[SweepSpec, int, int], list[tuple[dict[str, Any], float, float]]]


def quadratic(params: dict[str, Any]) -> float:
    """The noise-free objective."""
    lr_term = ((math.log10(params["lr"]) + 2.5) / 1.5) ** 2
    return float(lr_term + ((params["layers"] - 5) / 3) ** 2 + OFFSETS[params["act"]])


def run_suggest(
    suggest: Callable[[SweepSpec, list[PriorRun], np.random.Generator], Suggestion | None],
) -> Engine:
    """An engine from a trackboard ``suggest`` function: (spec, seed, trials) -> trials."""

    def engine(
        spec: SweepSpec, seed: int, trials: int
    ) -> list[tuple[dict[str, Any], float, float]]:
        rng = np.random.default_rng(seed)
        noise = np.random.default_rng(10_000 + seed)
        runs: list[PriorRun] = []
        out = []
        for i in range(trials):
            start = time.perf_counter()
            suggestion = suggest(spec, runs, rng)
            elapsed = time.perf_counter() - start
            assert suggestion is not None
            observed = quadratic(suggestion.params) + float(noise.normal(0.0, NOISE))
            runs.append(
                PriorRun(
                    config=suggestion.params, metric=observed, history=(observed,), name=str(i)
                )
            )
            out.append((suggestion.params, observed, elapsed))
        return out

    return engine


def sklearn_suggest(
    spec: SweepSpec, runs: list[PriorRun], rng: np.random.Generator
) -> Suggestion | None:
    """wandb's recipe on scikit-learn's GP (see the module docstring)."""
    from scipy.stats import norm
    from sklearn.gaussian_process import GaussianProcessRegressor
    from sklearn.gaussian_process.kernels import Matern

    space = Space.from_spec(spec)
    candidates = [space.sample(rng) for _ in range(1000)]
    if len(runs) < 2:
        return Suggestion(params=space.params(candidates[0]))
    x = space.feature_matrix([space.values_of(run.config) for run in runs])
    y = np.array([run.metric for run in runs], dtype=float)
    y = (y - y.mean()) / (y.std() + 1e-6)
    model = GaussianProcessRegressor(
        kernel=Matern(nu=1.5), n_restarts_optimizer=2, alpha=1e-7, random_state=2
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(x, y)
    mu, sigma = model.predict(space.feature_matrix(candidates), return_std=True)
    best = y.min()
    z = (best - mu) / (sigma + 1e-6)
    improvement = (best - mu) * norm.cdf(z) + sigma * norm.pdf(z)
    return Suggestion(params=space.params(candidates[int(np.argmax(improvement))]))


def optuna_engine(
    spec: SweepSpec, seed: int, trials: int
) -> list[tuple[dict[str, Any], float, float]]:
    """optuna's default TPE sampler on the same space, through ask/tell."""
    import optuna

    optuna.logging.set_verbosity(optuna.logging.WARNING)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=seed))
    noise = np.random.default_rng(10_000 + seed)
    out = []
    for _ in range(trials):
        start = time.perf_counter()
        trial = study.ask()
        params = {
            "act": trial.suggest_categorical("act", list(OFFSETS)),
            "layers": trial.suggest_int("layers", 1, 10),
            "lr": trial.suggest_float("lr", 1e-5, 1.0, log=True),
        }
        elapsed = time.perf_counter() - start
        observed = quadratic(params) + float(noise.normal(0.0, NOISE))
        study.tell(trial, observed)
        out.append((params, observed, elapsed))
    return out


def engines() -> dict[str, Engine]:
    found: dict[str, Engine] = {
        "random": run_suggest(random_search.suggest),
        "trackboard": run_suggest(bayes.suggest),
        "trackboard, 5 random starts": run_suggest(
            lambda spec, runs, rng: bayes.suggest_with(
                spec, runs, rng, bayes.BayesSettings(initial_random=5)
            )
        ),
        "sklearn GP": run_suggest(sklearn_suggest),
    }
    try:
        import optuna  # noqa: F401
    except ImportError:
        print("optuna not importable: its row is left out")
    else:
        found["optuna TPE"] = optuna_engine
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", type=int, default=40)
    parser.add_argument("--trials", type=int, default=20)
    parser.add_argument("--engines", help="comma-separated subset of the engine names")
    args = parser.parse_args()
    spec = parse_sweep_config(CONFIG)
    chosen = engines()
    if args.engines:
        chosen = {k: v for k, v in chosen.items() if k in args.engines.split(",")}
    scores: dict[str, list[float]] = {}
    times: dict[str, list[float]] = {}
    for name, engine in chosen.items():
        scores[name], times[name] = [], []
        for seed in range(args.seeds):
            trials = engine(spec, seed, args.trials)
            best_params, _, _ = min(trials, key=lambda t: t[1])
            scores[name].append(quadratic(best_params))
            times[name].extend(t[2] for t in trials)
        print(f"  {name}: done", flush=True)
    report(scores, times, args)


def report(scores: dict[str, list[float]], times: dict[str, list[float]], args: Any) -> None:
    print(
        f"\nnoisy quadratic, 3 parameters, best after {args.trials} trials, {args.seeds} seeds "
        "(noise-free value at the best observed configuration; lower is better)\n"
    )
    header = (
        f"{'engine':<30} {'median':>8} {'q25':>8} {'q75':>8} "
        f"{'beats random':>13} {'ms/suggest':>11}"
    )
    print(header)
    print("-" * len(header))
    baseline = scores.get("random")
    rows = {}
    for name, values in scores.items():
        q25, median, q75 = (float(v) for v in np.percentile(values, [25, 50, 75]))
        wins = sum(v < b for v, b in zip(values, baseline, strict=True)) if baseline else 0
        ms = statistics.median(times[name]) * 1000
        rows[name] = {"median": median, "q25": q25, "q75": q75, "wins": wins, "ms": ms}
        print(
            f"{name:<30} {median:>8.3f} {q25:>8.3f} {q75:>8.3f} "
            f"{f'{wins}/{len(values)}':>13} {ms:>11.1f}"
        )
    out = Path(__file__).parent / "results" / "bench_bayes.json"
    out.parent.mkdir(exist_ok=True)
    out.write_text(
        json.dumps({"seeds": args.seeds, "trials": args.trials, "engines": rows}, indent=2)
    )
    print(f"\nwritten to {out}")


if __name__ == "__main__":
    main()
