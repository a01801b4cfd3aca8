#include "optimizers/space_codec.h"

#include <algorithm>
#include <cmath>
#include <numbers>

#include "common/core/ids.h"

namespace salvo::opt {
namespace {

// Above this many points a finite space is not enumerated to find an untried one.
constexpr double kMaxEnumerated = 2e6;
// Draws tried before falling back to enumeration.
constexpr int kRandomDrawAttempts = 64;

std::optional<double> NumberOf(const FlagValue& v) {
  if (v.kind() == FlagValue::Kind::kInt)
    return static_cast<double>(std::get<int64_t>(v.v));
  if (v.kind() == FlagValue::Kind::kFloat) return std::get<double>(v.v);
  return std::nullopt;
}

bool IsDiscrete(const Dimension& dim) { return dim.kind != DimKind::kReal; }

// Number of values a discrete dimension takes.
double DiscreteCount(const Dimension& dim) {
  if (dim.kind == DimKind::kCategorical) return static_cast<double>(dim.choices.size());
  return std::floor(dim.high) - std::ceil(dim.low) + 1;
}

}  // namespace

double UnitUniform(std::mt19937_64& rng) {
  return static_cast<double>(rng() >> 11) * 0x1.0p-53;
}

uint64_t UniformIndex(std::mt19937_64& rng, uint64_t n) {
  auto i = static_cast<uint64_t>(UnitUniform(rng) * static_cast<double>(n));
  return std::min(i, n - 1);
}

double StandardNormal(std::mt19937_64& rng) {
  double u1 = 1.0 - UnitUniform(rng);  // in (0, 1]
  double u2 = UnitUniform(rng);
  return std::sqrt(-2.0 * std::log(u1)) * std::cos(2.0 * std::numbers::pi * u2);
}

SpaceCodec::SpaceCodec(const SearchSpace& space) : space_(space) {
  for (const Dimension& dim : space_.dims) {
    offsets_.push_back(encoded_size_);
    if (dim.kind == DimKind::kCategorical) {
      if (dim.choices.size() > 1) encoded_size_ += static_cast<int>(dim.choices.size());
    } else {
      continuous_coords_.push_back(encoded_size_);
      encoded_size_ += 1;
    }
  }
  double n = 1;
  for (const Dimension& dim : space_.dims) {
    if (!IsDiscrete(dim)) return;  // a Real dimension: infinitely many points
    n *= std::max(0.0, DiscreteCount(dim));
  }
  cardinality_ = n;
}

double SpaceCodec::ToUnit(const Dimension& dim, double value) const {
  if (!(dim.high > dim.low)) return 0.0;
  if (dim.log) {
    return (std::log(value) - std::log(dim.low)) /
           (std::log(dim.high) - std::log(dim.low));
  }
  return (value - dim.low) / (dim.high - dim.low);
}

double SpaceCodec::FromUnit(const Dimension& dim, double u) const {
  u = std::clamp(u, 0.0, 1.0);
  double v = dim.low;
  if (dim.high > dim.low) {
    v = dim.log
            ? std::exp(std::log(dim.low) + u * (std::log(dim.high) - std::log(dim.low)))
            : dim.low + u * (dim.high - dim.low);
  }
  if (dim.kind == DimKind::kInteger) {
    v = std::round(v);
    return std::clamp(v, std::ceil(dim.low), std::floor(dim.high));
  }
  return std::clamp(v, dim.low, dim.high);
}

void SpaceCodec::Encode(const Point& p, double* out) const {
  for (size_t d = 0; d < space_.dims.size(); ++d) {
    const Dimension& dim = space_.dims[d];
    double* o = out + offsets_[d];
    if (dim.kind != DimKind::kCategorical) {
      *o = ToUnit(dim, p[d]);
    } else if (dim.choices.size() > 1) {
      std::fill(o, o + dim.choices.size(), 0.0);
      o[static_cast<size_t>(std::lround(p[d]))] = 1.0;
    }
  }
}

Point SpaceCodec::Decode(const double* u) const {
  Point p(space_.dims.size());
  for (size_t d = 0; d < space_.dims.size(); ++d) {
    const Dimension& dim = space_.dims[d];
    const double* c = u + offsets_[d];
    if (dim.kind != DimKind::kCategorical) {
      p[d] = FromUnit(dim, *c);
    } else if (dim.choices.size() > 1) {
      p[d] = static_cast<double>(std::max_element(c, c + dim.choices.size()) - c);
    } else {
      p[d] = 0;
    }
  }
  return p;
}

Point SpaceCodec::Sample(std::mt19937_64& rng) const {
  Point p(space_.dims.size());
  for (size_t d = 0; d < space_.dims.size(); ++d) {
    const Dimension& dim = space_.dims[d];
    switch (dim.kind) {
      case DimKind::kReal:
        p[d] = FromUnit(dim, UnitUniform(rng));
        break;
      case DimKind::kInteger:
        if (dim.log) {
          // Log-uniform over [low, high + 1), floored: each integer gets the mass of its
          // unit interval under the log-uniform density.
          double lo = std::log(dim.low), hi = std::log(dim.high + 1);
          double v = std::floor(std::exp(lo + UnitUniform(rng) * (hi - lo)));
          p[d] = std::clamp(v, std::ceil(dim.low), std::floor(dim.high));
        } else {
          auto n = static_cast<uint64_t>(std::max(1.0, DiscreteCount(dim)));
          p[d] = std::ceil(dim.low) + static_cast<double>(UniformIndex(rng, n));
        }
        break;
      case DimKind::kCategorical:
        p[d] = static_cast<double>(
            UniformIndex(rng, std::max<size_t>(1, dim.choices.size())));
        break;
    }
  }
  return p;
}

bool SpaceCodec::Contains(const Point& p) const {
  if (p.size() != space_.dims.size()) return false;
  for (size_t d = 0; d < p.size(); ++d) {
    const Dimension& dim = space_.dims[d];
    double v = p[d];
    if (!std::isfinite(v)) return false;
    if (dim.kind == DimKind::kCategorical) {
      if (v != std::round(v) || v < 0 || v >= static_cast<double>(dim.choices.size())) {
        return false;
      }
      continue;
    }
    if (dim.kind == DimKind::kInteger && v != std::round(v)) return false;
    if (v < dim.low || v > dim.high) return false;
  }
  return true;
}

Point SpaceCodec::Canonical(const Point& p) const {
  Point c = p;
  for (size_t d = 0; d < c.size() && d < space_.dims.size(); ++d) {
    if (IsDiscrete(space_.dims[d])) c[d] = std::round(c[d]);
  }
  return c;
}

bool SpaceCodec::SamePoint(const Point& a, const Point& b) const {
  for (size_t d = 0; d < space_.dims.size(); ++d) {
    const Dimension& dim = space_.dims[d];
    if (IsDiscrete(dim)) {
      if (std::round(a[d]) != std::round(b[d])) return false;
    } else if (std::abs(ToUnit(dim, a[d]) - ToUnit(dim, b[d])) > kSamePointTolerance) {
      return false;
    }
  }
  return true;
}

Point SpaceCodec::PointAt(uint64_t index) const {
  Point p(space_.dims.size());
  for (size_t d = space_.dims.size(); d-- > 0;) {
    const Dimension& dim = space_.dims[d];
    auto n = static_cast<uint64_t>(DiscreteCount(dim));
    uint64_t k = index % n;
    index /= n;
    p[d] = dim.kind == DimKind::kCategorical
               ? static_cast<double>(k)
               : std::ceil(dim.low) + static_cast<double>(k);
  }
  return p;
}

void PointSet::Add(const Point& p) {
  if (!codec_->Contains(codec_->Canonical(p)) || Contains(p)) return;
  Point c = codec_->Canonical(p);
  if (codec_->Cardinality().has_value()) {
    discrete_.insert(std::vector<int64_t>(c.begin(), c.end()));
  } else {
    points_.push_back(std::move(c));
  }
}

bool PointSet::Contains(const Point& p) const {
  if (p.size() != codec_->space().size()) return false;
  if (codec_->Cardinality().has_value()) {
    Point c = codec_->Canonical(p);
    return discrete_.count(std::vector<int64_t>(c.begin(), c.end())) > 0;
  }
  for (const Point& q : points_) {
    if (codec_->SamePoint(p, q)) return true;
  }
  return false;
}

bool HasInitialValues(const SearchSpace& space) {
  for (const Dimension& dim : space.dims) {
    if (dim.initial.has_value()) return true;
  }
  return false;
}

Point WithInitialValues(const SearchSpace& space, Point p) {
  for (size_t d = 0; d < space.dims.size() && d < p.size(); ++d) {
    const Dimension& dim = space.dims[d];
    if (!dim.initial.has_value()) continue;
    if (dim.kind == DimKind::kCategorical) {
      auto it = std::find(dim.choices.begin(), dim.choices.end(), *dim.initial);
      if (it != dim.choices.end()) p[d] = static_cast<double>(it - dim.choices.begin());
      continue;
    }
    std::optional<double> v = NumberOf(*dim.initial);
    if (!v.has_value() || *v < dim.low || *v > dim.high) continue;
    p[d] = dim.kind == DimKind::kInteger ? std::round(*v) : *v;
  }
  return p;
}

std::optional<Point> DrawUntriedPoint(const SpaceCodec& codec, const PointSet& tried,
                                      uint64_t stream_seed) {
  std::mt19937_64 rng(stream_seed);
  std::optional<double> cardinality = codec.Cardinality();
  if (cardinality.has_value() && static_cast<double>(tried.size()) >= *cardinality) {
    return std::nullopt;
  }

  Point p;
  for (int attempt = 0; attempt < kRandomDrawAttempts; ++attempt) {
    p = codec.Sample(rng);
    if (!tried.Contains(p)) return p;
  }
  // A space with a Real dimension is never exhausted: keep the last draw.
  if (!cardinality.has_value() || *cardinality > kMaxEnumerated) return p;

  // Most of a small finite space is tried: pick among the untried points directly.
  std::vector<uint64_t> untried;
  for (uint64_t i = 0; i < static_cast<uint64_t>(*cardinality); ++i) {
    if (!tried.Contains(codec.PointAt(i))) untried.push_back(i);
  }
  if (untried.empty()) return std::nullopt;
  return codec.PointAt(untried[UniformIndex(rng, untried.size())]);
}

std::optional<Point> RandomTrialPoint(const SpaceCodec& codec, const PointSet& tried,
                                      uint64_t seed, uint64_t index) {
  std::optional<Point> p = DrawUntriedPoint(codec, tried, MixSeed(seed, index));
  if (p.has_value() && index == 0 && HasInitialValues(codec.space())) {
    Point first = WithInitialValues(codec.space(), *p);
    if (!tried.Contains(first)) p = std::move(first);
  }
  return p;
}

}  // namespace salvo::opt
