// `salvo run`: plans a run or a batch, asks for confirmation, then runs it here with the
// batch engine, holding the store for the batch's lifetime. Also `--restart`.

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "agent/trial_runner.h"
#include "common/core/clock.h"
#include "common/core/ids.h"
#include "coordinator/batch_engine.h"
#include "coordinator/batch_plan.h"
#include "coordinator/commands.h"
#include "coordinator/executor.h"
#include "coordinator/remote.h"
#include "coordinator/run_context.h"
#include "coordinator/store_access.h"

namespace salvo {
namespace fs = std::filesystem;

int UsageError(const std::string& message, const std::string& hint) {
  std::string text = message, extra = hint;
  if (auto nl = text.find('\n'); nl != std::string::npos) {
    if (extra.empty()) extra = text.substr(nl + 1);
    text = text.substr(0, nl);
  }
  RunErr() << "salvo: error: " << text << "\n";
  if (!extra.empty()) RunErr() << extra << "\n";
  return 2;
}

namespace {
thread_local RunContext* t_context = nullptr;
}  // namespace

RunContext* CurrentRunContext() { return t_context; }
ScopedRunContext::ScopedRunContext(RunContext* ctx) : previous_(t_context) {
  t_context = ctx;
}
ScopedRunContext::~ScopedRunContext() { t_context = previous_; }
std::ostream& RunOut() {
  return t_context && t_context->out ? *t_context->out : std::cout;
}
std::ostream& RunErr() {
  return t_context && t_context->err ? *t_context->err : std::cerr;
}

namespace {

void OnSignal(int sig) {
  BatchEngine::RequestStop(sig == SIGINT ? 2 : sig == SIGUSR1 ? 3 : 1);
}

void InstallSignalHandlers() {
  if (t_context) return;  // a coordinator's batch: the coordinator handles signals
  struct sigaction sa {};
  sa.sa_handler = OnSignal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGHUP, &sa, nullptr);
  sigaction(SIGUSR1, &sa, nullptr);
}

// A batch shows its progress (a line per ended trial) on a terminal, and without one when
// trial output is not echoed (-q, or trials run at once); the redrawn progress line with
// its bar only on a terminal.
void SetProgress(const RunOptions& options, EngineOptions& eo) {
  bool terminal = isatty(STDERR_FILENO);
  eo.show_progress = options.quiet || options.parallel > 1 || terminal;
  eo.progress_bar = eo.show_progress && terminal;
}

// Asks "Continue? (Y/n)". Returns 0 to go on, or the exit status to stop with.
int Confirm(const std::string& prompt) {
  if (t_context) {
    // A client asks first (prompt_only) and sends -y once the user said yes.
    RunOut() << prompt;
    return -1;
  }
  RunOut() << prompt << std::flush;
  std::string answer;
  if (!std::getline(std::cin, answer)) {
    RunOut() << "\n";
    RunErr() << "salvo: no answer at the prompt (use -y to run without asking)\n";
    return 1;
  }
  if (answer.empty() || answer == "y" || answer == "Y" || answer == "yes") return 0;
  return 1;
}

// The operation's settings a restart needs, kept in the batch record's command list as
// KEY=VALUE strings.
std::vector<std::string> EncodeOperation(const OperationDef& op) {
  std::vector<std::string> out = {
      "main=" + op.main, "exec=" + op.exec, "flags_dest=" + op.flags_dest,
      "origin=" + op.source_dir,
      "output_scalars_off=" + std::string(op.output_scalars_off ? "1" : "0")};
  for (const auto& p : op.output_scalars)
    out.push_back("pattern=" + p.tag + "\t" + p.regex);
  return out;
}

// A batch-file row as one "row=" entry: JSON pairs of name and encoded value.
std::string EncodeRow(const FlagMap& row) {
  nlohmann::json pairs = nlohmann::json::array();
  for (const auto& [k, v] : row) pairs.push_back({k, EncodeFlagValue(v)});
  return "row=" + pairs.dump();
}

std::vector<FlagMap> DecodeRows(const RunRecord& batch) {
  std::vector<FlagMap> rows;
  for (const auto& item : batch.command) {
    if (item.rfind("row=", 0) != 0) continue;
    FlagMap row;
    for (const auto& pair : nlohmann::json::parse(item.substr(4), nullptr, false)) {
      if (!pair.is_array() || pair.size() != 2) continue;
      auto v = DecodeFlagValue(pair[1].get<std::string>());
      if (v.ok()) row[pair[0].get<std::string>()] = v->value;
    }
    rows.push_back(std::move(row));
  }
  return rows;
}

OperationDef DecodeOperation(const RunRecord& batch) {
  OperationDef op;
  op.name = batch.op_name;
  op.source_dir = batch.source_dir;
  op.python = batch.python;
  op.op_file = batch.op_file;
  for (const auto& item : batch.command) {
    auto eq = item.find('=');
    if (eq == std::string::npos) continue;
    std::string key = item.substr(0, eq), value = item.substr(eq + 1);
    if (key == "main")
      op.main = value;
    else if (key == "exec")
      op.exec = value;
    else if (key == "flags_dest")
      op.flags_dest = value;
    else if (key == "output_scalars_off")
      op.output_scalars_off = value == "1";
    else if (key == "pattern") {
      auto tab = value.find('\t');
      op.output_scalars.push_back({value.substr(0, tab), value.substr(tab + 1)});
    }
  }
  for (const auto& [name, value] : batch.flags) {
    FlagDef def;
    def.default_value = value;
    op.flags[name] = def;
  }
  return op;
}

std::string Origin(const RunRecord& batch) {
  for (const auto& item : batch.command)
    if (item.rfind("origin=", 0) == 0) return item.substr(7);
  return "";
}

void PrintWarnings(const std::vector<std::string>& warnings) {
  for (const auto& w : warnings) RunErr() << "salvo: warning: " << w << "\n";
}

int PrintRows(const BatchPlan& plan, const std::vector<FlagMap>& rows,
              const std::optional<std::string>& save_path);

// The trials a grid or random batch would run, or a model-based batch's random starts.
int PrintTrials(const BatchPlan& plan, const std::optional<std::string>& save_path) {
  std::vector<FlagMap> rows;
  if (!plan.rows.empty()) {
    rows = plan.rows;
    if (plan.trial_count > 0 && static_cast<int64_t>(rows.size()) > plan.trial_count)
      rows.resize(plan.trial_count);
    return PrintRows(plan, rows, save_path);
  }
  auto optimizer = opt::MakeOptimizer(plan.optimizer, plan.optimizer_flags);
  if (!optimizer.ok()) return UsageError(optimizer.status().message());
  opt::AskRequest req;
  req.space = &plan.space;
  req.seed = plan.seed;
  int64_t count = plan.optimizer == "+" ? plan.trial_count : plan.max_trials;
  if (plan.model_based) {
    auto rs = plan.optimizer_flags.find("random-starts");
    int64_t starts = rs != plan.optimizer_flags.end() && rs->second.number()
                         ? static_cast<int64_t>(*rs->second.number())
                         : 1;
    count = std::max<int64_t>(1, std::min(starts, plan.max_trials));
  }
  req.count = static_cast<int>(plan.optimizer == "+" ? (1 << 30) : count);
  auto points = (*optimizer)->Ask(req);
  if (!points.ok()) return UsageError(points.status().message());
  // The same subset the batch would pick.
  if (plan.optimizer == "+") SampleGridSubset(*points, count, plan.seed, 0);
  for (const auto& s : *points) {
    FlagMap flags = plan.flags;
    for (auto& [k, v] : plan.space.ToFlags(s.x)) flags[k] = v;
    rows.push_back(flags);
  }
  return PrintRows(plan, rows, save_path);
}

int PrintRows(const BatchPlan& plan, const std::vector<FlagMap>& rows,
              const std::optional<std::string>& save_path) {
  if (save_path) {
    std::string ext = fs::path(*save_path).extension().string();
    std::ofstream out(*save_path);
    if (!out) return UsageError("cannot write " + *save_path);
    if (ext == ".json") {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& row : rows) {
        nlohmann::json o = nlohmann::json::object();
        for (const auto& [k, v] : row) o[k] = FlagValueArg(v);
        a.push_back(o);
      }
      out << a.dump(2) << "\n";
    } else if (ext == ".csv") {
      bool first = true;
      for (const auto& [k, v] : plan.flags) out << (first ? "" : ",") << k, first = false;
      out << "\n";
      for (const auto& row : rows) {
        first = true;
        for (const auto& [k, v] : row)
          out << (first ? "" : ",") << FlagValueArg(v), first = false;
        out << "\n";
      }
    } else {
      return UsageError("unsupported extension for --save-trials '" + ext +
                        "' (use .csv or .json)");
    }
    RunOut() << "Saved " << rows.size() << " trial(s) to " << *save_path << "\n";
    return 0;
  }
  // A table: '#' then one column per flag.
  std::vector<std::string> header = {"#"};
  for (const auto& [k, v] : plan.flags) header.push_back(k);
  std::vector<std::vector<std::string>> cells = {header};
  for (size_t i = 0; i < rows.size(); ++i) {
    std::vector<std::string> line = {std::to_string(i + 1)};
    for (const auto& [k, v] : rows[i]) line.push_back(EncodeFlagValue(v));
    cells.push_back(line);
  }
  std::vector<size_t> width(header.size(), 0);
  for (const auto& line : cells)
    for (size_t c = 0; c < line.size(); ++c)
      width[c] = std::max(width[c], line[c].size());
  for (const auto& line : cells) {
    std::string text;
    for (size_t c = 0; c < line.size(); ++c) {
      text += line[c];
      if (c + 1 < line.size()) text += std::string(width[c] - line[c].size() + 2, ' ');
    }
    RunOut() << text << "\n";
  }
  if (plan.model_based) {
    RunOut() << "(the first " << rows.size()
             << " trial(s) are random starts; later trials depend on their results)\n";
  }
  return 0;
}

void PrintSummary(RunStore& store, const RunRecord& batch, const BatchPlan& plan) {
  auto all = store.List();
  if (!all.ok()) return;
  int completed = 0, failed = 0, terminated = 0, pending = 0, total = 0;
  const RunRecord* best = nullptr;
  double best_y = 0;
  for (const auto& t : *all) {
    if (t.kind != RunKind::kTrial || t.batch_id != batch.id) continue;
    ++total;
    switch (t.status) {
      case RunStatus::kCompleted:
        ++completed;
        break;
      case RunStatus::kError:
      case RunStatus::kTimeout:
        ++failed;
        break;
      case RunStatus::kPending:
      case RunStatus::kStaged:
        ++pending;
        break;
      default:
        ++terminated;
    }
    if (t.status != RunStatus::kCompleted) continue;
    auto scalars = store.Scalars(t.id);
    if (!scalars.ok()) continue;
    std::optional<double> y;
    for (const auto& p : *scalars)
      if (p.tag == plan.objective) y = p.value;
    if (!y || !std::isfinite(*y)) continue;
    double score = plan.maximize ? -*y : *y;
    if (!best || score < best_y) {
      best = &t;
      best_y = score;
    }
  }
  std::string text = "Batch " + ShortId(batch.id) + " " +
                     std::string(RunStatusName(batch.status)) + ": " +
                     std::to_string(total) + " trial(s): " + std::to_string(completed) +
                     " completed, " + std::to_string(failed) + " failed";
  if (terminated) text += ", " + std::to_string(terminated) + " terminated";
  if (pending) text += ", " + std::to_string(pending) + " pending";
  RunOut() << text << "\n";
  if (plan.model_based) {
    RunOut() << "  " << batch.random_trials << " random / " << batch.guided_trials
             << " guided";
    if (batch.duplicates_replaced)
      RunOut() << "; " << batch.duplicates_replaced
               << " duplicate suggestion(s) replaced";
    RunOut() << "\n";
    if (batch.guided_trials == 0)
      RunOut() << "  no model-guided trial happened in this batch\n";
  }
  if (best) {
    RunOut() << "  best " << plan.objective << ": "
             << FormatFloat(plan.maximize ? -best_y : best_y) << " (trial "
             << ShortId(best->id) << ": " << best->label << ")\n";
  } else if (plan.model_based || plan.optimizer == "random") {
    RunOut() << "  0 usable observations of '" << plan.objective << "'\n";
  }
  if (!batch.reason.empty() && batch.status != RunStatus::kCompleted)
    RunOut() << "  reason: " << batch.reason << "\n";
  for (const auto& n : batch.notes) RunOut() << "  " << n << "\n";
}

int ExitFor(BatchEnd end) {
  switch (end) {
    case BatchEnd::kCompleted:
    case BatchEnd::kNothingToRun:
      return 0;
    case BatchEnd::kInterrupted:
      return 130;
    default:
      return 1;
  }
}

Result<RunRecord> FindRun(RunStore& store, const std::string& spec) {
  auto all = store.List();
  if (!all.ok()) return all.status();
  std::vector<RunRecord> matches;
  for (auto& r : *all)
    if (r.id.rfind(spec, 0) == 0) matches.push_back(r);
  if (matches.empty())
    return Status::NotFound("could not find a run matching '" + spec + "'");
  if (matches.size() > 1) {
    std::string ids;
    for (const auto& m : matches) ids += " " + ShortId(m.id);
    return Status::Invalid("'" + spec + "' matches " + std::to_string(matches.size()) +
                           " runs:" + ids);
  }
  return matches[0];
}

// Re-running the command of an interrupted batch starts a new batch: say so, and how to
// continue the old one instead, since its trials are not this batch's history.
void NoteUnfinishedBatches(RunStore& store, const RunRecord& fresh) {
  auto all = store.List();
  if (!all.ok()) return;
  const RunRecord* newest = nullptr;
  for (const auto& r : *all) {
    if (r.kind != RunKind::kBatch || r.operation != fresh.operation) continue;
    if (r.status == RunStatus::kCompleted) continue;
    if (!newest || r.created_us > newest->created_us) newest = &r;
  }
  if (!newest) return;
  RunOut() << "Starting a new batch " << ShortId(fresh.id) << "; batch "
           << ShortId(newest->id) << " of " << fresh.operation << " is "
           << RunStatusName(newest->status) << " (salvo run --restart "
           << ShortId(newest->id) << " continues it)\n";
}

// --backend: the executor that runs the trials; null for the local one. A restart keeps
// the batch's recorded backend unless the command line names another.
Result<std::shared_ptr<Executor>> BackendExecutor(const RunOptions& options,
                                                  const BatchPlan& plan,
                                                  const std::string& recorded = "") {
  std::string name = options.backend.value_or(recorded == "slurm" ? recorded : "");
  if (name.empty() || name == "local") {
    if (!options.sbatch_args.empty())
      return Status::Invalid("--sbatch-arg needs --backend slurm");
    return std::shared_ptr<Executor>();
  }
  std::map<std::string, std::vector<std::string>> settings;
  settings["sbatch-arg"] = options.sbatch_args;
  if (!plan.objective.empty()) settings["objective"] = {plan.objective};
  auto made = MakeExecutor(name, settings);
  if (!made.ok()) return made.status();
  return std::shared_ptr<Executor>(std::move(made).value());
}

int RunBatchAndReport(RunStore& store, EngineOptions eo, const BatchPlan& plan,
                      RunRecord& batch, int64_t target_total) {
  if (t_context && t_context->launch)
    return t_context->launch(plan, batch, target_total, eo.parallel);
  RunOut() << std::flush;
  BatchEngine engine(store, eo);
  BatchEnd end = engine.RunBatch(plan, batch, target_total);
  PrintSummary(store, batch, plan);
  return ExitFor(end);
}

// The plan of a stored batch with a restart's overrides (flags, -Fo, --random-seed).
Result<BatchPlan> RestartPlan(const RunRecord& batch, const RunOptions& options,
                              std::vector<std::string>& warnings) {
  BatchPlan plan;
  plan.op = DecodeOperation(batch);
  plan.is_batch = true;
  plan.optimizer = batch.optimizer;
  const auto* info = opt::FindOptimizer(batch.optimizer);
  if (!info)
    return Status::Invalid("batch " + ShortId(batch.id) + " uses an unknown optimizer '" +
                           batch.optimizer + "'");
  plan.model_based = info->model_based;
  auto cli = ParseFlagArgs(options.flag_args, plan.op, warnings);
  if (!cli.ok()) return cli.status();
  plan.flags = batch.flags;
  for (const auto& [k, v] : *cli) plan.flags[k] = v;
  FlagMap overrides = batch.optimizer_flags;
  for (const auto& arg : options.opt_flags) {
    auto split = SplitFlagAssignment(arg);
    if (!split.ok())
      return Status::Invalid("invalid optimizer flag '" + arg + "': expected NAME=VALUE");
    auto decoded = DecodeFlagValue(split->second, FlagType::kAuto, split->first);
    if (!decoded.ok()) return decoded.status();
    overrides[split->first] = decoded->value;
  }
  auto resolved = opt::ResolveOptimizerFlags(plan.optimizer, overrides);
  if (!resolved.ok()) return resolved.status();
  plan.optimizer_flags = *resolved;
  auto space = SpaceFromFlags(plan.flags);
  if (!space.ok()) return space.status();
  plan.space = *space;
  if (options.minimize || options.maximize)
    warnings.push_back(
        "a restart keeps the batch's objective; ignoring --minimize/--maximize");
  plan.objective = batch.objective;
  plan.maximize = batch.maximize;
  plan.seed = options.random_seed ? *options.random_seed : batch.seed;
  if (options.max_trials) SALVO_RETURN_IF_ERROR(CheckMaxTrials(*options.max_trials));
  plan.restart = batch;
  plan.rows = DecodeRows(batch);
  plan.max_trials = batch.max_trials;
  return plan;
}

// The store to write: the coordinator's when this batch runs in one, else opened here
// (kept in `owned`).
Result<RunStore*> WritableStore(const Home& home, std::unique_ptr<RunStore>& owned) {
  if (t_context && t_context->store) return t_context->store;
  auto opened = OpenStoreForWrite(home, "salvo run");
  if (!opened.ok()) return opened.status();
  owned = std::move(*opened);
  return owned.get();
}

int Restart(const RunOptions& options, const Home& home, const std::string& launcher) {
  std::unique_ptr<RunStore> owned;
  auto store_or = WritableStore(home, owned);
  if (!store_or.ok()) return UsageError(store_or.status().message());
  RunStore& store = **store_or;
  auto found = FindRun(store, *options.restart);
  if (!found.ok()) {
    return UsageError(found.status().message(),
                      found.status().code() == Code::kNotFound
                          ? "Try 'salvo runs' for a list of runs."
                          : "");
  }
  RunRecord batch = *found;
  if (batch.kind != RunKind::kBatch)
    return UsageError("run " + ShortId(batch.id) +
                      " is not a batch; only batches restart");
  if (batch.status == RunStatus::kRunning && ProcessAlive(batch.runner_pid))
    return UsageError("cannot restart run " + batch.id + " because it is running",
                      "Use 'salvo stop " + ShortId(batch.id) + "' to stop it first.");

  // The operation as the batch recorded it, with the command line's overrides.
  std::vector<std::string> warnings;
  auto planned = RestartPlan(batch, options, warnings);
  if (!planned.ok()) return UsageError(planned.status().message());
  BatchPlan& plan = *planned;
  const OperationDef& op = plan.op;

  // Which trials run again, and how many new ones.
  std::vector<RunRecord> trials;
  auto all = store.List();
  if (!all.ok()) return UsageError(all.status().message());
  for (auto& r : *all)
    if (r.kind == RunKind::kTrial && r.batch_id == batch.id) trials.push_back(r);
  int64_t done = 0, rerun = 0;
  std::vector<RunRecord> to_reset;
  for (auto& t : trials) {
    bool again = t.status == RunStatus::kPending || t.status == RunStatus::kTerminated ||
                 t.status == RunStatus::kLost || t.status == RunStatus::kPreempted ||
                 t.status == RunStatus::kRunning ||
                 (options.retry_failed &&
                  (t.status == RunStatus::kError || t.status == RunStatus::kTimeout));
    if (again) {
      ++rerun;
      // A Slurm job may still be queued or running: the engine adopts it or runs it
      // again.
      bool adoptable = t.status == RunStatus::kRunning && t.executor == "slurm";
      if (t.status != RunStatus::kPending && !adoptable) {
        t.status = RunStatus::kPending;
        t.reason = "to be run again";
        to_reset.push_back(t);
      }
    } else {
      ++done;
    }
  }
  int64_t have = static_cast<int64_t>(trials.size());
  int64_t planned_before = std::max(batch.max_trials, have);
  bool unfinished = batch.status != RunStatus::kCompleted ||
                    (batch.max_trials > 0 && batch.trials_created < batch.max_trials);
  int64_t target = 0;
  int64_t new_trials = 0;
  if (!plan.rows.empty()) {
    for (const auto& row : plan.rows) {
      bool present = std::any_of(trials.begin(), trials.end(),
                                 [&](const RunRecord& t) { return t.flags == row; });
      new_trials += present ? 0 : 1;
    }
    if (new_trials == 0 && rerun == 0) {
      RunOut() << "Every trial of batch " << ShortId(batch.id)
               << " has run; nothing to restart.\n";
      return 0;
    }
  } else if (plan.optimizer == "+") {
    target = options.max_trials ? have + *options.max_trials : 0;
    int misfits = 0;
    (void)misfits;
    // Count the grid points not yet tried.
    auto optimizer = opt::MakeOptimizer(plan.optimizer, plan.optimizer_flags);
    if (!optimizer.ok()) return UsageError(optimizer.status().message());
    opt::AskRequest req;
    req.space = &plan.space;
    req.seed = plan.seed;
    req.count = 1 << 30;
    req.trials_so_far = have;
    for (const auto& t : trials) {
      auto p = plan.space.FromFlags(t.flags);
      if (!p) continue;
      bool again = std::any_of(to_reset.begin(), to_reset.end(),
                               [&](const RunRecord& r) { return r.id == t.id; }) ||
                   t.status == RunStatus::kPending;
      (again ? req.pending : req.failed).push_back(*p);
    }
    auto points = (*optimizer)->Ask(req);
    new_trials = points.ok() ? static_cast<int64_t>(points->size()) : 0;
    if (options.max_trials) new_trials = std::min(new_trials, *options.max_trials);
    if (new_trials == 0 && rerun == 0) {
      RunOut() << "Every point of the grid of batch " << ShortId(batch.id)
               << " has run; nothing to restart.\n";
      return 0;
    }
  } else if (unfinished) {
    int64_t total = options.max_trials ? *options.max_trials : batch.max_trials;
    target = std::max(total, have);
    new_trials = target - have;
    batch.max_trials = total;
  } else {
    int64_t more = options.max_trials ? *options.max_trials : batch.max_trials;
    target = have + more;
    new_trials = more;
    batch.max_trials = target;
  }
  plan.max_trials = new_trials + rerun;
  plan.trial_count = new_trials + rerun;
  PrintWarnings(warnings);

  auto executor = BackendExecutor(options, plan, batch.backend);
  if (!executor.ok()) return UsageError(executor.status().message());

  if (!options.yes) {
    std::string prompt = PromptText(plan);
    if (int rc = Confirm(prompt)) return rc < 0 ? 0 : rc;
  }

  RunOut() << "Restarting batch " << ShortId(batch.id) << ": " << done << " of "
           << planned_before << " done";
  if (rerun) RunOut() << ", " << rerun << " to run again";
  if (new_trials) RunOut() << ", " << new_trials << " new";
  RunOut() << "\n";
  if (plan.model_based) {
    int64_t usable = 0;
    for (const auto& t : trials) usable += t.status == RunStatus::kCompleted;
    RunOut() << "Loaded " << usable << " previous trial(s) for the optimizer\n";
  }
  RunOut() << std::flush;

  if (options.refresh_source) {
    std::string origin = Origin(batch);
    OperationDef fresh = op;
    fresh.source_dir = origin;
    std::string dest = home.run_dir(batch.id) + "/sourcecode-" +
                       std::to_string(SystemClock().NowMicros());
    auto snap = SnapshotSource(fresh, dest, {home.dir});
    if (!snap.ok()) return UsageError(snap.status().message());
    batch.source_dir = dest;
    plan.op.source_dir = dest;
  }
  batch.optimizer_flags = plan.optimizer_flags;
  batch.flags = plan.flags;
  batch.seed = plan.seed;
  batch.label = plan.model_based ? FlagLabel(plan.optimizer_flags) : "";
  batch.fail_on_trial_error = options.fail_on_trial_error;
  batch.parallel = options.parallel;
  to_reset.push_back(batch);
  Status s = store.PutMany(to_reset);
  if (!s.ok()) return UsageError(s.message());

  InstallSignalHandlers();
  EngineOptions eo;
  eo.home = home;
  eo.launcher_path = launcher;
  eo.parallel = options.parallel;
  eo.fail_on_trial_error = options.fail_on_trial_error;
  eo.missing_objective_limit = options.missing_objective_limit;
  eo.echo_output = !options.quiet;
  eo.executor = std::move(executor).value();
  SetProgress(options, eo);
  return RunBatchAndReport(store, eo, plan, batch, target);
}

}  // namespace

std::string BatchSummaryText(RunStore& store, const RunRecord& batch,
                             const BatchPlan& plan) {
  std::ostringstream out;
  RunContext capture;
  capture.out = &out;
  RunContext* outer = CurrentRunContext();
  if (outer) capture = *outer, capture.out = &out;
  ScopedRunContext scope(&capture);
  PrintSummary(store, batch, plan);
  return out.str();
}

int ExitForBatchEnd(BatchEnd end) { return ExitFor(end); }

Result<BatchPlan> PlanFromBatch(const RunRecord& batch) {
  std::vector<std::string> warnings;
  return RestartPlan(batch, RunOptions{}, warnings);
}

int CmdRun(const RunOptions& options) {
  if (Remote() && !t_context) return RemoteRun(options);
  Home home = ResolveHome();
  if (options.parallel < 1) return UsageError("--parallel must be at least 1");
  if (options.missing_objective_limit < 0)
    return UsageError("--missing-objective-limit must not be negative");
  auto launcher = InstallLauncher(home.dir + "/lib");
  if (!launcher.ok()) return UsageError(launcher.status().message());
  if (options.restart) return Restart(options, home, *launcher);
  if (!options.operation) {
    return UsageError(
        "missing the operation to run",
        "Try 'salvo run SCRIPT [NAME=VALUE...]', e.g. 'salvo run train.py x=0.2'.");
  }

  auto op = ResolveOperation(
      *options.operation,
      (t_context && !t_context->cwd.empty() ? t_context->cwd
                                            : fs::current_path().string()),
      *launcher);
  if (!op.ok()) return UsageError(op.status().message());
  auto planned = PlanRun(options, std::move(*op));
  if (!planned.ok()) return UsageError(planned.status().message());
  BatchPlan& plan = *planned;
  PrintWarnings(plan.warnings);

  if (options.print_trials || options.save_trials) {
    if (!plan.is_batch)
      return UsageError("--print-trials and --save-trials need a batch");
    return PrintTrials(plan, options.save_trials);
  }
  auto executor = BackendExecutor(options, plan);
  if (!executor.ok()) return UsageError(executor.status().message());
  if (!options.yes) {
    if (int rc = Confirm(PromptText(plan))) return rc < 0 ? 0 : rc;
  }
  if (t_context && !plan.is_batch)
    return UsageError(
        "a coordinator runs batches only",
        "Try a batch (e.g. x=[1,2]) or run the script without --coordinator.");

  std::unique_ptr<RunStore> owned;
  auto store_or = WritableStore(home, owned);
  if (!store_or.ok()) return UsageError(store_or.status().message());
  RunStore& store = **store_or;
  InstallSignalHandlers();

  RunRecord run;
  run.id = NewRunId();
  run.created_us = SystemClock().NowMicros();
  run.op_name = plan.op.name;
  run.python = t_context && plan.op.python.empty() && !t_context->python.empty()
                   ? t_context->python
                   : ChoosePython(plan.op);
  run.op_file = plan.op.op_file;
  run.command = EncodeOperation(plan.op);
  run.source_dir = home.run_dir(run.id) + "/sourcecode";
  run.flags = plan.flags;
  run.run_dir = home.run_dir(run.id);
  auto snap = SnapshotSource(plan.op, run.source_dir, {home.dir});
  if (!snap.ok()) return UsageError(snap.status().message());
  PrintWarnings(*snap);

  EngineOptions eo;
  eo.home = home;
  eo.launcher_path = *launcher;
  eo.parallel = options.parallel;
  eo.fail_on_trial_error = options.fail_on_trial_error;
  eo.missing_objective_limit = options.missing_objective_limit;
  eo.echo_output = !options.quiet;
  eo.executor = std::move(executor).value();
  SetProgress(options, eo);

  if (!plan.is_batch) {
    run.kind = RunKind::kRun;
    run.operation = plan.op.name;
    run.label = options.label.value_or(FlagLabel(plan.flags));
    BatchEngine engine(store, eo);
    return engine.RunSingle(plan, run);
  }

  run.kind = RunKind::kBatch;
  run.operation = BatchOperationName(plan.op.name, plan.optimizer);
  run.optimizer = plan.optimizer;
  run.optimizer_flags = plan.optimizer_flags;
  run.label = options.batch_label.value_or(
      options.label.value_or(plan.model_based ? FlagLabel(plan.optimizer_flags) : ""));
  run.objective = plan.objective;
  run.maximize = plan.maximize;
  run.max_trials = plan.max_trials;
  run.seed = plan.seed;
  run.parallel = options.parallel;
  run.fail_on_trial_error = options.fail_on_trial_error;
  run.script = plan.op.main;
  for (const auto& row : plan.rows) run.command.push_back(EncodeRow(row));
  run.status = RunStatus::kPending;
  NoteUnfinishedBatches(store, run);
  Status s = store.Put(run);
  if (!s.ok()) return UsageError(s.message());
  int64_t target = plan.optimizer == "+" ? plan.max_trials : plan.max_trials;
  return RunBatchAndReport(store, eo, plan, run, target);
}

}  // namespace salvo
