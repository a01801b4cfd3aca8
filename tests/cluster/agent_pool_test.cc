// AgentPool, driven the way the coordinator's server thread drives it: messages in with
// explicit times, Tick(), and the queued outbound messages decoded and checked.

#include "coordinator/agent_pool.h"

#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

namespace salvo {
namespace {

constexpr int64_t kStartUs = 1'000'000'000;

class AgentPoolTest : public ::testing::Test {
 protected:
  AgentPoolTest() {
    runs_dir_ = (std::filesystem::temp_directory_path() /
                 ("salvo-pool-" + std::to_string(::getpid()) + "-" +
                  ::testing::UnitTest::GetInstance()->current_test_info()->name()))
                    .string();
    options_.heartbeat_ms = 100;
    options_.timeout_ms = 500;
    options_.fast_failure_limit = 2;
    options_.fast_failure_ms = 1000;
  }
  ~AgentPoolTest() override { std::filesystem::remove_all(runs_dir_); }

  void MakePool() { pool_ = std::make_shared<AgentPool>(options_, "coord-1", runs_dir_); }

  void Hello(const std::string& agent, int slots, int64_t now_us = kStartUs) {
    proto::Hello h;
    h.agent_id = agent;
    h.name = agent;
    h.slots = slots;
    pool_->OnMessage(agent, h, now_us);
  }

  std::shared_ptr<AgentPool::Attempt> Submit(const std::string& run_id) {
    proto::Dispatch d;
    d.id = {run_id, 1};
    d.argv = {"true"};
    return pool_->Submit(std::move(d), "", nullptr);
  }

  proto::Report Exited(uint64_t seq, const std::string& run_id, int exit_code,
                       int64_t duration_ms = 5000) {
    proto::Report r;
    r.seq = seq;
    r.id = {run_id, 1};
    r.kind = proto::ReportKind::kExited;
    r.exit_code = exit_code;
    r.duration_ms = duration_ms;
    return r;
  }

  // Every queued message of type T, with the agent it goes to.
  template <class T>
  std::vector<std::pair<std::string, T>> Sent() {
    std::vector<std::pair<std::string, T>> out;
    for (const Outbound& o : pool_->TakeOutbound()) {
      auto m = proto::Decode(o.bytes);
      EXPECT_TRUE(m.ok()) << m.status().message();
      if (m.ok() && std::holds_alternative<T>(*m))
        out.emplace_back(o.identity, std::get<T>(*m));
    }
    return out;
  }

  PoolOptions options_;
  std::string runs_dir_;
  std::shared_ptr<AgentPool> pool_;
};

TEST_F(AgentPoolTest, DispatchesToTheAgentWithMostFreeSlots) {
  MakePool();
  Hello("small", 1);
  Hello("big", 3);
  (void)pool_->TakeOutbound();
  Submit("r1");
  Submit("r2");
  auto dispatches = Sent<proto::Dispatch>();
  ASSERT_EQ(dispatches.size(), 2u);
  EXPECT_EQ(dispatches[0].first, "big");
  EXPECT_EQ(dispatches[0].second.id.run_id, "r1");
  EXPECT_EQ(dispatches[1].first, "big");  // 2 free there against 1
  EXPECT_EQ(pool_->FreeCapacity(), 2);
}

TEST_F(AgentPoolTest, QueuesWorkUntilAnAgentHasASlot) {
  MakePool();
  auto a = Submit("r1");
  EXPECT_EQ(pool_->FreeCapacity(), -1);
  EXPECT_TRUE(Sent<proto::Dispatch>().empty());
  Hello("a1", 1);
  pool_->Tick(kStartUs);
  auto dispatches = Sent<proto::Dispatch>();
  ASSERT_EQ(dispatches.size(), 1u);
  EXPECT_EQ(dispatches[0].first, "a1");
}

TEST_F(AgentPoolTest, AcksEveryReportAndAppliesItOnce) {
  MakePool();
  Hello("a1", 1);
  auto a = Submit("r1");
  proto::Report progress;
  progress.seq = 1;
  progress.id = {"r1", 1};
  progress.kind = proto::ReportKind::kProgress;
  progress.scalars = {{"loss", 0, 0.5}, {"loss", 1, 0.25}};
  pool_->OnMessage("a1", progress, kStartUs + 10);
  pool_->OnMessage("a1", progress, kStartUs + 20);  // resent after a reconnect
  pool_->OnMessage("a1", Exited(2, "r1", 0), kStartUs + 30);
  pool_->OnMessage("a1", Exited(2, "r1", 0), kStartUs + 40);

  auto acks = Sent<proto::Ack>();
  ASSERT_EQ(acks.size(), 4u);
  EXPECT_EQ(acks[0].second.seqs, std::vector<uint64_t>{1});
  EXPECT_EQ(acks[3].second.seqs, std::vector<uint64_t>{2});
  EXPECT_EQ(pool_->ScalarsOf(*a).size(), 2u);
  auto end = pool_->EndOf(*a);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->kind, AttemptEnd::Kind::kExited);
  EXPECT_EQ(end->exit_code, 0);
}

TEST_F(AgentPoolTest, DeclaresAgentDeadAfterMissedHeartbeats) {
  MakePool();
  Hello("a1", 1);
  auto a = Submit("r1");
  pool_->OnMessage("a1", proto::Heartbeat{0, 0}, kStartUs + 400'000);
  pool_->Tick(kStartUs + 800'000);  // 400 ms after its last heartbeat: alive
  EXPECT_FALSE(pool_->EndOf(*a).has_value());
  pool_->Tick(kStartUs + 901'000);  // 501 ms: gone
  auto end = pool_->EndOf(*a);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->kind, AttemptEnd::Kind::kLost);
  EXPECT_NE(end->reason.find("a1"), std::string::npos);
  EXPECT_EQ(pool_->FreeCapacity(), 0);
}

TEST_F(AgentPoolTest, DiscardsTheLateResultOfALostAttempt) {
  MakePool();
  Hello("a1", 1);
  auto a = Submit("r1");
  pool_->Tick(kStartUs + 600'000);
  ASSERT_EQ(pool_->EndOf(*a)->kind, AttemptEnd::Kind::kLost);
  (void)pool_->TakeOutbound();

  pool_->OnMessage("a1", Exited(7, "r1", 0), kStartUs + 700'000);
  auto acks = Sent<proto::Ack>();
  ASSERT_EQ(acks.size(), 1u);  // acked so the agent forgets it...
  EXPECT_EQ(acks[0].second.seqs, std::vector<uint64_t>{7});
  EXPECT_EQ(pool_->EndOf(*a)->kind, AttemptEnd::Kind::kLost);  // ...but not applied
}

TEST_F(AgentPoolTest, IgnoresAReportFromAnAgentNotRunningTheAttempt) {
  MakePool();
  Hello("a1", 1);
  Hello("a2", 1);
  auto a = Submit("r1");
  std::string runner = Sent<proto::Dispatch>().at(0).first;
  std::string other = runner == "a1" ? "a2" : "a1";
  pool_->OnMessage(other, Exited(1, "r1", 3), kStartUs + 10);
  EXPECT_FALSE(pool_->EndOf(*a).has_value());
  pool_->OnMessage(runner, Exited(1, "r1", 0), kStartUs + 20);
  EXPECT_EQ(pool_->EndOf(*a)->exit_code, 0);
}

TEST_F(AgentPoolTest, PausesAnAgentAfterConsecutiveFastFailures) {
  MakePool();
  Hello("bad", 1);
  auto a = Submit("r1");
  pool_->OnMessage("bad", Exited(1, "r1", 1, 20), kStartUs + 10);
  EXPECT_TRUE(Sent<proto::Pause>().empty());
  auto b = Submit("r2");
  proto::Report second = Exited(2, "r2", 1, 20);
  pool_->OnMessage("bad", second, kStartUs + 20);
  auto pauses = Sent<proto::Pause>();
  ASSERT_EQ(pauses.size(), 1u);
  EXPECT_EQ(pauses[0].first, "bad");
  EXPECT_EQ(pool_->FreeCapacity(), 0);
  Submit("r3");
  pool_->Tick(kStartUs + 30);
  EXPECT_TRUE(Sent<proto::Dispatch>().empty());
}

TEST_F(AgentPoolTest, SlowFailuresDoNotPause) {
  MakePool();
  Hello("a1", 1);
  for (int i = 1; i <= 3; ++i) {
    std::string id = "r" + std::to_string(i);
    Submit(id);
    pool_->OnMessage("a1", Exited(i, id, 1, 5000), kStartUs + i);
  }
  EXPECT_TRUE(Sent<proto::Pause>().empty());
  EXPECT_EQ(pool_->FreeCapacity(), 1);
}

TEST_F(AgentPoolTest, GivesARefusedDispatchToAnotherAgentAsTheSameAttempt) {
  MakePool();
  Hello("a1", 1);
  auto a = Submit("r1");
  ASSERT_EQ(Sent<proto::Dispatch>().at(0).first, "a1");
  proto::Report refused;
  refused.seq = 1;
  refused.id = {"r1", 1};
  refused.kind = proto::ReportKind::kFailedToStart;
  refused.refused = true;
  refused.error = "the agent is stopping";
  pool_->OnMessage("a1", proto::Goodbye{"asked to stop", false}, kStartUs + 5);
  pool_->OnMessage("a1", refused, kStartUs + 10);
  EXPECT_FALSE(pool_->EndOf(*a).has_value());
  Hello("a2", 1, kStartUs + 20);
  pool_->Tick(kStartUs + 20);
  auto dispatches = Sent<proto::Dispatch>();
  ASSERT_EQ(dispatches.size(), 1u);
  EXPECT_EQ(dispatches[0].first, "a2");
  EXPECT_EQ(dispatches[0].second.id, (proto::AttemptId{"r1", 1}));
}

TEST_F(AgentPoolTest, AnAgentThatLeavesLosesItsRunningTrials) {
  MakePool();
  Hello("a1", 1);
  auto a = Submit("r1");
  proto::Report started;
  started.seq = 1;
  started.id = {"r1", 1};
  started.kind = proto::ReportKind::kStarted;
  pool_->OnMessage("a1", started, kStartUs + 10);
  pool_->OnMessage("a1", proto::Goodbye{"shut down", true}, kStartUs + 20);
  auto end = pool_->EndOf(*a);
  ASSERT_TRUE(end.has_value());
  EXPECT_EQ(end->kind, AttemptEnd::Kind::kLost);
  EXPECT_EQ(pool_->FreeCapacity(), 0);
}

TEST_F(AgentPoolTest, AReconnectingAgentKeepsItsTrialsAndIsToldToDropOthers) {
  MakePool();
  Hello("a1", 2);
  auto a = Submit("r1");
  (void)pool_->TakeOutbound();
  proto::Hello again;
  again.agent_id = "a1";
  again.slots = 2;
  again.active = {{"r1", 1}, {"gone", 3}};
  pool_->OnMessage("a1", again, kStartUs + 100);
  auto welcomes = Sent<proto::Welcome>();
  ASSERT_EQ(welcomes.size(), 1u);
  EXPECT_EQ(welcomes[0].second.abandon, (std::vector<proto::AttemptId>{{"gone", 3}}));
  EXPECT_EQ(welcomes[0].second.timeout_ms, 500);
  pool_->OnMessage("a1", Exited(1, "r1", 0), kStartUs + 200);
  EXPECT_EQ(pool_->EndOf(*a)->kind, AttemptEnd::Kind::kExited);
}

// Batch threads submit and wait while the server thread feeds reports: the locking the
// ThreadSanitizer stage checks.
TEST_F(AgentPoolTest, BatchThreadsAndTheServerThreadShareThePool) {
  MakePool();
  Hello("a1", 4);
  Hello("a2", 4);
  std::atomic<bool> done{false};
  std::thread server([&] {
    uint64_t seq = 0;
    while (!done.load()) {
      for (const Outbound& o : pool_->TakeOutbound()) {
        auto m = proto::Decode(o.bytes);
        if (!m.ok() || !std::holds_alternative<proto::Dispatch>(*m)) continue;
        const auto& d = std::get<proto::Dispatch>(*m);
        proto::Report r = Exited(++seq, d.id.run_id, 0);
        r.scalars = {{"loss", 0, 1.0}};
        pool_->OnMessage(o.identity, r, kStartUs);
      }
      pool_->Tick(kStartUs);
      std::this_thread::yield();
    }
  });
  constexpr int kThreads = 4, kPerThread = 25;
  std::atomic<int> ended{0};
  std::vector<std::thread> batches;
  for (int t = 0; t < kThreads; ++t) {
    batches.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        auto a = Submit("t" + std::to_string(t) + "-" + std::to_string(i));
        while (!pool_->EndOf(*a)) pool_->WaitForChange(std::chrono::milliseconds(10));
        ended += pool_->ScalarsOf(*a).size() == 1 && pool_->EndOf(*a)->exit_code == 0;
        (void)pool_->FreeCapacity();
        (void)pool_->AgentsJson();
      }
    });
  }
  for (auto& b : batches) b.join();
  done.store(true);
  server.join();
  EXPECT_EQ(ended.load(), kThreads * kPerThread);
}

}  // namespace
}  // namespace salvo
