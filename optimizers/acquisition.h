#pragma once
// Acquisition functions of the model-based optimizers, for minimization, each returned
// so that larger is better, with its derivatives with respect to the posterior mean and
// standard deviation (the chain rule gives the gradient in x). Pure functions.
//
//   EI  = (best - mean - xi) Phi(z) + std phi(z),  z = (best - mean - xi) / std
//         (Jones, Schonlau and Welch 1998, with the xi offset of Lizotte 2008)
//   PI  = Phi(z)                                     (Kushner 1964)
//   LCB = mean - kappa std, returned negated          (Cox and John 1992; Srinivas 2010)
// gp_hedge picks one of the three per suggestion with probabilities softmax(eta * gains)
// (Hoffman, Brochu and de Freitas 2011).

#include <array>

namespace salvo::opt {

enum class AcqKind { kEI = 0, kPI = 1, kLCB = 2 };

struct AcqValue {
  double value = 0;
  double d_mean = 0;  // d value / d mean
  double d_std = 0;   // d value / d std
};

AcqValue ExpectedImprovement(double mean, double std, double best, double xi);
AcqValue ProbabilityOfImprovement(double mean, double std, double best, double xi);
// -(mean - kappa std).
AcqValue NegatedLowerConfidenceBound(double mean, double std, double kappa);

AcqValue Acquisition(AcqKind kind, double mean, double std, double best, double xi,
                     double kappa);

// The probability of each acquisition (EI, PI, LCB) under gp_hedge.
std::array<double, 3> HedgeProbabilities(const std::array<double, 3>& gains,
                                         double eta = 1.0);

}  // namespace salvo::opt
