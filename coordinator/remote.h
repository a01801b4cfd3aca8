#pragma once
// The CLI's side of a coordinator: where it is, one request/reply call, and the store
// view that lets `runs`, `compare`, `select`, `runs info` and `runs rm` work against a
// coordinator exactly as against a local store.
//
// A coordinator is configured by `--coordinator URL`, else `$SALVO_COORDINATOR`, else
// `coordinator:` in `$SALVO_HOME/config.yaml`. Over TCP to a coordinator with keys, the
// client's key pair (`--key`, `$SALVO_KEY`, `key:`) and the coordinator's public key
// (`--server-key`, `$SALVO_SERVER_KEY`, `server-key:`) turn CurveZMQ on.

#include <memory>
#include <optional>
#include <string>

#include "common/core/status.h"
#include "common/store/run_store.h"
#include "coordinator/commands.h"

namespace salvo {

struct RemoteSettings {
  std::string url;
  std::string key_file;         // this client's key pair (PREFIX.key)
  std::string server_key_file;  // the coordinator's public key (PREFIX.pub)
};

// Resolves the settings from the command line's values (empty when not given), the
// environment and the config file. Call once at start-up.
Status ConfigureRemote(const Home& home, RemoteSettings from_command_line);
// The configured coordinator, or nullptr to work on the local store.
const RemoteSettings* Remote();

// Sends one JSON request and returns the reply's JSON text. A refused request
// (ok=false) becomes a Status with the coordinator's message and code; no answer
// within `timeout_ms` is kUnavailable.
Result<std::string> RemoteCall(const std::string& request_json, int64_t timeout_ms = 30000);

// The coordinator's runs and scalars as a store: reads come from one snapshot taken
// now (Refresh takes a new one); Delete asks the coordinator to delete; other writes
// are kFailedPrecondition.
Result<std::unique_ptr<RunStore>> OpenRemoteStore();

// RunOptions as the JSON a client sends, and back.
std::string RunOptionsToJson(const RunOptions& options);
Result<RunOptions> RunOptionsFromJson(const std::string& json);

// `salvo run`, `salvo stop` and `salvo cat` against the coordinator.
int RemoteRun(const RunOptions& options);
int RemoteStop(const StopOptions& options);
int RemoteCat(const std::string& run_id);
// `salvo agents`: the coordinator's agents, as a table or (json) as its JSON.
int RemoteAgents(bool json_out);

}  // namespace salvo
