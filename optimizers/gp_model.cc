#include "optimizers/gp_model.h"

#include <cmath>
#include <limits>
#include <numbers>
#include <random>

#include "optimizers/lbfgs.h"
#include "optimizers/space_codec.h"

namespace salvo::opt {
namespace {

constexpr double kSqrt5 = 2.23606797749978969641;
// Jitter added to the diagonal: first try, then x10 per retry up to the largest.
constexpr double kJitter = 1e-9;
constexpr double kMaxJitter = 1e-3;

// Bounds of theta in log space, for standardized targets on the unit cube.
constexpr double kLogAmplitudeMin = -3.0, kLogAmplitudeMax = 3.0;  // s2 in [0.05, 20]
constexpr double kLogLengthMin = -4.6, kLogLengthMax = 3.0;        // l in [0.01, 20]
constexpr double kLogNoiseMin = -13.8, kLogNoiseMax = 0.0;         // noise in [1e-6, 1]

// Matérn 5/2 correlation of an array of squared scaled distances.
Eigen::ArrayXXd MaternOfSquared(const Eigen::ArrayXXd& r2) {
  Eigen::ArrayXXd r = r2.max(0.0).sqrt();
  return (1.0 + kSqrt5 * r + (5.0 / 3.0) * r2.max(0.0)) * (-kSqrt5 * r).exp();
}

// Cholesky factor of K + jitter I, raising the jitter until it succeeds.
// The jitter used goes to *used.
bool FactorWithJitter(const Eigen::MatrixXd& K, Eigen::LLT<Eigen::MatrixXd>* llt,
                      double* used = nullptr) {
  for (double jitter = kJitter; jitter <= kMaxJitter; jitter *= 10) {
    Eigen::MatrixXd Kj = K;
    Kj.diagonal().array() += jitter;
    llt->compute(Kj);
    if (llt->info() != Eigen::Success) continue;
    if (used != nullptr) *used = jitter;
    return true;
  }
  return false;
}

}  // namespace

double Matern52(double r) {
  return (1 + kSqrt5 * r + 5.0 / 3.0 * r * r) * std::exp(-kSqrt5 * r);
}

MarginalLikelihood::MarginalLikelihood(const Eigen::MatrixXd& X, const Eigen::VectorXd& y)
    : y_(y) {
  const Eigen::Index n = X.rows();
  for (Eigen::Index j = 0; j < X.cols(); ++j) {
    Eigen::ArrayXXd d =
        X.col(j).replicate(1, n).array() - X.col(j).transpose().replicate(n, 1).array();
    sq_dist_.push_back((d * d).matrix());
  }
}

double MarginalLikelihood::Evaluate(const Eigen::VectorXd& theta,
                                    Eigen::VectorXd* gradient) const {
  const auto dims = static_cast<int>(sq_dist_.size());
  const Eigen::Index n = y_.size();
  const double amplitude = std::exp(theta[0]);
  const double noise = std::exp(theta[NoiseIndex(dims)]);

  // K = s2 M(r) + noise I, with r^2 = sum_j d_j^2 / l_j^2.
  Eigen::ArrayXXd r2 = Eigen::ArrayXXd::Zero(n, n);
  for (int j = 0; j < dims; ++j) r2 += sq_dist_[j].array() * std::exp(-2 * theta[1 + j]);
  Eigen::ArrayXXd r = r2.sqrt();
  Eigen::ArrayXXd decay = (-kSqrt5 * r).exp();
  Eigen::MatrixXd K_signal =
      (amplitude * (1.0 + kSqrt5 * r + (5.0 / 3.0) * r2) * decay).matrix();
  Eigen::MatrixXd K = K_signal;
  K.diagonal().array() += noise;

  Eigen::LLT<Eigen::MatrixXd> llt;
  if (!FactorWithJitter(K, &llt)) return -std::numeric_limits<double>::infinity();
  Eigen::VectorXd alpha = llt.solve(y_);
  const Eigen::MatrixXd& L = llt.matrixLLT();
  double log_det_half = L.diagonal().array().log().sum();
  double value = -0.5 * y_.dot(alpha) - log_det_half -
                 0.5 * static_cast<double>(n) * std::log(2 * std::numbers::pi);
  if (gradient == nullptr) return value;

  // dlogp/dtheta_i = 0.5 tr((alpha alpha^T - K^-1) dK/dtheta_i)  (GPML eq. 5.9).
  Eigen::MatrixXd W =
      alpha * alpha.transpose() - llt.solve(Eigen::MatrixXd::Identity(n, n));
  gradient->resize(ThetaSize(dims));
  (*gradient)[0] = 0.5 * (W.array() * K_signal.array()).sum();
  // d k / d log l_j = s2 (5/3) (1 + sqrt5 r) exp(-sqrt5 r) d_j^2 / l_j^2.
  Eigen::ArrayXXd common =
      W.array() * (amplitude * (5.0 / 3.0) * (1.0 + kSqrt5 * r) * decay);
  for (int j = 0; j < dims; ++j) {
    (*gradient)[1 + j] =
        0.5 * std::exp(-2 * theta[1 + j]) * (common * sq_dist_[j].array()).sum();
  }
  (*gradient)[NoiseIndex(dims)] = 0.5 * noise * W.trace();
  return value;
}

void ThetaBounds(int dims, Eigen::VectorXd* lower, Eigen::VectorXd* upper) {
  lower->setConstant(ThetaSize(dims), kLogLengthMin);
  upper->setConstant(ThetaSize(dims), kLogLengthMax);
  (*lower)[0] = kLogAmplitudeMin;
  (*upper)[0] = kLogAmplitudeMax;
  (*lower)[NoiseIndex(dims)] = kLogNoiseMin;
  (*upper)[NoiseIndex(dims)] = kLogNoiseMax;
}

Eigen::VectorXd FitTheta(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                         const GpFitOptions& options, uint64_t seed) {
  const auto dims = static_cast<int>(X.cols());
  MarginalLikelihood likelihood(X, y);
  Eigen::VectorXd lower, upper;
  ThetaBounds(dims, &lower, &upper);
  // With a fixed noise the search runs over the first dims + 1 entries only.
  const int free = options.learn_noise ? ThetaSize(dims) : ThetaSize(dims) - 1;
  auto full_theta = [&](const Eigen::VectorXd& t) {
    Eigen::VectorXd theta(ThetaSize(dims));
    theta.head(free) = t;
    if (!options.learn_noise) theta[NoiseIndex(dims)] = options.fixed_log_noise;
    return theta;
  };
  SmoothObjective objective = [&](const Eigen::VectorXd& t, Eigen::VectorXd* grad) {
    Eigen::VectorXd full_grad;
    double v = likelihood.Evaluate(full_theta(t), grad != nullptr ? &full_grad : nullptr);
    if (grad != nullptr) {
      *grad = std::isfinite(v) ? Eigen::VectorXd(full_grad.head(free))
                               : Eigen::VectorXd::Zero(free);
    }
    // Log-normal prior on the length scales (a MAP fit): it keeps a fit on a handful
    // of points from explaining everything with very short or very long scales.
    if (options.length_prior_sd > 0 && std::isfinite(v)) {
      const double centre = std::log(options.length_prior_median);
      for (int j = 0; j < dims; ++j) {
        double z = (t[1 + j] - centre) / options.length_prior_sd;
        v -= 0.5 * z * z;
        if (grad != nullptr) (*grad)[1 + j] -= z / options.length_prior_sd;
      }
    }
    // One-sided: only values on the side of `sign` past the median are penalized.
    auto log_normal = [&](int index, double median, double sd, double sign) {
      if (sd <= 0 || !std::isfinite(v)) return;
      const double z = std::max(0.0, sign * (t[index] - std::log(median))) * sign / sd;
      v -= 0.5 * z * z;
      if (grad != nullptr) (*grad)[index] -= z / sd;
    };
    log_normal(0, options.amplitude_prior_median, options.amplitude_prior_sd, -1);
    if (options.learn_noise)
      log_normal(NoiseIndex(dims), options.noise_prior_median, options.noise_prior_sd, 1);
    return v;
  };

  // The first start is a middling kernel; the others are drawn from the seed.
  std::mt19937_64 rng(seed);
  Maximum best{full_theta(Eigen::VectorXd::Zero(free)).head(free),
               -std::numeric_limits<double>::infinity()};
  for (int s = 0; s < std::max(1, options.starts); ++s) {
    Eigen::VectorXd start(free);
    start[0] = s == 0 ? 0.0 : std::log(0.3) + UnitUniform(rng) * std::log(10.0);
    for (int j = 0; j < dims; ++j) {
      start[1 + j] =
          s == 0 ? std::log(0.3) : std::log(0.05) + UnitUniform(rng) * std::log(40.0);
    }
    if (options.learn_noise) {
      start[NoiseIndex(dims)] =
          s == 0 ? std::log(1e-3) : std::log(1e-5) + UnitUniform(rng) * std::log(1e4);
    }
    Maximum m = MaximizeBounded(objective, start, lower.head(free), upper.head(free),
                                options.max_evals, 1e-7);
    if (m.value > best.value) best = m;
  }
  return full_theta(best.x);
}

bool GaussianProcess::Condition(const Eigen::MatrixXd& X, const Eigen::VectorXd& y,
                                const Eigen::VectorXd& theta) {
  if (!X.allFinite() || !y.allFinite() || !theta.allFinite()) return false;
  const auto dims = static_cast<int>(X.cols());
  const Eigen::Index n = X.rows();

  // Keep the factor rows of the longest common prefix of old and new points.
  Eigen::Index keep = 0;
  if (theta_.size() == theta.size() && theta_ == theta && points_.cols() == X.cols()) {
    const Eigen::Index most = std::min<Eigen::Index>(size(), n);
    while (keep < most && noisy_[keep] && points_.row(keep) == X.row(keep)) ++keep;
  } else {
    theta_ = theta;
    amplitude_ = std::exp(theta[0]);
    noise_ = std::exp(theta[NoiseIndex(dims)]);
    inv_lengths_ = (-theta.segment(1, dims).array()).exp().matrix();
  }
  points_.conservativeResize(keep, X.cols());
  scaled_.conservativeResize(keep, X.cols());
  y_.conservativeResize(keep);
  if (chol_.rows() < n) {
    Eigen::MatrixXd grown = Eigen::MatrixXd::Zero(n, n);
    grown.topLeftCorner(keep, keep) = chol_.topLeftCorner(keep, keep);
    chol_.swap(grown);
  }

  for (Eigen::Index i = keep; i < n; ++i) {
    Eigen::VectorXd x = X.row(i).transpose();
    AppendRow(x, KernelTo(x, points_), /*noisy=*/true);
  }
  y_ = y;
  SolveTargets();
  return true;
}

Eigen::VectorXd GaussianProcess::AppendRow(const Eigen::VectorXd& x,
                                           const Eigen::VectorXd& k, bool noisy) {
  const Eigen::Index n = size();
  if (chol_.rows() <= n) {
    const Eigen::Index capacity = std::max<Eigen::Index>(2 * n, 16);
    Eigen::MatrixXd grown = Eigen::MatrixXd::Zero(capacity, capacity);
    grown.topLeftCorner(n, n) = chol_.topLeftCorner(n, n);
    chol_.swap(grown);
  }

  // Row n of L: l = L^-1 k, pivot sqrt(k(x, x) + noise + jitter - |l|^2).
  Eigen::VectorXd row(n + 1);
  row.head(n) = factor().solve(k);
  const double pivot2 =
      amplitude_ + (noisy ? noise_ : 0.0) + kJitter - row.head(n).squaredNorm();
  row[n] = std::sqrt(std::max(pivot2, kJitter));
  chol_.row(n).head(n + 1) = row.transpose();
  chol_.row(n).tail(chol_.cols() - n - 1).setZero();

  points_.conservativeResize(n + 1, x.size());
  points_.row(n) = x.transpose();
  noisy_.resize(static_cast<size_t>(n));
  noisy_.push_back(noisy);
  scaled_.conservativeResize(n + 1, x.size());
  scaled_.row(n) = x.cwiseProduct(inv_lengths_).transpose();
  y_.conservativeResize(n + 1);
  y_[n] = 0;
  return row;
}

void GaussianProcess::SolveTargets() {
  whitened_ = factor().solve(y_);
  alpha_ = factor_transpose().solve(whitened_);
}

Eigen::VectorXd GaussianProcess::AddPoint(const Eigen::VectorXd& x, double y) {
  Eigen::VectorXd row = AppendRow(x, KernelTo(x, points_), /*noisy=*/false);
  const Eigen::Index n = size() - 1;
  y_[n] = y;
  whitened_.conservativeResize(n + 1);
  whitened_[n] = (y - row.head(n).dot(whitened_.head(n))) / row[n];
  alpha_ = factor_transpose().solve(whitened_);
  return row;
}

Eigen::MatrixXd GaussianProcess::CrossKernel(const Eigen::MatrixXd& Xc) const {
  Eigen::MatrixXd Zc = Xc * inv_lengths_.asDiagonal();
  // |a - b|^2 = |a|^2 + |b|^2 - 2 a.b, one matrix product for all pairs.
  Eigen::ArrayXXd r2 = (-2.0 * scaled_ * Zc.transpose()).array();
  r2.colwise() += scaled_.rowwise().squaredNorm().array();
  r2.rowwise() += Zc.rowwise().squaredNorm().transpose().array();
  return (amplitude_ * MaternOfSquared(r2)).matrix();
}

Eigen::VectorXd GaussianProcess::KernelTo(const Eigen::VectorXd& x,
                                          const Eigen::MatrixXd& Xc) const {
  Eigen::MatrixXd Zc = Xc * inv_lengths_.asDiagonal();
  Eigen::VectorXd z = x.cwiseProduct(inv_lengths_);
  Eigen::ArrayXXd r2 = (Zc.rowwise() - z.transpose()).rowwise().squaredNorm().array();
  return (amplitude_ * MaternOfSquared(r2)).matrix();
}

void GaussianProcess::Predict(const Eigen::MatrixXd& Xc, Eigen::VectorXd* mean,
                              Eigen::VectorXd* std) const {
  Eigen::MatrixXd V = CrossKernel(Xc);
  *mean = V.transpose() * alpha_;
  factor().solveInPlace(V);
  *std = (amplitude_ - V.colwise().squaredNorm().array())
             .max(1e-18)
             .sqrt()
             .matrix()
             .transpose();
}

void GaussianProcess::PredictWithGradient(const Eigen::VectorXd& x, double* mean,
                                          double* std, Eigen::VectorXd* d_mean,
                                          Eigen::VectorXd* d_std) const {
  Eigen::VectorXd z = x.cwiseProduct(inv_lengths_);
  Eigen::MatrixXd diff = (-scaled_).rowwise() + z.transpose();  // n x D, z - z_i
  Eigen::ArrayXd r = diff.rowwise().norm().array();
  Eigen::ArrayXd decay = (-kSqrt5 * r).exp();
  Eigen::VectorXd k =
      (amplitude_ * (1.0 + kSqrt5 * r + (5.0 / 3.0) * r * r) * decay).matrix();
  // dk_i/dx = -s2 (5/3) (1 + sqrt5 r) exp(-sqrt5 r) (z - z_i) / l.
  Eigen::VectorXd slope =
      (-amplitude_ * (5.0 / 3.0) * (1.0 + kSqrt5 * r) * decay).matrix();
  Eigen::MatrixXd J = (slope.asDiagonal() * diff) * inv_lengths_.asDiagonal();  // n x D

  *mean = k.dot(alpha_);
  *d_mean = J.transpose() * alpha_;
  Eigen::VectorXd v = factor().solve(k);
  double var = amplitude_ - v.squaredNorm();
  if (var <= 1e-18) {
    *std = 1e-9;
    d_std->setZero(x.size());
    return;
  }
  *std = std::sqrt(var);
  Eigen::VectorXd u = factor_transpose().solve(v);  // K^-1 k
  *d_std = -(J.transpose() * u) / *std;
}

}  // namespace salvo::opt
