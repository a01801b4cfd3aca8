#pragma once
// The gp optimizer: Bayesian optimization with a Gaussian-process surrogate
// (gp_model.h) and an acquisition function (acquisition.h), behind the Optimizer
// interface and the shared Ask loop of model_based.h. Not thread-safe.
//
// Per request: inputs are scaled to the unit cube (space_codec.h); the objective is
// standardized, after a log transform when its values have a long upper tail; the
// kernel hyperparameters are fitted by maximum likelihood with a weak log-normal prior
// on the length scales (a fit on at most 10 points that calls all of the variation
// noise is redone with priors on the amplitude, the noise and shorter length scales).
// The acquisition is maximized
// over a few thousand seeded candidates, then by bounded L-BFGS from the best few, and
// the result is rounded back into the space. Points in flight are added to the model at
// the best observed value (a constant liar), so a request for several points gives
// distinct, spread-out points. gp_hedge chooses among EI, PI and LCB by gains replayed
// from the history, so the choice too is a function of the request.
//
// Speed: the hyperparameters are refitted on every request up to 64 observations; past
// that they are refitted when the history reaches the next size of a geometric schedule
// (64, 80, 100, ...) on at most 64 of its first observations, and reused in between.
// An object keeps the fitted hyperparameters (keyed by their exact inputs) and its
// Cholesky factor, which it extends row by row when the next request shares the
// previous training points: a suggestion in a running batch costs O(n^2) rather than
// O(n^3), and is bit for bit the one a fresh object would give.

#include <Eigen/Dense>
#include <cstdint>
#include <map>
#include <memory>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/status.h"
#include "optimizers/model_based.h"
#include "optimizers/optimizer.h"

namespace salvo::opt {

enum class AcqChoice { kEI, kPI, kLCB, kHedge };

struct GpOptions {
  ModelFlags model;                           // random-starts 3, xi 0.05, kappa 1.96
  AcqChoice acquisition = AcqChoice::kHedge;  // acq-func: EI, PI, LCB or gp_hedge
  // noise: "gaussian" fits a white-noise level; a number is a fixed noise variance in
  // the objective's units squared (0 leaves only a small jitter).
  bool fit_noise = true;
  double noise_variance = 0;
};

// Options from resolved flags (acq-func, kappa, noise, random-starts, xi).
Result<GpOptions> GpOptionsFromFlags(const FlagMap& flags);
std::unique_ptr<Optimizer> NewGpOptimizer(const GpOptions& options);

// Which observations the hyperparameters of a history of n observations are fitted on:
// the first FitPrefix(n) of them.
int FitPrefix(int n);

}  // namespace salvo::opt
