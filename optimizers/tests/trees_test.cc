#include "optimizers/trees.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace salvo::opt {
namespace {

using Eigen::MatrixXd;
using Eigen::VectorXd;

double Smooth(double a, double b) { return std::sin(3 * a) + (b - 0.3) * (b - 0.3) * 2; }

MatrixXd UniformPoints(int n, int d, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  MatrixXd X(n, d);
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < d; ++j) X(i, j) = u(rng);
  return X;
}

VectorXd SmoothAt(const MatrixXd& X) {
  VectorXd y(X.rows());
  for (int i = 0; i < X.rows(); ++i) y(i) = Smooth(X(i, 0), X(i, 1));
  return y;
}

double RSquared(const VectorXd& truth, const VectorXd& predicted) {
  const double mean = truth.mean();
  const double ss_res = (truth - predicted).squaredNorm();
  const double ss_tot = (truth.array() - mean).square().sum();
  return 1 - ss_res / ss_tot;
}

TEST(ExtraTreesRegressorTest, FitsASmooth2DFunction) {
  const MatrixXd X = UniformPoints(200, 2, 1);
  const MatrixXd X_test = UniformPoints(200, 2, 2);
  ExtraTreesRegressor model;
  model.Fit(X, SmoothAt(X), 7);

  VectorXd mean, std;
  model.Predict(X_test, &mean, &std);
  EXPECT_GT(RSquared(SmoothAt(X_test), mean), 0.9);
}

TEST(ExtraTreesRegressorTest, ReproducesTrainingTargetsWithZeroSpread) {
  const MatrixXd X = UniformPoints(30, 2, 3);
  const VectorXd y = SmoothAt(X);
  ExtraTreesRegressor model;
  model.Fit(X, y, 5);

  VectorXd mean, std;
  model.Predict(X, &mean, &std);
  for (int i = 0; i < X.rows(); ++i) {
    EXPECT_NEAR(mean(i), y(i), 1e-12);
    EXPECT_NEAR(std(i), 0, 1e-6);
  }
}

TEST(ExtraTreesRegressorTest, UncertaintyIsLargerInAGapThanAtTheData) {
  // Two clusters along the first axis, nothing in (0.3, 0.7).
  const int n = 40;
  MatrixXd X(n, 2);
  for (int i = 0; i < n; ++i) {
    const double t = (i % 20) / 19.0 * 0.3;
    X(i, 0) = i < 20 ? t : 0.7 + t;
    X(i, 1) = (i * 7 % n) / double(n);
  }
  ExtraTreesRegressor model;
  model.Fit(X, SmoothAt(X), 11);

  MatrixXd gap(3, 2);
  gap << 0.45, 0.2, 0.5, 0.5, 0.55, 0.8;
  VectorXd gap_mean, gap_std, data_mean, data_std;
  model.Predict(gap, &gap_mean, &gap_std);
  model.Predict(X, &data_mean, &data_std);

  EXPECT_LT(data_std.maxCoeff(), 1e-6);
  EXPECT_GT(gap_std.minCoeff(), 0.05);
}

TEST(ExtraTreesRegressorTest, SameSeedSameModelOtherSeedOtherModel) {
  const MatrixXd X = UniformPoints(25, 3, 4);
  const VectorXd y = SmoothAt(X);
  const MatrixXd X_test = UniformPoints(50, 3, 5);
  ExtraTreesRegressor a, b, c;
  a.Fit(X, y, 42);
  b.Fit(X, y, 42);
  c.Fit(X, y, 43);

  VectorXd mean_a, std_a, mean_b, std_b, mean_c, std_c;
  a.Predict(X_test, &mean_a, &std_a);
  b.Predict(X_test, &mean_b, &std_b);
  c.Predict(X_test, &mean_c, &std_c);
  EXPECT_EQ(mean_a, mean_b);
  EXPECT_EQ(std_a, std_b);
  EXPECT_GT((mean_a - mean_c).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(ExtraTreesRegressorTest, MinSamplesLeafNeverIsolatesASample) {
  MatrixXd X(4, 1);
  X << 0.0, 0.1, 0.9, 1.0;
  VectorXd y(4);
  y << 1, 3, 10, 20;
  ExtraTreesRegressor model({.n_trees = 50, .min_samples_leaf = 2});
  model.Fit(X, y, 1);

  // Only the split between the pairs is admissible, so each pair shares every leaf.
  VectorXd mean, std;
  model.Predict(X, &mean, &std);
  EXPECT_DOUBLE_EQ(mean(0), mean(1));
  EXPECT_DOUBLE_EQ(mean(2), mean(3));
  EXPECT_GE(mean(0), 2);
  EXPECT_LT(mean(0), 8.5);
  EXPECT_GT(std(0), 0.9);
}

TEST(GbrtQuantileRegressorTest, MedianFitsASmooth2DFunction) {
  const MatrixXd X = UniformPoints(200, 2, 1);
  const MatrixXd X_test = UniformPoints(200, 2, 2);
  GbrtQuantileRegressor model;
  model.Fit(X, SmoothAt(X), 7);

  VectorXd mean, std;
  model.Predict(X_test, &mean, &std);
  EXPECT_GT(RSquared(SmoothAt(X_test), mean), 0.9);
}

// The fraction of targets below each of the three quantile predictions.
Eigen::Vector3d FractionsBelow(const VectorXd& y, const MatrixXd& quantiles) {
  Eigen::Vector3d below = Eigen::Vector3d::Zero();
  for (int i = 0; i < y.size(); ++i)
    for (int k = 0; k < 3; ++k) below(k) += y(i) < quantiles(i, k);
  return below / y.size();
}

TEST(GbrtQuantileRegressorTest, QuantilesAreOrderedAndCoverNoisyTargets) {
  const int n = 400;
  std::mt19937_64 rng(9);
  std::normal_distribution<double> noise(0, 0.3);
  const MatrixXd X = UniformPoints(n, 2, 8), X_test = UniformPoints(n, 2, 10);
  VectorXd y = SmoothAt(X), y_test = SmoothAt(X_test);
  for (int i = 0; i < n; ++i) {
    y(i) += noise(rng);
    y_test(i) += noise(rng);
  }
  GbrtQuantileRegressor model;
  model.Fit(X, y, 3);

  // On the training set each quantile splits the targets as the pinball loss demands.
  const Eigen::Vector3d in_sample = FractionsBelow(y, model.PredictQuantiles(X));
  EXPECT_NEAR(in_sample(0), 0.16, 0.03);
  EXPECT_NEAR(in_sample(1), 0.50, 0.03);
  EXPECT_NEAR(in_sample(2), 0.84, 0.03);

  // Held out: ordered on average, and the band still holds most of the targets.
  const MatrixXd q = model.PredictQuantiles(X_test);
  EXPECT_LE(q.col(0).mean(), q.col(1).mean());
  EXPECT_LE(q.col(1).mean(), q.col(2).mean());
  const Eigen::Vector3d held_out = FractionsBelow(y_test, q);
  EXPECT_LT(held_out(0), 0.35);
  EXPECT_GT(held_out(2), 0.65);

  VectorXd mean, std;
  model.Predict(X_test, &mean, &std);
  EXPECT_NEAR(std.mean(), 0.3, 0.12);
  EXPECT_EQ(mean, q.col(1));
}

TEST(GbrtQuantileRegressorTest, OneSampleGivesItsValueWithNoSpread) {
  MatrixXd X(1, 2);
  X << 0.2, 0.4;
  VectorXd y(1);
  y << 1.5;
  GbrtQuantileRegressor model;
  model.Fit(X, y, 0);

  VectorXd mean, std;
  model.Predict(UniformPoints(5, 2, 1), &mean, &std);
  for (int i = 0; i < 5; ++i) {
    EXPECT_DOUBLE_EQ(mean(i), 1.5);
    EXPECT_DOUBLE_EQ(std(i), 0);
  }
}

TEST(GbrtQuantileRegressorTest, SameSeedGivesTheSameModel) {
  const MatrixXd X = UniformPoints(40, 3, 4);
  const VectorXd y = SmoothAt(X);
  GbrtQuantileRegressor a, b;
  a.Fit(X, y, 5);
  b.Fit(X, y, 5);
  const MatrixXd X_test = UniformPoints(30, 3, 6);
  EXPECT_EQ(a.PredictQuantiles(X_test), b.PredictQuantiles(X_test));
}

}  // namespace
}  // namespace salvo::opt
