#pragma once
// The Ask loop shared by the model-based optimizers (gp, forest, gbrt). It decides which
// points are random starts, keeps the points in flight in the model as a constant liar,
// and replaces a suggestion that repeats a tried point; a GuidedSearch supplies the
// model. Not thread-safe, like every Optimizer.
//
// Random starts count over the batch's whole history: point i of a request is a random
// start while observed + failed + pending + i < random-starts, or while no observation
// is usable. Random starts are drawn like random search's points (the stream of
// MixSeed(seed, trials_so_far + i)); the batch's first trial takes the dimensions'
// initial values. Observations outside the space or with a non-finite objective are
// left out of the model but still count as tried.

#include <Eigen/Dense>
#include <cstdint>
#include <memory>
#include <optional>
#include <random>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/status.h"
#include "optimizers/optimizer.h"
#include "optimizers/space_codec.h"

namespace salvo::opt {

// The flags every model-based optimizer has.
struct ModelFlags {
  int random_starts = 3;  // random-starts
  double xi = 0.05;       // xi: improvement margin of EI and PI, in standard deviations
                          // of the objective (the models standardize it)
  double kappa = 1.96;    // kappa: exploration weight of LCB
};
// Reads random-starts, xi and kappa from resolved flags (missing ones keep defaults).
Result<ModelFlags> ModelFlagsFrom(const FlagMap& flags);

// What a guided search sees at the first model-guided point of a request.
struct GuidedProblem {
  const SpaceCodec* codec = nullptr;
  // Usable observations (in the space, finite objective), in the request's order.
  const std::vector<Observation>* observations = nullptr;
  std::vector<Point> in_flight;  // pending points and earlier points of this request
  uint64_t seed = 0;             // the batch seed
  uint64_t index = 0;            // trials_so_far + i of this first guided point
  ModelFlags flags;
};

class GuidedSearch {
 public:
  virtual ~GuidedSearch() = default;

  // Fits the model to the problem's observations and its points in flight.
  virtual void Begin(const GuidedProblem& problem) = 0;
  // The model's best point that `avoid` does not hold, for trial `index`. Adds to
  // *duplicates the number of distinct better-ranked points dropped because `avoid`
  // held them. nullopt when every candidate considered is held.
  virtual std::optional<Point> Next(uint64_t index, const PointSet& avoid,
                                    int* duplicates) = 0;
  // A point now in flight: later Next calls treat it as observed at the liar value.
  virtual void AddInFlight(const Point& p) = 0;
};

class ModelBasedOptimizer : public Optimizer {
 public:
  ModelBasedOptimizer(ModelFlags flags, std::unique_ptr<GuidedSearch> search)
      : flags_(flags), search_(std::move(search)) {}

  Result<std::vector<Suggestion>> Ask(const AskRequest& request) override;

 private:
  ModelFlags flags_;
  std::unique_ptr<GuidedSearch> search_;
};

// Candidate points for maximizing an acquisition, rows of `encoded` in the unit cube.
struct Candidates {
  std::vector<Point> points;
  Eigen::MatrixXd encoded;
};

// The whole space when it has at most `count` points; otherwise `count` random points,
// a quarter of them perturbations of the best observations (local refinement matters
// more than coverage once the model has found a basin).
Candidates MakeCandidates(const SpaceCodec& codec,
                          const std::vector<Observation>& observations, int count,
                          std::mt19937_64& rng);

// Rows of the unit-cube encoding of `points`.
Eigen::MatrixXd EncodeRows(const SpaceCodec& codec, const std::vector<Point>& points);

// Indices of `score` from the largest value to the smallest (ties by index).
std::vector<int> RankDescending(const Eigen::VectorXd& score);

}  // namespace salvo::opt
