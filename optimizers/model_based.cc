#include "optimizers/model_based.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace salvo::opt {
namespace {

// How many of the best observations local candidates are drawn around.
constexpr int kLocalCenters = 5;
// Spread of a local candidate around its centre, in the unit cube.
constexpr double kLocalSpread = 0.05;

std::optional<double> NumberOf(const FlagValue& v) {
  if (v.kind() == FlagValue::Kind::kInt)
    return static_cast<double>(std::get<int64_t>(v.v));
  if (v.kind() == FlagValue::Kind::kFloat) return std::get<double>(v.v);
  return std::nullopt;
}

}  // namespace

Result<ModelFlags> ModelFlagsFrom(const FlagMap& flags) {
  ModelFlags out;
  auto read = [&](const char* name, double* value) -> Status {
    auto it = flags.find(name);
    if (it == flags.end()) return Status::Ok();
    std::optional<double> n = NumberOf(it->second);
    if (!n.has_value() || !std::isfinite(*n) || *n < 0) {
      return Status::Invalid(std::string("invalid value for optimizer flag ") + name);
    }
    *value = *n;
    return Status::Ok();
  };
  double starts = out.random_starts;
  SALVO_RETURN_IF_ERROR(read("random-starts", &starts));
  SALVO_RETURN_IF_ERROR(read("xi", &out.xi));
  SALVO_RETURN_IF_ERROR(read("kappa", &out.kappa));
  out.random_starts = static_cast<int>(std::min(starts, 1e9));
  return out;
}

Result<std::vector<Suggestion>> ModelBasedOptimizer::Ask(const AskRequest& request) {
  if (request.space == nullptr)
    return Status::Invalid("the optimizer needs a search space");
  SpaceCodec codec(*request.space);

  std::vector<Observation> usable;
  PointSet tried(&codec);
  for (const Observation& o : request.observations) {
    tried.Add(o.x);
    Point c = codec.Canonical(o.x);
    if (codec.Contains(c) && std::isfinite(o.y)) usable.push_back({std::move(c), o.y});
  }
  std::vector<Point> in_flight;
  for (const Point& p : request.failed) tried.Add(p);
  for (const Point& p : request.pending) {
    tried.Add(p);
    if (codec.Contains(codec.Canonical(p))) in_flight.push_back(codec.Canonical(p));
  }
  const size_t history =
      request.observations.size() + request.failed.size() + request.pending.size();

  std::vector<Suggestion> out;
  bool begun = false;
  for (int i = 0; i < request.count; ++i) {
    const uint64_t index = request.trials_so_far + static_cast<uint64_t>(i);
    // The batch's first trial takes the initial values, so it is not the model's pick.
    bool random = usable.empty() ||
                  history + i < static_cast<size_t>(flags_.random_starts) ||
                  (index == 0 && HasInitialValues(*request.space));
    std::optional<Point> p;
    int duplicates = 0;
    if (!random) {
      if (!begun) {
        search_->Begin({&codec, &usable, in_flight, request.seed, index, flags_});
        begun = true;
      }
      p = search_->Next(index, tried, &duplicates);
      random = !p.has_value();  // every candidate was tried: fall back to a random draw
    }
    if (random) p = RandomTrialPoint(codec, tried, request.seed, index);
    if (!p.has_value()) break;  // a finite space with every point tried

    tried.Add(*p);
    in_flight.push_back(*p);
    if (begun) search_->AddInFlight(*p);
    out.push_back(Suggestion{std::move(*p), random, duplicates});
  }
  return out;
}

Eigen::MatrixXd EncodeRows(const SpaceCodec& codec, const std::vector<Point>& points) {
  Eigen::MatrixXd rows(static_cast<Eigen::Index>(points.size()), codec.encoded_size());
  Eigen::VectorXd u(codec.encoded_size());
  for (size_t i = 0; i < points.size(); ++i) {
    codec.Encode(points[i], u.data());
    rows.row(static_cast<Eigen::Index>(i)) = u.transpose();
  }
  return rows;
}

Candidates MakeCandidates(const SpaceCodec& codec,
                          const std::vector<Observation>& observations, int count,
                          std::mt19937_64& rng) {
  Candidates c;
  std::optional<double> cardinality = codec.Cardinality();
  if (cardinality.has_value() && *cardinality <= count) {
    for (uint64_t i = 0; i < static_cast<uint64_t>(*cardinality); ++i) {
      c.points.push_back(codec.PointAt(i));
    }
    c.encoded = EncodeRows(codec, c.points);
    return c;
  }

  // Centres: the best observations by objective.
  std::vector<size_t> order(observations.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return observations[a].y < observations[b].y;
  });
  const size_t centres = std::min<size_t>(kLocalCenters, order.size());
  const int local = centres > 0 ? count / 4 : 0;

  for (int i = 0; i < count - local; ++i) c.points.push_back(codec.Sample(rng));
  Eigen::VectorXd u(codec.encoded_size());
  for (int i = 0; i < local; ++i) {
    codec.Encode(observations[order[i % centres]].x, u.data());
    // Every other round around the centres takes a fifth of the spread: some steps
    // explore the basin, some polish the incumbent.
    double spread = kLocalSpread * ((i / centres) % 2 == 0 ? 1.0 : 0.2);
    for (int k = 0; k < u.size(); ++k) u[k] += spread * StandardNormal(rng);
    c.points.push_back(codec.Decode(u.data()));
  }
  c.encoded = EncodeRows(codec, c.points);
  return c;
}

std::vector<int> RankDescending(const Eigen::VectorXd& score) {
  std::vector<int> order(static_cast<size_t>(score.size()));
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(),
                   [&](int a, int b) { return score[a] > score[b]; });
  return order;
}

}  // namespace salvo::opt
