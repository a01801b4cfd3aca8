#include "optimizers/parzen_mixture.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <random>

namespace salvo::opt {
namespace {

using ::testing::ElementsAre;

ParzenDim Numeric(double low, double high, bool unit_step = false) {
  ParzenDim d;
  d.low = low;
  d.high = high;
  d.unit_step = unit_step;
  return d;
}

ParzenDim Choices(int n) {
  ParzenDim d;
  d.n_choices = n;
  return d;
}

std::vector<std::vector<double>> Rows(std::vector<double> column) {
  std::vector<std::vector<double>> rows;
  for (double v : column) rows.push_back({v});
  return rows;
}

ParzenOptions Normalized() {
  ParzenOptions o;
  o.divide_by_width = true;
  return o;
}

// Midpoint rule over [low, high] of exp(log_pdf).
template <class F>
double Integrate(F log_pdf, double low, double high, int steps = 20000) {
  double sum = 0;
  for (int k = 0; k < steps; ++k)
    sum += std::exp(log_pdf(low + (high - low) * (k + 0.5) / steps));
  return sum * (high - low) / steps;
}

TEST(ParzenMixtureTest, WidthsFollowTheGapsBetweenNeighbours) {
  // Centres 0.2, 0.3, 0.9 and the prior at 0.5; floor 1 / min(100, 4 + 1) = 0.2.
  const ParzenMixture m({Numeric(0, 1)}, Rows({0.2, 0.3, 0.9}), {});
  EXPECT_THAT(m.mus(0), ElementsAre(0.2, 0.3, 0.9, 0.5));
  const std::vector<double>& s = m.sigmas(0);
  ASSERT_EQ(s.size(), 4u);
  EXPECT_DOUBLE_EQ(s[0], 0.2);  // inner gap 0.1, raised to the floor
  EXPECT_DOUBLE_EQ(s[1], 0.2);  // max(0.1, 0.2)
  EXPECT_DOUBLE_EQ(s[2], 0.4);  // outermost: its inner gap to 0.5
  EXPECT_DOUBLE_EQ(s[3], 1.0);  // the prior spans the range
  EXPECT_THAT(m.weights(), ElementsAre(0.25, 0.25, 0.25, 0.25));
}

TEST(ParzenMixtureTest, JointWidthsFollowScottsRule) {
  std::vector<std::vector<double>> rows;
  for (int k = 0; k < 10; ++k) rows.push_back({0.1 * k, 2.0 * k});
  ParzenOptions o;
  o.bandwidth = ParzenBandwidth::kScott;
  const ParzenMixture m({Numeric(0, 1), Numeric(0, 20)}, rows, o);

  // 0.2 * 10^(-1/6) of the range; above the floor of 1/12 of it.
  const double factor = 0.2 * std::pow(10.0, -1.0 / 6);
  EXPECT_DOUBLE_EQ(m.sigmas(0)[3], factor);
  EXPECT_DOUBLE_EQ(m.sigmas(1)[3], 20 * factor);
  EXPECT_DOUBLE_EQ(m.sigmas(1)[10], 20);  // the prior
}

TEST(ParzenMixtureTest, NormalizedDensityIntegratesToOne) {
  const ParzenMixture m({Numeric(-2, 2)}, Rows({-1.9, -0.3, -0.25, 1.2, 2.0}),
                        Normalized());
  const double integral = Integrate([&](double x) { return m.LogPdf({x}); }, -2, 2);
  EXPECT_NEAR(integral, 1, 1e-6);
}

TEST(ParzenMixtureTest, EqualHeightKernelsLeaveOutOnlyTheWidth) {
  // With no observations only the prior remains, whose width is the range, 4.
  const ParzenMixture normalized({Numeric(-2, 2)}, {}, Normalized());
  const ParzenMixture equal_height({Numeric(-2, 2)}, {}, {});
  for (double x : {-2.0, -0.5, 1.7})
    EXPECT_NEAR(equal_height.LogPdf({x}) - normalized.LogPdf({x}), std::log(4.0), 1e-12);
}

TEST(ParzenMixtureTest, IntegerMassesSumToOne) {
  const ParzenMixture m({Numeric(-0.5, 10.5, true)}, Rows({0, 7, 7, 10}), {});
  double total = 0;
  for (int k = 0; k <= 10; ++k) total += std::exp(m.LogPdf({double(k)}));
  EXPECT_NEAR(total, 1, 1e-12);
  EXPECT_GT(m.LogPdf({7}), m.LogPdf({3}));
}

TEST(ParzenMixtureTest, ObservedChoiceGetsMassAndThePriorKeepsTheRest) {
  // Kernels: 1/3 on every choice plus 1 on choice 1, over 2; mixture weights 1/3 each.
  const ParzenMixture m({Choices(3)}, Rows({1, 1}), {});
  EXPECT_NEAR(std::exp(m.LogPdf({0})), 2.0 / 9, 1e-15);
  EXPECT_NEAR(std::exp(m.LogPdf({1})), 5.0 / 9, 1e-15);
  EXPECT_NEAR(std::exp(m.LogPdf({2})), 2.0 / 9, 1e-15);
}

TEST(ParzenMixtureTest, JointDensityOverAChoiceAndANumberIntegratesToOne) {
  ParzenOptions o = Normalized();
  o.bandwidth = ParzenBandwidth::kScott;
  const ParzenMixture m({Choices(3), Numeric(0, 1)}, {{0, 0.1}, {2, 0.8}, {2, 0.85}}, o);
  double total = 0;
  for (int c = 0; c < 3; ++c)
    total += Integrate([&](double x) { return m.LogPdf({double(c), x}); }, 0, 1);
  EXPECT_NEAR(total, 1, 1e-6);
}

TEST(ParzenMixtureTest, SamplesStayInRangeAndFollowTheDensity) {
  const ParzenMixture m({Numeric(0, 1)}, Rows({0.9, 0.95}), Normalized());
  const double mass_above = Integrate([&](double x) { return m.LogPdf({x}); }, 0.6, 1);

  std::mt19937_64 rng(3);
  const int n = 4000;
  int above = 0;
  for (int k = 0; k < n; ++k) {
    const double x = m.Sample(rng)[0];
    ASSERT_GE(x, 0);
    ASSERT_LE(x, 1);
    above += x > 0.6;
  }
  // About 0.63 of the mass; the count within four binomial standard deviations.
  EXPECT_NEAR(mass_above, 0.63, 0.01);
  EXPECT_NEAR(above, n * mass_above, 4 * std::sqrt(n * mass_above * (1 - mass_above)));
}

TEST(ParzenMixtureTest, ChoiceSamplesFollowTheProbabilities) {
  const ParzenMixture m({Choices(3)}, Rows({1, 1}), {});
  std::mt19937_64 rng(4);
  const int n = 9000;
  int ones = 0;
  for (int k = 0; k < n; ++k) ones += m.Sample(rng)[0] == 1;
  EXPECT_NEAR(ones, n * 5.0 / 9, 4 * std::sqrt(n * (5.0 / 9) * (4.0 / 9)));
}

TEST(TpeObservationWeightsTest, OlderObservationsRampUpBeyond25) {
  EXPECT_THAT(TpeObservationWeights(3), ElementsAre(1, 1, 1));
  const std::vector<double> w = TpeObservationWeights(30);
  ASSERT_EQ(w.size(), 30u);
  EXPECT_DOUBLE_EQ(w[0], 1.0 / 30);
  EXPECT_DOUBLE_EQ(w[2], 1.0 / 30 + (1 - 1.0 / 30) / 2);
  EXPECT_DOUBLE_EQ(w[4], 1);
  EXPECT_DOUBLE_EQ(w[29], 1);
}

}  // namespace
}  // namespace salvo::opt
