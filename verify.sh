#!/usr/bin/env bash
# Runs every check: setup when needed, lint, verify:db, all test suites, verify:build, verify:api and test-api.sh
# against a freshly started server, graceful shutdown, and the browser end-to-end suite.
# Writes verification-report.md and ends with one line: "N passed, N failed".
set -uo pipefail
cd "$(dirname "$0")"
export ONNXRUNTIME_NODE_INSTALL=skip
LOGS=.verify
REPORT=verification-report.md
rm -rf "$LOGS"; mkdir -p "$LOGS"
PASSED=0; FAILED=0
ROWS=()
STARTED=$(date +%s)

# Everything this run starts runs in a process group of its own (setsid), recorded here and stopped on exit,
# failure or Ctrl-C; the last step checks that none of them, and none of the ports opened, is still alive.
STARTED_GROUPS=()
OPENED_PORTS=()
LEFTOVERS=()
RUN_DIR=""
group_alive() { pgrep -g "$1" >/dev/null 2>&1; }
stop_group() { # stop_group PGID: TERM, then KILL after 10 s
  group_alive "$1" || return 0
  kill -TERM -- "-$1" 2>/dev/null
  for _ in $(seq 1 100); do group_alive "$1" || return 0; sleep 0.1; done
  kill -KILL -- "-$1" 2>/dev/null
}
cleanup() {
  for g in "${STARTED_GROUPS[@]}"; do stop_group "$g"; done
  [ -n "$RUN_DIR" ] && rm -rf "$RUN_DIR"
}
trap cleanup EXIT
trap 'echo; echo "interrupted: stopping what this run started"; exit 130' INT
trap 'exit 143' TERM

free_port() { node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})'; }
secret() { node -e 'console.log(require("crypto").randomBytes(32).toString("hex"))'; }

# record NAME STATUS SECONDS FIGURES
record() {
  if [ "$2" = pass ]; then PASSED=$((PASSED + 1)); mark="✅"; else FAILED=$((FAILED + 1)); mark="❌"; fi
  ROWS+=("| $1 | $mark $2 | $3 s | $4 |")
  printf '%s %-28s %5s s  %s\n' "$mark" "$1" "$3" "$4"
}

# step NAME FIGURE_CMD -- COMMAND...   (FIGURE_CMD prints a one-line summary from the step's log)
# A command runs in its own process group; whatever it leaves running when it ends is a leftover (stopped, and
# reported by the last step). Shell functions run in this shell.
step() {
  local name=$1 figure_cmd=$2; shift 3
  local log="$LOGS/$name.log" t0=$(date +%s) status=pass
  echo "▸ $name"
  if [ "$(type -t "$1")" = function ]; then
    "$@" >"$log" 2>&1 || status=fail
  else
    setsid "$@" >"$log" 2>&1 </dev/null &
    local leader=$!
    STARTED_GROUPS+=("$leader")
    wait "$leader" || status=fail
    for _ in $(seq 1 50); do group_alive "$leader" || break; sleep 0.1; done
    if group_alive "$leader"; then
      LEFTOVERS+=("$name: $(ps -o pid=,args= -g "$leader" | cut -c1-120 | tr '\n' ';')")
      stop_group "$leader"
    fi
  fi
  local figure; figure=$(eval "$figure_cmd" 2>/dev/null | tr '\n' ' ' | cut -c1-200)
  record "$name" "$status" $(( $(date +%s) - t0 )) "$figure"
  [ "$status" = pass ] || tail -n 30 "$log" | sed 's/^/    /'
}

last_line() { grep -E "$2" "$LOGS/$1.log" | tail -n 1; }

if [ ! -f .setup-done ] || [ ! -d node_modules ] || [ ! -f .env ]; then
  step setup "echo 'fresh setup'" -- ./setup.sh
fi

if ! command -v chromium >/dev/null 2>&1; then
  step chromium "chromium --version" -- bash -c 'DEBIAN_FRONTEND=noninteractive apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium'
fi

step lint "last_line lint 'problem|error' || echo '0 TypeScript errors, 0 lint problems'" -- npm run lint

VDB_DIR=$(mktemp -d); chmod 755 "$VDB_DIR"   # the embedded server runs as the postgres user when we are root
VDB_PORT=$(free_port); OPENED_PORTS+=("$VDB_PORT")
step verify-db "last_line verify-db 'verify:db'" -- env DATABASE_URL= DATA_DIR="$VDB_DIR/data" EMBEDDED_PG_PORT="$VDB_PORT" npm run verify:db --silent
rm -rf "$VDB_DIR"

step tests "node -e 'const r=require(\"./$LOGS/vitest.json\"); console.log(r.numPassedTests+\" tests passed, \"+r.numFailedTests+\" failed, \"+r.numTotalTestSuites+\" suites\")'" -- \
  npx vitest run --reporter=default --reporter=json --outputFile="$LOGS/vitest.json"

step verify-build "last_line verify-build 'verify:build'" -- npm run verify:build --silent

# One server for verify:api and test-api.sh: the built app on a free port, a fresh database, a Hub mirror.
# Both start without wrappers (npx would leave tsx and node behind when killed), each in its own process group.
RUN_DIR=$(mktemp -d); chmod 755 "$RUN_DIR"
MIRROR_PORT=$(free_port); APP_PORT=$(free_port); APP_PG_PORT=$(free_port)
OPENED_PORTS+=("$MIRROR_PORT" "$APP_PORT" "$APP_PG_PORT")
setsid node_modules/.bin/tsx --conditions=source scripts/hub-mirror/cli.ts --dir "$RUN_DIR/hub" --port "$MIRROR_PORT" --fixtures --big-mb 64 --throttle-mb-per-s 16 >"$LOGS/hub-mirror.log" 2>&1 </dev/null &
MIRROR_PID=$!
STARTED_GROUPS+=("$MIRROR_PID")
setsid env PORT="$APP_PORT" HOST=127.0.0.1 DATABASE_URL= DATA_DIR="$RUN_DIR/data" MODELS_DIR="$RUN_DIR/models" DATASETS_DIR="$RUN_DIR/datasets" \
  CHECKPOINTS_DIR="$RUN_DIR/checkpoints" EMBEDDED_PG_PORT="$APP_PG_PORT" JWT_SECRET="$(secret)" SECRET_KEY="$(secret)" \
  HF_ENDPOINT="http://127.0.0.1:$MIRROR_PORT" LOG_LEVEL=warn BCRYPT_COST=10 NODE_ENV=production \
  node backend/dist/main.js >"$LOGS/server.log" 2>&1 </dev/null &
APP_PID=$!
STARTED_GROUPS+=("$APP_PID")
BASE="http://127.0.0.1:$APP_PORT"
for _ in $(seq 1 120); do curl -sf "$BASE/api/health" >/dev/null 2>&1 && break; sleep 0.5; done

step verify-api "last_line verify-api 'verify:api'" -- env BASE_URL="$BASE" npm run verify:api --silent
step test-api "last_line test-api 'test-api:'" -- env BASE_URL="$BASE" ./test-api.sh

shutdown_check() {
  kill -TERM "$APP_PID" 2>/dev/null || return 1
  for _ in $(seq 1 40); do kill -0 "$APP_PID" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$APP_PID" 2>/dev/null; then kill -KILL "$APP_PID"; return 1; fi
  wait "$APP_PID" || return 1
  # The embedded PostgreSQL is in the server's process group: a clean exit leaves none of it running.
  for _ in $(seq 1 50); do group_alive "$APP_PID" || return 0; sleep 0.1; done
  echo "still running after the server exited: $(ps -o pid=,args= -g "$APP_PID" | tr '\n' ';')"
  return 1
}
step graceful-shutdown "echo 'SIGTERM → exit 0, database stopped'" -- shutdown_check
stop_group "$MIRROR_PID"; wait "$MIRROR_PID" 2>/dev/null
rm -rf "$RUN_DIR"; RUN_DIR=""

step e2e "last_line e2e 'passed'" -- npm run test:e2e --silent

# Nothing this run started may outlive it: no process of any group it created, no port it opened still listening.
leftovers_check() {
  local problems=0
  for l in "${LEFTOVERS[@]}"; do echo "left running after its step: $l"; problems=$((problems + 1)); done
  for g in "${STARTED_GROUPS[@]}"; do
    if group_alive "$g"; then echo "process group $g still alive: $(ps -o pid=,args= -g "$g" | tr '\n' ';')"; problems=$((problems + 1)); fi
  done
  for p in "${OPENED_PORTS[@]}"; do
    if [ -n "$(ss -ltnH "( sport = :$p )" 2>/dev/null)" ]; then echo "port $p still listens"; problems=$((problems + 1)); fi
  done
  echo "${#STARTED_GROUPS[@]} process groups and ${#OPENED_PORTS[@]} ports checked, $problems left behind"
  [ "$problems" -eq 0 ]
}
step no-leftovers "last_line no-leftovers 'checked'" -- leftovers_check

TOTAL=$(( $(date +%s) - STARTED ))
{
  echo "# Sokhan verification report"
  echo
  echo "Run $(date -u '+%Y-%m-%d %H:%M:%S UTC') on $(uname -srm), Node $(node -v), $(nproc) cores; total ${TOTAL} s."
  echo
  echo "| check | result | time | figures |"
  echo "|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  for f in verify-db verify-api test-api e2e; do
    [ -f "$LOGS/$f.log" ] || continue
    echo "## $f"
    echo
    echo '```'
    sed -e 's/\x1b\[[0-9;]*m//g' "$LOGS/$f.log" | grep -E '^(✓|✗|  |    )|passed' | head -n 300
    echo '```'
    echo
  done
  echo "Full logs: \`$LOGS/\`."
  echo
  echo "**$PASSED passed, $FAILED failed**"
} > "$REPORT"

echo
echo "$PASSED passed, $FAILED failed"
[ "$FAILED" -eq 0 ]
