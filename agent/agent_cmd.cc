#include "agent/agent_cmd.h"

#include <signal.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "common/protocol/keys.h"

namespace salvo {
namespace {

Agent* g_running_agent = nullptr;  // the agent SIGTERM and SIGINT stop

void StopOnSignal(int) {
  if (g_running_agent) g_running_agent->RequestStop();
}

void WarnOnSignal(int) {
  if (g_running_agent) g_running_agent->WarnOfPreemption();
}

int BadInput(const Status& status) {
  std::cerr << "salvo: error: " << status.message() << "\n";
  return 2;
}

}  // namespace

int CmdAgent(const AgentOptions& options) {
  auto agent = Agent::Make(options);
  if (!agent.ok()) return BadInput(agent.status());

  g_running_agent = agent->get();
  struct sigaction action = {};
  action.sa_handler = StopOnSignal;
  sigemptyset(&action.sa_mask);
  sigaction(SIGTERM, &action, nullptr);
  sigaction(SIGINT, &action, nullptr);
  // Slurm's early warning (--signal=B:USR1@N on an agent job): preemption or the time
  // limit is near.
  struct sigaction warn = {};
  warn.sa_handler = WarnOnSignal;
  sigemptyset(&warn.sa_mask);
  sigaction(SIGUSR1, &warn, nullptr);

  spdlog::info("agent {} connecting to {} with {} slots", (*agent)->id(), options.connect,
               (*agent)->capacity());
  Status status = (*agent)->Run();
  g_running_agent = nullptr;
  if (!status.ok()) {
    spdlog::error("{}", status.message());
    return 1;
  }
  return 0;
}

int CmdKeygen(const std::string& prefix) {
  if (prefix.empty())
    return BadInput(Status::Invalid("keygen: --out PREFIX is required"));
  auto keys = proto::GenerateKeyPair();
  if (!keys.ok()) return BadInput(keys.status());
  Status saved = proto::SaveKeyPair(prefix, *keys);
  if (!saved.ok()) return BadInput(saved);
  std::cout << "wrote " << prefix << ".pub (public key) and " << prefix
            << ".key (key pair, keep it private)\n";
  return 0;
}

}  // namespace salvo
