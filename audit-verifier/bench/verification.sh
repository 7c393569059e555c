#!/usr/bin/env bash
# Offline verification time of an N-entry export: audit-verifier/bench/verification.sh [entries]   (default 1000000)
# Writes a synthetic signed bundle to a temp dir, then times the verifier on it (twice: cold and warm JVM).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -pl event-contract install -DskipTests
./mvnw -B -q -pl audit-verifier package -DskipTests
./mvnw -B -q -pl audit-verifier test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="audit-verifier/target/test-classes:audit-verifier/target/classes:$(cat audit-verifier/target/bench.classpath)"
exec java -Xmx3g -cp "$cp" io.flagledger.verifier.VerificationBench "$@"
