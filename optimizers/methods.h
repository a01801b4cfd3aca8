#pragma once
// Factories and flag lists of the search methods built in optimizers/ (grid, random,
// gp, forest, gbrt), for the registry. Other components use optimizer.h instead.
// Every factory takes resolved flags (defaults merged with -Fo overrides, validated by
// ResolveOptimizerFlags).

#include <memory>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/status.h"
#include "optimizers/optimizer.h"

namespace salvo::opt {

// Grid (`+`): the cartesian product of the Categorical dimensions in grid order (dims
// sorted by name, the last varying fastest), skipping points observed, failed or
// pending. Real and Integer dimensions are drawn per trial from the batch seed and the
// trial index. No flags.
std::unique_ptr<Optimizer> MakeGridOptimizer();

// Random search: each point drawn from MixSeed(seed, trials_so_far + i); a point already
// tried or in flight is redrawn while untried ones remain. No flags.
std::unique_ptr<Optimizer> MakeRandomOptimizer();

// gp: flags acq-func, kappa, noise, random-starts, xi (see GpFlagSpecs).
Result<std::unique_ptr<Optimizer>> MakeGpOptimizer(const FlagMap& flags);
std::vector<FlagSpec> GpFlagSpecs();

// forest (extra trees) and gbrt (quantile gradient boosting): flags kappa, random-starts,
// xi (see TreeFlagSpecs); the acquisition is expected improvement.
Result<std::unique_ptr<Optimizer>> MakeForestOptimizer(const FlagMap& flags);
Result<std::unique_ptr<Optimizer>> MakeGbrtOptimizer(const FlagMap& flags);
std::vector<FlagSpec> TreeFlagSpecs();

}  // namespace salvo::opt
