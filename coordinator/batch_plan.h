#pragma once
// Planning a `salvo run`: from the command line and the operation to what will run
// (a single run, or a batch with its optimizer, search space and trial budget), and the
// confirmation prompt that describes it. Nothing is written here.

#include <optional>
#include <string>
#include <vector>

#include "common/core/run_record.h"
#include "common/core/search_space.h"
#include "coordinator/commands.h"
#include "coordinator/operation.h"
#include "optimizers/optimizer.h"

namespace salvo {

struct BatchPlan {
  OperationDef op;
  bool is_batch = false;
  FlagMap flags;            // every flag: fixed values, lists and functions
  std::string optimizer;    // canonical name ("+", "random", "gp", ...); "" for a run
  FlagMap optimizer_flags;  // resolved over the optimizer's defaults
  SearchSpace space;
  bool model_based = false;
  int64_t max_trials = 0;   // 0: the whole grid
  int64_t trial_count = 0;  // trials the prompt announces (grids and restarts), or 0
  std::string objective = "loss";
  bool maximize = false;
  uint64_t seed = 0;
  std::vector<std::string> warnings;
  std::optional<RunRecord> restart;  // the batch being restarted
  // Trials from batch files (@file), each a full set of flags; empty otherwise.
  std::vector<FlagMap> rows;
};

// Decodes the NAME=VALUE arguments against the operation's flag definitions.
Result<FlagMap> ParseFlagArgs(const std::vector<std::string>& args,
                              const OperationDef& op, std::vector<std::string>& warnings);

// A new run or batch.
Result<BatchPlan> PlanRun(const RunOptions& options, OperationDef op);

// The most trials one batch may have (-m), so that counts stay far from overflow.
inline constexpr int64_t kMaxTrialsLimit = 1000000;

// Checks a --max-trials value: 1 to kMaxTrialsLimit.
Status CheckMaxTrials(int64_t max_trials);

// The prompt's text, ending with "Continue? (Y/n)" (without a newline).
std::string PromptText(const BatchPlan& plan);

// Keeps `count` of a grid's points, chosen from (seed, stream) and kept in grid order:
// the subset a batch runs when --max-trials is smaller than its grid, and the one
// --print-trials shows. `stream` is the number of trials the batch already has.
void SampleGridSubset(std::vector<opt::Suggestion>& points, int64_t count, uint64_t seed,
                      uint64_t stream);

// The batch name shown in listings: "train.py+gp", "train.py+" (grid).
std::string BatchOperationName(const std::string& op_name, const std::string& optimizer);

}  // namespace salvo
