#include "coordinator/store_access.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "common/core/clock.h"
#include "coordinator/remote.h"

namespace salvo {
namespace fs = std::filesystem;

Home ResolveHome() {
  if (const char* h = std::getenv("SALVO_HOME"); h && *h) return Home{h};
  const char* user_home = std::getenv("HOME");
  return Home{std::string(user_home && *user_home ? user_home : ".") + "/.salvo"};
}

bool ProcessAlive(int pid) {
  if (pid <= 0) return false;
  if (::kill(pid, 0) != 0 && errno != EPERM) return false;
  // A zombie has exited; only its parent has not collected it yet.
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  std::getline(stat, text);
  auto close = text.rfind(')');
  if (close != std::string::npos && close + 2 < text.size() && text[close + 2] == 'Z')
    return false;
  return true;
}

namespace {

// Agents and Slurm jobs outlive the process that dispatched them: the coordinator (or the
// restarted batch) adopts them, or runs them again, so their runner's pid says nothing.
bool OutlivesItsRunner(const RunRecord& r) {
  return r.executor == "agents" || r.executor == "slurm" || r.backend == "agents";
}

}  // namespace

RunStatus EffectiveStatus(const RunRecord& r) {
  if (r.status == RunStatus::kRunning && !OutlivesItsRunner(r) &&
      !ProcessAlive(r.runner_pid))
    return RunStatus::kTerminated;
  return r.status;
}

namespace {

std::string HolderPath(const Home& home) { return home.dir + "/holder"; }

// Stores the runs its dead runner left behind as terminated.
Status Reconcile(RunStore& store) {
  auto runs = store.List();
  if (!runs.ok()) return runs.status();
  std::vector<RunRecord> changed;
  int64_t now = SystemClock().NowMicros();
  for (RunRecord& r : *runs) {
    if (r.status != RunStatus::kRunning || ProcessAlive(r.runner_pid)) continue;
    if (r.runner_pid == getpid()) continue;
    if (OutlivesItsRunner(r)) continue;
    r.status = RunStatus::kTerminated;
    r.reason = "its runner (pid " + std::to_string(r.runner_pid) + ") exited";
    if (r.stopped_us == 0) r.stopped_us = now;
    changed.push_back(std::move(r));
  }
  if (changed.empty()) return Status::Ok();
  return store.PutMany(changed);
}

// A store that opens empty beside run folders has lost its records (its write-ahead log
// was overwritten, say, and RocksDB recovered to the last consistent point: nothing).
// Nothing brings them back here, but the user should hear of it before adding runs.
void WarnIfRunsVanished(const Home& home, RunStore& store) {
  auto runs = store.List();
  if (!runs.ok() || !runs->empty()) return;
  std::error_code ec;
  size_t folders = 0;
  for (auto it = fs::directory_iterator(home.runs_dir(), ec);
       !ec && it != fs::directory_iterator(); it.increment(ec))
    folders += it->is_directory(ec) ? 1 : 0;
  if (folders == 0) return;
  spdlog::warn(
      "the store in {} holds no runs, but {} has {} run folder(s): its records "
      "were lost (a damaged or replaced store?)",
      home.store_dir(), home.runs_dir(), folders);
}

}  // namespace

int StoreHolderPid(const Home& home) {
  std::ifstream in(HolderPath(home));
  int pid = 0;
  if (!(in >> pid) || !ProcessAlive(pid)) return 0;
  return pid;
}

std::string StoreHolder(const Home& home) {
  std::ifstream in(HolderPath(home));
  int pid = 0;
  std::string command;
  if (!(in >> pid) || !ProcessAlive(pid)) return "";
  in >> std::ws;
  std::getline(in, command);
  if (command.empty()) command = "salvo";
  return command + ", pid " + std::to_string(pid);
}

Result<std::unique_ptr<RunStore>> OpenStoreForWrite(const Home& home,
                                                    const std::string& command) {
  std::error_code ec;
  fs::create_directories(home.runs_dir(), ec);
  if (ec)
    return Status::IoError("cannot create " + home.runs_dir() + ": " + ec.message());

  auto store = OpenRocksStore(home.store_dir(), StoreMode::kPrimary);
  if (!store.ok()) {
    if (store.status().code() != Code::kBusy) return store.status();
    std::string holder = StoreHolder(home);
    return Status::Busy("store in use by " +
                        (holder.empty() ? "another salvo process" : holder));
  }

  std::string tmp = HolderPath(home) + ".tmp";
  {
    std::ofstream out(tmp, std::ios::trunc);
    out << getpid() << "\n" << command << "\n";
  }
  fs::rename(tmp, HolderPath(home), ec);

  Status s = Reconcile(**store);
  if (!s.ok()) return s;
  WarnIfRunsVanished(home, **store);
  return store;
}

Result<std::unique_ptr<RunStore>> OpenStoreForRead(const Home& home) {
  if (Remote()) return OpenRemoteStore();
  // No store yet is an empty list; a home or store that is not a folder is a mistake.
  std::error_code ec;
  for (const std::string& dir : {home.dir, home.store_dir()}) {
    if (fs::exists(dir, ec) && !fs::is_directory(dir, ec))
      return Status::Invalid(dir + " is not a folder (check SALVO_HOME)");
  }
  if (!fs::exists(home.store_dir() + "/CURRENT")) return MakeMemoryStore();
  // An empty secondary folder: the store makes a temporary one and removes it on close.
  auto store = OpenRocksStore(home.store_dir(), StoreMode::kSecondary, "");
  if (!store.ok() && store.status().code() == Code::kNotFound) return MakeMemoryStore();
  return store;
}

}  // namespace salvo
