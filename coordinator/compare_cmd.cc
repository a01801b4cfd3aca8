// `salvo compare`: runs side by side, one row each, as a table, CSV or JSON, or in the
// interactive view (compare_view.h) when a user runs it at a terminal.

#include <unistd.h>

#include <algorithm>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <numeric>
#include <set>

#include "coordinator/compare_view.h"
#include "coordinator/run_selection.h"
#include "coordinator/store_access.h"

namespace salvo {
namespace {

using nlohmann::ordered_json;

// Where a column's cells come from.
struct Column {
  enum class Source { kAttr, kFlag, kStep, kScalar };
  Source source = Source::kAttr;
  std::string header;
  std::string name;  // attribute, flag or tag
  ColumnSpec spec;   // kScalar: which value of the tag
};

// What the cells of one run are computed from.
struct RowData {
  std::map<std::string, ScalarSummary> scalars;
  std::string objective;  // the tag whose step the `step` column shows
};

// The names every column could refer to, for checks and suggestions.
struct Known {
  std::vector<std::string> flags, tags;  // natural order
};

constexpr std::pair<const char*, const char*> kCoreColumns[] = {
    {"run", "short_id"}, {"operation", "operation"}, {"started", "started"},
    {"time", "time"},    {"status", "status"},       {"label", "label"}};

std::vector<std::string> NaturalSorted(const std::set<std::string>& names) {
  std::vector<std::string> out(names.begin(), names.end());
  std::sort(out.begin(), out.end(), NaturalLess);
  return out;
}

bool Contains(const std::vector<std::string>& names, const std::string& name) {
  return std::find(names.begin(), names.end(), name) != names.end();
}

// Adds a column, or replaces the one with the same header in its place.
void AddColumn(std::vector<Column>& columns, Column column) {
  for (Column& c : columns) {
    if (c.header == column.header) {
      c = std::move(column);
      return;
    }
  }
  columns.push_back(std::move(column));
}

std::string WithSuggestion(std::string message, const std::string& name,
                           const std::vector<std::string>& candidates) {
  if (auto near = ClosestName(name, candidates))
    message += " (did you mean '" + *near + "'?)";
  return message;
}

// The column a spec asks for; a warning when nothing in the runs can fill it.
Column ResolveSpec(const ColumnSpec& spec, const Known& known, bool have_rows,
                   std::vector<std::string>& warnings) {
  Column column{Column::Source::kScalar, spec.heading, spec.name, spec};
  std::string quoted = "'" + spec.name + "'";
  switch (spec.kind) {
    case ColumnSpec::Kind::kFlag:
      column.source = Column::Source::kFlag;
      if (have_rows && !Contains(known.flags, spec.name)) {
        warnings.push_back(WithSuggestion("no flag " + quoted + " in the compared runs",
                                          spec.name, known.flags));
      }
      return column;
    case ColumnSpec::Kind::kAttr:
      column.source = Column::Source::kAttr;
      if (!Contains(RunAttributeNames(), spec.name)) {
        warnings.push_back(
            WithSuggestion("no run attribute " + quoted, spec.name, RunAttributeNames()));
      }
      return column;
    case ColumnSpec::Kind::kScalar:
      break;
  }

  bool plain = !spec.qualified && !spec.step;
  if (Contains(known.tags, spec.name) || !have_rows) return column;
  if (plain && Contains(known.flags, spec.name)) {
    column.source = Column::Source::kFlag;
    return column;
  }
  std::vector<std::string> candidates = known.tags;
  if (plain) candidates.insert(candidates.end(), known.flags.begin(), known.flags.end());
  warnings.push_back(WithSuggestion(
      (plain ? "no scalar or flag " : "no scalar ") + quoted + " in the compared runs",
      spec.name, candidates));
  return column;
}

// The default columns: core, then flags, step and scalars.
std::vector<Column> DefaultColumns(const CompareOptions& opt, const Known& known) {
  std::vector<Column> columns;
  if (!opt.skip_core) {
    for (const auto& [header, attr] : kCoreColumns)
      columns.push_back({Column::Source::kAttr, header, attr, {}});
  }
  if (!opt.strict_columns.empty() || opt.skip_op_cols) return columns;

  for (const std::string& flag : known.flags)
    columns.push_back({Column::Source::kFlag, flag, flag, {}});
  if (!known.tags.empty()) columns.push_back({Column::Source::kStep, "step", "", {}});
  for (const std::string& tag : known.tags) {
    ColumnSpec spec;
    spec.name = spec.heading = tag;
    columns.push_back({Column::Source::kScalar, tag, tag, spec});
  }
  return columns;
}

Cell Evaluate(const ViewContext& ctx, const Column& column, const RunView& run,
              const RowData& data) {
  switch (column.source) {
    case Column::Source::kAttr: {
      auto cell = RunAttribute(run, column.name, ctx.home, ctx.now_us);
      return cell.ok() ? *cell : Cell();
    }
    case Column::Source::kFlag: {
      auto it = run.record.flags.find(column.name);
      return it == run.record.flags.end() ? Cell() : CellFromFlag(it->second);
    }
    case Column::Source::kStep: {
      if (data.scalars.empty()) return Cell();
      auto it = data.scalars.find(data.objective);
      if (it == data.scalars.end()) {
        std::vector<std::string> tags;
        for (const auto& [tag, s] : data.scalars) tags.push_back(tag);
        it = data.scalars.find(*std::min_element(tags.begin(), tags.end(), NaturalLess));
      }
      return Cell::Int(it->second.last_step);
    }
    case Column::Source::kScalar: {
      auto it = data.scalars.find(column.name);
      return it == data.scalars.end() ? Cell() : ScalarCell(column.spec, it->second);
    }
  }
  return Cell();
}

// Scalars of each run, and the objective its batch minimizes or maximizes.
Result<std::vector<RowData>> LoadRowData(const ViewContext& ctx,
                                         const std::vector<RunView>& runs) {
  std::map<std::string, std::string> batch_objectives;
  std::vector<RowData> rows;
  for (const RunView& run : runs) {
    auto points = ctx.store.Scalars(run.record.id);
    if (!points.ok()) return points.status();
    RowData data{SummarizeScalars(*points), run.record.objective};

    const std::string& batch = run.record.batch_id;
    if (!batch.empty() && !batch_objectives.count(batch)) {
      auto record = ctx.store.Get(batch);
      batch_objectives[batch] = record.ok() ? record->objective : run.record.objective;
    }
    if (!batch.empty()) data.objective = batch_objectives[batch];
    rows.push_back(std::move(data));
  }
  return rows;
}

// Every spec of a list of comma-separated spec lists.
Result<std::vector<ColumnSpec>> ParseAll(const std::vector<std::string>& lists) {
  std::vector<ColumnSpec> out;
  for (const std::string& list : lists) {
    auto specs = ParseColumnSpecs(list);
    if (!specs.ok()) return specs.status();
    out.insert(out.end(), specs->begin(), specs->end());
  }
  return out;
}

// The header a sort column names: a header as given, else the heading of its spec.
std::optional<std::string> SortHeader(const std::vector<std::string>& headers,
                                      std::string_view column) {
  if (Contains(headers, std::string(column))) return std::string(column);
  auto specs = ParseColumnSpecs(column);
  if (!specs.ok() || specs->size() != 1) return std::nullopt;
  if (!Contains(headers, specs->front().heading)) return std::nullopt;
  return specs->front().heading;
}

ordered_json CellJson(const Cell& cell) {
  return std::visit(
      [](const auto& v) -> ordered_json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::monostate>) {
          return nullptr;
        } else {
          return v;
        }
      },
      cell.v);
}

void WriteJson(std::ostream& out, const CompareTable& table) {
  ordered_json rows = ordered_json::array();
  for (size_t r = 0; r < table.rows.size(); ++r) {
    ordered_json row = {{"id", table.runs[r].record.id}};
    for (size_t c = 0; c < table.headers.size(); ++c)
      row[table.headers[c]] = CellJson(table.rows[r][c]);
    rows.push_back(std::move(row));
  }
  out << rows.dump(2) << '\n';
}

std::vector<std::vector<std::string>> TextRows(const CompareTable& table,
                                               std::string (*format)(const Cell&)) {
  std::vector<std::vector<std::string>> rows = {table.headers};
  for (const auto& cells : table.rows) {
    std::vector<std::string> row;
    for (const Cell& cell : cells) row.push_back(format(cell));
    rows.push_back(std::move(row));
  }
  return rows;
}

int WriteCsvOutput(const ViewContext& ctx, const CompareTable& table,
                   const std::string& path) {
  auto rows = TextRows(table, RawCell);
  if (path == "-") {
    WriteCsv(ctx.out, rows);
    return 0;
  }
  std::ofstream file(path, std::ios::binary | std::ios::trunc);
  if (file) WriteCsv(file, rows);
  file.close();
  if (!file) return ReportError(ctx.err, Status::Invalid("cannot write '" + path + "'"));
  ctx.err << "Wrote " << table.rows.size() << " row(s) to " << path << '\n';
  return 0;
}

}  // namespace

Result<CompareTable> BuildCompareTable(const ViewContext& ctx, std::vector<RunView> runs,
                                       const CompareOptions& opt) {
  auto data = LoadRowData(ctx, runs);
  if (!data.ok()) return data.status();
  std::set<std::string> flag_names, tag_names;
  for (const RunView& run : runs)
    for (const auto& [name, value] : run.record.flags) flag_names.insert(name);
  for (const RowData& row : *data)
    for (const auto& [tag, s] : row.scalars) tag_names.insert(tag);
  Known known{NaturalSorted(flag_names), NaturalSorted(tag_names)};

  // Columns: the defaults, then -cc and -c specs, then a sort column not yet shown.
  CompareTable table;
  std::vector<Column> columns = DefaultColumns(opt, known);
  std::vector<std::string> lists = opt.strict_columns;
  lists.insert(lists.end(), opt.columns.begin(), opt.columns.end());
  auto specs = ParseAll(lists);
  if (!specs.ok()) return specs.status();
  for (const ColumnSpec& spec : *specs)
    AddColumn(columns, ResolveSpec(spec, known, !runs.empty(), table.warnings));
  for (const auto& sort_col : {opt.min_col, opt.max_col}) {
    if (!sort_col) continue;
    std::vector<std::string> headers;
    for (const Column& c : columns) headers.push_back(c.header);
    if (SortHeader(headers, *sort_col)) continue;
    auto sort_specs = ParseColumnSpecs(*sort_col);
    if (!sort_specs.ok()) return sort_specs.status();
    for (const ColumnSpec& spec : *sort_specs)
      AddColumn(columns, ResolveSpec(spec, known, !runs.empty(), table.warnings));
  }

  for (const Column& c : columns) table.headers.push_back(c.header);
  for (size_t r = 0; r < runs.size(); ++r) {
    std::vector<Cell> cells;
    for (const Column& c : columns)
      cells.push_back(Evaluate(ctx, c, runs[r], (*data)[r]));
    table.rows.push_back(std::move(cells));
  }
  table.runs = std::move(runs);
  return table;
}

bool SortCompareTable(CompareTable& table, std::string_view column, bool descending) {
  auto header = SortHeader(table.headers, column);
  if (!header) return false;
  size_t c = std::find(table.headers.begin(), table.headers.end(), *header) -
             table.headers.begin();

  std::vector<size_t> order(table.rows.size());
  std::iota(order.begin(), order.end(), 0);
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    const Cell &x = table.rows[a][c], &y = table.rows[b][c];
    if (x.empty() || y.empty()) return !x.empty() && y.empty();
    int cmp = CompareCells(x, y);
    return descending ? cmp > 0 : cmp < 0;
  });

  CompareTable sorted{table.headers, {}, {}, table.warnings};
  for (size_t i : order) {
    sorted.runs.push_back(std::move(table.runs[i]));
    sorted.rows.push_back(std::move(table.rows[i]));
  }
  table = std::move(sorted);
  return true;
}

namespace {

// The rows Compare shows: selected, built, sorted by --min/--max and cut to --top.
// Warnings go to err. kInvalidArgument for bad options or column specs.
Result<CompareTable> PrepareTable(const ViewContext& ctx, const CompareOptions& opt) {
  if (opt.min_col && opt.max_col)
    return Status::Invalid("--min and --max cannot be used together");
  auto runs = SelectRuns(ctx, opt.sel);
  if (!runs.ok()) return runs.status();
  // RUN ranges count batches as `salvo runs` lists them; the rows leave them out.
  if (!opt.include_batch) {
    std::erase_if(*runs,
                  [](const RunView& r) { return r.record.kind == RunKind::kBatch; });
  }

  auto table = BuildCompareTable(ctx, std::move(runs).value(), opt);
  if (!table.ok()) return table.status();
  for (const std::string& warning : table->warnings)
    ctx.err << "salvo: warning: " << warning << '\n';
  if (opt.min_col) SortCompareTable(*table, *opt.min_col, false);
  if (opt.max_col) SortCompareTable(*table, *opt.max_col, true);
  if (opt.top) {
    size_t keep = static_cast<size_t>(std::max(0, *opt.top));
    if (table->rows.size() > keep) {
      table->rows.resize(keep);
      table->runs.resize(keep);
    }
  }
  return table;
}

// The interactive view replaces the printed table when a user sits at a terminal and
// asked for no other output.
bool WantsInteractiveView(const CompareOptions& opt) {
  return !opt.table && !opt.csv && !opt.json && isatty(STDIN_FILENO) &&
         isatty(STDOUT_FILENO);
}

}  // namespace

int Compare(const ViewContext& ctx, const CompareOptions& opt) {
  auto table = PrepareTable(ctx, opt);
  if (!table.ok()) return ReportError(ctx.err, table.status());

  if (opt.json) {
    WriteJson(ctx.out, *table);
    return 0;
  }
  if (opt.csv) return WriteCsvOutput(ctx, *table, *opt.csv);
  if (!table->rows.empty()) WriteAligned(ctx.out, TextRows(*table, FormatCell));
  return 0;
}

int CmdCompare(const CompareOptions& opt) {
  Home home = ResolveHome();
  auto store = OpenStoreForRead(home);
  if (!store.ok()) return ReportError(std::cerr, store.status());
  ViewContext ctx = UserContext(**store, home);
  if (!WantsInteractiveView(opt)) return Compare(ctx, opt);

  auto table = PrepareTable(ctx, opt);
  if (!table.ok()) return ReportError(ctx.err, table.status());
  if (table->rows.empty()) return 0;
  std::optional<std::string> sort = opt.min_col ? opt.min_col : opt.max_col;
  return ShowCompareView(*table, sort, opt.max_col.has_value(), ctx.err);
}

}  // namespace salvo
