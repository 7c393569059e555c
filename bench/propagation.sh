#!/usr/bin/env bash
# Change -> SSE propagation against a real flag-api (real PostgreSQL, Kafka, Keycloak), loopback only: per environment
# size, 100 /sdk/v1/stream subscribers and 50 toggles through the API; p50/p99/max from sending the toggle to each
# subscriber reading the patch, flag-api CPU per change, load average. Stops everything it starts.
# Usage: bench/propagation.sh [sizes=1000,10000] [subscribers=100] [changes=50]   (SKIP_BUILD=1 to reuse a build)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -z "${SKIP_BUILD:-}" ]; then ./mvnw -B -q ${MAVEN_ARGS:-} install -DskipTests; fi
./mvnw -B -q ${MAVEN_ARGS:-} -pl e2e dependency:build-classpath -Dmdep.outputFile="$root/e2e/target/bench.classpath" -Dmdep.includeScope=runtime
exec timeout 1800 java -cp "e2e/target/classes:$(cat e2e/target/bench.classpath)" io.flagledger.e2e.bench.PropagationBenchmark "$@"
