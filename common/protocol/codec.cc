// Encode/Decode of messages.h with msgpack. Each struct lists its fields once, in a
// Fields() function that both the packer and the reader walk, so the two directions
// cannot drift apart. Decoding never trusts the input: msgpack's own limits keep a
// claimed container size from allocating more than the frame could hold, and every
// value is type-checked before it is read.

#include <concepts>
#include <limits>
#include <msgpack.hpp>
#include <type_traits>

#include "common/protocol/messages.h"

namespace salvo::proto {
namespace {

template <class M, class T>
concept Is = std::same_as<std::remove_const_t<M>, T>;

// ---------------------------------------------------------------------------------
// The fields of each struct, by wire name.

template <class V, Is<AttemptId> M>
void Fields(V& v, M& m) {
  v("run_id", m.run_id);
  v("attempt", m.attempt);
}
template <class V, Is<ScalarPoint> M>
void Fields(V& v, M& m) {
  v("tag", m.tag);
  v("step", m.step);
  v("value", m.value);
}
template <class V, Is<ScalarPattern> M>
void Fields(V& v, M& m) {
  v("tag", m.tag);
  v("regex", m.regex);
}
template <class V, Is<SnapshotFile> M>
void Fields(V& v, M& m) {
  v("path", m.path);
  v("mode", m.mode);
  v.Bytes("data", m.data);
}
template <class V, Is<Hello> M>
void Fields(V& v, M& m) {
  v("agent_id", m.agent_id);
  v("name", m.name);
  v("host", m.host);
  v("slots", m.slots);
  v("gpus", m.gpus);
  v("gpus_per_trial", m.gpus_per_trial);
  v("active", m.active);
  v("salvo_version", m.salvo_version);
}
template <class V, Is<Welcome> M>
void Fields(V& v, M& m) {
  v("coordinator_id", m.coordinator_id);
  v("heartbeat_ms", m.heartbeat_ms);
  v("timeout_ms", m.timeout_ms);
  v("abandon", m.abandon);
}
template <class V, Is<Heartbeat> M>
void Fields(V& v, M& m) {
  v("sent_us", m.sent_us);
  v("free_slots", m.free_slots);
}
template <class V, Is<Dispatch> M>
void Fields(V& v, M& m) {
  v("id", m.id);
  v("batch_id", m.batch_id);
  v("snapshot_hash", m.snapshot_hash);
  v("argv", m.argv);
  v("env", m.env);
  v("flag_names", m.flag_names);
  v("scalar_patterns", m.scalar_patterns);
  v("gpus", m.gpus);
  v("stop_grace_ms", m.stop_grace_ms);
}
template <class V, Is<Report> M>
void Fields(V& v, M& m) {
  v("seq", m.seq);
  v("id", m.id);
  v("kind", m.kind);
  v("pid", m.pid);
  v("run_dir", m.run_dir);
  v("gpus", m.gpus);
  v("scalar_index", m.scalar_index);
  v("scalars", m.scalars);
  v("output_offset", m.output_offset);
  v.Bytes("output", m.output);
  v("exit_code", m.exit_code);
  v("signal", m.signal);
  v("cancelled", m.cancelled);
  v("error", m.error);
  v("duration_ms", m.duration_ms);
  v("refused", m.refused);
  v("preempted", m.preempted);
}
template <class V, Is<Ack> M>
void Fields(V& v, M& m) {
  v("seqs", m.seqs);
}
template <class V, Is<Cancel> M>
void Fields(V& v, M& m) {
  v("id", m.id);
  v("reason", m.reason);
}
template <class V, Is<SnapshotRequest> M>
void Fields(V& v, M& m) {
  v("hash", m.hash);
}
template <class V, Is<Snapshot> M>
void Fields(V& v, M& m) {
  v("hash", m.hash);
  v("files", m.files);
  v("error", m.error);
}
template <class V, Is<Pause> M>
void Fields(V& v, M& m) {
  v("reason", m.reason);
}
template <class V, Is<Goodbye> M>
void Fields(V& v, M& m) {
  v("reason", m.reason);
  v("done", m.done);
  v("preempted", m.preempted);
}
template <class V, Is<ClientRequest> M>
void Fields(V& v, M& m) {
  v("request_id", m.request_id);
  v("json", m.json);
}
template <class V, Is<ClientReply> M>
void Fields(V& v, M& m) {
  v("request_id", m.request_id);
  v("ok", m.ok);
  v("error", m.error);
  v("error_code", m.error_code);
  v("json", m.json);
}

template <class T>
concept Record = requires(T& t, int& visitor) {
  Fields(visitor, t);
};

template <class T>
constexpr bool IsVector = false;
template <class T>
constexpr bool IsVector<std::vector<T>> = true;

// Type names on the wire and in logs, in the variant's order.
constexpr std::string_view kTypeNames[] = {
    "hello",    "welcome", "heartbeat",      "dispatch",
    "report",   "ack",     "cancel",         "snapshot_request",
    "snapshot", "pause",   "client_request", "client_reply",
    "goodbye",
};
static_assert(std::size(kTypeNames) == std::variant_size_v<Message>);

// ---------------------------------------------------------------------------------
// Encoding.

using Packer = msgpack::packer<msgpack::sbuffer>;

class FieldCounter {
 public:
  template <class T>
  void operator()(const char*, const T&) {
    ++count;
  }
  void Bytes(const char*, const std::string&) { ++count; }
  uint32_t count = 0;
};

class FieldPacker {
 public:
  explicit FieldPacker(Packer& p) : p_(p) {}

  template <class T>
  void operator()(const char* name, const T& value) {
    p_.pack(std::string_view(name));
    Pack(value);
  }
  void Bytes(const char* name, const std::string& value) {
    p_.pack(std::string_view(name));
    p_.pack_bin(static_cast<uint32_t>(value.size()));
    p_.pack_bin_body(value.data(), static_cast<uint32_t>(value.size()));
  }

  template <class T>
  void Pack(const T& value) {
    if constexpr (std::is_same_v<T, ReportKind>) {
      p_.pack(static_cast<int>(value));
    } else if constexpr (Record<T>) {
      PackRecord(p_, value);
    } else if constexpr (requires { value.begin()->first; }) {
      p_.pack_map(static_cast<uint32_t>(value.size()));
      for (const auto& [k, v] : value) {
        Pack(k);
        Pack(v);
      }
    } else if constexpr (IsVector<T>) {
      p_.pack_array(static_cast<uint32_t>(value.size()));
      for (const auto& item : value) Pack(item);
    } else {
      p_.pack(value);
    }
  }

  template <class M>
  static void PackRecord(Packer& p, const M& m) {
    FieldCounter counter;
    Fields(counter, m);
    p.pack_map(counter.count);
    FieldPacker packer(p);
    Fields(packer, m);
  }

 private:
  Packer& p_;
};

// ---------------------------------------------------------------------------------
// Decoding. Every reader returns false and sets `error` to "FIELD: expected ...".

class FieldReader {
 public:
  // `body` must be a map; later duplicates of a key win.
  explicit FieldReader(const msgpack::object& body, std::string* error) : error_(error) {
    const msgpack::object_map& map = body.via.map;
    for (uint32_t i = 0; i < map.size; ++i) {
      const msgpack::object& key = map.ptr[i].key;
      if (key.type != msgpack::type::STR) continue;  // not a field of ours
      fields_.emplace_back(std::string_view(key.via.str.ptr, key.via.str.size),
                           &map.ptr[i].val);
    }
  }

  bool ok() const { return error_->empty(); }

  template <class T>
  void operator()(const char* name, T& value) {
    if (!ok()) return;
    const msgpack::object* o = Find(name);
    if (o && !Read(*o, value)) *error_ = std::string(name) + ": " + *error_;
  }
  void Bytes(const char* name, std::string& value) { (*this)(name, value); }

  static bool Read(const msgpack::object& o, std::string& out, std::string* error) {
    if (o.type == msgpack::type::STR) {
      out.assign(o.via.str.ptr, o.via.str.size);
    } else if (o.type == msgpack::type::BIN) {
      out.assign(o.via.bin.ptr, o.via.bin.size);
    } else {
      return Fail(error, "expected a string");
    }
    return true;
  }

 private:
  const msgpack::object* Find(std::string_view name) const {
    for (auto it = fields_.rbegin(); it != fields_.rend(); ++it) {
      if (it->first == name) return it->second;
    }
    return nullptr;
  }

  static bool Fail(std::string* error, const char* what) {
    *error = what;
    return false;
  }

  // A signed integer in [lo, hi].
  bool ReadInt(const msgpack::object& o, int64_t lo, int64_t hi, int64_t* out) {
    if (o.type == msgpack::type::POSITIVE_INTEGER) {
      if (o.via.u64 > static_cast<uint64_t>(hi)) return Fail(error_, "integer too large");
      *out = static_cast<int64_t>(o.via.u64);
    } else if (o.type == msgpack::type::NEGATIVE_INTEGER) {
      if (o.via.i64 < lo) return Fail(error_, "integer too small");
      *out = o.via.i64;
    } else {
      return Fail(error_, "expected an integer");
    }
    return true;
  }

  bool Read(const msgpack::object& o, std::string& out) { return Read(o, out, error_); }
  bool Read(const msgpack::object& o, int& out) {
    int64_t v = 0;
    if (!ReadInt(o, std::numeric_limits<int>::min(), std::numeric_limits<int>::max(), &v))
      return false;
    out = static_cast<int>(v);
    return true;
  }
  bool Read(const msgpack::object& o, int64_t& out) {
    return ReadInt(o, std::numeric_limits<int64_t>::min(),
                   std::numeric_limits<int64_t>::max(), &out);
  }
  bool Read(const msgpack::object& o, uint64_t& out) {
    if (o.type != msgpack::type::POSITIVE_INTEGER)
      return Fail(error_, "expected an unsigned integer");
    out = o.via.u64;
    return true;
  }
  bool Read(const msgpack::object& o, bool& out) {
    if (o.type != msgpack::type::BOOLEAN) return Fail(error_, "expected a boolean");
    out = o.via.boolean;
    return true;
  }
  bool Read(const msgpack::object& o, double& out) {
    if (o.type == msgpack::type::FLOAT64 || o.type == msgpack::type::FLOAT32) {
      out = o.via.f64;
    } else if (o.type == msgpack::type::POSITIVE_INTEGER) {
      out = static_cast<double>(o.via.u64);
    } else if (o.type == msgpack::type::NEGATIVE_INTEGER) {
      out = static_cast<double>(o.via.i64);
    } else {
      return Fail(error_, "expected a number");
    }
    return true;
  }
  bool Read(const msgpack::object& o, ReportKind& out) {
    int v = 0;
    if (!Read(o, v)) return false;
    if (v < static_cast<int>(ReportKind::kStarted) ||
        v > static_cast<int>(ReportKind::kFailedToStart))
      return Fail(error_, "unknown report kind");
    out = static_cast<ReportKind>(v);
    return true;
  }
  template <class T>
  bool Read(const msgpack::object& o, std::vector<T>& out) {
    if (o.type != msgpack::type::ARRAY) return Fail(error_, "expected an array");
    out.clear();
    out.resize(o.via.array.size);
    for (uint32_t i = 0; i < o.via.array.size; ++i) {
      if (!Read(o.via.array.ptr[i], out[i])) return false;
    }
    return true;
  }
  bool Read(const msgpack::object& o, std::map<std::string, std::string>& out) {
    if (o.type != msgpack::type::MAP) return Fail(error_, "expected a map");
    out.clear();
    for (uint32_t i = 0; i < o.via.map.size; ++i) {
      std::string key, value;
      if (!Read(o.via.map.ptr[i].key, key) || !Read(o.via.map.ptr[i].val, value))
        return false;
      out[key] = std::move(value);
    }
    return true;
  }
  template <Record T>
  bool Read(const msgpack::object& o, T& out) {
    return ReadRecord(o, out, error_);
  }

 public:
  template <class M>
  static bool ReadRecord(const msgpack::object& o, M& out, std::string* error) {
    if (o.type != msgpack::type::MAP) return Fail(error, "expected a map");
    FieldReader reader(o, error);
    Fields(reader, out);
    return reader.ok();
  }

 private:
  std::string* error_;
  std::vector<std::pair<std::string_view, const msgpack::object*>> fields_;
};

// Builds the alternative with index I when `name` is its type name.
template <size_t I = 0>
Result<Message> DecodeBody(std::string_view name, const msgpack::object& body) {
  if constexpr (I == std::variant_size_v<Message>) {
    return Status::Invalid("unknown message type '" + std::string(name.substr(0, 40)) +
                           "'");
  } else {
    if (name != kTypeNames[I]) return DecodeBody<I + 1>(name, body);
    std::variant_alternative_t<I, Message> m;
    std::string error;
    if (!FieldReader::ReadRecord(body, m, &error))
      return Status::Invalid(std::string(kTypeNames[I]) + ": " + error);
    return Message(std::move(m));
  }
}

}  // namespace

std::string_view TypeName(const Message& m) { return kTypeNames[m.index()]; }

std::string Encode(const Message& m) {
  msgpack::sbuffer buffer;
  Packer p(buffer);
  p.pack_array(3);
  p.pack(kVersion);
  p.pack(TypeName(m));
  std::visit([&p](const auto& body) { FieldPacker::PackRecord(p, body); }, m);
  return std::string(buffer.data(), buffer.size());
}

Result<Message> Decode(std::string_view bytes) {
  if (bytes.size() > kMaxMessageBytes) {
    return Status::Invalid("message of " + std::to_string(bytes.size()) +
                           " bytes is over the limit of " +
                           std::to_string(kMaxMessageBytes));
  }
  // No container can hold more elements than the frame has bytes; the limits keep a
  // forged size from allocating before the parser notices the frame is short.
  const size_t n = bytes.size();
  msgpack::unpack_limit limit(n, n, n, n, n, 32);
  msgpack::object_handle handle;
  size_t offset = 0;
  try {
    handle = msgpack::unpack(bytes.data(), bytes.size(), offset, nullptr, nullptr, limit);
  } catch (const msgpack::insufficient_bytes&) {
    return Status::Invalid("truncated message");
  } catch (const std::exception& e) {
    return Status::Invalid(std::string("malformed message: ") + e.what());
  }
  if (offset != bytes.size()) return Status::Invalid("trailing bytes after the message");

  const msgpack::object& root = handle.get();
  if (root.type != msgpack::type::ARRAY || root.via.array.size != 3)
    return Status::Invalid("message is not a [version, type, body] array");
  const msgpack::object* parts = root.via.array.ptr;
  if (parts[0].type != msgpack::type::POSITIVE_INTEGER || parts[0].via.u64 != kVersion)
    return Status::Invalid("unsupported protocol version (this side speaks " +
                           std::to_string(kVersion) + ")");
  std::string name, error;
  if (!FieldReader::Read(parts[1], name, &error))
    return Status::Invalid("message type: " + error);
  return DecodeBody(name, parts[2]);
}

}  // namespace salvo::proto
