#!/usr/bin/env bash
# Starts Sokhan: one server (API + web app + Socket.IO) on PORT (default 3000). Runs setup.sh first when needed.
# The role comes from SOKHAN_ROLE or --role=all|api|worker (default all: everything in this one process; api and
# worker share one PostgreSQL through DATABASE_URL, see the README's deployment section).
set -uo pipefail
cd "$(dirname "$0")"
for arg in "$@"; do
  case "$arg" in
    --role=*) export SOKHAN_ROLE="${arg#--role=}" ;;
    *) echo "usage: ./start.sh [--role=all|api|worker]" >&2; exit 2 ;;
  esac
done
if [ ! -f .setup-done ] || [ ! -f .env ] || [ ! -f backend/dist/main.js ] || [ ! -f frontend/dist/index.html ] || [ ! -d node_modules ]; then
  ./setup.sh || exit 1
fi
# Production mode unless told otherwise: libraries (Express among them) keep stacks out of responses.
export NODE_ENV="${NODE_ENV:-production}"
# exec: SIGINT/SIGTERM reach node directly, which drains requests and stops the database cleanly.
exec node --enable-source-maps backend/dist/main.js
