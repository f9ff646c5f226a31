#!/usr/bin/env bash
# Exercises the API with curl against BASE_URL (default http://localhost:3000). Readable output; exit 1 on failure.
set -uo pipefail
BASE_URL="${BASE_URL:-http://localhost:3000}"
BASE_URL="${BASE_URL%/}"
PASS=0; FAIL=0
TMP=$(mktemp -d); trap 'rm -rf "$TMP"' EXIT
TAG=$(date +%s)$RANDOM

green() { printf '\033[32m%s\033[0m' "$1"; }
red() { printf '\033[31m%s\033[0m' "$1"; }
ok() { PASS=$((PASS + 1)); echo "$(green ✓) $1"; }
bad() { FAIL=$((FAIL + 1)); echo "$(red ✗) $1"; [ -s "$TMP/body" ] && echo "    $(head -c 400 "$TMP/body")"; }

# req METHOD PATH [JSON_BODY] → sets STATUS, body in $TMP/body
req() {
  local method=$1 path=$2 data=${3:-}
  local args=(-s -o "$TMP/body" -w '%{http_code}' -X "$method" "$BASE_URL$path")
  [ -n "${TOKEN:-}" ] && args+=(-H "Authorization: Bearer $TOKEN")
  [ -n "$data" ] && args+=(-H 'Content-Type: application/json' --data "$data")
  STATUS=$(curl "${args[@]}" 2>/dev/null || echo 000)
}
# j EXPR → evaluates a JS expression on the last body (as `b`)
j() { node -e "const t=require('fs').readFileSync('$TMP/body','utf8'); const b=t?JSON.parse(t):null; const v=($1); process.stdout.write(v===undefined||v===null?'':String(v))" 2>/dev/null; }
expect() { # expect STATUS DESCRIPTION [JS_CONDITION]
  local want=$1 what=$2 cond=${3:-true}
  if [ "$STATUS" = "$want" ] && [ "$(j "$cond")" = "true" ]; then ok "$what"; else bad "$what (HTTP $STATUS)"; fi
}

echo "Sokhan API checks against $BASE_URL"
echo "— platform"
req GET /api/health;                      expect 200 "GET /api/health" "b.status==='ok' && b.db==='up'"
req POST /api/auth/register "{\"email\":\"curl$TAG@example.com\",\"username\":\"curl$TAG\",\"password\":\"رمز-آزمون-curl-۱\"}"
expect 201 "POST /api/auth/register" "typeof b.token==='string' && b.user.username==='curl$TAG'"
req POST /api/auth/login "{\"login\":\"curl$TAG@example.com\",\"password\":\"رمز-آزمون-curl-۱\"}"
expect 200 "POST /api/auth/login" "typeof b.token==='string'"
TOKEN=$(j b.token)
req GET /api/auth/me;                     expect 200 "GET /api/auth/me" "b.user.username==='curl$TAG'"
req POST /api/settings '{"language":"en","theme":"dark"}'
expect 200 "POST /api/settings" "b.preferences.language==='en' && b.preferences.theme==='dark'"
req GET /api/settings;                    expect 200 "GET /api/settings (round trip)" "b.preferences.language==='en' && b.huggingface.hasToken===false"
req GET /api/system/status;               expect 200 "GET /api/system/status" "!!b.database.serverVersion && !!b.tensorflow.backend"
echo "    database: $(j "b.database.mode+' PostgreSQL '+b.database.serverVersion"), tfjs backend: $(j b.tensorflow.backend)"
SAVED=$TOKEN; TOKEN=""
req GET /api/system/status;               expect 401 "GET /api/system/status without a token → 401" "b.error.code==='UNAUTHENTICATED'"
TOKEN=$SAVED

for f in test-api.d/*.sh; do
  [ -f "$f" ] || continue
  # shellcheck source=/dev/null
  . "$f"
done

echo
echo "test-api: $PASS passed, $FAIL failed"
[ "$FAIL" -eq 0 ]
