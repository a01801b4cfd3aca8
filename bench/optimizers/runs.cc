#include "bench/optimizers/runs.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>

#include "optimizers/optimizer.h"

namespace salvo::bench {

double Observe(const Problem& problem, const Point& x, uint64_t seed, int trial) {
  return problem.f(x) + problem.noise_sd * StandardNoise(seed, trial);
}

Trace RunSalvo(const Problem& problem, const std::string& method, const FlagMap& flags,
               uint64_t seed, int trials) {
  Trace trace{problem.name, method, seed, {}, {}, 0, ""};
  Result<FlagMap> resolved = opt::ResolveOptimizerFlags(method, flags);
  if (!resolved.ok()) {
    trace.error = resolved.status().message();
    return trace;
  }
  Result<std::unique_ptr<opt::Optimizer>> optimizer =
      opt::MakeOptimizer(method, *resolved);
  if (!optimizer.ok()) {
    trace.error = optimizer.status().message();
    return trace;
  }

  opt::AskRequest request;
  request.space = &problem.space;
  request.seed = seed;
  for (int t = 0; t < trials; ++t) {
    request.trials_so_far = t;
    const auto start = std::chrono::steady_clock::now();
    Result<std::vector<opt::Suggestion>> asked = (*optimizer)->Ask(request);
    trace.seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (!asked.ok() || asked->empty()) {
      trace.error = asked.ok() ? "no suggestion" : asked.status().message();
      break;
    }
    const Point& x = asked->front().x;
    trace.x.push_back(x);
    trace.y.push_back(Observe(problem, x, seed, t));
    request.observations.push_back({x, trace.y.back()});
  }
  return trace;
}

std::vector<double> SimpleRegret(const Problem& problem, const Trace& trace) {
  std::vector<double> regret;
  size_t incumbent = 0;
  double incumbent_regret = 0;
  for (size_t t = 0; t < trace.y.size(); ++t) {
    if (t == 0 || trace.y[t] < trace.y[incumbent]) {
      incumbent = t;
      incumbent_regret = problem.f(trace.x[t]) - problem.optimum;
    }
    regret.push_back(incumbent_regret);
  }
  return regret;
}

Quartiles QuartilesOf(std::vector<double> values) {
  if (values.empty()) return {NAN, NAN, NAN};
  std::sort(values.begin(), values.end());
  auto at = [&](double q) {
    const double pos = q * (values.size() - 1);
    const size_t lo = static_cast<size_t>(std::floor(pos));
    const size_t hi = std::min(lo + 1, values.size() - 1);
    return values[lo] + (pos - lo) * (values[hi] - values[lo]);
  };
  return {at(0.25), at(0.5), at(0.75)};
}

Status CheckPeerTrace(const Problem& problem, const Trace& trace) {
  const std::string where =
      trace.method + " on " + problem.name + " seed " + std::to_string(trace.seed);
  if (trace.x.size() != trace.y.size())
    return Status::Internal(where + ": x and y differ");
  for (size_t t = 0; t < trace.x.size(); ++t) {
    const Point& x = trace.x[t];
    if (x.size() != problem.space.size())
      return Status::Internal(where + ": a point of the wrong size");
    for (size_t d = 0; d < x.size(); ++d) {
      const Dimension& dim = problem.space.dims[d];
      const double high = dim.kind == DimKind::kCategorical
                              ? static_cast<double>(dim.choices.size()) - 1
                              : dim.high;
      const double low = dim.kind == DimKind::kCategorical ? 0 : dim.low;
      if (!(x[d] >= low && x[d] <= high))
        return Status::Internal(where + ": " + dim.name + " out of range");
    }
    const double expected = Observe(problem, x, trace.seed, static_cast<int>(t));
    if (std::abs(expected - trace.y[t]) > 1e-9 * (1 + std::abs(expected)))
      return Status::Internal(where + ": observation " + std::to_string(t) + " is " +
                              std::to_string(trace.y[t]) + ", expected " +
                              std::to_string(expected));
  }
  return Status::Ok();
}

}  // namespace salvo::bench
