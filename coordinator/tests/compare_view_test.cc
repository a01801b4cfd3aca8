#include "coordinator/compare_view.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace salvo {
namespace {

using Kind = ViewKey::Kind;

// run, x, loss: four runs, one without a loss.
CompareTable FourRuns() {
  CompareTable table;
  table.headers = {"run", "x", "loss"};
  table.rows = {
      {Cell::Text("aaaa1111"), Cell::Int(0), Cell::Float(0.5)},
      {Cell::Text("bbbb2222"), Cell::Int(10), Cell()},
      {Cell::Text("cccc3333"), Cell::Int(-1), Cell::Float(0.25)},
      {Cell::Text("dddd4444"), Cell::Int(9), Cell::Float(2.0)},
  };
  return table;
}

// The first column's text of the rows in display order.
std::vector<std::string> RunColumn(const CompareViewState& view) {
  std::vector<std::string> out;
  for (size_t row : view.rows()) out.push_back(view.Text(row, 0));
  return out;
}

void Press(CompareViewState& view, Kind kind, int times = 1) {
  for (int i = 0; i < times; ++i) view.Apply(ViewKey::Named(kind));
}

void Type(CompareViewState& view, const std::string& text) {
  for (char c : text) view.Apply(ViewKey::Char(c));
}

TEST(CompareViewStateTest, ShowsRowsInTableOrderWithCursorTopLeft) {
  CompareViewState view(FourRuns());
  EXPECT_EQ(RunColumn(view),
            (std::vector<std::string>{"aaaa1111", "bbbb2222", "cccc3333", "dddd4444"}));
  EXPECT_EQ(view.cursor_row(), 0u);
  EXPECT_EQ(view.cursor_column(), 0u);
  EXPECT_EQ(view.Text(2, 2), "0.25");
  EXPECT_EQ(view.Text(1, 2), "");
}

TEST(CompareViewStateTest, ArrowsMoveTheCursorAndStopAtTheEdges) {
  CompareViewState view(FourRuns());
  Press(view, Kind::kDown, 2);
  Press(view, Kind::kRight);
  EXPECT_EQ(view.cursor_row(), 2u);
  EXPECT_EQ(view.cursor_column(), 1u);

  Press(view, Kind::kDown, 5);
  Press(view, Kind::kRight, 5);
  EXPECT_EQ(view.cursor_row(), 3u);
  EXPECT_EQ(view.cursor_column(), 2u);

  Press(view, Kind::kUp, 9);
  Press(view, Kind::kLeft, 9);
  EXPECT_EQ(view.cursor_row(), 0u);
  EXPECT_EQ(view.cursor_column(), 0u);

  Press(view, Kind::kEnd);
  EXPECT_EQ(view.cursor_row(), 3u);
  Press(view, Kind::kHome);
  EXPECT_EQ(view.cursor_row(), 0u);
}

TEST(CompareViewStateTest, KeyOneSortsTheCurrentColumnAscendingNumerically) {
  CompareViewState view(FourRuns());
  Press(view, Kind::kRight);  // x
  Press(view, Kind::kDown, 2);
  view.Apply(ViewKey::Char('1'));
  EXPECT_EQ(RunColumn(view),
            (std::vector<std::string>{"cccc3333", "aaaa1111", "dddd4444", "bbbb2222"}));
  EXPECT_EQ(view.cursor_row(), 0u);
  EXPECT_EQ(view.cursor_column(), 1u);
}

TEST(CompareViewStateTest, KeyTwoSortsDescendingWithEmptyCellsLast) {
  CompareViewState view(FourRuns());
  Press(view, Kind::kRight, 2);  // loss
  view.Apply(ViewKey::Char('2'));
  EXPECT_EQ(RunColumn(view),
            (std::vector<std::string>{"dddd4444", "aaaa1111", "cccc3333", "bbbb2222"}));
  view.Apply(ViewKey::Char('1'));
  EXPECT_EQ(RunColumn(view),
            (std::vector<std::string>{"cccc3333", "aaaa1111", "dddd4444", "bbbb2222"}));
}

TEST(CompareViewStateTest, SortByHeaderSetsTheInitialOrder) {
  CompareViewState view(FourRuns());
  EXPECT_TRUE(view.SortByHeader("loss", false));
  EXPECT_EQ(RunColumn(view).front(), "cccc3333");
  EXPECT_FALSE(view.SortByHeader("nope", false));
  EXPECT_EQ(RunColumn(view).front(), "cccc3333");
  EXPECT_NE(view.StatusLine().find("sorted by loss ascending"), std::string::npos);
}

TEST(CompareViewStateTest, FilterKeepsRowsWithACellContainingTheText) {
  CompareViewState view(FourRuns());
  view.Apply(ViewKey::Char('/'));
  EXPECT_EQ(view.mode(), CompareViewState::Mode::kFilterPrompt);
  Type(view, "3333");
  EXPECT_EQ(view.StatusLine(), "/3333");
  Press(view, Kind::kEnter);
  EXPECT_EQ(view.mode(), CompareViewState::Mode::kBrowse);
  EXPECT_EQ(RunColumn(view), (std::vector<std::string>{"cccc3333"}));
  EXPECT_EQ(view.StatusLine(), "row 1/1 of 4  filter: 3333  (? help, q quit)");
}

TEST(CompareViewStateTest, FilterWithEqualsMatchesHeaderAndCell) {
  CompareViewState view(FourRuns());
  view.Apply(ViewKey::Char('/'));
  Type(view, "x=-1");
  Press(view, Kind::kEnter);
  EXPECT_EQ(RunColumn(view), (std::vector<std::string>{"cccc3333"}));
}

TEST(CompareViewStateTest, EmptyFilterShowsEveryRowAgain) {
  CompareViewState view(FourRuns());
  view.Apply(ViewKey::Char('/'));
  Type(view, "zzz");
  Press(view, Kind::kEnter);
  EXPECT_TRUE(view.rows().empty());
  EXPECT_EQ(view.StatusLine(), "no rows of 4  filter: zzz  (? help, q quit)");

  view.Apply(ViewKey::Char('/'));
  EXPECT_EQ(view.typed(), "zzz");
  Press(view, Kind::kBackspace, 3);
  Press(view, Kind::kEnter);
  EXPECT_EQ(view.rows().size(), 4u);
  EXPECT_EQ(view.filter(), "");
}

TEST(CompareViewStateTest, EscapeLeavesTheFilterAsItWas) {
  CompareViewState view(FourRuns());
  view.Apply(ViewKey::Char('/'));
  Type(view, "aaaa");
  Press(view, Kind::kEscape);
  EXPECT_EQ(view.mode(), CompareViewState::Mode::kBrowse);
  EXPECT_EQ(view.rows().size(), 4u);
}

TEST(CompareViewStateTest, QuitKeyTypedIntoTheFilterDoesNotQuit) {
  CompareViewState view(FourRuns());
  view.Apply(ViewKey::Char('/'));
  EXPECT_TRUE(view.Apply(ViewKey::Char('q')));
  EXPECT_EQ(view.typed(), "q");
}

TEST(CompareViewStateTest, HelpKeyOpensTheOverlayAndAnyKeyClosesIt) {
  CompareViewState view(FourRuns());
  view.Apply(ViewKey::Char('?'));
  EXPECT_EQ(view.mode(), CompareViewState::Mode::kHelp);
  EXPECT_TRUE(view.Apply(ViewKey::Char('q')));  // closes the help only
  EXPECT_EQ(view.mode(), CompareViewState::Mode::kBrowse);
  EXPECT_EQ(view.cursor_row(), 0u);
  EXPECT_NE(CompareViewState::HelpLines()[4].find("ascending"), std::string::npos);
}

TEST(CompareViewStateTest, QuitKeyClosesTheView) {
  CompareViewState view(FourRuns());
  EXPECT_TRUE(view.Apply(ViewKey::Named(Kind::kDown)));
  EXPECT_FALSE(view.Apply(ViewKey::Char('q')));
}

TEST(CompareViewStateTest, ScrollsRowsToKeepTheCursorOnScreen) {
  CompareTable table;
  table.headers = {"i"};
  for (int i = 0; i < 10; ++i) table.rows.push_back({Cell::Int(i)});
  CompareViewState view(table);
  view.Resize(5, 80);  // header, 3 rows, status line
  EXPECT_EQ(view.VisibleRows(), (std::vector<size_t>{0, 1, 2}));

  Press(view, Kind::kDown, 4);
  EXPECT_EQ(view.VisibleRows(), (std::vector<size_t>{2, 3, 4}));
  Press(view, Kind::kPageDown);
  EXPECT_EQ(view.cursor_row(), 7u);
  EXPECT_EQ(view.VisibleRows(), (std::vector<size_t>{5, 6, 7}));
  Press(view, Kind::kHome);
  EXPECT_EQ(view.VisibleRows(), (std::vector<size_t>{0, 1, 2}));
}

TEST(CompareViewStateTest, ScrollsColumnsWhenWiderThanTheScreen) {
  CompareTable table;
  for (int c = 0; c < 5; ++c) {
    table.headers.push_back("column-" + std::to_string(c) + "xx");
  }
  table.rows.push_back(std::vector<Cell>(5, Cell::Int(1)));
  CompareViewState view(table);
  ASSERT_EQ(view.ColumnWidth(0), 10u);
  view.Resize(10, 25);
  // 0..10, 12..22, and the third cut at the edge from 24.
  EXPECT_EQ(view.VisibleColumns(), (std::vector<size_t>{0, 1, 2}));

  Press(view, Kind::kRight, 4);
  EXPECT_EQ(view.VisibleColumns(), (std::vector<size_t>{3, 4}));
  Press(view, Kind::kLeft, 2);
  EXPECT_EQ(view.VisibleColumns(), (std::vector<size_t>{2, 3, 4}));
}

TEST(CompareViewStateTest, CapsColumnWidthForLongText) {
  CompareTable table;
  table.headers = {"label"};
  table.rows = {{Cell::Text(std::string(100, 'a'))}};
  CompareViewState view(table);
  EXPECT_EQ(view.ColumnWidth(0), CompareViewState::kMaxWidth);
}

}  // namespace
}  // namespace salvo
