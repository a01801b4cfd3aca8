#include "optimizers/gp.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <deque>
#include <numeric>

#include "common/core/ids.h"
#include "optimizers/acquisition.h"
#include "optimizers/gp_model.h"
#include "optimizers/lbfgs.h"
#include "optimizers/methods.h"

namespace salvo::opt {
namespace {

// Hyperparameters are refitted on every request up to this many observations.
constexpr int kAlwaysRefitUpTo = 64;
constexpr double kRefitGrowth = 1.25;
// The most observations a hyperparameter fit sees.
constexpr int kMaxFitPoints = 64;
// gp_hedge replays the portfolio over at most this many recent model-guided steps.
constexpr int kHedgeWindow = 40;
// Learning rate of the gp_hedge softmax. The gains are in standard deviations of the
// objective, several times larger than in raw units for most objectives, so a rate
// below 1 keeps the portfolio from locking onto one acquisition after a few steps.
constexpr double kHedgeEta = 0.2;
// Sample skewness of the targets above which they are log-transformed.
constexpr double kLogTransformSkew = 1.0;
// Candidates the gp_hedge replay scores.
constexpr Eigen::Index kHedgeCandidates = 500;
// A fit on at most this many observations that calls all of the variation noise is
// redone with priors (FittedTheta).
constexpr int kPriorRefitUpTo = 10;
// Fitted hyperparameters kept per optimizer object.
constexpr size_t kThetaCacheSize = 16;

// Stream tags, so that each use of the batch seed draws its own numbers.
constexpr uint64_t kCandidateStream = 0x43414e44ULL << 32;
constexpr uint64_t kHedgeStream = 0x48454447ULL << 32;
constexpr uint64_t kFitStream = 0x46495454ULL << 32;

// Candidates scored per request: a few thousand while the solves against the kernel
// factor are cheap, fewer for long histories (cost n^2 per candidate).
int CandidateCount(int n) {
  double budget = 2e7 / std::max(1.0, static_cast<double>(n) * n);
  return static_cast<int>(std::clamp(budget, 128.0, 2000.0));
}
int RefineStarts(int n) { return n <= 100 ? 5 : n <= 400 ? 3 : 2; }
int RefineEvals(int n) { return n <= 400 ? 40 : 20; }
int FitEvals(int n_fit) { return n_fit <= 40 ? 80 : 60; }
int FitStarts(int n_fit) { return n_fit <= 20 ? 5 : n_fit <= 40 ? 3 : 2; }

double Mean(const Eigen::VectorXd& v) { return v.size() > 0 ? v.mean() : 0.0; }
double Scale(const Eigen::VectorXd& v) {
  if (v.size() < 2) return 1.0;
  double s = std::sqrt((v.array() - v.mean()).square().mean());
  return s > 1e-12 && std::isfinite(s) ? s : 1.0;
}

// Rows of the first `prefix` observations a fit uses: all of them when few; else the
// best quarter and an even spread of the rest, in history order.
std::vector<int> FitRows(const std::vector<Observation>& obs, int prefix) {
  std::vector<int> rows(static_cast<size_t>(prefix));
  std::iota(rows.begin(), rows.end(), 0);
  if (prefix <= kMaxFitPoints) return rows;

  std::vector<int> by_value = rows;
  std::stable_sort(by_value.begin(), by_value.end(),
                   [&](int a, int b) { return obs[a].y < obs[b].y; });
  std::vector<bool> chosen(static_cast<size_t>(prefix), false);
  for (int i = 0; i < kMaxFitPoints / 4; ++i) chosen[by_value[i]] = true;
  std::vector<int> rest;
  for (int r : rows) {
    if (!chosen[r]) rest.push_back(r);
  }
  const int spread = kMaxFitPoints - kMaxFitPoints / 4;
  for (int i = 0; i < spread; ++i) {
    chosen[rest[static_cast<size_t>(i) * rest.size() / spread]] = true;
  }
  std::vector<int> out;
  for (int r : rows) {
    if (chosen[r]) out.push_back(r);
  }
  return out;
}

// Targets as the model sees them: standardized, after a log transform when the
// values have a long upper tail (sample skewness above 1), as objectives like
// Rosenbrock's do; the transform keeps the order, so the minimum stays the minimum.
Eigen::VectorXd TransformTargets(const Eigen::VectorXd& raw) {
  Eigen::VectorXd y = raw;
  const double scale = Scale(y);
  if (y.size() >= 3) {
    double skew = ((y.array() - y.mean()) / scale).cube().mean();
    if (skew > kLogTransformSkew) {
      y = (y.array() - y.minCoeff() + 0.01 * scale).log().matrix();
    }
  }
  return (y.array() - Mean(y)) / Scale(y);
}

class GpSearch : public GuidedSearch {
 public:
  explicit GpSearch(const GpOptions& options) : options_(options) {}

  void Begin(const GuidedProblem& problem) override;
  std::optional<Point> Next(uint64_t index, const PointSet& avoid,
                            int* duplicates) override;
  void AddInFlight(const Point& p) override;

 private:
  Eigen::VectorXd FittedTheta(const std::vector<Observation>& obs,
                              const Eigen::MatrixXd& X, uint64_t seed);
  void ReplayHedgeGains(const Eigen::VectorXd& y);
  AcqKind ChooseAcquisition(uint64_t index) const;
  std::array<double, 3> AllAcquisitions(double mean, double std, double best) const;
  double Score(AcqKind kind, double mean, double var) const;
  // The acquisition's best point near candidate `c`, by L-BFGS over the Real and
  // Integer coordinates, rounded into the space; its value goes to *value.
  Point Refine(AcqKind kind, int c, double* value) const;

  GpOptions options_;
  std::deque<std::pair<std::vector<double>, Eigen::VectorXd>> theta_cache_;

  // State of the current request.
  const SpaceCodec* codec_ = nullptr;
  GuidedProblem problem_;
  bool usable_ = false;
  int observed_ = 0;
  double best_ = 0, liar_ = 0, xi_ = 0;  // in standardized units
  GaussianProcess gp_;
  Candidates candidates_;
  Eigen::MatrixXd cross_;  // L^-1 k(training, candidates): a row per training point
  Eigen::ArrayXd cand_mean_, cand_var_;
  std::array<double, 3> gains_{0, 0, 0};
};

Eigen::VectorXd GpSearch::FittedTheta(const std::vector<Observation>& obs,
                                      const Eigen::MatrixXd& X, uint64_t seed) {
  const int prefix = FitPrefix(static_cast<int>(obs.size()));
  std::vector<int> rows = FitRows(obs, prefix);
  Eigen::MatrixXd Xf(static_cast<Eigen::Index>(rows.size()), X.cols());
  Eigen::VectorXd yf(static_cast<Eigen::Index>(rows.size()));
  for (size_t i = 0; i < rows.size(); ++i) {
    Xf.row(static_cast<Eigen::Index>(i)) = X.row(rows[i]);
    yf[static_cast<Eigen::Index>(i)] = obs[rows[i]].y;
  }

  GpFitOptions fit;
  fit.learn_noise = options_.fit_noise;
  const double fit_scale = Scale(yf);
  fit.fixed_log_noise =
      std::log(std::max(options_.noise_variance / (fit_scale * fit_scale), 1e-10));
  fit.starts = FitStarts(static_cast<int>(rows.size()));
  fit.max_evals = FitEvals(static_cast<int>(rows.size()));
  const uint64_t fit_seed = MixSeed(seed ^ kFitStream, static_cast<uint64_t>(prefix));

  // The cache key holds every input of FitTheta, so a hit returns what a fit would.
  std::vector<double> key(Xf.data(), Xf.data() + Xf.size());
  key.insert(key.end(), yf.data(), yf.data() + yf.size());
  key.insert(
      key.end(),
      {static_cast<double>(fit_seed >> 32), static_cast<double>(fit_seed & 0xffffffffu),
       fit.learn_noise ? 1.0 : 0.0, fit.fixed_log_noise, static_cast<double>(fit.starts),
       static_cast<double>(fit.max_evals), static_cast<double>(Xf.cols())});
  for (const auto& [k, theta] : theta_cache_) {
    if (k == key) return theta;
  }
  const Eigen::VectorXd targets = TransformTargets(yf);
  Eigen::VectorXd theta = FitTheta(Xf, targets, fit, fit_seed);

  // On a handful of noisy points the likelihood often peaks with the noise at its
  // upper bound (all of the variance) and the amplitude at its floor: the posterior
  // is flat, its variance largest at the ends of the range, and every acquisition
  // then samples the ends again and again (the walkthrough's search on train.py did).
  // Such a fit is redone with one-sided priors against a small amplitude and a large
  // noise, and with shorter length scales expected (median 0.1 of the range rather
  // than 0.5), so that the gaps between the few points look uncertain rather than
  // flat. Longer histories identify the kernel well enough without this.
  Eigen::VectorXd lower, upper;
  ThetaBounds(static_cast<int>(Xf.cols()), &lower, &upper);
  const int noise = NoiseIndex(static_cast<int>(Xf.cols()));
  if (fit.learn_noise && Xf.rows() <= kPriorRefitUpTo &&
      theta[noise] > upper[noise] - 0.01) {
    fit.amplitude_prior_sd = 1.0;
    fit.noise_prior_sd = 2.0;
    fit.length_prior_median = 0.1;
    theta = FitTheta(Xf, targets, fit, fit_seed);
  }
  theta_cache_.emplace_back(std::move(key), theta);
  if (theta_cache_.size() > kThetaCacheSize) theta_cache_.pop_front();
  return theta;
}

void GpSearch::Begin(const GuidedProblem& problem) {
  codec_ = problem.codec;
  problem_ = problem;
  const std::vector<Observation>& obs = *problem.observations;
  observed_ = static_cast<int>(obs.size());

  // Standardized targets; EI's xi is in the objective's units.
  std::vector<Point> xs;
  Eigen::VectorXd y(observed_);
  for (int i = 0; i < observed_; ++i) {
    xs.push_back(obs[i].x);
    y[i] = obs[i].y;
  }
  Eigen::MatrixXd X = EncodeRows(*codec_, xs);
  Eigen::VectorXd ys = TransformTargets(y);
  best_ = liar_ = ys.minCoeff();
  xi_ = problem.flags.xi;

  Eigen::VectorXd theta = FittedTheta(obs, X, problem.seed);
  usable_ = gp_.Condition(X, ys, theta);
  if (!usable_) return;
  Eigen::VectorXd u(codec_->encoded_size());
  for (const Point& p : problem.in_flight) {
    codec_->Encode(p, u.data());
    gp_.AddPoint(u, liar_);
  }

  // Posterior at the candidates, kept as L^-1 k so that later liars and the hedge
  // replay update it cheaply.
  std::mt19937_64 rng(MixSeed(problem.seed ^ kCandidateStream, problem.index));
  candidates_ = MakeCandidates(*codec_, obs, CandidateCount(gp_.size()), rng);
  cross_ = gp_.CrossKernel(candidates_.encoded);
  gp_.factor().solveInPlace(cross_);
  cand_mean_ = (cross_.transpose() * gp_.whitened_targets()).array();
  cand_var_ = gp_.amplitude() - cross_.colwise().squaredNorm().transpose().array();
  if (options_.acquisition == AcqChoice::kHedge) ReplayHedgeGains(ys);
}

// Replays gp_hedge over the recent model-guided steps t: the model of the first t
// observations proposes one candidate per acquisition, and each acquisition gains minus
// the mean of the model of t + 1 observations at its proposal. Prefix models come for
// free: the Cholesky factor of a prefix is the leading block of the full factor.
void GpSearch::ReplayHedgeGains(const Eigen::VectorXd& y) {
  gains_ = {0, 0, 0};
  const Eigen::VectorXd& w = gp_.whitened_targets();
  const int first = std::max(1, std::min(problem_.flags.random_starts, observed_));
  const int start = std::max(first, observed_ - kHedgeWindow);
  if (start >= observed_) return;

  // The replay scores a fixed share of the candidates: it only has to rank the three
  // acquisitions, not find the best point.
  const Eigen::Index count = std::min<Eigen::Index>(cross_.cols(), kHedgeCandidates);
  auto rows = cross_.leftCols(count);
  Eigen::ArrayXd sum_mean = (rows.topRows(start).transpose() * w.head(start)).array();
  Eigen::ArrayXd sum_sq = rows.topRows(start).colwise().squaredNorm().transpose().array();
  double best = y.head(start).minCoeff();
  for (int t = start; t < observed_; ++t) {
    std::array<Eigen::Index, 3> pick{0, 0, 0};
    std::array<double, 3> top{-INFINITY, -INFINITY, -INFINITY};
    for (Eigen::Index c = 0; c < count; ++c) {
      double s = std::sqrt(std::max(gp_.amplitude() - sum_sq[c], 1e-18));
      std::array<double, 3> v = AllAcquisitions(sum_mean[c], s, best);
      for (int k = 0; k < 3; ++k) {
        if (v[k] > top[k]) top[k] = v[k], pick[k] = c;
      }
    }
    sum_mean += rows.row(t).transpose().array() * w[t];
    sum_sq += rows.row(t).transpose().array().square();
    best = std::min(best, y[t]);
    for (int k = 0; k < 3; ++k) gains_[k] -= sum_mean[pick[k]];
  }
}

// EI, PI and the negated LCB at once (EI and PI share the normal's cdf and pdf).
std::array<double, 3> GpSearch::AllAcquisitions(double mean, double std,
                                                double best) const {
  const double gap = best - mean - xi_;
  const double z = gap / std;
  const double cdf = 0.5 * std::erfc(-z * M_SQRT1_2);
  const double pdf = std::exp(-0.5 * z * z) * 0.3989422804014327;
  return {gap * cdf + std * pdf, cdf, -(mean - problem_.flags.kappa * std)};
}

AcqKind GpSearch::ChooseAcquisition(uint64_t index) const {
  switch (options_.acquisition) {
    case AcqChoice::kEI:
      return AcqKind::kEI;
    case AcqChoice::kPI:
      return AcqKind::kPI;
    case AcqChoice::kLCB:
      return AcqKind::kLCB;
    case AcqChoice::kHedge:
      break;
  }
  std::array<double, 3> p = HedgeProbabilities(gains_, kHedgeEta);
  std::mt19937_64 rng(MixSeed(problem_.seed ^ kHedgeStream, index));
  double u = UnitUniform(rng);
  if (u < p[0]) return AcqKind::kEI;
  return u < p[0] + p[1] ? AcqKind::kPI : AcqKind::kLCB;
}

double GpSearch::Score(AcqKind kind, double mean, double var) const {
  double s = std::sqrt(std::max(var, 1e-18));
  return Acquisition(kind, mean, s, best_, xi_, problem_.flags.kappa).value;
}

Point GpSearch::Refine(AcqKind kind, int c, double* value) const {
  const std::vector<int>& free = codec_->continuous_coords();
  Eigen::VectorXd u = candidates_.encoded.row(c).transpose();
  auto objective = [&](const Eigen::VectorXd& x, Eigen::VectorXd* grad) {
    Eigen::VectorXd full = u;
    for (size_t k = 0; k < free.size(); ++k)
      full[free[k]] = x[static_cast<Eigen::Index>(k)];
    double mean, std;
    Eigen::VectorXd d_mean, d_std;
    gp_.PredictWithGradient(full, &mean, &std, &d_mean, &d_std);
    AcqValue a = Acquisition(kind, mean, std, best_, xi_, problem_.flags.kappa);
    if (grad != nullptr) {
      grad->resize(static_cast<Eigen::Index>(free.size()));
      for (size_t k = 0; k < free.size(); ++k) {
        (*grad)[static_cast<Eigen::Index>(k)] =
            a.d_mean * d_mean[free[k]] + a.d_std * d_std[free[k]];
      }
    }
    return a.value;
  };

  const auto n = static_cast<Eigen::Index>(free.size());
  Eigen::VectorXd start(n);
  for (Eigen::Index k = 0; k < n; ++k) start[k] = u[free[k]];
  Maximum m = MaximizeBounded(objective, start, Eigen::VectorXd::Zero(n),
                              Eigen::VectorXd::Ones(n), RefineEvals(gp_.size()), 1e-9);
  for (Eigen::Index k = 0; k < n; ++k) u[free[k]] = m.x[k];

  // Score the point as rounded into the space, not the relaxed optimum.
  Point p = codec_->Decode(u.data());
  codec_->Encode(p, u.data());
  double mean, std;
  Eigen::VectorXd d_mean, d_std;
  gp_.PredictWithGradient(u, &mean, &std, &d_mean, &d_std);
  *value = Acquisition(kind, mean, std, best_, xi_, problem_.flags.kappa).value;
  return p;
}

std::optional<Point> GpSearch::Next(uint64_t index, const PointSet& avoid,
                                    int* duplicates) {
  if (!usable_) return std::nullopt;
  const AcqKind kind = ChooseAcquisition(index);
  const auto count = static_cast<Eigen::Index>(candidates_.points.size());
  Eigen::VectorXd score(count);
  for (Eigen::Index c = 0; c < count; ++c)
    score[c] = Score(kind, cand_mean_[c], cand_var_[c]);
  std::vector<int> ranked = RankDescending(score);

  // Local search from the best few distinct candidates.
  std::vector<std::pair<double, Point>> options;
  if (!codec_->continuous_coords().empty()) {
    std::vector<int> starts;
    for (int c : ranked) {
      if (std::ssize(starts) >= RefineStarts(gp_.size())) break;
      bool distinct = std::none_of(starts.begin(), starts.end(), [&](int s) {
        return codec_->SamePoint(candidates_.points[s], candidates_.points[c]);
      });
      if (distinct) starts.push_back(c);
    }
    for (int c : starts) {
      double value = 0;
      Point p = Refine(kind, c, &value);
      options.emplace_back(value, std::move(p));
    }
  }
  for (int c : ranked) options.emplace_back(score[c], candidates_.points[c]);
  std::stable_sort(options.begin(), options.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });

  // The best option not tried yet; count the distinct tried ones passed over.
  std::vector<const Point*> dropped;
  for (const auto& option : options) {
    const Point& p =
        option.second;  // a named reference: clang 14 cannot capture bindings
    if (!avoid.Contains(p)) return p;
    bool seen = std::any_of(dropped.begin(), dropped.end(),
                            [&](const Point* q) { return codec_->SamePoint(*q, p); });
    if (!seen) {
      dropped.push_back(&p);
      ++*duplicates;
    }
  }
  return std::nullopt;
}

void GpSearch::AddInFlight(const Point& p) {
  if (!usable_) return;
  Eigen::VectorXd u(codec_->encoded_size());
  codec_->Encode(p, u.data());
  const Eigen::Index n = gp_.size();
  Eigen::VectorXd row = gp_.AddPoint(u, liar_);

  // One more row of L^-1 k(training, candidates), by forward substitution.
  Eigen::VectorXd k = gp_.KernelTo(u, candidates_.encoded);
  Eigen::VectorXd v = (k - cross_.transpose() * row.head(n)) / row[n];
  cross_.conservativeResize(n + 1, Eigen::NoChange);
  cross_.row(n) = v.transpose();
  cand_mean_ += v.array() * gp_.whitened_targets()[n];
  cand_var_ -= v.array().square();
}

class GpOptimizer : public ModelBasedOptimizer {
 public:
  explicit GpOptimizer(const GpOptions& options)
      : ModelBasedOptimizer(options.model, std::make_unique<GpSearch>(options)) {}
};

}  // namespace

int FitPrefix(int n) {
  if (n <= kAlwaysRefitUpTo) return n;
  int size = kAlwaysRefitUpTo;
  for (;;) {
    int next = static_cast<int>(std::ceil(size * kRefitGrowth));
    if (next > n) return size;
    size = next;
  }
}

Result<GpOptions> GpOptionsFromFlags(const FlagMap& flags) {
  GpOptions o;
  Result<ModelFlags> model = ModelFlagsFrom(flags);
  if (!model.ok()) return model.status();
  o.model = *model;

  if (auto it = flags.find("acq-func"); it != flags.end()) {
    const FlagValue& v = it->second;
    std::string name = v.kind() == FlagValue::Kind::kString ? v.str() : "";
    if (name == "EI") {
      o.acquisition = AcqChoice::kEI;
    } else if (name == "PI") {
      o.acquisition = AcqChoice::kPI;
    } else if (name == "LCB") {
      o.acquisition = AcqChoice::kLCB;
    } else if (name == "gp_hedge") {
      o.acquisition = AcqChoice::kHedge;
    } else {
      return Status::Invalid(
          "invalid value for optimizer flag acq-func: expected one of "
          "EI, PI, LCB, gp_hedge");
    }
  }
  if (auto it = flags.find("noise"); it != flags.end()) {
    const FlagValue& v = it->second;
    if (v.kind() == FlagValue::Kind::kFloat || v.kind() == FlagValue::Kind::kInt) {
      o.fit_noise = false;
      o.noise_variance = v.kind() == FlagValue::Kind::kFloat
                             ? std::get<double>(v.v)
                             : static_cast<double>(std::get<int64_t>(v.v));
    } else if (v.kind() != FlagValue::Kind::kString || v.str() != "gaussian") {
      return Status::Invalid(
          "invalid value for optimizer flag noise: expected gaussian or "
          "a noise variance");
    }
  }
  return o;
}

std::unique_ptr<Optimizer> NewGpOptimizer(const GpOptions& options) {
  return std::make_unique<GpOptimizer>(options);
}

std::vector<FlagSpec> GpFlagSpecs() {
  return {
      {"acq-func",
       FlagValue::String("gp_hedge"),
       "Acquisition function: EI, PI, LCB, or gp_hedge to choose among them by their "
       "gains",
       {"EI", "PI", "LCB", "gp_hedge"}},
      {"kappa",
       FlagValue::Float(1.96),
       "Exploration weight of LCB: larger values favour uncertain points",
       {}},
      {"noise",
       FlagValue::String("gaussian"),
       "Observation noise: gaussian to fit a noise level, or a fixed noise variance",
       {}},
      {"random-starts",
       FlagValue::Int(3),
       "Trials chosen at random, counted over the whole batch, before the model is used",
       {}},
      {"xi",
       FlagValue::Float(0.05),
       "Least improvement EI and PI look for, in standard deviations of the objective",
       {}},
  };
}

Result<std::unique_ptr<Optimizer>> MakeGpOptimizer(const FlagMap& flags) {
  Result<GpOptions> options = GpOptionsFromFlags(flags);
  if (!options.ok()) return options.status();
  return NewGpOptimizer(*options);
}

}  // namespace salvo::opt
