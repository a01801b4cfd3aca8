// Fuzzes the store's record format: any JSON text either fails to parse or gives a record
// whose JSON text reads back to the same record (the same text again).

#include "common/store/run_store.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salvo;
  Result<RunRecord> record = RecordFromJson(fuzz::AsText(data, size));
  if (!record.ok()) return 0;

  std::string first = RecordToJson(*record);
  Result<RunRecord> again = RecordFromJson(first);
  fuzz::Check(again.ok(), "a written record reads back", first, again.status().message());
  std::string second = RecordToJson(*again);
  fuzz::Check(first == second, "write(read(write(r))) == write(r)", first, second);
  return 0;
}
