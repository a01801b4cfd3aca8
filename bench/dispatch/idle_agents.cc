// salvo_bench_idle_agents: N idle agents in one process, for the coordinator's
// heartbeat cost. Each is a DEALER socket with its own routing id that says Hello with
// one slot and then sends a Heartbeat every heartbeat interval the Welcome gives; what
// the coordinator sends is read and dropped. Runs until SIGINT/SIGTERM or --seconds.
//
// Usage: salvo_bench_idle_agents --connect URL [--agents N] [--seconds S]
// Prints "joined N" once every agent has its Welcome.

#include <signal.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>
#include <zmq.hpp>

#include "common/protocol/messages.h"

namespace {

std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }

}  // namespace

int main(int argc, char** argv) {
  std::string url;
  int agents = 1000;
  int seconds = 0;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string arg = argv[i];
    if (arg == "--connect")
      url = argv[i + 1];
    else if (arg == "--agents")
      agents = std::atoi(argv[i + 1]);
    else if (arg == "--seconds")
      seconds = std::atoi(argv[i + 1]);
  }
  if (url.empty() || agents < 1) {
    std::cerr
        << "usage: salvo_bench_idle_agents --connect URL [--agents N] [--seconds S]\n";
    return 2;
  }
  signal(SIGINT, OnSignal);
  signal(SIGTERM, OnSignal);

  zmq::context_t ctx;
  ctx.set(zmq::ctxopt::max_sockets, agents + 64);
  std::vector<zmq::socket_t> sockets;
  sockets.reserve(agents);
  for (int i = 0; i < agents; ++i) {
    sockets.emplace_back(ctx, zmq::socket_type::dealer);
    auto& s = sockets.back();
    std::string id = "idle-" + std::to_string(i);
    s.set(zmq::sockopt::routing_id, id);
    s.set(zmq::sockopt::linger, 0);
    s.connect(url);
    salvo::proto::Hello h;
    h.agent_id = id;
    h.name = id;
    h.host = "bench";
    h.slots = 1;
    std::string bytes = salvo::proto::Encode(h);
    s.send(zmq::buffer(bytes), zmq::send_flags::dontwait);
  }

  using Clock = std::chrono::steady_clock;
  std::vector<zmq::pollitem_t> items;
  for (auto& s : sockets) items.push_back({s.handle(), 0, ZMQ_POLLIN, 0});
  std::vector<bool> welcomed(agents, false);
  int joined = 0;
  int64_t heartbeat_ms = 1000;
  auto next_beat = Clock::now();
  auto end = seconds > 0 ? Clock::now() + std::chrono::seconds(seconds)
                         : Clock::time_point::max();
  while (!g_stop.load() && Clock::now() < end) {
    try {
      zmq::poll(items.data(), items.size(), std::chrono::milliseconds(50));
    } catch (const zmq::error_t&) {
      continue;
    }
    for (int i = 0; i < agents; ++i) {
      if (!(items[i].revents & ZMQ_POLLIN)) continue;
      zmq::message_t m;
      while (sockets[i].recv(m, zmq::recv_flags::dontwait)) {
        auto decoded = salvo::proto::Decode(m.to_string_view());
        if (!decoded.ok()) continue;
        if (auto* w = std::get_if<salvo::proto::Welcome>(&*decoded)) {
          heartbeat_ms = w->heartbeat_ms;
          if (!welcomed[i]) {
            welcomed[i] = true;
            if (++joined == agents) std::cout << "joined " << joined << std::endl;
          }
        }
      }
    }
    if (Clock::now() >= next_beat) {
      std::string beat = salvo::proto::Encode(salvo::proto::Heartbeat{0, 1});
      for (auto& s : sockets) s.send(zmq::buffer(beat), zmq::send_flags::dontwait);
      next_beat = Clock::now() + std::chrono::milliseconds(heartbeat_ms);
    }
  }
  return 0;
}
