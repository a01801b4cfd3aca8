// `salvo select`: the id (or path, or an attribute) of the newest matching run, or of
// the one with the lowest or highest value of a column, or of every match.

#include <iostream>

#include "common/core/ids.h"
#include "coordinator/run_selection.h"
#include "coordinator/store_access.h"

namespace salvo {
namespace {

std::string Quoted(const std::vector<std::string>& items, const char* separator) {
  std::string out;
  for (const std::string& item : items)
    out += (out.empty() ? "" : separator) + ("'" + item + "'");
  return out;
}

// "no run matches operation 'train.py+gp' and status 'error'", or "there are no runs".
Status NoMatch(const RunSelection& sel) {
  std::vector<std::string> parts;
  if (!sel.runs.empty()) parts.push_back(Quoted(sel.runs, ", "));
  if (!sel.operations.empty())
    parts.push_back("operation " + Quoted(sel.operations, " or "));
  if (!sel.status.include.empty())
    parts.push_back("status " + Quoted(sel.status.include, " or "));
  if (!sel.status.exclude.empty())
    parts.push_back("status not " + Quoted(sel.status.exclude, " or "));
  if (!sel.labels.empty()) parts.push_back("label with " + Quoted(sel.labels, " and "));
  if (parts.empty()) return Status::NotFound("there are no runs");

  std::string message = "no run matches";
  for (size_t i = 0; i < parts.size(); ++i) message += (i ? " and " : " ") + parts[i];
  return Status::NotFound(message);
}

// The runs ordered by a column (lowest or highest first); an error when no run has a
// value in it.
Result<std::vector<RunView>> OrderByColumn(const ViewContext& ctx,
                                           std::vector<RunView> runs,
                                           const SelectOptions& opt) {
  CompareOptions copt;
  copt.skip_core = copt.skip_op_cols = true;
  copt.min_col = opt.min_col;
  copt.max_col = opt.max_col;
  auto table = BuildCompareTable(ctx, std::move(runs), copt);
  if (!table.ok()) return table.status();

  const std::string& column = opt.min_col ? *opt.min_col : *opt.max_col;
  SortCompareTable(*table, column, opt.max_col.has_value());
  bool any = !table->rows.empty() && !table->rows.front().back().empty();
  if (!any) {
    if (!table->warnings.empty()) return Status::Invalid(table->warnings.front());
    return Status::Invalid("no matching run has a value for '" + column + "'");
  }
  return std::move(table->runs);
}

}  // namespace

int Select(const ViewContext& ctx, const SelectOptions& opt) {
  if (opt.min_col && opt.max_col)
    return ReportError(ctx.err,
                       Status::Invalid("--min and --max cannot be used together"));
  auto runs = SelectRuns(ctx, opt.sel);
  if (!runs.ok()) return ReportError(ctx.err, runs.status());
  if (runs->empty()) return ReportError(ctx.err, NoMatch(opt.sel));
  if (opt.min_col || opt.max_col) {
    runs = OrderByColumn(ctx, std::move(runs).value(), opt);
    if (!runs.ok()) return ReportError(ctx.err, runs.status());
  }

  // Several RUN arguments ask for several runs.
  bool every = opt.sel.all || opt.sel.runs.size() > 1;
  size_t count = every ? runs->size() : 1;
  for (size_t i = 0; i < count; ++i) {
    const RunView& run = (*runs)[i];
    if (opt.attr) {
      auto cell = RunAttribute(run, *opt.attr, ctx.home, ctx.now_us);
      if (!cell.ok()) return ReportError(ctx.err, cell.status());
      ctx.out << FormatCell(*cell) << '\n';
    } else if (opt.path) {
      ctx.out << RunDirOf(run.record, ctx.home) << '\n';
    } else {
      ctx.out << (opt.short_id ? ShortId(run.record.id) : run.record.id) << '\n';
    }
  }
  return 0;
}

int CmdSelect(const SelectOptions& opt) {
  Home home = ResolveHome();
  auto store = OpenStoreForRead(home);
  if (!store.ok()) return ReportError(std::cerr, store.status());
  return Select(UserContext(**store, home), opt);
}

}  // namespace salvo
