#!/usr/bin/env bash
# OFREP evaluation throughput/latency and change-to-SSE latency against a real flag-api.
# Usage: bench/evaluation.sh [flags=1000] [clients=8] [seconds=20]   (PostgreSQL must be running)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
./mvnw -B -q install -DskipTests
./mvnw -B -q -pl e2e dependency:build-classpath -Dmdep.outputFile="$root/e2e/target/bench.classpath" -Dmdep.includeScope=runtime
java -cp "e2e/target/classes:$(cat e2e/target/bench.classpath)" io.flagledger.e2e.bench.EvaluationBenchmark "$@"
