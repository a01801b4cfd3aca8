#include "coordinator/batch_engine.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <filesystem>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>

#include "agent/trial_runner.h"
#include "common/core/clock.h"
#include "common/core/ids.h"
#include "coordinator/progress.h"

namespace salvo {
namespace {

std::atomic<int> g_stop{0};

int64_t Now() { return SystemClock().NowMicros(); }

nlohmann::json ToJson(const FlagValue& v) {
  switch (v.kind()) {
    case FlagValue::Kind::kNull:
      return nullptr;
    case FlagValue::Kind::kBool:
      return std::get<bool>(v.v);
    case FlagValue::Kind::kInt:
      return std::get<int64_t>(v.v);
    case FlagValue::Kind::kFloat:
      return std::get<double>(v.v);
    case FlagValue::Kind::kString:
      return v.str();
    case FlagValue::Kind::kList: {
      nlohmann::json a = nlohmann::json::array();
      for (const auto& item : v.list()) a.push_back(ToJson(item));
      return a;
    }
    case FlagValue::Kind::kFunction:
      return v.function().text;
  }
  return nullptr;
}

std::string EnvName(const std::string& flag) {
  std::string out = "FLAG_";
  for (char c : flag)
    out += std::isalnum(static_cast<unsigned char>(c)) ? std::toupper(c) : '_';
  return out;
}

std::string ShellQuote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// The command line of an `exec` operation: ${flag} replaced by the flag's value,
// ${flag_args} by --name value pairs, ${source_dir} by the snapshot; run by /bin/sh.
std::string ExpandExec(const std::string& tmpl, const FlagMap& flags,
                       const std::string& source_dir) {
  std::string out;
  for (size_t i = 0; i < tmpl.size();) {
    if (tmpl.compare(i, 2, "${") == 0) {
      size_t end = tmpl.find('}', i);
      if (end != std::string::npos) {
        std::string name = tmpl.substr(i + 2, end - i - 2);
        if (name == "flag_args") {
          std::string args;
          for (const auto& [k, v] : flags) {
            if (v.is_null()) continue;
            args += (args.empty() ? "" : " ") + std::string("--") + k + " " +
                    ShellQuote(FlagValueArg(v));
          }
          out += args;
        } else if (name == "source_dir") {
          out += ShellQuote(source_dir);
        } else if (auto it = flags.find(name); it != flags.end()) {
          out += ShellQuote(FlagValueArg(it->second));
        }
        i = end + 1;
        continue;
      }
    }
    out += tmpl[i++];
  }
  return out;
}

std::string FlagSummary(const FlagMap& flags) {
  std::string out;
  for (const auto& [k, v] : flags) {
    if (v.is_null()) continue;
    out += (out.empty() ? "" : ", ") + k + "=" + EncodeFlagValue(v);
  }
  return out;
}

// A trial's end as a line of the batch's progress.
void ReportEnd(Progress* progress, const RunRecord& trial,
               std::optional<double> objective, bool failed) {
  if (!progress) return;
  progress->TrialEnded({trial.id, trial.label, objective,
                        std::string(RunStatusName(trial.status)), trial.reason, failed});
}

// Scalars go to the store as they arrive (unsynced; synced with the trial's end).
TrialProcess::ScalarSink StoreSink(RunStore* store) {
  return [store](const std::string& id, const ScalarPoint& p) {
    (void)store->AppendScalars(id, {p});
  };
}

}  // namespace

struct BatchEngine::Running {
  std::unique_ptr<TrialHandle> handle;
  std::string trial_id;
  bool stopping = false;
  int64_t term_sent_us = 0;
  std::optional<AttemptEnd> end;  // set once Poll() returned it
  std::string note;               // the handle's note last recorded as the reason
};

void BatchEngine::RequestStop(int how) { g_stop.store(how); }
int BatchEngine::stop_requested() { return g_stop.load(); }

BatchEngine::~BatchEngine() = default;

BatchEngine::BatchEngine(RunStore& store, EngineOptions options)
    : store_(store), options_(std::move(options)) {
  executor_ = options_.executor ? options_.executor
                                : std::shared_ptr<Executor>(MakeLocalExecutor());
}

void BatchEngine::StopTrial(const std::string& trial_id) {
  std::lock_guard<std::mutex> lock(stop_mu_);
  trial_stops_.push_back(trial_id);
}

int BatchEngine::StopState() const {
  int global = options_.use_global_stop ? g_stop.load() : 0;
  int mine = stop_.load();
  if (global == 3) return mine ? mine : 3;
  return std::max(global, mine);
}

Result<std::vector<RunRecord>> BatchEngine::LoadTrials(const std::string& batch_id) {
  auto all = store_.List();
  if (!all.ok()) return all.status();
  std::vector<RunRecord> trials;
  for (auto& r : *all)
    if (r.kind == RunKind::kTrial && r.batch_id == batch_id)
      trials.push_back(std::move(r));
  std::sort(trials.begin(), trials.end(), [](const RunRecord& a, const RunRecord& b) {
    return a.trial_index < b.trial_index;
  });
  return trials;
}

RunRecord BatchEngine::NewTrial(const BatchPlan& plan, const RunRecord& batch,
                                const FlagMap& flags, int64_t index) {
  RunRecord t;
  t.id = NewRunId();
  t.kind = RunKind::kTrial;
  t.batch_id = batch.id;
  t.operation = plan.op.name;
  t.op_name = plan.op.name;
  t.flags = flags;
  t.label = FlagLabel(flags);
  t.status = RunStatus::kPending;
  t.created_us = Now();
  t.trial_index = index;
  t.run_dir = options_.home.run_dir(t.id);
  return t;
}

Status BatchEngine::Launch(const BatchPlan& plan, const RunRecord& batch,
                           RunRecord& trial) {
  const OperationDef& op = plan.op;
  std::string source = batch.source_dir.empty() ? op.source_dir : batch.source_dir;
  trial.status = RunStatus::kRunning;
  trial.attempt += 1;
  trial.started_us = Now();
  trial.stopped_us = 0;
  trial.exit_code.reset();
  trial.reason.clear();
  trial.runner_pid = getpid();
  trial.run_dir = options_.home.run_dir(trial.id);
  objective_cache_.erase(trial.id);

  TrialLaunch launch;
  launch.run_id = trial.id;
  launch.cwd = trial.run_dir;
  launch.output_path = trial.run_dir + "/output";
  launch.echo = options_.echo_output && options_.parallel == 1;
  if (launch.echo && progress_ && options_.progress_bar) {
    // The output goes above the progress line, which stays at the bottom.
    launch.echo_line = [progress = progress_](const std::string& line) {
      progress->Echo(std::cout, line);
    };
  }
  if (!op.output_scalars_off) {
    for (const auto& [name, value] : trial.flags) launch.flag_names.insert(name);
    launch.scalar_patterns = op.output_scalars;
  } else {
    launch.scalar_patterns = {{"", "(?!)"}};  // matches nothing
  }
  std::string python = batch.python.empty() ? ChoosePython(op) : batch.python;
  if (!op.exec.empty()) {
    launch.argv = {"/bin/sh", "-c", ExpandExec(op.exec, trial.flags, source)};
  } else {
    launch.argv = {python, options_.launcher_path, "run", source + "/" + op.main};
  }
  nlohmann::json flags_json = nlohmann::json::object();
  for (const auto& [k, v] : trial.flags) {
    flags_json[k] = ToJson(v);
    launch.env[EnvName(k)] = FlagValueArg(v);
  }
  launch.env["SALVO_FLAGS_JSON"] = flags_json.dump();
  launch.env["SALVO_FLAGS_DEST"] = op.flags_dest;
  launch.env["SALVO_RUN_ID"] = trial.id;
  launch.env["RUN_ID"] = trial.id;
  launch.env["RUN_DIR"] = trial.run_dir;
  launch.env["SALVO_SOURCE_DIR"] = source;
  launch.env["SALVO_HOME"] = options_.home.dir;
  launch.env["PYTHONUNBUFFERED"] = "1";
  if (!batch.id.empty() && batch.id != trial.id) {
    launch.env["SALVO_BATCH_ID"] = batch.id;
    launch.env["SALVO_TRIAL_SEED"] = std::to_string(
        MixSeed(batch.seed, static_cast<uint64_t>(trial.trial_index)) >> 33);
  }
  // The progress lines stand for the start and end messages (progress.h).
  spdlog::log(progress_ ? spdlog::level::debug : spdlog::level::info,
              "Running trial {}: {} ({})", ShortId(trial.id), op.name,
              FlagSummary(trial.flags));
  auto handle = executor_->Start(launch, trial, StoreSink(&store_));
  if (!handle.ok()) {
    trial.status = RunStatus::kError;
    trial.reason = handle.status().message();
    trial.stopped_us = Now();
    ReportEnd(progress_.get(), trial, std::nullopt, true);
    spdlog::error("Trial {} could not start: {}", ShortId(trial.id), trial.reason);
    // A request the executor rejects as invalid (e.g. sbatch with a partition that does
    // not exist) would fail every trial the same way: the batch stops.
    if (handle.status().code() == Code::kInvalidArgument) start_rejected_ = true;
    writes_.push_back(trial);
    return Flush();
  }
  trial.executor = executor_->name();
  trial.host = (*handle)->host();
  trial.external_id = (*handle)->external_id();
  trial.remote_dir = (*handle)->remote_dir();
  // One synced write records this start together with any trial that just ended.
  writes_.push_back(trial);
  Status written = Flush();
  if (progress_) progress_->TrialStarted(trial.id);
  auto r = std::make_unique<Running>();
  r->handle = std::move(*handle);
  r->trial_id = trial.id;
  running_[trial.id] = std::move(r);
  return written;
}

std::optional<double> BatchEngine::Objective(const std::string& trial_id,
                                             const std::string& tag) {
  if (auto it = objective_cache_.find(trial_id); it != objective_cache_.end())
    return it->second;
  std::optional<double> value;
  auto points = store_.Scalars(trial_id);
  if (points.ok()) {
    for (const auto& p : *points)
      if (p.tag == tag) value = p.value;
  }
  objective_cache_[trial_id] = value;
  return value;
}

void BatchEngine::Finish(Running& r, const BatchPlan& plan, RunRecord& batch) {
  AttemptEnd exit = *r.end;
  // The synced PutMany below also makes the unsynced scalar writes before it durable
  // (one write-ahead log).
  RunRecord& trial = trials_[r.trial_id];
  trial.stopped_us = Now();
  trial.exit_code = exit.exit_code;
  const std::vector<ScalarPoint> scalars = r.handle->Scalars();
  // Where it ran may be known only now (an agent chosen after the start).
  if (std::string host = r.handle->host(); !host.empty()) trial.host = host;
  if (std::string id = r.handle->external_id(); !id.empty()) trial.external_id = id;
  if (std::string dir = r.handle->remote_dir(); !dir.empty()) trial.remote_dir = dir;

  std::optional<double> objective;
  for (const auto& p : scalars)
    if (p.tag == plan.objective) objective = p.value;
  objective_cache_[trial.id] = objective;

  bool failed = false;
  bool again = false;  // a new attempt follows
  using Kind = AttemptEnd::Kind;
  // Ended after a preemption warning without a result: the preemption's doing.
  if (exit.kind == Kind::kExited && exit.preempt_warned &&
      !(exit.exit_code == 0 && objective && std::isfinite(*objective)))
    exit.kind = Kind::kPreempted;
  auto why = [&](const char* fallback) {
    return exit.reason.empty() ? std::string(fallback) : exit.reason;
  };
  if (r.stopping || exit.kind == Kind::kCancelled) {
    trial.status = RunStatus::kTerminated;
    trial.reason = "stopped";
  } else if (exit.kind == Kind::kUserCancelled) {
    trial.status = RunStatus::kTerminated;
    trial.reason = why("cancelled outside salvo");
  } else if (exit.kind == Kind::kLost) {
    trial.exit_code.reset();
    trial.lost_attempts += 1;
    again = trial.lost_attempts <= options_.max_lost_attempts;
    trial.status = again ? RunStatus::kPending : RunStatus::kError;
    trial.reason = again ? "attempt " + std::to_string(trial.attempt) + " lost (" +
                               why("its runner vanished") + "); running it again"
                         : "lost " + std::to_string(trial.lost_attempts) +
                               " attempts; the last: " + why("its runner vanished");
    failed = !again;
  } else if (exit.kind == Kind::kPreempted) {
    trial.exit_code.reset();
    trial.preemptions += 1;
    again = trial.preemptions <= options_.max_preemptions;
    trial.status = again ? RunStatus::kPending : RunStatus::kError;
    trial.reason = again ? "attempt " + std::to_string(trial.attempt) + " preempted (" +
                               why("preempted") + "); running it again"
                         : "preempted " + std::to_string(trial.preemptions) + " times";
    failed = !again;
  } else if (exit.kind == Kind::kTimeout) {
    trial.status = RunStatus::kTimeout;
    trial.reason = why("time limit reached");
    failed = true;
  } else if (exit.kind == Kind::kFailed) {
    trial.status = RunStatus::kError;
    trial.reason = why("failed");
    failed = true;
  } else if (exit.exit_code != 0) {
    trial.status = RunStatus::kError;
    trial.reason = exit.signal ? "killed by signal " + std::to_string(exit.signal)
                               : "exit status " + std::to_string(exit.exit_code);
    failed = true;
  } else if (!objective) {
    trial.status = RunStatus::kCompleted;
    trial.reason = "no objective '" + plan.objective + "'";
  } else if (!std::isfinite(*objective)) {
    trial.status = RunStatus::kError;
    trial.reason = "objective '" + plan.objective + "' is " + FormatFloat(*objective);
    failed = true;
  } else {
    trial.status = RunStatus::kCompleted;
  }

  if (trial.status == RunStatus::kCompleted) ++completed_;
  if (failed) {
    ++failed_;
    if (batch.first_error.empty())
      batch.first_error = "trial " + ShortId(trial.id) + ": " + trial.reason;
  }
  if (plan.model_based && trial.status == RunStatus::kCompleted) {
    if (objective) {
      consecutive_missing_ = 0;
    } else {
      ++consecutive_missing_;
      std::set<std::string> tags;
      for (const auto& p : scalars) tags.insert(p.tag);
      missing_objective_scalars_.clear();
      for (const auto& t : tags)
        missing_objective_scalars_ +=
            (missing_objective_scalars_.empty() ? "" : ", ") + t;
    }
  }

  // Written with the next trial's start, or by the loop's Flush() when none starts.
  writes_.push_back(trial);
  writes_.push_back(batch);

  if (again) {
    spdlog::warn("Trial {} {}", ShortId(trial.id), trial.reason);
    return;
  }
  ReportEnd(progress_.get(), trial, objective, failed);
  auto info_level = progress_ ? spdlog::level::debug : spdlog::level::info;
  if (trial.status == RunStatus::kCompleted && objective) {
    spdlog::log(info_level, "Trial {} completed: {}={}", ShortId(trial.id),
                plan.objective, FormatFloat(*objective));
  } else if (trial.status == RunStatus::kCompleted) {
    spdlog::warn("Trial {} completed without objective '{}'", ShortId(trial.id),
                 plan.objective);
  } else if (trial.status == RunStatus::kTerminated) {
    spdlog::log(info_level, "Trial {} was terminated", ShortId(trial.id));
  } else {
    spdlog::error("Trial {} failed ({}) - see `salvo cat {}`", ShortId(trial.id),
                  trial.reason, ShortId(trial.id));
  }
  if (failed && options_.fail_on_trial_error) fail_fast_triggered_ = true;
}

Status BatchEngine::Flush() {
  if (writes_.empty()) return Status::Ok();
  // Later copies of a record replace earlier ones in the same write.
  std::map<std::string, size_t> last;
  for (size_t i = 0; i < writes_.size(); ++i) last[writes_[i].id] = i;
  std::vector<RunRecord> batch;
  for (size_t i = 0; i < writes_.size(); ++i)
    if (last[writes_[i].id] == i) batch.push_back(std::move(writes_[i]));
  writes_.clear();
  Status s = store_.PutMany(batch);
  if (!s.ok()) spdlog::error("cannot record {} run(s): {}", batch.size(), s.message());
  return s;
}

void BatchEngine::WaitForEvent() { executor_->Wait(std::chrono::milliseconds(100)); }

void BatchEngine::AdoptRunning(const BatchPlan& plan, RunRecord& batch) {
  for (auto& [id, trial] : trials_) {
    if (trial.status != RunStatus::kRunning || running_.count(id)) continue;
    auto handle = executor_->Adopt(trial, StoreSink(&store_));
    if (handle) {
      spdlog::info("Trial {} attempt {} adopted on {}", ShortId(id), trial.attempt,
                   handle->host());
      auto r = std::make_unique<Running>();
      r->handle = std::move(handle);
      r->trial_id = id;
      running_[id] = std::move(r);
      if (progress_) progress_->TrialStarted(id);
      continue;
    }
    trial.status = RunStatus::kPending;
    trial.reason = "attempt " + std::to_string(trial.attempt) +
                   " was running when its runner stopped; running it again";
    spdlog::info("Trial {} {}", ShortId(id), trial.reason);
    writes_.push_back(trial);
  }
  (void)Flush();
}

void BatchEngine::HandleStopRequests(const std::string& batch_id) {
  namespace fs = std::filesystem;
  std::string dir = options_.home.dir + "/stop";
  std::error_code ec;
  if (progress_) progress_->Hide();
  for (const auto& entry : fs::directory_iterator(dir, ec)) {
    std::string id = entry.path().filename().string();
    if (id == batch_id) {
      g_stop.store(1);
    } else if (auto it = running_.find(id);
               it != running_.end() && !it->second->stopping) {
      it->second->stopping = true;
      it->second->term_sent_us = Now();
      spdlog::info("Stopping trial {} (salvo stop)", ShortId(id));
      it->second->handle->Signal(SIGTERM);
    } else if (!trials_.count(id)) {
      continue;  // another batch's request
    }
    fs::remove(entry.path(), ec);
  }
}

void BatchEngine::StopAll(const std::string& reason) {
  if (progress_) progress_->Hide();
  int64_t now = Now();
  for (auto& [id, r] : running_) {
    if (r->stopping) continue;
    r->stopping = true;
    r->term_sent_us = now;
    spdlog::info("Stopping trial {} ({})", ShortId(id), reason);
    r->handle->Signal(SIGTERM);
  }
}

opt::AskRequest BatchEngine::History(const BatchPlan& plan,
                                     const std::vector<RunRecord>& trials, int count,
                                     int* misfits) {
  opt::AskRequest req;
  req.space = &plan.space;
  req.seed = plan.seed;
  req.count = count;
  req.trials_so_far = trials.size();
  for (const RunRecord& t : trials) {
    auto point = plan.space.FromFlags(t.flags);
    if (!point) {
      ++*misfits;
      continue;
    }
    switch (t.status) {
      case RunStatus::kRunning:
      case RunStatus::kPending:
      case RunStatus::kStaged:
        req.pending.push_back(*point);
        break;
      case RunStatus::kCompleted: {
        auto y = Objective(t.id, plan.objective);
        if (y && std::isfinite(*y)) {
          req.observations.push_back({*point, plan.maximize ? -*y : *y});
        } else {
          req.failed.push_back(*point);
        }
        break;
      }
      default:
        req.failed.push_back(*point);
    }
  }
  return req;
}

std::vector<opt::Observation> BatchEngine::OperationHistory(const BatchPlan& plan,
                                                            const RunRecord& batch) {
  std::vector<opt::Observation> out;
  auto all = store_.List();
  if (!all.ok()) {
    spdlog::warn("cannot read the earlier runs of {}: {}", plan.op.name,
                 all.status().message());
    return out;
  }
  int misfits = 0, no_objective = 0;
  for (const RunRecord& r : *all) {
    if (r.kind == RunKind::kBatch || r.batch_id == batch.id || r.id == batch.id) continue;
    if (r.operation != plan.op.name || r.status != RunStatus::kCompleted) continue;
    auto point = plan.space.FromFlags(r.flags);
    if (!point) {
      ++misfits;
      continue;
    }
    auto y = Objective(r.id, plan.objective);
    if (!y || !std::isfinite(*y)) {
      ++no_objective;
      continue;
    }
    out.push_back({*point, plan.maximize ? -*y : *y});
  }
  spdlog::info("Batch {}: found {} previous run(s) of {} for the optimizer",
               ShortId(batch.id), out.size(), plan.op.name);
  if (misfits > 0 || no_objective > 0) {
    std::string note =
        std::to_string(misfits + no_objective) + " previous run(s) of " + plan.op.name +
        " are left out of the history (" + std::to_string(misfits) +
        " lack a flag of the search space or have a value outside it, " +
        std::to_string(no_objective) + " have no usable " + plan.objective + ")";
    spdlog::warn("{}", note);
  }
  return out;
}

int BatchEngine::RunSingle(const BatchPlan& plan, RunRecord& run) {
  options_.parallel = 1;
  RunRecord none;
  none.source_dir = run.source_dir;
  none.python = run.python;
  trials_[run.id] = run;
  Status s = Launch(plan, none, trials_[run.id]);
  if (!s.ok() || trials_[run.id].status == RunStatus::kError) {
    run = trials_[run.id];
    if (!s.ok()) spdlog::error("{}", s.message());
    return 1;
  }
  auto& r = *running_.begin()->second;
  while (!(r.end = r.handle->Poll())) {
    if (int how = StopState(); how && how != 3 && !r.stopping) {
      r.stopping = true;
      r.term_sent_us = Now();
      r.handle->Signal(how == 2 ? SIGINT : SIGTERM);
    }
    if (r.stopping && Now() - r.term_sent_us > options_.stop_grace_ms * 1000)
      r.handle->Signal(SIGKILL);
    WaitForEvent();
  }
  RunRecord batch_none;
  BatchPlan single = plan;
  single.model_based = false;
  Finish(r, single, batch_none);
  writes_.pop_back();  // no batch record for a single run
  (void)Flush();
  running_.clear();
  run = trials_[run.id];
  if (run.status == RunStatus::kTerminated) return g_stop.load() == 2 ? 130 : 1;
  return run.exit_code.value_or(1);
}

BatchEnd BatchEngine::RunBatch(const BatchPlan& plan, RunRecord& batch,
                               int64_t target_total) {
  auto loaded = LoadTrials(batch.id);
  if (!loaded.ok()) {
    spdlog::error("cannot read the trials of batch {}: {}", ShortId(batch.id),
                  loaded.status().message());
    return BatchEnd::kAllFailed;
  }
  std::vector<std::string> order;  // trial ids by index
  for (auto& t : *loaded) {
    order.push_back(t.id);
    trials_[t.id] = std::move(t);
  }
  if (options_.show_progress) {
    progress_ = std::make_shared<Progress>(
        std::cerr, SystemClock(),
        ProgressOptions{options_.progress_bar, options_.parallel, plan.objective,
                        plan.maximize});
    int64_t ended = 0;
    for (const auto& [id, t] : trials_)
      ended += t.status != RunStatus::kPending && t.status != RunStatus::kRunning;
    progress_->SetAlreadyDone(ended);
  }

  auto optimizer = opt::MakeOptimizer(plan.optimizer, plan.optimizer_flags);
  if (!optimizer.ok()) {
    spdlog::error("{}", optimizer.status().message());
    return BatchEnd::kAllFailed;
  }
  auto all_trials = [&] {
    std::vector<RunRecord> v;
    for (const auto& id : order) v.push_back(trials_[id]);
    return v;
  };
  bool warned_misfits = false;
  // -Fo prev-trials=operation: the operation's other runs join the history, read once.
  const auto prev = plan.optimizer_flags.find(opt::kPrevTrialsFlag);
  const bool operation_history = prev != plan.optimizer_flags.end() &&
                                 prev->second.kind() == FlagValue::Kind::kString &&
                                 prev->second.str() == "operation";
  std::optional<std::vector<opt::Observation>> earlier;
  auto ask = [&](int count, bool* exhausted) -> std::vector<opt::Suggestion> {
    if (progress_) progress_->Hide();
    int misfits = 0;
    auto req = History(plan, all_trials(), count, &misfits);
    if (operation_history) {
      if (!earlier) earlier = OperationHistory(plan, batch);
      req.observations.insert(req.observations.end(), earlier->begin(), earlier->end());
    }
    // A grid or random search has no model to leave them out of: no warning there.
    if (misfits && !warned_misfits && plan.model_based) {
      warned_misfits = true;
      std::string note = std::to_string(misfits) +
                         " earlier trial(s) do not fit the search space and are left out";
      spdlog::warn("{}", note);
      batch.notes.push_back(note);
    }
    const int64_t asked_us = Now();
    auto got = (*optimizer)->Ask(req);
    if (plan.model_based && got.ok() && !got->empty()) {
      // The time of a suggestion, per ask: the figure to watch as the history grows.
      spdlog::info("Batch {}: {} suggested {} point(s) in {:.1f} ms from {} result(s)",
                   ShortId(batch.id), plan.optimizer, got->size(),
                   static_cast<double>(Now() - asked_us) / 1000.0,
                   req.observations.size());
    }
    if (!got.ok()) {
      spdlog::error("optimizer {}: {}", plan.optimizer, got.status().message());
      *exhausted = true;
      return {};
    }
    if (static_cast<int>(got->size()) < count) *exhausted = true;
    return std::move(*got);
  };
  auto create_rows = [&](const std::vector<FlagMap>& rows) {
    std::vector<RunRecord> fresh;
    for (const auto& flags : rows) {
      RunRecord t = NewTrial(plan, batch, flags, static_cast<int64_t>(order.size()));
      order.push_back(t.id);
      trials_[t.id] = t;
      fresh.push_back(t);
      batch.trials_created += 1;
    }
    // In one write with the records still waiting in writes_, whose older copy of the
    // batch would otherwise be written later over the new trial count.
    for (auto& t : fresh) writes_.push_back(std::move(t));
    writes_.push_back(batch);
    (void)Flush();
  };
  auto create = [&](const std::vector<opt::Suggestion>& points) {
    std::vector<RunRecord> fresh;
    for (const auto& s : points) {
      FlagMap flags = plan.flags;
      for (auto& [name, value] : plan.space.ToFlags(s.x)) flags[name] = value;
      RunRecord t = NewTrial(plan, batch, flags, static_cast<int64_t>(order.size()));
      order.push_back(t.id);
      trials_[t.id] = t;
      fresh.push_back(t);
      batch.trials_created += 1;
      (s.random_start ? batch.random_trials : batch.guided_trials) +=
          plan.model_based ? 1 : 0;
      batch.duplicates_replaced += s.duplicates_replaced;
      if (s.duplicates_replaced > 0) {
        spdlog::info(
            "Trial {}: {} suggestion(s) equal to an earlier point replaced by {}",
            ShortId(t.id), s.duplicates_replaced, FlagSummary(flags));
      }
    }
    // In one write with the records still waiting in writes_, whose older copy of the
    // batch would otherwise be written later over the new trial count.
    for (auto& t : fresh) writes_.push_back(std::move(t));
    writes_.push_back(batch);
    (void)Flush();
  };

  batch.status = RunStatus::kRunning;
  batch.runner_pid = getpid();
  if (batch.started_us == 0) batch.started_us = Now();
  batch.stopped_us = 0;
  batch.backend = executor_->name();
  (void)store_.Put(batch);
  AdoptRunning(plan, batch);

  // Grid and random search create their trials up front; the grid keeps its order.
  bool exhausted = false;
  if (!plan.rows.empty()) {
    // Batch-file rows not yet in the batch (a restart adds none twice).
    std::vector<FlagMap> fresh;
    for (const auto& row : plan.rows) {
      bool present = std::any_of(order.begin(), order.end(), [&](const std::string& id) {
        return trials_[id].flags == row;
      });
      if (!present) fresh.push_back(row);
    }
    int64_t cap = target_total > 0 ? target_total - static_cast<int64_t>(order.size())
                                   : static_cast<int64_t>(fresh.size());
    if (cap < static_cast<int64_t>(fresh.size())) fresh.resize(std::max<int64_t>(cap, 0));
    create_rows(fresh);
  } else if (!plan.model_based) {
    int64_t have = static_cast<int64_t>(order.size());
    int want = plan.optimizer == "+" ? 1 << 30 : static_cast<int>(target_total - have);
    if (want > 0) {
      auto points = ask(want, &exhausted);
      if (plan.optimizer == "+") {
        exhausted = false;
        int64_t cap =
            target_total > 0 ? target_total - have : static_cast<int64_t>(points.size());
        SampleGridSubset(points, cap, plan.seed, static_cast<uint64_t>(have));
      }
      create(points);
    }
  }

  BatchEnd end = BatchEnd::kCompleted;
  while (true) {
    if (options_.use_global_stop && g_stop.load() == 3) {
      g_stop.store(0);
      HandleStopRequests(batch.id);
    }
    {
      std::vector<std::string> stops;
      {
        std::lock_guard<std::mutex> lock(stop_mu_);
        stops.swap(trial_stops_);
      }
      for (const auto& id : stops) {
        auto it = running_.find(id);
        if (it == running_.end() || it->second->stopping) continue;
        it->second->stopping = true;
        it->second->term_sent_us = Now();
        spdlog::info("Stopping trial {} (salvo stop)", ShortId(id));
        it->second->handle->Signal(SIGTERM);
      }
    }
    int stop = StopState();
    if (stop == 3) stop = 0;
    if (stop && end == BatchEnd::kCompleted) {
      end = stop == 2 ? BatchEnd::kInterrupted : BatchEnd::kStopped;
      StopAll(stop == 2 ? "interrupted" : "batch stopped");
    }
    bool halt = end != BatchEnd::kCompleted;
    if (!halt && fail_fast_triggered_) {
      end = BatchEnd::kFailedFast;
      StopAll("a trial failed and --fail-on-trial-error is set");
      halt = true;
    }
    if (!halt && options_.missing_objective_limit > 0 &&
        consecutive_missing_ >= options_.missing_objective_limit) {
      end = BatchEnd::kNoObjective;
      halt = true;
    }

    // Start what can start.
    while (!halt && executor_->FreeSlots(static_cast<int>(running_.size()),
                                         options_.parallel) > 0) {
      std::string next;
      for (const auto& id : order)
        if (trials_[id].status == RunStatus::kPending && !running_.count(id)) {
          next = id;
          break;
        }
      if (next.empty() && plan.model_based && !exhausted &&
          static_cast<int64_t>(order.size()) < target_total) {
        int free =
            executor_->FreeSlots(static_cast<int>(running_.size()), options_.parallel);
        int count = static_cast<int>(
            std::min<int64_t>(free, target_total - static_cast<int64_t>(order.size())));
        auto points = ask(count, &exhausted);
        if (points.empty()) break;
        create(points);
        continue;
      }
      if (next.empty()) break;
      Status s = Launch(plan, batch, trials_[next]);
      if (!s.ok() && progress_) progress_->Hide();
      if (!s.ok()) spdlog::error("cannot start trial {}: {}", ShortId(next), s.message());
      if (trials_[next].status == RunStatus::kError) {
        ++failed_;
        if (batch.first_error.empty())
          batch.first_error = "trial " + ShortId(next) + ": " + trials_[next].reason;
        if (options_.fail_on_trial_error || start_rejected_) fail_fast_triggered_ = true;
        if (fail_fast_triggered_) break;
      }
    }
    (void)Flush();
    if (running_.empty()) {
      // With agents, capacity comes and goes: wait for it while work remains.
      bool work_left = std::any_of(order.begin(), order.end(),
                                   [&](const std::string& id) {
                                     return trials_[id].status == RunStatus::kPending;
                                   }) ||
                       (plan.model_based && !exhausted &&
                        static_cast<int64_t>(order.size()) < target_total);
      if (halt || !work_left || !executor_->WaitsForCapacity()) break;
      WaitForEvent();
      continue;
    }

    if (progress_) {
      int64_t known = static_cast<int64_t>(order.size());
      progress_->SetTotal(std::max<int64_t>(target_total, known));
      progress_->Refresh();
    }
    WaitForEvent();
    int64_t now = Now();
    for (auto it = running_.begin(); it != running_.end();) {
      Running& r = *it->second;
      if (r.stopping && now - r.term_sent_us > options_.stop_grace_ms * 1000)
        r.handle->Signal(SIGKILL);
      if ((r.end = r.handle->Poll())) {
        Finish(r, plan, batch);
        it = running_.erase(it);
      } else {
        // A hold or similar shows in `salvo runs` while it lasts.
        if (std::string note = r.handle->note(); note != r.note) {
          RunRecord& trial = trials_[r.trial_id];
          trial.reason = note;
          writes_.push_back(trial);
          r.note = note;
        }
        ++it;
      }
    }
  }

  (void)Flush();
  if (progress_) progress_->Hide();
  // Record how the batch ended.
  int64_t total = static_cast<int64_t>(order.size());
  if (start_rejected_ && (end == BatchEnd::kCompleted || end == BatchEnd::kAllFailed))
    end = BatchEnd::kFailedFast;
  if (end == BatchEnd::kCompleted && total > 0 && completed_ == 0 && failed_ > 0) {
    bool any_completed = false;
    for (const auto& id : order)
      any_completed |= trials_[id].status == RunStatus::kCompleted;
    if (!any_completed) end = BatchEnd::kAllFailed;
  }
  if (exhausted && end == BatchEnd::kCompleted && plan.model_based) {
    std::string note =
        "search space exhausted after " + std::to_string(total) + " distinct points";
    spdlog::info("{}", note);
    batch.notes.push_back(note);
  } else if (exhausted && end == BatchEnd::kCompleted && total < target_total) {
    std::string note =
        "search space exhausted after " + std::to_string(total) + " distinct points";
    spdlog::info("{}", note);
    batch.notes.push_back(note);
  }
  batch.stopped_us = Now();
  switch (end) {
    case BatchEnd::kCompleted:
    case BatchEnd::kNothingToRun:
      batch.status = RunStatus::kCompleted;
      batch.reason.clear();
      break;
    case BatchEnd::kAllFailed:
      batch.status = RunStatus::kError;
      batch.reason = "every trial failed";
      break;
    case BatchEnd::kFailedFast:
      batch.status = RunStatus::kError;
      batch.reason = start_rejected_ ? "a trial could not start: " + batch.first_error
                                     : "a trial failed and --fail-on-trial-error is set";
      break;
    case BatchEnd::kNoObjective:
      batch.status = RunStatus::kError;
      batch.reason = std::to_string(consecutive_missing_) +
                     " trials in a row reported no '" + plan.objective + "'" +
                     (missing_objective_scalars_.empty()
                          ? std::string(" (they reported no scalars)")
                          : " (they reported: " + missing_objective_scalars_ + ")");
      break;
    case BatchEnd::kStopped:
    case BatchEnd::kInterrupted:
      batch.status = RunStatus::kTerminated;
      batch.reason = "stopped";
      break;
  }
  Status s = store_.Put(batch);
  if (!s.ok())
    spdlog::error("cannot record batch {}: {}", ShortId(batch.id), s.message());
  return end;
}

}  // namespace salvo
