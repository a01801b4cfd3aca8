#!/usr/bin/env bash
# `salvo tensorboard`: the event files it writes, decoded by tensorboard_check.py with
# Debian's protoc and python3-protobuf on message definitions of the test's own
# (tensorboard_events.proto), every record and field checked; which folders it empties;
# the selection; starting TensorBoard when it is on PATH, else printing the command.
source "$(dirname "$0")/lib.sh"
cd "$SRC"

PY=/usr/bin/python3
command -v protoc >/dev/null || fail "protoc is installed (scripts/install-deps.sh)"
protoc --python_out="$WORK" -I tests/integration tensorboard_events.proto
expect_code "protoc compiles the test's messages" 0 $?

# A script with a bool and a string flag whose trial fails when ok is False.
cat >"$WORK/flaky.py" <<'EOF'
import sys
ok = True
name = "alpha"
print("acc: 0.25 (step 1)")
print("acc: %s (step 2)" % (0.75 if ok else 0.5))
sys.exit(0 if ok else 1)
EOF

salvo run examples/train.py 'x=[-1,0,1]' --random-seed 1 -y -q >/dev/null 2>&1
salvo run tests/integration/curves_train.py 'lr=loguniform[1e-4:1e-1]' \
  'momentum=[0.0:0.99]' 'width=[16,32,64]' -o gp -m 3 --random-seed 3 -y -q >/dev/null 2>&1
salvo run "$WORK/flaky.py" 'ok=[True,False]' name=beta -y -q >/dev/null 2>&1
expect_eq "three batches, eight trials" "3 8" \
  "$(salvo runs --json -a | "$PY" -c 'import json, sys; d = json.load(sys.stdin); print(sum(r["kind"] == "batch" for r in d), sum(r["kind"] == "trial" for r in d))')"

# --- bad input --------------------------------------------------------------------------
out=$(salvo tensorboard ffffffff 2>&1)
expect_code "an unknown run" 2 $?
expect_eq "an unknown run: one line" "salvo: error: could not find a run matching 'ffffffff'" \
  "$(echo "$out" | head -1)"
out=$(salvo tensorboard -o 'nothing*' 2>&1)
expect_code "no runs selected" 2 $?
expect_eq "no runs selected: message" "salvo: error: no runs to write" "$(echo "$out" | head -1)"
: >"$WORK/a-file"
out=$(salvo tensorboard --logdir "$WORK/a-file/tb" 2>&1)
expect_code "a logdir that cannot be made" 2 $?
expect_match "a logdir that cannot be made: message" "$out" "^salvo: error: cannot create $WORK/a-file/tb: "

# --- every run, into a folder of the user's, without TensorBoard --------------------------
logdir="$WORK/tb"
mkdir -p "$logdir/notes" "$logdir/old"
echo keep >"$logdir/notes/readme.txt"
echo stale >"$logdir/old/events.out.tfevents.1.host.salvo"
echo theirs >"$logdir/events.out.tfevents.1.host"
before=$("$PY" -c 'import time; print(time.time())')
out=$(PATH=/usr/bin:/bin salvo tensorboard --logdir "$logdir" 2>&1)
expect_code "tensorboard --logdir" 0 $?
after=$("$PY" -c 'import time; print(time.time())')
expect_eq "without TensorBoard it prints the command" \
  "Wrote 8 run(s), 31 scalar point(s), to $logdir
TensorBoard is not installed. To view the runs, install it and run:
  tensorboard --logdir $logdir" "$out"
expect_eq "only Salvo's old event files are removed from a folder of the user's" \
  "events.out.tfevents.1.host notes/readme.txt" \
  "$(cd "$logdir" && find . -type f ! -name '*.salvo' | sed 's|^\./||' | sort | tr '\n' ' ' | sed 's/ $//')"
rm -rf "$logdir/notes" "$logdir/old" "$logdir/events.out.tfevents.1.host"

salvo runs --json -a | "$PY" -c 'import json, sys; json.dump([r for r in json.load(sys.stdin) if r["kind"] != "batch"], sys.stdout)' >"$WORK/runs.json"
mkdir -p "$WORK/out"
for id in $("$PY" -c 'import json, sys; print(" ".join(r["id"] for r in json.load(open(sys.argv[1]))))' "$WORK/runs.json"); do
  salvo cat "$id" >"$WORK/out/$id"
done
expect_eq "one failed trial among them" "7 completed, 1 error" \
  "$("$PY" -c 'import json, sys; s = [r["status"] for r in json.load(open(sys.argv[1]))]; print("%d completed, %d error" % (s.count("completed"), s.count("error")))' "$WORK/runs.json")"

# What the test knows of the experiment: every flag with its type and domain, from the
# commands above (the domains of searched ranges are the ranges; other values are those
# the batches chose from and the runs ran with).
cat >"$WORK/expected.json" <<EOF
{"description": "8 Salvo runs",
 "now": [$before, $after],
 "metrics": ["loss", "acc"],
 "hparams": {
   "delay": {"type": "float64", "discrete": [0.0]},
   "lr": {"type": "float64", "interval": [0.0001, 0.1]},
   "momentum": {"type": "float64", "interval": [0.0, 0.99]},
   "name": {"type": "string", "discrete": ["beta"]},
   "noise": {"type": "float64", "discrete": [0.1]},
   "ok": {"type": "bool", "discrete": [true, false]},
   "width": {"type": "float64", "discrete": [16, 32, 64]},
   "x": {"type": "float64", "discrete": [-1, 0, 1]}}}
EOF
out=$(timeout 30 "$PY" tests/integration/tensorboard_check.py "$WORK" "$logdir" "$WORK/runs.json" \
  "$WORK/out" "$WORK/expected.json" 2>&1)
expect_code "the independent decoder accepts every file" 0 $?
expect_eq "decoded: 9 files, 2 + 8 x 3 + 31 records, no failures" \
  "checked 9 files, 57 records, 0 failures" "$(echo "$out" | tail -1)"
[ "$(echo "$out" | tail -1)" == "checked 9 files, 57 records, 0 failures" ] || echo "$out" >&2

# --- the default folder, a selection, and TensorBoard on PATH -----------------------------
mkdir -p "$WORK/bin" "$SALVO_HOME/tensorboard/gone"
cat >"$WORK/bin/tensorboard" <<EOF
#!/bin/sh
echo "tensorboard \$*" >"$WORK/tensorboard.args"
exit 3
EOF
chmod +x "$WORK/bin/tensorboard"
out=$(PATH="$WORK/bin:$PATH" salvo tensorboard -o train.py 2>&1)
expect_code "TensorBoard's own exit status" 3 $?
expect_eq "it says what it starts" "Wrote 3 run(s), 3 scalar point(s), to $SALVO_HOME/tensorboard
Starting: tensorboard --logdir $SALVO_HOME/tensorboard" "$out"
expect_eq "TensorBoard got the logdir" "tensorboard --logdir $SALVO_HOME/tensorboard" \
  "$(cat "$WORK/tensorboard.args")"
expect_eq "the default folder is emptied first: the three train.py trials only" 3 \
  "$(find "$SALVO_HOME/tensorboard" -mindepth 1 -maxdepth 1 -type d | wc -l | tr -d ' ')"
expect_eq "and the experiment" 1 \
  "$(find "$SALVO_HOME/tensorboard" -maxdepth 1 -type f -name 'events.out.tfevents.*.salvo' | wc -l | tr -d ' ')"

finish
