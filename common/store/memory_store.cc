// The in-memory twin of the RocksDB store: the same contract with maps behind one
// mutex, for tests and for readers when no store exists yet. Nothing is durable, so
// Sync and Refresh do nothing.

#include <map>
#include <mutex>
#include <string>

#include "common/store/run_store.h"
#include "common/store/store_internal.h"

namespace salvo {
namespace {

using store_internal::CheckMetaKey;
using store_internal::CheckRunId;

class MemoryStore final : public RunStore {
 public:
  Status Put(const RunRecord& record) override { return PutMany({record}); }

  Status PutMany(const std::vector<RunRecord>& records) override {
    for (const RunRecord& r : records) SALVO_RETURN_IF_ERROR(CheckRunId(r.id));
    std::lock_guard lock(mu_);
    for (const RunRecord& r : records) runs_[r.id] = r;
    return Status::Ok();
  }

  Result<RunRecord> Get(std::string_view id) override {
    std::lock_guard lock(mu_);
    auto it = runs_.find(id);
    if (it == runs_.end()) return Status::NotFound("no run " + std::string(id));
    return it->second;
  }

  Result<std::vector<RunRecord>> List() override {
    std::lock_guard lock(mu_);
    std::vector<RunRecord> records;
    records.reserve(runs_.size());
    for (const auto& [id, record] : runs_) records.push_back(record);
    return records;
  }

  Status Delete(const std::vector<std::string>& ids) override {
    for (const std::string& id : ids) SALVO_RETURN_IF_ERROR(CheckRunId(id));
    std::lock_guard lock(mu_);
    for (const std::string& id : ids) {
      runs_.erase(id);
      scalars_.erase(id);
    }
    return Status::Ok();
  }

  Status AppendScalars(std::string_view run_id,
                       const std::vector<ScalarPoint>& points) override {
    SALVO_RETURN_IF_ERROR(CheckRunId(run_id));
    if (points.empty()) return Status::Ok();
    std::lock_guard lock(mu_);
    auto it = scalars_.try_emplace(std::string(run_id)).first;
    it->second.insert(it->second.end(), points.begin(), points.end());
    return Status::Ok();
  }

  Result<std::vector<ScalarPoint>> Scalars(std::string_view run_id) override {
    SALVO_RETURN_IF_ERROR(CheckRunId(run_id));
    std::lock_guard lock(mu_);
    auto it = scalars_.find(run_id);
    if (it == scalars_.end()) return std::vector<ScalarPoint>();
    return it->second;
  }

  Status PutMeta(std::string_view key, std::string_view value) override {
    SALVO_RETURN_IF_ERROR(CheckMetaKey(key));
    std::lock_guard lock(mu_);
    meta_[std::string(key)] = std::string(value);
    return Status::Ok();
  }

  Result<std::string> GetMeta(std::string_view key) override {
    std::lock_guard lock(mu_);
    auto it = meta_.find(key);
    if (it == meta_.end()) return Status::NotFound("no meta value " + std::string(key));
    return it->second;
  }

  Status Sync() override { return Status::Ok(); }
  Status Refresh() override { return Status::Ok(); }
  bool read_only() const override { return false; }

 private:
  std::mutex mu_;  // guards everything below
  std::map<std::string, RunRecord, std::less<>> runs_;
  std::map<std::string, std::vector<ScalarPoint>, std::less<>> scalars_;
  std::map<std::string, std::string, std::less<>> meta_;
};

}  // namespace

std::unique_ptr<RunStore> MakeMemoryStore() { return std::make_unique<MemoryStore>(); }

}  // namespace salvo
