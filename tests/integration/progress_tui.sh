#!/usr/bin/env bash
# Live progress of `salvo run` in a real terminal (a private tmux server): the trial's
# output, a line per ended trial (short id, flags, objective, status) and the progress
# line with its bar below them, redrawn while the batch runs; then the same when the
# batch runs on a coordinator and `salvo run` follows it. Without a terminal, plain lines.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/cluster_lib.sh"

SOCKET="salvo-progress-$$"
tm() { tmux -f /dev/null -L "$SOCKET" "$@"; }
trap 'tm kill-server 2>/dev/null; [ "$COORD_PID" -gt 0 ] && kill "$COORD_PID" 2>/dev/null; cleanup' EXIT

screen() { tm capture-pane -p -t "$1"; }
# wait_screen SESSION SECONDS TEXT: waits until the screen contains TEXT; prints it.
wait_screen() {
  local shot end=$((SECONDS + $2))
  while ((SECONDS < end)); do
    shot=$(screen "$1" 2>/dev/null)
    [[ "$shot" == *"$3"* ]] && break
    sleep 0.1
  done
  echo "$shot"
}

mkdir -p "$WORK/op" && cd "$WORK/op"
# Each trial prints a line, sleeps a little and prints its loss (x squared).
cat > salvo.yml <<'YML'
slow:
  exec: "/bin/sh -c 'echo starting ${x}; sleep 0.7; echo loss: $((${x} * ${x}))'"
  flags:
    x:
      default: 1
YML

tm new-session -d -s local -x 160 -y 30 \
  "cd '$WORK/op' && SALVO_HOME='$SALVO_HOME' '$SALVO' run slow 'x=[1,2,3,4]' -y; echo \$? > '$WORK/exit'; sleep 30"
shot=$(wait_screen local 20 "2/4 done")
expect_match "the progress line has a bar and counts" "$shot" \
  '\[##########----------\] 2/4 done, [01] running, 0 failed, best loss 1(\.0)?, '
expect_match "a line per ended trial: short id, flags, objective, status" "$shot" \
  '(^|
)[0-9a-f]{8}  x=1  loss=1(\.0)?  completed'
expect_contains "the trial's own output is shown" "$shot" "starting 2"
for _ in $(seq 100); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
shot=$(screen local)
expect_eq "the batch ends with exit 0" 0 "$(cat "$WORK/exit" 2>/dev/null)"
expect_match "the last trial's line" "$shot" '[0-9a-f]{8}  x=4  loss=16(\.0)?  completed'
expect_not_contains "the progress line is cleared at the end" "$shot" "4/4 done"
expect_contains "the summary follows" "$shot" "4 trial(s): 4 completed, 0 failed"

# Without a terminal: the trial's output and no progress line.
out=$(salvo run slow 'x=[5]' -y 2>&1)
expect_contains "plain output without a terminal" "$out" "loss: 25"
expect_not_contains "no progress line without a terminal" "$out" "done,"

# Following a batch on a coordinator: the same trial lines and progress line.
export SALVO_COORDINATOR=$URL
start_coordinator
start_agent a1 --slots 2
wait_until 20 agents_joined 1 || fail "the agent did not join"
rm -f "$WORK/exit"
tm new-session -d -s remote -x 160 -y 30 \
  "cd '$WORK/op' && SALVO_COORDINATOR='$URL' '$SALVO' run slow 'x=[1,2,3,4,5,6]' -y; echo \$? > '$WORK/exit'; sleep 30"
shot=$(wait_screen remote 30 "/6 done")
expect_match "following: the progress line with its bar" "$shot" \
  '\[[#-]{20}\] [0-9]/6 done, [0-2] running, 0 failed, '
for _ in $(seq 300); do [ -s "$WORK/exit" ] && break; sleep 0.1; done
shot=$(screen remote)
expect_eq "following: the batch ends with exit 0" 0 "$(cat "$WORK/exit" 2>/dev/null)"
expect_match "following: a line per ended trial" "$shot" '[0-9a-f]{8}  x=6  loss=36(\.0)?  completed'
expect_contains "following: the summary" "$shot" "6 trial(s): 6 completed, 0 failed"
finish
