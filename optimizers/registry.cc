// The table of optimizers and the validation of their flags (-Fo NAME=VALUE).

#include <algorithm>
#include <cctype>
#include <cmath>
#include <string>

#include "optimizers/methods.h"
#include "optimizers/optimizer.h"
#include "optimizers/tpe.h"

namespace salvo::opt {
namespace {

std::optional<double> NumberOf(const FlagValue& v) {
  if (v.kind() == FlagValue::Kind::kInt)
    return static_cast<double>(std::get<int64_t>(v.v));
  if (v.kind() == FlagValue::Kind::kFloat) return std::get<double>(v.v);
  return std::nullopt;
}

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return std::tolower(static_cast<unsigned char>(x)) ==
           std::tolower(static_cast<unsigned char>(y));
  });
}

std::string JoinChoices(const std::vector<std::string>& choices) {
  std::string out;
  for (const std::string& c : choices) out += (out.empty() ? "" : ", ") + c;
  return out;
}

Status BadValue(const FlagSpec& spec, const FlagValue& value, std::string_view expected) {
  return Status::Invalid("invalid value " + EncodeFlagValue(value) +
                         " for optimizer flag " + spec.name + ": expected " +
                         std::string(expected));
}

// `noise` takes the word gaussian (a fitted noise level) or a fixed noise variance.
Result<FlagValue> CheckNoise(const FlagSpec& spec, const FlagValue& value) {
  if (value.kind() == FlagValue::Kind::kString &&
      EqualsIgnoreCase(value.str(), "gaussian")) {
    return FlagValue::String("gaussian");
  }
  std::optional<double> n = NumberOf(value);
  if (n.has_value() && std::isfinite(*n) && *n >= 0) return FlagValue::Float(*n);
  return BadValue(spec, value, "gaussian or a noise variance (a number >= 0)");
}

// A value checked against its flag's choices, or against the type of its default:
// an integer flag takes whole numbers >= 0, a float flag finite numbers >= 0.
Result<FlagValue> CheckValue(const FlagSpec& spec, const FlagValue& value) {
  if (spec.name == "noise") return CheckNoise(spec, value);
  if (!spec.choices.empty()) {
    std::string text =
        value.kind() == FlagValue::Kind::kString ? value.str() : EncodeFlagValue(value);
    for (const std::string& choice : spec.choices) {
      if (EqualsIgnoreCase(text, choice)) return FlagValue::String(choice);
    }
    return BadValue(spec, value, "one of " + JoinChoices(spec.choices));
  }

  std::optional<double> n = NumberOf(value);
  switch (spec.default_value.kind()) {
    case FlagValue::Kind::kInt:
      if (!n.has_value() || *n != std::floor(*n) || *n < 0 || *n > 1e9) {
        return BadValue(spec, value, "a whole number >= 0");
      }
      return FlagValue::Int(static_cast<int64_t>(*n));
    case FlagValue::Kind::kFloat:
      if (!n.has_value() || !std::isfinite(*n) || *n < 0) {
        return BadValue(spec, value, "a number >= 0");
      }
      return FlagValue::Float(*n);
    case FlagValue::Kind::kBool:
      if (value.kind() != FlagValue::Kind::kBool)
        return BadValue(spec, value, "yes or no");
      return value;
    default:
      return value;
  }
}

std::vector<OptimizerInfo> BuildTable() {
  return {
      {"+", {"grid"}, {}, /*model_based=*/false, /*needs_search_dims=*/false},
      {"random", {"skopt:random"}, {}, false, true},
      {"gp", {"bayesian", "gaussian", "skopt:gp"}, GpFlagSpecs(), true, true},
      {"forest", {"skopt:forest"}, TreeFlagSpecs(), true, true},
      {"gbrt", {"skopt:gbrt"}, TreeFlagSpecs(), true, true},
      {"tpe", {}, TpeFlagSpecs(), true, true},
  };
}

}  // namespace

const std::vector<OptimizerInfo>& RegisteredOptimizers() {
  static const std::vector<OptimizerInfo>* const table =
      new std::vector<OptimizerInfo>(BuildTable());
  return *table;
}

const OptimizerInfo* FindOptimizer(std::string_view name) {
  for (const OptimizerInfo& info : RegisteredOptimizers()) {
    if (info.name == name) return &info;
    for (const std::string& alias : info.aliases) {
      if (alias == name) return &info;
    }
  }
  return nullptr;
}

Result<FlagMap> ResolveOptimizerFlags(std::string_view name, const FlagMap& overrides) {
  const OptimizerInfo* info = FindOptimizer(name);
  if (info == nullptr)
    return Status::Invalid("unknown optimizer '" + std::string(name) + "'");

  FlagMap flags;
  for (const FlagSpec& spec : info->flags) flags[spec.name] = spec.default_value;
  for (const auto& [flag, value] : overrides) {
    // Where a model-based optimizer's history comes from: read by the batch engine, kept
    // with the batch's optimizer flags, listed only when given.
    if (flag == kPrevTrialsFlag && info->model_based) {
      std::string mode =
          value.kind() == FlagValue::Kind::kString ? value.str() : EncodeFlagValue(value);
      if (mode != "batch" && mode != "operation") {
        return Status::Invalid(
            "optimizer flag 'prev-trials' must be 'batch' or 'operation', not '" + mode +
            "'");
      }
      flags[flag] = FlagValue::String(mode);
      continue;
    }
    auto spec = std::find_if(info->flags.begin(), info->flags.end(),
                             [&f = flag](const FlagSpec& s) { return s.name == f; });
    if (spec == info->flags.end()) {
      return Status::Invalid("unknown optimizer flag '" + flag + "' for " + info->name);
    }
    Result<FlagValue> checked = CheckValue(*spec, value);
    if (!checked.ok()) return checked.status();
    flags[flag] = *checked;
  }
  return flags;
}

Result<std::unique_ptr<Optimizer>> MakeOptimizer(std::string_view name,
                                                 const FlagMap& flags) {
  Result<FlagMap> resolved = ResolveOptimizerFlags(name, flags);
  if (!resolved.ok()) return resolved.status();
  const std::string& canonical = FindOptimizer(name)->name;

  if (canonical == "+") return MakeGridOptimizer();
  if (canonical == "random") return MakeRandomOptimizer();
  if (canonical == "gp") return MakeGpOptimizer(*resolved);
  if (canonical == "forest") return MakeForestOptimizer(*resolved);
  if (canonical == "gbrt") return MakeGbrtOptimizer(*resolved);
  return MakeTpeOptimizer(*resolved);
}

}  // namespace salvo::opt
