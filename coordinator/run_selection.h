#pragma once
// The read side of the store: which runs a command looks at, and the commands that
// show them (runs, runs info, runs rm, cat, compare, select).
//
// Runs are listed newest first (created time, then a batch's later trials first). The
// filters (operation, status, label) make the list a command numbers from 1; RUN
// arguments then pick from it: a unique id prefix, a 1-based index, or a `START:END`
// range (1-based, inclusive, either end optional; an end past the list means the
// list's end). The command functions take the store, the streams and the time as a
// ViewContext, so tests run them on a memory store; the Cmd* functions of commands.h
// open $SALVO_HOME's store and call them. Not thread-safe: one command at a time.

#include <cstdint>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/run_record.h"
#include "common/core/status.h"
#include "common/store/run_store.h"
#include "coordinator/commands.h"
#include "coordinator/table.h"

namespace salvo {

// What a read-side command works with.
struct ViewContext {
  RunStore& store;
  Home home;
  std::ostream& out;
  std::ostream& err;
  std::istream& in;  // answers to prompts (runs rm)
  int64_t now_us;    // for the elapsed time of running runs
  // The status shown for a record (EffectiveStatus outside tests).
  std::function<RunStatus(const RunRecord&)> status;
};
// The context of a command run by a user: std streams, the system clock and
// EffectiveStatus.
ViewContext UserContext(RunStore& store, const Home& home);

// A run as a command sees it.
struct RunView {
  RunRecord record;
  RunStatus status = RunStatus::kPending;  // the effective status
  int index = 0;  // 1-based position in the filtered newest-first list
};

// Every run in the store, newest first, numbered from 1.
Result<std::vector<RunView>> LoadRuns(const ViewContext& ctx);
// Newest first: created time descending, then trial index descending, then id.
void SortNewestFirst(std::vector<RunView>& runs);

// Whether a run's operation matches an operation filter: the whole name, or the part
// after the last '+' (`gp` matches `train.py+gp`), compared literally or as a glob
// (`*`, `?`, `[...]`); a filter with `^` or `$` is a regular expression searched for in
// the whole name.
bool OperationMatches(std::string_view filter, std::string_view operation);
// Any of `include` (when not empty) and none of `exclude`.
bool StatusMatches(RunStatus status, const StatusFilter& filter);
// The runs that pass the operation, status and label filters, renumbered from 1.
std::vector<RunView> FilterRuns(std::vector<RunView> runs, const RunSelection& sel);

// The runs that RUN arguments pick from a filtered list, in list order without
// repeats; every run when `args` is empty. kNotFound for a prefix nothing matches
// ("could not find a run matching 'X'"), kInvalidArgument for an ambiguous prefix
// (the message lists the matching short ids).
Result<std::vector<RunView>> ResolveRunArgs(const std::vector<RunView>& runs,
                                            const std::vector<std::string>& args);
// LoadRuns, FilterRuns, ResolveRunArgs.
Result<std::vector<RunView>> SelectRuns(const ViewContext& ctx, const RunSelection& sel);
// The one run `spec` names among all runs; an empty spec names the newest run.
Result<RunView> SelectOneRun(const ViewContext& ctx, const std::string& spec);

// Prints `salvo: error: MESSAGE`, and after a kNotFound the hint
// `Try 'salvo runs' for a list of runs.`; returns 2.
int ReportError(std::ostream& err, const Status& status);

// The label shown for a run: its label; else a batch's optimizer flags and another
// run's flags as NAME=VALUE pairs (a grid batch has none: empty).
std::string DisplayLabel(const RunRecord& r);

// Run attributes for `select --attr NAME` and `.NAME` columns: id, short_id,
// operation, kind, status, reason, label, started, stopped, time, exit_code, attempt,
// batch, trial_index, run_dir, host, optimizer, objective, maximize, max_trials, seed,
// first_error, flags, optimizer_flags. kInvalidArgument for another name.
Result<Cell> RunAttribute(const RunView& run, std::string_view name, const Home& home,
                          int64_t now_us);
const std::vector<std::string>& RunAttributeNames();
// Where a run ran: its recorded run dir, else $SALVO_HOME/runs/<id>.
std::string RunDirOf(const RunRecord& r, const Home& home);

// Compare's table: one row per run, cells under unique headers. Built from the
// default columns (core: run, operation, started, time, status, label; then the flags,
// `step` and the scalar tags, natural sort) or the strict ones, plus `-c` columns and
// the `--min`/`--max` column when not already shown. A column that no run fills
// leaves a warning naming the closest known name.
struct CompareTable {
  std::vector<std::string> headers;
  std::vector<RunView> runs;
  std::vector<std::vector<Cell>> rows;  // parallel to runs
  std::vector<std::string> warnings;    // without the `salvo: warning: ` prefix
};
// kInvalidArgument for a column spec that cannot be read.
Result<CompareTable> BuildCompareTable(const ViewContext& ctx, std::vector<RunView> runs,
                                       const CompareOptions& opt);
// Stable sort by a column, named by its header or by a spec whose heading it has:
// ascending, or descending when `descending`; empty cells last either way. False when
// no column matches.
bool SortCompareTable(CompareTable& table, std::string_view column, bool descending);

// The commands. Each returns the exit status (2 after bad input) and writes only to
// ctx's streams.
//
// `[N:shortid]  operation  started  status  label` rows; past `limit` rows (unless
// `all`) a note on err says how many there are. `json` prints every selected record.
int RunsList(const ViewContext& ctx, const RunsOptions& opt);
// One run in detail: `key: value` lines, or its record as JSON with its scalars.
int RunsInfo(const ViewContext& ctx, const RunsInfoOptions& opt);
// Deletes the selected runs, a batch with its trials, and their folders under
// $SALVO_HOME/runs. A running run is refused (2). Without `yes` it asks on ctx.in:
// Enter or y goes on; another answer (1) or the end of input (1, with a message) stops.
int RunsRm(const ViewContext& ctx, const RunsRmOptions& opt);
// Copies $SALVO_HOME/runs/<id>/output to ctx.out.
int Cat(const ViewContext& ctx, const CatOptions& opt);
// Batches left out unless `include_batch`; sorted by `min_col`/`max_col`, then cut to
// `top` rows; printed as JSON, CSV or an aligned table (floats truncated). Warnings
// go to err as `salvo: warning: ...`.
int Compare(const ViewContext& ctx, const CompareOptions& opt);
// The full id (or short id, run dir, attribute) of the newest match, or of the one
// with the lowest/highest value of a column; every match with `sel.all` or several
// RUN arguments. No match is bad input.
int Select(const ViewContext& ctx, const SelectOptions& opt);

}  // namespace salvo
