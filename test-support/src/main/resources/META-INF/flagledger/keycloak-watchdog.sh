#!/usr/bin/env bash
# Written by io.flagledger.testsupport.keycloak.Keycloak; do not edit (it is rewritten at every start).
#
# Runs "$@" (bin/kc.sh ...) and stops it when this script's stdin reaches EOF, i.e. when the JVM that started us
# closed the pipe or died (even by SIGKILL). kc.sh forwards SIGTERM to its java child; after a grace period the
# whole tree is killed. Exits with the command's status when the command ends by itself.
set -u

exec 3<&0 0</dev/null
cat <&3 >/dev/null 3<&- &
reader=$!
exec 3<&-

"$@" &
child=$!

kill_tree() { # pid: SIGKILL the pid's descendants (from /proc, no procps needed), then the pid
  local p c
  p=$1
  for c in $(cat /proc/"$p"/task/*/children 2>/dev/null); do
    kill_tree "$c"
  done
  kill -KILL "$p" 2>/dev/null
}

trap 'kill -TERM "$child" 2>/dev/null' TERM INT HUP

while kill -0 "$child" 2>/dev/null; do
  if ! kill -0 "$reader" 2>/dev/null; then
    echo "flagledger-watchdog: stdin closed, stopping Keycloak" >&2
    kill -TERM "$child" 2>/dev/null
    for _ in $(seq 1 40); do
      kill -0 "$child" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$child" 2>/dev/null; then
      echo "flagledger-watchdog: Keycloak did not stop in 20 s, killing it" >&2
      kill_tree "$child"
    fi
    wait "$child" 2>/dev/null
    exit 0
  fi
  sleep 0.5
done

wait "$child"
status=$?
kill "$reader" 2>/dev/null
echo "flagledger-watchdog: Keycloak exited with status $status" >&2
exit "$status"
