package io.flagledger.helm;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Wrong values are refused before anything is rendered, with the path of the value and what is wrong with it:
 * values.schema.json for types and required settings, the templates for what JSON Schema cannot express.
 */
class SchemaValidationTest {

    static final String SCHEMA_PREFIX = "values don't meet the specifications of the schema(s)";

    static Stream<Arguments> schemaRejections() {
        return Stream.of(
                Arguments.of("replicas that are not a number",
                        Map.of("services.flagApi.replicas", "three"),
                        List.of("at '/services/flagApi/replicas'", "got string, want integer")),
                Arguments.of("an unknown service key",
                        Map.of("services.billingService.enabled", true),
                        List.of("at '/services'", "additional properties 'billingService' not allowed")),
                Arguments.of("a misspelt setting",
                        Map.of("services.auditService.replcias", 3),
                        List.of("at '/services/auditService'", "additional properties 'replcias' not allowed")),
                Arguments.of("a missing OIDC issuer",
                        Map.of("oidc.issuer", ""),
                        List.of("at '/oidc/issuer'", "does not match pattern")),
                Arguments.of("an OIDC issuer that is not a URL",
                        Map.of("oidc.issuer", "keycloak/realms/flagledger"),
                        List.of("at '/oidc/issuer'")),
                Arguments.of("a database password given as a value",
                        Map.of("postgresql.password", "hunter2"),
                        List.of("at '/postgresql'", "additional properties 'password' not allowed")),
                Arguments.of("a signing private key given as a value",
                        Map.of("services.flagApi.signing.privateKey", "MC4CAQAwBQYDK2VwBCIEI"),
                        List.of("at '/services/flagApi/signing'", "additional properties 'privateKey' not allowed")),
                Arguments.of("a literal password in extraEnv",
                        Map.of("services.flagApi.extraEnv[0].name", "FLAGLEDGER_DB_PASSWORD",
                                "services.flagApi.extraEnv[0].value", "hunter2"),
                        List.of("at '/services/flagApi/extraEnv/0'", "'not' failed")),
                Arguments.of("flag-api without its signing key Secret",
                        Map.of("services.flagApi.signing.privateKeySecret.name", ""),
                        List.of("at '/services/flagApi/signing/privateKeySecret/name'", "minLength: got 0, want 1")),
                Arguments.of("a service without its database credentials Secret",
                        Map.of("services.monitorService.database.credentialsSecret.name", ""),
                        List.of("at '/services/monitorService/database/credentialsSecret/name'", "minLength: got 0, want 1")),
                Arguments.of("a signing key id without its Secret",
                        Map.of("services.approvalService.approvalTokenSigning.keyId", "approval-token-1"),
                        List.of("at '/services/approvalService/approvalTokenSigning/privateKeySecret/name'", "minLength")),
                Arguments.of("a loosened container security context",
                        Map.of("containerSecurityContext.allowPrivilegeEscalation", true),
                        List.of("at '/containerSecurityContext/allowPrivilegeEscalation'", "value must be false")),
                Arguments.of("a writable root filesystem",
                        Map.of("containerSecurityContext.readOnlyRootFilesystem", false),
                        List.of("at '/containerSecurityContext/readOnlyRootFilesystem'", "value must be true")),
                Arguments.of("running as root",
                        Map.of("podSecurityContext.runAsUser", 0),
                        List.of("at '/podSecurityContext/runAsUser'", "minimum")),
                Arguments.of("a container without limits",
                        Map.of("services.flagApi.resources.limits", "null"),
                        List.of("at '/services/flagApi/resources'", "missing property 'limits'")),
                Arguments.of("an unknown Kafka security protocol",
                        Map.of("kafka.securityProtocol", "TLS"),
                        List.of("at '/kafka/securityProtocol'", "value must be one of")),
                Arguments.of("an unknown migration mode",
                        Map.of("migration.mode", "manual"),
                        List.of("at '/migration/mode'", "value must be one of 'atStart', 'job'")),
                Arguments.of("a trusted key bound to an unknown service",
                        Map.of("services.auditService.trustedKeys.k1.service", "billing",
                                "services.auditService.trustedKeys.k1.publicKey", "MCowBQYDK2VwAyEAo46meoGqTO5gYaRPJg2ZX8jQ/d/8FPqSDuVhHkl60uw="),
                        List.of("at '/services/auditService/trustedKeys/k1/service'", "value must be one of")),
                Arguments.of("a trusted key that is not base64",
                        Map.of("services.auditService.trustedKeys.k1.service", "flag-api",
                                "services.auditService.trustedKeys.k1.publicKey", "-----BEGIN PUBLIC KEY-----"),
                        List.of("at '/services/auditService/trustedKeys/k1/publicKey'", "does not match pattern")),
                Arguments.of("the archive with neither a bucket nor a volume claim",
                        Map.of("services.auditService.archive.enabled", true),
                        List.of("at '/services/auditService/archive/filesystem/existingClaim'", "minLength: got 0, want 1")),
                Arguments.of("a filesystem archive path that is not absolute",
                        Map.of("services.auditService.archive.filesystem.path", "archive"),
                        List.of("at '/services/auditService/archive/filesystem/path'", "does not match pattern")),
                Arguments.of("an approval public key without its key id",
                        Map.of("services.flagApi.approvalPublicKeys[0]", "MCowBQYDK2VwAyEAXVFaZN1C42LUluT3pPbhjU9Cb3n90EnQoI0bWbU9eQw="),
                        List.of("at '/services/flagApi/approvalPublicKeys/0'", "does not match pattern")),
                Arguments.of("an approval public key in PEM",
                        Map.of("services.flagApi.approvalPublicKeys[0]", "approval-token-1:-----BEGIN PUBLIC KEY-----"),
                        List.of("at '/services/flagApi/approvalPublicKeys/0'", "does not match pattern")),
                Arguments.of("a stale threshold of zero days",
                        Map.of("services.flagApi.staleRolledOutDays", 0),
                        List.of("at '/services/flagApi/staleRolledOutDays'", "minimum")),
                Arguments.of("a stale threshold that is not a number",
                        Map.of("services.flagApi.staleRolledOutDays", "thirty"),
                        List.of("at '/services/flagApi/staleRolledOutDays'", "got string")),
                Arguments.of("stream limit below one",
                        Map.of("services.flagApi.sdkStreams.maxTotal", 0),
                        List.of("at '/services/flagApi/sdkStreams/maxTotal'", "minimum")),
                Arguments.of("person claim with a space",
                        Map.of("oidc.personClaim", "employee id"),
                        List.of("at '/oidc/personClaim'", "does not match pattern")),
                Arguments.of("a console session secret given as a value",
                        Map.of("services.approvalService.console.sessionSecret.value", "0123456789abcdef0123456789abcdef"),
                        List.of("at '/services/approvalService/console/sessionSecret'", "additional properties 'value' not allowed")),
                Arguments.of("a console client secret given as a value",
                        Map.of("services.approvalService.console.clientSecret", "s3cr3t"),
                        List.of("at '/services/approvalService/console/clientSecret'", "got string, want object")),
                Arguments.of("secure cookies that are not a boolean",
                        Map.of("services.approvalService.console.secureCookies", "yes"),
                        List.of("at '/services/approvalService/console/secureCookies'", "got string, want boolean")),
                Arguments.of("a console public URL that is not a URL",
                        Map.of("services.approvalService.console.publicUrl", "flagledger.acme.example"),
                        List.of("at '/services/approvalService/console/publicUrl'", "does not match pattern")),
                Arguments.of("a notifications webhook URL given as a value",
                        Map.of("services.approvalService.notifications.webhookUrl", "https://hooks.slack.com/services/T0/B0/x"),
                        List.of("at '/services/approvalService/notifications'", "additional properties 'webhookUrl' not allowed")),
                Arguments.of("a monitor webhook URL given as a value",
                        Map.of("services.monitorService.webhook.url", "https://hooks.slack.com/services/T0/B0/x"),
                        List.of("at '/services/monitorService/webhook'", "additional properties 'url' not allowed")),
                Arguments.of("a migration password given as a value",
                        Map.of("services.auditService.database.migrationCredentialsSecret.password", "hunter2"),
                        List.of("at '/services/auditService/database/migrationCredentialsSecret'", "additional properties 'password' not allowed")),
                Arguments.of("a writer role that is not a PostgreSQL identifier",
                        Map.of("services.auditService.database.appRole", "writer; drop table ledger_entry"),
                        List.of("at '/services/auditService/database/appRole'", "does not match pattern")),
                Arguments.of("an ingestion batch of zero records",
                        Map.of("services.auditService.batchSize", 0),
                        List.of("at '/services/auditService/batchSize'", "minimum")),
                Arguments.of("a console block on the wrong service",
                        Map.of("services.flagApi.console.secureCookies", false),
                        List.of("at '/services/flagApi'", "additional properties 'console' not allowed")),
                Arguments.of("Splunk without its token Secret",
                        Map.of("services.auditService.siem.splunk.enabled", true,
                                "services.auditService.siem.splunk.hecUrl", "https://splunk.example.com:8088"),
                        List.of("at '/services/auditService/siem/splunk/tokenSecret/name'", "minLength")),
                Arguments.of("Strimzi topics without a cluster name",
                        Map.of("kafkaTopics.enabled", true, "kafkaTopics.clusterName", ""),
                        List.of("at '/kafkaTopics/clusterName'", "minLength")),
                Arguments.of("a protected environment that needs no approver",
                        Map.of("protection.defaultMinApprovers", 0),
                        List.of("at '/protection/defaultMinApprovers'", "minimum")),
                Arguments.of("a protected environment name flag-api could not have",
                        Map.of("protection.protectedEnvironments[0]", "Production EU"),
                        List.of("at '/protection/protectedEnvironments/0'", "does not match pattern")),
                Arguments.of("an image digest that is not a digest",
                        Map.of("services.flagApi.image.digest", "latest"),
                        List.of("at '/services/flagApi/image/digest'", "does not match pattern")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("schemaRejections")
    void theSchemaRejects(String what, Map<String, Object> sets, List<String> expected) {
        String message = Chart.renderError(List.of(), sets);
        assertThat(message).startsWith(SCHEMA_PREFIX).contains(expected);
    }

    static Stream<Arguments> templateRejections() {
        return Stream.of(
                Arguments.of("SASL without the JAAS config Secret",
                        Map.of("kafka.securityProtocol", "SASL_SSL"),
                        List.of("services.approvalService: kafka.securityProtocol is SASL_SSL",
                                "kafka.sasl.jaasConfigSecret.name must name an existing Secret")),
                Arguments.of("a client certificate without TLS",
                        Map.of("services.flagApi.kafka.keystore.secret.name", "flag-api-user"),
                        List.of("services.flagApi: kafka.keystore is set but kafka.securityProtocol is PLAINTEXT")),
                Arguments.of("an HPA whose minimum exceeds its maximum",
                        Map.of("services.auditService.autoscaling.enabled", true,
                                "services.auditService.autoscaling.minReplicas", 5,
                                "services.auditService.autoscaling.maxReplicas", 2),
                        List.of("services.auditService.autoscaling: minReplicas (5) is greater than maxReplicas (2)")),
                Arguments.of("a credential in the ConfigMap",
                        Map.of("services.monitorService.applicationProperties.quarkus\\.oidc\\.credentials\\.secret", "s3cr3t"),
                        List.of("services.monitorService.applicationProperties.quarkus.oidc.credentials.secret looks like a credential")),
                Arguments.of("approval requirements for an environment nobody protects",
                        Map.of("protection.environments.prod.minApprovers", 3),
                        List.of("protection.environments.prod: 'prod' is not in protection.protectedEnvironments")),
                Arguments.of("a webhook URL in the ConfigMap",
                        Map.of("services.approvalService.applicationProperties.flagledger\\.notifications\\.webhook-url", "https://hooks.example/x"),
                        List.of("services.approvalService.applicationProperties.flagledger.notifications.webhook-url looks like a credential")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templateRejections")
    void theTemplatesReject(String what, Map<String, Object> sets, List<String> expected) {
        String message = Chart.renderError(List.of(), sets);
        assertThat(message).contains("execution error").contains(expected);
    }
}
