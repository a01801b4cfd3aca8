#!/usr/bin/env bash
# `salvo view` over a store with a grid batch of examples/train.py and a gp batch of
# curves_train.py: the JSON API's values (checked against `salvo compare --json`), the
# page in headless Chromium (every plot drew the right number of points), a screenshot,
# and the API and an open page (through chromedriver) following a batch that runs while
# the view serves.
#
# SALVO_VIEW_SCREENSHOT=PATH copies the screenshot there (docs/view.png in the README).
source "$(dirname "$0")/lib.sh"
cd "$SRC"

PY=/usr/bin/python3
command -v chromium >/dev/null || fail "chromium is installed (scripts/install-deps.sh)"
command -v chromedriver >/dev/null || fail "chromedriver is installed (scripts/install-deps.sh)"

salvo run examples/train.py 'x=[-1,0,1]' --random-seed 1 -y -q >/dev/null 2>&1
salvo run tests/integration/curves_train.py 'lr=loguniform[1e-4:1e-1]' \
  'momentum=[0.0:0.99]' 'width=[16,32,64]' -o gp -m 5 --random-seed 3 -y -q >/dev/null 2>&1
grid=$(salvo select -o train.py+)
gp=$(salvo select -o curves_train.py+gp)
expect_match "two batches were run" "$grid $gp" '^[0-9a-f]{32} [0-9a-f]{32}$'

# --- bad options ----------------------------------------------------------------------
out=$(salvo view --port 70000 2>&1)
expect_code "--port 70000" 2 $?
expect_eq "--port 70000 message" "salvo: error: invalid --port 70000: must be between 0 and 65535" "$out"
out=$(salvo view --host nowhere.example 2>&1)
expect_code "--host that is not an address" 2 $?
expect_eq "--host message" "salvo: error: invalid --host 'nowhere.example': not an IP address" "$out"
out=$(salvo view --port abc 2>&1)
expect_code "--port abc" 2 $?
expect_match "--port abc message" "$out" '^salvo: error: .*--port'

# --- serving --------------------------------------------------------------------------
# The binary itself, not the salvo() function, so that $! is its pid.
"$SALVO" view --port 0 2>"$WORK/view.log" &
view_pid=$!
url=""
for _ in $(seq 100); do
  url=$(grep -o 'http://127\.0\.0\.1:[0-9]*/' "$WORK/view.log" | head -1)
  [ -n "$url" ] && break
  sleep 0.1
done
expect_match "logs one line with its URL" "$(cat "$WORK/view.log")" \
  "^info: view: serving .* at http://127\.0\.0\.1:[0-9]+/ \(Ctrl-C stops\)$"
port=${url##*:}
port=${port%/}

out=$(salvo view --port "$port" 2>&1)
expect_code "a port in use" 2 $?
expect_eq "a port in use names it" "salvo: error: port $port on 127.0.0.1 is in use" "$out"

api() { curl -sf "${url}api/$1"; }
# Runs a Python expression over the JSON on stdin (bound to `d`) and prints it.
jq_py() { "$PY" -c "import json, sys; d = json.load(sys.stdin); print($1)"; }

expect_eq "/api/runs lists every run" 10 "$(api runs | jq_py 'len(d["runs"])')"
expect_eq "/api/batches lists both, newest first" "curves_train.py+gp train.py+" \
  "$(api batches | jq_py '" ".join(b["operation"] for b in d["batches"])')"

# The objective of every trial equals the loss `salvo compare --json` shows.
salvo compare --json >"$WORK/compare.json"
api runs >"$WORK/runs.json"
mismatches=$("$PY" - "$WORK/compare.json" "$WORK/runs.json" <<'EOF'
import json, sys
compare = {row["id"]: row["loss"] for row in json.load(open(sys.argv[1]))}
runs = [r for r in json.load(open(sys.argv[2]))["runs"] if r["kind"] == "trial"]
bad = [r["id"] for r in runs if r["objective"]["value"] != compare[r["id"]]]
print(len(runs), len(bad))
EOF
)
expect_eq "8 trials, each objective as compare shows it" "8 0" "$mismatches"

batch=$(api "batches/${grid:0:8}")
expect_eq "grid batch: trials in order" "-1 0 1" \
  "$(echo "$batch" | jq_py '" ".join(str(t["flags"]["x"]) for t in d["trials"])')"
expect_eq "grid batch: the search flag and its choices" "1 x number [-1, 0, 1]" \
  "$(echo "$batch" | jq_py '"%d %s %s %s" % (len(d["flags"]), d["flags"][0]["name"], d["flags"][0]["type"], d["flags"][0]["values"])')"
expect_eq "grid batch: best so far is the running minimum" "True" \
  "$(echo "$batch" | jq_py '[p["best"] for p in d["best_so_far"]] == [min(p["value"] for p in d["best_so_far"][:i + 1]) for i in range(len(d["best_so_far"]))]')"
expect_eq "grid batch: best trial is the lowest loss" "True" \
  "$(echo "$batch" | jq_py 'd["best"]["objective"]["value"] == min(t["objective"]["value"] for t in d["trials"])')"

batch=$(api "batches/$gp")
expect_eq "gp batch: 5 trials, 3 flags with domains" \
  "5 lr:number:log:0.0001:0.1 momentum:number:lin:0.0:0.99 width:number:lin:16:64" \
  "$(echo "$batch" | jq_py '" ".join([str(len(d["trials"]))] + ["%s:%s:%s:%s:%s" % (f["name"], f["type"], "log" if f["log"] else "lin", f["min"], f["max"]) for f in d["flags"]])')"
trial=$(echo "$batch" | jq_py 'd["trials"][0]["id"]')
expect_eq "/api/runs/ID/scalars: eight steps of loss" "[1, 2, 3, 4, 5, 6, 7, 8]" \
  "$(api "runs/$trial/scalars" | jq_py 'd["tags"]["loss"]["steps"]')"
expect_eq "/api/runs/ID: the last loss is the objective" "True" \
  "$(api "runs/${trial:0:10}" | jq_py 'd["run"]["objective"]["value"] == d["run"]["scalars"]["loss"] and d["record"]["id"] == "'"$trial"'"')"
expect_eq "/api/batches/ID/scalars: every trial's curve" "5 40" \
  "$(api "batches/$gp/scalars" | jq_py '"%d %d" % (len(d["trials"]), sum(len(t["tags"]["loss"]["values"]) for t in d["trials"]))')"

expect_eq "an unknown run is 404 with a JSON error" \
  "404 could not find a run matching 'ffffffffff'" \
  "$(curl -s -w ' %{http_code}' "${url}api/runs/ffffffffff" | "$PY" -c 'import json, sys; t = sys.stdin.read(); body, code = t.rsplit(" ", 1); print(code, json.loads(body)["error"])')"
expect_eq "a trial is not a batch (404)" 404 \
  "$(curl -s -o /dev/null -w '%{http_code}' "${url}api/batches/$trial")"
expect_eq "POST is refused (405)" 405 \
  "$(curl -s -o /dev/null -w '%{http_code}' -X POST "${url}api/runs")"
expect_eq "the plotting library is served" "200 text/javascript; charset=utf-8" \
  "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "${url}echarts.min.js")"

# --- the page in headless Chromium ------------------------------------------------------
browse() {  # browse URL ARGS...: headless Chromium, a fresh profile, stderr dropped
  local profile target=$1
  shift
  profile=$(mktemp -d "$WORK/chromium.XXXXXX")
  timeout 40 chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-quic \
    --hide-scrollbars --user-data-dir="$profile" --virtual-time-budget=6000 "$@" \
    "$target" 2>/dev/null
  rm -rf "$profile"
}
# Prints the data-* attributes of the element with id $2 in DOM file $1 as k=v pairs.
attrs() {
  "$PY" - "$1" "$2" <<'EOF'
import html.parser, sys
class Find(html.parser.HTMLParser):
    found = None
    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id") == sys.argv[2] or (sys.argv[2] == "body" and tag == "body"):
            self.found = self.found or " ".join(
                "%s=%s" % (k[5:], v) for k, v in attrs if k.startswith("data-"))
f = Find()
f.feed(open(sys.argv[1]).read())
print(f.found)
EOF
}

browse "$url" --dump-dom >"$WORK/gp.html"
expect_eq "page: ready, showing the newest batch" "state=ready batch=$gp" "$(attrs "$WORK/gp.html" body)"
expect_eq "parallel coordinates: one line per trial" "series=1 points=5" \
  "$(attrs "$WORK/gp.html" chart-parallel)"
for flag in lr momentum width; do
  expect_eq "scatter of $flag against loss: 5 points" "flag=$flag series=1 points=5" \
    "$(attrs "$WORK/gp.html" "chart-scatter-$flag")"
done
expect_eq "best-so-far: trials and the best curve" "series=2 points=10" \
  "$(attrs "$WORK/gp.html" chart-best)"
expect_eq "scalar curves: 5 trials of 8 steps" "series=5 points=40" \
  "$(attrs "$WORK/gp.html" chart-curves)"
expect_eq "trials table" "rows=5" "$(attrs "$WORK/gp.html" trials-table)"
expect_eq "runs table" "rows=10" "$(attrs "$WORK/gp.html" runs-table)"

browse "${url}?batch=${grid:0:8}" --dump-dom >"$WORK/grid.html"
expect_eq "grid page: ready, the batch asked for" "state=ready batch=$grid" \
  "$(attrs "$WORK/grid.html" body)"
expect_eq "grid: parallel coordinates" "series=1 points=3" "$(attrs "$WORK/grid.html" chart-parallel)"
expect_eq "grid: the one search flag's scatter" "flag=x series=1 points=3" \
  "$(attrs "$WORK/grid.html" chart-scatter-x)"
expect_eq "grid: no scatter for the fixed flag" "None" "$(attrs "$WORK/grid.html" chart-scatter-noise)"
expect_eq "grid: best so far" "series=2 points=6" "$(attrs "$WORK/grid.html" chart-best)"
expect_eq "grid: one point per curve" "series=3 points=3" "$(attrs "$WORK/grid.html" chart-curves)"

browse "$url" --window-size=1400,2000 --screenshot="$WORK/view.png" >/dev/null
expect_eq "screenshot is a 1400x2000 PNG" "PNG 1400 2000" \
  "$("$PY" -c 'import struct, sys; h = open(sys.argv[1], "rb").read(24); print(h[1:4].decode(), *struct.unpack(">II", h[16:24]))' "$WORK/view.png" 2>&1)"
if [ -n "${SALVO_VIEW_SCREENSHOT:-}" ]; then
  cp "$WORK/view.png" "$SALVO_VIEW_SCREENSHOT" && echo "screenshot copied to $SALVO_VIEW_SCREENSHOT"
fi

# --- following a batch that runs while the view serves -----------------------------------
# chromedriver keeps one page open across the batch, to see it redraw without a reload.
driver_port=$("$PY" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
chromedriver --port="$driver_port" >"$WORK/chromedriver.log" 2>&1 &
driver_pid=$!
driver="http://127.0.0.1:$driver_port"
for _ in $(seq 100); do
  curl -sf "$driver/status" 2>/dev/null | grep -q '"ready": *true' && break
  sleep 0.1
done
expect_match "chromedriver is ready" "$(curl -sf "$driver/status")" '"ready": *true'

salvo run tests/integration/curves_train.py lr=0.03 momentum=0.8 'width=[32,64]' \
  delay=0.4 -y -q >/dev/null 2>&1 &
run_pid=$!
seen=""
for _ in $(seq 150); do
  seen=$(api batches | jq_py '"%s %s %s" % (d["batches"][0]["operation"], d["batches"][0]["status"], d["batches"][0]["id"])' 2>/dev/null)
  [[ "$seen" == "curves_train.py+ running "* ]] && break
  sleep 0.05
done
expect_match "a batch started after the view shows as running" "$seen" \
  '^curves_train\.py\+ running [0-9a-f]{32}$'
live=${seen##* }
timeout 50 "$PY" tests/integration/view_live.py "$driver" "${url}?batch=$live" \
  "$(mktemp -d "$WORK/chromium.XXXXXX")" 40 >"$WORK/live.txt" 2>"$WORK/live.err" &
live_pid=$!
partial=""
for _ in $(seq 150); do
  partial=$(api "batches/$live/scalars" | jq_py 'len(d["trials"][0]["tags"]["loss"]["values"])' 2>/dev/null)
  [[ "$partial" =~ ^[1-7]$ ]] && break
  sleep 0.05
done
expect_match "its first trial's curve shows while it runs" "$partial" '^[1-7]$'
wait "$run_pid"
expect_eq "when it ends: completed, 2 trials of 8 steps" "completed 2 16" \
  "$(api "batches/$live/scalars" | jq_py '"%d %d" % (len(d["trials"]), sum(len(t["tags"]["loss"]["values"]) for t in d["trials"]))' | sed "s/^/$(api "batches/$live" | jq_py 'd["batch"]["status"]') /")"
expect_eq "/api/runs has the new runs" 13 "$(api runs | jq_py 'len(d["runs"])')"

wait "$live_pid"
expect_code "the page was watched to the batch's end" 0 $?
readings=$(cat "$WORK/live.txt")
echo "what the open page showed, in order:" && sed 's/^/  /' "$WORK/live.txt"
expect_match "the open page first showed the batch running" "$(echo "$readings" | head -1)" \
  '^running [01]/2 '
expect_eq "and redrew to its end without a reload" "completed 2/2 16" \
  "$(echo "$readings" | tail -1)"
expect_match "with a partial curve drawn on the way" "$readings" \
  $'(^|\n)running [0-2]/2 ([1-9]|1[0-5])(\n|$)'
kill "$driver_pid"
wait "$driver_pid" 2>/dev/null

kill -TERM "$view_pid"
wait "$view_pid"
expect_code "SIGTERM stops the view" 0 $?

finish
