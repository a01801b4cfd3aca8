#pragma once
// AgentPool: the coordinator's view of its agents and of every attempt it dispatched to
// them. The server thread feeds it what agents send (Hello, Heartbeat, Report,
// SnapshotRequest) and calls Tick(); batch threads submit and cancel attempts through an
// AgentExecutor. Messages for agents are queued and sent by the server thread, which
// alone owns the ZeroMQ socket; wake_fd() becomes readable when something is queued.
//
// Rules it keeps:
// - An attempt is dispatched to one agent with a free slot (the one with most free);
//   an agent silent past the timeout loses its attempts (AttemptEnd::kLost), and the
//   engine makes new attempts.
// - A report is acknowledged always and applied once: scalars and output by index and
//   offset, an end only for the attempt's current dispatch; a late report of a lost
//   attempt is discarded and logged.
// - An agent whose trials fail within `fast_failure_ms` this many times in a row is
//   paused (sent Pause, given no more work) and reported.
// - After a coordinator restart, attempts the store shows running are adopted: the
//   agent that runs them says so in its Hello, or they are lost after the timeout.
// - An agent that says Goodbye gets no more work; a dispatch it hands back unstarted
//   (a refused FailedToStart) goes to another agent as the same attempt, a trial that
//   ended because the agent was stopped is lost, and when it is gone (done) whatever it
//   still ran is lost at once rather than after the timeout.

#include <condition_variable>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "common/protocol/messages.h"
#include "coordinator/executor.h"

namespace salvo {

struct PoolOptions {
  int64_t heartbeat_ms = 1000;
  int64_t timeout_ms = 5000;
  int fast_failure_limit = 5;       // consecutive fast failures that pause an agent
  int64_t fast_failure_ms = 10000;  // a failure faster than this is "fast"
  int64_t stop_grace_ms = 10000;
};

struct Outbound {
  std::string identity;
  std::string bytes;
};

class AgentPool {
 public:
  struct Attempt;
  struct Agent;

  AgentPool(PoolOptions options, std::string coordinator_id, std::string runs_dir);
  ~AgentPool();

  // Server thread.
  void OnMessage(const std::string& identity, const proto::Message& m, int64_t now_us);
  void Tick(int64_t now_us);
  std::vector<Outbound> TakeOutbound();
  // Any thread: queue a message for the server thread to send.
  void Post(const std::string& identity, std::string bytes);
  int wake_fd() const { return wake_fd_; }

  // Batch threads.
  std::shared_ptr<Attempt> Submit(proto::Dispatch dispatch, const std::string& source_dir,
                                  TrialProcess::ScalarSink sink);
  std::shared_ptr<Attempt> Adopt(const RunRecord& trial, TrialProcess::ScalarSink sink);
  void Cancel(const std::shared_ptr<Attempt>& a);
  // Free slots on live, unpaused agents, less the attempts waiting for one.
  int FreeCapacity();
  void WaitForChange(std::chrono::milliseconds timeout);
  std::optional<AttemptEnd> EndOf(const Attempt& a);
  std::vector<ScalarPoint> ScalarsOf(const Attempt& a);
  std::string HostOf(const Attempt& a);
  std::string AgentOf(const Attempt& a);
  std::string RemoteDirOf(const Attempt& a);

  // For clients: the agents as JSON text (an array of objects).
  std::string AgentsJson();

 private:
  void Send(const std::string& identity, const proto::Message& m);  // mu_ held
  void OnHello(const std::string& identity, const proto::Hello& h, int64_t now_us);
  void OnReport(const std::string& identity, const proto::Report& r, int64_t now_us);
  void OnSnapshotRequest(const std::string& identity, const proto::SnapshotRequest& r);
  void OnGoodbye(const std::string& identity, const proto::Goodbye& g);
  // Ends the agent's attempts as lost; with requeue_unstarted, those it was sent but
  // never reported started are queued again as the same attempt. Returns how many were
  // lost. mu_ held.
  int LoseAttemptsOf(const Agent& agent, const std::string& reason,
                     bool requeue_unstarted);
  void Requeue(Attempt& a);                         // mu_ held
  void Dispatch(int64_t now_us);                    // mu_ held
  void EndAttempt(Attempt& a, AttemptEnd end);      // mu_ held
  int Assigned(const std::string& agent_id) const;  // mu_ held
  void Wake();

  PoolOptions options_;
  std::string coordinator_id_;
  std::string runs_dir_;
  std::mutex mu_;
  std::condition_variable changed_;
  std::map<std::string, std::unique_ptr<Agent>> agents_;  // by agent id (routing id)
  std::map<proto::AttemptId, std::shared_ptr<Attempt>> attempts_;
  std::vector<std::shared_ptr<Attempt>> queue_;  // waiting for a free slot, in order
  std::map<std::string, std::shared_ptr<const std::vector<proto::SnapshotFile>>>
      snapshots_;                                       // by hash
  std::map<std::string, std::string> snapshot_of_dir_;  // source dir -> hash
  std::vector<Outbound> outbound_;
  int wake_fd_ = -1;
  int64_t last_heartbeat_us_ = 0;
};

// The executor a coordinator's batch runs its trials with.
std::unique_ptr<Executor> MakeAgentExecutor(std::shared_ptr<AgentPool> pool,
                                            std::string launcher_path,
                                            std::string home_dir);

}  // namespace salvo
