#pragma once
// The test problems of the optimizer benchmark, as the optimizer issue defines them:
// the walkthrough's 1-D function (with and without observation noise), Branin,
// Hartmann-6, Rosenbrock-4, Levy-5 and a mixed integer/choice problem. optuna_peer.py
// defines the same functions; the benchmark checks that both agree on every trial.

#include <cstdint>
#include <string>
#include <vector>

#include "common/core/search_space.h"

namespace salvo::bench {

struct Problem {
  std::string name;         // "sin", "sin-noise", "branin", ...
  std::string description;  // for the report
  SearchSpace space;        // dimensions sorted by name, as the engine builds them
  double optimum = 0;       // the known minimum of the noiseless function
  double noise_sd = 0;      // standard deviation of the observation noise
  bool continuous = true;   // only Real dimensions (Optuna's CMA-ES runs on these)
  double (*f)(const Point& x) = nullptr;  // the noiseless function
};

// Every problem, in report order.
const std::vector<Problem>& Problems();

// The noise added to the observation of trial `trial` of seed `seed` (before scaling by
// the problem's noise_sd): a standard normal draw, the same for every method.
double StandardNoise(uint64_t seed, int trial);

}  // namespace salvo::bench
