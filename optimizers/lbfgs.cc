#include "optimizers/lbfgs.h"

#include <nlopt.h>

#include <cmath>
#include <limits>

namespace salvo::opt {
namespace {

struct Tracker {
  const SmoothObjective* f;
  Maximum best;
  Eigen::VectorXd x, grad;
};

double Evaluate(unsigned n, const double* x, double* grad, void* data) {
  auto* t = static_cast<Tracker*>(data);
  t->x = Eigen::Map<const Eigen::VectorXd>(x, n);
  double value = (*t->f)(t->x, grad != nullptr ? &t->grad : nullptr);
  bool finite = std::isfinite(value);
  if (grad != nullptr) {
    for (unsigned i = 0; i < n; ++i) {
      grad[i] = finite && std::isfinite(t->grad[i]) ? t->grad[i] : 0.0;
    }
  }
  if (!finite) return -std::numeric_limits<double>::max();
  if (value > t->best.value) t->best = Maximum{t->x, value};
  return value;
}

}  // namespace

Maximum MaximizeBounded(const SmoothObjective& f, const Eigen::VectorXd& start,
                        const Eigen::VectorXd& lower, const Eigen::VectorXd& upper,
                        int max_evals, double ftol_rel) {
  const auto n = static_cast<unsigned>(start.size());
  Tracker tracker{&f, Maximum{start, -std::numeric_limits<double>::infinity()}, {}, {}};
  tracker.grad.resize(start.size());
  Eigen::VectorXd x = start.cwiseMax(lower).cwiseMin(upper);

  nlopt_opt opt = nlopt_create(NLOPT_LD_LBFGS, n);
  nlopt_set_lower_bounds(opt, lower.data());
  nlopt_set_upper_bounds(opt, upper.data());
  nlopt_set_max_objective(opt, Evaluate, &tracker);
  nlopt_set_maxeval(opt, max_evals);
  nlopt_set_ftol_rel(opt, ftol_rel);
  nlopt_set_xtol_rel(opt, 1e-7);
  double value = 0;
  nlopt_optimize(opt, x.data(), &value);  // any stop reason: the tracker holds the best
  nlopt_destroy(opt);

  if (!std::isfinite(tracker.best.value)) tracker.best = Maximum{x, tracker.best.value};
  return tracker.best;
}

}  // namespace salvo::opt
