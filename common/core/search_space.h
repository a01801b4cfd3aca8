#pragma once
// Search spaces: the dimensions an optimizer searches, built from a batch's flags.
// A Point holds one coordinate per dimension, in the space's dimension order:
// a Real's value, an Integer's value (integral), or a Categorical's choice index.
// Pure functions; safe from any thread.

#include <optional>
#include <string>
#include <vector>

#include "common/core/flag_value.h"
#include "common/core/status.h"

namespace salvo {

enum class DimKind { kReal, kInteger, kCategorical };

struct Dimension {
  std::string name;  // the flag's name
  DimKind kind = DimKind::kReal;
  double low = 0, high = 0;        // inclusive bounds (Real, Integer)
  bool log = false;                // log-uniform prior (Real, Integer); low > 0
  std::vector<FlagValue> choices;  // Categorical
  std::optional<FlagValue> initial;  // the optional 3rd function arg: first trial's value
  std::string text;                // as typed, for prompts: "[-2.0:2.0]", "[1, 2, 3]"
};

using Point = std::vector<double>;

struct SearchSpace {
  std::vector<Dimension> dims;  // sorted by name

  size_t size() const { return dims.size(); }
  // The number of distinct points, or nullopt when a Real dimension makes it infinite.
  std::optional<double> Cardinality() const;
  // Flag values of a point, keyed by dimension name.
  FlagMap ToFlags(const Point& p) const;
  // The coordinates of a trial's flags in this space; nullopt when a flag is missing,
  // of the wrong type, not one of the choices, or outside the bounds.
  std::optional<Point> FromFlags(const FlagMap& flags) const;
};

// A flag value that is a dimension of a search (a list or a search function).
bool IsSearchValue(const FlagValue& v);

// One dimension from a flag's value. A list becomes a Categorical; `[a:b]`/`uniform`
// with two ints an Integer, with a float a Real, with strings or bools a Categorical of
// the two; `loguniform` a log Real. Errors name the flag and the problem:
//   "unknown function 'floop' used for flag x"
//   "uniform requires 2 or 3 args, got (1, 2, 3, 4) for flag x"
//   "invalid range for flag lr: the lower bound 0.01 must be less than the upper bound 1e-06"
//   "invalid range for flag lr: log-scaled bounds must be strictly positive"
Result<Dimension> DimensionFromFlag(const std::string& name, const FlagValue& value);

// Every search value in `flags` as a dimension, sorted by name. Flags whose value is not
// a search value are left out (they are fixed for every trial).
Result<SearchSpace> SpaceFromFlags(const FlagMap& flags);

// Value of a point's coordinate for one dimension (rounds Integers, picks the choice).
FlagValue CoordValue(const Dimension& dim, double coord);

}  // namespace salvo
