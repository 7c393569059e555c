{{/*
Helpers of the Flagledger chart. Every per-service template loops over .Values.services and calls these with a
context dict: (dict "root" $ "key" "flagApi" "svc" $svc). The service's name ("flag-api") is the kebab-case key.
*/}}

{{- define "flagledger.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every object name: <release>-flagledger, or <release> when it already contains the chart name. */}}
{{- define "flagledger.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "flagledger.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The service's name as deployed and as its code knows it: flagApi -> flag-api. */}}
{{- define "flagledger.component" -}}
{{- kebabcase .key }}
{{- end }}

{{/* Object name of a service: <prefix>-<service>. */}}
{{- define "flagledger.componentName" -}}
{{- printf "%s-%s" (include "flagledger.fullname" .root) (include "flagledger.component" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels of chart-level objects (no service). Takes the root context. */}}
{{- define "flagledger.commonLabels" -}}
helm.sh/chart: {{ include "flagledger.chart" . }}
app.kubernetes.io/name: {{ include "flagledger.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: flagledger
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- with .Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Selector labels of a service's pods (immutable: never add the version here). */}}
{{- define "flagledger.selectorLabels" -}}
app.kubernetes.io/name: {{ include "flagledger.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ include "flagledger.component" . }}
{{- end }}

{{/* Labels of a service's objects. */}}
{{- define "flagledger.labels" -}}
{{ include "flagledger.commonLabels" .root }}
app.kubernetes.io/component: {{ include "flagledger.component" . }}
{{- end }}

{{/* Labels of a service's migration Job objects: a component of its own, so the Service never selects them. */}}
{{- define "flagledger.migrationSelectorLabels" -}}
app.kubernetes.io/name: {{ include "flagledger.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
app.kubernetes.io/component: {{ include "flagledger.component" . }}-migration
{{- end }}

{{- define "flagledger.migrationLabels" -}}
{{ include "flagledger.commonLabels" .root }}
app.kubernetes.io/component: {{ include "flagledger.component" . }}-migration
{{- end }}

{{/* The image reference of a service: registry/repository, then @digest or :tag (default: appVersion). */}}
{{- define "flagledger.image" -}}
{{- $img := .svc.image }}
{{- $registry := default $img.registry .root.Values.global.imageRegistry }}
{{- $ref := $img.repository }}
{{- if $registry }}{{ $ref = printf "%s/%s" $registry $img.repository }}{{ end }}
{{- if $img.digest }}
{{- printf "%s@%s" $ref $img.digest }}
{{- else }}
{{- printf "%s:%s" $ref (default .root.Chart.AppVersion $img.tag) }}
{{- end }}
{{- end }}

{{- define "flagledger.serviceAccountName" -}}
{{- if .svc.serviceAccount.create }}
{{- default (include "flagledger.componentName" .) .svc.serviceAccount.name }}
{{- else }}
{{- default "default" .svc.serviceAccount.name }}
{{- end }}
{{- end }}

{{/*
What each service talks to: "calls" are other services of the chart (by values key), "egress" the external
destinations among networkPolicy.egress. Fixed by the product; the NetworkPolicies and the service URLs follow it.
*/}}
{{- define "flagledger.topology" -}}
flagApi:
  calls: []
  egress: [dns, postgresql, kafka, oidc]
approvalService:
  calls: [flagApi, auditService]
  egress: [dns, postgresql, kafka, oidc]
auditService:
  calls: []
  egress: [dns, postgresql, kafka, oidc]
monitorService:
  calls: [flagApi]
  egress: [dns, postgresql, kafka, oidc, prometheus, alertmanager]
{{- end }}

{{/* The service's effective Kafka settings: the top-level kafka block overridden by services.<name>.kafka. */}}
{{- define "flagledger.kafka" -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.kafka) (deepCopy (default dict .svc.kafka))) }}
{{- end }}

{{/* The service's effective probe settings. */}}
{{- define "flagledger.probes" -}}
{{- toYaml (mergeOverwrite (deepCopy .root.Values.probes) (deepCopy (default dict .svc.probes))) }}
{{- end }}

{{/* In-cluster base URL of another service of the release. Takes (dict "root" . "key" "flagApi"). */}}
{{- define "flagledger.serviceUrl" -}}
{{- $svc := index .root.Values.services .key }}
{{- printf "http://%s.%s.svc:%v" (include "flagledger.componentName" (dict "root" .root "key" .key)) .root.Release.Namespace $svc.service.port }}
{{- end }}

{{/* An env var read from an existing Secret. Takes (dict "env" NAME "name" SECRET "key" KEY). */}}
{{- define "flagledger.secretEnv" -}}
- name: {{ .env }}
  valueFrom:
    secretKeyRef:
      name: {{ .name | quote }}
      key: {{ .key | quote }}
{{- end }}

{{/* A plain env var. Takes (dict "env" NAME "value" VALUE). */}}
{{- define "flagledger.plainEnv" -}}
- name: {{ .env }}
  value: {{ .value | toString | quote }}
{{- end }}

{{/* Key id + private key of an Ed25519 key. Takes (dict "prefix" "FLAGLEDGER_SIGNING" "key" $svc.signing). */}}
{{- define "flagledger.signingEnv" -}}
{{- with .key }}
{{- if and .keyId .privateKeySecret.name }}
{{ include "flagledger.plainEnv" (dict "env" (printf "%s_KEY_ID" $.prefix) "value" .keyId) }}
{{ include "flagledger.secretEnv" (dict "env" (printf "%s_PRIVATE_KEY" $.prefix) "name" .privateKeySecret.name "key" .privateKeySecret.key) }}
{{- end }}
{{- end }}
{{- end }}

{{/*
Query string of a database URL. Takes (dict "root" $ "jdbc" bool). The reactive (Vert.x) URL takes only sslmode:
it would send any other parameter to the server as a session setting; its CA comes from
QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM_CERTS instead.
*/}}
{{- define "flagledger.dbQuery" -}}
{{- $pg := .root.Values.postgresql }}
{{- $params := list (printf "sslmode=%s" $pg.sslMode) }}
{{- if and .jdbc $pg.caSecret.name }}
{{- $params = append $params (printf "sslrootcert=/etc/flagledger/postgresql-ca/%s" $pg.caSecret.key) }}
{{- end }}
{{- join "&" $params }}
{{- end }}

{{/*
The container environment of a service. mode "service" (Deployment) or "migration" (migration Job).
Names are the contract with the services: see the table "Environment variables" in docs/operations.md.
*/}}
{{- define "flagledger.env" -}}
{{- $root := .root }}
{{- $svc := .svc }}
{{- $pg := $root.Values.postgresql }}
{{- $kafka := include "flagledger.kafka" . | fromYaml }}
{{- $topology := include "flagledger.topology" . | fromYaml }}

{{- $hostPort := printf "%s:%v/%s" $pg.host $pg.port $svc.database.name }}
{{ include "flagledger.plainEnv" (dict "env" "QUARKUS_HTTP_PORT" "value" $svc.containerPort) }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_DB_USER" "name" $svc.database.credentialsSecret.name "key" $svc.database.credentialsSecret.usernameKey) }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_DB_PASSWORD" "name" $svc.database.credentialsSecret.name "key" $svc.database.credentialsSecret.passwordKey) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_DB_REACTIVE_URL" "value" (printf "postgresql://%s?%s" $hostPort (include "flagledger.dbQuery" (dict "root" $root "jdbc" false)))) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_DB_JDBC_URL" "value" (printf "jdbc:postgresql://%s?%s" $hostPort (include "flagledger.dbQuery" (dict "root" $root "jdbc" true)))) }}
{{- if $pg.caSecret.name }}
{{ include "flagledger.plainEnv" (dict "env" "QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM" "value" "true") }}
{{ include "flagledger.plainEnv" (dict "env" "QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM_CERTS" "value" (printf "/etc/flagledger/postgresql-ca/%s" $pg.caSecret.key)) }}
{{- end }}
{{- if eq $pg.sslMode "verify-full" }}
{{ include "flagledger.plainEnv" (dict "env" "QUARKUS_DATASOURCE_REACTIVE_HOSTNAME_VERIFICATION_ALGORITHM" "value" "HTTPS") }}
{{- end }}
{{- if eq .mode "migration" }}
{{ include "flagledger.plainEnv" (dict "env" "QUARKUS_FLYWAY_MIGRATE_AT_START" "value" "true") }}
{{ include "flagledger.plainEnv" (dict "env" "QUARKUS_INIT_AND_EXIT" "value" "true") }}
{{- else }}
{{ include "flagledger.plainEnv" (dict "env" "QUARKUS_FLYWAY_MIGRATE_AT_START" "value" (eq $root.Values.migration.mode "atStart")) }}
{{- end }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_KAFKA_BOOTSTRAP" "value" $kafka.bootstrapServers) }}
{{ include "flagledger.plainEnv" (dict "env" "KAFKA_SECURITY_PROTOCOL" "value" $kafka.securityProtocol) }}
{{- if hasPrefix "SASL_" $kafka.securityProtocol }}
{{ include "flagledger.plainEnv" (dict "env" "KAFKA_SASL_MECHANISM" "value" $kafka.sasl.mechanism) }}
{{ include "flagledger.secretEnv" (dict "env" "KAFKA_SASL_JAAS_CONFIG" "name" $kafka.sasl.jaasConfigSecret.name "key" $kafka.sasl.jaasConfigSecret.key) }}
{{- end }}
{{- if has $kafka.securityProtocol (list "SSL" "SASL_SSL") }}
{{- with $kafka.truststore }}
{{- if .secret.name }}
{{ include "flagledger.plainEnv" (dict "env" "KAFKA_SSL_TRUSTSTORE_LOCATION" "value" (printf "/etc/flagledger/kafka-truststore/%s" .secret.key)) }}
{{ include "flagledger.plainEnv" (dict "env" "KAFKA_SSL_TRUSTSTORE_TYPE" "value" .type) }}
{{- if .passwordSecret.name }}
{{ include "flagledger.secretEnv" (dict "env" "KAFKA_SSL_TRUSTSTORE_PASSWORD" "name" .passwordSecret.name "key" .passwordSecret.key) }}
{{- end }}
{{- end }}
{{- end }}
{{- with $kafka.keystore }}
{{- if .secret.name }}
{{ include "flagledger.plainEnv" (dict "env" "KAFKA_SSL_KEYSTORE_LOCATION" "value" (printf "/etc/flagledger/kafka-keystore/%s" .secret.key)) }}
{{ include "flagledger.plainEnv" (dict "env" "KAFKA_SSL_KEYSTORE_TYPE" "value" .type) }}
{{- if .passwordSecret.name }}
{{ include "flagledger.secretEnv" (dict "env" "KAFKA_SSL_KEYSTORE_PASSWORD" "name" .passwordSecret.name "key" .passwordSecret.key) }}
{{- end }}
{{- end }}
{{- end }}
{{- end }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_OIDC_ISSUER" "value" $root.Values.oidc.issuer) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_OIDC_ROLE_CLAIM_PATH" "value" $root.Values.oidc.roleClaimPath) }}
{{ include "flagledger.plainEnv" (dict "env" "QUARKUS_OIDC_CLIENT_ID" "value" $svc.oidc.clientId) }}
{{- if $svc.oidc.audience }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_OIDC_AUDIENCE" "value" $svc.oidc.audience) }}
{{- end }}
{{- if $svc.oidc.clientSecret.name }}
{{ include "flagledger.secretEnv" (dict "env" "QUARKUS_OIDC_CREDENTIALS_SECRET" "name" $svc.oidc.clientSecret.name "key" $svc.oidc.clientSecret.key) }}
{{- end }}
{{- include "flagledger.signingEnv" (dict "prefix" "FLAGLEDGER_SIGNING" "key" $svc.signing) }}
{{- include "flagledger.signingEnv" (dict "prefix" "FLAGLEDGER_APPROVAL_TOKEN" "key" $svc.approvalTokenSigning) }}
{{- with $svc.approvalPublicKeys }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_APPROVAL_PUBLIC_KEYS" "value" (join "," .)) }}
{{- end }}
{{- if eq .key "approvalService" }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_PERSON_CLAIM" "value" $root.Values.oidc.personClaim) }}
{{- end }}
{{- with $svc.sdkStreams }}
{{- if not (kindIs "invalid" .maxPerKey) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_SDK_STREAMS_MAX_PER_KEY" "value" (int64 .maxPerKey)) }}
{{- end }}
{{- if not (kindIs "invalid" .maxTotal) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_SDK_STREAMS_MAX_TOTAL" "value" (int64 .maxTotal)) }}
{{- end }}
{{- end }}
{{- if not (kindIs "invalid" $svc.staleRolledOutDays) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_STALE_ROLLED_OUT_DAYS" "value" (int64 $svc.staleRolledOutDays)) }}
{{- end }}
{{- with $svc.console }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_CONSOLE_CLIENT_ID" "value" .clientId) }}
{{- if .clientSecret.name }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_CONSOLE_CLIENT_SECRET" "name" .clientSecret.name "key" .clientSecret.key) }}
{{- end }}
{{- if .stateSecret.name }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_CONSOLE_STATE_SECRET" "name" .stateSecret.name "key" .stateSecret.key) }}
{{- end }}
{{- if .sessionSecret.name }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_CONSOLE_SESSION_SECRET" "name" .sessionSecret.name "key" .sessionSecret.key) }}
{{- end }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_CONSOLE_SECURE_COOKIES" "value" .secureCookies) }}
{{- if .publicUrl }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_CONSOLE_PUBLIC_URL" "value" .publicUrl) }}
{{- end }}
{{- end }}
{{- with $svc.notifications }}
{{- if .webhookUrlSecret.name }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_NOTIFICATIONS_WEBHOOK_URL" "name" .webhookUrlSecret.name "key" .webhookUrlSecret.key) }}
{{- end }}
{{- end }}
{{- with $svc.database.migrationCredentialsSecret }}
{{- if .name }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_DB_MIGRATION_USER" "name" .name "key" .usernameKey) }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_DB_MIGRATION_PASSWORD" "name" .name "key" .passwordKey) }}
{{- end }}
{{- end }}
{{- with $svc.database.appRole }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_DB_APP_ROLE" "value" .) }}
{{- end }}
{{- if not (kindIs "invalid" $svc.batchSize) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_AUDIT_BATCH_SIZE" "value" (int64 $svc.batchSize)) }}
{{- end }}
{{- with $svc.checkpoint }}
{{- if .origin }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_CHECKPOINT_ORIGIN" "value" .origin) }}
{{- end }}
{{- if .keyName }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_CHECKPOINT_KEY_NAME" "value" .keyName) }}
{{- end }}
{{- if .privateKeySecret.name }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_CHECKPOINT_PRIVATE_KEY" "name" .privateKeySecret.name "key" .privateKeySecret.key) }}
{{- end }}
{{- if .previousPublicKeys }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_CHECKPOINT_PREVIOUS_PUBLIC_KEYS" "value" (join "," .previousPublicKeys)) }}
{{- end }}
{{- end }}
{{- with $svc.archive }}
{{- if .enabled }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_ARCHIVE_ENABLED" "value" "true") }}
{{- if not .s3.bucket }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_ARCHIVE_PATH" "value" .filesystem.path) }}
{{- else }}
{{- if .s3.endpoint }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_ARCHIVE_S3_ENDPOINT" "value" .s3.endpoint) }}
{{- end }}
{{- if .s3.region }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_ARCHIVE_S3_REGION" "value" .s3.region) }}
{{- end }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_ARCHIVE_S3_BUCKET" "value" .s3.bucket) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_ARCHIVE_S3_PATH_STYLE" "value" .s3.pathStyle) }}
{{- if .credentialsSecret.name }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_ARCHIVE_S3_ACCESS_KEY_ID" "name" .credentialsSecret.name "key" .credentialsSecret.accessKeyIdKey) }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_ARCHIVE_S3_SECRET_ACCESS_KEY" "name" .credentialsSecret.name "key" .credentialsSecret.secretAccessKeyKey) }}
{{- end }}
{{- end }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_ARCHIVE_OBJECT_LOCK_MODE" "value" .objectLock.mode) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_ARCHIVE_RETENTION_DAYS" "value" (int64 .objectLock.retentionDays)) }}
{{- end }}
{{- end }}
{{- with $svc.siem }}
{{- if .syslog.enabled }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_SIEM_SYSLOG_ENABLED" "value" "true") }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_SIEM_SYSLOG_HOST" "value" .syslog.host) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_SIEM_SYSLOG_PORT" "value" (int64 .syslog.port)) }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_SIEM_SYSLOG_TLS" "value" .syslog.tls) }}
{{- end }}
{{- if .splunk.enabled }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_SIEM_SPLUNK_ENABLED" "value" "true") }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_SIEM_SPLUNK_HEC_URL" "value" .splunk.hecUrl) }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_SIEM_SPLUNK_HEC_TOKEN" "name" .splunk.tokenSecret.name "key" .splunk.tokenSecret.key) }}
{{- end }}
{{- end }}
{{- with $svc.prometheus }}
{{- if .url }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_MONITOR_PROMETHEUS_URL" "value" .url) }}
{{- end }}
{{- end }}
{{- with $svc.alertmanager }}
{{- if .url }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_MONITOR_ALERTMANAGER_URL" "value" .url) }}
{{- end }}
{{- end }}
{{- with $svc.alertLinks }}
{{- if .auditUrl }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_MONITOR_AUDIT_URL" "value" .auditUrl) }}
{{- end }}
{{- if .consoleUrl }}
{{ include "flagledger.plainEnv" (dict "env" "FLAGLEDGER_MONITOR_CONSOLE_URL" "value" .consoleUrl) }}
{{- end }}
{{- end }}
{{- with $svc.webhook }}
{{- if .urlSecret.name }}
{{ include "flagledger.secretEnv" (dict "env" "FLAGLEDGER_MONITOR_WEBHOOK_URL" "name" .urlSecret.name "key" .urlSecret.key) }}
{{- end }}
{{- end }}
{{- range $callee := (index $topology .key).calls }}
{{- if (index $root.Values.services $callee).enabled }}
{{ include "flagledger.plainEnv" (dict "env" (printf "FLAGLEDGER_%s_URL" (snakecase $callee | upper)) "value" (include "flagledger.serviceUrl" (dict "root" $root "key" $callee))) }}
{{- end }}
{{- end }}
{{ include "flagledger.plainEnv" (dict "env" "QUARKUS_LOG_LEVEL" "value" $root.Values.logging.level) }}
{{ include "flagledger.plainEnv" (dict "env" "QUARKUS_LOG_CONSOLE_JSON" "value" $root.Values.logging.json) }}
{{- with $svc.extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* The PVC of audit-service's filesystem archive (archive enabled without a bucket); empty otherwise. */}}
{{- define "flagledger.archiveClaim" -}}
{{- with .svc.archive }}
{{- if and .enabled (not .s3.bucket) }}
{{- .filesystem.existingClaim }}
{{- end }}
{{- end }}
{{- end }}

{{/* Volume mounts of a service container (and of its migration Job). */}}
{{- define "flagledger.volumeMounts" -}}
{{- $kafka := include "flagledger.kafka" . | fromYaml }}
- name: tmp
  mountPath: /tmp
{{- if and (ne (default "service" .mode) "migration") (include "flagledger.applicationProperties" .) }}
- name: config
  mountPath: /deployments/config
  readOnly: true
{{- end }}
{{- if .root.Values.postgresql.caSecret.name }}
- name: postgresql-ca
  mountPath: /etc/flagledger/postgresql-ca
  readOnly: true
{{- end }}
{{- if has $kafka.securityProtocol (list "SSL" "SASL_SSL") }}
{{- if $kafka.truststore.secret.name }}
- name: kafka-truststore
  mountPath: /etc/flagledger/kafka-truststore
  readOnly: true
{{- end }}
{{- if $kafka.keystore.secret.name }}
- name: kafka-keystore
  mountPath: /etc/flagledger/kafka-keystore
  readOnly: true
{{- end }}
{{- end }}
{{- if and (ne (default "service" .mode) "migration") (include "flagledger.archiveClaim" .) }}
- name: archive
  mountPath: {{ .svc.archive.filesystem.path }}
{{- end }}
{{- with .svc.extraVolumeMounts }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Volumes of a service pod (and of its migration Job). */}}
{{- define "flagledger.volumes" -}}
{{- $kafka := include "flagledger.kafka" . | fromYaml }}
- name: tmp
  emptyDir:
    sizeLimit: {{ .root.Values.tmpVolume.sizeLimit }}
    {{- with .root.Values.tmpVolume.medium }}
    medium: {{ . }}
    {{- end }}
{{- if and (ne (default "service" .mode) "migration") (include "flagledger.applicationProperties" .) }}
- name: config
  configMap:
    name: {{ include "flagledger.componentName" . }}
{{- end }}
{{- with .root.Values.postgresql.caSecret }}
{{- if .name }}
- name: postgresql-ca
  secret:
    secretName: {{ .name }}
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end }}
{{- end }}
{{- if has $kafka.securityProtocol (list "SSL" "SASL_SSL") }}
{{- with $kafka.truststore.secret }}
{{- if .name }}
- name: kafka-truststore
  secret:
    secretName: {{ .name }}
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end }}
{{- end }}
{{- with $kafka.keystore.secret }}
{{- if .name }}
- name: kafka-keystore
  secret:
    secretName: {{ .name }}
    items:
      - key: {{ .key }}
        path: {{ .key }}
{{- end }}
{{- end }}
{{- end }}
{{- if and (ne (default "service" .mode) "migration") (include "flagledger.archiveClaim" .) }}
- name: archive
  persistentVolumeClaim:
    claimName: {{ include "flagledger.archiveClaim" . }}
{{- end }}
{{- with .svc.extraVolumes }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Pod-level settings shared by Deployments and migration Jobs. */}}
{{- define "flagledger.podSecurity" -}}
automountServiceAccountToken: false
enableServiceLinks: false
{{- $psc := dict }}
{{- range $k, $v := .root.Values.podSecurityContext }}
{{- if not (kindIs "invalid" $v) }}{{ $_ := set $psc $k $v }}{{ end }}
{{- end }}
securityContext:
  {{- toYaml $psc | nindent 2 }}
{{- with .root.Values.global.imagePullSecrets }}
imagePullSecrets:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- end }}

{{/* The service's application.properties (trusted keys, then applicationProperties); empty when it has none.
     monitor-service and approval-service verify the same producers' events as audit-service (service-common's
     shared flagledger.audit.trusted-keys mapping): without keys of their own they get audit's. */}}
{{- define "flagledger.applicationProperties" -}}
{{- /* One definition of the protected environments, the same lines for every service (values: protection). */}}
{{- with .root.Values.protection }}
flagledger.protection.protected-environments={{ join "," .protectedEnvironments }}
flagledger.protection.default-min-approvers={{ .defaultMinApprovers }}
{{- range $env, $r := .environments }}
{{- if $r.minApprovers }}
flagledger.protection.environments."{{ $env }}".min-approvers={{ $r.minApprovers }}
{{- end }}
{{- if $r.requiredRoles }}
flagledger.protection.environments."{{ $env }}".required-roles={{ join "," $r.requiredRoles }}
{{- end }}
{{- end }}
{{- end }}
{{- $trusted := default dict .svc.trustedKeys }}
{{- if and (has .key (list "monitorService" "approvalService")) (not $trusted) }}
{{- $trusted = default dict .root.Values.services.auditService.trustedKeys }}
{{- end }}
{{- range $id, $k := $trusted }}
flagledger.audit.trusted-keys."{{ $id }}".service={{ $k.service }}
flagledger.audit.trusted-keys."{{ $id }}".public-key={{ $k.publicKey }}
{{- end }}
{{- if and (eq .key "monitorService") .root.Values.kafkaUsers.enabled }}
# kafkaUsers: each application writes service.health.<application> alone (its KafkaUser's ACL); the shared topic is refused
mp.messaging.incoming.service-health.pattern=true
mp.messaging.incoming.service-health.topic=service[.]health[.].+
flagledger.monitor.signals.own-topic-required=true
{{- end }}
{{- range $k, $v := (default dict .svc.applicationProperties) }}
{{ $k }}={{ $v }}
{{- end }}
{{- end }}

{{/* Checks the schema cannot express; each fails with the path of the value to fix. */}}
{{- define "flagledger.validate" -}}
{{- $kafka := include "flagledger.kafka" . | fromYaml }}
{{- $path := printf "services.%s" .key }}
{{- range $env, $r := .root.Values.protection.environments }}
{{- if not (has $env $.root.Values.protection.protectedEnvironments) }}
{{- fail (printf "protection.environments.%s: '%s' is not in protection.protectedEnvironments; protect it there or remove its entry" $env $env) }}
{{- end }}
{{- end }}
{{- if and (hasPrefix "SASL_" $kafka.securityProtocol) (not $kafka.sasl.jaasConfigSecret.name) }}
{{- fail (printf "%s: kafka.securityProtocol is %s, so kafka.sasl.jaasConfigSecret.name must name an existing Secret (set it in kafka.sasl or %s.kafka.sasl)" $path $kafka.securityProtocol $path) }}
{{- end }}
{{- if and $kafka.keystore.secret.name (not (has $kafka.securityProtocol (list "SSL" "SASL_SSL"))) }}
{{- fail (printf "%s: kafka.keystore is set but kafka.securityProtocol is %s; a client certificate needs SSL or SASL_SSL" $path $kafka.securityProtocol) }}
{{- end }}
{{- if and .svc.autoscaling.enabled (gt (int .svc.autoscaling.minReplicas) (int .svc.autoscaling.maxReplicas)) }}
{{- fail (printf "%s.autoscaling: minReplicas (%v) is greater than maxReplicas (%v)" $path .svc.autoscaling.minReplicas .svc.autoscaling.maxReplicas) }}
{{- end }}
{{- range $k, $v := (default dict .svc.applicationProperties) }}
{{- if regexMatch "(?i)(password|secret|token|private[-_.]?key|credential|jaas|webhook[-_.]?url)" $k }}
{{- fail (printf "%s.applicationProperties.%s looks like a credential; the ConfigMap is not the place for it: reference an existing Secret through %s.extraEnv (valueFrom.secretKeyRef)" $path $k $path) }}
{{- end }}
{{- end }}
{{- end }}
