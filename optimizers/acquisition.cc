#include "optimizers/acquisition.h"

#include <algorithm>
#include <cmath>
#include <numbers>

namespace salvo::opt {
namespace {

// Below this standard deviation the model is certain and the improvement is exact.
constexpr double kMinStd = 1e-12;

double NormalPdf(double z) {
  return std::exp(-0.5 * z * z) / std::sqrt(2 * std::numbers::pi);
}
double NormalCdf(double z) { return 0.5 * std::erfc(-z / std::numbers::sqrt2); }

}  // namespace

AcqValue ExpectedImprovement(double mean, double std, double best, double xi) {
  double gap = best - mean - xi;
  if (std < kMinStd) return gap > 0 ? AcqValue{gap, -1, 0} : AcqValue{0, 0, 0};
  double z = gap / std;
  double cdf = NormalCdf(z), pdf = NormalPdf(z);
  return {gap * cdf + std * pdf, -cdf, pdf};
}

AcqValue ProbabilityOfImprovement(double mean, double std, double best, double xi) {
  double gap = best - mean - xi;
  if (std < kMinStd) return {gap > 0 ? 1.0 : 0.0, 0, 0};
  double z = gap / std;
  double pdf = NormalPdf(z);
  return {NormalCdf(z), -pdf / std, -pdf * z / std};
}

AcqValue NegatedLowerConfidenceBound(double mean, double std, double kappa) {
  return {-(mean - kappa * std), -1, kappa};
}

AcqValue Acquisition(AcqKind kind, double mean, double std, double best, double xi,
                     double kappa) {
  switch (kind) {
    case AcqKind::kEI:
      return ExpectedImprovement(mean, std, best, xi);
    case AcqKind::kPI:
      return ProbabilityOfImprovement(mean, std, best, xi);
    case AcqKind::kLCB:
      return NegatedLowerConfidenceBound(mean, std, kappa);
  }
  return {};
}

std::array<double, 3> HedgeProbabilities(const std::array<double, 3>& gains, double eta) {
  double top = *std::max_element(gains.begin(), gains.end());
  std::array<double, 3> p;
  double total = 0;
  for (int i = 0; i < 3; ++i) total += p[i] = std::exp(eta * (gains[i] - top));
  for (double& v : p) v /= total;
  return p;
}

}  // namespace salvo::opt
