#pragma once
// Formatting helpers of the read-side commands (runs, compare, select): cell values and
// how they print, aligned text tables and CSV, natural sort, name suggestions, times,
// compare's column specs and per-tag summaries of a run's scalars.
// Pure functions; safe from any thread.

#include <cstdint>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/output_scalars.h"
#include "common/core/status.h"

namespace salvo {

// One value of a table: nothing, a bool, an int, a float or text.
struct Cell {
  std::variant<std::monostate, bool, int64_t, double, std::string> v;

  Cell() = default;
  static Cell Bool(bool b) { return Make(b); }
  static Cell Int(int64_t i) { return Make(i); }
  static Cell Float(double d) { return Make(d); }
  static Cell Text(std::string s) { return Make(std::move(s)); }

  bool empty() const { return v.index() == 0; }
  // The value of an int or a float; nullopt otherwise.
  std::optional<double> number() const;
  bool operator==(const Cell& other) const { return v == other.v; }

 private:
  template <class T>
  static Cell Make(T t) {
    Cell c;
    c.v = std::move(t);
    return c;
  }
};

// A flag value as a cell: null is empty; lists and functions become their text.
Cell CellFromFlag(const FlagValue& value);

// As shown in tables: "" for nothing, yes/no, floats truncated to 6 decimals.
std::string FormatCell(const Cell& cell);
// As written to CSV: floats in their shortest round-trip form, bools true/false.
std::string RawCell(const Cell& cell);

// `d` cut (toward zero, not rounded) to `decimals` places and printed without trailing
// zeros but with at least one decimal: 0.1234567 -> "0.123456", 2 -> "2.0",
// 1e-07 -> "0.0". nan and infinities print as nan, inf, -inf; magnitudes of 1e16 and
// more keep their exponent form.
std::string TruncateFloat(double d, int decimals = 6);

// Orders two non-empty cells: numerically when both are numbers (bools count as 0/1),
// else by their table text. Returns <0, 0 or >0.
int CompareCells(const Cell& a, const Cell& b);

// "x2" < "x10": runs of digits compare by value, the rest by characters.
bool NaturalLess(std::string_view a, std::string_view b);

// Levenshtein distance.
size_t EditDistance(std::string_view a, std::string_view b);
// The candidate closest to `name`, among those within an edit distance of half the
// longer name's length: one that extends `name` (or that `name` extends) first, then
// the smallest distance; ties go to the first candidate. `val_acc` suggests
// `val_accuracy` over `val_loss`.
std::optional<std::string> ClosestName(std::string_view name,
                                       const std::vector<std::string>& candidates);

// Local time "YYYY-MM-DD HH:MM:SS" of a time in µs since the epoch; "" for 0.
std::string FormatLocalTime(int64_t us);
// An elapsed time as H:MM:SS (hours not padded, not wrapped at 24); "" when negative.
std::string FormatDuration(int64_t us);

// Rows as columns padded to their widest cell, two spaces apart, no trailing spaces.
void WriteAligned(std::ostream& out, const std::vector<std::vector<std::string>>& rows);
// Rows as CSV (RFC 4180: fields with commas, quotes or line breaks are quoted).
void WriteCsv(std::ostream& out, const std::vector<std::vector<std::string>>& rows);

// A compare column spec (`-c`, `-cc`, `--min`, `--max`):
//   =FLAG [as HEADING]                     a flag's value
//   .ATTR [as HEADING]                     a run attribute (see RunAttribute)
//   [QUALIFIER] TAG [step] [as HEADING]    a scalar: first, last (default), min, max,
//                                          avg, total or count; `step` shows the step
//                                          of that value instead of the value
// A bare TAG that no run logs but some run has as a flag shows the flag.
struct ColumnSpec {
  enum class Kind { kFlag, kAttr, kScalar };
  Kind kind = Kind::kScalar;
  std::string name;  // flag, attribute or tag
  std::string qualifier = "last";
  bool step = false;
  bool qualified = false;  // a qualifier was written
  std::string heading;     // as shown: given by `as`, else derived from the spec
};

// Parses a comma-separated list of specs; error names the bad one.
Result<std::vector<ColumnSpec>> ParseColumnSpecs(std::string_view text);

// Every value a run logged under one tag, summarised.
struct ScalarSummary {
  double first = 0, last = 0, min = 0, max = 0, total = 0;
  int64_t first_step = 0, last_step = 0, min_step = 0, max_step = 0;
  int64_t count = 0;
};
// Tag -> summary of the points, in the order they were appended.
std::map<std::string, ScalarSummary> SummarizeScalars(
    const std::vector<ScalarPoint>& points);
// The cell a scalar spec shows for a summary (value or step per the qualifier).
Cell ScalarCell(const ColumnSpec& spec, const ScalarSummary& summary);

}  // namespace salvo
