#pragma once
// Gaussian-process regression on the unit cube, the surrogate of the gp optimizer.
// Kernel: a constant times the Matérn 5/2 correlation with one length scale per
// coordinate, plus white noise on the training points:
//   k(a, b) = s2 (1 + sqrt(5) r + 5 r^2 / 3) exp(-sqrt(5) r),  r^2 = sum_j ((a_j - b_j) /
//   l_j)^2
// (Rasmussen and Williams, "Gaussian Processes for Machine Learning", 2006, eq. 4.17).
// Hyperparameters live in log space as one vector
//   theta = [log s2, log l_1 .. log l_D, log noise_variance]
// and are fitted by maximizing the log marginal likelihood (ibid. eq. 5.8) with its
// analytic gradient (eq. 5.9), plus a log-normal prior on the length scales and
// optional one-sided priors on the amplitude and the noise variance. Targets are
// expected standardized by the caller.
// Objects are not thread-safe.

#include <Eigen/Dense>
#include <cstdint>
#include <vector>

namespace salvo::opt {

// Matérn 5/2 correlation at scaled distance r >= 0.
double Matern52(double r);

// Layout of theta for D coordinates.
inline int ThetaSize(int dims) { return dims + 2; }
inline int NoiseIndex(int dims) { return dims + 1; }

// The log marginal likelihood of targets y at the rows of X, for any theta. Precomputes
// the per-coordinate squared distances once, so that a fit evaluates many thetas fast.
class MarginalLikelihood {
 public:
  MarginalLikelihood(const Eigen::MatrixXd& X, const Eigen::VectorXd& y);

  // log p(y | X, theta); with `gradient`, also d/dtheta (size ThetaSize). A kernel
  // matrix that is not positive definite even with jitter gives -infinity.
  double Evaluate(const Eigen::VectorXd& theta, Eigen::VectorXd* gradient) const;

 private:
  Eigen::VectorXd y_;
  std::vector<Eigen::MatrixXd> sq_dist_;  // one n x n matrix per coordinate
};

struct GpFitOptions {
  bool learn_noise = true;  // false: theta's noise entry stays at fixed_log_noise
  double fixed_log_noise = -13.8;
  int starts = 3;      // L-BFGS runs: a default start, then random ones
  int max_evals = 80;  // likelihood evaluations per run
  // Log-normal prior on each length scale: log l ~ N(log median, sd^2); sd <= 0 turns
  // it off (a plain maximum-likelihood fit).
  double length_prior_median = 0.5;
  double length_prior_sd = 1.0;
  // One-sided log-normal priors, in the units of the standardized targets: against an
  // amplitude s2 below its median and a noise variance above its median (no penalty on
  // the other side). sd <= 0 turns one off; both are off by default.
  double amplitude_prior_median = 1.0;
  double amplitude_prior_sd = 0;
  double noise_prior_median = 1e-2;
  double noise_prior_sd = 0;
};

// Bounds of theta used by the fit, per entry.
void ThetaBounds(int dims, Eigen::VectorXd* lower, Eigen::VectorXd* upper);

// The theta with the largest marginal likelihood (times the length-scale prior) found
// from `options.starts` L-BFGS runs; the random starts come from `seed`.
Eigen::VectorXd FitTheta(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                         const GpFitOptions& options, uint64_t seed);

// The posterior of a GP with fixed theta. The Cholesky factor of the kernel matrix is
// built one row at a time, so the factor of the first m points never depends on the
// points after them: Condition() keeps the rows it already has for the longest common
// prefix of the old and new training points (same theta) and computes only the rest.
// That makes a request with one more observation cost O(n^2) instead of O(n^3), with
// a result identical to a factorization from scratch. AddPoint() adds one row, which
// the constant liar uses for points in flight.
class GaussianProcess {
 public:
  // Conditions on the rows of X with targets y. False when a target or a point is not
  // finite.
  bool Condition(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                 const Eigen::VectorXd& theta);
  // Adds a training point observed without noise (a constant-liar value for a point in
  // flight, so that the posterior variance there collapses); returns the new row of
  // the Cholesky factor (n + 1 entries, the diagonal last).
  Eigen::VectorXd AddPoint(const Eigen::VectorXd& x, double y);

  int size() const { return static_cast<int>(y_.size()); }
  double amplitude() const { return amplitude_; }
  // The lower Cholesky factor L of the training kernel matrix and w = L^-1 y: the
  // posterior mean at x is k(x)^T L^-T w and its variance s2 - |L^-1 k(x)|^2.
  auto factor() const {
    return chol_.topLeftCorner(size(), size()).triangularView<Eigen::Lower>();
  }
  const Eigen::VectorXd& whitened_targets() const { return whitened_; }

  // Kernel between every training point and every row of Xc: n x rows(Xc).
  Eigen::MatrixXd CrossKernel(const Eigen::MatrixXd& Xc) const;
  // Kernel between x and every row of Xc.
  Eigen::VectorXd KernelTo(const Eigen::VectorXd& x, const Eigen::MatrixXd& Xc) const;
  // Mean and standard deviation of the latent function (no noise) at the rows of Xc.
  void Predict(const Eigen::MatrixXd& Xc, Eigen::VectorXd* mean,
               Eigen::VectorXd* std) const;
  // The same at one point, with the gradients of both with respect to x.
  void PredictWithGradient(const Eigen::VectorXd& x, double* mean, double* std,
                           Eigen::VectorXd* d_mean, Eigen::VectorXd* d_std) const;

 private:
  // Appends the factor row of a point whose kernel with the current points is k.
  // `noisy`: the point's diagonal entry carries the white noise.
  Eigen::VectorXd AppendRow(const Eigen::VectorXd& x, const Eigen::VectorXd& k,
                            bool noisy);
  void SolveTargets();
  // L^T, for back substitution.
  auto factor_transpose() const {
    return chol_.topLeftCorner(size(), size()).transpose().triangularView<Eigen::Upper>();
  }

  Eigen::VectorXd theta_;
  Eigen::MatrixXd points_;   // training points (rows), as given
  std::vector<bool> noisy_;  // per training point: observed with noise
  Eigen::MatrixXd scaled_;   // training points divided by the length scales
  Eigen::VectorXd inv_lengths_;
  Eigen::VectorXd y_;
  double amplitude_ = 1, noise_ = 0;
  Eigen::MatrixXd chol_;  // capacity may exceed size(); the top-left block is L
  Eigen::VectorXd whitened_, alpha_;  // L^-1 y and K^-1 y
};

}  // namespace salvo::opt
