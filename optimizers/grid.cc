// Grid search (`+`). The grid is the cartesian product of the Categorical dimensions,
// walked in grid order; a cell counts as done when an observed, failed or pending point
// has the same choices. Real and Integer dimensions are not part of the grid: each trial
// draws them from the stream MixSeed(seed, trials_so_far + i).

#include <cmath>
#include <memory>
#include <set>

#include "optimizers/methods.h"
#include "optimizers/space_codec.h"

namespace salvo::opt {
namespace {

using Cell = std::vector<int64_t>;

class GridOptimizer : public Optimizer {
 public:
  Result<std::vector<Suggestion>> Ask(const AskRequest& request) override {
    if (request.space == nullptr) return Status::Invalid("a grid needs a search space");
    const SearchSpace& space = *request.space;
    std::vector<size_t> grid_dims;
    double cells = 1;
    for (size_t d = 0; d < space.size(); ++d) {
      if (space.dims[d].kind != DimKind::kCategorical) continue;
      grid_dims.push_back(d);
      cells *= static_cast<double>(space.dims[d].choices.size());
    }

    std::set<Cell> done;
    auto mark = [&](const Point& p) {
      if (std::optional<Cell> c = CellOf(space, grid_dims, p)) done.insert(*c);
    };
    for (const Observation& o : request.observations) mark(o.x);
    for (const Point& p : request.failed) mark(p);
    for (const Point& p : request.pending) mark(p);

    // Walk the grid in order; `done` is small next to the walk only when the batch is
    // young, and the walk stops as soon as `count` cells are found.
    SpaceCodec codec(space);
    std::vector<Suggestion> out;
    for (double index = 0; index < cells && std::ssize(out) < request.count; ++index) {
      Cell cell = CellAt(space, grid_dims, static_cast<uint64_t>(index));
      if (done.count(cell) > 0) continue;

      uint64_t trial = request.trials_so_far + out.size();
      Point p = SampledCoords(codec, request.seed, trial);
      for (size_t k = 0; k < grid_dims.size(); ++k) {
        p[grid_dims[k]] = static_cast<double>(cell[k]);
      }
      done.insert(cell);
      out.push_back(Suggestion{std::move(p), false, 0});
    }
    return out;
  }

 private:
  // The choices of `p` on the grid dimensions; nullopt when `p` is not a point of the
  // space's grid.
  static std::optional<Cell> CellOf(const SearchSpace& space,
                                    const std::vector<size_t>& grid_dims,
                                    const Point& p) {
    if (p.size() != space.size()) return std::nullopt;
    Cell cell;
    for (size_t d : grid_dims) {
      double v = p[d];
      if (!(v >= 0 && v < static_cast<double>(space.dims[d].choices.size()))) {
        return std::nullopt;
      }
      cell.push_back(std::llround(v));
    }
    return cell;
  }

  // The index-th cell in grid order (the last grid dimension varies fastest).
  static Cell CellAt(const SearchSpace& space, const std::vector<size_t>& grid_dims,
                     uint64_t index) {
    Cell cell(grid_dims.size());
    for (size_t k = grid_dims.size(); k-- > 0;) {
      uint64_t n = space.dims[grid_dims[k]].choices.size();
      cell[k] = static_cast<int64_t>(index % n);
      index /= n;
    }
    return cell;
  }

  // Values of the non-grid dimensions for a trial: a random draw from the trial's
  // stream, with the initial values for the batch's first trial.
  static Point SampledCoords(const SpaceCodec& codec, uint64_t seed, uint64_t trial) {
    PointSet none(&codec);
    return RandomTrialPoint(codec, none, seed, trial)
        .value_or(Point(codec.space().size(), 0.0));
  }
};

}  // namespace

std::unique_ptr<Optimizer> MakeGridOptimizer() {
  return std::make_unique<GridOptimizer>();
}

}  // namespace salvo::opt
