#include "optimizers/acquisition.h"

#include <gtest/gtest.h>

#include <cmath>

namespace salvo::opt {
namespace {

// Values below are computed by hand from the formulas with
// Phi(0.2) = 0.5792597094, phi(0.2) = 0.3910426940, phi(0) = 0.3989422804.

TEST(AcquisitionTest, ExpectedImprovementMatchesHandComputedValues) {
  EXPECT_NEAR(ExpectedImprovement(0, 1, 0, 0).value, 0.3989422804, 1e-9);
  // gap = 1 - 0.5 - 0.1 = 0.4, z = 0.2: 0.4 Phi(z) + 2 phi(z).
  EXPECT_NEAR(ExpectedImprovement(0.5, 2, 1, 0.1).value,
              0.4 * 0.5792597094 + 2 * 0.3910426940, 1e-9);
}

TEST(AcquisitionTest, ProbabilityOfImprovementMatchesHandComputedValues) {
  EXPECT_NEAR(ProbabilityOfImprovement(0, 1, 0, 0).value, 0.5, 1e-12);
  EXPECT_NEAR(ProbabilityOfImprovement(0.5, 2, 1, 0.1).value, 0.5792597094, 1e-9);
}

TEST(AcquisitionTest, LowerConfidenceBoundIsNegatedSoLargerIsBetter) {
  EXPECT_NEAR(NegatedLowerConfidenceBound(0.5, 2, 1.96).value, 3.42, 1e-12);
  EXPECT_NEAR(NegatedLowerConfidenceBound(-1, 0.5, 0).value, 1.0, 1e-12);
}

TEST(AcquisitionTest, CertainPredictionsImproveOnlyByTheirGap) {
  EXPECT_DOUBLE_EQ(ExpectedImprovement(0.2, 0, 1, 0.1).value, 0.7);
  EXPECT_DOUBLE_EQ(ExpectedImprovement(2, 0, 1, 0.1).value, 0);
  EXPECT_DOUBLE_EQ(ProbabilityOfImprovement(0.2, 0, 1, 0.1).value, 1);
  EXPECT_DOUBLE_EQ(ProbabilityOfImprovement(2, 0, 1, 0.1).value, 0);
}

TEST(AcquisitionTest, DerivativesMatchFiniteDifferences) {
  const double h = 1e-6, mean = 0.3, std = 0.7, best = 0.5, xi = 0.05, kappa = 1.5;
  for (AcqKind kind : {AcqKind::kEI, AcqKind::kPI, AcqKind::kLCB}) {
    AcqValue a = Acquisition(kind, mean, std, best, xi, kappa);
    double dm = (Acquisition(kind, mean + h, std, best, xi, kappa).value -
                 Acquisition(kind, mean - h, std, best, xi, kappa).value) /
                (2 * h);
    double ds = (Acquisition(kind, mean, std + h, best, xi, kappa).value -
                 Acquisition(kind, mean, std - h, best, xi, kappa).value) /
                (2 * h);
    EXPECT_NEAR(a.d_mean, dm, 1e-7) << static_cast<int>(kind);
    EXPECT_NEAR(a.d_std, ds, 1e-7) << static_cast<int>(kind);
  }
}

TEST(AcquisitionTest, HedgeProbabilitiesAreASoftmaxOfTheGains) {
  std::array<double, 3> p = HedgeProbabilities({0, std::log(2.0), 0});
  EXPECT_NEAR(p[0], 0.25, 1e-12);
  EXPECT_NEAR(p[1], 0.5, 1e-12);
  EXPECT_NEAR(p[2], 0.25, 1e-12);
  std::array<double, 3> far = HedgeProbabilities({-1000, 0, -2000});
  EXPECT_NEAR(far[1], 1.0, 1e-12);
}

}  // namespace
}  // namespace salvo::opt
