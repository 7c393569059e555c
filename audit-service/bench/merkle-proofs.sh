#!/usr/bin/env bash
# Proof latency benchmark: audit-service/bench/merkle-proofs.sh [leaves...]   (default 1000000; e.g. 1000000 10000000)
# Needs the PostgreSQL the tests use (FLAGLEDGER_PG_* as in README). Creates and drops its own databases.
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -pl event-contract install -DskipTests
./mvnw -B -q -pl audit-service test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="audit-service/target/test-classes:audit-service/target/classes:$(cat audit-service/target/bench.classpath)"
exec java -Xmx2g -cp "$cp" io.flagledger.audit.bench.MerkleProofBench "$@"
