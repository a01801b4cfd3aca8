#pragma once
// The interactive `salvo compare`: a table of runs the user browses with the keyboard.
//
// CompareViewState is the part without a terminal: it holds the table's text, applies
// keys (cursor moves, sorting, the filter prompt, the help overlay, quit) and says which
// rows and columns fit a screen of a given size. ShowCompareView draws that state with
// curses and feeds it the keys typed; it is the only code here that touches the
// terminal. Neither is thread-safe: one view, on the thread that created it.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "coordinator/run_selection.h"

namespace salvo {

// A key as the view understands it: a printable character or a named key.
struct ViewKey {
  enum class Kind { kChar, kUp, kDown, kLeft, kRight, kPageUp, kPageDown, kHome, kEnd,
                    kEnter, kBackspace, kEscape };
  Kind kind = Kind::kChar;
  char ch = 0;  // kChar only

  static ViewKey Char(char c) { return {Kind::kChar, c}; }
  static ViewKey Named(Kind kind) { return {kind, 0}; }
};

class CompareViewState {
 public:
  enum class Mode { kBrowse, kFilterPrompt, kHelp };

  // Keys of the browse mode:
  //   arrows, PgUp/PgDn, Home/End   move the cursor (row and column)
  //   1 / 2                         sort by the current column ascending / descending,
  //                                 empty cells last; the cursor goes to the first row
  //   /                             type a filter on the bottom line; Enter keeps the
  //                                 rows with a cell containing the text (or a
  //                                 `header=cell` containing it), an empty text shows
  //                                 every row again, Escape leaves the filter as it was
  //   ?                             the help overlay; any key closes it
  //   q                             quit
  // Cells are shown as `FormatCell` prints them; rows keep the table's order until a
  // sort.
  explicit CompareViewState(const CompareTable& table);

  // The screen's size in character cells: the header takes the first line, the status
  // line (or the filter prompt) the last, rows the lines between. At least 3 x 1.
  void Resize(int lines, int columns);
  // Applies one key; false once the view should close (q).
  bool Apply(const ViewKey& key);
  // Sorts the rows as keys 1 and 2 do, by the column with this header; false when no
  // column has it. Used for the order --min/--max set.
  bool SortByHeader(std::string_view header, bool descending);

  Mode mode() const { return mode_; }
  const std::vector<std::string>& headers() const { return headers_; }
  // The text of a cell; `row` is a row of the table as given.
  const std::string& Text(size_t row, size_t column) const { return text_[row][column]; }
  // The width a column is drawn with: its widest cell or header, at most kMaxWidth.
  size_t ColumnWidth(size_t column) const { return widths_[column]; }
  static constexpr size_t kMaxWidth = 40;

  // Rows that pass the filter, in display order (table rows).
  const std::vector<size_t>& rows() const { return shown_; }
  // The rows on screen, top to bottom, and the columns that fit, left to right, with
  // two spaces between columns; the cursor's row and column are always among them.
  std::vector<size_t> VisibleRows() const;
  std::vector<size_t> VisibleColumns() const;
  // The cursor: a position in rows() (0 when there are none) and a column index.
  size_t cursor_row() const { return cursor_row_; }
  size_t cursor_column() const { return cursor_column_; }

  const std::string& filter() const { return filter_; }
  // What the filter prompt holds while it is open.
  const std::string& typed() const { return typed_; }
  // The bottom line: the prompt `/TEXT` in the prompt mode, else the position, the
  // sort, the filter and a key reminder.
  std::string StatusLine() const;
  static const std::vector<std::string>& HelpLines();

 private:
  bool ApplyBrowse(const ViewKey& key);
  void ApplyPrompt(const ViewKey& key);
  void Sort(size_t column, bool descending);
  void Refilter();
  bool Matches(size_t row) const;
  void ScrollToCursor();
  int DataLines() const { return lines_ - 2; }

  std::vector<std::string> headers_;
  std::vector<std::vector<Cell>> cells_;
  std::vector<std::vector<std::string>> text_;
  std::vector<size_t> widths_;
  std::vector<size_t> order_;  // every row, in display order
  std::vector<size_t> shown_;  // the rows of order_ that pass the filter

  Mode mode_ = Mode::kBrowse;
  std::string filter_, typed_;
  std::optional<size_t> sort_column_;
  bool sort_descending_ = false;
  size_t cursor_row_ = 0, cursor_column_ = 0;
  size_t top_row_ = 0, first_column_ = 0;
  int lines_ = 24, columns_ = 80;
};

// Shows `table` on the terminal until the user quits, starting in the order
// `sort_header` (when set) gives; returns the exit status (0, or 2 when the terminal
// cannot be used, after a message on `err`).
int ShowCompareView(const CompareTable& table,
                    const std::optional<std::string>& sort_header, bool descending,
                    std::ostream& err);

}  // namespace salvo
