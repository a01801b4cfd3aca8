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

reversed="invalid range for flag x: the lower bound 0.01 must be less than the upper bound 1e-06"
check_bad "reversed log bounds (gbrt)" "$reversed" run examples/train.py 'x=loguniform[1e-2:1e-6]' -o gbrt -y
check_bad "reversed log bounds (gp)" "$reversed" run examples/train.py 'x=loguniform[1e-2:1e-6]' -o gp -y
check_bad "reversed log bounds (random)" "$reversed" run examples/train.py 'x=loguniform[1e-2:1e-6]' -o random -y
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
out=$(salvo run examples/train.py --no-such-option 2>&1 < /dev/null); rc=$?
expect_code "unknown option" 2 "$rc"
expect_eq "unknown option: one line naming the option" \
  "salvo: error: The following argument was not expected: --no-such-option" "$(echo "$out" | head -1)"
expect_match "unknown option: at most a Try line follows" "$(echo "$out" | tail -n +2)" $'^(Try [^\n]*)?$'
expect_eq "unknown option: nothing on standard output" "" \
  "$(salvo run examples/train.py --no-such-option 2>/dev/null < /dev/null)"

check_bad "max-trials past the limit" "--max-trials must be at most 1000000" run examples/train.py 'x=[-2.0:2.0]' -m 9223372036854775807 -y
check_bad "negative missing-objective limit" "--missing-objective-limit must not be negative" run examples/train.py 'x=[-2.0:2.0]' -o gp --missing-objective-limit -1 -y
check_bad "flag given twice" "flag x is given more than once" run examples/train.py x=1 x=2 -y
check_bad "flag error names the flag once" "salvo: error: invalid value for flag x: invalid argument '0' for range" run examples/train.py 'x=range[0:1:0]' -y
check_bad "mistyped command" "unknown command 'rnu'" rnu examples/train.py
check_bad "negative runs limit" "--limit must not be negative" runs -n -1
check_bad "negative compare top" "--top must not be negative" compare -t --top -1
check_bad "empty run id" "the run to show is empty" runs info ''
check_bad "backwards run range" "the range '5:2' runs backwards (try '2:5')" runs 5:2

# Operation files that contradict themselves stop before any trial.
mkdir -p "$WORK/op" && cp examples/train.py "$WORK/op/"
check_op() {  # NAME EXPECTED-TEXT YAML
  printf '%s\n' "$3" > "$WORK/op/salvo.yml"
  (cd "$WORK/op" && check_bad "$1" "$2" run op -y)
}
check_op "op file: main and exec" "give \`main\` or \`exec\`, not both" 'op:
  main: train
  exec: echo hi'
check_op "op file: default not a number" "flag 'x': default abc is not a number" 'op:
  main: train
  flags:
    x: {default: abc, type: float}'
check_op "op file: min above max" "flag 'x': min 5 is above max 1" 'op:
  main: train
  flags:
    x: {default: 1, min: 5, max: 1}'
check_op "op file: default outside choices" "default 7 is not one of its choices" 'op:
  main: train
  flags:
    x: {default: 7, choices: [1, 2]}'
check_op "op file: exec names no flag" 'exec refers to ${nope}, which is not a flag' 'op:
  exec: "echo ${nope}"
  flags:
    x: 1'
check_op "op file: unclosed exec reference" "exec has an unclosed '\${' at column 6" 'op:
  exec: "echo ${x"
  flags:
    x: 1'
check_op "op file: empty exec" "exec is empty" 'op:
  exec: ""'
check_op "op file: bad output-scalars regex" "invalid output-scalars pattern 'loss: (((' for 'loss'" 'op:
  main: train
  output-scalars:
    loss: "loss: ((("'
check_op "op file: output-scalars without a group" "needs a value group" 'op:
  main: train
  output-scalars:
    loss: "loss"'
check_op "op file: objective both ways" "objective gives both minimize and maximize" 'op:
  main: train
  objective: {minimize: loss, maximize: acc}'
rm "$WORK/op/salvo.yml"

# Batch files with no trials, or that are folders, are errors, not a run of the defaults.
: > "$WORK/empty.csv"
printf 'x\n' > "$WORK/header.csv"
mkdir -p "$WORK/folder.csv"
check_bad "empty batch file" "batch file $WORK/empty.csv holds no trials" run examples/train.py "@$WORK/empty.csv" -y
check_bad "batch file with only a header" "holds no trials" run examples/train.py "@$WORK/header.csv" -y
check_bad "batch file that is a folder" "is a folder, not a file" run examples/train.py "@$WORK/folder.csv" -y

runs=$(salvo runs --all)
expect_eq "no run was created" "" "$runs"

# A SALVO_HOME that is a file is named, not read as an empty store.
touch "$WORK/home-file"
out=$(SALVO_HOME="$WORK/home-file" "$SALVO" runs 2>&1); rc=$?
expect_code "home that is a file" 2 "$rc"
expect_contains "home that is a file message" "$out" "$WORK/home-file is not a folder (check SALVO_HOME)"

# A write-ahead log overwritten from its first byte: a writer, which recovers to an
# empty store, says the runs beside it lost their records.
lost="$WORK/lost-home"
SALVO_HOME="$lost" "$SALVO" run examples/train.py 'x=[1,2]' -y -q >/dev/null 2>&1
for log in "$lost"/db/*.log; do head -c "$(stat -c %s "$log")" /dev/urandom > "$log"; done
out=$(SALVO_HOME="$lost" "$SALVO" run examples/train.py -y -q 2>&1)
expect_contains "a writer says the records were lost" "$out" \
  "holds no runs, but $lost/runs has 3 run folder(s): its records were lost"

out=$(salvo run examples/train.py 'x=[1,2]' 2>&1 < /dev/null); rc=$?
expect_code "no answer at the prompt" 1 "$rc"
expect_contains "no answer message" "$out" "no answer at the prompt (use -y to run without asking)"
expect_eq "declined prompt created nothing" "" "$(salvo runs --all)"
finish
