#include "coordinator/remote.h"

#include <signal.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "common/core/clock.h"
#include "common/core/ids.h"
#include "common/protocol/keys.h"
#include "common/protocol/messages.h"
#include "coordinator/progress.h"
#include "coordinator/store_access.h"
#include "coordinator/table.h"

namespace salvo {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::optional<RemoteSettings> g_remote;
std::atomic<int> g_interrupted{0};

void OnInterrupt(int) { g_interrupted.fetch_add(1); }

std::string RandomHex(int n) {
  std::random_device rd;
  std::mt19937_64 gen(rd());
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s += digits[gen() % 16];
  return s;
}

zmq::context_t& Context() {
  static zmq::context_t ctx;
  return ctx;
}

}  // namespace

Status ConfigureRemote(const Home& home, RemoteSettings cli) {
  RemoteSettings s;
  std::string config = home.dir + "/config.yaml";
  if (fs::exists(config)) {
    try {
      YAML::Node root = YAML::LoadFile(config);
      if (root["coordinator"]) s.url = root["coordinator"].as<std::string>();
      if (root["key"]) s.key_file = root["key"].as<std::string>();
      if (root["server-key"]) s.server_key_file = root["server-key"].as<std::string>();
    } catch (const std::exception& e) {
      return Status::Invalid("cannot read " + config + ": " + e.what());
    }
  }
  auto env = [](const char* name) -> std::string {
    const char* v = std::getenv(name);
    return v ? v : "";
  };
  if (!env("SALVO_COORDINATOR").empty()) s.url = env("SALVO_COORDINATOR");
  if (!env("SALVO_KEY").empty()) s.key_file = env("SALVO_KEY");
  if (!env("SALVO_SERVER_KEY").empty()) s.server_key_file = env("SALVO_SERVER_KEY");
  if (!cli.url.empty()) s.url = cli.url;
  if (!cli.key_file.empty()) s.key_file = cli.key_file;
  if (!cli.server_key_file.empty()) s.server_key_file = cli.server_key_file;
  if (s.url.empty() || s.url == "none" || s.url == "local") {
    g_remote.reset();
    return Status::Ok();
  }
  if (s.url.rfind("tcp://", 0) != 0 && s.url.rfind("ipc://", 0) != 0)
    return Status::Invalid("invalid coordinator address '" + s.url +
                           "': expected tcp://HOST:PORT or ipc://PATH");
  if (s.key_file.empty() != s.server_key_file.empty())
    return Status::Invalid(
        "Curve needs both --key (this client's key pair) and --server-key (the "
        "coordinator's public key)");
  g_remote = s;
  return Status::Ok();
}

const RemoteSettings* Remote() { return g_remote ? &*g_remote : nullptr; }

Result<std::string> RemoteCall(const std::string& request_json, int64_t timeout_ms) {
  if (!g_remote) return Status::Precondition("no coordinator is configured");
  const RemoteSettings& s = *g_remote;
  static std::atomic<uint64_t> next_id{1};
  try {
    zmq::socket_t sock(Context(), zmq::socket_type::dealer);
    sock.set(zmq::sockopt::linger, 0);
    sock.set(zmq::sockopt::routing_id, "client-" + RandomHex(12));
    if (!s.key_file.empty()) {
      auto mine = proto::LoadKeyPair(s.key_file);
      if (!mine.ok()) return mine.status();
      auto server = proto::LoadPublicKey(s.server_key_file);
      if (!server.ok()) return server.status();
      sock.set(zmq::sockopt::curve_serverkey, *server);
      sock.set(zmq::sockopt::curve_publickey, mine->public_key);
      sock.set(zmq::sockopt::curve_secretkey, mine->secret_key);
    }
    // With Curve, a coordinator that does not know this client's key ends the handshake;
    // the socket's monitor tells, so the client can say so instead of waiting it out.
    std::optional<zmq::socket_t> monitor;
    if (!s.key_file.empty()) {
      std::string endpoint = "inproc://salvo-client-monitor-" + RandomHex(8);
      if (zmq_socket_monitor(sock.handle(), endpoint.c_str(),
                             ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                                 ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) == 0) {
        monitor.emplace(Context(), zmq::socket_type::pair);
        monitor->set(zmq::sockopt::linger, 0);
        monitor->connect(endpoint);
      }
    }
    sock.connect(s.url);
    proto::ClientRequest req;
    req.request_id = next_id.fetch_add(1);
    req.json = request_json;
    std::string bytes = proto::Encode(req);
    sock.send(zmq::buffer(bytes), zmq::send_flags::none);
    auto deadline =
        std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms);
    while (true) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) break;
      zmq::pollitem_t items[2] = {
          {sock.handle(), 0, ZMQ_POLLIN, 0},
          {monitor ? monitor->handle() : nullptr, 0, ZMQ_POLLIN, 0}};
      if (zmq::poll(items, monitor ? 2 : 1,
                    std::min(left, std::chrono::milliseconds(200))) <= 0) {
        if (g_interrupted.load() > 1) return Status(Code::kCancelled, "interrupted");
        continue;
      }
      if (monitor && (items[1].revents & ZMQ_POLLIN)) {
        return Status(Code::kUnavailable,
                      "the coordinator at " + s.url + " refused this client's key (" +
                          s.key_file +
                          "): its public key must be on the coordinator's allow-list");
      }
      if (!(items[0].revents & ZMQ_POLLIN)) continue;
      zmq::message_t msg;
      if (!sock.recv(msg, zmq::recv_flags::dontwait)) continue;
      auto decoded = proto::Decode(msg.to_string_view());
      if (!decoded.ok()) continue;
      const auto* reply = std::get_if<proto::ClientReply>(&*decoded);
      if (!reply || reply->request_id != req.request_id) continue;
      if (!reply->ok)
        return Status(reply->error_code > 0 ? static_cast<Code>(reply->error_code)
                                            : Code::kInternal,
                      reply->error);
      return reply->json;
    }
  } catch (const zmq::error_t& e) {
    return Status(Code::kUnavailable,
                  "cannot reach the coordinator at " + s.url + ": " + e.what());
  }
  return Status(Code::kUnavailable, "the coordinator at " + s.url +
                                        " did not answer in " +
                                        std::to_string(timeout_ms / 1000) + " s");
}

// ---------------------------------------------------------------------------------------
// The coordinator's runs as a store.

namespace {

class RemoteStore : public RunStore {
 public:
  Status Load() {
    auto reply = RemoteCall(R"({"cmd":"dump"})");
    if (!reply.ok()) return reply.status();
    json dump = json::parse(*reply, nullptr, false);
    if (dump.is_discarded())
      return Status::Internal("malformed reply from the coordinator");
    auto mem = MakeMemoryStore();
    std::vector<RunRecord> records;
    // Named copies: items() of a temporary would dangle.
    const json record_list = dump.value("records", json::array());
    const json scalar_map = dump.value("scalars", json::object());
    for (const auto& r : record_list) {
      auto rec = RecordFromJson(r.dump());
      if (rec.ok()) records.push_back(std::move(*rec));
    }
    SALVO_RETURN_IF_ERROR(mem->PutMany(records));
    for (const auto& [id, list] : scalar_map.items()) {
      std::vector<ScalarPoint> points;
      for (const auto& p : list)
        if (p.is_array() && p.size() == 3)
          points.push_back({p[0].get<std::string>(), p[1].get<int64_t>(),
                            p[2].is_number() ? p[2].get<double>() : 0.0});
      SALVO_RETURN_IF_ERROR(mem->AppendScalars(id, points));
    }
    mem_ = std::move(mem);
    return Status::Ok();
  }

  Status Put(const RunRecord&) override { return ReadOnly(); }
  Status PutMany(const std::vector<RunRecord>&) override { return ReadOnly(); }
  Result<RunRecord> Get(std::string_view id) override { return mem_->Get(id); }
  Result<std::vector<RunRecord>> List() override { return mem_->List(); }
  Status Delete(const std::vector<std::string>& ids) override {
    auto reply = RemoteCall(json{{"cmd", "rm"}, {"ids", ids}}.dump());
    if (!reply.ok()) return reply.status();
    return mem_->Delete(ids);
  }
  Status AppendScalars(std::string_view, const std::vector<ScalarPoint>&) override {
    return ReadOnly();
  }
  Result<std::vector<ScalarPoint>> Scalars(std::string_view id) override {
    return mem_->Scalars(id);
  }
  Status PutMeta(std::string_view, std::string_view) override { return ReadOnly(); }
  Result<std::string> GetMeta(std::string_view key) override {
    return mem_->GetMeta(key);
  }
  Status Sync() override { return Status::Ok(); }
  Status Refresh() override { return Load(); }
  bool read_only() const override { return false; }

 private:
  static Status ReadOnly() {
    return Status::Precondition("the coordinator's store is written by the coordinator");
  }
  std::unique_ptr<RunStore> mem_;
};

}  // namespace

Result<std::unique_ptr<RunStore>> OpenRemoteStore() {
  auto store = std::make_unique<RemoteStore>();
  SALVO_RETURN_IF_ERROR(store->Load());
  return std::unique_ptr<RunStore>(std::move(store));
}

// ---------------------------------------------------------------------------------------
// RunOptions on the wire.

std::string RunOptionsToJson(const RunOptions& o) {
  json j;
  if (o.operation) j["operation"] = *o.operation;
  j["flag_args"] = o.flag_args;
  if (o.optimizer) j["optimizer"] = *o.optimizer;
  j["optimize"] = o.optimize;
  if (o.max_trials) j["max_trials"] = *o.max_trials;
  if (o.minimize) j["minimize"] = *o.minimize;
  if (o.maximize) j["maximize"] = *o.maximize;
  j["opt_flags"] = o.opt_flags;
  if (o.random_seed) j["random_seed"] = *o.random_seed;
  j["parallel"] = o.parallel;
  j["yes"] = o.yes;
  j["print_trials"] = o.print_trials;
  if (o.save_trials) j["save_trials"] = *o.save_trials;
  if (o.restart) j["restart"] = *o.restart;
  j["fail_on_trial_error"] = o.fail_on_trial_error;
  j["retry_failed"] = o.retry_failed;
  j["refresh_source"] = o.refresh_source;
  if (o.label) j["label"] = *o.label;
  if (o.batch_label) j["batch_label"] = *o.batch_label;
  j["missing_objective_limit"] = o.missing_objective_limit;
  j["quiet"] = true;
  return j.dump();
}

Result<RunOptions> RunOptionsFromJson(const std::string& text) {
  json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return Status::Invalid("malformed run options");
  RunOptions o;
  try {
    if (j.contains("operation")) o.operation = j["operation"].get<std::string>();
    o.flag_args = j.value("flag_args", std::vector<std::string>{});
    if (j.contains("optimizer")) o.optimizer = j["optimizer"].get<std::string>();
    o.optimize = j.value("optimize", false);
    if (j.contains("max_trials")) o.max_trials = j["max_trials"].get<int64_t>();
    if (j.contains("minimize")) o.minimize = j["minimize"].get<std::string>();
    if (j.contains("maximize")) o.maximize = j["maximize"].get<std::string>();
    o.opt_flags = j.value("opt_flags", std::vector<std::string>{});
    if (j.contains("random_seed")) o.random_seed = j["random_seed"].get<uint64_t>();
    o.parallel = j.value("parallel", 1);
    o.yes = j.value("yes", false);
    o.print_trials = j.value("print_trials", false);
    if (j.contains("save_trials")) o.save_trials = j["save_trials"].get<std::string>();
    if (j.contains("restart")) o.restart = j["restart"].get<std::string>();
    o.fail_on_trial_error = j.value("fail_on_trial_error", false);
    o.retry_failed = j.value("retry_failed", false);
    o.refresh_source = j.value("refresh_source", false);
    if (j.contains("label")) o.label = j["label"].get<std::string>();
    if (j.contains("batch_label")) o.batch_label = j["batch_label"].get<std::string>();
    o.missing_objective_limit = j.value("missing_objective_limit", 5);
    o.quiet = true;
  } catch (const json::exception& e) {
    return Status::Invalid(std::string("malformed run options: ") + e.what());
  }
  return o;
}

// ---------------------------------------------------------------------------------------
// Commands.

namespace {

int Fail(const Status& s) {
  if (s.code() == Code::kInvalidArgument || s.code() == Code::kNotFound)
    return UsageError(s.message());
  std::cerr << "salvo: error: " << s.message() << "\n";
  return s.code() == Code::kUnavailable ? 2 : 1;
}

// Follows a batch on the coordinator until it ends, printing a line per trial that
// ends and, on a terminal, the progress line. Ctrl-C asks the coordinator to stop it.
int Follow(const std::string& batch_id) {
  struct sigaction sa {};
  sa.sa_handler = OnInterrupt;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  std::unique_ptr<Progress> progress;
  std::set<std::string> seen_ended, seen_started;
  bool stop_sent = false;
  int64_t ended_since_us = 0;
  auto last_ok = std::chrono::steady_clock::now();
  while (true) {
    if (g_interrupted.load() && !stop_sent) {
      if (progress) progress->Hide();
      std::cerr << "Stopping batch " << ShortId(batch_id) << " on the coordinator\n";
      (void)RemoteCall(json{{"cmd", "stop"}, {"ids", {batch_id}}}.dump(), 5000);
      stop_sent = true;
    }
    // Objectives only of trials that ended since the last answer (with a margin for
    // records written just after it was made).
    auto reply = RemoteCall(
        json{{"cmd", "batch"}, {"id", batch_id}, {"ended_since_us", ended_since_us}}
            .dump(),
        5000);
    if (!reply.ok()) {
      if (std::chrono::steady_clock::now() - last_ok > std::chrono::seconds(120)) {
        std::cerr << "salvo: error: lost the coordinator (" << reply.status().message()
                  << "); batch " << ShortId(batch_id)
                  << " goes on there; follow it with 'salvo runs'\n";
        return 1;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
      continue;
    }
    last_ok = std::chrono::steady_clock::now();
    json state = json::parse(*reply, nullptr, false);
    if (state.is_discarded()) {
      std::cerr << "salvo: error: unreadable answer from the coordinator about batch "
                << ShortId(batch_id) << ": '" << reply->substr(0, 200) << "'\n";
      return 1;
    }
    // Trials that ended before this answer are seen now; later answers need only the
    // objectives of trials that end afterwards.
    ended_since_us = std::max<int64_t>(0, state.value("now_us", int64_t{0}) - 5'000'000);
    const json& batch = state["batch"];
    if (!progress) {
      ProgressOptions po;
      po.terminal = isatty(STDERR_FILENO);
      po.parallel = std::max(1, batch.value("parallel", 1));
      po.objective = batch.value("objective", "loss");
      po.maximize = batch.value("maximize", false);
      progress = std::make_unique<Progress>(std::cerr, SystemClock(), po);
      int64_t done = 0;
      for (const auto& t : state["trials"]) {
        std::string status = t.value("status", "");
        if (status != "running" && status != "pending") {
          seen_ended.insert(t.value("id", ""));
          ++done;
        }
      }
      progress->SetAlreadyDone(done);
    }
    int64_t total = std::max<int64_t>(batch.value("max_trials", 0),
                                      static_cast<int64_t>(state["trials"].size()));
    progress->SetTotal(total);
    for (const auto& t : state["trials"]) {
      std::string id = t.value("id", ""), status = t.value("status", "");
      if (status == "running" && seen_started.insert(id).second)
        progress->TrialStarted(id);
      if (status == "running" || status == "pending" || seen_ended.count(id)) continue;
      seen_ended.insert(id);
      TrialOutcome out;
      out.id = id;
      out.flags = t.value("label", "");
      if (t.contains("objective") && t["objective"].is_number())
        out.objective = t["objective"].get<double>();
      out.status = status;
      out.reason = t.value("reason", "");
      out.failed = status == "error" || status == "timeout";
      progress->TrialEnded(out);
    }
    if (state.value("done", false)) {
      progress->Hide();
      std::cout << state.value("summary", "") << std::flush;
      if (stop_sent) return 130;
      return state.value("exit", 1);
    }
    progress->Refresh();
    std::this_thread::sleep_for(std::chrono::milliseconds(250));
  }
}

// Sends the run request; prints what the coordinator printed. Returns the reply.
Result<json> SendRun(RunOptions options) {
  json body{{"cmd", "run"},
            {"options", json::parse(RunOptionsToJson(options))},
            {"cwd", fs::current_path().string()}};
  if (const char* p = std::getenv("SALVO_PYTHON"); p && *p) body["python"] = p;
  auto reply = RemoteCall(body.dump(), 120000);
  if (!reply.ok()) return reply.status();
  json j = json::parse(*reply, nullptr, false);
  if (j.is_discarded()) return Status::Internal("malformed reply from the coordinator");
  std::cout << j.value("out", "") << std::flush;
  std::cerr << j.value("err", "") << std::flush;
  return j;
}

}  // namespace

int RemoteRun(const RunOptions& given) {
  // A coordinator runs its batches' trials on its agents; Slurm jobs per trial are
  // submitted by `salvo run` itself.
  if (given.backend && *given.backend != "agents" && *given.backend != "local") {
    return UsageError("--backend " + *given.backend +
                      " is not run through a coordinator (its trials go to its agents); "
                      "unset SALVO_COORDINATOR and --coordinator to submit Slurm jobs, "
                      "or start agents as Slurm jobs with 'salvo slurm agents'");
  }
  RunOptions options = given;
  // Batch files are read by the coordinator: name them by absolute path.
  for (auto& arg : options.flag_args)
    if (arg.size() > 1 && arg[0] == '@' && arg[1] != '/')
      arg = "@" + (fs::current_path() / arg.substr(1)).string();
  if (options.save_trials && !fs::path(*options.save_trials).is_absolute())
    options.save_trials = (fs::current_path() / *options.save_trials).string();
  bool just_print = options.print_trials || options.save_trials;
  if (!options.yes && !just_print) {
    // The coordinator plans and prints the prompt; the answer is given here.
    auto asked = SendRun(options);
    if (!asked.ok()) return Fail(asked.status());
    if (int rc = asked->value("exit", 1); rc != 0) return rc;
    std::string answer;
    if (!std::getline(std::cin, answer)) {
      std::cout << "\n";
      std::cerr << "salvo: no answer at the prompt (use -y to run without asking)\n";
      return 1;
    }
    if (!(answer.empty() || answer == "y" || answer == "Y" || answer == "yes")) return 1;
    options.yes = true;
  }
  auto started = SendRun(options);
  if (!started.ok()) return Fail(started.status());
  std::string batch = started->value("batch", "");
  if (batch.empty()) return started->value("exit", 1);
  if (given.background) {
    std::cout << "Batch " << ShortId(batch) << " runs on the coordinator; follow it with "
              << "'salvo runs' or stop it with 'salvo stop " << ShortId(batch) << "'\n";
    return 0;
  }
  return Follow(batch);
}

int RemoteStop(const StopOptions& options) {
  auto store = OpenRemoteStore();
  if (!store.ok()) return Fail(store.status());
  auto all = (*store)->List();
  if (!all.ok()) return Fail(all.status());
  std::vector<std::string> ids;
  for (const auto& spec : options.runs) {
    std::vector<std::string> matches;
    for (const auto& r : *all)
      if (r.id.rfind(spec, 0) == 0) matches.push_back(r.id);
    if (matches.empty())
      return UsageError("could not find a run matching '" + spec + "'",
                        "Try 'salvo runs' for a list of runs.");
    if (matches.size() > 1) {
      std::string list;
      for (const auto& m : matches) list += " " + ShortId(m);
      return UsageError("'" + spec + "' matches " + std::to_string(matches.size()) +
                        " runs:" + list);
    }
    ids.push_back(matches[0]);
  }
  auto reply = RemoteCall(json{{"cmd", "stop"}, {"ids", ids}}.dump());
  if (!reply.ok()) return Fail(reply.status());
  json j = json::parse(*reply, nullptr, false);
  std::vector<std::string> stopped = j.value("stopped", std::vector<std::string>{});
  for (const auto& id : stopped) std::cout << "Stopping " << ShortId(id) << "\n";
  if (stopped.empty()) std::cout << "Nothing to stop\n";
  // Wait until the coordinator records them stopped.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!stopped.empty() && std::chrono::steady_clock::now() < deadline) {
    auto fresh = OpenRemoteStore();
    bool running = false;
    if (fresh.ok())
      for (const auto& id : stopped) {
        auto r = (*fresh)->Get(id);
        running |= r.ok() && r->status == RunStatus::kRunning;
      }
    if (!running) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (stopped.empty()) return 0;
  std::cerr << "salvo: warning: the runs have not stopped yet\n";
  return 1;
}

int RemoteAgents(bool json_out) {
  if (!Remote())
    return UsageError(
        "salvo agents needs a coordinator (--coordinator URL or SALVO_COORDINATOR)");
  auto reply = RemoteCall(R"({"cmd":"agents"})");
  if (!reply.ok()) return Fail(reply.status());
  json agents = json::parse(*reply, nullptr, false);
  if (!agents.is_array()) {
    std::cerr << "salvo: error: unreadable answer from the coordinator\n";
    return 1;
  }
  if (json_out) {
    std::cout << agents.dump(2) << "\n";
    return 0;
  }
  std::vector<std::vector<std::string>> rows = {
      {"agent", "host", "slots", "running", "completed", "failed", "state"}};
  for (const json& a : agents) {
    std::string state = a.value("paused", false)      ? "paused (fast failures)"
                        : a.value("preempted", false) ? "leaving (preempted)"
                        : a.value("leaving", false)   ? "leaving"
                                                      : "active";
    rows.push_back(
        {a.value("name", ""), a.value("host", ""), std::to_string(a.value("slots", 0)),
         std::to_string(a.value("running", 0)), std::to_string(a.value("completed", 0)),
         std::to_string(a.value("failed", 0)), state});
  }
  WriteAligned(std::cout, rows);
  return 0;
}

int RemoteCat(const std::string& run_id) {
  auto reply = RemoteCall(json{{"cmd", "cat"}, {"id", run_id}}.dump());
  if (!reply.ok()) return Fail(reply.status());
  json j = json::parse(*reply, nullptr, false);
  std::cout << j.value("output", "") << std::flush;
  return 0;
}

}  // namespace salvo
