#!/usr/bin/env bash
# Change -> SSE propagation against a real flag-api (real PostgreSQL, Kafka, Keycloak), loopback only: per environment
# size, 50 toggles through the API with 100 /sdk/v1/stream subscribers, then 50 more with 100 OFREP
# /ofrep/v1/event-stream subscribers; p50/p99/max from sending the toggle (and from its answer) to each subscriber
# reading the event, flag-api CPU per change (and by thread), load average. Stops everything it starts.
# Usage: bench/propagation.sh [sizes=1000,10000] [subscribers=100] [changes=50]   (SKIP_BUILD=1 to reuse a build)
# PROPAGATION_WARMUP=n unmeasured toggles first (default 200; 0: measure the cold JVM);
# PROPAGATION_JFR=file records the first SDK round with JFR (PROPAGATION_JFR_SETTINGS: a .jfc, default profile).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
if [ -z "${SKIP_BUILD:-}" ]; then ./mvnw -B -q ${MAVEN_ARGS:-} install -DskipTests; fi
./mvnw -B -q ${MAVEN_ARGS:-} -pl e2e dependency:build-classpath -Dmdep.outputFile="$root/e2e/target/bench.classpath" -Dmdep.includeScope=runtime
exec timeout 1800 java -cp "e2e/target/classes:$(cat e2e/target/bench.classpath)" io.flagledger.e2e.bench.PropagationBenchmark "$@"
