#pragma once
// Tree ensembles that predict a mean and an uncertainty, the surrogate models of the
// forest and gbrt optimizers. Rows of X are points in the unit cube; y is minimized
// by the caller but the models do not care. Fit is deterministic for a given seed.
// An object may be fitted again (the previous model is dropped); Predict on a fitted
// object is const and safe to call from several threads at once.

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

namespace salvo::opt {

struct TreeOptions {
  // Extra-trees: the number of trees. GBRT: the number of boosting stages per quantile.
  int n_trees = 100;
  // A split is only made when each side keeps at least this many samples.
  int min_samples_leaf = 1;
  // Maximum depth of a tree. 0 means unlimited for extra-trees and 3 for GBRT.
  int max_depth = 0;
  // GBRT only: the shrinkage applied to every stage.
  double learning_rate = 0.1;
};

// One node of a binary regression tree, stored in a flat array (index 0 is the root).
struct TreeNode {
  int feature = -1;      // -1 for a leaf
  double threshold = 0;  // x[feature] <= threshold goes left
  int left = -1, right = -1;
  double value = 0;     // a leaf's prediction
  double variance = 0;  // a leaf's variance of the training targets (extra-trees)
};
using RegressionTree = std::vector<TreeNode>;

// Extremely randomized trees (Geurts, Ernst and Wehenkel 2006): every tree sees all the
// samples; at each node one threshold per feature is drawn uniformly between the
// feature's minimum and maximum in the node, and the draw that most reduces the
// squared error is kept. Predict returns the mean of the trees and, as the uncertainty,
// the standard deviation of the ensemble by the law of total variance (spread of the
// tree means plus the mean within-leaf variance), which is 0 at a training point when
// min_samples_leaf is 1 and grows in the gaps between the data.
class ExtraTreesRegressor {
 public:
  explicit ExtraTreesRegressor(TreeOptions o = {});

  // Requires X.rows() == y.size() >= 1.
  void Fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, uint64_t seed);
  // Requires a fitted model and X.cols() equal to the training columns. Resizes the
  // outputs to X.rows().
  void Predict(const Eigen::MatrixXd& X, Eigen::VectorXd* mean,
               Eigen::VectorXd* std) const;

 private:
  TreeOptions options_;
  std::vector<RegressionTree> trees_;
};

// Gradient boosting (Friedman 2001) with the quantile (pinball) loss, fitted three
// times, for the 0.16, 0.5 and 0.84 quantiles. Each stage fits a least-squares tree to
// the loss's negative gradient and then sets each leaf to the quantile of the residuals
// it holds. Predict returns the 0.5 quantile as the mean and half the distance between
// the 0.16 and 0.84 quantiles as the standard deviation (one sigma of a normal).
class GbrtQuantileRegressor {
 public:
  explicit GbrtQuantileRegressor(TreeOptions o = {});

  // Requires X.rows() == y.size() >= 1.
  void Fit(const Eigen::MatrixXd& X, const Eigen::VectorXd& y, uint64_t seed);
  void Predict(const Eigen::MatrixXd& X, Eigen::VectorXd* mean,
               Eigen::VectorXd* std) const;
  // The three quantile predictions (columns 0.16, 0.5, 0.84), one row per row of X.
  Eigen::MatrixXd PredictQuantiles(const Eigen::MatrixXd& X) const;

  static constexpr double kQuantiles[3] = {0.16, 0.5, 0.84};

 private:
  struct Booster {
    double init = 0;  // the quantile of y: the prediction before any stage
    std::vector<RegressionTree> stages;
  };

  TreeOptions options_;
  Booster boosters_[3];
};

}  // namespace salvo::opt
