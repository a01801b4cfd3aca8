// Fuzzes the operation file: the input is written as salvo.yml in a temporary folder and
// the operation `train` resolved from it. An operation with `main` is skipped: resolving
// it starts Python to read the script's flags, and the fuzzer must not start processes;
// everything else about the file (flags, objective, output scalars, source code) is read
// without one.

#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <fstream>

#include "coordinator/operation.h"
#include "tests/fuzz/fuzz_util.h"

namespace {

// Whether resolving `train` from this text could run a script's inspection.
bool NamesMainScript(const std::string& text) {
  try {
    const YAML::Node root = YAML::Load(text);
    if (!root.IsMap()) return false;
    const YAML::Node op = root["train"];
    return op && op.IsMap() && op["main"];
  } catch (const std::exception&) {
    return false;  // the operation file fails to load the same way
  }
}

// A folder of this process, removed at exit.
struct TempDir {
  TempDir()
      : path((std::filesystem::temp_directory_path() /
              ("salvo-fuzz-op-" + std::to_string(getpid())))
                 .string()) {
    std::filesystem::create_directories(path);
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path, ec);
  }
  std::string path;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salvo;
  std::string text(salvo::fuzz::AsText(data, size));
  if (NamesMainScript(text)) return 0;

  static const TempDir kTemp;
  const std::string& kDir = kTemp.path;
  {
    std::ofstream out(kDir + "/salvo.yml", std::ios::binary | std::ios::trunc);
    out << text;
  }
  Result<OperationDef> op = ResolveOperation("train", kDir, kDir + "/no-launcher.py");
  if (op.ok()) {
    fuzz::Check(op->main.empty() && !op->exec.empty(), "an accepted operation has exec",
                op->exec);
  }
  return 0;
}
