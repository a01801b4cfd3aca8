#pragma once
// The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio and Kegl, "Algorithms
// for Hyper-Parameter Optimization", NeurIPS 2011) as Optuna 3.1's TPESampler builds it:
// after the random starts, the observations are split into the best gamma(n) =
// min(ceil(gamma n), 25) and the rest; each group becomes a Parzen mixture with a prior
// kernel (parzen_mixture.h), and the next point is the one of `candidates` draws from
// the good mixture l(x) with the largest l(x) / g(x).
//
// Salvo's defaults differ from Optuna's in three flags, chosen on bench/optimizers
// (bench/README.md): the flags are modelled jointly (Optuna's `multivariate` option,
// kernels of Scott's-rule width), the good group is the best 15% rather than 10%, and
// the model takes over after 5 random starts rather than 10. Over seeds 0-199 that
// lowers the median regret after 50 trials on every problem there (Branin 0.237 to
// 0.134, Rosenbrock-4 9.30 to 7.32, Levy-5 2.02 to 1.60, sin-noise 0.013 to 0.009).
// With `-Fo multivariate=no -Fo gamma=0.1 -Fo random-starts=10` the algorithm is
// Optuna 3.1's default one: one density per dimension, kernel widths from the gaps
// between neighbours.
// One-dimensional spaces are the same either way.
//
// Points in flight (and earlier points of the same Ask) join the bad group as
// observations with the worst value (a constant liar), so concurrent suggestions
// differ. Failed trials count toward the random starts but never enter a density.
// Created through the registry as `-o tpe`; the factories below are for the registry,
// tests and benchmarks. Not thread-safe, like every Optimizer.

#include <memory>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/status.h"
#include "optimizers/optimizer.h"

namespace salvo::opt {

struct TpeOptions {
  // Trials (of any status, in flight included) before the model takes over. Default 5
  // (Optuna: 10).
  int random_starts = 5;
  // Draws from l(x) per suggestion (per dimension when independent). Default 24.
  int candidates = 24;
  // Fraction of the observations in the good group, which never exceeds 25. Default 0.15
  // (Optuna: 0.1).
  double gamma = 0.15;
  // Weight of the prior kernel against each observation's weight of 1. Default 1.0.
  double prior_weight = 1.0;
  // One joint density over all dimensions (kernels of Scott's-rule width) instead of
  // one density per dimension. Default true (Optuna: false).
  bool multivariate = true;
};

// The flags of `-o tpe`: candidates (24), gamma (0.15), multivariate (yes),
// prior-weight (1.0) and random-starts (5).
std::vector<FlagSpec> TpeFlagSpecs();
// Options from resolved flags (defaults merged). An unknown flag or a bad value is an
// InvalidArgument naming the flag.
Result<TpeOptions> TpeOptionsFromFlags(const FlagMap& flags);
Result<std::unique_ptr<Optimizer>> MakeTpeOptimizer(const FlagMap& flags);
std::unique_ptr<Optimizer> NewTpeOptimizer(const TpeOptions& options);

// How many of n observations form the good group: min(ceil(gamma n), 25).
int TpeGoodCount(int n, double gamma);

}  // namespace salvo::opt
