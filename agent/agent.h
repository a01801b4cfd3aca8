#pragma once
// The agent daemon: one ZeroMQ DEALER connection to a coordinator, trials run as child
// processes on this machine, and every report kept until the coordinator acks it.
//
// Life of a connection: Hello (slots, GPUs, active attempts) -> Welcome (heartbeat and
// timeout) -> the unacked reports again, in seq order -> Dispatch/Cancel/Ack/... and
// heartbeats both ways. A coordinator silent past the timeout is given up on: the agent
// opens a fresh socket with the same routing id and starts over with Hello. Reports are
// sent only after a Welcome on the current connection.
//
// Threads: Run() owns everything and must be called from a thread that lives as long as
// the trials (they die with it, see TrialProcess). RequestStop() may be called from any
// thread and from a signal handler.

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/core/status.h"

namespace salvo {

// Every option of `salvo agent`, with its default (configs/agent.yaml documents them).
struct AgentOptions {
  std::string connect;          // tcp://HOST:PORT or ipc://PATH of the coordinator
  int slots = 0;                // trials at once; 0: one per gpus_per_trial GPUs, else 1
  std::vector<int> gpus;        // GPU indexes to hand out through CUDA_VISIBLE_DEVICES
  int gpus_per_trial = 0;       // GPUs per trial when the dispatch does not say
  std::string name;             // default: the host name
  std::string home;             // default: $SALVO_HOME/agent, else ~/.salvo/agent
  int64_t heartbeat_ms = 1000;  // until the coordinator's Welcome says otherwise
  int64_t timeout_ms = 5000;    // likewise; also how long to wait for a Welcome
  int64_t progress_ms = 200;    // the shortest interval between progress reports
  std::string server_key;       // file with the coordinator's public key: CurveZMQ on
  std::string key;  // the agent's key pair file (salvo keygen), with server_key
};

// Fills `options` from a YAML file whose keys are the command line's option names
// (connect, slots, gpus, gpus-per-trial, name, home, heartbeat-ms, timeout-ms,
// progress-ms, server-key, key).
// kInvalidArgument naming the file and key on a bad value or an unknown key.
Status LoadAgentConfig(const std::string& path, AgentOptions* options);

class Agent {
 public:
  // Checks the options and loads the keys; the routing id is made here.
  static Result<std::unique_ptr<Agent>> Make(AgentOptions options);
  ~Agent();

  // "NAME-<8 hex>": the Hello's agent_id and the socket's routing id, fixed for the
  // agent's lifetime.
  const std::string& id() const;
  // The number of trials that may run at once.
  int capacity() const;

  // Serves the coordinator until RequestStop(); then stops the trials (SIGTERM, then
  // SIGKILL after their grace), sends their exit reports when it can, and returns.
  Status Run();
  void RequestStop();
  // A preemption is near (SIGUSR1): pass the signal to the trials, take no more work.
  // Safe from any thread and from a signal handler.
  void WarnOfPreemption();

 private:
  struct State;
  explicit Agent(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

}  // namespace salvo
