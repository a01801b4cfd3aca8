// Fuzzes batch files (`salvo run train.py @FILE`): the input after its first byte is
// written to a temporary file whose extension the first byte picks (.csv, .json, .yaml),
// then read as a batch file. Expanding the rows without command-line flags gives one
// trial per row.

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "coordinator/batch_files.h"
#include "tests/fuzz/fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salvo;
  if (size == 0) return 0;
  static const char* const kExtensions[] = {".csv", ".json", ".yaml"};
  static const std::string kBase = (std::filesystem::temp_directory_path() /
                                    ("salvo-fuzz-batch-" + std::to_string(getpid())))
                                       .string();
  std::string path = kBase + kExtensions[data[0] % 3];
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data + 1),
              static_cast<std::streamsize>(size - 1));
  }

  Result<std::vector<FlagMap>> rows = ReadBatchFile(path);
  std::filesystem::remove(path);
  if (!rows.ok()) return 0;
  std::vector<FlagMap> trials = ExpandBatchRows(*rows, {}, {});
  fuzz::Check(trials.size() == rows->size(), "one trial per row without CLI flags");
  return 0;
}
