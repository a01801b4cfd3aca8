#pragma once
// Output scalars: values a trial prints as `key: value` lines, turned into (tag, step,
// value) points. Not thread-safe; one parser per trial output stream.
//
// Default patterns, applied to each line with trailing white space removed:
//   `KEY: NUMBER (STEP)` or `KEY: NUMBER (step STEP)`  records the value at STEP
//   `KEY: NUMBER` optionally followed by a parenthesized suffix
//   `step: N`  sets the step of the lines that follow
// KEY is a letter or underscore then non-space characters; NUMBER is a decimal or
// exponent number, nan, inf or -inf. Keys equal to a flag name are ignored. Without
// explicit steps an implied step starts at 0 and grows by one whenever a key already
// seen in the current step reappears. An explicit step (a `step: N` line or a `(STEP)`
// suffix) becomes the step of the lines that follow, and the implied step stops.

#include <cstdint>
#include <optional>
#include <regex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/core/status.h"

namespace salvo {

struct ScalarPoint {
  std::string tag;
  int64_t step = 0;
  double value = 0;
};

// A user-defined pattern from an operation's `output-scalars`: a regex whose first
// capture group is the value, stored under `tag`; or, with an empty tag, a regex with
// named-like groups `key` and `value` (first and second capture).
//
// The regex is ECMAScript (std::regex) and is searched anywhere in the line; every
// non-overlapping match in a line records a point. Three shorthands are expanded
// before compiling: `\key` (a letter or underscore, then non-space characters),
// `\value` (a number as ParseScalarNumber reads it) and `\step` (digits). A keyed
// pattern whose key is `step` sets the step as the `step: N` line does. Keys equal to
// flag names are ignored only with the default patterns. A captured value that is not
// a number records nothing.
struct ScalarPattern {
  std::string tag;
  std::string regex;
};

class OutputScalarParser {
 public:
  // `ignore_keys`: flag names. `patterns`: empty for the default patterns.
  // Returns kInvalidArgument naming the first pattern that does not compile.
  static Result<OutputScalarParser> Make(std::set<std::string> ignore_keys,
                                         std::vector<ScalarPattern> patterns = {});

  // As Make, for patterns known to compile (none, or ones Make accepted): a pattern
  // that does not compile is skipped, never thrown.
  explicit OutputScalarParser(std::set<std::string> ignore_keys,
                              std::vector<ScalarPattern> patterns = {});

  // Returns the points the line records (usually none or one).
  std::vector<ScalarPoint> Feed(std::string_view line);

 private:
  OutputScalarParser() = default;
  // Compiles `pattern` with its shorthands expanded.
  static Result<std::regex> Compile(const ScalarPattern& pattern);
  void FeedDefault(std::string_view line, std::vector<ScalarPoint>* points);
  void FeedPatterns(const std::string& line, std::vector<ScalarPoint>* points);
  // Applies the step rules to a value of `tag` and records it (`step`: an explicit
  // step given on the line). A `step` tag sets the step instead.
  void Record(const std::string& tag, double value, std::optional<int64_t> step,
              std::vector<ScalarPoint>* points);

  std::set<std::string> ignore_keys_;
  std::vector<std::pair<std::string, std::regex>> patterns_;
  int64_t step_ = 0;
  bool explicit_step_ = false;
  std::set<std::string> seen_in_step_;
};

// Parses a number as the default patterns accept it (nan, inf, -inf included).
std::optional<double> ParseScalarNumber(std::string_view text);

}  // namespace salvo
