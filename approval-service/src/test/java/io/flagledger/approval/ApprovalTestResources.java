package io.flagledger.approval;

import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.testsupport.postgres.PostgresDatabaseResource;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.ResourceArg;

/**
 * The real infrastructure every approval-service test runs against (PostgreSQL, Kafka, Keycloak), plus a
 * stand-in flag-api and a key it signs flag.changes events with; GLOBAL so the app starts once.
 */
@WithTestResource(value = PostgresDatabaseResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "prefix", value = "approval_test"))
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "topics", value = "approval.events:3,flag.changes:3"))
@WithTestResource(value = KeycloakResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = {@ResourceArg(name = "client-id", value = "approval-service"),
                @ResourceArg(name = "oidc-client-id", value = "approval-service")})
@WithTestResource(value = SigningKeyResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "approval-service"))
@WithTestResource(value = ProducerKeysResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "services", value = "flag-api"))
@WithTestResource(value = FakeFlagApiResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ConsoleClientResource.class, scope = TestResourceScope.GLOBAL)
public final class ApprovalTestResources {
    private ApprovalTestResources() {
    }
}
