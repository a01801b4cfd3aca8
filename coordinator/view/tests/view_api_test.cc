#include "coordinator/view/view_api.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "coordinator/tests/views_fixture.h"

namespace salvo {
namespace {

using nlohmann::json;
using testing::Id;
using testing::kBaseUs;
using testing::kSecond;

class ViewApiTest : public testing::ViewsTest {
 protected:
  // A grid batch over width=[16,32,64] with three trials whose losses are 0.5, 0.7
  // and 0.2, each at two steps (the last value is the objective).
  void SetUp() override {
    ViewsTest::SetUp();
    RunRecord batch = Batch(Id("b0"), 0, "+");
    batch.objective = "loss";
    batch.flags = {{"width", FlagValue::List({FlagValue::Int(16), FlagValue::Int(32),
                                              FlagValue::Int(64)})},
                   {"lr", FlagValue::Float(0.01)}};
    Add(batch);
    const double losses[] = {0.5, 0.7, 0.2};
    const int64_t widths[] = {16, 32, 64};
    for (int i = 0; i < 3; ++i) {
      std::string id = Id("a" + std::to_string(i));
      Add(Trial(id, 1 + i,
                {{"width", FlagValue::Int(widths[i])}, {"lr", FlagValue::Float(0.01)}},
                batch.id, i));
      AddLoss(id, 1.0, 1);
      AddLoss(id, losses[i], 2);
    }
  }

  ViewApi Api() {
    return ViewApi({home_, [this]() -> Result<RunStore*> { return store_.get(); },
                    [] { return kBaseUs + 3600 * kSecond; },
                    [](const RunRecord& r) { return r.status; }});
  }

  json GetJson(const std::string& target, int status = 200) {
    HttpReply reply = Api().Get(target);
    EXPECT_EQ(reply.status, status) << target << ": " << reply.body;
    EXPECT_EQ(reply.content_type, "application/json");
    return json::parse(reply.body);
  }
};

TEST_F(ViewApiTest, RunsNewestFirstWithObjectives) {
  json runs = GetJson("/api/runs")["runs"];
  ASSERT_EQ(runs.size(), 4u);
  EXPECT_EQ(runs[0]["id"], Id("a2"));
  EXPECT_EQ(runs[0]["short_id"], "a2000000");
  EXPECT_EQ(runs[0]["index"], 1);
  EXPECT_EQ(runs[0]["kind"], "trial");
  EXPECT_EQ(runs[0]["trial_index"], 2);
  EXPECT_EQ(runs[0]["flags"], json({{"lr", 0.01}, {"width", 64}}));
  EXPECT_EQ(runs[0]["objective"],
            json({{"name", "loss"}, {"maximize", false}, {"value", 0.2}}));
  EXPECT_EQ(runs[0]["scalars"], json({{"loss", 0.2}}));
  EXPECT_EQ(runs[0]["started"], static_cast<double>(kBaseUs + 3 * kSecond) / 1e6);
  EXPECT_EQ(runs[0]["time"], 2.0);
  EXPECT_EQ(runs[3]["kind"], "batch");
  EXPECT_EQ(runs[3]["batch_id"], nullptr);
}

TEST_F(ViewApiTest, BatchTrialsDomainsAndBestSoFar) {
  json b = GetJson("/api/batches/b0");
  EXPECT_EQ(b["objective"], "loss");
  ASSERT_EQ(b["flags"].size(), 1u);  // lr is fixed
  EXPECT_EQ(b["flags"][0]["name"], "width");
  EXPECT_EQ(b["flags"][0]["type"], "number");
  EXPECT_EQ(b["flags"][0]["values"], json({16, 32, 64}));
  EXPECT_EQ(b["flags"][0]["min"], 16);
  EXPECT_EQ(b["flags"][0]["max"], 64);
  ASSERT_EQ(b["trials"].size(), 3u);
  EXPECT_EQ(b["trials"][0]["id"], Id("a0"));
  EXPECT_EQ(b["counts"], json({{"completed", 3}}));
  EXPECT_EQ(b["best"]["id"], Id("a2"));
  json best = json::array();
  for (const json& p : b["best_so_far"]) best.push_back({p["value"], p["best"]});
  EXPECT_EQ(best, json({{0.5, 0.5}, {0.7, 0.5}, {0.2, 0.2}}));
}

TEST_F(ViewApiTest, ScalarCurves) {
  json run = GetJson("/api/runs/a1/scalars");
  EXPECT_EQ(run["id"], Id("a1"));
  EXPECT_EQ(run["tags"]["loss"], json({{"steps", {1, 2}}, {"values", {1.0, 0.7}}}));
  json trials = GetJson("/api/batches/" + Id("b0") + "/scalars")["trials"];
  ASSERT_EQ(trials.size(), 3u);
  EXPECT_EQ(trials[2]["trial_index"], 2);
  EXPECT_EQ(trials[2]["tags"]["loss"]["values"], json({1.0, 0.2}));
}

TEST_F(ViewApiTest, ErrorsAreJson) {
  EXPECT_EQ(GetJson("/api/runs/ff", 404)["error"], "could not find a run matching 'ff'");
  EXPECT_EQ(GetJson("/api/runs/a", 400).count("error"), 1u);  // a0, a1 and a2
  EXPECT_EQ(GetJson("/api/batches/a1", 404)["error"], "run a1000000 is not a batch");
  EXPECT_EQ(GetJson("/api/nothing", 404)["error"], "no route /api/nothing");
}

TEST_F(ViewApiTest, ServesThePage) {
  HttpReply page = Api().Get("/?batch=b0");
  EXPECT_EQ(page.status, 200);
  EXPECT_EQ(page.content_type, "text/html; charset=utf-8");
  EXPECT_NE(page.body.find("<script src=\"/echarts.min.js\">"), std::string::npos);
  HttpReply lib = Api().Get("/echarts.min.js");
  EXPECT_EQ(lib.status, 200);
  EXPECT_GT(lib.body.size(), 500000u);
  EXPECT_NE(lib.body.find("echarts"), std::string::npos);
  EXPECT_EQ(Api().Get("/missing.js").status, 404);
}

}  // namespace
}  // namespace salvo
