// The RocksDB run store.
//
// Key layout (one default column family):
//   run/<id>                         the record as JSON (RecordToJson)
//   scalar/<id>/<seq: 8 bytes, BE>   a scalar point: step (8 bytes BE, two's complement),
//                                    value (IEEE bits, 8 bytes BE), then the tag
//   meta/<key>                       a meta value as given
// Big-endian sequence numbers make key order the order of appending. Run ids hold no
// '/', so one run's scalar prefix never covers another's.
//
// A primary keeps, per run, the next scalar sequence number; it is recovered from the
// last key of the run's prefix the first time the run is appended to after opening.
// A secondary reads a snapshot of the primary's files (WAL included) that moves only
// on Refresh().

#include <rocksdb/db.h>
#include <rocksdb/options.h>
#include <rocksdb/write_batch.h>

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <mutex>
#include <string>
#include <utility>

#include "common/store/run_store.h"
#include "common/store/store_internal.h"

namespace salvo {
namespace {

using store_internal::CheckMetaKey;
using store_internal::CheckRunId;

constexpr std::string_view kRunPrefix = "run/";
constexpr std::string_view kScalarPrefix = "scalar/";
constexpr std::string_view kMetaPrefix = "meta/";
constexpr size_t kSeqBytes = 8;

void PutBigEndian64(std::string* out, uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8)
    out->push_back(static_cast<char>(v >> shift));
}

uint64_t GetBigEndian64(const char* p) {
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(p[i]);
  return v;
}

std::string Join(std::string_view prefix, std::string_view name) {
  std::string key(prefix);
  key += name;
  return key;
}

std::string ScalarPrefix(std::string_view run_id) {
  return Join(kScalarPrefix, run_id) + '/';
}

std::string ScalarKey(std::string_view run_id, uint64_t seq) {
  std::string key = ScalarPrefix(run_id);
  PutBigEndian64(&key, seq);
  return key;
}

// The first key after every key that starts with `prefix` (each prefix here ends in
// '/', so incrementing its last byte is enough).
std::string PrefixEnd(std::string prefix) {
  prefix.back() = static_cast<char>(prefix.back() + 1);
  return prefix;
}

std::string EncodePoint(const ScalarPoint& point) {
  std::string out;
  out.reserve(16 + point.tag.size());
  PutBigEndian64(&out, static_cast<uint64_t>(point.step));
  PutBigEndian64(&out, std::bit_cast<uint64_t>(point.value));
  out += point.tag;
  return out;
}

Result<ScalarPoint> DecodePoint(rocksdb::Slice data) {
  if (data.size() < 16) return Status(Code::kCorruption, "short scalar value");
  ScalarPoint point;
  point.step = static_cast<int64_t>(GetBigEndian64(data.data()));
  point.value = std::bit_cast<double>(GetBigEndian64(data.data() + 8));
  point.tag.assign(data.data() + 16, data.size() - 16);
  return point;
}

Status FromRocks(const rocksdb::Status& s, std::string_view context) {
  if (s.ok()) return Status::Ok();
  std::string message = std::string(context) + ": " + s.ToString();
  if (s.IsNotFound()) return Status::NotFound(std::move(message));
  if (s.IsCorruption()) return {Code::kCorruption, std::move(message)};
  if (s.IsIOError()) return Status::IoError(std::move(message));
  if (s.IsBusy() || s.IsTryAgain()) return {Code::kUnavailable, std::move(message)};
  return Status::Internal(std::move(message));
}

// Runs a store operation, turning any exception that escapes a library into kInternal.
template <class F>
auto Guarded(F&& f) -> decltype(f()) {
  try {
    return f();
  } catch (const std::exception& e) {
    return Status::Internal(std::string("run store: ") + e.what());
  }
}

class RocksStore final : public RunStore {
 public:
  // `owned_dir`: a secondary folder this object created and removes when closed.
  RocksStore(rocksdb::DB* db, bool secondary, std::string owned_dir)
      : db_(db), secondary_(secondary), owned_dir_(std::move(owned_dir)) {}

  ~RocksStore() override {
    if (!secondary_) db_->SyncWAL().PermitUncheckedError();
    db_->Close().PermitUncheckedError();
    db_.reset();
    if (!owned_dir_.empty()) {
      std::error_code ignored;
      std::filesystem::remove_all(owned_dir_, ignored);
    }
  }

  Status Put(const RunRecord& record) override { return PutMany({record}); }

  Status PutMany(const std::vector<RunRecord>& records) override {
    return Guarded([&]() -> Status {
      SALVO_RETURN_IF_ERROR(Writable());
      rocksdb::WriteBatch batch;
      for (const RunRecord& r : records) {
        SALVO_RETURN_IF_ERROR(CheckRunId(r.id));
        SALVO_RETURN_IF_ERROR(
            FromRocks(batch.Put(Join(kRunPrefix, r.id), RecordToJson(r)), "put run"));
      }
      return Write(&batch, /*sync=*/true);
    });
  }

  Result<RunRecord> Get(std::string_view id) override {
    return Guarded([&]() -> Result<RunRecord> {
      std::string json;
      rocksdb::Status s = db_->Get(rocksdb::ReadOptions(), Join(kRunPrefix, id), &json);
      if (s.IsNotFound()) return Status::NotFound("no run " + std::string(id));
      SALVO_RETURN_IF_ERROR(FromRocks(s, "read run " + std::string(id)));
      return RecordFromJson(json);
    });
  }

  Result<std::vector<RunRecord>> List() override {
    return Guarded([&]() -> Result<std::vector<RunRecord>> {
      std::vector<RunRecord> records;
      Status scanned =
          Scan(std::string(kRunPrefix), [&](rocksdb::Slice, rocksdb::Slice v) {
            Result<RunRecord> record = RecordFromJson(v.ToStringView());
            if (!record.ok()) return record.status();
            records.push_back(std::move(record).value());
            return Status::Ok();
          });
      if (!scanned.ok()) return scanned;
      return records;
    });
  }

  Status Delete(const std::vector<std::string>& ids) override {
    return Guarded([&]() -> Status {
      SALVO_RETURN_IF_ERROR(Writable());
      rocksdb::WriteBatch batch;
      for (const std::string& id : ids) {
        SALVO_RETURN_IF_ERROR(CheckRunId(id));
        std::string prefix = ScalarPrefix(id);
        SALVO_RETURN_IF_ERROR(
            FromRocks(batch.Delete(Join(kRunPrefix, id)), "delete run"));
        SALVO_RETURN_IF_ERROR(
            FromRocks(batch.DeleteRange(prefix, PrefixEnd(prefix)), "delete scalars"));
      }

      // Under the lock, so that no append recovers a counter from half-deleted keys.
      std::lock_guard lock(mu_);
      SALVO_RETURN_IF_ERROR(Write(&batch, /*sync=*/true));
      for (const std::string& id : ids) next_seq_.erase(id);
      return Status::Ok();
    });
  }

  Status AppendScalars(std::string_view run_id,
                       const std::vector<ScalarPoint>& points) override {
    return Guarded([&]() -> Status {
      SALVO_RETURN_IF_ERROR(Writable());
      SALVO_RETURN_IF_ERROR(CheckRunId(run_id));
      if (points.empty()) return Status::Ok();

      std::lock_guard lock(mu_);
      Result<uint64_t> next = NextSeqLocked(run_id);
      if (!next.ok()) return next.status();
      uint64_t seq = *next;
      rocksdb::WriteBatch batch;
      for (const ScalarPoint& point : points) {
        SALVO_RETURN_IF_ERROR(FromRocks(
            batch.Put(ScalarKey(run_id, seq++), EncodePoint(point)), "put scalar"));
      }
      SALVO_RETURN_IF_ERROR(Write(&batch, /*sync=*/false));
      next_seq_.insert_or_assign(std::string(run_id), seq);
      return Status::Ok();
    });
  }

  Result<std::vector<ScalarPoint>> Scalars(std::string_view run_id) override {
    return Guarded([&]() -> Result<std::vector<ScalarPoint>> {
      SALVO_RETURN_IF_ERROR(CheckRunId(run_id));
      std::vector<ScalarPoint> points;
      Status scanned = Scan(ScalarPrefix(run_id), [&](rocksdb::Slice, rocksdb::Slice v) {
        Result<ScalarPoint> point = DecodePoint(v);
        if (!point.ok()) return point.status();
        points.push_back(std::move(point).value());
        return Status::Ok();
      });
      if (!scanned.ok()) return scanned;
      return points;
    });
  }

  Status PutMeta(std::string_view key, std::string_view value) override {
    return Guarded([&]() -> Status {
      SALVO_RETURN_IF_ERROR(Writable());
      SALVO_RETURN_IF_ERROR(CheckMetaKey(key));
      rocksdb::WriteBatch batch;
      SALVO_RETURN_IF_ERROR(
          FromRocks(batch.Put(Join(kMetaPrefix, key), value), "put meta"));
      return Write(&batch, /*sync=*/true);
    });
  }

  Result<std::string> GetMeta(std::string_view key) override {
    return Guarded([&]() -> Result<std::string> {
      std::string value;
      rocksdb::Status s =
          db_->Get(rocksdb::ReadOptions(), Join(kMetaPrefix, key), &value);
      if (s.IsNotFound()) return Status::NotFound("no meta value " + std::string(key));
      SALVO_RETURN_IF_ERROR(FromRocks(s, "read meta " + std::string(key)));
      return value;
    });
  }

  Status Sync() override {
    if (secondary_) return Status::Ok();
    return FromRocks(db_->SyncWAL(), "sync store");
  }

  Status Refresh() override {
    if (!secondary_) return Status::Ok();
    return FromRocks(db_->TryCatchUpWithPrimary(), "refresh store");
  }

  bool read_only() const override { return secondary_; }

 private:
  Status Writable() const {
    if (!secondary_) return Status::Ok();
    return Status::Precondition("the store is open read-only (as a secondary)");
  }

  Status Write(rocksdb::WriteBatch* batch, bool sync) {
    rocksdb::WriteOptions options;
    options.sync = sync;
    return FromRocks(db_->Write(options, batch), "write store");
  }

  // Calls `visit(key, value)` for every key starting with `prefix`, in key order,
  // stopping at the first error.
  template <class Visit>
  Status Scan(const std::string& prefix, Visit visit) {
    std::string end = PrefixEnd(prefix);
    rocksdb::Slice upper(end);
    rocksdb::ReadOptions options;
    options.iterate_upper_bound = &upper;
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(options));
    for (it->Seek(prefix); it->Valid(); it->Next()) {
      SALVO_RETURN_IF_ERROR(visit(it->key(), it->value()));
    }
    return FromRocks(it->status(), "scan " + prefix);
  }

  // The sequence number the next scalar of `run_id` gets. Requires mu_.
  Result<uint64_t> NextSeqLocked(std::string_view run_id) {
    auto cached = next_seq_.find(run_id);
    if (cached != next_seq_.end()) return cached->second;

    std::string prefix = ScalarPrefix(run_id);
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
    it->SeekForPrev(ScalarKey(run_id, UINT64_MAX));
    if (it->Valid() && it->key().starts_with(prefix) &&
        it->key().size() == prefix.size() + kSeqBytes) {
      return GetBigEndian64(it->key().data() + prefix.size()) + 1;
    }
    SALVO_RETURN_IF_ERROR(FromRocks(it->status(), "find last scalar of " + prefix));
    return uint64_t{0};
  }

  std::unique_ptr<rocksdb::DB> db_;
  const bool secondary_;
  const std::string owned_dir_;
  std::mutex mu_;  // guards next_seq_ and orders appends with deletes
  std::map<std::string, uint64_t, std::less<>> next_seq_;
};

rocksdb::Options BaseOptions() {
  rocksdb::Options options;
  options.keep_log_file_num = 3;
  return options;
}

// RocksDB reports a held LOCK file as an I/O error mentioning the lock.
bool IsLockError(const rocksdb::Status& s) {
  if (!s.IsIOError()) return false;
  std::string text = s.ToString();
  return text.find("lock") != std::string::npos || text.find("LOCK") != std::string::npos;
}

Result<std::unique_ptr<RunStore>> OpenPrimary(const std::string& dir) {
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec)
    return Status::IoError("cannot create store folder " + dir + ": " + ec.message());

  rocksdb::Options options = BaseOptions();
  options.create_if_missing = true;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (IsLockError(s)) {
    return Status::Busy("store " + dir + " is in use by another process (" +
                        s.ToString() + ")");
  }
  SALVO_RETURN_IF_ERROR(FromRocks(s, "cannot open store " + dir));
  return std::unique_ptr<RunStore>(std::make_unique<RocksStore>(db, false, ""));
}

// A fresh folder for a secondary's own files, under the system's temporary folder.
Result<std::string> MakeSecondaryDir() {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::temp_directory_path(ec);
  if (ec) return Status::IoError("no temporary folder: " + ec.message());
  std::string path = (base / "salvo-secondary-XXXXXX").string();
  if (mkdtemp(path.data()) == nullptr) {
    return Status::IoError("cannot create a folder like " + path);
  }
  return path;
}

Result<std::unique_ptr<RunStore>> OpenSecondary(const std::string& dir,
                                                const std::string& secondary_dir) {
  std::error_code ec;
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", ec)) {
    return Status::NotFound("no runs yet (no store in " + dir + ")");
  }

  std::string own_dir;
  if (secondary_dir.empty()) {
    Result<std::string> made = MakeSecondaryDir();
    if (!made.ok()) return made.status();
    own_dir = *made;
  }
  rocksdb::Options options = BaseOptions();
  options.max_open_files = -1;
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenAsSecondary(
      options, dir, own_dir.empty() ? secondary_dir : own_dir, &db);
  if (!s.ok()) {
    if (!own_dir.empty()) std::filesystem::remove_all(own_dir, ec);
    return FromRocks(s, "cannot open store " + dir + " for reading");
  }
  return std::unique_ptr<RunStore>(std::make_unique<RocksStore>(db, true, own_dir));
}

}  // namespace

Result<std::unique_ptr<RunStore>> OpenRocksStore(const std::string& dir, StoreMode mode,
                                                 const std::string& secondary_dir) {
  return Guarded([&]() -> Result<std::unique_ptr<RunStore>> {
    if (mode == StoreMode::kPrimary) return OpenPrimary(dir);
    return OpenSecondary(dir, secondary_dir);
  });
}

}  // namespace salvo
