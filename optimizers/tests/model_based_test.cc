// Behaviour of the model-based optimizers (gp, forest, gbrt, tpe) through the Optimizer
// interface: random starts, pending points, duplicates, finite spaces, reproducibility.

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "optimizers/optimizer.h"
#include "optimizers/space_codec.h"
#include "optimizers/tests/optimizer_test_util.h"

namespace salvo::opt {
namespace {

using testing::BestTrial;
using testing::IntDim;
using testing::IntListDim;
using testing::RealDim;
using testing::RunSequential;
using testing::SinObjective;

constexpr double kSinArgmin = -0.28922;

std::unique_ptr<Optimizer> Make(const std::string& name, FlagMap flags = {}) {
  Result<std::unique_ptr<Optimizer>> o = MakeOptimizer(name, flags);
  EXPECT_TRUE(o.ok()) << o.status().ToString();
  return std::move(o).value();
}

SearchSpace SinSpace() { return SearchSpace{{RealDim("x", -2, 2)}}; }

// A request with the first `n` points of a fixed spread over [-2, 2] observed.
AskRequest SinHistory(const SearchSpace& space, int n) {
  AskRequest r{&space, {}, {}, {}, 17, static_cast<uint64_t>(n), 1};
  for (int i = 0; i < n; ++i) {
    Point p = {-1.9 + 3.7 * i / std::max(1, n - 1)};
    r.observations.push_back({p, SinObjective(p)});
  }
  return r;
}

bool AllDistinct(const SpaceCodec& codec, const std::vector<Point>& points) {
  for (size_t i = 0; i < points.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (codec.SamePoint(points[i], points[j])) return false;
    }
  }
  return true;
}

TEST(ModelBasedTest, GpFindsTheSinMinimumWithinTwentyTrials) {
  SearchSpace space = SinSpace();
  for (uint64_t seed : {1, 2, 3}) {
    std::unique_ptr<Optimizer> gp = Make("gp");
    std::vector<testing::Trial> trials =
        RunSequential(*gp, space, SinObjective, 20, seed);
    ASSERT_EQ(trials.size(), 20u);
    EXPECT_NEAR(BestTrial(trials).suggestion.x[0], kSinArgmin, 0.1) << "seed " << seed;
    EXPECT_TRUE(trials[2].suggestion.random_start);
    EXPECT_FALSE(trials[3].suggestion.random_start);
  }
}

TEST(ModelBasedTest, ForestGbrtAndRandomFindTheSinMinimumRegion) {
  SearchSpace space = SinSpace();
  for (const char* name : {"forest", "gbrt", "random"}) {
    std::unique_ptr<Optimizer> o = Make(name);
    std::vector<testing::Trial> trials = RunSequential(*o, space, SinObjective, 40, 4);
    EXPECT_NEAR(BestTrial(trials).suggestion.x[0], kSinArgmin, 0.1) << name;
  }
}

TEST(ModelBasedTest, GpFindsTheMixedProblemOptimumRegion) {
  // x in [-2, 2], k in [0, 10], c in {a, b, c, d}: optimum 0 at x = 0.5, k = 7, c = b.
  SearchSpace space{
      {testing::ListDim("c", {FlagValue::String("a"), FlagValue::String("b"),
                              FlagValue::String("c"), FlagValue::String("d")}),
       IntDim("k", 0, 10), RealDim("x", -2, 2)}};
  auto f = [](const Point& p) {
    const double xs[] = {-1, 0.5, 1.5, 0}, off[] = {0.3, 0, 0.6, 1.0};
    int c = static_cast<int>(p[0]);
    return (p[2] - xs[c]) * (p[2] - xs[c]) + 0.1 * (p[1] - 7) * (p[1] - 7) + off[c];
  };
  std::unique_ptr<Optimizer> gp = Make("gp");
  std::vector<testing::Trial> trials = RunSequential(*gp, space, f, 40, 5);
  EXPECT_LT(BestTrial(trials).y, 0.35);
}

TEST(ModelBasedTest, ZeroRandomStartsOnAFreshBatchStartsWithOneRandomPoint) {
  SearchSpace space = SinSpace();
  for (const char* name : {"gp", "forest", "gbrt"}) {
    std::unique_ptr<Optimizer> o = Make(name, {{"random-starts", FlagValue::Int(0)}});
    std::vector<testing::Trial> trials = RunSequential(*o, space, SinObjective, 5, 8);
    ASSERT_EQ(trials.size(), 5u) << name;
    EXPECT_TRUE(trials[0].suggestion.random_start) << name;
    for (int i = 1; i < 5; ++i) EXPECT_FALSE(trials[i].suggestion.random_start) << name;
  }
}

TEST(ModelBasedTest, RandomStartsCountOverTheWholeHistory) {
  SearchSpace space = SinSpace();
  std::unique_ptr<Optimizer> gp = Make("gp");
  // A restarted batch with three results is model-guided from its first new trial.
  AskRequest restart = SinHistory(space, 3);
  restart.count = 2;
  Result<std::vector<Suggestion>> r = gp->Ask(restart);
  ASSERT_EQ(r->size(), 2u);
  EXPECT_FALSE((*r)[0].random_start);
  EXPECT_FALSE((*r)[1].random_start);

  // Two results and one trial in flight make three trials: no random start left.
  AskRequest in_flight = SinHistory(space, 2);
  in_flight.pending = {{0.7}};
  EXPECT_FALSE(gp->Ask(in_flight)->at(0).random_start);
  // A failed trial counts too, but without any result the model has nothing to use.
  AskRequest failed_only{&space, {}, {{0.1}, {0.2}, {0.3}}, {}, 1, 3, 1};
  EXPECT_TRUE(gp->Ask(failed_only)->at(0).random_start);
}

TEST(ModelBasedTest, AskingForFiveOnAFreshBatchGivesFiveDistinctPoints) {
  SearchSpace space = SinSpace();
  SpaceCodec codec(space);
  for (const char* name : {"gp", "forest", "gbrt"}) {
    std::unique_ptr<Optimizer> o = Make(name);
    Result<std::vector<Suggestion>> r = o->Ask(AskRequest{&space, {}, {}, {}, 9, 0, 5});
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r->size(), 5u) << name;
    std::vector<Point> points;
    for (const Suggestion& s : *r) points.push_back(s.x);
    EXPECT_TRUE(AllDistinct(codec, points)) << name;
  }
}

TEST(ModelBasedTest, PointsInFlightAreAvoidedAndSpreadOut) {
  SearchSpace space{{RealDim("x", -2, 2), RealDim("y", -2, 2)}};
  SpaceCodec codec(space);
  auto f = [](const Point& p) {
    return (p[0] - 0.3) * (p[0] - 0.3) + (p[1] + 0.2) * (p[1] + 0.2);
  };
  for (const char* name : {"gp", "forest", "gbrt"}) {
    AskRequest r{&space, {}, {}, {}, 3, 8, 4};
    for (int i = 0; i < 8; ++i) {
      Point p = {-1.8 + 0.45 * i, 1.7 - 0.4 * i};
      r.observations.push_back({p, f(p)});
    }
    r.pending = {{0.3, -0.2}};
    std::unique_ptr<Optimizer> o = Make(name);
    Result<std::vector<Suggestion>> batch = o->Ask(r);
    ASSERT_EQ(batch->size(), 4u) << name;
    std::vector<Point> points = {r.pending[0]};
    for (const Suggestion& s : *batch) {
      EXPECT_FALSE(s.random_start) << name;
      points.push_back(s.x);
    }
    EXPECT_TRUE(AllDistinct(codec, points)) << name;
  }
}

TEST(ModelBasedTest, GpSpreadsABatchInsteadOfStackingItOnTheOptimum) {
  SearchSpace space = SinSpace();
  AskRequest r = SinHistory(space, 8);
  r.count = 4;
  std::unique_ptr<Optimizer> gp = Make("gp", {{"acq-func", FlagValue::String("EI")}});
  Result<std::vector<Suggestion>> batch = gp->Ask(r);
  ASSERT_EQ(batch->size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    for (size_t j = 0; j < i; ++j) {
      EXPECT_GT(std::abs((*batch)[i].x[0] - (*batch)[j].x[0]), 1e-3);
    }
  }
}

TEST(ModelBasedTest, GpNeverRepeatsAPointOnADeterministicFunction) {
  // Public report case 6: x=[0.0:1.0] -o gp -m 40 on the Forrester function.
  SearchSpace space{{RealDim("x", 0, 1)}};
  SpaceCodec codec(space);
  std::unique_ptr<Optimizer> gp = Make("gp");
  std::vector<testing::Trial> trials =
      RunSequential(*gp, space, testing::ForresterObjective, 40, 6);
  ASSERT_EQ(trials.size(), 40u);
  std::vector<Point> points;
  for (const testing::Trial& t : trials) points.push_back(t.suggestion.x);
  EXPECT_TRUE(AllDistinct(codec, points));
  EXPECT_NEAR(BestTrial(trials).suggestion.x[0], 0.7572, 0.01);  // the global minimum
}

TEST(ModelBasedTest, ADuplicateOfTheModelsChoiceIsReplacedAndCounted) {
  // With LCB and kappa 0 the model's choice is its lowest mean: the observed minimum.
  SearchSpace space{{IntDim("k", 0, 3)}};
  std::unique_ptr<Optimizer> gp = Make("gp", {{"acq-func", FlagValue::String("LCB")},
                                              {"kappa", FlagValue::Float(0.0)},
                                              {"random-starts", FlagValue::Int(0)}});
  AskRequest r{&space, {{{0}, 5.0}, {{1}, -10.0}, {{2}, 4.0}}, {}, {}, 1, 3, 1};
  Result<std::vector<Suggestion>> s = gp->Ask(r);
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ(s->at(0).x, (Point{3}));
  EXPECT_GE(s->at(0).duplicates_replaced, 1);
}

TEST(ModelBasedTest, AnAllCategoricalNumericSpaceSuggestsOnlyMembers) {
  // Public report case 9: units=[64,128,256] layers=[1,2,3] -o gp -m 12.
  SearchSpace space{
      {IntListDim("layers", {1, 2, 3}), IntListDim("units", {64, 128, 256})}};
  SpaceCodec codec(space);
  auto f = [](const Point& p) { return std::abs(p[0] - 1) + 0.5 * std::abs(p[1] - 2); };
  for (const char* name : {"gp", "forest", "gbrt"}) {
    std::unique_ptr<Optimizer> o = Make(name);
    std::vector<testing::Trial> trials = RunSequential(*o, space, f, 12, 2);
    ASSERT_EQ(trials.size(), 9u) << name;  // then the space is exhausted
    std::set<Point> seen;
    for (const testing::Trial& t : trials) {
      EXPECT_TRUE(codec.Contains(t.suggestion.x)) << name;
      seen.insert(t.suggestion.x);
    }
    EXPECT_EQ(seen.size(), 9u) << name;
  }
}

TEST(ModelBasedTest, AnExhaustedFiniteSpaceGivesFewerSuggestions) {
  SearchSpace space{{IntDim("k", 1, 3)}};
  std::unique_ptr<Optimizer> gp = Make("gp");
  AskRequest r{&space, {{{1}, 1.0}, {{2}, 0.5}, {{3}, 2.0}}, {}, {}, 1, 3, 3};
  EXPECT_TRUE(gp->Ask(r)->empty());
  r.observations.pop_back();
  Result<std::vector<Suggestion>> s = gp->Ask(r);
  ASSERT_EQ(s->size(), 1u);
  EXPECT_EQ(s->at(0).x, (Point{3}));
}

TEST(ModelBasedTest, TheSameRequestGivesTheSameAnswer) {
  SearchSpace space{{RealDim("x", -2, 2), IntDim("k", 0, 5)}};
  AskRequest r{&space, {}, {}, {{0.5, 2}}, 21, 9, 3};
  for (int i = 0; i < 8; ++i) {
    Point p = {-1.5 + 0.4 * i, static_cast<double>(i % 6)};
    r.observations.push_back({p, SinObjective(p) + 0.1 * p[1]});
  }
  for (const char* name : {"gp", "forest", "gbrt", "tpe"}) {
    std::unique_ptr<Optimizer> a = Make(name), b = Make(name);
    Result<std::vector<Suggestion>> first = a->Ask(r);
    Result<std::vector<Suggestion>> again = a->Ask(r);
    Result<std::vector<Suggestion>> fresh = b->Ask(r);
    ASSERT_EQ(first->size(), 3u);
    for (size_t i = 0; i < 3; ++i) {
      EXPECT_EQ(first->at(i).x, again->at(i).x) << name;
      EXPECT_EQ(first->at(i).x, fresh->at(i).x) << name;
    }
  }
}

TEST(ModelBasedTest, ARestartedBatchContinuesExactlyAsAnUninterruptedOne) {
  // A suggestion is a function of seed, space and history: a fresh object replaying
  // the persisted history (a restart) suggests what the long-lived object did.
  SearchSpace space{{RealDim("x", -2, 2), IntDim("k", 0, 4)}};
  auto f = [](const Point& p) { return SinObjective(p) + 0.05 * p[1]; };
  for (const char* name : {"gp", "forest", "gbrt", "tpe"}) {
    std::unique_ptr<Optimizer> whole = Make(name);
    std::vector<testing::Trial> straight = RunSequential(*whole, space, f, 12, 31);
    ASSERT_EQ(straight.size(), 12u);

    AskRequest r{&space, {}, {}, {}, 31, 0, 1};
    for (int t = 0; t < 6; ++t)
      r.observations.push_back({straight[t].suggestion.x, straight[t].y});
    std::unique_ptr<Optimizer> restarted = Make(name);
    for (int t = 6; t < 12; ++t) {
      r.trials_so_far = static_cast<uint64_t>(t);
      Result<std::vector<Suggestion>> s = restarted->Ask(r);
      ASSERT_EQ(s->size(), 1u);
      EXPECT_EQ(s->at(0).x, straight[t].suggestion.x) << name << " trial " << t;
      r.observations.push_back({s->at(0).x, f(s->at(0).x)});
    }
  }
}

TEST(ModelBasedTest, BadObservationsAreLeftOutButNeverRepeated) {
  SearchSpace space = SinSpace();
  SpaceCodec codec(space);
  AskRequest r = SinHistory(space, 6);
  r.observations.push_back({{-0.29}, NAN});
  r.observations.push_back({{-0.3}, INFINITY});
  r.observations.push_back({{5.0}, -100.0});  // outside the space (a changed range)
  r.failed = {{-0.28}};
  r.count = 3;
  std::unique_ptr<Optimizer> gp = Make("gp");
  Result<std::vector<Suggestion>> s = gp->Ask(r);
  ASSERT_TRUE(s.ok());
  ASSERT_EQ(s->size(), 3u);
  for (const Suggestion& x : *s) {
    EXPECT_TRUE(codec.Contains(x.x));
    EXPECT_FALSE(x.random_start);
    for (double tried : {-0.29, -0.3, -0.28}) EXPECT_FALSE(codec.SamePoint(x.x, {tried}));
  }
}

TEST(ModelBasedTest, NanInfAndOutOfSpaceObservationsDoNotChangeTheModel) {
  // The same history with unusable observations added far from where the model points
  // (NaN, inf, a value outside the space, failed trials) gives the same suggestions: they
  // never reach the model. Fed in as values, -100 at x = 1.9 would pull every model
  // there.
  SearchSpace space = SinSpace();
  SpaceCodec codec(space);
  AskRequest clean = SinHistory(space, 8);
  clean.count = 2;
  AskRequest noisy = clean;
  noisy.observations.push_back({{1.9}, NAN});
  noisy.observations.push_back({{1.95}, -INFINITY});
  noisy.observations.push_back({{7.0}, -100.0});  // outside [-2, 2]
  noisy.failed = {{1.85}, {1.99}};
  for (const char* name : {"gp", "forest", "gbrt", "tpe"}) {
    Result<std::vector<Suggestion>> a = Make(name)->Ask(clean);
    Result<std::vector<Suggestion>> b = Make(name)->Ask(noisy);
    ASSERT_TRUE(a.ok() && b.ok()) << name;
    ASSERT_EQ(a->size(), 2u) << name;
    ASSERT_EQ(b->size(), 2u) << name;
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(a->at(i).x, b->at(i).x) << name << " suggestion " << i;
      EXPECT_FALSE(b->at(i).random_start) << name;
      for (double tried : {1.9, 1.95, 1.85, 1.99})
        EXPECT_FALSE(codec.SamePoint(b->at(i).x, {tried})) << name;
    }
  }
}

TEST(ModelBasedTest, TheFirstTrialTakesTheInitialValue) {
  // Reference row 52: x=[-2.0:2.0:0.1] -o gp: trial 1 is x = 0.1, a random start.
  Dimension x = RealDim("x", -2, 2);
  x.initial = FlagValue::Float(0.1);
  SearchSpace space{{x}};
  std::unique_ptr<Optimizer> gp = Make("gp");
  Result<std::vector<Suggestion>> s = gp->Ask(AskRequest{&space, {}, {}, {}, 4, 0, 2});
  ASSERT_EQ(s->size(), 2u);
  EXPECT_EQ(s->at(0).x[0], 0.1);
  EXPECT_TRUE(s->at(0).random_start);
  EXPECT_NE(s->at(1).x[0], 0.1);
}

TEST(ModelBasedTest, EveryAcquisitionAndFixedNoiseWork) {
  SearchSpace space = SinSpace();
  for (const char* acq : {"EI", "PI", "LCB", "gp_hedge"}) {
    std::unique_ptr<Optimizer> gp = Make(
        "gp", {{"acq-func", FlagValue::String(acq)}, {"noise", FlagValue::Float(1e-4)}});
    std::vector<testing::Trial> trials = RunSequential(*gp, space, SinObjective, 25, 12);
    EXPECT_NEAR(BestTrial(trials).suggestion.x[0], kSinArgmin, 0.1) << acq;
  }
}

}  // namespace
}  // namespace salvo::opt
