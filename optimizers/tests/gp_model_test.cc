#include "optimizers/gp_model.h"

#include <gtest/gtest.h>

#include <cmath>
#include <numbers>
#include <random>

#include "optimizers/gp.h"

namespace salvo::opt {
namespace {

Eigen::MatrixXd RandomPoints(int n, int dims, uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(0, 1);
  Eigen::MatrixXd X(n, dims);
  for (int i = 0; i < n; ++i) {
    for (int j = 0; j < dims; ++j) X(i, j) = u(rng);
  }
  return X;
}

Eigen::VectorXd Targets(const Eigen::MatrixXd& X) {
  Eigen::VectorXd y(X.rows());
  for (int i = 0; i < X.rows(); ++i) y[i] = std::sin(6 * X(i, 0)) + X.row(i).sum() - 1;
  return y;
}

Eigen::VectorXd SomeTheta(int dims) {
  Eigen::VectorXd theta(ThetaSize(dims));
  theta[0] = 0.3;
  for (int j = 0; j < dims; ++j) theta[1 + j] = std::log(0.2 + 0.15 * j);
  theta[NoiseIndex(dims)] = std::log(1e-2);
  return theta;
}

TEST(GpModelTest, Matern52MatchesItsClosedForm) {
  EXPECT_DOUBLE_EQ(Matern52(0), 1.0);
  double s5 = std::sqrt(5.0);
  EXPECT_NEAR(Matern52(1.0), (1 + s5 + 5.0 / 3.0) * std::exp(-s5), 1e-15);
  EXPECT_NEAR(Matern52(1.0), 0.5239941088, 1e-9);
  EXPECT_LT(Matern52(3.0), Matern52(2.0));
}

TEST(GpModelTest, LikelihoodOfTwoPointsMatchesTheDirectFormula) {
  Eigen::MatrixXd X(2, 1);
  X << 0.1, 0.4;
  Eigen::VectorXd y(2);
  y << 0.5, -1.0;
  Eigen::VectorXd theta(3);
  theta << std::log(2.0), std::log(0.3), std::log(0.1);

  // K = [[2 + 0.1, k], [k, 2 + 0.1]], k = 2 M(0.3 / 0.3).
  double k = 2 * Matern52(1.0), a = 2.1;
  double det = a * a - k * k;
  double quad = (a * y[0] * y[0] - 2 * k * y[0] * y[1] + a * y[1] * y[1]) / det;
  double expected = -0.5 * quad - 0.5 * std::log(det) - std::log(2 * std::numbers::pi);
  EXPECT_NEAR(MarginalLikelihood(X, y).Evaluate(theta, nullptr), expected, 1e-6);
}

TEST(GpModelTest, LikelihoodGradientMatchesFiniteDifferences) {
  const int dims = 3;
  Eigen::MatrixXd X = RandomPoints(15, dims, 1);
  MarginalLikelihood likelihood(X, Targets(X));
  Eigen::VectorXd theta = SomeTheta(dims), gradient;
  likelihood.Evaluate(theta, &gradient);

  const double h = 1e-6;
  for (int i = 0; i < theta.size(); ++i) {
    Eigen::VectorXd up = theta, down = theta;
    up[i] += h;
    down[i] -= h;
    double numeric =
        (likelihood.Evaluate(up, nullptr) - likelihood.Evaluate(down, nullptr)) / (2 * h);
    EXPECT_NEAR(gradient[i], numeric, 1e-4 * std::max(1.0, std::abs(numeric))) << i;
  }
}

TEST(GpModelTest, FittingRaisesTheLikelihoodAboveTheDefaultStart) {
  const int dims = 2;
  Eigen::MatrixXd X = RandomPoints(25, dims, 2);
  Eigen::VectorXd y = Targets(X);
  y = (y.array() - y.mean()) / std::sqrt((y.array() - y.mean()).square().mean());
  Eigen::VectorXd fitted = FitTheta(X, y, GpFitOptions{}, 9);

  Eigen::VectorXd start(ThetaSize(dims));
  start << 0, std::log(0.3), std::log(0.3), std::log(1e-3);
  MarginalLikelihood likelihood(X, y);
  EXPECT_GT(likelihood.Evaluate(fitted, nullptr),
            likelihood.Evaluate(start, nullptr) + 1);
  EXPECT_EQ(FitTheta(X, y, GpFitOptions{}, 9), fitted);  // deterministic
}

TEST(GpModelTest, FixedNoiseStaysFixedInTheFit) {
  Eigen::MatrixXd X = RandomPoints(12, 1, 3);
  GpFitOptions options;
  options.learn_noise = false;
  options.fixed_log_noise = std::log(0.05);
  Eigen::VectorXd theta = FitTheta(X, Targets(X), options, 1);
  EXPECT_DOUBLE_EQ(theta[NoiseIndex(1)], std::log(0.05));
}

TEST(GpModelTest, NoiselessPosteriorInterpolatesTheData) {
  Eigen::MatrixXd X = RandomPoints(10, 2, 4);
  Eigen::VectorXd y = Targets(X), theta = SomeTheta(2);
  theta[NoiseIndex(2)] = std::log(1e-8);
  GaussianProcess gp;
  ASSERT_TRUE(gp.Condition(X, y, theta));
  Eigen::VectorXd mean, std;
  gp.Predict(X, &mean, &std);
  for (int i = 0; i < 10; ++i) {
    EXPECT_NEAR(mean[i], y[i], 1e-3);
    EXPECT_LT(std[i], 1e-2);
  }
}

TEST(GpModelTest, PredictionGradientsMatchFiniteDifferences) {
  const int dims = 3;
  Eigen::MatrixXd X = RandomPoints(20, dims, 5);
  GaussianProcess gp;
  ASSERT_TRUE(gp.Condition(X, Targets(X), SomeTheta(dims)));
  Eigen::VectorXd x(dims);
  x << 0.31, 0.62, 0.45;

  double mean, std;
  Eigen::VectorXd d_mean, d_std;
  gp.PredictWithGradient(x, &mean, &std, &d_mean, &d_std);
  const double h = 1e-6;
  for (int j = 0; j < dims; ++j) {
    Eigen::VectorXd up = x, down = x;
    up[j] += h;
    down[j] -= h;
    double mu_up, mu_down, s_up, s_down;
    Eigen::VectorXd unused1, unused2;
    gp.PredictWithGradient(up, &mu_up, &s_up, &unused1, &unused2);
    gp.PredictWithGradient(down, &mu_down, &s_down, &unused1, &unused2);
    EXPECT_NEAR(d_mean[j], (mu_up - mu_down) / (2 * h), 1e-5) << j;
    EXPECT_NEAR(d_std[j], (s_up - s_down) / (2 * h), 1e-5) << j;
  }
}

TEST(GpModelTest, BatchPredictionMatchesSinglePointPrediction) {
  Eigen::MatrixXd X = RandomPoints(30, 2, 6), Xc = RandomPoints(5, 2, 7);
  GaussianProcess gp;
  ASSERT_TRUE(gp.Condition(X, Targets(X), SomeTheta(2)));
  Eigen::VectorXd mean, std;
  gp.Predict(Xc, &mean, &std);
  for (int i = 0; i < 5; ++i) {
    double m, s;
    Eigen::VectorXd dm, ds;
    gp.PredictWithGradient(Xc.row(i).transpose(), &m, &s, &dm, &ds);
    EXPECT_NEAR(mean[i], m, 1e-9);
    EXPECT_NEAR(std[i], s, 1e-7);
  }
}

TEST(GpModelTest, AddingAPointMatchesConditioningOnAllPoints) {
  // AddPoint adds an exact (noise-free) point: compare with a model without noise.
  Eigen::MatrixXd X = RandomPoints(12, 2, 8);
  Eigen::VectorXd y = Targets(X), theta = SomeTheta(2);
  theta[NoiseIndex(2)] = std::log(1e-10);
  GaussianProcess grown, full;
  ASSERT_TRUE(grown.Condition(X.topRows(11), y.head(11), theta));
  grown.AddPoint(X.row(11).transpose(), y[11]);
  ASSERT_TRUE(full.Condition(X, y, theta));

  Eigen::MatrixXd Xc = RandomPoints(4, 2, 9);
  Eigen::VectorXd m1, s1, m2, s2;
  grown.Predict(Xc, &m1, &s1);
  full.Predict(Xc, &m2, &s2);
  EXPECT_LT((m1 - m2).cwiseAbs().maxCoeff(), 1e-6);
  EXPECT_LT((s1 - s2).cwiseAbs().maxCoeff(), 1e-6);
}

TEST(GpModelTest, AnExactPointLeavesNoUncertaintyWhereANoisyOneDoes) {
  Eigen::MatrixXd X = RandomPoints(6, 1, 10);
  Eigen::VectorXd y = Targets(X), theta = SomeTheta(1);
  theta[NoiseIndex(1)] = std::log(0.1);
  GaussianProcess gp;
  ASSERT_TRUE(gp.Condition(X, y, theta));
  Eigen::VectorXd mean, std;
  gp.Predict(X.topRows(1), &mean, &std);
  EXPECT_GT(std[0], 0.1);

  Eigen::VectorXd x(1);
  x << 0.987;
  gp.AddPoint(x, 0.25);
  gp.Predict(x.transpose(), &mean, &std);
  EXPECT_NEAR(mean[0], 0.25, 1e-4);
  EXPECT_LT(std[0], 1e-3);
}

TEST(GpModelTest, ReconditioningReusesRowsAndMatchesAFreshModel) {
  Eigen::MatrixXd X = RandomPoints(20, 2, 11);
  Eigen::VectorXd y = Targets(X), theta = SomeTheta(2);
  GaussianProcess reused, fresh;
  ASSERT_TRUE(reused.Condition(X.topRows(15), y.head(15), theta));
  reused.AddPoint(X.row(15).transpose(), 0.0);  // a liar, replaced by the observation
  ASSERT_TRUE(reused.Condition(X, y, theta));
  ASSERT_TRUE(fresh.Condition(X, y, theta));
  Eigen::MatrixXd Xc = RandomPoints(5, 2, 12);
  Eigen::VectorXd m1, s1, m2, s2;
  reused.Predict(Xc, &m1, &s1);
  fresh.Predict(Xc, &m2, &s2);
  EXPECT_EQ(m1, m2);  // bit for bit
  EXPECT_EQ(s1, s2);
}

TEST(GpModelTest, HyperparametersAreRefittedOnAGeometricScheduleAfter64) {
  EXPECT_EQ(FitPrefix(1), 1);
  EXPECT_EQ(FitPrefix(64), 64);
  EXPECT_EQ(FitPrefix(79), 64);
  EXPECT_EQ(FitPrefix(80), 80);
  EXPECT_EQ(FitPrefix(99), 80);
  EXPECT_EQ(FitPrefix(100), 100);
  EXPECT_LE(FitPrefix(1000), 1000);
  EXPECT_GT(FitPrefix(1000), 800);
}

}  // namespace
}  // namespace salvo::opt
