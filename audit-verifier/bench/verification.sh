#!/usr/bin/env bash
# Offline verification time of an N-entry export: audit-verifier/bench/verification.sh [entries] [runs] [v2|v1]
# (defaults 1000000, 2 and v2). Writes a synthetic signed bundle to a temp dir (v2: batch-signed, 100 events per
# signature as the outbox relay signs them; v1: one signature per event), then times the verifier on it `runs` times
# (the first in a cold JVM). Prints wall and CPU time: on a shared machine CPU time per entry is the steadier figure.
# Builds through the reactor (-am), so it runs this checkout's event-contract, not whatever is installed in ~/.m2.
set -euo pipefail
cd "$(dirname "$0")/../.."
./mvnw -B -q -pl audit-verifier -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
cp="audit-verifier/target/test-classes:audit-verifier/target/classes:$(cat audit-verifier/target/bench.classpath)"
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg)"
java -Xmx3g -cp "$cp" io.flagledger.verifier.VerificationBench "$@"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
