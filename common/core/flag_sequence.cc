// Sequence functions: range, linspace, logspace and geomspace, expanded into lists
// when a flag value is decoded. The formulas follow numpy's arange, linspace,
// logspace and geomspace, with Salvo's differences from the reference (see
// docs/flags.md): a range never passes its end, geomspace works, and generated floats
// are rounded to 8 decimals whatever their sign.

#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "common/core/flag_value_internal.h"

namespace salvo::flag_internal {
namespace {

struct SequenceSpec {
  std::string_view name;
  size_t required;   // arguments that must be given
  size_t supported;  // arguments read; later ones are ignored with a warning
  std::string_view first_missing[2];  // names of the required arguments, for messages
  std::string_view usage;
};

constexpr SequenceSpec kSequences[] = {
    {"range", 1, 3, {"END", ""}, "range[END] or range[START:END:STEP]"},
    {"linspace", 2, 3, {"START", "END"}, "linspace[START:END:COUNT]"},
    {"logspace", 2, 4, {"START", "END"}, "logspace[START:END:COUNT:BASE]"},
    {"geomspace", 2, 3, {"START", "END"}, "geomspace[START:END:COUNT]"},
};

constexpr int64_t kDefaultCount = 5;

const SequenceSpec* FindSequence(std::string_view name) {
  for (const SequenceSpec& spec : kSequences) {
    if (spec.name == name) return &spec;
  }
  return nullptr;
}

// The arguments of one expansion, checked to be finite numbers.
struct SequenceArgs {
  std::string_view name;
  std::string_view text;
  const std::vector<FlagValue>& values;
  const std::vector<std::string>& texts;

  double Number(size_t i) const { return *values[i].number(); }
  bool IsInt(size_t i) const { return values[i].kind() == FlagValue::Kind::kInt; }
  int64_t Int(size_t i) const { return std::get<int64_t>(values[i].v); }
  Status Invalid(size_t i, std::string_view problem) const {
    return Status::Invalid("invalid argument '" + texts[i] + "' for " +
                           std::string(name) + ": " + std::string(problem));
  }
  Status TooMany(double count) const {
    // A count past uint64_t's range (range[1e30]) cannot be converted to it.
    std::string counted = count < 1e19 ? std::to_string(static_cast<uint64_t>(count))
                                       : FormatFloat(count);
    return Status::Invalid("'" + std::string(text) + "' gives " + counted +
                           " values; at most " + std::to_string(kMaxListValues) +
                           " are allowed");
  }
};

double RoundTo8Decimals(double x) {
  char buf[512];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed, 8);
  if (ec != std::errc()) return x;
  double rounded = x;
  std::from_chars(buf, end, rounded);
  return rounded;
}

// Rounds a generated float to 8 decimals. Magnitudes of 1e-8 and below are kept as
// computed, or `logspace[-12:-9]` would become zeros; an arithmetic value that is
// zero up to rounding error (|x| within 1e-12 of the sequence's scale) is 0.0.
double CleanFloat(double x, double scale) {
  if (std::fabs(x) <= 1e-12 * scale) return 0.0;
  return std::fabs(x) > 1e-8 ? RoundTo8Decimals(x) : x;
}

// A COUNT argument: a whole number, default 5.
Result<int64_t> CountArg(const SequenceArgs& args, size_t i) {
  if (args.values.size() <= i) return kDefaultCount;
  if (!args.IsInt(i) || args.Int(i) < 0) {
    return args.Invalid(i, "COUNT must be a whole number of at least 0");
  }
  if (static_cast<uint64_t>(args.Int(i)) > kMaxListValues) {
    return args.TooMany(static_cast<double>(args.Int(i)));
  }
  return args.Int(i);
}

// numpy.linspace: start + i * step, the last value exactly `end`.
std::vector<double> Linspace(double start, double end, int64_t count) {
  std::vector<double> out;
  double step = count > 1 ? (end - start) / static_cast<double>(count - 1) : 0.0;
  for (int64_t i = 0; i < count; ++i) {
    out.push_back(static_cast<double>(i) * step + start);
  }
  if (count > 1) out.back() = end;
  return out;
}

FlagList Floats(const std::vector<double>& values, double scale) {
  FlagList out;
  for (double v : values) out.push_back(FlagValue::Float(CleanFloat(v, scale)));
  return out;
}

// range over ints: exact, inclusive end with 2 or 3 arguments, exclusive with 1.
Result<FlagList> IntRange(const SequenceArgs& args) {
  size_t n = args.values.size();
  __int128 start = n == 1 ? 0 : args.Int(0);
  __int128 end = n == 1 ? args.Int(0) : args.Int(1);
  __int128 step = n == 3 ? args.Int(2) : 1;
  if (step == 0) return args.Invalid(2, "the step must not be zero");

  __int128 span = n == 1 ? end - 1 - start : end - start;
  __int128 count = 0;
  if (span == 0 || (span > 0) == (step > 0)) count = span / step + 1;
  if (count > static_cast<__int128>(kMaxListValues)) {
    return args.TooMany(static_cast<double>(count));
  }

  FlagList out;
  for (__int128 i = 0; i < count; ++i) {
    out.push_back(FlagValue::Int(static_cast<int64_t>(start + i * step)));
  }
  return out;
}

// range with a float argument: the same values as arange, never past `end`.
Result<FlagList> FloatRange(const SequenceArgs& args) {
  size_t n = args.values.size();
  double start = n == 1 ? 0.0 : args.Number(0);
  double end = n == 1 ? args.Number(0) : args.Number(1);
  double step = n == 3 ? args.Number(2) : 1.0;
  if (step == 0) return args.Invalid(2, "the step must not be zero");

  // One argument: arange(END), END excluded. Otherwise END is included when a step
  // lands on it; 1e-9 of a step absorbs the error of (end - start) / step.
  double steps = (end - start) / step;
  double count = n == 1 ? std::ceil(steps) : std::floor(steps + 1e-9) + 1;
  if (!(count > 0)) return FlagList{};
  if (count > static_cast<double>(kMaxListValues)) return args.TooMany(count);

  std::vector<double> values;
  for (int64_t i = 0; i < static_cast<int64_t>(count); ++i) {
    values.push_back(start + static_cast<double>(i) * step);
  }
  double scale = std::max({std::fabs(start), std::fabs(end), std::fabs(step)});
  return Floats(values, scale);
}

Result<FlagList> Range(const SequenceArgs& args) {
  for (size_t i = 0; i < args.values.size(); ++i) {
    if (!args.IsInt(i)) return FloatRange(args);
  }
  return IntRange(args);
}

Result<FlagList> LinspaceList(const SequenceArgs& args) {
  Result<int64_t> count = CountArg(args, 2);
  if (!count.ok()) return count.status();
  double start = args.Number(0), end = args.Number(1);
  double scale = std::max(std::fabs(start), std::fabs(end));
  return Floats(Linspace(start, end, *count), scale);
}

// BASE ** linspace(START, END, COUNT).
Result<FlagList> LogspaceList(const SequenceArgs& args) {
  Result<int64_t> count = CountArg(args, 2);
  if (!count.ok()) return count.status();
  double base = args.values.size() > 3 ? args.Number(3) : 10.0;
  if (base <= 0) return args.Invalid(3, "BASE must be positive");

  std::vector<double> values;
  for (double e : Linspace(args.Number(0), args.Number(1), *count)) {
    values.push_back(std::pow(base, e));
    if (!std::isfinite(values.back())) {
      return Status::Invalid("'" + std::string(args.text) +
                             "' gives a value too large for a float");
    }
  }
  return Floats(values, 0.0);
}

// A geometric sequence from START to END, both included: logspace of the bounds'
// logarithms with the ends set exactly, as numpy.geomspace does.
Result<FlagList> GeomspaceList(const SequenceArgs& args) {
  for (size_t i = 0; i < 2; ++i) {
    if (args.Number(i) <= 0) return args.Invalid(i, "START and END must be positive");
  }
  Result<int64_t> count = CountArg(args, 2);
  if (!count.ok()) return count.status();

  double start = args.Number(0), end = args.Number(1);
  std::vector<double> values;
  for (double e : Linspace(std::log10(start), std::log10(end), *count)) {
    values.push_back(std::pow(10.0, e));
  }
  if (!values.empty()) values.front() = start;
  if (values.size() > 1) values.back() = end;
  return Floats(values, 0.0);
}

}  // namespace

bool IsSequenceFunction(std::string_view name) { return FindSequence(name) != nullptr; }

Result<FlagList> ExpandSequence(std::string_view name, const std::vector<FlagValue>& args,
                                const std::vector<std::string>& arg_texts,
                                std::string_view text,
                                std::vector<std::string>* warnings) {
  const SequenceSpec* spec = FindSequence(name);
  if (args.size() < spec->required) {
    return Status::Invalid("missing argument " +
                           std::string(spec->first_missing[args.size()]) + " for " +
                           std::string(name) + ": expected " + std::string(spec->usage));
  }

  std::vector<FlagValue> used = args;
  std::vector<std::string> used_texts = arg_texts;
  if (args.size() > spec->supported) {
    std::vector<FlagValue> extra(args.begin() + spec->supported, args.end());
    warnings->push_back("unsupported arguments for " + std::string(name) +
                        " function: " + PythonTuple(extra) + " - ignoring");
    used.resize(spec->supported);
    used_texts.resize(spec->supported);
  }

  SequenceArgs checked{name, text, used, used_texts};
  for (size_t i = 0; i < used.size(); ++i) {
    if (!used[i].is_number()) return checked.Invalid(i, "expected a number");
    if (!std::isfinite(checked.Number(i))) {
      return checked.Invalid(i, "expected a finite number");
    }
  }

  if (name == "range") return Range(checked);
  if (name == "linspace") return LinspaceList(checked);
  if (name == "logspace") return LogspaceList(checked);
  return GeomspaceList(checked);
}

}  // namespace salvo::flag_internal
