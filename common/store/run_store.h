#pragma once
// RunStore: where every run, its status changes and its scalars are kept.
//
// One process writes a store at a time (the primary); readers open it as a secondary
// and never block the writer. Put/PutMany are single atomic, synced writes;
// AppendScalars is unsynced until Sync() (called when a trial ends). The RocksDB
// store and the in-memory store behave the same and pass one shared test suite.
// A RunStore object is safe to call from several threads.
//
// Run ids must be non-empty and hold no '/' or NUL; others are kInvalidArgument. On a
// secondary every write returns kFailedPrecondition.

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/output_scalars.h"
#include "common/core/run_record.h"
#include "common/core/status.h"

namespace salvo {

class RunStore {
 public:
  virtual ~RunStore() = default;

  // Writes one record or several in one atomic, synced batch.
  virtual Status Put(const RunRecord& record) = 0;
  virtual Status PutMany(const std::vector<RunRecord>& records) = 0;
  virtual Result<RunRecord> Get(std::string_view id) = 0;
  // Every run, in no particular order.
  virtual Result<std::vector<RunRecord>> List() = 0;
  // Removes runs with their scalars, in one synced write. Ids with no run are skipped.
  virtual Status Delete(const std::vector<std::string>& ids) = 0;

  // Appends scalar points of a run, unsynced, in order.
  virtual Status AppendScalars(std::string_view run_id,
                               const std::vector<ScalarPoint>& points) = 0;
  // Every scalar point of a run in the order appended (none for an unknown run).
  virtual Result<std::vector<ScalarPoint>> Scalars(std::string_view run_id) = 0;

  // Small named values (e.g. the store's format version).
  virtual Status PutMeta(std::string_view key, std::string_view value) = 0;
  virtual Result<std::string> GetMeta(std::string_view key) = 0;

  // Makes every earlier write durable.
  virtual Status Sync() = 0;
  // A secondary catches up with the primary's latest writes; a no-op for a primary.
  virtual Status Refresh() = 0;
  virtual bool read_only() const = 0;
};

enum class StoreMode { kPrimary, kSecondary };

// Opens (creating if needed, for a primary) the RocksDB store in `dir`. A primary that
// finds the store locked returns kBusy, with RocksDB's message. A secondary keeps its
// own files in `secondary_dir` (a fresh temporary folder per process is fine); when it
// is empty, a temporary folder is made and removed when the store is closed. A
// secondary of a store that does not exist yet returns kNotFound ("no runs yet").
Result<std::unique_ptr<RunStore>> OpenRocksStore(const std::string& dir, StoreMode mode,
                                                 const std::string& secondary_dir = "");

std::unique_ptr<RunStore> MakeMemoryStore();

// JSON text of a record and back (the store's value format; also `runs --json`).
std::string RecordToJson(const RunRecord& record);
Result<RunRecord> RecordFromJson(std::string_view json);

}  // namespace salvo
