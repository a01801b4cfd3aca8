#include "coordinator/run_selection.h"

#include <fnmatch.h>

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <iostream>
#include <regex>

#include "common/core/clock.h"
#include "common/core/ids.h"
#include "coordinator/store_access.h"

namespace salvo {
namespace {

bool AllDigits(std::string_view s) {
  return !s.empty() &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool GlobMatches(std::string_view pattern, std::string_view text) {
  if (pattern == text) return true;
  return fnmatch(std::string(pattern).c_str(), std::string(text).c_str(), 0) == 0;
}

// `START:END` with each end empty or a number.
bool IsRange(std::string_view arg) {
  size_t colon = arg.find(':');
  if (colon == std::string_view::npos) return false;
  std::string_view start = arg.substr(0, colon), end = arg.substr(colon + 1);
  return (start.empty() || AllDigits(start)) && (end.empty() || AllDigits(end));
}

// The value of a run of digits; one too large for size_t is the largest size_t (it is
// past any list either way).
size_t DigitsValue(std::string_view digits) {
  size_t value = 0;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  return ec == std::errc::result_out_of_range ? SIZE_MAX : value;
}

// 1-based inclusive bounds of a range over `count` runs; an end past the list is the
// list's end (`:20` over 5 runs is all 5).
std::pair<size_t, size_t> RangeBounds(std::string_view arg, size_t count) {
  size_t colon = arg.find(':');
  std::string_view start = arg.substr(0, colon), end = arg.substr(colon + 1);
  size_t first = start.empty() ? 1 : std::max<size_t>(1, DigitsValue(start));
  size_t last = end.empty() ? count : std::min<size_t>(count, DigitsValue(end));
  return {first, last};
}

// Marks the runs one RUN argument picks.
Status PickRuns(const std::vector<RunView>& runs, const std::string& arg,
                std::vector<bool>& picked) {
  if (IsRange(arg)) {
    size_t colon = arg.find(':');
    std::string_view start = std::string_view(arg).substr(0, colon);
    std::string_view end = std::string_view(arg).substr(colon + 1);
    if (!start.empty() && !end.empty() && DigitsValue(start) > DigitsValue(end)) {
      return Status::Invalid("the range '" + arg + "' runs backwards (try '" +
                             std::string(end) + ":" + std::string(start) + "')");
    }
    auto [first, last] = RangeBounds(arg, runs.size());
    for (size_t i = first; i <= last; ++i) picked[i - 1] = true;
    return Status::Ok();
  }
  if (AllDigits(arg) && arg.size() < 10) {
    size_t index = std::stoul(arg);
    if (index >= 1 && index <= runs.size()) {
      picked[index - 1] = true;
      return Status::Ok();
    }
  }

  // An id prefix.
  std::vector<size_t> matches;
  for (size_t i = 0; i < runs.size(); ++i)
    if (runs[i].record.id.starts_with(arg)) matches.push_back(i);
  if (matches.empty())
    return Status::NotFound("could not find a run matching '" + arg + "'");
  if (matches.size() > 1) {
    std::string ids;
    for (size_t i : matches)
      ids += (ids.empty() ? "" : ", ") + ShortId(runs[i].record.id);
    return Status::Invalid("'" + arg + "' matches " + std::to_string(matches.size()) +
                           " runs: " + ids);
  }
  picked[matches[0]] = true;
  return Status::Ok();
}

std::string FlagPairs(const FlagMap& flags) {
  std::string out;
  for (const auto& [name, value] : flags)
    out += (out.empty() ? "" : " ") + name + "=" + EncodeFlagValue(value);
  return out;
}

std::optional<int64_t> ElapsedUs(const RunView& run, int64_t now_us) {
  const RunRecord& r = run.record;
  if (r.started_us == 0) return std::nullopt;
  if (r.stopped_us != 0) return r.stopped_us - r.started_us;
  if (run.status == RunStatus::kRunning) return now_us - r.started_us;
  return std::nullopt;
}

Cell TextOrEmpty(const std::string& s) { return s.empty() ? Cell() : Cell::Text(s); }

}  // namespace

ViewContext UserContext(RunStore& store, const Home& home) {
  return ViewContext{store,          home,     std::cout,
                     std::cerr,      std::cin, SystemClock().NowMicros(),
                     EffectiveStatus};
}

Result<std::vector<RunView>> LoadRuns(const ViewContext& ctx) {
  auto records = ctx.store.List();
  if (!records.ok()) return records.status();

  std::vector<RunView> runs;
  runs.reserve(records->size());
  for (RunRecord& r : *records) {
    RunStatus status = ctx.status ? ctx.status(r) : r.status;
    runs.push_back(RunView{std::move(r), status, 0});
  }
  SortNewestFirst(runs);
  for (size_t i = 0; i < runs.size(); ++i) runs[i].index = static_cast<int>(i + 1);
  return runs;
}

void SortNewestFirst(std::vector<RunView>& runs) {
  std::sort(runs.begin(), runs.end(), [](const RunView& a, const RunView& b) {
    const RunRecord &x = a.record, &y = b.record;
    if (x.created_us != y.created_us) return x.created_us > y.created_us;
    if (x.trial_index != y.trial_index) return x.trial_index > y.trial_index;
    return x.id > y.id;
  });
}

bool OperationMatches(std::string_view filter, std::string_view operation) {
  if (filter.find_first_of("^$") != std::string_view::npos) {
    try {
      return std::regex_search(std::string(operation), std::regex(std::string(filter)));
    } catch (const std::regex_error&) {
      return false;
    }
  }
  if (GlobMatches(filter, operation)) return true;
  size_t plus = operation.rfind('+');
  return plus != std::string_view::npos && plus + 1 < operation.size() &&
         GlobMatches(filter, operation.substr(plus + 1));
}

bool StatusMatches(RunStatus status, const StatusFilter& filter) {
  std::string_view name = RunStatusName(status);
  auto named = [&](const std::vector<std::string>& names) {
    return std::find(names.begin(), names.end(), name) != names.end();
  };
  if (!filter.include.empty() && !named(filter.include)) return false;
  return !named(filter.exclude);
}

std::vector<RunView> FilterRuns(std::vector<RunView> runs, const RunSelection& sel) {
  auto rejected = [&](const RunView& run) {
    const auto& ops = sel.operations;
    if (!ops.empty() && std::none_of(ops.begin(), ops.end(), [&](const std::string& op) {
          return OperationMatches(op, run.record.operation);
        }))
      return true;
    if (!StatusMatches(run.status, sel.status)) return true;
    std::string label = DisplayLabel(run.record);
    for (const std::string& part : sel.labels)
      if (label.find(part) == std::string::npos) return true;
    return false;
  };
  std::erase_if(runs, rejected);
  for (size_t i = 0; i < runs.size(); ++i) runs[i].index = static_cast<int>(i + 1);
  return runs;
}

Result<std::vector<RunView>> ResolveRunArgs(const std::vector<RunView>& runs,
                                            const std::vector<std::string>& args) {
  if (args.empty()) return runs;
  std::vector<bool> picked(runs.size(), false);
  for (const std::string& arg : args) SALVO_RETURN_IF_ERROR(PickRuns(runs, arg, picked));

  std::vector<RunView> out;
  for (size_t i = 0; i < runs.size(); ++i)
    if (picked[i]) out.push_back(runs[i]);
  return out;
}

Result<std::vector<RunView>> SelectRuns(const ViewContext& ctx, const RunSelection& sel) {
  auto runs = LoadRuns(ctx);
  if (!runs.ok()) return runs.status();
  return ResolveRunArgs(FilterRuns(std::move(runs).value(), sel), sel.runs);
}

Result<RunView> SelectOneRun(const ViewContext& ctx, const std::string& spec) {
  auto runs = LoadRuns(ctx);
  if (!runs.ok()) return runs.status();
  if (spec.empty()) {
    if (runs->empty()) return Status::NotFound("there are no runs");
    return runs->front();
  }

  auto picked = ResolveRunArgs(*runs, {spec});
  if (!picked.ok()) return picked.status();
  if (picked->empty())
    return Status::NotFound("could not find a run matching '" + spec + "'");
  if (picked->size() > 1) {
    return Status::Invalid("'" + spec + "' names " + std::to_string(picked->size()) +
                           " runs; give one run");
  }
  return picked->front();
}

int ReportError(std::ostream& err, const Status& status) {
  err << "salvo: error: " << status.message() << '\n';
  if (status.code() == Code::kNotFound) err << "Try 'salvo runs' for a list of runs.\n";
  return 2;
}

std::string DisplayLabel(const RunRecord& r) {
  if (!r.label.empty()) return r.label;
  if (r.kind == RunKind::kBatch) return FlagLabel(r.optimizer_flags);
  return FlagLabel(r.flags);
}

const std::vector<std::string>& RunAttributeNames() {
  static const std::vector<std::string> kNames = {
      "id",        "short_id",    "operation", "kind",           "status",
      "reason",    "label",       "started",   "stopped",        "time",
      "exit_code", "attempt",     "batch",     "trial_index",    "run_dir",
      "host",      "optimizer",   "objective", "maximize",       "max_trials",
      "seed",      "first_error", "flags",     "optimizer_flags"};
  return kNames;
}

std::string RunDirOf(const RunRecord& r, const Home& home) {
  return r.run_dir.empty() ? home.run_dir(r.id) : r.run_dir;
}

Result<Cell> RunAttribute(const RunView& run, std::string_view name, const Home& home,
                          int64_t now_us) {
  const RunRecord& r = run.record;
  if (name == "id") return Cell::Text(r.id);
  if (name == "short_id") return Cell::Text(ShortId(r.id));
  if (name == "operation") return Cell::Text(r.operation);
  if (name == "kind") return Cell::Text(std::string(RunKindName(r.kind)));
  if (name == "status") return Cell::Text(std::string(RunStatusName(run.status)));
  if (name == "reason") return TextOrEmpty(r.reason);
  if (name == "label") return TextOrEmpty(DisplayLabel(r));
  if (name == "started") return TextOrEmpty(FormatLocalTime(r.started_us));
  if (name == "stopped") return TextOrEmpty(FormatLocalTime(r.stopped_us));
  if (name == "time") {
    auto elapsed = ElapsedUs(run, now_us);
    return elapsed ? Cell::Text(FormatDuration(*elapsed)) : Cell();
  }
  if (name == "exit_code") return r.exit_code ? Cell::Int(*r.exit_code) : Cell();
  if (name == "attempt") return r.kind == RunKind::kTrial ? Cell::Int(r.attempt) : Cell();
  if (name == "batch") return TextOrEmpty(r.batch_id);
  if (name == "trial_index")
    return r.trial_index >= 0 ? Cell::Int(r.trial_index) : Cell();
  if (name == "run_dir") return Cell::Text(RunDirOf(r, home));
  if (name == "host") return TextOrEmpty(r.host);

  bool batch = r.kind == RunKind::kBatch;
  if (name == "optimizer") return batch ? TextOrEmpty(r.optimizer) : Cell();
  if (name == "objective") return Cell::Text(r.objective);
  if (name == "maximize") return Cell::Bool(r.maximize);
  if (name == "max_trials") return batch ? Cell::Int(r.max_trials) : Cell();
  if (name == "seed") return batch ? Cell::Int(static_cast<int64_t>(r.seed)) : Cell();
  if (name == "first_error") return TextOrEmpty(r.first_error);
  if (name == "flags") return TextOrEmpty(FlagPairs(r.flags));
  if (name == "optimizer_flags") return TextOrEmpty(FlagPairs(r.optimizer_flags));
  std::string message = "no such run attribute '" + std::string(name) + "'";
  if (auto near = ClosestName(name, RunAttributeNames())) {
    message += " (did you mean '" + *near + "'?)";
  }
  return Status::Invalid(message);
}

}  // namespace salvo
