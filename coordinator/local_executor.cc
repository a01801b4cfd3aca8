// The local executor (trials as child processes of this process) and the executor
// registry.

#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include "coordinator/executor.h"

namespace salvo {
namespace {

// Wakes Wait() when a trial's output ends.
struct EventBox {
  std::mutex mu;
  std::condition_variable cv;
  uint64_t events = 0;
  uint64_t seen = 0;  // events a Wait() has returned for
};

std::string HostName() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof buf - 1) != 0) return "localhost";
  return buf;
}

class LocalHandle : public TrialHandle {
 public:
  explicit LocalHandle(std::unique_ptr<TrialProcess> process)
      : process_(std::move(process)) {}

  std::optional<AttemptEnd> Poll() override {
    auto exit = process_->Poll();
    if (!exit) return std::nullopt;
    AttemptEnd end;
    end.kind = AttemptEnd::Kind::kExited;
    end.exit_code = exit->exit_code;
    end.signal = exit->signal;
    return end;
  }
  void Signal(int sig) override { process_->Signal(sig); }
  std::vector<ScalarPoint> Scalars() const override { return process_->Scalars(); }
  std::string host() const override { return HostName(); }
  std::string external_id() const override { return std::to_string(process_->pid()); }

 private:
  std::unique_ptr<TrialProcess> process_;
};

class LocalExecutor : public Executor {
 public:
  std::string name() const override { return "local"; }
  int FreeSlots(int running, int parallel) override { return parallel - running; }

  Result<std::unique_ptr<TrialHandle>> Start(const TrialLaunch& launch,
                                             const RunRecord& trial,
                                             TrialProcess::ScalarSink sink) override {
    TrialLaunch l = launch;
    auto events = events_;
    l.on_output_done = [events] {
      std::lock_guard<std::mutex> lock(events->mu);
      ++events->events;
      events->cv.notify_all();
    };
    auto process = TrialProcess::Start(l, std::move(sink));
    if (!process.ok()) return process.status();
    return std::unique_ptr<TrialHandle>(new LocalHandle(std::move(*process)));
  }

  void Wait(std::chrono::milliseconds timeout) override {
    // An end that came while the engine was busy (after its last Wait) returns at once:
    // a fast trial often ends before the engine has recorded its start.
    std::unique_lock<std::mutex> lock(events_->mu);
    events_->cv.wait_for(lock, timeout, [&] { return events_->events != events_->seen; });
    events_->seen = events_->events;
  }

 private:
  std::shared_ptr<EventBox> events_ = std::make_shared<EventBox>();
};

std::mutex g_registry_mu;
std::map<std::string, ExecutorFactory>& Registry() {
  static std::map<std::string, ExecutorFactory> registry;
  return registry;
}

}  // namespace

std::unique_ptr<Executor> MakeLocalExecutor() { return std::make_unique<LocalExecutor>(); }

void RegisterExecutor(const std::string& name, ExecutorFactory factory) {
  std::lock_guard<std::mutex> lock(g_registry_mu);
  Registry()[name] = std::move(factory);
}

Result<std::unique_ptr<Executor>> MakeExecutor(
    const std::string& name, const std::map<std::string, std::vector<std::string>>& options) {
  if (name.empty() || name == "local") return MakeLocalExecutor();
  ExecutorFactory factory;
  {
    std::lock_guard<std::mutex> lock(g_registry_mu);
    auto it = Registry().find(name);
    if (it == Registry().end()) {
      std::string known = "local";
      for (const auto& [n, f] : Registry()) known += ", " + n;
      return Status::Invalid("unknown backend '" + name + "' (known: " + known + ")");
    }
    factory = it->second;
  }
  return factory(options);
}

}  // namespace salvo
