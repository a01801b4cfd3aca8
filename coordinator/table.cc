#include "coordinator/table.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <ctime>
#include <sstream>

namespace salvo {
namespace {

constexpr std::string_view kQualifiers[] = {"first", "last",  "min",  "max",
                                            "avg",   "total", "count"};

bool IsQualifier(std::string_view word) {
  return std::find(std::begin(kQualifiers), std::end(kQualifiers), word) !=
         std::end(kQualifiers);
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

std::string_view Trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())))
    s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())))
    s.remove_suffix(1);
  return s;
}

std::vector<std::string> SplitWords(std::string_view s) {
  std::vector<std::string> words;
  std::istringstream in{std::string(s)};
  for (std::string w; in >> w;) words.push_back(w);
  return words;
}

std::string Join(const std::vector<std::string>& words, size_t from, size_t to) {
  std::string out;
  for (size_t i = from; i < to; ++i) out += (i > from ? " " : "") + words[i];
  return out;
}

// One spec without commas; see ColumnSpec for the grammar.
Result<ColumnSpec> ParseOneSpec(std::string_view text) {
  std::vector<std::string> words = SplitWords(text);
  auto bad = [&] {
    return Status::Invalid("cannot read column spec '" + std::string(text) + "'");
  };
  if (words.empty()) return Status::Invalid("empty column spec");

  // A trailing `as HEADING` names the column whatever its kind.
  std::string heading;
  auto as = std::find(words.begin() + 1, words.end(), "as");
  if (as != words.end()) {
    size_t at = as - words.begin();
    if (at + 1 == words.size()) return bad();
    heading = Join(words, at + 1, words.size());
    words.resize(at);
  }

  ColumnSpec spec;
  const std::string& head = words[0];
  if (head[0] == '=' || head[0] == '.') {
    if (words.size() != 1 || head.size() == 1) return bad();
    spec.kind = head[0] == '=' ? ColumnSpec::Kind::kFlag : ColumnSpec::Kind::kAttr;
    spec.name = head.substr(1);
    spec.heading = heading.empty() ? spec.name : heading;
    return spec;
  }

  // [QUALIFIER] TAG [step]
  size_t i = 0;
  if (words.size() > 1 && IsQualifier(words[0])) {
    spec.qualifier = words[0];
    spec.qualified = true;
    i = 1;
  }
  spec.name = words[i++];
  if (i < words.size() && words[i] == "step") {
    spec.step = true;
    ++i;
  }
  if (i != words.size()) return bad();
  spec.heading = heading.empty() ? Join(words, 0, words.size()) : heading;
  return spec;
}

}  // namespace

std::optional<double> Cell::number() const {
  if (auto* i = std::get_if<int64_t>(&v)) return static_cast<double>(*i);
  if (auto* d = std::get_if<double>(&v)) return *d;
  return std::nullopt;
}

Cell CellFromFlag(const FlagValue& value) {
  switch (value.kind()) {
    case FlagValue::Kind::kNull:
      return Cell();
    case FlagValue::Kind::kBool:
      return Cell::Bool(std::get<bool>(value.v));
    case FlagValue::Kind::kInt:
      return Cell::Int(std::get<int64_t>(value.v));
    case FlagValue::Kind::kFloat:
      return Cell::Float(std::get<double>(value.v));
    case FlagValue::Kind::kString:
      return Cell::Text(value.str());
    default:
      return Cell::Text(EncodeFlagValue(value));
  }
}

std::string FormatCell(const Cell& cell) {
  if (auto* b = std::get_if<bool>(&cell.v)) return *b ? "yes" : "no";
  if (auto* d = std::get_if<double>(&cell.v)) return TruncateFloat(*d);
  return RawCell(cell);
}

std::string RawCell(const Cell& cell) {
  if (cell.empty()) return "";
  if (auto* b = std::get_if<bool>(&cell.v)) return *b ? "true" : "false";
  if (auto* i = std::get_if<int64_t>(&cell.v)) return std::to_string(*i);
  if (auto* d = std::get_if<double>(&cell.v)) return FormatFloat(*d);
  return std::get<std::string>(cell.v);
}

std::string TruncateFloat(double d, int decimals) {
  if (std::isnan(d)) return "nan";
  if (std::isinf(d)) return d > 0 ? "inf" : "-inf";
  if (std::fabs(d) >= 1e16) return FormatFloat(d);
  if (std::fabs(d) < std::pow(10.0, -decimals)) return "0.0";

  // The shortest fixed text that reads back as `d`, then cut: cutting the text (not
  // the binary value) keeps 0.3 from printing as 0.299999.
  char buf[64];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, d, std::chars_format::fixed);
  std::string s(buf, end);
  size_t point = s.find('.');
  if (point == std::string::npos) return s + ".0";
  s.resize(std::min(s.size(), point + 1 + decimals));
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.push_back('0');
  return s == "-0.0" ? "0.0" : s;
}

int CompareCells(const Cell& a, const Cell& b) {
  auto numeric = [](const Cell& c) -> std::optional<double> {
    if (auto* x = std::get_if<bool>(&c.v)) return *x ? 1.0 : 0.0;
    return c.number();
  };
  std::optional<double> x = numeric(a), y = numeric(b);
  if (x && y) return *x < *y ? -1 : (*y < *x ? 1 : 0);
  return FormatCell(a).compare(FormatCell(b));
}

bool NaturalLess(std::string_view a, std::string_view b) {
  size_t i = 0, j = 0;
  while (i < a.size() && j < b.size()) {
    if (IsDigit(a[i]) && IsDigit(b[j])) {
      size_t i_end = i, j_end = j;
      while (i_end < a.size() && IsDigit(a[i_end])) ++i_end;
      while (j_end < b.size() && IsDigit(b[j_end])) ++j_end;
      // Compare the runs as numbers: without leading zeros, longer is larger.
      std::string_view x = a.substr(i, i_end - i), y = b.substr(j, j_end - j);
      while (x.size() > 1 && x[0] == '0') x.remove_prefix(1);
      while (y.size() > 1 && y[0] == '0') y.remove_prefix(1);
      if (x.size() != y.size()) return x.size() < y.size();
      if (x != y) return x < y;
      i = i_end;
      j = j_end;
      continue;
    }
    if (a[i] != b[j]) return a[i] < b[j];
    ++i;
    ++j;
  }
  if ((a.size() - i) != (b.size() - j)) return (a.size() - i) < (b.size() - j);
  return a < b;
}

size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diagonal = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t above = row[j];
      row[j] = std::min(
          {row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

std::optional<std::string> ClosestName(std::string_view name,
                                       const std::vector<std::string>& candidates) {
  // Rank: a candidate extending the name (or extended by it) first, then distance.
  std::optional<std::string> best;
  std::pair<bool, size_t> best_rank;
  for (const std::string& c : candidates) {
    size_t d = EditDistance(name, c);
    if (d > std::max(name.size(), c.size()) / 2) continue;
    bool prefix = !name.empty() && (c.starts_with(name) || name.starts_with(c));
    std::pair<bool, size_t> rank{!prefix, d};
    if (!best || rank < best_rank) {
      best = c;
      best_rank = rank;
    }
  }
  return best;
}

std::string FormatLocalTime(int64_t us) {
  if (us == 0) return "";
  std::time_t seconds = static_cast<std::time_t>(us / 1000000);
  std::tm tm{};
  localtime_r(&seconds, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
  return buf;
}

std::string FormatDuration(int64_t us) {
  if (us < 0) return "";
  int64_t seconds = us / 1000000;
  char buf[32];
  std::snprintf(
      buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(seconds / 3600),
      static_cast<long long>(seconds / 60 % 60), static_cast<long long>(seconds % 60));
  return buf;
}

void WriteAligned(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size());
    for (size_t c = 0; c < row.size(); ++c)
      widths[c] = std::max(widths[c], row[c].size());
  }

  for (const auto& row : rows) {
    std::string line;
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) line += "  ";
      line += row[c];
      line.append(widths[c] - row[c].size(), ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out << line << '\n';
  }
}

void WriteCsv(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  for (const auto& row : rows) {
    for (size_t c = 0; c < row.size(); ++c) {
      if (c > 0) out << ',';
      const std::string& field = row[c];
      if (field.find_first_of(",\"\r\n") == std::string::npos) {
        out << field;
        continue;
      }
      out << '"';
      for (char ch : field) out << (ch == '"' ? "\"\"" : std::string(1, ch));
      out << '"';
    }
    out << "\r\n";
  }
}

Result<std::vector<ColumnSpec>> ParseColumnSpecs(std::string_view text) {
  std::vector<ColumnSpec> specs;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = std::min(text.find(',', start), text.size());
    std::string_view part = Trim(text.substr(start, comma - start));
    Result<ColumnSpec> spec = ParseOneSpec(part);
    if (!spec.ok()) return spec.status();
    specs.push_back(std::move(spec).value());
    start = comma + 1;
  }
  return specs;
}

std::map<std::string, ScalarSummary> SummarizeScalars(
    const std::vector<ScalarPoint>& points) {
  std::map<std::string, ScalarSummary> out;
  for (const ScalarPoint& p : points) {
    auto [it, fresh] = out.try_emplace(p.tag);
    ScalarSummary& s = it->second;
    if (fresh) {
      s.first = s.min = s.max = p.value;
      s.first_step = s.min_step = s.max_step = p.step;
    }
    if (p.value < s.min) {
      s.min = p.value;
      s.min_step = p.step;
    }
    if (p.value > s.max) {
      s.max = p.value;
      s.max_step = p.step;
    }
    s.last = p.value;
    s.last_step = p.step;
    s.total += p.value;
    ++s.count;
  }
  return out;
}

Cell ScalarCell(const ColumnSpec& spec, const ScalarSummary& s) {
  const std::string& q = spec.qualifier;
  if (q == "count") return Cell::Int(s.count);
  if (spec.step) {
    if (q == "first") return Cell::Int(s.first_step);
    if (q == "min") return Cell::Int(s.min_step);
    if (q == "max") return Cell::Int(s.max_step);
    return Cell::Int(s.last_step);
  }
  if (q == "first") return Cell::Float(s.first);
  if (q == "min") return Cell::Float(s.min);
  if (q == "max") return Cell::Float(s.max);
  if (q == "avg") return Cell::Float(s.total / static_cast<double>(s.count));
  if (q == "total") return Cell::Float(s.total);
  return Cell::Float(s.last);
}

}  // namespace salvo
