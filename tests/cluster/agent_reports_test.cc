// The agent daemon against a coordinator played by the test (a ROUTER on ipc://): it
// keeps each report until acked, says which attempts it holds when it reconnects, and
// sends the unacked reports again, with their numbers, after the new Welcome.

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <set>
#include <thread>
#include <zmq.hpp>

#include "agent/agent.h"
#include "common/protocol/messages.h"

namespace salvo {
namespace {
namespace fs = std::filesystem;
using std::chrono::milliseconds;
using Clock = std::chrono::steady_clock;

class FakeCoordinator {
 public:
  explicit FakeCoordinator(const std::string& url)
      : router_(ctx_, zmq::socket_type::router) {
    router_.set(zmq::sockopt::linger, 0);
    router_.set(zmq::sockopt::router_handover, 1);
    router_.bind(url);
  }

  // The next message of type T within `timeout` (others are skipped), with its sender.
  template <class T>
  std::optional<T> Next(milliseconds timeout, std::string* from = nullptr) {
    auto deadline = Clock::now() + timeout;
    while (Clock::now() < deadline) {
      zmq::pollitem_t item{router_.handle(), 0, ZMQ_POLLIN, 0};
      zmq::poll(&item, 1, milliseconds(20));
      zmq::message_t identity, body;
      if (!router_.recv(identity, zmq::recv_flags::dontwait)) continue;
      if (!router_.recv(body, zmq::recv_flags::dontwait)) continue;
      auto m = proto::Decode(body.to_string_view());
      if (!m.ok() || !std::holds_alternative<T>(*m)) continue;
      identity_ = identity.to_string();
      if (from) *from = identity_;
      return std::get<T>(*m);
    }
    return std::nullopt;
  }

  void Send(const proto::Message& m) {
    std::string bytes = proto::Encode(m);
    router_.send(zmq::buffer(identity_), zmq::send_flags::sndmore);
    router_.send(zmq::buffer(bytes), zmq::send_flags::none);
  }

  void Welcome() {
    proto::Welcome w;
    w.coordinator_id = "fake";
    w.heartbeat_ms = 50;
    w.timeout_ms = 400;
    Send(w);
  }

 private:
  zmq::context_t ctx_;
  zmq::socket_t router_;
  std::string identity_;
};

class AgentReportsTest : public ::testing::Test {
 protected:
  AgentReportsTest()
      : dir_(fs::temp_directory_path() / ("salvo-agent-" + std::to_string(::getpid()))) {
    fs::create_directories(dir_);
  }
  ~AgentReportsTest() override {
    if (agent_) agent_->RequestStop();
    if (runner_.joinable()) runner_.join();
    fs::remove_all(dir_);
  }

  std::string Url() const { return "ipc://" + (dir_ / "coord.sock").string(); }

  void StartAgent() {
    AgentOptions options;
    options.connect = Url();
    options.name = "t";
    options.home = (dir_ / "home").string();
    options.slots = 1;
    options.heartbeat_ms = 50;
    options.timeout_ms = 400;
    options.progress_ms = 20;
    auto made = Agent::Make(options);
    ASSERT_TRUE(made.ok()) << made.status().message();
    agent_ = std::move(*made);
    runner_ = std::thread([this] { status_ = agent_->Run(); });
  }

  fs::path dir_;
  std::unique_ptr<Agent> agent_;
  std::thread runner_;
  Status status_;
};

TEST_F(AgentReportsTest, KeepsReportsUntilAckedAndResendsThemAfterReconnecting) {
  FakeCoordinator coordinator(Url());
  StartAgent();
  std::string agent_id;
  auto hello = coordinator.Next<proto::Hello>(milliseconds(5000), &agent_id);
  ASSERT_TRUE(hello.has_value());
  EXPECT_EQ(hello->slots, 1);
  EXPECT_TRUE(hello->active.empty());
  coordinator.Welcome();

  proto::Dispatch d;
  d.id = {"run1", 1};
  d.argv = {"/bin/sh", "-c", "echo loss: 0.5"};
  coordinator.Send(d);

  // Reports up to the exit, none acked.
  std::set<uint64_t> seqs;
  std::optional<proto::Report> exited;
  auto deadline = Clock::now() + milliseconds(5000);
  while (!exited && Clock::now() < deadline) {
    auto r = coordinator.Next<proto::Report>(milliseconds(100));
    if (!r) continue;
    seqs.insert(r->seq);
    if (r->kind == proto::ReportKind::kExited) exited = r;
  }
  ASSERT_TRUE(exited.has_value());
  EXPECT_EQ(exited->exit_code, 0);
  EXPECT_EQ(exited->id, d.id);

  // Silence past the timeout: the agent reconnects, still holding run1's reports.
  auto again = coordinator.Next<proto::Hello>(milliseconds(3000));
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(again->agent_id, hello->agent_id);
  EXPECT_EQ(again->active, (std::vector<proto::AttemptId>{d.id}));
  coordinator.Welcome();
  std::set<uint64_t> resent;
  while (resent.size() < seqs.size()) {
    auto r = coordinator.Next<proto::Report>(milliseconds(1000));
    if (!r) break;
    resent.insert(r->seq);
  }
  EXPECT_EQ(resent, seqs);

  // Acked: the next reconnect holds nothing and resends nothing.
  coordinator.Send(proto::Ack{{seqs.begin(), seqs.end()}});
  auto third = coordinator.Next<proto::Hello>(milliseconds(3000));
  ASSERT_TRUE(third.has_value());
  EXPECT_TRUE(third->active.empty());
  coordinator.Welcome();
  EXPECT_FALSE(coordinator.Next<proto::Report>(milliseconds(300)).has_value());

  agent_->RequestStop();
  auto bye = coordinator.Next<proto::Goodbye>(milliseconds(3000));
  ASSERT_TRUE(bye.has_value());
  runner_.join();
  EXPECT_TRUE(status_.ok()) << status_.message();
}

TEST_F(AgentReportsTest, CancelStopsARunningTrialAndReportsItCancelled) {
  FakeCoordinator coordinator(Url());
  StartAgent();
  ASSERT_TRUE(coordinator.Next<proto::Hello>(milliseconds(5000)).has_value());
  coordinator.Welcome();
  proto::Dispatch d;
  d.id = {"run2", 1};
  d.argv = {"/bin/sh", "-c", "sleep 30"};
  d.stop_grace_ms = 200;
  coordinator.Send(d);
  std::optional<proto::Report> started;
  while (!started) {
    auto r = coordinator.Next<proto::Report>(milliseconds(3000));
    ASSERT_TRUE(r.has_value());
    if (r->kind == proto::ReportKind::kStarted) started = r;
  }
  EXPECT_GT(started->pid, 0);
  coordinator.Send(proto::Cancel{d.id, "stopped"});
  std::optional<proto::Report> exited;
  auto deadline = Clock::now() + milliseconds(5000);
  while (!exited && Clock::now() < deadline) {
    auto r = coordinator.Next<proto::Report>(milliseconds(100));
    if (r && r->kind == proto::ReportKind::kExited) exited = r;
    coordinator.Send(proto::Heartbeat{0, 0});
  }
  ASSERT_TRUE(exited.has_value());
  EXPECT_TRUE(exited->cancelled);
  EXPECT_EQ(exited->signal, 15);
}

}  // namespace
}  // namespace salvo
