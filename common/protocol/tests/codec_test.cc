#include <gtest/gtest.h>

#include <cmath>
#include <msgpack.hpp>

#include "common/protocol/messages.h"

namespace salvo::proto {
namespace {

template <class T>
T RoundTrip(const T& in) {
  std::string bytes = Encode(Message(in));
  auto out = Decode(bytes);
  EXPECT_TRUE(out.ok()) << out.status().message();
  if (!out.ok()) return T{};
  EXPECT_TRUE(std::holds_alternative<T>(*out)) << TypeName(*out);
  return std::holds_alternative<T>(*out) ? std::get<T>(*out) : T{};
}

// Packs [version, type, body] where `body` writes the body map itself.
template <class BodyFn>
std::string Frame(int version, const std::string& type, BodyFn body) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> p(buffer);
  p.pack_array(3);
  p.pack(version);
  p.pack(type);
  body(p);
  return std::string(buffer.data(), buffer.size());
}

std::string DecodeError(std::string_view bytes) {
  auto m = Decode(bytes);
  EXPECT_FALSE(m.ok()) << "decoded as " << (m.ok() ? TypeName(*m) : "");
  if (m.ok()) return "";
  EXPECT_EQ(m.status().code(), Code::kInvalidArgument);
  return m.status().message();
}

TEST(Codec, RoundTripsHello) {
  Hello in{"gpu1-0a1b2c3d", "gpu1", "gpu1.example",         4,
           {0, 1, 2, 3},    2,      {{"r1", 1}, {"r2", 3}}, "0.1.0"};
  Hello out = RoundTrip(in);
  EXPECT_EQ(out.agent_id, "gpu1-0a1b2c3d");
  EXPECT_EQ(out.name, "gpu1");
  EXPECT_EQ(out.host, "gpu1.example");
  EXPECT_EQ(out.slots, 4);
  EXPECT_EQ(out.gpus, (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(out.gpus_per_trial, 2);
  EXPECT_EQ(out.active, (std::vector<AttemptId>{{"r1", 1}, {"r2", 3}}));
  EXPECT_EQ(out.salvo_version, "0.1.0");
}

TEST(Codec, RoundTripsWelcomeAndHeartbeat) {
  Welcome w = RoundTrip(Welcome{"c-77", 250, 1500, {{"r9", 2}}});
  EXPECT_EQ(w.coordinator_id, "c-77");
  EXPECT_EQ(w.heartbeat_ms, 250);
  EXPECT_EQ(w.timeout_ms, 1500);
  EXPECT_EQ(w.abandon, (std::vector<AttemptId>{{"r9", 2}}));

  Heartbeat h = RoundTrip(Heartbeat{1700000000123456, 3});
  EXPECT_EQ(h.sent_us, 1700000000123456);
  EXPECT_EQ(h.free_slots, 3);
}

TEST(Codec, RoundTripsDispatch) {
  Dispatch in;
  in.id = {"abcdef0123456789abcdef0123456789", 2};
  in.batch_id = "b0";
  in.snapshot_hash = std::string(64, 'e');
  in.argv = {"{{launcher}}", "train.py", "--x", "1.5"};
  in.env = {{"PYTHONPATH", "{{source}}"}, {"SALVO_TRIAL_SEED", "42"}};
  in.flag_names = {"x", "y"};
  in.scalar_patterns = {{"acc", "acc=(\\value)"}, {"", "(\\key)=(\\value)"}};
  in.gpus = 2;
  in.stop_grace_ms = 3000;
  Dispatch out = RoundTrip(in);
  EXPECT_EQ(out.id, in.id);
  EXPECT_EQ(out.batch_id, "b0");
  EXPECT_EQ(out.snapshot_hash, in.snapshot_hash);
  EXPECT_EQ(out.argv, in.argv);
  EXPECT_EQ(out.env, in.env);
  EXPECT_EQ(out.flag_names, in.flag_names);
  ASSERT_EQ(out.scalar_patterns.size(), 2u);
  EXPECT_EQ(out.scalar_patterns[0].tag, "acc");
  EXPECT_EQ(out.scalar_patterns[0].regex, "acc=(\\value)");
  EXPECT_EQ(out.scalar_patterns[1].tag, "");
  EXPECT_EQ(out.gpus, 2);
  EXPECT_EQ(out.stop_grace_ms, 3000);
}

TEST(Codec, RoundTripsReportWithBinaryOutputAndSpecialNumbers) {
  Report in;
  in.seq = 18446744073709551000ull;
  in.id = {"r1", 7};
  in.kind = ReportKind::kExited;
  in.pid = 4242;
  in.run_dir = "/home/a/runs/r1";
  in.gpus = "0,1";
  in.scalar_index = 5;
  in.scalars = {{"loss", 3, 1.5}, {"nan", -1, std::nan("")}, {"inf", 0, -INFINITY}};
  in.output_offset = 1 << 20;
  in.output = std::string("line\n\0\xff\x80", 8);
  in.exit_code = 137;
  in.signal = 9;
  in.cancelled = true;
  in.error = "no such file";
  in.duration_ms = 61234;
  in.refused = true;
  Report out = RoundTrip(in);
  EXPECT_EQ(out.seq, in.seq);
  EXPECT_EQ(out.id, in.id);
  EXPECT_EQ(out.kind, ReportKind::kExited);
  EXPECT_EQ(out.pid, 4242);
  EXPECT_EQ(out.run_dir, in.run_dir);
  EXPECT_EQ(out.gpus, "0,1");
  EXPECT_EQ(out.scalar_index, 5);
  ASSERT_EQ(out.scalars.size(), 3u);
  EXPECT_EQ(out.scalars[0].tag, "loss");
  EXPECT_EQ(out.scalars[0].step, 3);
  EXPECT_EQ(out.scalars[0].value, 1.5);
  EXPECT_TRUE(std::isnan(out.scalars[1].value));
  EXPECT_EQ(out.scalars[1].step, -1);
  EXPECT_EQ(out.scalars[2].value, -INFINITY);
  EXPECT_EQ(out.output_offset, 1 << 20);
  EXPECT_EQ(out.output, in.output);
  EXPECT_EQ(out.exit_code, 137);
  EXPECT_EQ(out.signal, 9);
  EXPECT_TRUE(out.cancelled);
  EXPECT_EQ(out.error, "no such file");
  EXPECT_EQ(out.duration_ms, 61234);
  EXPECT_TRUE(out.refused);
}

TEST(Codec, RoundTripsTheSmallMessages) {
  EXPECT_EQ(RoundTrip(Ack{{1, 2, 99}}).seqs, (std::vector<uint64_t>{1, 2, 99}));
  Cancel c = RoundTrip(Cancel{{"r3", 4}, "batch stopped"});
  EXPECT_EQ(c.id, (AttemptId{"r3", 4}));
  EXPECT_EQ(c.reason, "batch stopped");
  EXPECT_EQ(RoundTrip(SnapshotRequest{"abc123"}).hash, "abc123");
  EXPECT_EQ(RoundTrip(Pause{"5 fast failures"}).reason, "5 fast failures");
  Goodbye g = RoundTrip(Goodbye{"SIGTERM", true});
  EXPECT_EQ(g.reason, "SIGTERM");
  EXPECT_TRUE(g.done);
  EXPECT_FALSE(g.preempted);
  EXPECT_TRUE(RoundTrip(Goodbye{"preemption warning", false, true}).preempted);
  Report r;
  r.kind = ReportKind::kExited;
  r.preempted = true;
  EXPECT_TRUE(RoundTrip(r).preempted);
  EXPECT_FALSE(RoundTrip(Report{}).preempted);
}

TEST(Codec, RoundTripsSnapshot) {
  Snapshot in{
      "h1",
      {{"train.py", 0755, "print(1)\n"}, {"data/x.bin", 0600, std::string("\0\1\2", 3)}},
      ""};
  Snapshot out = RoundTrip(in);
  EXPECT_EQ(out.hash, "h1");
  ASSERT_EQ(out.files.size(), 2u);
  EXPECT_EQ(out.files[0].path, "train.py");
  EXPECT_EQ(out.files[0].mode, 0755);
  EXPECT_EQ(out.files[0].data, "print(1)\n");
  EXPECT_EQ(out.files[1].data, std::string("\0\1\2", 3));
  EXPECT_EQ(RoundTrip(Snapshot{"h2", {}, "snapshot gone"}).error, "snapshot gone");
}

TEST(Codec, RoundTripsClientMessages) {
  ClientRequest q = RoundTrip(ClientRequest{77, R"({"cmd":"runs"})"});
  EXPECT_EQ(q.request_id, 77u);
  EXPECT_EQ(q.json, R"({"cmd":"runs"})");
  ClientReply r = RoundTrip(ClientReply{77, false, "no run 'zz'", 2, "{}"});
  EXPECT_EQ(r.request_id, 77u);
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.error, "no run 'zz'");
  EXPECT_EQ(r.error_code, 2);
  EXPECT_EQ(r.json, "{}");
}

TEST(Codec, NamesEveryType) {
  EXPECT_EQ(TypeName(Hello{}), "hello");
  EXPECT_EQ(TypeName(Report{}), "report");
  EXPECT_EQ(TypeName(SnapshotRequest{}), "snapshot_request");
  EXPECT_EQ(TypeName(ClientReply{}), "client_reply");
}

TEST(Codec, IgnoresUnknownKeysAndDefaultsMissingOnes) {
  std::string bytes = Frame(kVersion, "heartbeat", [](auto& p) {
    p.pack_map(3);
    p.pack(std::string("free_slots"));
    p.pack(2);
    p.pack(std::string("from_the_future"));
    p.pack_array(1);
    p.pack(true);
    p.pack(7);  // a non-string key
    p.pack(8);
  });
  auto m = Decode(bytes);
  ASSERT_TRUE(m.ok()) << m.status().message();
  EXPECT_EQ(std::get<Heartbeat>(*m).free_slots, 2);
  EXPECT_EQ(std::get<Heartbeat>(*m).sent_us, 0);
}

TEST(Codec, RejectsWrongVersionAndUnknownType) {
  auto empty_body = [](auto& p) { p.pack_map(0); };
  EXPECT_NE(DecodeError(Frame(2, "hello", empty_body)).find("version"),
            std::string::npos);
  EXPECT_NE(DecodeError(Frame(0, "hello", empty_body)).find("version"),
            std::string::npos);
  EXPECT_NE(
      DecodeError(Frame(kVersion, "hullo", empty_body)).find("unknown message type"),
      std::string::npos);
  EXPECT_TRUE(Decode(Frame(kVersion, "hello", empty_body)).ok());
}

TEST(Codec, RejectsWrongFieldTypes) {
  auto with = [](const char* type, const char* key, auto value) {
    return Frame(kVersion, type, [&](auto& p) {
      p.pack_map(1);
      p.pack(std::string(key));
      p.pack(value);
    });
  };
  EXPECT_EQ(DecodeError(with("hello", "slots", std::string("four"))),
            "hello: slots: expected an integer");
  EXPECT_EQ(DecodeError(with("hello", "slots", int64_t{1} << 40)),
            "hello: slots: integer too large");
  EXPECT_EQ(DecodeError(with("hello", "gpus", 3)), "hello: gpus: expected an array");
  EXPECT_EQ(DecodeError(with("report", "seq", -1)),
            "report: seq: expected an unsigned integer");
  EXPECT_EQ(DecodeError(with("report", "kind", 9)), "report: kind: unknown report kind");
  EXPECT_EQ(DecodeError(with("report", "cancelled", 1)),
            "report: cancelled: expected a boolean");
  EXPECT_EQ(DecodeError(with("report", "id", std::string("r1"))),
            "report: id: expected a map");
  EXPECT_EQ(DecodeError(with("dispatch", "env", std::vector<int>{1})),
            "dispatch: env: expected a map");
  EXPECT_EQ(DecodeError(with("dispatch", "argv", std::vector<int>{1})),
            "dispatch: argv: expected a string");

  std::string nested = Frame(kVersion, "dispatch", [](auto& p) {
    p.pack_map(1);
    p.pack(std::string("id"));
    p.pack_map(1);
    p.pack(std::string("attempt"));
    p.pack(1.5);
  });
  EXPECT_EQ(DecodeError(nested), "dispatch: id: attempt: expected an integer");
}

TEST(Codec, RejectsWrongShapes) {
  msgpack::sbuffer buffer;
  msgpack::packer<msgpack::sbuffer> p(buffer);
  p.pack(42);
  EXPECT_NE(DecodeError(std::string(buffer.data(), buffer.size())).find("array"),
            std::string::npos);

  buffer.clear();
  p.pack_array(2);
  p.pack(kVersion);
  p.pack(std::string("hello"));
  EXPECT_NE(DecodeError(std::string(buffer.data(), buffer.size())).find("array"),
            std::string::npos);

  EXPECT_EQ(DecodeError(Frame(kVersion, "hello", [](auto& p) { p.pack_array(0); })),
            "hello: expected a map");
  EXPECT_EQ(DecodeError(Frame(kVersion, "ack", [](auto& p) { p.pack_nil(); })),
            "ack: expected a map");
  EXPECT_NE(DecodeError(Frame(kVersion, "", [](auto& p) { p.pack_map(0); }))
                .find("unknown message type"),
            std::string::npos);
  std::string with_trailer = Encode(Pause{"x"}) + "\x01";
  EXPECT_EQ(DecodeError(with_trailer), "trailing bytes after the message");
  EXPECT_FALSE(Decode("").ok());
}

TEST(Codec, RejectsEveryTruncationOfARealMessage) {
  Report r;
  r.seq = 3;
  r.id = {"r1", 1};
  r.scalars = {{"loss", 1, 0.5}};
  r.output = "hello\n";
  std::string bytes = Encode(r);
  for (size_t n = 0; n < bytes.size(); ++n) {
    auto m = Decode(std::string_view(bytes).substr(0, n));
    EXPECT_FALSE(m.ok()) << "prefix of " << n << " bytes decoded";
  }
  EXPECT_TRUE(Decode(bytes).ok());
}

TEST(Codec, RejectsForgedSizesWithoutAllocatingThem) {
  // An array header claiming 2^32-1 elements in a 9-byte frame.
  std::string forged =
      "\x93\x01\xa3"
      "ack"
      "\xdd\xff\xff\xff\xff";
  EXPECT_FALSE(Decode(forged).ok());
  std::string forged_str =
      "\x93\x01\xdb\xff\xff\xff\xf0"
      "a";
  EXPECT_FALSE(Decode(forged_str).ok());
}

TEST(Codec, RejectsOversizedFrames) {
  std::string big(kMaxMessageBytes + 1, '\0');
  EXPECT_NE(DecodeError(big).find("over the limit"), std::string::npos);
}

TEST(Codec, RejectsGarbage) {
  EXPECT_FALSE(Decode("\xc1").ok());  // a reserved msgpack byte
  EXPECT_FALSE(Decode("not msgpack at all").ok());
}

}  // namespace
}  // namespace salvo::proto
