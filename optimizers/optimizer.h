#pragma once
// The optimizer interface: every search method (grid, random, gp, forest, gbrt, tpe)
// proposes the next points of a batch from its search space, its history and the
// points still in flight.
//
// An optimizer is pure: Ask's answer is a function of the request and the optimizer's
// flags only (the batch seed is in the request), so a restarted batch that replays its
// persisted history continues exactly. An Optimizer object may cache work between
// calls (a fitted model) only where the cache cannot change an answer. Not
// thread-safe: one caller at a time.

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/search_space.h"
#include "common/core/status.h"

namespace salvo::opt {

// A finished trial with a usable objective. `y` is finite and is minimized (a
// maximized objective arrives negated).
struct Observation {
  Point x;
  double y = 0;
};

struct AskRequest {
  const SearchSpace* space = nullptr;
  std::vector<Observation> observations;  // completed trials with a finite objective
  std::vector<Point> failed;   // tried, but unusable: error, NaN/inf, no objective
  std::vector<Point> pending;  // in flight now
  uint64_t seed = 0;           // the batch seed
  // How many trials the batch created before this request (every status, every
  // earlier invocation). Random draws are seeded from (seed, trials_so_far + i), so a
  // restart continues the stream instead of repeating it.
  uint64_t trials_so_far = 0;
  int count = 1;  // how many points to propose
};

struct Suggestion {
  Point x;
  bool random_start = false;    // chosen at random rather than by a model
  int duplicates_replaced = 0;  // candidates dropped because they equalled a tried point
};

struct FlagSpec {
  std::string name;
  FlagValue default_value;
  std::string description;
  std::vector<std::string> choices;  // empty when any value of the type is accepted
};

struct OptimizerInfo {
  std::string name;                  // canonical: "gp", "random", "+"
  std::vector<std::string> aliases;  // "bayesian", "gaussian", "grid", "skopt:gp"
  std::vector<FlagSpec> flags;       // shown in the prompt under "Optimizer flags:"
  bool model_based = false;
  bool needs_search_dims = true;  // false for the grid, which also accepts lists only
};

class Optimizer {
 public:
  virtual ~Optimizer() = default;

  // Proposes request.count distinct points, none equal (within tolerance in the scaled
  // space) to an observed, failed or pending point while the space has others.
  // Returns fewer (possibly none) only when the space is exhausted.
  virtual Result<std::vector<Suggestion>> Ask(const AskRequest& request) = 0;
};

// `-Fo prev-trials=batch|operation` of the model-based optimizers: their history is the
// batch's own trials (batch, the default) or also every other completed run of the
// operation (operation). The batch engine reads it; the optimizers ignore it.
inline constexpr const char* kPrevTrialsFlag = "prev-trials";

// Every optimizer, in the order `salvo help` lists them.
const std::vector<OptimizerInfo>& RegisteredOptimizers();
// By canonical name or alias; nullptr when unknown.
const OptimizerInfo* FindOptimizer(std::string_view name);
// Creates an optimizer. `flags` holds the optimizer flags (-Fo NAME=VALUE) merged over
// the defaults; unknown names or bad values are an InvalidArgument naming the flag.
Result<std::unique_ptr<Optimizer>> MakeOptimizer(std::string_view name,
                                                 const FlagMap& flags);
// The defaults of an optimizer's flags overlaid with `overrides`, validated.
Result<FlagMap> ResolveOptimizerFlags(std::string_view name, const FlagMap& overrides);

}  // namespace salvo::opt
