#include "coordinator/cli/short_options.h"

#include <map>

namespace salvo {

std::vector<std::string> ExpandShortOptions(const std::vector<std::string>& args) {
  static const std::map<char, std::string> kStatus = {
      {'c', "--completed"},  {'e', "--error"},   {'r', "--running"},
      {'t', "--terminated"}, {'p', "--pending"}, {'s', "--staged"}};
  static const std::map<std::string, std::string> kCommon = {
      {"-Fl", "--label-filter"}, {"-bl", "--batch-label"}, {"-cc", "--strict-columns"}};

  std::string command;
  std::vector<std::string> out;
  bool rest_verbatim = false;
  for (const std::string& arg : args) {
    if (rest_verbatim) {
      out.push_back(arg);
      continue;
    }
    if (arg == "--") rest_verbatim = true;
    if (command.empty() && !arg.empty() && arg[0] != '-') command = arg;
    if (arg == "-Fo") {
      out.push_back(command == "run" ? "--opt-flag" : "--operation");
      continue;
    }
    if (auto it = kCommon.find(arg); it != kCommon.end()) {
      out.push_back(it->second);
      continue;
    }
    // -S followed only by status letters: -Sc, -Sec, ...
    if (arg.size() > 2 && arg.rfind("-S", 0) == 0) {
      std::vector<std::string> expanded;
      for (size_t i = 2; i < arg.size(); ++i) {
        auto it = kStatus.find(arg[i]);
        if (it == kStatus.end()) {
          expanded.clear();
          break;
        }
        expanded.push_back(it->second);
      }
      if (!expanded.empty()) {
        out.insert(out.end(), expanded.begin(), expanded.end());
        continue;
      }
    }
    out.push_back(arg);
  }
  return out;
}

}  // namespace salvo
