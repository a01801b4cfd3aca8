#include "slurm/slurm_executor.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <thread>

#include "common/core/ids.h"
#include "slurm/slurm_script.h"
#include "slurm/slurm_states.h"
#include "slurm/trial_exec.h"

namespace salvo {
namespace {

namespace fs = std::filesystem;

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)),
                     std::istreambuf_iterator<char>());
}

Status WriteFile(const std::string& path, const std::string& text, bool executable) {
  std::string tmp = path + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) return Status::IoError("cannot write " + tmp);
  }
  std::error_code ec;
  if (executable) {
    fs::permissions(tmp, fs::perms::owner_exec | fs::perms::group_exec,
                    fs::perm_options::add, ec);
  }
  fs::rename(tmp, path, ec);
  if (ec) return Status::IoError("cannot write " + path + ": " + ec.message());
  return Status::Ok();
}

std::string SelfExecutable() {
  std::error_code ec;
  fs::path self = fs::read_symlink("/proc/self/exe", ec);
  return ec ? std::string("salvo") : self.string();
}

// What the executor knows about its jobs, shared with the handles (which may outlive
// it). One squeue call per poll interval answers for every tracked job.
class JobBoard {
 public:
  JobBoard(SlurmOptions options)
      : options_(std::move(options)),
        cli_(options_.commands, options_.runner, options_.submit_retry) {}

  const SlurmOptions& options() const { return options_; }
  SlurmCli& cli() { return cli_; }
  int64_t NowUs() const { return options_.clock->NowMicros(); }

  void Track(const std::string& job) { jobs_[job]; }
  void Untrack(const std::string& job) { jobs_.erase(job); }

  // Refreshes every tracked job's state when the poll interval has passed (or `force`).
  void Refresh(bool force = false) {
    int64_t now = NowUs();
    int64_t interval_us = options_.poll_interval.count() * 1000;
    if (!force && last_poll_us_ != 0 && now - last_poll_us_ < interval_us) return;
    last_poll_us_ = now;
    if (jobs_.empty()) return;

    std::vector<std::string> ids;
    for (const auto& [id, entry] : jobs_) ids.push_back(id);
    auto listed = cli_.Queue(ids);
    if (!listed.ok()) {
      // Nothing is judged on a failed poll; say so once until squeue answers again.
      if (!queue_failing_)
        spdlog::warn("squeue failed, keeping the last known job states: {}",
                     listed.status().message());
      queue_failing_ = true;
      return;
    }
    if (queue_failing_) spdlog::info("squeue answers again");
    queue_failing_ = false;

    std::map<std::string, SlurmJob> by_id;
    for (SlurmJob& job : *listed) by_id[job.id] = std::move(job);
    for (auto& [id, entry] : jobs_) {
      auto it = by_id.find(id);
      if (it == by_id.end()) {
        entry.missing_polls += 1;
      } else {
        entry.missing_polls = 0;
        entry.job = it->second;
      }
    }
    polls_ += 1;
  }

  // The job as last seen; nullopt once Slurm stopped listing it (two polls in a row,
  // so a job is not lost to one odd answer), and also while it was never seen.
  std::optional<SlurmJob> Job(const std::string& id, bool* gone) const {
    auto it = jobs_.find(id);
    *gone = it != jobs_.end() && it->second.missing_polls >= 2;
    if (it == jobs_.end() || *gone) return std::nullopt;
    return it->second.job;
  }

  uint64_t polls() const { return polls_; }
  int64_t last_poll_us() const { return last_poll_us_; }

  // Trials whose job Slurm requeued: the trial's next Start() continues with that job,
  // as the run with this restart count.
  struct Requeued {
    std::string job;
    int restart = 0;
  };
  std::map<std::string, Requeued> requeued;  // by trial id

 private:
  struct Entry {
    std::optional<SlurmJob> job;
    int missing_polls = 0;
  };
  SlurmOptions options_;
  SlurmCli cli_;
  std::map<std::string, Entry> jobs_;
  int64_t last_poll_us_ = 0;
  uint64_t polls_ = 0;
  bool queue_failing_ = false;
};

class SlurmTrialHandle : public TrialHandle {
 public:
  SlurmTrialHandle(std::shared_ptr<JobBoard> board, std::string run_id,
                   std::string run_dir, std::string job, int restart,
                   TrialProcess::ScalarSink sink)
      : board_(std::move(board)),
        run_id_(std::move(run_id)),
        run_dir_(std::move(run_dir)),
        job_(std::move(job)),
        restart_(restart),
        sink_(std::move(sink)) {
    board_->Track(job_);
  }

  std::optional<AttemptEnd> Poll() override {
    if (end_) return end_;
    board_->Refresh();
    ReadScalars();

    JobView view;
    view.job_id = job_;
    bool gone = false;
    view.job = board_->Job(job_, &gone);
    if (!view.job && !gone) return std::nullopt;  // not yet seen by squeue
    view.attempt_restart = restart_;
    view.cancel_requested = cancel_requested_;
    bool started = false;
    view.wrapper = WrapperEndOfThisRun(&started);
    view.wrapper_started = started;
    view.objective_reported = objective_reported_;
    UpdateHold(view);

    JobVerdict verdict = JudgeJob(view, {board_->options().hold_wait_s});
    if (started || (view.job && view.job->state != "COMPLETING" && !verdict.end))
      seen_this_run_ = true;
    // A requeued job's next run: until Slurm shows it queued or running again, an end
    // state is the previous run's, still listed (e.g. FAILED with the new restart count
    // before the job is PENDING). After 10 s it counts.
    if (verdict.end && !seen_this_run_ && restart_ > 0) {
      int64_t now = board_->NowUs();
      if (continued_at_us_ == 0) continued_at_us_ = now;
      if (now - continued_at_us_ < kContinuationGraceUs) return std::nullopt;
    }
    if (view.job && !view.job->host.empty()) host_ = view.job->host;
    if (verdict.note != note_) {
      if (!verdict.note.empty())
        spdlog::warn("trial {}: Slurm job {} {}", ShortId(run_id_), job_, verdict.note);
      note_ = verdict.note;
    }
    if (!verdict.end) return std::nullopt;

    if (verdict.cancel_job) {
      Status st = board_->cli().Cancel(job_);
      if (!st.ok()) spdlog::warn("cannot cancel Slurm job {}: {}", job_, st.message());
    }
    if (verdict.requeued) {
      board_->requeued[run_id_] = {job_, view.job->restart_count};
    } else {
      board_->Untrack(job_);
    }
    ReadScalars();
    end_ = verdict.end;
    spdlog::info("trial {}: Slurm job {} ended: {}{}", ShortId(run_id_), job_,
                 KindName(end_->kind),
                 end_->reason.empty() ? "" : " (" + end_->reason + ")");
    return end_;
  }

  void Signal(int sig) override {
    if (end_) return;
    if (sig == SIGTERM || sig == SIGINT || sig == SIGKILL) {
      if (cancel_requested_) return;
      cancel_requested_ = true;
      Status st = board_->cli().Cancel(job_);
      if (!st.ok()) spdlog::warn("cannot cancel Slurm job {}: {}", job_, st.message());
      return;
    }
    // Other signals reach the trial through the wrapper, without ending the job.
    Status st = board_->cli().Cancel(job_, SignalName(sig), true);
    if (!st.ok()) spdlog::warn("cannot signal Slurm job {}: {}", job_, st.message());
  }

  std::vector<ScalarPoint> Scalars() const override {
    const_cast<SlurmTrialHandle*>(this)->ReadScalars();
    return scalars_;
  }
  std::string host() const override { return host_; }
  std::string external_id() const override { return job_; }

  std::string note() const override { return note_; }

 private:
  static const char* KindName(AttemptEnd::Kind kind) {
    switch (kind) {
      case AttemptEnd::Kind::kExited:
        return "exited";
      case AttemptEnd::Kind::kCancelled:
        return "cancelled";
      case AttemptEnd::Kind::kUserCancelled:
        return "cancelled by the user";
      case AttemptEnd::Kind::kLost:
        return "lost";
      case AttemptEnd::Kind::kPreempted:
        return "preempted";
      case AttemptEnd::Kind::kTimeout:
        return "timeout";
      case AttemptEnd::Kind::kFailed:
        return "failed";
    }
    return "?";
  }

  static std::string SignalName(int sig) {
    switch (sig) {
      case SIGUSR1:
        return "USR1";
      case SIGUSR2:
        return "USR2";
      case SIGHUP:
        return "HUP";
      case SIGQUIT:
        return "QUIT";
      default:
        return std::to_string(sig);
    }
  }

  // This attempt's scalars: the lines of its job and restart count.
  void ReadScalars() {
    for (JobScalar& s :
         ReadScalarLines(run_dir_ + "/" + kScalarsFile, &scalars_offset_)) {
      if (s.job != job_ || s.restart != restart_) continue;
      if (s.point.tag == board_->options().objective) objective_reported_ = true;
      if (sink_) sink_(run_id_, s.point);
      scalars_.push_back(std::move(s.point));
    }
  }

  // The wrapper's end record of this run, if written; `*started` when its start was.
  std::optional<WrapperEnd> WrapperEndOfThisRun(bool* started) const {
    std::optional<WrapperEnd> end;
    for (const JobEvent& e : ParseJobEvents(ReadFile(run_dir_ + "/" + kJobEventsFile))) {
      if (e.job != job_ || e.restart != restart_) continue;
      if (e.event == "start") *started = true;
      if (e.event == "end") end = WrapperEnd{e.exit_code, e.signals};
    }
    return end;
  }

  void UpdateHold(JobView& view) {
    bool held = view.job && IsHoldReason(view.job->state, view.job->reason);
    if (!held) {
      held_since_us_ = 0;
      return;
    }
    int64_t now = board_->NowUs();
    if (held_since_us_ == 0) held_since_us_ = now;
    view.held_for_s = (now - held_since_us_) / 1000000;
  }

  std::shared_ptr<JobBoard> board_;
  std::string run_id_, run_dir_, job_;
  int restart_ = 0;
  TrialProcess::ScalarSink sink_;
  std::vector<ScalarPoint> scalars_;
  int64_t scalars_offset_ = 0;
  bool objective_reported_ = false;
  bool cancel_requested_ = false;
  static constexpr int64_t kContinuationGraceUs = 10'000'000;
  int64_t held_since_us_ = 0;
  bool seen_this_run_ = false;   // the job was seen queued or running for restart_
  int64_t continued_at_us_ = 0;  // when an end was first seen before that
  std::string note_, host_;
  std::optional<AttemptEnd> end_;
};

class SlurmExecutor : public Executor {
 public:
  explicit SlurmExecutor(SlurmOptions options)
      : board_(std::make_shared<JobBoard>(std::move(options))) {}

  ~SlurmExecutor() override {
    // A requeued job that no attempt took up would run unwatched.
    for (const auto& [trial, r] : board_->requeued) {
      spdlog::info("trial {}: cancelling requeued Slurm job {}", ShortId(trial), r.job);
      (void)board_->cli().Cancel(r.job);
    }
  }

  std::string name() const override { return "slurm"; }

  int FreeSlots(int running, int parallel) override {
    int limit = parallel;
    int max_jobs = board_->options().max_jobs;
    if (max_jobs > 0) limit = std::min(limit, max_jobs);
    return std::max(0, limit - running);
  }

  Result<std::unique_ptr<TrialHandle>> Start(const TrialLaunch& launch,
                                             const RunRecord& trial,
                                             TrialProcess::ScalarSink sink) override {
    std::string run_dir = launch.cwd.empty() ? trial.run_dir : launch.cwd;
    if (auto it = board_->requeued.find(trial.id); it != board_->requeued.end()) {
      auto [job, restart] = it->second;
      board_->requeued.erase(it);
      spdlog::info("trial {} attempt {}: continues as restart {} of Slurm job {}",
                   ShortId(trial.id), trial.attempt, restart, job);
      return std::unique_ptr<TrialHandle>(std::make_unique<SlurmTrialHandle>(
          board_, trial.id, run_dir, job, restart, std::move(sink)));
    }

    const SlurmOptions& o = board_->options();
    std::error_code ec;
    fs::create_directories(run_dir, ec);
    if (ec) return Status::IoError("cannot create " + run_dir + ": " + ec.message());
    std::string spec_path = run_dir + "/" + kTrialSpecFile;
    SALVO_RETURN_IF_ERROR(WriteTrialSpec(spec_path, launch));

    TrialScriptSpec script;
    script.job_name = TrialJobName(trial.batch_id, trial.id, trial.trial_index);
    script.run_dir = run_dir;
    script.salvo_path = o.salvo_path;
    script.spec_path = spec_path;
    script.signal = o.signal;
    script.sbatch_args = o.sbatch_args;
    std::string script_path = run_dir + "/" + kJobScriptFile;
    SALVO_RETURN_IF_ERROR(WriteFile(script_path, TrialJobScript(script), true));

    auto job = board_->cli().Submit(script_path, {});
    if (!job.ok()) {
      spdlog::error("trial {}: sbatch failed: {}", ShortId(trial.id),
                    job.status().message());
      return job.status();
    }
    spdlog::info("trial {} attempt {}: submitted as Slurm job {} ({})", ShortId(trial.id),
                 trial.attempt, *job, script.job_name);
    return std::unique_ptr<TrialHandle>(std::make_unique<SlurmTrialHandle>(
        board_, trial.id, run_dir, *job, 0, std::move(sink)));
  }

  std::unique_ptr<TrialHandle> Adopt(const RunRecord& trial,
                                     TrialProcess::ScalarSink sink) override {
    if (trial.external_id.empty()) return nullptr;
    auto jobs = board_->cli().ShowJob(trial.external_id);
    if (!jobs.ok() || jobs->empty()) {
      spdlog::info("trial {}: Slurm job {} cannot be adopted: {}", ShortId(trial.id),
                   trial.external_id, jobs.ok() ? "not listed" : jobs.status().message());
      return nullptr;
    }
    const SlurmJob& job = jobs->front();
    spdlog::info("trial {}: adopted Slurm job {} ({}, restart {})", ShortId(trial.id),
                 trial.external_id, job.state, job.restart_count);
    return std::make_unique<SlurmTrialHandle>(board_, trial.id, trial.run_dir,
                                              trial.external_id, job.restart_count,
                                              std::move(sink));
  }

  void Wait(std::chrono::milliseconds timeout) override {
    int64_t next_us =
        board_->last_poll_us() + board_->options().poll_interval.count() * 1000;
    int64_t until_poll_ms = std::max<int64_t>(10, (next_us - board_->NowUs()) / 1000);
    std::this_thread::sleep_for(
        std::chrono::milliseconds(std::min<int64_t>(timeout.count(), until_poll_ms)));
  }

 private:
  std::shared_ptr<JobBoard> board_;
};

}  // namespace

std::unique_ptr<Executor> MakeSlurmExecutor(SlurmOptions options) {
  if (!options.runner) options.runner = SystemCommandRunner(options.command_timeout);
  if (!options.clock) options.clock = &SystemClock();
  if (options.salvo_path.empty()) options.salvo_path = SelfExecutable();
  return std::make_unique<SlurmExecutor>(std::move(options));
}

}  // namespace salvo
