#pragma once
// Operations: what a trial runs. Either a Python script named on the command line
// (`salvo run train.py`, flags found from its module-level assignments or its argparse
// parser) or an operation of `salvo.yml` (or `guild.yml`) in the working directory.

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/output_scalars.h"
#include "common/core/status.h"

namespace salvo {

struct FlagDef {
  FlagValue default_value;
  FlagType type = FlagType::kAuto;
  std::vector<FlagValue> choices;
  std::optional<FlagValue> min, max;
  std::string distribution;  // "uniform", "loguniform" or ""
  std::string description;
};

struct OperationDef {
  std::string name;        // "train.py", or the operation file's key
  std::string source_dir;  // absolute folder whose files are snapshotted
  std::string main;        // a Python script, relative to source_dir ("" for exec)
  std::string exec;        // a command line with ${flag} references ("" for main)
  std::string flags_dest = "auto";  // globals | args | auto
  std::map<std::string, FlagDef> flags;
  std::optional<std::string> objective;  // from the operation file
  bool maximize = false;
  std::vector<ScalarPattern> output_scalars;
  bool output_scalars_off = false;
  std::string python;  // interpreter from the operation file, if any
  std::vector<std::string> source_include, source_exclude;
  int64_t source_max_file_bytes = 1 << 20;
  std::string op_file;  // the operation file, when the operation came from one
  std::vector<std::string> warnings;  // unknown keys and the like, shown once
};

// The interpreter for trials: the operation file's `python`, else $SALVO_PYTHON, else
// python3 on PATH.
std::string ChoosePython(const OperationDef& op);

// Resolves `spec` (the first argument of `salvo run`) in the working directory `cwd`.
// Errors: a missing script, an unknown operation, an unreadable operation file.
Result<OperationDef> ResolveOperation(const std::string& spec, const std::string& cwd,
                                      const std::string& launcher_path);

// Reads the flag defaults of a Python script by asking the launcher to inspect it.
Status InspectScriptFlags(OperationDef& op, const std::string& launcher_path);

// Copies the operation's source files into `dest` (created). Skips hidden folders,
// __pycache__, build and virtual-env folders, the folders in `skip` (Salvo's home:
// copying its store would also drop the store's lock), files larger than the size limit
// and what the exclude patterns match; keeps at most 1,000 files. Returns warnings about
// what was left out because of the limits.
Result<std::vector<std::string>> SnapshotSource(
    const OperationDef& op, const std::string& dest,
    const std::vector<std::string>& skip = {});

}  // namespace salvo
