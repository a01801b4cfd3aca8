#pragma once
// BatchEngine: runs a run or a batch on this machine, keeping every state change in the
// store. It asks the optimizer for points, creates trials, runs up to `parallel` of them
// at once through TrialProcess, reads their objective and records how each ended.
//
// All of its state lives on the thread that calls Run() (trial processes must be
// started from a thread that outlives them). Stop requests arrive through
// RequestStop(), which is safe to call from a signal-handling context via a flag.

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "common/core/run_record.h"
#include "common/core/search_space.h"
#include "common/store/run_store.h"
#include "coordinator/batch_plan.h"
#include "coordinator/commands.h"
#include "coordinator/executor.h"
#include "optimizers/optimizer.h"

namespace salvo {

class Progress;

struct EngineOptions {
  Home home;
  std::string launcher_path;
  int parallel = 1;
  bool fail_on_trial_error = false;
  bool echo_output = true;  // copy trial output to the terminal (one trial at a time)
  // A model-based batch stops after this many trials in a row without the objective
  // (0: never).
  int missing_objective_limit = 5;
  int64_t stop_grace_ms = 10000;  // SIGTERM to SIGKILL when stopping trials
  // A batch's trials as lines on stderr instead of start and end log messages
  // (progress.h); with `progress_bar`, also the progress line (stderr is a terminal).
  bool show_progress = false;
  bool progress_bar = false;
  // Where trials run; the local executor when null.
  std::shared_ptr<Executor> executor;
  // Attempts a trial may lose (vanished agent or job) before it is an error.
  int max_lost_attempts = 3;
  // Preemptions a trial may have before it is an error (they are not errors).
  int max_preemptions = 100;
  // Whether the process-wide RequestStop() (signal handlers) stops this engine too.
  bool use_global_stop = true;
};

// Why Run() returned.
enum class BatchEnd {
  kCompleted,
  kAllFailed,
  kFailedFast,
  kNoObjective,
  kStopped,
  kInterrupted,
  kNothingToRun
};

class BatchEngine {
 public:
  BatchEngine(RunStore& store, EngineOptions options);
  ~BatchEngine();

  // Runs a single (non-batch) run; returns its exit status as `salvo run` reports it.
  int RunSingle(const BatchPlan& plan, RunRecord& run);

  // Runs `batch` (already stored) until `target_total` trials exist and have ended, the
  // space is exhausted, or it is stopped. Trials of the batch that are pending when it
  // starts run first. Returns how it ended; the batch record is final then.
  BatchEnd RunBatch(const BatchPlan& plan, RunRecord& batch, int64_t target_total);

  // 1: stop (SIGTERM, `salvo stop`), 2: interrupted (Ctrl-C).
  static void RequestStop(int how);
  static int stop_requested();

  // This engine only, from any thread: stop the batch (1), or one of its trials.
  void Stop(int how) { stop_.store(how); }
  void StopTrial(const std::string& trial_id);

 private:
  struct Running;

  Result<std::vector<RunRecord>> LoadTrials(const std::string& batch_id);
  RunRecord NewTrial(const BatchPlan& plan, const RunRecord& batch, const FlagMap& flags,
                     int64_t index);
  Status Launch(const BatchPlan& plan, const RunRecord& batch, RunRecord& trial);
  void Finish(Running& r, const BatchPlan& plan, RunRecord& batch);
  void StopAll(const std::string& reason);
  // `salvo stop` of a trial or of the batch from another terminal (SIGUSR1).
  void HandleStopRequests(const std::string& batch_id);
  opt::AskRequest History(const BatchPlan& plan, const std::vector<RunRecord>& trials,
                          int count, int* misfits);
  std::optional<double> Objective(const std::string& trial_id, const std::string& tag);
  // With -Fo prev-trials=operation: the completed runs of the batch's operation outside
  // the batch, as observations. Runs lacking a flag of the space, or with a value that
  // does not fit it, are left out and counted in one warning.
  std::vector<opt::Observation> OperationHistory(const BatchPlan& plan,
                                                 const RunRecord& batch);
  void WaitForEvent();
  int StopState() const;
  // Trials the store shows running when a batch starts: re-attached, or run again.
  void AdoptRunning(const BatchPlan& plan, RunRecord& batch);
  // Writes the staged records in one synced write.
  Status Flush();

  RunStore& store_;
  EngineOptions options_;
  std::map<std::string, std::unique_ptr<Running>> running_;
  std::map<std::string, std::optional<double>> objective_cache_;
  std::map<std::string, RunRecord> trials_;  // this batch's trials by id
  std::vector<RunRecord> writes_;            // records to store with the next write
  int consecutive_missing_ = 0;
  int failed_ = 0, completed_ = 0;
  bool fail_fast_triggered_ = false;
  bool start_rejected_ = false;  // the executor refused a start as invalid
  std::string missing_objective_scalars_;
  std::shared_ptr<Progress> progress_;  // RunBatch with show_progress only
  std::shared_ptr<Executor> executor_;
  std::atomic<int> stop_{0};
  std::mutex stop_mu_;
  std::vector<std::string> trial_stops_;  // guarded by stop_mu_
};

}  // namespace salvo
