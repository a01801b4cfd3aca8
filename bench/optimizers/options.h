#pragma once
// The options of salvo_bench_optimizers and its two modes: the quality run
// (quality.cc) and the latency run (latency.cc). One thread only.

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "common/core/flag_value.h"

namespace salvo::bench {

inline const std::vector<std::string> kSalvoMethods = {"random", "gp", "forest", "gbrt",
                                                       "tpe"};
inline const std::vector<std::string> kOptunaMethods = {"optuna-tpe", "optuna-random",
                                                        "optuna-cmaes"};

struct Options {
  std::vector<std::string> problems, methods;  // empty: all
  int seeds = 20;                              // seeds 0..seeds-1
  int trials = 50;
  bool no_optuna = false;
  bool latency = false;
  int repeats = 3;  // latency: timings per cell
  std::string python = "/usr/bin/python3";
  std::string script;  // optuna_peer.py
  std::string json_path;
  bool check_targets = false;            // exit 3 when a target is missed
  std::map<std::string, FlagMap> flags;  // optimizer flags by method
};

inline bool IsOptuna(const std::string& method) {
  return method.rfind("optuna-", 0) == 0;
}

inline bool Wanted(const Options& o, const std::string& method) {
  return o.methods.empty() ||
         std::find(o.methods.begin(), o.methods.end(), method) != o.methods.end();
}

inline const FlagMap& FlagsOf(const Options& o, const std::string& method) {
  static const FlagMap kNone;
  auto it = o.flags.find(method);
  return it == o.flags.end() ? kNone : it->second;
}

// Each prints its report and returns the exit status: 0, 1 when the Optuna peer
// failed or disagreed with this program's functions, 3 for a missed target under
// --check-targets.
int RunQuality(const Options& o);
int RunLatency(const Options& o);

}  // namespace salvo::bench
