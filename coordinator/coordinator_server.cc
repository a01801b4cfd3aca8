#include "coordinator/coordinator_server.h"

#include <signal.h>
#include <spdlog/spdlog.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>
#include <zmq.hpp>

#include "common/core/clock.h"
#include "common/core/ids.h"
#include "common/protocol/keys.h"
#include "common/protocol/messages.h"
#include "coordinator/agent_pool.h"
#include "coordinator/batch_plan.h"
#include "coordinator/remote.h"
#include "coordinator/run_context.h"
#include "coordinator/store_access.h"

namespace salvo {
namespace fs = std::filesystem;
using json = nlohmann::json;

namespace {

std::atomic<bool> g_shutdown{false};
void OnShutdown(int) { g_shutdown.store(true); }

int64_t NowUs() { return SystemClock().NowMicros(); }

bool IsLoopback(const std::string& url) {
  if (url.rfind("ipc://", 0) == 0 || url.rfind("inproc://", 0) == 0) return true;
  for (const char* p : {"tcp://127.", "tcp://localhost:", "tcp://[::1]:"})
    if (url.rfind(p, 0) == 0) return true;
  return false;
}

// The settings: defaults, then the config file, then the command line.
struct Settings {
  std::string bind = "tcp://127.0.0.1:5555";
  std::string key_file, allow_file;
  PoolOptions pool;
  int max_lost_attempts = 3;
};

Result<Settings> ResolveSettings(const CoordinatorOptions& o) {
  Settings s;
  if (o.config) {
    YAML::Node root;
    try {
      root = YAML::LoadFile(*o.config);
    } catch (const std::exception& e) {
      return Status::Invalid("cannot read " + *o.config + ": " + e.what());
    }
    if (root && !root.IsMap() && !root.IsNull())
      return Status::Invalid(*o.config + ": expected a map of settings");
    static const std::set<std::string> known = {"bind",
                                                "key",
                                                "allow",
                                                "heartbeat-ms",
                                                "timeout-ms",
                                                "fast-failure-limit",
                                                "fast-failure-ms",
                                                "max-lost-attempts",
                                                "stop-grace-ms"};
    try {
      for (const auto& kv : root) {
        std::string key = kv.first.as<std::string>();
        if (!known.count(key))
          spdlog::warn("{}: unknown setting '{}' ignored", *o.config, key);
      }
      if (root["bind"]) s.bind = root["bind"].as<std::string>();
      if (root["key"]) s.key_file = root["key"].as<std::string>();
      if (root["allow"]) s.allow_file = root["allow"].as<std::string>();
      if (root["heartbeat-ms"]) s.pool.heartbeat_ms = root["heartbeat-ms"].as<int64_t>();
      if (root["timeout-ms"]) s.pool.timeout_ms = root["timeout-ms"].as<int64_t>();
      if (root["fast-failure-limit"])
        s.pool.fast_failure_limit = root["fast-failure-limit"].as<int>();
      if (root["fast-failure-ms"])
        s.pool.fast_failure_ms = root["fast-failure-ms"].as<int64_t>();
      if (root["max-lost-attempts"])
        s.max_lost_attempts = root["max-lost-attempts"].as<int>();
      if (root["stop-grace-ms"])
        s.pool.stop_grace_ms = root["stop-grace-ms"].as<int64_t>();
    } catch (const std::exception& e) {
      return Status::Invalid(*o.config + ": " + e.what());
    }
  }
  if (o.bind) s.bind = *o.bind;
  if (o.key_file) s.key_file = *o.key_file;
  if (o.allow_file) s.allow_file = *o.allow_file;
  if (o.heartbeat_ms) s.pool.heartbeat_ms = *o.heartbeat_ms;
  if (o.timeout_ms) s.pool.timeout_ms = *o.timeout_ms;
  if (o.fast_failure_limit) s.pool.fast_failure_limit = *o.fast_failure_limit;
  if (o.fast_failure_ms) s.pool.fast_failure_ms = *o.fast_failure_ms;
  if (o.max_lost_attempts) s.max_lost_attempts = *o.max_lost_attempts;
  if (o.stop_grace_ms) s.pool.stop_grace_ms = *o.stop_grace_ms;
  if (s.pool.heartbeat_ms < 10)
    return Status::Invalid("heartbeat-ms must be at least 10");
  if (s.pool.timeout_ms < 2 * s.pool.heartbeat_ms)
    return Status::Invalid("timeout-ms must be at least twice heartbeat-ms");
  if (s.max_lost_attempts < 0) return Status::Invalid("max-lost-attempts must be >= 0");
  if (s.bind.rfind("tcp://", 0) != 0 && s.bind.rfind("ipc://", 0) != 0)
    return Status::Invalid("cannot bind '" + s.bind +
                           "': expected tcp://HOST:PORT or ipc://PATH");
  if (s.key_file.empty() && !IsLoopback(s.bind))
    return Status::Invalid(
        "refusing to bind " + s.bind +
        " without keys: agents and clients must authenticate off "
        "loopback\nTry 'salvo keygen --out coordinator' and --key "
        "coordinator.key --allow allowed.pub, or bind tcp://127.0.0.1.");
  if (!s.key_file.empty() && s.allow_file.empty())
    return Status::Invalid(
        "--key needs --allow FILE, the public keys allowed to connect");
  return s;
}

// Answers ZeroMQ's authentication requests: a Curve client is let in when its public
// key is on the allow-list. Runs on its own thread for the process's lifetime.
void RunZapHandler(zmq::context_t* ctx, std::set<std::string> allowed,
                   std::atomic<bool>* ready) {
  zmq::socket_t zap(*ctx, zmq::socket_type::rep);
  zap.bind("inproc://zeromq.zap.01");
  ready->store(true);
  while (!g_shutdown.load()) {
    std::vector<zmq::message_t> frames;
    zmq::pollitem_t item{zap.handle(), 0, ZMQ_POLLIN, 0};
    try {
      if (zmq::poll(&item, 1, std::chrono::milliseconds(200)) <= 0) continue;
      while (true) {
        zmq::message_t f;
        if (!zap.recv(f)) break;
        bool more = f.more();
        frames.push_back(std::move(f));
        if (!more) break;
      }
    } catch (const zmq::error_t&) {
      break;
    }
    if (frames.size() < 6) continue;
    std::string version = frames[0].to_string();
    std::string request_id = frames[1].to_string();
    std::string address = frames[3].to_string();
    std::string mechanism = frames[5].to_string();
    std::string key_z85;
    if (mechanism == "CURVE" && frames.size() >= 7 && frames[6].size() == 32) {
      char buf[41] = {0};
      zmq_z85_encode(buf, static_cast<const uint8_t*>(frames[6].data()), 32);
      key_z85 = buf;
    }
    bool ok = !key_z85.empty() && allowed.count(key_z85);
    if (!ok)
      spdlog::warn("Refused a connection from {}: {}", address.empty() ? "?" : address,
                   key_z85.empty() ? "no Curve key"
                                   : "key " + key_z85 + " is not on the allow-list");
    std::vector<std::string> reply = {
        version,           request_id, ok ? "200" : "400", ok ? "OK" : "key not allowed",
        ok ? key_z85 : "", ""};
    for (size_t i = 0; i < reply.size(); ++i)
      zap.send(zmq::buffer(reply[i]),
               i + 1 < reply.size() ? zmq::send_flags::sndmore : zmq::send_flags::none);
  }
}

// A batch this coordinator runs: its engine while it runs, its summary once done.
struct BatchSlot {
  BatchEngine* engine = nullptr;  // guarded by Server::mu_
  bool done = false;
  int exit_code = 0;
  std::string summary;
};

class Server {
 public:
  Server(Settings settings, Home home, std::unique_ptr<RunStore> store,
         std::string launcher)
      : settings_(std::move(settings)),
        home_(std::move(home)),
        store_(std::move(store)),
        launcher_(std::move(launcher)),
        id_(NewRunId().substr(0, 12)) {
    pool_ = std::make_shared<AgentPool>(settings_.pool, id_, home_.runs_dir());
  }

  int Run();

 private:
  void Resume();
  void HandleClient(const std::string& identity, const proto::ClientRequest& req);
  void Reply(const std::string& identity, uint64_t request_id, Result<json> result);
  void StartRun(const std::string& identity, uint64_t request_id, json body);
  int RunBatchHere(const BatchPlan& plan, RunRecord& batch, int64_t target, int parallel);
  // The batch's slot in batches_, made when missing or done (a restart of the batch).
  std::shared_ptr<BatchSlot> Register(const std::string& batch_id);
  Result<json> Dump();
  Result<json> BatchState(const std::string& id, int64_t ended_since_us);
  Result<json> Stop(const json& body);
  Result<json> Remove(const json& body);
  Result<json> Cat(const json& body);

  Settings settings_;
  Home home_;
  std::unique_ptr<RunStore> store_;
  std::string launcher_;
  std::string id_;
  std::shared_ptr<AgentPool> pool_;
  std::mutex mu_;
  std::map<std::string, std::shared_ptr<BatchSlot>> batches_;
};

void Server::Reply(const std::string& identity, uint64_t request_id,
                   Result<json> result) {
  proto::ClientReply reply;
  reply.request_id = request_id;
  if (result.ok()) {
    reply.json = result->dump();
  } else {
    reply.ok = false;
    reply.error = result.status().message();
    reply.error_code = static_cast<int>(result.status().code());
  }
  pool_->Post(identity, proto::Encode(reply));
}

std::shared_ptr<BatchSlot> Server::Register(const std::string& batch_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& slot = batches_[batch_id];
  if (!slot || slot->done) slot = std::make_shared<BatchSlot>();
  return slot;
}

int Server::RunBatchHere(const BatchPlan& plan, RunRecord& batch, int64_t target,
                         int parallel) {
  std::shared_ptr<BatchSlot> slot = Register(batch.id);
  EngineOptions eo;
  eo.home = home_;
  eo.launcher_path = launcher_;
  eo.parallel = parallel;
  eo.echo_output = false;
  eo.use_global_stop = false;
  eo.max_lost_attempts = settings_.max_lost_attempts;
  eo.stop_grace_ms = settings_.pool.stop_grace_ms;
  eo.executor = std::shared_ptr<Executor>(MakeAgentExecutor(pool_, launcher_, home_.dir));
  BatchEngine engine(*store_, eo);
  {
    std::lock_guard<std::mutex> lock(mu_);
    slot->engine = &engine;
  }
  spdlog::info("Batch {} started: {} (max {} trials)", ShortId(batch.id), batch.operation,
               target);
  BatchEnd end = engine.RunBatch(plan, batch, target);
  std::string summary = BatchSummaryText(*store_, batch, plan);
  int code = ExitForBatchEnd(end);
  spdlog::info("Batch {} ended {}: {}", ShortId(batch.id), RunStatusName(batch.status),
               summary.substr(0, summary.find('\n')));
  std::lock_guard<std::mutex> lock(mu_);
  slot->engine = nullptr;
  slot->done = true;
  slot->exit_code = code;
  slot->summary = summary;
  return code;
}

void Server::StartRun(const std::string& identity, uint64_t request_id, json body) {
  std::thread([this, identity, request_id, body = std::move(body)] {
    auto options = RunOptionsFromJson(body.value("options", json::object()).dump());
    if (!options.ok()) return Reply(identity, request_id, options.status());
    std::ostringstream out, err;
    RunContext ctx;
    ctx.out = &out;
    ctx.err = &err;
    ctx.store = store_.get();
    ctx.cwd = body.value("cwd", "");
    ctx.python = body.value("python", "");
    bool replied = false;
    ctx.launch = [&](const BatchPlan& plan, RunRecord& batch, int64_t target,
                     int parallel) {
      // Known before the client hears of it, so its first question finds it running.
      Register(batch.id);
      Reply(
          identity, request_id,
          json{{"exit", 0}, {"out", out.str()}, {"err", err.str()}, {"batch", batch.id}});
      replied = true;
      return RunBatchHere(plan, batch, target, parallel);
    };
    ScopedRunContext scope(&ctx);
    int rc = CmdRun(*options);
    if (!replied)
      Reply(identity, request_id,
            json{{"exit", rc}, {"out", out.str()}, {"err", err.str()}});
  }).detach();
}

Result<json> Server::Dump() {
  auto all = store_->List();
  if (!all.ok()) return all.status();
  json records = json::array();
  json scalars = json::object();
  for (const auto& r : *all) {
    records.push_back(json::parse(RecordToJson(r)));
    auto points = store_->Scalars(r.id);
    if (!points.ok() || points->empty()) continue;
    json list = json::array();
    for (const auto& p : *points) list.push_back(json::array({p.tag, p.step, p.value}));
    scalars[r.id] = std::move(list);
  }
  return json{{"records", records},
              {"scalars", scalars},
              {"agents", json::parse(pool_->AgentsJson())},
              {"coordinator", id_}};
}

// What a following client shows of each trial. The objective is read only for trials
// that ended at or after `ended_since_us`: a client asks again every fraction of a
// second, and reading every trial's scalars each time would make a long batch cost the
// square of its length.
Result<json> Server::BatchState(const std::string& id, int64_t ended_since_us) {
  auto batch = store_->Get(id);
  if (!batch.ok()) return batch.status();
  int64_t now_us = NowUs();
  auto all = store_->List();
  if (!all.ok()) return all.status();
  json trials = json::array();
  for (const auto& r : *all) {
    if (r.kind != RunKind::kTrial || r.batch_id != id) continue;
    json t{{"id", r.id},
           {"status", std::string(RunStatusName(r.status))},
           {"label", r.label},
           {"reason", r.reason},
           {"attempt", r.attempt}};
    if (r.status == RunStatus::kCompleted && r.stopped_us >= ended_since_us) {
      auto points = store_->Scalars(r.id);
      if (points.ok())
        for (const auto& p : *points)
          if (p.tag == batch->objective) t["objective"] = p.value;
    }
    trials.push_back(std::move(t));
  }
  json out{{"batch", json::parse(RecordToJson(*batch))},
           {"trials", trials},
           {"now_us", now_us}};
  std::lock_guard<std::mutex> lock(mu_);
  if (auto it = batches_.find(id); it != batches_.end()) {
    out["done"] = it->second->done;
    out["exit"] = it->second->exit_code;
    out["summary"] = it->second->summary;
  } else {
    // Not (yet, or no longer) one of this coordinator's: a batch just submitted is
    // still pending in the store until its engine starts.
    out["done"] =
        batch->status != RunStatus::kRunning && batch->status != RunStatus::kPending;
    out["exit"] = batch->status == RunStatus::kCompleted ? 0 : 1;
  }
  return out;
}

Result<json> Server::Stop(const json& body) {
  auto all = store_->List();
  if (!all.ok()) return all.status();
  std::vector<std::string> ids = body.value("ids", std::vector<std::string>{});
  json stopped = json::array();
  std::lock_guard<std::mutex> lock(mu_);
  auto engine_of = [&](const std::string& batch_id) -> BatchEngine* {
    auto it = batches_.find(batch_id);
    return it == batches_.end() ? nullptr : it->second->engine;
  };
  if (ids.empty()) {
    for (const auto& [id, slot] : batches_)
      if (slot->engine) ids.push_back(id);
  }
  for (const auto& id : ids) {
    auto r = store_->Get(id);
    if (!r.ok()) return Status::NotFound("could not find a run matching '" + id + "'");
    if (r->kind == RunKind::kBatch) {
      if (BatchEngine* e = engine_of(id)) {
        spdlog::info("Stopping batch {} (salvo stop)", ShortId(id));
        e->Stop(1);
        stopped.push_back(id);
      }
    } else if (r->kind == RunKind::kTrial) {
      if (BatchEngine* e = engine_of(r->batch_id)) {
        e->StopTrial(id);
        stopped.push_back(id);
      }
    }
  }
  return json{{"stopped", stopped}};
}

Result<json> Server::Remove(const json& body) {
  std::vector<std::string> ids = body.value("ids", std::vector<std::string>{});
  // Only full run ids: the id names a folder under the runs folder, so "..", a path or a
  // short id must never get that far.
  for (const auto& id : ids) {
    if (id.size() != 32 || !IsHex(id))
      return Status::Invalid("'" + id + "' is not a full run id (32 hex digits)");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& id : ids) {
      auto it = batches_.find(id);
      if (it != batches_.end() && it->second->engine)
        return Status::Invalid("run " + ShortId(id) +
                               " is running; it cannot be deleted");
    }
  }
  SALVO_RETURN_IF_ERROR(store_->Delete(ids));
  for (const auto& id : ids) {
    std::error_code ec;
    fs::remove_all(home_.run_dir(id), ec);
  }
  spdlog::info("Deleted {} run(s)", ids.size());
  return json{{"deleted", ids.size()}};
}

Result<json> Server::Cat(const json& body) {
  std::string id = body.value("id", "");
  std::ifstream in(home_.run_dir(id) + "/output", std::ios::binary);
  if (!in) return Status::NotFound("run " + ShortId(id) + " has no output log");
  std::ostringstream text;
  text << in.rdbuf();
  return json{{"output", text.str()}};
}

void Server::HandleClient(const std::string& identity, const proto::ClientRequest& req) {
  json body = json::parse(req.json, nullptr, false);
  if (body.is_discarded() || !body.is_object() || !body.contains("cmd") ||
      !body["cmd"].is_string()) {
    spdlog::warn("dropped a client request from {}: not a JSON object with a cmd",
                 identity);
    return Reply(identity, req.request_id, Status::Invalid("malformed request"));
  }
  std::string cmd = body["cmd"];
  spdlog::debug("client {}: {}", identity, cmd);
  try {
    if (cmd == "run") return StartRun(identity, req.request_id, std::move(body));
    if (cmd == "ping")
      return Reply(identity, req.request_id,
                   json{{"coordinator", id_}, {"pid", getpid()}, {"home", home_.dir}});
    if (cmd == "dump") return Reply(identity, req.request_id, Dump());
    if (cmd == "agents")
      return Reply(identity, req.request_id, json::parse(pool_->AgentsJson()));
    if (cmd == "batch")
      return Reply(identity, req.request_id,
                   BatchState(body.value("id", ""), body.value("ended_since_us", 0)));
    if (cmd == "stop") return Reply(identity, req.request_id, Stop(body));
    if (cmd == "rm") return Reply(identity, req.request_id, Remove(body));
    if (cmd == "cat") return Reply(identity, req.request_id, Cat(body));
  } catch (const json::exception& e) {
    return Reply(identity, req.request_id,
                 Status::Invalid(std::string("malformed request: ") + e.what()));
  }
  Reply(identity, req.request_id, Status::Invalid("unknown request '" + cmd + "'"));
}

// Batches this coordinator was running when it stopped go on; trials the store shows
// running on agents are adopted before any agent's hello is read.
void Server::Resume() {
  auto all = store_->List();
  if (!all.ok()) return;
  std::vector<RunRecord> resume;
  for (const auto& r : *all) {
    if (r.kind == RunKind::kTrial && r.status == RunStatus::kRunning &&
        r.executor == "agents")
      pool_->Adopt(r, nullptr);
    if (r.kind == RunKind::kBatch && r.status == RunStatus::kRunning &&
        r.backend == "agents")
      resume.push_back(r);
  }
  for (auto& batch : resume) {
    auto plan = PlanFromBatch(batch);
    if (!plan.ok()) {
      spdlog::error("cannot resume batch {}: {}", ShortId(batch.id),
                    plan.status().message());
      continue;
    }
    int running = 0, pending = 0;
    for (const auto& r : *all) {
      if (r.kind != RunKind::kTrial || r.batch_id != batch.id) continue;
      running += r.status == RunStatus::kRunning;
      pending += r.status == RunStatus::kPending;
    }
    spdlog::info("Resuming batch {}: {} trial(s) were running, {} pending",
                 ShortId(batch.id), running, pending);
    std::thread([this, batch, plan = std::move(*plan)]() mutable {
      RunBatchHere(plan, batch, batch.max_trials, std::max(1, batch.parallel));
    }).detach();
  }
}

int Server::Run() {
  zmq::context_t ctx;
  std::thread zap;
  proto::CurveKeyPair keys;
  if (!settings_.key_file.empty()) {
    auto loaded = proto::LoadKeyPair(settings_.key_file);
    if (!loaded.ok()) return UsageError(loaded.status().message());
    keys = *loaded;
    auto allowed = proto::LoadPublicKeys(settings_.allow_file);
    if (!allowed.ok()) return UsageError(allowed.status().message());
    std::atomic<bool> ready{false};
    zap = std::thread(RunZapHandler, &ctx,
                      std::set<std::string>(allowed->begin(), allowed->end()), &ready);
    while (!ready.load()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
    spdlog::info("CurveZMQ on: {} allowed key(s)", allowed->size());
  }
  zmq::socket_t router(ctx, zmq::socket_type::router);
  router.set(zmq::sockopt::linger, 0);
  router.set(zmq::sockopt::router_handover, 1);
  router.set(zmq::sockopt::maxmsgsize, static_cast<int64_t>(proto::kMaxMessageBytes));
  if (!keys.secret_key.empty()) {
    router.set(zmq::sockopt::curve_server, 1);
    router.set(zmq::sockopt::curve_secretkey, keys.secret_key);
    router.set(zmq::sockopt::zap_domain, "salvo");
  }
  try {
    router.bind(settings_.bind);
  } catch (const zmq::error_t& e) {
    return UsageError("cannot bind " + settings_.bind + ": " + e.what());
  }
  Resume();
  spdlog::info("Coordinator {} serving {} on {} (pid {})", id_, home_.dir, settings_.bind,
               getpid());

  while (!g_shutdown.load()) {
    zmq::pollitem_t items[] = {{router.handle(), 0, ZMQ_POLLIN, 0},
                               {nullptr, pool_->wake_fd(), ZMQ_POLLIN, 0}};
    try {
      zmq::poll(items, 2, std::chrono::milliseconds(100));
    } catch (const zmq::error_t& e) {
      if (e.num() == EINTR) continue;
      throw;
    }
    int64_t now = NowUs();
    // Everything waiting on the socket, without blocking.
    for (int budget = 0; budget < 10000; ++budget) {
      zmq::message_t identity, payload;
      if (!router.recv(identity, zmq::recv_flags::dontwait)) break;
      std::vector<zmq::message_t> rest;
      while (identity.more() || (!rest.empty() && rest.back().more())) {
        zmq::message_t part;
        if (!router.recv(part, zmq::recv_flags::dontwait)) break;
        bool more = part.more();
        rest.push_back(std::move(part));
        if (!more) break;
      }
      std::string who = identity.to_string();
      if (rest.size() != 1) {
        spdlog::warn("dropped a message of {} frame(s) from {}", rest.size() + 1, who);
        continue;
      }
      auto decoded = proto::Decode(rest[0].to_string_view());
      if (!decoded.ok()) {
        spdlog::warn("dropped a message from {}: {}", who, decoded.status().message());
        continue;
      }
      if (const auto* req = std::get_if<proto::ClientRequest>(&*decoded)) {
        HandleClient(who, *req);
      } else {
        pool_->OnMessage(who, *decoded, now);
      }
    }
    pool_->Tick(NowUs());
    for (auto& out : pool_->TakeOutbound()) {
      try {
        router.send(zmq::buffer(out.identity),
                    zmq::send_flags::sndmore | zmq::send_flags::dontwait);
        router.send(zmq::buffer(out.bytes), zmq::send_flags::dontwait);
      } catch (const zmq::error_t& e) {
        spdlog::debug("cannot send to {}: {}", out.identity, e.what());
      }
    }
  }
  spdlog::info("Coordinator {} stopping; its batches go on when it starts again", id_);
  (void)store_->Sync();
  std::cout.flush();
  // Batch threads and agents carry on from the store at the next start.
  _exit(0);
}

}  // namespace

int CmdCoordinator(const CoordinatorOptions& options) {
  auto settings = ResolveSettings(options);
  if (!settings.ok()) return UsageError(settings.status().message());
  Home home = ResolveHome();
  // CmdRun, run for clients, resolves the same home.
  setenv("SALVO_HOME", home.dir.c_str(), 1);
  auto launcher = InstallLauncher(home.dir + "/lib");
  if (!launcher.ok()) return UsageError(launcher.status().message());
  auto store = OpenStoreForWrite(home, "salvo coordinator");
  if (!store.ok()) return UsageError(store.status().message());
  struct sigaction sa {};
  sa.sa_handler = OnShutdown;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);
  signal(SIGPIPE, SIG_IGN);
  Server server(std::move(*settings), home, std::move(*store), *launcher);
  return server.Run();
}

}  // namespace salvo
