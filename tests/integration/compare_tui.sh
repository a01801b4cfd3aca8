#!/usr/bin/env bash
# The interactive `salvo compare` in a real terminal (a private tmux server): the initial
# order, sorting the current column, the filter prompt, the help overlay and quitting.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

SOCKET="salvo-test-$$"
tm() { tmux -f /dev/null -L "$SOCKET" "$@"; }
trap 'tm kill-server 2>/dev/null; cleanup' EXIT

screen() { tm capture-pane -p -t view; }
# Waits up to 10 s until the screen contains $1; prints the screen either way.
wait_for() {
  local shot
  for _ in $(seq 100); do
    shot=$(screen 2>/dev/null)
    [[ "$shot" == *"$1"* ]] && break
    sleep 0.1
  done
  echo "$shot"
}
# Waits up to 10 s until the screen no longer contains $1; prints the screen.
wait_gone() {
  local shot
  for _ in $(seq 100); do
    shot=$(screen 2>/dev/null)
    [[ "$shot" != *"$1"* ]] && break
    sleep 0.1
  done
  echo "$shot"
}
# Line $1 of the screen (1 = the header).
screen_line() { echo "$2" | sed -n "${1}p"; }

salvo run examples/train.py 'x=[-1,0,1]' --random-seed 7 -y -q >/dev/null 2>&1
table=$(salvo compare --table --min loss)
lowest=$(echo "$table" | sed -n 2p | awk '{print $1}')
# How many steps right the x column is from the first column.
x_steps=$(echo "$table" | head -1 |
  awk '{for (i = 1; i <= NF; i++) if ($i == "x") print i - 1}')

tm new-session -d -s view -x 150 -y 20 \
  "SALVO_HOME='$SALVO_HOME' '$SALVO' compare --min loss; echo \$? > '$WORK/exit'"
shot=$(wait_for "(? help, q quit)")
expect_contains "view opens on the terminal" "$shot" "sorted by loss ascending"
expect_match "header line" "$(screen_line 1 "$shot")" '^run +operation +started'
expect_match "first row has the lowest loss" "$(screen_line 2 "$shot")" "^$lowest "

for _ in $(seq "$x_steps"); do tm send-keys -t view Right; done
tm send-keys -t view 2
shot=$(wait_for "sorted by x descending")
expect_contains "key 2 sorts the x column descending" "$shot" "sorted by x descending"
expect_match "first row has x=1" "$(screen_line 2 "$shot")" " noise=0\.1 x=1 "
expect_match "last row has x=-1" "$(screen_line 4 "$shot")" " noise=0\.1 x=-1 "
tm send-keys -t view 1
shot=$(wait_for "sorted by x ascending")
expect_contains "key 1 sorts the x column ascending" "$shot" "sorted by x ascending"
expect_match "first row now has x=-1" "$(screen_line 2 "$shot")" " noise=0\.1 x=-1 "
expect_match "last row now has x=1" "$(screen_line 4 "$shot")" " noise=0\.1 x=1 "
tm send-keys -t view Down
shot=$(wait_for "row 2/3")
expect_contains "Down moves to the second row" "$shot" "row 2/3"
tm send-keys -t view Down
shot=$(wait_for "row 3/3")
expect_contains "Down again moves to the third row" "$shot" "row 3/3"
tm send-keys -t view Down
sleep 0.3
expect_contains "Down stops at the last row" "$(screen)" "row 3/3"
tm send-keys -t view Up
shot=$(wait_for "row 2/3")
expect_contains "Up moves back a row" "$shot" "row 2/3"

tm send-keys -t view /
tm send-keys -t view -l 'x=-1'
tm send-keys -t view Enter
shot=$(wait_for "filter: x=-1")
expect_contains "filter leaves one row of three" "$shot" "row 1/1 of 3"
expect_match "the row left is x=-1" "$(screen_line 2 "$shot")" " x=-1 "
expect_eq "no second row" "" "$(screen_line 3 "$shot" | tr -d ' ')"

tm send-keys -t view '?'
shot=$(wait_for "this help")
expect_contains "help lists the sort keys" "$shot" "sort by this column, descending"
expect_contains "help lists the filter key" "$shot" "filter rows by text"
tm send-keys -t view Space
shot=$(wait_gone "this help")
expect_not_contains "any key closes the help" "$shot" "this help"

tm send-keys -t view q
for _ in $(seq 100); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
expect_eq "q quits with exit 0" "0" "$(cat "$WORK/exit" 2>/dev/null)"

# --max sets the initial order the other way round.
highest=$(salvo compare --table --max loss | sed -n 2p | awk '{print $1}')
rm -f "$WORK/exit"
tm new-session -d -s view -x 150 -y 20 \
  "SALVO_HOME='$SALVO_HOME' '$SALVO' compare --max loss; echo \$? > '$WORK/exit'"
shot=$(wait_for "(? help, q quit)")
expect_contains "--max opens sorted descending" "$shot" "sorted by loss descending"
expect_match "first row has the highest loss" "$(screen_line 2 "$shot")" "^$highest "
if [ -n "$highest" ] && [ "$highest" != "$lowest" ]; then
  pass "--max puts another run first than --min"
else
  fail "--max and --min both put '$highest' first"
fi
tm send-keys -t view q
for _ in $(seq 100); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
expect_eq "q quits the second view" "0" "$(cat "$WORK/exit" 2>/dev/null)"

finish
