#!/usr/bin/env bash
# Verifies an audit export bundle offline: audit-verifier/verify-export.sh <bundle.zip> <checkpoint key or key file>...
# The key is the C2SP verifier key (name+hash+base64) from a source you trust, e.g. GET /api/v1/audit/keys saved
# when the log was set up. Exit 0: verified; 1: something is wrong (printed line by line); 2: could not check.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
jar="$here/target/audit-verifier.jar"
if [ ! -f "$jar" ]; then
  (cd "$here/.." && ./mvnw -B -q -pl event-contract,audit-verifier -am install -DskipTests >&2)
fi
exec java -Xmx1g -jar "$jar" "$@"
