// Search spaces built from flag values, and the way back from points to flags.
// Rows 50-55 of the reference's test vectors and the bad-range reports are checked
// by message.

#include "common/core/search_space.h"

#include <gtest/gtest.h>

#include <ostream>
#include <string>

namespace salvo {

inline void PrintTo(const FlagValue& v, std::ostream* os) { *os << EncodeFlagValue(v); }

namespace {

FlagValue I(int64_t i) { return FlagValue::Int(i); }
FlagValue F(double d) { return FlagValue::Float(d); }
FlagValue S(std::string s) { return FlagValue::String(std::move(s)); }

FlagValue Decode(std::string_view text) {
  Result<DecodedFlag> decoded = DecodeFlagValue(text);
  EXPECT_TRUE(decoded.ok()) << text << ": " << decoded.status().message();
  return decoded.ok() ? decoded->value : S("<error>");
}

Dimension Dim(std::string_view text, const std::string& name = "x") {
  Result<Dimension> dim = DimensionFromFlag(name, Decode(text));
  EXPECT_TRUE(dim.ok()) << text << ": " << dim.status().message();
  return dim.ok() ? *dim : Dimension{};
}

std::string DimError(std::string_view text, const std::string& name = "x") {
  Result<Dimension> dim = DimensionFromFlag(name, Decode(text));
  EXPECT_FALSE(dim.ok()) << text << " made a dimension";
  if (dim.ok()) return "";
  EXPECT_EQ(dim.status().code(), Code::kInvalidArgument);
  return dim.status().message();
}

SearchSpace Space(const FlagMap& flags) {
  Result<SearchSpace> space = SpaceFromFlags(flags);
  EXPECT_TRUE(space.ok()) << space.status().message();
  return space.ok() ? *space : SearchSpace{};
}

TEST(DimensionFromFlagTest, MakesIntegerDimensionFromTwoInts) {
  Dimension dim = Dim("[1:10]");  // row 50
  EXPECT_EQ(dim.name, "x");
  EXPECT_EQ(dim.kind, DimKind::kInteger);
  EXPECT_EQ(dim.low, 1);
  EXPECT_EQ(dim.high, 10);
  EXPECT_FALSE(dim.log);
  EXPECT_FALSE(dim.initial.has_value());
  EXPECT_EQ(dim.text, "[1:10]");
}

TEST(DimensionFromFlagTest, MakesZeroToOneAnIntegerDimensionOfTwoValues) {
  Dimension dim = Dim("[0:1]");  // row 51
  EXPECT_EQ(dim.kind, DimKind::kInteger);
  EXPECT_EQ(CoordValue(dim, 0.3), I(0));
  EXPECT_EQ(CoordValue(dim, 0.7), I(1));
  SearchSpace space{{dim}};
  EXPECT_EQ(space.Cardinality(), 2.0);
}

TEST(DimensionFromFlagTest, MakesRealDimensionWithInitialValue) {
  Dimension dim = Dim("[-2.0:2.0:0.1]");  // row 52
  EXPECT_EQ(dim.kind, DimKind::kReal);
  EXPECT_EQ(dim.low, -2.0);
  EXPECT_EQ(dim.high, 2.0);
  ASSERT_TRUE(dim.initial.has_value());
  EXPECT_EQ(*dim.initial, F(0.1));
}

TEST(DimensionFromFlagTest, MakesRealDimensionWhenEitherBoundIsFloat) {
  Dimension dim = Dim("uniform[1:2.5]");
  EXPECT_EQ(dim.kind, DimKind::kReal);
  EXPECT_EQ(dim.low, 1.0);
  EXPECT_EQ(dim.high, 2.5);
}

TEST(DimensionFromFlagTest, MakesLogRealDimensionFromLoguniformEvenWithIntBounds) {
  Dimension dim = Dim("loguniform[1:100]");
  EXPECT_EQ(dim.kind, DimKind::kReal);
  EXPECT_TRUE(dim.log);
  EXPECT_EQ(dim.low, 1.0);
  EXPECT_EQ(dim.high, 100.0);
}

TEST(DimensionFromFlagTest, MakesCategoricalOfTwoValuesFromStringsOrBools) {
  Dimension words = Dim("[a:b]");
  EXPECT_EQ(words.kind, DimKind::kCategorical);
  EXPECT_EQ(words.choices, FlagList({S("a"), S("b")}));

  Dimension bools = Dim("[yes:no]");
  EXPECT_EQ(bools.kind, DimKind::kCategorical);
  EXPECT_EQ(bools.choices, FlagList({FlagValue::Bool(true), FlagValue::Bool(false)}));
}

TEST(DimensionFromFlagTest, MakesCategoricalFromList) {
  Dimension dim = Dim("[0.1, 0.2, adam]");
  EXPECT_EQ(dim.kind, DimKind::kCategorical);
  EXPECT_EQ(dim.choices, FlagList({F(0.1), F(0.2), S("adam")}));
  EXPECT_EQ(dim.text, "[0.1, 0.2, adam]");
  EXPECT_EQ(Dim("linspace[0:1:3]").text, "[0.0, 0.5, 1.0]");
}

TEST(DimensionFromFlagTest, RejectsUnknownFunctions) {
  EXPECT_EQ(DimError("floop[1:10]"),
            "unknown function 'floop' used for flag x");  // row 53
  EXPECT_EQ(DimError("log-uniform[-2.0:2.0]"),            // row 18
            "unknown function 'log-uniform' used for flag x");
}

TEST(DimensionFromFlagTest, RejectsWrongNumberOfArguments) {
  EXPECT_EQ(DimError("[1:2:3:4]"),  // row 54
            "uniform requires 2 or 3 args, got (1, 2, 3, 4) for flag x");
  EXPECT_EQ(DimError("loguniform[1]", "lr"),
            "loguniform requires 2 or 3 args, got (1,) for flag lr");
}

TEST(DimensionFromFlagTest, RejectsReversedBounds) {
  EXPECT_EQ(DimError("loguniform[1.2:1.1]"),  // row 55
            "invalid range for flag x: the lower bound 1.2 must be less than the upper "
            "bound 1.1");
  EXPECT_EQ(DimError("[2.0:1.0]"),
            "invalid range for flag x: the lower bound 2.0 must be less than the upper "
            "bound 1.0");
  EXPECT_EQ(DimError("[3:3]"),
            "invalid range for flag x: the lower bound 3 must be less than the upper "
            "bound 3");
}

TEST(DimensionFromFlagTest, RejectsBackwardsLogRangeNamingTheFlag) {
  FlagMap flags = {{"lr", Decode("loguniform[1e-2:1e-6]")}, {"epochs", I(3)}};
  Result<SearchSpace> space = SpaceFromFlags(flags);
  ASSERT_FALSE(space.ok());
  EXPECT_EQ(space.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(space.status().message(),
            "invalid range for flag lr: the lower bound 0.01 must be less than the upper "
            "bound 1e-06");
}

TEST(DimensionFromFlagTest, RejectsLogBoundsThatAreNotStrictlyPositive) {
  for (const char* text : {"loguniform[0:1e-2]", "loguniform[-1:1]"}) {
    FlagMap flags = {{"lr", Decode(text)}};
    Result<SearchSpace> space = SpaceFromFlags(flags);
    ASSERT_FALSE(space.ok()) << text;
    EXPECT_EQ(space.status().message(),
              "invalid range for flag lr: log-scaled bounds must be strictly positive");
  }
}

TEST(DimensionFromFlagTest, RejectsNonNumericOrInfiniteBounds) {
  EXPECT_EQ(DimError("loguniform[a:b]", "lr"),
            "invalid range for flag lr: loguniform bounds must be numbers");
  EXPECT_EQ(DimError("[0:inf]"),
            "invalid range for flag x: bounds must be finite numbers");
}

TEST(DimensionFromFlagTest, RejectsInitialValueOutsideTheDimension) {
  EXPECT_EQ(DimError("[-2.0:2.0:5.0]"),
            "invalid initial value for flag x: 5.0 is not a number from -2.0 to 2.0");
  EXPECT_EQ(DimError("[1:10:5.5]"),
            "invalid initial value for flag x: 5.5 is not an integer from 1 to 10");
  EXPECT_EQ(DimError("[a:b:c]"),
            "invalid initial value for flag x: c is not one of a and b");
  EXPECT_EQ(*Dim("[1:10:4]").initial, I(4));
  EXPECT_EQ(*Dim("[a:b:b]").initial, S("b"));
}

TEST(DimensionFromFlagTest, RejectsEmptyListsAndFixedValues) {
  EXPECT_EQ(DimError("[]"), "flag x has an empty list of values");
  EXPECT_EQ(
      DimError("0.1"),
      "flag x is not a search dimension: 0.1 (use a list or a range such as [MIN:MAX])");
}

TEST(IsSearchValueTest, AcceptsListsAndFunctionsOnly) {
  EXPECT_TRUE(IsSearchValue(Decode("[1,2]")));
  EXPECT_TRUE(IsSearchValue(Decode("[1:2]")));
  EXPECT_TRUE(IsSearchValue(Decode("floop[1:2]")));
  EXPECT_FALSE(IsSearchValue(Decode("1")));
  EXPECT_FALSE(IsSearchValue(Decode("'[1:2]'")));
}

TEST(SpaceFromFlagsTest, OrdersDimensionsByNameAndLeavesOutFixedFlags) {
  FlagMap flags = {
      {"x", Decode("[-2.0:2.0]")}, {"noise", F(0.1)}, {"act", Decode("[relu, tanh]")}};
  SearchSpace space = Space(flags);
  ASSERT_EQ(space.size(), 2u);
  EXPECT_EQ(space.dims[0].name, "act");
  EXPECT_EQ(space.dims[1].name, "x");
}

TEST(SearchSpaceTest, CountsDistinctPointsOfFiniteSpaces) {
  SearchSpace space = Space({{"a", Decode("[1:10]")}, {"b", Decode("[x, y, z]")}});
  EXPECT_EQ(space.Cardinality(), 30.0);
  EXPECT_EQ(Space({{"i", Decode("[3]")}}).Cardinality(), 1.0);
}

TEST(SearchSpaceTest, HasNoCardinalityWithARealDimension) {
  SearchSpace space = Space({{"a", Decode("[1:10]")}, {"b", Decode("[0.0:1.0]")}});
  EXPECT_FALSE(space.Cardinality().has_value());
}

TEST(SearchSpaceTest, TurnsPointsIntoFlags) {
  SearchSpace space = Space({{"act", Decode("[relu, tanh]")},
                             {"layers", Decode("[1:4]")},
                             {"lr", Decode("loguniform[1e-5:1e-1]")}});
  FlagMap flags = space.ToFlags({1, 2.6, 0.001});
  EXPECT_EQ(flags.at("act"), S("tanh"));
  EXPECT_EQ(flags.at("layers"), I(3));
  EXPECT_EQ(flags.at("lr"), F(0.001));
}

TEST(SearchSpaceTest, ClampsCoordinatesToTheDimension) {
  Dimension layers = Dim("[1:4]");
  EXPECT_EQ(CoordValue(layers, 9.0), I(4));
  EXPECT_EQ(CoordValue(layers, -3.0), I(1));
  Dimension act = Dim("[relu, tanh]");
  EXPECT_EQ(CoordValue(act, 5.0), S("tanh"));
}

TEST(SearchSpaceTest, ReadsTrialFlagsBackAsCoordinates) {
  SearchSpace space = Space({{"act", Decode("[relu, tanh]")},
                             {"layers", Decode("[1:4]")},
                             {"x", Decode("[-2.0:2.0]")}});
  FlagMap flags = {
      {"act", S("tanh")}, {"layers", I(2)}, {"x", F(-0.5)}, {"noise", F(0.1)}};
  std::optional<Point> p = space.FromFlags(flags);
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, Point({1, 2, -0.5}));
  EXPECT_EQ(space.ToFlags(*p).at("act"), S("tanh"));
}

TEST(SearchSpaceTest, MatchesIntAndFloatOfTheSameNumber) {
  SearchSpace space =
      Space({{"units", Decode("[1.0, 2, 3]")}, {"x", Decode("[0.0:5.0]")}});
  std::optional<Point> p = space.FromFlags({{"units", I(1)}, {"x", I(3)}});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, Point({0, 3}));
  p = space.FromFlags({{"units", F(2.0)}, {"x", F(3.0)}});
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(*p, Point({1, 3}));
}

TEST(SearchSpaceTest, DoesNotPlaceFlagsThatDoNotFit) {
  SearchSpace space = Space({{"act", Decode("[relu, tanh]")},
                             {"layers", Decode("[1:4]")},
                             {"x", Decode("[-2.0:2.0]")}});
  FlagMap fits = {{"act", S("relu")}, {"layers", I(1)}, {"x", F(2.0)}};
  ASSERT_TRUE(space.FromFlags(fits).has_value());

  auto with = [&](const std::string& name, FlagValue v) {
    FlagMap flags = fits;
    flags[name] = std::move(v);
    return space.FromFlags(flags);
  };
  EXPECT_FALSE(with("act", S("elu")).has_value());
  EXPECT_FALSE(with("layers", I(5)).has_value());
  EXPECT_FALSE(with("layers", F(2.5)).has_value());
  EXPECT_FALSE(with("x", F(2.01)).has_value());
  EXPECT_FALSE(with("x", S("1.0")).has_value());
  EXPECT_FALSE(with("x", FlagValue::Null()).has_value());
  FlagMap missing = fits;
  missing.erase("x");
  EXPECT_FALSE(space.FromFlags(missing).has_value());
}

TEST(SearchSpaceTest, DoesNotTreatBoolsAsNumbers) {
  SearchSpace space = Space({{"flag", Decode("[0, 1]")}});
  EXPECT_FALSE(space.FromFlags({{"flag", FlagValue::Bool(true)}}).has_value());
}

}  // namespace
}  // namespace salvo
