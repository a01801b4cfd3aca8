// Draws a CompareViewState with curses and feeds it the keys typed. Everything that knows
// about the terminal lives here; curses.h comes last because it defines short macros.

#include <algorithm>
#include <clocale>
#include <ostream>

#include "coordinator/compare_view.h"

#include <curses.h>

namespace salvo {
namespace {

constexpr short kCurrentColumnPair = 1;

// The curses session of one view; ends it (restoring the terminal) when destroyed.
class Session {
 public:
  Session() {
    std::setlocale(LC_ALL, "");
    screen_ = newterm(nullptr, stdout, stdin);
    if (!screen_) return;
    raw();  // Ctrl-C arrives as a key, so the terminal is always restored
    noecho();
    keypad(stdscr, TRUE);
    curs_set(0);
    set_escdelay(25);
    if (has_colors()) {
      start_color();
      use_default_colors();
      init_pair(kCurrentColumnPair, COLOR_YELLOW, -1);
      colors_ = true;
    }
  }
  ~Session() {
    if (!screen_) return;
    endwin();
    delscreen(screen_);
  }
  bool ok() const { return screen_ != nullptr; }
  bool colors() const { return colors_; }

 private:
  SCREEN* screen_ = nullptr;
  bool colors_ = false;
};

std::optional<ViewKey> ToKey(int ch) {
  using Kind = ViewKey::Kind;
  switch (ch) {
    case KEY_UP: return ViewKey::Named(Kind::kUp);
    case KEY_DOWN: return ViewKey::Named(Kind::kDown);
    case KEY_LEFT: return ViewKey::Named(Kind::kLeft);
    case KEY_RIGHT: return ViewKey::Named(Kind::kRight);
    case KEY_PPAGE: return ViewKey::Named(Kind::kPageUp);
    case KEY_NPAGE: return ViewKey::Named(Kind::kPageDown);
    case KEY_HOME: return ViewKey::Named(Kind::kHome);
    case KEY_END: return ViewKey::Named(Kind::kEnd);
    case KEY_ENTER:
    case '\n':
    case '\r': return ViewKey::Named(Kind::kEnter);
    case KEY_BACKSPACE:
    case 127:
    case 8: return ViewKey::Named(Kind::kBackspace);
    case 27: return ViewKey::Named(Kind::kEscape);
  }
  if (ch >= 0x20 && ch < 0x100) return ViewKey::Char(static_cast<char>(ch));
  return std::nullopt;
}

// `text` cut or padded to `width` screen cells (UTF-8 aware).
std::string Fit(const std::string& text, size_t width) {
  std::string out;
  size_t cells = 0;
  for (char c : text) {
    bool starts_char = (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    if (starts_char && cells == width) break;
    cells += starts_char;
    out += c;
  }
  return out + std::string(width - cells, ' ');
}

// One line of the table: the header (row unset) or a row of the table.
void DrawLine(const Session& session, const CompareViewState& state, int y,
              std::optional<size_t> row, bool cursor_row) {
  int x = 0;
  for (size_t c : state.VisibleColumns()) {
    if (x >= COLS) break;
    if (x > 0) {
      attrset(cursor_row ? A_REVERSE : A_NORMAL);
      mvaddstr(y, x, "  ");
      x += 2;
    }
    attr_t attrs = row ? A_NORMAL : A_BOLD;
    if (cursor_row) attrs |= A_REVERSE;
    if (c == state.cursor_column()) {
      attrs |= A_BOLD | (session.colors() ? COLOR_PAIR(kCurrentColumnPair) : A_UNDERLINE);
    }
    attrset(attrs);
    size_t width = std::min<size_t>(state.ColumnWidth(c), static_cast<size_t>(COLS - x));
    mvaddstr(y, x, Fit(row ? state.Text(*row, c) : state.headers()[c], width).c_str());
    x += static_cast<int>(width);
  }
  attrset(A_NORMAL);
}

void DrawHelp() {
  const auto& lines = CompareViewState::HelpLines();
  size_t width = 0;
  for (const auto& line : lines) width = std::max(width, line.size());
  // A box around the lines, centred; on a small screen it is cut, never wrapped.
  int h = std::min(static_cast<int>(lines.size()) + 2, LINES);
  int w = std::min(static_cast<int>(width) + 4, COLS);
  if (h < 3 || w < 5) return;
  WINDOW* box_win = newwin(h, w, (LINES - h) / 2, (COLS - w) / 2);
  if (!box_win) return;
  box(box_win, 0, 0);
  for (int i = 0; i + 2 < h; ++i)
    mvwaddnstr(box_win, i + 1, 2, lines[static_cast<size_t>(i)].c_str(), w - 4);
  wnoutrefresh(box_win);
  delwin(box_win);
}

void Draw(const Session& session, const CompareViewState& state) {
  erase();
  DrawLine(session, state, 0, std::nullopt, false);
  int y = 1;
  size_t cursor = state.rows().empty() ? 0 : state.rows()[state.cursor_row()];
  for (size_t row : state.VisibleRows()) {
    DrawLine(session, state, y++, row, !state.rows().empty() && row == cursor);
  }
  mvaddnstr(LINES - 1, 0, state.StatusLine().c_str(), COLS);
  if (state.mode() == CompareViewState::Mode::kFilterPrompt) {
    curs_set(1);
  } else {
    curs_set(0);
  }
  wnoutrefresh(stdscr);
  if (state.mode() == CompareViewState::Mode::kHelp) DrawHelp();
  doupdate();
}

}  // namespace

int ShowCompareView(const CompareTable& table,
                    const std::optional<std::string>& sort_header, bool descending,
                    std::ostream& err) {
  CompareViewState state(table);
  if (sort_header) state.SortByHeader(*sort_header, descending);

  Session session;
  if (!session.ok()) {
    err << "salvo: error: cannot use the terminal for the interactive view\n"
        << "Try 'salvo compare --table'.\n";
    return 2;
  }
  state.Resize(LINES, COLS);
  while (true) {
    Draw(session, state);
    int ch = getch();
    if (ch == KEY_RESIZE) {
      state.Resize(LINES, COLS);
      continue;
    }
    if (ch == 3) break;  // Ctrl-C
    auto key = ToKey(ch);
    if (key && !state.Apply(*key)) break;
  }
  return 0;
}

}  // namespace salvo
