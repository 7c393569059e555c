#!/usr/bin/env bash
# The statistical detectors on a synthetic week of traffic (seeded: the same week every run): false-positive and
# detection rates of the change-rate detectors (per actor, per project) and of the error-rate-against-exposure
# detector, the latter next to the fixed error-spike rule on the same samples. Prints figures, asserts nothing.
# Usage: monitor-service/bench/detectors.sh   (from anywhere; builds offline)
set -euo pipefail
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$ROOT"
echo "load average before: $(cat /proc/loadavg)"
./mvnw -B -o -q -pl monitor-service test -Dtest=DetectorBenchmark -Dsurefire.failIfNoSpecifiedTests=false \
  -Dsurefire.printSummary=false 2>&1 | grep -E '^(change rate|error rate|  |cpu:)'
echo "load average after: $(cat /proc/loadavg)"
