#pragma once
// The Optuna side of the optimizer benchmark: optuna_peer.py run as a child process
// of salvo_bench_optimizers. Start() hands the script its whole request at once, so
// the child works while this program runs Salvo's methods; Finish() collects the
// answer. One thread only.

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "common/core/status.h"

namespace salvo::bench {

class OptunaPeer {
 public:
  ~OptunaPeer();

  // Starts `python script` and writes `request` to its standard input.
  static Result<std::unique_ptr<OptunaPeer>> Start(const std::string& python,
                                                   const std::string& script,
                                                   const nlohmann::json& request);
  // Waits for the child and parses what it printed. An exit status other than 0 or
  // output that is not JSON is an error naming the script.
  Result<nlohmann::json> Finish();

 private:
  struct Child;
  explicit OptunaPeer(std::unique_ptr<Child> child);
  std::unique_ptr<Child> child_;
};

}  // namespace salvo::bench
