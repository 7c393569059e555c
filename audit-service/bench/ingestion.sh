#!/usr/bin/env bash
# Ingestion benchmark: audit-service/bench/ingestion.sh [events] [batch]   (default 100000 500)
# Publishes N signed events to a fresh Kafka broker, runs the packaged audit-service in its own JVM against a fresh
# database and prints the sustained Kafka -> committed, checkpointed ledger rate next to the raw batched INSERT
# rate of the same PostgreSQL. Needs the PostgreSQL the tests use (FLAGLEDGER_PG_* as in README).
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -pl event-contract,test-support,service-common,audit-verifier install -DskipTests
./mvnw -B -q -pl audit-service package -DskipTests
./mvnw -B -q -pl audit-service test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="audit-service/target/test-classes:audit-service/target/classes:$(cat audit-service/target/bench.classpath)"
exec java -Xmx2g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -cp "$cp" io.flagledger.audit.bench.IngestionBench "$@"
