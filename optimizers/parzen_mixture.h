#pragma once
// Parzen mixtures, the densities of the Tree-structured Parzen Estimator (tpe.h): one
// kernel per observation plus a prior kernel, over one dimension (independent TPE) or
// over several at once (multivariate TPE, where a kernel is a product over the
// dimensions). Numeric dimensions use normals truncated to the dimension's range;
// integer ones the mass of the unit interval around each value; categorical ones a
// smoothed indicator of the observed choice. Immutable after construction; Sample and
// LogPdf may run on several threads at once.

#include <random>
#include <vector>

namespace salvo::opt {

// One dimension as the densities see it: a numeric range (in log space for a
// log-scaled dimension), or a categorical dimension when n_choices > 0.
struct ParzenDim {
  int n_choices = 0;
  double low = 0, high = 1;
  bool unit_step =
      false;  // integer values: a value's density is the mass of [x-.5, x+.5]
};

enum class ParzenBandwidth {
  // Each numeric kernel's width is the larger gap to its sorted neighbours, the range's
  // ends counting as neighbours (the outermost kernels use their inner gap), the
  // univariate rule of Bergstra et al. 2011 as Optuna applies it.
  kNeighbourGaps,
  // Every kernel's width is 0.2 n^(-1/(d+4)) times the range for n observations in d
  // dimensions (Scott's rule, as BOHB and Optuna's multivariate TPE use it).
  kScott,
};

struct ParzenOptions {
  double prior_weight = 1.0;  // the prior kernel's weight; each observation weighs 1
  ParzenBandwidth bandwidth = ParzenBandwidth::kNeighbourGaps;
  // Whether a numeric kernel's density is divided by its width. Optuna 3.1 leaves the
  // width out, so every kernel has the same height and l(x)/g(x) compares how many good
  // and bad observations lie near x rather than how tightly they cluster; that explores
  // more, and bench/optimizers measured it as the better default (bench/README.md).
  bool divide_by_width = false;
};

// Optuna's observation weights, oldest first: 1 each for up to 25 observations;
// beyond that the older ones ramp up linearly from 1/n and the newest 25 weigh 1.
std::vector<double> TpeObservationWeights(int n);

class ParzenMixture {
 public:
  // `values` holds one point per observation, oldest first, with one coordinate per
  // dimension of `dims` (a choice's index for a categorical one). Every numeric width
  // is clipped to [(high - low) / min(100, k + 1), high - low] for k kernels; the
  // prior kernel sits in the middle of the range with the whole range as its width,
  // and is uniform over the choices.
  ParzenMixture(std::vector<ParzenDim> dims,
                const std::vector<std::vector<double>>& values,
                const ParzenOptions& options);

  // A draw: a kernel chosen by weight, then each coordinate from it (rounded for unit
  // steps, a choice's index for categorical dimensions).
  std::vector<double> Sample(std::mt19937_64& rng) const;
  // Log of the mixture's density at x (see ParzenOptions::divide_by_width).
  double LogPdf(const std::vector<double>& x) const;

  // Normalized kernel weights, the prior's last.
  const std::vector<double>& weights() const { return weights_; }
  // Centres and widths of the kernels of numeric dimension d, the prior's last.
  const std::vector<double>& mus(size_t d) const { return kernels_[d].mu; }
  const std::vector<double>& sigmas(size_t d) const { return kernels_[d].sigma; }

 private:
  struct Kernels {
    std::vector<double> mu, sigma, log_mass;  // numeric: log_mass of [low, high]
    std::vector<int> choice;                  // categorical: observed index, -1 prior
    double log_on = 0, log_off = 0;           // categorical: log kernel probabilities
  };

  Kernels NumericKernels(const ParzenDim& dim, const std::vector<double>& centres) const;
  Kernels ChoiceKernels(const ParzenDim& dim, const std::vector<double>& values) const;
  double LogKernel(size_t d, size_t k, double x) const;

  std::vector<ParzenDim> dims_;
  ParzenOptions options_;
  size_t n_observations_ = 0;
  std::vector<double> weights_, log_weights_;
  std::vector<Kernels> kernels_;  // one per dimension
};

}  // namespace salvo::opt
