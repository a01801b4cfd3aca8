#include "optimizers/tpe.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <random>

namespace salvo::opt {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

Dimension Real(std::string name, double low, double high, bool log = false) {
  Dimension d;
  d.name = std::move(name);
  d.kind = DimKind::kReal;
  d.low = low;
  d.high = high;
  d.log = log;
  return d;
}

Dimension Integer(std::string name, double low, double high, bool log = false) {
  Dimension d = Real(std::move(name), low, high, log);
  d.kind = DimKind::kInteger;
  return d;
}

Dimension Choice(std::string name, std::vector<std::string> choices) {
  Dimension d;
  d.name = std::move(name);
  d.kind = DimKind::kCategorical;
  for (std::string& c : choices) d.choices.push_back(FlagValue::String(std::move(c)));
  return d;
}

SearchSpace Space(std::vector<Dimension> dims) {
  SearchSpace s;
  s.dims = std::move(dims);
  return s;
}

double SinObjective(const Point& p) {
  return std::sin(5 * p[0]) * (1 - std::tanh(p[0] * p[0]));
}

// Runs a sequential batch of `trials` and returns its observations, oldest first.
std::vector<Observation> RunBatch(Optimizer& optimizer, const SearchSpace& space,
                                  const std::function<double(const Point&)>& f,
                                  int trials, uint64_t seed) {
  AskRequest request;
  request.space = &space;
  request.seed = seed;
  for (int t = 0; t < trials; ++t) {
    request.trials_so_far = t;
    Result<std::vector<Suggestion>> asked = optimizer.Ask(request);
    EXPECT_TRUE(asked.ok()) << asked.status().ToString();
    if (!asked.ok() || asked->size() != 1) break;
    const Point& x = asked->front().x;
    request.observations.push_back({x, f(x)});
  }
  return request.observations;
}

const Observation& Best(const std::vector<Observation>& observations) {
  return *std::min_element(
      observations.begin(), observations.end(),
      [](const Observation& a, const Observation& b) { return a.y < b.y; });
}

TEST(ParzenEstimator1DTest, BandwidthsFollowTheGapsBetweenNeighbours) {
  // Centres 0.2, 0.3, 0.9 and the prior at 0.5; floor 1 / min(100, 4 + 1) = 0.2.
  const ParzenEstimator1D parzen({0.2, 0.3, 0.9}, 0, 1, false, 1.0);
  EXPECT_THAT(parzen.mus(), ElementsAre(0.2, 0.3, 0.9, 0.5));
  const std::vector<double>& s = parzen.sigmas();
  ASSERT_EQ(s.size(), 4u);
  EXPECT_DOUBLE_EQ(s[0], 0.2);  // inner gap 0.1, raised to the floor
  EXPECT_DOUBLE_EQ(s[1], 0.2);  // max(0.1, 0.2)
  EXPECT_DOUBLE_EQ(s[2], 0.4);  // outermost: its inner gap to 0.5
  EXPECT_DOUBLE_EQ(s[3], 1.0);  // the prior spans the range
  EXPECT_THAT(parzen.weights(), ElementsAre(0.25, 0.25, 0.25, 0.25));
}

TEST(ParzenEstimator1DTest, ContinuousDensityIntegratesToOne) {
  const ParzenEstimator1D parzen({-1.9, -0.3, -0.25, 1.2, 2.0}, -2, 2, false, 1.0);
  const int steps = 40000;
  double integral = 0;
  for (int k = 0; k < steps; ++k) {
    const double x = -2 + 4 * (k + 0.5) / steps;
    integral += std::exp(parzen.LogPdf(x)) * 4 / steps;
  }
  EXPECT_NEAR(integral, 1, 1e-4);
}

TEST(ParzenEstimator1DTest, IntegerMassesSumToOne) {
  const ParzenEstimator1D parzen({0, 7, 7, 10}, -0.5, 10.5, true, 1.0);
  double total = 0;
  for (int k = 0; k <= 10; ++k) total += std::exp(parzen.LogPdf(k));
  EXPECT_NEAR(total, 1, 1e-12);
  EXPECT_GT(parzen.LogPdf(7), parzen.LogPdf(3));
}

TEST(ParzenEstimator1DTest, SamplesStayInRangeAndFollowTheDensity) {
  const ParzenEstimator1D parzen({0.9, 0.95}, 0, 1, false, 1.0);
  double mass_above = 0;  // the density's mass on (0.6, 1], about 0.63
  for (int k = 0; k < 4000; ++k)
    mass_above += std::exp(parzen.LogPdf(0.6 + 0.4 * (k + 0.5) / 4000)) * 0.4 / 4000;

  std::mt19937_64 rng(3);
  const int n = 4000;
  int above = 0;
  for (int k = 0; k < n; ++k) {
    const double x = parzen.Sample(rng);
    ASSERT_GE(x, 0);
    ASSERT_LE(x, 1);
    above += x > 0.6;
  }
  // Within four standard deviations of the binomial count.
  EXPECT_NEAR(above, n * mass_above, 4 * std::sqrt(n * mass_above * (1 - mass_above)));
  EXPECT_NEAR(mass_above, 0.63, 0.01);
}

TEST(TpeWeightsTest, GoodGroupIsATenthCappedAt25) {
  EXPECT_EQ(TpeGoodCount(0, 0.1), 0);
  EXPECT_EQ(TpeGoodCount(10, 0.1), 1);
  EXPECT_EQ(TpeGoodCount(11, 0.1), 2);
  EXPECT_EQ(TpeGoodCount(300, 0.1), 25);
}

TEST(TpeWeightsTest, OlderObservationsRampUpBeyond25) {
  EXPECT_THAT(TpeObservationWeights(3), ElementsAre(1, 1, 1));
  const std::vector<double> w = TpeObservationWeights(30);
  ASSERT_EQ(w.size(), 30u);
  EXPECT_DOUBLE_EQ(w[0], 1.0 / 30);
  EXPECT_DOUBLE_EQ(w[2], 1.0 / 30 + (1 - 1.0 / 30) / 2);
  EXPECT_DOUBLE_EQ(w[4], 1);
  EXPECT_DOUBLE_EQ(w[29], 1);
}

TEST(CategoricalParzenTest, ObservedChoiceGetsMassAndPriorKeepsTheRest) {
  // Kernels: 1/3 on every choice plus 1 on choice 1, over 2; mixture weights 1/3 each.
  const std::vector<double> p = CategoricalParzen({1, 1}, 3, 1.0);
  ASSERT_EQ(p.size(), 3u);
  EXPECT_NEAR(p[0], 2.0 / 9, 1e-15);
  EXPECT_NEAR(p[1], 5.0 / 9, 1e-15);
  EXPECT_NEAR(p[2], 2.0 / 9, 1e-15);
}

TEST(TpeOptimizerTest, FindsTheMinimumOfTheWalkthroughFunction) {
  const SearchSpace space = Space({Real("x", -2, 2)});
  for (uint64_t seed = 0; seed < 5; ++seed) {
    std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({});
    const std::vector<Observation> obs = RunBatch(*tpe, space, SinObjective, 40, seed);
    ASSERT_EQ(obs.size(), 40u);
    EXPECT_NEAR(Best(obs).x[0], -0.289, 0.1) << "seed " << seed;
  }
}

TEST(TpeOptimizerTest, SuggestsOnlyValuesOfAMixedSpace) {
  const SearchSpace space =
      Space({Choice("act", {"relu", "tanh", "gelu"}), Integer("layers", 1, 6),
             Real("lr", 1e-5, 1e-1, true), Integer("units", 8, 512, true)});
  auto f = [](const Point& p) {
    return (p[0] == 2 ? 0 : 1) + std::abs(p[1] - 4) + std::abs(std::log10(p[2]) + 3) +
           std::abs(std::log2(p[3]) - 7);
  };
  std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({});
  const std::vector<Observation> obs = RunBatch(*tpe, space, f, 40, 7);
  ASSERT_EQ(obs.size(), 40u);
  for (const Observation& o : obs) {
    EXPECT_TRUE(o.x[0] == 0 || o.x[0] == 1 || o.x[0] == 2);
    EXPECT_EQ(o.x[1], std::round(o.x[1]));
    EXPECT_GE(o.x[1], 1);
    EXPECT_LE(o.x[1], 6);
    EXPECT_GE(o.x[2], 1e-5);
    EXPECT_LE(o.x[2], 1e-1);
    EXPECT_EQ(o.x[3], std::round(o.x[3]));
    EXPECT_GE(o.x[3], 8);
    EXPECT_LE(o.x[3], 512);
  }
  // The model learns the categorical and integer optimum.
  EXPECT_EQ(Best(obs).x[0], 2);
  EXPECT_LT(Best(obs).y, 2.5);
}

TEST(TpeOptimizerTest, SameRequestGivesTheSamePoints) {
  const SearchSpace space = Space({Real("x", -2, 2), Integer("k", 0, 10)});
  auto f = [](const Point& p) { return p[0] * p[0] + 0.1 * (p[1] - 7) * (p[1] - 7); };
  std::unique_ptr<Optimizer> a = NewTpeOptimizer({}), b = NewTpeOptimizer({});
  const std::vector<Observation> run_a = RunBatch(*a, space, f, 25, 11);
  const std::vector<Observation> run_b = RunBatch(*b, space, f, 25, 11);
  ASSERT_EQ(run_a.size(), run_b.size());
  for (size_t t = 0; t < run_a.size(); ++t) EXPECT_EQ(run_a[t].x, run_b[t].x) << t;

  const std::vector<Observation> other_seed = RunBatch(*a, space, f, 25, 12);
  EXPECT_NE(other_seed[0].x, run_a[0].x);
  EXPECT_NE(other_seed[24].x, run_a[24].x);
}

TEST(TpeOptimizerTest, PendingPointsAreAvoidedAndSpreadOut) {
  const SearchSpace space = Space({Real("x", -2, 2)});
  std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({});
  AskRequest request;
  request.space = &space;
  request.observations = RunBatch(*tpe, space, SinObjective, 15, 3);
  request.trials_so_far = 15;
  request.count = 4;

  Result<std::vector<Suggestion>> asked = tpe->Ask(request);
  ASSERT_TRUE(asked.ok());
  ASSERT_EQ(asked->size(), 4u);
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_FALSE(asked->at(i).random_start);
    for (size_t j = 0; j < i; ++j) EXPECT_NE(asked->at(i).x, asked->at(j).x);
  }

  // The same first point with the others in flight moves away from them.
  AskRequest with_pending = request;
  with_pending.count = 1;
  with_pending.pending = {asked->at(0).x, asked->at(0).x};
  Result<std::vector<Suggestion>> next = tpe->Ask(with_pending);
  ASSERT_TRUE(next.ok());
  ASSERT_EQ(next->size(), 1u);
  EXPECT_NE(next->front().x, asked->at(0).x);
}

TEST(TpeOptimizerTest, RandomStartsCountTheWholeHistory) {
  const SearchSpace space = Space({Real("x", -2, 2)});
  std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({.random_starts = 10});
  AskRequest request;
  request.space = &space;
  for (int k = 0; k < 8; ++k) request.observations.push_back({{-2 + 0.5 * k}, 1.0 * k});
  request.failed = {{1.9}};
  request.trials_so_far = 9;
  request.count = 3;

  Result<std::vector<Suggestion>> asked = tpe->Ask(request);
  ASSERT_TRUE(asked.ok());
  ASSERT_EQ(asked->size(), 3u);
  EXPECT_TRUE(asked->at(0).random_start);   // 9 earlier trials
  EXPECT_FALSE(asked->at(1).random_start);  // 9 + the first of this ask
  EXPECT_FALSE(asked->at(2).random_start);
}

TEST(TpeOptimizerTest, ZeroRandomStartsUsesTheModelOnlyWithObservations) {
  const SearchSpace space = Space({Real("x", -2, 2)});
  std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({.random_starts = 0});
  AskRequest request;
  request.space = &space;
  request.count = 2;

  // A fresh batch has nothing to model: random, and never a failure.
  Result<std::vector<Suggestion>> fresh = tpe->Ask(request);
  ASSERT_TRUE(fresh.ok());
  ASSERT_EQ(fresh->size(), 2u);
  EXPECT_TRUE(fresh->at(0).random_start);
  EXPECT_TRUE(fresh->at(1).random_start);

  // Only failures so far: still random.
  request.failed = {{0.0}, {1.0}, {-1.0}};
  request.trials_so_far = 3;
  Result<std::vector<Suggestion>> failed_only = tpe->Ask(request);
  ASSERT_TRUE(failed_only.ok());
  EXPECT_TRUE(failed_only->at(0).random_start);

  // A restart with three results: model-guided from the first new trial.
  request.observations = {{{-1.5}, 0.2}, {{-0.3}, -0.9}, {{1.5}, 0.1}};
  request.trials_so_far = 6;
  Result<std::vector<Suggestion>> restarted = tpe->Ask(request);
  ASSERT_TRUE(restarted.ok());
  EXPECT_FALSE(restarted->at(0).random_start);
  EXPECT_FALSE(restarted->at(1).random_start);
}

TEST(TpeOptimizerTest, LargeFirstAskIsAllRandomAndDistinct) {
  const SearchSpace space = Space({Real("x", -2, 2)});
  std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({});
  AskRequest request;
  request.space = &space;
  request.count = 15;
  Result<std::vector<Suggestion>> asked = tpe->Ask(request);
  ASSERT_TRUE(asked.ok());
  ASSERT_EQ(asked->size(), 15u);
  for (size_t i = 0; i < 15; ++i) {
    EXPECT_TRUE(asked->at(i).random_start);
    for (size_t j = 0; j < i; ++j) EXPECT_NE(asked->at(i).x, asked->at(j).x);
  }
}

TEST(TpeOptimizerTest, RandomDrawsContinueTheStreamOnRestart) {
  const SearchSpace space = Space({Real("x", -2, 2), Choice("c", {"a", "b", "c"})});
  std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({});
  AskRequest first;
  first.space = &space;
  first.seed = 5;
  first.count = 3;
  Result<std::vector<Suggestion>> three = tpe->Ask(first);
  ASSERT_TRUE(three.ok());

  // Trial 2 asked alone, after trials 0 and 1, is the same draw.
  AskRequest later = first;
  later.count = 1;
  later.trials_so_far = 2;
  later.pending = {three->at(0).x, three->at(1).x};
  Result<std::vector<Suggestion>> one = tpe->Ask(later);
  ASSERT_TRUE(one.ok());
  EXPECT_EQ(one->at(0).x, three->at(2).x);

  // A restart that has made 3 trials does not start the stream over.
  later.pending.clear();
  later.trials_so_far = 3;
  Result<std::vector<Suggestion>> restarted = tpe->Ask(later);
  ASSERT_TRUE(restarted.ok());
  EXPECT_NE(restarted->at(0).x, three->at(0).x);
}

TEST(TpeOptimizerTest, InitialValuesAreTheBatchsFirstTrial) {
  Dimension x = Real("x", -2, 2);
  x.initial = FlagValue::Float(0.5);
  Dimension c = Choice("c", {"a", "b", "c"});
  c.initial = FlagValue::String("c");
  const SearchSpace space = Space({x, c});
  std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({});
  AskRequest request;
  request.space = &space;
  request.count = 2;
  Result<std::vector<Suggestion>> asked = tpe->Ask(request);
  ASSERT_TRUE(asked.ok());
  EXPECT_EQ(asked->at(0).x, (Point{0.5, 2}));
  EXPECT_NE(asked->at(1).x, (Point{0.5, 2}));
}

TEST(TpeOptimizerTest, ReplacesDuplicatesOfTriedChoices) {
  const SearchSpace space = Space({Choice("c", {"a", "b", "c"})});
  std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({.random_starts = 0});
  AskRequest request;
  request.space = &space;
  request.observations = {{{0}, 0.0}, {{1}, 1.0}};
  request.trials_so_far = 2;

  // The model prefers "a", which was tried: the untried "c" comes instead.
  Result<std::vector<Suggestion>> asked = tpe->Ask(request);
  ASSERT_TRUE(asked.ok());
  ASSERT_EQ(asked->size(), 1u);
  EXPECT_EQ(asked->at(0).x, Point{2});
  EXPECT_GE(asked->at(0).duplicates_replaced, 1);
}

TEST(TpeOptimizerTest, StopsWhenAFiniteSpaceIsExhausted) {
  const SearchSpace space = Space({Integer("k", 0, 3), Choice("c", {"a", "b"})});
  std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({.random_starts = 2});
  AskRequest request;
  request.space = &space;
  request.observations = {{{0, 0}, 3.0}, {{1, 0}, 2.0}, {{2, 0}, 1.0}, {{3, 0}, 0.5}};
  request.failed = {{0, 1}};
  request.pending = {{1, 1}};
  request.trials_so_far = 6;
  request.count = 5;

  Result<std::vector<Suggestion>> asked = tpe->Ask(request);
  ASSERT_TRUE(asked.ok());
  ASSERT_EQ(asked->size(), 2u);
  std::vector<Point> got = {asked->at(0).x, asked->at(1).x};
  std::sort(got.begin(), got.end());
  EXPECT_EQ(got, (std::vector<Point>{{2, 1}, {3, 1}}));
}

TEST(TpeOptimizerTest, HistoryOutsideTheSpaceIsLeftOut) {
  const SearchSpace space = Space({Real("x", 11, 20)});
  std::unique_ptr<Optimizer> tpe = NewTpeOptimizer({.random_starts = 0});
  AskRequest request;
  request.space = &space;
  request.observations = {{{1}, 0.0}, {{5}, 1.0}, {{15}, 2.0}, {{12}, 2.5}};
  request.trials_so_far = 4;
  request.count = 3;
  Result<std::vector<Suggestion>> asked = tpe->Ask(request);
  ASSERT_TRUE(asked.ok());
  ASSERT_EQ(asked->size(), 3u);
  for (const Suggestion& s : *asked) {
    EXPECT_FALSE(s.random_start);
    EXPECT_GE(s.x[0], 11);
    EXPECT_LE(s.x[0], 20);
  }
}

TEST(TpeFlagsTest, DefaultsAreListedAndAccepted) {
  std::vector<std::string> names;
  FlagMap defaults;
  for (const FlagSpec& spec : TpeFlagSpecs()) {
    names.push_back(spec.name);
    defaults[spec.name] = spec.default_value;
  }
  EXPECT_THAT(names, ElementsAre("candidates", "gamma", "prior-weight", "random-starts"));
  Result<TpeOptions> options = TpeOptionsFromFlags(defaults);
  ASSERT_TRUE(options.ok());
  EXPECT_EQ(options->random_starts, 10);
  EXPECT_EQ(options->candidates, 24);
  EXPECT_DOUBLE_EQ(options->gamma, 0.1);
  EXPECT_DOUBLE_EQ(options->prior_weight, 1.0);
}

TEST(TpeFlagsTest, OverridesAreReadAndBadValuesNamed) {
  Result<TpeOptions> ok = TpeOptionsFromFlags({{"random-starts", FlagValue::Int(0)},
                                               {"gamma", FlagValue::Int(1)},
                                               {"candidates", FlagValue::Float(48.0)}});
  ASSERT_TRUE(ok.ok());
  EXPECT_EQ(ok->random_starts, 0);
  EXPECT_EQ(ok->candidates, 48);
  EXPECT_DOUBLE_EQ(ok->gamma, 1.0);

  Result<std::unique_ptr<Optimizer>> unknown =
      MakeTpeOptimizer({{"foo", FlagValue::Int(1)}});
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), Code::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(),
              HasSubstr("unknown optimizer flag 'foo' for tpe"));

  for (const auto& [name, value] : std::vector<std::pair<std::string, FlagValue>>{
           {"random-starts", FlagValue::Int(-1)},
           {"random-starts", FlagValue::Float(2.5)},
           {"candidates", FlagValue::Int(0)},
           {"gamma", FlagValue::Float(0)},
           {"gamma", FlagValue::Float(1.5)},
           {"prior-weight", FlagValue::String("big")}}) {
    Result<TpeOptions> bad = TpeOptionsFromFlags({{name, value}});
    ASSERT_FALSE(bad.ok()) << name;
    EXPECT_THAT(bad.status().message(), HasSubstr("'" + name + "'"));
  }
}

}  // namespace
}  // namespace salvo::opt
