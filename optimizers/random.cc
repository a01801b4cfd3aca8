// Random search. Point i of a request is drawn from the stream MixSeed(seed,
// trials_so_far + i), so a restarted batch continues the stream instead of repeating it,
// and a point that equals one tried or in flight is redrawn from the same stream.

#include <memory>

#include "optimizers/methods.h"
#include "optimizers/space_codec.h"

namespace salvo::opt {
namespace {

class RandomOptimizer : public Optimizer {
 public:
  Result<std::vector<Suggestion>> Ask(const AskRequest& request) override {
    if (request.space == nullptr)
      return Status::Invalid("random search needs a search space");
    SpaceCodec codec(*request.space);
    PointSet tried(&codec);
    for (const Observation& o : request.observations) tried.Add(o.x);
    for (const Point& p : request.failed) tried.Add(p);
    for (const Point& p : request.pending) tried.Add(p);

    std::vector<Suggestion> out;
    for (int i = 0; i < request.count; ++i) {
      uint64_t index = request.trials_so_far + static_cast<uint64_t>(i);
      std::optional<Point> p = RandomTrialPoint(codec, tried, request.seed, index);
      if (!p.has_value()) break;  // a finite space with every point tried

      tried.Add(*p);
      out.push_back(Suggestion{*p, /*random_start=*/true, 0});
    }
    return out;
  }
};

}  // namespace

std::unique_ptr<Optimizer> MakeRandomOptimizer() {
  return std::make_unique<RandomOptimizer>();
}

}  // namespace salvo::opt
