// salvo_bench_optimizers: how good and how fast Salvo's optimizers are, beside Optuna
// (run in the same program through optuna_peer.py) and the frozen scikit-optimize
// figures of the optimizer issue. bench/README.md has the latest figures.
//
//   salvo_bench_optimizers                        full quality run: 20 seeds, 50 trials
//   salvo_bench_optimizers --seeds 2 --trials 15  a smoke run
//   salvo_bench_optimizers --latency              time of one suggestion as history grows

#include <CLI/CLI.hpp>
#include <cstdio>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "bench/optimizers/options.h"
#include "bench/optimizers/problems.h"
#include "common/core/flag_value.h"

namespace salvo::bench {
namespace {

// Decodes --optimizer-flag values into o->flags; false after printing an error.
bool DecodeOptimizerFlags(const std::vector<std::string>& texts, Options* o) {
  for (const std::string& text : texts) {
    const size_t colon = text.find(':');
    Result<std::pair<std::string, std::string>> assignment =
        colon == std::string::npos ? Result<std::pair<std::string, std::string>>(
                                         Status::Invalid("expected METHOD:NAME=VALUE"))
                                   : SplitFlagAssignment(text.substr(colon + 1));
    Result<DecodedFlag> value = assignment.ok()
                                    ? DecodeFlagValue(assignment->second)
                                    : Result<DecodedFlag>(assignment.status());
    if (!value.ok()) {
      std::fprintf(stderr, "salvo_bench_optimizers: --optimizer-flag %s: %s\n",
                   text.c_str(), value.status().message().c_str());
      return false;
    }
    o->flags[text.substr(0, colon)][assignment->first] = value->value;
  }
  return true;
}

// Unknown problem or method names are bad input; false after printing an error.
bool CheckNames(const Options& o) {
  std::set<std::string> problems, methods(kSalvoMethods.begin(), kSalvoMethods.end());
  methods.insert(kOptunaMethods.begin(), kOptunaMethods.end());
  for (const Problem& p : Problems()) problems.insert(p.name);
  auto all_known = [](const std::vector<std::string>& names,
                      const std::set<std::string>& known, const char* what) {
    for (const std::string& name : names) {
      if (known.count(name)) continue;
      std::fprintf(stderr, "salvo_bench_optimizers: unknown %s '%s'\n", what,
                   name.c_str());
      return false;
    }
    return true;
  };
  return all_known(o.problems, problems, "problem") &&
         all_known(o.methods, methods, "method");
}

}  // namespace
}  // namespace salvo::bench

int main(int argc, char** argv) {
  salvo::bench::Options o;
  o.script = SALVO_OPTUNA_PEER_SCRIPT;
  std::vector<std::string> optimizer_flags;
  CLI::App app{"Quality and latency of Salvo's optimizers beside Optuna's"};
  app.add_option("--problems", o.problems, "Problems to run (default: all)")
      ->delimiter(',');
  app.add_option("--methods", o.methods,
                 "Methods: random, gp, forest, gbrt, tpe, optuna-tpe, optuna-random, "
                 "optuna-cmaes (default: all)")
      ->delimiter(',');
  app.add_option("--seeds", o.seeds, "Seeds 0..N-1 (default 20)")
      ->check(CLI::Range(1, 1000));
  app.add_option("--trials", o.trials, "Trials per run (default 50)")
      ->check(CLI::Range(1, 100000));
  app.add_flag("--no-optuna", o.no_optuna, "Run Salvo's methods only");
  app.add_flag("--latency", o.latency,
               "Time one suggestion as the history grows instead");
  app.add_option("--repeats", o.repeats,
                 "Latency: timings per cell, median shown (default 3)")
      ->check(CLI::Range(1, 100));
  app.add_option("--python", o.python,
                 "Interpreter with optuna (default /usr/bin/python3)");
  app.add_option("--optuna-script", o.script, "Path of optuna_peer.py");
  app.add_option("--json", o.json_path, "Also write the quality figures to this file");
  app.add_option("--optimizer-flag", optimizer_flags,
                 "An optimizer flag for one method, METHOD:NAME=VALUE (repeatable), "
                 "e.g. tpe:multivariate=no");
  app.add_flag("--check-targets", o.check_targets,
               "Exit with status 3 when a target is missed");
  CLI11_PARSE(app, argc, argv);

  if (!salvo::bench::DecodeOptimizerFlags(optimizer_flags, &o)) return 2;
  if (!salvo::bench::CheckNames(o)) return 2;
  return o.latency ? salvo::bench::RunLatency(o) : salvo::bench::RunQuality(o);
}
