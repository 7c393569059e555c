package io.flagledger.monitor;

import io.flagledger.monitor.flow.FakeFlagApiResource;
import io.flagledger.monitor.signals.PrometheusStackResource;
import io.flagledger.testsupport.kafka.KafkaBrokerResource;
import io.flagledger.testsupport.keycloak.KeycloakResource;
import io.flagledger.testsupport.postgres.PostgresDatabaseResource;
import io.flagledger.testsupport.signing.ProducerKeysResource;
import io.flagledger.testsupport.signing.SigningKeyResource;
import io.quarkus.test.common.WithTestResource;
import io.quarkus.test.common.TestResourceScope;
import io.quarkus.test.common.ResourceArg;

/** The real infrastructure every monitor-service test runs against; GLOBAL so the app starts once. */
@WithTestResource(value = PostgresDatabaseResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "prefix", value = "monitor_test"))
@WithTestResource(value = KafkaBrokerResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "topics", value = "flag.changes:3,approval.events:3,monitor.actions:3,security.events:3,service.health:1"))
@WithTestResource(value = KeycloakResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = {@ResourceArg(name = "client-id", value = "monitor-service"),
                @ResourceArg(name = "oidc-client-id", value = "monitor-service")})
@WithTestResource(value = SigningKeyResource.class, scope = TestResourceScope.GLOBAL,
        initArgs = @ResourceArg(name = "service", value = "monitor-service"))
@WithTestResource(value = ProducerKeysResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = FakeFlagApiResource.class, scope = TestResourceScope.GLOBAL)
@WithTestResource(value = PrometheusStackResource.class, scope = TestResourceScope.GLOBAL)
public final class MonitorTestResources {
    private MonitorTestResources() {
    }
}
