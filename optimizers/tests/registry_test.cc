#include <gtest/gtest.h>

#include "optimizers/optimizer.h"

namespace salvo::opt {
namespace {

TEST(RegistryTest, ListsOptimizersInHelpOrder) {
  std::vector<std::string> names;
  for (const OptimizerInfo& info : RegisteredOptimizers()) names.push_back(info.name);
  EXPECT_EQ(names,
            (std::vector<std::string>{"+", "random", "gp", "forest", "gbrt", "tpe"}));
}

TEST(RegistryTest, FindsOptimizersByNameAndAlias) {
  EXPECT_EQ(FindOptimizer("bayesian")->name, "gp");
  EXPECT_EQ(FindOptimizer("gaussian")->name, "gp");
  EXPECT_EQ(FindOptimizer("skopt:gp")->name, "gp");
  EXPECT_EQ(FindOptimizer("grid")->name, "+");
  EXPECT_EQ(FindOptimizer("skopt:random")->name, "random");
  EXPECT_EQ(FindOptimizer("skopt:forest")->name, "forest");
  EXPECT_EQ(FindOptimizer("skopt:gbrt")->name, "gbrt");
  EXPECT_EQ(FindOptimizer("tpe")->name, "tpe");
  EXPECT_EQ(FindOptimizer("sobol"), nullptr);
  EXPECT_TRUE(FindOptimizer("gp")->model_based);
  EXPECT_FALSE(FindOptimizer("+")->needs_search_dims);
}

TEST(RegistryTest, ResolvesTheGpDefaults) {
  Result<FlagMap> flags = ResolveOptimizerFlags("gp", {});
  ASSERT_TRUE(flags.ok()) << flags.status().ToString();
  EXPECT_EQ(flags->at("acq-func"), FlagValue::String("gp_hedge"));
  EXPECT_EQ(flags->at("kappa"), FlagValue::Float(1.96));
  EXPECT_EQ(flags->at("noise"), FlagValue::String("gaussian"));
  EXPECT_EQ(flags->at("random-starts"), FlagValue::Int(3));
  EXPECT_EQ(flags->at("xi"), FlagValue::Float(0.05));
  EXPECT_EQ(flags->size(), 5u);
}

TEST(RegistryTest, TreeOptimizersHaveNoAcquisitionOrNoiseFlag) {
  for (const char* name : {"forest", "gbrt"}) {
    Result<FlagMap> flags = ResolveOptimizerFlags(name, {});
    ASSERT_TRUE(flags.ok());
    EXPECT_EQ(flags->size(), 3u);
    EXPECT_EQ(flags->at("random-starts"), FlagValue::Int(3));
    Result<FlagMap> bad =
        ResolveOptimizerFlags(name, {{"acq-func", FlagValue::String("EI")}});
    EXPECT_EQ(bad.status().message(),
              std::string("unknown optimizer flag 'acq-func' for ") + name);
  }
  EXPECT_TRUE(ResolveOptimizerFlags("random", {})->empty());
  EXPECT_TRUE(ResolveOptimizerFlags("grid", {})->empty());
}

TEST(RegistryTest, RejectsAnUnknownFlagNamingTheOptimizer) {
  Result<FlagMap> r = ResolveOptimizerFlags("bayesian", {{"foo", FlagValue::Int(1)}});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_EQ(r.status().message(), "unknown optimizer flag 'foo' for gp");
}

TEST(RegistryTest, RejectsAnAcquisitionOutsideTheChoicesNamingThem) {
  Result<FlagMap> r =
      ResolveOptimizerFlags("gp", {{"acq-func", FlagValue::String("UCB")}});
  EXPECT_EQ(r.status().code(), Code::kInvalidArgument);
  EXPECT_NE(r.status().message().find("acq-func"), std::string::npos);
  EXPECT_NE(r.status().message().find("EI, PI, LCB, gp_hedge"), std::string::npos);
  Result<FlagMap> ok =
      ResolveOptimizerFlags("gp", {{"acq-func", FlagValue::String("ei")}});
  EXPECT_EQ(ok->at("acq-func"), FlagValue::String("EI"));
}

TEST(RegistryTest, ChecksTheTypesOfNumericFlags) {
  EXPECT_FALSE(
      ResolveOptimizerFlags("gp", {{"random-starts", FlagValue::Float(2.5)}}).ok());
  EXPECT_FALSE(ResolveOptimizerFlags("gp", {{"random-starts", FlagValue::Int(-1)}}).ok());
  EXPECT_FALSE(ResolveOptimizerFlags("gp", {{"kappa", FlagValue::String("big")}}).ok());
  Result<FlagMap> r = ResolveOptimizerFlags(
      "gp", {{"kappa", FlagValue::Int(2)}, {"random-starts", FlagValue::Float(0.0)}});
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->at("kappa"), FlagValue::Float(2.0));
  EXPECT_EQ(r->at("random-starts"), FlagValue::Int(0));
}

TEST(RegistryTest, NoiseTakesGaussianOrAVariance) {
  EXPECT_EQ(ResolveOptimizerFlags("gp", {{"noise", FlagValue::Float(0.01)}})->at("noise"),
            FlagValue::Float(0.01));
  EXPECT_EQ(ResolveOptimizerFlags("gp", {{"noise", FlagValue::String("Gaussian")}})
                ->at("noise"),
            FlagValue::String("gaussian"));
  Result<FlagMap> bad =
      ResolveOptimizerFlags("gp", {{"noise", FlagValue::String("loud")}});
  EXPECT_NE(bad.status().message().find("noise"), std::string::npos);
}

TEST(RegistryTest, UnknownOptimizerIsAnError) {
  EXPECT_EQ(ResolveOptimizerFlags("sobol", {}).status().code(), Code::kInvalidArgument);
  EXPECT_FALSE(MakeOptimizer("sobol", {}).ok());
}

TEST(RegistryTest, MakesEveryRegisteredOptimizer) {
  for (const OptimizerInfo& info : RegisteredOptimizers()) {
    Result<std::unique_ptr<Optimizer>> o = MakeOptimizer(info.name, {});
    ASSERT_TRUE(o.ok()) << info.name << ": " << o.status().ToString();
    EXPECT_NE(o->get(), nullptr);
  }
  EXPECT_FALSE(MakeOptimizer("gp", {{"xi", FlagValue::String("x")}}).ok());
}

}  // namespace
}  // namespace salvo::opt
