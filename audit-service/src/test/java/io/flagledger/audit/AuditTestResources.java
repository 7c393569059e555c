package io.flagledger.audit;

import io.flagledger.audit.checkpoint.CheckpointKeyResource;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.testsupport.postgres.PostgresDatabaseResource;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.ResourceArg;

/** The real infrastructure every audit-service test runs against; GLOBAL so the app starts once. */
@WithTestResource(value = PostgresDatabaseResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "prefix", value = "audit_test"))
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = KeycloakResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "client-id", value = "audit-service"))
@WithTestResource(value = SigningKeyResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = CheckpointKeyResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = ProducerKeysResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "services", value = "approval-service,monitor-service"))
public final class AuditTestResources {
    private AuditTestResources() {
    }
}
