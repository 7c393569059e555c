#!/usr/bin/env bash
# Game day: rehearses docs/incident-playbook.md end to end against the local stack (deploy/local/up).
# Every step is the playbook's command; the script stops at the first one that does not do what the playbook says.
#   deploy/local/up && ./mvnw -B -pl cli -am package -DskipTests && scripts/game-day.sh
# Needs curl and jq. Demo tokens come from the demo realm's password grant (local stack only; the CLI itself never
# takes a password: it reads FLAGLEDGER_TOKEN, client credentials or --device-login).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
. "$root/deploy/local/.state/stack.env"
export FLAGLEDGER_FLAG_API_URL=$FLAG_API_URL FLAGLEDGER_APPROVAL_URL=$APPROVAL_SERVICE_URL FLAGLEDGER_AUDIT_URL=$AUDIT_SERVICE_URL
fl() { "$root/cli/flagledger" "$@"; }
as() { local who=$1; shift; FLAGLEDGER_TOKEN=$(token "$who") "$@"; }
token() {
  local var="PASSWORD_$(echo "$1" | tr 'a-z-' 'A-Z_')"
  curl -fsS -d grant_type=password -d client_id="$CLI_CLIENT" -d username="$1" --data-urlencode "password=${!var}" "$TOKEN_URL" | jq -r .access_token
}
step() { printf '\n== %s\n' "$*"; }
fail() { echo "GAME DAY FAILED: $*" >&2; exit 1; }
expect() { local want=$1; shift; set +e; "$@"; local got=$?; set -e; [ "$got" = "$want" ] || fail "exit $got, expected $want: $*"; }

P=${PROJECT:-shop}
KILL="kill-checkout-$(date +%s)"
FREEZER=${FREEZER:-freezer}      # the demo user with the flag-freezer role
T0=$(date -u +%Y-%m-%dT%H:%M:%SZ)

step "setup: a kill switch that is on in production (filed, approved twice, applied)"
curl -fsS -H "Authorization: Bearer $(token requester)" -H 'Content-Type: application/json' \
  -d "{\"key\":\"$KILL\",\"name\":\"Checkout kill switch\",\"kind\":\"kill-switch\"}" "$FLAG_API_URL/api/v1/projects/$P/flags" >/dev/null
CR=$(curl -fsS -H "Authorization: Bearer $(token requester)" -H 'Content-Type: application/json' \
  -d "{\"project\":\"$P\",\"flag\":\"$KILL\",\"environment\":\"production\",\"baseVersion\":0,\"config\":{\"enabled\":true,\"offVariation\":\"off\",\"fallthrough\":{\"variation\":\"on\"}},\"reason\":\"game day setup\",\"correlationId\":\"GAMEDAY-setup\"}" \
  "$APPROVAL_SERVICE_URL/api/v1/change-requests" | jq -r .id)
for a in approver1 approver2; do
  t=$(token $a)
  etag=$(curl -fsS -D - -o /dev/null -H "Authorization: Bearer $t" "$APPROVAL_SERVICE_URL/api/v1/change-requests/$CR" | tr -d '\r' | awk -F': ' 'tolower($1)=="etag"{print $2}')
  curl -fsS -H "Authorization: Bearer $t" -H 'Content-Type: application/json' -H "If-Match: $etag" -d '{"comment":"game day"}' \
    "$APPROVAL_SERVICE_URL/api/v1/change-requests/$CR/approvals" >/dev/null
done
for _ in $(seq 60); do
  state=$(curl -fsS -H "Authorization: Bearer $(token viewer)" "$APPROVAL_SERVICE_URL/api/v1/change-requests/$CR" | jq -r .state)
  [ "$state" = applied ] && break; sleep 1
done
[ "$state" = applied ] || fail "setup change request is $state"

step "1. freeze the project"
expect 0 as "$FREEZER" fl freeze -p "$P" --reason "GAMEDAY: checkout errors" --ticket GAMEDAY-1
expect 1 as viewer fl freezes -p "$P"

step "2. an ordinary write is refused with 423 naming the freeze"
code=$(curl -s -o /tmp/gameday-refused.json -w '%{http_code}' -X PUT -H "Authorization: Bearer $(token requester)" \
  -H 'Content-Type: application/json' -H 'If-Match: "0"' \
  -d '{"config":{"enabled":true},"reason":"during the freeze"}' "$FLAG_API_URL/api/v1/projects/$P/flags/$KILL/environments/staging")
[ "$code" = 423 ] || fail "a write during the freeze answered $code"; jq -c '{status, title, freeze}' /tmp/gameday-refused.json

step "3. break-glass: the kill switch goes off in production despite the freeze"
curl -fsS -X POST -H "Authorization: Bearer $(token sre)" -H 'Content-Type: application/json' -H 'If-Match: "1"' \
  -d '{"enabled":false,"reason":"GAMEDAY: kill checkout","correlationId":"GAMEDAY-1"}' \
  "$FLAG_API_URL/api/v1/projects/$P/flags/$KILL/environments/production/toggle" | jq -c '{environment, enabled, version}'

step "4. the audit queries"
sleep 3   # the ledger receives events through Kafka
as auditor fl audit events -p "$P" --from "$T0"
expect 0 as auditor fl audit events --correlation-id GAMEDAY-1
as auditor fl audit timeline -p "$P" "$KILL" --limit 20
set +e; as auditor fl audit events -p "$P" --from "$T0" --without-approval; set -e   # 1 = there are some (the break-glass)

step "5. evidence export with chain of custody, verified offline"
curl -fsS -H "Authorization: Bearer $(token auditor)" "$AUDIT_SERVICE_URL/api/v1/audit/keys" | jq -r .checkpoint.verifierKey > /tmp/gameday-checkpoint.key
expect 0 as auditor fl audit export -p "$P" --from "$T0" --reason "GAMEDAY evidence" --ticket GAMEDAY-1 -o /tmp/gameday.zip
sha256sum /tmp/gameday.zip
expect 0 fl audit verify /tmp/gameday.zip --key /tmp/gameday-checkpoint.key

step "6. legal hold on the incident window"
curl -fsS -H "Authorization: Bearer $(token admin)" -H 'Content-Type: application/json' \
  -d "{\"reason\":\"GAMEDAY-1 hold\",\"from\":\"$T0\",\"project\":\"$P\"}" "$AUDIT_SERVICE_URL/api/v1/audit/legal-holds" | jq -c '{id, reason}'

step "7. ledger self-check"
curl -fsS -X POST -H "Authorization: Bearer $(token admin)" "$AUDIT_SERVICE_URL/api/v1/audit/selfcheck" | jq -c .

step "8. prove one event is in the signed log"
EVENT=$(as auditor fl audit events --correlation-id GAMEDAY-1 --output json | jq -r '.[-1].event_id')
for _ in $(seq 30); do
  if as auditor fl audit prove "$EVENT" --key /tmp/gameday-checkpoint.key; then proven=1; break; fi
  sleep 2   # until a checkpoint covers the event
done
[ "${proven:-}" = 1 ] || fail "no inclusion proof for $EVENT"

step "9. unfreeze; writes work again"
expect 0 as "$FREEZER" fl unfreeze -p "$P" --reason "GAMEDAY resolved"
expect 0 as viewer fl freezes -p "$P"
curl -fsS -X PUT -H "Authorization: Bearer $(token requester)" -H 'Content-Type: application/json' -H 'If-Match: "0"' \
  -d '{"config":{"enabled":true,"offVariation":"off","fallthrough":{"variation":"on"}},"reason":"after the freeze"}' \
  "$FLAG_API_URL/api/v1/projects/$P/flags/$KILL/environments/staging" | jq -c '{environment, version}'

echo; echo "GAME DAY PASSED"
