#!/usr/bin/env bash
# Bad input: one clear line naming the problem, exit status 2, and no batch left behind.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

check_bad() {  # NAME EXPECTED-TEXT ARGS...
  local name=$1 text=$2
  shift 2
  local out rc
  out=$(salvo "$@" 2>&1 < /dev/null); rc=$?
  expect_code "$name" 2 "$rc"
  expect_contains "$name message" "$out" "$text"
}

check_bad "reversed log bounds (gbrt)" "invalid range for flag x" run examples/train.py 'x=loguniform[1e-2:1e-6]' -o gbrt -y
check_bad "reversed log bounds (gp)" "must be less than the upper bound" run examples/train.py 'x=loguniform[1e-2:1e-6]' -o gp -y
check_bad "reversed log bounds (random)" "must be less than the upper bound" run examples/train.py 'x=loguniform[1e-2:1e-6]' -o random -y
check_bad "log bound zero" "strictly positive" run examples/train.py 'x=loguniform[0:1e-2]' -o gp -y
check_bad "log bound negative" "strictly positive" run examples/train.py 'x=loguniform[-1:1]' -o random -y
check_bad "unknown optimizer" "unknown optimizer 'nope'" run examples/train.py 'x=[-2.0:2.0]' -o nope -y
check_bad "unknown function" "unknown function 'floop' used for flag x" run examples/train.py 'x=floop[1:10]' -y
check_bad "nothing to search" "do not contain any search dimensions" run examples/train.py -o gp -y
check_bad "missing script" "cannot find operation 'nope.py'" run nope.py -y
check_bad "unknown flag" "unknown flag 'y'" run examples/train.py y=1 -y
check_bad "nested list" "nested lists" run examples/train.py 'x=[[1:2]]' -y
check_bad "unknown run" "could not find a run matching 'ffff'" runs info ffff
check_bad "unknown restart" "could not find a run matching 'ffff'" run --restart ffff -y
check_bad "bad optimizer flag" "acq-func" run examples/train.py 'x=[-2.0:2.0]' -o gp -Fo acq-func=XX -y
check_bad "zero trials" "max-trials" run examples/train.py 'x=[-2.0:2.0]' -m 0 -y
check_bad "unknown option" "error" run examples/train.py --no-such-option

runs=$(salvo runs --all)
expect_eq "no run was created" "" "$runs"

out=$(salvo run examples/train.py 'x=[1,2]' 2>&1 < /dev/null); rc=$?
expect_code "no answer at the prompt" 1 "$rc"
expect_contains "no answer message" "$out" "no answer at the prompt (use -y to run without asking)"
expect_eq "declined prompt created nothing" "" "$(salvo runs --all)"
finish
