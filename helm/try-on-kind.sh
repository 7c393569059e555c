#!/usr/bin/env bash
# ---------------------------------------------------------------------------------------------------------------------
# Try the Flagledger Helm chart on a throw-away kind cluster on your laptop.
#
#   NOT RUN IN THIS PROJECT'S CI OR BUILD MACHINES: they have no Docker, no cluster and no internet beyond the package
#   registries. The chart itself is checked there by `./mvnw -B -pl helm verify` (real Helm, no cluster). This script
#   is the documented path for a person with Docker, kind, kubectl, helm and openssl on their machine.
#
# What it does (about 10 minutes, ~8 GB RAM for the cluster):
#   1. creates a kind cluster "flagledger" (or reuses it),
#   2. builds the four service images from the Maven build and loads them into kind,
#   3. installs Strimzi (Kafka "flagledger" in namespace kafka), CloudNativePG (cluster "flagledger-pg" in namespace
#      postgres) and Keycloak (namespace keycloak, the demo realm of test-support),
#   4. creates the Secrets the chart references (database credentials, a fresh Ed25519 signing key for flag-api,
#      the OIDC client secrets of approval-service and monitor-service),
#   5. installs the chart with its default values (which point at exactly these in-cluster services), the flag-api
#      public key trusted by audit-service, and Strimzi KafkaTopics.
#
# Usage:  helm/try-on-kind.sh            set up everything and install the chart
#         helm/try-on-kind.sh --delete   delete the kind cluster
# Existing Kafka/PostgreSQL/OIDC instead: skip step 3 and install the chart with your own values file (docs/operations.md,
# "Deploying on Kubernetes with Helm").
# ---------------------------------------------------------------------------------------------------------------------
set -euo pipefail

CLUSTER=flagledger
NS=flagledger
ROOT=$(cd "$(dirname "$0")/.." && pwd)
# The tag the chart's image defaults use (Chart.yaml appVersion).
VERSION=$(sed -n 's/^appVersion: *"\{0,1\}\([^"]*\)"\{0,1\} *$/\1/p' "$ROOT/helm/flagledger/Chart.yaml")
STRIMZI_VERSION=${STRIMZI_VERSION:-0.48.0}
CNPG_CHART_VERSION=${CNPG_CHART_VERSION:-0.26.0}
KEYCLOAK_IMAGE=${KEYCLOAK_IMAGE:-quay.io/keycloak/keycloak:26.5.6}
SERVICES=(flag-api approval-service audit-service monitor-service)

if [ "${1:-}" = "--delete" ]; then
  kind delete cluster --name "$CLUSTER"
  exit 0
fi

for tool in docker kind kubectl helm openssl; do
  command -v "$tool" > /dev/null || { echo "$tool is required" >&2; exit 1; }
done

step() { printf '\n==> %s\n' "$*"; }

step "kind cluster $CLUSTER"
kind get clusters | grep -qx "$CLUSTER" || kind create cluster --name "$CLUSTER" --wait 120s
kubectl config use-context "kind-$CLUSTER"

step "Building the services and their images"
(cd "$ROOT" && ./mvnw -B -q install -DskipTests)
for svc in "${SERVICES[@]}"; do
  # The release's image (docker/Dockerfile.jvm, as .github/workflows/release.yml builds it), for this machine only.
  docker build -q -f "$ROOT/docker/Dockerfile.jvm" --build-arg "SERVICE=$svc" -t "ghcr.io/flagledger/$svc:$VERSION" "$ROOT"
  kind load docker-image --name "$CLUSTER" "ghcr.io/flagledger/$svc:$VERSION"
done

step "Strimzi $STRIMZI_VERSION and a single-node KRaft Kafka 'flagledger' in namespace kafka"
kubectl create namespace kafka --dry-run=client -o yaml | kubectl apply -f -
helm upgrade --install strimzi oci://quay.io/strimzi-helm/strimzi-kafka-operator --version "$STRIMZI_VERSION" \
  -n kafka --wait
kubectl -n kafka apply -f - <<'YAML'
apiVersion: kafka.strimzi.io/v1beta2
kind: KafkaNodePool
metadata:
  name: dual
  labels:
    strimzi.io/cluster: flagledger
spec:
  replicas: 1
  roles: [controller, broker]
  storage:
    type: ephemeral
---
apiVersion: kafka.strimzi.io/v1beta2
kind: Kafka
metadata:
  name: flagledger
  annotations:
    strimzi.io/node-pools: enabled
    strimzi.io/kraft: enabled
spec:
  kafka:
    listeners:
      - name: plain
        port: 9092
        type: internal
        tls: false
    config:
      offsets.topic.replication.factor: 1
      transaction.state.log.replication.factor: 1
      transaction.state.log.min.isr: 1
      default.replication.factor: 1
      min.insync.replicas: 1
  entityOperator:
    topicOperator: {}
YAML

step "CloudNativePG and the cluster 'flagledger-pg' in namespace postgres (one database per service)"
helm repo add cnpg https://cloudnative-pg.github.io/charts > /dev/null
helm upgrade --install cnpg cnpg/cloudnative-pg --version "$CNPG_CHART_VERSION" -n cnpg-system --create-namespace --wait
kubectl create namespace postgres --dry-run=client -o yaml | kubectl apply -f -
kubectl -n postgres apply -f - <<'YAML'
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: flagledger-pg
spec:
  instances: 1
  storage:
    size: 1Gi
  bootstrap:
    initdb:
      database: flagledger_flag_api
      owner: flagledger
      postInitSQL:
        - CREATE DATABASE flagledger_approval OWNER flagledger
        - CREATE DATABASE flagledger_audit OWNER flagledger
        - CREATE DATABASE flagledger_monitor OWNER flagledger
YAML

step "Keycloak with the demo realm in namespace keycloak"
kubectl create namespace keycloak --dry-run=client -o yaml | kubectl apply -f -
kubectl -n keycloak create configmap flagledger-realm \
  --from-file=flagledger-realm.json="$ROOT/test-support/src/main/resources/keycloak/flagledger-realm.json" \
  --dry-run=client -o yaml | kubectl apply -f -
# Fresh values for the realm file's placeholders (user passwords, client secrets), kept only in this Secret.
realm_env=()
for var in $(grep -o '\${FLAGLEDGER_[A-Z_]*}' "$ROOT/test-support/src/main/resources/keycloak/flagledger-realm.json" | sort -u | tr -d '${}'); do
  realm_env+=("--from-literal=$var=$(openssl rand -hex 16)")
done
kubectl -n keycloak create secret generic flagledger-realm-env "${realm_env[@]}" --dry-run=client -o yaml | kubectl apply -f -
kubectl -n keycloak apply -f - <<YAML
apiVersion: apps/v1
kind: Deployment
metadata:
  name: keycloak
spec:
  replicas: 1
  selector:
    matchLabels: {app: keycloak}
  template:
    metadata:
      labels: {app: keycloak}
    spec:
      containers:
        - name: keycloak
          image: $KEYCLOAK_IMAGE
          args: [start-dev, --import-realm]
          env:
            # Tokens carry the in-cluster issuer the services are configured with (oidc.issuer's default).
            - {name: KC_HOSTNAME, value: "http://keycloak.keycloak.svc:8080"}
            - {name: KC_BOOTSTRAP_ADMIN_USERNAME, value: admin}
            - {name: KC_BOOTSTRAP_ADMIN_PASSWORD, value: "$(openssl rand -hex 12)"}
          envFrom:
            - secretRef: {name: flagledger-realm-env}
          ports:
            - {name: http, containerPort: 8080}
          volumeMounts:
            - {name: realm, mountPath: /opt/keycloak/data/import}
      volumes:
        - name: realm
          configMap: {name: flagledger-realm}
---
apiVersion: v1
kind: Service
metadata:
  name: keycloak
spec:
  selector: {app: keycloak}
  ports:
    - {name: http, port: 8080, targetPort: http}
YAML

step "Waiting for Kafka, PostgreSQL and Keycloak"
kubectl -n kafka wait kafka/flagledger --for=condition=Ready --timeout=600s
kubectl -n postgres wait cluster/flagledger-pg --for=condition=Ready --timeout=600s
kubectl -n keycloak rollout status deployment/keycloak --timeout=600s

step "Secrets the chart references, in namespace $NS"
kubectl create namespace "$NS" --dry-run=client -o yaml | kubectl apply -f -
db_user=$(kubectl -n postgres get secret flagledger-pg-app -o jsonpath='{.data.username}' | base64 -d)
db_password=$(kubectl -n postgres get secret flagledger-pg-app -o jsonpath='{.data.password}' | base64 -d)
for svc in "${SERVICES[@]}"; do
  # One database owner for all four on a laptop; give each service its own role in production.
  kubectl -n "$NS" create secret generic "flagledger-$svc-db" \
    --from-literal=username="$db_user" --from-literal=password="$db_password" --dry-run=client -o yaml | kubectl apply -f -
done
keys=$(mktemp -d)
trap 'rm -rf "$keys"' EXIT
openssl genpkey -algorithm ed25519 -outform DER -out "$keys/flag-api.der"
kubectl -n "$NS" create secret generic flagledger-flag-api-signing \
  --from-literal=private-key="$(base64 -w0 "$keys/flag-api.der")" --dry-run=client -o yaml | kubectl apply -f -
flag_api_public_key=$(openssl pkey -inform DER -in "$keys/flag-api.der" -pubout -outform DER | base64 -w0)
for client in approval-service monitor-service; do
  var="FLAGLEDGER_$(echo "$client" | tr 'a-z-' 'A-Z_')_SECRET"
  secret=$(kubectl -n keycloak get secret flagledger-realm-env -o jsonpath="{.data.$var}" | base64 -d)
  kubectl -n "$NS" create secret generic "flagledger-$client-oidc" --from-literal=client-secret="$secret" \
    --dry-run=client -o yaml | kubectl apply -f -
done

step "helm install flagledger"
helm upgrade --install flagledger "$ROOT/helm/flagledger" -n "$NS" --wait --timeout 10m \
  --set services.flagApi.replicas=1,services.approvalService.replicas=1 \
  --set services.auditService.replicas=1,services.monitorService.replicas=1 \
  --set services.flagApi.signing.keyId=flag-api-kind \
  --set services.auditService.trustedKeys.flag-api-kind.service=flag-api \
  --set "services.auditService.trustedKeys.flag-api-kind.publicKey=$flag_api_public_key" \
  --set services.approvalService.oidc.clientSecret.name=flagledger-approval-service-oidc \
  --set services.monitorService.oidc.clientSecret.name=flagledger-monitor-service-oidc \
  --set kafkaTopics.enabled=true,kafkaTopics.clusterName=flagledger,kafkaTopics.namespace=kafka \
  --set kafkaTopics.defaults.replicas=1,kafkaTopics.defaults.config.min\\.insync\\.replicas=1 \
  --set-string 'networkPolicy.apiCallers[0].podSelector.matchLabels.flagledger\.io/api-client=true'

step "Done"
kubectl -n "$NS" get pods -o wide
cat <<TXT

Flagledger runs in namespace $NS. Talk to it from a pod the NetworkPolicies admit as an API caller:

  kubectl -n $NS run try --rm -it --image=curlimages/curl --labels=flagledger.io/api-client=true -- sh
  # inside: curl -s http://flagledger-flag-api.$NS.svc:8081/q/health/ready

Demo users and passwords: kubectl -n keycloak get secret flagledger-realm-env -o yaml (base64).
Delete everything: helm/try-on-kind.sh --delete
TXT
