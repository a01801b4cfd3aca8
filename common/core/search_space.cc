// Search spaces from flag values. The bound rules follow scikit-optimize's
// check_dimension as the reference uses it: two ints make an Integer dimension, any
// float a Real one, strings or bools a Categorical of the two values. Salvo checks
// more than the reference before a batch starts: log bounds must be positive and an
// initial value must lie in its dimension.

#include "common/core/search_space.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "common/core/flag_value_internal.h"

namespace salvo {
namespace {

using flag_internal::SameFlagValue;

Status RangeError(const std::string& flag, const std::string& problem) {
  return Status::Invalid("invalid range for flag " + flag + ": " + problem);
}

Result<Dimension> ListDimension(const std::string& name, const FlagValue& value) {
  if (value.list().empty()) {
    return Status::Invalid("flag " + name + " has an empty list of values");
  }
  Dimension dim;
  dim.name = name;
  dim.kind = DimKind::kCategorical;
  dim.choices = value.list();
  dim.text = EncodeFlagValue(value);
  return dim;
}

// The numeric bounds of uniform and loguniform, checked.
Status SetNumericBounds(const std::string& name, const FlagValue& low,
                        const FlagValue& high, bool log, Dimension* dim) {
  if (!low.is_number() || !high.is_number()) {
    return RangeError(name, "loguniform bounds must be numbers");
  }
  if (!std::isfinite(*low.number()) || !std::isfinite(*high.number())) {
    return RangeError(name, "bounds must be finite numbers");
  }
  if (log && (*low.number() <= 0 || *high.number() <= 0)) {
    return RangeError(name, "log-scaled bounds must be strictly positive");
  }
  if (!(*low.number() < *high.number())) {
    return RangeError(name, "the lower bound " + EncodeFlagValue(low) +
                                " must be less than the upper bound " +
                                EncodeFlagValue(high));
  }

  bool integers =
      !log && low.kind() == FlagValue::Kind::kInt && high.kind() == FlagValue::Kind::kInt;
  dim->kind = integers ? DimKind::kInteger : DimKind::kReal;
  dim->low = *low.number();
  dim->high = *high.number();
  dim->log = log;
  return Status::Ok();
}

// The optional third argument must be a value the dimension can take.
Status CheckInitial(const Dimension& dim, const FlagFunction& fn) {
  const FlagValue& init = *dim.initial;
  std::string expected;
  if (dim.kind == DimKind::kCategorical) {
    if (SameFlagValue(init, dim.choices[0]) || SameFlagValue(init, dim.choices[1])) {
      return Status::Ok();
    }
    expected = "one of " + EncodeFlagValue(dim.choices[0]) + " and " +
               EncodeFlagValue(dim.choices[1]);
  } else {
    bool integer = dim.kind == DimKind::kInteger;
    bool whole = !integer || init.kind() == FlagValue::Kind::kInt;
    if (init.is_number() && whole && *init.number() >= dim.low &&
        *init.number() <= dim.high) {
      return Status::Ok();
    }
    expected = std::string(integer ? "an integer" : "a number") + " from " +
               EncodeFlagValue(fn.args[0]) + " to " + EncodeFlagValue(fn.args[1]);
  }
  return Status::Invalid("invalid initial value for flag " + dim.name + ": " +
                         EncodeFlagValue(init) + " is not " + expected);
}

Result<Dimension> FunctionDimension(const std::string& name, const FlagValue& value) {
  const FlagFunction& fn = value.function();
  bool log = fn.name == "loguniform";
  if (!log && !fn.name.empty() && fn.name != "uniform") {
    return Status::Invalid("unknown function '" + fn.name + "' used for flag " + name);
  }
  if (fn.args.size() != 2 && fn.args.size() != 3) {
    return Status::Invalid(std::string(log ? "loguniform" : "uniform") +
                           " requires 2 or 3 args, got " +
                           flag_internal::PythonTuple(fn.args) + " for flag " + name);
  }

  Dimension dim;
  dim.name = name;
  dim.text = fn.text;
  const FlagValue& low = fn.args[0];
  const FlagValue& high = fn.args[1];
  if (!log && (!low.is_number() || !high.is_number())) {
    dim.kind = DimKind::kCategorical;
    dim.choices = {low, high};
  } else {
    SALVO_RETURN_IF_ERROR(SetNumericBounds(name, low, high, log, &dim));
  }

  if (fn.args.size() == 3) {
    dim.initial = fn.args[2];
    SALVO_RETURN_IF_ERROR(CheckInitial(dim, fn));
  }
  return dim;
}

[[noreturn]] void DieOnPointSize(size_t point, size_t dims) {
  std::fprintf(stderr, "salvo: a point of %zu coordinates given to a space of %zu\n",
               point, dims);
  std::abort();
}

}  // namespace

bool IsSearchValue(const FlagValue& v) { return v.is_list() || v.is_function(); }

Result<Dimension> DimensionFromFlag(const std::string& name, const FlagValue& value) {
  if (value.is_list()) return ListDimension(name, value);
  if (value.is_function()) return FunctionDimension(name, value);
  return Status::Invalid("flag " + name + " is not a search dimension: " +
                         EncodeFlagValue(value) +
                         " (use a list or a range such as [MIN:MAX])");
}

Result<SearchSpace> SpaceFromFlags(const FlagMap& flags) {
  SearchSpace space;
  for (const auto& [name, value] : flags) {
    if (!IsSearchValue(value)) continue;
    Result<Dimension> dim = DimensionFromFlag(name, value);
    if (!dim.ok()) return dim.status();
    space.dims.push_back(std::move(*dim));
  }
  return space;
}

FlagValue CoordValue(const Dimension& dim, double coord) {
  switch (dim.kind) {
    case DimKind::kReal:
      return FlagValue::Float(coord);
    case DimKind::kInteger: {
      double clamped = std::min(std::max(std::round(coord), dim.low), dim.high);
      return FlagValue::Int(static_cast<int64_t>(clamped));
    }
    case DimKind::kCategorical: {
      double last = static_cast<double>(dim.choices.size()) - 1;
      double index = std::min(std::max(std::round(coord), 0.0), last);
      return dim.choices[static_cast<size_t>(index)];
    }
  }
  return FlagValue();
}

std::optional<double> SearchSpace::Cardinality() const {
  double count = 1;
  for (const Dimension& dim : dims) {
    if (dim.kind == DimKind::kReal) return std::nullopt;
    if (dim.kind == DimKind::kInteger) count *= dim.high - dim.low + 1;
    if (dim.kind == DimKind::kCategorical) {
      count *= static_cast<double>(dim.choices.size());
    }
  }
  return count;
}

FlagMap SearchSpace::ToFlags(const Point& p) const {
  if (p.size() != dims.size()) DieOnPointSize(p.size(), dims.size());
  FlagMap flags;
  for (size_t i = 0; i < dims.size(); ++i) {
    flags[dims[i].name] = CoordValue(dims[i], p[i]);
  }
  return flags;
}

std::optional<Point> SearchSpace::FromFlags(const FlagMap& flags) const {
  Point point;
  for (const Dimension& dim : dims) {
    auto it = flags.find(dim.name);
    if (it == flags.end()) return std::nullopt;
    const FlagValue& value = it->second;

    if (dim.kind == DimKind::kCategorical) {
      size_t i = 0;
      while (i < dim.choices.size() && !SameFlagValue(dim.choices[i], value)) ++i;
      if (i == dim.choices.size()) return std::nullopt;
      point.push_back(static_cast<double>(i));
      continue;
    }

    if (!value.is_number()) return std::nullopt;
    double x = *value.number();
    if (!(x >= dim.low && x <= dim.high)) return std::nullopt;
    if (dim.kind == DimKind::kInteger && std::floor(x) != x) return std::nullopt;
    point.push_back(x);
  }
  return point;
}

}  // namespace salvo
