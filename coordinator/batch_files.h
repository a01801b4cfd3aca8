#pragma once
// Batch files: `salvo run train.py @trials.csv` runs one trial per row (CSV with a header
// row, a JSON list of objects, or a YAML list of maps). Flags given on the command line
// override the file's values; a list on the command line is crossed with every row, the
// file's row outer and the list inner. Several files are read one after another.

#include <string>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/status.h"

namespace salvo {

// The rows of one batch file. Errors name the file: a missing file, an unsupported
// extension, a value that is not a map of flags.
Result<std::vector<FlagMap>> ReadBatchFile(const std::string& path);

// Every trial's flags: each row over `defaults`, then `cli` on top; the lists in `cli`
// are crossed with each row (names sorted, the last varying fastest).
std::vector<FlagMap> ExpandBatchRows(const std::vector<FlagMap>& rows,
                                     const FlagMap& defaults, const FlagMap& cli);

}  // namespace salvo
