#pragma once
// Helpers every optimizer shares: points of a search space mapped to and from the unit
// cube that the models work in, seeded random points, enumeration of finite spaces and
// detection of points already tried. Value types and pure functions; a SpaceCodec or
// PointSet may be read from several threads but not modified concurrently.
//
// Unit-cube encoding: a Real or Integer dimension is one coordinate in [0, 1] (log
// dimensions in log space; integers relaxed to reals and rounded on the way back); a
// Categorical with k > 1 choices is k one-hot coordinates; a single choice takes none.

#include <cstdint>
#include <optional>
#include <random>
#include <set>
#include <vector>

#include "common/core/search_space.h"

namespace salvo::opt {

// Two Real coordinates closer than this in the unit cube are the same point.
inline constexpr double kSamePointTolerance = 1e-6;

// A double uniform in [0, 1) from the top 53 bits of one draw. Unlike the standard
// distributions this gives the same stream with every standard library.
double UnitUniform(std::mt19937_64& rng);
// An index uniform in [0, n); n > 0.
uint64_t UniformIndex(std::mt19937_64& rng, uint64_t n);
// A standard normal draw (Box-Muller on UnitUniform).
double StandardNormal(std::mt19937_64& rng);

class SpaceCodec {
 public:
  explicit SpaceCodec(const SearchSpace& space);

  const SearchSpace& space() const { return space_; }
  int encoded_size() const { return encoded_size_; }
  // Encoded coordinates of the Real and Integer dimensions: the ones a gradient-based
  // search may move (one-hot coordinates stay where they are).
  const std::vector<int>& continuous_coords() const { return continuous_coords_; }

  // Writes encoded_size() unit-cube coordinates of `p` to `out`.
  void Encode(const Point& p, double* out) const;
  // The point nearest to unit-cube coordinates `u`: clamps to [0, 1], rounds integers,
  // takes the largest coordinate of each one-hot block.
  Point Decode(const double* u) const;

  // A point drawn uniformly (log-uniformly for log dimensions) from the space.
  Point Sample(std::mt19937_64& rng) const;
  // Whether `p` belongs to the space: one finite coordinate per dimension, within the
  // bounds, integral for Integer dimensions, a valid index for Categorical ones.
  bool Contains(const Point& p) const;
  // The point with Integer and Categorical coordinates rounded to whole numbers.
  Point Canonical(const Point& p) const;
  // Whether two points of the space are the same: equal discrete coordinates and Real
  // coordinates within kSamePointTolerance in the unit cube.
  bool SamePoint(const Point& a, const Point& b) const;

  // Number of distinct points, or nullopt when a Real dimension makes it infinite.
  std::optional<double> Cardinality() const { return cardinality_; }
  // The index-th point of a finite space in grid order (dimension order, the last
  // varying fastest); index < *Cardinality().
  Point PointAt(uint64_t index) const;

 private:
  double ToUnit(const Dimension& dim, double value) const;
  double FromUnit(const Dimension& dim, double u) const;

  SearchSpace space_;
  int encoded_size_ = 0;
  std::vector<int> offsets_;  // first encoded coordinate of each dimension
  std::vector<int> continuous_coords_;
  std::optional<double> cardinality_;
};

// Points tried or in flight, to tell whether a candidate would repeat one. Points that
// do not belong to the space are ignored; each distinct point is held once.
class PointSet {
 public:
  explicit PointSet(const SpaceCodec* codec) : codec_(codec) {}

  void Add(const Point& p);
  bool Contains(const Point& p) const;
  // Number of distinct points held.
  size_t size() const { return points_.size() + discrete_.size(); }

 private:
  const SpaceCodec* codec_;
  std::vector<Point> points_;                // spaces with a Real dimension: linear scan
  std::set<std::vector<int64_t>> discrete_;  // all-discrete spaces: exact lookup
};

// The coordinates of the dimensions' initial values (Dimension::initial) written over
// `p`; a dimension without a usable initial value keeps its coordinate.
Point WithInitialValues(const SearchSpace& space, Point p);
// Whether any dimension has an initial value.
bool HasInitialValues(const SearchSpace& space);

// A random point not in `tried`, drawn from the stream of `stream_seed`. A finite space
// whose points are all tried gives nullopt; when repeated draws keep hitting tried
// points of a finite space, the untried ones are enumerated and one is picked.
std::optional<Point> DrawUntriedPoint(const SpaceCodec& codec, const PointSet& tried,
                                      uint64_t stream_seed);

// The random point of trial `index` of a batch: DrawUntriedPoint from the stream
// MixSeed(seed, index), with the dimensions' initial values written over it for the
// batch's first trial (index 0) unless that point is tried already.
std::optional<Point> RandomTrialPoint(const SpaceCodec& codec, const PointSet& tried,
                                      uint64_t seed, uint64_t index);

}  // namespace salvo::opt
