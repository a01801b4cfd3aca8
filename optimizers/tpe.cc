#include "optimizers/tpe.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "common/core/ids.h"
#include "optimizers/parzen_mixture.h"
#include "optimizers/space_codec.h"

namespace salvo::opt {
namespace {

constexpr int kMaxGood = 25;
// A model draw that repeats a tried point is redrawn this many times before random
// draws take over.
constexpr int kModelRedraws = 8;

}  // namespace

int TpeGoodCount(int n, double gamma) {
  const int count = static_cast<int>(std::ceil(gamma * n - 1e-9));
  return std::clamp(count, 0, std::min(n, kMaxGood));
}

// ---- Flags -----------------------------------------------------------------------

std::vector<FlagSpec> TpeFlagSpecs() {
  const TpeOptions d;
  return {
      {"candidates",
       FlagValue::Int(d.candidates),
       "Draws from the good trials' density per suggestion; the best ratio wins",
       {}},
      {"gamma",
       FlagValue::Float(d.gamma),
       "Fraction of the observations (at most 25) that form the good group",
       {}},
      {"multivariate",
       FlagValue::Bool(d.multivariate),
       "Model the flags jointly rather than one at a time",
       {}},
      {"prior-weight",
       FlagValue::Float(d.prior_weight),
       "Weight of the prior against each observation in the densities",
       {}},
      {"random-starts",
       FlagValue::Int(d.random_starts),
       "Number of trials to run at random before the model is used",
       {}},
  };
}

namespace {

Status BadFlag(const std::string& name, const std::string& why) {
  return Status::Invalid("invalid value for optimizer flag '" + name +
                         "' of tpe: " + why);
}

std::optional<double> NumberOf(const FlagValue& v) {
  if (const auto* i = std::get_if<int64_t>(&v.v)) return static_cast<double>(*i);
  if (const auto* d = std::get_if<double>(&v.v)) return *d;
  return std::nullopt;
}

Result<int> IntFlag(const std::string& name, const FlagValue& v, int minimum) {
  const std::optional<double> x = NumberOf(v);
  if (!x || *x != std::floor(*x)) return BadFlag(name, "expected an integer");
  if (*x < minimum || *x > 1e6) {
    return BadFlag(name,
                   "expected an integer from " + std::to_string(minimum) + " to 1000000");
  }
  return static_cast<int>(*x);
}

}  // namespace

Result<TpeOptions> TpeOptionsFromFlags(const FlagMap& flags) {
  TpeOptions options;
  for (const auto& [name, value] : flags) {
    if (name == "random-starts" || name == "candidates") {
      Result<int> v = IntFlag(name, value, name == "candidates" ? 1 : 0);
      if (!v.ok()) return v.status();
      (name == "candidates" ? options.candidates : options.random_starts) = *v;
    } else if (name == "gamma" || name == "prior-weight") {
      const std::optional<double> x = NumberOf(value);
      const bool is_gamma = name == "gamma";
      if (!x || !std::isfinite(*x) || *x <= 0 || (is_gamma && *x > 1)) {
        return BadFlag(name, is_gamma ? "expected a number in (0, 1]"
                                      : "expected a positive number");
      }
      (is_gamma ? options.gamma : options.prior_weight) = *x;
    } else if (name == "multivariate") {
      const bool* b = std::get_if<bool>(&value.v);
      if (b == nullptr) return BadFlag(name, "expected yes or no");
      options.multivariate = *b;
    } else if (name == kPrevTrialsFlag) {
      continue;  // the batch engine's (optimizer.h)
    } else {
      return Status::Invalid("unknown optimizer flag '" + name + "' for tpe");
    }
  }
  return options;
}

// ---- The optimizer -----------------------------------------------------------------

namespace {

bool IsLog(const Dimension& dim) { return dim.log && dim.low > 0; }

// A dimension with one value has nothing to model.
bool SingleValued(const Dimension& dim) {
  if (dim.kind == DimKind::kCategorical) return dim.choices.size() <= 1;
  if (dim.kind == DimKind::kInteger) return std::ceil(dim.low) >= std::floor(dim.high);
  return !(dim.high > dim.low);
}

// The densities work in log space for log-scaled dimensions; an integer owns the unit
// interval around it.
ParzenDim ModelDim(const Dimension& dim) {
  ParzenDim m;
  switch (dim.kind) {
    case DimKind::kCategorical:
      m.n_choices = static_cast<int>(dim.choices.size());
      break;
    case DimKind::kInteger:
      m.low = std::ceil(dim.low) - 0.5;
      m.high = std::floor(dim.high) + 0.5;
      if (IsLog(dim)) {
        m.low = std::log(m.low);
        m.high = std::log(m.high);
      }
      m.unit_step = !IsLog(dim);
      break;
    case DimKind::kReal:
      m.low = IsLog(dim) ? std::log(dim.low) : dim.low;
      m.high = IsLog(dim) ? std::log(dim.high) : dim.high;
      break;
  }
  return m;
}

double ToModel(const Dimension& dim, double x) {
  return dim.kind != DimKind::kCategorical && IsLog(dim) ? std::log(x) : x;
}

// The native coordinate nearest to a model-space value: exp for log dimensions,
// rounded for integers, clamped to the bounds.
double FromModel(const Dimension& dim, double v) {
  if (dim.kind == DimKind::kCategorical) return v;
  const double x = IsLog(dim) ? std::exp(v) : v;
  if (dim.kind == DimKind::kInteger)
    return std::clamp(std::round(x), std::ceil(dim.low), std::floor(dim.high));
  return std::clamp(x, dim.low, dim.high);
}

// The value of a single-valued dimension.
double OnlyValue(const Dimension& dim) {
  return dim.kind == DimKind::kCategorical ? 0
         : dim.kind == DimKind::kInteger   ? std::ceil(dim.low)
                                           : dim.low;
}

bool HasValues(const Dimension& dim) {
  if (dim.kind == DimKind::kCategorical) return !dim.choices.empty();
  if (!(std::isfinite(dim.low) && std::isfinite(dim.high) && dim.low <= dim.high))
    return false;
  return dim.kind == DimKind::kReal || std::ceil(dim.low) <= std::floor(dim.high);
}

Status CheckSpace(const SearchSpace* space) {
  if (space == nullptr) return Status::Invalid("tpe needs a search space");
  for (const Dimension& dim : space->dims) {
    if (!HasValues(dim))
      return Status::Invalid("tpe: dimension '" + dim.name + "' has no values");
  }
  return Status::Ok();
}

class TpeOptimizer : public Optimizer {
 public:
  explicit TpeOptimizer(const TpeOptions& options) : options_(options) {}

  Result<std::vector<Suggestion>> Ask(const AskRequest& request) override {
    SALVO_RETURN_IF_ERROR(CheckSpace(request.space));
    const SpaceCodec codec(*request.space);
    History h = Collect(request, codec);
    const size_t earlier =
        request.observations.size() + request.failed.size() + request.pending.size();

    std::vector<Suggestion> suggestions;
    for (int i = 0; i < request.count; ++i) {
      const uint64_t index = request.trials_so_far + static_cast<uint64_t>(i);
      Suggestion s;
      s.random_start = earlier + i < static_cast<size_t>(options_.random_starts) ||
                       h.observations.empty();
      std::optional<Point> p =
          s.random_start ? RandomTrialPoint(codec, h.tried, request.seed, index)
                         : GuidedPoint(codec, h, MixSeed(request.seed, index), &s);
      if (!p) break;  // a finite space with every point tried

      s.x = std::move(*p);
      h.tried.Add(s.x);
      h.liars.push_back(s.x);
      suggestions.push_back(std::move(s));
    }
    return suggestions;
  }

 private:
  // What the model sees: usable observations oldest first, the liars (points in
  // flight, then this Ask's earlier points) and every point not to repeat.
  struct History {
    std::vector<Observation> observations;
    std::vector<Point> liars;
    PointSet tried;
  };

  static History Collect(const AskRequest& request, const SpaceCodec& codec) {
    History h{{}, {}, PointSet(&codec)};
    for (const Observation& o : request.observations) {
      if (!codec.Contains(o.x)) continue;  // history that no longer fits the space
      if (std::isfinite(o.y)) h.observations.push_back(o);
      h.tried.Add(o.x);
    }
    for (const Point& p : request.failed) h.tried.Add(p);
    for (const Point& p : request.pending) {
      if (!codec.Contains(p)) continue;
      h.liars.push_back(p);
      h.tried.Add(p);
    }
    return h;
  }

  // A model draw, redrawn while it repeats a tried point, then a random untried point.
  std::optional<Point> GuidedPoint(const SpaceCodec& codec, const History& h,
                                   uint64_t stream_seed, Suggestion* s) const {
    std::mt19937_64 rng(stream_seed);
    const Groups groups = Split(h);
    Point p = ModelPoint(codec.space(), groups, rng);
    for (int attempt = 0; h.tried.Contains(p); ++attempt) {
      ++s->duplicates_replaced;
      if (attempt >= kModelRedraws) return DrawUntriedPoint(codec, h.tried, rng());
      p = ModelPoint(codec.space(), groups, rng);
    }
    return p;
  }

  struct Groups {
    std::vector<const Point*> good, bad;  // each oldest first
  };

  // The best gamma(n) observations (ties to the older) are good; the rest and the
  // liars are bad.
  Groups Split(const History& h) const {
    const int n = static_cast<int>(h.observations.size());
    std::vector<int> by_value(n);
    std::iota(by_value.begin(), by_value.end(), 0);
    std::stable_sort(by_value.begin(), by_value.end(), [&](int a, int b) {
      return h.observations[a].y < h.observations[b].y;
    });
    std::vector<bool> good(n, false);
    for (int k = 0; k < TpeGoodCount(n, options_.gamma); ++k) good[by_value[k]] = true;

    Groups groups;
    for (int k = 0; k < n; ++k)
      (good[k] ? groups.good : groups.bad).push_back(&h.observations[k].x);
    for (const Point& p : h.liars) groups.bad.push_back(&p);
    return groups;
  }

  Point ModelPoint(const SearchSpace& space, const Groups& groups,
                   std::mt19937_64& rng) const {
    Point p(space.size());
    std::vector<size_t> active;
    for (size_t d = 0; d < space.size(); ++d) {
      if (SingleValued(space.dims[d])) {
        p[d] = OnlyValue(space.dims[d]);
      } else {
        active.push_back(d);
      }
    }
    if (options_.multivariate) {
      DrawBest(space, active, groups, rng, &p);
    } else {
      for (size_t d : active) DrawBest(space, {d}, groups, rng, &p);
    }
    return p;
  }

  // Fills the coordinates `dims` of *p with the best of `candidates` draws from l, by
  // l(x) / g(x) over those coordinates.
  void DrawBest(const SearchSpace& space, const std::vector<size_t>& dims,
                const Groups& groups, std::mt19937_64& rng, Point* p) const {
    std::vector<ParzenDim> model_dims;
    for (size_t d : dims) model_dims.push_back(ModelDim(space.dims[d]));
    auto values = [&](const std::vector<const Point*>& group) {
      std::vector<std::vector<double>> rows;
      for (const Point* x : group) {
        std::vector<double> row;
        for (size_t d : dims) row.push_back(ToModel(space.dims[d], (*x)[d]));
        rows.push_back(std::move(row));
      }
      return rows;
    };
    ParzenOptions parzen;
    parzen.prior_weight = options_.prior_weight;
    // Scott's rule is for joint densities; one dimension keeps the neighbour gaps.
    parzen.bandwidth =
        dims.size() > 1 ? ParzenBandwidth::kScott : ParzenBandwidth::kNeighbourGaps;
    const ParzenMixture l(model_dims, values(groups.good), parzen);
    const ParzenMixture g(model_dims, values(groups.bad), parzen);

    std::vector<double> best;
    double best_score = -std::numeric_limits<double>::infinity();
    for (int c = 0; c < options_.candidates; ++c) {
      std::vector<double> x = l.Sample(rng);
      // A log-scaled integer is scored at the integer it will become.
      for (size_t j = 0; j < dims.size(); ++j) {
        const Dimension& dim = space.dims[dims[j]];
        if (dim.kind == DimKind::kInteger && IsLog(dim))
          x[j] = std::log(FromModel(dim, x[j]));
      }
      const double score = l.LogPdf(x) - g.LogPdf(x);
      if (best.empty() || score > best_score) {
        best = std::move(x);
        best_score = score;
      }
    }
    for (size_t j = 0; j < dims.size(); ++j)
      (*p)[dims[j]] = FromModel(space.dims[dims[j]], best[j]);
  }

  TpeOptions options_;
};

}  // namespace

std::unique_ptr<Optimizer> NewTpeOptimizer(const TpeOptions& options) {
  return std::make_unique<TpeOptimizer>(options);
}

Result<std::unique_ptr<Optimizer>> MakeTpeOptimizer(const FlagMap& flags) {
  Result<TpeOptions> options = TpeOptionsFromFlags(flags);
  if (!options.ok()) return options.status();
  return NewTpeOptimizer(*options);
}

}  // namespace salvo::opt
