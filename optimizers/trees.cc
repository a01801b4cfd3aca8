#include "optimizers/trees.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>
#include <random>
#include <utility>

#include "common/core/ids.h"
#include "optimizers/space_codec.h"

namespace salvo::opt {
namespace {

using Eigen::Index;
using Eigen::MatrixXd;
using Eigen::VectorXd;

int FindLeaf(const RegressionTree& tree, const MatrixXd& X, Index row) {
  int node = 0;
  while (tree[node].feature >= 0) {
    const TreeNode& n = tree[node];
    node = X(row, n.feature) <= n.threshold ? n.left : n.right;
  }
  return node;
}

// The lower alpha-quantile: the smallest value v with at least alpha * n values <= v.
double LowerQuantile(std::vector<double> values, double alpha) {
  assert(!values.empty());
  const double target = alpha * static_cast<double>(values.size());
  size_t k = static_cast<size_t>(std::max(0.0, std::ceil(target - 1e-12) - 1));
  k = std::min(k, values.size() - 1);
  std::nth_element(values.begin(), values.begin() + k, values.end());
  return values[k];
}

// Adds a node to `tree` and returns its index.
int AddNode(RegressionTree* tree) {
  tree->emplace_back();
  return static_cast<int>(tree->size()) - 1;
}

struct Split {
  int feature = -1;
  double threshold = 0;
  double score = -std::numeric_limits<double>::infinity();
};

// Grows one extra-tree over idx[begin, end). Each node tries one random threshold per
// feature and keeps the one with the largest sum_L^2/n_L + sum_R^2/n_R, which is the
// split with the largest reduction of the squared error.
class ExtraTreeBuilder {
 public:
  ExtraTreeBuilder(const MatrixXd& X, const VectorXd& y, const TreeOptions& options,
                   uint64_t seed)
      : X_(X), y_(y), options_(options), rng_(seed), idx_(X.rows()) {
    std::iota(idx_.begin(), idx_.end(), Index{0});
  }

  RegressionTree Build() {
    RegressionTree tree;
    Grow(&tree, 0, static_cast<int>(idx_.size()), 0);
    return tree;
  }

 private:
  int Grow(RegressionTree* tree, int begin, int end, int depth) {
    const int node = AddNode(tree);
    const Split split = FindSplit(begin, end, depth);
    if (split.feature < 0) {
      MakeLeaf(&(*tree)[node], begin, end);
      return node;
    }

    auto middle = std::partition(idx_.begin() + begin, idx_.begin() + end, [&](Index i) {
      return X_(i, split.feature) <= split.threshold;
    });
    const int mid = static_cast<int>(middle - idx_.begin());
    (*tree)[node].feature = split.feature;
    (*tree)[node].threshold = split.threshold;
    const int left = Grow(tree, begin, mid, depth + 1);
    const int right = Grow(tree, mid, end, depth + 1);
    (*tree)[node].left = left;
    (*tree)[node].right = right;
    return node;
  }

  Split FindSplit(int begin, int end, int depth) {
    Split best;
    const int n = end - begin;
    if (n < 2 * options_.min_samples_leaf) return best;
    if (options_.max_depth > 0 && depth >= options_.max_depth) return best;
    if (IsPure(begin, end)) return best;

    for (int f = 0; f < static_cast<int>(X_.cols()); ++f) {
      double lo = std::numeric_limits<double>::infinity(), hi = -lo;
      for (int k = begin; k < end; ++k) {
        lo = std::min(lo, X_(idx_[k], f));
        hi = std::max(hi, X_(idx_[k], f));
      }
      if (!(hi > lo)) continue;  // constant in this node
      const double threshold = lo + UnitUniform(rng_) * (hi - lo);

      double sum_left = 0, sum_right = 0;
      int n_left = 0;
      for (int k = begin; k < end; ++k) {
        if (X_(idx_[k], f) <= threshold) {
          sum_left += y_(idx_[k]);
          ++n_left;
        } else {
          sum_right += y_(idx_[k]);
        }
      }
      const int n_right = n - n_left;
      if (n_left < options_.min_samples_leaf || n_right < options_.min_samples_leaf)
        continue;
      const double score = sum_left * sum_left / n_left + sum_right * sum_right / n_right;
      if (score > best.score) best = {f, threshold, score};
    }
    return best;
  }

  bool IsPure(int begin, int end) const {
    for (int k = begin + 1; k < end; ++k)
      if (y_(idx_[k]) != y_(idx_[begin])) return false;
    return true;
  }

  void MakeLeaf(TreeNode* leaf, int begin, int end) const {
    double sum = 0, sum_sq = 0;
    for (int k = begin; k < end; ++k) {
      sum += y_(idx_[k]);
      sum_sq += y_(idx_[k]) * y_(idx_[k]);
    }
    const double n = end - begin;
    leaf->value = sum / n;
    leaf->variance = std::max(0.0, sum_sq / n - leaf->value * leaf->value);
  }

  const MatrixXd& X_;
  const VectorXd& y_;
  const TreeOptions& options_;
  std::mt19937_64 rng_;
  std::vector<Index> idx_;
};

// Grows one least-squares tree on the targets `g` by exhaustive search over the
// midpoints between consecutive distinct feature values, as in CART. Features are
// visited in a seeded random order, so ties between equally good splits are broken
// reproducibly. Afterwards leaf_of(i) names the leaf that holds sample i.
class BestSplitTreeBuilder {
 public:
  BestSplitTreeBuilder(const MatrixXd& X, const VectorXd& g, int max_depth,
                       int min_samples_leaf, uint64_t seed)
      : X_(X),
        g_(g),
        max_depth_(max_depth),
        min_samples_leaf_(min_samples_leaf),
        rng_(seed),
        idx_(X.rows()),
        leaf_of_(X.rows(), -1) {
    std::iota(idx_.begin(), idx_.end(), Index{0});
  }

  RegressionTree Build() {
    RegressionTree tree;
    Grow(&tree, 0, static_cast<int>(idx_.size()), 0);
    return tree;
  }

  int leaf_of(Index i) const { return leaf_of_[i]; }

 private:
  int Grow(RegressionTree* tree, int begin, int end, int depth) {
    const int node = AddNode(tree);
    const Split split = FindSplit(begin, end, depth);
    if (split.feature < 0) {
      for (int k = begin; k < end; ++k) leaf_of_[idx_[k]] = node;
      return node;
    }

    auto middle = std::partition(idx_.begin() + begin, idx_.begin() + end, [&](Index i) {
      return X_(i, split.feature) <= split.threshold;
    });
    const int mid = static_cast<int>(middle - idx_.begin());
    (*tree)[node].feature = split.feature;
    (*tree)[node].threshold = split.threshold;
    const int left = Grow(tree, begin, mid, depth + 1);
    const int right = Grow(tree, mid, end, depth + 1);
    (*tree)[node].left = left;
    (*tree)[node].right = right;
    return node;
  }

  Split FindSplit(int begin, int end, int depth) {
    Split best;
    const int n = end - begin;
    if (depth >= max_depth_ || n < 2 * min_samples_leaf_) return best;

    double total = 0;
    for (int k = begin; k < end; ++k) total += g_(idx_[k]);
    const double no_split_score = total * total / n;

    std::vector<int> features(X_.cols());
    std::iota(features.begin(), features.end(), 0);
    std::shuffle(features.begin(), features.end(), rng_);

    std::vector<Index> order(idx_.begin() + begin, idx_.begin() + end);
    for (int f : features) {
      std::sort(order.begin(), order.end(),
                [&](Index a, Index b) { return X_(a, f) < X_(b, f); });
      double sum_left = 0;
      for (int n_left = 1; n_left < n; ++n_left) {
        sum_left += g_(order[n_left - 1]);
        const int n_right = n - n_left;
        if (n_left < min_samples_leaf_ || n_right < min_samples_leaf_) continue;
        const double x_lo = X_(order[n_left - 1], f), x_hi = X_(order[n_left], f);
        if (!(x_hi > x_lo)) continue;
        const double sum_right = total - sum_left;
        const double score =
            sum_left * sum_left / n_left + sum_right * sum_right / n_right;
        if (score > best.score) best = {f, 0.5 * (x_lo + x_hi), score};
      }
    }

    // A split that does not reduce the squared error is not worth a node.
    if (best.score <= no_split_score * (1 + 1e-12) + 1e-300) return Split{};
    return best;
  }

  const MatrixXd& X_;
  const VectorXd& g_;
  int max_depth_;
  int min_samples_leaf_;
  std::mt19937_64 rng_;
  std::vector<Index> idx_;
  std::vector<int> leaf_of_;
};

}  // namespace

ExtraTreesRegressor::ExtraTreesRegressor(TreeOptions o) : options_(o) {
  options_.n_trees = std::max(1, options_.n_trees);
  options_.min_samples_leaf = std::max(1, options_.min_samples_leaf);
}

void ExtraTreesRegressor::Fit(const MatrixXd& X, const VectorXd& y, uint64_t seed) {
  assert(X.rows() == y.size() && X.rows() >= 1);
  trees_.clear();
  trees_.reserve(options_.n_trees);
  for (int t = 0; t < options_.n_trees; ++t) {
    ExtraTreeBuilder builder(X, y, options_, MixSeed(seed, t));
    trees_.push_back(builder.Build());
  }
}

void ExtraTreesRegressor::Predict(const MatrixXd& X, VectorXd* mean,
                                  VectorXd* std) const {
  assert(!trees_.empty());
  mean->resize(X.rows());
  std->resize(X.rows());
  const double n_trees = static_cast<double>(trees_.size());
  for (Index r = 0; r < X.rows(); ++r) {
    // Law of total variance over the mixture of trees.
    double sum = 0, second_moment = 0;
    for (const RegressionTree& tree : trees_) {
      const TreeNode& leaf = tree[FindLeaf(tree, X, r)];
      sum += leaf.value;
      second_moment += leaf.variance + leaf.value * leaf.value;
    }
    const double m = sum / n_trees;
    (*mean)(r) = m;
    (*std)(r) = std::sqrt(std::max(0.0, second_moment / n_trees - m * m));
  }
}

GbrtQuantileRegressor::GbrtQuantileRegressor(TreeOptions o) : options_(o) {
  options_.n_trees = std::max(0, options_.n_trees);
  options_.min_samples_leaf = std::max(1, options_.min_samples_leaf);
}

void GbrtQuantileRegressor::Fit(const MatrixXd& X, const VectorXd& y, uint64_t seed) {
  assert(X.rows() == y.size() && X.rows() >= 1);
  const int max_depth = options_.max_depth > 0 ? options_.max_depth : 3;
  const Index n = X.rows();

  for (int q = 0; q < 3; ++q) {
    const double alpha = kQuantiles[q];
    Booster& booster = boosters_[q];
    booster.init = LowerQuantile(std::vector<double>(y.data(), y.data() + n), alpha);
    booster.stages.clear();
    VectorXd f = VectorXd::Constant(n, booster.init);
    VectorXd gradient(n);

    for (int stage = 0; stage < options_.n_trees; ++stage) {
      // Negative gradient of the pinball loss.
      for (Index i = 0; i < n; ++i) gradient(i) = y(i) > f(i) ? alpha : alpha - 1;
      BestSplitTreeBuilder builder(X, gradient, max_depth, options_.min_samples_leaf,
                                   MixSeed(seed, 1000 * q + stage));
      RegressionTree tree = builder.Build();

      // Line search of the pinball loss: each leaf moves to its residuals' quantile.
      std::vector<std::vector<double>> residuals(tree.size());
      for (Index i = 0; i < n; ++i) residuals[builder.leaf_of(i)].push_back(y(i) - f(i));
      for (size_t node = 0; node < tree.size(); ++node)
        if (tree[node].feature < 0)
          tree[node].value = LowerQuantile(residuals[node], alpha);

      for (Index i = 0; i < n; ++i)
        f(i) += options_.learning_rate * tree[builder.leaf_of(i)].value;
      booster.stages.push_back(std::move(tree));
    }
  }
}

Eigen::MatrixXd GbrtQuantileRegressor::PredictQuantiles(const MatrixXd& X) const {
  MatrixXd out(X.rows(), 3);
  for (int q = 0; q < 3; ++q) {
    const Booster& booster = boosters_[q];
    for (Index r = 0; r < X.rows(); ++r) {
      double value = booster.init;
      for (const RegressionTree& tree : booster.stages)
        value += options_.learning_rate * tree[FindLeaf(tree, X, r)].value;
      out(r, q) = value;
    }
  }
  return out;
}

void GbrtQuantileRegressor::Predict(const MatrixXd& X, VectorXd* mean,
                                    VectorXd* std) const {
  const MatrixXd quantiles = PredictQuantiles(X);
  *mean = quantiles.col(1);
  *std = 0.5 * (quantiles.col(2) - quantiles.col(0)).cwiseAbs();
}

}  // namespace salvo::opt
