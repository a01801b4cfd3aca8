#pragma once
// Guild's two-letter short options (-Fo, -Sc, -Sec, -bl, -cc, ...) rewritten to their
// long forms before CLI11, which accepts one-letter short names only. A table-driven
// step, not a parser: only whole arguments that equal a known spelling change.

#include <string>
#include <vector>

namespace salvo {

// `args` excludes the program name. The first argument naming a command decides what
// -Fo means: --opt-flag in `run`, --operation in `runs`, `select`, `compare`.
std::vector<std::string> ExpandShortOptions(const std::vector<std::string>& args);

}  // namespace salvo
