#pragma once
// The Tree-structured Parzen Estimator (Bergstra, Bardenet, Bengio and Kegl, "Algorithms
// for Hyper-Parameter Optimization", NeurIPS 2011) with the defaults of Optuna 3.x's
// TPESampler: each dimension is modelled on its own; the observations are split into
// the best gamma(n) = min(ceil(0.1 n), 25) and the rest; each group becomes a Parzen
// mixture with a prior component, and the next value of a dimension is the one of 24
// draws from the good mixture l(x) with the largest l(x) / g(x).
//
// Points in flight (and earlier points of the same Ask) join the bad group as
// observations with the worst value (a constant liar), so concurrent suggestions
// differ. Failed trials count toward the random starts but never enter a density.
// Created through the registry as `-o tpe`; the factories below are for the registry,
// tests and benchmarks. Not thread-safe, like every Optimizer.

#include <memory>
#include <random>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/status.h"
#include "optimizers/optimizer.h"

namespace salvo::opt {

struct TpeOptions {
  // Trials (of any status, in flight included) before the model takes over. Default 10.
  int random_starts = 10;
  // Draws from l(x) per dimension and suggestion. Default 24.
  int candidates = 24;
  // Fraction of the observations in the good group, which never exceeds 25. Default 0.1.
  double gamma = 0.1;
  // Weight of the prior component (a wide normal at the middle of the range, or a
  // uniform over the choices) against the observations' weight of 1. Default 1.0.
  double prior_weight = 1.0;
};

// The flags of `-o tpe`: random-starts (10), candidates (24), gamma (0.1) and
// prior-weight (1.0).
std::vector<FlagSpec> TpeFlagSpecs();
// Options from resolved flags (defaults merged). An unknown flag or a bad value is an
// InvalidArgument naming the flag.
Result<TpeOptions> TpeOptionsFromFlags(const FlagMap& flags);
Result<std::unique_ptr<Optimizer>> MakeTpeOptimizer(const FlagMap& flags);
std::unique_ptr<Optimizer> NewTpeOptimizer(const TpeOptions& options);

// How many of n observations form the good group: min(ceil(gamma n), 25).
int TpeGoodCount(int n, double gamma);
// Optuna's observation weights, oldest first: 1 each for fewer than 26 observations;
// otherwise a ramp from 1/n up to 1 for the older ones and 1 for the newest 25.
std::vector<double> TpeObservationWeights(int n);

// A one-dimensional Parzen mixture of truncated normals on [low, high] (already in
// the dimension's log space when it is log-scaled). One component per observation,
// centred on it, with a bandwidth of the larger gap to its sorted neighbours (the
// outermost ones use their inner gap), clipped to [(high - low) / min(100, k + 1),
// high - low] for k components, plus a prior component of width (high - low) at the
// middle. With `unit_step`, values are integers and the density of x is the mass of
// [x - 0.5, x + 0.5]. Weights follow TpeObservationWeights in the given order.
class ParzenEstimator1D {
 public:
  ParzenEstimator1D(const std::vector<double>& values, double low, double high,
                    bool unit_step, double prior_weight);

  // A draw from the mixture, rounded to an integer when unit_step.
  double Sample(std::mt19937_64& rng) const;
  double LogPdf(double x) const;

  const std::vector<double>& mus() const { return mus_; }
  const std::vector<double>& sigmas() const { return sigmas_; }
  const std::vector<double>& weights() const { return weights_; }

 private:
  double low_, high_;
  bool unit_step_;
  std::vector<double> mus_, sigmas_, weights_, log_weights_, log_masses_;
};

// The categorical counterpart: each observation is a kernel with mass 1 + w on its
// choice and w on every choice, w = prior_weight / (k + 1) for k observations, and
// the prior is uniform; the mixture's probabilities of the n_choices choices.
std::vector<double> CategoricalParzen(const std::vector<int>& values, int n_choices,
                                      double prior_weight);

}  // namespace salvo::opt
