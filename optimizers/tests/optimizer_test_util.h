#pragma once
// Search spaces and a sequential driver for the optimizer tests.

#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/search_space.h"
#include "optimizers/optimizer.h"

namespace salvo::opt::testing {

inline Dimension RealDim(std::string name, double low, double high) {
  Dimension d;
  d.name = std::move(name);
  d.kind = DimKind::kReal;
  d.low = low;
  d.high = high;
  return d;
}

inline Dimension IntDim(std::string name, double low, double high) {
  Dimension d = RealDim(std::move(name), low, high);
  d.kind = DimKind::kInteger;
  return d;
}

inline Dimension ListDim(std::string name, const std::vector<FlagValue>& choices) {
  Dimension d;
  d.name = std::move(name);
  d.kind = DimKind::kCategorical;
  d.choices = choices;
  return d;
}

inline Dimension IntListDim(std::string name, const std::vector<int64_t>& values) {
  std::vector<FlagValue> choices;
  for (int64_t v : values) choices.push_back(FlagValue::Int(v));
  return ListDim(std::move(name), choices);
}

// The walkthrough's objective: minimum -0.909430 at x = -0.28922 on [-2, 2].
inline double SinObjective(const Point& p) {
  return std::sin(5 * p[0]) * (1 - std::tanh(p[0] * p[0]));
}

// Forrester et al. (2008): (6x - 2)^2 sin(12x - 4) on [0, 1].
inline double ForresterObjective(const Point& p) {
  double x = p[0];
  return (6 * x - 2) * (6 * x - 2) * std::sin(12 * x - 4);
}

struct Trial {
  Suggestion suggestion;
  double y = 0;
};

// Asks for one point at a time and tells the objective, `trials` times (fewer when the
// space runs out).
inline std::vector<Trial> RunSequential(Optimizer& optimizer, const SearchSpace& space,
                                        const std::function<double(const Point&)>& f,
                                        int trials, uint64_t seed) {
  AskRequest request;
  request.space = &space;
  request.seed = seed;
  std::vector<Trial> out;
  for (int t = 0; t < trials; ++t) {
    request.trials_so_far = static_cast<uint64_t>(t);
    Result<std::vector<Suggestion>> next = optimizer.Ask(request);
    if (!next.ok() || next->empty()) break;
    double y = f((*next)[0].x);
    request.observations.push_back({(*next)[0].x, y});
    out.push_back({(*next)[0], y});
  }
  return out;
}

inline const Trial& BestTrial(const std::vector<Trial>& trials) {
  const Trial* best = &trials.front();
  for (const Trial& t : trials) {
    if (t.y < best->y) best = &t;
  }
  return *best;
}

}  // namespace salvo::opt::testing
