#!/usr/bin/env bash
# -Fo prev-trials=operation: a model-based batch also learns from the operation's earlier
# runs outside the batch. Runs from before the script had a flag of the search space are
# left out with one warning that counts them, and the search goes on.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"

printf 'x = 0.1\nprint("loss: %%s" %% (x * x))\n' > train.py
salvo run train.py x=0.5 -y -q >/dev/null 2>&1
salvo run train.py x=1.5 -y -q >/dev/null 2>&1
# The script gains flag y; one run with both flags.
printf 'x = 0.1\ny = 1.0\nprint("loss: %%s" %% (x * x + y))\n' > train.py
salvo run train.py x=0.3 y=0.2 -y -q >/dev/null 2>&1

out=$(printf '\n' | salvo run train.py 'x=[-2.0:2.0]' 'y=[0.0:1.0]' -o gp -m 4 \
  -Fo prev-trials=operation --random-seed 5 2>&1); rc=$?
expect_code "the gp batch with the operation's history completes" 0 "$rc"
expect_contains "the prompt lists the history mode" "$out" "  prev-trials: operation"
expect_contains "the run with both flags joins the history" "$out" \
  "found 1 previous run(s) of train.py for the optimizer"
expect_eq "one warning counts the runs without flag y" 1 \
  "$(echo "$out" | grep -c 'previous run(s) of train.py are left out')"
expect_contains "the warning gives the count" "$out" \
  "2 previous run(s) of train.py are left out of the history (2 lack a flag"
expect_contains "all four trials complete" "$out" "4 trial(s): 4 completed, 0 failed"
# With one earlier observation, the third trial is already model-guided (3 random starts
# count over the whole history).
expect_contains "earlier runs count toward the random starts" "$out" "2 random / 2 guided"
batch=$(salvo select -o train.py+gp)
expect_contains "the mode is stored with the batch" "$(salvo runs info "$batch")" \
  "prev-trials: operation"

# Without the flag the history is the batch's own: no earlier runs are read.
out=$(salvo run train.py 'x=[-2.0:2.0]' 'y=[0.0:1.0]' -o gp -m 3 --random-seed 5 -y 2>&1)
expect_not_contains "the default history is the batch's" "$out" "previous run(s) of train.py"
expect_contains "so three random starts" "$out" "3 random / 0 guided"

# A second batch now finds the first batch's trials and the single run.
out=$(salvo run train.py 'x=[-2.0:2.0]' 'y=[0.0:1.0]' -o tpe -m 2 -Fo prev-trials=operation \
  -y 2>&1); rc=$?
expect_code "tpe with the operation's history" 0 "$rc"
expect_contains "tpe finds 1 + 4 + 3 earlier runs" "$out" \
  "found 8 previous run(s) of train.py for the optimizer"

out=$(salvo run train.py 'x=[-2.0:2.0]' -o gp -m 2 -Fo prev-trials=everything -y 2>&1); rc=$?
expect_code "a bad history mode is a usage error" 2 "$rc"
expect_contains "and names the flag" "$out" \
  "optimizer flag 'prev-trials' must be 'batch' or 'operation', not 'everything'"
out=$(salvo run train.py 'x=[-2.0:2.0]' -o random -m 2 -Fo prev-trials=operation -y 2>&1); rc=$?
expect_code "random search has no history mode" 2 "$rc"
expect_contains "and says so" "$out" "unknown optimizer flag 'prev-trials' for random"
finish
