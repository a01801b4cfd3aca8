#pragma once
// The user commands behind `salvo`, one function per command. main.cc parses the
// command line (CLI11) into these option structs; nothing here depends on CLI11.
// Each returns the process exit status: 0 success, 1 a batch that was stopped or
// failed, 2 bad input (after printing `salvo: error: ...`), 130 after Ctrl-C.

#include <optional>
#include <string>
#include <vector>

namespace salvo {

// Where things live: $SALVO_HOME (default ~/.salvo), its store and run folders.
struct Home {
  std::string dir;  // $SALVO_HOME
  std::string store_dir() const { return dir + "/db"; }
  std::string runs_dir() const { return dir + "/runs"; }
  std::string run_dir(const std::string& id) const { return runs_dir() + "/" + id; }
};
Home ResolveHome();

// Status filters shared by runs, select and compare (-Sc, -Se, ... and their long forms).
struct StatusFilter {
  std::vector<std::string> include;  // e.g. {"completed", "error"}: any of them
  std::vector<std::string> exclude;  // --not-completed ...: none of them
};

// Which runs a command looks at: RUN args (id prefixes, 1-based indexes, START:END ranges
// over the newest-first list), operation filters (-Fo/-o, glob), statuses, --all.
struct RunSelection {
  std::vector<std::string> runs;        // RUN arguments; empty = all
  std::vector<std::string> operations;  // operation filters
  StatusFilter status;
  std::vector<std::string> labels;  // -Fl: label contains
  bool all = false;                 // no 20-row limit (runs) / every match (select)
};

struct RunsOptions {
  RunSelection sel;
  int limit = 20;  // rows shown unless --all
  bool json = false;
};
int CmdRunsList(const RunsOptions& opt);

struct RunsInfoOptions {
  std::string run;
  bool json = false;
};
int CmdRunsInfo(const RunsInfoOptions& opt);

struct RunsRmOptions {
  RunSelection sel;
  bool yes = false;
};
int CmdRunsRm(const RunsRmOptions& opt);

struct CatOptions {
  std::string run;  // default: the newest run
};
int CmdCat(const CatOptions& opt);

struct CompareOptions {
  RunSelection sel;
  bool table = false;
  std::optional<std::string> min_col, max_col;
  std::optional<int> top;
  std::optional<std::string> csv;  // path or "-"
  bool json = false;
  bool include_batch = false;
  std::vector<std::string> columns;         // -c: extra column specs
  std::vector<std::string> strict_columns;  // -cc: only these columns
  bool skip_core = false;
  bool skip_op_cols = false;
};
int CmdCompare(const CompareOptions& opt);

struct SelectOptions {
  RunSelection sel;
  bool short_id = false;
  bool path = false;
  std::optional<std::string> attr;
  std::optional<std::string> min_col, max_col;
};
int CmdSelect(const SelectOptions& opt);

struct StopOptions {
  std::vector<std::string> runs;  // batches or trials; empty = every running run
  bool yes = false;
};
int CmdStop(const StopOptions& opt);

struct RunOptions {
  std::optional<std::string> operation;  // script or operation name
  std::vector<std::string> flag_args;    // NAME=VALUE and @batch-file arguments
  std::optional<std::string> optimizer;  // -o
  bool optimize = false;                 // -O
  std::optional<int64_t> max_trials;     // -m
  std::optional<std::string> minimize, maximize;
  std::vector<std::string> opt_flags;  // -Fo NAME=VALUE
  std::optional<uint64_t> random_seed;
  int parallel = 1;  // -j
  bool yes = false;
  bool print_trials = false;
  std::optional<std::string> save_trials;
  std::optional<std::string> restart;  // --restart/--start RUN
  bool fail_on_trial_error = false;
  int missing_objective_limit = 5;  // --missing-objective-limit (0: never stop)
  bool retry_failed = false;
  bool refresh_source = false;
  std::optional<std::string> label;
  std::optional<std::string> batch_label;  // -bl/--batch-label: the batch run's label
  bool quiet = false;
  bool background = false;
  std::optional<std::string> backend;    // --backend: local (default), slurm
  std::vector<std::string> sbatch_args;  // --sbatch-arg: options for each trial's sbatch
};
int CmdRun(const RunOptions& opt);

// Prints `salvo: error: MESSAGE` (and `Try ...` when `hint` is set) to stderr; returns 2.
int UsageError(const std::string& message, const std::string& hint = "");

}  // namespace salvo
