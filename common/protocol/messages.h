#pragma once
// The wire protocol between the coordinator, its agents and CLI clients.
//
// Transport: ZeroMQ ROUTER (coordinator) and DEALER (agents, clients). Every message
// is one frame (after the ROUTER's identity frame) holding a msgpack array
// `[version, type, body]`, where body is a msgpack map of the struct's fields by name.
// Unknown map keys are ignored, so a newer peer may add fields; a different version,
// an unknown type, a body of the wrong shape or a frame over kMaxMessageBytes is a
// decode error, and the receiver drops the message with a warning.
//
// Delivery: agents number their reports (`seq`, increasing for the agent process's
// lifetime), keep each until the coordinator acknowledges it, and send the unacknowledged
// ones again after reconnecting. The coordinator applies a report once: reports of an
// attempt other than the trial's current one are ignored, and duplicates are acked again
// without effect.
//
// Paths: a Dispatch names files on the agent through placeholders that the agent
// replaces in argv and env values: {{launcher}} (the agent's copy of the Python
// launcher), {{source}} (the batch's source snapshot, cached by content hash) and
// {{run_dir}} (the trial's run directory on the agent).
//
// msgpack stays out of this header: only codec.cc includes it.

#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/core/output_scalars.h"
#include "common/core/status.h"

namespace salvo::proto {

inline constexpr int kVersion = 1;
inline constexpr size_t kMaxMessageBytes = 256u << 20;  // a source snapshot fits

// One attempt of one trial: the unit of dispatch.
struct AttemptId {
  std::string run_id;
  int attempt = 0;
  bool operator==(const AttemptId&) const = default;
  bool operator<(const AttemptId& o) const {
    return run_id != o.run_id ? run_id < o.run_id : attempt < o.attempt;
  }
};

// Agent → coordinator, first message after (re)connecting.
struct Hello {
  std::string agent_id;  // stable for the agent process; also its ZeroMQ routing id
  std::string name;      // --name, default the host name
  std::string host;
  int slots = 1;
  std::vector<int> gpus;  // --gpus
  int gpus_per_trial = 0;
  std::vector<AttemptId> active;  // attempts still running (or with unacked reports)
  std::string salvo_version;
};

// Coordinator → agent, the answer to Hello.
struct Welcome {
  std::string coordinator_id;  // new for each coordinator process
  int64_t heartbeat_ms = 1000;
  int64_t timeout_ms = 5000;       // a peer silent this long is gone
  std::vector<AttemptId> abandon;  // active attempts the agent should stop (not wanted)
};

// Both ways, every heartbeat_ms when nothing else was sent.
struct Heartbeat {
  int64_t sent_us = 0;
  int free_slots = 0;  // agent → coordinator
};

// Coordinator → agent: run one attempt.
struct Dispatch {
  AttemptId id;
  std::string batch_id;
  std::string snapshot_hash;  // "" when the trial needs no snapshot
  std::vector<std::string> argv;
  std::map<std::string, std::string> env;
  std::vector<std::string> flag_names;         // keys the default scalar patterns ignore
  std::vector<ScalarPattern> scalar_patterns;  // the operation's output-scalars
  int gpus = 0;                                // GPUs to assign (CUDA_VISIBLE_DEVICES)
  int64_t stop_grace_ms = 10000;               // SIGTERM to SIGKILL on Cancel
};

enum class ReportKind : int {
  kStarted = 1,
  kProgress = 2,
  kExited = 3,
  kFailedToStart = 4
};

// Agent → coordinator: what happened to an attempt.
struct Report {
  uint64_t seq = 0;  // per agent process, from 1
  AttemptId id;
  ReportKind kind = ReportKind::kProgress;
  int pid = 0;                       // kStarted
  std::string run_dir;               // kStarted: where the trial runs on the agent
  std::string gpus;                  // kStarted: its CUDA_VISIBLE_DEVICES
  int64_t scalar_index = 0;          // index of scalars[0] among the attempt's points
  std::vector<ScalarPoint> scalars;  // points from scalar_index on
  int64_t output_offset = 0;         // byte offset of `output` in the attempt's log
  std::string output;                // a chunk of the merged output log
  int exit_code = 0;                 // kExited: status, or 128 + signal
  int signal = 0;                    // kExited: the signal that ended it, or 0
  bool cancelled = false;            // kExited: ended by a Cancel from the coordinator
  std::string error;                 // kFailedToStart: why
  int64_t duration_ms = 0;           // kExited: wall time of the process
  // kFailedToStart: not tried here through no fault of the trial (the agent is paused
  // or stopping), so the coordinator gives it to another agent. kExited: ended because
  // the agent itself was stopped.
  bool refused = false;
  // kExited: the trial ended after its agent had a preemption warning (SIGUSR1, e.g.
  // Slurm's --signal before a preemption or the time limit), so an exit without the
  // objective is the preemption's doing, not the trial's.
  bool preempted = false;
};

// Coordinator → agent: these reports are applied; forget them.
struct Ack {
  std::vector<uint64_t> seqs;
};

// Coordinator → agent: stop an attempt (SIGTERM, then SIGKILL after its grace).
struct Cancel {
  AttemptId id;
  std::string reason;
};

// Agent → coordinator: send me the snapshot with this hash.
struct SnapshotRequest {
  std::string hash;
};

struct SnapshotFile {
  std::string path;  // relative, '/'-separated, no '..'
  int mode = 0644;
  std::string data;
};

// Coordinator → agent.
struct Snapshot {
  std::string hash;
  std::vector<SnapshotFile> files;
  std::string error;  // set when the coordinator cannot send it
};

// Coordinator → agent: take no more work (quarantined after fast failures, or refused).
struct Pause {
  std::string reason;
};

// Agent → coordinator: the agent is stopping. With done=false it takes no more work
// and its running trials end soon; with done=true it is gone, and whatever the
// coordinator still thinks it runs is lost. With preempted, the agent had a preemption
// warning: what it leaves unfinished was preempted, not lost.
struct Goodbye {
  std::string reason;
  bool done = false;
  bool preempted = false;
};

// CLI client ↔ coordinator: a request and its reply, each a JSON document.
struct ClientRequest {
  uint64_t request_id = 0;
  std::string json;
};
struct ClientReply {
  uint64_t request_id = 0;
  bool ok = true;
  std::string error;   // when !ok: one line, as the CLI prints it after "salvo: error: "
  int error_code = 0;  // a salvo::Code when !ok
  std::string json;
};

using Message =
    std::variant<Hello, Welcome, Heartbeat, Dispatch, Report, Ack, Cancel,
                 SnapshotRequest, Snapshot, Pause, ClientRequest, ClientReply, Goodbye>;

// The message's type name, for logs: "hello", "report", ...
std::string_view TypeName(const Message& m);

std::string Encode(const Message& m);
// kInvalidArgument with a short reason for anything malformed; never throws or crashes.
Result<Message> Decode(std::string_view bytes);

}  // namespace salvo::proto
