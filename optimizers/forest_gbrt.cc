// The forest and gbrt optimizers: the shared Ask loop of model_based.h with a tree
// ensemble (trees.h) as the surrogate and expected improvement as the acquisition,
// maximized over seeded candidates (trees are piecewise constant, so there is no
// gradient to follow). Points in flight join the training data at the best observed
// value (a constant liar) and the ensemble is refitted before the next point.

#include <cmath>
#include <memory>

#include "common/core/ids.h"
#include "optimizers/acquisition.h"
#include "optimizers/methods.h"
#include "optimizers/model_based.h"
#include "optimizers/trees.h"

namespace salvo::opt {
namespace {

constexpr int kTreeCandidates = 2000;
constexpr uint64_t kCandidateStream = 0x54524545ULL << 32;
constexpr uint64_t kFitStream = 0x54464954ULL << 32;

template <class Regressor>
class TreeSearch : public GuidedSearch {
 public:
  explicit TreeSearch(TreeOptions options) : options_(options) {}

  void Begin(const GuidedProblem& problem) override {
    problem_ = problem;
    const std::vector<Observation>& obs = *problem.observations;
    std::vector<Point> xs;
    y_.resize(static_cast<Eigen::Index>(obs.size()));
    for (size_t i = 0; i < obs.size(); ++i) {
      xs.push_back(obs[i].x);
      y_[static_cast<Eigen::Index>(i)] = obs[i].y;
    }
    X_ = EncodeRows(*problem.codec, xs);

    // Standardized targets; xi is in the same standardized units.
    double mean = y_.mean();
    double scale = std::sqrt((y_.array() - mean).square().mean());
    if (!(scale > 1e-12)) scale = 1.0;
    y_ = (y_.array() - mean) / scale;
    best_ = y_.minCoeff();
    xi_ = problem.flags.xi;
    for (const Point& p : problem.in_flight) AddInFlight(p);

    std::mt19937_64 rng(MixSeed(problem.seed ^ kCandidateStream, problem.index));
    candidates_ = MakeCandidates(*problem.codec, obs, kTreeCandidates, rng);
    fitted_ = false;
  }

  std::optional<Point> Next(uint64_t index, const PointSet& avoid,
                            int* duplicates) override {
    if (!fitted_) {
      model_ = Regressor(options_);
      model_.Fit(X_, y_, MixSeed(problem_.seed ^ kFitStream, index));
      model_.Predict(candidates_.encoded, &mean_, &std_);
      fitted_ = true;
    }
    Eigen::VectorXd score(mean_.size());
    for (Eigen::Index c = 0; c < mean_.size(); ++c) {
      score[c] = ExpectedImprovement(mean_[c], std_[c], best_, xi_).value;
    }

    std::vector<const Point*> dropped;
    for (int c : RankDescending(score)) {
      const Point& p = candidates_.points[static_cast<size_t>(c)];
      if (!avoid.Contains(p)) return p;
      bool seen = false;
      for (const Point* q : dropped) seen = seen || problem_.codec->SamePoint(*q, p);
      if (!seen) {
        dropped.push_back(&p);
        ++*duplicates;
      }
    }
    return std::nullopt;
  }

  void AddInFlight(const Point& p) override {
    const Eigen::Index n = X_.rows();
    X_.conservativeResize(n + 1, Eigen::NoChange);
    Eigen::VectorXd u(X_.cols());
    problem_.codec->Encode(p, u.data());
    X_.row(n) = u.transpose();
    y_.conservativeResize(n + 1);
    y_[n] = best_;
    fitted_ = false;
  }

 private:
  TreeOptions options_;
  GuidedProblem problem_;
  Eigen::MatrixXd X_;
  Eigen::VectorXd y_;
  double best_ = 0, xi_ = 0;
  Candidates candidates_;
  Regressor model_{TreeOptions{}};
  bool fitted_ = false;
  Eigen::VectorXd mean_, std_;
};

template <class Regressor>
Result<std::unique_ptr<Optimizer>> MakeTreeOptimizer(const FlagMap& flags,
                                                     TreeOptions options) {
  Result<ModelFlags> model = ModelFlagsFrom(flags);
  if (!model.ok()) return model.status();
  std::unique_ptr<Optimizer> optimizer = std::make_unique<ModelBasedOptimizer>(
      *model, std::make_unique<TreeSearch<Regressor>>(options));
  return optimizer;
}

}  // namespace

std::vector<FlagSpec> TreeFlagSpecs() {
  return {
      {"kappa",
       FlagValue::Float(1.96),
       "Exploration weight of LCB (the acquisition here is EI, which does not use it)",
       {}},
      {"random-starts",
       FlagValue::Int(3),
       "Trials chosen at random, counted over the whole batch, before the model is used",
       {}},
      {"xi",
       FlagValue::Float(0.05),
       "Least improvement EI looks for, in standard deviations of the objective",
       {}},
  };
}

Result<std::unique_ptr<Optimizer>> MakeForestOptimizer(const FlagMap& flags) {
  // As scikit-optimize's forest: 100 extra trees, leaves of at least 3 samples.
  return MakeTreeOptimizer<ExtraTreesRegressor>(flags, TreeOptions{100, 3, 0, 0.1});
}

Result<std::unique_ptr<Optimizer>> MakeGbrtOptimizer(const FlagMap& flags) {
  // As scikit-optimize's gbrt: 30 boosting stages of depth-3 trees per quantile.
  return MakeTreeOptimizer<GbrtQuantileRegressor>(flags, TreeOptions{30, 1, 3, 0.1});
}

}  // namespace salvo::opt
