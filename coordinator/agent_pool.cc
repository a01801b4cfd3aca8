#include "coordinator/agent_pool.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "common/core/clock.h"
#include "common/core/ids.h"
#include "common/protocol/snapshot.h"

namespace salvo {
namespace fs = std::filesystem;

struct AgentPool::Agent {
  std::string id;
  std::string name;
  std::string host;
  int slots = 1;
  int64_t last_seen_us = 0;
  bool paused = false;
  bool leaving = false;    // said Goodbye: its trials may end, it gets no new ones
  bool preempted = false;  // had a preemption warning: what it leaves was preempted
  int fast_failures = 0;   // in a row
  int64_t joined_us = 0;
  int completed = 0, failed = 0;
};

struct AgentPool::Attempt {
  enum class State { kQueued, kDispatched, kRunning, kEnded };
  proto::Dispatch dispatch;
  std::string source_dir;
  State state = State::kQueued;
  std::string agent_id;
  std::string agent_name;
  std::string host;
  std::string remote_dir;   // the run folder on the agent, from its started report
  int64_t deadline_us = 0;  // adopted: lost unless its agent says hello before this
  bool cancel_sent = false;
  bool cancel_wanted = false;
  std::vector<ScalarPoint> scalars;
  int64_t output_size = 0;
  std::optional<AttemptEnd> end;
  TrialProcess::ScalarSink sink;
};

namespace {

int64_t NowUs() { return SystemClock().NowMicros(); }

std::string Short(const proto::AttemptId& id) {
  return ShortId(id.run_id) + "#" + std::to_string(id.attempt);
}

}  // namespace

AgentPool::AgentPool(PoolOptions options, std::string coordinator_id,
                     std::string runs_dir)
    : options_(options),
      coordinator_id_(std::move(coordinator_id)),
      runs_dir_(std::move(runs_dir)) {
  wake_fd_ = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
}

AgentPool::~AgentPool() {
  if (wake_fd_ >= 0) close(wake_fd_);
}

void AgentPool::Wake() {
  uint64_t one = 1;
  if (wake_fd_ >= 0) (void)!write(wake_fd_, &one, sizeof one);
}

void AgentPool::Send(const std::string& identity, const proto::Message& m) {
  outbound_.push_back({identity, proto::Encode(m)});
}

void AgentPool::Post(const std::string& identity, std::string bytes) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    outbound_.push_back({identity, std::move(bytes)});
  }
  Wake();
}

std::vector<Outbound> AgentPool::TakeOutbound() {
  uint64_t drained;
  if (wake_fd_ >= 0) (void)!read(wake_fd_, &drained, sizeof drained);
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Outbound> out;
  out.swap(outbound_);
  return out;
}

int AgentPool::Assigned(const std::string& agent_id) const {
  int n = 0;
  for (const auto& [id, a] : attempts_)
    n += a->agent_id == agent_id && a->state != Attempt::State::kEnded &&
         a->state != Attempt::State::kQueued;
  return n;
}

void AgentPool::OnMessage(const std::string& identity, const proto::Message& m,
                          int64_t now_us) {
  if (const auto* h = std::get_if<proto::Hello>(&m)) return OnHello(identity, *h, now_us);
  if (const auto* r = std::get_if<proto::Report>(&m))
    return OnReport(identity, *r, now_us);
  if (const auto* s = std::get_if<proto::SnapshotRequest>(&m))
    return OnSnapshotRequest(identity, *s);
  if (const auto* g = std::get_if<proto::Goodbye>(&m)) return OnGoodbye(identity, *g);
  if (std::holds_alternative<proto::Heartbeat>(m)) {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = agents_.find(identity);
    if (it != agents_.end()) it->second->last_seen_us = now_us;
    return;
  }
  spdlog::warn("dropped a {} message from {}: not expected from a peer",
               proto::TypeName(m), identity);
}

void AgentPool::OnHello(const std::string& identity, const proto::Hello& h,
                        int64_t now_us) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& agent = agents_[identity];
  bool fresh = !agent;
  if (fresh) agent = std::make_unique<Agent>();
  agent->id = identity;
  agent->name = h.name.empty() ? identity : h.name;
  // Two agents of one name (the host's, by default) are told apart by their ids.
  for (const auto& [other_id, other] : agents_) {
    if (other_id != identity && other && other->name == agent->name) {
      agent->name = identity;
      break;
    }
  }
  agent->host = h.host;
  int slots = std::max(1, h.slots);
  if (!h.gpus.empty() && h.gpus_per_trial > 0)
    slots = std::min<int>(slots, static_cast<int>(h.gpus.size()) / h.gpus_per_trial);
  agent->slots = std::max(0, slots);
  agent->last_seen_us = now_us;
  if (fresh) agent->joined_us = now_us;

  proto::Welcome w;
  w.coordinator_id = coordinator_id_;
  w.heartbeat_ms = options_.heartbeat_ms;
  w.timeout_ms = options_.timeout_ms;
  int adopted = 0;
  for (const auto& id : h.active) {
    auto it = attempts_.find(id);
    bool wanted = it != attempts_.end() && it->second->state != Attempt::State::kEnded &&
                  (it->second->agent_id.empty() || it->second->agent_id == identity);
    if (!wanted) {
      w.abandon.push_back(id);
      continue;
    }
    Attempt& a = *it->second;
    if (a.state == Attempt::State::kQueued)
      queue_.erase(std::remove(queue_.begin(), queue_.end(), it->second), queue_.end());
    a.state = Attempt::State::kRunning;
    a.agent_id = identity;
    a.agent_name = agent->name;
    a.host = h.host;
    a.deadline_us = 0;
    ++adopted;
    if (a.cancel_wanted && !a.cancel_sent) {
      Send(identity, proto::Cancel{a.dispatch.id, "stopped"});
      a.cancel_sent = true;
    }
  }
  Send(identity, w);
  if (fresh) {
    spdlog::info(
        "Agent {} joined from {} with {} slot(s){}{}", agent->name, h.host, agent->slots,
        h.gpus.empty() ? "" : ", " + std::to_string(h.gpus.size()) + " GPU(s)",
        adopted ? ", running " + std::to_string(adopted) + " known trial(s)" : "");
  } else {
    spdlog::info("Agent {} reconnected ({} trial(s) still running)", agent->name,
                 adopted);
  }
  for (const auto& id : w.abandon)
    spdlog::info("Agent {} told to stop trial {}: no longer wanted", agent->name,
                 Short(id));
  if (agent->paused) Send(identity, proto::Pause{"paused after repeated fast failures"});
  changed_.notify_all();
  Wake();
}

void AgentPool::OnGoodbye(const std::string& identity, const proto::Goodbye& g) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = agents_.find(identity);
  if (it == agents_.end()) return;
  Agent& agent = *it->second;
  if (g.preempted) agent.preempted = true;
  if (!g.done) {
    if (!agent.leaving)
      spdlog::info("Agent {} is stopping ({}); it gets no more work", agent.name,
                   g.reason.empty() ? "no reason given" : g.reason);
    agent.leaving = true;
    changed_.notify_all();
    return;
  }
  // It said it is gone, so what it had not started never will be.
  int lost = LoseAttemptsOf(agent, "agent " + agent.name + " stopped", true);
  spdlog::info("Agent {} left ({}){}", agent.name,
               g.reason.empty() ? "no reason given" : g.reason,
               lost ? "; " + std::to_string(lost) + " trial(s) lost" : "");
  agents_.erase(it);
  changed_.notify_all();
}

int AgentPool::LoseAttemptsOf(const Agent& agent, const std::string& reason,
                              bool requeue_unstarted) {
  int lost = 0;
  for (auto& [id, a] : attempts_) {
    if (a->agent_id != agent.id || a->state == Attempt::State::kEnded) continue;
    if (requeue_unstarted && a->state == Attempt::State::kDispatched &&
        !a->cancel_wanted) {
      // Never started there: it goes to another agent as the same attempt.
      Requeue(*a);
      continue;
    }
    AttemptEnd end;
    end.kind = agent.preempted ? AttemptEnd::Kind::kPreempted : AttemptEnd::Kind::kLost;
    end.reason = agent.preempted ? "agent " + agent.name + " was preempted" : reason;
    EndAttempt(*a, end);
    ++lost;
  }
  return lost;
}

void AgentPool::Requeue(Attempt& a) {
  a.state = Attempt::State::kQueued;
  a.agent_id.clear();
  a.agent_name.clear();
  a.host.clear();
  auto self = attempts_.find(a.dispatch.id);
  if (self != attempts_.end()) queue_.insert(queue_.begin(), self->second);
}

void AgentPool::OnReport(const std::string& identity, const proto::Report& r,
                         int64_t now_us) {
  std::lock_guard<std::mutex> lock(mu_);
  // The ack goes out when the report has been applied (its scalars handed to the store):
  // acked first, a coordinator killed in between lost them, and the agent, told they had
  // arrived, never sent them again.
  struct AckWhenDone {
    AgentPool* pool;
    const std::string& identity;
    uint64_t seq;
    ~AckWhenDone() { pool->Send(identity, proto::Ack{{seq}}); }
  } ack{this, identity, r.seq};
  Wake();
  auto agent_it = agents_.find(identity);
  if (agent_it != agents_.end()) agent_it->second->last_seen_us = now_us;
  auto it = attempts_.find(r.id);
  if (it == attempts_.end() || it->second->state == Attempt::State::kEnded ||
      (!it->second->agent_id.empty() && it->second->agent_id != identity)) {
    if (r.kind == proto::ReportKind::kExited ||
        r.kind == proto::ReportKind::kFailedToStart)
      spdlog::info(
          "Discarded the late result of trial {} from {}: that attempt was "
          "already given up",
          Short(r.id), identity);
    return;
  }
  Attempt& a = *it->second;
  if (a.state != Attempt::State::kRunning) {
    a.state = Attempt::State::kRunning;
    a.agent_id = identity;
  }
  if (!r.run_dir.empty()) a.remote_dir = r.run_dir;
  if (r.kind == proto::ReportKind::kStarted && !r.run_dir.empty()) {
    spdlog::info("Trial {} started on agent {} in {}", Short(r.id),
                 agent_it != agents_.end() ? agent_it->second->name : identity,
                 r.run_dir);
  }
  // Scalars by index, output by offset: a report sent twice changes nothing.
  for (size_t i = 0; i < r.scalars.size(); ++i) {
    int64_t index = r.scalar_index + static_cast<int64_t>(i);
    if (index != static_cast<int64_t>(a.scalars.size())) continue;
    a.scalars.push_back(r.scalars[i]);
    if (a.sink) a.sink(a.dispatch.id.run_id, r.scalars[i]);
  }
  if (!r.output.empty() &&
      r.output_offset + static_cast<int64_t>(r.output.size()) > a.output_size) {
    std::string dir = runs_dir_ + "/" + a.dispatch.id.run_id;
    std::error_code ec;
    fs::create_directories(dir, ec);
    int fd = open((dir + "/output").c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
    if (fd >= 0) {
      if (pwrite(fd, r.output.data(), r.output.size(), r.output_offset) > 0)
        a.output_size = r.output_offset + static_cast<int64_t>(r.output.size());
      close(fd);
    }
  }
  Agent* agent = agent_it != agents_.end() ? agent_it->second.get() : nullptr;
  if (r.refused && r.kind == proto::ReportKind::kFailedToStart && !a.cancel_wanted) {
    spdlog::info("Trial {} refused by agent {} ({}); giving it to another agent",
                 Short(r.id), agent ? agent->name : identity, r.error);
    Requeue(a);
    Dispatch(now_us);
    return;
  }
  if (r.refused && r.kind == proto::ReportKind::kExited && !r.cancelled) {
    AttemptEnd end;
    const bool preempted = r.preempted || (agent && agent->preempted);
    end.kind = preempted ? AttemptEnd::Kind::kPreempted : AttemptEnd::Kind::kLost;
    end.reason = "agent " + (agent ? agent->name : identity) +
                 (preempted ? " was preempted" : " was stopped");
    EndAttempt(a, end);
    return;
  }
  if (r.kind == proto::ReportKind::kExited ||
      r.kind == proto::ReportKind::kFailedToStart) {
    AttemptEnd end;
    if (r.kind == proto::ReportKind::kFailedToStart) {
      end.kind = AttemptEnd::Kind::kFailed;
      end.exit_code = 127;
      end.reason =
          "could not start on agent " + (agent ? agent->name : identity) + ": " + r.error;
    } else {
      end.kind = r.cancelled ? AttemptEnd::Kind::kCancelled : AttemptEnd::Kind::kExited;
      end.exit_code = r.exit_code;
      end.signal = r.signal;
      end.preempt_warned = r.preempted;
      if (r.preempted)
        end.reason = "agent " + (agent ? agent->name : identity) + " was preempted";
    }
    // A trial ended by its agent's preemption says nothing about the agent's health.
    bool failed = !r.cancelled && !r.preempted &&
                  (r.kind == proto::ReportKind::kFailedToStart || r.exit_code != 0);
    if (agent) {
      (failed ? agent->failed : agent->completed) += 1;
      if (failed && (r.kind == proto::ReportKind::kFailedToStart ||
                     r.duration_ms < options_.fast_failure_ms)) {
        agent->fast_failures += 1;
        if (!agent->paused && options_.fast_failure_limit > 0 &&
            agent->fast_failures >= options_.fast_failure_limit) {
          agent->paused = true;
          spdlog::error(
              "Agent {} paused: {} trials in a row failed within {} ms; it gets "
              "no more work",
              agent->name, agent->fast_failures, options_.fast_failure_ms);
          Send(identity,
               proto::Pause{"paused after " + std::to_string(agent->fast_failures) +
                            " consecutive fast failures"});
        }
      } else if (!failed) {
        agent->fast_failures = 0;
      }
    }
    EndAttempt(a, end);
  }
}

void AgentPool::OnSnapshotRequest(const std::string& identity,
                                  const proto::SnapshotRequest& r) {
  std::lock_guard<std::mutex> lock(mu_);
  proto::Snapshot reply;
  reply.hash = r.hash;
  auto it = snapshots_.find(r.hash);
  if (it == snapshots_.end()) {
    reply.error = "no snapshot " + r.hash;
  } else {
    reply.files = *it->second;
  }
  Send(identity, reply);
  Wake();
}

void AgentPool::EndAttempt(Attempt& a, AttemptEnd end) {
  if (a.state == Attempt::State::kEnded) return;
  a.state = Attempt::State::kEnded;
  a.end = std::move(end);
  changed_.notify_all();
}

void AgentPool::Dispatch(int64_t now_us) {
  while (!queue_.empty()) {
    Agent* best = nullptr;
    int best_free = 0;
    for (auto& [id, agent] : agents_) {
      if (agent->paused || agent->leaving) continue;
      int free = agent->slots - Assigned(id);
      if (free > best_free) {
        best = agent.get();
        best_free = free;
      }
    }
    if (!best) return;
    auto a = queue_.front();
    queue_.erase(queue_.begin());
    if (a->state != Attempt::State::kQueued) continue;
    a->state = Attempt::State::kDispatched;
    a->agent_id = best->id;
    a->agent_name = best->name;
    a->host = best->host;
    a->deadline_us = 0;
    spdlog::info("Trial {} dispatched to agent {}", Short(a->dispatch.id), best->name);
    Send(best->id, a->dispatch);
  }
}

void AgentPool::Tick(int64_t now_us) {
  std::lock_guard<std::mutex> lock(mu_);
  // Agents silent past the timeout are gone, with their attempts.
  for (auto it = agents_.begin(); it != agents_.end();) {
    Agent& agent = *it->second;
    if (now_us - agent.last_seen_us <= options_.timeout_ms * 1000) {
      ++it;
      continue;
    }
    // It may have started what it was sent: those become new attempts.
    int lost = LoseAttemptsOf(agent, "agent " + agent.name + " stopped answering", false);
    spdlog::warn("Agent {} left: silent for {} ms{}", agent.name,
                 (now_us - agent.last_seen_us) / 1000,
                 lost ? "; " + std::to_string(lost) + " trial(s) lost" : "");
    it = agents_.erase(it);
    changed_.notify_all();
  }
  // Adopted attempts whose agent never came back.
  for (auto& [id, a] : attempts_) {
    if (a->state != Attempt::State::kDispatched || a->deadline_us == 0 ||
        now_us < a->deadline_us)
      continue;
    AttemptEnd end;
    end.kind = AttemptEnd::Kind::kLost;
    end.reason = "agent " + (a->agent_name.empty() ? a->agent_id : a->agent_name) +
                 " did not come back after the coordinator restarted";
    EndAttempt(*a, end);
  }
  // Ended attempts are forgotten once their batch has seen the end; keep the map small.
  for (auto it = attempts_.begin(); it != attempts_.end();) {
    if (it->second->state == Attempt::State::kEnded && it->second.use_count() == 1)
      it = attempts_.erase(it);
    else
      ++it;
  }
  Dispatch(now_us);
  if (now_us - last_heartbeat_us_ >= options_.heartbeat_ms * 1000) {
    last_heartbeat_us_ = now_us;
    for (const auto& [id, agent] : agents_) Send(id, proto::Heartbeat{now_us, 0});
  }
}

std::shared_ptr<AgentPool::Attempt> AgentPool::Submit(proto::Dispatch dispatch,
                                                      const std::string& source_dir,
                                                      TrialProcess::ScalarSink sink) {
  // The agent waits this long between SIGTERM and SIGKILL when the attempt is cancelled.
  dispatch.stop_grace_ms = options_.stop_grace_ms;
  // The snapshot is read and hashed once per source folder, outside the lock.
  std::string hash;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (auto it = snapshot_of_dir_.find(source_dir); it != snapshot_of_dir_.end())
      hash = it->second;
  }
  if (hash.empty() && !source_dir.empty()) {
    auto files = proto::ReadSnapshotDir(source_dir);
    if (files.ok()) {
      hash = proto::HashSnapshot(*files);
      std::lock_guard<std::mutex> lock(mu_);
      snapshots_[hash] =
          std::make_shared<const std::vector<proto::SnapshotFile>>(std::move(*files));
      snapshot_of_dir_[source_dir] = hash;
    } else {
      spdlog::warn("cannot read the source snapshot {}: {}", source_dir,
                   files.status().message());
    }
  }
  dispatch.snapshot_hash = hash;
  auto a = std::make_shared<Attempt>();
  a->dispatch = std::move(dispatch);
  a->source_dir = source_dir;
  a->sink = std::move(sink);
  {
    std::lock_guard<std::mutex> lock(mu_);
    attempts_[a->dispatch.id] = a;
    queue_.push_back(a);
    Dispatch(NowUs());
  }
  Wake();
  return a;
}

std::shared_ptr<AgentPool::Attempt> AgentPool::Adopt(const RunRecord& trial,
                                                     TrialProcess::ScalarSink sink) {
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = attempts_.find({trial.id, trial.attempt}); it != attempts_.end()) {
    if (sink) it->second->sink = std::move(sink);
    return it->second;
  }
  auto a = std::make_shared<Attempt>();
  a->dispatch.id = {trial.id, trial.attempt};
  a->dispatch.batch_id = trial.batch_id;
  a->state = Attempt::State::kDispatched;
  a->agent_id = "";  // whichever agent says it runs it
  a->agent_name = trial.external_id;
  a->host = trial.host;
  a->deadline_us = NowUs() + (options_.timeout_ms + 2 * options_.heartbeat_ms) * 1000;
  a->sink = std::move(sink);
  attempts_[a->dispatch.id] = a;
  return a;
}

void AgentPool::Cancel(const std::shared_ptr<Attempt>& a) {
  std::lock_guard<std::mutex> lock(mu_);
  a->cancel_wanted = true;
  if (a->state == Attempt::State::kQueued) {
    queue_.erase(std::remove(queue_.begin(), queue_.end(), a), queue_.end());
    AttemptEnd end;
    end.kind = AttemptEnd::Kind::kCancelled;
    EndAttempt(*a, end);
    return;
  }
  if (a->state == Attempt::State::kEnded || a->agent_id.empty()) return;
  // Sent again on each call: the agent ignores a Cancel of an attempt already ending.
  Send(a->agent_id, proto::Cancel{a->dispatch.id, "stopped"});
  a->cancel_sent = true;
  Wake();
}

int AgentPool::FreeCapacity() {
  std::lock_guard<std::mutex> lock(mu_);
  int free = 0;
  for (const auto& [id, agent] : agents_)
    if (!agent->paused && !agent->leaving)
      free += std::max(0, agent->slots - Assigned(id));
  return free - static_cast<int>(queue_.size());
}

void AgentPool::WaitForChange(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  changed_.wait_for(lock, timeout);
}

std::optional<AttemptEnd> AgentPool::EndOf(const Attempt& a) {
  std::lock_guard<std::mutex> lock(mu_);
  return a.end;
}

std::vector<ScalarPoint> AgentPool::ScalarsOf(const Attempt& a) {
  std::lock_guard<std::mutex> lock(mu_);
  return a.scalars;
}

std::string AgentPool::HostOf(const Attempt& a) {
  std::lock_guard<std::mutex> lock(mu_);
  return a.host;
}

std::string AgentPool::RemoteDirOf(const Attempt& a) {
  std::lock_guard<std::mutex> lock(mu_);
  return a.remote_dir;
}

std::string AgentPool::AgentOf(const Attempt& a) {
  std::lock_guard<std::mutex> lock(mu_);
  return a.agent_name;
}

std::string AgentPool::AgentsJson() {
  std::lock_guard<std::mutex> lock(mu_);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& [id, agent] : agents_) {
    out.push_back({{"id", id},
                   {"name", agent->name},
                   {"host", agent->host},
                   {"slots", agent->slots},
                   {"running", Assigned(id)},
                   {"paused", agent->paused},
                   {"leaving", agent->leaving},
                   {"preempted", agent->preempted},
                   {"fast_failures", agent->fast_failures},
                   {"completed", agent->completed},
                   {"failed", agent->failed}});
  }
  return out.dump();
}

// ---------------------------------------------------------------------------------------

namespace {

// Replaces every occurrence of `from` in `s` by `to`.
void ReplaceAll(std::string& s, const std::string& from, const std::string& to) {
  if (from.empty()) return;
  for (size_t pos = s.find(from); pos != std::string::npos;
       pos = s.find(from, pos + to.size()))
    s.replace(pos, from.size(), to);
}

class AgentHandle : public TrialHandle {
 public:
  AgentHandle(std::shared_ptr<AgentPool> pool, std::shared_ptr<AgentPool::Attempt> a)
      : pool_(std::move(pool)), attempt_(std::move(a)) {}
  std::optional<AttemptEnd> Poll() override { return pool_->EndOf(*attempt_); }
  void Signal(int sig) override {
    if (sig == SIGTERM || sig == SIGKILL || sig == SIGINT) pool_->Cancel(attempt_);
  }
  std::vector<ScalarPoint> Scalars() const override {
    return pool_->ScalarsOf(*attempt_);
  }
  std::string host() const override { return pool_->HostOf(*attempt_); }
  std::string external_id() const override { return pool_->AgentOf(*attempt_); }
  std::string remote_dir() const override { return pool_->RemoteDirOf(*attempt_); }

 private:
  std::shared_ptr<AgentPool> pool_;
  std::shared_ptr<AgentPool::Attempt> attempt_;
};

class AgentExecutor : public Executor {
 public:
  AgentExecutor(std::shared_ptr<AgentPool> pool, std::string launcher, std::string home)
      : pool_(std::move(pool)), launcher_(std::move(launcher)), home_(std::move(home)) {}

  std::string name() const override { return "agents"; }
  int FreeSlots(int running, int parallel) override {
    return std::max(0, std::min(parallel - running, pool_->FreeCapacity()));
  }
  bool WaitsForCapacity() const override { return true; }

  Result<std::unique_ptr<TrialHandle>> Start(const TrialLaunch& launch,
                                             const RunRecord& trial,
                                             TrialProcess::ScalarSink sink) override {
    proto::Dispatch d;
    d.id = {trial.id, trial.attempt};
    d.batch_id = trial.batch_id;
    std::string source;
    if (auto it = launch.env.find("SALVO_SOURCE_DIR"); it != launch.env.end())
      source = it->second;
    // Paths of this machine become the agent's own.
    auto localize = [&](std::string s) {
      ReplaceAll(s, launcher_, "{{launcher}}");
      ReplaceAll(s, launch.cwd, "{{run_dir}}");
      ReplaceAll(s, source, "{{source}}");
      return s;
    };
    for (const auto& arg : launch.argv) d.argv.push_back(localize(arg));
    for (const auto& [k, v] : launch.env) {
      if (k == "SALVO_HOME") continue;  // the agent's own
      d.env[k] = localize(v);
    }
    d.flag_names.assign(launch.flag_names.begin(), launch.flag_names.end());
    d.scalar_patterns = launch.scalar_patterns;
    auto a = pool_->Submit(std::move(d), source, std::move(sink));
    return std::unique_ptr<TrialHandle>(new AgentHandle(pool_, std::move(a)));
  }

  std::unique_ptr<TrialHandle> Adopt(const RunRecord& trial,
                                     TrialProcess::ScalarSink sink) override {
    if (trial.executor != "agents") return nullptr;
    return std::unique_ptr<TrialHandle>(
        new AgentHandle(pool_, pool_->Adopt(trial, std::move(sink))));
  }

  void Wait(std::chrono::milliseconds timeout) override { pool_->WaitForChange(timeout); }

 private:
  std::shared_ptr<AgentPool> pool_;
  std::string launcher_;
  std::string home_;
};

}  // namespace

std::unique_ptr<Executor> MakeAgentExecutor(std::shared_ptr<AgentPool> pool,
                                            std::string launcher_path,
                                            std::string home_dir) {
  return std::make_unique<AgentExecutor>(std::move(pool), std::move(launcher_path),
                                         std::move(home_dir));
}

}  // namespace salvo
