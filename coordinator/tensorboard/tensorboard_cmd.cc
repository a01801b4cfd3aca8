// `salvo tensorboard`: the selected runs as TensorBoard event files, one folder per run
// (a session of the HParams dashboard) under a logdir whose top folder holds the
// experiment, then TensorBoard itself when it is installed.
//
// The store keeps no time per scalar point, so the points of a run get wall times spread
// evenly over the run's time, in the order they were recorded.

#include "coordinator/tensorboard/tensorboard_cmd.h"

#include <unistd.h>

#include <algorithm>
#include <boost/process/search_path.hpp>
#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>

#include "common/core/clock.h"
#include "common/core/ids.h"
#include "common/core/search_space.h"
#include "coordinator/run_selection.h"
#include "coordinator/store_access.h"
#include "coordinator/table.h"
#include "coordinator/tensorboard/event_files.h"
#include "coordinator/tensorboard/proto_wire.h"

namespace salvo {
namespace {

namespace fs = std::filesystem;

constexpr std::string_view kFileSuffix = ".salvo";

struct ExportRun {
  RunView run;
  std::vector<ScalarPoint> scalars;
};

double Secs(int64_t us) { return static_cast<double>(us) / 1e6; }

SessionStatus SessionStatusOf(RunStatus status) {
  switch (status) {
    case RunStatus::kCompleted:
      return SessionStatus::kSuccess;
    case RunStatus::kError:
    case RunStatus::kTimeout:
    case RunStatus::kLost:
      return SessionStatus::kFailure;
    case RunStatus::kRunning:
    case RunStatus::kPending:
    case RunStatus::kStaged:
      return SessionStatus::kRunning;
    case RunStatus::kTerminated:
    case RunStatus::kPreempted:
      return SessionStatus::kUnknown;
  }
  return SessionStatus::kUnknown;
}

// The type every run's value of a flag fits: FLOAT64 for numbers, BOOL for booleans,
// else STRING.
HParamType TypeOfValues(const std::vector<FlagValue>& values) {
  bool numbers = true, bools = true;
  for (const FlagValue& v : values) {
    numbers = numbers && v.is_number();
    bools = bools && v.kind() == FlagValue::Kind::kBool;
  }
  if (numbers) return HParamType::kFloat64;
  if (bools) return HParamType::kBool;
  return HParamType::kString;
}

// A flag's domain: the interval of the ranges its batches searched, widened to the
// values run; otherwise the choices of its batches (in their order), then the other
// values run (oldest run first). `runs` is newest first.
HParamSpec FlagSpec(const std::string& name, const std::vector<ExportRun>& runs,
                    const std::map<std::string, RunRecord>& batches) {
  std::vector<FlagValue> values;
  std::optional<std::pair<double, double>> interval;
  std::set<std::string> seen_batches;
  for (auto e = runs.rbegin(); e != runs.rend(); ++e) {
    auto batch = batches.find(e->run.record.batch_id);
    if (batch == batches.end() || !seen_batches.insert(batch->first).second) continue;
    auto flag = batch->second.flags.find(name);
    if (flag == batch->second.flags.end() || !IsSearchValue(flag->second)) continue;
    auto dim = DimensionFromFlag(name, flag->second);
    if (!dim.ok()) continue;
    if (dim->kind == DimKind::kCategorical) {
      values.insert(values.end(), dim->choices.begin(), dim->choices.end());
    } else if (!interval) {
      interval = {dim->low, dim->high};
    } else {
      interval = {std::min(interval->first, dim->low),
                  std::max(interval->second, dim->high)};
    }
  }
  for (auto e = runs.rbegin(); e != runs.rend(); ++e) {
    auto it = e->run.record.flags.find(name);
    if (it != e->run.record.flags.end() && !it->second.is_null())
      values.push_back(it->second);
  }

  HParamSpec spec{name, TypeOfValues(values), std::nullopt, {}};
  if (interval && spec.type == HParamType::kFloat64) {
    for (const FlagValue& v : values)
      interval = {std::min(interval->first, *v.number()),
                  std::max(interval->second, *v.number())};
    spec.interval = interval;
    return spec;
  }
  for (const FlagValue& v : values) {
    bool repeated = std::any_of(spec.discrete.begin(), spec.discrete.end(),
                                [&](const FlagValue& d) { return d == v; });
    if (!repeated) spec.discrete.push_back(v);
  }
  if (spec.type == HParamType::kFloat64) {
    std::sort(
        spec.discrete.begin(), spec.discrete.end(),
        [](const FlagValue& a, const FlagValue& b) { return *a.number() < *b.number(); });
  }
  return spec;
}

// The experiment: every flag of the runs and every scalar tag (the batches' objectives
// first).
ExperimentSpec Experiment(const std::vector<ExportRun>& runs,
                          const std::map<std::string, RunRecord>& batches) {
  ExperimentSpec experiment;
  experiment.name = "salvo";
  experiment.description = std::to_string(runs.size()) + " Salvo runs";
  std::set<std::string> flags, tags;
  int64_t first_us = 0;
  for (const ExportRun& e : runs) {
    for (const auto& [name, v] : e.run.record.flags) flags.insert(name);
    for (const ScalarPoint& p : e.scalars) tags.insert(p.tag);
    int64_t created = e.run.record.created_us;
    if (created > 0 && (first_us == 0 || created < first_us)) first_us = created;
  }
  experiment.time_created_secs = Secs(first_us);
  for (const std::string& name : flags)
    experiment.hparams.push_back(FlagSpec(name, runs, batches));

  std::vector<std::string> ordered;
  for (const ExportRun& e : runs) {
    auto batch = batches.find(e.run.record.batch_id);
    const std::string& objective =
        batch == batches.end() ? e.run.record.objective : batch->second.objective;
    if (tags.count(objective) &&
        std::find(ordered.begin(), ordered.end(), objective) == ordered.end())
      ordered.push_back(objective);
  }
  std::vector<std::string> rest;
  for (const std::string& tag : tags)
    if (std::find(ordered.begin(), ordered.end(), tag) == ordered.end())
      rest.push_back(tag);
  std::sort(rest.begin(), rest.end(), NaturalLess);
  ordered.insert(ordered.end(), rest.begin(), rest.end());
  experiment.metrics = std::move(ordered);
  return experiment;
}

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof(name) - 1) != 0 || !*name) return "localhost";
  return name;
}

Status WriteEventFile(const fs::path& dir, int64_t time_us,
                      const std::vector<std::string>& events) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir.string() + ": " + ec.message());
  std::string name = "events.out.tfevents." + std::to_string(time_us / 1000000) + "." +
                     HostName() + std::string(kFileSuffix);
  fs::path path = dir / name;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  for (const std::string& event : events) out << TfRecord(event);
  out.close();
  if (!out) return Status::IoError("cannot write " + path.string());
  return Status::Ok();
}

// The events of one run's folder: its session start, its scalars, its session end.
std::vector<std::string> RunEvents(const ExportRun& e, const ExperimentSpec& experiment,
                                   int64_t now_us) {
  const RunRecord& r = e.run.record;
  int64_t start_us = r.started_us > 0 ? r.started_us : r.created_us;
  int64_t end_us = r.stopped_us > 0 ? r.stopped_us : now_us;
  end_us = std::max(end_us, start_us);

  std::vector<std::string> events = {FileVersionEvent(Secs(start_us))};
  events.push_back(
      SessionStartEvent(Secs(start_us), r.flags, experiment.hparams, Secs(start_us), ""));
  size_t n = e.scalars.size();
  for (size_t i = 0; i < n; ++i) {
    const ScalarPoint& p = e.scalars[i];
    double wall = Secs(start_us) + Secs(end_us - start_us) * static_cast<double>(i + 1) /
                                       static_cast<double>(n);
    events.push_back(ScalarEvent(wall, p.step, p.tag, static_cast<float>(p.value)));
  }
  if (IsFinal(e.run.status) || e.run.status == RunStatus::kLost ||
      e.run.status == RunStatus::kPreempted) {
    events.push_back(
        SessionEndEvent(Secs(end_us), SessionStatusOf(e.run.status), Secs(end_us)));
  }
  return events;
}

// Makes `dir` ready: the default folder is emptied; in another one only the event files
// Salvo wrote are removed (from the top folder and the run folders).
Status PrepareLogdir(const fs::path& dir, bool owned) {
  std::error_code ec;
  if (owned) fs::remove_all(dir, ec);
  if (ec) return Status::IoError("cannot empty " + dir.string() + ": " + ec.message());
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir.string() + ": " + ec.message());
  if (owned) return Status::Ok();

  std::vector<fs::path> stale;
  for (auto it = fs::recursive_directory_iterator(dir, ec);
       !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it.depth() > 1) it.disable_recursion_pending();
    std::string name = it->path().filename().string();
    if (it->is_regular_file() && name.starts_with("events.out.tfevents.") &&
        name.ends_with(kFileSuffix))
      stale.push_back(it->path());
  }
  if (ec) return Status::IoError("cannot read " + dir.string() + ": " + ec.message());
  for (const fs::path& path : stale) fs::remove(path, ec);
  return Status::Ok();
}

}  // namespace

int CmdTensorboard(const TensorboardOptions& opt) {
  Home home = ResolveHome();
  auto store = OpenStoreForRead(home);
  if (!store.ok()) return ReportError(std::cerr, store.status());
  ViewContext ctx = UserContext(**store, home);
  auto selected = SelectRuns(ctx, opt.sel);
  if (!selected.ok()) return ReportError(ctx.err, selected.status());

  std::vector<ExportRun> runs;
  std::map<std::string, RunRecord> batches;
  for (RunView& run : *selected) {
    if (run.record.kind == RunKind::kBatch) continue;
    auto points = ctx.store.Scalars(run.record.id);
    if (!points.ok()) return ReportError(ctx.err, points.status());
    const std::string& batch_id = run.record.batch_id;
    if (!batch_id.empty() && !batches.count(batch_id)) {
      if (auto batch = ctx.store.Get(batch_id); batch.ok()) batches[batch_id] = *batch;
    }
    runs.push_back({std::move(run), std::move(*points)});
  }
  if (runs.empty())
    return UsageError("no runs to write", "Try 'salvo runs' for a list of runs.");

  bool owned = !opt.logdir;
  fs::path logdir = owned ? fs::path(home.dir) / "tensorboard" : fs::path(*opt.logdir);
  Status ready = PrepareLogdir(logdir, owned);
  if (!ready.ok()) return UsageError(ready.message());

  ExperimentSpec experiment = Experiment(runs, batches);
  int64_t now_us = ctx.now_us;
  Status written = WriteEventFile(
      logdir, std::llround(experiment.time_created_secs * 1e6),
      {FileVersionEvent(Secs(now_us)), ExperimentEvent(Secs(now_us), experiment)});
  size_t points = 0;
  std::set<std::string> short_ids;
  for (const ExportRun& e : runs) short_ids.insert(ShortId(e.run.record.id));
  for (const ExportRun& e : runs) {
    if (!written.ok()) break;
    const RunRecord& r = e.run.record;
    // Short ids name the folders unless two selected runs share one.
    std::string folder = short_ids.size() == runs.size() ? ShortId(r.id) : r.id;
    written =
        WriteEventFile(logdir / folder, r.started_us > 0 ? r.started_us : r.created_us,
                       RunEvents(e, experiment, now_us));
    points += e.scalars.size();
  }
  if (!written.ok()) return UsageError(written.message());

  std::string dir = fs::absolute(logdir).lexically_normal().string();
  std::cout << "Wrote " << runs.size() << " run(s), " << points << " scalar point(s), to "
            << dir << '\n';
  std::string program = boost::process::search_path("tensorboard").string();
  if (program.empty()) {
    std::cout << "TensorBoard is not installed. To view the runs, install it and run:\n"
              << "  tensorboard --logdir " << dir << '\n';
    return 0;
  }
  // TensorBoard takes this process's place, so Ctrl-C and its exit status are its own.
  std::cout << "Starting: tensorboard --logdir " << dir << std::endl;
  std::string logdir_flag = "--logdir";
  char* argv[] = {program.data(), logdir_flag.data(), dir.data(), nullptr};
  execv(program.c_str(), argv);
  return UsageError("cannot start " + program + ": " + std::strerror(errno));
}

}  // namespace salvo
