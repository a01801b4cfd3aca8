#include "bench/optimizers/problems.h"

#include <array>
#include <cmath>
#include <numbers>

#include "common/core/ids.h"

namespace salvo::bench {
namespace {

using std::numbers::pi;

double Sin1D(const Point& p) { return std::sin(5 * p[0]) * (1 - std::tanh(p[0] * p[0])); }

// Branin-Hoo with the usual constants.
double Branin(const Point& p) {
  const double b = 5.1 / (4 * pi * pi), c = 5 / pi, t = 1 / (8 * pi);
  const double u = p[1] - b * p[0] * p[0] + c * p[0] - 6;
  return u * u + 10 * (1 - t) * std::cos(p[0]) + 10;
}

// Hartmann 6-D (Hartmann 1973; the constants of the common test-function tables).
double Hartmann6(const Point& p) {
  static constexpr std::array<double, 4> kAlpha = {1.0, 1.2, 3.0, 3.2};
  static constexpr double kA[4][6] = {{10, 3, 17, 3.5, 1.7, 8},
                                      {0.05, 10, 17, 0.1, 8, 14},
                                      {3, 3.5, 1.7, 10, 17, 8},
                                      {17, 8, 0.05, 10, 0.1, 14}};
  static constexpr double kP[4][6] = {{1312, 1696, 5569, 124, 8283, 5886},
                                      {2329, 4135, 8307, 3736, 1004, 9991},
                                      {2348, 1451, 3522, 2883, 3047, 6650},
                                      {4047, 8828, 8732, 5743, 1091, 381}};
  double sum = 0;
  for (int i = 0; i < 4; ++i) {
    double inner = 0;
    for (int j = 0; j < 6; ++j) {
      const double d = p[j] - 1e-4 * kP[i][j];
      inner += kA[i][j] * d * d;
    }
    sum += kAlpha[i] * std::exp(-inner);
  }
  return -sum;
}

double Rosenbrock(const Point& p) {
  double sum = 0;
  for (size_t i = 0; i + 1 < p.size(); ++i) {
    const double a = p[i + 1] - p[i] * p[i], b = 1 - p[i];
    sum += 100 * a * a + b * b;
  }
  return sum;
}

double Levy(const Point& p) {
  const size_t d = p.size();
  auto w = [&](size_t i) { return 1 + (p[i] - 1) / 4; };
  auto sq = [](double v) { return v * v; };
  double sum = sq(std::sin(pi * w(0)));
  for (size_t i = 0; i + 1 < d; ++i)
    sum += sq(w(i) - 1) * (1 + 10 * sq(std::sin(pi * w(i) + 1)));
  sum += sq(w(d - 1) - 1) * (1 + sq(std::sin(2 * pi * w(d - 1))));
  return sum;
}

// Point order (dimensions sorted by name): c (choice a..d), k (integer), x (real).
double Mixed(const Point& p) {
  static constexpr double kCentre[4] = {-1, 0.5, 1.5, 0};
  static constexpr double kOffset[4] = {0.3, 0, 0.6, 1.0};
  const int c = static_cast<int>(p[0]);
  const double dx = p[2] - kCentre[c], dk = p[1] - 7;
  return dx * dx + 0.1 * dk * dk + kOffset[c];
}

Dimension RealDim(std::string name, double low, double high) {
  Dimension d;
  d.name = std::move(name);
  d.kind = DimKind::kReal;
  d.low = low;
  d.high = high;
  return d;
}

SearchSpace Box(int n, double low, double high) {
  SearchSpace s;
  for (int i = 1; i <= n; ++i)
    s.dims.push_back(RealDim("x" + std::to_string(i), low, high));
  return s;
}

SearchSpace MixedSpace() {
  Dimension c;
  c.name = "c";
  c.kind = DimKind::kCategorical;
  for (const char* v : {"a", "b", "c", "d"}) c.choices.push_back(FlagValue::String(v));
  Dimension k = RealDim("k", 0, 10);
  k.kind = DimKind::kInteger;
  SearchSpace s;
  s.dims = {c, k, RealDim("x", -2, 2)};
  return s;
}

std::vector<Problem> MakeProblems() {
  SearchSpace branin;
  branin.dims = {RealDim("x1", -5, 10), RealDim("x2", 0, 15)};
  const SearchSpace sin = Box(1, -2, 2);
  return {
      {"sin", "sin(5x)(1-tanh(x^2)) on [-2,2]", sin, -0.9094298025393894, 0, true, Sin1D},
      {"sin-noise", "the same with N(0, 0.1^2) noise", sin, -0.9094298025393894, 0.1,
       true, Sin1D},
      {"branin", "Branin on [-5,10]x[0,15]", branin, 0.397887357729739, 0, true, Branin},
      {"hartmann6", "Hartmann-6 on [0,1]^6", Box(6, 0, 1), -3.32236801141551, 0, true,
       Hartmann6},
      {"rosenbrock4", "Rosenbrock on [-2,2]^4", Box(4, -2, 2), 0, 0, true, Rosenbrock},
      {"levy5", "Levy on [-10,10]^5", Box(5, -10, 10), 0, 0, true, Levy},
      {"mixed", "x in [-2,2], k in 0..10, c in {a,b,c,d}", MixedSpace(), 0, 0, false,
       Mixed},
  };
}

}  // namespace

const std::vector<Problem>& Problems() {
  static const std::vector<Problem> problems = MakeProblems();
  return problems;
}

double StandardNoise(uint64_t seed, int trial) {
  // Box-Muller on two uniforms derived from (seed, trial).
  const uint64_t bits = MixSeed(MixSeed(0x5A17'0B5E'0000'0000ULL, seed), trial);
  const uint64_t bits2 = MixSeed(bits, 1);
  const double u1 = (static_cast<double>(bits >> 11) + 0.5) * 0x1.0p-53;
  const double u2 = static_cast<double>(bits2 >> 11) * 0x1.0p-53;
  return std::sqrt(-2 * std::log(u1)) * std::cos(2 * pi * u2);
}

}  // namespace salvo::bench
