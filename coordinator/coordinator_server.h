#pragma once
// `salvo coordinator`: the daemon that owns a store, runs batches with their optimizers,
// dispatches trials to agents and answers CLI clients, all over one ZeroMQ ROUTER.
//
// At start it takes the store (a second coordinator on the same store refuses, naming
// the holder), resumes the batches it was running, and re-attaches to trials that
// agents are still running. Without keys it binds only to loopback or ipc://; with a
// key pair it turns CurveZMQ on and accepts only the public keys of its allow-list.

#include <cstdint>
#include <optional>
#include <string>

namespace salvo {

struct CoordinatorOptions {
  std::optional<std::string> bind;       // default tcp://127.0.0.1:5555
  std::optional<std::string> config;     // YAML file; the command line wins
  std::optional<std::string> key_file;   // the coordinator's key pair: Curve on
  std::optional<std::string> allow_file;  // public keys allowed to connect
  std::optional<int64_t> heartbeat_ms;     // default 1000
  std::optional<int64_t> timeout_ms;       // default 5000
  std::optional<int> fast_failure_limit;   // default 5
  std::optional<int64_t> fast_failure_ms;  // default 10000
  std::optional<int> max_lost_attempts;    // default 3
  std::optional<int64_t> stop_grace_ms;    // default 10000
};

int CmdCoordinator(const CoordinatorOptions& options);

}  // namespace salvo
