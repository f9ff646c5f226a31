#!/usr/bin/env bash
# in-group.sh COMMAND [ARG...]: runs COMMAND in a process group of its own and stops that whole group when the
# command ends, fails or is interrupted (Ctrl-C, SIGTERM), so nothing it started — servers, Hub mirrors, embedded
# PostgreSQL, browsers — outlives it. Exits with the command's status.
set -u
setsid "$@" &
leader=$!
stop_group() {
  kill -TERM -- "-$leader" 2>/dev/null || return 0
  for _ in $(seq 1 100); do
    pgrep -g "$leader" >/dev/null 2>&1 || return 0
    sleep 0.1
  done
  kill -KILL -- "-$leader" 2>/dev/null
}
trap 'stop_group; exit 130' INT
trap 'stop_group; exit 143' TERM
trap 'stop_group' HUP
wait "$leader"
status=$?
stop_group
exit "$status"
