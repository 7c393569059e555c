#!/usr/bin/env bash
# Proof latency through HTTP: audit-service/bench/merkle-proofs.sh [leaves=10000000] [seconds=20] [connections=1]
#   [new-since-last-self-check=leaves/100]
# Loads a ledger of N synthetic leaves and their tree nodes into a fresh database (server-side generate_series for the
# entries, COPY for the nodes) with a self-check point recorded at N - K, starts the packaged audit-service against it
# (local JWT verification, a real Kafka), waits for its checkpoint, warms up wrk (bench/proofs.lua: random leaves,
# random tree sizes) at the inclusion and consistency endpoints and at /q/health/live as the baseline, runs the
# hourly self-check (incremental from N - K, Merkle part: POST /api/v1/audit/selfcheck?scope=incremental&columns=false),
# then measures each endpoint closed-loop (wrk -c<connections>), then paced at half of that rate (4 connections,
# bench/wrk/common.lua's DELAY_MS), and prints p50/p99/p99.9, requests/s, the load average, CPU ms per request (service,
# PostgreSQL, broker, whole machine), the service's own timer (share of proofs within 2 ms, from audit-service's
# ProofLatency buckets), its CPU by thread and GC pauses per run, and the self-check's time and CPU. Needs PostgreSQL
# as the tests use it (FLAGLEDGER_PG_*) and wrk.
set -euo pipefail
cd "$(dirname "$0")/../.."
command -v wrk >/dev/null || { echo "wrk is not installed (apt-get install wrk)"; exit 1; }
./mvnw -B -o -q -pl audit-service -am package dependency:build-classpath -DskipTests \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="audit-service/target/test-classes:audit-service/target/classes:$(cat audit-service/target/bench.classpath)"
# audit-service's JVM runs with the options of a pod of the chart (MerkleProofBench.POD_JVM); POD_JVM=... replaces
# them (empty: the JVM's own choice). AUDIT_JVM_OPTS come after them, e.g. -Dflagledger.auth.token-cache.ttl=0 to
# verify every token again.
exec java -Xmx2g -Djava.util.logging.manager=org.jboss.logmanager.LogManager -Daudit.jvm.options="${AUDIT_JVM_OPTS:-}" \
  ${POD_JVM+"-Dbench.pod-jvm=$POD_JVM"} -cp "$cp" \
  io.flagledger.audit.bench.MerkleProofBench "$@"
