#pragma once
// Sequential benchmark runs and their simple regret. A Trace is what one method did on
// one problem with one seed: the points it tried and the values it observed, in order.

#include <cstdint>
#include <string>
#include <vector>

#include "bench/optimizers/problems.h"
#include "common/core/status.h"

namespace salvo::bench {

struct Trace {
  std::string problem, method;  // method: "gp", ..., or "optuna-tpe", ...
  uint64_t seed = 0;
  std::vector<Point> x;
  std::vector<double> y;  // observed: the true value plus the problem's noise
  double seconds = 0;     // time spent choosing points (Salvo: in Ask)
  std::string error;      // why the run stopped early, if it did
};

// Runs a Salvo optimizer, created through the registry with its default flags
// overlaid with `flags`, for `trials` sequential trials (one Ask per trial, as a batch
// with -j 1 does).
Trace RunSalvo(const Problem& problem, const std::string& method, const FlagMap& flags,
               uint64_t seed, int trials);

// The observation of x at trial t of seed `seed`.
double Observe(const Problem& problem, const Point& x, uint64_t seed, int trial);

// Simple regret after each trial: the true value at the incumbent (the trial with the
// lowest observed value so far, the earliest on ties) minus the optimum.
std::vector<double> SimpleRegret(const Problem& problem, const Trace& trace);

struct Quartiles {
  double q1 = 0, median = 0, q3 = 0;
};
// Quartiles with linear interpolation between order statistics (numpy's default).
Quartiles QuartilesOf(std::vector<double> values);

// Checks that a peer's trace lies in the problem's space and that its observations
// match this program's functions; returns the first disagreement, or OK.
Status CheckPeerTrace(const Problem& problem, const Trace& trace);

}  // namespace salvo::bench
