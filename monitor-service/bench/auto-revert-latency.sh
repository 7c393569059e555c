#!/usr/bin/env bash
# Measures how long a bad flag change lives: threshold crossed -> revert committed, end to end with real parts
# (demo app via OpenFeature/OFREP, Prometheus scraping every 1 s, monitor-service polling every 1 s, flag-api,
# Alertmanager, audit-service). Runs e2e's AutoRevertIT RUNS times and prints its "[auto-revert]" lines.
#
# What bounds the figure: the failing requests reach Prometheus at the next scrape (<= scrape interval), the monitor
# sees them at its next poll (<= poll interval) and finds the first sample over the threshold with a range query at
# the scrape step; then one flag-api write (If-Match + revert-of) and its commit. So the latency is at most about
# scrape interval + poll interval + the write. With production defaults (15 s scrape, 15 s poll) that is ~30 s.
#
# Usage: monitor-service/bench/auto-revert-latency.sh [RUNS]   (from anywhere; needs PostgreSQL and the Debian
# prometheus and prometheus-alertmanager packages)
set -euo pipefail
RUNS=${1:-3}
cd "$(dirname "$0")/../.."
./mvnw -B -o -q -pl flag-api,monitor-service,audit-service package -DskipTests
for i in $(seq 1 "$RUNS"); do
  echo "run $i/$RUNS"
  ./mvnw -B -o -q -pl e2e verify -Dit.test=AutoRevertIT > "e2e/target/auto-revert-run-$i.log" 2>&1 || {
    echo "run $i failed: see e2e/target/auto-revert-run-$i.log"; exit 1; }
  grep -h '\[auto-revert\]' e2e/target/failsafe-reports/*AutoRevertIT*-output.txt "e2e/target/auto-revert-run-$i.log" 2>/dev/null | sort -u
done
