#pragma once
// Bounded maximization with L-BFGS (NLopt's LD_LBFGS), shared by the GP's
// hyperparameter fit and the acquisition search. Deterministic for a given start.

#include <Eigen/Dense>
#include <functional>

namespace salvo::opt {

// The value at x; writes the gradient into *grad (same size as x) when grad is not null.
using SmoothObjective =
    std::function<double(const Eigen::VectorXd& x, Eigen::VectorXd* grad)>;

struct Maximum {
  Eigen::VectorXd x;
  double value = 0;
};

// The best point L-BFGS finds from `start` within [lower, upper] in at most `max_evals`
// evaluations. The result is the best point evaluated, also when NLopt stops early
// (round-off, a failed line search); a non-finite value counts as the worst possible.
Maximum MaximizeBounded(const SmoothObjective& f, const Eigen::VectorXd& start,
                        const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                        int max_evals, double ftol_rel = 1e-9);

}  // namespace salvo::opt
