// Fuzzes flag-value decoding (what a user types after NAME=) and the search space built
// from the decoded value. Checks that encoding a decoded value that holds no search
// function and decoding the text again gives the same value (NaN equals NaN here).

#include <cmath>

#include "common/core/flag_value.h"
#include "common/core/search_space.h"
#include "tests/fuzz/fuzz_util.h"

namespace salvo {
namespace {

bool HasFunction(const FlagValue& v) {
  if (v.is_function()) return true;
  if (!v.is_list()) return false;
  for (const FlagValue& item : v.list())
    if (HasFunction(item)) return true;
  return false;
}

bool SameValue(const FlagValue& a, const FlagValue& b) {
  if (a.kind() != b.kind()) return false;
  if (a.kind() == FlagValue::Kind::kFloat) {
    double x = std::get<double>(a.v), y = std::get<double>(b.v);
    return (std::isnan(x) && std::isnan(y)) || x == y;
  }
  if (!a.is_list()) return a == b;
  if (a.list().size() != b.list().size()) return false;
  for (size_t i = 0; i < a.list().size(); ++i)
    if (!SameValue(a.list()[i], b.list()[i])) return false;
  return true;
}

void CheckRoundTrip(const FlagValue& value) {
  std::string text = EncodeFlagValue(value);
  Result<DecodedFlag> again = DecodeFlagValue(text);
  fuzz::Check(again.ok(), "an encoded value decodes", text, again.status().message());
  fuzz::Check(SameValue(again->value, value), "decode(encode(v)) == v", text,
              EncodeFlagValue(again->value));
}

// A space from the value; its lowest point must map back from its own flags.
void CheckSpace(const FlagValue& value) {
  Result<SearchSpace> space = SpaceFromFlags({{"x", value}});
  if (!space.ok()) return;
  (void)space->Cardinality();
  Point low;
  for (const Dimension& dim : space->dims) {
    if (dim.kind == DimKind::kCategorical && dim.choices.empty()) return;
    low.push_back(dim.kind == DimKind::kCategorical ? 0.0 : dim.low);
  }
  FlagMap flags = space->ToFlags(low);
  (void)FlagLabel(flags);
  for (const Dimension& dim : space->dims) (void)CoordValue(dim, dim.high);
}

}  // namespace
}  // namespace salvo

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace salvo;
  std::string_view text = fuzz::AsText(data, size);

  for (FlagType type : {FlagType::kString, FlagType::kInt, FlagType::kFloat,
                        FlagType::kNumber, FlagType::kBoolean, FlagType::kPath}) {
    (void)DecodeFlagValue(text, type, "x");
  }
  (void)SplitFlagAssignment(text);

  Result<DecodedFlag> decoded = DecodeFlagValue(text, FlagType::kAuto, "x");
  if (!decoded.ok()) return 0;
  const FlagValue& value = decoded->value;
  (void)FlagValueArg(value);
  if (!HasFunction(value)) CheckRoundTrip(value);
  CheckSpace(value);
  return 0;
}
