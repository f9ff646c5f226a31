#!/usr/bin/env bash
# Idempotent setup: dependencies, .env with fresh secrets, data folders, database + migrations, builds.
set -uo pipefail
cd "$(dirname "$0")"
export ONNXRUNTIME_NODE_INSTALL=skip   # onnxruntime-node ships its CPU binaries; skip its optional GPU download

fail() { printf '\n✗ setup: %s\n  fix: %s\n' "$1" "$2" >&2; exit 1; }
step() { printf '▸ %s\n' "$1"; }

step "checking Node.js"
command -v node >/dev/null || fail "Node.js is not installed" "install Node.js 22 or 24 LTS, or 20.19+ (https://nodejs.org)"
# The same range as package.json "engines" (every installed dependency accepts it: scripts/engines.test.ts).
node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit((a===20&&b>=19)||(a===22&&b>=13)||a>=24?0:1)' \
  || fail "Node.js $(node -v) is not supported" "install Node.js 22 or 24 LTS, or 20.19+ (the range is ^20.19 || ^22.13 || >=24)"

lock_sum=$(sha256sum package-lock.json | cut -d' ' -f1)
if [ ! -d node_modules ] || [ "$(cat node_modules/.sokhan-lock 2>/dev/null)" != "$lock_sum" ]; then
  step "installing dependencies (npm ci)"
  npm ci --no-audit --no-fund || fail "npm ci failed" "check your network access to the npm registry, then run ./setup.sh again"
  echo "$lock_sum" > node_modules/.sokhan-lock
else
  step "dependencies up to date"
fi

if [ ! -f .env ]; then
  step "writing .env with fresh secrets"
  umask 077
  jwt=$(node -e 'console.log(require("crypto").randomBytes(48).toString("base64url"))')
  key=$(node -e 'console.log(require("crypto").randomBytes(48).toString("base64url"))')
  sed -e "s|^JWT_SECRET=.*|JWT_SECRET=$jwt|" -e "s|^SECRET_KEY=.*|SECRET_KEY=$key|" .env.example > .env \
    || fail "could not write .env" "check that this folder is writable"
  chmod 600 .env
  umask 022
else
  step ".env exists (kept as it is)"
fi

step "creating data folders"
. scripts/lib/env-defaults.sh
load_env_defaults .env   # the environment wins over .env
mkdir -p "${DATA_DIR:-./data}" "${MODELS_DIR:-./models}" "${DATASETS_DIR:-./datasets}" "${CHECKPOINTS_DIR:-./checkpoints}" \
  || fail "could not create the data folders" "check permissions of DATA_DIR, MODELS_DIR, DATASETS_DIR, CHECKPOINTS_DIR"

step "building common, backend and frontend"
npm run build --silent || fail "the build failed" "run 'npm run build' to see the compiler errors"

step "initialising the database and applying migrations"
node --enable-source-maps backend/dist/cli/migrate.js \
  || fail "database setup failed" "with DATABASE_URL set, check the server is reachable; otherwise check that EMBEDDED_PG_PORT (${EMBEDDED_PG_PORT:-54329}) is free"

touch .setup-done
printf '✓ setup complete\n'
