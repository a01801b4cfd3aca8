// The walkthrough's gp search: `salvo run examples/train.py x=[-2.0:2.0] --optimizer gp
// --max-trials 10` on sin(5x)(1 - tanh(x^2)) + N(0, 0.1^2), whose minimum is at
// x = -0.28922: three random starts, then seven model-guided trials, over 20 seeds.

#include <gtest/gtest.h>

#include <cmath>
#include <random>
#include <vector>

#include "optimizers/optimizer.h"
#include "optimizers/tests/optimizer_test_util.h"

namespace salvo::opt {
namespace {

using testing::RealDim;
using testing::RunSequential;
using testing::SinObjective;

constexpr double kSinArgmin = -0.28922;

struct GuidedStats {
  int guided = 0;
  int near_minimum = 0;  // within 0.3 of the argmin
  int at_edge = 0;       // within 0.1 of -2 or 2
};

GuidedStats RunWalkthrough(uint64_t seed) {
  SearchSpace space{{RealDim("x", -2, 2)}};
  Result<std::unique_ptr<Optimizer>> gp = MakeOptimizer("gp", {});
  EXPECT_TRUE(gp.ok());
  std::mt19937_64 noise(seed * 7919 + 1);
  std::normal_distribution<double> n01;
  auto f = [&](const Point& p) { return SinObjective(p) + 0.1 * n01(noise); };
  std::vector<testing::Trial> trials = RunSequential(**gp, space, f, 10, seed);
  EXPECT_EQ(trials.size(), 10u);

  GuidedStats s;
  for (const testing::Trial& t : trials) {
    if (t.suggestion.random_start) continue;
    const double x = t.suggestion.x[0];
    ++s.guided;
    s.near_minimum += std::abs(x - kSinArgmin) < 0.3;
    s.at_edge += std::abs(std::abs(x) - 2) < 0.1;
  }
  return s;
}

// Before the refit of degenerate fits (gp.cc), 79 of the 140 guided trials sat at the
// ends of the range, 24 near the minimum, and two seeds spent all seven at the ends;
// with it, 26 sit at the ends and 37 near the minimum. Seeds whose three random starts
// miss the basin of -0.29 (it lies between two high points in most of them) often find
// the local minimum near 0.9 instead, so only about half of the seeds gather there.
TEST(GpWalkthroughTest, GuidedTrialsLeaveTheEdgesAndGatherNearTheMinimum) {
  GuidedStats total;
  int seeds_in_basin = 0;
  for (uint64_t seed = 0; seed < 20; ++seed) {
    const GuidedStats s = RunWalkthrough(seed);
    EXPECT_EQ(s.guided, 7) << "seed " << seed;
    EXPECT_LE(s.at_edge, 4) << "seed " << seed;
    total.guided += s.guided;
    total.near_minimum += s.near_minimum;
    total.at_edge += s.at_edge;
    seeds_in_basin += s.near_minimum >= 2;
  }
  EXPECT_LE(total.at_edge, 30);
  EXPECT_GE(total.near_minimum, 35);
  EXPECT_GE(seeds_in_basin, 10);
}

}  // namespace
}  // namespace salvo::opt
