#!/usr/bin/env bash
# Starts Sokhan: one server (API + web app + Socket.IO) on PORT (default 3000). Runs setup.sh first when needed.
set -uo pipefail
cd "$(dirname "$0")"
if [ ! -f .setup-done ] || [ ! -f .env ] || [ ! -f backend/dist/main.js ] || [ ! -f frontend/dist/index.html ] || [ ! -d node_modules ]; then
  ./setup.sh || exit 1
fi
# Production mode unless told otherwise: libraries (Express among them) keep stacks out of responses.
export NODE_ENV="${NODE_ENV:-production}"
# exec: SIGINT/SIGTERM reach node directly, which drains requests and stops the database cleanly.
exec node --enable-source-maps backend/dist/main.js
