package io.flagledger.monitor;

import io.flagledger.testsupport.service.PlatformEndpointsContract;
import io.quarkus.test.junit.QuarkusTest;

@QuarkusTest
class PlatformEndpointsTest extends PlatformEndpointsContract {

    /** monitor-service acts on events and metrics; it has no HTTP API beyond /q/ (health, metrics, openapi). */
    @Override
    protected boolean servesApi() {
        return false;
    }
}
