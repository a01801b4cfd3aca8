#include "agent/agent.h"

#include <fcntl.h>
#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <deque>
#include <filesystem>
#include <fstream>
#include <map>
#include <optional>
#include <set>
#include <zmq.hpp>

#include "agent/trial_runner.h"
#include "common/core/ids.h"
#include "common/protocol/keys.h"
#include "common/protocol/messages.h"
#include "common/protocol/snapshot.h"

namespace salvo {
namespace fs = std::filesystem;
using proto::AttemptId;
using SteadyClock = std::chrono::steady_clock;
using std::chrono::milliseconds;

namespace {

// The most output one report carries; a longer backlog goes out in several.
constexpr int64_t kOutputChunkBytes = 1 << 20;
// How long a stopping agent waits for the acks of its last reports.
constexpr int64_t kFinalAckWaitMs = 2000;

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "agent";
  return name;
}

std::string DefaultHome() {
  if (const char* home = std::getenv("SALVO_HOME"); home && *home)
    return std::string(home) + "/agent";
  const char* user_home = std::getenv("HOME");
  return std::string(user_home ? user_home : ".") + "/.salvo/agent";
}

std::string Label(const AttemptId& id) {
  return ShortId(id.run_id) + " attempt " + std::to_string(id.attempt);
}

std::string JoinGpus(const std::vector<int>& gpus) {
  std::string text;
  for (int g : gpus) text += (text.empty() ? "" : ",") + std::to_string(g);
  return text;
}

std::string ReplacePlaceholders(std::string text,
                                const std::map<std::string, std::string>& values) {
  for (const auto& [key, value] : values) {
    for (size_t at = text.find(key); at != std::string::npos;
         at = text.find(key, at + value.size())) {
      text.replace(at, key.size(), value);
    }
  }
  return text;
}

// Up to `max` bytes of `path` from `offset` (fewer, or none, when the file is shorter).
std::string ReadChunk(const std::string& path, int64_t offset, int64_t max) {
  std::ifstream in(path, std::ios::binary);
  if (!in.seekg(offset)) return "";
  std::string chunk(static_cast<size_t>(max), '\0');
  in.read(chunk.data(), max);
  chunk.resize(static_cast<size_t>(in.gcount()));
  return chunk;
}

int64_t FileSize(const std::string& path) {
  std::error_code ec;
  auto size = fs::file_size(path, ec);
  return ec ? 0 : static_cast<int64_t>(size);
}

int64_t WallMicros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

struct Agent::State {
  struct Trial {
    proto::Dispatch dispatch;
    std::unique_ptr<TrialProcess> process;
    std::vector<int> gpus;
    std::string run_dir;
    std::string output_path;
    SteadyClock::time_point started;
    SteadyClock::time_point last_progress;
    size_t scalars_sent = 0;
    int64_t output_sent = 0;
    bool cancelled = false;  // a Cancel (or Welcome.abandon) from the coordinator
    bool stopped = false;    // the agent itself is stopping
    std::optional<SteadyClock::time_point> kill_at;
  };

  AgentOptions options;
  std::string id;
  int capacity = 1;
  bool curve = false;
  std::string server_key;
  proto::CurveKeyPair keys;

  std::atomic<bool> stop_requested{false};
  std::atomic<bool> preempt_warned{false};  // SIGUSR1 came: preemption is near
  bool preempting = false;                  // the warning was acted on
  int wake_read = -1, wake_write = -1;      // a self-pipe: RequestStop and trial exits

  zmq::context_t context{1};
  std::unique_ptr<zmq::socket_t> socket;
  bool welcomed = false;
  bool ever_welcomed = false;
  int64_t heartbeat_ms = 1000;
  int64_t timeout_ms = 5000;
  SteadyClock::time_point last_recv, last_send;
  bool paused = false;
  bool stopping = false;

  uint64_t next_seq = 1;
  std::map<uint64_t, proto::Report> unacked;  // by seq

  std::map<AttemptId, Trial> running;
  std::deque<proto::Dispatch> queue;  // accepted, waiting for a slot or GPUs
  std::map<std::string, std::vector<proto::Dispatch>> awaiting_snapshot;  // by hash
  std::set<AttemptId> finished;  // attempts run to their end by this process
  std::set<int> free_gpus;
  std::string launcher;  // installed on first use

  ~State() {
    if (wake_read >= 0) ::close(wake_read);
    if (wake_write >= 0) ::close(wake_write);
  }

  // --- connection ----------------------------------------------------------------

  void Connect() {
    socket = std::make_unique<zmq::socket_t>(context, zmq::socket_type::dealer);
    socket->set(zmq::sockopt::routing_id, id);
    socket->set(zmq::sockopt::linger, 0);
    if (curve) {
      socket->set(zmq::sockopt::curve_serverkey, server_key);
      socket->set(zmq::sockopt::curve_publickey, keys.public_key);
      socket->set(zmq::sockopt::curve_secretkey, keys.secret_key);
    }
    socket->connect(options.connect);
    welcomed = false;
    last_recv = SteadyClock::now();

    proto::Hello hello;
    hello.agent_id = id;
    hello.name = options.name;
    hello.host = HostName();
    hello.slots = capacity;
    hello.gpus = options.gpus;
    hello.gpus_per_trial = options.gpus_per_trial;
    hello.active = Active();
    hello.salvo_version = "0.1.0";
    Send(hello);
  }

  bool Send(const proto::Message& m) {
    std::string bytes = proto::Encode(m);
    try {
      if (!socket->send(zmq::buffer(bytes), zmq::send_flags::dontwait)) {
        spdlog::debug("agent {}: {} not sent (queue full)", id, proto::TypeName(m));
        return false;
      }
    } catch (const zmq::error_t& e) {
      spdlog::debug("agent {}: {} not sent: {}", id, proto::TypeName(m), e.what());
      return false;
    }
    last_send = SteadyClock::now();
    spdlog::debug("agent {}: sent {}", id, proto::TypeName(m));
    return true;
  }

  // Numbers the report and keeps it until acked; sent now when joined, else after the
  // next Welcome.
  void SendReport(proto::Report report) {
    report.seq = next_seq++;
    auto [it, _] = unacked.emplace(report.seq, std::move(report));
    if (welcomed) Send(it->second);
  }

  // Attempts the coordinator should consider ours: running, accepted, or with reports
  // not yet acknowledged.
  std::vector<AttemptId> Active() const {
    std::set<AttemptId> ids;
    for (const auto& [attempt, _] : running) ids.insert(attempt);
    for (const auto& d : queue) ids.insert(d.id);
    for (const auto& [_, waiting] : awaiting_snapshot) {
      for (const auto& d : waiting) ids.insert(d.id);
    }
    for (const auto& [_, r] : unacked) ids.insert(r.id);
    return {ids.begin(), ids.end()};
  }

  int FreeSlots() const {
    int busy = static_cast<int>(running.size() + queue.size());
    for (const auto& [_, waiting] : awaiting_snapshot) busy += waiting.size();
    return paused || stopping ? 0 : std::max(0, capacity - busy);
  }

  // --- messages from the coordinator ---------------------------------------------

  void Receive() {
    while (true) {
      std::vector<zmq::message_t> parts;
      try {
        zmq::message_t part;
        if (!socket->recv(part, zmq::recv_flags::dontwait)) return;
        parts.push_back(std::move(part));
        while (parts.back().more()) {
          parts.emplace_back();
          if (!socket->recv(parts.back(), zmq::recv_flags::dontwait)) break;
        }
      } catch (const zmq::error_t& e) {
        spdlog::warn("agent {}: receive failed: {}", id, e.what());
        return;
      }
      last_recv = SteadyClock::now();
      if (parts.size() != 1) {
        spdlog::warn("agent {}: dropped a message of {} frames (want 1)", id,
                     parts.size());
        continue;
      }
      auto message = proto::Decode(parts[0].to_string_view());
      if (!message.ok()) {
        spdlog::warn("agent {}: dropped a malformed message: {}", id,
                     message.status().message());
        continue;
      }
      spdlog::debug("agent {}: received {}", id, proto::TypeName(*message));
      Handle(std::move(*message));
    }
  }

  void Handle(proto::Message&& message) {
    if (auto* m = std::get_if<proto::Welcome>(&message)) return OnWelcome(*m);
    if (!welcomed) {
      spdlog::debug("agent {}: ignored {} before the Welcome", id,
                    proto::TypeName(message));
      return;
    }
    if (auto* m = std::get_if<proto::Dispatch>(&message))
      return OnDispatch(std::move(*m));
    if (auto* m = std::get_if<proto::Cancel>(&message)) return OnCancel(m->id, m->reason);
    if (auto* m = std::get_if<proto::Ack>(&message)) {
      for (uint64_t seq : m->seqs) unacked.erase(seq);
      return;
    }
    if (auto* m = std::get_if<proto::Snapshot>(&message)) return OnSnapshot(*m);
    if (auto* m = std::get_if<proto::Pause>(&message)) return OnPause(m->reason);
    if (std::holds_alternative<proto::Heartbeat>(message)) return;
    spdlog::warn("agent {}: ignored an unexpected {} message", id,
                 proto::TypeName(message));
  }

  void OnWelcome(const proto::Welcome& w) {
    if (w.heartbeat_ms > 0) heartbeat_ms = w.heartbeat_ms;
    if (w.timeout_ms > 0) timeout_ms = w.timeout_ms;
    welcomed = true;
    spdlog::info("agent {} {} coordinator {} at {} (heartbeat {} ms, timeout {} ms)", id,
                 ever_welcomed ? "rejoined" : "joined", w.coordinator_id, options.connect,
                 heartbeat_ms, timeout_ms);
    ever_welcomed = true;

    for (const auto& [_, report] : unacked) Send(report);
    for (const AttemptId& attempt : w.abandon) {
      OnCancel(attempt, "abandoned by the coordinator");
    }
    for (const auto& [hash, _] : awaiting_snapshot) Send(proto::SnapshotRequest{hash});
    StartQueued();
  }

  bool Known(const AttemptId& attempt) const {
    if (running.count(attempt) || finished.count(attempt)) return true;
    for (const auto& d : queue) {
      if (d.id == attempt) return true;
    }
    for (const auto& [_, waiting] : awaiting_snapshot) {
      for (const auto& d : waiting) {
        if (d.id == attempt) return true;
      }
    }
    return false;
  }

  // `refused`: not the trial's fault (paused, stopping); the coordinator runs it
  // elsewhere.
  void FailToStart(const AttemptId& attempt, std::string error, bool refused = false) {
    if (refused) {
      spdlog::info("agent {}: trial {} handed back: {}", id, Label(attempt), error);
    } else {
      spdlog::warn("agent {}: trial {} failed to start: {}", id, Label(attempt), error);
    }
    proto::Report r;
    r.id = attempt;
    r.kind = proto::ReportKind::kFailedToStart;
    r.error = std::move(error);
    r.refused = refused;
    SendReport(std::move(r));
  }

  void OnDispatch(proto::Dispatch d) {
    if (Known(d.id)) {
      spdlog::debug("agent {}: ignored a duplicate dispatch of {}", id, Label(d.id));
      return;
    }
    if (stopping) return FailToStart(d.id, "the agent is stopping", true);
    if (paused) return FailToStart(d.id, "the agent is paused", true);
    if (d.snapshot_hash.empty() || fs::is_directory(SnapshotDir(d.snapshot_hash))) {
      queue.push_back(std::move(d));
      return StartQueued();
    }
    if (!IsHex(d.snapshot_hash) || d.snapshot_hash.size() > 128)
      return FailToStart(d.id,
                         "bad snapshot hash '" + d.snapshot_hash.substr(0, 40) + "'");
    auto& waiting = awaiting_snapshot[d.snapshot_hash];
    if (waiting.empty()) Send(proto::SnapshotRequest{d.snapshot_hash});
    waiting.push_back(std::move(d));
  }

  std::string SnapshotDir(const std::string& hash) const {
    return options.home + "/snapshots/" + hash;
  }

  void OnSnapshot(const proto::Snapshot& s) {
    auto it = awaiting_snapshot.find(s.hash);
    if (it == awaiting_snapshot.end()) return;
    std::vector<proto::Dispatch> waiting = std::move(it->second);
    awaiting_snapshot.erase(it);

    Status stored = StoreSnapshot(s);
    for (proto::Dispatch& d : waiting) {
      if (!stored.ok()) {
        FailToStart(d.id, stored.message());
      } else {
        queue.push_back(std::move(d));
      }
    }
    StartQueued();
  }

  // Verifies the snapshot against its hash and moves it into the cache in one rename.
  Status StoreSnapshot(const proto::Snapshot& s) {
    if (!s.error.empty())
      return Status(Code::kUnavailable, "snapshot " + s.hash + ": " + s.error);
    std::string actual = proto::HashSnapshot(s.files);
    if (actual != s.hash)
      return Status::Invalid("snapshot " + s.hash + " arrived with hash " + actual);
    std::string target = SnapshotDir(s.hash);
    std::string incoming = options.home + "/snapshots/.incoming-" + s.hash;
    std::error_code ec;
    fs::remove_all(incoming, ec);
    SALVO_RETURN_IF_ERROR(proto::WriteSnapshot(incoming, s.files));
    fs::rename(incoming, target, ec);
    if (ec && !fs::is_directory(target))
      return Status::IoError("cannot store snapshot " + target + ": " + ec.message());
    fs::remove_all(incoming, ec);
    spdlog::debug("agent {}: cached snapshot {} ({} files)", id, s.hash, s.files.size());
    return Status::Ok();
  }

  void OnCancel(const AttemptId& attempt, const std::string& reason) {
    if (auto it = running.find(attempt); it != running.end()) {
      Trial& t = it->second;
      if (t.cancelled) return;
      spdlog::info("agent {}: cancelling trial {} ({})", id, Label(attempt), reason);
      t.cancelled = true;
      Terminate(t);
      return;
    }
    if (RemoveWaiting(attempt)) {
      spdlog::info("agent {}: cancelled trial {} before it started ({})", id,
                   Label(attempt), reason);
      proto::Report r;
      r.id = attempt;
      r.kind = proto::ReportKind::kExited;
      r.cancelled = true;
      finished.insert(attempt);
      SendReport(std::move(r));
      return;
    }
    spdlog::debug("agent {}: cancel of {} that is not running", id, Label(attempt));
  }

  // Removes a dispatch that has not started yet; false when there was none.
  bool RemoveWaiting(const AttemptId& attempt) {
    auto same = [&](const proto::Dispatch& d) { return d.id == attempt; };
    if (auto it = std::find_if(queue.begin(), queue.end(), same); it != queue.end()) {
      queue.erase(it);
      return true;
    }
    for (auto& [hash, waiting] : awaiting_snapshot) {
      if (auto it = std::find_if(waiting.begin(), waiting.end(), same);
          it != waiting.end()) {
        waiting.erase(it);
        if (waiting.empty()) awaiting_snapshot.erase(hash);
        return true;
      }
    }
    return false;
  }

  void OnPause(const std::string& reason) {
    if (!paused) spdlog::warn("agent {} paused by the coordinator: {}", id, reason);
    paused = true;
    // Accepted but not started: give them back so they can run elsewhere.
    std::deque<proto::Dispatch> waiting;
    waiting.swap(queue);
    for (const auto& d : waiting)
      FailToStart(d.id, "the agent is paused: " + reason, true);
  }

  // --- trials --------------------------------------------------------------------

  int GpusFor(const proto::Dispatch& d) const {
    if (d.gpus > 0) return d.gpus;
    return options.gpus.empty() ? 0 : options.gpus_per_trial;
  }

  void StartQueued() {
    while (!queue.empty() && !paused && !stopping &&
           static_cast<int>(running.size()) < capacity) {
      int want = GpusFor(queue.front());
      if (want > static_cast<int>(options.gpus.size())) {
        proto::Dispatch d = std::move(queue.front());
        queue.pop_front();
        FailToStart(d.id, "needs " + std::to_string(want) + " GPUs; the agent has " +
                              std::to_string(options.gpus.size()));
        continue;
      }
      if (want > static_cast<int>(free_gpus.size())) return;  // wait for a trial to end
      proto::Dispatch d = std::move(queue.front());
      queue.pop_front();
      std::vector<int> gpus(free_gpus.begin(), std::next(free_gpus.begin(), want));
      for (int g : gpus) free_gpus.erase(g);
      Start(std::move(d), std::move(gpus));
    }
  }

  void Start(proto::Dispatch d, std::vector<int> gpus) {
    AttemptId attempt = d.id;
    auto release = [&] { free_gpus.insert(gpus.begin(), gpus.end()); };
    if (launcher.empty()) {
      auto installed = InstallLauncher(options.home + "/lib");
      if (!installed.ok()) {
        release();
        return FailToStart(attempt, installed.status().message());
      }
      launcher = *installed;
    }

    Trial t;
    t.run_dir = options.home + "/runs/" + d.id.run_id;
    t.output_path = t.run_dir + "/output";
    const std::map<std::string, std::string> values = {
        {"{{launcher}}", launcher},
        {"{{source}}",
         d.snapshot_hash.empty() ? t.run_dir : SnapshotDir(d.snapshot_hash)},
        {"{{run_dir}}", t.run_dir}};
    TrialLaunch launch;
    launch.run_id = d.id.run_id;
    for (const std::string& arg : d.argv)
      launch.argv.push_back(ReplacePlaceholders(arg, values));
    for (const auto& [k, v] : d.env) launch.env[k] = ReplacePlaceholders(v, values);
    if (!gpus.empty()) launch.env["CUDA_VISIBLE_DEVICES"] = JoinGpus(gpus);
    launch.cwd = t.run_dir;
    launch.output_path = t.output_path;
    launch.flag_names.insert(d.flag_names.begin(), d.flag_names.end());
    launch.scalar_patterns = d.scalar_patterns;
    launch.on_output_done = [fd = wake_write] {
      [[maybe_unused]] auto n = ::write(fd, "x", 1);
    };

    // A rerun of the same trial on this agent appends to the log it left.
    t.output_sent = FileSize(t.output_path);
    auto process = TrialProcess::Start(launch, nullptr);
    if (!process.ok()) {
      release();
      return FailToStart(attempt, process.status().message());
    }
    t.process = std::move(*process);
    t.gpus = std::move(gpus);
    t.started = t.last_progress = SteadyClock::now();
    t.dispatch = std::move(d);
    spdlog::info("agent {}: trial {} started (pid {}{})", id, Label(attempt),
                 t.process->pid(), t.gpus.empty() ? "" : ", gpus " + JoinGpus(t.gpus));

    proto::Report r;
    r.id = attempt;
    r.kind = proto::ReportKind::kStarted;
    r.pid = t.process->pid();
    r.run_dir = t.run_dir;
    r.gpus = JoinGpus(t.gpus);
    r.output_offset = t.output_sent;
    SendReport(std::move(r));
    running.emplace(attempt, std::move(t));
  }

  void Terminate(Trial& t) {
    t.process->Signal(SIGTERM);
    t.kill_at =
        SteadyClock::now() + milliseconds(std::max<int64_t>(0, t.dispatch.stop_grace_ms));
  }

  // A report with the scalars and (up to a chunk of) output not sent yet.
  proto::Report Progress(Trial& t, proto::ReportKind kind) {
    proto::Report r;
    r.id = t.dispatch.id;
    r.kind = kind;
    r.run_dir = t.run_dir;  // also known to a coordinator that adopted the attempt
    std::vector<ScalarPoint> scalars = t.process->Scalars();
    r.scalar_index = static_cast<int64_t>(t.scalars_sent);
    r.scalars.assign(scalars.begin() + static_cast<std::ptrdiff_t>(t.scalars_sent),
                     scalars.end());
    t.scalars_sent = scalars.size();
    r.output_offset = t.output_sent;
    r.output = ReadChunk(t.output_path, t.output_sent, kOutputChunkBytes);
    t.output_sent += static_cast<int64_t>(r.output.size());
    return r;
  }

  bool HasNews(Trial& t) {
    return FileSize(t.output_path) > t.output_sent ||
           t.process->Scalars().size() > t.scalars_sent;
  }

  void PollTrials() {
    auto now = SteadyClock::now();
    for (auto it = running.begin(); it != running.end();) {
      Trial& t = it->second;
      if (std::optional<TrialExit> exit = t.process->Poll()) {
        Finish(t, *exit);
        it = running.erase(it);
        continue;
      }
      if (t.kill_at && now >= *t.kill_at) {
        spdlog::info("agent {}: trial {} still running after its grace, killing it", id,
                     Label(t.dispatch.id));
        t.process->Signal(SIGKILL);
        t.kill_at.reset();
      }
      if (now - t.last_progress >= milliseconds(options.progress_ms) && HasNews(t)) {
        t.last_progress = now;
        SendReport(Progress(t, proto::ReportKind::kProgress));
      }
      ++it;
    }
    StartQueued();
  }

  void Finish(Trial& t, const TrialExit& exit) {
    while (FileSize(t.output_path) - t.output_sent > kOutputChunkBytes)
      SendReport(Progress(t, proto::ReportKind::kProgress));
    proto::Report r = Progress(t, proto::ReportKind::kExited);
    r.exit_code = exit.exit_code;
    r.signal = exit.signal;
    r.cancelled = t.cancelled;
    r.preempted = preempting && !t.cancelled;
    if (t.stopped && !t.cancelled) {
      r.error = "stopped with the agent";
      r.refused = true;
    }
    r.duration_ms =
        std::chrono::duration_cast<milliseconds>(SteadyClock::now() - t.started).count();
    spdlog::info("agent {}: trial {} finished: {} after {} ms{}", id,
                 Label(t.dispatch.id),
                 exit.signal ? "signal " + std::to_string(exit.signal)
                             : "exit " + std::to_string(exit.exit_code),
                 r.duration_ms, t.cancelled ? " (cancelled)" : "");
    free_gpus.insert(t.gpus.begin(), t.gpus.end());
    finished.insert(t.dispatch.id);
    SendReport(std::move(r));
  }

  // --- the loop ------------------------------------------------------------------

  // Hands back what has not started (queued, or waiting for its snapshot), so that the
  // coordinator gives it to another agent.
  void HandBackUnstarted(const std::string& why) {
    std::vector<AttemptId> waiting;
    for (const auto& d : queue) waiting.push_back(d.id);
    for (const auto& [_, ds] : awaiting_snapshot) {
      for (const auto& d : ds) waiting.push_back(d.id);
    }
    queue.clear();
    awaiting_snapshot.clear();
    for (const AttemptId& attempt : waiting) FailToStart(attempt, why, true);
  }

  void BeginStopping() {
    stopping = true;
    spdlog::info("agent {}: stopping ({} trials running)", id, running.size());
    HandBackUnstarted("the agent is stopping");
    if (welcomed) Send(proto::Goodbye{"asked to stop", false, preempting});
    for (auto& [_, t] : running) {
      t.stopped = true;
      if (!t.kill_at) Terminate(t);
    }
  }

  // A preemption warning: every trial gets SIGUSR1 at once (its chance to checkpoint)
  // and the coordinator gives this agent no more work; the trials run on until they end
  // or the agent is stopped.
  void BeginPreempting() {
    preempting = true;
    spdlog::warn(
        "agent {}: preemption warning (SIGUSR1); passing it to {} trial(s), "
        "taking no more work",
        id, running.size());
    for (auto& [_, t] : running) t.process->Signal(SIGUSR1);
    HandBackUnstarted("the agent is about to be preempted");
    if (welcomed) Send(proto::Goodbye{"preemption warning", false, true});
  }

  // Milliseconds until something is due: a heartbeat, the timeout, progress or a kill.
  int64_t WaitMs(SteadyClock::time_point now) const {
    auto due = last_recv + milliseconds(timeout_ms);
    if (welcomed) due = std::min(due, last_send + milliseconds(heartbeat_ms));
    if (!running.empty()) due = std::min(due, now + milliseconds(options.progress_ms));
    for (const auto& [_, t] : running) {
      if (t.kill_at) due = std::min(due, *t.kill_at);
    }
    auto ms = std::chrono::duration_cast<milliseconds>(due - now).count() + 1;
    return std::clamp<int64_t>(ms, 1, 1000);
  }

  void Tick() {
    auto now = SteadyClock::now();
    if (now - last_recv > milliseconds(timeout_ms)) {
      spdlog::warn("agent {}: no word from the coordinator for {} ms, reconnecting to {}",
                   id, timeout_ms, options.connect);
      Connect();
    } else if (welcomed && now - last_send >= milliseconds(heartbeat_ms)) {
      Send(proto::Heartbeat{WallMicros(), FreeSlots()});
    }
  }

  void DrainWakeups() {
    char buf[64];
    while (::read(wake_read, buf, sizeof buf) > 0) {
    }
  }

  Status Run() {
    try {
      Connect();
      std::optional<SteadyClock::time_point> final_deadline;
      while (true) {
        if (preempt_warned.load() && !preempting && !stopping) BeginPreempting();
        if (stop_requested.load() && !stopping) BeginStopping();
        if (stopping && running.empty()) {
          if (!final_deadline)
            final_deadline = SteadyClock::now() + milliseconds(kFinalAckWaitMs);
          if (unacked.empty() || SteadyClock::now() >= *final_deadline) break;
        }
        zmq::pollitem_t items[] = {{socket->handle(), 0, ZMQ_POLLIN, 0},
                                   {nullptr, wake_read, ZMQ_POLLIN, 0}};
        try {
          zmq::poll(items, 2, milliseconds(WaitMs(SteadyClock::now())));
        } catch (const zmq::error_t& e) {
          if (e.num() != EINTR) throw;  // a signal: RequestStop has run
          continue;
        }
        if (items[1].revents & ZMQ_POLLIN) DrainWakeups();
        Receive();
        PollTrials();
        Tick();
      }
    } catch (const zmq::error_t& e) {
      return Status(Code::kUnavailable, "agent " + id + ": " + e.what());
    }
    if (!unacked.empty())
      spdlog::warn("agent {}: exiting with {} reports not acknowledged", id,
                   unacked.size());
    // The coordinator can forget this agent now rather than after its timeout; the
    // socket lingers a little so that the message leaves.
    try {
      socket->set(zmq::sockopt::linger, 500);
      Send(proto::Goodbye{"shut down", true, preempting});
    } catch (const zmq::error_t&) {
    }
    spdlog::info("agent {} stopped", id);
    return Status::Ok();
  }
};

Result<std::unique_ptr<Agent>> Agent::Make(AgentOptions options) {
  if (options.connect.empty()) return Status::Invalid("agent: --connect is required");
  if (options.connect.rfind("tcp://", 0) != 0 && options.connect.rfind("ipc://", 0) != 0)
    return Status::Invalid("agent: invalid coordinator address '" + options.connect +
                           "': expected tcp://HOST:PORT or ipc://PATH");
  if (options.slots < 0) return Status::Invalid("agent: --slots must be at least 1");
  if (options.gpus_per_trial < 0)
    return Status::Invalid("agent: --gpus-per-trial must not be negative");
  if (options.heartbeat_ms <= 0 || options.timeout_ms <= 0 || options.progress_ms <= 0)
    return Status::Invalid("agent: intervals must be positive");
  std::set<int> gpus(options.gpus.begin(), options.gpus.end());
  if (gpus.size() != options.gpus.size() || (!gpus.empty() && *gpus.begin() < 0))
    return Status::Invalid("agent: --gpus must list distinct GPU indexes");
  if (options.gpus_per_trial > static_cast<int>(options.gpus.size()))
    return Status::Invalid("agent: --gpus-per-trial " +
                           std::to_string(options.gpus_per_trial) + " is more than the " +
                           std::to_string(options.gpus.size()) + " GPUs of --gpus");
  if (options.server_key.empty() != options.key.empty())
    return Status::Invalid("agent: --server-key and --key go together");

  auto state = std::make_unique<State>();
  if (!options.server_key.empty()) {
    auto server_key = proto::LoadPublicKey(options.server_key);
    if (!server_key.ok()) return server_key.status();
    auto keys = proto::LoadKeyPair(options.key);
    if (!keys.ok()) return keys.status();
    state->curve = true;
    state->server_key = *server_key;
    state->keys = *keys;
  }
  if (options.name.empty()) options.name = HostName();
  if (options.home.empty()) options.home = DefaultHome();

  int per_gpu = options.gpus.empty() || options.gpus_per_trial == 0
                    ? 0
                    : static_cast<int>(options.gpus.size()) / options.gpus_per_trial;
  state->capacity = options.slots > 0 ? options.slots : std::max(per_gpu, 1);
  if (per_gpu > 0) state->capacity = std::min(state->capacity, per_gpu);
  state->free_gpus = gpus;
  state->id = options.name + "-" + NewRunId().substr(0, 8);
  state->heartbeat_ms = options.heartbeat_ms;
  state->timeout_ms = options.timeout_ms;

  int fds[2];
  if (::pipe2(fds, O_NONBLOCK | O_CLOEXEC) != 0)
    return Status::IoError("agent: cannot make a pipe");
  state->wake_read = fds[0];
  state->wake_write = fds[1];
  state->options = std::move(options);
  return std::unique_ptr<Agent>(new Agent(std::move(state)));
}

Agent::Agent(std::unique_ptr<State> state) : state_(std::move(state)) {}
Agent::~Agent() = default;

const std::string& Agent::id() const { return state_->id; }
int Agent::capacity() const { return state_->capacity; }
Status Agent::Run() { return state_->Run(); }

void Agent::RequestStop() {
  state_->stop_requested.store(true);
  [[maybe_unused]] auto n = ::write(state_->wake_write, "s", 1);
}

void Agent::WarnOfPreemption() {
  state_->preempt_warned.store(true);
  [[maybe_unused]] auto n = ::write(state_->wake_write, "p", 1);
}

}  // namespace salvo
