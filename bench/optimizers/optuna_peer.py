#!/usr/bin/python3
"""Optuna runs for Salvo's optimizer benchmark (bench/optimizers).

salvo_bench_optimizers starts this script with /usr/bin/python3 (Debian's optuna and
numpy), writes one JSON request to its standard input and reads one JSON answer from
its standard output; progress goes to standard error.

Request, mode "quality": problems (name, dims, noise_sd), methods among tpe, random and
cmaes (run only on continuous problems of two or more dimensions), seeds, trials, and
noise[seed_index][trial], the standard normal draws the benchmark adds (times noise_sd)
to every method's observations. The answer lists, per problem, method and seed, the
points tried, the values observed and the seconds spent in Optuna; the benchmark
recomputes the values from its own definitions and reports any disagreement.

Request, mode "latency": dims (2 -> Branin's box, 6 -> Hartmann-6's), ns, repeats. The
answer gives the median time of one study.ask() with every parameter sampled by the
TPE sampler, after add_trials of n random trials.
"""

import json
import math
import sys
import time
import warnings

import numpy as np
import optuna


def sin1d(p):
    return math.sin(5 * p[0]) * (1 - math.tanh(p[0] ** 2))


def branin(p):
    b, c, t = 5.1 / (4 * math.pi ** 2), 5 / math.pi, 1 / (8 * math.pi)
    return (p[1] - b * p[0] ** 2 + c * p[0] - 6) ** 2 + 10 * (1 - t) * math.cos(p[0]) + 10


HARTMANN_ALPHA = [1.0, 1.2, 3.0, 3.2]
HARTMANN_A = [[10, 3, 17, 3.5, 1.7, 8], [0.05, 10, 17, 0.1, 8, 14],
              [3, 3.5, 1.7, 10, 17, 8], [17, 8, 0.05, 10, 0.1, 14]]
HARTMANN_P = [[1312, 1696, 5569, 124, 8283, 5886], [2329, 4135, 8307, 3736, 1004, 9991],
              [2348, 1451, 3522, 2883, 3047, 6650], [4047, 8828, 8732, 5743, 1091, 381]]


def hartmann6(p):
    total = 0.0
    for i in range(4):
        inner = sum(HARTMANN_A[i][j] * (p[j] - 1e-4 * HARTMANN_P[i][j]) ** 2
                    for j in range(6))
        total += HARTMANN_ALPHA[i] * math.exp(-inner)
    return -total


def rosenbrock(p):
    return sum(100 * (p[i + 1] - p[i] ** 2) ** 2 + (1 - p[i]) ** 2
               for i in range(len(p) - 1))


def levy(p):
    w = [1 + (v - 1) / 4 for v in p]
    total = math.sin(math.pi * w[0]) ** 2
    for i in range(len(p) - 1):
        total += (w[i] - 1) ** 2 * (1 + 10 * math.sin(math.pi * w[i] + 1) ** 2)
    total += (w[-1] - 1) ** 2 * (1 + math.sin(2 * math.pi * w[-1]) ** 2)
    return total


MIXED_CENTRE = [-1.0, 0.5, 1.5, 0.0]
MIXED_OFFSET = [0.3, 0.0, 0.6, 1.0]


def mixed(p):  # p = [choice index, k, x]
    c = int(p[0])
    return (p[2] - MIXED_CENTRE[c]) ** 2 + 0.1 * (p[1] - 7) ** 2 + MIXED_OFFSET[c]


FUNCTIONS = {"sin": sin1d, "sin-noise": sin1d, "branin": branin, "hartmann6": hartmann6,
             "rosenbrock4": rosenbrock, "levy5": levy, "mixed": mixed}


def make_sampler(method, seed):
    if method == "tpe":
        return optuna.samplers.TPESampler(seed=seed)
    if method == "random":
        return optuna.samplers.RandomSampler(seed=seed)
    if method == "cmaes":
        return optuna.samplers.CmaEsSampler(seed=seed)
    raise ValueError("unknown method " + method)


def suggest(trial, dim):
    """The point coordinate of one dimension: a value, or a choice's index."""
    if dim["kind"] == "categorical":
        choice = trial.suggest_categorical(dim["name"], dim["choices"])
        return float(dim["choices"].index(choice))
    if dim["kind"] == "integer":
        return float(trial.suggest_int(dim["name"], int(dim["low"]), int(dim["high"]),
                                       log=dim["log"]))
    return trial.suggest_float(dim["name"], dim["low"], dim["high"], log=dim["log"])


def run_one(problem, method, seed, seed_index, trials, noise):
    """Points, observations and the seconds spent in Optuna (ask, suggest, tell)."""
    f = FUNCTIONS[problem["name"]]
    study = optuna.create_study(sampler=make_sampler(method, seed))
    xs, ys, seconds = [], [], 0.0
    for t in range(trials):
        start = time.perf_counter()
        trial = study.ask()
        x = [suggest(trial, dim) for dim in problem["dims"]]
        seconds += time.perf_counter() - start
        y = f(x) + problem["noise_sd"] * noise[seed_index][t]
        start = time.perf_counter()
        study.tell(trial, y)
        seconds += time.perf_counter() - start
        xs.append(x)
        ys.append(y)
    return xs, ys, seconds


def quality(request):
    runs = []
    for problem in request["problems"]:
        for method in request["methods"]:
            # Optuna's CMA-ES needs two or more continuous dimensions.
            one_dim = len(problem["dims"]) < 2
            if method == "cmaes" and (one_dim or not problem["continuous"]):
                continue
            start = time.perf_counter()
            for seed_index, seed in enumerate(request["seeds"]):
                xs, ys, seconds = run_one(problem, method, seed, seed_index,
                                          request["trials"], request["noise"])
                runs.append({"problem": problem["name"], "method": method, "seed": seed,
                             "x": xs, "y": ys, "seconds": seconds})
            elapsed = time.perf_counter() - start
            print("optuna %s on %s: %.1f s" % (method, problem["name"], elapsed),
                  file=sys.stderr)
    return {"optuna_version": optuna.__version__, "runs": runs}


def latency_space(dims):
    if dims == 2:
        bounds, f = [(-5.0, 10.0), (0.0, 15.0)], branin
    else:
        bounds, f = [(0.0, 1.0)] * dims, hartmann6
    distributions = {"x%d" % (i + 1): optuna.distributions.FloatDistribution(lo, hi)
                     for i, (lo, hi) in enumerate(bounds)}
    return distributions, f


def time_one_ask(dims, n, repeat):
    distributions, f = latency_space(dims)
    rng = np.random.RandomState(1000 * n + repeat)
    study = optuna.create_study(sampler=optuna.samplers.TPESampler(seed=repeat))
    history = []
    for _ in range(n):
        params = {name: float(rng.uniform(d.low, d.high))
                  for name, d in distributions.items()}
        value = f(list(params.values()))
        history.append(optuna.trial.create_trial(
            params=params, distributions=distributions, value=value))
    study.add_trials(history)
    start = time.perf_counter()
    study.ask(fixed_distributions=distributions)
    return time.perf_counter() - start


def latency(request):
    rows = []
    for dims in request["dims"]:
        for n in request["ns"]:
            times = sorted(time_one_ask(dims, n, r) for r in range(request["repeats"]))
            rows.append({"dims": dims, "n": n, "seconds": times[len(times) // 2]})
            print("optuna tpe latency %d-D n=%d: %.4f s" % (dims, n, rows[-1]["seconds"]),
                  file=sys.stderr)
    return {"optuna_version": optuna.__version__, "latency": rows}


def main():
    warnings.filterwarnings("ignore")
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    request = json.load(sys.stdin)
    answer = quality(request) if request["mode"] == "quality" else latency(request)
    json.dump(answer, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
