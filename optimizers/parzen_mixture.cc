#include "optimizers/parzen_mixture.h"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <limits>
#include <numeric>

#include "optimizers/space_codec.h"

namespace salvo::opt {
namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();
constexpr double kSqrt2 = 1.4142135623730951;
constexpr double kLogSqrt2Pi = 0.91893853320467274;  // log(sqrt(2 pi))
constexpr int kFullWeightCount = 25;

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
  if (a < 0 && b > 0) {
    return std::log1p(-0.5 * std::erfc(-a / kSqrt2) - 0.5 * std::erfc(b / kSqrt2));
  }
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
  const double t = std::sqrt(-2 * std::log(std::min(p, 1 - p)));
  double x = t - (2.515517 + 0.802853 * t + 0.010328 * t * t) /
                     (1 + 1.432788 * t + 0.189269 * t * t + 0.001308 * t * t * t);
  if (p < 0.5) x = -x;
  for (int step = 0; step < 2; ++step) {
    const double u = (NormalCdf(x) - p) * std::exp(0.5 * x * x + kLogSqrt2Pi);
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
  const double u = UnitUniform(rng);
  double z = pb > pa ? NormalQuantile(pa + u * (pb - pa)) : b;
  if (!std::isfinite(z)) z = b;
  z = std::clamp(z, a, b);
  return mirror ? -z : z;
}

// Index drawn with probability proportional to `weights` (which sum to 1).
size_t DrawIndex(const std::vector<double>& weights, std::mt19937_64& rng) {
  const double u = UnitUniform(rng);
  double cumulative = 0;
  for (size_t k = 0; k + 1 < weights.size(); ++k) {
    cumulative += weights[k];
    if (u < cumulative) return k;
  }
  return weights.size() - 1;
}

}  // namespace

std::vector<double> TpeObservationWeights(int n) {
  std::vector<double> w(std::max(n, 0), 1.0);
  if (n <= kFullWeightCount) return w;
  const int ramp = n - kFullWeightCount;
  for (int i = 0; i < ramp; ++i)
    w[i] = ramp == 1 ? 1.0 / n : 1.0 / n + (1 - 1.0 / n) * i / (ramp - 1);
  return w;
}

ParzenMixture::ParzenMixture(std::vector<ParzenDim> dims,
                             const std::vector<std::vector<double>>& values,
                             const ParzenOptions& options)
    : dims_(std::move(dims)), options_(options), n_observations_(values.size()) {
  weights_ = TpeObservationWeights(static_cast<int>(n_observations_));
  weights_.push_back(options.prior_weight);
  const double total = std::accumulate(weights_.begin(), weights_.end(), 0.0);
  for (double& w : weights_) {
    w /= total;
    log_weights_.push_back(std::log(w));
  }

  for (size_t d = 0; d < dims_.size(); ++d) {
    std::vector<double> column(n_observations_);
    for (size_t k = 0; k < n_observations_; ++k) column[k] = values[k][d];
    kernels_.push_back(dims_[d].n_choices > 0 ? ChoiceKernels(dims_[d], column)
                                              : NumericKernels(dims_[d], column));
  }
}

ParzenMixture::Kernels ParzenMixture::NumericKernels(
    const ParzenDim& dim, const std::vector<double>& centres) const {
  const double range = dim.high - dim.low;
  Kernels kernels;
  kernels.mu = centres;
  kernels.mu.push_back(0.5 * (dim.low + dim.high));
  const size_t k = kernels.mu.size();
  std::vector<double>& sigma = kernels.sigma;
  sigma.assign(k, 0.0);

  if (options_.bandwidth == ParzenBandwidth::kScott) {
    const double n = std::max<double>(1, static_cast<double>(n_observations_));
    const double d = static_cast<double>(dims_.size());
    sigma.assign(k, 0.2 * std::pow(n, -1 / (d + 4)) * range);
  } else {
    // Sorted centres with the range's ends as outer neighbours.
    std::vector<size_t> order(k);
    std::iota(order.begin(), order.end(), size_t{0});
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return kernels.mu[a] < kernels.mu[b]; });
    std::vector<double> edge(k + 2);
    edge[0] = dim.low;
    edge[k + 1] = dim.high;
    for (size_t j = 0; j < k; ++j) edge[j + 1] = kernels.mu[order[j]];
    for (size_t j = 0; j < k; ++j) {
      double gap = std::max(edge[j + 1] - edge[j], edge[j + 2] - edge[j + 1]);
      if (k >= 2 && j == 0) gap = edge[2] - edge[1];
      if (k >= 2 && j == k - 1) gap = edge[k] - edge[k - 1];
      sigma[order[j]] = gap;
    }
  }

  // The "magic clip" floor grows finer with more kernels; the prior spans the range.
  const double min_sigma = range / std::min(100.0, static_cast<double>(k) + 1);
  for (double& s : sigma) s = std::clamp(s, min_sigma, range);
  sigma[k - 1] = range;

  for (size_t c = 0; c < k; ++c) {
    kernels.log_mass.push_back(LogNormalMass((dim.low - kernels.mu[c]) / sigma[c],
                                             (dim.high - kernels.mu[c]) / sigma[c]));
  }
  return kernels;
}

ParzenMixture::Kernels ParzenMixture::ChoiceKernels(
    const ParzenDim& dim, const std::vector<double>& values) const {
  // Each observation's kernel: weight `base` on every choice plus 1 on its own,
  // normalized; base is the prior weight shared among the kernels.
  Kernels kernels;
  const double base = options_.prior_weight / (static_cast<double>(n_observations_) + 1);
  const double total = 1 + dim.n_choices * base;
  kernels.log_on = std::log((1 + base) / total);
  kernels.log_off = std::log(base / total);
  for (double v : values) kernels.choice.push_back(static_cast<int>(std::llround(v)));
  kernels.choice.push_back(-1);
  return kernels;
}

double ParzenMixture::LogKernel(size_t d, size_t k, double x) const {
  const ParzenDim& dim = dims_[d];
  const Kernels& kernels = kernels_[d];
  if (dim.n_choices > 0) {
    if (kernels.choice[k] < 0) return -std::log(static_cast<double>(dim.n_choices));
    return kernels.choice[k] == std::llround(x) ? kernels.log_on : kernels.log_off;
  }

  const double mu = kernels.mu[k], sigma = kernels.sigma[k];
  if (dim.unit_step) {
    const double lo = std::max(x - 0.5, dim.low), hi = std::min(x + 0.5, dim.high);
    return LogNormalMass((lo - mu) / sigma, (hi - mu) / sigma) - kernels.log_mass[k];
  }
  const double z = (x - mu) / sigma;
  const double log_width = options_.divide_by_width ? std::log(sigma) : 0.0;
  return -0.5 * z * z - kLogSqrt2Pi - log_width - kernels.log_mass[k];
}

std::vector<double> ParzenMixture::Sample(std::mt19937_64& rng) const {
  const size_t k = DrawIndex(weights_, rng);
  std::vector<double> x(dims_.size());
  for (size_t d = 0; d < dims_.size(); ++d) {
    const ParzenDim& dim = dims_[d];
    const Kernels& kernels = kernels_[d];
    if (dim.n_choices > 0) {
      const int own = kernels.choice[k];
      const double on = own < 0 ? 0 : std::exp(kernels.log_on);
      const double off = own < 0 ? 1.0 / dim.n_choices : std::exp(kernels.log_off);
      // Walk the choices' cumulative probabilities.
      const double u = UnitUniform(rng);
      double cumulative = 0;
      int c = 0;
      for (; c + 1 < dim.n_choices; ++c) {
        cumulative += c == own ? on : off;
        if (u < cumulative) break;
      }
      x[d] = c;
      continue;
    }
    const double mu = kernels.mu[k], sigma = kernels.sigma[k];
    const double z =
        SampleTruncatedStdNormal((dim.low - mu) / sigma, (dim.high - mu) / sigma, rng);
    x[d] = std::clamp(mu + sigma * z, dim.low, dim.high);
    if (dim.unit_step)
      x[d] = std::clamp(std::round(x[d]), std::ceil(dim.low), std::floor(dim.high));
  }
  return x;
}

double ParzenMixture::LogPdf(const std::vector<double>& x) const {
  assert(x.size() == dims_.size());
  double top = -kInf;
  std::vector<double> terms(weights_.size());
  for (size_t k = 0; k < weights_.size(); ++k) {
    double t = log_weights_[k];
    for (size_t d = 0; d < dims_.size(); ++d) t += LogKernel(d, k, x[d]);
    terms[k] = t;
    top = std::max(top, t);
  }
  if (top == -kInf) return -kInf;
  double sum = 0;
  for (double t : terms) sum += std::exp(t - top);
  return top + std::log(sum);
}

}  // namespace salvo::opt
