// `salvo runs`, `salvo runs info` and `salvo runs rm`.

#include <filesystem>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>

#include "common/core/ids.h"
#include "coordinator/remote.h"
#include "coordinator/run_selection.h"
#include "coordinator/store_access.h"

namespace salvo {
namespace {

namespace fs = std::filesystem;
using nlohmann::ordered_json;

// A run's JSON: its record, with the status a reader should believe.
ordered_json RunJson(const RunView& run) {
  RunRecord r = run.record;
  r.status = run.status;
  return ordered_json::parse(RecordToJson(r));
}

std::vector<std::string> ListRow(const RunView& run) {
  const RunRecord& r = run.record;
  std::string label = DisplayLabel(r);
  // Why a trial still waits (e.g. "held by Slurm: JobHeldUser") needs a person's eye.
  if (r.kind == RunKind::kTrial && run.status == RunStatus::kRunning && !r.reason.empty())
    label += (label.empty() ? "(" : "  (") + r.reason + ")";
  return {"[" + std::to_string(run.index) + ":" + ShortId(r.id) + "]", r.operation,
          FormatLocalTime(r.started_us), std::string(RunStatusName(run.status)), label};
}

// `  name: value` lines of a flag map.
void WriteFlags(std::ostream& out, const FlagMap& flags) {
  for (const auto& [name, value] : flags)
    out << "  " << name << ": " << EncodeFlagValue(value) << '\n';
}

void WriteLine(std::ostream& out, std::string_view key, const std::string& value) {
  if (!value.empty()) out << key << ": " << value << '\n';
}

// The trials of a batch counted by status, in the statuses' order.
std::map<RunStatus, int> CountTrials(const std::vector<RunView>& all,
                                     const std::string& batch_id) {
  std::map<RunStatus, int> counts;
  for (const RunView& run : all)
    if (run.record.batch_id == batch_id) ++counts[run.status];
  return counts;
}

std::string TrialCountText(const std::map<RunStatus, int>& counts) {
  int total = 0;
  std::string parts;
  for (const auto& [status, n] : counts) {
    total += n;
    parts += (parts.empty() ? "" : ", ") + std::to_string(n) + " " +
             std::string(RunStatusName(status));
  }
  return std::to_string(total) + (parts.empty() ? "" : " (" + parts + ")");
}

void WriteBatchInfo(std::ostream& out, const RunRecord& r,
                    const std::map<RunStatus, int>& trials) {
  WriteLine(out, "optimizer", r.optimizer);
  if (!r.optimizer_flags.empty()) {
    out << "optimizer flags:\n";
    WriteFlags(out, r.optimizer_flags);
  }
  WriteLine(out, "max trials", r.max_trials > 0 ? std::to_string(r.max_trials) : "none");
  WriteLine(out, "backend", r.backend.empty() ? "local" : r.backend);
  WriteLine(out, "seed", std::to_string(r.seed));
  WriteLine(out, "objective", (r.maximize ? "maximize " : "minimize ") + r.objective);
  WriteLine(out, "trials", TrialCountText(trials));
  WriteLine(out, "starts",
            std::to_string(r.random_trials) + " random / " +
                std::to_string(r.guided_trials) + " guided");
  WriteLine(out, "duplicates replaced", std::to_string(r.duplicates_replaced));
  WriteLine(out, "first error", r.first_error);
  if (!r.notes.empty()) {
    out << "notes:\n";
    for (const std::string& note : r.notes) out << "  " << note << '\n';
  }
}

void WriteTrialInfo(std::ostream& out, const RunRecord& r, const Home& home) {
  WriteLine(out, "batch", r.batch_id);
  if (r.trial_index >= 0) WriteLine(out, "trial", std::to_string(r.trial_index + 1));
  WriteLine(out, "attempt", std::to_string(r.attempt));
  WriteLine(out, "run dir", RunDirOf(r, home));
  if (!r.remote_dir.empty())
    WriteLine(out, "files on",
              (r.host.empty() ? r.external_id : r.host) + ":" + r.remote_dir);
  WriteLine(out, "exit code", r.exit_code ? std::to_string(*r.exit_code) : "");
  if (r.executor == "slurm") WriteLine(out, "slurm job", r.external_id);
  if (r.preemptions > 0) WriteLine(out, "preemptions", std::to_string(r.preemptions));
  if (r.lost_attempts > 0)
    WriteLine(out, "lost attempts", std::to_string(r.lost_attempts));
}

// Whether `path` lies strictly inside `root` (so removing it cannot reach elsewhere).
bool Inside(const fs::path& path, const fs::path& root) {
  fs::path p = path.lexically_normal(), base = root.lexically_normal();
  auto [root_end, p_it] = std::mismatch(base.begin(), base.end(), p.begin(), p.end());
  return root_end == base.end() && p_it != p.end() && !p_it->empty();
}

// The run's folders under $SALVO_HOME/runs.
void RemoveRunFolders(const RunRecord& r, const Home& home) {
  std::error_code ec;
  for (const std::string& dir : {home.run_dir(r.id), r.run_dir, r.source_dir}) {
    if (!dir.empty() && Inside(dir, home.runs_dir())) fs::remove_all(dir, ec);
  }
}

// Asks before deleting. 0 to go on, 1 when declined or unanswered (after a message).
int ConfirmDelete(const ViewContext& ctx, const std::vector<RunView>& victims) {
  ctx.out << "You are about to delete " << victims.size() << " run(s):\n";
  std::vector<std::vector<std::string>> rows;
  for (const RunView& run : victims) {
    std::vector<std::string> row = ListRow(run);
    row[0] = "  " + ShortId(run.record.id);
    rows.push_back(std::move(row));
  }
  WriteAligned(ctx.out, rows);
  ctx.out << "Continue? (Y/n) " << std::flush;

  std::string answer;
  if (!std::getline(ctx.in, answer)) {
    ctx.out << '\n';
    ctx.err << "salvo: no answer at the prompt (use -y to run without asking)\n";
    return 1;
  }
  if (answer.empty() || answer == "y" || answer == "Y" || answer == "yes") return 0;
  ctx.out << "Nothing deleted.\n";
  return 1;
}

}  // namespace

int RunsList(const ViewContext& ctx, const RunsOptions& opt) {
  auto runs = SelectRuns(ctx, opt.sel);
  if (!runs.ok()) return ReportError(ctx.err, runs.status());

  if (opt.json) {
    ordered_json out = ordered_json::array();
    for (const RunView& run : *runs) out.push_back(RunJson(run));
    ctx.out << out.dump(2) << '\n';
    return 0;
  }

  size_t total = runs->size();
  bool limited = !opt.sel.all && opt.limit > 0 && total > static_cast<size_t>(opt.limit);
  size_t shown = limited ? static_cast<size_t>(opt.limit) : total;
  std::vector<std::vector<std::string>> rows;
  for (size_t i = 0; i < shown; ++i) rows.push_back(ListRow((*runs)[i]));
  WriteAligned(ctx.out, rows);
  if (limited) {
    ctx.err << "Showing the first " << shown << " runs (" << total
            << " total) - use --all to show all\n";
  }
  return 0;
}

int RunsInfo(const ViewContext& ctx, const RunsInfoOptions& opt) {
  auto run = SelectOneRun(ctx, opt.run);
  if (!run.ok()) return ReportError(ctx.err, run.status());
  auto all = LoadRuns(ctx);
  auto points = ctx.store.Scalars(run->record.id);
  if (!all.ok()) return ReportError(ctx.err, all.status());
  if (!points.ok()) return ReportError(ctx.err, points.status());
  const RunRecord& r = run->record;
  std::map<std::string, ScalarSummary> scalars = SummarizeScalars(*points);
  std::map<RunStatus, int> trials = CountTrials(*all, r.id);

  if (opt.json) {
    ordered_json j = RunJson(*run);
    ordered_json scalar_json = ordered_json::object();
    for (const auto& [tag, s] : scalars)
      scalar_json[tag] = {{"value", s.last}, {"step", s.last_step}};
    j["scalars"] = std::move(scalar_json);
    if (r.kind == RunKind::kBatch) {
      ordered_json counts = ordered_json::object();
      for (const auto& [status, n] : trials)
        counts[std::string(RunStatusName(status))] = n;
      j["trials"] = std::move(counts);
    }
    ctx.out << j.dump(2) << '\n';
    return 0;
  }

  std::ostream& out = ctx.out;
  WriteLine(out, "id", r.id);
  WriteLine(out, "operation", r.operation);
  WriteLine(out, "kind", std::string(RunKindName(r.kind)));
  WriteLine(out, "status",
            std::string(RunStatusName(run->status)) +
                (r.reason.empty() ? "" : " (" + r.reason + ")"));
  WriteLine(out, "started", FormatLocalTime(r.started_us));
  WriteLine(out, "stopped", FormatLocalTime(r.stopped_us));
  auto time = RunAttribute(*run, "time", ctx.home, ctx.now_us);
  WriteLine(out, "time", time.ok() ? FormatCell(*time) : "");
  WriteLine(out, "label", DisplayLabel(r));
  if (r.kind == RunKind::kTrial) WriteTrialInfo(out, r, ctx.home);
  if (r.kind == RunKind::kBatch) WriteBatchInfo(out, r, trials);
  if (!r.flags.empty()) {
    out << "flags:\n";
    WriteFlags(out, r.flags);
  }
  if (!scalars.empty()) {
    out << "scalars:\n";
    for (const auto& [tag, s] : scalars)
      out << "  " << tag << ": " << FormatFloat(s.last) << " (step " << s.last_step
          << ")\n";
  }
  return 0;
}

int RunsRm(const ViewContext& ctx, const RunsRmOptions& opt) {
  auto all = LoadRuns(ctx);
  if (!all.ok()) return ReportError(ctx.err, all.status());
  auto picked = ResolveRunArgs(FilterRuns(*all, opt.sel), opt.sel.runs);
  if (!picked.ok()) return ReportError(ctx.err, picked.status());

  // A batch goes with its trials.
  std::set<std::string> ids;
  for (const RunView& run : *picked) ids.insert(run.record.id);
  std::vector<RunView> victims;
  for (const RunView& run : *all) {
    if (ids.count(run.record.id) || ids.count(run.record.batch_id))
      victims.push_back(run);
  }
  if (victims.empty()) {
    ctx.out << "No runs to delete.\n";
    return 0;
  }

  for (const RunView& run : victims) {
    if (run.status != RunStatus::kRunning) continue;
    std::string short_id = ShortId(run.record.id);
    ctx.err << "salvo: error: run " << short_id << " is running; it cannot be deleted\n"
            << "Try 'salvo stop " << short_id << "' first.\n";
    return 2;
  }
  if (!opt.yes) {
    if (int declined = ConfirmDelete(ctx, victims)) return declined;
  }

  // Records first: a folder left behind is harmless, a record without its folder is not.
  std::vector<std::string> victim_ids;
  for (const RunView& run : victims) victim_ids.push_back(run.record.id);
  if (Status s = ctx.store.Delete(victim_ids); !s.ok()) {
    ctx.err << "salvo: error: cannot delete runs: " << s.message() << '\n';
    return 1;
  }
  for (const RunView& run : victims) RemoveRunFolders(run.record, ctx.home);
  ctx.out << "Deleted " << victims.size() << " run(s)\n";
  return 0;
}

int CmdRunsList(const RunsOptions& opt) {
  Home home = ResolveHome();
  auto store = OpenStoreForRead(home);
  if (!store.ok()) return ReportError(std::cerr, store.status());
  return RunsList(UserContext(**store, home), opt);
}

int CmdRunsInfo(const RunsInfoOptions& opt) {
  Home home = ResolveHome();
  auto store = OpenStoreForRead(home);
  if (!store.ok()) return ReportError(std::cerr, store.status());
  return RunsInfo(UserContext(**store, home), opt);
}

int CmdRunsRm(const RunsRmOptions& opt) {
  Home home = ResolveHome();
  auto store = Remote() ? OpenRemoteStore() : OpenStoreForWrite(home, "salvo runs rm");
  if (!store.ok()) {
    std::cerr << "salvo: error: " << store.status().message() << '\n';
    return 2;
  }
  return RunsRm(UserContext(**store, home), opt);
}

}  // namespace salvo
