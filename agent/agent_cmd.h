#pragma once
// The `salvo agent` and `salvo keygen` commands (main.cc parses their options). Each
// returns the process exit status: 0 success, 2 bad input after printing
// `salvo: error: ...`, 1 when the agent could not keep serving.

#include <string>

#include "agent/agent.h"

namespace salvo {

// Runs an agent until SIGTERM or SIGINT, then stops its trials and returns 0.
int CmdAgent(const AgentOptions& options);

// Writes PREFIX.pub and PREFIX.key (see common/protocol/keys.h).
int CmdKeygen(const std::string& prefix);

}  // namespace salvo
