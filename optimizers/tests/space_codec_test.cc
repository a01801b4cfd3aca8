#include "optimizers/space_codec.h"

#include <gtest/gtest.h>

#include <set>

#include "optimizers/tests/optimizer_test_util.h"

namespace salvo::opt {
namespace {

using testing::IntDim;
using testing::IntListDim;
using testing::RealDim;

SearchSpace MixedSpace() {
  Dimension lr = RealDim("lr", 1e-4, 1e-1);
  lr.log = true;
  return SearchSpace{
      {IntListDim("a", {64, 128, 256}), IntDim("k", 0, 10), lr, RealDim("x", -2, 2)}};
}

TEST(SpaceCodecTest, EncodesRealsLogsAndChoicesIntoTheUnitCube) {
  SpaceCodec codec(MixedSpace());
  ASSERT_EQ(codec.encoded_size(), 6);  // 3 one-hot + k + lr + x
  double u[6];
  codec.Encode({1, 5, 1e-2, 1.0}, u);
  EXPECT_DOUBLE_EQ(u[0], 0);
  EXPECT_DOUBLE_EQ(u[1], 1);
  EXPECT_DOUBLE_EQ(u[2], 0);
  EXPECT_DOUBLE_EQ(u[3], 0.5);
  EXPECT_NEAR(u[4], 2.0 / 3.0, 1e-12);  // 1e-2 is two thirds of the way in log space
  EXPECT_DOUBLE_EQ(u[5], 0.75);
  EXPECT_EQ(codec.continuous_coords(), (std::vector<int>{3, 4, 5}));
}

TEST(SpaceCodecTest, DecodeRoundsIntegersClampsAndPicksTheLargestOneHotCoordinate) {
  SpaceCodec codec(MixedSpace());
  double u[6] = {0.2, 0.1, 0.7, 0.46, 1.3, -0.5};
  Point p = codec.Decode(u);
  EXPECT_EQ(p[0], 2);
  EXPECT_EQ(p[1], 5);  // 4.6 rounds to 5
  EXPECT_NEAR(p[2], 1e-1, 1e-12);
  EXPECT_EQ(p[3], -2);
}

TEST(SpaceCodecTest, EncodeThenDecodeGivesThePointBack) {
  SpaceCodec codec(MixedSpace());
  Point p = {2, 7, 3e-3, -0.25};
  double u[6];
  codec.Encode(p, u);
  Point back = codec.Decode(u);
  EXPECT_EQ(back[0], 2);
  EXPECT_EQ(back[1], 7);
  EXPECT_NEAR(back[2], 3e-3, 1e-15);
  EXPECT_NEAR(back[3], -0.25, 1e-12);
}

TEST(SpaceCodecTest, SamePointUsesAToleranceForRealsAndExactDiscreteValues) {
  SpaceCodec codec(MixedSpace());
  Point a = {0, 3, 1e-3, 0.5};
  EXPECT_TRUE(codec.SamePoint(a, {0, 3, 1e-3, 0.5 + 1e-7}));
  EXPECT_FALSE(codec.SamePoint(a, {0, 3, 1e-3, 0.5 + 1e-4}));
  EXPECT_FALSE(codec.SamePoint(a, {0, 4, 1e-3, 0.5}));
  EXPECT_FALSE(codec.SamePoint(a, {1, 3, 1e-3, 0.5}));
}

TEST(SpaceCodecTest, ContainsRejectsOutOfBoundsFractionalAndWrongSizedPoints) {
  SpaceCodec codec(MixedSpace());
  EXPECT_TRUE(codec.Contains({0, 3, 1e-3, 0.5}));
  EXPECT_FALSE(codec.Contains({3, 3, 1e-3, 0.5}));    // no fourth choice
  EXPECT_FALSE(codec.Contains({0, 3.5, 1e-3, 0.5}));  // not an integer
  EXPECT_FALSE(codec.Contains({0, 3, 1e-3, 2.5}));    // above the bound
  EXPECT_FALSE(codec.Contains({0, 3, 1e-3}));
  EXPECT_FALSE(codec.Contains({0, 3, NAN, 0.5}));
}

TEST(SpaceCodecTest, SamplesStayInTheSpaceAndCoverEveryChoice) {
  SpaceCodec codec(MixedSpace());
  std::mt19937_64 rng(7);
  std::set<double> choices, ks;
  for (int i = 0; i < 500; ++i) {
    Point p = codec.Sample(rng);
    ASSERT_TRUE(codec.Contains(p));
    choices.insert(p[0]);
    ks.insert(p[1]);
  }
  EXPECT_EQ(choices.size(), 3u);
  EXPECT_EQ(ks.size(), 11u);
}

TEST(SpaceCodecTest, CardinalityAndPointAtFollowGridOrder) {
  SearchSpace space{
      {IntListDim("x", {1, 2}), IntDim("y", 3, 4), IntListDim("z", {5, 6})}};
  SpaceCodec codec(space);
  ASSERT_EQ(codec.Cardinality(), 8.0);
  EXPECT_EQ(codec.PointAt(0), (Point{0, 3, 0}));
  EXPECT_EQ(codec.PointAt(1), (Point{0, 3, 1}));
  EXPECT_EQ(codec.PointAt(2), (Point{0, 4, 0}));
  EXPECT_EQ(codec.PointAt(7), (Point{1, 4, 1}));
  EXPECT_FALSE(SpaceCodec(MixedSpace()).Cardinality().has_value());
}

TEST(SpaceCodecTest, PointSetHoldsEachDistinctPointOnce) {
  SpaceCodec codec(SearchSpace{{IntDim("k", 0, 3), RealDim("x", 0, 1)}});
  PointSet set(&codec);
  set.Add({1, 0.25});
  set.Add({1, 0.25 + 1e-9});
  set.Add({1, 0.5});
  set.Add({9, 0.5});  // not in the space: ignored
  EXPECT_EQ(set.size(), 2u);
  EXPECT_TRUE(set.Contains({1, 0.2500000001}));
  EXPECT_FALSE(set.Contains({2, 0.25}));
}

TEST(SpaceCodecTest, DrawUntriedPointFindsTheLastUntriedPointThenNothing) {
  SpaceCodec codec(SearchSpace{{IntDim("a", 0, 2), IntDim("b", 0, 2)}});
  PointSet tried(&codec);
  for (uint64_t i = 0; i < 9; ++i) {
    if (i != 5) tried.Add(codec.PointAt(i));
  }
  std::optional<Point> p = DrawUntriedPoint(codec, tried, 42);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, codec.PointAt(5));
  tried.Add(*p);
  EXPECT_FALSE(DrawUntriedPoint(codec, tried, 42).has_value());
}

TEST(SpaceCodecTest, TheFirstTrialTakesTheInitialValues) {
  Dimension x = RealDim("x", -2, 2);
  x.initial = FlagValue::Float(0.1);
  SearchSpace space{{IntListDim("a", {1, 2}), x}};
  SpaceCodec codec(space);
  PointSet none(&codec);
  EXPECT_EQ(RandomTrialPoint(codec, none, 5, 0)->at(1), 0.1);
  EXPECT_NE(RandomTrialPoint(codec, none, 5, 1)->at(1), 0.1);
}

TEST(SpaceCodecTest, UniformDrawsAreInRangeAndReproducible) {
  std::mt19937_64 a(3), b(3);
  for (int i = 0; i < 1000; ++i) {
    double u = UnitUniform(a);
    ASSERT_GE(u, 0.0);
    ASSERT_LT(u, 1.0);
    ASSERT_EQ(u, UnitUniform(b));
    ASSERT_LT(UniformIndex(a, 7), 7u);
    UniformIndex(b, 7);
  }
}

}  // namespace
}  // namespace salvo::opt
