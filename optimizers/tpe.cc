#include "optimizers/tpe.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>
#include <optional>
#include <set>
#include <string>
#include <utility>

#include "common/core/ids.h"

namespace salvo::opt {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kLogSqrt2Pi = 0.91893853320467274;  // log(sqrt(2 pi))
constexpr int kMaxGood = 25;
// Two points are the same when every Real coordinate differs by at most this fraction
// of its (log-)range and every discrete coordinate is equal.
constexpr double kSameTolerance = 1e-6;
// Replacing a duplicate: model draws first, then random draws, then enumeration.
constexpr int kModelRedraws = 8;
constexpr int kRandomRedraws = 64;
// Finite spaces up to this size are enumerated to find an unseen point.
constexpr double kMaxEnumerated = 1e6;

// ---- Normal distribution helpers -------------------------------------------------

// A double in [0, 1) from the top 53 bits, the same on every standard library.
double Uniform01(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

double NormalCdf(double z) { return 0.5 * std::erfc(-z / kSqrt2); }

// log(1 - Phi(z)) for z >= 0, with the asymptotic series where erfc underflows.
double LogUpperTail(double z) {
  if (z < 25) return std::log(0.5 * std::erfc(z / kSqrt2));
  const double inv2 = 1 / (z * z);
  return -0.5 * z * z - std::log(z) - kLogSqrt2Pi + std::log1p(-inv2 + 3 * inv2 * inv2);
}

// log(Phi(b) - Phi(a)) for a <= b, accurate when both lie deep in one tail.
double LogNormalMass(double a, double b) {
  if (!(b > a)) return -kInf;
  if (a < 0 && b > 0)
    return std::log1p(-0.5 * std::erfc(-a / kSqrt2) - 0.5 * std::erfc(b / kSqrt2));
  if (b <= 0) {  // mirror into the upper tail
    const double mirrored_a = -b;
    b = -a;
    a = mirrored_a;
  }
  const double log_a = LogUpperTail(a);
  if (b == kInf) return log_a;
  return log_a + std::log1p(-std::exp(LogUpperTail(b) - log_a));
}

// Phi^-1(p): the rational start of Abramowitz and Stegun 26.2.23 (error < 4.5e-4),
// polished by two Halley steps on Phi(x) - p.
double NormalQuantile(double p) {
  if (p <= 0) return -kInf;
  if (p >= 1) return kInf;
  const double q = std::min(p, 1 - p);
  const double t = std::sqrt(-2 * std::log(q));
  double x = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                     (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  if (p < 0.5) x = -x;
  for (int step = 0; step < 2; ++step) {
    const double e = NormalCdf(x) - p;
    const double u = e * std::exp(0.5 * x * x + kLogSqrt2Pi);
    x -= u / (1 + 0.5 * x * u);
  }
  return x;
}

// A standard normal draw restricted to [a, b], by inverting the CDF. An interval in
// the upper tail is mirrored into the lower one, where Phi keeps its precision.
double SampleTruncatedStdNormal(double a, double b, std::mt19937_64& rng) {
  const bool mirror = a > 0;
  if (mirror) {
    const double mirrored_a = -b;
    b = -a;
    a = mirrored_a;
  }
  const double pa = NormalCdf(a), pb = NormalCdf(b);
  const double u = Uniform01(rng);
  double z = pb > pa ? NormalQuantile(pa + u * (pb - pa)) : b;
  if (!std::isfinite(z)) z = b;
  z = std::clamp(z, a, b);
  return mirror ? -z : z;
}

double LogSumExp(const std::vector<double>& terms) {
  const double top = *std::max_element(terms.begin(), terms.end());
  if (top == -kInf) return -kInf;
  double sum = 0;
  for (double t : terms) sum += std::exp(t - top);
  return top + std::log(sum);
}

// Observation weights (oldest first) plus the prior's, normalized to sum 1.
std::vector<double> MixtureWeights(size_t n, double prior_weight) {
  std::vector<double> w = TpeObservationWeights(static_cast<int>(n));
  w.push_back(prior_weight);
  const double total = std::accumulate(w.begin(), w.end(), 0.0);
  for (double& v : w) v /= total;
  return w;
}

// Index drawn with probability proportional to `weights` (which sum to 1).
size_t DrawIndex(const std::vector<double>& weights, std::mt19937_64& rng) {
  const double u = Uniform01(rng);
  double cumulative = 0;
  for (size_t k = 0; k + 1 < weights.size(); ++k) {
    cumulative += weights[k];
    if (u < cumulative) return k;
  }
  return weights.size() - 1;
}

}  // namespace

// ---- Parzen estimators -----------------------------------------------------------

int TpeGoodCount(int n, double gamma) {
  const int count = static_cast<int>(std::ceil(gamma * n - 1e-9));
  return std::clamp(count, 0, std::min(n, kMaxGood));
}

std::vector<double> TpeObservationWeights(int n) {
  std::vector<double> w(std::max(n, 0), 1.0);
  if (n <= kMaxGood) return w;
  const int ramp = n - kMaxGood;
  for (int i = 0; i < ramp; ++i)
    w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1 - 1.0 / n) * i / (ramp - 1);
  return w;
}

ParzenEstimator1D::ParzenEstimator1D(const std::vector<double>& values, double low,
                                     double high, bool unit_step, double prior_weight)
    : low_(low), high_(high), unit_step_(unit_step) {
  const double range = high - low;
  mus_ = values;
  mus_.push_back(0.5 * (low + high));
  weights_ = MixtureWeights(values.size(), prior_weight);
  const size_t k = mus_.size();

  // Bandwidth of each component from the gaps between sorted centres, with the range's
  // ends as outer neighbours; the outermost centres use their inner gap only.
  std::vector<size_t> order(k);
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&](size_t a, size_t b) { return mus_[a] < mus_[b]; });
  std::vector<double> edge(k + 2);
  edge[0] = low;
  edge[k + 1] = high;
  for (size_t j = 0; j < k; ++j) edge[j + 1] = mus_[order[j]];
  std::vector<double> sorted_sigma(k);
  for (size_t j = 0; j < k; ++j)
    sorted_sigma[j] = std::max(edge[j + 1] - edge[j], edge[j + 2] - edge[j + 1]);
  if (k >= 2) {
    sorted_sigma[0] = edge[2] - edge[1];
    sorted_sigma[k - 1] = edge[k] - edge[k - 1];
  }

  // Clipped between a range-dependent floor (the "magic clip") and the whole range.
  const double min_sigma = range / std::min(100.0, static_cast<double>(k) + 1);
  sigmas_.resize(k);
  for (size_t j = 0; j < k; ++j)
    sigmas_[order[j]] = std::clamp(sorted_sigma[j], min_sigma, range);
  sigmas_[k - 1] = range;  // the prior

  for (size_t c = 0; c < k; ++c) {
    log_weights_.push_back(std::log(weights_[c]));
    log_masses_.push_back(
        LogNormalMass((low - mus_[c]) / sigmas_[c], (high - mus_[c]) / sigmas_[c]));
  }
}

double ParzenEstimator1D::Sample(std::mt19937_64& rng) const {
  const size_t c = DrawIndex(weights_, rng);
  const double z = SampleTruncatedStdNormal((low_ - mus_[c]) / sigmas_[c],
                                            (high_ - mus_[c]) / sigmas_[c], rng);
  const double x = std::clamp(mus_[c] + sigmas_[c] * z, low_, high_);
  if (!unit_step_) return x;
  return std::clamp(std::round(x), std::ceil(low_), std::floor(high_));
}

double ParzenEstimator1D::LogPdf(double x) const {
  std::vector<double> terms(mus_.size());
  const double lo = std::max(x - 0.5, low_), hi = std::min(x + 0.5, high_);
  for (size_t c = 0; c < mus_.size(); ++c) {
    const double sigma = sigmas_[c];
    double log_density;
    if (unit_step_) {
      log_density = LogNormalMass((lo - mus_[c]) / sigma, (hi - mus_[c]) / sigma);
    } else {
      const double z = (x - mus_[c]) / sigma;
      log_density = -0.5 * z * z - kLogSqrt2Pi - (getenv("TPE_NOSCALE") ? 0 : std::log(sigma));
    }
    terms[c] = log_weights_[c] + log_density - log_masses_[c];
  }
  return LogSumExp(terms);
}

std::vector<double> CategoricalParzen(const std::vector<int>& values, int n_choices,
                                      double prior_weight) {
  const std::vector<double> w = MixtureWeights(values.size(), prior_weight);
  const double base = prior_weight / (static_cast<double>(values.size()) + 1);
  const double kernel_total = 1 + n_choices * base;

  std::vector<double> p(n_choices, w.back() / n_choices);
  for (size_t k = 0; k < values.size(); ++k) {
    for (int c = 0; c < n_choices; ++c) p[c] += w[k] * base / kernel_total;
    p[values[k]] += w[k] / kernel_total;
  }
  return p;
}

// ---- Flags -----------------------------------------------------------------------

std::vector<FlagSpec> TpeFlagSpecs() {
  const TpeOptions d;
  return {
      {"candidates",
       FlagValue::Int(d.candidates),
       "Draws from the good trials' density per dimension; the best ratio wins",
       {}},
      {"gamma",
       FlagValue::Float(d.gamma),
       "Fraction of the observations (at most 25) that form the good group",
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
    } else {
      return Status::Invalid("unknown optimizer flag '" + name + "' for tpe");
    }
  }
  return options;
}

// ---- The optimizer -----------------------------------------------------------------

namespace {

bool IsLogScaled(const Dimension& dim) { return dim.log && dim.low > 0; }

// A coordinate in the space the densities live in: log for log-scaled dimensions.
double ToModel(const Dimension& dim, double x) {
  return IsLogScaled(dim) ? std::log(x) : x;
}

bool Fits(const Dimension& dim, double x) {
  if (!std::isfinite(x)) return false;
  if (dim.kind == DimKind::kCategorical)
    return x == std::floor(x) && x >= 0 && x < static_cast<double>(dim.choices.size());
  const double slack = 1e-9 * std::max(1.0, dim.high - dim.low);
  if (x < dim.low - slack || x > dim.high + slack) return false;
  return dim.kind == DimKind::kReal || std::abs(x - std::round(x)) < 1e-9;
}

bool PointFits(const SearchSpace& space, const Point& p) {
  if (p.size() != space.size()) return false;
  for (size_t d = 0; d < p.size(); ++d)
    if (!Fits(space.dims[d], p[d])) return false;
  return true;
}

bool SamePoint(const SearchSpace& space, const Point& a, const Point& b) {
  for (size_t d = 0; d < a.size(); ++d) {
    const Dimension& dim = space.dims[d];
    if (dim.kind != DimKind::kReal) {
      if (std::llround(a[d]) != std::llround(b[d])) return false;
      continue;
    }
    const double range = ToModel(dim, dim.high) - ToModel(dim, dim.low);
    if (std::abs(ToModel(dim, a[d]) - ToModel(dim, b[d])) > kSameTolerance * range)
      return false;
  }
  return true;
}

// Number of distinct points, or nullopt when a Real dimension makes it infinite.
std::optional<double> FiniteSize(const SearchSpace& space) {
  double size = 1;
  for (const Dimension& dim : space.dims) {
    if (dim.kind == DimKind::kReal) {
      if (dim.high > dim.low) return std::nullopt;
    } else if (dim.kind == DimKind::kInteger) {
      size *= std::floor(dim.high) - std::ceil(dim.low) + 1;
    } else {
      size *= static_cast<double>(dim.choices.size());
    }
  }
  return size;
}

// Integer bounds of a discrete dimension's coordinates.
std::pair<int64_t, int64_t> DiscreteRange(const Dimension& dim) {
  if (dim.kind == DimKind::kCategorical) return {0, int64_t(dim.choices.size()) - 1};
  if (dim.kind == DimKind::kInteger)
    return {int64_t(std::ceil(dim.low)), int64_t(std::floor(dim.high))};
  return {0, 0};  // a Real of one value
}

double RandomCoordinate(const Dimension& dim, std::mt19937_64& rng) {
  const double u = Uniform01(rng);
  switch (dim.kind) {
    case DimKind::kCategorical:
      return std::min(std::floor(u * dim.choices.size()), dim.choices.size() - 1.0);
    case DimKind::kInteger: {
      const double lo = std::ceil(dim.low), hi = std::floor(dim.high);
      if (IsLogScaled(dim)) {
        const double a = std::log(lo - 0.5), b = std::log(hi + 0.5);
        return std::clamp(std::round(std::exp(a + u * (b - a))), lo, hi);
      }
      return std::min(lo + std::floor(u * (hi - lo + 1)), hi);
    }
    case DimKind::kReal:
      if (IsLogScaled(dim)) {
        const double a = std::log(dim.low), b = std::log(dim.high);
        return std::clamp(std::exp(a + u * (b - a)), dim.low, dim.high);
      }
      return dim.low + u * (dim.high - dim.low);
  }
  return dim.low;
}

Point RandomPoint(const SearchSpace& space, std::mt19937_64& rng) {
  Point p(space.size());
  for (size_t d = 0; d < space.size(); ++d) p[d] = RandomCoordinate(space.dims[d], rng);
  return p;
}

// The coordinate of a dimension's initial value (the third argument of its search
// function), when it is one of the dimension's values.
std::optional<double> InitialCoordinate(const Dimension& dim) {
  if (!dim.initial) return std::nullopt;
  if (dim.kind == DimKind::kCategorical) {
    for (size_t c = 0; c < dim.choices.size(); ++c)
      if (dim.choices[c] == *dim.initial) return static_cast<double>(c);
    return std::nullopt;
  }
  const std::optional<double> x = NumberOf(*dim.initial);
  if (x && Fits(dim, *x)) return *x;
  return std::nullopt;
}

Status CheckSpace(const SearchSpace* space) {
  if (space == nullptr) return Status::Invalid("tpe: no search space");
  for (const Dimension& dim : space->dims) {
    const bool bad = dim.kind == DimKind::kCategorical
                         ? dim.choices.empty()
                         : !(std::isfinite(dim.low) && std::isfinite(dim.high) &&
                             dim.low <= dim.high) ||
                               (dim.kind == DimKind::kInteger &&
                                std::ceil(dim.low) > std::floor(dim.high));
    if (bad) return Status::Invalid("tpe: dimension '" + dim.name + "' has no values");
  }
  return Status::Ok();
}

// What the model sees: usable observations oldest first, the liars (points in
// flight) after them, and every point that a suggestion must not repeat.
struct History {
  std::vector<Observation> observations;
  std::vector<Point> liars;
  std::vector<Point> tried;  // observed, failed and in flight, when they fit the space
  std::set<std::vector<int64_t>> distinct_discrete;  // for finite spaces only

  void AddTried(const Point& p, bool finite) {
    tried.push_back(p);
    if (!finite) return;
    std::vector<int64_t> key(p.size());
    for (size_t d = 0; d < p.size(); ++d) key[d] = std::llround(p[d]);
    distinct_discrete.insert(std::move(key));
  }

  bool Contains(const SearchSpace& space, const Point& p) const {
    for (const Point& t : tried)
      if (SamePoint(space, t, p)) return true;
    return false;
  }
};

class TpeOptimizer : public Optimizer {
 public:
  explicit TpeOptimizer(const TpeOptions& options) : options_(options) {}

  Result<std::vector<Suggestion>> Ask(const AskRequest& request) override {
    SALVO_RETURN_IF_ERROR(CheckSpace(request.space));
    const SearchSpace& space = *request.space;
    const std::optional<double> finite_size = FiniteSize(space);
    History history = Collect(request, finite_size.has_value());
    const size_t earlier =
        request.observations.size() + request.failed.size() + request.pending.size();

    std::vector<Suggestion> suggestions;
    for (int i = 0; i < request.count; ++i) {
      if (finite_size && history.distinct_discrete.size() >= *finite_size) break;
      std::mt19937_64 rng(MixSeed(request.seed, request.trials_so_far + i));
      Suggestion s;
      s.random_start = earlier + i < static_cast<size_t>(options_.random_starts) ||
                       history.observations.empty();
      const bool first_of_batch = request.trials_so_far == 0 && i == 0;
      Point p = s.random_start ? StartPoint(space, first_of_batch, rng)
                               : ModelPoint(space, history, rng);

      std::optional<Point> unique = Deduplicate(space, history, s, std::move(p), rng);
      if (!unique) break;  // nothing left to try
      s.x = std::move(*unique);
      history.liars.push_back(s.x);
      history.AddTried(s.x, finite_size.has_value());
      suggestions.push_back(std::move(s));
    }
    return suggestions;
  }

 private:
  static History Collect(const AskRequest& request, bool finite) {
    const SearchSpace& space = *request.space;
    History h;
    for (const Observation& o : request.observations) {
      if (!PointFits(space, o.x)) continue;
      if (std::isfinite(o.y)) h.observations.push_back(o);
      h.AddTried(o.x, finite);
    }
    for (const Point& p : request.failed)
      if (PointFits(space, p)) h.AddTried(p, finite);
    for (const Point& p : request.pending) {
      if (!PointFits(space, p)) continue;
      h.liars.push_back(p);
      h.AddTried(p, finite);
    }
    return h;
  }

  static Point StartPoint(const SearchSpace& space, bool first_of_batch,
                          std::mt19937_64& rng) {
    Point p = RandomPoint(space, rng);
    if (!first_of_batch) return p;
    for (size_t d = 0; d < space.size(); ++d)
      if (std::optional<double> x = InitialCoordinate(space.dims[d])) p[d] = *x;
    return p;
  }

  // Splits the observations into the good group (the best gamma(n), ties to the
  // older) and the bad group (the rest, then the liars), each oldest first.
  std::pair<std::vector<const Point*>, std::vector<const Point*>> Split(
      const History& h) const {
    const int n = static_cast<int>(h.observations.size());
    std::vector<int> by_value(n);
    std::iota(by_value.begin(), by_value.end(), 0);
    std::stable_sort(by_value.begin(), by_value.end(), [&](int a, int b) {
      return h.observations[a].y < h.observations[b].y;
    });
    std::vector<bool> good(n, false);
    const int n_good = TpeGoodCount(n, options_.gamma);
    for (int k = 0; k < n_good; ++k) good[by_value[k]] = true;

    std::vector<const Point*> below, above;
    for (int k = 0; k < n; ++k) (good[k] ? below : above).push_back(&h.observations[k].x);
    for (const Point& p : h.liars) above.push_back(&p);
    return {below, above};
  }

  Point ModelPoint(const SearchSpace& space, const History& h,
                   std::mt19937_64& rng) const {
    const auto [below, above] = Split(h);
    Point p(space.size());
    for (size_t d = 0; d < space.size(); ++d) {
      const Dimension& dim = space.dims[d];
      p[d] = dim.kind == DimKind::kCategorical ? SampleChoice(dim, d, below, above, rng)
                                               : SampleNumber(dim, d, below, above, rng);
    }
    return p;
  }

  double SampleNumber(const Dimension& dim, size_t d,
                      const std::vector<const Point*>& below,
                      const std::vector<const Point*>& above,
                      std::mt19937_64& rng) const {
    if (!(dim.high > dim.low)) return dim.low;
    const bool integer = dim.kind == DimKind::kInteger;
    const bool log = IsLogScaled(dim);
    // An integer owns the unit interval around it (in log space when log-scaled).
    const double lowest = integer ? std::ceil(dim.low) - 0.5 : dim.low;
    const double highest = integer ? std::floor(dim.high) + 0.5 : dim.high;
    const double low = ToModel(dim, lowest), high = ToModel(dim, highest);
    const bool unit_step = integer && !log;

    auto values = [&](const std::vector<const Point*>& group) {
      std::vector<double> v;
      for (const Point* p : group) v.push_back(ToModel(dim, (*p)[d]));
      return v;
    };
    const ParzenEstimator1D l(values(below), low, high, unit_step, options_.prior_weight);
    const ParzenEstimator1D g(values(above), low, high, unit_step, options_.prior_weight);

    double best = 0, best_score = -kInf;
    for (int c = 0; c < options_.candidates; ++c) {
      double x = l.Sample(rng);
      if (integer && log)
        x = std::log(std::clamp(std::round(std::exp(x)), std::ceil(dim.low),
                                std::floor(dim.high)));
      const double score = l.LogPdf(x) - g.LogPdf(x);
      if (score > best_score || c == 0) best = x, best_score = score;
    }
    const double native = log ? std::exp(best) : best;
    if (integer)
      return std::clamp(std::round(native), std::ceil(dim.low), std::floor(dim.high));
    return std::clamp(native, dim.low, dim.high);
  }

  double SampleChoice(const Dimension& dim, size_t d,
                      const std::vector<const Point*>& below,
                      const std::vector<const Point*>& above,
                      std::mt19937_64& rng) const {
    const int n_choices = static_cast<int>(dim.choices.size());
    auto indices = [&](const std::vector<const Point*>& group) {
      std::vector<int> v;
      for (const Point* p : group) v.push_back(static_cast<int>(std::llround((*p)[d])));
      return v;
    };
    const std::vector<double> l =
        CategoricalParzen(indices(below), n_choices, options_.prior_weight);
    const std::vector<double> g =
        CategoricalParzen(indices(above), n_choices, options_.prior_weight);

    size_t best = 0;
    double best_score = -kInf;
    for (int c = 0; c < options_.candidates; ++c) {
      const size_t x = DrawIndex(l, rng);
      const double score = std::log(l[x]) - std::log(g[x]);
      if (score > best_score) best = x, best_score = score;
    }
    return static_cast<double>(best);
  }

  // Replaces a point equal to one already tried: by more model draws, then random
  // draws, then (in a finite space) an unseen point picked at random. Counts every
  // replaced candidate; nullopt only when the space has no unseen point left.
  std::optional<Point> Deduplicate(const SearchSpace& space, const History& h,
                                   Suggestion& s, Point p, std::mt19937_64& rng) const {
    for (int attempt = 0; h.Contains(space, p); ++attempt) {
      ++s.duplicates_replaced;
      if (attempt < kModelRedraws && !s.random_start) {
        p = ModelPoint(space, h, rng);
      } else if (attempt < kModelRedraws + kRandomRedraws) {
        p = RandomPoint(space, rng);
      } else {
        return UnseenPoint(space, h, rng);
      }
    }
    return p;
  }

  static std::optional<Point> UnseenPoint(const SearchSpace& space, const History& h,
                                          std::mt19937_64& rng) {
    const std::optional<double> size = FiniteSize(space);
    if (!size || *size > kMaxEnumerated) {
      for (int attempt = 0; attempt < 10000; ++attempt) {
        Point p = RandomPoint(space, rng);
        if (!h.Contains(space, p)) return p;
      }
      return std::nullopt;
    }

    // Enumerate in mixed radix, the last dimension fastest, and pick one unseen at
    // random.
    std::vector<Point> unseen;
    const auto total = static_cast<int64_t>(*size);
    for (int64_t index = 0; index < total; ++index) {
      Point p(space.size());
      int64_t rest = index;
      for (size_t d = space.size(); d-- > 0;) {
        const auto [lo, hi] = DiscreteRange(space.dims[d]);
        p[d] = space.dims[d].kind == DimKind::kReal
                   ? space.dims[d].low
                   : static_cast<double>(lo + rest % (hi - lo + 1));
        rest /= hi - lo + 1;
      }
      if (!h.Contains(space, p)) unseen.push_back(std::move(p));
    }
    if (unseen.empty()) return std::nullopt;
    return unseen[static_cast<size_t>(Uniform01(rng) * unseen.size())];
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
