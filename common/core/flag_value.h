#pragma once
// Flag values: what a user writes after NAME= on the command line or as a default in
// an operation file, decoded into typed values, lists and search functions.
// Pure functions; safe from any thread.
//
// Decoding follows the reference rules (int, then float, then flag functions and
// sequences, then list repetition, then YAML 1.1 scalars and flow lists), with the
// deliberate differences documented in docs/flags.md: ranges never overshoot their
// end, nested lists are an error, geomspace works, generated floats are rounded to 8
// decimals whatever their sign.

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/core/status.h"

namespace salvo {

struct FlagValue;
using FlagList = std::vector<FlagValue>;
using FlagMap = std::map<std::string, FlagValue>;

// A search-space function as written: `[-2.0:2.0]`, `loguniform[1e-5:1e-1:1e-3]`.
// Sequence functions (range, linspace, logspace, geomspace) never appear here: they
// are expanded into lists when decoded.
struct FlagFunction {
  std::string name;             // "" for the anonymous form [A:B], else e.g. "loguniform"
  std::vector<FlagValue> args;  // each decoded by the scalar rules
  std::string text;             // the text as typed, shown in prompts

  bool operator==(const FlagFunction& other) const;
};

struct FlagValue {
  enum class Kind { kNull, kBool, kInt, kFloat, kString, kList, kFunction };
  using Storage =
      std::variant<std::monostate, bool, int64_t, double, std::string, FlagList, FlagFunction>;

  Storage v;

  FlagValue() = default;
  static FlagValue Null() { return FlagValue(); }
  static FlagValue Bool(bool b) { return Make(b); }
  static FlagValue Int(int64_t i) { return Make(i); }
  static FlagValue Float(double d) { return Make(d); }
  static FlagValue String(std::string s) { return Make(std::move(s)); }
  static FlagValue List(FlagList l) { return Make(std::move(l)); }
  static FlagValue Function(FlagFunction f) { return Make(std::move(f)); }

  Kind kind() const { return static_cast<Kind>(v.index()); }
  bool is_null() const { return kind() == Kind::kNull; }
  bool is_number() const { return kind() == Kind::kInt || kind() == Kind::kFloat; }
  bool is_list() const { return kind() == Kind::kList; }
  bool is_function() const { return kind() == Kind::kFunction; }
  // Numeric value of an int or float (nullopt otherwise).
  std::optional<double> number() const;
  const FlagList& list() const { return std::get<FlagList>(v); }
  const FlagFunction& function() const { return std::get<FlagFunction>(v); }
  const std::string& str() const { return std::get<std::string>(v); }

  bool operator==(const FlagValue& other) const { return v == other.v; }

 private:
  template <class T>
  static FlagValue Make(T t) {
    FlagValue f;
    f.v = std::move(t);
    return f;
  }
};

// Declared type of a flag (operation file `type:`); kAuto when none is declared.
enum class FlagType { kAuto, kString, kInt, kFloat, kNumber, kBoolean, kPath };
Result<FlagType> ParseFlagType(std::string_view name);

struct DecodedFlag {
  FlagValue value;
  std::vector<std::string> warnings;  // e.g. "unsupported arguments for range function: ..."
};

// Decodes the text of a flag value. Errors (exit status 2 for the user) name the
// problem, e.g. "nested lists are not flag values". `flag_name` is only used in
// messages.
Result<DecodedFlag> DecodeFlagValue(std::string_view text, FlagType type = FlagType::kAuto,
                                    std::string_view flag_name = "");

// Splits NAME=VALUE. Error when there is no '=' or the name is empty.
Result<std::pair<std::string, std::string>> SplitFlagAssignment(std::string_view arg);

// YAML-style text of a value as shown in prompts and stored labels:
// 0.1, 1.0, 1e-05, yes, no, null, 'quoted text' when needed, [-1, 0, 1], and a
// function's text as typed. Floats use the shortest text that reads back exactly.
std::string EncodeFlagValue(const FlagValue& value);

// Text passed to a trial process for the value (same as EncodeFlagValue, but strings
// are never quoted): what the script receives as --name VALUE or as FLAG_NAME.
std::string FlagValueArg(const FlagValue& value);

// A run label: NAME=VALUE pairs sorted by name, separated by one space, floats
// truncated (not rounded) to 5 decimals, null values omitted.
std::string FlagLabel(const FlagMap& flags);

// Python-style shortest round-trip text of a double: 0.1, 1.0, 1e-05, nan, inf, -inf.
std::string FormatFloat(double d);

}  // namespace salvo
