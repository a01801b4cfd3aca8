#!/usr/bin/env bash
# An sbatch that Slurm refuses for good (a partition that does not exist) fails the batch
# at once with Slurm's own message, without trying again or submitting other trials.
source "$(dirname "$0")/lib.sh"
mkdir -p "$WORK/proj" && cd "$WORK/proj"
printf 'x = 0\nprint("loss: %%s" %% x)\n' > train.py

start=$SECONDS
out=$(salvo run train.py 'x=[1,2,3]' --backend slurm --sbatch-arg=--partition=nosuch \
  -y -q 2>&1); rc=$?
expect_code "the batch fails" 1 "$rc"
expect_contains "with Slurm's message" "$out" "invalid partition specified: nosuch"
if ((SECONDS - start < 10)); then pass "without retries"; else fail "took $((SECONDS - start)) s"; fi
runs=$(salvo runs --all)
expect_eq "one trial tried, none more" "1 error, 2 pending" \
  "$(echo "$runs" | grep -c 'train.py .* error ') error, $(echo "$runs" | grep -c 'train.py .* pending ') pending"
info=$(salvo runs info "$(salvo select -o train.py+)")
expect_contains "the batch records why" "$info" "a trial could not start: trial"
expect_contains "in Slurm's words" "$info" "Invalid partition name specified"
expect_eq "no job was queued" "" "$(job_ids)"

out=$(salvo run train.py 'x=[1]' --backend nosuch -y 2>&1); rc=$?
expect_code "an unknown backend is bad input" 2 "$rc"
expect_contains "naming it" "$out" "unknown backend 'nosuch'"
finish
