// The terminal-free part of the interactive compare view; the drawing is in
// compare_view_curses.cc.

#include "coordinator/compare_view.h"

#include <algorithm>
#include <numeric>

namespace salvo {
namespace {

// Characters on screen: UTF-8 continuation bytes take no cell.
size_t DisplayWidth(std::string_view text) {
  return std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  });
}

}  // namespace

CompareViewState::CompareViewState(const CompareTable& table)
    : headers_(table.headers), cells_(table.rows) {
  widths_.resize(headers_.size());
  for (size_t c = 0; c < headers_.size(); ++c) widths_[c] = DisplayWidth(headers_[c]);
  for (const auto& cells : cells_) {
    std::vector<std::string> line;
    for (size_t c = 0; c < cells.size(); ++c) {
      line.push_back(FormatCell(cells[c]));
      widths_[c] = std::max(widths_[c], DisplayWidth(line.back()));
    }
    text_.push_back(std::move(line));
  }
  for (size_t& width : widths_) width = std::min(width, kMaxWidth);

  order_.resize(cells_.size());
  std::iota(order_.begin(), order_.end(), 0);
  shown_ = order_;
}

void CompareViewState::Resize(int lines, int columns) {
  lines_ = std::max(lines, 3);
  columns_ = std::max(columns, 1);
  ScrollToCursor();
}

bool CompareViewState::Apply(const ViewKey& key) {
  switch (mode_) {
    case Mode::kHelp:
      mode_ = Mode::kBrowse;
      return true;
    case Mode::kFilterPrompt:
      ApplyPrompt(key);
      return true;
    case Mode::kBrowse:
      break;
  }
  return ApplyBrowse(key);
}

bool CompareViewState::ApplyBrowse(const ViewKey& key) {
  using Kind = ViewKey::Kind;
  size_t last_row = shown_.empty() ? 0 : shown_.size() - 1;
  size_t last_column = headers_.empty() ? 0 : headers_.size() - 1;
  size_t page = static_cast<size_t>(std::max(DataLines(), 1));
  switch (key.kind) {
    case Kind::kUp: cursor_row_ -= cursor_row_ > 0; break;
    case Kind::kDown: cursor_row_ += cursor_row_ < last_row; break;
    case Kind::kLeft: cursor_column_ -= cursor_column_ > 0; break;
    case Kind::kRight: cursor_column_ += cursor_column_ < last_column; break;
    case Kind::kPageUp: cursor_row_ -= std::min(cursor_row_, page); break;
    case Kind::kPageDown: cursor_row_ = std::min(cursor_row_ + page, last_row); break;
    case Kind::kHome: cursor_row_ = 0; break;
    case Kind::kEnd: cursor_row_ = last_row; break;
    case Kind::kChar:
      switch (key.ch) {
        case 'q': return false;
        case '1':
        case '2':
          if (!headers_.empty()) Sort(cursor_column_, key.ch == '2');
          break;
        case '/':
          mode_ = Mode::kFilterPrompt;
          typed_ = filter_;
          break;
        case '?': mode_ = Mode::kHelp; break;
      }
      break;
    default:
      break;
  }
  ScrollToCursor();
  return true;
}

void CompareViewState::ApplyPrompt(const ViewKey& key) {
  using Kind = ViewKey::Kind;
  switch (key.kind) {
    case Kind::kEnter:
      filter_ = typed_;
      mode_ = Mode::kBrowse;
      cursor_row_ = 0;
      Refilter();
      break;
    case Kind::kEscape: mode_ = Mode::kBrowse; break;
    case Kind::kBackspace:
      if (!typed_.empty()) typed_.pop_back();
      break;
    case Kind::kChar:
      if (static_cast<unsigned char>(key.ch) >= 0x20) typed_ += key.ch;
      break;
    default:
      break;
  }
}

bool CompareViewState::SortByHeader(std::string_view header, bool descending) {
  auto it = std::find(headers_.begin(), headers_.end(), header);
  if (it == headers_.end()) return false;
  Sort(static_cast<size_t>(it - headers_.begin()), descending);
  return true;
}

void CompareViewState::Sort(size_t column, bool descending) {
  // Empty cells go last in both directions, as SortCompareTable orders them.
  std::stable_sort(order_.begin(), order_.end(), [&](size_t a, size_t b) {
    const Cell &x = cells_[a][column], &y = cells_[b][column];
    if (x.empty() || y.empty()) return !x.empty() && y.empty();
    int cmp = CompareCells(x, y);
    return descending ? cmp > 0 : cmp < 0;
  });
  sort_column_ = column;
  sort_descending_ = descending;
  cursor_row_ = 0;
  Refilter();
}

bool CompareViewState::Matches(size_t row) const {
  if (filter_.empty()) return true;
  bool pair = filter_.find('=') != std::string::npos;
  for (size_t c = 0; c < headers_.size(); ++c) {
    const std::string& text = text_[row][c];
    if (text.find(filter_) != std::string::npos) return true;
    if (pair && (headers_[c] + "=" + text).find(filter_) != std::string::npos) {
      return true;
    }
  }
  return false;
}

void CompareViewState::Refilter() {
  shown_.clear();
  std::copy_if(order_.begin(), order_.end(), std::back_inserter(shown_),
               [&](size_t row) { return Matches(row); });
  if (cursor_row_ >= shown_.size()) cursor_row_ = shown_.empty() ? 0 : shown_.size() - 1;
  ScrollToCursor();
}

void CompareViewState::ScrollToCursor() {
  size_t lines = static_cast<size_t>(std::max(DataLines(), 1));
  if (cursor_row_ < top_row_) top_row_ = cursor_row_;
  if (cursor_row_ >= top_row_ + lines) top_row_ = cursor_row_ - lines + 1;
  // Never leave empty lines below the last row while rows are hidden above.
  if (shown_.size() >= lines) top_row_ = std::min(top_row_, shown_.size() - lines);
  else top_row_ = 0;

  // The first column moves right until the cursor's column ends on screen.
  if (cursor_column_ < first_column_) first_column_ = cursor_column_;
  auto used = [&](size_t first) {
    size_t width = 0;
    for (size_t c = first; c <= cursor_column_; ++c) {
      width += widths_[c] + (c > first ? 2 : 0);
    }
    return width;
  };
  size_t screen_width = static_cast<size_t>(columns_);
  while (first_column_ < cursor_column_ && used(first_column_) > screen_width) {
    ++first_column_;
  }
}

std::vector<size_t> CompareViewState::VisibleRows() const {
  size_t lines = static_cast<size_t>(std::max(DataLines(), 1));
  size_t end = std::min(shown_.size(), top_row_ + lines);
  return {shown_.begin() + static_cast<std::ptrdiff_t>(std::min(top_row_, end)),
          shown_.begin() + static_cast<std::ptrdiff_t>(end)};
}

std::vector<size_t> CompareViewState::VisibleColumns() const {
  std::vector<size_t> out;
  size_t used = 0;
  for (size_t c = first_column_; c < headers_.size(); ++c) {
    // A column cut at the right edge still shows; one that would start past it does not.
    size_t start = out.empty() ? 0 : used + 2;
    if (start >= static_cast<size_t>(columns_)) break;
    out.push_back(c);
    used = start + widths_[c];
  }
  return out;
}

std::string CompareViewState::StatusLine() const {
  if (mode_ == Mode::kFilterPrompt) return "/" + typed_;
  std::string line = shown_.empty() ? "no rows"
                                    : "row " + std::to_string(cursor_row_ + 1) + "/" +
                                          std::to_string(shown_.size());
  if (shown_.size() != cells_.size()) line += " of " + std::to_string(cells_.size());
  if (sort_column_) {
    line += "  sorted by " + headers_[*sort_column_] +
            (sort_descending_ ? " descending" : " ascending");
  }
  if (!filter_.empty()) line += "  filter: " + filter_;
  return line + "  (? help, q quit)";
}

const std::vector<std::string>& CompareViewState::HelpLines() {
  static const std::vector<std::string> kLines = {
      "Keys",
      "  arrows      move between rows and columns",
      "  PgUp PgDn   move a screen up or down",
      "  Home End    first or last row",
      "  1           sort by this column, ascending",
      "  2           sort by this column, descending",
      "  /           filter rows by text (Enter: apply, empty: all)",
      "  ?           this help (any key closes it)",
      "  q           quit",
  };
  return kLines;
}

}  // namespace salvo
