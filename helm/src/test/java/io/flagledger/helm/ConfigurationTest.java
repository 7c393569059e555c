package io.flagledger.helm;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.SecretKeySelector;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/** How values become the environment and files the services read, and that no credential is ever a literal. */
class ConfigurationTest {

    /** Names whose value is a credential: they may only come from a secretKeyRef. */
    static final Pattern CREDENTIAL = Pattern.compile(
            "(?i).*(PASSWORD|_SECRET|PRIVATE_KEY|JAAS_CONFIG|_TOKEN|ACCESS_KEY_ID|SECRET_ACCESS_KEY|WEBHOOK_URL)$");

    @Test
    void theChartCreatesNoSecretAndEveryCredentialIsASecretKeyRef() {
        for (Rendered rendered : List.of(Chart.defaults(), Chart.withHooks(List.of(Chart.PRODUCTION_VALUES), Map.of()))) {
            assertThat(rendered.kinds()).doesNotContain("Secret");
            int credentials = 0;
            for (Map.Entry<String, PodSpec> pod : rendered.podSpecs().entrySet()) {
                for (Container c : pod.getValue().getContainers()) {
                    for (EnvVar var : c.getEnv()) {
                        if (CREDENTIAL.matcher(var.getName()).matches()) {
                            credentials++;
                            assertThat(var.getValue()).as(pod.getKey() + " " + var.getName()).isNull();
                            assertThat(var.getValueFrom()).as(pod.getKey() + " " + var.getName()).isNotNull();
                            assertThat(var.getValueFrom().getSecretKeyRef()).as(var.getName()).isNotNull();
                        }
                    }
                }
            }
            assertThat(credentials).isPositive();
        }
    }

    @Test
    void theProductionCredentialsComeFromTheNamedSecrets() {
        Rendered p = Chart.production();
        assertThat(secretRef(p, "flag-api", "FLAGLEDGER_DB_PASSWORD")).isEqualTo("flagledger-flag-api-db/password");
        assertThat(secretRef(p, "flag-api", "FLAGLEDGER_SIGNING_PRIVATE_KEY")).isEqualTo("flagledger-flag-api-signing/private-key");
        assertThat(secretRef(p, "approval-service", "QUARKUS_OIDC_CREDENTIALS_SECRET"))
                .isEqualTo("flagledger-approval-service-oidc/client-secret");
        assertThat(secretRef(p, "monitor-service", "QUARKUS_OIDC_CREDENTIALS_SECRET"))
                .isEqualTo("flagledger-monitor-service-oidc/client-secret");
        assertThat(secretRef(p, "approval-service", "FLAGLEDGER_APPROVAL_TOKEN_PRIVATE_KEY"))
                .isEqualTo("flagledger-approval-token-signing/private-key");
        assertThat(secretRef(p, "audit-service", "FLAGLEDGER_CHECKPOINT_PRIVATE_KEY"))
                .isEqualTo("flagledger-audit-checkpoint-signing/private-key");
        assertThat(secretRef(p, "audit-service", "FLAGLEDGER_ARCHIVE_S3_SECRET_ACCESS_KEY"))
                .isEqualTo("flagledger-archive-s3/secret-access-key");
        assertThat(secretRef(p, "audit-service", "FLAGLEDGER_SIEM_SPLUNK_HEC_TOKEN")).isEqualTo("flagledger-splunk-hec/hec-token");
        // Each service authenticates to Kafka as its own user (services.<name>.kafka overrides kafka).
        for (String component : List.of("flag-api", "approval-service", "audit-service", "monitor-service")) {
            assertThat(secretRef(p, component, "KAFKA_SASL_JAAS_CONFIG"))
                    .isEqualTo("flagledger-" + component + "-kafka/sasl.jaas.config");
            assertThat(secretRef(p, component, "KAFKA_SSL_TRUSTSTORE_PASSWORD")).isEqualTo("events-cluster-ca-cert/ca.password");
        }
    }

    private static String secretRef(Rendered rendered, String component, String env) {
        EnvVar var = rendered.env(component).get(env);
        assertThat(var).as(component + " " + env).isNotNull();
        SecretKeySelector ref = var.getValueFrom().getSecretKeyRef();
        return ref.getName() + "/" + ref.getKey();
    }

    @Test
    void theServicesGetTheEnvironmentTheyReadToday() {
        Rendered d = Chart.defaults();
        Map<String, String> databases = Map.of("flag-api", "flagledger_flag_api", "approval-service", "flagledger_approval",
                "audit-service", "flagledger_audit", "monitor-service", "flagledger_monitor");
        Map<String, Integer> ports = Map.of("flag-api", 8081, "approval-service", 8082, "audit-service", 8083,
                "monitor-service", 8084);
        databases.forEach((component, database) -> {
            assertThat(d.envValue(component, "FLAGLEDGER_DB_REACTIVE_URL"))
                    .isEqualTo("postgresql://flagledger-pg-rw.postgres.svc:5432/" + database + "?sslmode=prefer");
            assertThat(d.envValue(component, "FLAGLEDGER_DB_JDBC_URL"))
                    .isEqualTo("jdbc:postgresql://flagledger-pg-rw.postgres.svc:5432/" + database + "?sslmode=prefer");
            assertThat(d.env(component)).containsKeys("FLAGLEDGER_DB_USER", "FLAGLEDGER_DB_PASSWORD");
            assertThat(d.envValue(component, "FLAGLEDGER_KAFKA_BOOTSTRAP")).isEqualTo("flagledger-kafka-bootstrap.kafka.svc:9092");
            assertThat(d.envValue(component, "FLAGLEDGER_OIDC_ISSUER")).isEqualTo("http://keycloak.keycloak.svc:8080/realms/flagledger");
            assertThat(d.envValue(component, "FLAGLEDGER_OIDC_ROLE_CLAIM_PATH")).isEqualTo("realm_access/roles");
            assertThat(d.envValue(component, "QUARKUS_OIDC_CLIENT_ID")).isEqualTo(component);
            assertThat(d.envValue(component, "QUARKUS_HTTP_PORT")).isEqualTo(String.valueOf(ports.get(component)));
            assertThat(d.container(component).getPorts().get(0).getContainerPort()).isEqualTo(ports.get(component));
        });
        assertThat(d.envValue("flag-api", "FLAGLEDGER_OIDC_AUDIENCE")).isEqualTo("flag-api");
        assertThat(d.envValue("audit-service", "FLAGLEDGER_OIDC_AUDIENCE")).isEqualTo("audit-service");
        assertThat(d.env("approval-service")).doesNotContainKey("FLAGLEDGER_OIDC_AUDIENCE");
        assertThat(d.envValue("flag-api", "FLAGLEDGER_SIGNING_KEY_ID")).isEqualTo("flag-api-1");
        assertThat(d.env("flag-api")).containsKey("FLAGLEDGER_SIGNING_PRIVATE_KEY");
        // Blocks left empty render nothing.
        assertThat(d.env("audit-service")).doesNotContainKeys("FLAGLEDGER_SIGNING_KEY_ID", "FLAGLEDGER_ARCHIVE_ENABLED",
                "FLAGLEDGER_SIEM_SYSLOG_ENABLED", "FLAGLEDGER_CHECKPOINT_PRIVATE_KEY", "FLAGLEDGER_CHECKPOINT_ORIGIN",
                "KAFKA_SASL_JAAS_CONFIG");
    }

    @Test
    void kafkaSaslAndTlsBecomeKafkaClientSettings() {
        Rendered p = Chart.production();
        Map<String, EnvVar> env = p.env("audit-service");
        assertThat(env.get("KAFKA_SECURITY_PROTOCOL").getValue()).isEqualTo("SASL_SSL");
        assertThat(env.get("KAFKA_SASL_MECHANISM").getValue()).isEqualTo("SCRAM-SHA-512");
        assertThat(env.get("KAFKA_SSL_TRUSTSTORE_TYPE").getValue()).isEqualTo("PKCS12");
        String location = env.get("KAFKA_SSL_TRUSTSTORE_LOCATION").getValue();
        assertThat(location).isEqualTo("/etc/flagledger/kafka-truststore/ca.p12");
        assertMountedFromSecret(p.deployment("audit-service"), location, "events-cluster-ca-cert", "ca.p12");

        // mTLS instead of SASL, for one service only.
        Rendered mtls = Chart.render(Map.of(
                "services.flagApi.kafka.securityProtocol", "SSL",
                "services.flagApi.kafka.keystore.secret.name", "flag-api-kafka-user",
                "services.flagApi.kafka.keystore.passwordSecret.name", "flag-api-kafka-user"));
        Map<String, EnvVar> flagApi = mtls.env("flag-api");
        assertThat(flagApi.get("KAFKA_SECURITY_PROTOCOL").getValue()).isEqualTo("SSL");
        assertThat(flagApi.get("KAFKA_SSL_KEYSTORE_LOCATION").getValue()).isEqualTo("/etc/flagledger/kafka-keystore/user.p12");
        assertThat(flagApi.get("KAFKA_SSL_KEYSTORE_PASSWORD").getValueFrom().getSecretKeyRef().getKey()).isEqualTo("user.password");
        assertThat(flagApi).doesNotContainKey("KAFKA_SASL_JAAS_CONFIG");
        assertMountedFromSecret(mtls.deployment("flag-api"), "/etc/flagledger/kafka-keystore/user.p12", "flag-api-kafka-user", "user.p12");
        assertThat(mtls.envValue("audit-service", "KAFKA_SECURITY_PROTOCOL")).isEqualTo("PLAINTEXT");
        assertThat(mtls.env("audit-service")).doesNotContainKey("KAFKA_SSL_KEYSTORE_LOCATION");
    }

    @Test
    void postgresqlTlsVerifiesTheServerAgainstTheMountedCa() {
        Rendered p = Chart.production();
        assertThat(p.envValue("flag-api", "FLAGLEDGER_DB_JDBC_URL")).isEqualTo(
                "jdbc:postgresql://flagledger-pg-rw.databases.svc:5432/flagledger_flag_api"
                        + "?sslmode=verify-full&sslrootcert=/etc/flagledger/postgresql-ca/ca.crt");
        // Vert.x would send unknown URL parameters to the server as session settings: only sslmode there.
        assertThat(p.envValue("flag-api", "FLAGLEDGER_DB_REACTIVE_URL")).isEqualTo(
                "postgresql://flagledger-pg-rw.databases.svc:5432/flagledger_flag_api?sslmode=verify-full");
        assertThat(p.envValue("flag-api", "QUARKUS_DATASOURCE_REACTIVE_TRUST_CERTIFICATE_PEM_CERTS"))
                .isEqualTo("/etc/flagledger/postgresql-ca/ca.crt");
        assertThat(p.envValue("flag-api", "QUARKUS_DATASOURCE_REACTIVE_HOSTNAME_VERIFICATION_ALGORITHM")).isEqualTo("HTTPS");
        assertMountedFromSecret(p.deployment("flag-api"), "/etc/flagledger/postgresql-ca/ca.crt", "flagledger-pg-ca", "ca.crt");
    }

    /** The file at path in the pod's container comes from key of an existing Secret, read-only. */
    private static void assertMountedFromSecret(Deployment deployment, String path, String secret, String key) {
        PodSpec spec = deployment.getSpec().getTemplate().getSpec();
        VolumeMount mount = spec.getContainers().get(0).getVolumeMounts().stream()
                .filter(m -> path.startsWith(m.getMountPath() + "/")).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + path));
        assertThat(mount.getReadOnly()).isTrue();
        Volume volume = spec.getVolumes().stream().filter(v -> v.getName().equals(mount.getName())).findFirst().orElseThrow();
        assertThat(volume.getSecret().getSecretName()).isEqualTo(secret);
        assertThat(volume.getSecret().getItems()).anySatisfy(item -> {
            assertThat(item.getKey()).isEqualTo(key);
            assertThat(mount.getMountPath() + "/" + item.getPath()).isEqualTo(path);
        });
    }

    @Test
    void auditTrustedKeysAreAnApplicationPropertiesFileMountedWhereQuarkusReadsIt() {
        Rendered p = Chart.production();
        ConfigMap config = p.ofType(ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().equals("flagledger-audit-service")).findFirst().orElseThrow();
        String properties = config.getData().get("application.properties");
        assertThat(properties).contains(
                "flagledger.audit.trusted-keys.\"flag-api-2026\".service=flag-api\n",
                "flagledger.audit.trusted-keys.\"flag-api-2026\".public-key="
                        + "MCowBQYDK2VwAyEAo46meoGqTO5gYaRPJg2ZX8jQ/d/8FPqSDuVhHkl60uw=\n",
                "flagledger.audit.trusted-keys.\"monitor-service-2026\".service=monitor-service\n",
                "quarkus.log.category.\"io.flagledger.audit\".level=INFO");
        PodSpec pod = p.deployment("audit-service").getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getVolumeMounts())
                .anySatisfy(m -> {
                    assertThat(m.getMountPath()).isEqualTo("/deployments/config");
                    assertThat(pod.getVolumes()).anySatisfy(v -> {
                        assertThat(v.getName()).isEqualTo(m.getName());
                        assertThat(v.getConfigMap().getName()).isEqualTo("flagledger-audit-service");
                    });
                });
        // flag-api's ConfigMap carries no keys, only the protected environments every service gets (see below).
        assertThat(p.ofType(ConfigMap.class)).extracting(c -> c.getMetadata().getName())
                .containsExactlyInAnyOrder("flagledger-flag-api", "flagledger-audit-service", "flagledger-monitor-service",
                        "flagledger-approval-service");
        assertThat(keyLines(configMap(p, "flagledger-flag-api"))).isEmpty();
    }

    @Test
    void everyServiceGetsTheSameOneDefinitionOfTheProtectedEnvironments() {
        Rendered defaults = Chart.defaults();
        for (String service : List.of("flag-api", "approval-service", "monitor-service", "audit-service")) {
            assertThat(protectionLines(configMap(defaults, "flagledger-" + service))).as(service).containsExactly(
                    "flagledger.protection.default-min-approvers=2",
                    "flagledger.protection.protected-environments=production");
            assertThat(defaults.deployment(service).getSpec().getTemplate().getSpec().getVolumes()).as(service)
                    .anyMatch(v -> v.getConfigMap() != null && v.getConfigMap().getName().equals("flagledger-" + service));
        }
        Rendered strict = Chart.render(Map.of("protection.protectedEnvironments[0]", "production",
                "protection.protectedEnvironments[1]", "staging",
                "protection.environments.production.minApprovers", 3,
                "protection.environments.production.requiredRoles[0]", "security-approver",
                "protection.environments.production.requiredRoles[1]", "product-approver"));
        List<String> expected = List.of(
                "flagledger.protection.default-min-approvers=2",
                "flagledger.protection.environments.\"production\".min-approvers=3",
                "flagledger.protection.environments.\"production\".required-roles=security-approver,product-approver",
                "flagledger.protection.protected-environments=production,staging");
        for (String service : List.of("flag-api", "approval-service", "monitor-service")) {
            assertThat(protectionLines(configMap(strict, "flagledger-" + service))).as(service).isEqualTo(expected);
        }
        // a change of protection rolls every service's pods, so none keeps the old definition
        assertThat(strict.deployment("flag-api").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config"))
                .isNotEqualTo(defaults.deployment("flag-api").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config"));
    }

    private static List<String> protectionLines(String properties) {
        return properties.lines().filter(l -> l.startsWith("flagledger.protection.")).sorted().toList();
    }

    @Test
    void monitorVerifiesEventsWithTheAuditServicesTrustedKeysUnlessGivenItsOwn() {
        Rendered p = Chart.production();
        String audit = configMap(p, "flagledger-audit-service");
        String monitor = configMap(p, "flagledger-monitor-service");
        assertThat(monitor).contains(
                "flagledger.audit.trusted-keys.\"flag-api-2026\".service=flag-api\n",
                "flagledger.audit.trusted-keys.\"flag-api-2026\".public-key="
                        + "MCowBQYDK2VwAyEAo46meoGqTO5gYaRPJg2ZX8jQ/d/8FPqSDuVhHkl60uw=\n",
                "flagledger.audit.trusted-keys.\"approval-service-2026\".service=approval-service\n");
        assertThat(keyLines(monitor)).isEqualTo(keyLines(audit));
        PodSpec pod = p.deployment("monitor-service").getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/deployments/config");
            assertThat(pod.getVolumes()).anySatisfy(v -> {
                assertThat(v.getName()).isEqualTo(m.getName());
                assertThat(v.getConfigMap().getName()).isEqualTo("flagledger-monitor-service");
            });
        });
        // A rotation in audit-service's list rolls the monitor pods too: they must trust the new key at once.
        String before = p.deployment("monitor-service").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
        Rendered rotated = Chart.renderProduction(Map.of("services.auditService.trustedKeys.flag-api-2027.service", "flag-api",
                "services.auditService.trustedKeys.flag-api-2027.publicKey", "MCowBQYDK2VwAyEAcANdvskaY5J19K0ur5q2cVWGEpksByBx2XgFxYfMHRc="));
        assertThat(configMap(rotated, "flagledger-monitor-service")).contains("flagledger.audit.trusted-keys.\"flag-api-2027\".service=flag-api\n");
        assertThat(rotated.deployment("monitor-service").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config"))
                .isNotBlank().isNotEqualTo(before);

        // Keys of its own replace audit-service's.
        Rendered own = Chart.renderProduction(Map.of("services.monitorService.trustedKeys.flag-api-own.service", "flag-api",
                "services.monitorService.trustedKeys.flag-api-own.publicKey", "MCowBQYDK2VwAyEAcANdvskaY5J19K0ur5q2cVWGEpksByBx2XgFxYfMHRc="));
        assertThat(keyLines(configMap(own, "flagledger-monitor-service"))).containsExactly(
                "flagledger.audit.trusted-keys.\"flag-api-own\".public-key=MCowBQYDK2VwAyEAcANdvskaY5J19K0ur5q2cVWGEpksByBx2XgFxYfMHRc=",
                "flagledger.audit.trusted-keys.\"flag-api-own\".service=flag-api");
        assertThat(configMap(own, "flagledger-audit-service")).contains("\"flag-api-2026\"").doesNotContain("flag-api-own");
    }

    @Test
    void approvalServiceVerifiesFlagChangesWithTheAuditServicesTrustedKeysUnlessGivenItsOwn() {
        Rendered p = Chart.production();
        String approval = configMap(p, "flagledger-approval-service");
        assertThat(approval).contains("flagledger.audit.trusted-keys.\"flag-api-2026\".service=flag-api\n");
        assertThat(keyLines(approval)).isEqualTo(keyLines(configMap(p, "flagledger-audit-service")));
        PodSpec pod = p.deployment("approval-service").getSpec().getTemplate().getSpec();
        assertThat(pod.getContainers().get(0).getVolumeMounts()).anySatisfy(m -> {
            assertThat(m.getMountPath()).isEqualTo("/deployments/config");
            assertThat(pod.getVolumes()).anySatisfy(v -> {
                assertThat(v.getName()).isEqualTo(m.getName());
                assertThat(v.getConfigMap().getName()).isEqualTo("flagledger-approval-service");
            });
        });
        Rendered own = Chart.renderProduction(Map.of("services.approvalService.trustedKeys.flag-api-own.service", "flag-api",
                "services.approvalService.trustedKeys.flag-api-own.publicKey", "MCowBQYDK2VwAyEAcANdvskaY5J19K0ur5q2cVWGEpksByBx2XgFxYfMHRc="));
        assertThat(keyLines(configMap(own, "flagledger-approval-service"))).containsExactly(
                "flagledger.audit.trusted-keys.\"flag-api-own\".public-key=MCowBQYDK2VwAyEAcANdvskaY5J19K0ur5q2cVWGEpksByBx2XgFxYfMHRc=",
                "flagledger.audit.trusted-keys.\"flag-api-own\".service=flag-api");
    }

    private static String configMap(Rendered rendered, String name) {
        return rendered.ofType(ConfigMap.class).stream().filter(c -> c.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no ConfigMap " + name)).getData().get("application.properties");
    }

    private static List<String> keyLines(String properties) {
        return properties.lines().filter(l -> l.startsWith("flagledger.audit.trusted-keys.")).sorted().toList();
    }

    @Test
    void changingATrustedKeyRollsTheAuditPods() {
        String before = Chart.production().deployment("audit-service").getSpec().getTemplate().getMetadata()
                .getAnnotations().get("checksum/config");
        Rendered rotated = Chart.renderProduction(Map.of("services.auditService.trustedKeys.flag-api-2027.service", "flag-api",
                "services.auditService.trustedKeys.flag-api-2027.publicKey", "MCowBQYDK2VwAyEAcANdvskaY5J19K0ur5q2cVWGEpksByBx2XgFxYfMHRc="));
        String after = rotated.deployment("audit-service").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config");
        assertThat(after).isNotBlank().isNotEqualTo(before);
        assertThat(rotated.deployment("flag-api").getSpec().getTemplate().getMetadata().getAnnotations().get("checksum/config"))
                .isEqualTo(Chart.production().deployment("flag-api").getSpec().getTemplate().getMetadata().getAnnotations()
                        .get("checksum/config"));
    }

    @Test
    void settingsForUpcomingFeaturesAreRendered() {
        Rendered p = Chart.production();
        assertThat(values(p, "audit-service")).contains(
                entry("FLAGLEDGER_CHECKPOINT_ORIGIN", "flagledger.acme.example/audit"),
                entry("FLAGLEDGER_CHECKPOINT_KEY_NAME", "flagledger.acme.example/audit-2026"),
                entry("FLAGLEDGER_CHECKPOINT_PREVIOUS_PUBLIC_KEYS",
                        "flagledger.acme.example/audit-2025+a12a5872+AYpTQD30F2SKL7IHTWZefof1Lds7yAazGZnAjje/5EYX"),
                entry("FLAGLEDGER_ARCHIVE_ENABLED", "true"),
                entry("FLAGLEDGER_ARCHIVE_S3_ENDPOINT", "https://s3.eu-central-1.amazonaws.com"),
                entry("FLAGLEDGER_ARCHIVE_S3_REGION", "eu-central-1"),
                entry("FLAGLEDGER_ARCHIVE_S3_BUCKET", "acme-flagledger-ledger-archive"),
                entry("FLAGLEDGER_ARCHIVE_S3_PATH_STYLE", "false"),
                entry("FLAGLEDGER_ARCHIVE_OBJECT_LOCK_MODE", "COMPLIANCE"),
                entry("FLAGLEDGER_ARCHIVE_RETENTION_DAYS", "2557"),
                entry("FLAGLEDGER_SIEM_SYSLOG_ENABLED", "true"),
                entry("FLAGLEDGER_SIEM_SYSLOG_HOST", "siem.example.com"),
                entry("FLAGLEDGER_SIEM_SYSLOG_PORT", "6514"),
                entry("FLAGLEDGER_SIEM_SYSLOG_TLS", "true"),
                entry("FLAGLEDGER_SIEM_SPLUNK_ENABLED", "true"),
                entry("FLAGLEDGER_SIEM_SPLUNK_HEC_URL", "https://splunk.example.com:8088/services/collector"));
        assertThat(p.env("audit-service")).containsKeys("FLAGLEDGER_CHECKPOINT_PRIVATE_KEY",
                "FLAGLEDGER_ARCHIVE_S3_ACCESS_KEY_ID", "FLAGLEDGER_SIEM_SPLUNK_HEC_TOKEN");
        assertThat(values(p, "monitor-service")).contains(
                entry("FLAGLEDGER_MONITOR_PROMETHEUS_URL", "http://kube-prometheus-stack-prometheus.monitoring.svc:9090"),
                entry("FLAGLEDGER_MONITOR_ALERTMANAGER_URL", "http://kube-prometheus-stack-alertmanager.monitoring.svc:9093"),
                entry("FLAGLEDGER_FLAG_API_URL", "http://flagledger-flag-api.flagledger.svc:8081"));
        assertThat(values(p, "approval-service")).contains(
                entry("FLAGLEDGER_APPROVAL_TOKEN_KEY_ID", "approval-token-2026"),
                entry("FLAGLEDGER_FLAG_API_URL", "http://flagledger-flag-api.flagledger.svc:8081"),
                entry("FLAGLEDGER_AUDIT_SERVICE_URL", "http://flagledger-audit-service.flagledger.svc:8083"));
        // Only the service a setting belongs to receives it.
        assertThat(p.env("flag-api")).doesNotContainKeys("FLAGLEDGER_MONITOR_PROMETHEUS_URL", "FLAGLEDGER_ARCHIVE_ENABLED",
                "FLAGLEDGER_APPROVAL_TOKEN_KEY_ID", "FLAGLEDGER_FLAG_API_URL");
    }

    @Test
    void flagApiTrustsTheApprovalTokenKeysAndTakesTheStaleThreshold() {
        Rendered p = Chart.production();
        assertThat(values(p, "flag-api")).contains(
                entry("FLAGLEDGER_APPROVAL_PUBLIC_KEYS",
                        "approval-token-2025:MCowBQYDK2VwAyEA09A7RylvScDbtOmcgwtUiIrv7n1OjIABKu8X9j7Zq6s=,"
                                + "approval-token-2026:MCowBQYDK2VwAyEAXVFaZN1C42LUluT3pPbhjU9Cb3n90EnQoI0bWbU9eQw="),
                entry("FLAGLEDGER_STALE_ROLLED_OUT_DAYS", "45"));
        // Unset, the service's defaults apply; and only flag-api receives them.
        assertThat(Chart.defaults().env("flag-api")).doesNotContainKeys("FLAGLEDGER_APPROVAL_PUBLIC_KEYS",
                "FLAGLEDGER_STALE_ROLLED_OUT_DAYS");
        for (String other : List.of("approval-service", "audit-service", "monitor-service")) {
            assertThat(p.env(other)).as(other).doesNotContainKeys("FLAGLEDGER_APPROVAL_PUBLIC_KEYS",
                    "FLAGLEDGER_STALE_ROLLED_OUT_DAYS");
        }
        Rendered one = Chart.render(Map.of("services.flagApi.approvalPublicKeys[0]",
                "approval-token-1:MCowBQYDK2VwAyEAXVFaZN1C42LUluT3pPbhjU9Cb3n90EnQoI0bWbU9eQw="));
        assertThat(one.envValue("flag-api", "FLAGLEDGER_APPROVAL_PUBLIC_KEYS"))
                .isEqualTo("approval-token-1:MCowBQYDK2VwAyEAXVFaZN1C42LUluT3pPbhjU9Cb3n90EnQoI0bWbU9eQw=");
    }

    @Test
    void thePersonClaimGoesToApprovalServiceAndStreamLimitsToFlagApi() {
        Rendered defaults = Chart.defaults();
        assertThat(defaults.envValue("approval-service", "FLAGLEDGER_PERSON_CLAIM")).isEqualTo("email");
        assertThat(defaults.env("flag-api")).doesNotContainKeys("FLAGLEDGER_PERSON_CLAIM",
                "FLAGLEDGER_SDK_STREAMS_MAX_PER_KEY", "FLAGLEDGER_SDK_STREAMS_MAX_TOTAL");
        Rendered set = Chart.render(Map.of("oidc.personClaim", "employeeid",
                "services.flagApi.sdkStreams.maxPerKey", 500, "services.flagApi.sdkStreams.maxTotal", 20000));
        assertThat(set.envValue("approval-service", "FLAGLEDGER_PERSON_CLAIM")).isEqualTo("employeeid");
        assertThat(values(set, "flag-api")).contains(entry("FLAGLEDGER_SDK_STREAMS_MAX_PER_KEY", "500"),
                entry("FLAGLEDGER_SDK_STREAMS_MAX_TOTAL", "20000"));
        for (String other : List.of("flag-api", "audit-service", "monitor-service")) {
            assertThat(set.env(other)).as(other).doesNotContainKey("FLAGLEDGER_PERSON_CLAIM");
        }
        for (String other : List.of("approval-service", "audit-service", "monitor-service")) {
            assertThat(set.env(other)).as(other).doesNotContainKeys("FLAGLEDGER_SDK_STREAMS_MAX_PER_KEY",
                    "FLAGLEDGER_SDK_STREAMS_MAX_TOTAL");
        }
    }

    @Test
    void theConsoleAndNotificationsOfApprovalServiceAreWiredWithTheirSecretsFromSecrets() {
        Rendered p = Chart.production();
        assertThat(values(p, "approval-service")).contains(
                entry("FLAGLEDGER_CONSOLE_CLIENT_ID", "flagledger-console"),
                entry("FLAGLEDGER_CONSOLE_SECURE_COOKIES", "true"),
                entry("FLAGLEDGER_CONSOLE_PUBLIC_URL", "https://flagledger.acme.example"));
        assertThat(secretRef(p, "approval-service", "FLAGLEDGER_CONSOLE_CLIENT_SECRET")).isEqualTo("flagledger-console-oidc/client-secret");
        assertThat(secretRef(p, "approval-service", "FLAGLEDGER_CONSOLE_STATE_SECRET")).isEqualTo("flagledger-console-cookies/state-secret");
        assertThat(secretRef(p, "approval-service", "FLAGLEDGER_CONSOLE_SESSION_SECRET"))
                .isEqualTo("flagledger-console-cookies/session-secret");
        assertThat(secretRef(p, "approval-service", "FLAGLEDGER_NOTIFICATIONS_WEBHOOK_URL")).isEqualTo("flagledger-chat-webhook/webhook-url");
        // Defaults: the console client id and secure cookies, no Secret referenced, nothing for other services.
        Rendered d = Chart.defaults();
        assertThat(values(d, "approval-service")).contains(entry("FLAGLEDGER_CONSOLE_CLIENT_ID", "flagledger-console"),
                entry("FLAGLEDGER_CONSOLE_SECURE_COOKIES", "true"));
        assertThat(d.env("approval-service")).doesNotContainKeys("FLAGLEDGER_CONSOLE_CLIENT_SECRET", "FLAGLEDGER_CONSOLE_STATE_SECRET",
                "FLAGLEDGER_CONSOLE_SESSION_SECRET", "FLAGLEDGER_CONSOLE_PUBLIC_URL", "FLAGLEDGER_NOTIFICATIONS_WEBHOOK_URL");
        assertThat(p.env("flag-api")).doesNotContainKeys("FLAGLEDGER_CONSOLE_CLIENT_ID", "FLAGLEDGER_NOTIFICATIONS_WEBHOOK_URL");
        // Plain HTTP for a laptop cluster.
        assertThat(Chart.render(Map.of("services.approvalService.console.secureCookies", false))
                .envValue("approval-service", "FLAGLEDGER_CONSOLE_SECURE_COOKIES")).isEqualTo("false");
    }

    @Test
    void monitorServiceGetsItsUrlsAndItsWebhookFromASecret() {
        Rendered d = Chart.defaults();
        assertThat(values(d, "monitor-service")).contains(
                entry("FLAGLEDGER_MONITOR_PROMETHEUS_URL", "http://prometheus-operated.monitoring.svc:9090"),
                entry("FLAGLEDGER_MONITOR_ALERTMANAGER_URL", "http://alertmanager-operated.monitoring.svc:9093"),
                entry("FLAGLEDGER_FLAG_API_URL", "http://flagledger-flag-api.flagledger.svc:8081"));
        assertThat(d.env("monitor-service")).doesNotContainKey("FLAGLEDGER_MONITOR_WEBHOOK_URL");
        Rendered p = Chart.production();
        assertThat(secretRef(p, "monitor-service", "FLAGLEDGER_MONITOR_WEBHOOK_URL")).isEqualTo("flagledger-monitor-webhook/webhook-url");
        assertThat(secretRef(p, "monitor-service", "QUARKUS_OIDC_CREDENTIALS_SECRET"))
                .isEqualTo("flagledger-monitor-service-oidc/client-secret");
        // Rule modes are Quarkus properties: they go to the ConfigMap.
        Rendered rules = Chart.render(Map.of("services.monitorService.applicationProperties.flagledger\\.monitor\\.rules\\.error-spike\\.mode", "alert"));
        ConfigMap config = rules.ofType(ConfigMap.class).stream()
                .filter(c -> c.getMetadata().getName().equals("flagledger-monitor-service")).findFirst().orElseThrow();
        assertThat(config.getData().get("application.properties")).contains("flagledger.monitor.rules.error-spike.mode=alert");
    }

    @Test
    void theFilesystemArchiveWritesToTheNamedClaimMountedAtItsPath() {
        Rendered fs = Chart.render(Map.of("services.auditService.archive.enabled", true,
                "services.auditService.archive.filesystem.existingClaim", "ledger-archive"));
        assertThat(values(fs, "audit-service")).contains(entry("FLAGLEDGER_ARCHIVE_ENABLED", "true"),
                entry("FLAGLEDGER_ARCHIVE_PATH", "/var/lib/flagledger/archive"),
                entry("FLAGLEDGER_ARCHIVE_OBJECT_LOCK_MODE", "COMPLIANCE"));
        assertThat(fs.env("audit-service")).doesNotContainKeys("FLAGLEDGER_ARCHIVE_S3_BUCKET", "FLAGLEDGER_ARCHIVE_S3_ACCESS_KEY_ID");
        PodSpec pod = fs.deployment("audit-service").getSpec().getTemplate().getSpec();
        VolumeMount mount = pod.getContainers().get(0).getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals("/var/lib/flagledger/archive")).findFirst().orElseThrow();
        assertThat(mount.getReadOnly()).isNotEqualTo(Boolean.TRUE);
        assertThat(pod.getVolumes()).anySatisfy(v -> {
            assertThat(v.getName()).isEqualTo(mount.getName());
            assertThat(v.getPersistentVolumeClaim().getClaimName()).isEqualTo("ledger-archive");
        });
        // With a bucket the archive is S3: no path, no volume.
        Rendered s3 = Chart.production();
        assertThat(s3.env("audit-service")).doesNotContainKey("FLAGLEDGER_ARCHIVE_PATH");
        assertThat(s3.deployment("audit-service").getSpec().getTemplate().getSpec().getVolumes())
                .noneMatch(v -> v.getPersistentVolumeClaim() != null);
    }

    @Test
    void auditMigrationsRunAsTheSchemaOwnerAndTheServiceAsTheWriterRole() {
        Rendered p = Chart.production();
        assertThat(secretRef(p, "audit-service", "FLAGLEDGER_DB_MIGRATION_USER")).isEqualTo("flagledger-audit-service-db-owner/username");
        assertThat(secretRef(p, "audit-service", "FLAGLEDGER_DB_MIGRATION_PASSWORD")).isEqualTo("flagledger-audit-service-db-owner/password");
        assertThat(secretRef(p, "audit-service", "FLAGLEDGER_DB_PASSWORD")).isEqualTo("flagledger-audit-service-db/password");
        assertThat(values(p, "audit-service")).contains(entry("FLAGLEDGER_DB_APP_ROLE", "flagledger_audit_writer"));
        // The migration Job (mode job) migrates as the owner too.
        Rendered jobs = Chart.withHooks(List.of(Chart.PRODUCTION_VALUES), Map.of("migration.mode", "job"));
        assertThat(jobs.podSpecs().entrySet()).anySatisfy(e -> {
            assertThat(e.getKey()).contains("audit-service-migrat");
            assertThat(Rendered.envOf(e.getValue().getContainers().get(0))).containsKeys("FLAGLEDGER_DB_MIGRATION_USER",
                    "FLAGLEDGER_DB_MIGRATION_PASSWORD", "FLAGLEDGER_DB_APP_ROLE");
        });
        assertThat(Chart.defaults().env("audit-service")).doesNotContainKeys("FLAGLEDGER_DB_MIGRATION_USER",
                "FLAGLEDGER_DB_APP_ROLE", "FLAGLEDGER_AUDIT_BATCH_SIZE");
        assertThat(p.env("flag-api")).doesNotContainKeys("FLAGLEDGER_DB_MIGRATION_USER", "FLAGLEDGER_AUDIT_BATCH_SIZE");
        assertThat(Chart.render(Map.of("services.auditService.batchSize", 1000)).envValue("audit-service", "FLAGLEDGER_AUDIT_BATCH_SIZE"))
                .isEqualTo("1000");
    }

    private static Map<String, String> values(Rendered rendered, String component) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        rendered.env(component).forEach((name, var) -> {
            if (var.getValue() != null) {
                values.put(name, var.getValue());
            }
        });
        return values;
    }

    @Test
    void noRenderedTextCarriesAKnownCredentialShape() {
        for (Rendered rendered : List.of(Chart.defaults(), Chart.production())) {
            assertThat(rendered.yaml).doesNotContainPattern("(?i)BEGIN [A-Z ]*PRIVATE KEY")
                    .doesNotContainPattern("(?i)password\\s*=")
                    .doesNotContainPattern("(?i)ScramLoginModule required");
            for (ConfigMap config : rendered.ofType(ConfigMap.class)) {
                config.getData().values().forEach(text -> assertThat(text.lines())
                        .noneMatch(line -> CREDENTIAL.matcher(line.split("=", 2)[0].replace('-', '_').replace('.', '_')).matches()));
            }
        }
    }

    @Test
    void everyObjectCarriesTheReleaseLabels() {
        for (HasMetadata object : Chart.production().objects) {
            assertThat(object.getMetadata().getLabels()).as(object.getKind() + "/" + object.getMetadata().getName())
                    .containsEntry("app.kubernetes.io/instance", "flagledger")
                    .containsEntry("app.kubernetes.io/part-of", "flagledger")
                    .containsEntry("app.kubernetes.io/managed-by", "Helm")
                    .containsKey("helm.sh/chart");
            assertThat(object.getMetadata().getNamespace()).isIn("flagledger", "kafka");
        }
        Set<String> namespaces = new java.util.HashSet<>();
        Chart.production().objects.forEach(o -> namespaces.add(o.getMetadata().getNamespace()));
        assertThat(namespaces).containsExactlyInAnyOrder("flagledger", "kafka");
    }
}
