// The latency run: the time of one suggestion with a history of n random points, for
// Salvo's gp and tpe here and Optuna's TPE in the peer process afterwards.

#include <array>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "bench/optimizers/options.h"
#include "bench/optimizers/peer.h"
#include "bench/optimizers/problems.h"
#include "bench/optimizers/runs.h"
#include "optimizers/optimizer.h"

namespace salvo::bench {
namespace {

using nlohmann::json;

const std::vector<int> kLatencyHistory = {10, 50, 100, 200, 500, 1000};
const std::vector<int> kLatencyDims = {2, 6};

const Problem& LatencyProblem(int dims) {
  for (const Problem& p : Problems())
    if (p.name == (dims == 2 ? "branin" : "hartmann6")) return p;
  return Problems().front();
}

std::vector<opt::Observation> RandomHistory(const Problem& p, int n, int repeat) {
  std::mt19937_64 rng(1000 * n + repeat);
  std::uniform_real_distribution<double> u(0, 1);
  std::vector<opt::Observation> history;
  for (int i = 0; i < n; ++i) {
    Point x;
    for (const Dimension& d : p.space.dims)
      x.push_back(d.low + u(rng) * (d.high - d.low));
    history.push_back({x, p.f(x)});
  }
  return history;
}

// Seconds for one Ask with n observations. Warm: the same optimizer object answered
// the request with n - 1 observations just before, as in a running batch.
double TimeOneAsk(const Options& o, const std::string& method, const Problem& p, int n,
                  int repeat, bool warm) {
  Result<FlagMap> flags = opt::ResolveOptimizerFlags(method, FlagsOf(o, method));
  if (!flags.ok()) return NAN;
  Result<std::unique_ptr<opt::Optimizer>> optimizer = opt::MakeOptimizer(method, *flags);
  if (!optimizer.ok()) return NAN;
  opt::AskRequest request;
  request.space = &p.space;
  request.seed = repeat;
  request.observations = RandomHistory(p, n, repeat);
  if (warm) {
    opt::AskRequest before = request;
    before.observations.pop_back();
    before.trials_so_far = n - 1;
    if (!(*optimizer)->Ask(before).ok()) return NAN;
  }
  request.trials_so_far = n;
  const auto start = std::chrono::steady_clock::now();
  const bool ok = (*optimizer)->Ask(request).ok();
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return ok ? seconds : NAN;
}

double MedianTime(const Options& o, const std::string& method, const Problem& p, int n,
                  int repeats, bool warm) {
  std::vector<double> times;
  for (int r = 0; r < repeats; ++r) times.push_back(TimeOneAsk(o, method, p, n, r, warm));
  return QuartilesOf(times).median;
}

std::string FormatMs(double seconds) {
  char buf[32];
  if (std::isnan(seconds)) return "-";
  std::snprintf(buf, sizeof buf, "%.2f", 1000 * seconds);
  return buf;
}

}  // namespace

int RunLatency(const Options& o) {
  auto wanted = [&](const std::string& m) { return Wanted(o, m); };
  std::map<std::pair<int, int>, std::array<double, 4>>
      rows;  // gp cold, gp warm, tpe, optuna
  for (int dims : kLatencyDims)
    for (int n : kLatencyHistory) {
      const Problem& p = LatencyProblem(dims);
      std::array<double, 4>& row = rows[{dims, n}];
      row[0] = wanted("gp") ? MedianTime(o, "gp", p, n, o.repeats, false) : NAN;
      row[1] = wanted("gp") ? MedianTime(o, "gp", p, n, o.repeats, true) : NAN;
      row[2] = wanted("tpe") ? MedianTime(o, "tpe", p, n, o.repeats, false) : NAN;
      row[3] = NAN;
      std::fprintf(stderr, "salvo latency %d-D n=%d done\n", dims, n);
    }

  // Optuna is timed afterwards, so the two never share the CPU.
  std::string optuna_version = "not run";
  if (!o.no_optuna && wanted("optuna-tpe")) {
    json request = {{"mode", "latency"},
                    {"dims", kLatencyDims},
                    {"ns", kLatencyHistory},
                    {"repeats", o.repeats}};
    Result<std::unique_ptr<OptunaPeer>> peer =
        OptunaPeer::Start(o.python, o.script, request);
    Result<json> answer = peer.ok() ? (*peer)->Finish() : Result<json>(peer.status());
    if (!answer.ok()) {
      std::fprintf(stderr, "salvo_bench_optimizers: %s\n",
                   answer.status().message().c_str());
      return 1;
    }
    optuna_version = (*answer)["optuna_version"].get<std::string>();
    for (const json& r : (*answer)["latency"])
      rows[{r["dims"].get<int>(), r["n"].get<int>()}][3] = r["seconds"].get<double>();
  }

  std::printf(
      "Time of one suggestion, ms (median of %d; history of n random points on "
      "Branin in 2-D, Hartmann-6 in 6-D; Optuna %s)\n",
      o.repeats, optuna_version.c_str());
  std::printf("  %-5s %-6s %-15s %-15s %-10s %s\n", "dims", "n", "salvo gp cold",
              "salvo gp warm", "salvo tpe", "optuna tpe");
  for (const auto& [key, row] : rows)
    std::printf("  %-5d %-6d %-15s %-15s %-10s %s\n", key.first, key.second,
                FormatMs(row[0]).c_str(), FormatMs(row[1]).c_str(),
                FormatMs(row[2]).c_str(), FormatMs(row[3]).c_str());

  // The latency targets, for gp in 6-D.
  int missed = 0;
  for (const auto& [n, limit_ms] :
       std::vector<std::pair<int, double>>{{200, 50}, {1000, 500}}) {
    const std::array<double, 4>& row = rows[{6, n}];
    for (int col : {0, 1}) {
      const bool ok = 1000 * row[col] < limit_ms;
      missed += !ok;
      std::printf("Target: gp (%s) in 6-D at n = %d under %.0f ms: %s ms %s\n",
                  col == 0 ? "cold" : "warm", n, limit_ms, FormatMs(row[col]).c_str(),
                  ok ? "ok" : "MISSED");
    }
  }
  return o.check_targets && missed > 0 ? 3 : 0;
}

}  // namespace salvo::bench
