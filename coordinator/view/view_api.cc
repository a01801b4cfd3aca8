#include "coordinator/view/view_api.h"

#include <algorithm>
#include <cmath>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <vector>

#include "common/core/ids.h"
#include "common/core/search_space.h"
#include "coordinator/run_selection.h"
#include "coordinator/table.h"
#include "coordinator/view/assets.h"

namespace salvo {
namespace {

using nlohmann::ordered_json;

constexpr std::string_view kJson = "application/json";

// Everything one request reads, loaded once.
struct Snapshot {
  ViewContext ctx;
  std::vector<RunView> runs;  // newest first
  std::map<std::string, const RunView*> by_id;
};

ordered_json Number(double value) {
  if (!std::isfinite(value)) return nullptr;
  return value;
}

ordered_json Seconds(int64_t us) {
  if (us <= 0) return nullptr;
  return static_cast<double>(us) / 1e6;
}

ordered_json FlagJson(const FlagValue& value) {
  switch (value.kind()) {
    case FlagValue::Kind::kNull:
      return nullptr;
    case FlagValue::Kind::kBool:
      return std::get<bool>(value.v);
    case FlagValue::Kind::kInt:
      return std::get<int64_t>(value.v);
    case FlagValue::Kind::kFloat:
      return Number(std::get<double>(value.v));
    case FlagValue::Kind::kString:
      return value.str();
    case FlagValue::Kind::kList:
    case FlagValue::Kind::kFunction:
      return EncodeFlagValue(value);
  }
  return nullptr;
}

ordered_json FlagsJson(const FlagMap& flags) {
  ordered_json out = ordered_json::object();
  for (const auto& [name, value] : flags) out[name] = FlagJson(value);
  return out;
}

HttpReply JsonReply(int status, const ordered_json& body) {
  return {status, std::string(kJson), body.dump()};
}

HttpReply ErrorReply(const Status& status) {
  int code = status.code() == Code::kNotFound          ? 404
             : status.code() == Code::kInvalidArgument ? 400
                                                       : 500;
  return JsonReply(code, {{"error", status.message()}});
}

// The objective a run is judged by: its batch's, else its own.
const RunRecord& ObjectiveOwner(const Snapshot& snap, const RunRecord& r) {
  auto it = snap.by_id.find(r.batch_id);
  return it == snap.by_id.end() ? r : it->second->record;
}

std::optional<double> LastValue(const std::map<std::string, ScalarSummary>& scalars,
                                const std::string& tag) {
  auto it = scalars.find(tag);
  if (it == scalars.end()) return std::nullopt;
  return it->second.last;
}

// A run as every route shows it. `scalars`: its summaries (empty for a batch).
ordered_json RunJson(const Snapshot& snap, const RunView& run,
                     const std::map<std::string, ScalarSummary>& scalars) {
  const RunRecord& r = run.record;
  const RunRecord& owner = ObjectiveOwner(snap, r);
  ordered_json last = ordered_json::object();
  for (const auto& [tag, s] : scalars) last[tag] = Number(s.last);

  std::optional<double> value = LastValue(scalars, owner.objective);
  int64_t end_us = r.stopped_us > 0 ? r.stopped_us : snap.ctx.now_us;
  ordered_json time = nullptr;
  if (r.started_us > 0 && end_us >= r.started_us)
    time = static_cast<double>(end_us - r.started_us) / 1e6;

  return {
      {"id", r.id},
      {"short_id", ShortId(r.id)},
      {"index", run.index},
      {"kind", RunKindName(r.kind)},
      {"operation", r.operation},
      {"batch_id", r.batch_id.empty() ? ordered_json(nullptr) : ordered_json(r.batch_id)},
      {"trial_index", r.trial_index >= 0 ? ordered_json(r.trial_index) : nullptr},
      {"status", RunStatusName(run.status)},
      {"reason", r.reason},
      {"label", DisplayLabel(r)},
      {"started", Seconds(r.started_us)},
      {"stopped", Seconds(r.stopped_us)},
      {"time", time},
      {"flags", FlagsJson(r.flags)},
      {"scalars", std::move(last)},
      {"objective",
       {{"name", owner.objective},
        {"maximize", owner.maximize},
        {"value", value ? Number(*value) : nullptr}}}};
}

Result<std::map<std::string, ScalarSummary>> Summaries(const Snapshot& snap,
                                                       const RunRecord& r) {
  if (r.kind == RunKind::kBatch) return std::map<std::string, ScalarSummary>{};
  auto points = snap.ctx.store.Scalars(r.id);
  if (!points.ok()) return points.status();
  return SummarizeScalars(*points);
}

// {TAG: {"steps": [...], "values": [...]}} in the order the points were appended.
Result<ordered_json> TagsJson(const Snapshot& snap, const std::string& id) {
  auto points = snap.ctx.store.Scalars(id);
  if (!points.ok()) return points.status();
  ordered_json tags = ordered_json::object();
  for (const ScalarPoint& p : *points) {
    ordered_json& tag = tags[p.tag];
    if (tag.is_null())
      tag = {{"steps", ordered_json::array()}, {"values", ordered_json::array()}};
    tag["steps"].push_back(p.step);
    tag["values"].push_back(Number(p.value));
  }
  return tags;
}

Result<const RunView*> FindRun(const Snapshot& snap, const std::string& spec) {
  auto picked = ResolveRunArgs(snap.runs, {spec});
  if (!picked.ok()) return picked.status();
  if (picked->size() != 1)
    return Status::Invalid("'" + spec + "' names " + std::to_string(picked->size()) +
                           " runs");
  return snap.by_id.at(picked->front().record.id);
}

Result<const RunView*> FindBatch(const Snapshot& snap, const std::string& spec) {
  auto run = FindRun(snap, spec);
  if (!run.ok()) return run.status();
  if ((*run)->record.kind != RunKind::kBatch)
    return Status::NotFound("run " + ShortId((*run)->record.id) + " is not a batch");
  return run;
}

// The trials of a batch in trial order.
std::vector<const RunView*> TrialsOf(const Snapshot& snap, const std::string& batch_id) {
  std::vector<const RunView*> trials;
  for (const RunView& run : snap.runs)
    if (run.record.batch_id == batch_id) trials.push_back(&run);
  std::sort(trials.begin(), trials.end(), [](const RunView* a, const RunView* b) {
    if (a->record.trial_index != b->record.trial_index)
      return a->record.trial_index < b->record.trial_index;
    return a->record.created_us < b->record.created_us;
  });
  return trials;
}

// The search flags of a batch with their domains: numbers get min and max (and log),
// other choices their values. Widened to what the trials actually ran with.
ordered_json FlagDomains(const RunRecord& batch,
                         const std::vector<const RunView*>& trials) {
  auto space = SpaceFromFlags(batch.flags);
  ordered_json flags = ordered_json::array();
  if (!space.ok()) return flags;
  for (const Dimension& dim : space->dims) {
    bool numeric = dim.kind != DimKind::kCategorical ||
                   std::all_of(dim.choices.begin(), dim.choices.end(),
                               [](const FlagValue& v) { return v.is_number(); });
    ordered_json flag = {{"name", dim.name},
                         {"type", numeric ? "number" : "category"},
                         {"log", dim.log},
                         {"text", dim.text}};
    if (dim.kind == DimKind::kCategorical) {
      ordered_json values = ordered_json::array();
      for (const FlagValue& v : dim.choices) values.push_back(FlagJson(v));
      flag["values"] = std::move(values);
    }
    if (numeric) {
      double low = dim.low, high = dim.high;
      if (dim.kind == DimKind::kCategorical) {
        low = INFINITY;
        high = -INFINITY;
        for (const FlagValue& v : dim.choices) {
          low = std::min(low, *v.number());
          high = std::max(high, *v.number());
        }
      }
      for (const RunView* t : trials) {
        auto it = t->record.flags.find(dim.name);
        if (it == t->record.flags.end() || !it->second.is_number()) continue;
        low = std::min(low, *it->second.number());
        high = std::max(high, *it->second.number());
      }
      // Integer flags keep integer bounds: [16, 32, 64] spans 16 to 64, not 16.0 to 64.0.
      bool integers =
          dim.kind == DimKind::kInteger ||
          (dim.kind == DimKind::kCategorical &&
           std::all_of(dim.choices.begin(), dim.choices.end(), [](const FlagValue& v) {
             return v.kind() == FlagValue::Kind::kInt;
           }));
      for (const RunView* t : trials) {
        auto it = t->record.flags.find(dim.name);
        if (it != t->record.flags.end() && it->second.kind() == FlagValue::Kind::kFloat)
          integers = false;
      }
      flag["min"] = integers ? ordered_json(static_cast<int64_t>(low)) : Number(low);
      flag["max"] = integers ? ordered_json(static_cast<int64_t>(high)) : Number(high);
    }
    flags.push_back(std::move(flag));
  }
  return flags;
}

Result<ordered_json> BatchJson(const Snapshot& snap, const RunView& batch) {
  const RunRecord& b = batch.record;
  ordered_json summary = RunJson(snap, batch, {});
  summary["optimizer"] = b.optimizer;
  summary["optimizer_flags"] = FlagsJson(b.optimizer_flags);
  summary["max_trials"] = b.max_trials;
  summary["trials_created"] = b.trials_created;

  std::vector<const RunView*> trials = TrialsOf(snap, b.id);
  ordered_json trial_rows = ordered_json::array();
  ordered_json best_so_far = ordered_json::array();
  ordered_json counts = ordered_json::object();
  ordered_json best = nullptr;
  std::optional<double> best_value;
  for (const RunView* t : trials) {
    auto scalars = Summaries(snap, t->record);
    if (!scalars.ok()) return scalars.status();
    trial_rows.push_back(RunJson(snap, *t, *scalars));
    std::string status(RunStatusName(t->status));
    counts[status] = counts.value(status, 0) + 1;

    std::optional<double> value = LastValue(*scalars, b.objective);
    if (!value || !std::isfinite(*value)) continue;
    if (!best_value || (b.maximize ? *value > *best_value : *value < *best_value)) {
      best_value = value;
      best = trial_rows.back();
    }
    best_so_far.push_back({{"trial_index", t->record.trial_index},
                           {"short_id", ShortId(t->record.id)},
                           {"value", *value},
                           {"best", *best_value}});
  }

  return ordered_json{
      {"batch", std::move(summary)}, {"objective", b.objective},
      {"maximize", b.maximize},      {"flags", FlagDomains(b, trials)},
      {"counts", std::move(counts)}, {"trials", std::move(trial_rows)},
      {"best", std::move(best)},     {"best_so_far", std::move(best_so_far)}};
}

Result<ordered_json> RunsRoute(const Snapshot& snap) {
  ordered_json runs = ordered_json::array();
  for (const RunView& run : snap.runs) {
    auto scalars = Summaries(snap, run.record);
    if (!scalars.ok()) return scalars.status();
    runs.push_back(RunJson(snap, run, *scalars));
  }
  return ordered_json{{"runs", std::move(runs)}};
}

Result<ordered_json> BatchesRoute(const Snapshot& snap) {
  ordered_json batches = ordered_json::array();
  for (const RunView& run : snap.runs) {
    if (run.record.kind != RunKind::kBatch) continue;
    ordered_json batch = RunJson(snap, run, {});
    batch["optimizer"] = run.record.optimizer;
    batch["trials"] = TrialsOf(snap, run.record.id).size();
    batches.push_back(std::move(batch));
  }
  return ordered_json{{"batches", std::move(batches)}};
}

Result<ordered_json> RunRoute(const Snapshot& snap, const std::string& spec) {
  auto run = FindRun(snap, spec);
  if (!run.ok()) return run.status();
  auto scalars = Summaries(snap, (*run)->record);
  if (!scalars.ok()) return scalars.status();
  RunRecord record = (*run)->record;
  record.status = (*run)->status;
  return ordered_json{{"run", RunJson(snap, **run, *scalars)},
                      {"record", ordered_json::parse(RecordToJson(record))}};
}

Result<ordered_json> RunScalarsRoute(const Snapshot& snap, const std::string& spec) {
  auto run = FindRun(snap, spec);
  if (!run.ok()) return run.status();
  auto tags = TagsJson(snap, (*run)->record.id);
  if (!tags.ok()) return tags.status();
  return ordered_json{{"id", (*run)->record.id}, {"tags", std::move(*tags)}};
}

Result<ordered_json> BatchScalarsRoute(const Snapshot& snap, const std::string& spec) {
  auto batch = FindBatch(snap, spec);
  if (!batch.ok()) return batch.status();
  ordered_json trials = ordered_json::array();
  for (const RunView* t : TrialsOf(snap, (*batch)->record.id)) {
    auto tags = TagsJson(snap, t->record.id);
    if (!tags.ok()) return tags.status();
    trials.push_back({{"id", t->record.id},
                      {"short_id", ShortId(t->record.id)},
                      {"trial_index", t->record.trial_index},
                      {"tags", std::move(*tags)}});
  }
  return ordered_json{{"id", (*batch)->record.id}, {"trials", std::move(trials)}};
}

std::vector<std::string> SplitPath(std::string_view path) {
  std::vector<std::string> parts;
  std::string part;
  std::istringstream in{std::string(path)};
  while (std::getline(in, part, '/'))
    if (!part.empty()) parts.push_back(part);
  return parts;
}

}  // namespace

HttpReply ViewApi::Get(std::string_view target) {
  std::string_view path = target.substr(0, target.find('?'));
  if (!path.starts_with("/api/")) {
    const Asset* asset = FindAsset(path);
    if (!asset) return {404, "text/plain; charset=utf-8", "not found\n"};
    return {200, std::string(asset->content_type), std::string(asset->body)};
  }

  auto store = source_.store();
  if (!store.ok()) return ErrorReply(store.status());
  Snapshot snap{ViewContext{**store, source_.home, std::cout, std::cerr, std::cin,
                            source_.now_us(), source_.status},
                {},
                {}};
  auto runs = LoadRuns(snap.ctx);
  if (!runs.ok()) return ErrorReply(runs.status());
  snap.runs = std::move(*runs);
  for (const RunView& run : snap.runs) snap.by_id[run.record.id] = &run;

  std::vector<std::string> parts = SplitPath(path.substr(4));
  Result<ordered_json> body = Status::NotFound("no route " + std::string(path));
  if (parts.size() == 1 && parts[0] == "runs") body = RunsRoute(snap);
  if (parts.size() == 1 && parts[0] == "batches") body = BatchesRoute(snap);
  if (parts.size() == 2 && parts[0] == "runs") body = RunRoute(snap, parts[1]);
  if (parts.size() == 2 && parts[0] == "batches") {
    auto batch = FindBatch(snap, parts[1]);
    body = batch.ok() ? BatchJson(snap, **batch) : Result<ordered_json>(batch.status());
  }
  if (parts.size() == 3 && parts[2] == "scalars") {
    if (parts[0] == "runs") body = RunScalarsRoute(snap, parts[1]);
    if (parts[0] == "batches") body = BatchScalarsRoute(snap, parts[1]);
  }
  if (!body.ok()) return ErrorReply(body.status());
  return JsonReply(200, *body);
}

}  // namespace salvo
