#include <gtest/gtest.h>

#include <set>

#include "optimizers/optimizer.h"
#include "optimizers/space_codec.h"
#include "optimizers/tests/optimizer_test_util.h"

namespace salvo::opt {
namespace {

using testing::IntDim;
using testing::IntListDim;
using testing::ListDim;
using testing::RealDim;

std::vector<Point> Ask(const std::string& name, const AskRequest& request) {
  std::unique_ptr<Optimizer> o = std::move(MakeOptimizer(name, {}).value());
  Result<std::vector<Suggestion>> r = o->Ask(request);
  EXPECT_TRUE(r.ok()) << r.status().ToString();
  std::vector<Point> points;
  for (const Suggestion& s : *r) points.push_back(s.x);
  return points;
}

TEST(GridTest, WalksTheCartesianProductWithTheLastDimensionFastest) {
  // Reference row 57: x=[1,2] y=[3,4] z=[5,6].
  SearchSpace space{
      {IntListDim("x", {1, 2}), IntListDim("y", {3, 4}), IntListDim("z", {5, 6})}};
  AskRequest request{&space, {}, {}, {}, 0, 0, 10};
  std::vector<Point> points = Ask("+", request);
  EXPECT_EQ(points, (std::vector<Point>{{0, 0, 0},
                                        {0, 0, 1},
                                        {0, 1, 0},
                                        {0, 1, 1},
                                        {1, 0, 0},
                                        {1, 0, 1},
                                        {1, 1, 0},
                                        {1, 1, 1}}));
}

TEST(GridTest, KeepsEachListInItsGivenOrder) {
  // Reference row 58: msg=[b,a] loud=[no,yes] gives loud=no/msg=b, no/a, yes/b, yes/a.
  SearchSpace space{{ListDim("loud", {FlagValue::Bool(false), FlagValue::Bool(true)}),
                     ListDim("msg", {FlagValue::String("b"), FlagValue::String("a")})}};
  std::vector<Point> points = Ask("+", AskRequest{&space, {}, {}, {}, 0, 0, 4});
  ASSERT_EQ(points.size(), 4u);
  EXPECT_EQ(space.dims[1].choices[static_cast<size_t>(points[0][1])],
            FlagValue::String("b"));
  EXPECT_EQ(space.dims[1].choices[static_cast<size_t>(points[1][1])],
            FlagValue::String("a"));
  EXPECT_EQ(points[1][0], 0);
  EXPECT_EQ(points[2], (Point{1, 0}));

  // Reference row 59: x=[-1,0,1] noise=[0.1,0.2]: noise 0.1 with x -1, 0, 1 first.
  SearchSpace row59{{ListDim("noise", {FlagValue::Float(0.1), FlagValue::Float(0.2)}),
                     IntListDim("x", {-1, 0, 1})}};
  EXPECT_EQ(Ask("+", AskRequest{&row59, {}, {}, {}, 0, 0, 6}),
            (std::vector<Point>{{0, 0}, {0, 1}, {0, 2}, {1, 0}, {1, 1}, {1, 2}}));
}

TEST(GridTest, SkipsCellsObservedFailedOrPending) {
  SearchSpace space{{IntListDim("a", {1, 2, 3})}};
  AskRequest request{&space, {{{0}, 1.0}}, {{1}}, {}, 0, 2, 3};
  EXPECT_EQ(Ask("+", request), (std::vector<Point>{{2}}));
  request.pending = {{2}};
  EXPECT_TRUE(Ask("+", request).empty());  // exhausted: fewer than asked
}

TEST(GridTest, DrawsRealDimensionsPerTrialFromTheSeed) {
  SearchSpace space{{RealDim("lr", 0, 1), IntListDim("y", {1, 2})}};
  AskRequest request{&space, {}, {}, {}, 11, 0, 4};
  std::vector<Point> points = Ask("+", request);
  ASSERT_EQ(points.size(), 2u);
  EXPECT_EQ(points[0][1], 0);
  EXPECT_EQ(points[1][1], 1);
  EXPECT_NE(points[0][0], points[1][0]);
  EXPECT_GE(points[0][0], 0);
  EXPECT_LE(points[0][0], 1);
  EXPECT_EQ(Ask("+", request), points);
}

TEST(RandomTest, SameRequestGivesTheSamePoints) {
  SearchSpace space{{RealDim("x", -2, 2), IntDim("k", 0, 100)}};
  AskRequest request{&space, {}, {}, {}, 5, 0, 6};
  std::vector<Point> a = Ask("random", request);
  EXPECT_EQ(a.size(), 6u);
  EXPECT_EQ(Ask("random", request), a);
  request.seed = 6;
  EXPECT_NE(Ask("random", request), a);
}

TEST(RandomTest, ARestartContinuesTheStreamInsteadOfRepeatingIt) {
  SearchSpace space{{RealDim("x", -2, 2)}};
  AskRequest first{&space, {}, {}, {}, 3, 0, 5};
  std::vector<Point> before = Ask("random", first);
  AskRequest restart{&space, {}, {}, {}, 3, 5, 5};
  for (const Point& p : before) restart.observations.push_back({p, 0.0});
  std::vector<Point> after = Ask("random", restart);
  ASSERT_EQ(after.size(), 5u);
  for (const Point& p : after) {
    for (const Point& q : before) EXPECT_NE(p, q);
  }
  // Trial i of a batch is the same point whether asked in one request or one by one.
  AskRequest one{&space, {}, {}, {}, 3, 2, 1};
  EXPECT_EQ(Ask("random", one)[0], before[2]);
}

TEST(RandomTest, NeverRepeatsAPointOfAFiniteSpaceAndThenRunsOut) {
  SearchSpace space{
      {IntListDim("layers", {1, 2, 3}), IntListDim("units", {64, 128, 256})}};
  SpaceCodec codec(space);
  AskRequest request{&space, {}, {}, {}, 1, 0, 1};
  std::set<Point> seen;
  for (int t = 0; t < 12; ++t) {
    request.trials_so_far = static_cast<uint64_t>(t);
    std::vector<Point> p = Ask("random", request);
    if (t >= 9) {
      EXPECT_TRUE(p.empty()) << t;
      continue;
    }
    ASSERT_EQ(p.size(), 1u);
    EXPECT_TRUE(codec.Contains(p[0]));
    EXPECT_TRUE(seen.insert(p[0]).second) << "repeated at trial " << t;
    request.failed.push_back(p[0]);
  }
}

TEST(RandomTest, AvoidsPendingPoints) {
  SearchSpace space{{IntListDim("a", {1, 2})}};
  AskRequest request{&space, {}, {}, {{0}}, 1, 1, 2};
  EXPECT_EQ(Ask("random", request), (std::vector<Point>{{1}}));
}

TEST(RandomTest, TheFirstTrialTakesTheInitialValue) {
  Dimension x = RealDim("x", -2, 2);
  x.initial = FlagValue::Float(0.1);
  SearchSpace space{{x}};
  std::vector<Point> p = Ask("random", AskRequest{&space, {}, {}, {}, 0, 0, 2});
  EXPECT_EQ(p[0][0], 0.1);
  EXPECT_NE(p[1][0], 0.1);
}

}  // namespace
}  // namespace salvo::opt
