// The JSON form of a RunRecord: one object, one member per field, named as the field.
//
// Flag values are stored by structure, not as flag text, so that reading them back
// needs no flag decoder: null, booleans, integers, strings and lists are the JSON
// types; a float is {"f": number} (so 1.0 stays a float), with "nan", "inf" and "-inf"
// as strings because JSON has no such numbers; a function is
// {"fn": text, "name": name, "args": [...]}. Readers ignore members they do not know
// and default the ones that are missing, so records written by a newer Salvo still
// load.

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <iterator>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <type_traits>
#include <utility>

#include "common/store/run_store.h"

namespace salvo {
namespace {

using nlohmann::json;

constexpr std::pair<RunKind, const char*> kKindNames[] = {
    {RunKind::kRun, "run"}, {RunKind::kBatch, "batch"}, {RunKind::kTrial, "trial"}};

const char* KindText(RunKind kind) {
  for (const auto& [k, name] : kKindNames)
    if (k == kind) return name;
  return "run";
}

json FloatToJson(double d) {
  if (std::isnan(d)) return {{"f", "nan"}};
  if (std::isinf(d)) return {{"f", d > 0 ? "inf" : "-inf"}};
  return {{"f", d}};
}

json FlagToJson(const FlagValue& value);

json FlagMapToJson(const FlagMap& flags) {
  json out = json::object();
  for (const auto& [name, value] : flags) out[name] = FlagToJson(value);
  return out;
}

json FlagToJson(const FlagValue& value) {
  switch (value.kind()) {
    case FlagValue::Kind::kNull:
      return nullptr;
    case FlagValue::Kind::kBool:
      return std::get<bool>(value.v);
    case FlagValue::Kind::kInt:
      return std::get<int64_t>(value.v);
    case FlagValue::Kind::kFloat:
      return FloatToJson(std::get<double>(value.v));
    case FlagValue::Kind::kString:
      return value.str();
    case FlagValue::Kind::kList: {
      json items = json::array();
      for (const FlagValue& item : value.list()) items.push_back(FlagToJson(item));
      return items;
    }
    case FlagValue::Kind::kFunction: {
      const FlagFunction& fn = value.function();
      json args = json::array();
      for (const FlagValue& arg : fn.args) args.push_back(FlagToJson(arg));
      return {{"fn", fn.text}, {"name", fn.name}, {"args", std::move(args)}};
    }
  }
  return nullptr;
}

Status Bad(const std::string& what) {
  return {Code::kCorruption, "bad run record: " + what};
}

Result<double> FloatFromJson(const json& f) {
  if (f.is_number()) return f.get<double>();
  if (f == "nan") return std::numeric_limits<double>::quiet_NaN();
  if (f == "inf") return std::numeric_limits<double>::infinity();
  if (f == "-inf") return -std::numeric_limits<double>::infinity();
  return Bad("float value " + f.dump());
}

Result<FlagValue> FlagFromJson(const json& j);

Result<FlagList> FlagListFromJson(const json& items) {
  if (!items.is_array()) return Bad("expected a list, got " + items.dump());
  FlagList list;
  for (const json& item : items) {
    Result<FlagValue> value = FlagFromJson(item);
    if (!value.ok()) return value.status();
    list.push_back(std::move(value).value());
  }
  return list;
}

Result<FlagValue> FunctionFromJson(const json& j) {
  FlagFunction fn;
  fn.text = j.at("fn").get<std::string>();
  fn.name = j.value("name", std::string());
  Result<FlagList> args = FlagListFromJson(j.value("args", json::array()));
  if (!args.ok()) return args.status();
  fn.args = std::move(args).value();
  return FlagValue::Function(std::move(fn));
}

Result<FlagValue> FlagFromJson(const json& j) {
  if (j.is_null()) return FlagValue::Null();
  if (j.is_boolean()) return FlagValue::Bool(j.get<bool>());
  if (j.is_number_unsigned()) {
    if (j.get<uint64_t>() > uint64_t{std::numeric_limits<int64_t>::max()}) {
      return Bad("integer flag value out of range: " + j.dump());
    }
    return FlagValue::Int(j.get<int64_t>());
  }
  if (j.is_number_integer()) return FlagValue::Int(j.get<int64_t>());
  if (j.is_number_float()) return FlagValue::Float(j.get<double>());
  if (j.is_string()) return FlagValue::String(j.get<std::string>());
  if (j.is_array()) {
    Result<FlagList> list = FlagListFromJson(j);
    if (!list.ok()) return list.status();
    return FlagValue::List(std::move(list).value());
  }
  if (j.is_object() && j.contains("f")) {
    Result<double> d = FloatFromJson(j.at("f"));
    if (!d.ok()) return d.status();
    return FlagValue::Float(*d);
  }
  if (j.is_object() && j.contains("fn")) return FunctionFromJson(j);
  return Bad("flag value " + j.dump());
}

Result<FlagMap> FlagMapFromJson(const json& j) {
  if (!j.is_object()) return Bad("expected flags as an object, got " + j.dump());
  FlagMap flags;
  for (const auto& [name, item] : j.items()) {
    Result<FlagValue> value = FlagFromJson(item);
    if (!value.ok()) return value.status();
    flags.emplace(name, std::move(value).value());
  }
  return flags;
}

// The value of an integer field. nlohmann converts a float or an integer out of T's
// range to T without complaint (a float too large for T is undefined behaviour), so
// those throw the type_error a wrong type throws.
template <class T>
T IntegerField(const json& j, const char* key) {
  bool fits = j.is_number_unsigned()  ? std::in_range<T>(j.get<uint64_t>())
              : j.is_number_integer() ? std::in_range<T>(j.get<int64_t>())
                                      : false;
  if (!fits) {
    std::string what = std::string(key) + " must be a fitting integer, not " + j.dump();
    throw json::type_error::create(302, what, &j);
  }
  return j.get<T>();
}

// Reads `key` into `out` when present and not null; a wrong type throws
// nlohmann::json::type_error, which RecordFromJson turns into kCorruption.
template <class T>
void Take(const json& j, const char* key, T* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return;
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    *out = IntegerField<T>(*it, key);
  } else {
    *out = it->template get<T>();
  }
}

Status TakeEnums(const json& j, RunRecord* r) {
  std::string kind = KindText(r->kind);
  Take(j, "kind", &kind);
  auto known = std::find_if(std::begin(kKindNames), std::end(kKindNames),
                            [&](const auto& entry) { return kind == entry.second; });
  if (known == std::end(kKindNames)) return Bad("unknown kind '" + kind + "'");
  r->kind = known->first;

  std::string status(RunStatusName(r->status));
  Take(j, "status", &status);
  std::optional<RunStatus> parsed = ParseRunStatus(status);
  if (!parsed) return Bad("unknown status '" + status + "'");
  r->status = *parsed;
  return Status::Ok();
}

Status TakeFlags(const json& j, const char* key, FlagMap* out) {
  auto it = j.find(key);
  if (it == j.end() || it->is_null()) return Status::Ok();
  Result<FlagMap> flags = FlagMapFromJson(*it);
  if (!flags.ok()) return flags.status();
  *out = std::move(flags).value();
  return Status::Ok();
}

void TakeRunFields(const json& j, RunRecord* r) {
  Take(j, "id", &r->id);
  Take(j, "batch_id", &r->batch_id);
  Take(j, "operation", &r->operation);
  Take(j, "op_name", &r->op_name);
  Take(j, "label", &r->label);
  Take(j, "reason", &r->reason);
  Take(j, "created_us", &r->created_us);
  Take(j, "started_us", &r->started_us);
  Take(j, "stopped_us", &r->stopped_us);
  int exit_code = 0;
  if (j.contains("exit_code") && !j.at("exit_code").is_null()) {
    Take(j, "exit_code", &exit_code);
    r->exit_code = exit_code;
  }
  Take(j, "attempt", &r->attempt);
  Take(j, "trial_index", &r->trial_index);
  Take(j, "runner_pid", &r->runner_pid);
  Take(j, "host", &r->host);
  Take(j, "run_dir", &r->run_dir);
  Take(j, "executor", &r->executor);
  Take(j, "external_id", &r->external_id);
  Take(j, "remote_dir", &r->remote_dir);
  Take(j, "lost_attempts", &r->lost_attempts);
  Take(j, "preemptions", &r->preemptions);
  Take(j, "backend", &r->backend);
}

void TakeBatchFields(const json& j, RunRecord* r) {
  Take(j, "optimizer", &r->optimizer);
  Take(j, "objective", &r->objective);
  Take(j, "maximize", &r->maximize);
  Take(j, "max_trials", &r->max_trials);
  Take(j, "seed", &r->seed);
  Take(j, "trials_created", &r->trials_created);
  Take(j, "random_trials", &r->random_trials);
  Take(j, "guided_trials", &r->guided_trials);
  Take(j, "duplicates_replaced", &r->duplicates_replaced);
  Take(j, "parallel", &r->parallel);
  Take(j, "fail_on_trial_error", &r->fail_on_trial_error);
  Take(j, "source_dir", &r->source_dir);
  Take(j, "script", &r->script);
  Take(j, "command", &r->command);
  Take(j, "python", &r->python);
  Take(j, "op_file", &r->op_file);
  Take(j, "first_error", &r->first_error);
  Take(j, "notes", &r->notes);
}

}  // namespace

std::string RecordToJson(const RunRecord& r) {
  json j = {
      {"id", r.id},
      {"kind", KindText(r.kind)},
      {"batch_id", r.batch_id},
      {"operation", r.operation},
      {"op_name", r.op_name},
      {"flags", FlagMapToJson(r.flags)},
      {"label", r.label},
      {"status", RunStatusName(r.status)},
      {"reason", r.reason},
      {"created_us", r.created_us},
      {"started_us", r.started_us},
      {"stopped_us", r.stopped_us},
      {"exit_code", r.exit_code ? json(*r.exit_code) : json(nullptr)},
      {"attempt", r.attempt},
      {"trial_index", r.trial_index},
      {"runner_pid", r.runner_pid},
      {"host", r.host},
      {"run_dir", r.run_dir},
      {"executor", r.executor},
      {"external_id", r.external_id},
      {"remote_dir", r.remote_dir},
      {"lost_attempts", r.lost_attempts},
      {"preemptions", r.preemptions},
      {"backend", r.backend},
  };
  j.update(json{
      {"optimizer", r.optimizer},
      {"optimizer_flags", FlagMapToJson(r.optimizer_flags)},
      {"objective", r.objective},
      {"maximize", r.maximize},
      {"max_trials", r.max_trials},
      {"seed", r.seed},
      {"trials_created", r.trials_created},
      {"random_trials", r.random_trials},
      {"guided_trials", r.guided_trials},
      {"duplicates_replaced", r.duplicates_replaced},
      {"parallel", r.parallel},
      {"fail_on_trial_error", r.fail_on_trial_error},
      {"source_dir", r.source_dir},
      {"script", r.script},
      {"command", r.command},
      {"python", r.python},
      {"op_file", r.op_file},
      {"first_error", r.first_error},
      {"notes", r.notes},
  });
  // Bytes that are not UTF-8 (a reason copied from a trial's output) become U+FFFD
  // rather than failing the write.
  return j.dump(-1, ' ', false, json::error_handler_t::replace);
}

Result<RunRecord> RecordFromJson(std::string_view text) {
  try {
    json j = json::parse(text);
    if (!j.is_object())
      return Bad("expected an object, got " + std::string(j.type_name()));
    RunRecord r;
    SALVO_RETURN_IF_ERROR(TakeEnums(j, &r));
    SALVO_RETURN_IF_ERROR(TakeFlags(j, "flags", &r.flags));
    SALVO_RETURN_IF_ERROR(TakeFlags(j, "optimizer_flags", &r.optimizer_flags));
    TakeRunFields(j, &r);
    TakeBatchFields(j, &r);
    return r;
  } catch (const json::exception& e) {
    return Bad(e.what());
  }
}

}  // namespace salvo
