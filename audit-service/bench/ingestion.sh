#!/usr/bin/env bash
# Ingestion benchmark: audit-service/bench/ingestion.sh [events] [batch] [signatures]   (default 200000 500 batch)
# signatures: batch = one Ed25519 signature per 100 events (schema version 2, as the outbox relay signs),
# event = one per event (version 1), for before/after.
# Publishes N signed events to a fresh Kafka broker, runs the packaged audit-service in its own JVM against a fresh
# database and prints, from one run: the sustained Kafka -> verified, committed, checkpointed ledger rate; the raw
# batched INSERT (before ingestion and again after it) and COPY rates of the same rows into the same PostgreSQL; the
# ratios (to each raw INSERT and to their mean); CPU seconds per 1,000
# events for audit-service (also by thread), PostgreSQL and the Kafka broker; the same for the steady state (after the
# first fifth of the events). Needs the PostgreSQL the tests use (FLAGLEDGER_PG_* as in README).
# Builds in one reactor (-am), so nothing is installed into the local repository.
set -euo pipefail
cd "$(dirname "$0")/../.."
# BENCH_HEAP is the bench JVM's heap (default 5g): it holds the signed records, about 1.3 GB per million events
# (BENCH_HEAP=8g runs 3,000,000). SKIP_BUILD=1 reuses the last build; AUDIT_JVM_OPTS go to audit-service's JVM, e.g. a flight recording:
# AUDIT_JVM_OPTS=-XX:StartFlightRecording=filename=/tmp/ingest.jfr,settings=profile
if [ "${SKIP_BUILD:-0}" != 1 ]; then
  ./mvnw -B -o -q -pl audit-service -am package dependency:build-classpath -DskipTests \
    -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
fi
cp="audit-service/target/test-classes:audit-service/target/classes:$(cat audit-service/target/bench.classpath)"
exec java -Xmx${BENCH_HEAP:-5g} -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Daudit.jvm.options="${AUDIT_JVM_OPTS:-}" \
  -cp "$cp" io.flagledger.audit.bench.IngestionBench "$@"
