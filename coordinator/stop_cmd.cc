// `salvo stop`: stops running runs. The process that runs them (the store's holder) is
// asked to stop: SIGTERM for its batch or single run, a stop request plus SIGUSR1 for
// one trial of its batch. Runs whose runner is already gone are recorded terminated.

#include <signal.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <thread>

#include "common/core/ids.h"
#include "coordinator/commands.h"
#include "coordinator/remote.h"
#include "coordinator/store_access.h"

namespace salvo {
namespace fs = std::filesystem;

namespace {

bool StillRunning(const Home& home, const std::vector<std::string>& ids) {
  auto store = OpenStoreForRead(home);
  if (!store.ok()) return false;
  for (const auto& id : ids) {
    auto r = (*store)->Get(id);
    if (r.ok() && EffectiveStatus(*r) == RunStatus::kRunning) return true;
  }
  return false;
}

}  // namespace

int CmdStop(const StopOptions& options) {
  if (Remote()) return RemoteStop(options);
  Home home = ResolveHome();
  auto store = OpenStoreForRead(home);
  if (!store.ok()) return UsageError(store.status().message());
  auto all = (*store)->List();
  if (!all.ok()) return UsageError(all.status().message());

  std::vector<RunRecord> targets;
  if (options.runs.empty()) {
    for (const auto& r : *all)
      if (EffectiveStatus(r) == RunStatus::kRunning && r.kind != RunKind::kTrial)
        targets.push_back(r);
  }
  for (const auto& spec : options.runs) {
    std::vector<RunRecord> matches;
    for (const auto& r : *all)
      if (r.id.rfind(spec, 0) == 0) matches.push_back(r);
    if (matches.empty())
      return UsageError("could not find a run matching '" + spec + "'",
                        "Try 'salvo runs' for a list of runs.");
    if (matches.size() > 1) {
      std::string ids;
      for (const auto& m : matches) ids += " " + ShortId(m.id);
      return UsageError("'" + spec + "' matches " + std::to_string(matches.size()) +
                        " runs:" + ids);
    }
    targets.push_back(matches[0]);
  }
  store->reset();

  std::vector<std::string> waiting;
  int holder = StoreHolderPid(home);
  for (const auto& r : targets) {
    if (EffectiveStatus(r) != RunStatus::kRunning) {
      std::cout << "Run " << ShortId(r.id) << " is not running ("
                << RunStatusName(EffectiveStatus(r)) << ")\n";
      continue;
    }
    int runner = r.runner_pid;
    if (runner <= 0 || !ProcessAlive(runner)) continue;
    std::cout << "Stopping " << ShortId(r.id) << " (" << r.operation << ")\n";
    if (r.kind == RunKind::kTrial) {
      std::error_code ec;
      fs::create_directories(home.dir + "/stop", ec);
      std::ofstream(home.dir + "/stop/" + r.id) << "stop\n";
      ::kill(runner, SIGUSR1);
    } else {
      ::kill(runner, SIGTERM);
    }
    waiting.push_back(r.id);
  }
  (void)holder;

  // Wait for the runner to record the stop (it terminates trials with a grace period).
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!waiting.empty() && StillRunning(home, waiting) &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  if (!waiting.empty() && StillRunning(home, waiting)) {
    std::cerr << "salvo: warning: the runs have not stopped yet\n";
    return 1;
  }
  return 0;
}

}  // namespace salvo
